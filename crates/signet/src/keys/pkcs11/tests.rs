//! Unit tests of the PKCS#11 helpers (the token itself is exercised against SoftHSM2 by the
//! integration tests, `tests/it/hsm.rs`).

use signet_asn1_types::crypto::{SignatureAlgorithm, SignatureVerifier, Signer};
use signet_crypto::{KeyPairSigner, KeyType, Verifier, generate_pkcs8};

use super::{algorithm_of, ecdsa_der};

/// A fixed `r ‖ s` signature re-encoded as DER verifies as the ASN.1 form, for each curve
/// (high bits set or not: `UintRef` adds the zero octet when needed).
#[test]
fn raw_ecdsa_signatures_become_der_that_verifies() {
    for (kind, fixed, asn1) in [
        (
            KeyType::EcdsaP256,
            SignatureAlgorithm::EcdsaP256Sha256Fixed,
            SignatureAlgorithm::EcdsaP256Sha256Asn1,
        ),
        (
            KeyType::EcdsaP384,
            SignatureAlgorithm::EcdsaP384Sha384Fixed,
            SignatureAlgorithm::EcdsaP384Sha384Asn1,
        ),
        (
            // No KeyType for P-521: made with aws-lc-rs below.
            KeyType::Ed25519,
            SignatureAlgorithm::EcdsaP521Sha512Fixed,
            SignatureAlgorithm::EcdsaP521Sha512Asn1,
        ),
    ] {
        let pkcs8 = if fixed == SignatureAlgorithm::EcdsaP521Sha512Fixed {
            aws_lc_rs::signature::EcdsaKeyPair::generate_pkcs8(
                &aws_lc_rs::signature::ECDSA_P521_SHA512_FIXED_SIGNING,
                &aws_lc_rs::rand::SystemRandom::new(),
            )
            .unwrap()
            .as_ref()
            .to_vec()
        } else {
            generate_pkcs8(kind).unwrap().to_vec()
        };
        let key = KeyPairSigner::from_pkcs8(fixed, &pkcs8).unwrap();
        assert_eq!(algorithm_of(key.public_key_der()).unwrap(), asn1);
        for i in 0..16u8 {
            let message = [i; 7];
            let raw = key.sign(&message).unwrap();
            let der = ecdsa_der(&raw).unwrap();
            Verifier
                .verify(asn1, key.public_key_der(), &message, &der)
                .unwrap();
        }
    }
    assert!(ecdsa_der(&[]).is_none());
    assert!(ecdsa_der(&[1, 2, 3]).is_none());
}

#[test]
fn ed25519_keys_are_named_as_unsupported_on_a_token() {
    let pkcs8 = generate_pkcs8(KeyType::Ed25519).unwrap();
    let key = KeyPairSigner::from_pkcs8(SignatureAlgorithm::Ed25519, &pkcs8).unwrap();
    let e = algorithm_of(key.public_key_der()).unwrap_err().to_string();
    assert!(
        e.contains("unsupported public key algorithm 1.3.101.112"),
        "{e}"
    );
}
