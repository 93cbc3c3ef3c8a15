//! Server engine unit tests: certConf checks and header checks, driven with a real OpenSSL ir.
#![allow(
    clippy::disallowed_methods,
    reason = "tests read the shared vectors from disk"
)]

use std::path::PathBuf;

use sha2::Digest;
use signet_asn1_types::cmp::{CertStatus, PkiStatusInfo};
use signet_asn1_types::crypto::RandomError;
use signet_asn1_types::der::Decode;

use super::*;

const SECRET: &[u8] = b"1234-5678-9abc";

struct FixedRng(u8);

impl SecureRandom for FixedRng {
    fn fill(&self, dest: &mut [u8]) -> Result<(), RandomError> {
        dest.fill(self.0);
        Ok(())
    }
}

fn vectors() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/upstream/vectors/cmp/openssl-3.0.19-generated")
}

fn config() -> ServerConfig {
    ServerConfig {
        name: GeneralName::DirectoryName("CN=Test CMP Server".parse().unwrap()),
        limits: Limits::default(),
        protection: ProtectionPolicy::default(),
        max_clock_skew: Duration::from_secs(300),
        confirm_wait: Duration::from_secs(60),
        grant_implicit_confirm: false,
        recipients: Vec::new(),
    }
}

fn certificate() -> Certificate {
    let pem = std::fs::read_to_string(vectors().join("creds/new.crt")).unwrap();
    let (_, der) = signet_asn1_types::der::pem::decode_vec(pem.as_bytes()).unwrap();
    Certificate::from_der(&der).unwrap()
}

/// The OpenSSL ir, received at its own messageTime.
fn ir() -> (Received, u64) {
    let bytes = std::fs::read(vectors().join("msgs/ir_pbm.req.der")).unwrap();
    let probe = decode_pki_message(&bytes, &Limits::default()).unwrap();
    let now = time_secs(probe.message.header.message_time.as_ref().unwrap());
    (receive(&bytes, &config(), now).unwrap(), now)
}

fn responder(config: &ServerConfig, now: u64) -> Responder<'_> {
    Responder {
        config,
        key: ResponseKey::Mac {
            secret: SECRET,
            algorithm: protection::pbm_algorithm(&[5u8; 16], 500).unwrap(),
        },
        rng: &FixedRng(0xAB),
        now,
        extra_certs: &[],
    }
}

/// Issues for the ir and returns the waiting state.
fn issue(now: u64) -> (Authenticated, AwaitingConfirm) {
    let (received, _) = ir();
    let incoming = received
        .authenticate(Credential::Mac(SECRET), &config(), &signet_crypto::Verifier)
        .unwrap();
    let enrollment = incoming
        .enrollment(false, &signet_crypto::Verifier)
        .unwrap();
    let cfg = config();
    let (bytes, awaiting) = responder(&cfg, now)
        .issued(
            &incoming,
            &enrollment,
            &certificate(),
            &[],
            PkiStatus::Accepted,
        )
        .unwrap();
    // The response is itself strictly decodable and MAC-verifiable with the same secret.
    let decoded = decode_pki_message(&bytes, &Limits::default()).unwrap();
    protection::verify_mac(&decoded, SECRET, &ProtectionPolicy::default()).unwrap();
    assert!(matches!(decoded.message.body, PkiBody::Ip(_)));
    assert_eq!(
        decoded.message.header.recip_nonce,
        incoming.header().sender_nonce
    );
    (incoming, awaiting.unwrap())
}

fn cert_conf(
    incoming: &Authenticated,
    awaiting: &AwaitingConfirm,
    hash: Vec<u8>,
    status: Option<PkiStatus>,
    recip_nonce: &[u8],
) -> Vec<u8> {
    let mut header = incoming.header().clone();
    header.recip_nonce = Some(OctetString::new(recip_nonce.to_vec()).unwrap());
    header.sender_nonce = Some(OctetString::new(vec![0x11; 16]).unwrap());
    let body = PkiBody::CertConf(vec![CertStatus {
        cert_hash: OctetString::new(hash).unwrap(),
        cert_req_id: awaiting.cert_req_id,
        status_info: status.map(|s| PkiStatusInfo {
            status: s,
            status_string: None,
            fail_info: None,
        }),
        hash_alg: None,
    }]);
    protection::protect_with_mac(header, body, SECRET, &ProtectionPolicy::default())
        .unwrap()
        .to_der()
        .unwrap()
}

fn confirm(
    bytes: &[u8],
    awaiting: AwaitingConfirm,
    now: u64,
) -> Result<ConfirmOutcome, Box<ConfirmError>> {
    let cfg = config();
    let incoming = authenticated(bytes, &cfg, now);
    responder(&cfg, now)
        .confirm(&incoming, awaiting)
        .map(|(_, o)| o)
}

/// A pending enrollment for the OpenSSL ir (shared with the stored-state tests).
pub(super) fn issued_pending() -> Pending {
    let (received, now) = ir();
    let incoming = received
        .authenticate(Credential::Mac(SECRET), &config(), &signet_crypto::Verifier)
        .unwrap();
    let enrollment = incoming
        .enrollment(false, &signet_crypto::Verifier)
        .unwrap();
    let cfg = config();
    responder(&cfg, now)
        .waiting(&incoming, &enrollment)
        .unwrap()
        .1
}

/// Receives and authenticates a MAC-protected message with [`SECRET`].
fn authenticated(bytes: &[u8], cfg: &ServerConfig, now: u64) -> Authenticated {
    receive(bytes, cfg, now)
        .unwrap()
        .authenticate(Credential::Mac(SECRET), cfg, &signet_crypto::Verifier)
        .unwrap()
}

#[test]
fn cert_conf_with_the_right_hash_and_nonce_is_accepted() {
    let (_, now) = ir();
    let (incoming, awaiting) = issue(now);
    let hash = sha2::Sha256::digest(&awaiting.certificate).to_vec();
    let msg = cert_conf(
        &incoming,
        &awaiting,
        hash,
        Some(PkiStatus::Accepted),
        &awaiting.our_nonce,
    );
    assert_eq!(
        confirm(&msg, awaiting, now + 1).unwrap(),
        ConfirmOutcome::Accepted
    );
}

#[test]
fn rejecting_cert_conf_is_honoured() {
    let (_, now) = ir();
    let (incoming, awaiting) = issue(now);
    let hash = sha2::Sha256::digest(&awaiting.certificate).to_vec();
    let msg = cert_conf(
        &incoming,
        &awaiting,
        hash,
        Some(PkiStatus::Rejection),
        &awaiting.our_nonce,
    );
    assert_eq!(
        confirm(&msg, awaiting, now + 1).unwrap(),
        ConfirmOutcome::Rejected
    );
}

#[test]
fn wrong_cert_hash_nonce_and_late_confirm_give_their_bits() {
    let (_, now) = ir();
    let (incoming, awaiting) = issue(now);
    let good_hash = sha2::Sha256::digest(&awaiting.certificate).to_vec();
    let wrong_hash = cert_conf(&incoming, &awaiting, vec![0; 32], None, &awaiting.our_nonce);
    let err = confirm(&wrong_hash, awaiting.clone(), now + 1).unwrap_err();
    assert_eq!(err.rejection.bit, PkiFailureBit::BadCertId);
    assert_eq!(
        err.state, awaiting,
        "the waiting state is handed back unchanged"
    );
    let wrong_nonce = cert_conf(&incoming, &awaiting, good_hash.clone(), None, &[0x22; 16]);
    assert_eq!(
        confirm(&wrong_nonce, awaiting.clone(), now + 1)
            .unwrap_err()
            .rejection
            .bit,
        PkiFailureBit::BadRecipientNonce
    );
    let late = cert_conf(&incoming, &awaiting, good_hash, None, &awaiting.our_nonce);
    // confirmWaitTime is 60 s; messageTime skew is checked against the same `now`, so receive
    // at the message time and confirm past the deadline.
    let cfg = config();
    let received = authenticated(&late, &cfg, now);
    let err = responder(&cfg, now + 61)
        .confirm(&received, awaiting)
        .unwrap_err();
    assert_eq!(err.rejection.bit, PkiFailureBit::BadTime);
}

#[test]
fn header_checks() {
    let bytes = std::fs::read(vectors().join("msgs/ir_pbm.req.der")).unwrap();
    let (_, now) = ir();
    // messageTime too far from now.
    let r = receive(&bytes, &config(), now + 3_600).unwrap_err();
    assert_eq!(r.bit, PkiFailureBit::BadTime);
    assert!(r.header.is_some(), "the error echoes the request header");
    // Garbage is badDataFormat without a header.
    let r = receive(b"\x30\x03\x02\x01", &config(), now).unwrap_err();
    assert_eq!(r.bit, PkiFailureBit::BadDataFormat);
    assert!(r.header.is_none());
}

#[test]
fn errors_echo_ids_and_are_protected() {
    let (incoming, now) = ir();
    let cfg = config();
    let rejection = incoming.reject(PkiFailureBit::BadPop, "popo missing");
    let bytes = responder(&cfg, now).error(&rejection).unwrap();
    let d = decode_pki_message(&bytes, &Limits::default()).unwrap();
    protection::verify_mac(&d, SECRET, &ProtectionPolicy::default()).unwrap();
    assert_eq!(
        d.message.header.transaction_id,
        incoming.header().transaction_id
    );
    assert_eq!(d.message.header.recip_nonce, incoming.header().sender_nonce);
    let PkiBody::Error(e) = d.message.body else {
        panic!("not an error body")
    };
    assert_eq!(
        e.pki_status_info.failure_info().unwrap().bits(),
        [PkiFailureBit::BadPop]
    );
}

#[test]
fn unprotected_errors_echo_ids_and_carry_no_protection() {
    let (incoming, now) = ir();
    let cfg = config();
    let rejection = incoming.reject(PkiFailureBit::NotAuthorized, "unknown reference");
    let bytes = responder(&cfg, now).unprotected_error(&rejection).unwrap();
    let d = decode_pki_message(&bytes, &Limits::default()).unwrap();
    assert!(d.message.protection.is_none());
    assert!(d.message.header.protection_alg.is_none());
    assert_eq!(
        d.message.header.transaction_id,
        incoming.header().transaction_id
    );
    let PkiBody::Error(e) = d.message.body else {
        panic!("not an error body")
    };
    assert_eq!(
        e.pki_status_info.failure_info().unwrap().bits(),
        [PkiFailureBit::NotAuthorized]
    );
}

/// The OpenSSL ir's header and body with `change` applied, MAC-protected again with
/// [`SECRET`]: only the change is at fault.
fn ir_with(change: impl FnOnce(&mut PkiHeader)) -> (Vec<u8>, u64) {
    let (received, now) = ir();
    let message = received.decoded().message.clone();
    let mut header = message.header;
    change(&mut header);
    let bytes =
        protection::protect_with_mac(header, message.body, SECRET, &ProtectionPolicy::default())
            .unwrap()
            .to_der()
            .unwrap();
    (bytes, now)
}

fn itav(
    oid: signet_asn1_types::der::asn1::ObjectIdentifier,
    value: Option<signet_asn1_types::der::Any>,
) -> InfoTypeAndValue {
    InfoTypeAndValue {
        info_type: oid,
        info_value: value,
    }
}

#[test]
fn general_info_a_request_may_not_carry_is_refused() {
    use signet_asn1_types::cmp::oid;
    use signet_asn1_types::der::Any;
    // implicitConfirm's value is NULL (RFC 9483 §3.1); an INTEGER is malformed.
    let (bytes, now) = ir_with(|h| {
        h.general_info = Some(NonEmpty::one(itav(
            oid::IT_IMPLICIT_CONFIRM,
            Some(Any::from_der(&[0x02, 0x01, 0x05]).unwrap()),
        )));
    });
    let r = receive(&bytes, &config(), now).unwrap_err();
    assert_eq!(r.bit, PkiFailureBit::BadDataFormat, "{}", r.text);
    // confirmWaitTime is the server's to send, with or without implicitConfirm.
    let time =
        GeneralizedTimeFrac::from(DateTime::from_unix_duration(Duration::from_secs(now)).unwrap());
    let wait = Any::from_der(&time.to_der().unwrap()).unwrap();
    let (bytes, now) = ir_with(|h| {
        h.general_info = NonEmpty::new(vec![
            itav(oid::IT_IMPLICIT_CONFIRM, Some(Any::from(Null))),
            itav(oid::IT_CONFIRM_WAIT_TIME, Some(wait)),
        ]);
    });
    let r = receive(&bytes, &config(), now).unwrap_err();
    assert_eq!(r.bit, PkiFailureBit::BadRequest, "{}", r.text);
    // A missing transactionID is badDataFormat; a short one badRequest.
    let (bytes, now) = ir_with(|h| h.transaction_id = None);
    assert_eq!(
        receive(&bytes, &config(), now).unwrap_err().bit,
        PkiFailureBit::BadDataFormat
    );
    let (bytes, now) = ir_with(|h| h.transaction_id = Some(OctetString::new(vec![1; 8]).unwrap()));
    assert_eq!(
        receive(&bytes, &config(), now).unwrap_err().bit,
        PkiFailureBit::BadRequest
    );
}

#[test]
fn authentication_checks_recipient_and_sender_before_the_mac() {
    let verifier = signet_crypto::Verifier;
    let authenticate = |bytes: &[u8], now: u64, cfg: &ServerConfig| {
        receive(bytes, cfg, now)
            .unwrap()
            .authenticate(Credential::Mac(SECRET), cfg, &verifier)
            .map(|_| ())
    };
    // Addressed to another CA: wrongAuthority.
    let (bytes, now) = ir_with(|h| {
        h.recipient = GeneralName::DirectoryName("CN=Some Other CA".parse().unwrap());
    });
    let r = authenticate(&bytes, now, &config()).unwrap_err();
    assert_eq!(r.bit, PkiFailureBit::WrongAuthority);
    // ... unless this server answers for it.
    let mut cfg = config();
    cfg.recipients.push(GeneralName::DirectoryName(
        "CN=Some Other CA".parse().unwrap(),
    ));
    authenticate(&bytes, now, &cfg).unwrap();
    // A NULL-DN recipient and the server's own name are fine.
    let (bytes, now) = ir_with(|h| h.recipient = GeneralName::DirectoryName(Default::default()));
    authenticate(&bytes, now, &config()).unwrap();
    let (bytes, now) = ir_with(|h| h.recipient = config().name);
    authenticate(&bytes, now, &config()).unwrap();
    // MAC protection: the sender is a directoryName.
    let (bytes, now) = ir_with(|h| {
        h.sender = GeneralName::Rfc822Name("ee@example.com".to_owned().try_into().unwrap());
    });
    let r = authenticate(&bytes, now, &config()).unwrap_err();
    assert_eq!(r.bit, PkiFailureBit::BadMessageCheck, "{}", r.text);
    // A wrong secret is badMessageCheck too, and a signature credential for a MAC request.
    let (bytes, now) = ir_with(|_| {});
    let r = receive(&bytes, &config(), now)
        .unwrap()
        .authenticate(Credential::Mac(b"wrong"), &config(), &verifier)
        .unwrap_err();
    assert_eq!(r.bit, PkiFailureBit::BadMessageCheck);
    let r = receive(&bytes, &config(), now)
        .unwrap()
        .authenticate(Credential::Signature(&certificate()), &config(), &verifier)
        .unwrap_err();
    assert_eq!(r.bit, PkiFailureBit::BadMessageCheck);
}

/// The server of the signed requests: OpenSSL addresses them to the signer's issuer.
fn ca_config() -> ServerConfig {
    let mut cfg = config();
    cfg.recipients.push(GeneralName::DirectoryName(
        "CN=Test Root CA".parse().unwrap(),
    ));
    cfg
}

/// The OpenSSL cr, signed by `cl.crt`, received at its own messageTime.
fn signed_cr() -> (Received, u64, Certificate) {
    let bytes = std::fs::read(vectors().join("msgs/cr_sig.req.der")).unwrap();
    let probe = decode_pki_message(&bytes, &Limits::default()).unwrap();
    let now = time_secs(probe.message.header.message_time.as_ref().unwrap());
    let signer = probe
        .message
        .extra_certs
        .as_ref()
        .unwrap()
        .first()
        .unwrap()
        .clone();
    (receive(&bytes, &ca_config(), now).unwrap(), now, signer)
}

#[test]
fn a_signed_request_is_authenticated_by_its_certificate() {
    let verifier = signet_crypto::Verifier;
    let (received, _, signer) = signed_cr();
    // OpenSSL addressed it to the signer's issuer: accepted without being configured.
    assert_eq!(
        signer.tbs_certificate().issuer().to_string(),
        "CN=Test Root CA"
    );
    let incoming = received
        .authenticate(Credential::Signature(&signer), &config(), &verifier)
        .unwrap();
    assert_eq!(incoming.credential(), Verified::Signature);
}

#[test]
fn a_signed_request_must_name_its_signer() {
    use signet_asn1_types::crypto::SignatureAlgorithm;
    use signet_crypto::KeyPairSigner;
    let verifier = signet_crypto::Verifier;
    let (received, now, signer) = signed_cr();
    let key_pem = std::fs::read_to_string(vectors().join("creds/cl.key")).unwrap();
    let (_, key_der) = signet_asn1_types::der::pem::decode_vec(key_pem.as_bytes()).unwrap();
    let key = KeyPairSigner::from_pkcs8(SignatureAlgorithm::EcdsaP256Sha256Asn1, &key_der).unwrap();
    let message = received.decoded().message.clone();
    // Re-signed by the same key, with the header changed: only the change is at fault.
    let resign = |change: &dyn Fn(&mut PkiHeader)| {
        let mut header = message.header.clone();
        change(&mut header);
        let mut protected =
            protection::protect_with_signature(header, message.body.clone(), &key).unwrap();
        protected.extra_certs = message.extra_certs.clone();
        let bytes = protected.to_der().unwrap();
        let cfg = ca_config();
        receive(&bytes, &cfg, now)
            .unwrap()
            .authenticate(Credential::Signature(&signer), &cfg, &verifier)
            .map(|_| ())
    };
    resign(&|_| {}).unwrap();
    // Addressed to a CA that is neither this server's nor the signer's issuer.
    let r = resign(&|h| {
        h.recipient = GeneralName::DirectoryName("CN=Some Other CA".parse().unwrap());
    })
    .unwrap_err();
    assert_eq!(r.bit, PkiFailureBit::WrongAuthority, "{}", r.text);
    // A sender that is not the certificate's subject (here: its issuer).
    let issuer = signer.tbs_certificate().issuer().clone();
    let r = resign(&|h| h.sender = GeneralName::DirectoryName(issuer.clone())).unwrap_err();
    assert_eq!(r.bit, PkiFailureBit::BadMessageCheck, "{}", r.text);
    // No senderKID although the certificate has a subjectKeyIdentifier.
    let r = resign(&|h| h.sender_kid = None).unwrap_err();
    assert_eq!(r.bit, PkiFailureBit::BadMessageCheck, "{}", r.text);
    // Another senderKID.
    let r = resign(&|h| h.sender_kid = Some(OctetString::new(vec![9; 20]).unwrap())).unwrap_err();
    assert_eq!(r.bit, PkiFailureBit::BadMessageCheck, "{}", r.text);
}

#[test]
fn an_accepting_cert_conf_with_a_fail_info_is_refused() {
    let (_, now) = ir();
    let (incoming, awaiting) = issue(now);
    let hash = sha2::Sha256::digest(&awaiting.certificate).to_vec();
    let mut header = incoming.header().clone();
    header.recip_nonce = Some(OctetString::new(awaiting.our_nonce.clone()).unwrap());
    header.sender_nonce = Some(OctetString::new(vec![0x11; 16]).unwrap());
    let body = PkiBody::CertConf(vec![CertStatus {
        cert_hash: OctetString::new(hash).unwrap(),
        cert_req_id: awaiting.cert_req_id,
        status_info: Some(PkiStatusInfo {
            status: PkiStatus::Accepted,
            status_string: None,
            fail_info: Some(
                PkiFailureInfo::from_bit(PkiFailureBit::BadPop)
                    .to_bit_string()
                    .unwrap(),
            ),
        }),
        hash_alg: None,
    }]);
    let msg = protection::protect_with_mac(header, body, SECRET, &ProtectionPolicy::default())
        .unwrap()
        .to_der()
        .unwrap();
    let err = confirm(&msg, awaiting.clone(), now + 1).unwrap_err();
    assert_eq!(err.rejection.bit, PkiFailureBit::BadRequest);
    assert_eq!(err.state, awaiting);
}
