//! Lint: extended key usage as the profile says, never `anyExtendedKeyUsage`, and
//! `id-kp-timeStamping` / `id-kp-OCSPSigning` alone.
//!
//! - C2PA 2.2 §14.5.1.1: "The Extended Key Usage (EKU) extension shall be present and non-empty
//!   in any certificate where the Basic Constraints extension is absent or the cA boolean is not
//!   asserted … The anyExtendedKeyUsage EKU (2.5.29.37.0) shall not be present … If a
//!   certificate is valid for either id-kp-timeStamping or id-kp-OCSPSigning, it shall be valid
//!   for exactly one of those two purposes, and not valid for any other purpose."
//! - RFC 5280 §4.2.1.12; RFC 3161 §2.3 (the TSA's EKU "MUST be critical").
//! - C2PA conformance profiles: the purposes and criticality of each profile.
//!
//! ```text
//! ExtKeyUsageSyntax ::= SEQUENCE SIZE (1..MAX) OF KeyPurposeId
//! KeyPurposeId ::= OBJECT IDENTIFIER
//! ```

use signet_asn1_types::der::Decode;
use signet_asn1_types::x509_cert::TbsCertificate;
use signet_asn1_types::x509_cert::ext::pkix::{BasicConstraints, ExtendedKeyUsage};

use super::{CertContext, LintError, decode_ext, expect_critical, find};
use crate::oid;

pub(crate) fn check(tbs: &TbsCertificate, cx: &CertContext<'_>, out: &mut Vec<LintError>) {
    let ext = find(tbs, oid::ID_CE_EXT_KEY_USAGE);
    let is_ca = find(tbs, oid::ID_CE_BASIC_CONSTRAINTS)
        .and_then(|e| BasicConstraints::from_der(e.extn_value.as_bytes()).ok())
        .is_some_and(|bc| bc.ca);
    let (ext, rule) = match (ext, &cx.profile.extended_key_usage) {
        (None, _) if !is_ca => {
            out.push(LintError::EkuMissingForEndEntity);
            return;
        }
        (None, None) => return,
        (None, Some(_)) => {
            out.push(LintError::ExtensionMissing {
                oid: oid::ID_CE_EXT_KEY_USAGE,
            });
            return;
        }
        (Some(ext), None) => {
            out.push(LintError::ExtensionForbidden { oid: ext.extn_id });
            return;
        }
        (Some(ext), Some(rule)) => (ext, rule),
    };
    expect_critical(ext, rule.critical, out);
    let Some(eku) = decode_ext::<ExtendedKeyUsage>(ext, out) else {
        return;
    };
    let purposes = &eku.0;
    if purposes.is_empty() {
        out.push(LintError::EkuEmpty);
        return;
    }
    for (i, p) in purposes.iter().enumerate() {
        if purposes.get(..i).unwrap_or_default().contains(p) {
            out.push(LintError::EkuRepeated { oid: *p });
        }
        if *p == oid::ANY_EXTENDED_KEY_USAGE {
            out.push(LintError::EkuAnyPresent);
        } else if rule.exclusive && !rule.required.contains(p) && !rule.one_of.contains(p) {
            out.push(LintError::EkuNotAllowed { oid: *p });
        }
    }
    for required in &rule.required {
        if !purposes.contains(required) {
            out.push(LintError::EkuRequiredMissing { oid: *required });
        }
    }
    if !rule.one_of.is_empty() && !rule.one_of.iter().any(|p| purposes.contains(p)) {
        out.push(LintError::EkuOneOfMissing);
    }
    for exclusive in [oid::ID_KP_TIME_STAMPING, oid::ID_KP_OCSP_SIGNING] {
        if purposes.contains(&exclusive) && purposes.iter().any(|p| *p != exclusive) {
            out.push(LintError::EkuNotExclusive { oid: exclusive });
        }
    }
}
