-- +goose Up
-- Learning and exam records keep where their person sat when the record was
-- made (unit and groups; empty for accounts without a person record), so
-- that monitoring counts people per unit by reading one index instead of
-- joining accounts and people for millions of records. A record counts in
-- the unit the person belonged to at the time, as a report does.
ALTER TABLE enrolments ADD COLUMN person_unit TEXT NOT NULL DEFAULT '';
ALTER TABLE enrolments ADD COLUMN person_groups TEXT NOT NULL DEFAULT '';
ALTER TABLE attempts ADD COLUMN person_unit TEXT NOT NULL DEFAULT '';
ALTER TABLE attempts ADD COLUMN person_groups TEXT NOT NULL DEFAULT '';
UPDATE enrolments SET person_unit = p.unit_id, person_groups = p.groups
    FROM accounts a JOIN people p ON p.id = a.person_id WHERE a.id = enrolments.account_id;
UPDATE attempts SET person_unit = p.unit_id, person_groups = p.groups
    FROM accounts a JOIN people p ON p.id = a.person_id WHERE a.id = attempts.account_id;
DROP INDEX enrolments_completed;
CREATE INDEX enrolments_completed ON enrolments (completed_at, account_id, person_unit, person_groups);
DROP INDEX attempts_finished;
CREATE INDEX attempts_finished ON attempts (finished_at, account_id, status, passed, person_unit, person_groups);
DROP INDEX people_unit;
CREATE INDEX people_unit_groups ON people (unit_id, groups);

-- +goose Down
DROP INDEX people_unit_groups;
CREATE INDEX people_unit ON people (unit_id);
DROP INDEX attempts_finished;
CREATE INDEX attempts_finished ON attempts (finished_at, account_id);
DROP INDEX enrolments_completed;
CREATE INDEX enrolments_completed ON enrolments (completed_at, account_id);
ALTER TABLE attempts DROP COLUMN person_groups;
ALTER TABLE attempts DROP COLUMN person_unit;
ALTER TABLE enrolments DROP COLUMN person_groups;
ALTER TABLE enrolments DROP COLUMN person_unit;
