//! Integration tests of `signet-ca-signer` against independent peers: certificates, CRLs and
//! OCSP responses and time-stamp tokens signed with real aws-lc-rs keys (`signet-crypto`) are checked by
//! `openssl verify -x509_strict`, `openssl x509/crl/ocsp/ts` and DigiCert's pkilint
//! (`scripts/python-peers.sh` installs it), and the ROCA detector runs over every upstream
//! vector.
#![allow(
    clippy::disallowed_methods,
    clippy::disallowed_types,
    reason = "integration tests read shared vectors, write temporary files, read the clock and \
              run openssl and pkilint"
)]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "test helpers outside #[test] functions fail loudly, like the tests themselves"
)]

mod chain;
mod crl;
mod ocsp;
mod roca;
mod support;
mod tsa;
