//! Protection tests: real OpenSSL messages, and the negative cases of openssl-cmp.md §2.3.
#![allow(
    clippy::disallowed_methods,
    reason = "tests read the shared vectors from disk"
)]

use std::path::PathBuf;

use signet_asn1_types::cmp::{PkiBody, PkiFailureBit, PkiHeader};
use signet_asn1_types::crypto::SignatureAlgorithm;
use signet_asn1_types::der::Encode;
use signet_asn1_types::der::asn1::Null;
use signet_asn1_types::strict::{Limits, decode_pki_message};
use signet_asn1_types::x509_cert::ext::pkix::name::GeneralName;
use signet_crypto::{KeyPairSigner, KeyType, Verifier, generate_pkcs8};

use super::*;

/// The bytes of an OpenSSL-generated message of the shared vectors.
pub(super) fn vector(name: &str) -> Vec<u8> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/upstream/vectors/cmp/openssl-3.0.19-generated/msgs")
        .join(name);
    std::fs::read(path).unwrap()
}

/// OpenSSL's MAC-protected ir transaction, in order (secret `1234-5678-9abc`).
pub(super) const PBM_FLOW: [&str; 4] = [
    "ir_pbm.req.der",
    "ir_pbm.ip.der",
    "ir_pbm.certConf.der",
    "ir_pbm.pkiConf.der",
];

/// That message, decoded.
pub(super) fn msg(name: &str) -> DecodedMessage {
    decode_pki_message(&vector(name), &Limits::default()).unwrap()
}

fn header(alg: Option<AlgorithmIdentifierOwned>) -> PkiHeader {
    PkiHeader {
        pvno: 2,
        sender: GeneralName::DirectoryName("CN=test".parse().unwrap()),
        recipient: GeneralName::DirectoryName("CN=ca".parse().unwrap()),
        message_time: None,
        protection_alg: alg,
        sender_kid: None,
        recip_kid: None,
        transaction_id: Some(OctetString::new([7u8; 16]).unwrap()),
        sender_nonce: Some(OctetString::new([9u8; 16]).unwrap()),
        recip_nonce: None,
        free_text: None,
        general_info: None,
    }
}

#[test]
fn openssl_pbm_verifies_and_a_wrong_secret_is_bad_message_check() {
    let m = msg("ir_pbm.req.der");
    verify_mac(&m, b"1234-5678-9abc", &ProtectionPolicy::default()).unwrap();
    let err = verify_mac(&m, b"wrong", &ProtectionPolicy::default()).unwrap_err();
    assert_eq!(err, ProtectionError::MacMismatch);
    assert_eq!(err.failure_bit(), PkiFailureBit::BadMessageCheck);
    // HMAC-SHA256 with a SHA-384 OWF (openssl -mac hmacWithSHA256 -digest sha384).
    verify_mac(
        &msg("ir_pbm_hmacWithSHA256.req.der"),
        b"1234-5678-9abc",
        &ProtectionPolicy::default(),
    )
    .unwrap();
}

#[test]
fn out_of_range_iterations_are_refused_before_any_work() {
    let m = msg("ir_pbm.req.der"); // 500 iterations
    let strict = ProtectionPolicy {
        pbm_iterations: 1_000..=100_000,
        ..ProtectionPolicy::default()
    };
    let err = verify_mac(&m, b"1234-5678-9abc", &strict).unwrap_err();
    assert_eq!(
        err,
        ProtectionError::IterationsOutOfRange {
            count: 500,
            min: 1_000,
            max: 100_000
        }
    );
    assert_eq!(err.failure_bit(), PkiFailureBit::BadMessageCheck);
    // A hostile count (2^31) is refused instantly: no 2 billion SHA-256 rounds happen.
    let alg = pbm_algorithm(&[1u8; 16], 2_147_483_647).unwrap();
    let policy = ProtectionPolicy {
        pbm_iterations: 1..=u64::MAX,
        ..ProtectionPolicy::default()
    };
    let built = protect_with_mac(
        header(Some(pbm_algorithm(&[1u8; 16], 500).unwrap())),
        PkiBody::Pkiconf(Null),
        b"s",
        &policy,
    )
    .unwrap();
    let mut hostile = built.clone();
    hostile.header.protection_alg = Some(alg);
    let der = hostile.to_der().unwrap();
    let decoded = decode_pki_message(&der, &Limits::default()).unwrap();
    let err = verify_mac(&decoded, b"s", &ProtectionPolicy::default()).unwrap_err();
    assert!(matches!(
        err,
        ProtectionError::IterationsOutOfRange {
            count: 2_147_483_647,
            ..
        }
    ));
}

#[test]
fn created_mac_protection_verifies_over_received_bytes() {
    let policy = ProtectionPolicy::default();
    let m = protect_with_mac(
        header(Some(pbm_algorithm(&[3u8; 16], 1_000).unwrap())),
        PkiBody::Pkiconf(Null),
        b"secret",
        &policy,
    )
    .unwrap();
    let decoded = decode_pki_message(&m.to_der().unwrap(), &Limits::default()).unwrap();
    verify_mac(&decoded, b"secret", &policy).unwrap();
    assert_eq!(
        verify_mac(&decoded, b"secreT", &policy),
        Err(ProtectionError::MacMismatch)
    );
}

#[test]
fn signature_protection_round_trip_and_wrong_key() {
    let pkcs8 = generate_pkcs8(KeyType::EcdsaP256).unwrap();
    let signer =
        KeyPairSigner::from_pkcs8(SignatureAlgorithm::EcdsaP256Sha256Asn1, &pkcs8).unwrap();
    let m = protect_with_signature(header(None), PkiBody::Pkiconf(Null), &signer).unwrap();
    let decoded = decode_pki_message(&m.to_der().unwrap(), &Limits::default()).unwrap();
    verify_signature(&decoded, signer.public_key_der(), &Verifier).unwrap();
    let other = KeyPairSigner::from_pkcs8(
        SignatureAlgorithm::EcdsaP256Sha256Asn1,
        &generate_pkcs8(KeyType::EcdsaP256).unwrap(),
    )
    .unwrap();
    assert_eq!(
        verify_signature(&decoded, other.public_key_der(), &Verifier),
        Err(ProtectionError::SignatureInvalid)
    );
    // A MAC check on a signed message is the wrong protection type.
    assert_eq!(
        verify_mac(&decoded, b"x", &ProtectionPolicy::default()),
        Err(ProtectionError::WrongType)
    );
    assert_eq!(
        ProtectionError::WrongType.failure_bit(),
        PkiFailureBit::WrongIntegrity
    );
}

#[test]
fn missing_and_unsupported_protection() {
    let unprotected = msg("ir_unprotected.req.der");
    assert_eq!(
        verify_mac(&unprotected, b"x", &ProtectionPolicy::default()),
        Err(ProtectionError::Missing)
    );
    let weird = AlgorithmIdentifierOwned {
        oid: ObjectIdentifier::new_unwrap("1.2.3.4"),
        parameters: None,
    };
    let err = kind(&header(Some(weird))).unwrap_err();
    assert_eq!(err.failure_bit(), PkiFailureBit::BadAlg);
}

#[test]
fn one_pass_encoding_reproduces_openssl_messages_byte_for_byte() {
    // Header, body and extraCerts of OpenSSL's own messages, re-assembled with the MAC
    // computed over the once-encoded ProtectedPart: the same bytes OpenSSL sent.
    let policy = ProtectionPolicy::default();
    for name in PBM_FLOW {
        let original = vector(name);
        let m = decode_pki_message(&original, &Limits::default())
            .unwrap()
            .message;
        let kind = kind(&m.header).unwrap();
        let extra: Vec<_> = m.extra_certs.iter().flatten().collect();
        let encoded = encode_protected(
            &m.header,
            &m.body,
            |part| compute_mac(&kind, b"1234-5678-9abc", part, &policy),
            &extra,
        )
        .unwrap();
        assert_eq!(encoded, original, "{name}");
    }
    // A signature over the one-pass ProtectedPart verifies.
    let pkcs8 = generate_pkcs8(KeyType::EcdsaP256).unwrap();
    let signer =
        KeyPairSigner::from_pkcs8(SignatureAlgorithm::EcdsaP256Sha256Asn1, &pkcs8).unwrap();
    let h = header(Some(signer.algorithm().to_algorithm_identifier().unwrap()));
    let der = encode_protected(
        &h,
        &PkiBody::Pkiconf(Null),
        |part| signer.sign(part).map_err(|_| ProtectionError::Encoding),
        &[],
    )
    .unwrap();
    let decoded = decode_pki_message(&der, &Limits::default()).unwrap();
    assert!(decoded.message.extra_certs.is_none());
    verify_signature(&decoded, signer.public_key_der(), &Verifier).unwrap();
}

/// A salt shorter than RFC 8018 §4.1's eight octets, or a hostile 200 KB one, is refused with
/// badMessageCheck before anything is derived, for PasswordBasedMac and PBMAC1 alike; the
/// bounds themselves are accepted.
#[test]
fn salts_are_bounded_both_ways() {
    let anything = ProtectionPolicy {
        salt_len: 0..=usize::MAX,
        ..ProtectionPolicy::default()
    };
    let algorithms = |salt: &[u8]| {
        [
            pbm_algorithm(salt, 500).unwrap(),
            pbmac1_algorithm(HmacAlgorithm::Sha256, HmacAlgorithm::Sha256, salt, 1_000).unwrap(),
        ]
    };
    let protected = |alg: AlgorithmIdentifierOwned| {
        let m =
            protect_with_mac(header(Some(alg)), PkiBody::Pkiconf(Null), b"s", &anything).unwrap();
        decode_pki_message(&m.to_der().unwrap(), &Limits::default()).unwrap()
    };
    let policy = ProtectionPolicy::default();
    for len in [0usize, 7, 65, 200_000] {
        for alg in algorithms(&vec![0x5a; len]) {
            let err = verify_mac(&protected(alg), b"s", &policy).unwrap_err();
            assert_eq!(
                err,
                ProtectionError::SaltLengthOutOfRange {
                    len,
                    min: 8,
                    max: 64
                }
            );
            assert_eq!(err.failure_bit(), PkiFailureBit::BadMessageCheck);
        }
    }
    for len in [8usize, 16, 64] {
        for alg in algorithms(&vec![0x5a; len]) {
            verify_mac(&protected(alg), b"s", &policy).unwrap();
        }
    }
}

/// PBMAC1 with the 262,144 PBKDF2 iterations current clients send is accepted by the default
/// policy; 10^9 is refused before any derivation (the test would take minutes otherwise), and
/// the bound is the policy's to set.
#[test]
fn pbkdf2_iterations_are_a_policy_bound() {
    let anything = ProtectionPolicy {
        pbkdf2_iterations: 1..=u64::MAX,
        ..ProtectionPolicy::default()
    };
    let protected = |iterations: u32| {
        let alg = pbmac1_algorithm(
            HmacAlgorithm::Sha256,
            HmacAlgorithm::Sha256,
            &[7; 16],
            iterations,
        )
        .unwrap();
        let m =
            protect_with_mac(header(Some(alg)), PkiBody::Pkiconf(Null), b"s", &anything).unwrap();
        decode_pki_message(&m.to_der().unwrap(), &Limits::default()).unwrap()
    };
    // A hostile count with a made-up MAC value: computing a real one would take the
    // iterations the check is there to refuse.
    let hostile = |iterations: u32| {
        let alg = pbmac1_algorithm(
            HmacAlgorithm::Sha256,
            HmacAlgorithm::Sha256,
            &[7; 16],
            iterations,
        )
        .unwrap();
        let m = PkiMessage {
            header: header(Some(alg)),
            body: PkiBody::Pkiconf(Null),
            protection: Some(BitString::from_bytes(&[0; 32]).unwrap()),
            extra_certs: None,
        };
        decode_pki_message(&m.to_der().unwrap(), &Limits::default()).unwrap()
    };
    let policy = ProtectionPolicy::default();
    assert_eq!(*policy.pbkdf2_iterations.end(), 600_000);
    verify_mac(&protected(262_144), b"s", &policy).unwrap();
    let err = verify_mac(&hostile(1_000_000_000), b"s", &policy).unwrap_err();
    assert_eq!(
        err,
        ProtectionError::IterationsOutOfRange {
            count: 1_000_000_000,
            min: 1_000,
            max: 600_000
        }
    );
    assert_eq!(err.failure_bit(), PkiFailureBit::BadMessageCheck);
    let strict = ProtectionPolicy {
        pbkdf2_iterations: 1_000..=100_000,
        ..ProtectionPolicy::default()
    };
    assert!(matches!(
        verify_mac(&hostile(262_144), b"s", &strict),
        Err(ProtectionError::IterationsOutOfRange { count: 262_144, .. })
    ));
}
