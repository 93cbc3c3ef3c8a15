//! Lint: basic constraints present with the profile's criticality, `cA` and
//! `pathLenConstraint`.
//!
//! RFC 5280 §4.2.1.9: "Conforming CAs MUST include this extension in all CA certificates that
//! contain public keys used to validate digital signatures on certificates and MUST mark the
//! extension as critical in such certificates … CAs MUST NOT include the pathLenConstraint
//! field unless the cA boolean is asserted and the key usage extension asserts the keyCertSign
//! bit." C2PA conformance profiles: "Basic Constraints: Presence: MUST, Critical: TRUE" for
//! every profile, with `pathLenConstraint` 2 or less (root), 1 (first intermediate), 0 (issuing
//! CAs) and `cA=FALSE` for leaves.
//!
//! ```text
//! BasicConstraints ::= SEQUENCE {
//!      cA                      BOOLEAN DEFAULT FALSE,
//!      pathLenConstraint       INTEGER (0..MAX) OPTIONAL }
//! ```

use signet_asn1_types::x509_cert::TbsCertificate;
use signet_asn1_types::x509_cert::ext::pkix::{BasicConstraints, KeyUsage, KeyUsages};

use super::{CertContext, LintError, decode_ext, expect_critical, find};
use crate::oid;

pub(crate) fn check(tbs: &TbsCertificate, cx: &CertContext<'_>, out: &mut Vec<LintError>) {
    let rule = &cx.profile.basic_constraints;
    let Some(ext) = find(tbs, oid::ID_CE_BASIC_CONSTRAINTS) else {
        out.push(LintError::ExtensionMissing {
            oid: oid::ID_CE_BASIC_CONSTRAINTS,
        });
        return;
    };
    expect_critical(ext, rule.critical, out);
    let Some(bc) = decode_ext::<BasicConstraints>(ext, out) else {
        return;
    };
    if bc.ca != rule.ca {
        out.push(LintError::BasicConstraintsCa {
            expected: rule.ca,
            found: bc.ca,
        });
    }
    if bc.path_len_constraint != rule.path_len {
        out.push(LintError::PathLenMismatch {
            expected: rule.path_len,
            found: bc.path_len_constraint,
        });
    }
    if bc.path_len_constraint.is_some() {
        let key_cert_sign = find(tbs, oid::ID_CE_KEY_USAGE)
            .and_then(|e| {
                use signet_asn1_types::der::Decode;
                KeyUsage::from_der(e.extn_value.as_bytes()).ok()
            })
            .is_some_and(|ku| ku.0.contains(KeyUsages::KeyCertSign));
        if !bc.ca || !key_cert_sign {
            out.push(LintError::PathLenWithoutCa);
        }
    }
}
