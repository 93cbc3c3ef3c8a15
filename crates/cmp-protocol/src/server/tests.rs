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
    }
}

fn certificate() -> Certificate {
    let pem = std::fs::read_to_string(vectors().join("creds/new.crt")).unwrap();
    let (_, der) = signet_asn1_types::der::pem::decode_vec(pem.as_bytes()).unwrap();
    Certificate::from_der(&der).unwrap()
}

/// The OpenSSL ir, received at its own messageTime.
fn ir() -> (Incoming, u64) {
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
fn issue(now: u64) -> (Incoming, AwaitingConfirm) {
    let (incoming, _) = ir();
    incoming
        .authenticate(
            Credential::Mac(SECRET),
            &signet_crypto::Verifier,
            &ProtectionPolicy::default(),
        )
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
    incoming: &Incoming,
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
    let incoming = receive(bytes, &cfg, now).unwrap();
    responder(&cfg, now)
        .confirm(&incoming, awaiting)
        .map(|(_, o)| o)
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
    let received = receive(&late, &cfg, now).unwrap();
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
