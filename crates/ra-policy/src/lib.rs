//! `signet-ra-policy`: the operator's CP/CPS as configuration, and the registration authority's
//! decisions under it.
//!
//! What this crate does **not** do: it performs no I/O (the binary reads `policy.toml` and hands
//! the text to [`Policy::from_toml`]), reads no clock (`now` is a parameter), stores nothing
//! (whether a reference number exists or a certificate is current is the binary's lookup), checks
//! no message protection (that is `cmp-protocol`) and no proof of possession (that is `crmf`),
//! and signs nothing (that is `ca-signer`, under the signer profile a decision names).
//!
//! The flow: the binary authenticates a request and describes who sent it as a [`Requester`];
//! [`Policy::decide`] returns a [`Decision`]:
//! - [`Decision::Approve`] with the [`Approval`] to issue — possibly changed from the request,
//!   each change listed as a [`Modification`] (the response then says `grantedWithMods`);
//! - [`Decision::Pend`] when the profile needs manual approval (the client polls);
//! - [`Decision::Reject`] with a [`Refusal`] that carries its `PKIFailureInfo` bit.
//!
//! Revocation requests go through [`Policy::authorize_revocation`]; device certificates used for
//! automatic registration through [`device::check_device_certificate`].
//!
//! An officer registered `/CN=Newsroom Camera 7/O=Example News/C=US` under the
//! `c2pa-claim-signing` profile; the subscriber's `ir` asks for another name. The policy issues
//! the registered name (`grantedWithMods`), holds a request under a manual-approval profile, and
//! refuses a reference number used for a profile it was not registered for:
//!
//! ```rust
//! use signet_asn1_types::cmp::PkiFailureBit;
//! use signet_asn1_types::crypto::Signer as _;
//! use signet_asn1_types::der::{DateTime, Decode};
//! use signet_asn1_types::spki::SubjectPublicKeyInfoOwned;
//! use signet_crmf::{Request, RequestFormat};
//! use signet_ra_policy::{Decision, Modification, Operation, Policy, Requester, dn};
//!
//! // The CP/CPS in force: the binary reads policy.toml and hands over its text.
//! let toml = Policy::dev_default().to_toml()?;
//! let policy = Policy::from_toml(&toml)?;
//!
//! let key = signet_crypto::KeyPairSigner::from_pkcs8_default(&signet_crypto::generate_pkcs8(
//!     signet_crypto::KeyType::EcdsaP256,
//! )?)?;
//! let request = Request {
//!     format: RequestFormat::Crmf,
//!     cert_req_id: 0,
//!     subject: Some(dn::parse("/CN=Someone Else/O=Example News/C=US")?),
//!     public_key: SubjectPublicKeyInfoOwned::from_der(key.public_key_der())?,
//!     extensions: vec![],
//!     not_before: None,
//!     not_after: None,
//!     issuer: None,
//!     old_cert_id: None,
//! };
//! let registered = dn::parse("/CN=Newsroom Camera 7/O=Example News/C=US")?;
//! let requester = |profile| Requester::Registered {
//!     reference: "4711",
//!     subject: &registered,
//!     subject_alt_names: &[],
//!     profile,
//! };
//! let now = DateTime::new(2026, 12, 7, 9, 0, 0)?;
//!
//! match policy.decide(&requester("c2pa-claim-signing"), &request, Operation::Initial, None, now, None) {
//!     Decision::Approve(approval) => {
//!         assert!(dn::same_name(&approval.subject, &registered));
//!         assert_eq!(approval.modifications, [Modification::SubjectReplaced]);
//!         assert!(approval.granted_with_mods());
//!         assert_eq!(approval.signer_profile, "c2pa-claim-signing-al1");
//!     }
//!     other => panic!("expected an approval, got {other:?}"),
//! }
//!
//! // Manual approval: the client is told to poll.
//! let held = policy.decide(&requester("c2pa-claim-signing-manual"), &request, Operation::Initial, None, now, None);
//! assert!(matches!(held, Decision::Pend { check_after: 1, .. }));
//!
//! // The reference number was registered for another profile than the path names.
//! let Decision::Reject(refusal) = policy.decide(
//!     &requester("c2pa-claim-signing"),
//!     &request,
//!     Operation::Initial,
//!     Some("c2pa-claim-signing-al2"),
//!     now,
//!     None,
//! ) else {
//!     panic!("expected a refusal")
//! };
//! assert_eq!(refusal.bit, PkiFailureBit::NotAuthorized);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
#![forbid(unsafe_code)]

mod config;
mod decide;
pub mod device;
pub mod dn;
mod error;

pub use config::{
    Administrative, Approval as ApprovalMode, AuthMethod, AuthenticationBase, Automatic,
    DEFAULT_MAX_PBKDF2_ITERATIONS, DEFAULT_MAX_PBM_ITERATIONS, DEV_CPL_RECORD,
    MAX_LOCKOUT_FAILURES, MAX_MAC_ITERATIONS, NameAttribute, Policy, ProfilePolicy, Registration,
    Revocation, SanKind, SanPolicy, SelfService, SubjectPolicy, UnconfirmedOcspStatus,
    UnverifiedSan, ValidityPolicy,
};
pub use decide::{
    Approval, Decision, Modification, Operation, Refusal, Requester, RevocationTarget,
};
pub use error::Error;

#[cfg(test)]
mod tests;
