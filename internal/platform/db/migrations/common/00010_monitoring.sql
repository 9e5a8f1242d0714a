-- +goose Up
-- Targets and monitoring (chỉ tiêu, báo cáo định kỳ). Indicators are
-- formulas over data elements evaluated when read; values are kept by
-- source: reported by units (mon_values) or computed from dxhub's own
-- records (mon_computed, rebuilt by recompute).

CREATE TABLE mon_elements (
    id          TEXT PRIMARY KEY,
    code        TEXT NOT NULL,
    name_vi     TEXT NOT NULL,
    name_en     TEXT NOT NULL DEFAULT '',
    aggregation TEXT NOT NULL,
    value_type  TEXT NOT NULL,
    categories  TEXT NOT NULL DEFAULT '',
    source      TEXT NOT NULL DEFAULT 'reported',
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL
);
CREATE UNIQUE INDEX mon_elements_code ON mon_elements (code);

CREATE TABLE mon_indicators (
    id            TEXT PRIMARY KEY,
    code          TEXT NOT NULL,
    name_vi       TEXT NOT NULL,
    name_en       TEXT NOT NULL DEFAULT '',
    measure       TEXT NOT NULL,
    numerator     TEXT NOT NULL DEFAULT '',
    denominator   TEXT NOT NULL DEFAULT '',
    factor        DOUBLE PRECISION NOT NULL DEFAULT 1,
    seq           INTEGER NOT NULL DEFAULT 0,
    public        INTEGER NOT NULL DEFAULT 0,
    updated_by    TEXT NOT NULL DEFAULT '',
    created_at    BIGINT NOT NULL,
    updated_at    BIGINT NOT NULL
);
CREATE UNIQUE INDEX mon_indicators_code ON mon_indicators (code);

-- kind is 'target' or 'baseline'. A target on a unit later merged stays on
-- that (dissolved) unit, which hangs under its successor.
CREATE TABLE mon_targets (
    indicator_id TEXT NOT NULL REFERENCES mon_indicators(id),
    unit_id      TEXT NOT NULL REFERENCES units(id),
    year         INTEGER NOT NULL,
    kind         TEXT NOT NULL,
    value        DOUBLE PRECISION NOT NULL,
    source       TEXT NOT NULL DEFAULT '',
    created_by   TEXT NOT NULL DEFAULT '',
    created_at   BIGINT NOT NULL,
    PRIMARY KEY (indicator_id, unit_id, year, kind)
);

CREATE TABLE mon_datasets (
    id          TEXT PRIMARY KEY,
    code        TEXT NOT NULL,
    name_vi     TEXT NOT NULL,
    name_en     TEXT NOT NULL DEFAULT '',
    period_type TEXT NOT NULL,
    unit_types  TEXT NOT NULL,
    scope_id    TEXT NOT NULL REFERENCES units(id),
    scope_path  TEXT NOT NULL,
    due_days    INTEGER NOT NULL,
    close_days  INTEGER NOT NULL DEFAULT 0,
    elements    TEXT NOT NULL,
    created_at  BIGINT NOT NULL
);
CREATE UNIQUE INDEX mon_datasets_code ON mon_datasets (code);

CREATE TABLE mon_rules (
    dataset_id  TEXT NOT NULL REFERENCES mon_datasets(id),
    seq         INTEGER NOT NULL,
    left_expr   TEXT NOT NULL,
    op          TEXT NOT NULL,
    right_expr  TEXT NOT NULL,
    message_vi  TEXT NOT NULL,
    message_en  TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (dataset_id, seq)
);

-- One report per data set, unit and period; status draft, submitted,
-- returned or approved.
CREATE TABLE mon_reports (
    id             TEXT PRIMARY KEY,
    dataset_id     TEXT NOT NULL REFERENCES mon_datasets(id),
    unit_id        TEXT NOT NULL REFERENCES units(id),
    unit_path      TEXT NOT NULL,
    period         TEXT NOT NULL,
    year           INTEGER NOT NULL,
    due            TEXT NOT NULL,
    status         TEXT NOT NULL,
    comment        TEXT NOT NULL DEFAULT '',
    submitted_at   BIGINT NOT NULL DEFAULT 0,
    submitted_by   TEXT NOT NULL DEFAULT '',
    reviewed_at    BIGINT NOT NULL DEFAULT 0,
    reviewed_by    TEXT NOT NULL DEFAULT '',
    review_comment TEXT NOT NULL DEFAULT '',
    created_at     BIGINT NOT NULL,
    updated_at     BIGINT NOT NULL
);
CREATE UNIQUE INDEX mon_reports_key ON mon_reports (dataset_id, unit_id, period);
CREATE INDEX mon_reports_path ON mon_reports (unit_path);
CREATE INDEX mon_reports_year ON mon_reports (year, status);

CREATE TABLE mon_values (
    report_id  TEXT NOT NULL REFERENCES mon_reports(id),
    element_id TEXT NOT NULL REFERENCES mon_elements(id),
    category   TEXT NOT NULL DEFAULT '',
    value      DOUBLE PRECISION NOT NULL,
    PRIMARY KEY (report_id, element_id, category)
);

CREATE TABLE mon_report_files (
    report_id  TEXT NOT NULL REFERENCES mon_reports(id),
    file_id    TEXT NOT NULL,
    name       TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (report_id, file_id)
);

CREATE TABLE mon_report_log (
    id         TEXT PRIMARY KEY,
    report_id  TEXT NOT NULL REFERENCES mon_reports(id),
    action     TEXT NOT NULL,
    actor_id   TEXT NOT NULL DEFAULT '',
    actor_name TEXT NOT NULL DEFAULT '',
    comment    TEXT NOT NULL DEFAULT '',
    at         BIGINT NOT NULL
);
CREATE INDEX mon_report_log_report ON mon_report_log (report_id, at);

-- Reminders sent, so each is sent once.
CREATE TABLE mon_reminders (
    rkey    TEXT NOT NULL,
    kind    TEXT NOT NULL,
    sent_at BIGINT NOT NULL,
    PRIMARY KEY (rkey, kind)
);

-- Computed values per unit where the records sit, year and category
-- (''= all); rolled up when read.
CREATE TABLE mon_computed (
    element_id TEXT NOT NULL,
    unit_id    TEXT NOT NULL,
    year       INTEGER NOT NULL,
    category   TEXT NOT NULL DEFAULT '',
    value      DOUBLE PRECISION NOT NULL,
    PRIMARY KEY (year, element_id, unit_id, category)
);

CREATE TABLE mon_state (
    k TEXT PRIMARY KEY,
    v BIGINT NOT NULL
);

-- Composite indices (e.g. the DX index): pillars → indices → components;
-- leaves point at an indicator.
CREATE TABLE mon_index_nodes (
    id           TEXT PRIMARY KEY,
    index_code   TEXT NOT NULL,
    parent_id    TEXT NOT NULL DEFAULT '',
    seq          INTEGER NOT NULL,
    code         TEXT NOT NULL,
    name_vi      TEXT NOT NULL,
    name_en      TEXT NOT NULL DEFAULT '',
    points       DOUBLE PRECISION NOT NULL,
    indicator_id TEXT NOT NULL DEFAULT ''
);
CREATE INDEX mon_index_nodes_index ON mon_index_nodes (index_code, seq);

-- Reading other domains' records by time for computed values.
CREATE INDEX enrolments_completed ON enrolments (completed_at, account_id);
CREATE INDEX enrolments_account_done ON enrolments (account_id, completed_at);
CREATE INDEX attempts_finished ON attempts (finished_at, account_id);
CREATE INDEX attempts_account_done ON attempts (account_id, finished_at);
CREATE INDEX accounts_person ON accounts (person_id);

-- +goose Down
DROP INDEX accounts_person;
DROP INDEX attempts_account_done;
DROP INDEX attempts_finished;
DROP INDEX enrolments_account_done;
DROP INDEX enrolments_completed;
DROP TABLE mon_index_nodes;
DROP TABLE mon_state;
DROP TABLE mon_computed;
DROP TABLE mon_reminders;
DROP TABLE mon_report_log;
DROP TABLE mon_report_files;
DROP TABLE mon_values;
DROP TABLE mon_reports;
DROP TABLE mon_rules;
DROP TABLE mon_datasets;
DROP TABLE mon_targets;
DROP TABLE mon_indicators;
DROP TABLE mon_elements;
