-- +goose Up
-- The library's index (see 00032).
CREATE INDEX search_docs_library ON search_docs USING gin (words) WHERE domain = 'library';

-- +goose Down
DROP INDEX search_docs_library;
