-- +goose Up
-- Prefix searches on paths use GLOB, which SQLite serves from a BINARY index.
CREATE INDEX units_path ON units (path);
CREATE INDEX people_unit_path ON people (unit_path, name_fold, id, ext_key);
CREATE INDEX audit_log_path ON audit_log (unit_path, at);
-- +goose Down
DROP INDEX units_path;
DROP INDEX people_unit_path;
DROP INDEX audit_log_path;
