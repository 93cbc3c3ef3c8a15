-- Signet schema, version 5: the audit log (`audit.rs`), append-only and hash-chained. A
-- record is written in the same commit as the change it describes; `prev` is the previous
-- record's `hash` (32 zero bytes for record 1), `hash` the SHA-256 of the record
-- (`audit::chain_hash`). `signet audit verify` recomputes the chain.
CREATE TABLE audit_log (
    seq    INTEGER PRIMARY KEY,
    at     INTEGER NOT NULL,
    actor  TEXT NOT NULL,
    action TEXT NOT NULL,
    target TEXT,
    detail TEXT NOT NULL,
    prev   BLOB NOT NULL,
    hash   BLOB NOT NULL
);
