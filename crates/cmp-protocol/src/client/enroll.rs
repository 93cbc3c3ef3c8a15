//! Client enrollment: ir/cr/kur/p10cr → ip/cp/kup (with polling) → certConf → pkiConf
//! (RFC 9810 §5.3.1–§5.3.6, §5.3.18, §5.3.22; RFC 9483 §4.1, §4.4).

use core::fmt;

use signet_asn1_types::cmp::{
    CertConfirmContent, CertOrEncCert, CertRepMessage, CertStatus, InfoTypeAndValue, InfoValue,
    PkiBody, PkiFailureBit, PkiFailureInfo, PkiStatus, PkiStatusInfo, PollReqEntry, pvno,
};
use signet_asn1_types::crmf::{
    AttributeTypeAndValue, CertId, CertReqMsg, CertRequest, CertTemplate, OptionalValidity,
    PopoPrivKey, ProofOfPossession, SubsequentMessage, oid as crmf_oid,
};
use signet_asn1_types::crypto::Signer;
use signet_asn1_types::der::asn1::{Null, OctetString};
use signet_asn1_types::der::{Any, Decode, Encode};
use signet_asn1_types::seq::NonEmpty;
use signet_asn1_types::spki::SubjectPublicKeyInfoOwned;
use signet_asn1_types::x509_cert::Certificate;
use signet_asn1_types::x509_cert::ext::Extension;
use signet_asn1_types::x509_cert::ext::pkix::name::GeneralName;
use signet_asn1_types::x509_cert::name::Name;
use signet_asn1_types::x509_cert::request::CertReq;
use signet_asn1_types::x509_cert::time::Time;

use super::{Client, ClientError, Exchange, Refusal, certifies, certs};
use crate::certhash;

/// How an ir/cr/kur proves possession of the private key (RFC 4211 §4, RFC 9810 §5.2.8).
#[derive(Clone, Copy)]
pub enum Popo<'a> {
    /// A signature by the key being certified (the only method for signing keys).
    Signature(&'a dyn Signer),
    /// `raVerified`: only an RA that has checked the POP itself may send this (§5.2.8.1).
    RaVerified,
    /// `keyEncipherment` for an encryption key: the certificate comes back encrypted
    /// (`encrCert`) or a challenge follows (`challengeResp`); RFC 9810 §5.2.8.3.
    KeyEncipherment(SubsequentMessage),
    /// `keyAgreement` for a key-agreement key, with the same two options.
    KeyAgreement(SubsequentMessage),
    /// No POP at all (for testing servers: they must answer `badPOP`).
    Omitted,
}

impl fmt::Debug for Popo<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Signature(s) => write!(f, "Signature({:?})", s.algorithm()),
            Self::RaVerified => f.write_str("RaVerified"),
            Self::KeyEncipherment(m) => write!(f, "KeyEncipherment({m:?})"),
            Self::KeyAgreement(m) => write!(f, "KeyAgreement({m:?})"),
            Self::Omitted => f.write_str("Omitted"),
        }
    }
}

/// What an ir, cr or kur asks for (the `CertTemplate`, RFC 4211 §5) and how POP is done.
#[derive(Debug, Clone)]
pub struct CertificateRequest<'a> {
    /// The subject (absent: the POP signature covers `POPOSigningKeyInput` instead).
    pub subject: Option<Name>,
    /// The key to certify.
    pub public_key: SubjectPublicKeyInfoOwned,
    /// Requested extensions.
    pub extensions: Vec<Extension>,
    /// Requested `notBefore`.
    pub not_before: Option<Time>,
    /// Requested `notAfter`.
    pub not_after: Option<Time>,
    /// Requested issuer.
    pub issuer: Option<Name>,
    /// Proof of possession.
    pub popo: Popo<'a>,
}

impl<'a> CertificateRequest<'a> {
    /// A request for `key`'s public key under `subject`, possession proven by a signature.
    pub fn for_signing_key(
        subject: Option<Name>,
        key: &'a dyn Signer,
    ) -> Result<Self, ClientError> {
        let public_key = SubjectPublicKeyInfoOwned::from_der(key.public_key_der())
            .map_err(|_| ClientError::Request(signet_crmf::Error::BadPublicKey))?;
        Ok(Self {
            subject,
            public_key,
            extensions: Vec::new(),
            not_before: None,
            not_after: None,
            issuer: None,
            popo: Popo::Signature(key),
        })
    }

    fn cert_req_msg(
        &self,
        sender: &GeneralName,
        old_cert: Option<&Certificate>,
    ) -> Result<CertReqMsg, ClientError> {
        let enc = |what| move |_| ClientError::Encoding { what };
        let validity = if self.not_before.is_some() || self.not_after.is_some() {
            Some(OptionalValidity {
                not_before: self.not_before,
                not_after: self.not_after,
            })
        } else {
            None
        };
        let controls = match old_cert {
            None => None,
            Some(cert) => {
                let tbs = cert.tbs_certificate();
                let id = CertId {
                    issuer: GeneralName::DirectoryName(tbs.issuer().clone()),
                    serial_number: signet_asn1_types::der::asn1::Int::new(
                        tbs.serial_number().as_bytes(),
                    )
                    .map_err(enc("oldCertID"))?,
                };
                Some(NonEmpty::one(AttributeTypeAndValue {
                    oid: crmf_oid::OLD_CERT_ID,
                    value: Any::encode_from(&id).map_err(enc("oldCertID"))?,
                }))
            }
        };
        let cert_req = CertRequest {
            cert_req_id: 0,
            cert_template: CertTemplate {
                issuer: self.issuer.clone(),
                validity,
                subject: self.subject.clone(),
                public_key: Some(self.public_key.clone()),
                extensions: if self.extensions.is_empty() {
                    None
                } else {
                    Some(self.extensions.clone())
                },
                ..CertTemplate::default()
            },
            controls,
        };
        let popo = match self.popo {
            Popo::Signature(key) => Some(
                signet_crmf::sign_crmf_pop(&cert_req, sender, key).map_err(ClientError::Request)?,
            ),
            Popo::RaVerified => Some(ProofOfPossession::RaVerified(Null)),
            Popo::KeyEncipherment(m) => Some(ProofOfPossession::KeyEncipherment(
                PopoPrivKey::SubsequentMessage(m),
            )),
            Popo::KeyAgreement(m) => Some(ProofOfPossession::KeyAgreement(
                PopoPrivKey::SubsequentMessage(m),
            )),
            Popo::Omitted => None,
        };
        Ok(CertReqMsg {
            cert_req,
            popo,
            reg_info: None,
        })
    }
}

/// The response body family an enrollment expects.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Reply {
    Ip,
    Cp,
    Kup,
}

impl Reply {
    fn name(self) -> &'static str {
        match self {
            Self::Ip => "ip",
            Self::Cp => "cp",
            Self::Kup => "kup",
        }
    }

    /// The CertRepMessage of `body` if it is this family's, else the name of what came.
    fn take(self, body: PkiBody) -> Result<CertRepMessage, &'static str> {
        match (self, body) {
            (Self::Ip, PkiBody::Ip(r))
            | (Self::Cp, PkiBody::Cp(r))
            | (Self::Kup, PkiBody::Kup(r)) => Ok(r),
            (_, other) => Err(other.name()),
        }
    }
}

/// An enrollment request waiting for its response (ip/cp/kup, or pollRep after a pollReq).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Enrolling {
    exchange: Exchange,
    reply: Reply,
    cert_req_id: i64,
    /// DER SPKI of the key being certified.
    public_key: Vec<u8>,
    implicit_confirm: bool,
    /// pollReq messages sent so far; the last message was a pollReq when > 0.
    polls: u32,
    /// A popdecc challenge was answered (only one is accepted).
    answered: bool,
}

/// What an enrollment response leads to.
#[derive(Debug)]
#[allow(clippy::large_enum_variant, reason = "returned once per response")]
pub enum EnrollStep {
    /// Status `waiting` or a pollRep: wait [`Polling::check_after`] seconds, then send
    /// [`Polling::request`].
    Poll(Polling),
    /// A certificate: check it, then [`Issued::accept`] or [`Issued::reject`] it (certConf).
    Issued(Issued),
    /// A certificate under granted implicit confirmation: the transaction is over.
    Done(Enrolled),
    /// The server challenged us (popdecc, direct POP): send `popdecr` and handle the response
    /// with `next`.
    Answer {
        /// The popdecr.
        popdecr: Vec<u8>,
        /// Waiting for the ip/cp/kup.
        next: Enrolling,
    },
}

/// A pending enrollment: the server asked us to poll.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Polling {
    enrolling: Enrolling,
    check_after: u64,
}

/// A received certificate waiting for our certConf.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Issued {
    enrolling: Enrolling,
    enrolled: Enrolled,
    /// Why the engine itself must reject the certificate (e.g. it certifies another key).
    problem: Option<ClientError>,
}

/// Our certConf was sent; waiting for the pkiConf.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Confirming {
    exchange: Exchange,
    outcome: Result<Enrolled, ClientError>,
}

/// A completed enrollment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Enrolled {
    /// The new certificate.
    pub certificate: Certificate,
    /// `accepted` or `grantedWithMods` (or a warning status that still carries a certificate).
    pub status: PkiStatus,
    /// `caPubs` (ip only): CA certificates the server suggests as trust anchors. Installing
    /// them is the caller's decision (RFC 9483 §4.1.1 requires an authenticated channel).
    pub ca_pubs: Vec<Certificate>,
    /// `extraCerts` of the response (e.g. the issuing chain).
    pub extra_certs: Vec<Certificate>,
    /// The server granted implicit confirmation (no certConf was sent).
    pub implicitly_confirmed: bool,
}

impl<'a> Client<'a> {
    fn enroll(
        &self,
        body: PkiBody,
        reply: Reply,
        cert_req_id: i64,
        public_key: Vec<u8>,
        pvno: u8,
        now: u64,
    ) -> Result<(Vec<u8>, Enrolling), ClientError> {
        let mut exchange = self.start(pvno)?;
        let implicit_confirm = self.config.implicit_confirm;
        let mut general_info = self.profile_info()?;
        if implicit_confirm {
            general_info.push(
                InfoTypeAndValue::from_typed(&InfoValue::ImplicitConfirm).map_err(|_| {
                    ClientError::Encoding {
                        what: "implicitConfirm",
                    }
                })?,
            );
        }
        let bytes = self.message(&mut exchange, pvno, body, general_info, now)?;
        Ok((
            bytes,
            Enrolling {
                exchange,
                reply,
                cert_req_id,
                public_key,
                implicit_confirm,
                polls: 0,
                answered: false,
            },
        ))
    }

    fn crmf(
        &self,
        request: &CertificateRequest<'_>,
        old_cert: Option<&Certificate>,
        reply: Reply,
        wrap: fn(NonEmpty<CertReqMsg>) -> PkiBody,
        now: u64,
    ) -> Result<(Vec<u8>, Enrolling), ClientError> {
        let msg = request.cert_req_msg(&self.config.sender, old_cert)?;
        let spki = request
            .public_key
            .to_der()
            .map_err(|_| ClientError::Encoding { what: "publicKey" })?;
        // An encrypted certificate comes back in EnvelopedData, which is cmp2021 syntax
        // (RFC 9810 §5.2.2, §7).
        // The challenge's encryptedRand too (§5.2.8.3.3).
        let pvno = match request.popo {
            Popo::KeyEncipherment(_) | Popo::KeyAgreement(_) => pvno::CMP2021,
            _ => pvno::CMP2000,
        };
        let id = msg.cert_req.cert_req_id;
        self.enroll(wrap(NonEmpty::one(msg)), reply, id, spki, pvno, now)
    }

    /// Starts an initial registration (ir → ip; RFC 9483 §4.1.1).
    pub fn ir(
        &self,
        request: &CertificateRequest<'_>,
        now: u64,
    ) -> Result<(Vec<u8>, Enrolling), ClientError> {
        self.crmf(request, None, Reply::Ip, PkiBody::Ir, now)
    }

    /// Starts a certification request (cr → cp; RFC 9483 §4.1.2).
    pub fn cr(
        &self,
        request: &CertificateRequest<'_>,
        now: u64,
    ) -> Result<(Vec<u8>, Enrolling), ClientError> {
        self.crmf(request, None, Reply::Cp, PkiBody::Cr, now)
    }

    /// Starts a key update of `old_cert` (kur → kup; RFC 9483 §4.1.3): the request carries
    /// the `oldCertID` control; protect it with the current key and certificate.
    pub fn kur(
        &self,
        request: &CertificateRequest<'_>,
        old_cert: &Certificate,
        now: u64,
    ) -> Result<(Vec<u8>, Enrolling), ClientError> {
        self.crmf(request, Some(old_cert), Reply::Kup, PkiBody::Kur, now)
    }

    /// Starts a PKCS#10 certification request (p10cr → cp; RFC 9483 §4.1.4). The response's
    /// certReqId is -1 (RFC 9810 §5.3.4). Build the CSR with
    /// [`signet_crmf::sign_pkcs10`] or bring one.
    pub fn p10cr(&self, csr: &CertReq, now: u64) -> Result<(Vec<u8>, Enrolling), ClientError> {
        let spki = csr
            .info
            .public_key
            .to_der()
            .map_err(|_| ClientError::Encoding { what: "publicKey" })?;
        self.enroll(
            PkiBody::P10cr(csr.clone()),
            Reply::Cp,
            -1,
            spki,
            pvno::CMP2000,
            now,
        )
    }
}

impl Enrolling {
    /// The transactionID.
    pub fn transaction_id(&self) -> &[u8] {
        &self.exchange.transaction_id
    }

    /// Takes the response to our request or pollReq.
    pub fn handle(
        mut self,
        client: &Client<'_>,
        response: &[u8],
        now: u64,
    ) -> Result<EnrollStep, ClientError> {
        let decoded = client.accept(&mut self.exchange, response, now)?;
        let granted = decoded
            .message
            .header
            .general_info
            .iter()
            .flatten()
            .any(|i| matches!(i.typed(), Ok(InfoValue::ImplicitConfirm)));
        let extra_certs = certs(decoded.message.extra_certs.as_ref());
        let server = decoded.message.header.sender.clone();
        let body = decoded.message.body;
        if let PkiBody::Popdecc(challenges) = &body {
            return self.answer(client, challenges, &server, now);
        }
        if let PkiBody::PollRep(entries) = &body {
            if self.polls == 0 {
                return Err(ClientError::UnexpectedBody {
                    expected: self.reply.name(),
                    received: "pollRep",
                });
            }
            let entry = match entries.as_slice() {
                [e] if e.cert_req_id == self.cert_req_id => e,
                [e] => {
                    return Err(ClientError::CertReqIdMismatch {
                        expected: self.cert_req_id,
                        received: e.cert_req_id,
                    });
                }
                _ => {
                    return Err(ClientError::MalformedResponse {
                        what: "pollRep must answer our one request",
                    });
                }
            };
            let max = client.config.max_check_after.as_secs();
            let check_after = u64::try_from(entry.check_after)
                .ok()
                .filter(|s| *s <= max)
                .ok_or(ClientError::CheckAfterOutOfRange {
                    seconds: entry.check_after,
                })?;
            return Ok(EnrollStep::Poll(Polling {
                enrolling: self,
                check_after,
            }));
        }
        let rep = self
            .reply
            .take(body)
            .map_err(|received| ClientError::UnexpectedBody {
                expected: self.reply.name(),
                received,
            })?;
        let response = match rep.response.as_slice() {
            [r] if r.cert_req_id == self.cert_req_id => r,
            [r] => {
                return Err(ClientError::CertReqIdMismatch {
                    expected: self.cert_req_id,
                    received: r.cert_req_id,
                });
            }
            _ => {
                return Err(ClientError::MalformedResponse {
                    what: "CertRepMessage must answer our one request",
                });
            }
        };
        match response.status.status {
            PkiStatus::Waiting => {
                return Ok(EnrollStep::Poll(Polling {
                    enrolling: self,
                    check_after: 0,
                }));
            }
            PkiStatus::Rejection => {
                return Err(ClientError::Refused(Refusal::from_status(
                    self.reply.name(),
                    &response.status,
                )));
            }
            _ => {}
        }
        let pair = response
            .certified_key_pair
            .as_ref()
            .ok_or(ClientError::MalformedResponse {
                what: "positive status without a certificate",
            })?;
        let certificate = match &pair.cert_or_enc_cert {
            CertOrEncCert::Certificate(c) => c.clone(),
            CertOrEncCert::EncryptedCert(encrypted) => decrypt_certificate(client, encrypted)?,
        };
        let problem =
            (!certifies(&certificate, &self.public_key)).then_some(ClientError::KeyMismatch);
        let enrolled = Enrolled {
            certificate,
            status: response.status.status,
            ca_pubs: certs(rep.ca_pubs.as_ref()),
            extra_certs,
            implicitly_confirmed: false,
        };
        if self.implicit_confirm && granted {
            // The server closed the transaction: no certConf can reject a wrong certificate,
            // so it is refused here (the caller should ask for its revocation).
            if let Some(problem) = problem {
                return Err(problem);
            }
            return Ok(EnrollStep::Done(Enrolled {
                implicitly_confirmed: true,
                ..enrolled
            }));
        }
        Ok(EnrollStep::Issued(Issued {
            enrolling: self,
            enrolled,
            problem,
        }))
    }
}

impl Enrolling {
    /// Answers a popdecc (RFC 9810 §5.2.8.3.3): decrypts our one challenge with the new key,
    /// checks it names the server that sent it, and returns its integer in a popdecr.
    fn answer(
        mut self,
        client: &Client<'_>,
        challenges: &[signet_asn1_types::cmp::Challenge],
        server: &GeneralName,
        now: u64,
    ) -> Result<EnrollStep, ClientError> {
        if self.answered || self.polls > 0 {
            return Err(ClientError::UnexpectedBody {
                expected: self.reply.name(),
                received: "popdecc",
            });
        }
        let opener = client.decryption.as_ref().ok_or(ClientError::Decrypt(
            signet_crmf::Error::UnsupportedPopMethod,
        ))?;
        let [challenge] = challenges else {
            return Err(ClientError::MalformedResponse {
                what: "popdecc must challenge our one request",
            });
        };
        let int = signet_crmf::envelope::answer_challenge(challenge, server, opener)
            .map_err(ClientError::Decrypt)?;
        self.answered = true;
        let pvno = self.exchange.pvno;
        let popdecr = client.message(
            &mut self.exchange,
            pvno,
            PkiBody::Popdecr(vec![int]),
            vec![],
            now,
        )?;
        Ok(EnrollStep::Answer {
            popdecr,
            next: self,
        })
    }
}

/// Decrypts the certificate of indirect POP with the client's decryption key.
fn decrypt_certificate(
    client: &Client<'_>,
    encrypted: &signet_asn1_types::crmf::EncryptedKey,
) -> Result<Certificate, ClientError> {
    use signet_asn1_types::crmf::EncryptedKey;
    let opener = client.decryption.as_ref().ok_or(ClientError::Decrypt(
        signet_crmf::Error::UnsupportedPopMethod,
    ))?;
    let der = match encrypted {
        EncryptedKey::EnvelopedData(env) => signet_crmf::envelope::open(env, opener),
        EncryptedKey::EncryptedValue(ev) => signet_crmf::envelope::open_encrypted_value(ev, opener),
    }
    .map_err(ClientError::Decrypt)?;
    Certificate::from_der(&der).map_err(|_| ClientError::MalformedResponse {
        what: "decrypted certificate",
    })
}

impl Polling {
    /// Seconds the server asked us to wait before the next pollReq (0 after `waiting`).
    pub fn check_after(&self) -> u64 {
        self.check_after
    }

    /// The transactionID.
    pub fn transaction_id(&self) -> &[u8] {
        self.enrolling.transaction_id()
    }

    /// Builds the pollReq (RFC 9810 §5.3.22) for our request.
    pub fn request(
        self,
        client: &Client<'_>,
        now: u64,
    ) -> Result<(Vec<u8>, Enrolling), ClientError> {
        let mut enrolling = self.enrolling;
        if enrolling.polls >= client.config.max_polls {
            return Err(ClientError::TooManyPolls {
                polls: enrolling.polls,
            });
        }
        enrolling.polls += 1;
        let body = PkiBody::PollReq(vec![PollReqEntry {
            cert_req_id: enrolling.cert_req_id,
        }]);
        let pvno = enrolling.exchange.pvno;
        let bytes = client.message(&mut enrolling.exchange, pvno, body, vec![], now)?;
        Ok((bytes, enrolling))
    }
}

impl Issued {
    /// The received certificate and what came with it.
    pub fn enrolled(&self) -> &Enrolled {
        &self.enrolled
    }

    /// Why the engine will reject the certificate whatever the caller decides (it does not
    /// certify the requested key), if so.
    pub fn problem(&self) -> Option<&ClientError> {
        self.problem.as_ref()
    }

    /// Accepts the certificate: the certConf with its certHash (RFC 9810 §5.3.18). If the
    /// engine found a [`problem`](Self::problem), the certConf rejects it instead and the
    /// transaction ends with that error after the pkiConf.
    pub fn accept(
        self,
        client: &Client<'_>,
        now: u64,
    ) -> Result<(Vec<u8>, Confirming), ClientError> {
        match self.problem.clone() {
            Some(problem) => {
                let text = problem.to_string();
                self.confirm(client, Err((problem.failure_bit(), text, problem)), now)
            }
            None => self.confirm(client, Ok(()), now),
        }
    }

    /// Rejects the certificate (e.g. it does not chain to our trust anchor): the certConf
    /// carries status `rejection` with `bit` and `text`; the server is to revoke it.
    pub fn reject(
        self,
        client: &Client<'_>,
        bit: PkiFailureBit,
        text: &str,
        now: u64,
    ) -> Result<(Vec<u8>, Confirming), ClientError> {
        let error = ClientError::CertificateRejected {
            bit,
            text: text.to_owned(),
        };
        self.confirm(client, Err((bit, text.to_owned(), error)), now)
    }

    fn confirm(
        self,
        client: &Client<'_>,
        decision: Result<(), (PkiFailureBit, String, ClientError)>,
        now: u64,
    ) -> Result<(Vec<u8>, Confirming), ClientError> {
        let cert_der = self
            .enrolled
            .certificate
            .to_der()
            .map_err(|_| ClientError::Encoding {
                what: "certificate",
            })?;
        // The digest the signature algorithm implies; otherwise SHA-256 named in hashAlg,
        // which needs pvno 3 (RFC 9810 §5.3.18).
        let (digest, hash_alg, pvno) = match certhash::implied_digest(&self.enrolled.certificate) {
            Ok(d) => (d, None, self.enrolling.exchange.pvno),
            Err(certhash::CertHashError::NoImpliedHash) => {
                let d = signet_asn1_types::algorithm::DigestAlgorithm::Sha256;
                (d, Some(d.to_algorithm_identifier()), pvno::CMP2021)
            }
            Err(e) => return Err(ClientError::CertHash(e)),
        };
        let hash = certhash::digest(digest, &cert_der).map_err(ClientError::CertHash)?;
        let (status_info, outcome) = match decision {
            Ok(()) => (
                PkiStatusInfo {
                    status: PkiStatus::Accepted,
                    status_string: None,
                    fail_info: None,
                },
                Ok(self.enrolled),
            ),
            Err((bit, text, error)) => (
                PkiStatusInfo {
                    status: PkiStatus::Rejection,
                    status_string: NonEmpty::new(vec![text]),
                    fail_info: PkiFailureInfo::from_bit(bit).to_bit_string().ok(),
                },
                Err(error),
            ),
        };
        let content: CertConfirmContent = vec![CertStatus {
            cert_hash: OctetString::new(hash)
                .map_err(|_| ClientError::Encoding { what: "certHash" })?,
            cert_req_id: self.enrolling.cert_req_id,
            status_info: Some(status_info),
            hash_alg,
        }];
        let mut exchange = self.enrolling.exchange;
        let bytes = client.message(&mut exchange, pvno, PkiBody::CertConf(content), vec![], now)?;
        Ok((bytes, Confirming { exchange, outcome }))
    }
}

impl Confirming {
    /// The transactionID.
    pub fn transaction_id(&self) -> &[u8] {
        &self.exchange.transaction_id
    }

    /// Takes the pkiConf. Returns the enrollment, or why we rejected the certificate.
    pub fn handle(
        mut self,
        client: &Client<'_>,
        response: &[u8],
        now: u64,
    ) -> Result<Enrolled, ClientError> {
        let decoded = client.accept(&mut self.exchange, response, now)?;
        match decoded.message.body {
            PkiBody::Pkiconf(_) => self.outcome,
            other => Err(ClientError::UnexpectedBody {
                expected: "pkiconf",
                received: other.name(),
            }),
        }
    }
}
