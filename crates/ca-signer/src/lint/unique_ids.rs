//! Lint: no unique identifiers.
//!
//! RFC 5280 §4.1.2.8: "CAs conforming to this profile MUST NOT generate certificates with unique
//! identifiers." C2PA 2.2 §14.5.1.1: "The issuerUniqueID and subjectUniqueID optional fields of
//! the TBSCertificate sequence shall not be present."
//!
//! ```text
//! issuerUniqueID  [1]  IMPLICIT UniqueIdentifier OPTIONAL,
//! subjectUniqueID [2]  IMPLICIT UniqueIdentifier OPTIONAL,
//! ```

use signet_asn1_types::x509_cert::TbsCertificate;

use super::{CertContext, LintError};

pub(crate) fn check(tbs: &TbsCertificate, _cx: &CertContext<'_>, out: &mut Vec<LintError>) {
    if tbs.issuer_unique_id().is_some() || tbs.subject_unique_id().is_some() {
        out.push(LintError::UniqueIdentifierPresent);
    }
}
