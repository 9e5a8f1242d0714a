-- +goose Up
-- Statement references, apart and in the order they were stored: a filter
-- also returns the statements that refer to a matching one. References are
-- few (mostly voiding statements); walking them newest first and looking
-- each target up by id beats finding them in the object index, where they
-- hide among activity ids shared by thousands of statements (PostgreSQL's
-- planner then scanned the whole table).
CREATE INDEX xapi_statements_ref ON xapi_statements (seq) WHERE object_type = 'StatementRef';

-- +goose Down
DROP INDEX xapi_statements_ref;
