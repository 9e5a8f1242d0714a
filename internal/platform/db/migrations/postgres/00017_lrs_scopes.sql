-- +goose Up
-- Each unit's view of the learning record store is its own: activity
-- definitions and attachment content are kept per scope (the unit path of
-- the client that sent them), so one unit cannot read what another unit's
-- content described or attached. Rows from before have no known scope and
-- go to the nation's.
CREATE TABLE xapi_activity_defs (
    id         TEXT NOT NULL,
    scope      TEXT NOT NULL,
    definition TEXT NOT NULL,
    updated    BIGINT NOT NULL,
    PRIMARY KEY (id, scope)
);
INSERT INTO xapi_activity_defs (id, scope, definition, updated) SELECT id, '/', definition, updated FROM xapi_activities;
DROP TABLE xapi_activities;

CREATE TABLE xapi_attachment_content (
    sha2         TEXT NOT NULL,
    scope        TEXT NOT NULL,
    content_type TEXT NOT NULL,
    content      BYTEA NOT NULL,
    PRIMARY KEY (sha2, scope)
);
INSERT INTO xapi_attachment_content (sha2, scope, content_type, content) SELECT sha2, '/', content_type, content FROM xapi_attachments;
DROP TABLE xapi_attachments;

-- Launch credentials (an external lesson opened by one learner) are bound
-- to that learner, that activity and that registration.
ALTER TABLE lrs_clients ADD COLUMN actor_key TEXT NOT NULL DEFAULT '';
ALTER TABLE lrs_clients ADD COLUMN activity_id TEXT NOT NULL DEFAULT '';
ALTER TABLE lrs_clients ADD COLUMN registration TEXT NOT NULL DEFAULT '';
-- The origin of the launched content's page, the one origin a browser may
-- call the LRS from with these credentials (CORS).
ALTER TABLE lrs_clients ADD COLUMN origin TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE lrs_clients DROP COLUMN origin;
ALTER TABLE lrs_clients DROP COLUMN registration;
ALTER TABLE lrs_clients DROP COLUMN activity_id;
ALTER TABLE lrs_clients DROP COLUMN actor_key;
CREATE TABLE xapi_attachments (sha2 TEXT PRIMARY KEY, content_type TEXT NOT NULL, content BYTEA NOT NULL);
INSERT INTO xapi_attachments SELECT sha2, MIN(content_type), MIN(content) FROM xapi_attachment_content GROUP BY sha2;
DROP TABLE xapi_attachment_content;
CREATE TABLE xapi_activities (id TEXT PRIMARY KEY, definition TEXT NOT NULL, updated BIGINT NOT NULL);
INSERT INTO xapi_activities SELECT id, MAX(definition), MAX(updated) FROM xapi_activity_defs GROUP BY id;
DROP TABLE xapi_activity_defs;
