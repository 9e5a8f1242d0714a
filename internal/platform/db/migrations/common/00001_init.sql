-- +goose Up
-- Portable SQL for SQLite and PostgreSQL: ids are made in Go, times are Unix
-- milliseconds (BIGINT), calendar dates are 'YYYY-MM-DD' text.

-- Organisation tree (cây tổ chức). path is the unit's current roll-up path of
-- ids ('/a/b/c/'); a unit dissolved by a merge hangs under its successor, so
-- everything recorded against it rolls up there.
CREATE TABLE units (
    id            TEXT PRIMARY KEY,
    code          TEXT NOT NULL,
    type          TEXT NOT NULL,
    name_vi       TEXT NOT NULL,
    name_en       TEXT NOT NULL DEFAULT '',
    full_name_vi  TEXT NOT NULL DEFAULT '',
    full_name_en  TEXT NOT NULL DEFAULT '',
    search_fold   TEXT NOT NULL DEFAULT '',
    parent_id     TEXT REFERENCES units(id),
    path          TEXT NOT NULL,
    depth         INTEGER NOT NULL,
    valid_from    TEXT NOT NULL DEFAULT '',
    valid_to      TEXT NOT NULL DEFAULT '',
    successor_id  TEXT REFERENCES units(id),
    created_at    BIGINT NOT NULL,
    updated_at    BIGINT NOT NULL
);
CREATE UNIQUE INDEX units_live_code ON units (code) WHERE valid_to = '';
CREATE INDEX units_code ON units (code);
CREATE INDEX units_parent ON units (parent_id);

CREATE TABLE unit_classes (
    unit_id TEXT NOT NULL REFERENCES units(id),
    class   TEXT NOT NULL,
    PRIMARY KEY (unit_id, class)
);
CREATE INDEX unit_classes_class ON unit_classes (class);

-- Parent links over time: "children of X as of D" reads these.
CREATE TABLE unit_links (
    unit_id    TEXT NOT NULL REFERENCES units(id),
    parent_id  TEXT NOT NULL REFERENCES units(id),
    valid_from TEXT NOT NULL DEFAULT '',
    valid_to   TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (unit_id, valid_from)
);
CREATE INDEX unit_links_parent ON unit_links (parent_id);

-- Changes by resolution: merge, split, rename, recode, create, dissolve.
CREATE TABLE unit_events (
    id          TEXT PRIMARY KEY,
    kind        TEXT NOT NULL,
    effective   TEXT NOT NULL,
    resolution  TEXT NOT NULL DEFAULT '',
    note        TEXT NOT NULL DEFAULT '',
    created_by  TEXT NOT NULL DEFAULT '',
    created_at  BIGINT NOT NULL
);
CREATE TABLE unit_event_parts (
    event_id     TEXT NOT NULL REFERENCES unit_events(id),
    seq          INTEGER NOT NULL,
    from_unit_id TEXT NOT NULL REFERENCES units(id),
    to_unit_id   TEXT NOT NULL REFERENCES units(id),
    old_code     TEXT NOT NULL DEFAULT '',
    new_code     TEXT NOT NULL DEFAULT '',
    old_name_vi  TEXT NOT NULL DEFAULT '',
    new_name_vi  TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (event_id, seq)
);
CREATE INDEX unit_event_parts_from ON unit_event_parts (from_unit_id);
CREATE INDEX unit_event_parts_to ON unit_event_parts (to_unit_id);

-- People (cán bộ, giáo viên, học sinh, người dân ...). ext_key is the stable
-- key imports match on; unit_path is copied from the unit for scoped lists.
CREATE TABLE people (
    id          TEXT PRIMARY KEY,
    ext_key     TEXT NOT NULL,
    full_name   TEXT NOT NULL,
    name_fold   TEXT NOT NULL,
    birth_date  TEXT NOT NULL DEFAULT '',
    unit_id     TEXT NOT NULL REFERENCES units(id),
    unit_path   TEXT NOT NULL,
    position    TEXT NOT NULL DEFAULT '',
    groups      TEXT NOT NULL DEFAULT '',
    email       TEXT NOT NULL DEFAULT '',
    phone       TEXT NOT NULL DEFAULT '',
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL
);
CREATE UNIQUE INDEX people_ext_key ON people (ext_key);
CREATE INDEX people_unit ON people (unit_id);

CREATE TABLE person_groups (
    person_id TEXT NOT NULL REFERENCES people(id),
    grp       TEXT NOT NULL,
    PRIMARY KEY (person_id, grp)
);
CREATE INDEX person_groups_grp ON person_groups (grp, person_id);

-- Accounts, sessions, roles, tokens.
CREATE TABLE accounts (
    id             TEXT PRIMARY KEY,
    username       TEXT NOT NULL,
    email          TEXT NOT NULL DEFAULT '',
    display_name   TEXT NOT NULL DEFAULT '',
    password_hash  TEXT NOT NULL,
    person_id      TEXT REFERENCES people(id),
    locale         TEXT NOT NULL DEFAULT 'vi',
    failed_logins  INTEGER NOT NULL DEFAULT 0,
    locked_until   BIGINT NOT NULL DEFAULT 0,
    disabled       INTEGER NOT NULL DEFAULT 0,
    created_at     BIGINT NOT NULL,
    updated_at     BIGINT NOT NULL
);
CREATE UNIQUE INDEX accounts_username ON accounts (username);
CREATE INDEX accounts_email ON accounts (email);

CREATE TABLE role_grants (
    id          TEXT PRIMARY KEY,
    account_id  TEXT NOT NULL REFERENCES accounts(id),
    role        TEXT NOT NULL,
    unit_id     TEXT NOT NULL REFERENCES units(id),
    granted_by  TEXT NOT NULL DEFAULT '',
    created_at  BIGINT NOT NULL
);
CREATE UNIQUE INDEX role_grants_unique ON role_grants (account_id, role, unit_id);
CREATE INDEX role_grants_unit ON role_grants (unit_id);

CREATE TABLE sessions (
    id_hash     TEXT PRIMARY KEY,
    account_id  TEXT NOT NULL REFERENCES accounts(id),
    created_at  BIGINT NOT NULL,
    expires_at  BIGINT NOT NULL,
    ip          TEXT NOT NULL DEFAULT '',
    user_agent  TEXT NOT NULL DEFAULT ''
);
CREATE INDEX sessions_account ON sessions (account_id);

CREATE TABLE api_tokens (
    id           TEXT PRIMARY KEY,
    account_id   TEXT NOT NULL REFERENCES accounts(id),
    name         TEXT NOT NULL,
    token_hash   TEXT NOT NULL,
    created_at   BIGINT NOT NULL,
    last_used_at BIGINT NOT NULL DEFAULT 0,
    revoked_at   BIGINT NOT NULL DEFAULT 0
);
CREATE UNIQUE INDEX api_tokens_hash ON api_tokens (token_hash);
CREATE INDEX api_tokens_account ON api_tokens (account_id);

CREATE TABLE password_resets (
    token_hash  TEXT PRIMARY KEY,
    account_id  TEXT NOT NULL REFERENCES accounts(id),
    expires_at  BIGINT NOT NULL,
    used_at     BIGINT NOT NULL DEFAULT 0
);

-- Audit log: who did or saw what. unit_path scopes who may read an entry.
CREATE TABLE audit_log (
    id          TEXT PRIMARY KEY,
    at          BIGINT NOT NULL,
    actor_id    TEXT NOT NULL DEFAULT '',
    actor_name  TEXT NOT NULL DEFAULT '',
    action      TEXT NOT NULL,
    object_type TEXT NOT NULL DEFAULT '',
    object_id   TEXT NOT NULL DEFAULT '',
    unit_path   TEXT NOT NULL DEFAULT '',
    detail      TEXT NOT NULL DEFAULT '',
    ip          TEXT NOT NULL DEFAULT '',
    request_id  TEXT NOT NULL DEFAULT ''
);
CREATE INDEX audit_log_at ON audit_log (at);

-- Uploaded files; the bytes live in the file store, this is the index.
CREATE TABLE files (
    id           TEXT PRIMARY KEY,
    name         TEXT NOT NULL,
    content_type TEXT NOT NULL DEFAULT '',
    size         BIGINT NOT NULL,
    sha256       TEXT NOT NULL,
    created_by   TEXT NOT NULL DEFAULT '',
    created_at   BIGINT NOT NULL
);

-- +goose Down
DROP TABLE files;
DROP TABLE audit_log;
DROP TABLE password_resets;
DROP TABLE api_tokens;
DROP TABLE sessions;
DROP TABLE role_grants;
DROP TABLE accounts;
DROP TABLE person_groups;
DROP TABLE people;
DROP TABLE unit_event_parts;
DROP TABLE unit_events;
DROP TABLE unit_links;
DROP TABLE unit_classes;
DROP TABLE units;
