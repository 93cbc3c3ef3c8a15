//! `signet-c2pa-model`: the C2PA 2.2 data model — JUMBF, manifest store, manifests, claims,
//! assertions, claim signatures — and the asset containers that carry it.
//!
//! What this crate does **not** do: it opens no files and makes no network requests (callers pass
//! bytes, readers and writers), reads no clock, and does not decide whether a manifest is valid
//! or trusted — that is `signet-c2pa-validate`. Every parsed structure keeps the exact bytes it
//! was parsed from, and hashes are always computed over those bytes.
//!
//! Signing a JPEG in memory with a claim-signing credential, then reading its manifest back
//! from the signed bytes:
//!
//! ```rust
//! use std::io::Cursor;
//! use signet_asn1_types::crypto::SignatureAlgorithm;
//! use signet_c2pa_model::container::{ContainerLimits, Format, locate_seekable};
//! use signet_c2pa_model::cose::SignOptions;
//! use signet_c2pa_model::generator::{ManifestDefinition, sign_asset};
//! use signet_c2pa_model::{ManifestStore, jumbf};
//! use signet_crypto::{KeyPairSigner, KeyType, SystemRng, generate_pkcs8};
//! # use signet_asn1_types::crypto::Signer as _;
//! # use signet_asn1_types::der::{DateTime, Decode, Encode};
//! # use signet_asn1_types::spki::SubjectPublicKeyInfoOwned;
//! # use signet_ca_signer::profile::builtin::{self, AssuranceLevel};
//! # use signet_ca_signer::{IssuanceRequest, Issuer, IssuerUrls, Serial, prepare, sign};
//! # let now = DateTime::new(2026, 12, 7, 9, 0, 0)?;
//! # let rng = SystemRng::new();
//! # let ca_key = KeyPairSigner::from_pkcs8_default(&generate_pkcs8(KeyType::EcdsaP384)?)?;
//! # let spki = |k: &dyn signet_asn1_types::crypto::Signer| SubjectPublicKeyInfoOwned::from_der(k.public_key_der());
//! # let root_req = IssuanceRequest::new("CN=Example Root,O=Example,C=US".parse()?, spki(&ca_key)?);
//! # let root = sign(prepare(&root_req, &builtin::root_ca(), &Issuer::self_signed(ca_key.algorithm()), now, &Serial::generate(&rng)?)?, &ca_key)?;
//! # let urls = IssuerUrls { ocsp: vec!["http://pki.example/ocsp".into()], ca_issuers: vec![], crl: vec!["http://pki.example/root.crl".into()] };
//! # let issuer = Issuer::from_certificate(&root, ca_key.algorithm(), urls)?;
//! // The claim-signing key (COSE ES256 wants the fixed-width r ‖ s signature) ...
//! let key = KeyPairSigner::from_pkcs8(SignatureAlgorithm::EcdsaP256Sha256Fixed, &generate_pkcs8(KeyType::EcdsaP256)?)?;
//! // ... and its certificate, issued by a CA under the C2PA claim-signing profile.
//! # let mut leaf_req = IssuanceRequest::new("CN=Camera 7,O=Example News,C=US".parse()?, spki(&key)?);
//! # leaf_req.cpl_record = Some("0b6d3f3e-5c1a-4f7e-8d2b-9a4c6e1f2a3b".into());
//! # let certificate = sign(prepare(&leaf_req, &builtin::claim_signing_leaf(AssuranceLevel::Level1), &issuer, now, &Serial::generate(&rng)?)?, &ca_key)?;
//! let chain = vec![certificate.to_der()?]; // leaf first, intermediates after, no root
//!
//! // The smallest JPEG: SOI, APP0, a quantisation table, a scan, EOI.
//! let photo: &[u8] = &[
//!     0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x06, b'J', b'F', b'I', b'F', 0xFF, 0xDB, 0x00, 0x04, 0x01,
//!     0x02, 0xFF, 0xDA, 0x00, 0x02, 0x11, 0x22, 0x33, 0xFF, 0xD9,
//! ];
//! let definition = ManifestDefinition { title: Some("photo.jpg".into()), ..ManifestDefinition::default() };
//! let options = SignOptions { signer: &key, chain: &chain, timestamper: None, ocsp_vals: &[] };
//! let mut signed = Cursor::new(Vec::new());
//! let result = sign_asset(Format::Jpeg, &mut Cursor::new(photo), &mut signed, &definition, &options, &rng)?;
//!
//! // The store is in APP11 segments of the output; read it back from the signed bytes.
//! let located = locate_seekable(Format::Jpeg, Cursor::new(signed.into_inner()), &ContainerLimits::default())?
//!     .expect("a manifest store");
//! assert_eq!(located.store, result.store);
//! let store = ManifestStore::from_bytes(located.store, &jumbf::Limits::default())?;
//! let manifest = store.active_manifest().expect("an active manifest");
//! assert_eq!(manifest.label(), Some(result.manifest_label.as_str()));
//! // The hard binding covers every byte of the asset outside the store.
//! assert!(manifest.assertion("c2pa.hash.data").is_some());
//! assert!(manifest.assertion("c2pa.actions.v2").is_some());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
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
