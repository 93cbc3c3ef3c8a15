//! Lint: no extension appears twice, and every extension is one the profile governs.
//!
//! RFC 5280 §4.2: "A certificate MUST NOT include more than one instance of a particular
//! extension." Unknown extensions are refused so that nothing reaches a certificate that no
//! lint has looked at (Boulder's profile allow-list does the same).
//!
//! ```text
//! Extensions  ::=  SEQUENCE SIZE (1..MAX) OF Extension
//! Extension  ::=  SEQUENCE  {
//!      extnID      OBJECT IDENTIFIER,
//!      critical    BOOLEAN DEFAULT FALSE,
//!      extnValue   OCTET STRING  }
//! ```

use signet_asn1_types::const_oid::ObjectIdentifier;
use signet_asn1_types::x509_cert::TbsCertificate;
use signet_asn1_types::x509_cert::ext::Extension;

use super::{CertContext, LintError};
use crate::oid;

/// The extensions certificate profiles govern.
pub const GOVERNED: [ObjectIdentifier; 12] = [
    oid::ID_CE_BASIC_CONSTRAINTS,
    oid::ID_CE_KEY_USAGE,
    oid::ID_CE_EXT_KEY_USAGE,
    oid::ID_CE_SUBJECT_KEY_IDENTIFIER,
    oid::ID_CE_AUTHORITY_KEY_IDENTIFIER,
    oid::ID_CE_SUBJECT_ALT_NAME,
    oid::ID_CE_CERTIFICATE_POLICIES,
    oid::ID_PE_AUTHORITY_INFO_ACCESS,
    oid::ID_CE_CRL_DISTRIBUTION_POINTS,
    oid::ID_PKIX_OCSP_NOCHECK,
    oid::C2PA_ASSURANCE_LEVEL,
    oid::C2PA_CPL_RECORD,
];

/// Reports every OID that appears more than once (shared with the CRL and OCSP lints).
pub(crate) fn check_duplicates(extensions: &[Extension], out: &mut Vec<LintError>) {
    for (i, ext) in extensions.iter().enumerate() {
        let earlier = extensions.get(..i).unwrap_or_default();
        let first_repeat = earlier.iter().filter(|e| e.extn_id == ext.extn_id).count() == 1;
        if first_repeat {
            out.push(LintError::DuplicateExtension { oid: ext.extn_id });
        }
    }
}

pub(crate) fn check(tbs: &TbsCertificate, _cx: &CertContext<'_>, out: &mut Vec<LintError>) {
    let extensions = tbs.extensions().map(Vec::as_slice).unwrap_or_default();
    check_duplicates(extensions, out);
    for ext in extensions {
        if !GOVERNED.contains(&ext.extn_id) {
            out.push(LintError::UnexpectedExtension { oid: ext.extn_id });
        }
    }
}
