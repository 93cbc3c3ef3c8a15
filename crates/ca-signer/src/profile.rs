//! Certificate profiles as data.
//!
//! A [`Profile`] says what a certificate issued under it contains and what the lints accept:
//! subject attributes, key types and sizes, validity, key usage, extended key usage, basic
//! constraints, key identifiers, policies, AIA / CRL distribution points, subject alternative
//! names and the C2PA extensions. The built-in constructors (in [`builtin`]) transcribe the C2PA
//! 2.2 conformance profiles (`c2pa-conformance/*.cert.yaml`) and C2PA 2.2 §14.5.1; an operator's
//! CP/CPS defines more through serde (TOML, JSON), with unknown fields rejected.
//!
//! OIDs are written as dotted strings (`"1.3.6.1.4.1.62558.2.1"`).

use serde::{Deserialize, Serialize};
use signet_asn1_types::const_oid::ObjectIdentifier;
use signet_asn1_types::der::flagset::FlagSet;
use signet_asn1_types::x509_cert::ext::pkix::KeyUsages;

pub mod builtin;
mod validate;

pub use builtin::{AssuranceLevel, CmpRole};
pub use validate::ProfileDefect;

/// A certificate profile (RFC 5280 §4 as narrowed by a CP/CPS).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Profile {
    /// Human-readable name, used in findings.
    pub name: String,
    /// Subject distinguished-name rules.
    pub subject: SubjectRule,
    /// Acceptable subject public keys (any one rule may match).
    pub public_keys: Vec<KeyRule>,
    /// Signature algorithms the issuer may sign a certificate of this profile with.
    pub signature_algorithms: Vec<SignatureFamily>,
    /// Validity bounds.
    pub validity: ValidityRule,
    /// The key usage extension (always present: C2PA 2.2 §14.5.1.1, RFC 5280 §4.2.1.3).
    pub key_usage: KeyUsageRule,
    /// The basic constraints extension (present in every C2PA profile).
    pub basic_constraints: BasicConstraintsRule,
    /// The extended key usage extension; `None` means it must be absent.
    pub extended_key_usage: Option<EkuRule>,
    /// The subject key identifier (RFC 5280 §4.2.1.2, method 1).
    pub subject_key_identifier: Presence,
    /// The authority key identifier (RFC 5280 §4.2.1.1): the issuer's SKI.
    pub authority_key_identifier: Presence,
    /// The certificate policies extension.
    pub certificate_policies: PolicyRule,
    /// The authority information access extension (OCSP and caIssuers URLs from the issuer).
    pub authority_info_access: Presence,
    /// The CRL distribution points extension (the issuer's CRL URL).
    pub crl_distribution_points: Presence,
    /// At least one of AIA `id-ad-ocsp` or a CRL distribution point must be present.
    pub require_revocation_pointer: bool,
    /// Subject alternative names taken from the request.
    pub subject_alt_name: SanRule,
    /// `id-pkix-ocsp-nocheck` (RFC 6960 §4.2.2.2.1) must be present (OCSP responders).
    pub ocsp_no_check: bool,
    /// The C2PA assurance level OID to place in the `id-c2pa-al` extension, if any.
    #[serde(default, with = "oid_option")]
    pub assurance_level: Option<ObjectIdentifier>,
    /// The C2PA CPL record extension (`c2pa-cpl-record`, the request's UUID).
    pub cpl_record: Presence,
}

/// Whether an extension or field must, may or must not be present.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Presence {
    /// Present; the certificate is refused without it.
    Must,
    /// Must not be present.
    MustNot,
    /// Present when the data exists (from the issuer or the request).
    Optional,
}

/// Subject DN attribute types Signet knows the rules of (RFC 5280 Appendix A.1 bounds).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum AttributeKind {
    /// `commonName` (2.5.4.3), `ub-common-name` 64.
    CommonName,
    /// `countryName` (2.5.4.6), PrintableString of two letters.
    Country,
    /// `localityName` (2.5.4.7), `ub-locality-name` 128.
    Locality,
    /// `organizationName` (2.5.4.10), `ub-organization-name` 64.
    Organization,
    /// `organizationalUnitName` (2.5.4.11), `ub-organizational-unit-name` 64.
    OrganizationalUnit,
    /// `serialNumber` (2.5.4.5), PrintableString, `ub-serial-number` 64.
    SerialNumber,
    /// `stateOrProvinceName` (2.5.4.8), `ub-state-name` 128.
    StateOrProvince,
}

/// Which subject attributes are required and which are allowed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct SubjectRule {
    /// Attributes that must appear (exactly once).
    pub required: Vec<AttributeKind>,
    /// Further attributes that may appear (at most once).
    pub allowed: Vec<AttributeKind>,
}

/// An acceptable subject public key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(
    deny_unknown_fields,
    rename_all = "kebab-case",
    rename_all_fields = "kebab-case",
    tag = "type"
)]
pub enum KeyRule {
    /// `rsaEncryption` with a modulus of at least `min-bits`.
    Rsa {
        /// Smallest modulus, in bits (never below 2048: C2PA 2.2 §14.5.1.1).
        min_bits: u32,
    },
    /// `id-ecPublicKey` on one of the curves.
    Ec {
        /// Named curves accepted.
        curves: Vec<Curve>,
    },
    /// `id-Ed25519` (RFC 8410).
    Ed25519,
}

/// A named elliptic curve (RFC 5480 §2.1.1.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Curve {
    /// `secp256r1` / `prime256v1`.
    P256,
    /// `secp384r1`.
    P384,
    /// `secp521r1`.
    P521,
}

/// A family of signature algorithms (C2PA 2.2 §14.5.1.1 lists the members).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SignatureFamily {
    /// `ecdsa-with-SHA256/384/512`.
    EcdsaSha2,
    /// `sha256/384/512WithRSAEncryption`.
    RsaPkcs1Sha2,
    /// `id-RSASSA-PSS` with SHA-256/384/512.
    RsaPss,
    /// `id-Ed25519`.
    Ed25519,
}

/// Validity bounds (RFC 5280 §4.1.2.5; the period is inclusive of both ends).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct ValidityRule {
    /// Longest validity period in days; `None` leaves it to the issuer's own validity.
    pub max_days: Option<u32>,
    /// Validity period used when the request does not ask for one.
    pub default_days: u32,
    /// How far before `now` a requested `notBefore` may lie, in seconds.
    pub max_backdate_seconds: u32,
}

/// A key usage bit (RFC 5280 §4.2.1.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum KeyUsageBit {
    /// `digitalSignature` (0).
    DigitalSignature,
    /// `nonRepudiation` / `contentCommitment` (1).
    NonRepudiation,
    /// `keyEncipherment` (2).
    KeyEncipherment,
    /// `dataEncipherment` (3).
    DataEncipherment,
    /// `keyAgreement` (4).
    KeyAgreement,
    /// `keyCertSign` (5).
    KeyCertSign,
    /// `cRLSign` (6).
    CrlSign,
    /// `encipherOnly` (7).
    EncipherOnly,
    /// `decipherOnly` (8).
    DecipherOnly,
}

impl KeyUsageBit {
    /// The `x509-cert` flag for this bit.
    #[must_use]
    pub const fn flag(self) -> KeyUsages {
        match self {
            Self::DigitalSignature => KeyUsages::DigitalSignature,
            Self::NonRepudiation => KeyUsages::NonRepudiation,
            Self::KeyEncipherment => KeyUsages::KeyEncipherment,
            Self::DataEncipherment => KeyUsages::DataEncipherment,
            Self::KeyAgreement => KeyUsages::KeyAgreement,
            Self::KeyCertSign => KeyUsages::KeyCertSign,
            Self::CrlSign => KeyUsages::CRLSign,
            Self::EncipherOnly => KeyUsages::EncipherOnly,
            Self::DecipherOnly => KeyUsages::DecipherOnly,
        }
    }
}

/// The key usage extension: exactly these bits, with this criticality.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct KeyUsageRule {
    /// The bits asserted (no others).
    pub bits: Vec<KeyUsageBit>,
    /// Whether the extension is critical.
    pub critical: bool,
}

/// The basic constraints extension (RFC 5280 §4.2.1.9).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct BasicConstraintsRule {
    /// The `cA` boolean.
    pub ca: bool,
    /// `pathLenConstraint` (only with `ca`).
    #[serde(default)]
    pub path_len: Option<u8>,
    /// Whether the extension is critical.
    pub critical: bool,
}

/// The extended key usage extension (RFC 5280 §4.2.1.12, C2PA 2.2 §14.5.1.1).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct EkuRule {
    /// The purposes written into the certificate, in this order.
    #[serde(with = "oid_list")]
    pub purposes: Vec<ObjectIdentifier>,
    /// Purposes that must all be present.
    #[serde(with = "oid_list")]
    pub required: Vec<ObjectIdentifier>,
    /// When non-empty, at least one of these must be present.
    #[serde(default, with = "oid_list")]
    pub one_of: Vec<ObjectIdentifier>,
    /// No purpose outside `required` and `one_of` is allowed.
    pub exclusive: bool,
    /// Whether the extension is critical.
    pub critical: bool,
}

/// The certificate policies extension (RFC 5280 §4.2.1.4).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct PolicyRule {
    /// Presence of the extension.
    pub presence: Presence,
    /// Policy OIDs that must be present (written first).
    #[serde(default, with = "oid_list")]
    pub required: Vec<ObjectIdentifier>,
    /// Further policy OIDs written (e.g. the CA's CPS OID).
    #[serde(default, with = "oid_list")]
    pub additional: Vec<ObjectIdentifier>,
}

/// A kind of `GeneralName` accepted in the subject alternative name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum GeneralNameKind {
    /// `dNSName` (preferred name syntax, RFC 5280 §4.2.1.6).
    DnsName,
    /// `rfc822Name` (an e-mail address, RFC 5280 §4.2.1.6).
    Rfc822Name,
    /// `uniformResourceIdentifier` (absolute URI with a scheme).
    Uri,
}

/// The subject alternative name extension (RFC 5280 §4.2.1.6).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct SanRule {
    /// Presence of the extension.
    pub presence: Presence,
    /// Name forms accepted.
    pub allowed: Vec<GeneralNameKind>,
}

impl Profile {
    /// The key usage flags of [`Self::key_usage`].
    #[must_use]
    pub fn key_usage_flags(&self) -> FlagSet<KeyUsages> {
        self.key_usage
            .bits
            .iter()
            .fold(Default::default(), |set, bit| set | bit.flag())
    }
}

/// serde for a list of OIDs as dotted strings.
mod oid_list {
    use serde::de::Error as _;
    use serde::{Deserialize, Deserializer, Serializer};
    use signet_asn1_types::const_oid::ObjectIdentifier;

    pub(super) fn serialize<S: Serializer>(
        oids: &[ObjectIdentifier],
        s: S,
    ) -> Result<S::Ok, S::Error> {
        s.collect_seq(oids.iter().map(ToString::to_string))
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(
        d: D,
    ) -> Result<Vec<ObjectIdentifier>, D::Error> {
        Vec::<String>::deserialize(d)?
            .iter()
            .map(|s| ObjectIdentifier::new(s).map_err(D::Error::custom))
            .collect()
    }
}

/// serde for an optional OID as a dotted string.
mod oid_option {
    use serde::de::Error as _;
    use serde::{Deserialize, Deserializer, Serializer};
    use signet_asn1_types::const_oid::ObjectIdentifier;

    pub(super) fn serialize<S: Serializer>(
        oid: &Option<ObjectIdentifier>,
        s: S,
    ) -> Result<S::Ok, S::Error> {
        match oid {
            Some(oid) => s.serialize_some(&oid.to_string()),
            None => s.serialize_none(),
        }
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(
        d: D,
    ) -> Result<Option<ObjectIdentifier>, D::Error> {
        Option::<String>::deserialize(d)?
            .map(|s| ObjectIdentifier::new(&s).map_err(D::Error::custom))
            .transpose()
    }
}

#[cfg(test)]
mod tests;
