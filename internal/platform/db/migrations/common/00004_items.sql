-- +goose Up
-- Item bank (ngân hàng câu hỏi). An item's content lives in numbered
-- versions; an attempt keeps the exact version it showed.
CREATE TABLE items (
    id              TEXT PRIMARY KEY,
    unit_id         TEXT NOT NULL REFERENCES units(id),
    unit_path       TEXT NOT NULL,
    standard_code   TEXT NOT NULL,
    standard_version INTEGER NOT NULL,
    competence      TEXT NOT NULL,
    area            TEXT NOT NULL,
    level           INTEGER NOT NULL,
    type            TEXT NOT NULL,
    status          TEXT NOT NULL,
    version         INTEGER NOT NULL,
    stem_fold       TEXT NOT NULL DEFAULT '',
    author_id       TEXT NOT NULL,
    author_name     TEXT NOT NULL DEFAULT '',
    reviewer_id     TEXT NOT NULL DEFAULT '',
    reviewer_name   TEXT NOT NULL DEFAULT '',
    review_note     TEXT NOT NULL DEFAULT '',
    usage_count     BIGINT NOT NULL DEFAULT 0,
    created_at      BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL
);
CREATE INDEX items_competence ON items (standard_code, standard_version, competence, level, status);
CREATE INDEX items_status ON items (status, updated_at);

CREATE TABLE item_versions (
    item_id     TEXT NOT NULL REFERENCES items(id),
    version     INTEGER NOT NULL,
    body        TEXT NOT NULL,
    created_by  TEXT NOT NULL DEFAULT '',
    created_at  BIGINT NOT NULL,
    PRIMARY KEY (item_id, version)
);

-- +goose Down
DROP TABLE item_versions;
DROP TABLE items;
