//! Integration tests: a real `signet serve` on 127.0.0.1 (ephemeral port) driven by the real
//! `openssl cmp` 3.0 client through the 28-case plan of `shared/interop/openssl-cmp.md` §3
//! (T01–T28), plus HTTP robustness, revocation services, pkilint, a SIGKILL crash test, and the
//! provenance chain end to end (enroll → sign with the server's TSA and OCSP → verify).
//!
//! Every client runs under `timeout 30` with `-msg_timeout 10 -total_timeout 20`; every server
//! is a child process killed by its own handle when the test ends.
#![allow(
    clippy::disallowed_methods,
    clippy::disallowed_types,
    reason = "integration tests drive processes, sockets, files and clocks"
)]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "test helpers outside #[test] functions: a failure is a test failure"
)]

mod api;
mod audit;
mod browser;
mod crash;
mod embed;
mod enroll;
mod failures;
mod flows;
mod hsm;
mod http;
mod newcomer;
mod nodes;
mod provenance;
mod support;
