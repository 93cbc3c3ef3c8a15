//! Test support: a throwaway C2PA PKI made with `signet-ca-signer`, and an in-process CMP
//! server built on the engine's steps (bytes in, bytes out), shared by the loopback tests with
//! the real `openssl cmp` client and the tests of our own client.

use std::convert::Infallible;
use std::sync::Mutex;
use std::time::{Duration, SystemTime};

use signet_asn1_types::cmp::{PkiBody, PkiFailureBit, PkiStatus};
use signet_asn1_types::crmf::CertTemplate;
use signet_asn1_types::crypto::{SignatureAlgorithm as Alg, Signer};
use signet_asn1_types::der::{DateTime, Decode, Encode};
use signet_asn1_types::spki::SubjectPublicKeyInfoOwned;
use signet_asn1_types::strict::Limits;
use signet_asn1_types::x509_cert::Certificate;
use signet_asn1_types::x509_cert::ext::pkix::SubjectKeyIdentifier;
use signet_asn1_types::x509_cert::ext::pkix::name::GeneralName;
use signet_ca_signer::profile::Profile;
use signet_ca_signer::profile::builtin::{self, AssuranceLevel, CmpRole};
use signet_ca_signer::{IssuanceRequest, Issuer, IssuerUrls, Serial, prepare, sign};
use signet_cmp_protocol::client::drive::Transport;
use signet_cmp_protocol::general::{self, Answer, GeneralRequest, KeySpec};
use signet_cmp_protocol::protection::{ProtectionPolicy, pbm_algorithm};
use signet_cmp_protocol::server::{
    AfterPoll, Authenticated, AwaitingConfirm, ChallengeFailure, Challenged, ConfirmOutcome,
    Credential, Decision, Enrollment, Pending, Rejection, Responder, ResponseKey, ServerConfig,
    TransactionLog, receive,
};
use signet_crmf::Pop;
use signet_crmf::envelope::Sealer;
use signet_crypto::{Encryption, KeyPairSigner, KeyType, SystemRng, Verifier, generate_pkcs8};

pub(crate) const SECRET: &str = "1234-5678-9abc";
pub(crate) const REF: &str = "3078";
pub(crate) const CPL: &str = "0b6d3f3e-5c1a-4f7e-8d2b-9a4c6e1f2a3b";

pub(crate) fn now_secs() -> u64 {
    SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

pub(crate) fn now_dt() -> DateTime {
    DateTime::from_unix_duration(Duration::from_secs(now_secs())).unwrap()
}

pub(crate) struct Issued {
    pub(crate) key: KeyPairSigner,
    pub(crate) cert: Certificate,
}

pub(crate) fn key(t: KeyType, a: Alg) -> KeyPairSigner {
    KeyPairSigner::from_pkcs8(a, &generate_pkcs8(t).unwrap()).unwrap()
}

pub(crate) fn urls(label: &str) -> IssuerUrls {
    IssuerUrls {
        ocsp: vec![format!("http://ocsp.signet.example/{label}")],
        ca_issuers: vec![format!("http://pki.signet.example/{label}.cer")],
        crl: vec![format!("http://pki.signet.example/{label}.crl")],
    }
}

pub(crate) fn issue_for(
    subject: &str,
    spki: SubjectPublicKeyInfoOwned,
    profile: &Profile,
    parent: Option<(&Issued, &str)>,
    signer: Option<&KeyPairSigner>,
    cpl: Option<&str>,
) -> Certificate {
    let mut req = IssuanceRequest::new(subject.parse().unwrap(), spki);
    req.cpl_record = cpl.map(str::to_owned);
    let serial = Serial::generate(&SystemRng::new()).unwrap();
    match parent {
        None => {
            let s = signer.unwrap();
            let tbs = prepare(
                &req,
                profile,
                &Issuer::self_signed(s.algorithm()),
                now_dt(),
                &serial,
            )
            .unwrap();
            sign(tbs, s).unwrap()
        }
        Some((p, label)) => {
            let issuer = Issuer::from_certificate(&p.cert, p.key.algorithm(), urls(label)).unwrap();
            let tbs = prepare(&req, profile, &issuer, now_dt(), &serial)
                .unwrap_or_else(|e| panic!("{subject}: {e}"));
            sign(tbs, &p.key).unwrap()
        }
    }
}

pub(crate) fn issued(
    subject: &str,
    k: KeyPairSigner,
    profile: &Profile,
    parent: Option<(&Issued, &str)>,
) -> Issued {
    let spki = SubjectPublicKeyInfoOwned::from_der(k.public_key_der()).unwrap();
    let cert = issue_for(subject, spki, profile, parent, Some(&k), None);
    Issued { key: k, cert }
}

pub(crate) struct Pki {
    pub(crate) root: Issued,
    pub(crate) intermediate: Issued,
    pub(crate) claim_ca: Issued,
    pub(crate) cmp: Issued,
}

pub(crate) fn pki() -> Pki {
    let root = issued(
        "CN=Signet Test Root,O=Signet,C=US",
        key(KeyType::EcdsaP384, Alg::EcdsaP384Sha384Asn1),
        &builtin::root_ca(),
        None,
    );
    let intermediate = issued(
        "CN=Signet Test Intermediate,O=Signet,C=US",
        key(KeyType::EcdsaP384, Alg::EcdsaP384Sha384Asn1),
        &builtin::intermediate_ca(),
        Some((&root, "root")),
    );
    let claim_ca = issued(
        "CN=Signet Claim Signing CA,O=Signet,C=US",
        key(KeyType::EcdsaP384, Alg::EcdsaP384Sha384Asn1),
        &builtin::claim_signing_issuing_ca(),
        Some((&intermediate, "intermediate")),
    );
    let cmp = issued(
        "CN=Signet CMP CA,O=Signet,C=US",
        key(KeyType::EcdsaP256, Alg::EcdsaP256Sha256Asn1),
        &builtin::cmp_protection(CmpRole::Ca),
        Some((&claim_ca, "claim-ca")),
    );
    Pki {
        root,
        intermediate,
        claim_ca,
        cmp,
    }
}

pub(crate) fn pem(der: &[u8], label: &str) -> String {
    signet_asn1_types::der::pem::encode_string(
        label,
        signet_asn1_types::der::pem::LineEnding::LF,
        der,
    )
    .unwrap()
}

pub(crate) fn ski(cert: &Certificate) -> Vec<u8> {
    cert.tbs_certificate()
        .get_extension::<SubjectKeyIdentifier>()
        .unwrap()
        .unwrap()
        .1
        .0
        .as_bytes()
        .to_vec()
}

/// What the server saw, for assertions.
#[derive(Default)]
pub(crate) struct Log {
    pub(crate) rejections: Vec<Rejection>,
    pub(crate) confirmed: Vec<ConfirmOutcome>,
    pub(crate) bodies: Vec<String>,
}

#[derive(Default)]
pub(crate) struct Seen(pub(crate) std::collections::HashSet<Vec<u8>>);

impl TransactionLog for Seen {
    fn insert_if_new(&mut self, tid: &[u8]) -> bool {
        self.0.insert(tid.to_vec())
    }
}

pub(crate) struct Server {
    /// Manual approval: enrollments wait; the first poll is answered "check after 1 s", the
    /// second issues.
    pub(crate) manual: bool,
    /// Issue certificates for a freshly generated key instead of the requested one (a
    /// misbehaving CA: the client must reject the certificate in its certConf).
    pub(crate) wrong_key: bool,
    pub(crate) pending: Mutex<Option<Pending>>,
    pub(crate) challenged: Mutex<Option<Challenged>>,
    pub(crate) polls: Mutex<u32>,
    pub(crate) seen: Mutex<Seen>,
    pub(crate) revoked: Mutex<Vec<Vec<u8>>>,
    pub(crate) pki: Pki,
    pub(crate) config: ServerConfig,
    pub(crate) awaiting: Mutex<Option<AwaitingConfirm>>,
    pub(crate) log: Mutex<Log>,
    pub(crate) client_certs: Mutex<Vec<Certificate>>,
}

/// `c2pa-kp-claimSigning` (C2PA 2.2 §14.5.2).
pub(crate) const C2PA_KP_CLAIM_SIGNING: &str = "1.3.6.1.4.1.62558.2.1";
/// `id-kp-documentSigning` (RFC 9336).
pub(crate) const ID_KP_DOCUMENT_SIGNING: &str = "1.3.6.1.5.5.7.3.36";

/// The certReqTemplate this test server offers: a C2PA claim-signing certificate — key usage
/// digitalSignature (critical), EKU c2pa-kp-claimSigning and id-kp-documentSigning — for a
/// subject in O=Example Inc, C=US; keys P-256, P-384, Ed25519 or RSA-3072.
pub(crate) fn c2pa_template() -> (CertTemplate, Vec<KeySpec>) {
    use signet_asn1_types::der::asn1::OctetString;
    use signet_asn1_types::x509_cert::ext::Extension;
    use signet_asn1_types::x509_cert::ext::pkix::{ExtendedKeyUsage, KeyUsage, KeyUsages};
    let ku = KeyUsage(KeyUsages::DigitalSignature.into());
    let eku = ExtendedKeyUsage(vec![
        C2PA_KP_CLAIM_SIGNING.parse().unwrap(),
        ID_KP_DOCUMENT_SIGNING.parse().unwrap(),
    ]);
    let extensions = vec![
        Extension {
            extn_id: "2.5.29.15".parse().unwrap(),
            critical: true,
            extn_value: OctetString::new(ku.to_der().unwrap()).unwrap(),
        },
        Extension {
            extn_id: "2.5.29.37".parse().unwrap(),
            critical: false,
            extn_value: OctetString::new(eku.to_der().unwrap()).unwrap(),
        },
    ];
    let template = CertTemplate {
        subject: Some("O=Example Inc,C=US".parse().unwrap()),
        extensions: Some(extensions),
        ..CertTemplate::default()
    };
    let specs = vec![
        KeySpec::ec("1.2.840.10045.3.1.7".parse().unwrap()),
        KeySpec::ec("1.3.132.0.34".parse().unwrap()),
        KeySpec::ed25519(),
        KeySpec::RsaBits(3072),
    ];
    (template, specs)
}

/// The CMP server's name.
pub(crate) const SERVER_DN: &str = "CN=Signet CMP CA,O=Signet,C=US";

impl Server {
    /// A server over a fresh PKI; `manual`: enrollments wait for approval (polling).
    pub(crate) fn new(manual: bool) -> Self {
        let pki = pki();
        let config = ServerConfig {
            name: GeneralName::DirectoryName(SERVER_DN.parse().unwrap()),
            limits: Limits::default(),
            protection: ProtectionPolicy::default(),
            max_clock_skew: Duration::from_secs(300),
            confirm_wait: Duration::from_secs(300),
            grant_implicit_confirm: true,
            recipients: vec![GeneralName::DirectoryName(
                pki.claim_ca.cert.tbs_certificate().subject().clone(),
            )],
        };
        Self {
            manual,
            wrong_key: false,
            pending: Mutex::new(None),
            challenged: Mutex::new(None),
            polls: Mutex::new(0),
            seen: Mutex::new(Seen::default()),
            revoked: Mutex::new(vec![]),
            pki,
            config,
            awaiting: Mutex::new(None),
            log: Mutex::new(Log::default()),
            client_certs: Mutex::new(vec![]),
        }
    }

    /// This test server's answer to one genm request.
    fn answer(&self, request: &GeneralRequest) -> Answer {
        match request {
            GeneralRequest::CaCerts => Answer::CaCerts(vec![self.pki.root.cert.clone()]),
            // No root key update is planned.
            GeneralRequest::RootCaKeyUpdate { .. } => Answer::RootCaKeyUpdate(None),
            GeneralRequest::CertReqTemplate => Answer::CertReqTemplate(Some(c2pa_template())),
            // The client has the latest CRL (this server issues none newer).
            GeneralRequest::CrlUpdate(_) => Answer::Crls(vec![]),
            other => Answer::unsupported(other),
        }
    }

    /// Issues for `enrollment` and answers `incoming` (the request, or the popdecr of a
    /// challenged one), encrypting the certificate under indirect POP.
    fn issue_now(
        &self,
        responder: &Responder<'_>,
        incoming: &Authenticated,
        enrollment: &Enrollment,
        sealer: &Sealer<'_>,
    ) -> Vec<u8> {
        let req = &enrollment.request;
        let subject = req.subject.as_ref().unwrap().to_string();
        let public_key = if self.wrong_key {
            let other = key(KeyType::EcdsaP256, Alg::EcdsaP256Sha256Asn1);
            SubjectPublicKeyInfoOwned::from_der(other.public_key_der()).unwrap()
        } else {
            req.public_key.clone()
        };
        let cert = issue_for(
            &subject,
            public_key,
            &builtin::claim_signing_leaf(AssuranceLevel::Level1),
            Some((&self.pki.claim_ca, "claim-ca")),
            None,
            Some(CPL),
        );
        self.client_certs.lock().unwrap().push(cert.clone());
        let (bytes, awaiting) = responder
            .issued_encrypted(
                incoming,
                enrollment,
                &cert,
                std::slice::from_ref(&self.pki.root.cert),
                PkiStatus::Accepted,
                sealer,
            )
            .unwrap();
        *self.awaiting.lock().unwrap() = awaiting;
        bytes
    }

    pub(crate) fn handle(&self, body: &[u8]) -> Vec<u8> {
        let now = now_secs();
        let rng = SystemRng::new();
        let sealer = Sealer {
            encryption: &Encryption,
            rng: &rng,
        };
        let mac_key = || ResponseKey::Mac {
            secret: SECRET.as_bytes(),
            algorithm: pbm_algorithm(&[7u8; 16], 500).unwrap(),
        };
        let sig_key = || ResponseKey::Signature {
            signer: &self.pki.cmp.key,
            key_id: ski(&self.pki.cmp.cert),
            certs: vec![self.pki.cmp.cert.clone()],
        };
        let chain = vec![
            self.pki.claim_ca.cert.clone(),
            self.pki.intermediate.cert.clone(),
        ];
        let incoming = match receive(body, &self.config, now) {
            Ok(i) => i,
            Err(r) => {
                self.log.lock().unwrap().rejections.push(r.clone());
                let responder = Responder {
                    config: &self.config,
                    key: sig_key(),
                    rng: &rng,
                    now,
                    extra_certs: &[],
                };
                return responder.error(&r).unwrap();
            }
        };
        self.log
            .lock()
            .unwrap()
            .bodies
            .push(incoming.body().name().to_owned());
        // Credential: MAC by reference number, or a signature by a certificate we issued.
        let is_mac = !matches!(
            incoming.protection(),
            Ok(signet_cmp_protocol::protection::ProtectionKind::Signature(
                _
            ))
        );
        let response_key = if is_mac { mac_key() } else { sig_key() };
        let responder = Responder {
            config: &self.config,
            key: response_key,
            rng: &rng,
            now,
            extra_certs: &chain,
        };
        let fail = |r: Rejection| {
            self.log.lock().unwrap().rejections.push(r.clone());
            responder.error(&r).unwrap()
        };
        let auth = if is_mac {
            match incoming.mac_reference() {
                Ok(r) if r == REF.as_bytes() => {}
                Ok(_) => {
                    return fail(
                        incoming.reject(PkiFailureBit::BadMessageCheck, "unknown senderKID"),
                    );
                }
                Err(r) => return fail(r),
            }
            incoming.authenticate(Credential::Mac(SECRET.as_bytes()), &self.config, &Verifier)
        } else {
            let certs = self.client_certs.lock().unwrap().clone();
            let extra = incoming.extra_certs().first().cloned();
            match extra.filter(|c| certs.contains(c)) {
                Some(c) => {
                    incoming.authenticate(Credential::Signature(&c), &self.config, &Verifier)
                }
                None => Err(incoming.reject(
                    PkiFailureBit::SignerNotTrusted,
                    "signer certificate not issued here",
                )),
            }
        };
        let incoming = match auth {
            Ok(a) => a,
            Err(r) => return fail(r),
        };
        if let Err(r) = incoming.begin(&mut *self.seen.lock().unwrap()) {
            return fail(r);
        }
        match incoming.body() {
            PkiBody::Ir(_) | PkiBody::Cr(_) | PkiBody::Kur(_) | PkiBody::P10cr(_) => {
                let enrollment = match incoming.enrollment_with(false, &Verifier, Some(&Encryption))
                {
                    Ok(e) => e,
                    Err(r) => {
                        self.log.lock().unwrap().rejections.push(r.clone());
                        return responder
                            .refused(&incoming, incoming.cert_req_id(), &r)
                            .unwrap();
                    }
                };
                if self.manual {
                    let (bytes, pending) = responder.waiting(&incoming, &enrollment).unwrap();
                    *self.pending.lock().unwrap() = Some(pending);
                    return bytes;
                }
                if enrollment.pop == Pop::Challenge {
                    let (bytes, challenged) =
                        match responder.challenge(&incoming, &enrollment, &sealer) {
                            Ok(c) => c,
                            Err(r) => return fail(r),
                        };
                    *self.challenged.lock().unwrap() = Some(challenged);
                    return bytes;
                }
                self.issue_now(&responder, &incoming, &enrollment, &sealer)
            }
            PkiBody::Popdecr(_) => {
                let Some(challenged) = self.challenged.lock().unwrap().take() else {
                    return fail(incoming.reject(PkiFailureBit::BadRequest, "no challenge open"));
                };
                match responder.challenge_response(&incoming, challenged) {
                    Ok(enrollment) => self.issue_now(&responder, &incoming, &enrollment, &sealer),
                    Err(ChallengeFailure::NotOurs(e)) => {
                        let e = *e;
                        *self.challenged.lock().unwrap() = Some(e.state);
                        fail(e.rejection)
                    }
                    Err(ChallengeFailure::Failed(r)) => fail(r),
                }
            }
            PkiBody::CertConf(_) => {
                let Some(a) = self.awaiting.lock().unwrap().take() else {
                    return fail(incoming.reject(
                        PkiFailureBit::BadRequest,
                        "no transaction awaiting confirmation",
                    ));
                };
                match responder.confirm(&incoming, a) {
                    Ok((bytes, outcome)) => {
                        self.log.lock().unwrap().confirmed.push(outcome);
                        bytes
                    }
                    Err(e) => {
                        let e = *e;
                        *self.awaiting.lock().unwrap() = Some(e.state);
                        fail(e.rejection)
                    }
                }
            }
            PkiBody::PollReq(_) => {
                let Some(pending) = self.pending.lock().unwrap().take() else {
                    return fail(incoming.reject(PkiFailureBit::BadRequest, "nothing pending"));
                };
                let polls = {
                    let mut p = self.polls.lock().unwrap();
                    *p += 1;
                    *p
                };
                let cert;
                let decision = if polls == 1 {
                    Decision::Undecided { check_after: 1 }
                } else {
                    let req = &pending.enrollment.request;
                    cert = issue_for(
                        &req.subject.as_ref().unwrap().to_string(),
                        req.public_key.clone(),
                        &builtin::claim_signing_leaf(AssuranceLevel::Level1),
                        Some((&self.pki.claim_ca, "claim-ca")),
                        None,
                        Some(CPL),
                    );
                    Decision::Issued {
                        certificate: &cert,
                        ca_pubs: std::slice::from_ref(&self.pki.root.cert),
                    }
                };
                match responder.poll_encrypted(&incoming, pending, decision, &sealer) {
                    Ok((bytes, AfterPoll::Pending(p))) => {
                        *self.pending.lock().unwrap() = Some(p);
                        bytes
                    }
                    Ok((bytes, AfterPoll::Issued(awaiting))) => {
                        *self.awaiting.lock().unwrap() = awaiting;
                        bytes
                    }
                    Ok((bytes, AfterPoll::Refused)) => bytes,
                    Err(e) => {
                        let e = *e;
                        *self.pending.lock().unwrap() = Some(e.state);
                        fail(e.rejection)
                    }
                }
            }
            PkiBody::Rr(_) => {
                let details = incoming.revocation().unwrap();
                let issued = self.client_certs.lock().unwrap().clone();
                let mut statuses = Vec::new();
                for d in details {
                    let serial = d
                        .cert_details
                        .serial_number
                        .as_ref()
                        .map(|s| s.as_bytes().to_vec());
                    let known = issued.iter().any(|c| {
                        Some(c.tbs_certificate().serial_number().as_bytes().to_vec()) == serial
                    });
                    let already = serial
                        .as_ref()
                        .is_some_and(|s| self.revoked.lock().unwrap().contains(s));
                    let status = if !known {
                        signet_cmp_protocol::server::status_info(
                            &incoming
                                .reject(PkiFailureBit::BadCertId, "certificate not issued here"),
                        )
                    } else if already {
                        signet_cmp_protocol::server::status_info(
                            &incoming
                                .reject(PkiFailureBit::CertRevoked, "certificate already revoked"),
                        )
                    } else {
                        self.revoked.lock().unwrap().push(serial.clone().unwrap());
                        signet_asn1_types::cmp::PkiStatusInfo {
                            status: PkiStatus::Accepted,
                            status_string: None,
                            fail_info: None,
                        }
                    };
                    statuses.push(status);
                }
                responder.revocation(&incoming, statuses).unwrap()
            }
            PkiBody::Genm(_) => {
                let requests = match incoming.general_requests() {
                    Ok(r) => r,
                    Err(r) => return fail(r),
                };
                let answers = requests.iter().map(|r| self.answer(r)).collect();
                responder
                    .general(&incoming, general::genp(answers).unwrap())
                    .unwrap()
            }
            other => fail(incoming.reject(
                PkiFailureBit::BadRequest,
                format!("{} not handled in this test", other.name()),
            )),
        }
    }
}

/// Hands each request to the in-process server; polls do not sleep (the test server decides
/// on the second poll whatever the time).
pub(crate) struct InProcess<'s> {
    pub(crate) server: &'s Server,
    pub(crate) waits: Vec<u64>,
}

impl Transport for InProcess<'_> {
    type Error = Infallible;

    fn exchange(&mut self, request: &[u8]) -> Result<Vec<u8>, Infallible> {
        Ok(self.server.handle(request))
    }

    fn wait(&mut self, seconds: u64) -> Result<(), Infallible> {
        self.waits.push(seconds);
        Ok(())
    }

    fn now(&self) -> u64 {
        now_secs()
    }
}

pub(crate) fn via(server: &Server) -> InProcess<'_> {
    InProcess {
        server,
        waits: vec![],
    }
}
