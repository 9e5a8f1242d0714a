-- +goose Up
-- The text of an attached PDF, extracted at upload, so that search and
-- the assistant find what the file says.
ALTER TABLE lib_files ADD COLUMN text TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE lib_files DROP COLUMN text;
