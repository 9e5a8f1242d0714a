-- +goose Up
-- Single sign-on (internal/account): which account a provider's person
-- is, the sign-ins under way, and links waiting for the person's
-- confirmation.
CREATE TABLE oidc_identities (
    provider     TEXT NOT NULL,
    subject      TEXT NOT NULL,
    account_id   TEXT NOT NULL,
    email        TEXT NOT NULL DEFAULT '',
    created_at   BIGINT NOT NULL,
    last_used_at BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (provider, subject)
);
CREATE INDEX oidc_identities_account ON oidc_identities (account_id);

-- A sign-in sent to a provider: its state (hashed), nonce and PKCE
-- verifier, spent by the first callback that presents the state.
-- account_id is set when a signed-in person links a provider.
CREATE TABLE oidc_logins (
    state_hash  TEXT PRIMARY KEY,
    provider    TEXT NOT NULL,
    nonce       TEXT NOT NULL,
    verifier    TEXT NOT NULL,
    next        TEXT NOT NULL DEFAULT '/',
    account_id  TEXT NOT NULL DEFAULT '',
    expires_at  BIGINT NOT NULL
);
CREATE INDEX oidc_logins_expires ON oidc_logins (expires_at);

-- A provider's person whose verified e-mail belongs to an existing
-- account: linked only once that account's password is given.
CREATE TABLE oidc_pending (
    token_hash  TEXT PRIMARY KEY,
    provider    TEXT NOT NULL,
    subject     TEXT NOT NULL,
    email       TEXT NOT NULL,
    account_id  TEXT NOT NULL,
    next        TEXT NOT NULL DEFAULT '/',
    expires_at  BIGINT NOT NULL
);

-- +goose Down
DROP TABLE oidc_pending;
DROP TABLE oidc_logins;
DROP TABLE oidc_identities;
