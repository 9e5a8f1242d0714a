-- +goose Up
-- Tree paths compare byte by byte (collation "C") so that one btree index
-- serves both prefix searches (LIKE 'prefix%') and ordering by path,
-- whatever the database's own collation.
ALTER TABLE units ALTER COLUMN path TYPE TEXT COLLATE "C";
ALTER TABLE people ALTER COLUMN unit_path TYPE TEXT COLLATE "C";
ALTER TABLE people ALTER COLUMN name_fold TYPE TEXT COLLATE "C";
ALTER TABLE audit_log ALTER COLUMN unit_path TYPE TEXT COLLATE "C";
CREATE INDEX units_path ON units (path);
CREATE INDEX people_unit_path ON people (unit_path, name_fold, id, ext_key);
CREATE INDEX audit_log_path ON audit_log (unit_path, at);
-- +goose Down
DROP INDEX units_path;
DROP INDEX people_unit_path;
DROP INDEX audit_log_path;
