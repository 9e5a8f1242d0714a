-- +goose Up
-- Sessions another room owns (a contest's rounds) are entered through
-- that room's pages, not listed among a candidate's exams.
ALTER TABLE exam_sessions ADD COLUMN owner TEXT NOT NULL DEFAULT '';

CREATE TABLE cmp_campaigns (
    id          TEXT PRIMARY KEY,
    slug        TEXT NOT NULL UNIQUE,
    name_vi     TEXT NOT NULL,
    name_en     TEXT NOT NULL DEFAULT '',
    goal_vi     TEXT NOT NULL DEFAULT '',
    goal_en     TEXT NOT NULL DEFAULT '',
    unit_id     TEXT NOT NULL REFERENCES units(id),
    unit_path   TEXT NOT NULL,
    starts_on   TEXT NOT NULL,
    ends_on     TEXT NOT NULL,
    target_path TEXT NOT NULL,
    groups      TEXT NOT NULL DEFAULT '',
    courses     TEXT NOT NULL DEFAULT '',
    documents   TEXT NOT NULL DEFAULT '',
    published   INTEGER NOT NULL DEFAULT 0,
    visits      BIGINT NOT NULL DEFAULT 0,
    created_by  TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL
);
CREATE INDEX cmp_campaigns_unit ON cmp_campaigns (unit_path);

CREATE TABLE cmp_events (
    id          TEXT PRIMARY KEY,
    campaign_id TEXT NOT NULL REFERENCES cmp_campaigns(id),
    kind        TEXT NOT NULL,
    title       TEXT NOT NULL,
    starts_at   BIGINT NOT NULL,
    place       TEXT NOT NULL DEFAULT '',
    link        TEXT NOT NULL DEFAULT '',
    capacity    INTEGER NOT NULL DEFAULT 0,
    attended    INTEGER NOT NULL DEFAULT 0,
    created_at  BIGINT NOT NULL
);
CREATE INDEX cmp_events_campaign ON cmp_events (campaign_id, starts_at);

CREATE TABLE cmp_registrations (
    event_id    TEXT NOT NULL REFERENCES cmp_events(id),
    account_id  TEXT NOT NULL REFERENCES accounts(id),
    created_at  BIGINT NOT NULL,
    PRIMARY KEY (event_id, account_id)
);

CREATE TABLE cmp_contests (
    id            TEXT PRIMARY KEY,
    campaign_id   TEXT NOT NULL REFERENCES cmp_campaigns(id),
    name          TEXT NOT NULL,
    rules         TEXT NOT NULL DEFAULT '',
    blueprint_id  TEXT NOT NULL,
    eligibility   TEXT NOT NULL,
    groups        TEXT NOT NULL DEFAULT '',
    tries         INTEGER NOT NULL DEFAULT 1,
    time_limit_min INTEGER NOT NULL,
    prediction    TEXT NOT NULL DEFAULT '',
    created_at    BIGINT NOT NULL
);
CREATE INDEX cmp_contests_campaign ON cmp_contests (campaign_id);

CREATE TABLE cmp_rounds (
    id          TEXT PRIMARY KEY,
    contest_id  TEXT NOT NULL REFERENCES cmp_contests(id),
    num         INTEGER NOT NULL,
    opens_at    BIGINT NOT NULL,
    closes_at   BIGINT NOT NULL,
    published_at BIGINT NOT NULL DEFAULT 0,
    full_marks  INTEGER NOT NULL DEFAULT -1,
    UNIQUE (contest_id, num)
);

-- One exam session per try of a round: the exam engine allows one
-- attempt per session and account.
CREATE TABLE cmp_round_sessions (
    session_id  TEXT PRIMARY KEY,
    round_id    TEXT NOT NULL REFERENCES cmp_rounds(id),
    try         INTEGER NOT NULL,
    UNIQUE (round_id, try)
);

CREATE TABLE cmp_entrants (
    round_id    TEXT NOT NULL REFERENCES cmp_rounds(id),
    account_id  TEXT NOT NULL REFERENCES accounts(id),
    prediction  BIGINT NOT NULL DEFAULT -1,
    consent     INTEGER NOT NULL DEFAULT 0,
    created_at  BIGINT NOT NULL,
    PRIMARY KEY (round_id, account_id)
);

-- An entrant's best finished try of a round, kept by the consumer of the
-- exam engine's events: what leaderboards read.
CREATE TABLE cmp_entries (
    round_id     TEXT NOT NULL REFERENCES cmp_rounds(id),
    account_id   TEXT NOT NULL,
    attempt_id   TEXT NOT NULL,
    display_name TEXT NOT NULL DEFAULT '',
    unit_id      TEXT NOT NULL DEFAULT '',
    unit_path    TEXT NOT NULL DEFAULT '',
    score        DOUBLE PRECISION NOT NULL,
    max_score    DOUBLE PRECISION NOT NULL,
    time_ms      BIGINT NOT NULL,
    finished_at  BIGINT NOT NULL,
    digest       TEXT NOT NULL DEFAULT '',
    flag         TEXT NOT NULL DEFAULT '',
    decision     TEXT NOT NULL DEFAULT '',
    prize        TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (round_id, account_id)
);
-- Boards read a round in score order (the few disqualified skipped as
-- they come) and count a unit's entrants by its path.
CREATE INDEX cmp_entries_board ON cmp_entries (round_id, score DESC, time_ms, account_id);
CREATE INDEX cmp_entries_unit ON cmp_entries (round_id, unit_path);
CREATE INDEX cmp_entries_decided ON cmp_entries (round_id, decision, unit_path);
CREATE INDEX cmp_entries_digest ON cmp_entries (round_id, digest);

-- Messages to target groups, their recipients and what became of each.
CREATE TABLE cmp_messages (
    id           TEXT PRIMARY KEY,
    campaign_id  TEXT NOT NULL DEFAULT '',
    unit_id      TEXT NOT NULL REFERENCES units(id),
    unit_path    TEXT NOT NULL,
    topic        TEXT NOT NULL,
    subject_vi   TEXT NOT NULL,
    subject_en   TEXT NOT NULL DEFAULT '',
    body_vi      TEXT NOT NULL,
    body_en      TEXT NOT NULL DEFAULT '',
    target_path  TEXT NOT NULL,
    groups       TEXT NOT NULL DEFAULT '',
    behaviour    TEXT NOT NULL DEFAULT '',
    behaviour_ref TEXT NOT NULL DEFAULT '',
    channels     TEXT NOT NULL,
    send_at      BIGINT NOT NULL,
    status       TEXT NOT NULL,
    lease_until  BIGINT NOT NULL DEFAULT 0,
    expanded     INTEGER NOT NULL DEFAULT 0,
    recipients   INTEGER NOT NULL DEFAULT 0,
    created_by   TEXT NOT NULL,
    created_at   BIGINT NOT NULL,
    finished_at  BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX cmp_messages_due ON cmp_messages (status, send_at);
CREATE INDEX cmp_messages_unit ON cmp_messages (unit_path);

-- Recipients are person records of the tree; a notice shows to every
-- account linked to the person.
CREATE TABLE cmp_deliveries (
    message_id  TEXT NOT NULL REFERENCES cmp_messages(id),
    person_id   TEXT NOT NULL,
    channel     TEXT NOT NULL,
    status      TEXT NOT NULL,
    error       TEXT NOT NULL DEFAULT '',
    at          BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (message_id, person_id, channel)
);
CREATE INDEX cmp_deliveries_pending ON cmp_deliveries (message_id, channel, status, person_id);
CREATE INDEX cmp_deliveries_person ON cmp_deliveries (person_id, channel, at);

CREATE TABLE cmp_unsubscribes (
    person_id   TEXT NOT NULL,
    topic       TEXT NOT NULL,
    at          BIGINT NOT NULL,
    PRIMARY KEY (person_id, topic)
);

-- The key that signs one-click unsubscribe links, made on first use.
CREATE TABLE cmp_keys (
    name   TEXT PRIMARY KEY,
    value  TEXT NOT NULL
);

-- +goose Down
DROP TABLE cmp_keys;
DROP TABLE cmp_unsubscribes;
DROP TABLE cmp_deliveries;
DROP TABLE cmp_messages;
DROP TABLE cmp_entries;
DROP TABLE cmp_entrants;
DROP TABLE cmp_round_sessions;
DROP TABLE cmp_rounds;
DROP TABLE cmp_contests;
DROP TABLE cmp_registrations;
DROP TABLE cmp_events;
DROP TABLE cmp_campaigns;
ALTER TABLE exam_sessions DROP COLUMN owner;
