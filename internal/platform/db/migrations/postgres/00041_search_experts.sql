-- +goose Up
-- The expert network's indexes (see 00032).
CREATE INDEX search_docs_experts ON search_docs USING gin (words) WHERE domain = 'experts';
CREATE INDEX search_docs_experts_all ON search_docs USING gin (words) WHERE domain = 'experts_all';

-- +goose Down
DROP INDEX search_docs_experts_all;
DROP INDEX search_docs_experts;
