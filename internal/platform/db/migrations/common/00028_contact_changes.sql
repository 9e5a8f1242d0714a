-- +goose Up
-- A person changing the address or number they sign in with
-- (internal/account): confirmed like a sign-up before it takes effect.
CREATE TABLE contact_changes (
    id          TEXT PRIMARY KEY,
    account_id  TEXT NOT NULL,
    contact     TEXT NOT NULL,
    kind        TEXT NOT NULL,
    token_hash  TEXT NOT NULL,
    code_hash   TEXT NOT NULL,
    attempts    INTEGER NOT NULL DEFAULT 0,
    expires_at  BIGINT NOT NULL,
    used_at     BIGINT NOT NULL DEFAULT 0,
    created_at  BIGINT NOT NULL
);
CREATE UNIQUE INDEX contact_changes_token ON contact_changes (token_hash);
CREATE INDEX contact_changes_account ON contact_changes (account_id, created_at);

-- +goose Down
DROP TABLE contact_changes;
