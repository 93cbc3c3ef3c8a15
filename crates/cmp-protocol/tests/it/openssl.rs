//! `openssl cmp` (client) ↔ Signet CMP engine (server) over loopback HTTP.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::Command;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use signet_asn1_types::cmp::{PkiBody, PkiFailureBit, PkiStatus};
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
use signet_cmp_protocol::protection::{ProtectionPolicy, pbm_algorithm};
use signet_cmp_protocol::server::{
    AfterPoll, AwaitingConfirm, ConfirmOutcome, Credential, Decision, Pending, Rejection,
    Responder, ResponseKey, ServerConfig, TransactionLog, receive,
};
use signet_crypto::{KeyPairSigner, KeyType, SystemRng, Verifier, generate_pkcs8};

const SECRET: &str = "1234-5678-9abc";
const REF: &str = "3078";
const CPL: &str = "0b6d3f3e-5c1a-4f7e-8d2b-9a4c6e1f2a3b";

fn now_secs() -> u64 {
    SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

fn now_dt() -> DateTime {
    DateTime::from_unix_duration(Duration::from_secs(now_secs())).unwrap()
}

struct Issued {
    key: KeyPairSigner,
    cert: Certificate,
}

fn key(t: KeyType, a: Alg) -> KeyPairSigner {
    KeyPairSigner::from_pkcs8(a, &generate_pkcs8(t).unwrap()).unwrap()
}

fn urls(label: &str) -> IssuerUrls {
    IssuerUrls {
        ocsp: vec![format!("http://ocsp.signet.example/{label}")],
        ca_issuers: vec![format!("http://pki.signet.example/{label}.cer")],
        crl: vec![format!("http://pki.signet.example/{label}.crl")],
    }
}

fn issue_for(
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

fn issued(
    subject: &str,
    k: KeyPairSigner,
    profile: &Profile,
    parent: Option<(&Issued, &str)>,
) -> Issued {
    let spki = SubjectPublicKeyInfoOwned::from_der(k.public_key_der()).unwrap();
    let cert = issue_for(subject, spki, profile, parent, Some(&k), None);
    Issued { key: k, cert }
}

struct Pki {
    root: Issued,
    intermediate: Issued,
    claim_ca: Issued,
    cmp: Issued,
}

fn pki() -> Pki {
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

fn pem(der: &[u8], label: &str) -> String {
    signet_asn1_types::der::pem::encode_string(
        label,
        signet_asn1_types::der::pem::LineEnding::LF,
        der,
    )
    .unwrap()
}

fn ski(cert: &Certificate) -> Vec<u8> {
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
struct Log {
    rejections: Vec<Rejection>,
    confirmed: Vec<ConfirmOutcome>,
    bodies: Vec<String>,
}

#[derive(Default)]
struct Seen(std::collections::HashSet<Vec<u8>>);

impl TransactionLog for Seen {
    fn insert_if_new(&mut self, tid: &[u8]) -> bool {
        self.0.insert(tid.to_vec())
    }
}

struct Server {
    /// Manual approval: enrollments wait; the first poll is answered "check after 1 s", the
    /// second issues.
    manual: bool,
    pending: Mutex<Option<Pending>>,
    polls: Mutex<u32>,
    seen: Mutex<Seen>,
    revoked: Mutex<Vec<Vec<u8>>>,
    pki: Pki,
    config: ServerConfig,
    awaiting: Mutex<Option<AwaitingConfirm>>,
    log: Mutex<Log>,
    client_certs: Mutex<Vec<Certificate>>,
}

impl Server {
    fn handle(&self, body: &[u8]) -> Vec<u8> {
        let now = now_secs();
        let rng = SystemRng::new();
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
                    extra_certs: vec![],
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
        let is_mac = incoming.header().protection_alg.as_ref().is_some_and(|a| {
            a.oid
                != signet_asn1_types::const_oid::ObjectIdentifier::new_unwrap("1.2.840.10045.4.3.2")
        });
        let key = if is_mac { mac_key() } else { sig_key() };
        let responder = Responder {
            config: &self.config,
            key,
            rng: &rng,
            now,
            extra_certs: chain,
        };
        let fail = |r: Rejection| {
            self.log.lock().unwrap().rejections.push(r.clone());
            responder.error(&r).unwrap()
        };
        let auth = if is_mac {
            if incoming.sender_kid() != Some(REF.as_bytes()) {
                return fail(incoming.reject(
                    PkiFailureBit::BadMessageCheck,
                    "unknown or missing senderKID",
                ));
            }
            incoming.authenticate(
                Credential::Mac(SECRET.as_bytes()),
                &Verifier,
                &ProtectionPolicy::default(),
            )
        } else {
            let certs = self.client_certs.lock().unwrap().clone();
            let extra = incoming
                .decoded
                .message
                .extra_certs
                .as_ref()
                .and_then(|c| c.first().cloned());
            match extra.filter(|c| certs.contains(c)) {
                Some(c) => {
                    let spki = c
                        .tbs_certificate()
                        .subject_public_key_info()
                        .to_der()
                        .unwrap();
                    incoming.authenticate(
                        Credential::Signature(&spki),
                        &Verifier,
                        &ProtectionPolicy::default(),
                    )
                }
                None => Err(incoming.reject(
                    PkiFailureBit::SignerNotTrusted,
                    "signer certificate not issued here",
                )),
            }
        };
        if let Err(r) = auth {
            return fail(r);
        }
        if let Err(r) = incoming.begin(&mut *self.seen.lock().unwrap()) {
            return fail(r);
        }
        match incoming.body() {
            PkiBody::Ir(_) | PkiBody::Cr(_) | PkiBody::Kur(_) | PkiBody::P10cr(_) => {
                let enrollment = match incoming.enrollment(false, &Verifier) {
                    Ok(e) => e,
                    Err(r) => {
                        self.log.lock().unwrap().rejections.push(r.clone());
                        return responder.refused(&incoming, 0, &r).unwrap();
                    }
                };
                if self.manual {
                    let (bytes, pending) = responder.waiting(&incoming, &enrollment).unwrap();
                    *self.pending.lock().unwrap() = Some(pending);
                    return bytes;
                }
                let req = &enrollment.request;
                let subject = req.subject.as_ref().unwrap().to_string();
                let cert = issue_for(
                    &subject,
                    req.public_key.clone(),
                    &builtin::claim_signing_leaf(AssuranceLevel::Level1),
                    Some((&self.pki.claim_ca, "claim-ca")),
                    None,
                    Some(CPL),
                );
                self.client_certs.lock().unwrap().push(cert.clone());
                let (bytes, awaiting) = responder
                    .issued(
                        &incoming,
                        &enrollment,
                        &cert,
                        std::slice::from_ref(&self.pki.root.cert),
                        PkiStatus::Accepted,
                    )
                    .unwrap();
                *self.awaiting.lock().unwrap() = awaiting;
                bytes
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
                match responder.poll(&incoming, pending, decision) {
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
            PkiBody::Genm(itavs) => {
                use signet_asn1_types::cmp::{InfoTypeAndValue, InfoValue};
                let answers = itavs
                    .iter()
                    .map(|i| match i.typed() {
                        Ok(InfoValue::CaCerts(_)) => InfoTypeAndValue::from_typed(
                            &InfoValue::CaCerts(signet_asn1_types::seq::NonEmpty::new(vec![
                                self.pki.root.cert.clone(),
                            ])),
                        )
                        .unwrap(),
                        _ => InfoTypeAndValue {
                            info_type: i.info_type,
                            info_value: None,
                        },
                    })
                    .collect();
                responder.general(&incoming, answers).unwrap()
            }
            other => fail(incoming.reject(
                PkiFailureBit::BadRequest,
                format!("{} not handled in this test", other.name()),
            )),
        }
    }
}

/// Serves HTTP/1.0-style requests on 127.0.0.1 until the returned guard is dropped.
fn serve(
    server: Arc<Server>,
) -> (
    u16,
    std::thread::JoinHandle<()>,
    Arc<std::sync::atomic::AtomicBool>,
) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let port = listener.local_addr().unwrap().port();
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let stop2 = stop.clone();
    let handle = std::thread::spawn(move || {
        let deadline = std::time::Instant::now() + Duration::from_secs(60);
        while !stop2.load(std::sync::atomic::Ordering::Relaxed)
            && std::time::Instant::now() < deadline
        {
            match listener.accept() {
                Ok((stream, _)) => handle_conn(stream, &server),
                Err(_) => std::thread::sleep(Duration::from_millis(5)),
            }
        }
    });
    (port, handle, stop)
}

fn handle_conn(stream: TcpStream, server: &Server) {
    stream.set_nonblocking(false).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut stream = stream;
    // Serve requests on this connection until the client closes it (keep-alive).
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 {
            return;
        }
        let mut len = 0usize;
        loop {
            let mut h = String::new();
            if reader.read_line(&mut h).unwrap_or(0) == 0 {
                return;
            }
            if h == "\r\n" || h == "\n" {
                break;
            }
            if let Some(v) = h.to_ascii_lowercase().strip_prefix("content-length:") {
                len = v.trim().parse().unwrap_or(0);
            }
        }
        let mut body = vec![0u8; len];
        if reader.read_exact(&mut body).is_err() {
            return;
        }
        let reply = server.handle(&body);
        let head = format!(
            "HTTP/1.0 200 OK\r\nContent-Type: application/pkixcmp\r\nContent-Length: {}\r\nConnection: keep-alive\r\n\r\n",
            reply.len()
        );
        if stream
            .write_all(head.as_bytes())
            .and_then(|()| stream.write_all(&reply))
            .is_err()
        {
            return;
        }
    }
}

struct Env {
    dir: tempfile::TempDir,
    server: Arc<Server>,
    port: u16,
    stop: Arc<std::sync::atomic::AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Drop for Env {
    fn drop(&mut self) {
        self.stop.store(true, std::sync::atomic::Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn env() -> Env {
    env_with(false)
}

fn env_with(manual: bool) -> Env {
    let pki = pki();
    let config = ServerConfig {
        name: GeneralName::DirectoryName("CN=Signet CMP CA,O=Signet,C=US".parse().unwrap()),
        limits: Limits::default(),
        protection: ProtectionPolicy::default(),
        max_clock_skew: Duration::from_secs(300),
        confirm_wait: Duration::from_secs(300),
        grant_implicit_confirm: true,
    };
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("root.pem"),
        pem(&pki.root.cert.to_der().unwrap(), "CERTIFICATE"),
    )
    .unwrap();
    let server = Arc::new(Server {
        manual,
        pending: Mutex::new(None),
        polls: Mutex::new(0),
        seen: Mutex::new(Seen::default()),
        revoked: Mutex::new(vec![]),
        pki,
        config,
        awaiting: Mutex::new(None),
        log: Mutex::new(Log::default()),
        client_certs: Mutex::new(vec![]),
    });
    let (port, thread, stop) = serve(server.clone());
    run(Command::new("openssl")
        .args([
            "genpkey",
            "-algorithm",
            "EC",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-out",
        ])
        .arg(dir.path().join("new.key")));
    Env {
        dir,
        server,
        port,
        stop,
        thread: Some(thread),
    }
}

fn run(cmd: &mut Command) -> (bool, String) {
    let out = cmd.output().unwrap();
    (
        out.status.success(),
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    )
}

impl Env {
    fn p(&self, f: &str) -> PathBuf {
        self.dir.path().join(f)
    }

    fn cmp(&self, args: &[&str]) -> (bool, String) {
        let mut c = Command::new("timeout");
        c.arg("30").arg("openssl").arg("cmp").args([
            "-server",
            &format!("127.0.0.1:{}", self.port),
            "-msg_timeout",
            "10",
            "-total_timeout",
            "20",
        ]);
        c.args(args).current_dir(self.dir.path());
        run(&mut c)
    }

    fn ir(&self, extra: &[&str]) -> (bool, String) {
        let mut args = vec![
            "-cmd",
            "ir",
            "-ref",
            REF,
            "-recipient",
            "/CN=Signet CMP CA/O=Signet/C=US",
            "-newkey",
            "new.key",
            "-subject",
            "/CN=C2PA Claim Signer 1/O=Example Inc/C=US",
            "-certout",
            "ir.crt",
            "-out_trusted",
            "root.pem",
        ];
        args.extend_from_slice(extra);
        if !extra.contains(&"-secret") {
            args.extend_from_slice(&["-secret", "pass:1234-5678-9abc"]);
        }
        self.cmp(&args)
    }

    fn assert_chains_and_key(&self, cert: &str) {
        let pki = &self.server.pki;
        std::fs::write(
            self.p("chain.pem"),
            format!(
                "{}{}",
                pem(&pki.claim_ca.cert.to_der().unwrap(), "CERTIFICATE"),
                pem(&pki.intermediate.cert.to_der().unwrap(), "CERTIFICATE")
            ),
        )
        .unwrap();
        let (ok, out) = run(Command::new("openssl")
            .args(["verify", "-CAfile"])
            .arg(self.p("root.pem"))
            .arg("-untrusted")
            .arg(self.p("chain.pem"))
            .arg(self.p(cert)));
        assert!(ok, "{out}");
        let cert_key = run(Command::new("openssl")
            .args(["x509", "-noout", "-pubkey", "-in"])
            .arg(self.p(cert)))
        .1;
        let our_key = run(Command::new("openssl")
            .args(["pkey", "-pubout", "-in"])
            .arg(self.p("new.key")))
        .1;
        assert_eq!(
            cert_key, our_key,
            "certificate is not for the requested key"
        );
    }
}

#[test]
fn ir_with_pbm_enrolls_and_confirms() {
    let e = env();
    let (ok, out) = e.ir(&["-cacertsout", "capubs.pem"]);
    assert!(ok, "openssl cmp ir failed:\n{out}");
    e.assert_chains_and_key("ir.crt");
    let log = e.server.log.lock().unwrap();
    assert_eq!(log.bodies, ["ir", "certConf"], "{out}");
    assert_eq!(log.confirmed, [ConfirmOutcome::Accepted]);
    assert!(
        std::fs::read_to_string(e.p("capubs.pem"))
            .unwrap()
            .contains("BEGIN CERTIFICATE")
    );
}

#[test]
fn implicit_confirm_is_granted_without_cert_conf() {
    let e = env();
    let (ok, out) = e.ir(&["-implicit_confirm"]);
    assert!(ok, "{out}");
    assert_eq!(e.server.log.lock().unwrap().bodies, ["ir"]);
}

#[test]
fn wrong_secret_is_rejected_with_bad_message_check() {
    let e = env();
    let (ok, out) = e.ir(&["-secret", "pass:wrong", "-unprotected_errors"]);
    assert!(!ok, "{out}");
    let log = e.server.log.lock().unwrap();
    assert_eq!(
        log.rejections.first().map(|r| r.bit),
        Some(PkiFailureBit::BadMessageCheck),
        "{out}"
    );
}

#[test]
fn popo_none_and_raverified_are_bad_pop_with_openssl_texts() {
    let e = env();
    let (ok, out) = e.ir(&["-popo", "-1"]);
    assert!(!ok, "{out}");
    assert!(
        out.contains("badPOP") && out.contains("popo missing"),
        "{out}"
    );
    let (ok, out) = e.ir(&["-popo", "0"]);
    assert!(!ok, "{out}");
    assert!(
        out.contains("badPOP") && out.contains("popo raverified not accepted"),
        "{out}"
    );
}

#[test]
fn missing_subject_is_bad_pop() {
    let e = env();
    let (ok, out) = e.cmp(&[
        "-cmd",
        "ir",
        "-ref",
        REF,
        "-secret",
        "pass:1234-5678-9abc",
        "-recipient",
        "/CN=Signet CMP CA",
        "-newkey",
        "new.key",
        "-certout",
        "x.crt",
    ]);
    assert!(!ok, "{out}");
    assert!(
        out.contains("badPOP") && out.contains("popo missing subject"),
        "{out}"
    );
}

#[test]
fn cr_with_signature_protection_then_p10cr() {
    let e = env();
    // Enroll a first certificate by ir, then use it to sign a cr for a second key.
    let (ok, out) = e.ir(&[]);
    assert!(ok, "{out}");
    run(Command::new("openssl")
        .args([
            "genpkey",
            "-algorithm",
            "EC",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-out",
        ])
        .arg(e.p("new2.key")));
    std::fs::write(
        e.p("trusted.pem"),
        pem(&e.server.pki.root.cert.to_der().unwrap(), "CERTIFICATE"),
    )
    .unwrap();
    let (ok, out) = e.cmp(&[
        "-cmd",
        "cr",
        "-cert",
        "ir.crt",
        "-key",
        "new.key",
        "-trusted",
        "trusted.pem",
        "-newkey",
        "new2.key",
        "-subject",
        "/CN=C2PA Claim Signer 2/O=Example Inc/C=US",
        "-certout",
        "cr.crt",
    ]);
    assert!(ok, "openssl cmp cr failed:\n{out}");
    // p10cr signed by the same client certificate.
    run(Command::new("openssl")
        .args(["req", "-new", "-key"])
        .arg(e.p("new2.key"))
        .args([
            "-subj",
            "/CN=C2PA Claim Signer 3/O=Example Inc/C=US",
            "-out",
        ])
        .arg(e.p("p10.csr")));
    let (ok, out) = e.cmp(&[
        "-cmd",
        "p10cr",
        "-cert",
        "ir.crt",
        "-key",
        "new.key",
        "-trusted",
        "trusted.pem",
        "-csr",
        "p10.csr",
        "-certout",
        "p10.crt",
    ]);
    assert!(ok, "openssl cmp p10cr failed:\n{out}");
    let log = e.server.log.lock().unwrap();
    assert_eq!(
        log.bodies,
        ["ir", "certConf", "cr", "certConf", "p10cr", "certConf"],
        "{out}"
    );
    assert!(log.confirmed.iter().all(|c| *c == ConfirmOutcome::Accepted));
}

#[test]
fn signer_not_issued_here_is_refused() {
    let e = env();
    let creds = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/vectors/cmp/openssl-3.0.19-generated/creds");
    std::fs::write(
        e.p("trusted.pem"),
        pem(&e.server.pki.root.cert.to_der().unwrap(), "CERTIFICATE"),
    )
    .unwrap();
    let (ok, out) = e.cmp(&[
        "-cmd",
        "cr",
        "-cert",
        creds.join("cl.crt").to_str().unwrap(),
        "-key",
        creds.join("cl.key").to_str().unwrap(),
        "-trusted",
        "trusted.pem",
        "-newkey",
        "new.key",
        "-subject",
        "/CN=x/O=y/C=US",
        "-certout",
        "x.crt",
    ]);
    assert!(!ok, "{out}");
    assert_eq!(
        e.server
            .log
            .lock()
            .unwrap()
            .rejections
            .first()
            .map(|r| r.bit),
        Some(PkiFailureBit::SignerNotTrusted)
    );
}

#[test]
fn kur_rr_and_genm_with_signature_protection() {
    let e = env();
    let (ok, out) = e.ir(&[]);
    assert!(ok, "{out}");
    std::fs::write(
        e.p("trusted.pem"),
        pem(&e.server.pki.root.cert.to_der().unwrap(), "CERTIFICATE"),
    )
    .unwrap();
    run(Command::new("openssl")
        .args([
            "genpkey",
            "-algorithm",
            "EC",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-out",
        ])
        .arg(e.p("new2.key")));
    // Key update: a new certificate for new2.key, authorised by the current one.
    let (ok, out) = e.cmp(&[
        "-cmd",
        "kur",
        "-cert",
        "ir.crt",
        "-key",
        "new.key",
        "-trusted",
        "trusted.pem",
        "-newkey",
        "new2.key",
        "-certout",
        "kur.crt",
    ]);
    assert!(ok, "kur failed:\n{out}");
    // genm caCerts.
    let (ok, out) = e.cmp(&[
        "-cmd",
        "genm",
        "-infotype",
        "caCerts",
        "-cert",
        "ir.crt",
        "-key",
        "new.key",
        "-trusted",
        "trusted.pem",
        "-rspout",
        "genp.der",
    ]);
    assert!(ok, "genm failed:\n{out}");
    let genp = std::fs::read(e.p("genp.der")).unwrap();
    let msg = signet_asn1_types::cmp::PkiMessage::from_der(&genp).unwrap();
    let PkiBody::Genp(itavs) = msg.body else {
        panic!("not genp")
    };
    assert!(matches!(
        itavs[0].typed(),
        Ok(signet_asn1_types::cmp::InfoValue::CaCerts(Some(_)))
    ));
    // Revoke the first certificate, signed by itself; a second rr for it is certRevoked.
    let (ok, out) = e.cmp(&[
        "-cmd",
        "rr",
        "-cert",
        "ir.crt",
        "-key",
        "new.key",
        "-trusted",
        "trusted.pem",
        "-oldcert",
        "ir.crt",
        "-revreason",
        "1",
    ]);
    assert!(
        ok && out.contains("revocation accepted"),
        "rr failed:\n{out}"
    );
    let (ok, out) = e.cmp(&[
        "-cmd",
        "rr",
        "-cert",
        "kur.crt",
        "-key",
        "new2.key",
        "-trusted",
        "trusted.pem",
        "-oldcert",
        "ir.crt",
        "-revreason",
        "1",
    ]);
    assert!(!ok && out.contains("certRevoked"), "second rr:\n{out}");
    let log = e.server.log.lock().unwrap();
    assert_eq!(
        log.bodies,
        ["ir", "certConf", "kur", "certConf", "genm", "rr", "rr"],
        "{out}"
    );
}

#[test]
fn replayed_transaction_id_is_transaction_id_in_use() {
    let e = env();
    let (ok, out) = e.ir(&["-reqout", "ir.req.der,cc.req.der"]);
    assert!(ok, "{out}");
    // Re-send the recorded ir (same transactionID) as a fresh request.
    let (ok, out) = e.ir(&["-reqin", "ir.req.der"]);
    assert!(!ok, "{out}");
    let log = e.server.log.lock().unwrap();
    assert_eq!(
        log.rejections.last().map(|r| r.bit),
        Some(PkiFailureBit::TransactionIdInUse),
        "{out}"
    );
}

#[test]
fn manual_approval_polls_then_issues() {
    let e = env_with(true);
    let (ok, out) = e.ir(&[]);
    assert!(ok, "polling enrollment failed:\n{out}");
    e.assert_chains_and_key("ir.crt");
    let log = e.server.log.lock().unwrap();
    assert_eq!(
        log.bodies,
        ["ir", "pollReq", "pollReq", "certConf"],
        "{out}"
    );
    assert_eq!(log.confirmed, [ConfirmOutcome::Accepted]);
}
