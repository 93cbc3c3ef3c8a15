//! `signet-c2pa-model`: the C2PA 2.2 data model — JUMBF, manifest store, manifests, claims,
//! assertions, claim signatures — and the asset containers that carry it.
//!
//! What this crate does **not** do: it opens no files and makes no network requests (callers pass
//! bytes, readers and writers), reads no clock, and does not decide whether a manifest is valid
//! or trusted — that is `signet-c2pa-validate`. Every parsed structure keeps the exact bytes it
//! was parsed from, and hashes are always computed over those bytes.
#![forbid(unsafe_code)]

pub mod assertion;
pub mod cbor;
pub mod claim;
pub mod container;
pub mod cose;
pub mod error;
pub mod generator;
pub mod hashed_uri;
pub mod jumbf;
pub mod redact;
pub mod store;
#[cfg(test)]
mod testutil;
pub mod timestamp;

pub use assertion::{Assertion, Content, Decoded, Label, NewAssertion};
pub use claim::{Claim, ClaimVersion};
pub use cose::ClaimSignature;
pub use error::{
    AssertionError, CborError, ContainerError, GeneratorError, JumbfError, RedactionError,
    SignatureError, StoreError, TimeStampError,
};
pub use hashed_uri::HashedUri;
pub use store::{AssertionRef, HashAlg, Manifest, ManifestKind, ManifestStore};
