//! Lint: key usage is present, has the profile's criticality and exactly the profile's bits,
//! `keyCertSign` only with `cA`, and only bits the key type can serve.
//!
//! - RFC 5280 §4.2.1.3: "Conforming CAs MUST include this extension in certificates that
//!   contain public keys that are used to validate digital signatures on other public key
//!   certificates or CRLs. When present, conforming CAs SHOULD mark this extension as
//!   critical." "When the keyUsage extension appears in a certificate, at least one of the bits
//!   MUST be set to 1."
//! - C2PA 2.2 §14.5.1.1: "the Key Usage extension shall be present and should be marked as
//!   critical … The keyCertSign bit shall only be asserted if the cA boolean is asserted".
//! - RFC 8410 §5 (Ed25519) and RFC 5480 §3 (ECDSA): no `keyEncipherment`/`dataEncipherment`.
//!
//! ```text
//! KeyUsage ::= BIT STRING {
//!      digitalSignature        (0), nonRepudiation (1), keyEncipherment (2),
//!      dataEncipherment        (3), keyAgreement   (4), keyCertSign     (5),
//!      cRLSign                 (6), encipherOnly   (7), decipherOnly    (8) }
//! ```

use signet_asn1_types::x509_cert::TbsCertificate;
use signet_asn1_types::x509_cert::ext::pkix::{BasicConstraints, KeyUsage, KeyUsages};

use super::{CertContext, LintError, decode_ext, expect_critical, find};
use crate::oid;

pub(crate) fn check(tbs: &TbsCertificate, cx: &CertContext<'_>, out: &mut Vec<LintError>) {
    let Some(ext) = find(tbs, oid::ID_CE_KEY_USAGE) else {
        out.push(LintError::ExtensionMissing {
            oid: oid::ID_CE_KEY_USAGE,
        });
        return;
    };
    expect_critical(ext, cx.profile.key_usage.critical, out);
    let Some(ku) = decode_ext::<KeyUsage>(ext, out) else {
        return;
    };
    let expected = cx.profile.key_usage_flags();
    if ku.0 != expected || ku.0.is_empty() {
        out.push(LintError::KeyUsageMismatch {
            expected: expected.bits(),
            found: ku.0.bits(),
        });
    }
    let is_ca = find(tbs, oid::ID_CE_BASIC_CONSTRAINTS)
        .and_then(|e| {
            use signet_asn1_types::der::Decode;
            BasicConstraints::from_der(e.extn_value.as_bytes()).ok()
        })
        .is_some_and(|bc| bc.ca);
    if ku.0.contains(KeyUsages::KeyCertSign) && !is_ca {
        out.push(LintError::KeyCertSignWithoutCa);
    }
    let alg = tbs.subject_public_key_info().algorithm.oid;
    if alg == oid::ID_EC_PUBLIC_KEY || alg == oid::ID_ED25519 {
        for (flag, bit) in [
            (KeyUsages::KeyEncipherment, "keyEncipherment"),
            (KeyUsages::DataEncipherment, "dataEncipherment"),
        ] {
            if ku.0.contains(flag) {
                out.push(LintError::KeyUsageIncompatibleWithKey { bit });
            }
        }
    }
    if alg == oid::ID_ED25519 && ku.0.contains(KeyUsages::KeyAgreement) {
        out.push(LintError::KeyUsageIncompatibleWithKey {
            bit: "keyAgreement",
        });
    }
}
