//! Time-stamp tokens (RFC 3161, with RFC 5816's `ESSCertIDv2`) in the prepare → lint → sign
//! discipline of certificates: the trusted time C2PA claim signatures carry in `sigTst2`.
//!
//! 1. [`check_request`] decodes a `TimeStampReq` strictly and refuses what this TSA will not
//!    stamp, each refusal carrying its RFC 3161 `PKIFailureInfo` bit ([`Refusal`]);
//!    [`refusal_response`] turns one into the unsigned `TimeStampResp` (status `rejection`).
//! 2. [`prepare_time_stamp`] builds the `TSTInfo` for an accepted request at `gen_time`, decodes
//!    what it built and lints it (`lints`): the TSA certificate is fit to stamp (RFC 3161 §2.3:
//!    `id-kp-timeStamping` as its only, critical EKU), valid at `genTime`, the imprint, nonce and
//!    policy are the request's, the serial is unique enough.
//! 3. [`sign_time_stamp`] consumes the [`LintedTstInfo`] and returns the granted `TimeStampResp`:
//!    a CMS `SignedData` (RFC 5652) whose signed attributes are `contentType`, `messageDigest`
//!    and `signingCertificateV2` naming the TSA certificate (RFC 5816 §2.2.1); the TSA
//!    certificate and its chain go in `certificates` when the request asks (`certReq`).
//!
//! Nothing here reads a clock or holds a key: `gen_time` is the caller's trusted time and the
//! TSA key signs through [`Signer`].
//!
//! ```text
//! TimeStampToken ::= ContentInfo  -- id-signedData, eContentType id-ct-TSTInfo
//!
//! SignerInfo ::= SEQUENCE {
//!   version CMSVersion,
//!   sid SignerIdentifier,
//!   digestAlgorithm DigestAlgorithmIdentifier,
//!   signedAttrs [0] IMPLICIT SignedAttributes OPTIONAL,
//!   signatureAlgorithm SignatureAlgorithmIdentifier,
//!   signature SignatureValue,
//!   unsignedAttrs [1] IMPLICIT UnsignedAttributes OPTIONAL }
//! ```

use signet_asn1_types::algorithm::DigestAlgorithm;
use signet_asn1_types::cms::cert::{CertificateChoices, IssuerAndSerialNumber};
use signet_asn1_types::cms::content_info::{CmsVersion, ContentInfo};
use signet_asn1_types::cms::signed_data::{
    CertificateSet, EncapsulatedContentInfo, SignedData, SignerIdentifier, SignerInfo, SignerInfos,
};
use signet_asn1_types::const_oid::ObjectIdentifier;
use signet_asn1_types::crypto::{SignatureAlgorithm, Signer};
use signet_asn1_types::der::asn1::{BitString, OctetString, SetOfVec};
use signet_asn1_types::der::{Any, Decode, Encode};
use signet_asn1_types::time::GeneralizedTimeFrac;
use signet_asn1_types::tsp::{
    Accuracy, EssCertIdV2, ID_AA_SIGNING_CERTIFICATE_V2, ID_CT_TST_INFO, ID_SIGNED_DATA,
    IssuerSerial, SigningCertificateV2, TimeStampReq, TimeStampResp, TspFailureInfo, TspStatus,
    TspStatusInfo, TstInfo, Version, sha256_identifier,
};
use signet_asn1_types::x509_cert::Certificate;
use signet_asn1_types::x509_cert::attr::Attribute;
use signet_asn1_types::x509_cert::ext::pkix::name::GeneralName;
use signet_asn1_types::x509_cert::serial_number::SerialNumber;

use crate::issuer::CaCertificate;
use crate::lint::{LintError, LintErrors};
use crate::ocsp::digest;
use crate::profile::SignatureFamily;
use crate::{Error, Serial};

mod lints;

/// `id-contentType` (RFC 5652 §11.1).
pub const ID_CONTENT_TYPE: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.3");
/// `id-messageDigest` (RFC 5652 §11.2).
pub const ID_MESSAGE_DIGEST: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.4");

/// Longest request nonce accepted, in octets. RFC 3161 §2.4.1 asks for "a large random number
/// with a high probability that the client generates it only once"; OpenSSL sends 8 octets,
/// c2pa-rs 8 to 16. 32 octets (256 bits) bounds what an attacker can make us echo and sign.
pub const MAX_NONCE_OCTETS: usize = 32;

/// Largest `TimeStampReq` accepted, in bytes. A request is a hash, a policy, a nonce and a
/// flag (OpenSSL's are under 100 bytes); 4 KiB leaves room for extensions we then refuse with
/// the right failure bit instead of `badDataFormat`.
pub const MAX_REQUEST_BYTES: usize = 4096;

/// What this TSA stamps and how (its TSA policy, in RFC 3628 terms).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TsaProfile {
    /// The TSA policy under which tokens are issued (`TSTInfo.policy`); a request naming
    /// another policy is refused with `unacceptedPolicy`.
    pub policy: ObjectIdentifier,
    /// Hash algorithms accepted in `messageImprint` (SHA-1 is never accepted: a time-stamp
    /// over a SHA-1 imprint proves nothing about the data once collisions are cheap).
    pub hash_algorithms: Vec<DigestAlgorithm>,
    /// Signature algorithm families the TSA may sign with (the C2PA TSA profile excludes
    /// EdDSA: "RSA (PSS or SHA2 variants) or ECDSA (SHA2 variants)").
    pub signature_algorithms: Vec<SignatureFamily>,
    /// `TSTInfo.accuracy`: how far `genTime` may be from UTC (RFC 3628 §7.3.2 requires the TSA
    /// to state it; it depends on the operator's clock synchronisation).
    pub accuracy: Option<Accuracy>,
    /// Whether `TSTInfo.tsa` names the TSA (its certificate's subject).
    pub include_tsa_name: bool,
}

impl TsaProfile {
    /// A C2PA TSA under `policy`: SHA-256/384/512 imprints, ECDSA or RSA signatures, accuracy
    /// one second, the TSA named in the token.
    #[must_use]
    pub fn c2pa(policy: ObjectIdentifier) -> Self {
        Self {
            policy,
            hash_algorithms: vec![
                DigestAlgorithm::Sha256,
                DigestAlgorithm::Sha384,
                DigestAlgorithm::Sha512,
            ],
            signature_algorithms: vec![
                SignatureFamily::EcdsaSha2,
                SignatureFamily::RsaPkcs1Sha2,
                SignatureFamily::RsaPss,
            ],
            accuracy: Some(Accuracy {
                seconds: Some(1),
                millis: None,
                micros: None,
            }),
            include_tsa_name: true,
        }
    }
}

/// The time-stamping unit: its certificate, the chain up to (not including) the root, and the
/// algorithm its key signs with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimeStamper {
    pub(crate) cert: CaCertificate,
    pub(crate) chain: Vec<Certificate>,
    pub(crate) algorithm: SignatureAlgorithm,
}

impl TimeStamper {
    /// A TSA whose key, certified by `certificate`, signs with `algorithm`; `chain` holds the
    /// issuing CA certificates sent with the token when the client asks (`certReq`). Whether the
    /// certificate may time-stamp is a lint, checked for every token.
    ///
    /// # Errors
    /// [`Error::IssuerCertificate`] when the certificate has no subject key identifier or a
    /// malformed extension.
    pub fn new(
        certificate: &Certificate,
        chain: Vec<Certificate>,
        algorithm: SignatureAlgorithm,
    ) -> Result<Self, Error> {
        Ok(Self {
            cert: CaCertificate::new(certificate)?,
            chain,
            algorithm,
        })
    }

    /// The TSA certificate.
    #[must_use]
    pub fn certificate(&self) -> &Certificate {
        &self.cert.certificate
    }
}

/// Why a request is not stamped: the `PKIFailureInfo` bit and the `statusString` text.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{text}")]
pub struct Refusal {
    /// The failure bit (RFC 3161 §2.4.2).
    pub failure: TspFailureInfo,
    /// The human-readable reason sent in `statusString`.
    pub text: String,
}

impl Refusal {
    fn new(failure: TspFailureInfo, text: impl Into<String>) -> Self {
        Self {
            failure,
            text: text.into(),
        }
    }
}

/// A request this TSA will stamp, with the bytes it arrived as.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AcceptedRequest {
    request: TimeStampReq,
}

impl AcceptedRequest {
    /// The decoded request.
    #[must_use]
    pub fn request(&self) -> &TimeStampReq {
        &self.request
    }
}

/// Decodes `der` strictly and checks it against `profile` (the order follows RFC 3161 §2.4.1).
///
/// # Errors
/// A [`Refusal`]: `badDataFormat` for a request that is too large, does not decode or whose
/// imprint has the wrong length; `badAlg` for an imprint hash not accepted (or with parameters
/// other than absent/NULL); `unacceptedPolicy` for a policy other than the profile's;
/// `unacceptedExtension` for any extension (this TSA supports none); `badRequest` for a nonce
/// that is negative, zero-length or longer than [`MAX_NONCE_OCTETS`].
pub fn check_request(der: &[u8], profile: &TsaProfile) -> Result<AcceptedRequest, Refusal> {
    if der.len() > MAX_REQUEST_BYTES {
        return Err(Refusal::new(
            TspFailureInfo::BadDataFormat,
            format!("request of {} bytes exceeds {MAX_REQUEST_BYTES}", der.len()),
        ));
    }
    let request = TimeStampReq::from_der_strict(der).map_err(|e| {
        Refusal::new(
            TspFailureInfo::BadDataFormat,
            format!("malformed TimeStampReq: {e}"),
        )
    })?;
    let imprint = &request.message_imprint;
    let hash = DigestAlgorithm::from_algorithm_identifier_owned(&imprint.hash_algorithm)
        .ok()
        .filter(|h| profile.hash_algorithms.contains(h))
        .ok_or_else(|| {
            Refusal::new(
                TspFailureInfo::BadAlg,
                format!(
                    "message imprint hash {} not accepted",
                    imprint.hash_algorithm.oid
                ),
            )
        })?;
    let got = imprint.hashed_message.as_bytes().len();
    if got != hash.output_len() {
        return Err(Refusal::new(
            TspFailureInfo::BadDataFormat,
            format!(
                "message imprint is {got} bytes; {} needs {}",
                imprint.hash_algorithm.oid,
                hash.output_len()
            ),
        ));
    }
    if let Some(policy) = request.req_policy
        && policy != profile.policy
    {
        return Err(Refusal::new(
            TspFailureInfo::UnacceptedPolicy,
            format!(
                "policy {policy} not supported (this TSA issues under {})",
                profile.policy
            ),
        ));
    }
    if let Some(ext) = request.extensions.as_ref().and_then(|e| e.first()) {
        return Err(Refusal::new(
            TspFailureInfo::UnacceptedExtension,
            format!("extension {} not supported", ext.extn_id),
        ));
    }
    if let Some(nonce) = &request.nonce {
        let bytes = nonce.as_bytes();
        let negative = bytes.first().is_some_and(|b| b & 0x80 != 0);
        if negative || bytes.is_empty() || bytes.len() > MAX_NONCE_OCTETS + 1 {
            return Err(Refusal::new(
                TspFailureInfo::BadRequest,
                format!("nonce must be a positive integer of at most {MAX_NONCE_OCTETS} octets"),
            ));
        }
        let magnitude = bytes.strip_prefix(&[0]).unwrap_or(bytes);
        if magnitude.len() > MAX_NONCE_OCTETS {
            return Err(Refusal::new(
                TspFailureInfo::BadRequest,
                format!("nonce must be a positive integer of at most {MAX_NONCE_OCTETS} octets"),
            ));
        }
    }
    Ok(AcceptedRequest { request })
}

/// A `TSTInfo` that passed every TSA lint, ready for [`sign_time_stamp`].
#[derive(Debug, PartialEq, Eq)]
pub struct LintedTstInfo {
    tst_der: Vec<u8>,
    algorithm: SignatureAlgorithm,
    signer_spki_der: Vec<u8>,
    signer_cert: Certificate,
    certs: Option<Vec<Certificate>>,
}

impl LintedTstInfo {
    /// The DER `TSTInfo` that will be signed.
    #[must_use]
    pub fn tst_info_der(&self) -> &[u8] {
        &self.tst_der
    }
}

fn build(
    accepted: &AcceptedRequest,
    stamper: &TimeStamper,
    profile: &TsaProfile,
    gen_time: GeneralizedTimeFrac,
    serial: &Serial,
) -> Result<TstInfo, LintError> {
    let request = &accepted.request;
    Ok(TstInfo {
        version: Version::V1,
        policy: profile.policy,
        message_imprint: request.message_imprint.clone(),
        serial_number: SerialNumber::new(serial.as_bytes()).map_err(|_| {
            LintError::Unencodable {
                what: "serial number",
            }
        })?,
        gen_time,
        accuracy: profile.accuracy,
        ordering: false,
        nonce: request.nonce.clone(),
        tsa: profile
            .include_tsa_name
            .then(|| GeneralName::DirectoryName(stamper.cert.name().clone())),
        extensions: None,
    })
}

/// Builds the `TSTInfo` answering `accepted` at `gen_time` with `serial`, and lints it.
///
/// `gen_time` is the TSA's trusted time (with the fractional seconds its clock gives; RFC 3161
/// §2.4.2 forbids trailing zeros, which [`GeneralizedTimeFrac`] never writes).
///
/// # Errors
/// Every lint finding at once; any finding is the TSA's own fault (configuration or clock),
/// answered to the client as `systemFailure` ([`refusal_response`]).
pub fn prepare_time_stamp(
    accepted: &AcceptedRequest,
    stamper: &TimeStamper,
    profile: &TsaProfile,
    gen_time: GeneralizedTimeFrac,
    serial: &Serial,
) -> Result<LintedTstInfo, LintErrors> {
    let der = build(accepted, stamper, profile, gen_time, serial)
        .and_then(|tst| {
            tst.to_der()
                .map_err(|_| LintError::Unencodable { what: "TSTInfo" })
        })
        .map_err(LintErrors::one)?;
    let findings = match TstInfo::from_der_strict(&der) {
        Ok(tst) => lints::run_all(&tst, &accepted.request, stamper, profile, serial),
        Err(_) => vec![LintError::Unencodable {
            what: "TSTInfo (does not decode)",
        }],
    };
    LintErrors::check(findings)?;
    let certs = accepted.request.cert_req.then(|| {
        let mut certs = vec![stamper.cert.certificate.clone()];
        certs.extend(stamper.chain.iter().cloned());
        certs
    });
    Ok(LintedTstInfo {
        tst_der: der,
        algorithm: stamper.algorithm,
        signer_spki_der: stamper.cert.spki_der.clone(),
        signer_cert: stamper.cert.certificate.clone(),
        certs,
    })
}

fn attribute(
    oid: ObjectIdentifier,
    value: &impl Encode,
    what: &'static str,
) -> Result<Attribute, Error> {
    let any =
        Any::from_der(&value.to_der().map_err(Error::der(what))?).map_err(Error::der(what))?;
    Ok(Attribute {
        oid,
        values: SetOfVec::try_from(vec![any]).map_err(Error::der(what))?,
    })
}

/// Signs a linted `TSTInfo` and wraps it as a granted `TimeStampResp`.
///
/// # Errors
/// As [`sign`](crate::sign): a signer of another algorithm or key, a backend failure, or an
/// assembly failure.
pub fn sign_time_stamp(tst: LintedTstInfo, signer: &dyn Signer) -> Result<TimeStampResp, Error> {
    if signer.algorithm() != tst.algorithm {
        return Err(Error::SignerAlgorithmMismatch {
            prepared: tst.algorithm,
            signer: signer.algorithm(),
        });
    }
    if signer.public_key_der() != tst.signer_spki_der {
        return Err(Error::SignerKeyMismatch);
    }
    let algorithm = tst.algorithm;
    let digest_alg = algorithm.digest();
    let unsupported = |hash: DigestAlgorithm| Error::Algorithm {
        algorithm,
        source: signet_asn1_types::algorithm::AlgorithmError::UnknownDigestAlgorithm {
            oid: hash.oid(),
        },
    };
    let content_digest = digest(digest_alg, &tst.tst_der).ok_or_else(|| unsupported(digest_alg))?;
    let cert_der = tst
        .signer_cert
        .to_der()
        .map_err(Error::der("TSA certificate"))?;
    let cert_hash = digest(DigestAlgorithm::Sha256, &cert_der)
        .ok_or_else(|| unsupported(DigestAlgorithm::Sha256))?;
    let tbs = tst.signer_cert.tbs_certificate();
    let signing_certificate = SigningCertificateV2 {
        certs: vec![EssCertIdV2 {
            hash_algorithm: sha256_identifier(),
            cert_hash: OctetString::new(cert_hash).map_err(Error::der("certHash"))?,
            issuer_serial: Some(IssuerSerial {
                issuer: vec![GeneralName::DirectoryName(tbs.issuer().clone())],
                serial_number: tbs.serial_number().clone(),
            }),
        }],
        policies: None,
    };
    let signed_attrs = SetOfVec::try_from(vec![
        attribute(ID_CONTENT_TYPE, &ID_CT_TST_INFO, "contentType attribute")?,
        attribute(
            ID_MESSAGE_DIGEST,
            &OctetString::new(content_digest).map_err(Error::der("messageDigest"))?,
            "messageDigest attribute",
        )?,
        attribute(
            ID_AA_SIGNING_CERTIFICATE_V2,
            &signing_certificate,
            "signingCertificateV2 attribute",
        )?,
    ])
    .map_err(Error::der("signed attributes"))?;
    // RFC 5652 §5.4: the signature covers the DER of the attributes as a SET OF (tag 0x31),
    // not as the [0] IMPLICIT field they are carried in.
    let signed_attrs_der = signed_attrs
        .to_der()
        .map_err(Error::der("signed attributes"))?;
    let signature = signer.sign(&signed_attrs_der).map_err(Error::Sign)?;
    let signature_algorithm = algorithm
        .to_algorithm_identifier()
        .map_err(|source| Error::Algorithm { algorithm, source })?;
    let signer_info = SignerInfo {
        version: CmsVersion::V1,
        sid: SignerIdentifier::IssuerAndSerialNumber(IssuerAndSerialNumber {
            issuer: tbs.issuer().clone(),
            serial_number: tbs.serial_number().clone(),
        }),
        digest_alg: digest_alg.to_algorithm_identifier(),
        signed_attrs: Some(signed_attrs),
        signature_algorithm,
        signature: OctetString::new(signature).map_err(Error::der("signature"))?,
        unsigned_attrs: None,
    };
    let certificates = match tst.certs {
        Some(certs) => Some(CertificateSet(
            SetOfVec::try_from(
                certs
                    .into_iter()
                    .map(CertificateChoices::Certificate)
                    .collect::<Vec<_>>(),
            )
            .map_err(Error::der("certificates"))?,
        )),
        None => None,
    };
    let econtent = Any::from_der(
        &OctetString::new(tst.tst_der.clone())
            .map_err(Error::der("eContent"))?
            .to_der()
            .map_err(Error::der("eContent"))?,
    )
    .map_err(Error::der("eContent"))?;
    let signed_data = SignedData {
        // RFC 5652 §5.1: version 3 when eContentType is not id-data.
        version: CmsVersion::V3,
        digest_algorithms: SetOfVec::try_from(vec![digest_alg.to_algorithm_identifier()])
            .map_err(Error::der("digestAlgorithms"))?,
        encap_content_info: EncapsulatedContentInfo {
            econtent_type: ID_CT_TST_INFO,
            econtent: Some(econtent),
        },
        certificates,
        crls: None,
        signer_infos: SignerInfos(
            SetOfVec::try_from(vec![signer_info]).map_err(Error::der("signerInfos"))?,
        ),
    };
    let content = Any::from_der(&signed_data.to_der().map_err(Error::der("SignedData"))?)
        .map_err(Error::der("SignedData"))?;
    Ok(TimeStampResp {
        status: TspStatusInfo {
            status: TspStatus::Granted,
            status_string: None,
            fail_info: None,
        },
        time_stamp_token: Some(ContentInfo {
            content_type: ID_SIGNED_DATA,
            content,
        }),
    })
}

/// The unsigned `TimeStampResp` refusing a request (status `rejection`, RFC 3161 §2.4.2).
///
/// # Errors
/// [`Error::Der`] if the failure bit string cannot be encoded.
pub fn refusal_response(refusal: &Refusal) -> Result<TimeStampResp, Error> {
    let bit = refusal.failure.bit();
    let mut bytes = vec![0_u8; bit / 8 + 1];
    if let Some(byte) = bytes.get_mut(bit / 8) {
        *byte |= 0x80 >> (bit % 8);
    }
    // DER named-bit lists drop trailing zero bits (X.690 §11.2.2).
    let unused = u8::try_from(7 - bit % 8).unwrap_or(0);
    Ok(TimeStampResp {
        status: TspStatusInfo {
            status: TspStatus::Rejection,
            status_string: Some(vec![refusal.text.clone()]),
            fail_info: Some(BitString::new(unused, bytes).map_err(Error::der("failInfo"))?),
        },
        time_stamp_token: None,
    })
}

/// A `systemFailure` refusal for a token that could not be prepared or signed; the details
/// stay in the TSA's logs, not on the wire.
#[must_use]
pub fn system_failure() -> Refusal {
    Refusal::new(
        TspFailureInfo::SystemFailure,
        "the time-stamping unit could not issue a token",
    )
}

#[cfg(test)]
mod tests;
