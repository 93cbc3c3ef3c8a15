-- Signet schema, version 6: the self-service portal's authentication bases (`portal.rs`). A
-- row is one person the organisation authorised beforehand: in the account `directory` with a
-- password, or on the `eligibility` list with a secret the CA made for them. `secret_hash` is
-- an argon2id PHC string; `subject`, `sans` (one `email:`/`DNS:`/`URI:` name per line) and
-- `profile` are what a registration through the portal is made for. `failures` counts
-- consecutive failed attempts; the row is locked while `locked_until` is in the future.
CREATE TABLE subscribers (
    base         TEXT NOT NULL CHECK (base IN ('directory', 'eligibility')),
    id           TEXT NOT NULL,
    secret_hash  TEXT NOT NULL,
    subject      TEXT NOT NULL,
    sans         TEXT NOT NULL,
    profile      TEXT NOT NULL,
    failures     INTEGER NOT NULL DEFAULT 0,
    locked_until INTEGER NOT NULL DEFAULT 0,
    created_at   INTEGER NOT NULL,
    PRIMARY KEY (base, id)
);
