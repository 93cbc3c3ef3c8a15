//! Unit tests for the aws-lc-rs provider: keys generated in-test; sign → verify, tamper → fail,
//! wrong key type or curve → `BadPublicKey`.

use aws_lc_rs::signature::{self as sig, EcdsaKeyPair};
use hex_literal::hex;
use signet_asn1_types::crypto::{
    SecureRandom, SignatureAlgorithm as A, SignatureVerifier, Signer, VerifyError,
};

use crate::{Error, KeyPairSigner, KeyType, SystemRng, Verifier, generate_pkcs8, key_wrap};

/// A 1024-bit RSA public key (`openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:1024`).
const RSA_1024_SPKI: [u8; 162] = hex!(
    "30819f300d06092a864886f70d010101050003818d0030818902818100a2cd07c30f8f07a370b252cb68c65c61"
    "a75ce54ea3c6a7ccf70328a905c89cba5f4a497a5dbdfc5fc4938eccfa41cbe5171ad812da475f19352667b3a1"
    "d785d219f36ccfb7ee5027f4c482c5bbb696e151166ecbfcc6c368058744b3a233bec8de38258c87e933751dd6"
    "6b7ae104bc32b6f695091f4bb3729eb82e83068724350203010001"
);

fn p521_pkcs8() -> Vec<u8> {
    let kp = EcdsaKeyPair::generate(&sig::ECDSA_P521_SHA512_ASN1_SIGNING).unwrap();
    kp.to_pkcs8v1().unwrap().as_ref().to_vec()
}

/// Every algorithm with a freshly generated key of the right type.
fn signers() -> Vec<KeyPairSigner> {
    let p256 = generate_pkcs8(KeyType::EcdsaP256).unwrap();
    let p384 = generate_pkcs8(KeyType::EcdsaP384).unwrap();
    let p521 = p521_pkcs8();
    let ed = generate_pkcs8(KeyType::Ed25519).unwrap();
    let rsa = generate_pkcs8(KeyType::Rsa2048).unwrap();
    let table: [(A, &[u8]); 13] = [
        (A::EcdsaP256Sha256Asn1, &p256),
        (A::EcdsaP256Sha256Fixed, &p256),
        (A::EcdsaP384Sha384Asn1, &p384),
        (A::EcdsaP384Sha384Fixed, &p384),
        (A::EcdsaP521Sha512Asn1, &p521),
        (A::EcdsaP521Sha512Fixed, &p521),
        (A::Ed25519, &ed),
        (A::RsaPkcs1Sha256, &rsa),
        (A::RsaPkcs1Sha384, &rsa),
        (A::RsaPkcs1Sha512, &rsa),
        (A::RsaPssSha256, &rsa),
        (A::RsaPssSha384, &rsa),
        (A::RsaPssSha512, &rsa),
    ];
    table
        .iter()
        .map(|(alg, der)| KeyPairSigner::from_pkcs8(*alg, der).unwrap())
        .collect()
}

#[test]
fn sign_verify_tamper() {
    let msg = b"signet test message";
    for s in signers() {
        let alg = s.algorithm();
        let sig = s.sign(msg).unwrap();
        assert_eq!(
            Verifier.verify(alg, s.public_key_der(), msg, &sig),
            Ok(()),
            "{alg:?}"
        );
        // Tampered message.
        assert_eq!(
            Verifier.verify(alg, s.public_key_der(), b"signet test messagf", &sig),
            Err(VerifyError::BadSignature),
            "{alg:?} tampered message"
        );
        // Tampered signature.
        let mut bad = sig.clone();
        let last = bad.len() - 1;
        bad[last] ^= 1;
        assert_eq!(
            Verifier.verify(alg, s.public_key_der(), msg, &bad),
            Err(VerifyError::BadSignature),
            "{alg:?} tampered signature"
        );
    }
}

#[test]
fn signature_lengths_follow_encoding() {
    for s in signers() {
        let len = s.sign(b"x").unwrap().len();
        match s.algorithm() {
            A::EcdsaP256Sha256Fixed => assert_eq!(len, 64),
            A::EcdsaP384Sha384Fixed => assert_eq!(len, 96),
            A::EcdsaP521Sha512Fixed => assert_eq!(len, 132),
            A::EcdsaP256Sha256Asn1 => assert!((8..=72).contains(&len)),
            A::EcdsaP384Sha384Asn1 => assert!((8..=104).contains(&len)),
            A::EcdsaP521Sha512Asn1 => assert!((8..=139).contains(&len)),
            A::Ed25519 => assert_eq!(len, 64),
            _ => assert_eq!(len, 256),
        }
    }
}

#[test]
fn asn1_and_fixed_encodings_are_not_interchangeable() {
    let p256 = generate_pkcs8(KeyType::EcdsaP256).unwrap();
    let s = KeyPairSigner::from_pkcs8(A::EcdsaP256Sha256Fixed, &p256).unwrap();
    let sig = s.sign(b"m").unwrap();
    assert_eq!(
        Verifier.verify(A::EcdsaP256Sha256Asn1, s.public_key_der(), b"m", &sig),
        Err(VerifyError::BadSignature)
    );
}

#[test]
fn wrong_key_type_or_curve_is_bad_public_key() {
    let all = signers();
    let key_of = |alg: A| {
        all.iter()
            .find(|s| s.algorithm() == alg)
            .unwrap()
            .public_key_der()
            .to_vec()
    };
    let p256 = key_of(A::EcdsaP256Sha256Asn1);
    let p384 = key_of(A::EcdsaP384Sha384Asn1);
    let ed = key_of(A::Ed25519);
    let rsa = key_of(A::RsaPkcs1Sha256);
    let sig = [0u8; 64];
    for (alg, key) in [
        (A::EcdsaP256Sha256Asn1, &p384), // P-384 key under ES256
        (A::EcdsaP256Sha256Fixed, &p384),
        (A::EcdsaP384Sha384Asn1, &p256),
        (A::EcdsaP521Sha512Fixed, &p256),
        (A::RsaPkcs1Sha256, &p256), // EC key under an RSA algorithm
        (A::RsaPssSha256, &ed),
        (A::Ed25519, &rsa),
        (A::EcdsaP256Sha256Asn1, &rsa),
        (A::Ed25519, &p256),
    ] {
        assert_eq!(
            Verifier.verify(alg, key, b"m", &sig),
            Err(VerifyError::BadPublicKey),
            "{alg:?}"
        );
    }
    // Not DER at all, and trailing data after the SPKI.
    assert_eq!(
        Verifier.verify(A::Ed25519, b"\x30\x03\x02\x01", b"m", &sig),
        Err(VerifyError::BadPublicKey)
    );
    let mut trailing = ed.clone();
    trailing.push(0);
    assert_eq!(
        Verifier.verify(A::Ed25519, &trailing, b"m", &sig),
        Err(VerifyError::BadPublicKey)
    );
}

#[test]
fn default_algorithm_follows_the_key_type() {
    for (key_type, algorithm) in [
        (KeyType::EcdsaP256, A::EcdsaP256Sha256Asn1),
        (KeyType::EcdsaP384, A::EcdsaP384Sha384Asn1),
        (KeyType::Ed25519, A::Ed25519),
        (KeyType::Rsa2048, A::RsaPkcs1Sha256),
    ] {
        let signer = KeyPairSigner::from_pkcs8_default(&generate_pkcs8(key_type).unwrap()).unwrap();
        assert_eq!(signer.algorithm(), algorithm, "{key_type:?}");
    }
    let p521 = KeyPairSigner::from_pkcs8_default(&p521_pkcs8()).unwrap();
    assert_eq!(p521.algorithm(), A::EcdsaP521Sha512Asn1);
    assert_eq!(
        KeyPairSigner::from_pkcs8_default(b"not a key").unwrap_err(),
        Error::UnsupportedKey
    );
}

#[test]
fn small_rsa_key_is_refused() {
    let sig = [0u8; 128];
    for alg in [A::RsaPkcs1Sha256, A::RsaPssSha256] {
        assert_eq!(
            Verifier.verify(alg, &RSA_1024_SPKI, b"m", &sig),
            Err(VerifyError::BadPublicKey)
        );
    }
}

#[test]
fn rsa_key_sizes_and_rejections() {
    let rsa3072 = generate_pkcs8(KeyType::Rsa3072).unwrap();
    let s = KeyPairSigner::from_pkcs8(A::RsaPssSha384, &rsa3072).unwrap();
    assert_eq!(s.sign(b"m").unwrap().len(), 384);
    // An EC key cannot be loaded for RSA, nor a P-256 key for P-384.
    let p256 = generate_pkcs8(KeyType::EcdsaP256).unwrap();
    assert!(matches!(
        KeyPairSigner::from_pkcs8(A::RsaPkcs1Sha256, &p256),
        Err(Error::KeyRejected { .. })
    ));
    assert!(matches!(
        KeyPairSigner::from_pkcs8(A::EcdsaP384Sha384Asn1, &p256),
        Err(Error::KeyRejected { .. })
    ));
    assert!(matches!(
        KeyPairSigner::from_pkcs8(A::Ed25519, b"garbage"),
        Err(Error::KeyRejected { .. })
    ));
}

#[test]
fn debug_does_not_print_keys() {
    let ed = generate_pkcs8(KeyType::Ed25519).unwrap();
    let s = KeyPairSigner::from_pkcs8(A::Ed25519, &ed).unwrap();
    assert_eq!(format!("{s:?}"), "KeyPairSigner { algorithm: Ed25519, .. }");
}

#[test]
fn system_rng_fills() {
    let mut a = [0u8; 32];
    let mut b = [0u8; 32];
    SystemRng::new().fill(&mut a).unwrap();
    SystemRng::new().fill(&mut b).unwrap();
    assert_ne!(a, b);
    assert_ne!(a, [0u8; 32]);
}

#[test]
fn aes_key_wrap_rfc3394_vectors() {
    // RFC 3394 §4.1 (128-bit KEK, 128-bit data) and §4.6 (256-bit KEK, 256-bit data).
    let kek = hex!("000102030405060708090A0B0C0D0E0F");
    let data = hex!("00112233445566778899AABBCCDDEEFF");
    let wrapped = hex!("1FA68B0A8112B447AEF34BD8FB5A7B829D3E862371D2CFE5");
    assert_eq!(key_wrap::wrap(&kek, &data).unwrap(), wrapped);
    assert_eq!(*key_wrap::unwrap(&kek, &wrapped).unwrap(), data);
    let kek = hex!("000102030405060708090A0B0C0D0E0F101112131415161718191A1B1C1D1E1F");
    let data = hex!("00112233445566778899AABBCCDDEEFF000102030405060708090A0B0C0D0E0F");
    let wrapped =
        hex!("28C9F404C4B810F4CBCCB35CFB87F8263F5786E2D80ED326CBC7F0E71A99F43BFB988B9B7A02DD21");
    assert_eq!(key_wrap::wrap(&kek, &data).unwrap(), wrapped);
    let mut bad = wrapped;
    bad[0] ^= 1;
    assert_eq!(key_wrap::unwrap(&kek, &bad), Err(Error::KeyWrapIntegrity));
    assert_eq!(
        key_wrap::unwrap(&kek[..24], &wrapped),
        Err(Error::KeyWrapKeyLength { len: 24 })
    );
    assert!(matches!(
        key_wrap::unwrap(&kek, &wrapped[..20]),
        Err(Error::KeyWrapInputLength { len: 20, .. })
    ));
}

mod encryption {
    //! RSA key transport, ECDH, AES-CBC: round trips, tampering, and refused keys.

    use signet_asn1_types::crypto::{
        ContentCipher, ContentEncryption, CryptoError, EcCurve, EncryptionKey, KeyTransport,
        PrivateKeyDecryption, PublicKeyEncryption,
    };

    use super::{RSA_1024_SPKI, p521_pkcs8};
    use crate::{DecryptionKey, Encryption, KeyType, generate_pkcs8};

    #[test]
    fn rsa_key_transport_round_trips_under_both_schemes() {
        let key = DecryptionKey::from_pkcs8(&generate_pkcs8(KeyType::Rsa2048).unwrap()).unwrap();
        assert_eq!(
            Encryption.encryption_key(key.public_key_der()),
            Ok(EncryptionKey::Rsa { bits: 2048 })
        );
        let cek = [7u8; 32];
        for scheme in [KeyTransport::RsaOaepSha256, KeyTransport::RsaPkcs1v15] {
            let ct = Encryption
                .encrypt_key(scheme, key.public_key_der(), &cek)
                .unwrap();
            assert_eq!(ct.len(), 256);
            assert_eq!(key.decrypt_key(scheme, &ct).unwrap(), cek);
            let mut bad = ct.clone();
            bad[100] ^= 1;
            assert_eq!(
                key.decrypt_key(scheme, &bad),
                Err(CryptoError::DecryptionFailed)
            );
        }
        // An OAEP ciphertext is not a PKCS#1 v1.5 one.
        let ct = Encryption
            .encrypt_key(KeyTransport::RsaOaepSha256, key.public_key_der(), &cek)
            .unwrap();
        assert_ne!(
            key.decrypt_key(KeyTransport::RsaPkcs1v15, &ct).ok(),
            Some(cek.to_vec())
        );
    }

    #[test]
    fn ecdh_both_sides_agree_on_every_curve() {
        for (der, curve) in [
            (
                generate_pkcs8(KeyType::EcdsaP256).unwrap().to_vec(),
                EcCurve::P256,
            ),
            (
                generate_pkcs8(KeyType::EcdsaP384).unwrap().to_vec(),
                EcCurve::P384,
            ),
            (p521_pkcs8(), EcCurve::P521),
        ] {
            let key = DecryptionKey::from_pkcs8(&der).unwrap();
            assert_eq!(
                Encryption.encryption_key(key.public_key_der()),
                Ok(EncryptionKey::Ec(curve))
            );
            let (ephemeral, z) = Encryption.agree_ephemeral(key.public_key_der()).unwrap();
            assert_eq!(key.agree(&ephemeral).unwrap(), z);
            // A second exchange uses a fresh ephemeral key.
            let (ephemeral2, z2) = Encryption.agree_ephemeral(key.public_key_der()).unwrap();
            assert_ne!((ephemeral2, z2), (ephemeral, z));
        }
    }

    #[test]
    fn aes_cbc_round_trips_and_detects_bad_padding() {
        for cipher in [ContentCipher::Aes128Cbc, ContentCipher::Aes256Cbc] {
            let key = vec![3u8; cipher.key_len()];
            let iv = [9u8; 16];
            let pt = b"a certificate, say".to_vec();
            let ct = Encryption.encrypt_content(cipher, &key, &iv, &pt).unwrap();
            assert_eq!(ct.len(), 32, "PKCS#7 pads to the next block");
            assert_eq!(
                Encryption.decrypt_content(cipher, &key, &iv, &ct).unwrap(),
                pt
            );
            let wrong = vec![4u8; cipher.key_len()];
            assert_ne!(
                Encryption.decrypt_content(cipher, &wrong, &iv, &ct).ok(),
                Some(pt.clone())
            );
            assert_eq!(
                Encryption.encrypt_content(cipher, &key[1..], &iv, &pt),
                Err(CryptoError::BadLength)
            );
        }
    }

    #[test]
    fn unusable_encryption_keys_are_refused() {
        assert_eq!(
            Encryption.encryption_key(&RSA_1024_SPKI),
            Err(CryptoError::BadPublicKey)
        );
        assert_eq!(
            Encryption.encrypt_key(KeyTransport::RsaOaepSha256, &RSA_1024_SPKI, &[0; 32]),
            Err(CryptoError::BadPublicKey)
        );
        // A P-256 point moved off the curve.
        let key = DecryptionKey::from_pkcs8(&generate_pkcs8(KeyType::EcdsaP256).unwrap()).unwrap();
        let mut off = key.public_key_der().to_vec();
        let last = off.len() - 1;
        off[last] ^= 1;
        assert_eq!(
            Encryption.encryption_key(&off),
            Err(CryptoError::BadPublicKey)
        );
        assert_eq!(
            Encryption.agree_ephemeral(&off),
            Err(CryptoError::BadPublicKey)
        );
        // Ed25519 is a signature key, not an encryption key here.
        let ed = crate::KeyPairSigner::from_pkcs8(
            signet_asn1_types::crypto::SignatureAlgorithm::Ed25519,
            &generate_pkcs8(KeyType::Ed25519).unwrap(),
        )
        .unwrap();
        use signet_asn1_types::crypto::Signer;
        assert_eq!(
            Encryption.encryption_key(ed.public_key_der()),
            Err(CryptoError::UnsupportedAlgorithm)
        );
        // Garbage is not a key.
        assert_eq!(
            Encryption.encryption_key(b"\x30\x00"),
            Err(CryptoError::BadPublicKey)
        );
    }
}
