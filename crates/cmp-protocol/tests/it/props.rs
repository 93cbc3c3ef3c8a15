//! Property tests: any sequence of messages driven into the server engine — genuine ones from
//! our client in every flow, replays, bit flips, truncations and random bytes — yields either
//! a valid next message or a protocol error, never a panic; and the client engine, fed the
//! server's responses and corruptions of them, yields its next message or a `ClientError`.
//!
//! "Valid" is checked on every response: it decodes strictly, its MAC verifies, it echoes the
//! request's transactionID and senderNonce whenever the request's header could be read, and
//! its body answers the request's (ir → ip/popdecc/error, certConf → pkiconf/error, ...).
//! Every message our client produces decodes strictly and verifies too.

use std::sync::{Mutex, OnceLock};

use proptest::prelude::*;
use signet_asn1_types::cmp::{InfoValue, PkiBody, PkiStatus, PkiStatusInfo};
use signet_asn1_types::crmf::SubsequentMessage;
use signet_asn1_types::crypto::{
    PrivateKeyDecryption, RandomError, SecureRandom, SignatureAlgorithm as Alg, Signer,
};
use signet_asn1_types::der::Decode;
use signet_asn1_types::spki::SubjectPublicKeyInfoOwned;
use signet_asn1_types::strict::{Limits, decode_pki_message};
use signet_asn1_types::x509_cert::Certificate;
use signet_asn1_types::x509_cert::ext::pkix::name::GeneralName;
use signet_cmp_protocol::client::{
    Asking, CertificateRequest, Client, ClientConfig, Confirming, EnrollStep, Enrolling,
    MacAlgorithm, Popo, RequestProtection, RevocationTarget, Revoking,
};
use signet_cmp_protocol::general::{self, Answer, GeneralRequest};
use signet_cmp_protocol::mac::HmacAlgorithm;
use signet_cmp_protocol::protection::{ProtectionPolicy, pbm_algorithm_with, verify_mac};
use signet_cmp_protocol::server::{
    AfterPoll, AwaitingConfirm, ChallengeFailure, Challenged, Credential, Decision, Pending,
    Rejection, Responder, ResponseKey, ServerConfig, TransactionLog, receive,
};
use signet_crmf::Pop;
use signet_crmf::envelope::Sealer;
use signet_crypto::{DecryptionKey, Encryption, KeyPairSigner, KeyType, Verifier, generate_pkcs8};

const SECRET: &[u8] = b"1234-5678-9abc";
const REF: &[u8] = b"3078";
/// A fixed "now" (the vectors' credentials are valid then), advanced by `Tick`.
const NOW: u64 = 1_795_000_000;

/// splitmix64: deterministic randomness, so a failing case replays exactly.
struct SeededRng(Mutex<u64>);

impl SecureRandom for SeededRng {
    fn fill(&self, dest: &mut [u8]) -> Result<(), RandomError> {
        let mut s = self.0.lock().map_err(|_| RandomError)?;
        for chunk in dest.chunks_mut(8) {
            *s = s.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let mut z = *s;
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            z ^= z >> 31;
            chunk.copy_from_slice(&z.to_be_bytes()[..chunk.len()]);
        }
        Ok(())
    }
}

/// Keys and a certificate, made once.
struct Fixture {
    signer: KeyPairSigner,
    rsa: DecryptionKey,
    ec: DecryptionKey,
    cert: Certificate,
}

fn fixture() -> &'static Fixture {
    static F: OnceLock<Fixture> = OnceLock::new();
    F.get_or_init(|| {
        let path = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("../../tests/upstream/vectors/cmp/openssl-3.0.19-generated/creds/new.crt");
        let pem = std::fs::read_to_string(path).unwrap();
        let (_, der) = signet_asn1_types::der::pem::decode_vec(pem.as_bytes()).unwrap();
        Fixture {
            signer: KeyPairSigner::from_pkcs8(
                Alg::EcdsaP256Sha256Asn1,
                &generate_pkcs8(KeyType::EcdsaP256).unwrap(),
            )
            .unwrap(),
            rsa: DecryptionKey::from_pkcs8(&generate_pkcs8(KeyType::Rsa2048).unwrap()).unwrap(),
            ec: DecryptionKey::from_pkcs8(&generate_pkcs8(KeyType::EcdsaP256).unwrap()).unwrap(),
            cert: Certificate::from_der(&der).unwrap(),
        }
    })
}

#[derive(Default)]
struct Seen(std::collections::HashSet<Vec<u8>>);

impl TransactionLog for Seen {
    fn insert_if_new(&mut self, tid: &[u8]) -> bool {
        self.0.insert(tid.to_vec())
    }
}

/// The server under test: the engine's steps, with the transaction state between messages.
struct Harness {
    config: ServerConfig,
    seen: Seen,
    awaiting: Option<AwaitingConfirm>,
    pending: Option<Pending>,
    challenged: Option<Challenged>,
    manual: bool,
    polls: u32,
}

impl Harness {
    fn new() -> Self {
        Self {
            config: ServerConfig {
                name: GeneralName::DirectoryName("CN=Harness".parse().unwrap()),
                limits: Limits::default(),
                protection: ProtectionPolicy::default(),
                max_clock_skew: core::time::Duration::from_secs(300),
                confirm_wait: core::time::Duration::from_secs(120),
                grant_implicit_confirm: true,
                recipients: Vec::new(),
            },
            seen: Seen::default(),
            awaiting: None,
            pending: None,
            challenged: None,
            manual: false,
            polls: 0,
        }
    }

    fn handle(&mut self, bytes: &[u8], now: u64, rng: &dyn SecureRandom) -> Vec<u8> {
        let responder = Responder {
            config: &self.config,
            key: ResponseKey::Mac {
                secret: SECRET,
                algorithm: pbm_algorithm_with(
                    signet_asn1_types::algorithm::DigestAlgorithm::Sha256,
                    HmacAlgorithm::Sha256,
                    &[4; 16],
                    100,
                )
                .unwrap(),
            },
            rng,
            now,
            extra_certs: &[],
        };
        let sealer = Sealer {
            encryption: &Encryption,
            rng,
        };
        let fail = |r: Rejection| responder.error(&r).unwrap();
        let incoming = match receive(bytes, &self.config, now) {
            Ok(i) => i,
            Err(r) => return fail(r),
        };
        let incoming =
            match incoming.mac_reference().map(|_| ()).and_then(|()| {
                incoming.authenticate(Credential::Mac(SECRET), &self.config, &Verifier)
            }) {
                Ok(a) => a,
                Err(r) => return fail(r),
            };
        if let Err(r) = incoming.begin(&mut self.seen) {
            return fail(r);
        }
        match incoming.body() {
            PkiBody::Ir(_) | PkiBody::Cr(_) | PkiBody::Kur(_) | PkiBody::P10cr(_) => {
                let enrollment = match incoming.enrollment_with(false, &Verifier, Some(&Encryption))
                {
                    Ok(e) => e,
                    Err(r) => {
                        return responder
                            .refused(&incoming, incoming.cert_req_id(), &r)
                            .unwrap();
                    }
                };
                if enrollment.pop == Pop::Challenge {
                    return match responder.challenge(&incoming, &enrollment, &sealer) {
                        Ok((b, c)) => {
                            self.challenged = Some(c);
                            b
                        }
                        Err(r) => fail(r),
                    };
                }
                if self.manual {
                    let (b, p) = responder.waiting(&incoming, &enrollment).unwrap();
                    self.pending = Some(p);
                    self.polls = 0;
                    return b;
                }
                let (b, a) = responder
                    .issued_encrypted(
                        &incoming,
                        &enrollment,
                        &fixture().cert,
                        &[],
                        PkiStatus::Accepted,
                        &sealer,
                    )
                    .unwrap();
                self.awaiting = a;
                b
            }
            PkiBody::CertConf(_) => match self.awaiting.take() {
                None => fail(incoming.reject(
                    signet_asn1_types::cmp::PkiFailureBit::BadRequest,
                    "nothing to confirm",
                )),
                Some(a) => match responder.confirm(&incoming, a) {
                    Ok((b, _)) => b,
                    Err(e) => {
                        self.awaiting = Some(e.state);
                        fail(e.rejection)
                    }
                },
            },
            PkiBody::PollReq(_) => match self.pending.take() {
                None => fail(incoming.reject(
                    signet_asn1_types::cmp::PkiFailureBit::BadRequest,
                    "nothing pending",
                )),
                Some(p) => {
                    self.polls += 1;
                    let decision = if self.polls < 2 {
                        Decision::Undecided { check_after: 1 }
                    } else {
                        Decision::Issued {
                            certificate: &fixture().cert,
                            ca_pubs: &[],
                        }
                    };
                    match responder.poll_encrypted(&incoming, p, decision, &sealer) {
                        Ok((b, AfterPoll::Pending(p))) => {
                            self.pending = Some(p);
                            b
                        }
                        Ok((b, AfterPoll::Issued(a))) => {
                            self.awaiting = a;
                            b
                        }
                        Ok((b, _)) => b,
                        Err(e) => {
                            self.pending = Some(e.state);
                            fail(e.rejection)
                        }
                    }
                }
            },
            PkiBody::Popdecr(_) => match self.challenged.take() {
                None => fail(incoming.reject(
                    signet_asn1_types::cmp::PkiFailureBit::BadRequest,
                    "no challenge",
                )),
                Some(c) => match responder.challenge_response(&incoming, c) {
                    Ok(enrollment) => {
                        let (b, a) = responder
                            .issued(
                                &incoming,
                                &enrollment,
                                &fixture().cert,
                                &[],
                                PkiStatus::Accepted,
                            )
                            .unwrap();
                        self.awaiting = a;
                        b
                    }
                    Err(ChallengeFailure::NotOurs(e)) => {
                        self.challenged = Some(e.state);
                        fail(e.rejection)
                    }
                    Err(ChallengeFailure::Failed(r)) => fail(r),
                },
            },
            PkiBody::Rr(_) => {
                let n = incoming.revocation().map(<[_]>::len).unwrap_or(0);
                let ok = PkiStatusInfo {
                    status: PkiStatus::Accepted,
                    status_string: None,
                    fail_info: None,
                };
                match responder.revocation(&incoming, vec![ok; n]) {
                    Ok(b) => b,
                    Err(r) => fail(r),
                }
            }
            PkiBody::Genm(_) => match incoming.general_requests() {
                Ok(reqs) => {
                    let answers = reqs
                        .iter()
                        .map(|r| match r {
                            GeneralRequest::CaCerts => {
                                Answer::CaCerts(vec![fixture().cert.clone()])
                            }
                            other => Answer::unsupported(other),
                        })
                        .collect();
                    responder
                        .general(&incoming, general::genp(answers).unwrap())
                        .unwrap()
                }
                Err(r) => fail(r),
            },
            other => fail(incoming.reject(
                signet_asn1_types::cmp::PkiFailureBit::BadRequest,
                format!("{} not expected", other.name()),
            )),
        }
    }
}

/// The bodies that may answer a request body.
fn allowed(request: &str) -> &'static [&'static str] {
    match request {
        "ir" => &["ip", "popdecc", "error"],
        "cr" | "p10cr" => &["cp", "popdecc", "error"],
        "kur" => &["kup", "popdecc", "error"],
        "certConf" => &["pkiconf", "error"],
        "pollReq" => &["pollRep", "ip", "cp", "kup", "error"],
        "popdecr" => &["ip", "cp", "kup", "error"],
        "rr" => &["rp", "error"],
        "genm" => &["genp", "error"],
        _ => &["error"],
    }
}

/// Checks that `response` is a valid answer to `request`.
fn check_response(request: &[u8], response: &[u8]) -> Result<(), TestCaseError> {
    let rsp = decode_pki_message(response, &Limits::default())
        .map_err(|e| TestCaseError::fail(format!("response does not decode: {e}")))?;
    prop_assert!(
        verify_mac(&rsp, SECRET, &ProtectionPolicy::default()).is_ok(),
        "response not MAC-protected"
    );
    let body = rsp.message.body.name();
    match decode_pki_message(request, &Limits::default()) {
        Ok(req) => {
            let h = &req.message.header;
            prop_assert!(
                allowed(req.message.body.name()).contains(&body),
                "{} answered with {body}",
                req.message.body.name()
            );
            // IDs are echoed whenever the request was read (a pvno or ID failure still
            // echoes what there is).
            prop_assert_eq!(&rsp.message.header.transaction_id, &h.transaction_id);
            prop_assert_eq!(&rsp.message.header.recip_nonce, &h.sender_nonce);
        }
        Err(_) => prop_assert_eq!(body, "error"),
    }
    Ok(())
}

/// Checks a message our client built.
fn check_request(bytes: &[u8]) -> Result<(), TestCaseError> {
    let m = decode_pki_message(bytes, &Limits::default())
        .map_err(|e| TestCaseError::fail(format!("client message does not decode: {e}")))?;
    prop_assert!(verify_mac(&m, SECRET, &ProtectionPolicy::default()).is_ok());
    Ok(())
}

#[derive(Debug, Clone, Copy)]
enum PopoChoice {
    Signature,
    RaVerified,
    Omitted,
    RsaEncrCert,
    RsaChallenge,
    EcEncrCert,
    EcChallenge,
    /// keyEncipherment for an EC key: refused.
    EcKeyEncipherment,
}

#[derive(Debug, Clone)]
enum Action {
    Ir(PopoChoice, bool),
    Cr(PopoChoice),
    Kur,
    P10cr,
    Genm,
    Rr,
    /// Our client takes the last response and sends its next message, if any.
    Continue,
    /// Our client takes a corrupted copy of the last response (must not panic).
    CorruptResponse(usize, u8),
    Replay(usize),
    Flip(usize, usize, u8),
    Truncate(usize, usize),
    Random(Vec<u8>),
    Manual(bool),
    Tick(u64),
}

fn popo_choice() -> impl Strategy<Value = PopoChoice> {
    prop_oneof![
        4 => Just(PopoChoice::Signature),
        1 => Just(PopoChoice::RaVerified),
        1 => Just(PopoChoice::Omitted),
        2 => Just(PopoChoice::RsaEncrCert),
        2 => Just(PopoChoice::RsaChallenge),
        2 => Just(PopoChoice::EcEncrCert),
        2 => Just(PopoChoice::EcChallenge),
        1 => Just(PopoChoice::EcKeyEncipherment),
    ]
}

fn action() -> impl Strategy<Value = Action> {
    prop_oneof![
        3 => (popo_choice(), any::<bool>()).prop_map(|(p, i)| Action::Ir(p, i)),
        2 => popo_choice().prop_map(Action::Cr),
        1 => Just(Action::Kur),
        1 => Just(Action::P10cr),
        1 => Just(Action::Genm),
        1 => Just(Action::Rr),
        6 => Just(Action::Continue),
        1 => (any::<usize>(), any::<u8>()).prop_map(|(i, b)| Action::CorruptResponse(i, b)),
        2 => any::<usize>().prop_map(Action::Replay),
        2 => (any::<usize>(), any::<usize>(), 1u8..).prop_map(|(i, j, b)| Action::Flip(i, j, b)),
        1 => (any::<usize>(), any::<usize>()).prop_map(|(i, j)| Action::Truncate(i, j)),
        1 => proptest::collection::vec(any::<u8>(), 0..64).prop_map(Action::Random),
        1 => any::<bool>().prop_map(Action::Manual),
        1 => (0u64..400).prop_map(Action::Tick),
    ]
}

/// What our client is waiting for.
#[derive(Clone)]
enum ClientState {
    Enrolling(Enrolling),
    Confirming(Box<Confirming>),
    Asking(Asking),
    Revoking(Revoking),
}

/// Feeds `response` to the client state; returns the next message and state, if any.
fn client_step(
    client: &Client<'_>,
    state: ClientState,
    response: &[u8],
    now: u64,
) -> Option<(Vec<u8>, ClientState)> {
    match state {
        ClientState::Enrolling(e) => match e.handle(client, response, now).ok()? {
            EnrollStep::Poll(p) => p
                .request(client, now)
                .ok()
                .map(|(b, e)| (b, ClientState::Enrolling(e))),
            EnrollStep::Issued(i) => i
                .accept(client, now)
                .ok()
                .map(|(b, c)| (b, ClientState::Confirming(Box::new(c)))),
            EnrollStep::Answer { popdecr, next } => Some((popdecr, ClientState::Enrolling(next))),
            EnrollStep::Done(_) => None,
        },
        ClientState::Confirming(c) => {
            let _ = c.handle(client, response, now);
            None
        }
        ClientState::Asking(a) => {
            let _ = a.handle(client, response, now);
            None
        }
        ClientState::Revoking(r) => {
            let _ = r.handle(client, response, now);
            None
        }
    }
}

fn request_for(popo: PopoChoice) -> CertificateRequest<'static> {
    let f = fixture();
    let (spki, popo) = match popo {
        PopoChoice::Signature => (f.signer.public_key_der(), Popo::Signature(&f.signer)),
        PopoChoice::RaVerified => (f.signer.public_key_der(), Popo::RaVerified),
        PopoChoice::Omitted => (f.signer.public_key_der(), Popo::Omitted),
        PopoChoice::RsaEncrCert => (
            f.rsa.public_key_der(),
            Popo::KeyEncipherment(SubsequentMessage::EncrCert),
        ),
        PopoChoice::RsaChallenge => (
            f.rsa.public_key_der(),
            Popo::KeyEncipherment(SubsequentMessage::ChallengeResp),
        ),
        PopoChoice::EcEncrCert => (
            f.ec.public_key_der(),
            Popo::KeyAgreement(SubsequentMessage::EncrCert),
        ),
        PopoChoice::EcChallenge => (
            f.ec.public_key_der(),
            Popo::KeyAgreement(SubsequentMessage::ChallengeResp),
        ),
        PopoChoice::EcKeyEncipherment => (
            f.ec.public_key_der(),
            Popo::KeyEncipherment(SubsequentMessage::EncrCert),
        ),
    };
    CertificateRequest {
        subject: Some("CN=C2PA Claim Signer,O=Example Inc,C=US".parse().unwrap()),
        public_key: SubjectPublicKeyInfoOwned::from_der(spki).unwrap(),
        extensions: vec![],
        not_before: None,
        not_after: None,
        issuer: None,
        popo,
    }
}

/// Runs `actions`; returns the body names of the server's responses.
fn run(seed: u64, actions: Vec<Action>) -> Result<Vec<&'static str>, TestCaseError> {
    let f = fixture();
    let rng = SeededRng(Mutex::new(seed));
    let mut cfg = ClientConfig::new(
        GeneralName::DirectoryName("CN=C2PA Claim Signer".parse().unwrap()),
        GeneralName::DirectoryName("CN=Harness".parse().unwrap()),
    );
    let mut cfg_ic = cfg.clone();
    cfg_ic.implicit_confirm = true;
    cfg.max_polls = 3;
    let protection = || RequestProtection::Mac {
        reference: REF.to_vec(),
        secret: SECRET,
        algorithm: MacAlgorithm::Pbm {
            owf: signet_asn1_types::algorithm::DigestAlgorithm::Sha256,
            mac: HmacAlgorithm::Sha256,
            iterations: 100,
        },
    };
    // Decryption with the RSA key and the EC key: the client picks by what it asked for.
    let rsa_client =
        Client::new(&cfg, protection(), &Verifier, &rng).with_decryption(&f.rsa, &Encryption);
    let ec_client =
        Client::new(&cfg, protection(), &Verifier, &rng).with_decryption(&f.ec, &Encryption);
    let ic_client = Client::new(&cfg_ic, protection(), &Verifier, &rng);
    let mut server = Harness::new();
    let mut now = NOW;
    let mut sent: Vec<Vec<u8>> = Vec::new();
    let mut last_response: Option<Vec<u8>> = None;
    // The client's pending state and which client object it belongs to (0 rsa, 1 ec, 2 ic).
    let mut state: Option<(usize, ClientState)> = None;
    let clients = [&rsa_client, &ec_client, &ic_client];
    let mut answered = Vec::new();
    for a in actions {
        let outgoing: Option<(Vec<u8>, bool)> = match a {
            Action::Ir(p, implicit) => {
                let which = match (implicit, p) {
                    (true, PopoChoice::Signature) => 2,
                    (_, PopoChoice::EcEncrCert | PopoChoice::EcChallenge) => 1,
                    _ => 0,
                };
                let (b, e) = clients[which].ir(&request_for(p), now).unwrap();
                state = Some((which, ClientState::Enrolling(e)));
                Some((b, true))
            }
            Action::Cr(p) => {
                let which = if matches!(p, PopoChoice::EcEncrCert | PopoChoice::EcChallenge) {
                    1
                } else {
                    0
                };
                let (b, e) = clients[which].cr(&request_for(p), now).unwrap();
                state = Some((which, ClientState::Enrolling(e)));
                Some((b, true))
            }
            Action::Kur => {
                let (b, e) = rsa_client
                    .kur(&request_for(PopoChoice::Signature), &f.cert, now)
                    .unwrap();
                state = Some((0, ClientState::Enrolling(e)));
                Some((b, true))
            }
            Action::P10cr => {
                let csr = signet_crmf::sign_pkcs10(
                    "CN=C2PA Claim Signer".parse().unwrap(),
                    vec![],
                    &f.signer,
                )
                .unwrap();
                let (b, e) = rsa_client.p10cr(&csr, now).unwrap();
                state = Some((0, ClientState::Enrolling(e)));
                Some((b, true))
            }
            Action::Genm => {
                let (b, s) = rsa_client
                    .genm(
                        &[InfoValue::CaCerts(None), InfoValue::CertReqTemplate(None)],
                        now,
                    )
                    .unwrap();
                state = Some((0, ClientState::Asking(s)));
                Some((b, true))
            }
            Action::Rr => {
                let t = RevocationTarget::of(&f.cert, None).unwrap();
                let (b, s) = rsa_client.rr(&[t], now).unwrap();
                state = Some((0, ClientState::Revoking(s)));
                Some((b, true))
            }
            Action::Continue => match (state.take(), &last_response) {
                (Some((which, s)), Some(rsp)) => match client_step(clients[which], s, rsp, now) {
                    Some((b, s)) => {
                        state = Some((which, s));
                        Some((b, true))
                    }
                    None => None,
                },
                (s, _) => {
                    state = s;
                    None
                }
            },
            Action::CorruptResponse(i, b) => {
                if let (Some((which, s)), Some(rsp)) = (&state, &last_response) {
                    let mut bad = rsp.clone();
                    if !bad.is_empty() {
                        let at = i % bad.len();
                        bad[at] ^= b | 1;
                    }
                    // Must not panic; the outcome is whatever the checks decide.
                    let _ = client_step(clients[*which], s.clone(), &bad, now);
                }
                None
            }
            Action::Replay(i) => (!sent.is_empty()).then(|| (sent[i % sent.len()].clone(), false)),
            Action::Flip(i, j, b) => (!sent.is_empty()).then(|| {
                let mut m = sent[i % sent.len()].clone();
                if !m.is_empty() {
                    let at = j % m.len();
                    m[at] ^= b;
                }
                (m, false)
            }),
            Action::Truncate(i, j) => (!sent.is_empty()).then(|| {
                let m = &sent[i % sent.len()];
                (m[..j % m.len().max(1)].to_vec(), false)
            }),
            Action::Random(bytes) => Some((bytes, false)),
            Action::Manual(m) => {
                server.manual = m;
                None
            }
            Action::Tick(s) => {
                now += s;
                None
            }
        };
        if let Some((request, genuine)) = outgoing {
            if genuine {
                // Messages our client builds must themselves be valid.
                check_request(&request)?;
            }
            let response = server.handle(&request, now, &rng);
            check_response(&request, &response)?;
            if let Ok(m) = decode_pki_message(&response, &Limits::default()) {
                answered.push(m.message.body.name());
            }
            sent.push(request);
            last_response = Some(response);
        }
    }
    Ok(answered)
}

/// The generator's actions reach every flow: a scripted run through all of them (so the
/// property below is not vacuous).
#[test]
fn scripted_run_reaches_every_response_type() {
    use Action::*;
    let c = || Continue;
    let script = vec![
        Ir(PopoChoice::Signature, false),
        c(),
        c(),
        Ir(PopoChoice::Signature, true),
        Cr(PopoChoice::RsaEncrCert),
        c(),
        c(),
        Cr(PopoChoice::EcChallenge),
        c(),
        c(),
        c(),
        Kur,
        c(),
        c(),
        P10cr,
        c(),
        c(),
        Manual(true),
        Ir(PopoChoice::EcEncrCert, false),
        c(),
        c(),
        c(),
        c(),
        Manual(false),
        Genm,
        Rr,
        Ir(PopoChoice::Omitted, false),
        Replay(0),
        Flip(1, 30, 0x40),
        Truncate(2, 50),
        Random(vec![0x30, 0x03, 0x02, 0x01, 0x02]),
    ];
    let bodies = run(7, script).unwrap();
    for expected in [
        "ip", "cp", "kup", "pkiconf", "popdecc", "pollRep", "genp", "rp", "error",
    ] {
        assert!(bodies.contains(&expected), "no {expected} in {bodies:?}");
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

    #[test]
    fn any_message_sequence_gets_a_valid_answer_or_a_protocol_error(
        seed in any::<u64>(),
        actions in proptest::collection::vec(action(), 1..14),
    ) {
        run(seed, actions)?;
    }
}
