-- +goose Up
-- Statement references, apart: a filter also returns the statements that
-- refer to a matching one, found from the target's id. In the object index
-- those ids hide among activity ids shared by thousands of statements,
-- which led PostgreSQL's planner to scan the whole table instead.
CREATE INDEX xapi_statements_ref ON xapi_statements (object_key, seq) WHERE object_type = 'StatementRef';

-- +goose Down
DROP INDEX xapi_statements_ref;
