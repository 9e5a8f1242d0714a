-- +goose Up
-- An examiner's mark of an essay answer (points of the item's own
-- maximum); an attempt with essays waits for them, awaiting_marks
-- counting those not yet marked, before its result is final.
CREATE TABLE exam_marks (
    attempt_id  TEXT NOT NULL REFERENCES attempts(id),
    idx         INTEGER NOT NULL,
    points      DOUBLE PRECISION NOT NULL,
    comment     TEXT NOT NULL DEFAULT '',
    marker_id   TEXT NOT NULL,
    marker_name TEXT NOT NULL DEFAULT '',
    marked_at   BIGINT NOT NULL,
    PRIMARY KEY (attempt_id, idx)
);
ALTER TABLE attempts ADD COLUMN awaiting_marks INTEGER NOT NULL DEFAULT 0;
CREATE INDEX attempts_awaiting ON attempts (session_id, awaiting_marks);

-- +goose Down
DROP INDEX attempts_awaiting;
ALTER TABLE attempts DROP COLUMN awaiting_marks;
DROP TABLE exam_marks;
