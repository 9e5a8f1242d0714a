-- +goose Up
-- Search documents (see the SQLite twin): words is a tsvector of folded
-- and toned words and scope tokens, built from a word list (no parser, no
-- stemming), with one GIN index per domain.
CREATE TABLE search_docs (
    id     BIGSERIAL PRIMARY KEY,
    domain TEXT NOT NULL,
    ref    TEXT NOT NULL,
    fields TEXT NOT NULL,
    boost  BIGINT NOT NULL DEFAULT 0,
    words  TSVECTOR NOT NULL,
    UNIQUE (domain, ref)
);
CREATE INDEX search_docs_people ON search_docs USING gin (words) WHERE domain = 'people';
CREATE INDEX search_docs_courses ON search_docs USING gin (words) WHERE domain = 'courses';
CREATE INDEX search_docs_items ON search_docs USING gin (words) WHERE domain = 'items';

-- +goose Down
DROP TABLE search_docs;
