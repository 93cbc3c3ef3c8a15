//! The negative cases of openssl-cmp.md §2.3 (and T04, T21, T25) that the loopback tests in
//! `openssl.rs` do not already drive, each checked for its specific `PKIFailureInfo` — on the
//! server's side (the rejection it recorded) and, where a client reads it, on the client's.
//!
//! Already covered elsewhere: wrong secret (`openssl::wrong_secret_…`,
//! `client::refusals_…`), `-popo -1` / `-popo 0` (`openssl::popo_none_and_raverified_…`),
//! missing subject (`openssl::missing_subject_is_bad_pop`), replayed transactionID
//! (`openssl::replayed_transaction_id_…`).

use signet_asn1_types::algorithm::DigestAlgorithm;
use signet_asn1_types::cmp::{PkiBody, PkiFailureBit, PkiMessage};
use signet_asn1_types::crypto::SignatureAlgorithm as Alg;
use signet_asn1_types::der::asn1::OctetString;
use signet_asn1_types::der::{Decode, Encode};
use signet_cmp_protocol::client::drive::{self, DriveError};
use signet_cmp_protocol::client::{
    CertificateRequest, Client, ClientConfig, ClientError, EnrollStep, MacAlgorithm,
    RequestProtection,
};
use signet_cmp_protocol::mac::HmacAlgorithm;
use signet_cmp_protocol::protection::{ProtectionPolicy, protect_with_mac};
use signet_cmp_protocol::server::ConfirmOutcome;
use signet_crypto::{KeyType, SystemRng, Verifier};

use crate::openssl::env;
use crate::support::{REF, SECRET, SERVER_DN, Server, key, now_secs, via};

const SUBJECT: &str = "CN=C2PA Claim Signer 1,O=Example Inc,C=US";

fn config() -> ClientConfig {
    let dn = |s: &str| {
        signet_asn1_types::x509_cert::ext::pkix::name::GeneralName::DirectoryName(
            s.parse().unwrap(),
        )
    };
    ClientConfig::new(dn(SUBJECT), dn(SERVER_DN))
}

fn mac(algorithm: MacAlgorithm) -> RequestProtection<'static> {
    RequestProtection::Mac {
        reference: REF.as_bytes().to_vec(),
        secret: SECRET.as_bytes(),
        algorithm,
    }
}

fn last_rejection(server: &Server) -> Option<(PkiFailureBit, String)> {
    server
        .log
        .lock()
        .unwrap()
        .rejections
        .last()
        .map(|r| (r.bit, r.text.clone()))
}

/// `bytes` decoded, changed by `f` and MAC-protected again with the shared secret: a message
/// the server authenticates, so only the change is at fault.
fn altered(bytes: &[u8], f: impl FnOnce(&mut PkiMessage)) -> Vec<u8> {
    let mut m = PkiMessage::from_der(bytes).unwrap();
    f(&mut m);
    protect_with_mac(
        m.header,
        m.body,
        SECRET.as_bytes(),
        &ProtectionPolicy::default(),
    )
    .unwrap()
    .to_der()
    .unwrap()
}

#[test]
fn no_sender_kid_is_bad_message_check() {
    // T04: `openssl cmp` with -secret but no -ref sends PBM without senderKID.
    let e = env();
    let (ok, out) = e.cmp(&[
        "-cmd",
        "ir",
        "-secret",
        "pass:1234-5678-9abc",
        "-recipient",
        "/C=US/O=Signet/CN=Signet CMP CA",
        "-newkey",
        "new.key",
        "-subject",
        "/CN=C2PA Claim Signer 1",
        "-certout",
        "x.crt",
    ]);
    assert!(!ok, "{out}");
    // The error is MAC'd with the (right) secret, so openssl verifies and prints it.
    assert!(
        out.contains("badMessageCheck") && out.contains("senderKID missing"),
        "{out}"
    );
    let log = e.server.log.lock().unwrap();
    assert_eq!(
        log.rejections.last().map(|r| r.bit),
        Some(PkiFailureBit::BadMessageCheck)
    );
}

fn p256() -> signet_crypto::KeyPairSigner {
    key(KeyType::EcdsaP256, Alg::EcdsaP256Sha256Asn1)
}

#[test]
fn out_of_range_pbm_iterations_are_bad_message_check() {
    // The default policy accepts 100..=100,000 PasswordBasedMac iterations; both sides of it
    // are refused before any key derivation, and the client reads the server's verdict. Our
    // client's own policy would refuse to protect with such counts, so it is widened: the
    // server's bound is under test.
    for iterations in [99, 100_001] {
        let server = Server::new(false);
        let mut cfg = config();
        cfg.protection.pbm_iterations = 1..=1_000_000;
        let rng = SystemRng::new();
        let algorithm = MacAlgorithm::Pbm {
            owf: DigestAlgorithm::Sha256,
            mac: HmacAlgorithm::Sha256,
            iterations,
        };
        let client = Client::new(&cfg, mac(algorithm), &Verifier, &rng);
        let k = p256();
        let req = CertificateRequest::for_signing_key(Some(SUBJECT.parse().unwrap()), &k).unwrap();
        let start = client.ir(&req, now_secs()).unwrap();
        match drive::enrollment(&client, start, &drive::accept_all, &mut via(&server)) {
            Err(DriveError::Cmp(ClientError::Refused(r))) => {
                assert_eq!(r.body, "error");
                assert_eq!(r.failure, [PkiFailureBit::BadMessageCheck], "{iterations}");
                assert!(r.text[0].contains("iteration count"), "{r}");
            }
            other => panic!("{iterations}: {other:?}"),
        }
        assert_eq!(
            last_rejection(&server).map(|r| r.0),
            Some(PkiFailureBit::BadMessageCheck)
        );
    }
}

/// An ir issued by `server` for our client: the certConf our client would send, ready to be
/// altered, and the server's state waiting for it.
fn issued_cert_conf(server: &Server) -> Vec<u8> {
    let cfg = config();
    let rng = SystemRng::new();
    let client = Client::new(&cfg, mac(MacAlgorithm::default()), &Verifier, &rng);
    let k = p256();
    let req = CertificateRequest::for_signing_key(Some(SUBJECT.parse().unwrap()), &k).unwrap();
    let (ir, enrolling) = client.ir(&req, now_secs()).unwrap();
    let ip = server.handle(&ir);
    let EnrollStep::Issued(issued) = enrolling.handle(&client, &ip, now_secs()).unwrap() else {
        panic!("no certificate")
    };
    issued.accept(&client, now_secs()).unwrap().0
}

fn body_name(bytes: &[u8]) -> &'static str {
    PkiMessage::from_der(bytes).unwrap().body.name()
}

#[test]
fn cert_conf_nonce_mismatch_is_bad_recipient_nonce_and_the_transaction_survives() {
    let server = Server::new(false);
    let cert_conf = issued_cert_conf(&server);
    let wrong_nonce = altered(&cert_conf, |m| {
        m.header.recip_nonce = Some(OctetString::new(vec![0x5A; 16]).unwrap());
    });
    assert_eq!(body_name(&server.handle(&wrong_nonce)), "error");
    assert_eq!(
        last_rejection(&server),
        Some((
            PkiFailureBit::BadRecipientNonce,
            "recipNonce does not match our senderNonce".into()
        ))
    );
    let no_nonce = altered(&cert_conf, |m| m.header.recip_nonce = None);
    server.handle(&no_nonce);
    assert_eq!(
        last_rejection(&server).map(|r| r.0),
        Some(PkiFailureBit::BadRecipientNonce)
    );
    // The waiting state was handed back: the genuine certConf still completes.
    assert_eq!(body_name(&server.handle(&cert_conf)), "pkiconf");
    assert_eq!(
        server.log.lock().unwrap().confirmed,
        [ConfirmOutcome::Accepted]
    );
}

#[test]
fn wrong_cert_hash_is_bad_cert_id() {
    let server = Server::new(false);
    let cert_conf = issued_cert_conf(&server);
    let flip = |m: &mut PkiMessage| {
        let PkiBody::CertConf(c) = &mut m.body else {
            panic!("not certConf")
        };
        let mut hash = c[0].cert_hash.as_bytes().to_vec();
        hash[0] ^= 1;
        c[0].cert_hash = OctetString::new(hash).unwrap();
    };
    server.handle(&altered(&cert_conf, flip));
    assert_eq!(
        last_rejection(&server),
        Some((
            PkiFailureBit::BadCertId,
            "certHash does not match the issued certificate".into()
        ))
    );
    // The hash of the certificate under another digest than its signature implies is wrong
    // too (the P-384 CA signs with SHA-384; a SHA-256 certHash does not match).
    let cert_der = server
        .awaiting
        .lock()
        .unwrap()
        .as_ref()
        .unwrap()
        .certificate
        .clone();
    let sha256 = |m: &mut PkiMessage| {
        use sha2::Digest;
        let PkiBody::CertConf(c) = &mut m.body else {
            panic!("not certConf")
        };
        c[0].cert_hash = OctetString::new(sha2::Sha256::digest(&cert_der).to_vec()).unwrap();
    };
    server.handle(&altered(&cert_conf, sha256));
    assert_eq!(
        last_rejection(&server).map(|r| r.0),
        Some(PkiFailureBit::BadCertId)
    );
    // A certReqId that was never issued.
    let other_id = |m: &mut PkiMessage| {
        let PkiBody::CertConf(c) = &mut m.body else {
            panic!("not certConf")
        };
        c[0].cert_req_id = 7;
    };
    server.handle(&altered(&cert_conf, other_id));
    assert_eq!(
        last_rejection(&server).map(|r| r.0),
        Some(PkiFailureBit::BadCertId)
    );
    // hashAlg is cmp2021 syntax: with pvno 2 it is refused.
    let hash_alg_v2 = |m: &mut PkiMessage| {
        let PkiBody::CertConf(c) = &mut m.body else {
            panic!("not certConf")
        };
        c[0].hash_alg = Some(DigestAlgorithm::Sha384.to_algorithm_identifier());
    };
    server.handle(&altered(&cert_conf, hash_alg_v2));
    assert_eq!(
        last_rejection(&server),
        Some((
            PkiFailureBit::BadRequest,
            "certConf hashAlg requires pvno 3 (cmp2021)".into()
        ))
    );
    assert!(server.log.lock().unwrap().confirmed.is_empty());
    assert_eq!(body_name(&server.handle(&cert_conf)), "pkiconf");
}

#[test]
fn cert_conf_with_hash_alg_under_pvno_3_and_empty_cert_conf() {
    // pvno 3 with an explicit hashAlg naming the digest actually used is accepted.
    let server = Server::new(false);
    let cert_conf = issued_cert_conf(&server);
    let (cert_der, alg) = {
        let a = server.awaiting.lock().unwrap();
        let a = a.as_ref().unwrap();
        (a.certificate.clone(), DigestAlgorithm::Sha512)
    };
    let with_hash_alg = altered(&cert_conf, |m| {
        use sha2::Digest;
        m.header.pvno = 3;
        let PkiBody::CertConf(c) = &mut m.body else {
            panic!("not certConf")
        };
        c[0].hash_alg = Some(alg.to_algorithm_identifier());
        c[0].cert_hash = OctetString::new(sha2::Sha512::digest(&cert_der).to_vec()).unwrap();
    });
    assert_eq!(body_name(&server.handle(&with_hash_alg)), "pkiconf");
    assert_eq!(
        server.log.lock().unwrap().confirmed,
        [ConfirmOutcome::Accepted]
    );

    // An empty CertConfirmContent rejects the certificate (RFC 9810 §5.3.18).
    let server = Server::new(false);
    let cert_conf = issued_cert_conf(&server);
    let empty = altered(&cert_conf, |m| m.body = PkiBody::CertConf(vec![]));
    assert_eq!(body_name(&server.handle(&empty)), "pkiconf");
    assert_eq!(
        server.log.lock().unwrap().confirmed,
        [ConfirmOutcome::Rejected]
    );
}

#[test]
fn replayed_request_is_transaction_id_in_use() {
    let server = Server::new(false);
    let cfg = config();
    let rng = SystemRng::new();
    let client = Client::new(&cfg, mac(MacAlgorithm::default()), &Verifier, &rng);
    let (genm, asking) = client
        .genm(
            &[signet_asn1_types::cmp::InfoValue::CaCerts(None)],
            now_secs(),
        )
        .unwrap();
    let genp = server.handle(&genm);
    asking.clone().handle(&client, &genp, now_secs()).unwrap();
    let again = server.handle(&genm);
    assert_eq!(
        last_rejection(&server).map(|r| r.0),
        Some(PkiFailureBit::TransactionIdInUse)
    );
    // The client reads the server's verdict (the error echoes our IDs and is MAC'd).
    match asking.handle(&client, &again, now_secs()) {
        Err(ClientError::Refused(r)) => assert_eq!(r.failure, [PkiFailureBit::TransactionIdInUse]),
        other => panic!("{other:?}"),
    }
}

#[test]
fn poll_req_nonce_or_cert_req_id_mismatch_and_the_pending_state_survives() {
    let server = Server::new(true);
    let cfg = config();
    let rng = SystemRng::new();
    let client = Client::new(&cfg, mac(MacAlgorithm::default()), &Verifier, &rng);
    let k = p256();
    let req = CertificateRequest::for_signing_key(Some(SUBJECT.parse().unwrap()), &k).unwrap();
    let (ir, enrolling) = client.ir(&req, now_secs()).unwrap();
    let waiting = server.handle(&ir);
    let EnrollStep::Poll(polling) = enrolling.handle(&client, &waiting, now_secs()).unwrap() else {
        panic!("expected status waiting")
    };
    let (poll_req, enrolling) = polling.request(&client, now_secs()).unwrap();
    server.handle(&altered(&poll_req, |m| {
        m.header.recip_nonce = Some(OctetString::new(vec![1; 16]).unwrap());
    }));
    assert_eq!(
        last_rejection(&server).map(|r| r.0),
        Some(PkiFailureBit::BadRecipientNonce)
    );
    server.handle(&altered(&poll_req, |m| {
        m.body = PkiBody::PollReq(vec![signet_asn1_types::cmp::PollReqEntry {
            cert_req_id: 3,
        }]);
    }));
    assert_eq!(
        last_rejection(&server).map(|r| r.0),
        Some(PkiFailureBit::BadCertId)
    );
    // The genuine pollReq is still answered: the pending state was handed back (the test
    // server approves from its second poll on, so the answer is the final ip).
    let ip = server.handle(&poll_req);
    let EnrollStep::Issued(issued) = enrolling.handle(&client, &ip, now_secs()).unwrap() else {
        panic!("expected the final ip")
    };
    assert!(issued.problem().is_none());
}

#[test]
fn a_certificate_signing_key_never_protects_responses() {
    use signet_cmp_protocol::server::{Responder, ResponseKey, ServerConfig};
    let pki = crate::support::pki();
    let config = ServerConfig {
        name: signet_asn1_types::x509_cert::ext::pkix::name::GeneralName::DirectoryName(
            SERVER_DN.parse().unwrap(),
        ),
        limits: signet_asn1_types::strict::Limits::default(),
        protection: ProtectionPolicy::default(),
        max_clock_skew: std::time::Duration::from_secs(300),
        confirm_wait: std::time::Duration::from_secs(300),
        grant_implicit_confirm: false,
        recipients: Vec::new(),
    };
    let rng = SystemRng::new();
    let rejection = signet_cmp_protocol::server::Rejection {
        bit: PkiFailureBit::BadRequest,
        text: "x".into(),
        header: None,
    };
    let answer = |signer: &dyn signet_asn1_types::crypto::Signer,
                  cert: &signet_asn1_types::x509_cert::Certificate| {
        Responder {
            config: &config,
            key: ResponseKey::Signature {
                signer,
                key_id: vec![1; 20],
                certs: vec![cert.clone()],
            },
            rng: &rng,
            now: now_secs(),
            extra_certs: &[],
        }
        .error(&rejection)
    };
    // The claim-signing CA's own key and certificate: refused.
    let err = answer(&pki.claim_ca.key, &pki.claim_ca.cert).unwrap_err();
    assert_eq!(err.bit, PkiFailureBit::SystemFailure);
    assert!(
        err.text.contains("must not protect CMP messages"),
        "{}",
        err.text
    );
    // A certificate that does not certify the signing key: refused.
    let err = answer(&pki.cmp.key, &pki.root.cert).unwrap_err();
    assert!(err.text.contains("does not certify"), "{}", err.text);
    // The dedicated CMP-protection key and certificate: fine.
    assert!(answer(&pki.cmp.key, &pki.cmp.cert).is_ok());
}

#[test]
fn another_recipient_is_wrong_authority() {
    let e = env();
    let (ok, out) = e.ir(&["-recipient", "/CN=Some Other CA"]);
    assert!(!ok, "{out}");
    assert!(out.contains("wrongAuthority"), "{out}");
    let log = e.server.log.lock().unwrap();
    assert_eq!(
        log.rejections.last().map(|r| r.bit),
        Some(PkiFailureBit::WrongAuthority)
    );
}

#[test]
fn a_sender_or_sender_kid_other_than_the_signer_is_bad_message_check() {
    use signet_cmp_protocol::client::PinnedServer;
    let server = Server::new(false);
    let k = p256();
    let cfg = config();
    let rng = SystemRng::new();
    let mac_client = Client::new(&cfg, mac(MacAlgorithm::default()), &Verifier, &rng);
    let req = CertificateRequest::for_signing_key(Some(SUBJECT.parse().unwrap()), &k).unwrap();
    let start = mac_client.ir(&req, now_secs()).unwrap();
    let cert = drive::enrollment(&mac_client, start, &drive::accept_all, &mut via(&server))
        .unwrap()
        .certificate;
    let pinned = PinnedServer::new(&server.pki.cmp.cert).unwrap();
    for (sender, kid) in [
        ("CN=Somebody Else", Some(crate::support::ski(&cert))),
        (SUBJECT, Some(vec![9; 20])),
    ] {
        let mut c = config();
        c.sender = signet_asn1_types::x509_cert::ext::pkix::name::GeneralName::DirectoryName(
            sender.parse().unwrap(),
        );
        // The subject as encoded in the certificate, when it is ours.
        if sender == SUBJECT {
            c.sender = signet_asn1_types::x509_cert::ext::pkix::name::GeneralName::DirectoryName(
                cert.tbs_certificate().subject().clone(),
            );
        }
        let client = Client::new(
            &c,
            RequestProtection::Signature {
                signer: &k,
                key_id: kid,
                certs: vec![cert.clone()],
            },
            &Verifier,
            &rng,
        )
        .with_server_trust(&pinned);
        let start = client
            .genm(
                &[signet_asn1_types::cmp::InfoValue::CaCerts(None)],
                now_secs(),
            )
            .unwrap();
        match drive::general(&client, start, &mut via(&server)) {
            Err(DriveError::Cmp(ClientError::Refused(r))) => {
                assert_eq!(r.failure, [PkiFailureBit::BadMessageCheck], "{sender}: {r}");
            }
            other => panic!("{sender}: {other:?}"),
        }
    }
}
