//! Lint: authority information access and CRL distribution points as the profile says,
//! non-critical, with `http://` locations, and at least one revocation pointer where the
//! profile needs one.
//!
//! - RFC 5280 §4.2.2.1: AIA "MUST be marked as non-critical"; §4.2.1.13: CRL DP "SHOULD be
//!   non-critical"; RFC 5280 §8 and CA/B BR §7.1.2: plain HTTP locations (the objects are
//!   signed, and TLS would make revocation checking depend on revocation checking).
//! - C2PA conformance profiles: "Authority Information Access: … MUST include one with
//!   accessMethod=id-ad-ocsp … accessLocation must be HTTP URI"; "CRL Distribution Points: …
//!   MUST contain HTTP URI pointing to CRL location"; "MUST (if CRL Distribution Points is not
//!   present)"; root and OCSP responder: "MUST NOT".
//!
//! ```text
//! AuthorityInfoAccessSyntax ::= SEQUENCE SIZE (1..MAX) OF AccessDescription
//! AccessDescription ::= SEQUENCE { accessMethod OBJECT IDENTIFIER, accessLocation GeneralName }
//! CRLDistributionPoints ::= SEQUENCE SIZE (1..MAX) OF DistributionPoint
//! DistributionPoint ::= SEQUENCE {
//!      distributionPoint       [0]     DistributionPointName OPTIONAL,
//!      reasons                 [1]     ReasonFlags OPTIONAL,
//!      cRLIssuer               [2]     GeneralNames OPTIONAL }
//! ```

use signet_asn1_types::x509_cert::TbsCertificate;
use signet_asn1_types::x509_cert::ext::Extension;
use signet_asn1_types::x509_cert::ext::pkix::name::{DistributionPointName, GeneralName};
use signet_asn1_types::x509_cert::ext::pkix::{AuthorityInfoAccessSyntax, CrlDistributionPoints};

use super::{CertContext, LintError, decode_ext, expect_critical, find};
use crate::oid;
use crate::profile::Presence;

/// Whether `name` is an `http://` URI.
pub(crate) fn is_http_uri(name: &GeneralName) -> bool {
    match name {
        GeneralName::UniformResourceIdentifier(uri) => {
            let uri = uri.as_str();
            uri.get(..7)
                .is_some_and(|s| s.eq_ignore_ascii_case("http://"))
                && uri.len() > 7
                && super::san::is_absolute_uri(uri)
        }
        _ => false,
    }
}

/// Presence handling shared by both extensions; returns the extension when it should be
/// examined further.
fn present<'a>(
    tbs: &'a TbsCertificate,
    oid: signet_asn1_types::const_oid::ObjectIdentifier,
    presence: Presence,
    out: &mut Vec<LintError>,
) -> Option<&'a Extension> {
    match (find(tbs, oid), presence) {
        (None, Presence::Must) => {
            out.push(LintError::ExtensionMissing { oid });
            None
        }
        (None, _) => None,
        (Some(_), Presence::MustNot) => {
            out.push(LintError::ExtensionForbidden { oid });
            None
        }
        (Some(ext), _) => {
            expect_critical(ext, false, out);
            Some(ext)
        }
    }
}

pub(crate) fn check(tbs: &TbsCertificate, cx: &CertContext<'_>, out: &mut Vec<LintError>) {
    let profile = cx.profile;
    let mut has_ocsp = false;
    let mut has_crl_dp = false;
    if let Some(ext) = present(
        tbs,
        oid::ID_PE_AUTHORITY_INFO_ACCESS,
        profile.authority_info_access,
        out,
    ) && let Some(aia) = decode_ext::<AuthorityInfoAccessSyntax>(ext, out)
    {
        has_ocsp = aia.0.iter().any(|ad| ad.access_method == oid::ID_AD_OCSP);
        if !has_ocsp {
            out.push(LintError::AiaOcspMissing);
        }
        if aia.0.is_empty() || !aia.0.iter().all(|ad| is_http_uri(&ad.access_location)) {
            out.push(LintError::UriNotHttp);
        }
    }
    if let Some(ext) = present(
        tbs,
        oid::ID_CE_CRL_DISTRIBUTION_POINTS,
        profile.crl_distribution_points,
        out,
    ) && let Some(dps) = decode_ext::<CrlDistributionPoints>(ext, out)
    {
        has_crl_dp = !dps.0.is_empty();
        for dp in &dps.0 {
            match &dp.distribution_point {
                Some(DistributionPointName::FullName(names)) => {
                    if names.is_empty() || !names.iter().all(is_http_uri) {
                        out.push(LintError::UriNotHttp);
                    }
                }
                _ => out.push(LintError::CrlDpWithoutFullName),
            }
        }
    }
    if profile.require_revocation_pointer && !has_ocsp && !has_crl_dp {
        out.push(LintError::RevocationPointerMissing);
    }
}
