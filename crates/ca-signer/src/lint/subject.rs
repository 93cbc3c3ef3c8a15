//! Lint: the subject DN is non-empty, single-valued, holds only the profile's attributes (each
//! once, the required ones present), in the string types and lengths RFC 5280 allows.
//!
//! - RFC 5280 §4.1.2.6: a CA's subject MUST be non-empty; "CAs conforming to this profile MUST
//!   use either the PrintableString or UTF8String encoding of DirectoryString".
//! - RFC 5280 Appendix A.1: `countryName` is `PrintableString (SIZE (2))`, `serialNumber` is
//!   `PrintableString`; upper bounds `ub-common-name` 64, `ub-organization-name` 64,
//!   `ub-organizational-unit-name` 64, `ub-locality-name` 128, `ub-state-name` 128,
//!   `ub-serial-number` 64.
//! - C2PA conformance profiles: "Requires C, O, CN attributes".
//! - CA/B BR §7.1.4.2: each RDN holds one attribute; no leading or trailing whitespace.
//!
//! ```text
//! Name ::= CHOICE { rdnSequence  RDNSequence }
//! RDNSequence ::= SEQUENCE OF RelativeDistinguishedName
//! RelativeDistinguishedName ::= SET SIZE (1..MAX) OF AttributeTypeAndValue
//! X520name ::= CHOICE { …, printableString PrintableString (SIZE (1..ub-name)),
//!                          utf8String UTF8String (SIZE (1..ub-name)), … }
//! ```

use signet_asn1_types::const_oid::ObjectIdentifier;
use signet_asn1_types::const_oid::db::rfc4519;
use signet_asn1_types::der::asn1::{Any, PrintableStringRef, Utf8StringRef};
use signet_asn1_types::der::{Tag, Tagged};
use signet_asn1_types::x509_cert::TbsCertificate;
use signet_asn1_types::x509_cert::name::Name;

use super::{CertContext, LintError};
use crate::limits::MAX_SUBJECT_ATTRIBUTES;
use crate::profile::{AttributeKind, SubjectRule};

impl AttributeKind {
    /// The attribute type OID.
    #[must_use]
    pub const fn oid(self) -> ObjectIdentifier {
        match self {
            Self::CommonName => rfc4519::COMMON_NAME,
            Self::Country => rfc4519::COUNTRY_NAME,
            Self::Locality => rfc4519::LOCALITY_NAME,
            Self::Organization => rfc4519::ORGANIZATION_NAME,
            Self::OrganizationalUnit => rfc4519::ORGANIZATIONAL_UNIT_NAME,
            Self::SerialNumber => rfc4519::SERIAL_NUMBER,
            Self::StateOrProvince => rfc4519::ST,
        }
    }

    /// The upper bound in characters (RFC 5280 Appendix A.1).
    #[must_use]
    pub const fn max_len(self) -> usize {
        match self {
            Self::Country => 2,
            Self::Locality | Self::StateOrProvince => 128,
            Self::CommonName
            | Self::Organization
            | Self::OrganizationalUnit
            | Self::SerialNumber => 64,
        }
    }

    fn from_oid(oid: ObjectIdentifier) -> Option<Self> {
        [
            Self::CommonName,
            Self::Country,
            Self::Locality,
            Self::Organization,
            Self::OrganizationalUnit,
            Self::SerialNumber,
            Self::StateOrProvince,
        ]
        .into_iter()
        .find(|k| k.oid() == oid)
    }
}

/// The string value of `value` if its type is allowed for `kind`, or the finding.
fn string_value(kind: AttributeKind, value: &Any) -> Result<&str, LintError> {
    let printable_only = matches!(kind, AttributeKind::Country | AttributeKind::SerialNumber);
    let invalid = LintError::SubjectValueInvalid { kind };
    match value.tag() {
        Tag::PrintableString => PrintableStringRef::try_from(value)
            .map(|s| s.as_str())
            .map_err(|_| invalid),
        Tag::Utf8String if !printable_only => Utf8StringRef::try_from(value)
            .map(|s| s.as_str())
            .map_err(|_| invalid),
        tag => Err(LintError::SubjectStringType { kind, tag }),
    }
}

/// Checks `name` against `rule`.
pub(crate) fn check_name(name: &Name, rule: &SubjectRule, out: &mut Vec<LintError>) {
    if name.is_empty() {
        out.push(LintError::SubjectEmpty);
        return;
    }
    let count = name.iter().count();
    if count > MAX_SUBJECT_ATTRIBUTES {
        out.push(LintError::SubjectTooManyAttributes { count });
        return;
    }
    if name.iter_rdn().any(|rdn| rdn.len() != 1) {
        out.push(LintError::SubjectMultiValuedRdn);
    }
    let mut seen: Vec<AttributeKind> = Vec::new();
    for atv in name.iter() {
        let Some(kind) = AttributeKind::from_oid(atv.oid)
            .filter(|k| rule.required.contains(k) || rule.allowed.contains(k))
        else {
            out.push(LintError::SubjectAttributeNotAllowed { oid: atv.oid });
            continue;
        };
        if seen.contains(&kind) {
            out.push(LintError::SubjectAttributeRepeated { kind });
        }
        seen.push(kind);
        let value = match string_value(kind, &atv.value) {
            Ok(value) => value,
            Err(e) => {
                out.push(e);
                continue;
            }
        };
        let len = value.chars().count();
        if len == 0 || len > kind.max_len() {
            out.push(LintError::SubjectValueLength {
                kind,
                len,
                max: kind.max_len(),
            });
        } else if kind == AttributeKind::Country && !value.chars().all(|c| c.is_ascii_uppercase()) {
            out.push(LintError::SubjectValueInvalid { kind });
        }
        if value.trim() != value {
            out.push(LintError::SubjectValueWhitespace { kind });
        }
    }
    for kind in &rule.required {
        if !seen.contains(kind) {
            out.push(LintError::SubjectAttributeMissing { kind: *kind });
        }
    }
}

pub(crate) fn check(tbs: &TbsCertificate, cx: &CertContext<'_>, out: &mut Vec<LintError>) {
    check_name(tbs.subject(), &cx.profile.subject, out);
}
