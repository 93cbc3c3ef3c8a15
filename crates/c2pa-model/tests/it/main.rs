//! Integration tests of `signet-c2pa-model` against the C2PA reference SDK (c2pa-python).
//!
//! A throwaway CA made with the `openssl` CLI issues claim-signing leaves that meet the C2PA
//! certificate profile (C2PA 2.2 §14.5.1: KU digitalSignature critical, EKU documentSigning, not a
//! CA, SKI/AKI); Signet signs real JPEGs with them; the reference SDK, with the test root as its
//! only trust anchor, must report the asset `Trusted` with the success codes and no failure.
#![allow(
    clippy::disallowed_methods,
    clippy::disallowed_types,
    reason = "integration tests run openssl and the Python peer and use temp files"
)]
#![allow(
    clippy::unwrap_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "test helpers: a failure is a test failure"
)]

mod regressions;
mod signing;
