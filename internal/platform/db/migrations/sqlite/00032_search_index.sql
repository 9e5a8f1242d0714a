-- +goose Up
-- Search documents: what each thing is found by (fields, as JSON) and its
-- boost; words is what was given to the full-text index, kept so that the
-- contentless index can be told what to forget.
CREATE TABLE search_docs (
    id     INTEGER PRIMARY KEY,
    domain TEXT NOT NULL,
    ref    TEXT NOT NULL,
    fields TEXT NOT NULL,
    boost  BIGINT NOT NULL DEFAULT 0,
    words  TEXT NOT NULL,
    UNIQUE (domain, ref)
);
-- One FTS5 index per domain, keyed by search_docs.id. Words arrive folded
-- or lowercased already, so the tokenizer only cuts at spaces and keeps
-- marks (a toned spelling is indexed beside the folded one).
CREATE VIRTUAL TABLE search_fts_people USING fts5(words, content='', contentless_delete=1, tokenize='unicode61 remove_diacritics 0', prefix='2 3');
CREATE VIRTUAL TABLE search_fts_courses USING fts5(words, content='', contentless_delete=1, tokenize='unicode61 remove_diacritics 0', prefix='2 3');
CREATE VIRTUAL TABLE search_fts_items USING fts5(words, content='', contentless_delete=1, tokenize='unicode61 remove_diacritics 0', prefix='2 3');

-- +goose Down
DROP TABLE search_fts_items;
DROP TABLE search_fts_courses;
DROP TABLE search_fts_people;
DROP TABLE search_docs;
