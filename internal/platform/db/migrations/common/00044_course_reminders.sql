-- +goose Up
-- Each course reminder to a person is claimed here before it is sent, so
-- that two nodes, or a node taking over from one that died, never send it
-- twice; the assignment is marked reminded once every person is handled.
CREATE TABLE course_reminders (
    assignment_id TEXT NOT NULL,
    kind          TEXT NOT NULL,
    person_id     TEXT NOT NULL,
    sent_at       BIGINT NOT NULL,
    PRIMARY KEY (assignment_id, kind, person_id)
);

-- +goose Down
DROP TABLE course_reminders;
