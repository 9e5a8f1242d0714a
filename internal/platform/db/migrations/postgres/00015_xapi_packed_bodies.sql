-- +goose Up
-- Statements stored from now on keep their JSON packed (see lrs/pack.go)
-- in bodyz, with body left empty: about a third of the room. Statements
-- stored before keep their JSON in body; readers take whichever is set.
ALTER TABLE xapi_statements ADD COLUMN bodyz BYTEA NOT NULL DEFAULT ''::bytea;

-- +goose Down
-- Statements stored packed cannot be read back without the Go code that
-- packed them, so going down refuses while there are any.
-- +goose StatementBegin
DO $$ BEGIN
    IF EXISTS (SELECT 1 FROM xapi_statements WHERE length(bodyz) > 0) THEN
        RAISE EXCEPTION 'packed statements stored: cannot go below migration 15';
    END IF;
END $$;
-- +goose StatementEnd
ALTER TABLE xapi_statements DROP COLUMN bodyz;
