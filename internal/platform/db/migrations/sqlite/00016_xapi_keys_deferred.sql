-- +goose Up
-- Statements are found by agent, activity and registration through one
-- table of (key hash, statement) instead of an index over each column.
-- Each new statement changes that table at a place of its own for each of
-- its keys, so writing it with the statement cost a whole page of WAL per
-- key; instead the store keeps new entries in memory and writes them here
-- in large sorted batches, one part of the hash range at a time
-- (lrs/keys.go). xapi_keys_done holds, for each of the 256 parts (the
-- hash's top 8 bits), the statement up to which that part is written; at
-- start the store rebuilds what is missing from the statements after it.
CREATE TABLE xapi_keys (
    key_h INTEGER NOT NULL,
    kseq  INTEGER NOT NULL,
    PRIMARY KEY (key_h, kseq)
) WITHOUT ROWID;
INSERT OR IGNORE INTO xapi_keys (key_h, kseq) SELECT actor_h, seq FROM xapi_statements ORDER BY actor_h, seq;
INSERT OR IGNORE INTO xapi_keys (key_h, kseq) SELECT object_h, seq FROM xapi_statements ORDER BY object_h, seq;
INSERT OR IGNORE INTO xapi_keys (key_h, kseq) SELECT registration_h, seq FROM xapi_statements WHERE registration <> '' ORDER BY registration_h, seq;
CREATE TABLE xapi_keys_done (
    part INTEGER PRIMARY KEY,
    seq  INTEGER NOT NULL
);
WITH RECURSIVE parts(n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM parts WHERE n < 255)
INSERT INTO xapi_keys_done (part, seq) SELECT n, (SELECT coalesce(max(seq), 0) FROM xapi_statements) FROM parts;
DROP INDEX xapi_statements_actor_h;
DROP INDEX xapi_statements_object_h;
DROP INDEX xapi_statements_registration_h;

-- +goose Down
CREATE INDEX xapi_statements_actor_h ON xapi_statements (actor_h);
CREATE INDEX xapi_statements_object_h ON xapi_statements (object_h);
CREATE INDEX xapi_statements_registration_h ON xapi_statements (registration_h);
DROP TABLE xapi_keys_done;
DROP TABLE xapi_keys;
