-- Signet schema, version 4: counters every node draws from. `crl_number` numbers the CRLs
-- (RFC 5280 §5.2.3: strictly increasing across all nodes that sign them); it continues from
-- the `thisUpdate` seconds that numbered CRLs before version 4 (a draw is never below the
-- current second).
CREATE TABLE counters (
    name  TEXT PRIMARY KEY,
    value INTEGER NOT NULL
);
INSERT INTO counters (name, value) VALUES ('crl_number', 0);
