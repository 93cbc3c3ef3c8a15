//! `signet-c2pa-validate`: the C2PA 2.2 validation algorithm (section 15), returning a
//! [`Report`] of standard status codes (§15.2.2) with the state of §14.3.
//!
//! What this crate does **not** do: it opens no files, makes no network requests (online OCSP
//! goes through a caller-supplied fetch function, off by default), reads no clock (the
//! validation time is a parameter) and holds no crypto backend (signatures are verified through
//! the caller's [`SignatureVerifier`](signet_asn1_types::crypto::SignatureVerifier)). An invalid
//! manifest is a [`Report`], not an `Err`: `Err` means there was nothing to validate or the
//! asset could not be read.
//!
//! Validating a JPEG signed with a credential under a trusted root, and the same asset with one
//! byte of its image data changed:
//!
//! ```rust
//! use std::io::Cursor;
//! use signet_asn1_types::der::DateTime;
//! use signet_c2pa_model::container::Format;
//! use signet_c2pa_validate::{StatusCode, TrustConfig, ValidationState, Validator};
//! use signet_crypto::Verifier;
//! # use signet_asn1_types::crypto::{SignatureAlgorithm, Signer as _};
//! # use signet_asn1_types::der::{Decode, Encode};
//! # use signet_asn1_types::spki::SubjectPublicKeyInfoOwned;
//! # use signet_c2pa_model::cose::SignOptions;
//! # use signet_c2pa_model::generator::{ManifestDefinition, sign_asset};
//! # use signet_ca_signer::profile::builtin::{self, AssuranceLevel};
//! # use signet_ca_signer::{IssuanceRequest, Issuer, IssuerUrls, Serial, prepare, sign};
//! # use signet_crypto::{KeyPairSigner, KeyType, SystemRng, generate_pkcs8};
//! # let now = DateTime::new(2026, 12, 7, 9, 0, 0)?;
//! # let rng = SystemRng::new();
//! # let ca_key = KeyPairSigner::from_pkcs8_default(&generate_pkcs8(KeyType::EcdsaP384)?)?;
//! # let spki = |k: &dyn signet_asn1_types::crypto::Signer| SubjectPublicKeyInfoOwned::from_der(k.public_key_der());
//! # let root_req = IssuanceRequest::new("CN=Example Root,O=Example,C=US".parse()?, spki(&ca_key)?);
//! # let root = sign(prepare(&root_req, &builtin::root_ca(), &Issuer::self_signed(ca_key.algorithm()), now, &Serial::generate(&rng)?)?, &ca_key)?;
//! # let urls = IssuerUrls { ocsp: vec!["http://pki.example/ocsp".into()], ca_issuers: vec![], crl: vec!["http://pki.example/root.crl".into()] };
//! # let issuer = Issuer::from_certificate(&root, ca_key.algorithm(), urls)?;
//! # let key = KeyPairSigner::from_pkcs8(SignatureAlgorithm::EcdsaP256Sha256Fixed, &generate_pkcs8(KeyType::EcdsaP256)?)?;
//! # let mut leaf_req = IssuanceRequest::new("CN=Camera 7,O=Example News,C=US".parse()?, spki(&key)?);
//! # leaf_req.cpl_record = Some("0b6d3f3e-5c1a-4f7e-8d2b-9a4c6e1f2a3b".into());
//! # let leaf = sign(prepare(&leaf_req, &builtin::claim_signing_leaf(AssuranceLevel::Level1), &issuer, now, &Serial::generate(&rng)?)?, &ca_key)?;
//! # let chain = vec![leaf.to_der()?];
//! # let photo: &[u8] = &[
//! #     0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x06, b'J', b'F', b'I', b'F', 0xFF, 0xDB, 0x00, 0x04, 0x01,
//! #     0x02, 0xFF, 0xDA, 0x00, 0x02, 0x11, 0x22, 0x33, 0xFF, 0xD9,
//! # ];
//! # let options = SignOptions { signer: &key, chain: &chain, timestamper: None, ocsp_vals: &[] };
//! # let mut out = Cursor::new(Vec::new());
//! # sign_asset(Format::Jpeg, &mut Cursor::new(photo), &mut out, &ManifestDefinition::default(), &options, &rng)?;
//! # let signed: Vec<u8> = out.into_inner();
//! # let root_der = root.to_der()?;
//! // `signed`: a JPEG whose claim was signed by a certificate issued under `root_der`.
//! let mut trust = TrustConfig::new(); // accepts the C2PA claim-signing EKUs
//! trust.add_signer_anchors_for_accepted_ekus(&root_der)?;
//! // The validation time is a parameter; signatures go through the caller's verifier.
//! let validator = Validator::new(&trust, &Verifier, now);
//!
//! let report = validator.validate_asset(Format::Jpeg, Cursor::new(&signed))?;
//! assert_eq!(report.state, ValidationState::Trusted);
//! for code in [StatusCode::ClaimSignatureValidated, StatusCode::SigningCredentialTrusted, StatusCode::AssertionDataHashMatch] {
//!     assert!(report.active.has(&code), "{code:?}");
//! }
//!
//! // One byte of the image data changed after signing: the hard binding no longer matches.
//! let mut tampered = signed.clone();
//! let n = tampered.len();
//! tampered[n - 3] ^= 0x01;
//! let report = validator.validate_asset(Format::Jpeg, Cursor::new(&tampered))?;
//! assert_eq!(report.state, ValidationState::Invalid);
//! assert!(report.active.has(&StatusCode::AssertionDataHashMismatch));
//!
//! // Without the root among the anchors the signature still verifies, but is not trusted.
//! let untrusted = Validator::new(&TrustConfig::new(), &Verifier, now)
//!     .validate_asset(Format::Jpeg, Cursor::new(&signed))?;
//! assert_eq!(untrusted.state, ValidationState::Valid);
//! assert!(untrusted.active.has(&StatusCode::SigningCredentialUntrusted));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
#![forbid(unsafe_code)]

pub mod assertion;
pub mod binding;
pub mod cert;
pub mod chain;
mod digest;
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
