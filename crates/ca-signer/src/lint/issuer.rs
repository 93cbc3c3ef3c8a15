//! Lint: the issuer may issue this certificate.
//!
//! - RFC 5280 §4.1.2.4: the `issuer` field is the issuer's subject (name chaining, §6.1.3
//!   (a)(4)).
//! - RFC 5280 §4.2.1.9: "If the basic constraints extension is not present in a version 3
//!   certificate, or the extension is present but the cA boolean is not asserted, then the
//!   certified public key MUST NOT be used to verify certificate signatures."
//! - RFC 5280 §4.2.1.3: `keyCertSign` must be asserted to verify certificate signatures.
//! - RFC 5280 §6.1.4 (l), (m): a CA certificate below an issuer with `pathLenConstraint` n needs
//!   n ≥ 1.
//! - C2PA 2.2 §14.5.1.2: only root CAs are self-signed; a certificate that is not self-signed
//!   must not look self-issued (subject = issuer), which would exempt it from path length
//!   counting.

use signet_asn1_types::x509_cert::TbsCertificate;
use signet_asn1_types::x509_cert::ext::pkix::KeyUsages;

use super::{CertContext, LintError};

pub(crate) fn check(tbs: &TbsCertificate, cx: &CertContext<'_>, out: &mut Vec<LintError>) {
    if tbs.issuer() != cx.issuer_name {
        out.push(LintError::IssuerNameMismatch);
    }
    let Some(ca) = cx.issuer.ca() else {
        if !cx.profile.basic_constraints.ca {
            out.push(LintError::SelfSignedNotCa);
        }
        return;
    };
    if tbs.subject() == ca.name() {
        out.push(LintError::SubjectEqualsIssuer);
    }
    match &ca.basic_constraints {
        Some(bc) if bc.ca => {
            // A CA below an issuer with pathLenConstraint n needs n >= 1 and its own
            // constraint below n.
            if cx.profile.basic_constraints.ca
                && let Some(n) = bc.path_len_constraint
                && (n == 0
                    || cx
                        .profile
                        .basic_constraints
                        .path_len
                        .is_none_or(|child| child >= n))
            {
                out.push(LintError::PathLenExceedsIssuer { issuer_path_len: n });
            }
        }
        _ => out.push(LintError::IssuerNotCa),
    }
    if !ca
        .key_usage
        .as_ref()
        .is_some_and(|ku| ku.0.contains(KeyUsages::KeyCertSign))
    {
        out.push(LintError::IssuerKeyUsage { bit: "keyCertSign" });
    }
}
