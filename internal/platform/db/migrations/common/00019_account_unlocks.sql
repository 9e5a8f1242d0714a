-- +goose Up
-- One-use links e-mailed to the owner of an account whose sign-ins are
-- being slowed down after repeated failures: following one lets the owner
-- sign in again at once.
CREATE TABLE account_unlocks (
    token_hash  TEXT PRIMARY KEY,
    account_id  TEXT NOT NULL REFERENCES accounts(id),
    expires_at  BIGINT NOT NULL,
    used_at     BIGINT NOT NULL DEFAULT 0
);

-- +goose Down
DROP TABLE account_unlocks;
