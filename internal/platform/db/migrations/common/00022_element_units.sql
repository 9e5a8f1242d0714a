-- +goose Up
-- The unit of measure a data element is counted in ("người", "lớp"),
-- shown beside its field on the report form.
ALTER TABLE mon_elements ADD COLUMN unit_vi TEXT NOT NULL DEFAULT '';
ALTER TABLE mon_elements ADD COLUMN unit_en TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE mon_elements DROP COLUMN unit_en;
ALTER TABLE mon_elements DROP COLUMN unit_vi;
