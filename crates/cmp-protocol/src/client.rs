//! The client side of CMP (RFC 9810 §5; the end-entity flows of RFC 9483 §4), sans-I/O.
//!
//! A [`Client`] builds protected requests and checks responses. Every transaction is a state
//! value consumed by its handler, so a message can only be answered once and in order:
//! - enrollment — [`Client::ir`], [`Client::cr`], [`Client::kur`], [`Client::p10cr`] return
//!   the request bytes and an [`Enrolling`]; [`Enrolling::handle`] turns the ip/cp/kup (or
//!   pollRep) into an [`EnrollStep`]: `Poll` ([`Polling`] builds the pollReq), `Issued`
//!   ([`Issued`] builds the certConf and becomes a [`Confirming`] that takes the pkiConf), or
//!   `Done` when implicit confirmation was granted;
//! - revocation — [`Client::rr`] → [`Revoking`] → one `PKIStatusInfo` per certificate;
//! - general messages — [`Client::genm`] → [`Asking`] → the genp's `InfoTypeAndValue`s.
//!
//! Before its body is looked at, every response is strictly decoded within
//! [`ClientConfig::limits`], its protection verified over the bytes received (a MAC with our
//! shared secret, or a signature by the key the caller's [`ServerTrust`] names), and its pvno,
//! transactionID, recipNonce (= the senderNonce we sent), senderNonce and optionally
//! messageTime and sender checked. An `error` body becomes [`ClientError::Refused`].
//!
//! Time is a parameter (`now`, seconds since the Unix epoch); nonces and transaction IDs come
//! from `&dyn SecureRandom`; keys are `&dyn Signer`. [`drive`] runs a whole transaction over a
//! caller-supplied [`drive::Transport`], which is where the I/O lives.

use core::fmt;
use core::time::Duration;

use signet_asn1_types::algorithm::DigestAlgorithm;
use signet_asn1_types::cmp::{
    InfoTypeAndValue, InfoValue, PkiBody, PkiFailureBit, PkiHeader, PkiMessage, PkiStatus,
    PkiStatusInfo, RevDetails, pvno,
};
use signet_asn1_types::crmf::CertTemplate;
use signet_asn1_types::crypto::{SecureRandom, SignatureVerifier, Signer};
use signet_asn1_types::der::asn1::OctetString;
use signet_asn1_types::der::{DateTime, Encode};
use signet_asn1_types::seq::NonEmpty;
use signet_asn1_types::spki::AlgorithmIdentifierOwned;
use signet_asn1_types::strict::{DecodedMessage, Limits, StrictError, decode_pki_message};
use signet_asn1_types::time::GeneralizedTimeFrac;
use signet_asn1_types::x509_cert::Certificate;
use signet_asn1_types::x509_cert::ext::pkix::crl::CrlReason;
use signet_asn1_types::x509_cert::ext::pkix::name::GeneralName;
use signet_asn1_types::x509_cert::ext::{Extension, Extensions};
use signet_asn1_types::x509_cert::name::Name;

use crate::certhash::CertHashError;
use crate::mac::HmacAlgorithm;
use crate::protection::{self, MacKey, ProtectionError, ProtectionKind, ProtectionPolicy};

pub mod drive;
mod enroll;

pub use enroll::{
    CertificateRequest, Confirming, EnrollStep, Enrolled, Enrolling, Issued, Polling, Popo,
};

/// Length of the transactionID and of every senderNonce we send (RFC 9483 §3.1: 128 bits).
pub const ID_LEN: usize = 16;

/// Client settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientConfig {
    /// Our name in `sender` (the subject of our CMP certificate, or a NULL-DN with MAC
    /// protection when we have no name yet; RFC 9483 §3.1).
    pub sender: GeneralName,
    /// The server's name in `recipient`.
    pub recipient: GeneralName,
    /// Decoding limits for responses.
    pub limits: Limits,
    /// Bounds on the MAC parameters of responses (and of our own requests).
    pub protection: ProtectionPolicy,
    /// When set, a response whose messageTime differs from `now` by more than this is refused
    /// (`badTime`). `None` (the default) does not require synchronised clocks.
    pub max_clock_skew: Option<Duration>,
    /// Ask for implicit confirmation in enrollment requests (RFC 9810 §5.1.1.1).
    pub implicit_confirm: bool,
    /// When set, responses must come from this `sender` (like `openssl cmp -expect_sender`).
    pub expected_sender: Option<GeneralName>,
    /// Accept an unprotected `error` response (like `openssl cmp -unprotected_errors`); off by
    /// default, as RFC 9483 §3.6.4 asks.
    pub accept_unprotected_errors: bool,
    /// Most pollReq messages sent in one enrollment. Default 60.
    pub max_polls: u32,
    /// Largest `checkAfter` accepted from the server. Default one hour.
    pub max_check_after: Duration,
    /// The certificate profile to ask for, sent as `id-it-certProfile` in the generalInfo of
    /// enrollment requests and genm (RFC 9810 §5.1.1.4, RFC 9483 §3.1).
    pub cert_profile: Option<String>,
}

impl ClientConfig {
    /// Defaults for everything but the names.
    pub fn new(sender: GeneralName, recipient: GeneralName) -> Self {
        Self {
            sender,
            recipient,
            limits: Limits::default(),
            protection: ProtectionPolicy::default(),
            max_clock_skew: None,
            implicit_confirm: false,
            expected_sender: None,
            accept_unprotected_errors: false,
            max_polls: 60,
            max_check_after: Duration::from_secs(3_600),
            cert_profile: None,
        }
    }
}

/// The MAC algorithm for MAC-protected requests; a fresh 16-byte salt is drawn per message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MacAlgorithm {
    /// PasswordBasedMac (RFC 9810 §5.1.3.1).
    Pbm {
        /// The one-way function.
        owf: DigestAlgorithm,
        /// The MAC.
        mac: HmacAlgorithm,
        /// `iterationCount`.
        iterations: u32,
    },
    /// PBMAC1 (RFC 9481 §6.1.1).
    Pbmac1 {
        /// The PBKDF2 PRF.
        prf: HmacAlgorithm,
        /// The MAC.
        mac: HmacAlgorithm,
        /// The PBKDF2 `iterationCount`.
        iterations: u32,
    },
}

impl Default for MacAlgorithm {
    /// PasswordBasedMac with SHA-256 and HMAC-SHA256 (RFC 9481 §6.1.1), 10,000 iterations.
    fn default() -> Self {
        Self::Pbm {
            owf: DigestAlgorithm::Sha256,
            mac: HmacAlgorithm::Sha256,
            iterations: 10_000,
        }
    }
}

/// How our requests are protected.
pub enum RequestProtection<'a> {
    /// MAC with a shared secret (RFC 9483 §3.2 "MAC-based protection").
    Mac {
        /// The reference number sent as senderKID.
        reference: Vec<u8>,
        /// The shared secret; MAC-protected responses are verified with it too.
        secret: &'a [u8],
        /// The algorithm.
        algorithm: MacAlgorithm,
    },
    /// A signature by our CMP key (RFC 9483 §3.2 "signature-based protection").
    Signature {
        /// The key.
        signer: &'a dyn Signer,
        /// Its certificate's subjectKeyIdentifier, sent as senderKID.
        key_id: Option<Vec<u8>>,
        /// Its certificate, then the chain, sent in extraCerts.
        certs: Vec<Certificate>,
    },
    /// No protection (the server must allow it explicitly).
    Unprotected,
}

impl fmt::Debug for RequestProtection<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            // Never print the secret.
            Self::Mac {
                reference,
                algorithm,
                ..
            } => f
                .debug_struct("Mac")
                .field("reference", reference)
                .field("algorithm", algorithm)
                .finish_non_exhaustive(),
            Self::Signature { key_id, .. } => f
                .debug_struct("Signature")
                .field("key_id", key_id)
                .finish_non_exhaustive(),
            Self::Unprotected => f.write_str("Unprotected"),
        }
    }
}

/// The caller's trust decision for signature-protected responses.
pub trait ServerTrust: Send + Sync {
    /// The public key (DER `SubjectPublicKeyInfo`) that must have signed a response carrying
    /// this header and these extraCerts, or `None` when no key the caller trusts fits (the
    /// response is then refused with [`ClientError::UntrustedSigner`]). Implementations
    /// validate the certificate path to their trust anchors and check the CMP EKU (RFC 9483
    /// §3.1) as their policy requires.
    fn response_signer(&self, header: &PkiHeader, extra_certs: &[Certificate]) -> Option<Vec<u8>>;
}

/// Trusts exactly one server certificate (like `openssl cmp -srvcert`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PinnedServer {
    spki: Vec<u8>,
}

impl PinnedServer {
    /// Pins `certificate`'s key.
    pub fn new(certificate: &Certificate) -> Result<Self, ClientError> {
        let spki = certificate
            .tbs_certificate()
            .subject_public_key_info()
            .to_der()
            .map_err(|_| ClientError::Encoding {
                what: "pinned SubjectPublicKeyInfo",
            })?;
        Ok(Self { spki })
    }
}

impl ServerTrust for PinnedServer {
    fn response_signer(&self, _: &PkiHeader, _: &[Certificate]) -> Option<Vec<u8>> {
        Some(self.spki.clone())
    }
}

/// A negative answer from the server: an `error` body, or a status of `rejection` in an
/// ip/cp/kup/rp.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    /// The body it came in (`error`, `ip`, ...).
    pub body: &'static str,
    /// The status.
    pub status: PkiStatus,
    /// The `PKIFailureInfo` bits.
    pub failure: Vec<PkiFailureBit>,
    /// The `statusString` texts.
    pub text: Vec<String>,
    /// `errorCode` of an error body.
    pub error_code: Option<i64>,
    /// `errorDetails` of an error body.
    pub error_details: Vec<String>,
}

impl Refusal {
    fn from_status(body: &'static str, status: &PkiStatusInfo) -> Self {
        Self {
            body,
            status: status.status,
            failure: status.failure_info().map(|f| f.bits()).unwrap_or_default(),
            text: status
                .status_string
                .iter()
                .flat_map(|s| s.iter().cloned())
                .collect(),
            error_code: None,
            error_details: Vec::new(),
        }
    }

    /// Whether the server set `bit`.
    pub fn has(&self, bit: PkiFailureBit) -> bool {
        self.failure.contains(&bit)
    }
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} with status {:?}", self.body, self.status)?;
        if !self.failure.is_empty() {
            write!(f, ", failInfo {:?}", self.failure)?;
        }
        for t in &self.text {
            write!(f, ", \"{t}\"")?;
        }
        if let Some(c) = self.error_code {
            write!(f, ", errorCode {c}")?;
        }
        Ok(())
    }
}

/// Why a client operation failed. The transaction is over (the state was consumed).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ClientError {
    /// The response does not decode strictly.
    #[error("response does not decode: {0}")]
    Decode(StrictError),
    /// The response's pvno is neither 2 nor 3.
    #[error("response pvno {pvno} not supported")]
    UnsupportedVersion {
        /// The pvno received.
        pvno: u8,
    },
    /// The response carries no protection.
    #[error("response is not protected")]
    Unprotected,
    /// The response's protection does not verify (or uses a type we cannot check).
    #[error("response protection: {0}")]
    Protection(ProtectionError),
    /// A signed response whose signer the caller's [`ServerTrust`] does not accept, or no
    /// trust was configured.
    #[error("response signer is not trusted")]
    UntrustedSigner,
    /// The response's transactionID is not ours.
    #[error("response transactionID does not match the request's")]
    TransactionIdMismatch,
    /// The response's recipNonce is not the senderNonce we sent.
    #[error("response recipNonce does not match our senderNonce")]
    RecipNonceMismatch,
    /// The response has no senderNonce to answer.
    #[error("response has no senderNonce")]
    SenderNonceMissing,
    /// The response's sender is not [`ClientConfig::expected_sender`].
    #[error("response sender is not the expected server")]
    UnexpectedSender,
    /// The response's messageTime is too far from `now`.
    #[error("response messageTime off by {skew} s")]
    BadTime {
        /// The difference, seconds.
        skew: u64,
    },
    /// A body that does not answer our request.
    #[error("expected {expected}, received {received}")]
    UnexpectedBody {
        /// What we expected.
        expected: &'static str,
        /// What came.
        received: &'static str,
    },
    /// The server refused.
    #[error("server refused: {0}")]
    Refused(Refusal),
    /// A response for another certReqId.
    #[error("response for certReqId {received}, expected {expected}")]
    CertReqIdMismatch {
        /// Ours.
        expected: i64,
        /// Theirs.
        received: i64,
    },
    /// The response is structurally wrong (e.g. accepted without a certificate).
    #[error("malformed response: {what}")]
    MalformedResponse {
        /// What is wrong.
        what: &'static str,
    },
    /// The issued certificate does not certify the public key we asked for.
    #[error("the certificate does not certify the requested public key")]
    KeyMismatch,
    /// We rejected the certificate in certConf (the caller's check failed).
    #[error("certificate rejected: {text}")]
    CertificateRejected {
        /// The failure bit sent.
        bit: PkiFailureBit,
        /// The text sent.
        text: String,
    },
    /// The server asked us to poll more often than [`ClientConfig::max_polls`] allows.
    #[error("gave up after {polls} polls")]
    TooManyPolls {
        /// Polls sent.
        polls: u32,
    },
    /// A `checkAfter` beyond [`ClientConfig::max_check_after`] (or negative).
    #[error("checkAfter {seconds} s outside the accepted range")]
    CheckAfterOutOfRange {
        /// The value received.
        seconds: i64,
    },
    /// The request could not be built (POP signing, template).
    #[error("building the request: {0}")]
    Request(signet_crmf::Error),
    /// An encrypted certificate or challenge could not be decrypted (no key configured with
    /// [`Client::with_decryption`], wrong key, or an unsupported structure).
    #[error("decrypting: {0}")]
    Decrypt(signet_crmf::Error),
    /// The certHash of the certificate could not be computed.
    #[error("certHash: {0}")]
    CertHash(CertHashError),
    /// Protecting our request failed.
    #[error("protecting the request: {0}")]
    Protect(ProtectionError),
    /// Encoding failed.
    #[error("encoding the {what} failed")]
    Encoding {
        /// What.
        what: &'static str,
    },
    /// The random source failed.
    #[error("the random source failed")]
    Random,
}

impl ClientError {
    /// The `PKIFailureInfo` bit that describes this failure, for a certConf rejection or an
    /// error message to the server.
    pub fn failure_bit(&self) -> PkiFailureBit {
        match self {
            Self::Decode(_) | Self::MalformedResponse { .. } => PkiFailureBit::BadDataFormat,
            Self::UnsupportedVersion { .. } => PkiFailureBit::UnsupportedVersion,
            Self::Unprotected | Self::Protection(_) => PkiFailureBit::BadMessageCheck,
            Self::UntrustedSigner => PkiFailureBit::SignerNotTrusted,
            Self::RecipNonceMismatch => PkiFailureBit::BadRecipientNonce,
            Self::SenderNonceMissing => PkiFailureBit::BadSenderNonce,
            Self::BadTime { .. } => PkiFailureBit::BadTime,
            Self::CertReqIdMismatch { .. } => PkiFailureBit::BadCertId,
            Self::KeyMismatch => PkiFailureBit::IncorrectData,
            Self::CertificateRejected { bit, .. } => *bit,
            Self::CertHash(e) => e.failure_bit(),
            Self::Request(e) | Self::Decrypt(e) => e.failure_bit(),
            Self::Protect(_) | Self::Encoding { .. } | Self::Random => PkiFailureBit::SystemFailure,
            _ => PkiFailureBit::BadRequest,
        }
    }
}

/// The identifiers of one transaction, carried from message to message.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Exchange {
    transaction_id: Vec<u8>,
    /// The senderNonce of our last message: the next response's recipNonce.
    our_nonce: Vec<u8>,
    /// The senderNonce of the server's last message: our next recipNonce.
    their_nonce: Option<Vec<u8>>,
    /// The pvno of our requests (2, or 3 when cmp2021 syntax is needed; RFC 9810 §7).
    pvno: u8,
    /// Under MAC protection, the key of our first message: every message of the transaction
    /// keeps its parameters (RFC 9810 §5.1.3.1 recommends it), and a response with the same
    /// parameters is checked without deriving again.
    mac_key: Option<MacKey>,
}

/// Builds requests and checks responses for one CMP server.
pub struct Client<'a> {
    config: &'a ClientConfig,
    protection: RequestProtection<'a>,
    trust: Option<&'a dyn ServerTrust>,
    verifier: &'a dyn SignatureVerifier,
    rng: &'a dyn SecureRandom,
    decryption: Option<signet_crmf::envelope::Opener<'a>>,
}

impl fmt::Debug for Client<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("config", self.config)
            .field("protection", &self.protection)
            .finish_non_exhaustive()
    }
}

/// One revocation: the certificate (issuer and serial number) and the reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RevocationTarget {
    /// The certificate's issuer.
    pub issuer: Name,
    /// Its serial number.
    pub serial_number: signet_asn1_types::der::asn1::Int,
    /// `reasonCode` for the CRL entry.
    pub reason: Option<CrlReason>,
}

impl RevocationTarget {
    /// The target for `certificate`.
    pub fn of(certificate: &Certificate, reason: Option<CrlReason>) -> Result<Self, ClientError> {
        let tbs = certificate.tbs_certificate();
        let serial_number = signet_asn1_types::der::asn1::Int::new(tbs.serial_number().as_bytes())
            .map_err(|_| ClientError::Encoding {
                what: "serial number",
            })?;
        Ok(Self {
            issuer: tbs.issuer().clone(),
            serial_number,
            reason,
        })
    }

    fn details(&self) -> Result<RevDetails, ClientError> {
        let crl_entry_details = match self.reason {
            None => None,
            Some(reason) => {
                let value = reason
                    .to_der()
                    .map_err(|_| ClientError::Encoding { what: "reasonCode" })?;
                let ext = Extension {
                    extn_id: signet_asn1_types::const_oid::db::rfc5280::ID_CE_CRL_REASONS,
                    critical: false,
                    extn_value: OctetString::new(value)
                        .map_err(|_| ClientError::Encoding { what: "reasonCode" })?,
                };
                let exts: Extensions = vec![ext];
                Some(exts)
            }
        };
        Ok(RevDetails {
            cert_details: CertTemplate {
                serial_number: Some(self.serial_number.clone()),
                issuer: Some(self.issuer.clone()),
                ..CertTemplate::default()
            },
            crl_entry_details,
        })
    }
}

/// A revocation request waiting for its rp.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Revoking {
    exchange: Exchange,
    count: usize,
}

/// A general message waiting for its genp.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Asking {
    exchange: Exchange,
}

fn time_secs(t: &GeneralizedTimeFrac) -> u64 {
    t.to_unix_duration().as_secs()
}

impl<'a> Client<'a> {
    /// A client with these settings, request protection and crypto providers. Signed
    /// responses are refused until [`Client::with_server_trust`] says whom to trust.
    pub fn new(
        config: &'a ClientConfig,
        protection: RequestProtection<'a>,
        verifier: &'a dyn SignatureVerifier,
        rng: &'a dyn SecureRandom,
    ) -> Self {
        Self {
            config,
            protection,
            trust: None,
            verifier,
            rng,
            decryption: None,
        }
    }

    /// Decrypts what the server encrypts to the new key — the certificate of indirect POP and
    /// the popdecc challenge of direct POP (RFC 9810 §5.2.8.3) — with `key`, the private key
    /// of the certificate being requested.
    #[must_use]
    pub fn with_decryption(
        mut self,
        key: &'a dyn signet_asn1_types::crypto::PrivateKeyDecryption,
        content: &'a dyn signet_asn1_types::crypto::ContentEncryption,
    ) -> Self {
        self.decryption = Some(signet_crmf::envelope::Opener { key, content });
        self
    }

    /// Trusts signature-protected responses whose signer `trust` accepts.
    #[must_use]
    pub fn with_server_trust(mut self, trust: &'a dyn ServerTrust) -> Self {
        self.trust = Some(trust);
        self
    }

    /// The settings.
    pub fn config(&self) -> &ClientConfig {
        self.config
    }

    fn random(&self, len: usize) -> Result<Vec<u8>, ClientError> {
        let mut v = vec![0u8; len];
        self.rng.fill(&mut v).map_err(|_| ClientError::Random)?;
        Ok(v)
    }

    /// The `certProfile` ITAV, when a profile is configured.
    fn profile_info(&self) -> Result<Vec<InfoTypeAndValue>, ClientError> {
        self.config
            .cert_profile
            .iter()
            .map(|p| {
                InfoTypeAndValue::from_typed(&InfoValue::CertProfile(NonEmpty::one(p.clone())))
                    .map_err(|_| ClientError::Encoding {
                        what: "certProfile",
                    })
            })
            .collect()
    }

    fn start(&self, pvno: u8) -> Result<Exchange, ClientError> {
        Ok(Exchange {
            transaction_id: self.random(ID_LEN)?,
            our_nonce: Vec::new(),
            their_nonce: None,
            pvno,
            mac_key: None,
        })
    }

    /// The `protectionAlg` of our messages: the signer's, or for MAC protection the
    /// parameters of the exchange's key (made with a fresh salt on its first message).
    fn protection_alg(
        &self,
        exchange: &mut Exchange,
    ) -> Result<Option<AlgorithmIdentifierOwned>, ClientError> {
        Ok(match &self.protection {
            RequestProtection::Mac { secret, .. } => {
                if exchange.mac_key.is_none() {
                    let alg = self.new_mac_algorithm()?;
                    exchange.mac_key = Some(
                        MacKey::derive(&alg, secret, &self.config.protection)
                            .map_err(ClientError::Protect)?,
                    );
                }
                exchange.mac_key.as_ref().map(|k| k.algorithm().clone())
            }
            RequestProtection::Signature { signer, .. } => Some(
                signer
                    .algorithm()
                    .to_algorithm_identifier()
                    .map_err(|_| ClientError::Protect(ProtectionError::Encoding))?,
            ),
            RequestProtection::Unprotected => None,
        })
    }

    /// Fresh MAC parameters (a new salt) for the configured MAC algorithm.
    fn new_mac_algorithm(&self) -> Result<AlgorithmIdentifierOwned, ClientError> {
        let RequestProtection::Mac { algorithm, .. } = &self.protection else {
            return Err(ClientError::Protect(ProtectionError::WrongType));
        };
        let salt = self.random(16)?;
        match *algorithm {
            MacAlgorithm::Pbm {
                owf,
                mac,
                iterations,
            } => protection::pbm_algorithm_with(owf, mac, &salt, iterations),
            MacAlgorithm::Pbmac1 {
                prf,
                mac,
                iterations,
            } => protection::pbmac1_algorithm(prf, mac, &salt, iterations),
        }
        .map_err(ClientError::Protect)
    }

    /// Builds, protects and encodes the next message of `exchange` (a fresh senderNonce each
    /// time, recipNonce = the server's last senderNonce).
    fn message(
        &self,
        exchange: &mut Exchange,
        pvno: u8,
        body: PkiBody,
        general_info: Vec<InfoTypeAndValue>,
        now: u64,
    ) -> Result<Vec<u8>, ClientError> {
        let enc = |what| move |_| ClientError::Encoding { what };
        exchange.our_nonce = self.random(ID_LEN)?;
        let time =
            DateTime::from_unix_duration(Duration::from_secs(now)).map_err(enc("messageTime"))?;
        let sender_kid = match &self.protection {
            RequestProtection::Mac { reference, .. } => Some(reference.clone()),
            RequestProtection::Signature { key_id, .. } => key_id.clone(),
            RequestProtection::Unprotected => None,
        }
        .map(OctetString::new)
        .transpose()
        .map_err(enc("senderKID"))?;
        let header = PkiHeader {
            pvno,
            sender: self.config.sender.clone(),
            recipient: self.config.recipient.clone(),
            message_time: Some(GeneralizedTimeFrac::from(time)),
            protection_alg: self.protection_alg(exchange)?,
            sender_kid,
            recip_kid: None,
            transaction_id: Some(
                OctetString::new(exchange.transaction_id.clone()).map_err(enc("transactionID"))?,
            ),
            sender_nonce: Some(
                OctetString::new(exchange.our_nonce.clone()).map_err(enc("senderNonce"))?,
            ),
            recip_nonce: exchange
                .their_nonce
                .clone()
                .map(OctetString::new)
                .transpose()
                .map_err(enc("recipNonce"))?,
            free_text: None,
            general_info: NonEmpty::new(general_info),
        };
        match &self.protection {
            RequestProtection::Mac { .. } => {
                let key = exchange
                    .mac_key
                    .as_ref()
                    .ok_or(ClientError::Protect(ProtectionError::Missing))?;
                protection::encode_protected(&header, &body, |part| Ok(key.mac(part)), &[])
                    .map_err(ClientError::Protect)
            }
            RequestProtection::Signature { signer, certs, .. } => {
                let certs: Vec<_> = certs.iter().collect();
                protection::encode_protected(
                    &header,
                    &body,
                    |part| signer.sign(part).map_err(|_| ProtectionError::Encoding),
                    &certs,
                )
                .map_err(ClientError::Protect)
            }
            RequestProtection::Unprotected => PkiMessage {
                header,
                body,
                protection: None,
                extra_certs: None,
            }
            .to_der()
            .map_err(enc("PKIMessage")),
        }
    }

    /// Checks a response of `exchange` (see the module documentation for the order) and
    /// records its senderNonce. An `error` body is returned as [`ClientError::Refused`].
    fn accept(
        &self,
        exchange: &mut Exchange,
        bytes: &[u8],
        now: u64,
    ) -> Result<DecodedMessage, ClientError> {
        let decoded =
            decode_pki_message(bytes, &self.config.limits).map_err(ClientError::Decode)?;
        let header = &decoded.message.header;
        let is_error = matches!(decoded.message.body, PkiBody::Error(_));
        if !(pvno::CMP2000..=pvno::CMP2021).contains(&header.pvno) {
            return Err(ClientError::UnsupportedVersion { pvno: header.pvno });
        }
        if decoded.message.protection.is_some() {
            self.verify_protection(&decoded, exchange.mac_key.as_ref())?;
        } else if !(is_error && self.config.accept_unprotected_errors) {
            return Err(ClientError::Unprotected);
        }
        // An error may come from a server that could not read our IDs; everything else must
        // carry them (RFC 9810 §5.1.1).
        let tid = header.transaction_id.as_ref().map(OctetString::as_bytes);
        if tid != Some(exchange.transaction_id.as_slice()) && !(is_error && tid.is_none()) {
            return Err(ClientError::TransactionIdMismatch);
        }
        let recip = header.recip_nonce.as_ref().map(OctetString::as_bytes);
        if recip != Some(exchange.our_nonce.as_slice()) && !(is_error && recip.is_none()) {
            return Err(ClientError::RecipNonceMismatch);
        }
        if let Some(expected) = &self.config.expected_sender
            && &header.sender != expected
        {
            return Err(ClientError::UnexpectedSender);
        }
        if let (Some(max), Some(t)) = (self.config.max_clock_skew, &header.message_time) {
            let skew = time_secs(t).abs_diff(now);
            if skew > max.as_secs() {
                return Err(ClientError::BadTime { skew });
            }
        }
        if let PkiBody::Error(e) = &decoded.message.body {
            let mut refusal = Refusal::from_status("error", &e.pki_status_info);
            refusal.error_code = e.error_code;
            refusal.error_details = e
                .error_details
                .iter()
                .flat_map(|d| d.iter().cloned())
                .collect();
            return Err(ClientError::Refused(refusal));
        }
        match header.sender_nonce.as_ref() {
            Some(n) if !n.as_bytes().is_empty() => {
                exchange.their_nonce = Some(n.as_bytes().to_vec());
            }
            _ => return Err(ClientError::SenderNonceMissing),
        }
        Ok(decoded)
    }

    /// Checks the response's protection; `mac_key` is the exchange's key, used when the
    /// response kept our parameters.
    fn verify_protection(
        &self,
        decoded: &DecodedMessage,
        mac_key: Option<&MacKey>,
    ) -> Result<(), ClientError> {
        let kind = protection::kind(&decoded.message.header).map_err(ClientError::Protection)?;
        match kind {
            ProtectionKind::Signature(_) => {
                let trust = self.trust.ok_or(ClientError::UntrustedSigner)?;
                let extra = decoded
                    .message
                    .extra_certs
                    .as_ref()
                    .map(NonEmpty::as_slice)
                    .unwrap_or_default();
                let spki = trust
                    .response_signer(&decoded.message.header, extra)
                    .ok_or(ClientError::UntrustedSigner)?;
                protection::verify_signature(decoded, &spki, self.verifier)
                    .map_err(ClientError::Protection)
            }
            _ => match &self.protection {
                RequestProtection::Mac { secret, .. } => {
                    let same = decoded
                        .message
                        .header
                        .protection_alg
                        .as_ref()
                        .zip(mac_key)
                        .filter(|(alg, key)| key.is_for(alg));
                    match same {
                        Some((_, key)) => protection::verify_mac_key(decoded, key),
                        None => protection::verify_mac(decoded, secret, &self.config.protection),
                    }
                    .map_err(ClientError::Protection)
                }
                _ => Err(ClientError::Protection(ProtectionError::WrongType)),
            },
        }
    }

    /// Starts a revocation (rr, RFC 9810 §5.3.9, RFC 9483 §4.2) of `targets`.
    pub fn rr(
        &self,
        targets: &[RevocationTarget],
        now: u64,
    ) -> Result<(Vec<u8>, Revoking), ClientError> {
        if targets.is_empty() {
            return Err(ClientError::Encoding {
                what: "rr without a certificate",
            });
        }
        let details = targets
            .iter()
            .map(RevocationTarget::details)
            .collect::<Result<Vec<_>, _>>()?;
        let mut exchange = self.start(pvno::CMP2000)?;
        let bytes = self.message(
            &mut exchange,
            pvno::CMP2000,
            PkiBody::Rr(details),
            vec![],
            now,
        )?;
        Ok((
            bytes,
            Revoking {
                exchange,
                count: targets.len(),
            },
        ))
    }

    /// Starts a general message exchange (genm, RFC 9810 §5.3.19, RFC 9483 §4.3) asking
    /// for `itavs` (e.g. `InfoValue::CaCerts(None)`).
    pub fn genm(&self, itavs: &[InfoValue], now: u64) -> Result<(Vec<u8>, Asking), ClientError> {
        let itavs = itavs
            .iter()
            .map(InfoTypeAndValue::from_typed)
            .collect::<Result<Vec<_>, _>>()
            .map_err(|_| ClientError::Encoding { what: "genm ITAV" })?;
        let mut exchange = self.start(pvno::CMP2000)?;
        let info = self.profile_info()?;
        let bytes = self.message(
            &mut exchange,
            pvno::CMP2000,
            PkiBody::Genm(itavs),
            info,
            now,
        )?;
        Ok((bytes, Asking { exchange }))
    }
}

impl Revoking {
    /// The transactionID.
    pub fn transaction_id(&self) -> &[u8] {
        &self.exchange.transaction_id
    }

    /// Takes the rp: one status per certificate, in request order (RFC 9810 §5.3.10). A
    /// rejected revocation is a status with `rejection`, not an `Err`; an `error` body is.
    pub fn handle(
        mut self,
        client: &Client<'_>,
        response: &[u8],
        now: u64,
    ) -> Result<Vec<PkiStatusInfo>, ClientError> {
        let decoded = client.accept(&mut self.exchange, response, now)?;
        let PkiBody::Rp(rp) = decoded.message.body else {
            return Err(ClientError::UnexpectedBody {
                expected: "rp",
                received: decoded.message.body.name(),
            });
        };
        if rp.status.len() != self.count {
            return Err(ClientError::MalformedResponse {
                what: "rp status count differs from the rr",
            });
        }
        Ok(rp.status.into_vec())
    }
}

impl Asking {
    /// The transactionID.
    pub fn transaction_id(&self) -> &[u8] {
        &self.exchange.transaction_id
    }

    /// Takes the genp and returns its `InfoTypeAndValue`s as received (type them with
    /// [`InfoTypeAndValue::typed`]).
    pub fn handle(
        mut self,
        client: &Client<'_>,
        response: &[u8],
        now: u64,
    ) -> Result<Vec<InfoTypeAndValue>, ClientError> {
        let decoded = client.accept(&mut self.exchange, response, now)?;
        match decoded.message.body {
            PkiBody::Genp(itavs) => Ok(itavs),
            other => Err(ClientError::UnexpectedBody {
                expected: "genp",
                received: other.name(),
            }),
        }
    }
}

/// Whether `certificate` certifies `spki_der` (compared as DER).
fn certifies(certificate: &Certificate, spki_der: &[u8]) -> bool {
    certificate
        .tbs_certificate()
        .subject_public_key_info()
        .to_der()
        .is_ok_and(|d| d == spki_der)
}

/// Reads a certificate list (caPubs, extraCerts) into owned certificates.
fn certs(list: Option<&NonEmpty<Certificate>>) -> Vec<Certificate> {
    list.map(|l| l.as_slice().to_vec()).unwrap_or_default()
}

#[cfg(test)]
mod tests;
