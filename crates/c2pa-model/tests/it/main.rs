//! Integration tests of `signet-c2pa-model` against the C2PA reference SDK (c2pa-python).
//!
//! A test PKI built with `signet-ca-signer`'s C2PA conformance profiles issues claim-signing
//! leaves, a TSA certificate (behind a local `openssl ts -reply` TSA) and an OCSP responder;
//! Signet signs JPEG, PNG and ISO BMFF assets with them; the reference SDK, with the test root as
//! its only trust anchor, must report each asset `Trusted` with the success codes and no failure.
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

mod fragments;
mod peer;
mod pki;
mod regressions;
mod signing;
mod tsa;
