//! [`IssuanceRequest`]: what the signer needs from an approved certificate request.
//!
//! `crmf` normalises CRMF `CertTemplate`s and PKCS#10 requests; the binary maps its model onto
//! this one after `ra-policy` approved the request and proof of possession was checked. Only
//! these fields come from the requester; everything else is fixed by the [`Profile`] and the
//! [`Issuer`].
//!
//! [`Profile`]: crate::Profile
//! [`Issuer`]: crate::Issuer

use signet_asn1_types::der::DateTime;
use signet_asn1_types::spki::SubjectPublicKeyInfoOwned;
use signet_asn1_types::x509_cert::ext::pkix::name::GeneralName;
use signet_asn1_types::x509_cert::name::Name;

/// The requested content of a certificate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IssuanceRequest {
    /// The subject DN (checked against the profile's subject rule).
    pub subject: Name,
    /// The subject public key (checked against the profile's key rules and for ROCA).
    pub public_key: SubjectPublicKeyInfoOwned,
    /// Subject alternative names; empty for none.
    pub subject_alt_names: Vec<GeneralName>,
    /// The C2PA conforming-products-list record UUID (36 characters), for claim-signing leaves.
    pub cpl_record: Option<String>,
    /// Requested `notBefore`; `now` when absent.
    pub not_before: Option<DateTime>,
    /// Requested `notAfter`; when absent, `notBefore` plus the profile's default period, capped
    /// at the issuer's `notAfter`.
    pub not_after: Option<DateTime>,
}

impl IssuanceRequest {
    /// A request for `subject` and `public_key` with everything else left to the profile.
    #[must_use]
    pub fn new(subject: Name, public_key: SubjectPublicKeyInfoOwned) -> Self {
        Self {
            subject,
            public_key,
            subject_alt_names: Vec::new(),
            cpl_record: None,
            not_before: None,
            not_after: None,
        }
    }
}
