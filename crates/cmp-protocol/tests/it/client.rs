//! Signet's CMP client ↔ Signet's CMP server engine, in process: every flow end to end, with
//! the server's view (bodies seen, confirmations, rejections) checked alongside the client's.

use std::time::Duration;

use signet_asn1_types::cmp::{InfoValue, PkiFailureBit, PkiStatus};
use signet_asn1_types::crmf::SubsequentMessage;
use signet_asn1_types::crypto::{SignatureAlgorithm as Alg, Signer};
use signet_asn1_types::der::Encode;
use signet_asn1_types::x509_cert::Certificate;
use signet_asn1_types::x509_cert::ext::pkix::crl::CrlReason;
use signet_asn1_types::x509_cert::ext::pkix::name::GeneralName;
use signet_cmp_protocol::client::drive::{self, DriveError};
use signet_cmp_protocol::client::{
    CertificateRequest, Client, ClientConfig, ClientError, EnrollStep, Enrolled, MacAlgorithm,
    PinnedServer, Popo, RequestProtection, RevocationTarget,
};
use signet_cmp_protocol::mac::HmacAlgorithm;
use signet_cmp_protocol::server::ConfirmOutcome;
use signet_crypto::{KeyPairSigner, KeyType, SystemRng, Verifier};

use crate::support::{REF, SECRET, SERVER_DN, Server, key, now_secs, ski, via};

fn dn(s: &str) -> GeneralName {
    GeneralName::DirectoryName(s.parse().unwrap())
}

const SUBJECT: &str = "CN=C2PA Claim Signer 1,O=Example Inc,C=US";

fn config() -> ClientConfig {
    let mut c = ClientConfig::new(dn(SUBJECT), dn(SERVER_DN));
    c.max_clock_skew = Some(Duration::from_secs(300));
    c
}

fn mac(algorithm: MacAlgorithm) -> RequestProtection<'static> {
    RequestProtection::Mac {
        reference: REF.as_bytes().to_vec(),
        secret: SECRET.as_bytes(),
        algorithm,
    }
}

fn signed_by<'a>(key: &'a KeyPairSigner, cert: &Certificate) -> RequestProtection<'a> {
    RequestProtection::Signature {
        signer: key,
        key_id: Some(ski(cert)),
        certs: vec![cert.clone()],
    }
}

fn new_key() -> KeyPairSigner {
    key(KeyType::EcdsaP256, Alg::EcdsaP256Sha256Asn1)
}

fn certifies(cert: &Certificate, k: &KeyPairSigner) -> bool {
    cert.tbs_certificate()
        .subject_public_key_info()
        .to_der()
        .unwrap()
        == k.public_key_der()
}

/// ir with MAC protection for `k`, run to the end.
fn enroll_ir(server: &Server, cfg: &ClientConfig, k: &KeyPairSigner) -> Enrolled {
    enroll_ir_over(cfg, MacAlgorithm::default(), k, &mut via(server))
}

/// ir protected with `algorithm` for `k`, run to the end over `transport`.
fn enroll_ir_over<T: drive::Transport<Error = std::convert::Infallible>>(
    cfg: &ClientConfig,
    algorithm: MacAlgorithm,
    k: &KeyPairSigner,
    transport: &mut T,
) -> Enrolled {
    let rng = SystemRng::new();
    let client = Client::new(cfg, mac(algorithm), &Verifier, &rng);
    let req = CertificateRequest::for_signing_key(Some(SUBJECT.parse().unwrap()), k).unwrap();
    let start = client.ir(&req, now_secs()).unwrap();
    drive::enrollment(&client, start, &drive::accept_all, transport).unwrap()
}

fn bodies(server: &Server) -> Vec<String> {
    server.log.lock().unwrap().bodies.clone()
}

fn confirmed(server: &Server) -> Vec<ConfirmOutcome> {
    server.log.lock().unwrap().confirmed.clone()
}

#[test]
fn ir_with_pbm_enrolls_confirms_and_gets_ca_pubs() {
    let server = Server::new(false);
    let k = new_key();
    let enrolled = enroll_ir(&server, &config(), &k);
    assert!(certifies(&enrolled.certificate, &k));
    assert_eq!(enrolled.status, PkiStatus::Accepted);
    assert_eq!(
        enrolled.ca_pubs,
        std::slice::from_ref(&server.pki.root.cert)
    );
    assert!(enrolled.extra_certs.contains(&server.pki.claim_ca.cert));
    assert!(!enrolled.implicitly_confirmed);
    assert_eq!(bodies(&server), ["ir", "certConf"]);
    assert_eq!(confirmed(&server), [ConfirmOutcome::Accepted]);
}

#[test]
fn ir_with_pbmac1_and_other_pbm_parameters() {
    for algorithm in [
        MacAlgorithm::Pbmac1 {
            prf: HmacAlgorithm::Sha256,
            mac: HmacAlgorithm::Sha256,
            iterations: 10_000,
        },
        MacAlgorithm::Pbmac1 {
            prf: HmacAlgorithm::Sha512,
            mac: HmacAlgorithm::Sha384,
            iterations: 1_000,
        },
        MacAlgorithm::Pbm {
            owf: signet_asn1_types::algorithm::DigestAlgorithm::Sha384,
            mac: HmacAlgorithm::Sha1,
            iterations: 500,
        },
    ] {
        let server = Server::new(false);
        let k = new_key();
        let enrolled = enroll_ir_over(&config(), algorithm, &k, &mut via(&server));
        assert!(certifies(&enrolled.certificate, &k), "{algorithm:?}");
        assert_eq!(
            confirmed(&server),
            [ConfirmOutcome::Accepted],
            "{algorithm:?}"
        );
    }
}

#[test]
fn implicit_confirm_ends_after_the_ip() {
    let server = Server::new(false);
    let mut cfg = config();
    cfg.implicit_confirm = true;
    let k = new_key();
    let enrolled = enroll_ir(&server, &cfg, &k);
    assert!(enrolled.implicitly_confirmed);
    assert_eq!(bodies(&server), ["ir"]);
}

#[test]
fn cr_p10cr_kur_rr_and_genm_with_signature_protection() {
    let server = Server::new(false);
    let first = new_key();
    let cert = enroll_ir(&server, &config(), &first).certificate;
    let rng = SystemRng::new();
    let cfg = config();
    let pinned = PinnedServer::new(&server.pki.cmp.cert).unwrap();
    let client =
        Client::new(&cfg, signed_by(&first, &cert), &Verifier, &rng).with_server_trust(&pinned);

    // cr for a second key, signed by the first certificate's key.
    let second = new_key();
    let req = CertificateRequest::for_signing_key(
        Some("CN=C2PA Claim Signer 2,O=Example Inc,C=US".parse().unwrap()),
        &second,
    )
    .unwrap();
    let start = client.cr(&req, now_secs()).unwrap();
    let cr = drive::enrollment(&client, start, &drive::accept_all, &mut via(&server)).unwrap();
    assert!(certifies(&cr.certificate, &second));
    assert!(cr.ca_pubs.is_empty(), "caPubs only in an ip");

    // p10cr with a CSR built by signet-crmf.
    let third = key(KeyType::EcdsaP384, Alg::EcdsaP384Sha384Asn1);
    let csr = signet_crmf::sign_pkcs10(
        "CN=C2PA Claim Signer 3,O=Example Inc,C=US".parse().unwrap(),
        vec![],
        &third,
    )
    .unwrap();
    let start = client.p10cr(&csr, now_secs()).unwrap();
    let p10 = drive::enrollment(&client, start, &drive::accept_all, &mut via(&server)).unwrap();
    assert!(certifies(&p10.certificate, &third));

    // kur: re-key the first certificate.
    let fourth = key(KeyType::Ed25519, Alg::Ed25519);
    let req = CertificateRequest::for_signing_key(Some(SUBJECT.parse().unwrap()), &fourth).unwrap();
    let start = client.kur(&req, &cert, now_secs()).unwrap();
    let kup = drive::enrollment(&client, start, &drive::accept_all, &mut via(&server)).unwrap();
    assert!(certifies(&kup.certificate, &fourth));

    // genm caCerts.
    let start = client
        .genm(&[InfoValue::CaCerts(None)], now_secs())
        .unwrap();
    let itavs = drive::general(&client, start, &mut via(&server)).unwrap();
    assert_eq!(
        itavs[0].typed().unwrap(),
        InfoValue::CaCerts(signet_asn1_types::seq::NonEmpty::new(vec![
            server.pki.root.cert.clone()
        ]))
    );

    // rr of the cr certificate, then again: accepted, then certRevoked.
    let target = RevocationTarget::of(&cr.certificate, Some(CrlReason::Superseded)).unwrap();
    let start = client
        .rr(std::slice::from_ref(&target), now_secs())
        .unwrap();
    let statuses = drive::revocation(&client, start, &mut via(&server)).unwrap();
    assert_eq!(statuses[0].status, PkiStatus::Accepted);
    let start = client.rr(&[target], now_secs()).unwrap();
    let statuses = drive::revocation(&client, start, &mut via(&server)).unwrap();
    assert_eq!(statuses[0].status, PkiStatus::Rejection);
    assert_eq!(
        statuses[0].failure_info().unwrap().bits(),
        [PkiFailureBit::CertRevoked]
    );

    assert_eq!(
        bodies(&server),
        [
            "ir", "certConf", "cr", "certConf", "p10cr", "certConf", "kur", "certConf", "genm",
            "rr", "rr"
        ]
    );
    assert!(
        confirmed(&server)
            .iter()
            .all(|c| *c == ConfirmOutcome::Accepted)
    );
}

#[test]
fn p10cr_with_mac_protection() {
    let server = Server::new(false);
    let cfg = config();
    let rng = SystemRng::new();
    let client = Client::new(&cfg, mac(MacAlgorithm::default()), &Verifier, &rng);
    let k = key(KeyType::Rsa2048, Alg::RsaPssSha256);
    let csr = signet_crmf::sign_pkcs10(SUBJECT.parse().unwrap(), vec![], &k).unwrap();
    let start = client.p10cr(&csr, now_secs()).unwrap();
    let enrolled =
        drive::enrollment(&client, start, &drive::accept_all, &mut via(&server)).unwrap();
    assert!(certifies(&enrolled.certificate, &k));
}

#[test]
fn manual_approval_polls_until_issued() {
    let server = Server::new(true);
    let cfg = config();
    let rng = SystemRng::new();
    let client = Client::new(&cfg, mac(MacAlgorithm::default()), &Verifier, &rng);
    let k = new_key();
    let req = CertificateRequest::for_signing_key(Some(SUBJECT.parse().unwrap()), &k).unwrap();
    let start = client.ir(&req, now_secs()).unwrap();
    let mut transport = via(&server);
    let enrolled = drive::enrollment(&client, start, &drive::accept_all, &mut transport).unwrap();
    assert!(certifies(&enrolled.certificate, &k));
    assert_eq!(transport.waits, [0, 1], "waiting, then checkAfter 1");
    assert_eq!(bodies(&server), ["ir", "pollReq", "pollReq", "certConf"]);
    assert_eq!(confirmed(&server), [ConfirmOutcome::Accepted]);
}

#[test]
fn poll_limit_is_enforced() {
    let server = Server::new(true);
    let mut cfg = config();
    cfg.max_polls = 1;
    let rng = SystemRng::new();
    let client = Client::new(&cfg, mac(MacAlgorithm::default()), &Verifier, &rng);
    let k = new_key();
    let req = CertificateRequest::for_signing_key(Some(SUBJECT.parse().unwrap()), &k).unwrap();
    let start = client.ir(&req, now_secs()).unwrap();
    let err = drive::enrollment(&client, start, &drive::accept_all, &mut via(&server)).unwrap_err();
    assert_eq!(err, DriveError::Cmp(ClientError::TooManyPolls { polls: 1 }));
}

#[test]
fn step_by_step_rejection_by_the_caller_is_sent_in_cert_conf() {
    let server = Server::new(false);
    let cfg = config();
    let rng = SystemRng::new();
    let client = Client::new(&cfg, mac(MacAlgorithm::default()), &Verifier, &rng);
    let k = new_key();
    let req = CertificateRequest::for_signing_key(Some(SUBJECT.parse().unwrap()), &k).unwrap();
    let (ir, enrolling) = client.ir(&req, now_secs()).unwrap();
    let ip = server.handle(&ir);
    let EnrollStep::Issued(issued) = enrolling.handle(&client, &ip, now_secs()).unwrap() else {
        panic!("expected a certificate")
    };
    assert!(issued.problem().is_none());
    let (cert_conf, confirming) = issued
        .reject(
            &client,
            PkiFailureBit::SignerNotTrusted,
            "does not chain to our trust anchor",
            now_secs(),
        )
        .unwrap();
    let pki_conf = server.handle(&cert_conf);
    assert_eq!(
        confirming.handle(&client, &pki_conf, now_secs()),
        Err(ClientError::CertificateRejected {
            bit: PkiFailureBit::SignerNotTrusted,
            text: "does not chain to our trust anchor".into()
        })
    );
    assert_eq!(confirmed(&server), [ConfirmOutcome::Rejected]);
}

#[test]
fn certificate_for_another_key_is_rejected_in_cert_conf() {
    let mut server = Server::new(false);
    server.wrong_key = true;
    let cfg = config();
    let rng = SystemRng::new();
    let client = Client::new(&cfg, mac(MacAlgorithm::default()), &Verifier, &rng);
    let k = new_key();
    let req = CertificateRequest::for_signing_key(Some(SUBJECT.parse().unwrap()), &k).unwrap();
    let start = client.ir(&req, now_secs()).unwrap();
    let err = drive::enrollment(&client, start, &drive::accept_all, &mut via(&server)).unwrap_err();
    assert_eq!(err, DriveError::Cmp(ClientError::KeyMismatch));
    assert_eq!(bodies(&server), ["ir", "certConf"]);
    assert_eq!(confirmed(&server), [ConfirmOutcome::Rejected]);
}

#[test]
fn refusals_carry_the_server_failure_info() {
    let server = Server::new(false);
    let cfg = config();
    let rng = SystemRng::new();
    let k = new_key();
    let refusal = |client: &Client<'_>, popo: Popo<'_>| {
        let mut req =
            CertificateRequest::for_signing_key(Some(SUBJECT.parse().unwrap()), &k).unwrap();
        req.popo = popo;
        let start = client.ir(&req, now_secs()).unwrap();
        match drive::enrollment(client, start, &drive::accept_all, &mut via(&server)) {
            Err(DriveError::Cmp(ClientError::Refused(r))) => r,
            other => panic!("{other:?}"),
        }
    };
    let client = Client::new(&cfg, mac(MacAlgorithm::default()), &Verifier, &rng);
    let r = refusal(&client, Popo::Omitted);
    assert_eq!((r.body, r.status), ("ip", PkiStatus::Rejection));
    assert_eq!(r.failure, [PkiFailureBit::BadPop]);
    assert_eq!(r.text, ["popo missing"]);
    let r = refusal(&client, Popo::RaVerified);
    assert_eq!(r.failure, [PkiFailureBit::BadPop]);
    assert_eq!(r.text, ["popo raverified not accepted"]);
    let r = refusal(
        &client,
        Popo::KeyEncipherment(SubsequentMessage::ChallengeResp),
    );
    assert_eq!(r.failure, [PkiFailureBit::BadPop]);

    // A wrong secret: the server's error is MAC'd with the registered secret, so the client
    // cannot verify it (as openssl: "wrong pbm value").
    let wrong = Client::new(
        &cfg,
        RequestProtection::Mac {
            reference: REF.as_bytes().to_vec(),
            secret: b"wrong",
            algorithm: MacAlgorithm::default(),
        },
        &Verifier,
        &rng,
    );
    let req = CertificateRequest::for_signing_key(Some(SUBJECT.parse().unwrap()), &k).unwrap();
    let start = wrong.ir(&req, now_secs()).unwrap();
    let err = drive::enrollment(&wrong, start, &drive::accept_all, &mut via(&server)).unwrap_err();
    assert_eq!(
        err,
        DriveError::Cmp(ClientError::Protection(
            signet_cmp_protocol::protection::ProtectionError::MacMismatch
        ))
    );
    let rejections = &server.log.lock().unwrap().rejections;
    assert_eq!(
        rejections.last().map(|r| r.bit),
        Some(PkiFailureBit::BadMessageCheck)
    );
}

#[test]
fn responses_of_another_transaction_or_tampered_are_refused() {
    let server = Server::new(false);
    let cfg = config();
    let rng = SystemRng::new();
    let client = Client::new(&cfg, mac(MacAlgorithm::default()), &Verifier, &rng);
    let (genm, asking) = client
        .genm(&[InfoValue::CaCerts(None)], now_secs())
        .unwrap();
    let genp = server.handle(&genm);
    // The genp answers the first genm only.
    let (_, other) = client
        .genm(&[InfoValue::CaCerts(None)], now_secs())
        .unwrap();
    assert_eq!(
        other.handle(&client, &genp, now_secs()),
        Err(ClientError::TransactionIdMismatch)
    );
    // One flipped bit in the protected header (in the server's senderNonce) breaks the MAC;
    // extraCerts are outside the protection, so a change there does not matter.
    let decoded = signet_asn1_types::strict::decode_pki_message(
        &genp,
        &signet_asn1_types::strict::Limits::default(),
    )
    .unwrap();
    let nonce = decoded.message.header.sender_nonce.unwrap();
    let at = genp
        .windows(16)
        .position(|w| w == nonce.as_bytes())
        .unwrap();
    let mut tampered = genp.clone();
    tampered[at] ^= 1;
    assert_eq!(
        asking.clone().handle(&client, &tampered, now_secs()),
        Err(ClientError::Protection(
            signet_cmp_protocol::protection::ProtectionError::MacMismatch
        ))
    );
    // The untouched genp still completes the first exchange.
    assert!(asking.handle(&client, &genp, now_secs()).is_ok());
}

#[test]
fn wrong_key_under_granted_implicit_confirmation_is_still_refused() {
    let mut server = Server::new(false);
    server.wrong_key = true;
    let mut cfg = config();
    cfg.implicit_confirm = true;
    let rng = SystemRng::new();
    let client = Client::new(&cfg, mac(MacAlgorithm::default()), &Verifier, &rng);
    let k = new_key();
    let req = CertificateRequest::for_signing_key(Some(SUBJECT.parse().unwrap()), &k).unwrap();
    let start = client.ir(&req, now_secs()).unwrap();
    assert_eq!(
        drive::enrollment(&client, start, &drive::accept_all, &mut via(&server)),
        Err(DriveError::Cmp(ClientError::KeyMismatch))
    );
    assert_eq!(
        bodies(&server),
        ["ir"],
        "the transaction was closed by the ip"
    );
}

/// Records every request on its way to the in-process server.
struct Recording<'s> {
    inner: crate::support::InProcess<'s>,
    requests: Vec<Vec<u8>>,
}

impl drive::Transport for Recording<'_> {
    type Error = std::convert::Infallible;

    fn exchange(&mut self, request: &[u8]) -> Result<Vec<u8>, Self::Error> {
        self.requests.push(request.to_vec());
        self.inner.exchange(request)
    }

    fn wait(&mut self, seconds: u64) -> Result<(), Self::Error> {
        self.inner.wait(seconds)
    }

    fn now(&self) -> u64 {
        self.inner.now()
    }
}

#[test]
fn mac_parameters_stay_the_same_for_a_whole_transaction_and_change_between_transactions() {
    // RFC 9810 §5.1.3.1 recommends constant PBMParameter fields within a transaction; the test
    // server answers with parameters of its own, so the client also checks responses whose
    // parameters differ from its own.
    let alg_of = |der: &[u8]| {
        signet_asn1_types::strict::decode_pki_message(
            der,
            &signet_asn1_types::strict::Limits::default(),
        )
        .unwrap()
        .message
        .header
        .protection_alg
        .unwrap()
    };
    let mut firsts = Vec::new();
    for algorithm in [
        MacAlgorithm::default(),
        MacAlgorithm::default(),
        MacAlgorithm::Pbmac1 {
            prf: HmacAlgorithm::Sha256,
            mac: HmacAlgorithm::Sha256,
            iterations: 1_000,
        },
    ] {
        let server = Server::new(false);
        let mut transport = Recording {
            inner: via(&server),
            requests: vec![],
        };
        enroll_ir_over(&config(), algorithm, &new_key(), &mut transport);
        assert_eq!(bodies(&server), ["ir", "certConf"]);
        let algs: Vec<_> = transport.requests.iter().map(|r| alg_of(r)).collect();
        assert_eq!(algs.len(), 2);
        assert_eq!(algs[0], algs[1], "{algorithm:?}");
        firsts.push(algs[0].clone());
    }
    // A new transaction gets a new salt.
    assert_ne!(firsts[0], firsts[1]);
}
