-- +goose Up
-- Credentials other platforms use to write to the LRS (HTTP Basic: key and
-- secret), issued by a unit administrator and scoped to that unit. The
-- secret is random and long, so a SHA-256 of it is kept.
CREATE TABLE lrs_clients (
    id          TEXT PRIMARY KEY,
    unit_id     TEXT NOT NULL REFERENCES units(id),
    unit_path   TEXT NOT NULL,
    name        TEXT NOT NULL,
    key         TEXT NOT NULL UNIQUE,
    secret_hash TEXT NOT NULL,
    created_by  TEXT NOT NULL DEFAULT '',
    created_at  BIGINT NOT NULL,
    revoked_at  BIGINT
);
CREATE INDEX lrs_clients_unit ON lrs_clients (unit_path);

-- The canonical definition of each activity, as last described.
CREATE TABLE xapi_activities (
    id         TEXT PRIMARY KEY,
    definition TEXT NOT NULL,
    updated    BIGINT NOT NULL
);

-- +goose Down
DROP TABLE xapi_activities;
DROP TABLE lrs_clients;
