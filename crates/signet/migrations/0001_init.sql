-- Signet schema, version 1. Portable SQL (SQLite and PostgreSQL): BLOB maps to BYTEA,
-- INTEGER to BIGINT in a PostgreSQL adapter.

-- Every certificate the CA signed, with the request and requester it was signed for.
CREATE TABLE certificates (
    serial            TEXT PRIMARY KEY,      -- upper-case hex, as `openssl x509 -serial` prints
    der               BLOB NOT NULL,
    subject           TEXT NOT NULL,         -- OpenSSL one-line form
    profile           TEXT NOT NULL,         -- policy profile
    not_before        INTEGER NOT NULL,      -- seconds since the epoch
    not_after         INTEGER NOT NULL,
    status            TEXT NOT NULL CHECK (status IN ('unconfirmed', 'valid', 'revoked')),
    issued_at         INTEGER NOT NULL,
    requester         TEXT NOT NULL,         -- ref:<reference> | cert:<serial> | device:<serial>@<issuer>
    transaction_id    BLOB NOT NULL,
    request_der       BLOB NOT NULL,         -- the PKIMessage as received
    revoked_at        INTEGER,
    revocation_reason INTEGER,               -- RFC 5280 CRLReason
    replaces          TEXT                   -- serial a kur replaces
);
CREATE INDEX certificates_status ON certificates (status, not_after);

-- Administrative registrations: one-time reference number + sealed authentication code.
CREATE TABLE registrations (
    reference     TEXT PRIMARY KEY,
    subject       TEXT NOT NULL,
    subject_der   BLOB NOT NULL,
    profile       TEXT NOT NULL,
    sealed_secret BLOB NOT NULL,            -- AES-256-GCM under DIR/keys/seal.key, AAD = reference
    created_at    INTEGER NOT NULL,
    expires_at    INTEGER NOT NULL,
    consumed_at   INTEGER,
    consumed_by   BLOB                      -- transactionID of the enrollment that used it
);

-- CMP transactions: replay protection (primary key) and the state a restart must not lose.
CREATE TABLE transactions (
    transaction_id BLOB PRIMARY KEY,
    kind           TEXT NOT NULL,           -- ir | cr | kur | p10cr | rr | genm
    state          TEXT NOT NULL CHECK (state IN
                   ('awaiting_confirm', 'pending', 'approved', 'refused', 'confirmed',
                    'rejected', 'expired', 'done')),
    requester      TEXT NOT NULL,
    serial         TEXT,
    our_nonce      BLOB,                    -- senderNonce of our last response
    cert_req_id    INTEGER,
    deadline       INTEGER,                 -- confirmWaitTime / pending expiry
    request_der    BLOB,                    -- pending enrollments: the request as received
    profile        TEXT,
    created_at     INTEGER NOT NULL,
    updated_at     INTEGER NOT NULL
);
CREATE INDEX transactions_open ON transactions (state, deadline);
