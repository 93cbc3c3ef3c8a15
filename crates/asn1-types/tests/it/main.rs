//! Integration tests of `signet-asn1-types`: property round trips and regression replays.
#![allow(
    clippy::disallowed_methods,
    clippy::unwrap_used,
    clippy::indexing_slicing,
    clippy::panic,
    unused_qualifications,
    reason = "tests: read regression files; a failure is a test failure"
)]

mod regressions;
mod roundtrip;
