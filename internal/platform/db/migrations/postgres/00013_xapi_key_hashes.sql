-- +goose Up
-- Statements are found by agent, activity and registration through indexes
-- over 64-bit hashes of those keys (db.Hash64: the first 16 hex digits of
-- the MD5) instead of the keys' text: an entry takes about 20 bytes
-- instead of 50 to 100, so at millions of statements the indexes stay in
-- shared buffers and a new statement costs one cached page per index
-- instead of a disk read. The text stays in the row and queries compare it
-- too.
-- The text indexes go first, so that filling the new columns does not
-- also rewrite them.
DROP INDEX xapi_statements_actor;
DROP INDEX xapi_statements_object;
DROP INDEX xapi_statements_registration;
ALTER TABLE xapi_statements ADD COLUMN actor_h BIGINT NOT NULL DEFAULT 0;
ALTER TABLE xapi_statements ADD COLUMN object_h BIGINT NOT NULL DEFAULT 0;
ALTER TABLE xapi_statements ADD COLUMN registration_h BIGINT NOT NULL DEFAULT 0;
UPDATE xapi_statements SET actor_h = ('x' || substr(md5(actor_key), 1, 16))::bit(64)::bigint, object_h = ('x' || substr(md5(object_key), 1, 16))::bit(64)::bigint, registration_h = ('x' || substr(md5(registration), 1, 16))::bit(64)::bigint;
CREATE INDEX xapi_statements_actor_h ON xapi_statements (actor_h, seq);
CREATE INDEX xapi_statements_object_h ON xapi_statements (object_h, seq);
CREATE INDEX xapi_statements_registration_h ON xapi_statements (registration_h, seq);
-- A hash and its text go together: without telling the planner so, it
-- multiplies their selectivities, expects one row per key, and reads
-- every statement of an activity to sort them instead of walking the
-- index newest first and stopping at a page.
CREATE STATISTICS xapi_statements_actor_dep (dependencies) ON actor_h, actor_key FROM xapi_statements;
CREATE STATISTICS xapi_statements_object_dep (dependencies) ON object_h, object_key, object_type FROM xapi_statements;
CREATE STATISTICS xapi_statements_registration_dep (dependencies) ON registration_h, registration FROM xapi_statements;
ANALYZE xapi_statements;

DROP INDEX xapi_related_key;
ALTER TABLE xapi_related ADD COLUMN key_h BIGINT NOT NULL DEFAULT 0;
UPDATE xapi_related SET key_h = ('x' || substr(md5(key), 1, 16))::bit(64)::bigint;
CREATE INDEX xapi_related_key_h ON xapi_related (key_h, seq);
CREATE STATISTICS xapi_related_key_dep (dependencies) ON key_h, key, kind FROM xapi_related;
ANALYZE xapi_related;

-- +goose Down
DROP STATISTICS xapi_related_key_dep;
DROP STATISTICS xapi_statements_registration_dep;
DROP STATISTICS xapi_statements_object_dep;
DROP STATISTICS xapi_statements_actor_dep;
DROP INDEX xapi_related_key_h;
CREATE INDEX xapi_related_key ON xapi_related (key, kind, seq);
ALTER TABLE xapi_related DROP COLUMN key_h;
DROP INDEX xapi_statements_registration_h;
DROP INDEX xapi_statements_object_h;
DROP INDEX xapi_statements_actor_h;
CREATE INDEX xapi_statements_actor ON xapi_statements (actor_key, seq);
CREATE INDEX xapi_statements_object ON xapi_statements (object_key, seq);
CREATE INDEX xapi_statements_registration ON xapi_statements (registration, seq);
ALTER TABLE xapi_statements DROP COLUMN registration_h;
ALTER TABLE xapi_statements DROP COLUMN object_h;
ALTER TABLE xapi_statements DROP COLUMN actor_h;
