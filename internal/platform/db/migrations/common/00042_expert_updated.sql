-- +goose Up
-- Each node keeps the profiles lists and matching read in memory, and
-- reads again those changed since it last looked.
CREATE INDEX exp_profiles_updated ON exp_profiles (updated_at);

-- +goose Down
DROP INDEX exp_profiles_updated;
