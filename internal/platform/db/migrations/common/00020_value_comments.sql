-- +goose Up
-- A comment belongs to one value (DHIS2's dataValue comment), apart from
-- the report's own comment.
ALTER TABLE mon_values ADD COLUMN comment TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE mon_values DROP COLUMN comment;
