//! The server side of CMP (RFC 9810 §5, flows of RFC 9483), sans-I/O.
//!
//! A request goes through explicit steps, each returning either the next value or a
//! [`Rejection`] that already knows its `PKIFailureInfo` bit:
//! 1. [`receive`] — strict decoding within [`ServerConfig::limits`] and the header checks
//!    (pvno, transactionID ≥ 16 bytes, senderNonce ≥ 16 bytes, messageTime within the allowed
//!    skew of `now`, generalInfo) → a [`Received`] request, which offers its header and
//!    nothing else;
//! 2. [`Received::authenticate`] with the credential the caller looked up (by
//!    [`Received::mac_reference`], or the signer certificate of [`Received::extra_certs`]) →
//!    an [`Authenticated`] request: it checks the recipient, that the sender and senderKID fit
//!    the credential (RFC 9483 §3.1), and the protection over the received bytes;
//!    [`Authenticated::begin`] records the transactionID (a reused one is
//!    `transactionIdInUse`);
//! 3. per body, only on an [`Authenticated`] request: [`Authenticated::enrollment_with`] for
//!    ir/cr/kur/p10cr (the normalised request and its proof of possession, `signet-crmf`; the
//!    caller then decides and issues), [`Authenticated::general_requests`] for genm,
//!    [`Authenticated::revocation`] for rr;
//! 4. a [`Responder`], answering an [`Authenticated`] request, builds the protected response and, where the transaction continues, the
//!    state to keep: [`Responder::issued`]/[`Responder::issued_encrypted`] → [`AwaitingConfirm`]
//!    (consumed by [`Responder::confirm`] on the certConf, or expired at its deadline);
//!    [`Responder::waiting`] → [`Pending`] (consumed by [`Responder::poll`] on each pollReq
//!    with the caller's [`Decision`]); [`Responder::challenge`] → [`Challenged`] (consumed by
//!    [`Responder::challenge_response`] on the popdecr); [`Responder::revocation`],
//!    [`Responder::general`], [`Responder::refused`]; [`Responder::error`] answers any
//!    [`Rejection`], echoing transactionID and nonces and protected whenever a key is
//!    available. A follow-up that does not fit its state hands the state back unchanged.
//!
//! Not offered: delayed delivery for rr and genm (RFC 9483 §4.4 polling of non-enrollment
//! messages), several `CertReqMsg`s in one request, nested messages, central key generation.
//!
//! Time is a parameter (`now`, seconds since the Unix epoch); randomness comes from
//! `&dyn SecureRandom`. Nothing here performs I/O.

use core::time::Duration;

use signet_asn1_types::cmp::{
    CertConfirmContent, CertOrEncCert, CertRepMessage, CertResponse, CertifiedKeyPair,
    ErrorMsgContent, InfoTypeAndValue, InfoValue, PkiBody, PkiFailureBit, PkiFailureInfo,
    PkiHeader, PkiStatus, PkiStatusInfo, RevDetails,
};
use signet_asn1_types::crypto::{SecureRandom, SignatureVerifier, Signer};
use signet_asn1_types::der::asn1::{Null, OctetString};
use signet_asn1_types::der::{DateTime, Encode};
use signet_asn1_types::seq::NonEmpty;
use signet_asn1_types::spki::AlgorithmIdentifierOwned;
use signet_asn1_types::strict::{DecodedMessage, Limits, decode_pki_message};
use signet_asn1_types::time::GeneralizedTimeFrac;
use signet_asn1_types::x509_cert::Certificate;
use signet_asn1_types::x509_cert::ext::pkix::name::GeneralName;
use signet_crmf::{Pop, Request};

use crate::protection::{self, ProtectionKind, ProtectionPolicy};

/// Server settings.
#[derive(Debug, Clone)]
pub struct ServerConfig {
    /// The name responses are sent from (the RA/CA's CMP identity).
    pub name: GeneralName,
    /// Decoding limits.
    pub limits: Limits,
    /// MAC protection policy.
    pub protection: ProtectionPolicy,
    /// Largest accepted difference between a request's messageTime and `now` (RFC 9483 §3.1
    /// leaves it to policy; 300 s covers unsynchronised clocks without enabling replay).
    pub max_clock_skew: Duration,
    /// How long an issued certificate waits for its certConf (`confirmWaitTime`).
    pub confirm_wait: Duration,
    /// Whether implicit confirmation is granted when a client asks for it.
    pub grant_implicit_confirm: bool,
    /// Names besides [`ServerConfig::name`] a request may be addressed to (`recipient`): the
    /// CAs this server answers for. A NULL-DN is always accepted (a client that does not know
    /// the name yet, RFC 9483 §3.1).
    pub recipients: Vec<GeneralName>,
}

/// Why a request is refused: the failure bit and the status text sent back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejection {
    /// The `PKIFailureInfo` bit.
    pub bit: PkiFailureBit,
    /// The `statusString` text.
    pub text: String,
    /// The request header when it could be decoded (so the error echoes its IDs and nonces).
    pub header: Option<Box<PkiHeader>>,
}

impl Rejection {
    fn new(bit: PkiFailureBit, text: impl Into<String>, header: Option<&PkiHeader>) -> Self {
        Self {
            bit,
            text: text.into(),
            header: header.map(|h| Box::new(h.clone())),
        }
    }
}

/// A request that passed decoding and the header checks of [`receive`], not yet
/// authenticated. It offers what finding its credential needs — the header, the protection
/// kind, the senderKID, the signer's certificates — and nothing that acts on its body: only
/// [`Received::authenticate`] turns it into an [`Authenticated`] request.
#[derive(Debug, Clone)]
pub struct Received {
    decoded: DecodedMessage,
}

/// A request whose recipient, sender and protection were checked ([`Received::authenticate`]).
/// Only this offers enrollment, revocation and general requests, and only this can be
/// answered by a [`Responder`] with anything but an error.
#[derive(Debug, Clone)]
pub struct Authenticated {
    received: Received,
    credential: Verified,
}

/// Which kind of credential authenticated a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verified {
    /// A shared secret (MAC-based protection).
    Mac,
    /// A signature by the protection certificate.
    Signature,
}

/// Minimum length of transactionID and senderNonce (RFC 9810 §5.1.1: 128 bits recommended;
/// RFC 9483 §3.1 requires it).
pub const MIN_ID_LEN: usize = 16;

fn time_secs(t: &GeneralizedTimeFrac) -> u64 {
    t.to_unix_duration().as_secs()
}

/// Step 1: strict decoding and the header checks that need no credential (RFC 9483 §3.1):
/// pvno, transactionID and senderNonce, messageTime, and the generalInfo a request may carry.
pub fn receive(bytes: &[u8], config: &ServerConfig, now: u64) -> Result<Received, Rejection> {
    let decoded = decode_pki_message(bytes, &config.limits)
        .map_err(|e| Rejection::new(PkiFailureBit::BadDataFormat, e.to_string(), None))?;
    let h = &decoded.message.header;
    if !(2..=3).contains(&h.pvno) {
        return Err(Rejection::new(
            PkiFailureBit::UnsupportedVersion,
            format!("pvno {} not supported", h.pvno),
            Some(h),
        ));
    }
    match &h.transaction_id {
        None => {
            return Err(Rejection::new(
                PkiFailureBit::BadDataFormat,
                "transactionID missing",
                Some(h),
            ));
        }
        Some(t) if t.as_bytes().len() < MIN_ID_LEN => {
            return Err(Rejection::new(
                PkiFailureBit::BadRequest,
                "transactionID shorter than 16 bytes",
                Some(h),
            ));
        }
        Some(_) => {}
    }
    match &h.sender_nonce {
        Some(n) if n.as_bytes().len() >= MIN_ID_LEN => {}
        _ => {
            return Err(Rejection::new(
                PkiFailureBit::BadSenderNonce,
                "senderNonce missing or shorter than 16 bytes",
                Some(h),
            ));
        }
    }
    if let Some(t) = &h.message_time {
        let skew = time_secs(t).abs_diff(now);
        if skew > config.max_clock_skew.as_secs() {
            return Err(Rejection::new(
                PkiFailureBit::BadTime,
                format!("messageTime off by {skew} s"),
                Some(h),
            ));
        }
    }
    check_general_info(h)?;
    Ok(Received { decoded })
}

/// The generalInfo rules of RFC 9483 §3.1 for requests: `implicitConfirm`'s value is NULL,
/// and `confirmWaitTime` is the server's to send — a client offering it (with or without
/// implicitConfirm) is refused.
fn check_general_info(h: &PkiHeader) -> Result<(), Rejection> {
    use signet_asn1_types::cmp::oid;
    for itav in h.general_info.iter().flatten() {
        if itav.info_type == oid::IT_IMPLICIT_CONFIRM
            && !matches!(itav.typed(), Ok(InfoValue::ImplicitConfirm))
        {
            return Err(Rejection::new(
                PkiFailureBit::BadDataFormat,
                "implicitConfirm value is not NULL",
                Some(h),
            ));
        }
        if itav.info_type == oid::IT_CONFIRM_WAIT_TIME {
            return Err(Rejection::new(
                PkiFailureBit::BadRequest,
                "confirmWaitTime is sent by the server, not in requests",
                Some(h),
            ));
        }
    }
    Ok(())
}

/// The caller's record of transaction IDs already used (durable in a real server).
pub trait TransactionLog {
    /// Records `transaction_id`; returns false when it was already used.
    fn insert_if_new(&mut self, transaction_id: &[u8]) -> bool;
}

/// What the caller found to check a request's protection with.
#[derive(Debug, Clone, Copy)]
pub enum Credential<'a> {
    /// The shared secret registered for the request's senderKID (reference number).
    Mac(&'a [u8]),
    /// A key derived from that secret for the request's own `protectionAlg`
    /// ([`protection::MacKey`], e.g. from a [`protection::MacKeyCache`]).
    MacKey(&'a protection::MacKey),
    /// The certificate that signed the request (usually the first of its extraCerts), already
    /// found trustworthy by the caller. [`Received::authenticate`] checks that the request's
    /// `sender` and `senderKID` name it.
    Signature(&'a Certificate),
}

/// A request to issue a certificate, after POP.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Enrollment {
    /// The normalised request.
    pub request: Request,
    /// How possession was proven (or, for [`Pop::EncryptedCertificate`] and [`Pop::Challenge`],
    /// how it is to be proven).
    pub pop: Pop,
    /// The client asked for implicit confirmation.
    pub implicit_confirm_requested: bool,
    /// The response body family (ip to ir, kup to kur, cp to cr and p10cr).
    pub reply: ReplyKind,
    /// The request's pvno: 3 (cmp2021) lets an encrypted certificate or challenge travel in
    /// CMS EnvelopedData.
    pub pvno: u8,
}

/// Header accessors both request types offer.
macro_rules! header_accessors {
    ($decoded:ident $(. $path:ident)*) => {
        /// The header.
        pub fn header(&self) -> &PkiHeader {
            &self.$decoded$(.$path)*.message.header
        }

        /// The body.
        pub fn body(&self) -> &PkiBody {
            &self.$decoded$(.$path)*.message.body
        }

        /// The message as decoded, with the bytes it was received as.
        pub fn decoded(&self) -> &DecodedMessage {
            &self.$decoded$(.$path)*
        }

        /// The transactionID (checked present by [`receive`]).
        pub fn transaction_id(&self) -> &[u8] {
            self.header()
                .transaction_id
                .as_ref()
                .map(OctetString::as_bytes)
                .unwrap_or_default()
        }

        /// The certReqId an answer to this request carries: the first `CertReqMsg`'s for
        /// ir/cr/kur (0 when unreadable), -1 for p10cr and everything else (RFC 9810 §5.3.4).
        pub fn cert_req_id(&self) -> i64 {
            match self.body() {
                PkiBody::Ir(m) | PkiBody::Cr(m) | PkiBody::Kur(m) => {
                    m.first().map_or(0, |r| r.cert_req.cert_req_id)
                }
                _ => -1,
            }
        }

        /// The senderKID, if any (the reference number for MAC protection, the SKI for
        /// signatures).
        pub fn sender_kid(&self) -> Option<&[u8]> {
            self.header().sender_kid.as_ref().map(OctetString::as_bytes)
        }

        /// The certificates of extraCerts, in order (the protection certificate first, when the
        /// request is signed).
        pub fn extra_certs(&self) -> &[Certificate] {
            self.decoded().message.extra_certs.as_ref().map_or(&[], |c| c.as_slice())
        }

        /// Whether this body starts a transaction (ir, cr, kur, p10cr, rr, genm, krr, ccr).
        pub fn starts_transaction(&self) -> bool {
            matches!(
                self.body(),
                PkiBody::Ir(_)
                    | PkiBody::Cr(_)
                    | PkiBody::Kur(_)
                    | PkiBody::P10cr(_)
                    | PkiBody::Rr(_)
                    | PkiBody::Genm(_)
                    | PkiBody::Krr(_)
                    | PkiBody::Ccr(_)
            )
        }

        /// A rejection echoing this request's header.
        pub fn reject(&self, bit: PkiFailureBit, text: impl Into<String>) -> Rejection {
            Rejection::new(bit, text, Some(self.header()))
        }
    };
}

impl Received {
    header_accessors!(decoded);

    /// The reference number of a MAC-protected request: its senderKID, which RFC 9483 §3.1
    /// requires for MAC-based protection. Without it the shared secret cannot be found, so the
    /// protection cannot be checked (`badMessageCheck`).
    pub fn mac_reference(&self) -> Result<&[u8], Rejection> {
        self.sender_kid().filter(|k| !k.is_empty()).ok_or_else(|| {
            self.reject(
                PkiFailureBit::BadMessageCheck,
                "senderKID missing: no shared secret can be identified",
            )
        })
    }

    /// The protection kind the request uses.
    pub fn protection(&self) -> Result<ProtectionKind, Rejection> {
        if self.decoded.message.protection.is_none() {
            return Err(self.reject(PkiFailureBit::BadMessageCheck, "missing protection"));
        }
        protection::kind(self.header()).map_err(|e| self.reject(e.failure_bit(), e.to_string()))
    }

    /// Step 2: authenticates the request, or refuses it. In order: the `recipient` must be a
    /// NULL-DN, a name of this server ([`ServerConfig::name`], [`ServerConfig::recipients`]) or,
    /// for a signed request, the issuer of its protection certificate (otherwise
    /// `wrongAuthority`); the `sender` must fit the credential (RFC 9483 §3.1: a
    /// directoryName for MAC protection, found by its senderKID; for a signature the subject of
    /// the protection certificate, with a senderKID equal to its subjectKeyIdentifier when it
    /// has one — otherwise `badMessageCheck`); then the protection is verified over the bytes
    /// received, within [`ServerConfig::protection`].
    pub fn authenticate(
        self,
        credential: Credential<'_>,
        config: &ServerConfig,
        verifier: &dyn SignatureVerifier,
    ) -> Result<Authenticated, Rejection> {
        let signer_issuer = match credential {
            Credential::Signature(c) => Some(c.tbs_certificate().issuer()),
            Credential::Mac(_) | Credential::MacKey(_) => None,
        };
        self.addressed_to(config, signer_issuer)?;
        let kind = self.protection()?;
        let is_signature = matches!(kind, ProtectionKind::Signature(_));
        let result = match credential {
            Credential::Mac(_) | Credential::MacKey(_) if is_signature => {
                return Err(self.reject(
                    PkiFailureBit::BadMessageCheck,
                    "a signed request cannot be checked with a shared secret",
                ));
            }
            Credential::Signature(_) if !is_signature => {
                return Err(self.reject(
                    PkiFailureBit::BadMessageCheck,
                    "a MAC-protected request cannot be checked with a certificate",
                ));
            }
            Credential::Mac(secret) => {
                self.check_mac_sender()?;
                protection::verify_mac(&self.decoded, secret, &config.protection)
            }
            Credential::MacKey(key) => {
                self.check_mac_sender()?;
                protection::verify_mac_key(&self.decoded, key)
            }
            Credential::Signature(certificate) => {
                self.check_signer(certificate)?;
                let spki = certificate
                    .tbs_certificate()
                    .subject_public_key_info()
                    .to_der()
                    .map_err(|_| self.reject(PkiFailureBit::BadMessageCheck, "signer key"))?;
                protection::verify_signature(&self.decoded, &spki, verifier)
            }
        };
        result.map_err(|e| self.reject(e.failure_bit(), e.to_string()))?;
        let credential = if is_signature {
            Verified::Signature
        } else {
            Verified::Mac
        };
        Ok(Authenticated {
            received: self,
            credential,
        })
    }

    /// The `recipient` check of [`Received::authenticate`]. A signed request may also be
    /// addressed to the issuer of its protection certificate, a CA the caller trusts for this
    /// sender: OpenSSL's client names it when given no recipient (a device enrolling with its
    /// manufacturer certificate, RFC 9483 §4.1.1).
    fn addressed_to(
        &self,
        config: &ServerConfig,
        signer_issuer: Option<&signet_asn1_types::x509_cert::name::Name>,
    ) -> Result<(), Rejection> {
        let recipient = &self.header().recipient;
        let null_dn = matches!(recipient, GeneralName::DirectoryName(n) if n.is_empty());
        let signer_ca = matches!(
            (recipient, signer_issuer),
            (GeneralName::DirectoryName(n), Some(issuer)) if n == issuer
        );
        if null_dn
            || signer_ca
            || *recipient == config.name
            || config.recipients.contains(recipient)
        {
            Ok(())
        } else {
            Err(self.reject(
                PkiFailureBit::WrongAuthority,
                "recipient is not this server or a CA it serves",
            ))
        }
    }

    /// MAC protection: the sender is a directoryName (RFC 9483 §3.1) and a senderKID names
    /// the secret.
    fn check_mac_sender(&self) -> Result<(), Rejection> {
        if !matches!(self.header().sender, GeneralName::DirectoryName(_)) {
            return Err(self.reject(
                PkiFailureBit::BadMessageCheck,
                "sender of a MAC-protected request is not a directoryName",
            ));
        }
        self.mac_reference().map(|_| ())
    }

    /// Signature protection: the `sender` is the subject of the protection certificate, and
    /// the `senderKID` its subjectKeyIdentifier — required when the certificate has one
    /// (RFC 9483 §3.1). Otherwise `badMessageCheck`.
    fn check_signer(&self, certificate: &Certificate) -> Result<(), Rejection> {
        use signet_asn1_types::x509_cert::ext::pkix::SubjectKeyIdentifier;
        let tbs = certificate.tbs_certificate();
        if self.header().sender != GeneralName::DirectoryName(tbs.subject().clone()) {
            return Err(self.reject(
                PkiFailureBit::BadMessageCheck,
                "sender is not the subject of the protection certificate",
            ));
        }
        let ski = match tbs.get_extension::<SubjectKeyIdentifier>() {
            Ok(found) => found.map(|(_, ski)| ski),
            Err(_) => {
                return Err(self.reject(
                    PkiFailureBit::BadMessageCheck,
                    "protection certificate has a malformed subjectKeyIdentifier",
                ));
            }
        };
        match (self.sender_kid(), ski) {
            (Some(kid), Some(ski)) if ski.0.as_bytes() != kid => Err(self.reject(
                PkiFailureBit::BadMessageCheck,
                "senderKID is not the protection certificate's key identifier",
            )),
            (None, Some(_)) => Err(self.reject(
                PkiFailureBit::BadMessageCheck,
                "senderKID missing: it must be the protection certificate's key identifier",
            )),
            _ => Ok(()),
        }
    }
}

impl Authenticated {
    header_accessors!(received.decoded);

    /// How the request was authenticated.
    pub fn credential(&self) -> Verified {
        self.credential
    }

    /// The certificate profile the client asks for: the first name of an `id-it-certProfile`
    /// ITAV in the header's generalInfo (RFC 9810 §5.1.1.4, RFC 9483 §3.1). A malformed one is
    /// `badDataFormat`.
    pub fn cert_profile(&self) -> Result<Option<String>, Rejection> {
        for itav in self.header().general_info.iter().flatten() {
            if itav.info_type == signet_asn1_types::cmp::oid::IT_CERT_PROFILE {
                return match itav.typed() {
                    Ok(InfoValue::CertProfile(names)) => Ok(names.first().cloned()),
                    _ => Err(self.reject(PkiFailureBit::BadDataFormat, "malformed certProfile")),
                };
            }
        }
        Ok(None)
    }

    /// Whether the header carries `implicitConfirm`.
    pub fn implicit_confirm_requested(&self) -> bool {
        self.header()
            .general_info
            .iter()
            .flatten()
            .any(|i| matches!(i.typed(), Ok(InfoValue::ImplicitConfirm)))
    }

    /// Step 3 for ir/cr/kur/p10cr: the request and its proof of possession.
    /// `ra_verified_allowed`: the authenticated sender is an RA trusted to assert `raVerified`.
    ///
    /// POP for encryption and key-agreement keys is refused (`badPOP`); use
    /// [`Authenticated::enrollment_with`] to offer it.
    pub fn enrollment(
        &self,
        ra_verified_allowed: bool,
        verifier: &dyn SignatureVerifier,
    ) -> Result<Enrollment, Rejection> {
        self.enrollment_with(ra_verified_allowed, verifier, None)
    }

    /// Step 3 with POP for encryption and key-agreement keys offered when `encryption` is
    /// given (RFC 9810 §5.2.8.3): the enrollment's `pop` is then possibly
    /// [`Pop::EncryptedCertificate`] (answer with [`Responder::issued_encrypted`]) or
    /// [`Pop::Challenge`] (answer with [`Responder::challenge`] first).
    pub fn enrollment_with(
        &self,
        ra_verified_allowed: bool,
        verifier: &dyn SignatureVerifier,
        encryption: Option<&dyn signet_asn1_types::crypto::PublicKeyEncryption>,
    ) -> Result<Enrollment, Rejection> {
        let fail = |e: signet_crmf::Error| self.reject(e.failure_bit(), e.to_string());
        let check = signet_crmf::PopCheck {
            ra_verified_allowed,
            verifier,
            encryption,
            sender: Some(&self.header().sender),
            cmp2021: self.header().pvno >= signet_asn1_types::cmp::pvno::CMP2021,
        };
        let (request, pop) = match self.body() {
            PkiBody::Ir(m) | PkiBody::Cr(m) | PkiBody::Kur(m) => {
                if m.len() != 1 {
                    return Err(self.reject(
                        PkiFailureBit::BadRequest,
                        "exactly one CertReqMsg per request is supported",
                    ));
                }
                let msg = m
                    .first()
                    .ok_or_else(|| self.reject(PkiFailureBit::BadRequest, "no CertReqMsg"))?;
                let pop = signet_crmf::verify_pop(msg, &check).map_err(fail)?;
                (Request::from_crmf(msg).map_err(fail)?, pop)
            }
            PkiBody::P10cr(csr) => {
                signet_crmf::verify_pkcs10(csr, verifier).map_err(fail)?;
                (Request::from_pkcs10(csr).map_err(fail)?, Pop::Signature)
            }
            other => {
                return Err(self.reject(
                    PkiFailureBit::BadRequest,
                    format!("{} is not an enrollment request", other.name()),
                ));
            }
        };
        Ok(Enrollment {
            request,
            pop,
            implicit_confirm_requested: self.implicit_confirm_requested(),
            reply: reply_kind(self.body()),
            pvno: self.header().pvno,
        })
    }

    /// Opens the transaction in `log`: a reused transactionID is `transactionIdInUse`
    /// (RFC 9810 §5.1.1). Only an authenticated request can, so an attacker cannot burn IDs.
    pub fn begin(&self, log: &mut dyn TransactionLog) -> Result<(), Rejection> {
        if self.starts_transaction() && !log.insert_if_new(self.transaction_id()) {
            return Err(self.reject(
                PkiFailureBit::TransactionIdInUse,
                "transactionID already used",
            ));
        }
        Ok(())
    }

    /// What a genm asks for ([`crate::general::requests`]); answer with
    /// [`crate::general::genp`] and [`Responder::general`].
    pub fn general_requests(&self) -> Result<Vec<crate::general::GeneralRequest>, Rejection> {
        match self.body() {
            PkiBody::Genm(itavs) => crate::general::requests(itavs)
                .map_err(|e| self.reject(e.failure_bit(), e.to_string())),
            _ => Err(self.reject(PkiFailureBit::BadRequest, "not a general message")),
        }
    }

    /// The revocation requests of an rr.
    pub fn revocation(&self) -> Result<&[RevDetails], Rejection> {
        match self.body() {
            PkiBody::Rr(r) if !r.is_empty() => Ok(r),
            _ => Err(self.reject(PkiFailureBit::BadRequest, "not a revocation request")),
        }
    }
}

/// The key responses are protected with. It is never the CA's certificate-signing key
/// (RFC 9810 §8): a signature key is a dedicated CMP-protection key with its own certificate.
pub enum ResponseKey<'a> {
    /// MAC protection with the shared secret the request was protected with.
    Mac {
        /// The secret.
        secret: &'a [u8],
        /// `protectionAlg` for responses (e.g. [`protection::pbm_algorithm`]).
        algorithm: AlgorithmIdentifierOwned,
    },
    /// MAC protection with a key already derived for its `protectionAlg` — typically the key
    /// the request was verified with, so the response keeps the request's parameters as
    /// RFC 9810 §5.1.3.1 recommends and costs no derivation.
    MacKey(&'a protection::MacKey),
    /// Signature protection with the CMP-protection key.
    Signature {
        /// The key.
        signer: &'a dyn Signer,
        /// Its certificate's subjectKeyIdentifier (sent as senderKID).
        key_id: Vec<u8>,
        /// Its certificate, then the chain (sent in extraCerts).
        certs: Vec<Certificate>,
    },
}

/// State kept between an issuing response and its certConf.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AwaitingConfirm {
    /// The transaction.
    pub transaction_id: Vec<u8>,
    /// The senderNonce we sent; the certConf's recipNonce must equal it.
    pub our_nonce: Vec<u8>,
    /// The issued certificate (DER).
    pub certificate: Vec<u8>,
    /// Its certReqId.
    pub cert_req_id: i64,
    /// After this time (seconds since the epoch) the transaction expires and the certificate
    /// is to be revoked (RFC 9810 §5.3.18, confirmWaitTime).
    pub deadline: u64,
    /// The certificate went out encrypted (indirect POP): the certConf's certHash is the proof
    /// of possession, so a wrong one is `badPOP`, and the certificate must not be published
    /// before an accepting certConf (RFC 9810 §5.2.8.3.2).
    pub indirect_pop: bool,
}

/// State of an enrollment waiting for a decision (manual approval; RFC 9810 §5.3.22, RFC 9483
/// §4.4): the client polls with pollReq until the caller decides.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pending {
    /// The transaction.
    pub transaction_id: Vec<u8>,
    /// The senderNonce we last sent; the next pollReq's recipNonce must equal it.
    pub our_nonce: Vec<u8>,
    /// The enrollment being decided.
    pub enrollment: Enrollment,
    /// Which response body the final answer uses.
    pub reply: ReplyKind,
}

/// The response body family of an enrollment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReplyKind {
    /// ip (to ir; carries caPubs).
    Ip,
    /// cp (to cr and p10cr).
    Cp,
    /// kup (to kur).
    Kup,
}

/// The caller's answer when a client polls.
#[derive(Debug, Clone)]
pub enum Decision<'c> {
    /// Not decided yet: ask the client to come back after this many seconds.
    Undecided {
        /// `checkAfter`.
        check_after: u64,
    },
    /// Approved and issued.
    Issued {
        /// The certificate.
        certificate: &'c Certificate,
        /// caPubs (ip only).
        ca_pubs: &'c [Certificate],
    },
    /// Refused.
    Refused(Rejection),
}

/// What a poll leads to.
#[derive(Debug, Clone, PartialEq, Eq)]
#[allow(clippy::large_enum_variant, reason = "returned once per poll")]
pub enum AfterPoll {
    /// Still pending: keep this state.
    Pending(Pending),
    /// Issued: waiting for certConf (None when implicit confirmation was granted).
    Issued(Option<AwaitingConfirm>),
    /// Refused: the transaction is over.
    Refused,
}

/// A follow-up message (certConf, pollReq) that could not be accepted: the rejection to answer
/// with, and the transaction state handed back unchanged (it stays open until its deadline).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StateError<S> {
    /// Why.
    pub rejection: Rejection,
    /// The unchanged state.
    pub state: S,
}

/// A refused certConf.
pub type ConfirmError = StateError<AwaitingConfirm>;

/// A refused pollReq.
pub type PollError = StateError<Pending>;

/// What the client said about its certificate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConfirmOutcome {
    /// Accepted: publish it.
    Accepted,
    /// Rejected by the client (e.g. key mismatch): revoke it, do not publish.
    Rejected,
}

/// Builds protected responses.
pub struct Responder<'a> {
    /// Settings.
    pub config: &'a ServerConfig,
    /// The protection key.
    pub key: ResponseKey<'a>,
    /// Randomness for nonces.
    pub rng: &'a dyn SecureRandom,
    /// Now, seconds since the epoch.
    pub now: u64,
    /// Certificates appended to the extraCerts of every response but a pkiConf (e.g. the
    /// issuing CA chain, so a client can validate the new certificate; RFC 9483 §4.1.1). The
    /// pkiConf ends a transaction whose chain the ip/cp/kup already delivered (RFC 9483 §3.3
    /// lets later messages of a transaction leave certificates out).
    pub extra_certs: &'a [Certificate],
}

impl Responder<'_> {
    fn nonce(&self) -> Result<Vec<u8>, Rejection> {
        let mut n = vec![0u8; MIN_ID_LEN];
        self.rng.fill(&mut n).map_err(|_| {
            Rejection::new(PkiFailureBit::SystemFailure, "random source failed", None)
        })?;
        Ok(n)
    }

    fn header_for(
        &self,
        request: Option<&PkiHeader>,
        nonce: &[u8],
        implicit_confirm: bool,
    ) -> Result<PkiHeader, Rejection> {
        let sys = |_| {
            Rejection::new(
                PkiFailureBit::SystemFailure,
                "encoding the response header failed",
                None,
            )
        };
        let time = DateTime::from_unix_duration(Duration::from_secs(self.now)).map_err(sys)?;
        let (protection_alg, sender_kid) = match &self.key {
            ResponseKey::Mac { algorithm, .. } => (Some(algorithm.clone()), None),
            ResponseKey::MacKey(key) => (Some(key.algorithm().clone()), None),
            ResponseKey::Signature { signer, key_id, .. } => (
                Some(signer.algorithm().to_algorithm_identifier().map_err(|_| {
                    Rejection::new(PkiFailureBit::SystemFailure, "response algorithm", None)
                })?),
                Some(OctetString::new(key_id.clone()).map_err(sys)?),
            ),
        };
        let general_info = if implicit_confirm {
            let itav = InfoTypeAndValue::from_typed(&InfoValue::ImplicitConfirm).map_err(sys)?;
            Some(NonEmpty::one(itav))
        } else {
            None
        };
        Ok(PkiHeader {
            pvno: request.map_or(2, |h| h.pvno),
            sender: self.config.name.clone(),
            recipient: request.map_or_else(
                || GeneralName::DirectoryName(Default::default()),
                |h| h.sender.clone(),
            ),
            message_time: Some(GeneralizedTimeFrac::from(time)),
            protection_alg,
            sender_kid,
            recip_kid: request.and_then(|h| h.sender_kid.clone()),
            transaction_id: request.and_then(|h| h.transaction_id.clone()),
            sender_nonce: Some(OctetString::new(nonce.to_vec()).map_err(sys)?),
            recip_nonce: request.and_then(|h| h.sender_nonce.clone()),
            free_text: None,
            general_info,
        })
    }

    fn finish(&self, header: PkiHeader, body: PkiBody) -> Result<Vec<u8>, Rejection> {
        let sys = |what: &str| {
            Rejection::new(
                PkiFailureBit::SystemFailure,
                format!("protecting the response failed: {what}"),
                None,
            )
        };
        let policy = &self.config.protection;
        let mut extra: Vec<&Certificate> = Vec::new();
        if let ResponseKey::Signature { signer, certs, .. } = &self.key {
            if let Some(cert) = certs.first() {
                protection_certificate_check(cert, *signer).map_err(sys)?;
            }
            extra.extend(certs);
        }
        if !matches!(body, PkiBody::Pkiconf(_)) {
            extra.extend(self.extra_certs);
        }
        let protect = |part: &[u8]| match &self.key {
            ResponseKey::Mac { secret, algorithm } => {
                protection::MacKey::derive(algorithm, secret, policy).map(|k| k.mac(part))
            }
            ResponseKey::MacKey(key) => Ok(key.mac(part)),
            ResponseKey::Signature { signer, .. } => signer
                .sign(part)
                .map_err(|_| protection::ProtectionError::Encoding),
        };
        protection::encode_protected(&header, &body, protect, &extra)
            .map_err(|e| sys(&e.to_string()))
    }

    /// Answers an enrollment with the issued certificate. `ca_pubs` go only into an `ip`
    /// (RFC 9810 §5.3.4). Returns the response and, unless implicit confirmation was granted,
    /// the state awaiting the certConf. An enrollment with [`Pop::EncryptedCertificate`]
    /// needs [`Responder::issued_encrypted`].
    pub fn issued(
        &self,
        incoming: &Authenticated,
        enrollment: &Enrollment,
        certificate: &Certificate,
        ca_pubs: &[Certificate],
        status: PkiStatus,
    ) -> Result<(Vec<u8>, Option<AwaitingConfirm>), Rejection> {
        self.issue(incoming, enrollment, certificate, ca_pubs, status, None)
    }

    /// [`Responder::issued`] and [`Responder::issued_encrypted`]: the ip/cp/kup answering
    /// `incoming` (the request, or the popdecr of a challenged one).
    fn issue(
        &self,
        incoming: &Authenticated,
        enrollment: &Enrollment,
        certificate: &Certificate,
        ca_pubs: &[Certificate],
        status: PkiStatus,
        sealer: Option<&signet_crmf::envelope::Sealer<'_>>,
    ) -> Result<(Vec<u8>, Option<AwaitingConfirm>), Rejection> {
        let indirect = enrollment.pop == Pop::EncryptedCertificate;
        // With indirect POP the certConf is the proof: implicit confirmation is never granted.
        let grant = enrollment.implicit_confirm_requested
            && self.config.grant_implicit_confirm
            && !indirect;
        let cert_or_enc = self.cert_or_enc(incoming, enrollment, certificate, sealer)?;
        let nonce = self.nonce()?;
        let header = self.header_for(Some(incoming.header()), &nonce, grant)?;
        let reply = enrollment.reply;
        let ca_pubs = if reply == ReplyKind::Ip { ca_pubs } else { &[] };
        let body = reply.body(certified(
            enrollment.request.cert_req_id,
            cert_or_enc,
            ca_pubs,
            status,
        ));
        let bytes = self.finish(header, body)?;
        let awaiting = if grant {
            None
        } else {
            Some(AwaitingConfirm {
                transaction_id: incoming.transaction_id().to_vec(),
                our_nonce: nonce,
                certificate: certificate.to_der().map_err(|_| {
                    incoming.reject(PkiFailureBit::SystemFailure, "certificate encoding")
                })?,
                cert_req_id: enrollment.request.cert_req_id,
                deadline: self.now.saturating_add(self.config.confirm_wait.as_secs()),
                indirect_pop: indirect,
            })
        };
        Ok((bytes, awaiting))
    }

    /// Answers an enrollment that needs a decision first with status `waiting`; the client
    /// then polls ([`Responder::poll`]).
    pub fn waiting(
        &self,
        incoming: &Authenticated,
        enrollment: &Enrollment,
    ) -> Result<(Vec<u8>, Pending), Rejection> {
        let nonce = self.nonce()?;
        let header = self.header_for(Some(incoming.header()), &nonce, false)?;
        let reply = enrollment.reply;
        let rep = CertRepMessage {
            ca_pubs: None,
            response: vec![CertResponse {
                cert_req_id: enrollment.request.cert_req_id,
                status: PkiStatusInfo {
                    status: PkiStatus::Waiting,
                    status_string: None,
                    fail_info: None,
                },
                certified_key_pair: None,
                rsp_info: None,
            }],
        };
        let bytes = self.finish(header, reply.body(rep))?;
        let pending = Pending {
            transaction_id: incoming.transaction_id().to_vec(),
            our_nonce: nonce,
            enrollment: enrollment.clone(),
            reply,
        };
        Ok((bytes, pending))
    }

    /// Answers a pollReq for a pending enrollment with the caller's decision: a pollRep, or the
    /// final ip/cp/kup (RFC 9810 §5.3.22). On a mismatched poll the state is handed back. A
    /// pending enrollment with [`Pop::EncryptedCertificate`] needs
    /// [`Responder::poll_encrypted`] to be issued.
    pub fn poll(
        &self,
        incoming: &Authenticated,
        pending: Pending,
        decision: Decision<'_>,
    ) -> Result<(Vec<u8>, AfterPoll), Box<PollError>> {
        self.poll_with(incoming, pending, decision, None)
    }

    fn poll_with(
        &self,
        incoming: &Authenticated,
        pending: Pending,
        decision: Decision<'_>,
        sealer: Option<&signet_crmf::envelope::Sealer<'_>>,
    ) -> Result<(Vec<u8>, AfterPoll), Box<PollError>> {
        let refuse = |rejection: Rejection,
                      state: Pending|
         -> Result<(Vec<u8>, AfterPoll), Box<PollError>> {
            Err(Box::new(StateError { rejection, state }))
        };
        let PkiBody::PollReq(entries) = incoming.body() else {
            return refuse(
                incoming.reject(PkiFailureBit::BadRequest, "expected pollReq"),
                pending,
            );
        };
        if incoming.transaction_id() != pending.transaction_id {
            return refuse(
                incoming.reject(PkiFailureBit::BadRequest, "transactionID does not match"),
                pending,
            );
        }
        if incoming
            .header()
            .recip_nonce
            .as_ref()
            .map(OctetString::as_bytes)
            != Some(pending.our_nonce.as_slice())
        {
            return refuse(
                incoming.reject(
                    PkiFailureBit::BadRecipientNonce,
                    "recipNonce does not match our senderNonce",
                ),
                pending,
            );
        }
        if entries
            .iter()
            .map(|e| e.cert_req_id)
            .ne([pending.enrollment.request.cert_req_id])
        {
            return refuse(
                incoming.reject(PkiFailureBit::BadCertId, "pollReq certReqId does not match"),
                pending,
            );
        }
        let nonce = match self.nonce() {
            Ok(n) => n,
            Err(r) => return refuse(r, pending),
        };
        let indirect = pending.enrollment.pop == Pop::EncryptedCertificate;
        let grant = pending.enrollment.implicit_confirm_requested
            && self.config.grant_implicit_confirm
            && !indirect;
        let result = match &decision {
            Decision::Undecided { check_after } => self
                .header_for(Some(incoming.header()), &nonce, false)
                .and_then(|h| {
                    let entry = signet_asn1_types::cmp::PollRepEntry {
                        cert_req_id: pending.enrollment.request.cert_req_id,
                        check_after: i64::try_from(*check_after).unwrap_or(i64::MAX),
                        reason: None,
                    };
                    self.finish(h, PkiBody::PollRep(vec![entry]))
                }),
            Decision::Issued {
                certificate,
                ca_pubs,
            } => self
                .cert_or_enc(incoming, &pending.enrollment, certificate, sealer)
                .and_then(|c| Ok((c, self.header_for(Some(incoming.header()), &nonce, grant)?)))
                .and_then(|(cert_or_enc, h)| {
                    let rep = certified(
                        pending.enrollment.request.cert_req_id,
                        cert_or_enc,
                        if pending.reply == ReplyKind::Ip {
                            ca_pubs
                        } else {
                            &[]
                        },
                        PkiStatus::Accepted,
                    );
                    self.finish(h, pending.reply.body(rep))
                }),
            Decision::Refused(r) => self
                .header_for(Some(incoming.header()), &nonce, false)
                .and_then(|h| {
                    self.finish(
                        h,
                        pending
                            .reply
                            .body(rejected(pending.enrollment.request.cert_req_id, r)),
                    )
                }),
        };
        let bytes = match result {
            Ok(b) => b,
            Err(r) => {
                return Err(Box::new(StateError {
                    rejection: r,
                    state: pending,
                }));
            }
        };
        let next = match decision {
            Decision::Undecided { .. } => AfterPoll::Pending(Pending {
                our_nonce: nonce,
                ..pending
            }),
            Decision::Issued { certificate, .. } => {
                let awaiting = if grant {
                    None
                } else {
                    match certificate.to_der() {
                        Ok(der) => Some(AwaitingConfirm {
                            transaction_id: pending.transaction_id.clone(),
                            our_nonce: nonce,
                            certificate: der,
                            cert_req_id: pending.enrollment.request.cert_req_id,
                            deadline: self.now.saturating_add(self.config.confirm_wait.as_secs()),
                            indirect_pop: indirect,
                        }),
                        Err(_) => {
                            return refuse(
                                incoming
                                    .reject(PkiFailureBit::SystemFailure, "certificate encoding"),
                                pending,
                            );
                        }
                    }
                };
                AfterPoll::Issued(awaiting)
            }
            Decision::Refused(_) => AfterPoll::Refused,
        };
        Ok((bytes, next))
    }

    /// Refuses an enrollment in an ip/cp/kup with status rejection (policy refusals go here,
    /// not in an error body; openssl-cmp.md §2.3).
    pub fn refused(
        &self,
        incoming: &Authenticated,
        cert_req_id: i64,
        rejection: &Rejection,
    ) -> Result<Vec<u8>, Rejection> {
        let nonce = self.nonce()?;
        let header = self.header_for(Some(incoming.header()), &nonce, false)?;
        self.finish(
            header,
            reply_kind(incoming.body()).body(rejected(cert_req_id, rejection)),
        )
    }

    /// Step 4 for certConf: checks transaction, nonces and certHash, consumes the waiting state,
    /// and answers pkiConf.
    pub fn confirm(
        &self,
        incoming: &Authenticated,
        awaiting: AwaitingConfirm,
    ) -> Result<(Vec<u8>, ConfirmOutcome), Box<ConfirmError>> {
        let fail = |bit, text: &str, a: AwaitingConfirm| {
            Err(Box::new(StateError {
                rejection: incoming.reject(bit, text),
                state: a,
            }))
        };
        let PkiBody::CertConf(content) = incoming.body() else {
            return fail(PkiFailureBit::BadRequest, "expected certConf", awaiting);
        };
        if incoming.transaction_id() != awaiting.transaction_id {
            return fail(
                PkiFailureBit::BadRequest,
                "transactionID does not match",
                awaiting,
            );
        }
        if self.now > awaiting.deadline {
            return fail(PkiFailureBit::BadTime, "confirmWaitTime elapsed", awaiting);
        }
        let recip = incoming
            .header()
            .recip_nonce
            .as_ref()
            .map(OctetString::as_bytes);
        if recip != Some(awaiting.our_nonce.as_slice()) {
            return fail(
                PkiFailureBit::BadRecipientNonce,
                "recipNonce does not match our senderNonce",
                awaiting,
            );
        }
        let outcome = match check_cert_conf(content, &awaiting, incoming.header().pvno) {
            Ok(o) => o,
            Err((bit, text)) => return fail(bit, text, awaiting),
        };
        let nonce = match self.nonce() {
            Ok(n) => n,
            Err(r) => {
                return Err(Box::new(StateError {
                    rejection: r,
                    state: awaiting,
                }));
            }
        };
        let result = self
            .header_for(Some(incoming.header()), &nonce, false)
            .and_then(|h| self.finish(h, PkiBody::Pkiconf(Null)));
        match result {
            Ok(bytes) => Ok((bytes, outcome)),
            Err(r) => Err(Box::new(StateError {
                rejection: r,
                state: awaiting,
            })),
        }
    }

    /// Answers an rr with one status per RevDetails.
    pub fn revocation(
        &self,
        incoming: &Authenticated,
        statuses: Vec<PkiStatusInfo>,
    ) -> Result<Vec<u8>, Rejection> {
        let status = NonEmpty::new(statuses)
            .ok_or_else(|| incoming.reject(PkiFailureBit::SystemFailure, "no revocation status"))?;
        let nonce = self.nonce()?;
        let header = self.header_for(Some(incoming.header()), &nonce, false)?;
        self.finish(
            header,
            PkiBody::Rp(signet_asn1_types::cmp::RevRepContent {
                status,
                rev_certs: None,
                crls: None,
            }),
        )
    }

    /// Answers a genm.
    pub fn general(
        &self,
        incoming: &Authenticated,
        itavs: Vec<InfoTypeAndValue>,
    ) -> Result<Vec<u8>, Rejection> {
        let nonce = self.nonce()?;
        let header = self.header_for(Some(incoming.header()), &nonce, false)?;
        self.finish(header, PkiBody::Genp(itavs))
    }

    /// An error message for any rejection, echoing the request's transactionID and nonce when
    /// known and protected with this responder's key.
    pub fn error(&self, rejection: &Rejection) -> Result<Vec<u8>, Rejection> {
        let nonce = self.nonce()?;
        let header = self.header_for(rejection.header.as_deref(), &nonce, false)?;
        let body = PkiBody::Error(ErrorMsgContent {
            pki_status_info: status_info(rejection),
            error_code: None,
            error_details: None,
        });
        self.finish(header, body)
    }
}

impl Responder<'_> {
    /// An **unprotected** error message, for a request whose protection this server cannot
    /// answer in kind: a MAC-protected request naming an unknown reference number has no
    /// secret to MAC the reply with, and the client holds no trust anchor for a signature
    /// (RFC 9483 §3.6.4 lets the error go unprotected; `openssl cmp -unprotected_errors` then
    /// shows its status). Echoes the request's transactionID and nonce when known.
    pub fn unprotected_error(&self, rejection: &Rejection) -> Result<Vec<u8>, Rejection> {
        let nonce = self.nonce()?;
        let mut header = self.header_for(rejection.header.as_deref(), &nonce, false)?;
        header.protection_alg = None;
        header.sender_kid = None;
        let message = signet_asn1_types::cmp::PkiMessage {
            header,
            body: PkiBody::Error(ErrorMsgContent {
                pki_status_info: status_info(rejection),
                error_code: None,
                error_details: None,
            }),
            protection: None,
            extra_certs: None,
        };
        message.to_der().map_err(|_| {
            Rejection::new(
                PkiFailureBit::SystemFailure,
                "encoding the error failed",
                None,
            )
        })
    }
}

fn reply_kind(body: &PkiBody) -> ReplyKind {
    match body {
        PkiBody::Ir(_) => ReplyKind::Ip,
        PkiBody::Kur(_) => ReplyKind::Kup,
        _ => ReplyKind::Cp,
    }
}

impl ReplyKind {
    fn body(self, rep: CertRepMessage) -> PkiBody {
        match self {
            Self::Ip => PkiBody::Ip(rep),
            Self::Cp => PkiBody::Cp(rep),
            Self::Kup => PkiBody::Kup(rep),
        }
    }
}

fn rejected(cert_req_id: i64, rejection: &Rejection) -> CertRepMessage {
    CertRepMessage {
        ca_pubs: None,
        response: vec![CertResponse {
            cert_req_id,
            status: status_info(rejection),
            certified_key_pair: None,
            rsp_info: None,
        }],
    }
}

fn certified(
    cert_req_id: i64,
    cert_or_enc_cert: CertOrEncCert,
    ca_pubs: &[Certificate],
    status: PkiStatus,
) -> CertRepMessage {
    CertRepMessage {
        ca_pubs: NonEmpty::new(ca_pubs.to_vec()),
        response: vec![CertResponse {
            cert_req_id,
            status: PkiStatusInfo {
                status,
                status_string: None,
                fail_info: None,
            },
            certified_key_pair: Some(CertifiedKeyPair {
                cert_or_enc_cert,
                private_key: None,
                publication_info: None,
            }),
            rsp_info: None,
        }],
    }
}

/// Refuses to protect responses with a certificate-signing key (RFC 9810 §8: "the private key
/// used to sign certificates ... MUST NOT be used for CMP message protection"): the first
/// certificate of [`ResponseKey::Signature`] must certify the signer's key and must not be a
/// CA certificate (basicConstraints cA, or keyCertSign/cRLSign in keyUsage).
fn protection_certificate_check(
    cert: &Certificate,
    signer: &dyn Signer,
) -> Result<(), &'static str> {
    use signet_asn1_types::x509_cert::ext::pkix::{BasicConstraints, KeyUsage, KeyUsages};
    let tbs = cert.tbs_certificate();
    let spki = tbs
        .subject_public_key_info()
        .to_der()
        .map_err(|_| "protection certificate unreadable")?;
    if spki != signer.public_key_der() {
        return Err("the protection certificate does not certify the signing key");
    }
    if let Ok(Some((_, bc))) = tbs.get_extension::<BasicConstraints>()
        && bc.ca
    {
        return Err("a CA certificate's key must not protect CMP messages");
    }
    match tbs.get_extension::<KeyUsage>() {
        Ok(Some((_, ku)))
            if ku.0.contains(KeyUsages::KeyCertSign) || ku.0.contains(KeyUsages::CRLSign) =>
        {
            Err("a certificate-signing key must not protect CMP messages")
        }
        Ok(_) => Ok(()),
        Err(_) => Err("protection certificate extensions unreadable"),
    }
}

/// The PKIStatusInfo of a rejection.
pub fn status_info(rejection: &Rejection) -> PkiStatusInfo {
    PkiStatusInfo {
        status: PkiStatus::Rejection,
        status_string: NonEmpty::new(vec![rejection.text.clone()]),
        fail_info: PkiFailureInfo::from_bit(rejection.bit).to_bit_string().ok(),
    }
}

/// Checks a certConf against the issued certificate (RFC 9810 §5.3.18).
fn check_cert_conf(
    content: &CertConfirmContent,
    awaiting: &AwaitingConfirm,
    pvno: u8,
) -> Result<ConfirmOutcome, (PkiFailureBit, &'static str)> {
    let status = match content.as_slice() {
        // "an empty CertConfirmContent (a zero-length SEQUENCE) MAY be used to indicate
        // rejection of all supplied certificates" (RFC 9810 §5.3.18).
        [] => return Ok(ConfirmOutcome::Rejected),
        [status] => status,
        _ => {
            return Err((
                PkiFailureBit::BadRequest,
                "certConf must confirm exactly the one certificate issued",
            ));
        }
    };
    if status.cert_req_id != awaiting.cert_req_id {
        return Err((PkiFailureBit::BadCertId, "certReqId does not match"));
    }
    if status.hash_alg.is_some() && pvno < signet_asn1_types::cmp::pvno::CMP2021 {
        return Err((
            PkiFailureBit::BadRequest,
            "certConf hashAlg requires pvno 3 (cmp2021)",
        ));
    }
    let matches = crate::certhash::matches(
        &awaiting.certificate,
        status.hash_alg.as_ref(),
        status.cert_hash.as_bytes(),
    )
    .map_err(|e| (e.failure_bit(), cert_hash_text(e)))?;
    if !matches {
        // Under indirect POP a wrong certHash means the requester could not decrypt the
        // certificate: possession is not proven (RFC 9810 §5.2.8.3.2).
        return Err(if awaiting.indirect_pop {
            (
                PkiFailureBit::BadPop,
                "certHash does not match the encrypted certificate: possession not proven",
            )
        } else {
            (
                PkiFailureBit::BadCertId,
                "certHash does not match the issued certificate",
            )
        });
    }
    // An acceptance carries no failure (RFC 9483 §4.1.1: failInfo only with rejection).
    if let Some(info) = &status.status_info
        && matches!(
            info.status,
            PkiStatus::Accepted | PkiStatus::GrantedWithMods
        )
        && info.fail_info.is_some()
    {
        return Err((
            PkiFailureBit::BadRequest,
            "certConf accepts the certificate but carries a failInfo",
        ));
    }
    Ok(match status.status_info.as_ref().map(|s| s.status) {
        None | Some(PkiStatus::Accepted | PkiStatus::GrantedWithMods) => ConfirmOutcome::Accepted,
        Some(_) => ConfirmOutcome::Rejected,
    })
}

fn cert_hash_text(e: crate::certhash::CertHashError) -> &'static str {
    use crate::certhash::CertHashError as E;
    match e {
        E::UnsupportedHashAlg => "certConf hashAlg not supported",
        E::NoImpliedHash => "certificate signature algorithm has no hash; hashAlg required",
        _ => "stored certificate unreadable",
    }
}

mod pop;
pub mod stored;

pub use pop::{ChallengeFailure, Challenged};

#[cfg(test)]
mod tests;
