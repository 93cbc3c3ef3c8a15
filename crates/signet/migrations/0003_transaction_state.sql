-- Signet schema, version 3: a pending enrollment keeps the protocol state itself
-- (signet-cmp-protocol's versioned `Pending` encoding), so a poll on any node continues the
-- transaction without re-decoding the request. Rows written before version 3 have NULL.
ALTER TABLE transactions ADD COLUMN state_der BLOB;
