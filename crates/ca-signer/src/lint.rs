//! Pre-issuance lints: every rule a certificate must meet before it is signed.
//!
//! The lints run over the `TBSCertificate` **decoded from the DER the builder produced**, not
//! over the builder's inputs, so a builder bug is caught like a bad request. Each lint is its own
//! module citing its source (RFC 5280, C2PA 2.2 §14.5.1, the C2PA conformance profiles, the
//! CA/Browser Forum Baseline Requirements); all run, and every finding is reported at once in
//! [`LintErrors`].

use core::fmt;

use signet_asn1_types::const_oid::ObjectIdentifier;
use signet_asn1_types::crypto::SignatureAlgorithm;
use signet_asn1_types::der::{DateTime, Decode, Tag};
use signet_asn1_types::x509_cert::TbsCertificate;
use signet_asn1_types::x509_cert::ext::Extension;
use signet_asn1_types::x509_cert::name::Name;

use crate::profile::{AttributeKind, GeneralNameKind, Profile};
use crate::{Issuer, Serial};

pub mod basic_constraints;
pub mod c2pa_extensions;
pub mod ext_key_usage;
pub mod extensions;
pub mod issuer;
pub mod key_identifiers;
pub mod key_usage;
pub mod policies;
pub mod public_key;
pub mod revocation_pointers;
pub mod roca;
pub mod san;
pub mod serial;
pub mod signature_algorithm;
pub mod subject;
pub mod unique_ids;
pub mod validity;
pub mod version;

/// One lint finding: what is wrong, with the values involved.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum LintError {
    // ---- building ----
    /// A value from the request or the issuer cannot be DER-encoded (e.g. a URL that is not
    /// IA5, a name that does not encode).
    #[error("cannot encode {what}")]
    Unencodable {
        /// What failed to encode.
        what: &'static str,
    },
    /// The validity period cannot be computed (beyond year 9999).
    #[error("validity period out of range")]
    ValidityOutOfRange,

    // ---- version, unique IDs (RFC 5280 §4.1.2.1, §4.1.2.8) ----
    /// The version is not v3.
    #[error("version is not v3")]
    VersionNotV3,
    /// `issuerUniqueID` or `subjectUniqueID` is present.
    #[error("issuerUniqueID or subjectUniqueID present")]
    UniqueIdentifierPresent,

    // ---- serial (RFC 5280 §4.1.2.2, BR §7.1) ----
    /// The serial is zero or negative.
    #[error("serial number is not positive")]
    SerialNotPositive,
    /// The serial's encoding is longer than 20 octets.
    #[error("serial number is {octets} octets, more than 20")]
    SerialTooLong {
        /// Content octets of the INTEGER.
        octets: usize,
    },
    /// Fewer than 64 bits of the serial came from a CSPRNG.
    #[error("serial number has {bits} random bits, fewer than 64")]
    SerialLowEntropy {
        /// Random bits.
        bits: u32,
    },
    /// The encoded serial differs from the generated one.
    #[error("serial number in the certificate is not the generated one")]
    SerialMismatch,

    // ---- signature algorithm (RFC 5280 §4.1.2.3, C2PA §14.5.1.1) ----
    /// The `signature` field is not an algorithm Signet signs with.
    #[error("signature algorithm {oid} is not accepted")]
    SignatureAlgorithmUnknown {
        /// The OID found.
        oid: ObjectIdentifier,
    },
    /// The `signature` field is not the issuer's algorithm.
    #[error("signature algorithm {found:?} is not the issuer's {issuer:?}")]
    SignatureAlgorithmMismatch {
        /// In the TBS.
        found: SignatureAlgorithm,
        /// The issuer's.
        issuer: SignatureAlgorithm,
    },
    /// The profile does not allow this signature algorithm.
    #[error("signature algorithm {algorithm:?} not allowed by the profile")]
    SignatureAlgorithmNotAllowed {
        /// The algorithm.
        algorithm: SignatureAlgorithm,
    },
    /// The issuer's key cannot produce this algorithm (wrong key type or curve).
    #[error("issuer key does not match signature algorithm {algorithm:?}")]
    SignatureAlgorithmKeyMismatch {
        /// The algorithm.
        algorithm: SignatureAlgorithm,
    },

    // ---- issuer ----
    /// The `issuer` field is not the issuer certificate's subject.
    #[error("issuer name does not match the issuer certificate's subject")]
    IssuerNameMismatch,
    /// The issuer certificate is not a CA (basicConstraints cA).
    #[error("issuer certificate is not a CA")]
    IssuerNotCa,
    /// The issuer certificate's key usage lacks `keyCertSign` (or `cRLSign` for CRLs).
    #[error("issuer key usage lacks {bit}")]
    IssuerKeyUsage {
        /// The missing bit.
        bit: &'static str,
    },
    /// The issuer's pathLenConstraint does not allow another CA below it.
    #[error("issuer pathLenConstraint {issuer_path_len} does not allow this CA certificate")]
    PathLenExceedsIssuer {
        /// The issuer's constraint.
        issuer_path_len: u8,
    },
    /// A certificate that is not self-signed has the issuer's name as subject.
    #[error("subject equals issuer name in a certificate that is not self-signed")]
    SubjectEqualsIssuer,
    /// Only CA profiles can be self-signed.
    #[error("self-signed certificate under a non-CA profile")]
    SelfSignedNotCa,

    // ---- validity (RFC 5280 §4.1.2.5) ----
    /// `notBefore` is not before `notAfter`.
    #[error("notBefore is not before notAfter")]
    ValidityInverted,
    /// A time uses GeneralizedTime before 2050 (or UTCTime from 2050).
    #[error("validity time encoded against RFC 5280 §4.1.2.5")]
    ValidityTimeEncoding,
    /// The period is longer than the profile allows.
    #[error("validity of {days} days exceeds the profile's {max_days}")]
    ValidityTooLong {
        /// Days, rounded up.
        days: u64,
        /// The profile's maximum.
        max_days: u32,
    },
    /// `notBefore` lies further before `now` than the profile allows.
    #[error("notBefore is backdated by {seconds} s, more than {max_seconds} s")]
    NotBeforeBackdated {
        /// Seconds before `now`.
        seconds: u64,
        /// The profile's allowance.
        max_seconds: u32,
    },
    /// `notAfter` is not after `now`.
    #[error("notAfter is not after the issuance time")]
    ValidityAlreadyExpired,
    /// The period is not inside the issuer's validity.
    #[error("validity extends outside the issuer's validity")]
    ValidityOutsideIssuer,

    // ---- subject (RFC 5280 §4.1.2.6, Appendix A.1; BR §7.1.4) ----
    /// The subject is empty.
    #[error("subject is empty")]
    SubjectEmpty,
    /// More attributes than [`MAX_SUBJECT_ATTRIBUTES`](crate::limits::MAX_SUBJECT_ATTRIBUTES).
    #[error("subject has {count} attributes")]
    SubjectTooManyAttributes {
        /// Attributes found.
        count: usize,
    },
    /// An RDN holds more than one attribute.
    #[error("multi-valued RDN in subject")]
    SubjectMultiValuedRdn,
    /// An attribute type the profile does not allow.
    #[error("subject attribute {oid} not allowed")]
    SubjectAttributeNotAllowed {
        /// The attribute type.
        oid: ObjectIdentifier,
    },
    /// An attribute appears more than once.
    #[error("subject attribute {kind:?} repeated")]
    SubjectAttributeRepeated {
        /// The attribute.
        kind: AttributeKind,
    },
    /// A required attribute is missing.
    #[error("subject attribute {kind:?} missing")]
    SubjectAttributeMissing {
        /// The attribute.
        kind: AttributeKind,
    },
    /// The value uses a string type RFC 5280 does not allow for it.
    #[error("subject attribute {kind:?} encoded as {tag}")]
    SubjectStringType {
        /// The attribute.
        kind: AttributeKind,
        /// The tag found.
        tag: Tag,
    },
    /// The value is not valid for its string type (charset, UTF-8, country code).
    #[error("subject attribute {kind:?} has an invalid value")]
    SubjectValueInvalid {
        /// The attribute.
        kind: AttributeKind,
    },
    /// The value is empty or longer than its upper bound.
    #[error("subject attribute {kind:?} has {len} characters (1..={max})")]
    SubjectValueLength {
        /// The attribute.
        kind: AttributeKind,
        /// Characters found.
        len: usize,
        /// The upper bound.
        max: usize,
    },
    /// The value begins or ends with whitespace.
    #[error("subject attribute {kind:?} has leading or trailing whitespace")]
    SubjectValueWhitespace {
        /// The attribute.
        kind: AttributeKind,
    },

    // ---- public key (C2PA §14.5.1.1, RFC 3279, RFC 5480, RFC 8410, BR §6.1.5–6.1.6) ----
    /// The key algorithm is not allowed by the profile.
    #[error("public key algorithm {oid} not allowed")]
    KeyTypeNotAllowed {
        /// The SPKI algorithm.
        oid: ObjectIdentifier,
    },
    /// The key or its parameters do not decode.
    #[error("public key is malformed")]
    KeyMalformed,
    /// The RSA modulus is smaller than the profile's minimum.
    #[error("RSA modulus of {bits} bits, fewer than {min_bits}")]
    RsaModulusTooSmall {
        /// Modulus size.
        bits: u32,
        /// The minimum.
        min_bits: u32,
    },
    /// The RSA modulus is larger than [`MAX_RSA_MODULUS_BITS`](crate::limits::MAX_RSA_MODULUS_BITS).
    #[error("RSA modulus of {bits} bits is too large")]
    RsaModulusTooLarge {
        /// Modulus size.
        bits: u32,
    },
    /// The RSA modulus is even or has a prime factor below 752 (BR §6.1.6).
    #[error("RSA modulus has a small factor {factor}")]
    RsaModulusSmallFactor {
        /// The factor.
        factor: u32,
    },
    /// The RSA public exponent is even or outside 2^16+1 ..= 2^256-1 (BR §6.1.6).
    #[error("RSA public exponent is not an odd number in 2^16+1..2^256")]
    RsaExponentInvalid,
    /// The modulus has the ROCA fingerprint (CVE-2017-15361).
    #[error("RSA modulus has the ROCA fingerprint (CVE-2017-15361)")]
    RocaVulnerableKey,
    /// The EC curve is not allowed (or parameters are not a named curve).
    #[error("EC curve {curve:?} not allowed")]
    EcCurveNotAllowed {
        /// The curve OID, if named.
        curve: Option<ObjectIdentifier>,
    },
    /// The EC point is not an uncompressed point of the curve's size.
    #[error("EC public key is not an uncompressed point of the right length")]
    EcPointInvalid,
    /// The Ed25519 key is not 32 octets, or has parameters.
    #[error("Ed25519 public key malformed")]
    Ed25519KeyInvalid,

    // ---- extensions in general (RFC 5280 §4.2) ----
    /// An extension appears more than once.
    #[error("extension {oid} appears more than once")]
    DuplicateExtension {
        /// The extension.
        oid: ObjectIdentifier,
    },
    /// An extension the profile does not know.
    #[error("extension {oid} not allowed by the profile")]
    UnexpectedExtension {
        /// The extension.
        oid: ObjectIdentifier,
    },
    /// A required extension is missing.
    #[error("extension {oid} missing")]
    ExtensionMissing {
        /// The extension.
        oid: ObjectIdentifier,
    },
    /// An extension the profile forbids is present.
    #[error("extension {oid} must not be present")]
    ExtensionForbidden {
        /// The extension.
        oid: ObjectIdentifier,
    },
    /// An extension has the wrong criticality.
    #[error("extension {oid} critical={found}, expected {expected}")]
    ExtensionCriticality {
        /// The extension.
        oid: ObjectIdentifier,
        /// Expected flag.
        expected: bool,
        /// Found flag.
        found: bool,
    },
    /// An extension value does not decode.
    #[error("extension {oid} malformed")]
    ExtensionMalformed {
        /// The extension.
        oid: ObjectIdentifier,
    },

    // ---- key usage (RFC 5280 §4.2.1.3, C2PA §14.5.1.1) ----
    /// The key usage bits are not the profile's.
    #[error("key usage bits {found:#06x}, expected {expected:#06x}")]
    KeyUsageMismatch {
        /// Expected bits (bit 0 = digitalSignature).
        expected: u16,
        /// Found bits.
        found: u16,
    },
    /// `keyCertSign` without `cA`.
    #[error("keyCertSign asserted without basicConstraints cA")]
    KeyCertSignWithoutCa,
    /// A bit the key type cannot support (e.g. keyEncipherment with an EC or Ed25519 key).
    #[error("key usage bit {bit} not possible with this key type")]
    KeyUsageIncompatibleWithKey {
        /// The bit.
        bit: &'static str,
    },

    // ---- extended key usage (RFC 5280 §4.2.1.12, C2PA §14.5.1.1) ----
    /// An end-entity certificate without EKU.
    #[error("end-entity certificate without extended key usage")]
    EkuMissingForEndEntity,
    /// The EKU list is empty.
    #[error("extended key usage is empty")]
    EkuEmpty,
    /// `anyExtendedKeyUsage` is present.
    #[error("anyExtendedKeyUsage present")]
    EkuAnyPresent,
    /// A required purpose is missing.
    #[error("extended key usage lacks {oid}")]
    EkuRequiredMissing {
        /// The purpose.
        oid: ObjectIdentifier,
    },
    /// None of the profile's alternative purposes is present.
    #[error("extended key usage has none of the alternative purposes")]
    EkuOneOfMissing,
    /// A purpose outside the profile's list.
    #[error("extended key usage {oid} not allowed")]
    EkuNotAllowed {
        /// The purpose.
        oid: ObjectIdentifier,
    },
    /// `id-kp-timeStamping` or `id-kp-OCSPSigning` together with another purpose.
    #[error("{oid} must be the only extended key usage")]
    EkuNotExclusive {
        /// The exclusive purpose.
        oid: ObjectIdentifier,
    },
    /// A purpose listed twice.
    #[error("extended key usage {oid} repeated")]
    EkuRepeated {
        /// The purpose.
        oid: ObjectIdentifier,
    },

    // ---- basic constraints (RFC 5280 §4.2.1.9) ----
    /// `cA` differs from the profile.
    #[error("basicConstraints cA={found}, expected {expected}")]
    BasicConstraintsCa {
        /// Expected.
        expected: bool,
        /// Found.
        found: bool,
    },
    /// `pathLenConstraint` differs from the profile.
    #[error("pathLenConstraint {found:?}, expected {expected:?}")]
    PathLenMismatch {
        /// Expected.
        expected: Option<u8>,
        /// Found.
        found: Option<u8>,
    },
    /// `pathLenConstraint` without `cA` and `keyCertSign`.
    #[error("pathLenConstraint present without cA and keyCertSign")]
    PathLenWithoutCa,

    // ---- key identifiers (RFC 5280 §4.2.1.1, §4.2.1.2) ----
    /// The SKI is not method 1 over the subject key.
    #[error("subject key identifier is not the SHA-1 of the subject public key")]
    SkiMismatch,
    /// The AKI has no `keyIdentifier`.
    #[error("authority key identifier lacks keyIdentifier")]
    AkiKeyIdentifierMissing,
    /// The AKI `keyIdentifier` is not the issuer's SKI.
    #[error("authority key identifier does not match the issuer's subject key identifier")]
    AkiMismatch,

    // ---- subject alternative name (RFC 5280 §4.2.1.6) ----
    /// More names than [`MAX_SAN_ENTRIES`](crate::limits::MAX_SAN_ENTRIES), or none.
    #[error("subject alternative name has {count} entries")]
    SanCount {
        /// Entries found.
        count: usize,
    },
    /// A name form the profile does not allow.
    #[error("subject alternative name form not allowed")]
    SanTypeNotAllowed,
    /// A name that violates its syntax.
    #[error("subject alternative name {kind:?} is malformed")]
    SanMalformed {
        /// The name form.
        kind: GeneralNameKind,
    },
    /// A name listed twice.
    #[error("subject alternative name repeated")]
    SanRepeated,

    // ---- certificate policies (RFC 5280 §4.2.1.4) ----
    /// A required policy is missing.
    #[error("certificate policy {oid} missing")]
    PolicyMissing {
        /// The policy.
        oid: ObjectIdentifier,
    },
    /// A policy OID appears twice.
    #[error("certificate policy {oid} repeated")]
    PolicyRepeated {
        /// The policy.
        oid: ObjectIdentifier,
    },

    // ---- AIA and CRL DP (RFC 5280 §4.2.2.1, §4.2.1.13, C2PA profiles) ----
    /// AIA present without an `id-ad-ocsp` entry.
    #[error("authority information access has no id-ad-ocsp entry")]
    AiaOcspMissing,
    /// An access location or distribution point that is not an `http://` URI.
    #[error("access location or distribution point is not an http URI")]
    UriNotHttp,
    /// A CRL distribution point without a full name.
    #[error("CRL distribution point without fullName")]
    CrlDpWithoutFullName,
    /// Neither AIA `id-ad-ocsp` nor a CRL distribution point.
    #[error("neither an OCSP URL nor a CRL distribution point")]
    RevocationPointerMissing,

    // ---- C2PA extensions (conformance profiles) and OCSP no-check (RFC 6960 §4.2.2.2.1) ----
    /// The `id-c2pa-al` value is not the profile's assurance level.
    #[error("C2PA assurance level is not the profile's")]
    AssuranceLevelMismatch,
    /// The CPL record is not a UTF8String UUID of 36 characters.
    #[error("C2PA CPL record is not a 36-character UUID")]
    CplRecordInvalid,
    /// `id-pkix-ocsp-nocheck` value is not NULL.
    #[error("id-pkix-ocsp-nocheck value is not NULL")]
    OcspNoCheckInvalid,

    // ---- CRLs (RFC 5280 §5, CA/B BR §4.9.7, §7.2) ----
    /// A CRL or OCSP response needs an issuer certificate (not a self-signed request).
    #[error("revocation information needs an issuer certificate")]
    IssuerCertificateRequired,
    /// The CRL is not v2.
    #[error("CRL version is not v2")]
    CrlVersionNotV2,
    /// `nextUpdate` is absent.
    #[error("nextUpdate is absent")]
    NextUpdateMissing,
    /// `nextUpdate` is not after `thisUpdate`.
    #[error("nextUpdate is not after thisUpdate")]
    UpdateInverted,
    /// `nextUpdate - thisUpdate` exceeds the profile's maximum.
    #[error("update interval of {days} days exceeds {max_days}")]
    UpdateIntervalTooLong {
        /// Days, rounded up.
        days: u64,
        /// The maximum.
        max_days: u32,
    },
    /// `thisUpdate` lies outside the issuer's validity.
    #[error("thisUpdate outside the issuer's validity")]
    ThisUpdateOutsideIssuer,
    /// A CRL time uses GeneralizedTime before 2050 (or UTCTime from 2050).
    #[error("CRL time encoded against RFC 5280 §5.1.2.4")]
    CrlTimeEncoding,
    /// `revokedCertificates` is present but empty.
    #[error("revokedCertificates present but empty")]
    CrlEmptyRevokedList,
    /// More entries than [`MAX_CRL_ENTRIES`](crate::limits::MAX_CRL_ENTRIES).
    #[error("CRL has {count} entries")]
    CrlTooManyEntries {
        /// Entries.
        count: usize,
    },
    /// A serial number listed twice.
    #[error("serial number revoked twice in one CRL")]
    CrlDuplicateSerial,
    /// A revocation date after `thisUpdate`.
    #[error("revocation date after thisUpdate")]
    RevocationAfterThisUpdate,
    /// A reason code that must not be used (`unspecified`, `removeFromCRL` outside delta CRLs).
    #[error("reason code {reason:?} not allowed")]
    ReasonNotAllowed {
        /// The reason.
        reason: signet_asn1_types::x509_cert::ext::pkix::CrlReason,
    },
    /// The CRL number is negative or longer than 20 octets.
    #[error("CRL number is negative or longer than 20 octets")]
    CrlNumberInvalid,

    // ---- OCSP (RFC 6960, CA/B BR §4.9.9–4.9.10) ----
    /// A response with no `SingleResponse`, or more than the limit.
    #[error("OCSP response has {count} single responses")]
    OcspResponseCount {
        /// Responses.
        count: usize,
    },
    /// A `good`/`revoked` answer for a CertID that does not name this CA.
    #[error("CertID does not name the responder's CA")]
    OcspCertIdWrongIssuer,
    /// A CertID hash algorithm that is not SHA-1/256/384/512, or hashes of the wrong length.
    #[error("CertID hash algorithm {oid} not accepted")]
    OcspCertIdHash {
        /// The algorithm.
        oid: ObjectIdentifier,
    },
    /// The same CertID answered twice.
    #[error("CertID answered twice")]
    OcspDuplicateCertId,
    /// `thisUpdate` after `producedAt`.
    #[error("thisUpdate after producedAt")]
    OcspThisUpdateAfterProducedAt,
    /// The responder ID is not the SHA-1 of the signing key.
    #[error("responderID does not identify the signing key")]
    OcspResponderIdMismatch,
    /// The delegated responder certificate lacks the OCSP-signing EKU, digitalSignature, or
    /// was not issued by the CA, or the CA itself lacks digitalSignature.
    #[error("responder certificate unfit: {reason}")]
    OcspResponderUnauthorized {
        /// What is missing.
        reason: &'static str,
    },
    /// The responder certificate is not valid at `producedAt`.
    #[error("responder certificate not valid at producedAt")]
    OcspResponderExpired,
    /// A delegated responder's certificate is not in `certs`.
    #[error("delegated responder certificate not included in certs")]
    OcspResponderCertMissing,

    // ---- time-stamp tokens (RFC 3161 §2.3, §2.4.2) ----
    /// The TSA certificate may not sign time-stamp tokens.
    #[error("TSA certificate unfit: {reason}")]
    TsaCertificateUnfit {
        /// What is wrong.
        reason: &'static str,
    },
    /// The TSA certificate is not valid at `genTime`.
    #[error("TSA certificate not valid at genTime")]
    TsaCertificateExpired,
    /// A `TSTInfo` field differs from the request or the TSA policy.
    #[error("TSTInfo {field} does not match the request or the TSA policy")]
    TstMismatch {
        /// The field.
        field: &'static str,
    },
}

/// All findings of one `prepare` call (never empty).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LintErrors(Vec<LintError>);

impl LintErrors {
    /// The findings, in lint order.
    #[must_use]
    pub fn findings(&self) -> &[LintError] {
        &self.0
    }

    /// Whether `finding` is among them.
    #[must_use]
    pub fn contains(&self, finding: &LintError) -> bool {
        self.0.contains(finding)
    }

    pub(crate) fn one(finding: LintError) -> Self {
        Self(vec![finding])
    }

    /// `Ok` when `findings` is empty.
    pub(crate) fn check(findings: Vec<LintError>) -> Result<(), Self> {
        if findings.is_empty() {
            Ok(())
        } else {
            Err(Self(findings))
        }
    }
}

impl fmt::Display for LintErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} lint finding(s)", self.0.len())?;
        for (i, finding) in self.0.iter().enumerate() {
            write!(f, "{}{finding}", if i == 0 { ": " } else { "; " })?;
        }
        Ok(())
    }
}

impl std::error::Error for LintErrors {}

/// What the certificate lints know besides the TBS itself.
#[derive(Debug)]
pub(crate) struct CertContext<'a> {
    pub(crate) profile: &'a Profile,
    pub(crate) issuer: &'a Issuer,
    pub(crate) now: DateTime,
    pub(crate) serial: &'a Serial,
    /// The issuer's name (the subject's own for a self-signed certificate).
    pub(crate) issuer_name: &'a Name,
    /// The issuer's key as DER SPKI (the subject's own for a self-signed certificate).
    pub(crate) issuer_spki_der: &'a [u8],
    /// The issuer's key identifier (the subject's own for a self-signed certificate).
    pub(crate) issuer_key_id: &'a [u8],
}

/// Runs every certificate lint, in a fixed order.
pub(crate) fn run_all(tbs: &TbsCertificate, cx: &CertContext<'_>) -> Vec<LintError> {
    let mut out = Vec::new();
    let lints: [fn(&TbsCertificate, &CertContext<'_>, &mut Vec<LintError>); 18] = [
        version::check,
        unique_ids::check,
        serial::check,
        signature_algorithm::check,
        issuer::check,
        validity::check,
        subject::check,
        public_key::check,
        roca::check,
        extensions::check,
        key_usage::check,
        ext_key_usage::check,
        basic_constraints::check,
        key_identifiers::check,
        san::check,
        policies::check,
        revocation_pointers::check,
        c2pa_extensions::check,
    ];
    for lint in lints {
        lint(tbs, cx, &mut out);
    }
    out
}

/// An extension looked up by OID: the first occurrence (duplicates are the `extensions`
/// lint's finding).
pub(crate) fn find(tbs: &TbsCertificate, oid: ObjectIdentifier) -> Option<&Extension> {
    tbs.extensions()?.iter().find(|e| e.extn_id == oid)
}

/// The decoded value of the extension `oid`: `None` when absent; pushes
/// [`LintError::ExtensionMalformed`] and returns `None` when it does not decode.
pub(crate) fn decode_ext<'a, T: Decode<'a>>(
    ext: &'a Extension,
    out: &mut Vec<LintError>,
) -> Option<T> {
    match T::from_der(ext.extn_value.as_bytes()) {
        Ok(v) => Some(v),
        Err(_) => {
            out.push(LintError::ExtensionMalformed { oid: ext.extn_id });
            None
        }
    }
}

/// Pushes a criticality finding when `ext.critical != expected`.
pub(crate) fn expect_critical(ext: &Extension, expected: bool, out: &mut Vec<LintError>) {
    if ext.critical != expected {
        out.push(LintError::ExtensionCriticality {
            oid: ext.extn_id,
            expected,
            found: ext.critical,
        });
    }
}

/// Whether the certificate is self-signed (as prepared: no issuer certificate).
pub(crate) fn is_self_signed(cx: &CertContext<'_>) -> bool {
    cx.issuer.ca().is_none()
}

#[cfg(test)]
pub(crate) mod tests;
