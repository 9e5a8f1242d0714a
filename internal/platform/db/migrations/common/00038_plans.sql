-- +goose Up
-- Implementation plans (internal/network): a unit's plan implementing a
-- decision, its tasks with a lead unit each, and the progress the lead
-- units report. A task's latest report is kept on the task (status,
-- percent, reported_at) so that overviews read tasks alone. A task
-- cascaded to units below has child tasks (parent_id) in the same plan.
CREATE TABLE net_plans (
    id           TEXT PRIMARY KEY,
    unit_id      TEXT NOT NULL,
    unit_path    TEXT NOT NULL,
    title        TEXT NOT NULL,
    number       TEXT NOT NULL DEFAULT '',
    decision_ref TEXT NOT NULL DEFAULT '',
    signed_on    TEXT NOT NULL DEFAULT '',
    summary      TEXT NOT NULL DEFAULT '',
    created_by   TEXT NOT NULL,
    created_at   BIGINT NOT NULL,
    updated_at   BIGINT NOT NULL
);
CREATE INDEX net_plans_path ON net_plans (unit_path);

CREATE TABLE net_tasks (
    id             TEXT PRIMARY KEY,
    plan_id        TEXT NOT NULL,
    parent_id      TEXT NOT NULL DEFAULT '',
    seq            INTEGER NOT NULL,
    title          TEXT NOT NULL,
    description    TEXT NOT NULL DEFAULT '',
    lead_unit_id   TEXT NOT NULL,
    lead_unit_path TEXT NOT NULL,
    coordinating   TEXT NOT NULL DEFAULT '[]',
    start_on       TEXT NOT NULL DEFAULT '',
    due_on         TEXT NOT NULL,
    output         TEXT NOT NULL DEFAULT '',
    indicator      TEXT NOT NULL DEFAULT '',
    budget         TEXT NOT NULL DEFAULT '',
    status         TEXT NOT NULL DEFAULT 'not_started',
    percent        INTEGER NOT NULL DEFAULT 0,
    reported_at    BIGINT NOT NULL DEFAULT 0,
    reminded_at    BIGINT NOT NULL DEFAULT 0,
    created_at     BIGINT NOT NULL
);
CREATE INDEX net_tasks_plan ON net_tasks (plan_id, seq);
CREATE INDEX net_tasks_lead ON net_tasks (lead_unit_path);

CREATE TABLE net_task_reports (
    id          TEXT PRIMARY KEY,
    task_id     TEXT NOT NULL,
    period      TEXT NOT NULL,
    status      TEXT NOT NULL,
    percent     INTEGER NOT NULL,
    note        TEXT NOT NULL DEFAULT '',
    files       TEXT NOT NULL DEFAULT '[]',
    reported_by TEXT NOT NULL,
    reporter    TEXT NOT NULL DEFAULT '',
    reported_at BIGINT NOT NULL
);
CREATE INDEX net_task_reports_task ON net_task_reports (task_id, reported_at);

-- +goose Down
DROP TABLE net_task_reports;
DROP TABLE net_tasks;
DROP TABLE net_plans;
