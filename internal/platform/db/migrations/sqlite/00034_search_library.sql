-- +goose Up
-- The library's index (see 00032).
CREATE VIRTUAL TABLE search_fts_library USING fts5(words, content='', contentless_delete=1, tokenize='unicode61 remove_diacritics 0', prefix='2 3');

-- +goose Down
DROP TABLE search_fts_library;
