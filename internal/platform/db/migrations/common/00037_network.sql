-- +goose Up
-- The DX network (internal/network): villages and residential groups kept
-- by their commune, steering committees and community digital technology
-- teams attached to a unit, their members (people of the tree), and the
-- help members log. net_months and net_unit_stats are roll-ups kept in
-- the same transactions as the rows they count, so that coverage pages
-- read a few hundred rows instead of millions.
CREATE TABLE net_villages (
    id          TEXT PRIMARY KEY,
    unit_id     TEXT NOT NULL,
    unit_path   TEXT NOT NULL,
    name        TEXT NOT NULL,
    kind        TEXT NOT NULL,
    created_at  BIGINT NOT NULL
);
CREATE UNIQUE INDEX net_villages_name ON net_villages (unit_id, name);

CREATE TABLE net_teams (
    id           TEXT PRIMARY KEY,
    kind         TEXT NOT NULL,
    unit_id      TEXT NOT NULL,
    unit_path    TEXT NOT NULL,
    name         TEXT NOT NULL,
    founded_on   TEXT NOT NULL DEFAULT '',
    dissolved_on TEXT NOT NULL DEFAULT '',
    created_at   BIGINT NOT NULL,
    updated_at   BIGINT NOT NULL
);
CREATE INDEX net_teams_unit ON net_teams (unit_id);
CREATE INDEX net_teams_path ON net_teams (unit_path);

CREATE TABLE net_team_villages (
    team_id    TEXT NOT NULL,
    village_id TEXT NOT NULL,
    PRIMARY KEY (team_id, village_id)
);
CREATE INDEX net_team_villages_village ON net_team_villages (village_id);

CREATE TABLE net_members (
    id         TEXT PRIMARY KEY,
    team_id    TEXT NOT NULL,
    person_id  TEXT NOT NULL,
    role       TEXT NOT NULL,
    joined_on  TEXT NOT NULL,
    left_on    TEXT NOT NULL DEFAULT '',
    phone      TEXT NOT NULL DEFAULT '',
    skills     TEXT NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL
);
CREATE INDEX net_members_team ON net_members (team_id);
CREATE INDEX net_members_person ON net_members (person_id);

-- client_key makes a resent form or API call a no-op: unique per account
-- that logged it.
CREATE TABLE net_activities (
    id         TEXT PRIMARY KEY,
    team_id    TEXT NOT NULL,
    unit_path  TEXT NOT NULL,
    village_id TEXT NOT NULL DEFAULT '',
    done_on    TEXT NOT NULL,
    kind       TEXT NOT NULL,
    service    TEXT NOT NULL DEFAULT '',
    people     INTEGER NOT NULL,
    note       TEXT NOT NULL DEFAULT '',
    photo_id   TEXT NOT NULL DEFAULT '',
    campaign   TEXT NOT NULL DEFAULT '',
    member_id  TEXT NOT NULL DEFAULT '',
    logged_by  TEXT NOT NULL,
    client_key TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX net_activities_client ON net_activities (logged_by, client_key);
CREATE INDEX net_activities_team ON net_activities (team_id, done_on);

-- Activities and people helped per unit (the team's and each of its
-- ancestors) and month (YYYY-MM).
CREATE TABLE net_months (
    unit_id    TEXT NOT NULL,
    month      TEXT NOT NULL,
    activities BIGINT NOT NULL,
    people     BIGINT NOT NULL,
    PRIMARY KEY (unit_id, month)
);

-- The network's stock in each unit that has any (teams, villages or a
-- population), recounted for that unit whenever one of them changes.
CREATE TABLE net_unit_stats (
    unit_id          TEXT PRIMARY KEY,
    unit_path        TEXT NOT NULL,
    committees       INTEGER NOT NULL,
    teams            INTEGER NOT NULL,
    members          INTEGER NOT NULL,
    villages         INTEGER NOT NULL,
    villages_covered INTEGER NOT NULL,
    population       BIGINT NOT NULL
);
CREATE INDEX net_unit_stats_path ON net_unit_stats (unit_path);

CREATE TABLE net_population (
    unit_id    TEXT PRIMARY KEY,
    population BIGINT NOT NULL,
    as_of      TEXT NOT NULL
);

-- +goose Down
DROP TABLE net_population;
DROP TABLE net_unit_stats;
DROP TABLE net_months;
DROP TABLE net_activities;
DROP TABLE net_members;
DROP TABLE net_team_villages;
DROP TABLE net_teams;
DROP TABLE net_villages;
