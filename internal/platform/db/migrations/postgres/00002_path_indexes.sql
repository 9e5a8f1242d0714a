-- +goose Up
-- Prefix searches on paths use LIKE, which PostgreSQL serves from a
-- text_pattern_ops index whatever the database collation.
CREATE INDEX units_path ON units (path text_pattern_ops);
CREATE INDEX people_unit_path ON people (unit_path text_pattern_ops, name_fold);
CREATE INDEX audit_log_path ON audit_log (unit_path text_pattern_ops, at);
-- +goose Down
DROP INDEX units_path;
DROP INDEX people_unit_path;
DROP INDEX audit_log_path;
