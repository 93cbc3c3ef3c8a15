//! OCSP (RFC 6960) request and response types, and the nonce extension (RFC 8954).
//!
//! The ASN.1 module of RFC 6960 Appendix B.2 uses `DEFINITIONS EXPLICIT TAGS`: every context tag
//! below is explicit unless marked IMPLICIT. Times use the RFC 5280 `GeneralizedTime` profile
//! (`YYYYMMDDHHMMSSZ`), as RFC 6960 §4.2.2.1 requires. Use the `from_der_strict` entry points on
//! input from the wire: they reject non-canonical DER and more entries than the documented
//! limits.
//!
//! ```text
//! OCSPRequest ::= SEQUENCE {
//!     tbsRequest                  TBSRequest,
//!     optionalSignature   [0]     EXPLICIT Signature OPTIONAL }
//!
//! OCSPResponse ::= SEQUENCE {
//!    responseStatus         OCSPResponseStatus,
//!    responseBytes          [0] EXPLICIT ResponseBytes OPTIONAL }
//! ```

use const_oid::ObjectIdentifier;
use der::asn1::{BitString, GeneralizedTime, Null, OctetString};
use der::{
    Choice, Decode, DecodeValue, Encode, EncodeValue, Enumerated, FixedTag, Header, Length, Reader,
    Sequence, Tag, Writer,
};
use spki::AlgorithmIdentifierOwned;
use x509_cert::Certificate;
use x509_cert::ext::pkix::crl::CrlReason;
use x509_cert::ext::pkix::name::GeneralName;
use x509_cert::ext::{Extension, Extensions};
use x509_cert::name::Name;
use x509_cert::serial_number::SerialNumber;

use crate::canonical::decode_canonical;

/// `id-pkix-ocsp-basic` (RFC 6960 §4.2.1): the `responseType` of a [`BasicOcspResponse`].
pub const ID_PKIX_OCSP_BASIC: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.48.1.1");
/// `id-pkix-ocsp-nonce` (RFC 6960 §4.4.1).
pub const ID_PKIX_OCSP_NONCE: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.48.1.2");

/// The most `Request`s accepted in one [`OcspRequest`] by [`OcspRequest::from_der_strict`].
/// RFC 6960 sets no bound; OpenSSL clients send one per `-cert`, and a C2PA validator asks about
/// one chain at a time.
pub const MAX_OCSP_REQUESTS: usize = 64;
/// The most `SingleResponse`s accepted in one [`BasicOcspResponse`] by
/// [`BasicOcspResponse::from_der_strict`] (a responder answers at most what was asked, plus
/// pre-produced extras; RFC 6960 §4.2.2.3 allows "more").
pub const MAX_OCSP_RESPONSES: usize = 256;
/// The longest nonce accepted: RFC 8954 §2.1 `Nonce ::= OCTET STRING(SIZE(1..32))`.
pub const MAX_OCSP_NONCE_LEN: usize = 32;

/// OCSP `Version` (RFC 6960 §4.1.1); only `v1` exists.
///
/// ```text
/// Version ::= INTEGER { v1(0) }
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum Version {
    /// `v1(0)`.
    #[default]
    V1,
}

impl<'a> DecodeValue<'a> for Version {
    type Error = der::Error;

    fn decode_value<R: Reader<'a>>(reader: &mut R, header: Header) -> der::Result<Self> {
        match u8::decode_value(reader, header)? {
            0 => Ok(Self::V1),
            _ => Err(reader.error(Tag::Integer.value_error())),
        }
    }
}

impl EncodeValue for Version {
    fn value_len(&self) -> der::Result<Length> {
        0u8.value_len()
    }

    fn encode_value(&self, writer: &mut impl Writer) -> der::Result<()> {
        0u8.encode_value(writer)
    }
}

impl FixedTag for Version {
    const TAG: Tag = Tag::Integer;
}

/// An OCSP request (RFC 6960 §4.1.1).
///
/// ```text
/// OCSPRequest ::= SEQUENCE {
///     tbsRequest                  TBSRequest,
///     optionalSignature   [0]     EXPLICIT Signature OPTIONAL }
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Sequence)]
pub struct OcspRequest {
    /// `tbsRequest`.
    pub tbs_request: TbsRequest,
    /// `optionalSignature`.
    #[asn1(context_specific = "0", tag_mode = "EXPLICIT", optional = "true")]
    pub optional_signature: Option<Signature>,
}

impl OcspRequest {
    /// Decodes a request from the wire: canonical DER, at most [`MAX_OCSP_REQUESTS`] requests.
    ///
    /// # Errors
    /// A `der` error; [`der::ErrorKind::Noncanonical`] for BER that is not DER, and
    /// [`der::ErrorKind::Length`] on `requestList` for too many requests.
    pub fn from_der_strict(bytes: &[u8]) -> der::Result<Self> {
        let value: Self = decode_canonical(bytes)?;
        if value.tbs_request.request_list.len() > MAX_OCSP_REQUESTS {
            return Err(Tag::Sequence.length_error().into());
        }
        Ok(value)
    }

    /// The nonce of the request, if it carries one (RFC 8954).
    ///
    /// # Errors
    /// A malformed nonce extension (see [`OcspNonce::from_extension`]).
    pub fn nonce(&self) -> der::Result<Option<OcspNonce>> {
        OcspNonce::find(self.tbs_request.request_extensions.as_deref())
    }
}

/// The signed part of an OCSP request (RFC 6960 §4.1.1).
///
/// ```text
/// TBSRequest ::= SEQUENCE {
///     version             [0]     EXPLICIT Version DEFAULT v1,
///     requestorName       [1]     EXPLICIT GeneralName OPTIONAL,
///     requestList                 SEQUENCE OF Request,
///     requestExtensions   [2]     EXPLICIT Extensions OPTIONAL }
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Sequence)]
pub struct TbsRequest {
    /// `version` (DEFAULT v1: omitted in DER).
    #[asn1(
        context_specific = "0",
        tag_mode = "EXPLICIT",
        default = "Default::default"
    )]
    pub version: Version,
    /// `requestorName`.
    #[asn1(context_specific = "1", tag_mode = "EXPLICIT", optional = "true")]
    pub requestor_name: Option<GeneralName>,
    /// `requestList`.
    pub request_list: Vec<Request>,
    /// `requestExtensions` (e.g. the nonce).
    #[asn1(context_specific = "2", tag_mode = "EXPLICIT", optional = "true")]
    pub request_extensions: Option<Extensions>,
}

/// A request signature (RFC 6960 §4.1.1).
///
/// ```text
/// Signature ::= SEQUENCE {
///     signatureAlgorithm      AlgorithmIdentifier,
///     signature               BIT STRING,
///     certs               [0] EXPLICIT SEQUENCE OF Certificate OPTIONAL}
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Sequence)]
pub struct Signature {
    /// `signatureAlgorithm`.
    pub signature_algorithm: AlgorithmIdentifierOwned,
    /// `signature`.
    pub signature: BitString,
    /// `certs`.
    #[asn1(context_specific = "0", tag_mode = "EXPLICIT", optional = "true")]
    pub certs: Option<Vec<Certificate>>,
}

/// One certificate asked about (RFC 6960 §4.1.1).
///
/// ```text
/// Request ::= SEQUENCE {
///     reqCert                     CertID,
///     singleRequestExtensions     [0] EXPLICIT Extensions OPTIONAL }
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Sequence)]
pub struct Request {
    /// `reqCert`.
    pub req_cert: CertId,
    /// `singleRequestExtensions`.
    #[asn1(context_specific = "0", tag_mode = "EXPLICIT", optional = "true")]
    pub single_request_extensions: Option<Extensions>,
}

/// Identifies a certificate by issuer hashes and serial number (RFC 6960 §4.1.1).
///
/// ```text
/// CertID ::= SEQUENCE {
///     hashAlgorithm       AlgorithmIdentifier,
///     issuerNameHash      OCTET STRING, -- Hash of issuer's DN
///     issuerKeyHash       OCTET STRING, -- Hash of issuer's public key
///     serialNumber        CertificateSerialNumber }
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Sequence)]
pub struct CertId {
    /// `hashAlgorithm`.
    pub hash_algorithm: AlgorithmIdentifierOwned,
    /// `issuerNameHash`: hash of the DER issuer `Name`.
    pub issuer_name_hash: OctetString,
    /// `issuerKeyHash`: hash of the issuer's `subjectPublicKey` BIT STRING value.
    pub issuer_key_hash: OctetString,
    /// `serialNumber`.
    pub serial_number: SerialNumber,
}

/// An OCSP response (RFC 6960 §4.2.1).
///
/// ```text
/// OCSPResponse ::= SEQUENCE {
///    responseStatus         OCSPResponseStatus,
///    responseBytes          [0] EXPLICIT ResponseBytes OPTIONAL }
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Sequence)]
pub struct OcspResponse {
    /// `responseStatus`.
    pub response_status: OcspResponseStatus,
    /// `responseBytes` (present only when `successful`).
    #[asn1(context_specific = "0", tag_mode = "EXPLICIT", optional = "true")]
    pub response_bytes: Option<ResponseBytes>,
}

impl OcspResponse {
    /// Decodes a response from the wire (canonical DER).
    ///
    /// # Errors
    /// A `der` error; [`der::ErrorKind::Noncanonical`] for BER that is not DER.
    pub fn from_der_strict(bytes: &[u8]) -> der::Result<Self> {
        decode_canonical(bytes)
    }

    /// The [`BasicOcspResponse`] carried in `responseBytes`, decoded strictly; `None` when the
    /// response has no `responseBytes` or another `responseType`.
    ///
    /// # Errors
    /// A `der` error from [`BasicOcspResponse::from_der_strict`].
    pub fn basic(&self) -> der::Result<Option<BasicOcspResponse>> {
        match &self.response_bytes {
            Some(rb) if rb.response_type == ID_PKIX_OCSP_BASIC => {
                BasicOcspResponse::from_der_strict(rb.response.as_bytes()).map(Some)
            }
            _ => Ok(None),
        }
    }
}

/// The outcome of an OCSP request (RFC 6960 §4.2.1).
///
/// ```text
/// OCSPResponseStatus ::= ENUMERATED {
///     successful            (0),  -- Response has valid confirmations
///     malformedRequest      (1),  -- Illegal confirmation request
///     internalError         (2),  -- Internal error in issuer
///     tryLater              (3),  -- Try again later
///                                 -- (4) is not used
///     sigRequired           (5),  -- Must sign the request
///     unauthorized          (6)   -- Request unauthorized
/// }
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Enumerated)]
#[repr(u32)]
pub enum OcspResponseStatus {
    /// `successful (0)`.
    Successful = 0,
    /// `malformedRequest (1)`.
    MalformedRequest = 1,
    /// `internalError (2)`.
    InternalError = 2,
    /// `tryLater (3)`.
    TryLater = 3,
    /// `sigRequired (5)`.
    SigRequired = 5,
    /// `unauthorized (6)`.
    Unauthorized = 6,
}

/// The typed response inside an [`OcspResponse`] (RFC 6960 §4.2.1).
///
/// ```text
/// ResponseBytes ::=       SEQUENCE {
///     responseType   OBJECT IDENTIFIER,
///     response       OCTET STRING }
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Sequence)]
pub struct ResponseBytes {
    /// `responseType` ([`ID_PKIX_OCSP_BASIC`]).
    pub response_type: ObjectIdentifier,
    /// `response`: the DER of the typed response.
    pub response: OctetString,
}

/// The basic OCSP response (RFC 6960 §4.2.1). The signature is over the DER of
/// `tbsResponseData` **as received**; keep the input bytes to verify it.
///
/// ```text
/// BasicOCSPResponse       ::= SEQUENCE {
///    tbsResponseData      ResponseData,
///    signatureAlgorithm   AlgorithmIdentifier,
///    signature            BIT STRING,
///    certs            [0] EXPLICIT SEQUENCE OF Certificate OPTIONAL }
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Sequence)]
pub struct BasicOcspResponse {
    /// `tbsResponseData`.
    pub tbs_response_data: ResponseData,
    /// `signatureAlgorithm`.
    pub signature_algorithm: AlgorithmIdentifierOwned,
    /// `signature`.
    pub signature: BitString,
    /// `certs` (the responder's certificate and chain).
    #[asn1(context_specific = "0", tag_mode = "EXPLICIT", optional = "true")]
    pub certs: Option<Vec<Certificate>>,
}

impl BasicOcspResponse {
    /// Decodes a basic response strictly: canonical DER, at most [`MAX_OCSP_RESPONSES`]
    /// responses.
    ///
    /// # Errors
    /// A `der` error; [`der::ErrorKind::Noncanonical`] for BER that is not DER, and
    /// [`der::ErrorKind::Length`] on `responses` for too many responses.
    pub fn from_der_strict(bytes: &[u8]) -> der::Result<Self> {
        let value: Self = decode_canonical(bytes)?;
        if value.tbs_response_data.responses.len() > MAX_OCSP_RESPONSES {
            return Err(Tag::Sequence.length_error().into());
        }
        Ok(value)
    }

    /// The response's nonce, if it carries one (RFC 8954).
    ///
    /// # Errors
    /// A malformed nonce extension (see [`OcspNonce::from_extension`]).
    pub fn nonce(&self) -> der::Result<Option<OcspNonce>> {
        OcspNonce::find(self.tbs_response_data.response_extensions.as_deref())
    }
}

/// The signed part of a basic response (RFC 6960 §4.2.1).
///
/// ```text
/// ResponseData ::= SEQUENCE {
///    version              [0] EXPLICIT Version DEFAULT v1,
///    responderID              ResponderID,
///    producedAt               GeneralizedTime,
///    responses                SEQUENCE OF SingleResponse,
///    responseExtensions   [1] EXPLICIT Extensions OPTIONAL }
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Sequence)]
pub struct ResponseData {
    /// `version` (DEFAULT v1: omitted in DER).
    #[asn1(
        context_specific = "0",
        tag_mode = "EXPLICIT",
        default = "Default::default"
    )]
    pub version: Version,
    /// `responderID`.
    pub responder_id: ResponderId,
    /// `producedAt`.
    pub produced_at: GeneralizedTime,
    /// `responses`.
    pub responses: Vec<SingleResponse>,
    /// `responseExtensions` (e.g. the nonce).
    #[asn1(context_specific = "1", tag_mode = "EXPLICIT", optional = "true")]
    pub response_extensions: Option<Extensions>,
}

/// Who signed the response (RFC 6960 §4.2.1).
///
/// ```text
/// ResponderID ::= CHOICE {
///    byName               [1] Name,
///    byKey                [2] KeyHash }
///
/// KeyHash ::= OCTET STRING -- SHA-1 hash of responder's public key
///                          -- (excluding the tag and length fields)
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Choice)]
pub enum ResponderId {
    /// `byName [1] Name`.
    #[asn1(context_specific = "1", tag_mode = "EXPLICIT", constructed = "true")]
    ByName(Name),
    /// `byKey [2] KeyHash`.
    #[asn1(context_specific = "2", tag_mode = "EXPLICIT", constructed = "true")]
    ByKey(OctetString),
}

/// The status of one certificate (RFC 6960 §4.2.1).
///
/// ```text
/// SingleResponse ::= SEQUENCE {
///    certID                       CertID,
///    certStatus                   CertStatus,
///    thisUpdate                   GeneralizedTime,
///    nextUpdate         [0]       EXPLICIT GeneralizedTime OPTIONAL,
///    singleExtensions   [1]       EXPLICIT Extensions OPTIONAL }
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Sequence)]
pub struct SingleResponse {
    /// `certID`.
    pub cert_id: CertId,
    /// `certStatus`.
    pub cert_status: CertStatus,
    /// `thisUpdate`.
    pub this_update: GeneralizedTime,
    /// `nextUpdate`.
    #[asn1(context_specific = "0", tag_mode = "EXPLICIT", optional = "true")]
    pub next_update: Option<GeneralizedTime>,
    /// `singleExtensions`.
    #[asn1(context_specific = "1", tag_mode = "EXPLICIT", optional = "true")]
    pub single_extensions: Option<Extensions>,
}

/// Good, revoked or unknown (RFC 6960 §4.2.1).
///
/// ```text
/// CertStatus ::= CHOICE {
///     good        [0]     IMPLICIT NULL,
///     revoked     [1]     IMPLICIT RevokedInfo,
///     unknown     [2]     IMPLICIT UnknownInfo }
///
/// UnknownInfo ::= NULL
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Choice)]
pub enum CertStatus {
    /// `good`.
    #[asn1(context_specific = "0", tag_mode = "IMPLICIT")]
    Good(Null),
    /// `revoked`, with the time and optional reason.
    #[asn1(context_specific = "1", tag_mode = "IMPLICIT", constructed = "true")]
    Revoked(RevokedInfo),
    /// `unknown`.
    #[asn1(context_specific = "2", tag_mode = "IMPLICIT")]
    Unknown(Null),
}

/// When and why a certificate was revoked (RFC 6960 §4.2.1).
///
/// ```text
/// RevokedInfo ::= SEQUENCE {
///     revocationTime              GeneralizedTime,
///     revocationReason    [0]     EXPLICIT CRLReason OPTIONAL }
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Sequence)]
pub struct RevokedInfo {
    /// `revocationTime`.
    pub revocation_time: GeneralizedTime,
    /// `revocationReason`.
    #[asn1(context_specific = "0", tag_mode = "EXPLICIT", optional = "true")]
    pub revocation_reason: Option<CrlReason>,
}

/// The OCSP nonce (RFC 6960 §4.4.1 as updated by RFC 8954 §2.1): the `extnValue` holds the DER
/// of an OCTET STRING of 1 to 32 bytes.
///
/// ```text
/// id-pkix-ocsp-nonce     OBJECT IDENTIFIER ::= { id-pkix-ocsp 2 }
/// Nonce ::= OCTET STRING(SIZE(1..32))
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OcspNonce(OctetString);

impl OcspNonce {
    /// A nonce of `bytes` (1 to [`MAX_OCSP_NONCE_LEN`] bytes).
    ///
    /// # Errors
    /// [`der::ErrorKind::Length`] for an empty or over-long nonce.
    pub fn new(bytes: &[u8]) -> der::Result<Self> {
        if bytes.is_empty() || bytes.len() > MAX_OCSP_NONCE_LEN {
            return Err(Tag::OctetString.length_error().into());
        }
        Ok(Self(OctetString::new(bytes)?))
    }

    /// The nonce bytes.
    #[must_use]
    pub fn as_bytes(&self) -> &[u8] {
        self.0.as_bytes()
    }

    /// Reads a nonce extension (RFC 8954 §2.1: non-critical, value an OCTET STRING of 1..=32
    /// bytes).
    ///
    /// # Errors
    /// [`der::ErrorKind::OidUnknown`] for another extension, [`der::ErrorKind::Value`] for a
    /// critical one, and the decoding or size error of the value.
    pub fn from_extension(ext: &Extension) -> der::Result<Self> {
        if ext.extn_id != ID_PKIX_OCSP_NONCE {
            return Err(der::ErrorKind::OidUnknown { oid: ext.extn_id }.into());
        }
        if ext.critical {
            return Err(Tag::Boolean.value_error().into());
        }
        let inner = OctetString::from_der(ext.extn_value.as_bytes())?;
        Self::new(inner.as_bytes())
    }

    /// The nonce extension carrying this nonce (non-critical).
    ///
    /// # Errors
    /// Encoding errors only.
    pub fn to_extension(&self) -> der::Result<Extension> {
        Ok(Extension {
            extn_id: ID_PKIX_OCSP_NONCE,
            critical: false,
            extn_value: OctetString::new(self.0.to_der()?)?,
        })
    }

    /// Finds and reads the nonce among `extensions`; a second nonce extension is an error
    /// (RFC 5280 §4.2: an extension appears at most once).
    fn find(extensions: Option<&[Extension]>) -> der::Result<Option<Self>> {
        let mut found = None;
        for ext in extensions.unwrap_or_default() {
            if ext.extn_id == ID_PKIX_OCSP_NONCE {
                if found.is_some() {
                    return Err(Tag::Sequence.value_error().into());
                }
                found = Some(Self::from_extension(ext)?);
            }
        }
        Ok(found)
    }
}

#[cfg(test)]
mod tests;
