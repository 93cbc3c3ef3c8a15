//! Lint: the certificate is v3.
//!
//! RFC 5280 §4.1.2.1: "When extensions are used, as expected in this profile, version MUST be
//! 3 (value is 2)." C2PA 2.2 §14.5.1.1: "Version shall be v3 as per RFC 5280, section 4.1.2.1."
//!
//! ```text
//! Version  ::=  INTEGER  {  v1(0), v2(1), v3(2)  }
//! ```

use signet_asn1_types::x509_cert::TbsCertificate;
use signet_asn1_types::x509_cert::certificate::Version;

use super::{CertContext, LintError};

pub(crate) fn check(tbs: &TbsCertificate, _cx: &CertContext<'_>, out: &mut Vec<LintError>) {
    if tbs.version() != Version::V3 {
        out.push(LintError::VersionNotV3);
    }
}
