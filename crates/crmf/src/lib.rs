//! `signet-crmf`: one request model for CRMF (`CertReqMsg`, RFC 4211) and PKCS#10
//! (`CertificationRequest`, RFC 2986), and proof-of-possession verification (RFC 4211 §4,
//! RFC 9810 §5.2.8).
//!
//! What this crate does **not** do: decode bytes (that is `signet-asn1-types::strict`), decide
//! policy (is this subscriber allowed this subject?) or build wire errors. Its errors carry the
//! `PKIFailureInfo` bit they map to; `cmp-protocol` turns that into a `PKIStatusInfo`.
//!
//! Signatures are verified over the DER of the signed structure. Inputs come from strict
//! decoding, which guarantees that every value re-encodes to exactly the bytes received, so the
//! re-encoding used here *is* the received byte string.
//!
//! A subscriber builds a CRMF request and signs its proof of possession with the key being
//! certified; the RA checks it, reads the normalised [`Request`], and refuses a request whose
//! template was changed afterwards, with the `PKIFailureInfo` bit to answer:
//!
//! ```rust
//! use signet_asn1_types::cmp::PkiFailureBit;
//! use signet_asn1_types::crmf::{CertReqMsg, CertRequest, CertTemplate};
//! use signet_asn1_types::crypto::Signer as _;
//! use signet_asn1_types::der::Decode;
//! use signet_asn1_types::spki::SubjectPublicKeyInfoOwned;
//! use signet_asn1_types::x509_cert::ext::pkix::name::GeneralName;
//! use signet_crmf::{Pop, Request, sign_crmf_pop, verify_crmf_pop};
//! use signet_crypto::{KeyPairSigner, KeyType, Verifier, generate_pkcs8};
//!
//! // The subscriber's new key (any `Signer`: a file, an HSM, ...).
//! let key = KeyPairSigner::from_pkcs8_default(&generate_pkcs8(KeyType::EcdsaP256)?)?;
//! let cert_req = CertRequest {
//!     cert_req_id: 0,
//!     cert_template: CertTemplate {
//!         subject: Some("CN=Newsroom Camera 7,O=Example News".parse()?),
//!         public_key: Some(SubjectPublicKeyInfoOwned::from_der(key.public_key_der())?),
//!         ..CertTemplate::default()
//!     },
//!     controls: None,
//! };
//! let sender = GeneralName::DirectoryName("CN=Newsroom Camera 7,O=Example News".parse()?);
//! let popo = sign_crmf_pop(&cert_req, &sender, &key)?;
//! let msg = CertReqMsg { cert_req, popo: Some(popo), reg_info: None };
//!
//! // The RA: proof of possession first (raVerified is not allowed from this sender) ...
//! assert_eq!(verify_crmf_pop(&msg, false, &Verifier)?, Pop::Signature);
//! // ... then what the request asks for, the same for CRMF and PKCS#10.
//! let request = Request::from_crmf(&msg)?;
//! assert_eq!(request.cert_req_id, 0);
//! assert_eq!(request.subject.unwrap().to_string(), "CN=Newsroom Camera 7,O=Example News");
//!
//! // A template changed after signing (another subject) no longer verifies: badPOP.
//! let mut tampered = msg.clone();
//! tampered.cert_req.cert_template.subject = Some("CN=Someone Else".parse()?);
//! let err = verify_crmf_pop(&tampered, false, &Verifier).unwrap_err();
//! assert_eq!(err.failure_bit(), PkiFailureBit::BadPop);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
#![forbid(unsafe_code)]

pub mod envelope;

use signet_asn1_types::algorithm::AlgorithmError;
use signet_asn1_types::cmp::PkiFailureBit;
use signet_asn1_types::const_oid::ObjectIdentifier;
use signet_asn1_types::crmf::{
    CertId, CertReqMsg, CertRequest, Control, PopoPrivKey, PopoSigningKey, PopoSigningKeyInput,
    PopoSigningKeyInputAuthInfo, ProofOfPossession, SubsequentMessage,
};
use signet_asn1_types::crypto::{
    CryptoError, EncryptionKey, PublicKeyEncryption, SignatureAlgorithm, SignatureVerifier, Signer,
};
use signet_asn1_types::der::asn1::BitString;
use signet_asn1_types::der::{Any, Decode, Encode};
use signet_asn1_types::spki::SubjectPublicKeyInfoOwned;
use signet_asn1_types::x509_cert::ext::pkix::name::GeneralName;
use signet_asn1_types::x509_cert::ext::{Extension, Extensions};
use signet_asn1_types::x509_cert::name::Name;
use signet_asn1_types::x509_cert::request::CertReq;
use signet_asn1_types::x509_cert::time::Time;

/// `pkcs-9-at-extensionRequest` (RFC 2985 §5.4.2): requested extensions in a PKCS#10 request.
pub const EXTENSION_REQUEST: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.14");

/// Where a request came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RequestFormat {
    /// A CRMF `CertReqMsg` (ir, cr, kur, ...).
    Crmf,
    /// A PKCS#10 `CertificationRequest` (p10cr).
    Pkcs10,
}

/// The normalised request: what a CA needs from either format.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    /// The format.
    pub format: RequestFormat,
    /// `certReqId` (PKCS#10 requests are answered with -1, RFC 9810 §5.3.4).
    pub cert_req_id: i64,
    /// The requested subject, if any (absent is allowed in CRMF with `poposkInput`).
    pub subject: Option<Name>,
    /// The public key to certify (its SPKI as received).
    pub public_key: SubjectPublicKeyInfoOwned,
    /// Requested extensions.
    pub extensions: Vec<Extension>,
    /// Requested `notBefore`.
    pub not_before: Option<Time>,
    /// Requested `notAfter`.
    pub not_after: Option<Time>,
    /// Requested issuer.
    pub issuer: Option<Name>,
    /// `oldCertID` control (kur).
    pub old_cert_id: Option<CertId>,
}

/// How possession of the private key was (or will be) proven.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Pop {
    /// A signature by the requested key verified.
    Signature,
    /// The sender is an RA the caller authorised to vouch for the key (`raVerified`).
    RaVerified,
    /// Indirect method (`subsequentMessage encrCert`, RFC 9810 §5.2.8.3.2): the certificate is
    /// returned encrypted to the requested key, and the certConf's certHash is the proof. The
    /// certificate must not be published before that certConf.
    EncryptedCertificate,
    /// Direct method (`subsequentMessage challengeResp`, RFC 9810 §5.2.8.3.3): a popdecc
    /// challenge must be answered before the certificate is issued.
    Challenge,
    /// The direct challenge was answered correctly (set by the CMP engine on the popdecr).
    ChallengeAnswered,
}

/// What [`verify_pop`] may accept.
#[derive(Clone, Copy)]
pub struct PopCheck<'a> {
    /// The authenticated sender is an RA trusted to assert `raVerified` (RFC 4211 §4.3).
    pub ra_verified_allowed: bool,
    /// Verifies signature POP.
    pub verifier: &'a dyn SignatureVerifier,
    /// Validates encryption and key-agreement keys. Without it, POP for such keys is refused
    /// (`badPOP`); with it, the indirect and direct methods are offered.
    pub encryption: Option<&'a dyn PublicKeyEncryption>,
    /// The authenticated sender of the request (the CMP header `sender` whose protection the
    /// caller verified): a `poposkInput` must name it.
    pub sender: Option<&'a GeneralName>,
    /// The request is cmp2021 (pvno 3), so the certificate or challenge can come back in CMS
    /// EnvelopedData; with pvno 2 only RSA keys can use the indirect method (EncryptedValue)
    /// and the direct challenge is refused.
    pub cmp2021: bool,
}

impl core::fmt::Debug for PopCheck<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("PopCheck")
            .field("ra_verified_allowed", &self.ra_verified_allowed)
            .field("encryption", &self.encryption.is_some())
            .field("cmp2021", &self.cmp2021)
            .finish_non_exhaustive()
    }
}

/// Why a request was refused. Each maps to one `PKIFailureInfo` bit.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// No proof of possession (`popo` absent).
    #[error("popo missing")]
    PopMissing,
    /// `raVerified` from a sender the caller did not authorise as an RA.
    #[error("popo raverified not accepted")]
    RaVerifiedNotAccepted,
    /// A POP method Signet does not support (key encipherment/agreement, indirect POP).
    #[error("unsupported popo method")]
    UnsupportedPopMethod,
    /// The template has no subject and the POP has no `poposkInput` (RFC 4211 §4.1).
    #[error("popo missing subject")]
    MissingSubject,
    /// `poposkInput` present although the template has a subject, its key differs from the
    /// template's, or its `sender` is not the authenticated requester (RFC 4211 §4.1).
    #[error("poposkInput inconsistent with the certificate template")]
    PoposkInputMismatch,
    /// `poposkInput.authInfo` is `publicKeyMAC`, which Signet does not accept.
    #[error("poposkInput publicKeyMAC is not supported")]
    PublicKeyMacUnsupported,
    /// The POP signature does not verify.
    #[error("POP signature does not verify")]
    BadPopSignature,
    /// The POP signature algorithm is not accepted.
    #[error("POP signature algorithm not accepted: {0}")]
    BadAlgorithm(AlgorithmError),
    /// A well-formed key of another type or curve than the signature algorithm needs (a P-256
    /// key with ecdsa-with-SHA384, say).
    #[error("the signature algorithm does not fit the public key")]
    KeyAlgorithmMismatch,
    /// The crypto provider does not implement the algorithm.
    #[error("the crypto provider does not implement this signature algorithm")]
    AlgorithmNotProvided,
    /// The template has no public key.
    #[error("certificate template has no public key")]
    MissingPublicKey,
    /// The public key is unusable (weak, malformed, wrong type for the algorithm).
    #[error("public key unusable for its signature algorithm")]
    BadPublicKey,
    /// A control or the extension request does not decode.
    #[error("malformed {what}")]
    Malformed {
        /// What.
        what: &'static str,
    },
    /// Key-encipherment POP for a key that cannot encipher, or key-agreement POP for a key that
    /// cannot agree (RFC 9810 §5.2.8.3).
    #[error("{method} POP does not fit the public key")]
    PopKeyMismatch {
        /// `keyEncipherment` or `keyAgreement`.
        method: &'static str,
    },
    /// The POP method needs cmp2021 syntax (pvno 3) that the request did not announce.
    #[error("{method} needs cmp2021 (pvno 3)")]
    PopNeedsCmp2021 {
        /// The method.
        method: &'static str,
    },
    /// An encryption primitive failed or refused a key.
    #[error("encryption: {0}")]
    Crypto(CryptoError),
    /// An EnvelopedData or EncryptedValue not in the form Signet produces and accepts.
    #[error("unsupported encrypted structure: {what}")]
    UnsupportedEnvelope {
        /// What is not supported.
        what: &'static str,
    },
    /// A challenge whose `Rand` does not match its sender or witness.
    #[error("challenge Rand does not match its sender or witness")]
    ChallengeMismatch,
    /// Signing a POP or a PKCS#10 request failed in the key backend.
    #[error("signing the proof of possession failed")]
    SigningFailed,
    /// Encoding a structure we build failed.
    #[error("encoding the {what} failed")]
    Encoding {
        /// What.
        what: &'static str,
    },
}

impl Error {
    /// The `PKIFailureInfo` bit to report (RFC 9810 §5.2.3).
    pub fn failure_bit(&self) -> PkiFailureBit {
        match self {
            Self::BadAlgorithm(_) | Self::AlgorithmNotProvided | Self::KeyAlgorithmMismatch => {
                PkiFailureBit::BadAlg
            }
            Self::MissingPublicKey | Self::BadPublicKey => PkiFailureBit::BadCertTemplate,
            Self::Malformed { .. } => PkiFailureBit::BadDataFormat,
            Self::SigningFailed | Self::Encoding { .. } => PkiFailureBit::SystemFailure,
            Self::Crypto(CryptoError::BadPublicKey) => PkiFailureBit::BadCertTemplate,
            Self::Crypto(CryptoError::UnsupportedAlgorithm) | Self::UnsupportedEnvelope { .. } => {
                PkiFailureBit::BadAlg
            }
            Self::Crypto(CryptoError::DecryptionFailed) => PkiFailureBit::BadPop,
            Self::Crypto(_) => PkiFailureBit::SystemFailure,
            _ => PkiFailureBit::BadPop,
        }
    }
}

impl Request {
    /// Normalises a CRMF request.
    pub fn from_crmf(msg: &CertReqMsg) -> Result<Self, Error> {
        let req = &msg.cert_req;
        let t = &req.cert_template;
        let public_key = t.public_key.clone().ok_or(Error::MissingPublicKey)?;
        let mut old_cert_id = None;
        for c in req.controls.iter().flatten() {
            if let Control::OldCertId(id) = c
                .typed()
                .map_err(|_| Error::Malformed { what: "control" })?
            {
                old_cert_id = Some(id);
            }
        }
        Ok(Self {
            format: RequestFormat::Crmf,
            cert_req_id: req.cert_req_id,
            subject: t.subject.clone(),
            public_key,
            extensions: t.extensions.clone().unwrap_or_default(),
            not_before: t.validity.as_ref().and_then(|v| v.not_before),
            not_after: t.validity.as_ref().and_then(|v| v.not_after),
            issuer: t.issuer.clone(),
            old_cert_id,
        })
    }

    /// Normalises a PKCS#10 request.
    pub fn from_pkcs10(csr: &CertReq) -> Result<Self, Error> {
        let mut extensions = Vec::new();
        for attr in csr.info.attributes.iter() {
            if attr.oid == EXTENSION_REQUEST {
                for v in attr.values.iter() {
                    let der = v.to_der().map_err(|_| Error::Malformed {
                        what: "extensionRequest",
                    })?;
                    let exts = Extensions::from_der(&der).map_err(|_| Error::Malformed {
                        what: "extensionRequest",
                    })?;
                    extensions.extend(exts);
                }
            }
        }
        let spki_der = csr
            .info
            .public_key
            .to_der()
            .map_err(|_| Error::BadPublicKey)?;
        Ok(Self {
            format: RequestFormat::Pkcs10,
            cert_req_id: -1,
            subject: Some(csr.info.subject.clone()),
            public_key: SubjectPublicKeyInfoOwned::from_der(&spki_der)
                .map_err(|_| Error::BadPublicKey)?,
            extensions,
            not_before: None,
            not_after: None,
            issuer: None,
            old_cert_id: None,
        })
    }
}

/// `id-ecPublicKey`, `rsaEncryption`, and the named curves (RFC 5480, RFC 3279).
const ID_EC_PUBLIC_KEY: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.2.1");
const RSA_ENCRYPTION: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.1");
const SECP256R1: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.3.1.7");
const SECP384R1: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.132.0.34");
const SECP521R1: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.132.0.35");

/// Whether a well-formed key of another type or curve is offered under `alg` (e.g. a P-256
/// key with ecdsa-with-SHA384, an RSA key with ECDSA): the key may be fine, the pairing is
/// not one Signet accepts (RFC 9481 §3 pairs each curve with its hash) — `badAlg`, not
/// `badCertTemplate`. Malformed keys are left to the verifier.
fn key_fits_algorithm(alg: SignatureAlgorithm, spki_der: &[u8]) -> Result<(), Error> {
    use signet_asn1_types::spki::SubjectPublicKeyInfoRef;
    let Ok(spki) = SubjectPublicKeyInfoRef::from_der(spki_der) else {
        return Ok(());
    };
    let curve = spki
        .algorithm
        .parameters
        .and_then(|p| p.decode_as::<ObjectIdentifier>().ok());
    let (want_oid, want_curve) = match alg {
        SignatureAlgorithm::EcdsaP256Sha256Asn1 => (ID_EC_PUBLIC_KEY, Some(SECP256R1)),
        SignatureAlgorithm::EcdsaP384Sha384Asn1 => (ID_EC_PUBLIC_KEY, Some(SECP384R1)),
        SignatureAlgorithm::EcdsaP521Sha512Asn1 => (ID_EC_PUBLIC_KEY, Some(SECP521R1)),
        SignatureAlgorithm::RsaPkcs1Sha256
        | SignatureAlgorithm::RsaPkcs1Sha384
        | SignatureAlgorithm::RsaPkcs1Sha512 => (RSA_ENCRYPTION, None),
        _ => return Ok(()),
    };
    let supported_key = spki.algorithm.oid == RSA_ENCRYPTION
        || (spki.algorithm.oid == ID_EC_PUBLIC_KEY
            && curve.is_some_and(|c| [SECP256R1, SECP384R1, SECP521R1].contains(&c)));
    let fits = spki.algorithm.oid == want_oid && (want_curve.is_none() || curve == want_curve);
    if supported_key && !fits {
        return Err(Error::KeyAlgorithmMismatch);
    }
    Ok(())
}

fn check_signature(
    verifier: &dyn SignatureVerifier,
    alg: SignatureAlgorithm,
    spki_der: &[u8],
    signed: &[u8],
    signature: &[u8],
) -> Result<(), Error> {
    use signet_asn1_types::crypto::VerifyError;
    key_fits_algorithm(alg, spki_der)?;
    verifier
        .verify(alg, spki_der, signed, signature)
        .map_err(|e| match e {
            VerifyError::BadPublicKey => Error::BadPublicKey,
            VerifyError::UnsupportedAlgorithm => Error::AlgorithmNotProvided,
            _ => Error::BadPopSignature,
        })
}

/// Verifies the proof of possession of a CRMF request.
///
/// `ra_verified_allowed`: the caller has authenticated the sender as an RA entitled to assert
/// `raVerified` (RFC 4211 §4.3); otherwise `raVerified` is refused.
///
/// POP for encryption and key-agreement keys is refused here (`badPOP`, as OpenSSL's mock
/// server does); [`verify_pop`] offers it.
pub fn verify_crmf_pop(
    msg: &CertReqMsg,
    ra_verified_allowed: bool,
    verifier: &dyn SignatureVerifier,
) -> Result<Pop, Error> {
    verify_pop(
        msg,
        &PopCheck {
            ra_verified_allowed,
            verifier,
            encryption: None,
            sender: None,
            cmp2021: false,
        },
    )
}

/// Key-encipherment or key-agreement POP (RFC 9810 §5.2.8.3): only the `subsequentMessage`
/// methods are accepted — the private key is never sent (`thisMessage`, `encryptedKey`) and
/// the deprecated `dhMAC` and unsupported `agreeMAC` are refused — for a key of the right
/// type that the crypto provider validates (malformed or weak keys: `badCertTemplate`, key
/// types it cannot use: `badAlg`).
fn verify_encryption_pop(
    msg: &CertReqMsg,
    popo: &PopoPrivKey,
    agreement: bool,
    check: &PopCheck<'_>,
) -> Result<Pop, Error> {
    let method = if agreement {
        "keyAgreement"
    } else {
        "keyEncipherment"
    };
    let PopoPrivKey::SubsequentMessage(subsequent) = popo else {
        return Err(Error::UnsupportedPopMethod);
    };
    let encryption = check.encryption.ok_or(Error::UnsupportedPopMethod)?;
    let spki = msg
        .cert_req
        .cert_template
        .public_key
        .as_ref()
        .ok_or(Error::MissingPublicKey)?
        .to_der()
        .map_err(|_| Error::BadPublicKey)?;
    let key = encryption.encryption_key(&spki).map_err(Error::Crypto)?;
    let fits = match key {
        EncryptionKey::Rsa { .. } => !agreement,
        EncryptionKey::Ec(_) => agreement,
        _ => false,
    };
    if !fits {
        return Err(Error::PopKeyMismatch { method });
    }
    match subsequent {
        SubsequentMessage::EncrCert => {
            // Without cmp2021 only RSA keys can have their certificate in an EncryptedValue.
            if agreement && !check.cmp2021 {
                return Err(Error::PopNeedsCmp2021 {
                    method: "encrypted certificate for a key-agreement key",
                });
            }
            Ok(Pop::EncryptedCertificate)
        }
        SubsequentMessage::ChallengeResp => {
            if !check.cmp2021 {
                return Err(Error::PopNeedsCmp2021 {
                    method: "challenge-response POP",
                });
            }
            Ok(Pop::Challenge)
        }
    }
}

/// Verifies the proof of possession of a CRMF request under `check` (RFC 4211 §4,
/// RFC 9810 §5.2.8): signature POP, `raVerified` for authorised RAs, and the indirect and
/// direct methods for encryption and key-agreement keys.
pub fn verify_pop(msg: &CertReqMsg, check: &PopCheck<'_>) -> Result<Pop, Error> {
    let verifier = check.verifier;
    let template = &msg.cert_req.cert_template;
    match msg.popo.as_ref().ok_or(Error::PopMissing)? {
        ProofOfPossession::RaVerified(_) => {
            if check.ra_verified_allowed {
                Ok(Pop::RaVerified)
            } else {
                Err(Error::RaVerifiedNotAccepted)
            }
        }
        ProofOfPossession::KeyEncipherment(p) => verify_encryption_pop(msg, p, false, check),
        ProofOfPossession::KeyAgreement(p) => verify_encryption_pop(msg, p, true, check),
        ProofOfPossession::Signature(pop) => {
            let template_key = template
                .public_key
                .as_ref()
                .ok_or(Error::MissingPublicKey)?;
            let alg =
                SignatureAlgorithm::from_algorithm_identifier_owned(&pop.algorithm_identifier)
                    .map_err(Error::BadAlgorithm)?;
            // RFC 4211 §4.1: poposkInput is present iff the template has no subject. One
            // exception: a template without a subject but with subjectAltName, signed over the
            // CertRequest — what OpenSSL sends for `-sans` without `-subject` (RFC 5280
            // §4.1.2.6 lets such a certificate have an empty subject). The signature still
            // proves possession of the key; who the sender is comes from the message's
            // protection, and the RA decides the subject.
            let san_only = template.subject.is_none() && has_subject_alt_name(template);
            let signed = match (&template.subject, &pop.poposk_input) {
                (Some(_), None) => msg.cert_req.to_der().map_err(|_| Error::Malformed {
                    what: "CertRequest",
                })?,
                (None, None) if san_only => {
                    msg.cert_req.to_der().map_err(|_| Error::Malformed {
                        what: "CertRequest",
                    })?
                }
                (None, None) => return Err(Error::MissingSubject),
                (Some(_), Some(_)) => return Err(Error::PoposkInputMismatch),
                (None, Some(input)) => {
                    if &input.public_key != template_key {
                        return Err(Error::PoposkInputMismatch);
                    }
                    match &input.auth_info {
                        PopoSigningKeyInputAuthInfo::PublicKeyMac(_) => {
                            return Err(Error::PublicKeyMacUnsupported);
                        }
                        // "sender ... used only if an authenticated identity has been
                        // established for the sender" (RFC 4211 §4.1): it must be the
                        // authenticated requester, and a name.
                        PopoSigningKeyInputAuthInfo::Sender(sender) => {
                            let empty =
                                matches!(sender, GeneralName::DirectoryName(n) if n.is_empty());
                            if empty || check.sender.is_some_and(|s| s != sender) {
                                return Err(Error::PoposkInputMismatch);
                            }
                        }
                    }
                    input.to_der().map_err(|_| Error::Malformed {
                        what: "POPOSigningKeyInput",
                    })?
                }
            };
            let spki = template_key.to_der().map_err(|_| Error::BadPublicKey)?;
            let sig = pop.signature.as_bytes().ok_or(Error::BadPopSignature)?;
            check_signature(verifier, alg, &spki, &signed, sig)?;
            Ok(Pop::Signature)
        }
    }
}

/// Verifies a PKCS#10 request's self-signature over its `certificationRequestInfo`.
pub fn verify_pkcs10(csr: &CertReq, verifier: &dyn SignatureVerifier) -> Result<(), Error> {
    let alg_der = csr.algorithm.to_der().map_err(|_| Error::Malformed {
        what: "signatureAlgorithm",
    })?;
    let alg_owned =
        signet_asn1_types::spki::AlgorithmIdentifierOwned::from_der(&alg_der).map_err(|_| {
            Error::Malformed {
                what: "signatureAlgorithm",
            }
        })?;
    let alg = SignatureAlgorithm::from_algorithm_identifier_owned(&alg_owned)
        .map_err(Error::BadAlgorithm)?;
    let info = csr.info.to_der().map_err(|_| Error::Malformed {
        what: "certificationRequestInfo",
    })?;
    let spki = csr
        .info
        .public_key
        .to_der()
        .map_err(|_| Error::BadPublicKey)?;
    let sig = csr.signature.as_bytes().ok_or(Error::BadPopSignature)?;
    check_signature(verifier, alg, &spki, &info, sig)
}

/// Whether a template requests a subjectAltName extension.
fn has_subject_alt_name(template: &signet_asn1_types::crmf::CertTemplate) -> bool {
    const SUBJECT_ALT_NAME: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.17");
    template
        .extensions
        .iter()
        .flatten()
        .any(|e| e.extn_id == SUBJECT_ALT_NAME)
}

/// Signs the proof of possession of a CRMF request with the key being certified (RFC 4211
/// §4.1, RFC 9810 §5.2.8.2): over the DER of `certReq` when the template carries subject and
/// public key, otherwise over `POPOSigningKeyInput { sender, publicKey }`.
///
/// `sender` is the authenticated identity of the requester (the `sender` of the CMP header);
/// the `publicKeyMAC` alternative is not offered (Signet servers refuse it).
pub fn sign_crmf_pop(
    cert_req: &CertRequest,
    sender: &GeneralName,
    signer: &dyn Signer,
) -> Result<ProofOfPossession, Error> {
    let template = &cert_req.cert_template;
    let public_key = template
        .public_key
        .as_ref()
        .ok_or(Error::MissingPublicKey)?;
    let algorithm_identifier = signer
        .algorithm()
        .to_algorithm_identifier()
        .map_err(Error::BadAlgorithm)?;
    let (poposk_input, signed) = if template.subject.is_some() {
        let der = cert_req.to_der().map_err(|_| Error::Encoding {
            what: "CertRequest",
        })?;
        (None, der)
    } else {
        let input = PopoSigningKeyInput {
            auth_info: PopoSigningKeyInputAuthInfo::Sender(sender.clone()),
            public_key: public_key.clone(),
        };
        let der = input.to_der().map_err(|_| Error::Encoding {
            what: "POPOSigningKeyInput",
        })?;
        (Some(input), der)
    };
    let signature = signer.sign(&signed).map_err(|_| Error::SigningFailed)?;
    Ok(ProofOfPossession::Signature(PopoSigningKey {
        poposk_input,
        algorithm_identifier,
        signature: BitString::from_bytes(&signature).map_err(|_| Error::Encoding {
            what: "POP signature",
        })?,
    }))
}

/// Builds and self-signs a PKCS#10 request (RFC 2986 §4) for the signer's own key, with the
/// given extensions in an `extensionRequest` attribute.
pub fn sign_pkcs10(
    subject: Name,
    extensions: Vec<Extension>,
    signer: &dyn Signer,
) -> Result<CertReq, Error> {
    use signet_asn1_types::der::asn1::SetOfVec;
    use signet_asn1_types::x509_cert::attr::Attribute;
    use signet_asn1_types::x509_cert::request::{CertReqInfo, Version};

    let enc = |what| move |_| Error::Encoding { what };
    let public_key = SubjectPublicKeyInfoOwned::from_der(signer.public_key_der())
        .map_err(|_| Error::BadPublicKey)?;
    let mut attributes = SetOfVec::new();
    if !extensions.is_empty() {
        let value = Any::encode_from(&extensions).map_err(enc("extensionRequest"))?;
        let values = SetOfVec::try_from(vec![value]).map_err(enc("extensionRequest"))?;
        attributes
            .insert(Attribute {
                oid: EXTENSION_REQUEST,
                values,
            })
            .map_err(enc("attributes"))?;
    }
    let info = CertReqInfo {
        version: Version::V1,
        subject,
        public_key,
        attributes,
    };
    let algorithm = signer
        .algorithm()
        .to_algorithm_identifier()
        .map_err(Error::BadAlgorithm)?;
    let tbs = info.to_der().map_err(enc("certificationRequestInfo"))?;
    let signature = signer.sign(&tbs).map_err(|_| Error::SigningFailed)?;
    Ok(CertReq {
        info,
        algorithm,
        signature: BitString::from_bytes(&signature).map_err(enc("signature"))?,
    })
}

#[cfg(test)]
mod tests;
