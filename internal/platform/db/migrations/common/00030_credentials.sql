-- +goose Up
-- Certificates (internal/credential): issuing units' keys, achievements
-- that can be earned, the credentials issued and the status lists that
-- say which are revoked.
CREATE TABLE issuer_keys (
    id             TEXT PRIMARY KEY,
    unit_id        TEXT NOT NULL,
    public_key     TEXT NOT NULL,
    private_sealed TEXT NOT NULL,
    created_at     BIGINT NOT NULL,
    retired_at     BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX issuer_keys_unit ON issuer_keys (unit_id, retired_at);

CREATE TABLE achievements (
    id          TEXT PRIMARY KEY,
    code        TEXT NOT NULL,
    version     INTEGER NOT NULL,
    unit_id     TEXT NOT NULL,
    unit_path   TEXT NOT NULL,
    name        TEXT NOT NULL,
    name_en     TEXT NOT NULL DEFAULT '',
    description    TEXT NOT NULL DEFAULT '',
    description_en TEXT NOT NULL DEFAULT '',
    criteria    TEXT NOT NULL DEFAULT '',
    criteria_en TEXT NOT NULL DEFAULT '',
    kind        TEXT NOT NULL DEFAULT 'Certificate',
    -- The issuer's logo the credential shows (an https URL), if any.
    issuer_image TEXT NOT NULL DEFAULT '',
    alignments  TEXT NOT NULL DEFAULT '[]',
    valid_years INTEGER NOT NULL DEFAULT 0,
    rule        TEXT NOT NULL,
    rule_ref    TEXT NOT NULL DEFAULT '',
    min_percent DOUBLE PRECISION NOT NULL DEFAULT 0,
    status      TEXT NOT NULL,
    created_by  TEXT NOT NULL DEFAULT '',
    created_at  BIGINT NOT NULL,
    UNIQUE (code, version)
);
CREATE INDEX achievements_rule ON achievements (rule, rule_ref, status);

CREATE TABLE credentials (
    id             TEXT PRIMARY KEY,
    number         TEXT NOT NULL,
    achievement_id TEXT NOT NULL,
    account_id     TEXT NOT NULL,
    unit_id        TEXT NOT NULL,
    unit_path      TEXT NOT NULL,
    status_list    INTEGER NOT NULL,
    status_index   INTEGER NOT NULL,
    issued_at      BIGINT NOT NULL,
    recorded_at    BIGINT NOT NULL,
    valid_until    BIGINT NOT NULL DEFAULT 0,
    source         TEXT NOT NULL DEFAULT '',
    result         TEXT NOT NULL DEFAULT '',
    legacy         INTEGER NOT NULL DEFAULT 0,
    revoked_at     BIGINT NOT NULL DEFAULT 0,
    revoked_reason TEXT NOT NULL DEFAULT '',
    document       TEXT NOT NULL,
    jwt            TEXT NOT NULL,
    UNIQUE (achievement_id, account_id),
    -- A paper certificate's number is unique to its issuer, not to all.
    UNIQUE (unit_id, number),
    UNIQUE (unit_id, status_list, status_index)
);
CREATE INDEX credentials_account ON credentials (account_id);
CREATE INDEX credentials_unit ON credentials (unit_path, issued_at);
CREATE INDEX credentials_recorded ON credentials (recorded_at, id);

CREATE TABLE status_lists (
    unit_id    TEXT NOT NULL,
    list       INTEGER NOT NULL,
    next_index INTEGER NOT NULL,
    PRIMARY KEY (unit_id, list)
);

-- +goose Down
DROP TABLE status_lists;
DROP TABLE credentials;
DROP TABLE achievements;
DROP TABLE issuer_keys;
