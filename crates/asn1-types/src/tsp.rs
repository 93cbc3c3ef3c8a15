//! Time-Stamp Protocol (RFC 3161) types, with RFC 5816's `ESSCertIDv2`.
//!
//! The `PKIXTSP` module of RFC 3161 Appendix C uses `DEFINITIONS IMPLICIT TAGS`: context tags are
//! implicit, except `tsa [0] GeneralName`, which tags a CHOICE and is therefore explicit (X.680
//! §31.2.7). `TSTInfo.genTime` may carry fractional seconds and uses
//! [`GeneralizedTimeFrac`]. The time-stamp token is a CMS `ContentInfo` holding `SignedData`
//! (the `cms` crate's types); [`tst_info_der`] extracts the signed `TSTInfo` bytes from it.
//!
//! ```text
//! TimeStampReq ::= SEQUENCE  {
//!    version                      INTEGER  { v1(1) },
//!    messageImprint               MessageImprint,
//!    reqPolicy             TSAPolicyId              OPTIONAL,
//!    nonce                 INTEGER                  OPTIONAL,
//!    certReq               BOOLEAN                  DEFAULT FALSE,
//!    extensions            [0] IMPLICIT Extensions  OPTIONAL  }
//!
//! TimeStampResp ::= SEQUENCE  {
//!    status                  PKIStatusInfo,
//!    timeStampToken          TimeStampToken     OPTIONAL  }
//!
//! TimeStampToken ::= ContentInfo
//!    -- contentType is id-signedData ([CMS])
//!    -- content is SignedData ([CMS])
//! ```

use cms::content_info::ContentInfo;
use cms::signed_data::SignedData;
use const_oid::ObjectIdentifier;
use der::asn1::{BitString, Int, OctetString};
use der::{
    Decode, DecodeValue, Encode, EncodeValue, FixedTag, Header, Length, Reader, Sequence, Tag,
    Writer,
};
use spki::AlgorithmIdentifierOwned;
use x509_cert::ext::Extensions;
use x509_cert::ext::pkix::certpolicy::PolicyInformation;
use x509_cert::ext::pkix::name::{GeneralName, GeneralNames};
use x509_cert::serial_number::SerialNumber;

use crate::algorithm::ID_SHA256;
use crate::canonical::decode_canonical;
use crate::time::GeneralizedTimeFrac;

/// `id-signedData` (RFC 5652 §5.1).
pub const ID_SIGNED_DATA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.7.2");
/// `id-ct-TSTInfo` (RFC 3161 §2.4.2): the `eContentType` of a time-stamp token.
pub const ID_CT_TST_INFO: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.16.1.4");
/// `id-aa-signingCertificate` (RFC 2634 §5.4): signed attribute holding [`SigningCertificate`].
pub const ID_AA_SIGNING_CERTIFICATE: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.16.2.12");
/// `id-aa-signingCertificateV2` (RFC 5035 §3): signed attribute holding
/// [`SigningCertificateV2`].
pub const ID_AA_SIGNING_CERTIFICATE_V2: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.16.2.47");

/// The most `UTF8String`s accepted in a `PKIFreeText` by [`TimeStampResp::from_der_strict`]
/// (RFC 3161 sets none; OpenSSL sends one).
pub const MAX_STATUS_STRINGS: usize = 16;

/// Why a time-stamp structure was refused.
///
/// A sub-enum of the crate's errors: to be folded into the `asn1-types` `Error` once it exists.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TspError {
    /// The DER is malformed or not canonical.
    #[error("time-stamp DER: {0}")]
    Der(der::Error),
    /// The token's `contentType` is not `id-signedData`.
    #[error("time-stamp token content type {oid} is not id-signedData")]
    NotSignedData {
        /// The `contentType` received.
        oid: ObjectIdentifier,
    },
    /// The token's `eContentType` is not `id-ct-TSTInfo`.
    #[error("time-stamp token eContentType {oid} is not id-ct-TSTInfo")]
    NotTstInfo {
        /// The `eContentType` received.
        oid: ObjectIdentifier,
    },
    /// The token's `SignedData` has no `eContent` (RFC 3161 §2.4.2 requires it).
    #[error("time-stamp token has no eContent")]
    MissingContent,
    /// `Accuracy.millis` or `.micros` outside `1..=999` (RFC 3161 §2.4.2).
    #[error("accuracy {field} = {value} is outside 1..=999")]
    AccuracyOutOfRange {
        /// `"millis"` or `"micros"`.
        field: &'static str,
        /// The value received.
        value: u16,
    },
    /// More `PKIFreeText` strings than [`MAX_STATUS_STRINGS`], or none (`SIZE (1..MAX)`).
    #[error("PKIFreeText with {count} strings (1..={max} accepted)")]
    StatusStrings {
        /// The number received.
        count: usize,
        /// [`MAX_STATUS_STRINGS`].
        max: usize,
    },
}

impl From<der::Error> for TspError {
    fn from(e: der::Error) -> Self {
        Self::Der(e)
    }
}

/// TSP `version` (RFC 3161 §2.4.1, §2.4.2); only `v1(1)` exists.
///
/// ```text
/// version                      INTEGER  { v1(1) }
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum Version {
    /// `v1(1)`.
    #[default]
    V1,
}

impl<'a> DecodeValue<'a> for Version {
    type Error = der::Error;

    fn decode_value<R: Reader<'a>>(reader: &mut R, header: Header) -> der::Result<Self> {
        match u8::decode_value(reader, header)? {
            1 => Ok(Self::V1),
            _ => Err(reader.error(Tag::Integer.value_error())),
        }
    }
}

impl EncodeValue for Version {
    fn value_len(&self) -> der::Result<Length> {
        1u8.value_len()
    }

    fn encode_value(&self, writer: &mut impl Writer) -> der::Result<()> {
        1u8.encode_value(writer)
    }
}

impl FixedTag for Version {
    const TAG: Tag = Tag::Integer;
}

/// The hash of the data being time-stamped (RFC 3161 §2.4.1).
///
/// ```text
/// MessageImprint ::= SEQUENCE  {
///      hashAlgorithm                AlgorithmIdentifier,
///      hashedMessage                OCTET STRING  }
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Sequence)]
pub struct MessageImprint {
    /// `hashAlgorithm`.
    pub hash_algorithm: AlgorithmIdentifierOwned,
    /// `hashedMessage`.
    pub hashed_message: OctetString,
}

/// A time-stamp request (RFC 3161 §2.4.1).
///
/// ```text
/// TimeStampReq ::= SEQUENCE  {
///    version                      INTEGER  { v1(1) },
///    messageImprint               MessageImprint,
///    reqPolicy             TSAPolicyId              OPTIONAL,
///    nonce                 INTEGER                  OPTIONAL,
///    certReq               BOOLEAN                  DEFAULT FALSE,
///    extensions            [0] IMPLICIT Extensions  OPTIONAL  }
///
/// TSAPolicyId ::= OBJECT IDENTIFIER
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Sequence)]
pub struct TimeStampReq {
    /// `version`.
    pub version: Version,
    /// `messageImprint`.
    pub message_imprint: MessageImprint,
    /// `reqPolicy`.
    #[asn1(optional = "true")]
    pub req_policy: Option<ObjectIdentifier>,
    /// `nonce`.
    #[asn1(optional = "true")]
    pub nonce: Option<Int>,
    /// `certReq` (DEFAULT FALSE: omitted in DER when false).
    #[asn1(default = "Default::default")]
    pub cert_req: bool,
    /// `extensions`.
    #[asn1(context_specific = "0", tag_mode = "IMPLICIT", optional = "true")]
    pub extensions: Option<Extensions>,
}

impl TimeStampReq {
    /// Decodes a request from the wire (canonical DER).
    ///
    /// # Errors
    /// [`TspError::Der`], including [`der::ErrorKind::Noncanonical`] for BER that is not DER.
    pub fn from_der_strict(bytes: &[u8]) -> Result<Self, TspError> {
        Ok(decode_canonical(bytes)?)
    }
}

/// A time-stamp response (RFC 3161 §2.4.2).
///
/// ```text
/// TimeStampResp ::= SEQUENCE  {
///    status                  PKIStatusInfo,
///    timeStampToken          TimeStampToken     OPTIONAL  }
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Sequence)]
pub struct TimeStampResp {
    /// `status`.
    pub status: TspStatusInfo,
    /// `timeStampToken` (present when granted).
    #[asn1(optional = "true")]
    pub time_stamp_token: Option<ContentInfo>,
}

impl TimeStampResp {
    /// Decodes a response from the wire: canonical DER, at most [`MAX_STATUS_STRINGS`] status
    /// strings.
    ///
    /// # Errors
    /// [`TspError::Der`] or [`TspError::StatusStrings`].
    pub fn from_der_strict(bytes: &[u8]) -> Result<Self, TspError> {
        let value: Self = decode_canonical(bytes)?;
        if let Some(strings) = &value.status.status_string
            && (strings.is_empty() || strings.len() > MAX_STATUS_STRINGS)
        {
            return Err(TspError::StatusStrings {
                count: strings.len(),
                max: MAX_STATUS_STRINGS,
            });
        }
        Ok(value)
    }
}

/// `PKIStatusInfo` as RFC 3161 §2.4.2 uses it.
///
/// Defined here for now; CMP's `PKIStatusInfo` (RFC 9810 §5.2.3) is the same structure with
/// more status values and failure bits, and the two should be unified once `asn1-types::cmp`
/// has it.
///
/// ```text
/// PKIStatusInfo ::= SEQUENCE {
///     status        PKIStatus,
///     statusString  PKIFreeText     OPTIONAL,
///     failInfo      PKIFailureInfo  OPTIONAL  }
///
/// PKIFreeText ::= SEQUENCE SIZE (1..MAX) OF UTF8String
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Sequence)]
pub struct TspStatusInfo {
    /// `status`.
    pub status: TspStatus,
    /// `statusString`.
    #[asn1(optional = "true")]
    pub status_string: Option<Vec<String>>,
    /// `failInfo` (see [`TspStatusInfo::failures`]).
    #[asn1(optional = "true")]
    pub fail_info: Option<BitString>,
}

impl TspStatusInfo {
    /// The failure bits set in `failInfo` that RFC 3161 names (unnamed bits are ignored).
    #[must_use]
    pub fn failures(&self) -> Vec<TspFailureInfo> {
        let Some(bits) = &self.fail_info else {
            return Vec::new();
        };
        let set: Vec<usize> = bits
            .bits()
            .enumerate()
            .filter_map(|(i, b)| b.then_some(i))
            .collect();
        TspFailureInfo::ALL
            .iter()
            .copied()
            .filter(|f| set.contains(&f.bit()))
            .collect()
    }
}

/// `PKIStatus` as RFC 3161 §2.4.2 defines it.
///
/// ```text
/// PKIStatus ::= INTEGER {
///    granted                (0),
///    grantedWithMods        (1),
///    rejection              (2),
///    waiting                (3),
///    revocationWarning      (4),
///    revocationNotification (5) }
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TspStatus {
    /// `granted (0)`: a token is present.
    Granted,
    /// `grantedWithMods (1)`.
    GrantedWithMods,
    /// `rejection (2)`.
    Rejection,
    /// `waiting (3)`.
    Waiting,
    /// `revocationWarning (4)`.
    RevocationWarning,
    /// `revocationNotification (5)`.
    RevocationNotification,
}

impl TspStatus {
    const fn value(self) -> u8 {
        match self {
            Self::Granted => 0,
            Self::GrantedWithMods => 1,
            Self::Rejection => 2,
            Self::Waiting => 3,
            Self::RevocationWarning => 4,
            Self::RevocationNotification => 5,
        }
    }
}

impl<'a> DecodeValue<'a> for TspStatus {
    type Error = der::Error;

    fn decode_value<R: Reader<'a>>(reader: &mut R, header: Header) -> der::Result<Self> {
        Ok(match u8::decode_value(reader, header)? {
            0 => Self::Granted,
            1 => Self::GrantedWithMods,
            2 => Self::Rejection,
            3 => Self::Waiting,
            4 => Self::RevocationWarning,
            5 => Self::RevocationNotification,
            _ => return Err(reader.error(Tag::Integer.value_error())),
        })
    }
}

impl EncodeValue for TspStatus {
    fn value_len(&self) -> der::Result<Length> {
        self.value().value_len()
    }

    fn encode_value(&self, writer: &mut impl Writer) -> der::Result<()> {
        self.value().encode_value(writer)
    }
}

impl FixedTag for TspStatus {
    const TAG: Tag = Tag::Integer;
}

/// The failure bits RFC 3161 §2.4.2 names.
///
/// ```text
/// PKIFailureInfo ::= BIT STRING {
///     badAlg               (0),
///     badRequest           (2),
///     badDataFormat        (5),
///     timeNotAvailable    (14),
///     unacceptedPolicy    (15),
///     unacceptedExtension (16),
///     addInfoNotAvailable (17),
///     systemFailure       (25)  }
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TspFailureInfo {
    /// `badAlg (0)`.
    BadAlg,
    /// `badRequest (2)`.
    BadRequest,
    /// `badDataFormat (5)`.
    BadDataFormat,
    /// `timeNotAvailable (14)`.
    TimeNotAvailable,
    /// `unacceptedPolicy (15)`.
    UnacceptedPolicy,
    /// `unacceptedExtension (16)`.
    UnacceptedExtension,
    /// `addInfoNotAvailable (17)`.
    AddInfoNotAvailable,
    /// `systemFailure (25)`.
    SystemFailure,
}

impl TspFailureInfo {
    /// Every named bit, in bit order.
    pub const ALL: [Self; 8] = [
        Self::BadAlg,
        Self::BadRequest,
        Self::BadDataFormat,
        Self::TimeNotAvailable,
        Self::UnacceptedPolicy,
        Self::UnacceptedExtension,
        Self::AddInfoNotAvailable,
        Self::SystemFailure,
    ];

    /// The bit number.
    #[must_use]
    pub const fn bit(self) -> usize {
        match self {
            Self::BadAlg => 0,
            Self::BadRequest => 2,
            Self::BadDataFormat => 5,
            Self::TimeNotAvailable => 14,
            Self::UnacceptedPolicy => 15,
            Self::UnacceptedExtension => 16,
            Self::AddInfoNotAvailable => 17,
            Self::SystemFailure => 25,
        }
    }
}

/// The time-stamp token's signed content (RFC 3161 §2.4.2).
///
/// ```text
/// TSTInfo ::= SEQUENCE  {
///    version                      INTEGER  { v1(1) },
///    policy                       TSAPolicyId,
///    messageImprint               MessageImprint,
///      -- MUST have the same value as the similar field in
///      -- TimeStampReq
///    serialNumber                 INTEGER,
///     -- Time-Stamping users MUST be ready to accommodate integers
///     -- up to 160 bits.
///    genTime                      GeneralizedTime,
///    accuracy                     Accuracy                 OPTIONAL,
///    ordering                     BOOLEAN             DEFAULT FALSE,
///    nonce                        INTEGER                  OPTIONAL,
///      -- MUST be present if the similar field was present
///      -- in TimeStampReq.  In that case it MUST have the same value.
///    tsa                          [0] GeneralName          OPTIONAL,
///    extensions                   [1] IMPLICIT Extensions   OPTIONAL  }
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Sequence)]
pub struct TstInfo {
    /// `version`.
    pub version: Version,
    /// `policy`.
    pub policy: ObjectIdentifier,
    /// `messageImprint`.
    pub message_imprint: MessageImprint,
    /// `serialNumber` (up to 160 bits).
    pub serial_number: SerialNumber,
    /// `genTime`, possibly with fractional seconds.
    pub gen_time: GeneralizedTimeFrac,
    /// `accuracy`.
    #[asn1(optional = "true")]
    pub accuracy: Option<Accuracy>,
    /// `ordering` (DEFAULT FALSE: omitted in DER when false).
    #[asn1(default = "Default::default")]
    pub ordering: bool,
    /// `nonce`.
    #[asn1(optional = "true")]
    pub nonce: Option<Int>,
    /// `tsa` (a CHOICE, so explicitly tagged despite the module's IMPLICIT TAGS).
    #[asn1(context_specific = "0", tag_mode = "EXPLICIT", optional = "true")]
    pub tsa: Option<GeneralName>,
    /// `extensions`.
    #[asn1(context_specific = "1", tag_mode = "IMPLICIT", optional = "true")]
    pub extensions: Option<Extensions>,
}

impl TstInfo {
    /// Decodes a `TSTInfo` strictly: canonical DER and `Accuracy` ranges checked.
    ///
    /// # Errors
    /// [`TspError::Der`] or [`TspError::AccuracyOutOfRange`].
    pub fn from_der_strict(bytes: &[u8]) -> Result<Self, TspError> {
        let value: Self = decode_canonical(bytes)?;
        if let Some(acc) = &value.accuracy {
            acc.check()?;
        }
        Ok(value)
    }
}

/// The TSA's claimed accuracy of `genTime` (RFC 3161 §2.4.2).
///
/// ```text
/// Accuracy ::= SEQUENCE {
///       seconds        INTEGER              OPTIONAL,
///       millis     [0] INTEGER  (1..999)    OPTIONAL,
///       micros     [1] INTEGER  (1..999)    OPTIONAL  }
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Sequence)]
pub struct Accuracy {
    /// `seconds`.
    #[asn1(optional = "true")]
    pub seconds: Option<u64>,
    /// `millis` (1..=999).
    #[asn1(context_specific = "0", tag_mode = "IMPLICIT", optional = "true")]
    pub millis: Option<u16>,
    /// `micros` (1..=999).
    #[asn1(context_specific = "1", tag_mode = "IMPLICIT", optional = "true")]
    pub micros: Option<u16>,
}

impl Accuracy {
    /// Checks the `(1..999)` constraints.
    ///
    /// # Errors
    /// [`TspError::AccuracyOutOfRange`].
    pub fn check(&self) -> Result<(), TspError> {
        for (field, value) in [("millis", self.millis), ("micros", self.micros)] {
            if let Some(value) = value.filter(|v| !(1..=999).contains(v)) {
                return Err(TspError::AccuracyOutOfRange { field, value });
            }
        }
        Ok(())
    }

    /// The accuracy as a duration (absent fields count as zero).
    #[must_use]
    pub fn to_duration(&self) -> core::time::Duration {
        core::time::Duration::from_secs(self.seconds.unwrap_or(0))
            + core::time::Duration::from_millis(u64::from(self.millis.unwrap_or(0)))
            + core::time::Duration::from_micros(u64::from(self.micros.unwrap_or(0)))
    }
}

/// The DER bytes of the `TSTInfo` inside a time-stamp token: the `eContent` OCTET STRING's
/// value, exactly as signed (RFC 3161 §2.4.2, RFC 5652 §5.2).
///
/// # Errors
/// [`TspError::NotSignedData`], [`TspError::NotTstInfo`], [`TspError::MissingContent`], or
/// [`TspError::Der`] when the `SignedData` does not decode.
pub fn tst_info_der(token: &ContentInfo) -> Result<Vec<u8>, TspError> {
    if token.content_type != ID_SIGNED_DATA {
        return Err(TspError::NotSignedData {
            oid: token.content_type,
        });
    }
    let signed_data = SignedData::from_der(&token.content.to_der()?)?;
    let encap = &signed_data.encap_content_info;
    if encap.econtent_type != ID_CT_TST_INFO {
        return Err(TspError::NotTstInfo {
            oid: encap.econtent_type,
        });
    }
    let econtent = encap.econtent.as_ref().ok_or(TspError::MissingContent)?;
    let octets = OctetString::from_der(&econtent.to_der()?)?;
    Ok(octets.as_bytes().to_vec())
}

/// The `TSTInfo` of a time-stamp token, decoded strictly.
///
/// # Errors
/// As [`tst_info_der`] and [`TstInfo::from_der_strict`].
pub fn tst_info(token: &ContentInfo) -> Result<TstInfo, TspError> {
    TstInfo::from_der_strict(&tst_info_der(token)?)
}

/// The `SigningCertificateV2` signed attribute (RFC 5035 §3; RFC 5816 §2.2.1 for TSP).
///
/// ```text
/// SigningCertificateV2 ::=  SEQUENCE {
///      certs        SEQUENCE OF ESSCertIDv2,
///      policies     SEQUENCE OF PolicyInformation OPTIONAL }
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Sequence)]
pub struct SigningCertificateV2 {
    /// `certs`: the first identifies the signing certificate.
    pub certs: Vec<EssCertIdV2>,
    /// `policies`.
    #[asn1(optional = "true")]
    pub policies: Option<Vec<PolicyInformation>>,
}

/// Identifies a certificate by hash (RFC 5035 §4).
///
/// ```text
/// ESSCertIDv2 ::=  SEQUENCE {
///      hashAlgorithm           AlgorithmIdentifier
///             DEFAULT {algorithm id-sha256},
///      certHash                 Hash,
///      issuerSerial             IssuerSerial OPTIONAL }
///
/// Hash ::= OCTET STRING
/// ```
///
/// Encoded by hand: `der`'s derive cannot omit a non-`Copy` DEFAULT. An explicitly encoded
/// SHA-256 default is refused as non-canonical (X.690 §11.5).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EssCertIdV2 {
    /// `hashAlgorithm` (DEFAULT SHA-256 with absent parameters: omitted in DER).
    pub hash_algorithm: AlgorithmIdentifierOwned,
    /// `certHash`: the hash of the whole DER certificate.
    pub cert_hash: OctetString,
    /// `issuerSerial`.
    pub issuer_serial: Option<IssuerSerial>,
}

impl EssCertIdV2 {
    /// `hashAlgorithm` as encoded: `None` when it is the DEFAULT.
    fn encoded_hash_algorithm(&self) -> Option<&AlgorithmIdentifierOwned> {
        Some(&self.hash_algorithm).filter(|a| **a != sha256_identifier())
    }
}

impl<'a> DecodeValue<'a> for EssCertIdV2 {
    type Error = der::Error;

    fn decode_value<R: Reader<'a>>(reader: &mut R, _header: Header) -> der::Result<Self> {
        let hash_algorithm: Option<AlgorithmIdentifierOwned> = reader.decode()?;
        if hash_algorithm == Some(sha256_identifier()) {
            return Err(reader.error(Tag::Sequence.non_canonical_error()));
        }
        Ok(Self {
            hash_algorithm: hash_algorithm.unwrap_or_else(sha256_identifier),
            cert_hash: reader.decode()?,
            issuer_serial: reader.decode()?,
        })
    }
}

impl EncodeValue for EssCertIdV2 {
    fn value_len(&self) -> der::Result<Length> {
        let hash = match self.encoded_hash_algorithm() {
            Some(a) => a.encoded_len()?,
            None => Length::ZERO,
        };
        (hash + self.cert_hash.encoded_len()?)? + self.issuer_serial.encoded_len()?
    }

    fn encode_value(&self, writer: &mut impl Writer) -> der::Result<()> {
        if let Some(a) = self.encoded_hash_algorithm() {
            a.encode(writer)?;
        }
        self.cert_hash.encode(writer)?;
        self.issuer_serial.encode(writer)
    }
}

impl Sequence<'_> for EssCertIdV2 {}

/// `{algorithm id-sha256}`: the DEFAULT of `ESSCertIDv2.hashAlgorithm`.
#[must_use]
pub fn sha256_identifier() -> AlgorithmIdentifierOwned {
    AlgorithmIdentifierOwned {
        oid: ID_SHA256,
        parameters: None,
    }
}

/// The `SigningCertificate` signed attribute with SHA-1 hashes (RFC 2634 §5.4), which OpenSSL
/// writes by default.
///
/// ```text
/// SigningCertificate ::=  SEQUENCE {
///     certs        SEQUENCE OF ESSCertID,
///     policies     SEQUENCE OF PolicyInformation OPTIONAL }
///
/// ESSCertID ::=  SEQUENCE {
///      certHash                 Hash,   -- SHA-1 of the certificate
///      issuerSerial             IssuerSerial OPTIONAL }
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Sequence)]
pub struct SigningCertificate {
    /// `certs`.
    pub certs: Vec<EssCertId>,
    /// `policies`.
    #[asn1(optional = "true")]
    pub policies: Option<Vec<PolicyInformation>>,
}

/// `ESSCertID` (RFC 2634 §5.4.1).
#[derive(Clone, Debug, PartialEq, Eq, Sequence)]
pub struct EssCertId {
    /// `certHash` (SHA-1).
    pub cert_hash: OctetString,
    /// `issuerSerial`.
    #[asn1(optional = "true")]
    pub issuer_serial: Option<IssuerSerial>,
}

/// The issuer and serial number of a certificate (RFC 5035 §4).
///
/// ```text
/// IssuerSerial ::= SEQUENCE {
///      issuer                   GeneralNames,
///      serialNumber             CertificateSerialNumber }
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Sequence)]
pub struct IssuerSerial {
    /// `issuer`.
    pub issuer: GeneralNames,
    /// `serialNumber`.
    pub serial_number: SerialNumber,
}

#[cfg(test)]
mod tests;
