-- +goose Up
-- The zone a person reads and types times in (an IANA name); empty means
-- the installation's (DXHUB_TIME_ZONE). Times themselves stay in UTC.
ALTER TABLE accounts ADD COLUMN time_zone TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE accounts DROP COLUMN time_zone;
