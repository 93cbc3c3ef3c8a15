//! `signet-ca-signer`: certificate profiles, pre-issuance lints and signing of certificates,
//! CRLs and OCSP responses, in Boulder's prepare → lint → sign discipline.
//!
//! What this crate does **not** do: it performs no I/O, reads no clock (time is the `now`
//! parameter), holds no keys (signing goes through [`Signer`]), decides nothing about who may
//! have a certificate (that is `ra-policy`), checks no proof of possession (that is `crmf`) and
//! stores nothing (the binary records what was issued).
//!
//! # Certificates
//! 1. A [`Profile`] is data: what the subject may contain, which keys, how long, which key
//!    usages, EKUs, basic constraints, policies, AIA/CRL DP and C2PA extensions. Built-in
//!    constructors follow the C2PA 2.2 conformance profiles; an operator's CP/CPS may define
//!    more through serde.
//! 2. [`prepare`] builds the `TBSCertificate` from an [`IssuanceRequest`] under a profile and an
//!    [`Issuer`], re-decodes the DER it produced, and runs every lint in [`lint`] over the decoded
//!    value. It returns a [`LintedTbs`] or every finding at once ([`LintErrors`]).
//! 3. [`sign`] consumes the [`LintedTbs`]; a `LintedTbs` cannot be built any other way, so
//!    nothing unlinted is signed (checked by the compiler, not at run time).
//!
//! # Revocation
//! [`crl::prepare_crl`]/[`crl::sign_crl`] (RFC 5280 §5) and
//! [`ocsp::prepare_ocsp_response`]/[`ocsp::sign_ocsp_response`] (RFC 6960) follow the same
//! discipline with their own lints, and so do RFC 3161 time-stamp tokens
//! ([`tsa::prepare_time_stamp`]/[`tsa::sign_time_stamp`]).
//!
//! # Example
//! A root CA and a C2PA claim-signing certificate under the built-in profiles; a root key the
//! profile does not allow is refused by the lints before anything is signed:
//!
//! ```rust
//! use signet_asn1_types::crypto::{SignatureVerifier as _, Signer as _};
//! use signet_asn1_types::der::{DateTime, Decode, Encode};
//! use signet_asn1_types::spki::SubjectPublicKeyInfoOwned;
//! use signet_ca_signer::lint::LintError;
//! use signet_ca_signer::profile::builtin::{self, AssuranceLevel};
//! use signet_ca_signer::{IssuanceRequest, Issuer, IssuerUrls, Serial, prepare, sign};
//! use signet_crypto::{KeyPairSigner, KeyType, SystemRng, Verifier, generate_pkcs8};
//!
//! let key = |t| KeyPairSigner::from_pkcs8_default(&generate_pkcs8(t)?);
//! let spki = |k: &KeyPairSigner| SubjectPublicKeyInfoOwned::from_der(k.public_key_der());
//! let now = DateTime::new(2026, 12, 7, 9, 0, 0)?; // a parameter: this crate reads no clock
//! let rng = SystemRng::new();
//!
//! // The root: self-signed, P-384 as the C2PA root profile asks.
//! let root_key = key(KeyType::EcdsaP384)?;
//! let root_req = IssuanceRequest::new("CN=Example Root,O=Example,C=US".parse()?, spki(&root_key)?);
//! let tbs = prepare(&root_req, &builtin::root_ca(), &Issuer::self_signed(root_key.algorithm()), now, &Serial::generate(&rng)?)?;
//! let root = sign(tbs, &root_key)?;
//!
//! // A claim-signing certificate for a subscriber's key, issued by the root.
//! let urls = IssuerUrls {
//!     ocsp: vec!["http://pki.example/ocsp".into()],
//!     ca_issuers: vec!["http://pki.example/root.cer".into()],
//!     crl: vec!["http://pki.example/root.crl".into()],
//! };
//! let issuer = Issuer::from_certificate(&root, root_key.algorithm(), urls)?;
//! let subscriber = key(KeyType::EcdsaP256)?;
//! let mut request = IssuanceRequest::new("CN=Camera 7,O=Example News,C=US".parse()?, spki(&subscriber)?);
//! request.cpl_record = Some("0b6d3f3e-5c1a-4f7e-8d2b-9a4c6e1f2a3b".into());
//! let profile = builtin::claim_signing_leaf(AssuranceLevel::Level1);
//! let linted = prepare(&request, &profile, &issuer, now, &Serial::generate(&rng)?)?;
//! let leaf = sign(linted, &root_key)?;
//! // Signed by the root's key, over the TBS the lints checked.
//! Verifier.verify(
//!     root_key.algorithm(),
//!     &root.tbs_certificate().subject_public_key_info().to_der()?,
//!     &leaf.tbs_certificate().to_der()?,
//!     leaf.signature().raw_bytes(),
//! )?;
//!
//! // A P-256 root is outside the profile: every finding is returned, nothing can be signed.
//! let weak = key(KeyType::EcdsaP256)?;
//! let weak_req = IssuanceRequest::new("CN=Weak Root,O=Example,C=US".parse()?, spki(&weak)?);
//! let findings = prepare(&weak_req, &builtin::root_ca(), &Issuer::self_signed(weak.algorithm()), now, &Serial::generate(&rng)?)
//!     .unwrap_err();
//! assert!(findings.findings().iter().any(|f| matches!(f, LintError::EcCurveNotAllowed { .. })));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! [`Signer`]: signet_asn1_types::crypto::Signer
#![forbid(unsafe_code)]

mod build;
pub mod crl;
mod error;
mod issuer;
pub mod key_id;
pub mod limits;
pub mod lint;
pub mod ocsp;
pub mod oid;
pub mod profile;
mod request;
mod serial;
mod sign;
mod time;
pub mod tsa;

pub use error::{Error, IssuerDefect};
pub use issuer::{Issuer, IssuerUrls};
pub use lint::{LintError, LintErrors};
pub use profile::Profile;
pub use request::IssuanceRequest;
pub use serial::{SERIAL_RANDOM_OCTETS, Serial};
pub use sign::{LintedTbs, Signed, prepare, sign, sign_der};
