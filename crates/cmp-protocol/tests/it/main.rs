//! Integration tests of `signet-cmp-protocol` against the real OpenSSL 3.0 `openssl cmp` client.
//!
//! A minimal HTTP/1.0 endpoint on 127.0.0.1 (bounded: one test's worth of connections, read
//! timeouts) hands each POSTed body to the sans-I/O server engine; certificates come from a
//! `signet-ca-signer` hierarchy (root → intermediate → C2PA claim-signing CA) made in the test.
#![allow(
    clippy::disallowed_methods,
    clippy::disallowed_types,
    reason = "integration tests: sockets on loopback, temp files, the clock, and openssl"
)]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "test helpers fail loudly, like the tests"
)]

mod client;
mod general;
mod mock;
mod negative;
mod openssl;
mod popo;
mod props;
mod rspin;
mod support;
