//! `signet-asn1-types`: the one ASN.1 stack of Signet.
//!
//! What this crate does **not** do: it performs no I/O, reads no clock and holds no keys. It
//! re-exports the RustCrypto `der` 0.8 family and defines the types and crypto traits every
//! other Signet layer shares.
#![forbid(unsafe_code)]

pub use cms;
pub use const_oid;
pub use der;
pub use pkcs8;
pub use spki;
pub use x509_cert;

pub mod algorithm;
pub mod canonical;
pub mod cmp;
pub mod crmf;
pub mod crypto;
pub mod ocsp;
pub mod seq;
pub mod strict;
pub mod time;
pub mod tsp;
