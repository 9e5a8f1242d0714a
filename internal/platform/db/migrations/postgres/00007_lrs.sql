-- +goose Up
-- The learning record store (xAPI 1.0.3). Statements keep the JSON as
-- stored and returned; the columns beside it serve the query filters. seq
-- orders statements by the moment they were stored and pages the results.
CREATE TABLE xapi_statements (
    seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    id           TEXT NOT NULL UNIQUE,
    unit_path    TEXT COLLATE "C" NOT NULL,
    client_id    TEXT NOT NULL,
    actor_key    TEXT NOT NULL,
    verb_id      TEXT NOT NULL,
    object_type  TEXT NOT NULL,
    object_key   TEXT NOT NULL,
    registration TEXT NOT NULL DEFAULT '',
    stored       BIGINT NOT NULL,
    voided       INTEGER NOT NULL DEFAULT 0,
    voids        TEXT NOT NULL DEFAULT '',
    body         TEXT NOT NULL
);
CREATE INDEX xapi_statements_actor ON xapi_statements (actor_key, seq);
CREATE INDEX xapi_statements_object ON xapi_statements (object_key, seq);
CREATE INDEX xapi_statements_verb ON xapi_statements (verb_id, seq);
CREATE INDEX xapi_statements_registration ON xapi_statements (registration, seq);
CREATE INDEX xapi_statements_stored ON xapi_statements (stored);

-- Agents and activities a statement mentions besides its actor and object
-- (context, authority, sub-statements, group members), for related_agents
-- and related_activities. kind: g agent, a activity.
CREATE TABLE xapi_related (
    seq  BIGINT NOT NULL,
    kind TEXT NOT NULL,
    key  TEXT NOT NULL
);
CREATE INDEX xapi_related_key ON xapi_related (key, kind, seq);

-- Attachments by content hash; a statement lists the ones it carries.
CREATE TABLE xapi_attachments (
    sha2         TEXT PRIMARY KEY,
    content_type TEXT NOT NULL,
    content      BYTEA NOT NULL
);

-- State, activity profile and agent profile documents. scope is the unit
-- of the client that wrote them; kind: state, activity, agent.
CREATE TABLE xapi_documents (
    scope        TEXT NOT NULL,
    kind         TEXT NOT NULL,
    activity_id  TEXT NOT NULL,
    agent_key    TEXT NOT NULL,
    registration TEXT NOT NULL,
    doc_id       TEXT NOT NULL,
    content_type TEXT NOT NULL,
    content      BYTEA NOT NULL,
    etag         TEXT NOT NULL,
    updated      BIGINT NOT NULL,
    PRIMARY KEY (scope, kind, activity_id, agent_key, registration, doc_id)
);

-- +goose Down
DROP TABLE xapi_documents;
DROP TABLE xapi_attachments;
DROP TABLE xapi_related;
DROP TABLE xapi_statements;
