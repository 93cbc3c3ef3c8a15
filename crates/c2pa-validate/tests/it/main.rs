//! Integration tests of `signet-c2pa-validate`: certificate profile and chains built with
//! `signet-ca-signer` profiles, and validation of assets Signet and the reference SDK signed.
#![allow(
    clippy::disallowed_methods,
    clippy::disallowed_types,
    reason = "integration tests read vectors, run openssl and the Python peer, use temp files"
)]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "test helpers: a failure is a test failure"
)]

mod amplification;
mod boxhash;
mod chain;
mod collection;
mod compressed;
mod external;
mod legacy;
mod locate;
mod multi;
mod peer;
mod pki;
mod profile;
mod regressions;
mod rules;
mod store;
pub(crate) mod tamper;
