-- +goose Up
-- Who may read a file depends on what it belongs to: owner names it
-- ("report:<id>" for report evidence; "" for item and lesson media, which
-- every signed-in user may read).
ALTER TABLE files ADD COLUMN owner TEXT NOT NULL DEFAULT '';
UPDATE files SET owner = (SELECT 'report:' || m.report_id FROM mon_report_files m WHERE m.file_id = files.id)
WHERE id IN (SELECT file_id FROM mon_report_files);

-- +goose Down
ALTER TABLE files DROP COLUMN owner;
