-- +goose Up
-- Open online learning: courses (module → lesson), published versions that
-- enrolments pin, progress per lesson, learning paths, assignments to a
-- subtree and groups, and the target profiles recommendations compare with.
CREATE TABLE courses (
    id            TEXT PRIMARY KEY,
    code          TEXT NOT NULL UNIQUE,
    unit_id       TEXT NOT NULL REFERENCES units(id),
    unit_path     TEXT NOT NULL,
    title         TEXT NOT NULL,
    title_fold    TEXT NOT NULL,
    summary       TEXT NOT NULL DEFAULT '',
    summary_fold  TEXT NOT NULL DEFAULT '',
    outcomes      TEXT NOT NULL DEFAULT '',
    audiences     TEXT NOT NULL DEFAULT '',
    level         TEXT NOT NULL DEFAULT 'basic',
    competences   TEXT NOT NULL DEFAULT '',
    areas         TEXT NOT NULL DEFAULT '',
    duration_min  INTEGER NOT NULL DEFAULT 0,
    language      TEXT NOT NULL DEFAULT 'vi',
    licence       TEXT NOT NULL DEFAULT '',
    open_enrol    INTEGER NOT NULL DEFAULT 1,
    pass_percent  DOUBLE PRECISION NOT NULL DEFAULT 70,
    final_session TEXT NOT NULL DEFAULT '',
    status        TEXT NOT NULL DEFAULT 'draft',
    version       INTEGER NOT NULL DEFAULT 0,
    draft_changed INTEGER NOT NULL DEFAULT 1,
    enrolled      INTEGER NOT NULL DEFAULT 0,
    created_by    TEXT NOT NULL DEFAULT '',
    created_at    BIGINT NOT NULL,
    updated_at    BIGINT NOT NULL
);
CREATE INDEX courses_unit ON courses (unit_path);

CREATE TABLE course_modules (
    id        TEXT PRIMARY KEY,
    course_id TEXT NOT NULL REFERENCES courses(id),
    position  INTEGER NOT NULL,
    title     TEXT NOT NULL
);
CREATE INDEX course_modules_course ON course_modules (course_id, position);

-- kind: text, video, file, quiz, xapi. A quiz lesson lists item ids; the
-- final quiz decides completion with the course's pass mark.
CREATE TABLE lessons (
    id           TEXT PRIMARY KEY,
    module_id    TEXT NOT NULL REFERENCES course_modules(id),
    course_id    TEXT NOT NULL REFERENCES courses(id),
    position     INTEGER NOT NULL,
    kind         TEXT NOT NULL,
    title        TEXT NOT NULL,
    body         TEXT NOT NULL DEFAULT '',
    url          TEXT NOT NULL DEFAULT '',
    file_key     TEXT NOT NULL DEFAULT '',
    items        TEXT NOT NULL DEFAULT '',
    required     INTEGER NOT NULL DEFAULT 1,
    final        INTEGER NOT NULL DEFAULT 0,
    duration_min INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX lessons_course ON lessons (course_id, position);

-- The outline as published: enrolments keep the version they started.
CREATE TABLE course_versions (
    course_id    TEXT NOT NULL REFERENCES courses(id),
    version      INTEGER NOT NULL,
    outline      TEXT NOT NULL,
    published_by TEXT NOT NULL DEFAULT '',
    published_at BIGINT NOT NULL,
    PRIMARY KEY (course_id, version)
);

CREATE TABLE enrolments (
    id            TEXT PRIMARY KEY,
    course_id     TEXT NOT NULL REFERENCES courses(id),
    account_id    TEXT NOT NULL REFERENCES accounts(id),
    unit_path     TEXT NOT NULL,
    version       INTEGER NOT NULL,
    registration  TEXT NOT NULL,
    status        TEXT NOT NULL DEFAULT 'active',
    progress      INTEGER NOT NULL DEFAULT 0,
    last_lesson   TEXT NOT NULL DEFAULT '',
    final_percent DOUBLE PRECISION NOT NULL DEFAULT -1,
    enrolled_at   BIGINT NOT NULL,
    updated_at    BIGINT NOT NULL,
    completed_at  BIGINT NOT NULL DEFAULT 0
);
CREATE UNIQUE INDEX enrolments_learner ON enrolments (account_id, course_id);
CREATE INDEX enrolments_course ON enrolments (course_id, status);

CREATE TABLE lesson_progress (
    enrolment_id TEXT NOT NULL REFERENCES enrolments(id),
    lesson_id    TEXT NOT NULL,
    done_at      BIGINT NOT NULL,
    percent      DOUBLE PRECISION NOT NULL DEFAULT -1,
    PRIMARY KEY (enrolment_id, lesson_id)
);

CREATE TABLE learning_paths (
    id         TEXT PRIMARY KEY,
    code       TEXT NOT NULL UNIQUE,
    unit_id    TEXT NOT NULL REFERENCES units(id),
    unit_path  TEXT NOT NULL,
    title      TEXT NOT NULL,
    summary    TEXT NOT NULL DEFAULT '',
    courses    TEXT NOT NULL,
    created_at BIGINT NOT NULL
);

-- kind: course or path. groups empty: everyone in the subtree.
CREATE TABLE assignments (
    id               TEXT PRIMARY KEY,
    unit_id          TEXT NOT NULL REFERENCES units(id),
    unit_path        TEXT NOT NULL,
    kind             TEXT NOT NULL,
    target_id        TEXT NOT NULL,
    groups           TEXT NOT NULL DEFAULT '',
    due_at           BIGINT NOT NULL,
    created_by       TEXT NOT NULL DEFAULT '',
    created_at       BIGINT NOT NULL,
    reminded_before  BIGINT NOT NULL DEFAULT 0,
    reminded_overdue BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX assignments_unit ON assignments (unit_path);

-- What a group of people should reach in each competence (percent).
CREATE TABLE target_profiles (
    group_code  TEXT NOT NULL,
    competence  TEXT NOT NULL,
    percent     DOUBLE PRECISION NOT NULL,
    PRIMARY KEY (group_code, competence)
);

-- Launch credentials for external xAPI lessons expire.
ALTER TABLE lrs_clients ADD COLUMN expires_at BIGINT NOT NULL DEFAULT 0;

-- +goose Down
ALTER TABLE lrs_clients DROP COLUMN expires_at;
DROP TABLE target_profiles;
DROP TABLE assignments;
DROP TABLE learning_paths;
DROP TABLE lesson_progress;
DROP TABLE enrolments;
DROP TABLE course_versions;
DROP TABLE lessons;
DROP TABLE course_modules;
DROP TABLE courses;
