-- +goose Up
-- Sign-ups waiting for confirmation (internal/account): the contact they
-- were sent to, the password already hashed, and only hashes of the
-- confirmation link and code.
CREATE TABLE signups (
    id            TEXT PRIMARY KEY,
    contact       TEXT NOT NULL,
    kind          TEXT NOT NULL,
    display_name  TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    birth_year    INTEGER NOT NULL DEFAULT 0,
    unit_id       TEXT NOT NULL DEFAULT '',
    grp           TEXT NOT NULL DEFAULT '',
    token_hash    TEXT NOT NULL,
    code_hash     TEXT NOT NULL,
    attempts      INTEGER NOT NULL DEFAULT 0,
    expires_at    BIGINT NOT NULL,
    used_at       BIGINT NOT NULL DEFAULT 0,
    ip            TEXT NOT NULL DEFAULT '',
    created_at    BIGINT NOT NULL
);
CREATE UNIQUE INDEX signups_token ON signups (token_hash);
CREATE INDEX signups_contact ON signups (contact, created_at);

-- A self-registered person's profile (internal/account): what they said
-- of themselves when signing up.
CREATE TABLE profiles (
    account_id  TEXT PRIMARY KEY,
    phone       TEXT NOT NULL DEFAULT '',
    birth_year  INTEGER NOT NULL DEFAULT 0,
    unit_id     TEXT NOT NULL DEFAULT '',
    grp         TEXT NOT NULL DEFAULT '',
    created_at  BIGINT NOT NULL
);

-- +goose Down
DROP TABLE profiles;
DROP TABLE signups;
