-- +goose Up
-- What matching and the directory's facets look experts up by: a row per
-- field ("f:data") and competence ("c:2.1", with its level) of each
-- profile, with whether the public may see it and the profile's unit.
CREATE TABLE exp_profile_terms (
    term       TEXT NOT NULL,
    profile_id TEXT NOT NULL,
    level      INTEGER NOT NULL,
    visible    INTEGER NOT NULL,
    verified   INTEGER NOT NULL,
    unit_path  TEXT NOT NULL,
    PRIMARY KEY (term, profile_id)
);
CREATE INDEX exp_profile_terms_profile ON exp_profile_terms (profile_id);

-- +goose Down
DROP TABLE exp_profile_terms;
