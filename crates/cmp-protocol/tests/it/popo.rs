//! Proof of possession for encryption and key-agreement keys end to end (RFC 9810 §5.2.8.3):
//! the indirect method (encrypted certificate, certConf as proof) and the direct challenge
//! (popdecc/popdecr), between our client and the engine and with the real `openssl cmp -popo 2`;
//! and every other case refused with its specific failure bit.

use std::process::Command;

use signet_asn1_types::cmp::{CertOrEncCert, PkiBody, PkiFailureBit, PkiMessage, PkiStatus};
use signet_asn1_types::crmf::{EncryptedKey, SubsequentMessage};
use signet_asn1_types::crypto::{PrivateKeyDecryption, SignatureAlgorithm as Alg, Signer};
use signet_asn1_types::der::asn1::{Int, OctetString};
use signet_asn1_types::der::{Decode, Encode};
use signet_asn1_types::spki::SubjectPublicKeyInfoOwned;
use signet_asn1_types::x509_cert::ext::pkix::name::GeneralName;
use signet_cmp_protocol::client::drive::{self, DriveError, Transport};
use signet_cmp_protocol::client::{
    CertificateRequest, Client, ClientConfig, ClientError, EnrollStep, MacAlgorithm, Popo,
    RequestProtection,
};
use signet_cmp_protocol::protection::{ProtectionPolicy, protect_with_mac};
use signet_cmp_protocol::server::ConfirmOutcome;
use signet_crypto::{DecryptionKey, Encryption, KeyType, SystemRng, Verifier, generate_pkcs8};

use crate::openssl::{env, run};
use crate::support::{REF, SECRET, SERVER_DN, Server, key, now_secs};

const SUBJECT: &str = "CN=C2PA Claim Signer 1,O=Example Inc,C=US";

fn config() -> ClientConfig {
    let dn = |s: &str| GeneralName::DirectoryName(s.parse().unwrap());
    ClientConfig::new(dn(SUBJECT), dn(SERVER_DN))
}

fn mac() -> RequestProtection<'static> {
    RequestProtection::Mac {
        reference: REF.as_bytes().to_vec(),
        secret: SECRET.as_bytes(),
        algorithm: MacAlgorithm::default(),
    }
}

fn decryption_key(t: KeyType) -> DecryptionKey {
    DecryptionKey::from_pkcs8(&generate_pkcs8(t).unwrap()).unwrap()
}

fn request(spki_der: &[u8], popo: Popo<'static>) -> CertificateRequest<'static> {
    CertificateRequest {
        subject: Some(SUBJECT.parse().unwrap()),
        public_key: SubjectPublicKeyInfoOwned::from_der(spki_der).unwrap(),
        extensions: vec![],
        not_before: None,
        not_after: None,
        issuer: None,
        popo,
    }
}

/// Records the bodies of every response while handing requests to the server.
struct Recording<'s> {
    server: &'s Server,
    responses: Vec<PkiMessage>,
}

impl Transport for Recording<'_> {
    type Error = std::convert::Infallible;

    fn exchange(&mut self, request: &[u8]) -> Result<Vec<u8>, Self::Error> {
        let rsp = self.server.handle(request);
        self.responses.push(PkiMessage::from_der(&rsp).unwrap());
        Ok(rsp)
    }

    fn wait(&mut self, _: u64) -> Result<(), Self::Error> {
        Ok(())
    }

    fn now(&self) -> u64 {
        now_secs()
    }
}

fn bodies(server: &Server) -> Vec<String> {
    server.log.lock().unwrap().bodies.clone()
}

#[test]
fn indirect_pop_returns_the_certificate_encrypted_and_cert_conf_proves_it() {
    for (t, popo, recipient_info) in [
        (
            KeyType::Rsa2048,
            Popo::KeyEncipherment(SubsequentMessage::EncrCert),
            "ktri",
        ),
        (
            KeyType::EcdsaP256,
            Popo::KeyAgreement(SubsequentMessage::EncrCert),
            "kari",
        ),
        (
            KeyType::EcdsaP384,
            Popo::KeyAgreement(SubsequentMessage::EncrCert),
            "kari",
        ),
    ] {
        let server = Server::new(false);
        let cfg = config();
        let rng = SystemRng::new();
        let k = decryption_key(t);
        let client = Client::new(&cfg, mac(), &Verifier, &rng).with_decryption(&k, &Encryption);
        let start = client
            .ir(&request(k.public_key_der(), popo), now_secs())
            .unwrap();
        let mut transport = Recording {
            server: &server,
            responses: vec![],
        };
        let enrolled =
            drive::enrollment(&client, start, &drive::accept_all, &mut transport).unwrap();
        assert_eq!(
            enrolled
                .certificate
                .tbs_certificate()
                .subject_public_key_info()
                .to_der()
                .unwrap(),
            k.public_key_der()
        );
        // On the wire the certificate was only ever encrypted, in cmp2021 EnvelopedData.
        let ip = &transport.responses[0];
        assert_eq!(ip.header.pvno, 3);
        let PkiBody::Ip(rep) = &ip.body else {
            panic!("not ip")
        };
        let pair = rep.response[0].certified_key_pair.as_ref().unwrap();
        let CertOrEncCert::EncryptedCert(EncryptedKey::EnvelopedData(envd)) =
            &pair.cert_or_enc_cert
        else {
            panic!("certificate not encrypted")
        };
        let kind = match envd.recip_infos.0.as_slice() {
            [signet_asn1_types::cms::enveloped_data::RecipientInfo::Ktri(_)] => "ktri",
            [signet_asn1_types::cms::enveloped_data::RecipientInfo::Kari(_)] => "kari",
            _ => "other",
        };
        assert_eq!(kind, recipient_info);
        assert_eq!(bodies(&server), ["ir", "certConf"]);
        assert_eq!(
            server.log.lock().unwrap().confirmed,
            [ConfirmOutcome::Accepted],
            "the certHash proved possession"
        );
    }
}

#[test]
fn indirect_pop_never_grants_implicit_confirmation() {
    let server = Server::new(false);
    let mut cfg = config();
    cfg.implicit_confirm = true;
    let rng = SystemRng::new();
    let k = decryption_key(KeyType::Rsa2048);
    let client = Client::new(&cfg, mac(), &Verifier, &rng).with_decryption(&k, &Encryption);
    let start = client
        .ir(
            &request(
                k.public_key_der(),
                Popo::KeyEncipherment(SubsequentMessage::EncrCert),
            ),
            now_secs(),
        )
        .unwrap();
    let enrolled = drive::enrollment(
        &client,
        start,
        &drive::accept_all,
        &mut crate::support::via(&server),
    )
    .unwrap();
    assert!(!enrolled.implicitly_confirmed);
    assert_eq!(bodies(&server), ["ir", "certConf"]);
}

#[test]
fn wrong_cert_hash_under_indirect_pop_is_bad_pop() {
    let server = Server::new(false);
    let cfg = config();
    let rng = SystemRng::new();
    let k = decryption_key(KeyType::Rsa2048);
    let client = Client::new(&cfg, mac(), &Verifier, &rng).with_decryption(&k, &Encryption);
    let (ir, enrolling) = client
        .ir(
            &request(
                k.public_key_der(),
                Popo::KeyEncipherment(SubsequentMessage::EncrCert),
            ),
            now_secs(),
        )
        .unwrap();
    let ip = server.handle(&ir);
    let EnrollStep::Issued(issued) = enrolling.handle(&client, &ip, now_secs()).unwrap() else {
        panic!("no certificate")
    };
    let (cert_conf, _) = issued.accept(&client, now_secs()).unwrap();
    // A requester that could not decrypt would have to guess the hash.
    let mut m = PkiMessage::from_der(&cert_conf).unwrap();
    let PkiBody::CertConf(c) = &mut m.body else {
        panic!("not certConf")
    };
    c[0].cert_hash = OctetString::new(vec![0xAB; 32]).unwrap();
    let guessed = protect_with_mac(
        m.header,
        m.body,
        SECRET.as_bytes(),
        &ProtectionPolicy::default(),
    )
    .unwrap()
    .to_der()
    .unwrap();
    server.handle(&guessed);
    let rejections = server.log.lock().unwrap().rejections.clone();
    assert_eq!(
        rejections.last().map(|r| r.bit),
        Some(PkiFailureBit::BadPop)
    );
}

#[test]
fn direct_challenge_is_answered_then_the_certificate_issued() {
    for (t, popo) in [
        (
            KeyType::Rsa2048,
            Popo::KeyEncipherment(SubsequentMessage::ChallengeResp),
        ),
        (
            KeyType::EcdsaP256,
            Popo::KeyAgreement(SubsequentMessage::ChallengeResp),
        ),
    ] {
        let server = Server::new(false);
        let cfg = config();
        let rng = SystemRng::new();
        let k = decryption_key(t);
        let client = Client::new(&cfg, mac(), &Verifier, &rng).with_decryption(&k, &Encryption);
        let start = client
            .cr(&request(k.public_key_der(), popo), now_secs())
            .unwrap();
        let mut transport = Recording {
            server: &server,
            responses: vec![],
        };
        let enrolled =
            drive::enrollment(&client, start, &drive::accept_all, &mut transport).unwrap();
        assert_eq!(
            enrolled
                .certificate
                .tbs_certificate()
                .subject_public_key_info()
                .to_der()
                .unwrap(),
            k.public_key_der()
        );
        let names: Vec<&str> = transport.responses.iter().map(|m| m.body.name()).collect();
        assert_eq!(names, ["popdecc", "cp", "pkiconf"]);
        assert_eq!(bodies(&server), ["cr", "popdecr", "certConf"]);
        // After a direct POP the certificate goes out in clear.
        let PkiBody::Cp(rep) = &transport.responses[1].body else {
            panic!("not cp")
        };
        assert!(matches!(
            rep.response[0]
                .certified_key_pair
                .as_ref()
                .unwrap()
                .cert_or_enc_cert,
            CertOrEncCert::Certificate(_)
        ));
    }
}

#[test]
fn a_wrong_challenge_answer_is_bad_pop_and_a_foreign_key_cannot_answer() {
    let server = Server::new(false);
    let cfg = config();
    let rng = SystemRng::new();
    let k = decryption_key(KeyType::Rsa2048);
    let client = Client::new(&cfg, mac(), &Verifier, &rng).with_decryption(&k, &Encryption);
    let (cr, enrolling) = client
        .cr(
            &request(
                k.public_key_der(),
                Popo::KeyEncipherment(SubsequentMessage::ChallengeResp),
            ),
            now_secs(),
        )
        .unwrap();
    let popdecc = server.handle(&cr);
    // Someone without the private key cannot answer.
    let other = decryption_key(KeyType::Rsa2048);
    let impostor = Client::new(&cfg, mac(), &Verifier, &rng).with_decryption(&other, &Encryption);
    assert!(matches!(
        enrolling.clone().handle(&impostor, &popdecc, now_secs()),
        Err(ClientError::Decrypt(_))
    ));
    // A guessed integer is badPOP, and the transaction is over.
    let EnrollStep::Answer { popdecr, .. } =
        enrolling.handle(&client, &popdecc, now_secs()).unwrap()
    else {
        panic!("expected to answer")
    };
    let mut m = PkiMessage::from_der(&popdecr).unwrap();
    m.body = PkiBody::Popdecr(vec![Int::new(&[0x42; 16]).unwrap()]);
    let guessed = protect_with_mac(
        m.header,
        m.body,
        SECRET.as_bytes(),
        &ProtectionPolicy::default(),
    )
    .unwrap()
    .to_der()
    .unwrap();
    server.handle(&guessed);
    let last = server
        .log
        .lock()
        .unwrap()
        .rejections
        .last()
        .cloned()
        .unwrap();
    assert_eq!(last.bit, PkiFailureBit::BadPop);
    // The genuine answer now finds no open challenge.
    server.handle(&popdecr);
    let last = server
        .log
        .lock()
        .unwrap()
        .rejections
        .last()
        .cloned()
        .unwrap();
    assert_eq!(
        (last.bit, last.text.as_str()),
        (PkiFailureBit::BadRequest, "no challenge open")
    );
}

/// The bit the engine refuses `popo` for a key of type `t` with, read by our client.
fn refusal(spki: &[u8], popo: Popo<'static>) -> (PkiFailureBit, String) {
    let server = Server::new(false);
    let cfg = config();
    let rng = SystemRng::new();
    let client = Client::new(&cfg, mac(), &Verifier, &rng);
    let start = client.ir(&request(spki, popo), now_secs()).unwrap();
    match drive::enrollment(
        &client,
        start,
        &drive::accept_all,
        &mut crate::support::via(&server),
    ) {
        Err(DriveError::Cmp(ClientError::Refused(r))) => {
            assert_eq!(r.status, PkiStatus::Rejection);
            (r.failure[0], r.text[0].clone())
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn unusable_keys_and_mismatched_methods_give_their_failure_bits() {
    let rsa = decryption_key(KeyType::Rsa2048);
    let ec = decryption_key(KeyType::EcdsaP256);
    // keyEncipherment for an EC key, keyAgreement for an RSA key: badPOP.
    let (bit, text) = refusal(
        ec.public_key_der(),
        Popo::KeyEncipherment(SubsequentMessage::EncrCert),
    );
    assert_eq!(bit, PkiFailureBit::BadPop, "{text}");
    assert_eq!(text, "keyEncipherment POP does not fit the public key");
    let (bit, _) = refusal(
        rsa.public_key_der(),
        Popo::KeyAgreement(SubsequentMessage::ChallengeResp),
    );
    assert_eq!(bit, PkiFailureBit::BadPop);
    // A 1024-bit RSA key: badCertTemplate.
    let weak = hex_literal::hex!(
        "30819f300d06092a864886f70d010101050003818d0030818902818100a2cd07c30f8f07a370b252cb68c65c61"
        "a75ce54ea3c6a7ccf70328a905c89cba5f4a497a5dbdfc5fc4938eccfa41cbe5171ad812da475f19352667b3a1"
        "d785d219f36ccfb7ee5027f4c482c5bbb696e151166ecbfcc6c368058744b3a233bec8de38258c87e933751dd6"
        "6b7ae104bc32b6f695091f4bb3729eb82e83068724350203010001"
    );
    let (bit, _) = refusal(&weak, Popo::KeyEncipherment(SubsequentMessage::EncrCert));
    assert_eq!(bit, PkiFailureBit::BadCertTemplate);
    // An EC point off its curve: badCertTemplate.
    let mut off = ec.public_key_der().to_vec();
    let last = off.len() - 1;
    off[last] ^= 1;
    let (bit, _) = refusal(&off, Popo::KeyAgreement(SubsequentMessage::EncrCert));
    assert_eq!(bit, PkiFailureBit::BadCertTemplate);
    // An Ed25519 key cannot encrypt or agree here: badAlg.
    let ed = key(KeyType::Ed25519, Alg::Ed25519);
    let (bit, _) = refusal(
        ed.public_key_der(),
        Popo::KeyAgreement(SubsequentMessage::EncrCert),
    );
    assert_eq!(bit, PkiFailureBit::BadAlg);
}

/// `openssl cmp -popo 2` (keyEncipherment, subsequentMessage encrCert) from OpenSSL 3.0,
/// which sends pvno 2: for an RSA key the certificate comes back in the pvno 2
/// EncryptedValue, which OpenSSL decrypts with `-newkey` and confirms; for an EC key the
/// method does not fit the key: badPOP.
#[test]
fn openssl_popo_2_gets_an_encrypted_value_it_decrypts() {
    let e = env();
    let (ok, out) = run(Command::new("openssl")
        .args([
            "genpkey",
            "-algorithm",
            "RSA",
            "-pkeyopt",
            "rsa_keygen_bits:2048",
            "-out",
        ])
        .arg(e.p("rsa.key")));
    assert!(ok, "{out}");
    let (ok, out) = e.ir(&[
        "-popo",
        "2",
        "-newkey",
        "rsa.key",
        "-certout",
        "rsa.crt",
        "-rspout",
        "ip.der,pkiconf.der",
    ]);
    assert!(ok, "openssl -popo 2:\n{out}");
    let ip = PkiMessage::from_der(&std::fs::read(e.p("ip.der")).unwrap()).unwrap();
    let PkiBody::Ip(rep) = &ip.body else {
        panic!("not ip")
    };
    assert!(matches!(
        rep.response[0]
            .certified_key_pair
            .as_ref()
            .unwrap()
            .cert_or_enc_cert,
        CertOrEncCert::EncryptedCert(EncryptedKey::EncryptedValue(_))
    ));
    let log = e.server.log.lock().unwrap();
    assert_eq!(log.confirmed, [ConfirmOutcome::Accepted], "{out}");
    drop(log);
    // The certificate openssl saved certifies its key.
    let cert_key = run(Command::new("openssl")
        .args(["x509", "-noout", "-pubkey", "-in"])
        .arg(e.p("rsa.crt")))
    .1;
    let our_key = run(Command::new("openssl")
        .args(["pkey", "-pubout", "-in"])
        .arg(e.p("rsa.key")))
    .1;
    assert_eq!(cert_key, our_key);
    // And offline: the recorded EncryptedValue ip and pkiConf verify and decrypt again.
    let mut c = Command::new("timeout");
    c.arg("30")
        .args([
            "openssl", "cmp", "-cmd", "ir", "-popo", "2", "-newkey", "rsa.key",
        ])
        .args(["-ref", REF, "-secret", "pass:1234-5678-9abc"])
        .args([
            "-subject",
            "/CN=C2PA Claim Signer 1",
            "-certout",
            "rsa2.crt",
        ])
        .args(["-rspin", "ip.der,pkiconf.der"])
        .current_dir(e.dir.path());
    let (ok, out) = run(&mut c);
    assert!(ok && out.contains("received PKICONF"), "{out}");
    assert_eq!(
        std::fs::read(e.p("rsa2.crt")).unwrap(),
        std::fs::read(e.p("rsa.crt")).unwrap()
    );

    // With the EC key of the default environment: the method does not fit the key.
    let (ok, out) = e.ir(&["-popo", "2", "-certout", "ec.crt"]);
    assert!(!ok, "{out}");
    assert!(
        out.contains("badPOP") && out.contains("keyEncipherment POP does not fit"),
        "{out}"
    );
}
