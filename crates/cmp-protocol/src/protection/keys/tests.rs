//! Derived MAC keys: they agree with the one-shot computation on real OpenSSL messages, are
//! bound to their parameters and secret, and the cache stays bounded.

use signet_asn1_types::crypto::SignatureAlgorithm;
use signet_asn1_types::strict::DecodedMessage;

use super::*;
use crate::protection::tests::{PBM_FLOW, msg};
use crate::protection::{pbm_algorithm, pbmac1_algorithm, verify_mac, verify_mac_key};

fn alg_of(m: &DecodedMessage) -> AlgorithmIdentifierOwned {
    m.message.header.protection_alg.clone().unwrap()
}

const SECRET: &[u8] = b"1234-5678-9abc";

#[test]
fn a_derived_key_verifies_what_openssl_protected_and_nothing_else() {
    let policy = ProtectionPolicy::default();
    for name in PBM_FLOW {
        let m = msg(name);
        verify_mac(&m, SECRET, &policy).unwrap();
        let key = MacKey::derive(&alg_of(&m), SECRET, &policy).unwrap();
        verify_mac_key(&m, &key).unwrap();
        let wrong = MacKey::derive(&alg_of(&m), b"1234-5678-9abd", &policy).unwrap();
        assert_eq!(
            verify_mac_key(&m, &wrong),
            Err(ProtectionError::MacMismatch),
            "{name}"
        );
    }
}

#[test]
fn a_key_for_other_parameters_is_a_mismatch_even_with_the_right_secret() {
    let policy = ProtectionPolicy::default();
    let m = msg("ir_pbm.req.der");
    let other = pbm_algorithm(&[1u8; 16], 500).unwrap();
    let key = MacKey::derive(&other, SECRET, &policy).unwrap();
    assert!(!key.is_for(&alg_of(&m)));
    assert_eq!(verify_mac_key(&m, &key), Err(ProtectionError::MacMismatch));
}

#[test]
fn derivation_checks_the_policy_and_refuses_signature_algorithms() {
    let strict = ProtectionPolicy {
        pbm_iterations: 1_000..=100_000,
        ..ProtectionPolicy::default()
    };
    let m = msg("ir_pbm.req.der"); // 500 iterations
    assert!(matches!(
        MacKey::derive(&alg_of(&m), SECRET, &strict),
        Err(ProtectionError::IterationsOutOfRange { count: 500, .. })
    ));
    let sig = SignatureAlgorithm::EcdsaP256Sha256Asn1
        .to_algorithm_identifier()
        .unwrap();
    assert_eq!(
        MacKey::derive(&sig, SECRET, &ProtectionPolicy::default()).map(|_| ()),
        Err(ProtectionError::WrongType)
    );
}

#[test]
fn pbmac1_keys_agree_with_the_one_shot_mac() {
    let policy = ProtectionPolicy::default();
    let alg = pbmac1_algorithm(
        HmacAlgorithm::Sha256,
        HmacAlgorithm::Sha256,
        &[3u8; 16],
        1_000,
    )
    .unwrap();
    let key = MacKey::derive(&alg, b"secret", &policy).unwrap();
    let kind = kind_of(&alg).unwrap();
    let data = b"protected part";
    assert_eq!(
        key.mac(data),
        super::super::compute_mac(&kind, b"secret", data, &policy).unwrap()
    );
}

#[test]
fn the_cache_answers_only_for_the_same_secret_algorithm_and_policy() {
    let policy = ProtectionPolicy::default();
    let cache = MacKeyCache::new(16);
    let m = msg("ir_pbm.req.der");
    let alg = alg_of(&m);
    // A lookup derives but does not remember; remembering is the caller's decision.
    let key = cache.key(&alg, SECRET, &policy).unwrap();
    assert!(cache.is_empty());
    verify_mac_key(&m, &key).unwrap();
    cache.remember(&key);
    assert_eq!(cache.len(), 1);
    verify_mac_key(&m, &cache.key(&alg, SECRET, &policy).unwrap()).unwrap();
    // Another secret under the same parameters never gets the remembered key.
    let other = cache.key(&alg, b"1234-5678-9abd", &policy).unwrap();
    assert_eq!(
        verify_mac_key(&m, &other),
        Err(ProtectionError::MacMismatch)
    );
    // A policy that refuses the parameters refuses them even though a key is remembered.
    let strict = ProtectionPolicy {
        pbm_iterations: 1_000..=100_000,
        ..ProtectionPolicy::default()
    };
    assert!(matches!(
        cache.key(&alg, SECRET, &strict),
        Err(ProtectionError::IterationsOutOfRange { .. })
    ));
}

#[test]
fn the_cache_never_holds_more_than_its_capacity() {
    let policy = ProtectionPolicy::default();
    let cache = MacKeyCache::new(3);
    for i in 0..10u8 {
        let alg = pbm_algorithm(&[i; 16], 100).unwrap();
        cache.remember(&cache.key(&alg, b"s", &policy).unwrap());
        assert!(cache.len() <= 3);
    }
    let none = MacKeyCache::new(0);
    none.remember(
        &none
            .key(&pbm_algorithm(&[0; 16], 100).unwrap(), b"s", &policy)
            .unwrap(),
    );
    assert!(none.is_empty());
}

#[test]
fn debug_output_never_shows_the_key() {
    let alg = pbm_algorithm(&[5u8; 16], 100).unwrap();
    let key = MacKey::derive(&alg, b"s", &ProtectionPolicy::default()).unwrap();
    let shown = format!("{key:?}");
    assert!(!shown.contains("key:"), "{shown}");
}
