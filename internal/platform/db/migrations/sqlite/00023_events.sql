-- +goose Up
-- The outbox: a room records an event in the transaction of the change it
-- reports; other rooms consume events in id order (internal/platform/events).
CREATE TABLE events (
    id       INTEGER PRIMARY KEY AUTOINCREMENT,
    topic    TEXT NOT NULL,
    payload  TEXT NOT NULL,
    at       BIGINT NOT NULL
);
CREATE TABLE event_cursors (
    consumer    TEXT PRIMARY KEY,
    last_id     BIGINT NOT NULL DEFAULT 0,
    owner       TEXT NOT NULL DEFAULT '',
    lease_until BIGINT NOT NULL DEFAULT 0
);

-- +goose Down
DROP TABLE event_cursors;
DROP TABLE events;
