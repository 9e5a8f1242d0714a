-- +goose Up
-- Questions the library's assistant could not answer, or whose answer was
-- rated unhelpful, kept only when the asker agreed: the question and its
-- language, nothing about who asked.
CREATE TABLE lib_questions (
    id       TEXT PRIMARY KEY,
    question TEXT NOT NULL,
    lang     TEXT NOT NULL,
    answered BOOLEAN NOT NULL,
    helpful  BOOLEAN,
    at       BIGINT NOT NULL
);
CREATE INDEX lib_questions_at ON lib_questions (at);

-- +goose Down
DROP TABLE lib_questions;
