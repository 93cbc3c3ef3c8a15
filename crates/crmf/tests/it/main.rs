//! Integration tests of `signet-crmf` against OpenSSL 3.0 (`openssl cms`), a CMS implementation
//! nobody here wrote.
#![allow(
    clippy::disallowed_methods,
    clippy::disallowed_types,
    reason = "integration tests: temp files and the openssl binary"
)]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "test helpers fail loudly, like the tests"
)]

mod cms_interop;
