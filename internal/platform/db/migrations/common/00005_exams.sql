-- +goose Up
-- Blueprints say how a test form is drawn; sessions schedule an exam;
-- attempts are one candidate's sitting, with every answer change kept as an
-- append-only step.
CREATE TABLE blueprints (
    id               TEXT PRIMARY KEY,
    name             TEXT NOT NULL,
    unit_id          TEXT NOT NULL REFERENCES units(id),
    unit_path        TEXT NOT NULL,
    standard_code    TEXT NOT NULL,
    standard_version INTEGER NOT NULL,
    time_limit_s     INTEGER NOT NULL,
    pass_percent     DOUBLE PRECISION NOT NULL,
    area_min         TEXT NOT NULL DEFAULT '{}',
    rules            TEXT NOT NULL,
    shuffle_items    INTEGER NOT NULL DEFAULT 1,
    shuffle_options  INTEGER NOT NULL DEFAULT 1,
    navigation       TEXT NOT NULL DEFAULT 'free',
    created_by       TEXT NOT NULL DEFAULT '',
    created_at       BIGINT NOT NULL,
    updated_at       BIGINT NOT NULL
);

CREATE TABLE exam_sessions (
    id               TEXT PRIMARY KEY,
    blueprint_id     TEXT NOT NULL REFERENCES blueprints(id),
    name             TEXT NOT NULL,
    unit_id          TEXT NOT NULL REFERENCES units(id),
    unit_path        TEXT NOT NULL,
    opens_at         BIGINT NOT NULL,
    closes_at        BIGINT NOT NULL,
    time_limit_s     INTEGER NOT NULL,
    access_code      TEXT NOT NULL DEFAULT '',
    eligibility      TEXT NOT NULL,
    eligible_groups  TEXT NOT NULL DEFAULT '',
    waves            INTEGER NOT NULL DEFAULT 1,
    wave_interval_s  INTEGER NOT NULL DEFAULT 0,
    review_policy    TEXT NOT NULL DEFAULT 'score',
    grace_s          INTEGER NOT NULL DEFAULT 15,
    created_by       TEXT NOT NULL DEFAULT '',
    created_at       BIGINT NOT NULL
);
CREATE INDEX exam_sessions_window ON exam_sessions (closes_at, opens_at);

CREATE TABLE session_candidates (
    session_id  TEXT NOT NULL REFERENCES exam_sessions(id),
    account_id  TEXT NOT NULL REFERENCES accounts(id),
    PRIMARY KEY (session_id, account_id)
);

CREATE TABLE attempts (
    id           TEXT PRIMARY KEY,
    session_id   TEXT NOT NULL REFERENCES exam_sessions(id),
    account_id   TEXT NOT NULL REFERENCES accounts(id),
    display_name TEXT NOT NULL DEFAULT '',
    status       TEXT NOT NULL,
    form         TEXT NOT NULL,
    cursor_pos   INTEGER NOT NULL DEFAULT 0,
    started_at   BIGINT NOT NULL,
    deadline     BIGINT NOT NULL,
    extra_s      INTEGER NOT NULL DEFAULT 0,
    finished_at  BIGINT NOT NULL DEFAULT 0,
    score        DOUBLE PRECISION NOT NULL DEFAULT 0,
    max_score    DOUBLE PRECISION NOT NULL DEFAULT 0,
    passed       INTEGER NOT NULL DEFAULT 0,
    breakdown    TEXT NOT NULL DEFAULT '',
    void_reason  TEXT NOT NULL DEFAULT ''
);
CREATE UNIQUE INDEX attempts_candidate ON attempts (session_id, account_id);
CREATE INDEX attempts_open ON attempts (status, deadline);

CREATE TABLE attempt_steps (
    attempt_id  TEXT NOT NULL REFERENCES attempts(id),
    seq         BIGINT NOT NULL,
    idx         INTEGER NOT NULL,
    response    TEXT NOT NULL,
    PRIMARY KEY (attempt_id, seq)
);

CREATE TABLE exam_events (
    id          TEXT PRIMARY KEY,
    session_id  TEXT NOT NULL REFERENCES exam_sessions(id),
    attempt_id  TEXT NOT NULL DEFAULT '',
    actor_id    TEXT NOT NULL DEFAULT '',
    actor_name  TEXT NOT NULL DEFAULT '',
    kind        TEXT NOT NULL,
    detail      TEXT NOT NULL DEFAULT '',
    at          BIGINT NOT NULL
);
CREATE INDEX exam_events_session ON exam_events (session_id, at);

-- +goose Down
DROP TABLE exam_events;
DROP TABLE attempt_steps;
DROP TABLE attempts;
DROP TABLE session_candidates;
DROP TABLE exam_sessions;
DROP TABLE blueprints;
