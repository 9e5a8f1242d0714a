-- +goose Up
-- One-time activation codes for accounts an administrator made for their
-- people (internal/account): only a hash of each code is kept.
CREATE TABLE activations (
    account_id  TEXT PRIMARY KEY,
    code_hash   TEXT NOT NULL,
    attempts    INTEGER NOT NULL DEFAULT 0,
    expires_at  BIGINT NOT NULL,
    used_at     BIGINT NOT NULL DEFAULT 0,
    created_by  TEXT NOT NULL,
    created_at  BIGINT NOT NULL
);

-- +goose Down
DROP TABLE activations;
