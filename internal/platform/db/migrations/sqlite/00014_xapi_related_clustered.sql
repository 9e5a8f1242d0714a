-- +goose Up
-- Related agents and activities kept in one b-tree ordered by key hash and
-- statement (WITHOUT ROWID) instead of a table and an index over it: each
-- related key of a new statement is one insert instead of two. A statement
-- lists each of its related keys once.
CREATE TABLE xapi_related_by_key (
    key_h INTEGER NOT NULL,
    seq   INTEGER NOT NULL,
    kind  TEXT NOT NULL,
    key   TEXT NOT NULL,
    PRIMARY KEY (key_h, seq, kind, key)
) WITHOUT ROWID;
INSERT INTO xapi_related_by_key (key_h, seq, kind, key) SELECT DISTINCT key_h, seq, kind, key FROM xapi_related;
DROP TABLE xapi_related;
ALTER TABLE xapi_related_by_key RENAME TO xapi_related;

-- +goose Down
CREATE TABLE xapi_related_rows (
    seq   BIGINT NOT NULL,
    kind  TEXT NOT NULL,
    key   TEXT NOT NULL,
    key_h INTEGER NOT NULL DEFAULT 0
);
INSERT INTO xapi_related_rows (seq, kind, key, key_h) SELECT seq, kind, key, key_h FROM xapi_related;
DROP TABLE xapi_related;
ALTER TABLE xapi_related_rows RENAME TO xapi_related;
CREATE INDEX xapi_related_key_h ON xapi_related (key_h, seq);
