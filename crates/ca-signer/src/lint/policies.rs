//! Lint: certificate policies as the profile says, non-critical, each OID once.
//!
//! C2PA conformance profiles: "Certificate Policies: Presence: MUST, Critical: FALSE, Value:
//! MUST contain c2pa-certificate-policy OID (1.3.6.1.4.1.62558.1.1)" for intermediates, issuing
//! CAs, claim-signing and TSA leaves; optional for the root; not listed for OCSP responders.
//! RFC 5280 §4.2.1.4: "A certificate policy OID MUST NOT appear more than once in a certificate
//! policies extension."
//!
//! ```text
//! certificatePolicies ::= SEQUENCE SIZE (1..MAX) OF PolicyInformation
//! PolicyInformation ::= SEQUENCE {
//!      policyIdentifier   CertPolicyId,
//!      policyQualifiers   SEQUENCE SIZE (1..MAX) OF PolicyQualifierInfo OPTIONAL }
//! ```

use signet_asn1_types::x509_cert::TbsCertificate;
use signet_asn1_types::x509_cert::ext::pkix::CertificatePolicies;

use super::{CertContext, LintError, decode_ext, expect_critical, find};
use crate::oid;
use crate::profile::Presence;

pub(crate) fn check(tbs: &TbsCertificate, cx: &CertContext<'_>, out: &mut Vec<LintError>) {
    let rule = &cx.profile.certificate_policies;
    let Some(ext) = find(tbs, oid::ID_CE_CERTIFICATE_POLICIES) else {
        if rule.presence == Presence::Must {
            out.push(LintError::ExtensionMissing {
                oid: oid::ID_CE_CERTIFICATE_POLICIES,
            });
        }
        return;
    };
    if rule.presence == Presence::MustNot {
        out.push(LintError::ExtensionForbidden { oid: ext.extn_id });
        return;
    }
    expect_critical(ext, false, out);
    let Some(policies) = decode_ext::<CertificatePolicies>(ext, out) else {
        return;
    };
    let ids: Vec<_> = policies.0.iter().map(|p| p.policy_identifier).collect();
    for (i, id) in ids.iter().enumerate() {
        if ids.get(..i).unwrap_or_default().contains(id) {
            out.push(LintError::PolicyRepeated { oid: *id });
        }
    }
    for required in &rule.required {
        if !ids.contains(required) {
            out.push(LintError::PolicyMissing { oid: *required });
        }
    }
}
