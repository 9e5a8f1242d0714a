-- +goose Up
-- Help per month counted in the team's own unit only (net_months counts
-- each unit's whole subtree, for coverage pages): what monitoring's
-- computed elements read, since monitoring adds units up itself.
CREATE TABLE net_months_own (
    unit_id    TEXT NOT NULL,
    month      TEXT NOT NULL,
    activities BIGINT NOT NULL,
    people     BIGINT NOT NULL,
    PRIMARY KEY (unit_id, month)
);

-- +goose Down
DROP TABLE net_months_own;
