//! `signet-asn1-types`: the one ASN.1 stack of Signet.
//!
//! What this crate does **not** do: it performs no I/O, reads no clock and holds no keys. It
//! re-exports the RustCrypto `der` 0.8 family and defines the types and crypto traits every
//! other Signet layer shares.
//!
//! Decoding a real `PKIMessage` (OpenSSL 3.0's PBM-protected `ir`) strictly — DER only, every
//! size, depth and count within [`strict::Limits`] — and encoding it back to the same bytes:
//!
//! ```rust
//! use signet_asn1_types::der::Encode;
//! use signet_asn1_types::strict::{self, Limits};
//!
//! let received = include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/examples/ir_pbm.req.der"));
//! let decoded = strict::decode_pki_message(received, &Limits::default())?;
//! assert_eq!(decoded.message.body.name(), "ir");
//! // Protection is computed over the header and body exactly as received (RFC 9810 §5.1.3).
//! assert!(decoded.protected_part_der().len() < received.len());
//! assert_eq!(decoded.message.to_der()?, received);
//!
//! // BER where DER is required (an indefinite length) is refused, with where it was found.
//! let mut ber = received.to_vec();
//! ber[1] = 0x80;
//! assert!(strict::decode_pki_message(&ber, &Limits::default()).is_err());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
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
