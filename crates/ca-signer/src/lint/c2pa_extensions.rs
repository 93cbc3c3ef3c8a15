//! Lint: the C2PA assurance-level and CPL-record extensions, and `id-pkix-ocsp-nocheck`.
//!
//! - C2PA claim-signing leaf profiles: "C2PA Assurance Level (id-c2pa-al): Presence: MUST,
//!   Critical: FALSE, OID: 1.3.6.1.4.1.62558.3, Value: 1.3.6.1.4.1.62558.3.10 /
//!   1.3.6.1.4.1.62558.3.20" and "C2PA CPL Record ID (c2pa-cpl-record): Presence: MUST,
//!   Critical: FALSE, OID: 1.3.6.1.4.1.62558.4, Value: UTF8String (SIZE 36) containing UUID
//!   from CPL".
//! - C2PA OCSP responder profile and RFC 6960 §4.2.2.2.1: "OCSP NoCheck: Presence: MUST,
//!   Critical: FALSE, Value: NULL"; other profiles must not carry it.
//!
//! ```text
//! id-pkix-ocsp-nocheck OBJECT IDENTIFIER ::= { id-pkix-ocsp 5 }   -- extnValue NULL
//! ```

use signet_asn1_types::const_oid::ObjectIdentifier;
use signet_asn1_types::der::Decode;
use signet_asn1_types::der::asn1::{Null, Utf8StringRef};
use signet_asn1_types::x509_cert::TbsCertificate;

use super::{CertContext, LintError, expect_critical, find};
use crate::oid;
use crate::profile::Presence;

/// Whether `s` is a UUID in its 36-character text form (RFC 9562 §4: 8-4-4-4-12 hex digits).
pub fn is_uuid(s: &str) -> bool {
    s.len() == 36
        && s.bytes().enumerate().all(|(i, b)| match i {
            8 | 13 | 18 | 23 => b == b'-',
            _ => b.is_ascii_hexdigit(),
        })
}

pub(crate) fn check(tbs: &TbsCertificate, cx: &CertContext<'_>, out: &mut Vec<LintError>) {
    let profile = cx.profile;
    match (
        find(tbs, oid::C2PA_ASSURANCE_LEVEL),
        profile.assurance_level,
    ) {
        (None, Some(_)) => out.push(LintError::ExtensionMissing {
            oid: oid::C2PA_ASSURANCE_LEVEL,
        }),
        (None, None) => {}
        (Some(ext), None) => out.push(LintError::ExtensionForbidden { oid: ext.extn_id }),
        (Some(ext), Some(level)) => {
            expect_critical(ext, false, out);
            if ObjectIdentifier::from_der(ext.extn_value.as_bytes()).ok() != Some(level) {
                out.push(LintError::AssuranceLevelMismatch);
            }
        }
    }
    match (find(tbs, oid::C2PA_CPL_RECORD), profile.cpl_record) {
        (None, Presence::Must) => out.push(LintError::ExtensionMissing {
            oid: oid::C2PA_CPL_RECORD,
        }),
        (None, _) => {}
        (Some(ext), Presence::MustNot) => {
            out.push(LintError::ExtensionForbidden { oid: ext.extn_id });
        }
        (Some(ext), _) => {
            expect_critical(ext, false, out);
            let valid = Utf8StringRef::from_der(ext.extn_value.as_bytes())
                .is_ok_and(|s| is_uuid(s.as_str()));
            if !valid {
                out.push(LintError::CplRecordInvalid);
            }
        }
    }
    match (find(tbs, oid::ID_PKIX_OCSP_NOCHECK), profile.ocsp_no_check) {
        (None, true) => out.push(LintError::ExtensionMissing {
            oid: oid::ID_PKIX_OCSP_NOCHECK,
        }),
        (None, false) => {}
        (Some(ext), false) => out.push(LintError::ExtensionForbidden { oid: ext.extn_id }),
        (Some(ext), true) => {
            expect_critical(ext, false, out);
            if Null::from_der(ext.extn_value.as_bytes()).is_err() {
                out.push(LintError::OcspNoCheckInvalid);
            }
        }
    }
}
