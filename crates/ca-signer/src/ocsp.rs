//! OCSP responses (RFC 6960) with the prepare → lint → sign discipline of certificates.
//!
//! [`prepare_ocsp_response`] builds the `ResponseData` for good / revoked / unknown answers,
//! echoes the request's nonce (RFC 8954), decodes what it built and lints it; a [`Responder`]
//! is either the CA itself or a delegated responder certificate (RFC 6960 §4.2.2.2, the C2PA
//! OCSP responder profile: `id-kp-OCSPSigning`, `id-pkix-ocsp-nocheck`). [`sign_ocsp_response`]
//! consumes the [`LintedOcspResponse`] and returns the complete `OCSPResponse`.
//! [`error_response`] builds the unsigned error forms (`malformedRequest`, `tryLater`, …).
//!
//! ```text
//! BasicOCSPResponse       ::= SEQUENCE {
//!    tbsResponseData      ResponseData,
//!    signatureAlgorithm   AlgorithmIdentifier,
//!    signature            BIT STRING,
//!    certs            [0] EXPLICIT SEQUENCE OF Certificate OPTIONAL }
//!
//! ResponseData ::= SEQUENCE {
//!    version              [0] EXPLICIT Version DEFAULT v1,
//!    responderID              ResponderID,
//!    producedAt               GeneralizedTime,
//!    responses                SEQUENCE OF SingleResponse,
//!    responseExtensions   [1] EXPLICIT Extensions OPTIONAL }
//!
//! CertID          ::=     SEQUENCE {
//!     hashAlgorithm       AlgorithmIdentifier,
//!     issuerNameHash      OCTET STRING, -- Hash of issuer's DN
//!     issuerKeyHash       OCTET STRING, -- Hash of issuer's public key
//!     serialNumber        CertificateSerialNumber }
//! ```

use sha2::Digest as _;
use signet_asn1_types::algorithm::DigestAlgorithm;
use signet_asn1_types::crypto::{SignatureAlgorithm, Signer};
use signet_asn1_types::der::asn1::{BitString, GeneralizedTime, Null, OctetString};
use signet_asn1_types::der::{DateTime, Decode, Encode, ErrorKind, Tag};
use signet_asn1_types::ocsp::{
    BasicOcspResponse, CertId, CertStatus, ID_PKIX_OCSP_BASIC, OcspNonce, OcspResponse,
    OcspResponseStatus, ResponderId, ResponseBytes, ResponseData, RevokedInfo, SingleResponse,
    Version,
};
use signet_asn1_types::spki::SubjectPublicKeyInfoRef;
use signet_asn1_types::x509_cert::Certificate;
use signet_asn1_types::x509_cert::ext::pkix::CrlReason;
use signet_asn1_types::x509_cert::serial_number::SerialNumber;

use crate::error::IssuerDefect;
use crate::issuer::CaCertificate;
use crate::lint::{LintError, LintErrors};
use crate::profile::SignatureFamily;
use crate::{Error, Issuer};

mod lints;

/// Who signs OCSP responses for a CA.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Responder {
    pub(crate) ca: CaCertificate,
    pub(crate) delegate: Option<Box<CaCertificate>>,
    pub(crate) algorithm: SignatureAlgorithm,
}

fn ca_of(issuer: &Issuer) -> Result<CaCertificate, Error> {
    issuer.ca().cloned().ok_or(Error::IssuerCertificate {
        defect: IssuerDefect::NoCertificate,
    })
}

impl Responder {
    /// The CA signs its own responses with its key (`issuer`'s algorithm).
    ///
    /// # Errors
    /// [`Error::IssuerCertificate`] for a self-signed [`Issuer`] that has no certificate yet.
    pub fn ca(issuer: &Issuer) -> Result<Self, Error> {
        Ok(Self {
            ca: ca_of(issuer)?,
            delegate: None,
            algorithm: issuer.algorithm(),
        })
    }

    /// A delegated responder: `responder` (issued by `issuer` under the OCSP responder profile)
    /// signs with `algorithm`. Whether it is authorised is a lint, checked for every response.
    ///
    /// # Errors
    /// [`Error::IssuerCertificate`] when `issuer` has no certificate or `responder` has no
    /// subject key identifier or a malformed extension.
    pub fn delegated(
        issuer: &Issuer,
        responder: &Certificate,
        algorithm: SignatureAlgorithm,
    ) -> Result<Self, Error> {
        Ok(Self {
            ca: ca_of(issuer)?,
            delegate: Some(Box::new(CaCertificate::new(responder)?)),
            algorithm,
        })
    }

    /// The certificate whose key signs.
    pub(crate) fn signing_cert(&self) -> &CaCertificate {
        self.delegate.as_deref().unwrap_or(&self.ca)
    }
}

/// Limits an OCSP response must meet besides RFC 6960.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OcspProfile {
    /// Longest `nextUpdate - thisUpdate`, in days.
    pub max_validity_days: u32,
    /// Whether `nextUpdate` must be present.
    pub require_next_update: bool,
    /// Signature algorithms responses may be signed with.
    pub signature_algorithms: Vec<SignatureFamily>,
}

impl OcspProfile {
    /// CA/B BR §4.9.10: "OCSP responses MUST have a validity interval … less than or equal to
    /// ten days" with `nextUpdate` present; the C2PA OCSP responder profile excludes EdDSA.
    #[must_use]
    pub fn c2pa() -> Self {
        Self {
            max_validity_days: 10,
            require_next_update: true,
            signature_algorithms: vec![
                SignatureFamily::EcdsaSha2,
                SignatureFamily::RsaPkcs1Sha2,
                SignatureFamily::RsaPss,
            ],
        }
    }
}

/// The answer for one certificate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CertificateStatus {
    /// Not revoked.
    Good,
    /// Revoked at `time`, optionally for `reason`.
    Revoked {
        /// `revocationTime`.
        time: DateTime,
        /// `revocationReason`.
        reason: Option<CrlReason>,
    },
    /// The responder does not know the certificate (e.g. another CA's CertID).
    Unknown,
}

/// One `SingleResponse` to produce.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SingleStatus {
    /// The CertID as the client sent it.
    pub cert_id: CertId,
    /// The status.
    pub status: CertificateStatus,
    /// `thisUpdate`.
    pub this_update: DateTime,
    /// `nextUpdate`.
    pub next_update: Option<DateTime>,
}

/// What a response answers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OcspResponseRequest {
    /// `producedAt`.
    pub produced_at: DateTime,
    /// One answer per CertID asked about.
    pub responses: Vec<SingleStatus>,
    /// The request's nonce, echoed (RFC 8954 §2.1).
    pub nonce: Option<OcspNonce>,
}

/// A `ResponseData` that passed every OCSP lint, ready for [`sign_ocsp_response`].
#[derive(Debug, PartialEq, Eq)]
pub struct LintedOcspResponse {
    tbs_der: Vec<u8>,
    algorithm: SignatureAlgorithm,
    signer_spki_der: Vec<u8>,
    certs: Option<Vec<Certificate>>,
}

impl LintedOcspResponse {
    /// The DER `ResponseData` that will be signed.
    #[must_use]
    pub fn tbs_der(&self) -> &[u8] {
        &self.tbs_der
    }
}

/// `hash` over `data` (`None` for a digest this crate does not compute).
pub(crate) fn digest(hash: DigestAlgorithm, data: &[u8]) -> Option<Vec<u8>> {
    Some(match hash {
        DigestAlgorithm::Sha1 => sha1::Sha1::digest(data).to_vec(),
        DigestAlgorithm::Sha256 => sha2::Sha256::digest(data).to_vec(),
        DigestAlgorithm::Sha384 => sha2::Sha384::digest(data).to_vec(),
        DigestAlgorithm::Sha512 => sha2::Sha512::digest(data).to_vec(),
        _ => return None,
    })
}

/// The (issuerNameHash, issuerKeyHash) pair of `ca` under `hash` (RFC 6960 §4.1.1: the hash
/// of the DER issuer name, and of the issuer's `subjectPublicKey` bits).
pub(crate) fn issuer_hashes(
    ca: &CaCertificate,
    hash: DigestAlgorithm,
) -> Result<(Vec<u8>, Vec<u8>), Error> {
    let name_der = ca.name().to_der().map_err(Error::der("issuer name"))?;
    let spki = SubjectPublicKeyInfoRef::from_der(&ca.spki_der).map_err(Error::der("issuer key"))?;
    let unsupported = || Error::Der {
        what: "CertID hash algorithm",
        source: ErrorKind::OidUnknown { oid: hash.oid() }.into(),
    };
    Ok((
        digest(hash, &name_der).ok_or_else(unsupported)?,
        digest(hash, spki.subject_public_key.raw_bytes()).ok_or_else(unsupported)?,
    ))
}

/// The CertID of the certificate `serial` issued by `issuer`, hashed with `hash` (parameters
/// NULL, as OpenSSL writes them).
///
/// # Errors
/// [`Error::IssuerCertificate`] for an issuer without certificate, [`Error::Der`] on encoding.
pub fn cert_id(
    issuer: &Issuer,
    serial: &SerialNumber,
    hash: DigestAlgorithm,
) -> Result<CertId, Error> {
    let ca = ca_of(issuer)?;
    let (name_hash, key_hash) = issuer_hashes(&ca, hash)?;
    Ok(CertId {
        hash_algorithm: hash.to_algorithm_identifier_with_null(),
        issuer_name_hash: OctetString::new(name_hash).map_err(Error::der("issuerNameHash"))?,
        issuer_key_hash: OctetString::new(key_hash).map_err(Error::der("issuerKeyHash"))?,
        serial_number: serial.clone(),
    })
}

/// Builds the `ResponseData`.
pub(crate) fn build(
    request: &OcspResponseRequest,
    responder: &Responder,
) -> Result<ResponseData, LintError> {
    let unencodable = |what| move |_| LintError::Unencodable { what };
    let key_hash = crate::key_id::method1_der(&responder.signing_cert().spki_der)
        .map_err(unencodable("responder key"))?;
    let responses = request
        .responses
        .iter()
        .map(|single| {
            let cert_status = match single.status {
                CertificateStatus::Good => CertStatus::Good(Null),
                CertificateStatus::Revoked { time, reason } => CertStatus::Revoked(RevokedInfo {
                    revocation_time: GeneralizedTime::from_date_time(time),
                    revocation_reason: reason,
                }),
                CertificateStatus::Unknown => CertStatus::Unknown(Null),
            };
            SingleResponse {
                cert_id: single.cert_id.clone(),
                cert_status,
                this_update: GeneralizedTime::from_date_time(single.this_update),
                next_update: single.next_update.map(GeneralizedTime::from_date_time),
                single_extensions: None,
            }
        })
        .collect();
    let response_extensions = match &request.nonce {
        Some(nonce) => Some(vec![
            nonce
                .to_extension()
                .map_err(unencodable("nonce extension"))?,
        ]),
        None => None,
    };
    Ok(ResponseData {
        version: Version::V1,
        responder_id: ResponderId::ByKey(
            OctetString::new(key_hash).map_err(unencodable("responder key hash"))?,
        ),
        produced_at: GeneralizedTime::from_date_time(request.produced_at),
        responses,
        response_extensions,
    })
}

/// Decodes `der` as a `ResponseData` and runs every OCSP lint.
pub(crate) fn lint_der(der: &[u8], responder: &Responder, profile: &OcspProfile) -> Vec<LintError> {
    match ResponseData::from_der(der) {
        Ok(data) => lints::run_all(&data, responder, profile),
        Err(_) => vec![LintError::Unencodable {
            what: "ResponseData (does not decode)",
        }],
    }
}

/// Builds the response data for `request`, signed by `responder`, and lints it under
/// `profile`.
///
/// # Errors
/// Every lint finding, at once.
pub fn prepare_ocsp_response(
    request: &OcspResponseRequest,
    responder: &Responder,
    profile: &OcspProfile,
) -> Result<LintedOcspResponse, LintErrors> {
    let der = build(request, responder)
        .and_then(|data| {
            data.to_der().map_err(|_| LintError::Unencodable {
                what: "ResponseData",
            })
        })
        .map_err(LintErrors::one)?;
    LintErrors::check(lint_der(&der, responder, profile))?;
    Ok(LintedOcspResponse {
        tbs_der: der,
        algorithm: responder.algorithm,
        signer_spki_der: responder.signing_cert().spki_der.clone(),
        certs: responder
            .delegate
            .as_ref()
            .map(|d| vec![d.certificate.clone()]),
    })
}

/// Signs a linted response and wraps it as a successful `OCSPResponse` (`id-pkix-ocsp-basic`).
/// A delegated responder's certificate travels in `certs` (RFC 6960 §4.2.2.2).
///
/// # Errors
/// As [`sign`](crate::sign): a signer of another algorithm or key, a backend failure, or an
/// assembly failure.
pub fn sign_ocsp_response(
    response: LintedOcspResponse,
    signer: &dyn Signer,
) -> Result<OcspResponse, Error> {
    if signer.algorithm() != response.algorithm {
        return Err(Error::SignerAlgorithmMismatch {
            prepared: response.algorithm,
            signer: signer.algorithm(),
        });
    }
    if signer.public_key_der() != response.signer_spki_der {
        return Err(Error::SignerKeyMismatch);
    }
    let algorithm = response.algorithm;
    let signature_algorithm = algorithm
        .to_algorithm_identifier()
        .map_err(|source| Error::Algorithm { algorithm, source })?;
    let signature = signer.sign(&response.tbs_der).map_err(Error::Sign)?;
    let basic = BasicOcspResponse {
        tbs_response_data: ResponseData::from_der(&response.tbs_der)
            .map_err(Error::der("ResponseData"))?,
        signature_algorithm,
        signature: BitString::from_bytes(&signature).map_err(Error::der("signature"))?,
        certs: response.certs,
    };
    let basic_der = basic.to_der().map_err(Error::der("BasicOCSPResponse"))?;
    // DER is canonical, so the re-encoded ResponseData is the signed one; check it anyway.
    if !basic_der
        .windows(response.tbs_der.len())
        .any(|w| w == response.tbs_der.as_slice())
    {
        return Err(Error::Der {
            what: "BasicOCSPResponse (ResponseData re-encoded differently)",
            source: ErrorKind::Noncanonical { tag: Tag::Sequence }.into(),
        });
    }
    Ok(OcspResponse {
        response_status: OcspResponseStatus::Successful,
        response_bytes: Some(ResponseBytes {
            response_type: ID_PKIX_OCSP_BASIC,
            response: OctetString::new(basic_der).map_err(Error::der("responseBytes"))?,
        }),
    })
}

/// An unsigned error response (RFC 6960 §2.3: "these messages are not signed").
///
/// # Errors
/// [`Error::SuccessfulNeedsResponse`] for `successful`, which needs a signed response.
pub fn error_response(status: OcspResponseStatus) -> Result<OcspResponse, Error> {
    if status == OcspResponseStatus::Successful {
        return Err(Error::SuccessfulNeedsResponse);
    }
    Ok(OcspResponse {
        response_status: status,
        response_bytes: None,
    })
}

#[cfg(test)]
mod tests;
