-- +goose Up
-- Digital Skills Standard (Chuẩn kỹ năng số): versioned frameworks of
-- areas and competences. A published version never changes; edits go into
-- a new draft version.
CREATE TABLE skill_standards (
    id              TEXT PRIMARY KEY,
    code            TEXT NOT NULL,
    version         INTEGER NOT NULL,
    kind            TEXT NOT NULL,
    name_vi         TEXT NOT NULL,
    name_en         TEXT NOT NULL DEFAULT '',
    description_vi  TEXT NOT NULL DEFAULT '',
    description_en  TEXT NOT NULL DEFAULT '',
    status          TEXT NOT NULL,
    advanced_choose INTEGER NOT NULL DEFAULT 0,
    based_on        TEXT NOT NULL DEFAULT '',
    created_by      TEXT NOT NULL DEFAULT '',
    created_at      BIGINT NOT NULL,
    published_at    BIGINT NOT NULL DEFAULT 0
);
CREATE UNIQUE INDEX skill_standards_version ON skill_standards (code, version);

CREATE TABLE skill_areas (
    id              TEXT PRIMARY KEY,
    standard_id     TEXT NOT NULL REFERENCES skill_standards(id),
    code            TEXT NOT NULL,
    seq             INTEGER NOT NULL,
    name_vi         TEXT NOT NULL,
    name_en         TEXT NOT NULL DEFAULT '',
    description_vi  TEXT NOT NULL DEFAULT '',
    description_en  TEXT NOT NULL DEFAULT ''
);
CREATE UNIQUE INDEX skill_areas_code ON skill_areas (standard_id, code);

CREATE TABLE skill_competences (
    id              TEXT PRIMARY KEY,
    standard_id     TEXT NOT NULL REFERENCES skill_standards(id),
    area_id         TEXT NOT NULL REFERENCES skill_areas(id),
    code            TEXT NOT NULL,
    seq             INTEGER NOT NULL,
    name_vi         TEXT NOT NULL,
    name_en         TEXT NOT NULL DEFAULT '',
    description_vi  TEXT NOT NULL DEFAULT '',
    description_en  TEXT NOT NULL DEFAULT '',
    tiers_vi        TEXT NOT NULL DEFAULT '',
    tiers_en        TEXT NOT NULL DEFAULT '',
    required        INTEGER NOT NULL DEFAULT 0
);
CREATE UNIQUE INDEX skill_competences_code ON skill_competences (standard_id, code);

-- +goose Down
DROP TABLE skill_competences;
DROP TABLE skill_areas;
DROP TABLE skill_standards;
