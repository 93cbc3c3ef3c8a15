//! Builds the DER `TBSCertificate` from the request, the profile and the issuer.
//!
//! The structure is hand-built (the `x509-cert` `TbsCertificate` has private fields) with the
//! RFC 5280 §4.1 layout; `prepare` decodes the result again and lints the decoded value.
//!
//! ```text
//! TBSCertificate  ::=  SEQUENCE  {
//!      version         [0]  EXPLICIT Version DEFAULT v1,
//!      serialNumber         CertificateSerialNumber,
//!      signature            AlgorithmIdentifier,
//!      issuer               Name,
//!      validity             Validity,
//!      subject              Name,
//!      subjectPublicKeyInfo SubjectPublicKeyInfo,
//!      issuerUniqueID  [1]  IMPLICIT UniqueIdentifier OPTIONAL,
//!      subjectUniqueID [2]  IMPLICIT UniqueIdentifier OPTIONAL,
//!      extensions      [3]  EXPLICIT Extensions OPTIONAL }
//! ```

use der::Sequence;
use signet_asn1_types::const_oid::ObjectIdentifier;
use signet_asn1_types::der::asn1::{BitString, Ia5String, Null, OctetString, Utf8StringRef};
use signet_asn1_types::der::{DateTime, Encode};
use signet_asn1_types::spki::{AlgorithmIdentifierOwned, SubjectPublicKeyInfoOwned};
use signet_asn1_types::x509_cert::certificate::Version;
use signet_asn1_types::x509_cert::ext::Extension;
use signet_asn1_types::x509_cert::ext::pkix::certpolicy::PolicyInformation;
use signet_asn1_types::x509_cert::ext::pkix::crl::dp::DistributionPoint;
use signet_asn1_types::x509_cert::ext::pkix::name::{DistributionPointName, GeneralName};
use signet_asn1_types::x509_cert::ext::pkix::{
    AccessDescription, AuthorityInfoAccessSyntax, AuthorityKeyIdentifier, BasicConstraints,
    CertificatePolicies, CrlDistributionPoints, ExtendedKeyUsage, KeyUsage, SubjectAltName,
    SubjectKeyIdentifier,
};
use signet_asn1_types::x509_cert::name::Name;
use signet_asn1_types::x509_cert::serial_number::SerialNumber;
use signet_asn1_types::x509_cert::time::Time;

use crate::lint::LintError;
use crate::oid;
use crate::profile::{Presence, Profile};
use crate::time::{DAY, add_seconds, rfc5280_time};
use crate::{IssuanceRequest, Issuer, Serial};

/// The TBS layout for encoding. The builder never fills the unique identifiers; they exist so
/// that tests can produce the defect the `unique_ids` lint catches.
#[derive(Clone, Debug, Sequence)]
pub(crate) struct TbsOut {
    #[asn1(context_specific = "0", tag_mode = "EXPLICIT")]
    pub(crate) version: Version,
    pub(crate) serial_number: SerialNumber,
    pub(crate) signature: AlgorithmIdentifierOwned,
    pub(crate) issuer: Name,
    pub(crate) validity: RawValidity,
    pub(crate) subject: Name,
    pub(crate) subject_public_key_info: SubjectPublicKeyInfoOwned,
    #[asn1(context_specific = "1", tag_mode = "IMPLICIT", optional = "true")]
    pub(crate) issuer_unique_id: Option<BitString>,
    #[asn1(context_specific = "2", tag_mode = "IMPLICIT", optional = "true")]
    pub(crate) subject_unique_id: Option<BitString>,
    #[asn1(context_specific = "3", tag_mode = "EXPLICIT", optional = "true")]
    pub(crate) extensions: Option<Vec<Extension>>,
}

/// `Validity` without `x509-cert`'s silent re-encoding of the times, so that what is encoded
/// (and linted) is exactly what was built.
///
/// ```text
/// Validity ::= SEQUENCE { notBefore Time, notAfter Time }
/// ```
#[derive(Clone, Debug, Sequence)]
pub(crate) struct RawValidity {
    pub(crate) not_before: Time,
    pub(crate) not_after: Time,
}

/// What the builder resolved about the issuer, also handed to the lints.
pub(crate) struct ResolvedIssuer {
    pub(crate) name: Name,
    pub(crate) spki_der: Vec<u8>,
    pub(crate) key_id: Vec<u8>,
}

pub(crate) fn resolve_issuer(
    request: &IssuanceRequest,
    issuer: &Issuer,
) -> Result<ResolvedIssuer, LintError> {
    match issuer.ca() {
        Some(ca) => Ok(ResolvedIssuer {
            name: ca.name().clone(),
            spki_der: ca.spki_der.clone(),
            key_id: ca.key_identifier.clone(),
        }),
        None => Ok(ResolvedIssuer {
            name: request.subject.clone(),
            spki_der: request
                .public_key
                .to_der()
                .map_err(|_| LintError::Unencodable {
                    what: "subject public key",
                })?,
            key_id: crate::key_id::method1(&request.public_key),
        }),
    }
}

fn ext<T: Encode>(
    extn_id: ObjectIdentifier,
    critical: bool,
    value: &T,
    what: &'static str,
) -> Result<Extension, LintError> {
    let der = value
        .to_der()
        .map_err(|_| LintError::Unencodable { what })?;
    Ok(Extension {
        extn_id,
        critical,
        extn_value: OctetString::new(der).map_err(|_| LintError::Unencodable { what })?,
    })
}

fn uri(url: &str) -> Result<GeneralName, LintError> {
    Ia5String::new(url)
        .map(GeneralName::UniformResourceIdentifier)
        .map_err(|_| LintError::Unencodable { what: "URL" })
}

/// The validity period: the request's, or `now` plus the profile's default (inclusive, so one
/// second less than the full days), capped at the issuer's `notAfter` (a default never makes a
/// certificate outlive its issuer; an explicit request that does is a lint finding).
fn validity(
    request: &IssuanceRequest,
    profile: &Profile,
    issuer: &Issuer,
    now: DateTime,
) -> Result<RawValidity, LintError> {
    let not_before = request.not_before.unwrap_or(now);
    let not_after = match request.not_after {
        Some(t) => t,
        None => {
            let default = add_seconds(
                not_before,
                u64::from(profile.validity.default_days) * DAY - 1,
            )
            .ok_or(LintError::ValidityOutOfRange)?;
            match issuer.ca() {
                Some(ca) if ca.not_after < default => ca.not_after,
                _ => default,
            }
        }
    };
    Ok(RawValidity {
        not_before: rfc5280_time(not_before),
        not_after: rfc5280_time(not_after),
    })
}

fn extensions(
    request: &IssuanceRequest,
    profile: &Profile,
    issuer: &Issuer,
    resolved: &ResolvedIssuer,
) -> Result<Vec<Extension>, LintError> {
    let mut out = Vec::new();
    let bc = &profile.basic_constraints;
    out.push(ext(
        oid::ID_CE_BASIC_CONSTRAINTS,
        bc.critical,
        &BasicConstraints {
            ca: bc.ca,
            path_len_constraint: bc.path_len,
        },
        "basic constraints",
    )?);
    out.push(ext(
        oid::ID_CE_KEY_USAGE,
        profile.key_usage.critical,
        &KeyUsage(profile.key_usage_flags()),
        "key usage",
    )?);
    if let Some(eku) = &profile.extended_key_usage {
        out.push(ext(
            oid::ID_CE_EXT_KEY_USAGE,
            eku.critical,
            &ExtendedKeyUsage(eku.purposes.clone()),
            "extended key usage",
        )?);
    }
    if profile.subject_key_identifier != Presence::MustNot {
        let ski = OctetString::new(crate::key_id::method1(&request.public_key))
            .map_err(|_| LintError::Unencodable { what: "SKI" })?;
        out.push(ext(
            oid::ID_CE_SUBJECT_KEY_IDENTIFIER,
            false,
            &SubjectKeyIdentifier(ski),
            "SKI",
        )?);
    }
    if profile.authority_key_identifier != Presence::MustNot {
        let aki = AuthorityKeyIdentifier {
            key_identifier: Some(
                OctetString::new(resolved.key_id.clone())
                    .map_err(|_| LintError::Unencodable { what: "AKI" })?,
            ),
            authority_cert_issuer: None,
            authority_cert_serial_number: None,
        };
        out.push(ext(
            oid::ID_CE_AUTHORITY_KEY_IDENTIFIER,
            false,
            &aki,
            "AKI",
        )?);
    }
    if !request.subject_alt_names.is_empty() {
        out.push(ext(
            oid::ID_CE_SUBJECT_ALT_NAME,
            request.subject.is_empty(),
            &SubjectAltName(request.subject_alt_names.clone()),
            "subject alternative name",
        )?);
    }
    let policies = &profile.certificate_policies;
    let policy_ids: Vec<_> = policies
        .required
        .iter()
        .chain(&policies.additional)
        .copied()
        .collect();
    if policies.presence != Presence::MustNot && !policy_ids.is_empty() {
        let value = CertificatePolicies(
            policy_ids
                .into_iter()
                .map(|policy_identifier| PolicyInformation {
                    policy_identifier,
                    policy_qualifiers: None,
                })
                .collect(),
        );
        out.push(ext(
            oid::ID_CE_CERTIFICATE_POLICIES,
            false,
            &value,
            "certificate policies",
        )?);
    }
    let urls = &issuer.urls;
    if profile.authority_info_access != Presence::MustNot
        && !(urls.ocsp.is_empty() && urls.ca_issuers.is_empty())
    {
        let mut aia = Vec::new();
        for url in &urls.ocsp {
            aia.push(AccessDescription {
                access_method: oid::ID_AD_OCSP,
                access_location: uri(url)?,
            });
        }
        for url in &urls.ca_issuers {
            aia.push(AccessDescription {
                access_method: oid::ID_AD_CA_ISSUERS,
                access_location: uri(url)?,
            });
        }
        out.push(ext(
            oid::ID_PE_AUTHORITY_INFO_ACCESS,
            false,
            &AuthorityInfoAccessSyntax(aia),
            "authority information access",
        )?);
    }
    if profile.crl_distribution_points != Presence::MustNot && !urls.crl.is_empty() {
        let names = urls
            .crl
            .iter()
            .map(|u| uri(u))
            .collect::<Result<Vec<_>, _>>()?;
        let dp = DistributionPoint {
            distribution_point: Some(DistributionPointName::FullName(names)),
            reasons: None,
            crl_issuer: None,
        };
        out.push(ext(
            oid::ID_CE_CRL_DISTRIBUTION_POINTS,
            false,
            &CrlDistributionPoints(vec![dp]),
            "CRL distribution points",
        )?);
    }
    if profile.ocsp_no_check {
        out.push(ext(
            oid::ID_PKIX_OCSP_NOCHECK,
            false,
            &Null,
            "ocsp-nocheck",
        )?);
    }
    if let Some(level) = profile.assurance_level {
        out.push(ext(
            oid::C2PA_ASSURANCE_LEVEL,
            false,
            &level,
            "assurance level",
        )?);
    }
    if profile.cpl_record != Presence::MustNot
        && let Some(record) = &request.cpl_record
    {
        let value = Utf8StringRef::new(record)
            .map_err(|_| LintError::Unencodable { what: "CPL record" })?;
        out.push(ext(oid::C2PA_CPL_RECORD, false, &value, "CPL record")?);
    }
    Ok(out)
}

/// The parts of the TBS certificate.
pub(crate) fn tbs_parts(
    request: &IssuanceRequest,
    profile: &Profile,
    issuer: &Issuer,
    resolved: &ResolvedIssuer,
    now: DateTime,
    serial: &Serial,
) -> Result<TbsOut, LintError> {
    let signature =
        issuer
            .algorithm()
            .to_algorithm_identifier()
            .map_err(|_| LintError::Unencodable {
                what: "signature algorithm",
            })?;
    Ok(TbsOut {
        version: Version::V3,
        serial_number: SerialNumber::new(serial.as_bytes()).map_err(|_| {
            LintError::SerialTooLong {
                octets: crate::lint::serial::der_integer_len(serial.as_bytes()),
            }
        })?,
        signature,
        issuer: resolved.name.clone(),
        validity: validity(request, profile, issuer, now)?,
        subject: request.subject.clone(),
        subject_public_key_info: request.public_key.clone(),
        issuer_unique_id: None,
        subject_unique_id: None,
        extensions: Some(extensions(request, profile, issuer, resolved)?),
    })
}

impl TbsOut {
    /// The DER encoding.
    pub(crate) fn der(&self) -> Result<Vec<u8>, LintError> {
        self.to_der().map_err(|_| LintError::Unencodable {
            what: "TBSCertificate",
        })
    }
}
