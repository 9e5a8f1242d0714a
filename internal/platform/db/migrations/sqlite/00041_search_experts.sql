-- +goose Up
-- The expert network's indexes (see 00032): public profiles' public
-- fields, and every profile's fields for the offices of its scope.
CREATE VIRTUAL TABLE search_fts_experts USING fts5(words, content='', contentless_delete=1, tokenize='unicode61 remove_diacritics 0', prefix='2 3');
CREATE VIRTUAL TABLE search_fts_experts_all USING fts5(words, content='', contentless_delete=1, tokenize='unicode61 remove_diacritics 0', prefix='2 3');

-- +goose Down
DROP TABLE search_fts_experts_all;
DROP TABLE search_fts_experts;
