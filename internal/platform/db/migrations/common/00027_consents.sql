-- +goose Up
-- What each person has agreed to (internal/platform/auth): the current
-- answer per kind, with when it was given; every change is also in the
-- audit log.
CREATE TABLE consents (
    account_id  TEXT NOT NULL,
    kind        TEXT NOT NULL,
    granted     INTEGER NOT NULL,
    version     TEXT NOT NULL DEFAULT '',
    changed_at  BIGINT NOT NULL,
    PRIMARY KEY (account_id, kind)
);

-- +goose Down
DROP TABLE consents;
