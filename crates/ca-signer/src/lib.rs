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
