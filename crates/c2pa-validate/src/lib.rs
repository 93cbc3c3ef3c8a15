//! `signet-c2pa-validate`: the C2PA 2.2 validation algorithm (section 15), returning a
//! [`Report`] of standard status codes (§15.2.2) with the state of §14.3.
//!
//! What this crate does **not** do: it opens no files, makes no network requests (online OCSP
//! goes through a caller-supplied fetch function, off by default), reads no clock (the
//! validation time is a parameter) and holds no crypto backend (signatures are verified through
//! the caller's [`SignatureVerifier`](signet_asn1_types::crypto::SignatureVerifier)). An invalid
//! manifest is a [`Report`], not an `Err`: `Err` means there was nothing to validate or the
//! asset could not be read.
#![forbid(unsafe_code)]

pub mod assertion;
pub mod binding;
pub mod cert;
pub mod chain;
pub mod error;
mod external;
pub mod limits;
mod manifest;
pub mod ocsp;
pub mod profile;
pub mod report;
pub mod signature;
pub mod status;
pub mod timestamp;
pub mod trust;
pub mod validator;

pub use error::Error;
pub use limits::Limits;
pub use report::{IngredientDelta, Report, Status, StatusLists, ValidationState};
pub use status::{StatusCode, StatusKind};
pub use trust::TrustConfig;
pub use validator::Validator;
