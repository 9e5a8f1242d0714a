-- +goose Up
-- Statements stored from now on keep their JSON packed (see lrs/pack.go)
-- in bodyz, with body left empty: about a third of the room. Statements
-- stored before keep their JSON in body; readers take whichever is set.
ALTER TABLE xapi_statements ADD COLUMN bodyz BLOB NOT NULL DEFAULT x'';

-- +goose Down
-- Statements stored packed cannot be read back without the Go code that
-- packed them, so going down refuses while there are any.
CREATE TEMP TABLE m15_guard (packed INTEGER CONSTRAINT packed_statements_need_migration_15 CHECK (packed = 0));
INSERT INTO m15_guard SELECT count(*) FROM xapi_statements WHERE length(bodyz) > 0;
DROP TABLE m15_guard;
ALTER TABLE xapi_statements DROP COLUMN bodyz;
