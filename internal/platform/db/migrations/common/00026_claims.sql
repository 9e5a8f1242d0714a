-- +goose Up
-- A person with their own account claiming their record on an office's
-- people list (internal/account); the unit's administrator decides.
CREATE TABLE claims (
    id          TEXT PRIMARY KEY,
    account_id  TEXT NOT NULL,
    person_id   TEXT NOT NULL,
    unit_path   TEXT NOT NULL,
    matched_by  TEXT NOT NULL,
    status      TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    decided_by  TEXT NOT NULL DEFAULT '',
    decided_at  BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX claims_account ON claims (account_id);
CREATE INDEX claims_status ON claims (status, unit_path);

-- +goose Down
DROP TABLE claims;
