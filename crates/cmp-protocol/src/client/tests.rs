//! Client unit tests: every response check, driven by genp/error responses that the server
//! engine builds and the test then alters (and re-protects with the shared secret).

use signet_asn1_types::cmp::{ErrorMsgContent, PkiFailureInfo};
use signet_crypto::{KeyPairSigner, KeyType, SystemRng, Verifier, generate_pkcs8};

use super::*;
use crate::server::{Responder, ResponseKey, ServerConfig, receive};

const SECRET: &[u8] = b"1234-5678-9abc";
const NOW: u64 = 1_780_000_000;

fn dn(s: &str) -> GeneralName {
    GeneralName::DirectoryName(s.parse().unwrap())
}

fn config() -> ClientConfig {
    ClientConfig::new(dn("CN=client"), dn("CN=server"))
}

fn server_config() -> ServerConfig {
    ServerConfig {
        name: dn("CN=server"),
        limits: Limits::default(),
        protection: ProtectionPolicy::default(),
        max_clock_skew: Duration::from_secs(300),
        confirm_wait: Duration::from_secs(60),
        grant_implicit_confirm: false,
        recipients: Vec::new(),
    }
}

fn mac_client<'a>(config: &'a ClientConfig, rng: &'a SystemRng) -> Client<'a> {
    Client::new(
        config,
        RequestProtection::Mac {
            reference: b"ref".to_vec(),
            secret: SECRET,
            algorithm: MacAlgorithm::default(),
        },
        &Verifier,
        rng,
    )
}

/// A request of our MAC client, received and authenticated by the server engine.
fn accept(bytes: &[u8], cfg: &ServerConfig) -> crate::server::Authenticated {
    receive(bytes, cfg, NOW)
        .unwrap()
        .authenticate(crate::server::Credential::Mac(SECRET), cfg, &Verifier)
        .unwrap()
}

/// Our genm, and the engine's genp to it.
fn exchange(client: &Client<'_>) -> (Asking, Vec<u8>) {
    let (genm, asking) = client.genm(&[InfoValue::CaCerts(None)], NOW).unwrap();
    let cfg = server_config();
    let incoming = receive(&genm, &cfg, NOW)
        .unwrap()
        .authenticate(crate::server::Credential::Mac(SECRET), &cfg, &Verifier)
        .unwrap();
    let rng = SystemRng::new();
    let responder = Responder {
        config: &cfg,
        key: ResponseKey::Mac {
            secret: SECRET,
            algorithm: protection::pbm_algorithm(&[3; 16], 1_000).unwrap(),
        },
        rng: &rng,
        now: NOW,
        extra_certs: &[],
    };
    (asking, responder.general(&incoming, vec![]).unwrap())
}

/// `response` decoded, changed by `f`, and MAC-protected again with the shared secret (or left
/// unprotected when `f` removes `protectionAlg`).
fn altered(response: &[u8], f: impl FnOnce(&mut PkiMessage)) -> Vec<u8> {
    let mut m = decode_pki_message(response, &Limits::default())
        .unwrap()
        .message;
    f(&mut m);
    if m.header.protection_alg.is_none() {
        m.protection = None;
        return m.to_der().unwrap();
    }
    protection::protect_with_mac(m.header, m.body, SECRET, &ProtectionPolicy::default())
        .unwrap()
        .to_der()
        .unwrap()
}

fn check(f: impl FnOnce(&mut PkiMessage), cfg: &ClientConfig) -> Result<(), ClientError> {
    let rng = SystemRng::new();
    let client = mac_client(cfg, &rng);
    let (asking, genp) = exchange(&client);
    asking.handle(&client, &altered(&genp, f), NOW).map(|_| ())
}

#[test]
fn the_engine_genp_is_accepted_unchanged() {
    assert_eq!(check(|_| {}, &config()), Ok(()));
}

#[test]
fn header_checks_each_give_their_error() {
    let cfg = config();
    let os = |b: &[u8]| Some(OctetString::new(b.to_vec()).unwrap());
    assert_eq!(
        check(|m| m.header.transaction_id = os(&[1; 16]), &cfg),
        Err(ClientError::TransactionIdMismatch)
    );
    assert_eq!(
        check(|m| m.header.transaction_id = None, &cfg),
        Err(ClientError::TransactionIdMismatch)
    );
    assert_eq!(
        check(|m| m.header.recip_nonce = os(&[2; 16]), &cfg),
        Err(ClientError::RecipNonceMismatch)
    );
    assert_eq!(
        check(|m| m.header.recip_nonce = None, &cfg),
        Err(ClientError::RecipNonceMismatch)
    );
    assert_eq!(
        check(|m| m.header.sender_nonce = None, &cfg),
        Err(ClientError::SenderNonceMissing)
    );
    assert_eq!(
        check(|m| m.header.pvno = 1, &cfg),
        Err(ClientError::UnsupportedVersion { pvno: 1 })
    );
    assert_eq!(
        check(
            |m| m.body = PkiBody::Pkiconf(signet_asn1_types::der::asn1::Null),
            &cfg
        ),
        Err(ClientError::UnexpectedBody {
            expected: "genp",
            received: "pkiconf"
        })
    );
    assert_eq!(
        check(|m| m.header.protection_alg = None, &cfg),
        Err(ClientError::Unprotected)
    );
    // Tampering after protection.
    let rng = SystemRng::new();
    let client = mac_client(&cfg, &rng);
    let (asking, genp) = exchange(&client);
    let mut m = decode_pki_message(&genp, &Limits::default())
        .unwrap()
        .message;
    m.header.free_text = NonEmpty::new(vec!["added".into()]);
    assert_eq!(
        asking.handle(&client, &m.to_der().unwrap(), NOW),
        Err(ClientError::Protection(ProtectionError::MacMismatch))
    );
}

#[test]
fn optional_checks_time_and_sender() {
    let mut cfg = config();
    cfg.max_clock_skew = Some(Duration::from_secs(60));
    let late = GeneralizedTimeFrac::from(
        DateTime::from_unix_duration(Duration::from_secs(NOW + 61)).unwrap(),
    );
    assert_eq!(
        check(|m| m.header.message_time = Some(late), &cfg),
        Err(ClientError::BadTime { skew: 61 })
    );
    let mut cfg = config();
    cfg.expected_sender = Some(dn("CN=someone else"));
    assert_eq!(check(|_| {}, &cfg), Err(ClientError::UnexpectedSender));
}

fn error_body(m: &mut PkiMessage) {
    m.body = PkiBody::Error(ErrorMsgContent {
        pki_status_info: PkiStatusInfo {
            status: PkiStatus::Rejection,
            status_string: NonEmpty::new(vec!["no".into()]),
            fail_info: PkiFailureInfo::from_bit(PkiFailureBit::NotAuthorized)
                .to_bit_string()
                .ok(),
        },
        error_code: Some(7),
        error_details: NonEmpty::new(vec!["details".into()]),
    });
}

#[test]
fn error_bodies_are_refusals_and_unprotected_ones_need_opt_in() {
    let cfg = config();
    let Err(ClientError::Refused(r)) = check(error_body, &cfg) else {
        panic!("expected a refusal")
    };
    assert_eq!(r.body, "error");
    assert!(r.has(PkiFailureBit::NotAuthorized));
    assert_eq!(
        (r.text, r.error_code, r.error_details),
        (vec!["no".to_owned()], Some(7), vec!["details".to_owned()])
    );
    // Unprotected, and without IDs (the server could not read our request).
    let bare = |m: &mut PkiMessage| {
        error_body(m);
        m.header.protection_alg = None;
        m.header.transaction_id = None;
        m.header.recip_nonce = None;
    };
    assert_eq!(check(bare, &cfg), Err(ClientError::Unprotected));
    let mut lenient = config();
    lenient.accept_unprotected_errors = true;
    assert!(matches!(
        check(bare, &lenient),
        Err(ClientError::Refused(_))
    ));
    // Only error bodies may come unprotected.
    assert_eq!(
        check(|m| m.header.protection_alg = None, &lenient),
        Err(ClientError::Unprotected)
    );
}

#[test]
fn signed_responses_need_a_trusted_signer() {
    let cfg = config();
    let rng = SystemRng::new();
    let client = mac_client(&cfg, &rng);
    let (genm, asking) = client.genm(&[InfoValue::CaCerts(None)], NOW).unwrap();
    let scfg = server_config();
    let incoming = accept(&genm, &scfg);
    let key = KeyPairSigner::from_pkcs8(
        signet_asn1_types::crypto::SignatureAlgorithm::EcdsaP256Sha256Asn1,
        &generate_pkcs8(KeyType::EcdsaP256).unwrap(),
    )
    .unwrap();
    let responder = Responder {
        config: &scfg,
        key: ResponseKey::Signature {
            signer: &key,
            key_id: vec![1; 20],
            certs: vec![],
        },
        rng: &rng,
        now: NOW,
        extra_certs: &[],
    };
    let genp = responder.general(&incoming, vec![]).unwrap();
    assert_eq!(
        asking.clone().handle(&client, &genp, NOW),
        Err(ClientError::UntrustedSigner)
    );

    struct Fixed(Vec<u8>);
    impl ServerTrust for Fixed {
        fn response_signer(&self, h: &PkiHeader, _: &[Certificate]) -> Option<Vec<u8>> {
            (h.sender_kid.as_ref().map(OctetString::as_bytes) == Some(&[1u8; 20][..]))
                .then(|| self.0.clone())
        }
    }
    let trust = Fixed(key.public_key_der().to_vec());
    let trusting = mac_client(&cfg, &rng).with_server_trust(&trust);
    assert!(asking.clone().handle(&trusting, &genp, NOW).is_ok());
    // A different trusted key does not verify the signature.
    let other = KeyPairSigner::from_pkcs8(
        signet_asn1_types::crypto::SignatureAlgorithm::EcdsaP256Sha256Asn1,
        &generate_pkcs8(KeyType::EcdsaP256).unwrap(),
    )
    .unwrap();
    let wrong = Fixed(other.public_key_der().to_vec());
    let mistrusting = mac_client(&cfg, &rng).with_server_trust(&wrong);
    assert_eq!(
        asking.handle(&mistrusting, &genp, NOW),
        Err(ClientError::Protection(ProtectionError::SignatureInvalid))
    );
}

#[test]
fn requests_carry_fresh_nonces_and_the_server_nonce() {
    let cfg = config();
    let rng = SystemRng::new();
    let client = mac_client(&cfg, &rng);
    let (a, _) = client.genm(&[], NOW).unwrap();
    let (b, _) = client.genm(&[], NOW).unwrap();
    let ha = decode_pki_message(&a, &Limits::default())
        .unwrap()
        .message
        .header;
    let hb = decode_pki_message(&b, &Limits::default())
        .unwrap()
        .message
        .header;
    assert_ne!(ha.transaction_id, hb.transaction_id);
    assert_ne!(ha.sender_nonce, hb.sender_nonce);
    assert_eq!(ha.transaction_id.unwrap().as_bytes().len(), ID_LEN);
    assert_eq!(ha.sender_kid.unwrap().as_bytes(), b"ref");
    assert!(ha.recip_nonce.is_none());
    // The salt of the PBM parameters is fresh per message too.
    assert_ne!(ha.protection_alg, hb.protection_alg);
}

#[test]
fn revocation_target_and_rp_count() {
    let cfg = config();
    let rng = SystemRng::new();
    let client = mac_client(&cfg, &rng);
    assert_eq!(
        client.rr(&[], NOW).unwrap_err(),
        ClientError::Encoding {
            what: "rr without a certificate"
        }
    );
    let target = RevocationTarget {
        issuer: "CN=ca".parse().unwrap(),
        serial_number: signet_asn1_types::der::asn1::Int::new(&[5]).unwrap(),
        reason: Some(CrlReason::KeyCompromise),
    };
    let (rr, revoking) = client.rr(&[target.clone(), target], NOW).unwrap();
    let m = decode_pki_message(&rr, &Limits::default()).unwrap().message;
    let PkiBody::Rr(details) = m.body else {
        panic!("not rr")
    };
    assert_eq!(details.len(), 2);
    let reason = &details[0].crl_entry_details.as_ref().unwrap()[0];
    assert_eq!(reason.extn_value.as_bytes(), [0x0a, 0x01, 0x01]);
    // An rp with one status for two certificates is malformed.
    let scfg = server_config();
    let incoming = accept(&rr, &scfg);
    let responder = Responder {
        config: &scfg,
        key: ResponseKey::Mac {
            secret: SECRET,
            algorithm: protection::pbm_algorithm(&[3; 16], 1_000).unwrap(),
        },
        rng: &rng,
        now: NOW,
        extra_certs: &[],
    };
    let accepted = PkiStatusInfo {
        status: PkiStatus::Accepted,
        status_string: None,
        fail_info: None,
    };
    let rp = responder.revocation(&incoming, vec![accepted]).unwrap();
    assert_eq!(
        revoking.handle(&client, &rp, NOW),
        Err(ClientError::MalformedResponse {
            what: "rp status count differs from the rr"
        })
    );
}

#[test]
fn cert_profile_travels_in_general_info() {
    let mut cfg = config();
    cfg.cert_profile = Some("c2pa-claim-signing".into());
    cfg.implicit_confirm = true;
    let rng = SystemRng::new();
    let client = mac_client(&cfg, &rng);
    let scfg = server_config();
    let (genm, _) = client.genm(&[InfoValue::CaCerts(None)], NOW).unwrap();
    let incoming = accept(&genm, &scfg);
    assert_eq!(
        incoming.cert_profile().unwrap().as_deref(),
        Some("c2pa-claim-signing")
    );
    let key = KeyPairSigner::from_pkcs8(
        signet_asn1_types::crypto::SignatureAlgorithm::EcdsaP256Sha256Asn1,
        &generate_pkcs8(KeyType::EcdsaP256).unwrap(),
    )
    .unwrap();
    let req = CertificateRequest::for_signing_key(Some("CN=x".parse().unwrap()), &key).unwrap();
    let (ir, _) = client.ir(&req, NOW).unwrap();
    let incoming = accept(&ir, &scfg);
    assert_eq!(
        incoming.cert_profile().unwrap().as_deref(),
        Some("c2pa-claim-signing")
    );
    assert!(incoming.implicit_confirm_requested());
    // Without a profile, none is sent.
    let plain = config();
    let client = mac_client(&plain, &rng);
    let (genm, _) = client.genm(&[], NOW).unwrap();
    assert_eq!(accept(&genm, &scfg).cert_profile(), Ok(None));
}
