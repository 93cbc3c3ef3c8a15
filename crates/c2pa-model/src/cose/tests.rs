//! Claim signature tests: sign/parse/verify round trips, padding, and real c2pa-rs signatures.
#![allow(
    clippy::disallowed_methods,
    reason = "tests read the shared vectors from disk"
)]

use std::path::PathBuf;

use signet_asn1_types::der::{Decode, Encode};
use signet_asn1_types::x509_cert::Certificate;
use signet_crypto::{KeyPairSigner, KeyType, Verifier, generate_pkcs8};

use super::*;
use crate::container::{ContainerLimits, jpeg};
use crate::jumbf::Limits;
use crate::store::ManifestStore;

fn spki_of(cert_der: &[u8]) -> Vec<u8> {
    let cert = Certificate::from_der(cert_der).unwrap();
    cert.tbs_certificate()
        .subject_public_key_info()
        .to_der()
        .unwrap()
}

#[test]
fn real_c2pa_rs_signature_verifies_and_tampering_fails() {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/upstream/vectors/c2pa/rs/C.jpg");
    let bytes = std::fs::read(path).unwrap();
    let found = jpeg::locate(bytes.as_slice(), &ContainerLimits::default())
        .unwrap()
        .unwrap();
    let store = ManifestStore::from_bytes(found.store, &Limits::default()).unwrap();
    let m = store.active_manifest().unwrap();
    let (claim, _) = m.claim_cbor().unwrap();
    let sig = ClaimSignature::parse(m.signature_cbor().unwrap()).unwrap();
    assert_eq!(sig.x5chain_location, X5ChainLocation::Protected);
    assert!(!sig.x5chain.is_empty());
    assert_eq!(
        sig.sig_tst2.len() + sig.sig_tst.len(),
        1,
        "C.jpg is time-stamped"
    );
    let spki = spki_of(&sig.x5chain[0]);
    sig.verify(claim, &spki, &Verifier).unwrap();
    let mut tampered = claim.to_vec();
    let last = tampered.len() - 1;
    tampered[last] ^= 1;
    assert!(sig.verify(&tampered, &spki, &Verifier).is_err());
}

fn signer(kind: KeyType) -> KeyPairSigner {
    let alg = match kind {
        KeyType::EcdsaP256 => SignatureAlgorithm::EcdsaP256Sha256Fixed,
        KeyType::EcdsaP384 => SignatureAlgorithm::EcdsaP384Sha384Fixed,
        KeyType::Ed25519 => SignatureAlgorithm::Ed25519,
        _ => SignatureAlgorithm::RsaPssSha256,
    };
    let pkcs8 = generate_pkcs8(kind).unwrap();
    KeyPairSigner::from_pkcs8(alg, pkcs8.as_ref()).unwrap()
}

#[test]
fn sign_parse_verify_for_each_algorithm() {
    for kind in [
        KeyType::EcdsaP256,
        KeyType::EcdsaP384,
        KeyType::Ed25519,
        KeyType::Rsa2048,
    ] {
        let s = signer(kind);
        let fake_chain = vec![b"leaf-cert-der".to_vec(), b"intermediate".to_vec()];
        let opts = SignOptions {
            signer: &s,
            chain: &fake_chain,
            timestamper: None,
            ocsp_vals: &[b"ocsp".to_vec()],
        };
        let claim = b"\xa1\x61a\x01";
        let cose = sign_claim(claim, &opts, None).unwrap();
        let parsed = ClaimSignature::parse(&cose).unwrap();
        assert_eq!(parsed.algorithm, Some(s.algorithm()), "{kind:?}");
        assert_eq!(parsed.x5chain, fake_chain);
        assert_eq!(parsed.ocsp_vals, vec![b"ocsp".to_vec()]);
        parsed.verify(claim, s.public_key_der(), &Verifier).unwrap();
        assert!(
            parsed
                .verify(b"\xa0", s.public_key_der(), &Verifier)
                .is_err()
        );
    }
}

#[test]
fn padding_hits_every_target_size() {
    let s = signer(KeyType::EcdsaP256);
    let chain = vec![vec![7u8; 300]];
    let opts = SignOptions {
        signer: &s,
        chain: &chain,
        timestamper: None,
        ocsp_vals: &[],
    };
    let bare = sign_claim(b"\xa0", &opts, None).unwrap().len();
    for target in bare..bare + 300 {
        let cose = sign_claim(b"\xa0", &opts, Some(target)).unwrap();
        assert_eq!(cose.len(), target);
        ClaimSignature::parse(&cose)
            .unwrap()
            .verify(b"\xa0", s.public_key_der(), &Verifier)
            .unwrap();
    }
    assert!(matches!(
        sign_claim(b"\xa0", &opts, Some(bare - 1)),
        Err(SignatureError::TooLarge { .. })
    ));
}

#[test]
fn x5chain_in_both_buckets_is_reported() {
    let s = signer(KeyType::EcdsaP256);
    let chain = vec![vec![1u8; 10]];
    let opts = SignOptions {
        signer: &s,
        chain: &chain,
        timestamper: None,
        ocsp_vals: &[],
    };
    let mut sign1 =
        CoseSign1::from_tagged_slice(&sign_claim(b"\xa0", &opts, None).unwrap()).unwrap();
    sign1
        .unprotected
        .rest
        .push((Label::Int(X5CHAIN), Value::Bytes(vec![1u8; 10])));
    let parsed = ClaimSignature::parse(&sign1.to_tagged_vec().unwrap()).unwrap();
    assert_eq!(parsed.x5chain_location, X5ChainLocation::Both);
}

#[test]
fn garbage_is_an_error_not_a_panic() {
    for input in [
        &b""[..],
        b"\x00",
        b"\xd2\x84",
        b"\xd2\x84\x40\xa0\xf6\x40\x00",
    ] {
        assert!(ClaimSignature::parse(input).is_err());
    }
}
