-- +goose Up
-- Statements are found by agent, activity and registration through indexes
-- over 64-bit hashes of those keys (hash64, see db.Hash64) instead of the
-- keys' text: an entry takes about 15 bytes instead of 50 to 100, so at
-- millions of statements the indexes stay in memory and each new statement
-- costs the writer one cached page per index instead of a disk read. The
-- text stays in the row and queries compare it too. On SQLite an index
-- over one column already orders equal values by rowid (seq).
-- The text indexes go first, so that filling the new columns does not
-- also rewrite them.
DROP INDEX xapi_statements_actor;
DROP INDEX xapi_statements_object;
DROP INDEX xapi_statements_registration;
ALTER TABLE xapi_statements ADD COLUMN actor_h INTEGER NOT NULL DEFAULT 0;
ALTER TABLE xapi_statements ADD COLUMN object_h INTEGER NOT NULL DEFAULT 0;
ALTER TABLE xapi_statements ADD COLUMN registration_h INTEGER NOT NULL DEFAULT 0;
UPDATE xapi_statements SET actor_h = hash64(actor_key), object_h = hash64(object_key), registration_h = hash64(registration);
CREATE INDEX xapi_statements_actor_h ON xapi_statements (actor_h);
CREATE INDEX xapi_statements_object_h ON xapi_statements (object_h);
CREATE INDEX xapi_statements_registration_h ON xapi_statements (registration_h);

DROP INDEX xapi_related_key;
ALTER TABLE xapi_related ADD COLUMN key_h INTEGER NOT NULL DEFAULT 0;
UPDATE xapi_related SET key_h = hash64(key);
CREATE INDEX xapi_related_key_h ON xapi_related (key_h, seq);

-- +goose Down
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
