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
#![forbid(unsafe_code)]

mod config;
mod decide;
pub mod device;
pub mod dn;
mod error;

pub use config::{
    Administrative, Approval as ApprovalMode, AuthMethod, Automatic, DEV_CPL_RECORD, NameAttribute,
    Policy, ProfilePolicy, Registration, Revocation, SanKind, SanPolicy, SubjectPolicy,
    ValidityPolicy,
};
pub use decide::{
    Approval, Decision, Modification, Operation, Refusal, Requester, RevocationTarget,
};
pub use error::Error;

#[cfg(test)]
mod tests;
