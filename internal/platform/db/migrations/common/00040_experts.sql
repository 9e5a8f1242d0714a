-- +goose Up
-- The expert network (internal/experts). A profile belongs to a unit (the
-- expert's organisation in the tree, or the office that keeps an outside
-- expert): offices of that unit and above verify it and see its private
-- fields. Lists of codes (languages, fields, skills as "2.1:3",
-- provinces, which fields are private) are joined by ";"; degrees,
-- publications, projects and what was verified when are JSON.
CREATE TABLE exp_fields (
    code       TEXT PRIMARY KEY,
    name_vi    TEXT NOT NULL,
    name_en    TEXT NOT NULL,
    since      INTEGER NOT NULL,
    retired    INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE exp_taxonomy (
    version    INTEGER PRIMARY KEY,
    note       TEXT NOT NULL,
    changed_by TEXT NOT NULL,
    changed_at BIGINT NOT NULL
);

CREATE TABLE exp_profiles (
    id              TEXT PRIMARY KEY,
    account_id      TEXT NOT NULL DEFAULT '',
    full_name       TEXT NOT NULL,
    photo_id        TEXT NOT NULL DEFAULT '',
    unit_id         TEXT NOT NULL,
    unit_path       TEXT NOT NULL,
    org_name        TEXT NOT NULL DEFAULT '',
    position        TEXT NOT NULL DEFAULT '',
    origin          TEXT NOT NULL,
    province        TEXT NOT NULL DEFAULT '',
    languages       TEXT NOT NULL DEFAULT '',
    fields          TEXT NOT NULL DEFAULT '',
    skills          TEXT NOT NULL DEFAULT '',
    orcid           TEXT NOT NULL DEFAULT '',
    hours           INTEGER NOT NULL DEFAULT 0,
    remote          INTEGER NOT NULL DEFAULT 0,
    onsite          INTEGER NOT NULL DEFAULT 0,
    provinces       TEXT NOT NULL DEFAULT '',
    email           TEXT NOT NULL DEFAULT '',
    phone           TEXT NOT NULL DEFAULT '',
    contact_pref    TEXT NOT NULL DEFAULT '',
    public          INTEGER NOT NULL DEFAULT 0,
    private         TEXT NOT NULL DEFAULT '',
    status          TEXT NOT NULL,
    load            INTEGER NOT NULL DEFAULT 0,
    rating_sum      INTEGER NOT NULL DEFAULT 0,
    rating_n        INTEGER NOT NULL DEFAULT 0,
    created_at      BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL,
    -- Long texts last: lists and matching read the columns above without
    -- walking through these.
    degrees         TEXT NOT NULL DEFAULT '[]',
    publications    TEXT NOT NULL DEFAULT '[]',
    projects        TEXT NOT NULL DEFAULT '[]',
    verified        TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX exp_profiles_path ON exp_profiles (unit_path);
CREATE INDEX exp_profiles_account ON exp_profiles (account_id);

CREATE TABLE exp_nominations (
    id           TEXT PRIMARY KEY,
    profile_id   TEXT NOT NULL,
    level        TEXT NOT NULL,
    unit_id      TEXT NOT NULL,
    unit_path    TEXT NOT NULL,
    status       TEXT NOT NULL,
    decision_ref TEXT NOT NULL DEFAULT '',
    note         TEXT NOT NULL DEFAULT '',
    created_at   BIGINT NOT NULL,
    decided_at   BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX exp_nominations_profile ON exp_nominations (profile_id);
CREATE INDEX exp_nominations_path ON exp_nominations (unit_path);

CREATE TABLE exp_needs (
    id          TEXT PRIMARY KEY,
    unit_id     TEXT NOT NULL,
    unit_path   TEXT NOT NULL,
    title       TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    fields      TEXT NOT NULL DEFAULT '[]',
    skills      TEXT NOT NULL DEFAULT '[]',
    languages   TEXT NOT NULL DEFAULT '[]',
    place       TEXT NOT NULL DEFAULT '',
    start_on    TEXT NOT NULL DEFAULT '',
    end_on      TEXT NOT NULL DEFAULT '',
    hours       INTEGER NOT NULL DEFAULT 0,
    status      TEXT NOT NULL,
    created_by  TEXT NOT NULL,
    created_at  BIGINT NOT NULL
);
CREATE INDEX exp_needs_path ON exp_needs (unit_path);

CREATE TABLE exp_invitations (
    id          TEXT PRIMARY KEY,
    need_id     TEXT NOT NULL,
    profile_id  TEXT NOT NULL,
    status      TEXT NOT NULL,
    message     TEXT NOT NULL DEFAULT '',
    reason      TEXT NOT NULL DEFAULT '',
    created_at  BIGINT NOT NULL,
    answered_at BIGINT NOT NULL DEFAULT 0,
    UNIQUE (need_id, profile_id)
);
CREATE INDEX exp_invitations_profile ON exp_invitations (profile_id);

CREATE TABLE exp_engagements (
    id             TEXT PRIMARY KEY,
    invitation_id  TEXT NOT NULL UNIQUE,
    need_id        TEXT NOT NULL,
    profile_id     TEXT NOT NULL,
    start_on       TEXT NOT NULL DEFAULT '',
    end_on         TEXT NOT NULL DEFAULT '',
    hours          INTEGER NOT NULL DEFAULT 0,
    outcome        TEXT NOT NULL DEFAULT '',
    status         TEXT NOT NULL,
    org_rating     INTEGER NOT NULL DEFAULT 0,
    org_comment    TEXT NOT NULL DEFAULT '',
    expert_rating  INTEGER NOT NULL DEFAULT 0,
    expert_comment TEXT NOT NULL DEFAULT '',
    created_at     BIGINT NOT NULL,
    updated_at     BIGINT NOT NULL
);
CREATE INDEX exp_engagements_profile ON exp_engagements (profile_id);
CREATE INDEX exp_engagements_need ON exp_engagements (need_id);

-- The matching weights an office tunes (one row per unit; the nation's is
-- the default).
CREATE TABLE exp_weights (
    unit_id    TEXT PRIMARY KEY,
    weights    TEXT NOT NULL,
    updated_at BIGINT NOT NULL
);

-- +goose Down
DROP TABLE exp_weights;
DROP TABLE exp_engagements;
DROP TABLE exp_invitations;
DROP TABLE exp_needs;
DROP TABLE exp_nominations;
DROP TABLE exp_profiles;
DROP TABLE exp_taxonomy;
DROP TABLE exp_fields;
