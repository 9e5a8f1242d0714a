-- +goose Up
-- The latest statistics of each item, kept so that the bank can flag items
-- with poor statistics to their authors.
ALTER TABLE items ADD COLUMN stats_n BIGINT NOT NULL DEFAULT 0;
ALTER TABLE items ADD COLUMN facility DOUBLE PRECISION NOT NULL DEFAULT 0;
ALTER TABLE items ADD COLUMN discrimination DOUBLE PRECISION NOT NULL DEFAULT 0;
ALTER TABLE items ADD COLUMN stats_flag TEXT NOT NULL DEFAULT '';
-- +goose Down
ALTER TABLE items DROP COLUMN stats_flag;
ALTER TABLE items DROP COLUMN discrimination;
ALTER TABLE items DROP COLUMN facility;
ALTER TABLE items DROP COLUMN stats_n;
