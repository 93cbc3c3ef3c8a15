//! Signet's CMP client ↔ the OpenSSL 3.0 built-in mock server (`openssl cmp -port ...`), a peer
//! nobody here wrote.
//!
//! The 3.0 mock binds every interface and cannot be told otherwise, so it runs inside its own
//! network namespace (`unshare -n`, only `lo`, brought up; openssl-cmp.md §2.1), is killed by
//! PID when the test ends, and carries a parent-death signal (`setpriv --pdeathsig KILL`) so
//! it cannot outlive the test thread; `-max_msgs` bounds it too. Each request reaches it through
//! one keep-alive connection per transaction, relayed by
//! `nsenter --net=/proc/PID/ns/net socat` to that namespace's loopback. The mock always
//! returns its `-rsp_cert`, so every request asks for that certificate's key; the credentials
//! are a fresh hierarchy from `signet-ca-signer`.

use std::process::{Child, Command, Stdio};
use std::time::Duration;

use signet_asn1_types::cmp::{InfoValue, PkiFailureBit, PkiStatus};
use signet_asn1_types::crypto::{SignatureAlgorithm as Alg, Signer};
use signet_asn1_types::der::{Decode, Encode};
use signet_asn1_types::spki::SubjectPublicKeyInfoOwned;
use signet_asn1_types::x509_cert::Certificate;
use signet_asn1_types::x509_cert::ext::pkix::crl::CrlReason;
use signet_asn1_types::x509_cert::ext::pkix::name::GeneralName;
use signet_ca_signer::profile::builtin::{self, AssuranceLevel, CmpRole};
use signet_cmp_protocol::client::drive::{self, DriveError, Transport};
use signet_cmp_protocol::client::{
    CertificateRequest, Client, ClientConfig, ClientError, MacAlgorithm, PinnedServer,
    RequestProtection, RevocationTarget,
};
use signet_crypto::{KeyPairSigner, KeyType, SystemRng, Verifier, generate_pkcs8};

use crate::support::{Pki, REF, SECRET, issue_for, now_secs, pem, pki, ski};

/// The port inside the mock's own network namespace (nothing else listens there).
const PORT: u16 = 8080;

/// A key with its PKCS#8 DER, so openssl can read it too.
struct Key {
    pkcs8: Vec<u8>,
    signer: KeyPairSigner,
}

fn p256() -> Key {
    let pkcs8 = generate_pkcs8(KeyType::EcdsaP256).unwrap().to_vec();
    let signer = KeyPairSigner::from_pkcs8(Alg::EcdsaP256Sha256Asn1, &pkcs8).unwrap();
    Key { pkcs8, signer }
}

/// Credentials for one test: our PKI, the mock's signer (`srv`), a client certificate (`cl`)
/// and the key and certificate the mock hands out (`new`), all as PEM files.
struct Creds {
    dir: tempfile::TempDir,
    pki: Pki,
    srv: Certificate,
    cl: Certificate,
    cl_key: Key,
    new: Certificate,
    new_key: Key,
}

fn leaf(pki: &Pki, subject: &str, k: &Key) -> Certificate {
    issue_for(
        subject,
        SubjectPublicKeyInfoOwned::from_der(k.signer.public_key_der()).unwrap(),
        &builtin::claim_signing_leaf(AssuranceLevel::Level1),
        Some((&pki.claim_ca, "claim-ca")),
        None,
        Some("0b6d3f3e-5c1a-4f7e-8d2b-9a4c6e1f2a3b"),
    )
}

fn creds() -> Creds {
    let pki = pki();
    let dir = tempfile::tempdir().unwrap();
    let srv_key = p256();
    let srv = issue_for(
        "CN=Test CMP Server,O=Signet,C=US",
        SubjectPublicKeyInfoOwned::from_der(srv_key.signer.public_key_der()).unwrap(),
        &builtin::cmp_protection(CmpRole::Ca),
        Some((&pki.claim_ca, "claim-ca")),
        None,
        None,
    );
    let cl_key = p256();
    let cl = leaf(&pki, "CN=Test CMP Client,O=Example Inc,C=US", &cl_key);
    let new_key = p256();
    let new = leaf(&pki, "CN=C2PA Claim Signer 1,O=Example Inc,C=US", &new_key);
    let cert_pem = |c: &Certificate| pem(&c.to_der().unwrap(), "CERTIFICATE");
    let write = |name: &str, text: String| std::fs::write(dir.path().join(name), text).unwrap();
    write("root.pem", cert_pem(&pki.root.cert));
    write(
        "chain.pem",
        cert_pem(&pki.claim_ca.cert) + &cert_pem(&pki.intermediate.cert),
    );
    write("srv.pem", cert_pem(&srv) + &cert_pem(&pki.claim_ca.cert));
    write("srv.key", pem(&srv_key.pkcs8, "PRIVATE KEY"));
    write("new.pem", cert_pem(&new));
    Creds {
        dir,
        pki,
        srv,
        cl,
        cl_key,
        new,
        new_key,
    }
}

impl Creds {
    /// Our issuing chain, sent in extraCerts after the signer's certificate.
    fn chain(&self) -> Vec<Certificate> {
        vec![
            self.pki.claim_ca.cert.clone(),
            self.pki.intermediate.cert.clone(),
        ]
    }

    fn with_chain(&self, first: &Certificate) -> Vec<Certificate> {
        let mut v = vec![first.clone()];
        v.extend(self.chain());
        v
    }
}

/// A running mock server in its own network namespace.
struct Mock {
    child: Child,
    dir: std::path::PathBuf,
}

impl Drop for Mock {
    fn drop(&mut self) {
        // Our own child, by its PID: `unshare`, `sh` and `setpriv` exec'ed into openssl, so
        // this is the mock itself. Should the test thread die first, the parent-death signal
        // set by `setpriv` ends it.
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The PBM mock of openssl-cmp.md §2.2 row 1 (plus `extra`).
fn pbm_mock(c: &Creds, extra: &[&str]) -> Mock {
    let mut args = vec![
        "-srv_ref",
        "srvref",
        "-srv_secret",
        "pass:1234-5678-9abc",
        "-rsp_cert",
        "new.pem",
        "-rsp_capubs",
        "root.pem",
        "-rsp_extracerts",
        "chain.pem",
    ];
    args.extend_from_slice(extra);
    mock(c, &args)
}

/// The signature mock of row 2: signs with `srv`, trusts our root for client signatures.
fn sig_mock(c: &Creds, extra: &[&str]) -> Mock {
    let mut args = vec![
        "-srv_cert",
        "srv.pem",
        "-srv_key",
        "srv.key",
        "-srv_trusted",
        "root.pem",
        "-rsp_cert",
        "new.pem",
        "-rsp_extracerts",
        "chain.pem",
    ];
    args.extend_from_slice(extra);
    mock(c, &args)
}

fn mock(c: &Creds, args: &[&str]) -> Mock {
    let log = std::fs::File::create(c.dir.path().join("mock.log")).unwrap();
    let child = Command::new("unshare")
        .args([
            "-n",
            "sh",
            "-c",
            &format!(
                "ip link set lo up && exec setpriv --pdeathsig KILL openssl cmp -port {PORT} \
                 -max_msgs 20 \"$@\""
            ),
            "sh",
        ])
        .args(args)
        .current_dir(c.dir.path())
        .stdout(Stdio::null())
        .stderr(log)
        .spawn()
        .unwrap();
    Mock {
        child,
        dir: c.dir.path().to_owned(),
    }
}

/// Carries one transaction to the mock over a single keep-alive HTTP/1.1 connection (the 3.0
/// mock forgets the transaction when the connection closes): `socat` relays stdio to the
/// mock's port inside its namespace.
struct Bridge<'m> {
    mock: &'m Mock,
    relay: Option<Child>,
    waits: Vec<u64>,
}

impl Drop for Bridge<'_> {
    fn drop(&mut self) {
        if let Some(mut r) = self.relay.take() {
            let _ = r.kill();
            let _ = r.wait();
        }
    }
}

impl Mock {
    /// Whether the mock listens on [`PORT`] yet (its namespace's `/proc/PID/net/tcp{,6}`).
    fn listening(&self) -> bool {
        let port = format!(":{PORT:04X}");
        ["tcp", "tcp6"].iter().any(|f| {
            std::fs::read_to_string(format!("/proc/{}/net/{f}", self.child.id()))
                .unwrap_or_default()
                .lines()
                .any(|l| {
                    let cols: Vec<&str> = l.split_whitespace().collect();
                    cols.get(1).is_some_and(|a| a.ends_with(&port)) && cols.get(3) == Some(&"0A")
                })
        })
    }
}

impl Bridge<'_> {
    fn relay(&mut self) -> &mut Child {
        if self.relay.is_none() {
            for _ in 0..200 {
                if self.mock.listening() {
                    break;
                }
                std::thread::sleep(Duration::from_millis(25));
            }
            let relay = Command::new("nsenter")
                .arg(format!("--net=/proc/{}/ns/net", self.mock.child.id()))
                .args([
                    "setpriv",
                    "--pdeathsig",
                    "KILL",
                    "socat",
                    "-T",
                    "30",
                    "STDIO",
                ])
                .arg(format!("TCP:127.0.0.1:{PORT}"))
                .stdin(Stdio::piped())
                .stdout(Stdio::piped())
                .stderr(Stdio::null())
                .spawn()
                .unwrap();
            self.relay = Some(relay);
        }
        self.relay.as_mut().unwrap()
    }
}

impl Transport for Bridge<'_> {
    type Error = String;

    fn exchange(&mut self, request: &[u8]) -> Result<Vec<u8>, String> {
        use std::io::{BufRead, BufReader, Read, Write};
        let relay = self.relay();
        let head = format!(
            "POST /pkix/ HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/pkixcmp\r\n\
             Connection: keep-alive\r\nContent-Length: {}\r\n\r\n",
            request.len()
        );
        let stdin = relay.stdin.as_mut().unwrap();
        stdin
            .write_all(head.as_bytes())
            .and_then(|()| stdin.write_all(request))
            .and_then(|()| stdin.flush())
            .map_err(|e| e.to_string())?;
        let mut reader = BufReader::new(relay.stdout.as_mut().unwrap());
        let mut status = String::new();
        reader.read_line(&mut status).map_err(|e| e.to_string())?;
        if !status.starts_with("HTTP/1.") || !status.contains(" 200 ") {
            return Err(format!("HTTP status line {status:?}"));
        }
        let mut len = None;
        let mut content_type = String::new();
        loop {
            let mut h = String::new();
            reader.read_line(&mut h).map_err(|e| e.to_string())?;
            let h = h.trim_end();
            if h.is_empty() {
                break;
            }
            let lower = h.to_ascii_lowercase();
            if let Some(v) = lower.strip_prefix("content-length:") {
                len = v.trim().parse::<usize>().ok();
            }
            if let Some(v) = lower.strip_prefix("content-type:") {
                content_type = v.trim().to_owned();
            }
        }
        if content_type != "application/pkixcmp" {
            return Err(format!("content type {content_type:?}"));
        }
        let mut body = vec![0; len.ok_or("no Content-Length")?];
        reader.read_exact(&mut body).map_err(|e| e.to_string())?;
        Ok(body)
    }

    fn wait(&mut self, seconds: u64) -> Result<(), String> {
        self.waits.push(seconds);
        std::thread::sleep(Duration::from_secs(seconds));
        Ok(())
    }

    fn now(&self) -> u64 {
        now_secs()
    }
}

fn bridge(mock: &Mock) -> Bridge<'_> {
    Bridge {
        mock,
        relay: None,
        waits: vec![],
    }
}

fn mock_log(m: &Mock) -> String {
    std::fs::read_to_string(m.dir.join("mock.log")).unwrap_or_default()
}

/// How many requests the mock received (it logs one line per request).
fn requests(m: &Mock) -> usize {
    mock_log(m).matches("Received request").count()
}

fn dn(s: &str) -> GeneralName {
    GeneralName::DirectoryName(s.parse().unwrap())
}

fn mac_config() -> ClientConfig {
    let mut cfg = ClientConfig::new(
        dn("CN=C2PA Claim Signer 1,O=Example Inc,C=US"),
        dn("CN=Test CMP Server"),
    );
    cfg.max_clock_skew = Some(Duration::from_secs(300));
    cfg
}

fn mac_protection() -> RequestProtection<'static> {
    RequestProtection::Mac {
        reference: REF.as_bytes().to_vec(),
        secret: SECRET.as_bytes(),
        algorithm: MacAlgorithm::default(),
    }
}

fn request_for_new<'a>(c: &'a Creds) -> CertificateRequest<'a> {
    CertificateRequest::for_signing_key(
        Some("CN=C2PA Claim Signer 1,O=Example Inc,C=US".parse().unwrap()),
        &c.new_key.signer,
    )
    .unwrap()
}

#[test]
fn ir_and_p10cr_with_pbm_against_the_openssl_mock() {
    let c = creds();
    let m = pbm_mock(&c, &[]);
    let cfg = mac_config();
    let rng = SystemRng::new();
    let client = Client::new(&cfg, mac_protection(), &Verifier, &rng);
    let start = client.ir(&request_for_new(&c), now_secs()).unwrap();
    let enrolled = drive::enrollment(&client, start, &drive::accept_all, &mut bridge(&m))
        .unwrap_or_else(|e| panic!("{e}\n{}", mock_log(&m)));
    assert_eq!(enrolled.certificate, c.new);
    assert_eq!(enrolled.ca_pubs, std::slice::from_ref(&c.pki.root.cert));
    assert_eq!(enrolled.extra_certs, c.chain());
    let csr = signet_crmf::sign_pkcs10(
        "CN=C2PA Claim Signer 1".parse().unwrap(),
        vec![],
        &c.new_key.signer,
    )
    .unwrap();
    let start = client.p10cr(&csr, now_secs()).unwrap();
    let enrolled = drive::enrollment(&client, start, &drive::accept_all, &mut bridge(&m))
        .unwrap_or_else(|e| panic!("{e}\n{}", mock_log(&m)));
    assert_eq!(enrolled.certificate, c.new);
    assert_eq!(
        requests(&m),
        4,
        "ir, certConf, p10cr, certConf:\n{}",
        mock_log(&m)
    );
}

#[test]
fn implicit_confirm_and_polling_against_the_openssl_mock() {
    let c = creds();
    let m = pbm_mock(&c, &["-grant_implicitconf"]);
    let mut cfg = mac_config();
    cfg.implicit_confirm = true;
    let rng = SystemRng::new();
    let client = Client::new(&cfg, mac_protection(), &Verifier, &rng);
    let start = client.ir(&request_for_new(&c), now_secs()).unwrap();
    let enrolled = drive::enrollment(&client, start, &drive::accept_all, &mut bridge(&m))
        .unwrap_or_else(|e| panic!("{e}\n{}", mock_log(&m)));
    assert!(enrolled.implicitly_confirmed);
    assert_eq!(requests(&m), 1, "no certConf:\n{}", mock_log(&m));
    drop(m);

    let m = pbm_mock(&c, &["-poll_count", "2", "-check_after", "1"]);
    let cfg = mac_config();
    let client = Client::new(&cfg, mac_protection(), &Verifier, &rng);
    let start = client.ir(&request_for_new(&c), now_secs()).unwrap();
    let mut transport = bridge(&m);
    let enrolled = drive::enrollment(&client, start, &drive::accept_all, &mut transport)
        .unwrap_or_else(|e| panic!("{e}\n{}", mock_log(&m)));
    assert_eq!(enrolled.certificate, c.new);
    assert!(transport.waits.contains(&1), "{:?}", transport.waits);
    assert_eq!(transport.waits, [0, 1], "waiting, then a pollRep");
    assert_eq!(
        requests(&m),
        4,
        "ir, 2 pollReq, certConf:\n{}",
        mock_log(&m)
    );
}

#[test]
fn cr_kur_rr_genm_with_signatures_against_the_openssl_mock() {
    let c = creds();
    let m = sig_mock(&c, &[]);
    let rng = SystemRng::new();
    let pinned = PinnedServer::new(&c.srv).unwrap();
    let mut cfg = ClientConfig::new(
        GeneralName::DirectoryName(c.cl.tbs_certificate().subject().clone()),
        dn("CN=Test CMP Server,O=Signet,C=US"),
    );
    cfg.expected_sender = Some(GeneralName::DirectoryName(
        c.srv.tbs_certificate().subject().clone(),
    ));
    let client = Client::new(
        &cfg,
        RequestProtection::Signature {
            signer: &c.cl_key.signer,
            key_id: Some(ski(&c.cl)),
            certs: c.with_chain(&c.cl),
        },
        &Verifier,
        &rng,
    )
    .with_server_trust(&pinned);
    let start = client.cr(&request_for_new(&c), now_secs()).unwrap();
    let enrolled = drive::enrollment(&client, start, &drive::accept_all, &mut bridge(&m))
        .unwrap_or_else(|e| panic!("{e}\n{}", mock_log(&m)));
    assert_eq!(enrolled.certificate, c.new);
    assert!(enrolled.ca_pubs.is_empty());

    let start = client
        .genm(&[InfoValue::CaCerts(None)], now_secs())
        .unwrap();
    let itavs = drive::general(&client, start, &mut bridge(&m))
        .unwrap_or_else(|e| panic!("{e}\n{}", mock_log(&m)));
    // The 3.0 mock echoes the ITAVs it was asked for.
    assert_eq!(itavs[0].typed().unwrap(), InfoValue::CaCerts(None));

    // The 3.0 mock accepts kur and rr only for its own -rsp_cert.
    let mut new_cfg = cfg.clone();
    new_cfg.sender = GeneralName::DirectoryName(c.new.tbs_certificate().subject().clone());
    let as_new = Client::new(
        &new_cfg,
        RequestProtection::Signature {
            signer: &c.new_key.signer,
            key_id: Some(ski(&c.new)),
            certs: c.with_chain(&c.new),
        },
        &Verifier,
        &rng,
    )
    .with_server_trust(&pinned);
    let start = as_new
        .kur(&request_for_new(&c), &c.new, now_secs())
        .unwrap();
    let kup = drive::enrollment(&as_new, start, &drive::accept_all, &mut bridge(&m))
        .unwrap_or_else(|e| panic!("{e}\n{}", mock_log(&m)));
    assert_eq!(kup.certificate, c.new);

    let target = RevocationTarget::of(&c.new, Some(CrlReason::KeyCompromise)).unwrap();
    let start = client.rr(&[target], now_secs()).unwrap();
    let statuses = drive::revocation(&client, start, &mut bridge(&m))
        .unwrap_or_else(|e| panic!("{e}\n{}", mock_log(&m)));
    assert_eq!(statuses[0].status, PkiStatus::Accepted);
    assert_eq!(
        requests(&m),
        6,
        "cr, certConf, genm, kur, certConf, rr:\n{}",
        mock_log(&m)
    );
}

#[test]
fn mock_refusals_reach_the_caller_with_their_failure_info() {
    let c = creds();
    let cfg = mac_config();
    let rng = SystemRng::new();
    let client = Client::new(&cfg, mac_protection(), &Verifier, &rng);

    let m = pbm_mock(
        &c,
        &[
            "-pkistatus",
            "2",
            "-failurebits",
            "4",
            "-statusstring",
            "C2PA policy: rejected",
        ],
    );
    let start = client.ir(&request_for_new(&c), now_secs()).unwrap();
    match drive::enrollment(&client, start, &drive::accept_all, &mut bridge(&m)) {
        Err(DriveError::Cmp(ClientError::Refused(r))) => {
            assert_eq!((r.body, r.status), ("ip", PkiStatus::Rejection));
            assert_eq!(r.failure, [PkiFailureBit::BadRequest]);
            assert_eq!(r.text, ["C2PA policy: rejected"]);
        }
        other => panic!("{other:?}\n{}", mock_log(&m)),
    }
    drop(m);

    let m = pbm_mock(&c, &["-send_error"]);
    let start = client.ir(&request_for_new(&c), now_secs()).unwrap();
    match drive::enrollment(&client, start, &drive::accept_all, &mut bridge(&m)) {
        Err(DriveError::Cmp(ClientError::Refused(r))) => {
            assert_eq!(r.body, "error");
            assert_eq!(r.status, PkiStatus::Rejection);
            assert!(r.error_code.is_some(), "{r}");
        }
        other => panic!("{other:?}\n{}", mock_log(&m)),
    }
    drop(m);

    // A mock that returns somebody else's certificate: we reject it in certConf.
    let m = pbm_mock(&c, &[]);
    let other = p256();
    let req = CertificateRequest::for_signing_key(
        Some("CN=C2PA Claim Signer 1,O=Example Inc,C=US".parse().unwrap()),
        &other.signer,
    )
    .unwrap();
    let start = client.ir(&req, now_secs()).unwrap();
    assert_eq!(
        drive::enrollment(&client, start, &drive::accept_all, &mut bridge(&m)),
        Err(DriveError::Cmp(ClientError::KeyMismatch))
    );
    assert!(
        mock_log(&m).contains("certificate rejected by client"),
        "{}",
        mock_log(&m)
    );
}
