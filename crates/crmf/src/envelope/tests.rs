//! EnvelopedData, EncryptedValue and challenge round trips with the aws-lc-rs provider, and
//! what each kind of tampering or wrong key gives.

use signet_asn1_types::crypto::PrivateKeyDecryption;
use signet_crypto::{DecryptionKey, Encryption, KeyType, SystemRng, generate_pkcs8};

use super::*;

fn key(t: KeyType) -> DecryptionKey {
    DecryptionKey::from_pkcs8(&generate_pkcs8(t).unwrap()).unwrap()
}

fn recipient() -> Recipient {
    Recipient {
        issuer: "CN=Signet Test CA".parse().unwrap(),
        serial_number: SerialNumber::new(&[0x42]).unwrap(),
    }
}

fn sealer(rng: &SystemRng) -> Sealer<'_> {
    Sealer {
        encryption: &Encryption,
        rng,
    }
}

fn opener(k: &DecryptionKey) -> Opener<'_> {
    Opener {
        key: k,
        content: &Encryption,
    }
}

fn kind(env: &EnvelopedData) -> &'static str {
    match env.recip_infos.0.as_slice() {
        [RecipientInfo::Ktri(_)] => "ktri",
        [RecipientInfo::Kari(_)] => "kari",
        _ => "other",
    }
}

#[test]
fn enveloped_data_round_trips_for_rsa_and_ec_keys() {
    let rng = SystemRng::new();
    let plaintext = b"0\x82 a DER certificate would be here".to_vec();
    for (t, expected) in [
        (KeyType::Rsa2048, "ktri"),
        (KeyType::EcdsaP256, "kari"),
        (KeyType::EcdsaP384, "kari"),
    ] {
        let k = key(t);
        let env = seal(&plaintext, k.public_key_der(), &recipient(), &sealer(&rng)).unwrap();
        assert_eq!(kind(&env), expected);
        assert_eq!(
            env.version,
            if expected == "ktri" {
                CmsVersion::V0
            } else {
                CmsVersion::V2
            },
            "RFC 5652 §6.1 version rules"
        );
        // The structure survives DER.
        let env = EnvelopedData::from_der(&env.to_der().unwrap()).unwrap();
        assert_eq!(open(&env, &opener(&k)).unwrap(), plaintext);
        // Another key of the same type cannot open it.
        let other = key(t);
        assert_ne!(open(&env, &opener(&other)).ok(), Some(plaintext.clone()));
        // Tampered content does not give the plaintext back.
        let mut bad = env.clone();
        let mut ct = bad
            .encrypted_content
            .encrypted_content
            .as_ref()
            .unwrap()
            .as_bytes()
            .to_vec();
        let last = ct.len() - 1;
        ct[last] ^= 0x5A;
        bad.encrypted_content.encrypted_content = Some(OctetString::new(ct).unwrap());
        assert_ne!(open(&bad, &opener(&k)).ok(), Some(plaintext.clone()));
    }
}

#[test]
fn opening_refuses_other_algorithms_and_shapes() {
    let rng = SystemRng::new();
    let k = key(KeyType::Rsa2048);
    let env = seal(b"x", k.public_key_der(), &recipient(), &sealer(&rng)).unwrap();
    // Two recipients.
    let mut two = env.clone();
    let info = two.recip_infos.0.as_slice()[0].clone();
    let mut other = info.clone();
    if let RecipientInfo::Ktri(ktri) = &mut other {
        ktri.enc_key = OctetString::new(vec![1; 256]).unwrap();
    }
    two.recip_infos = RecipientInfos(SetOfVec::try_from(vec![info, other]).unwrap());
    assert!(matches!(
        open(&two, &opener(&k)),
        Err(Error::UnsupportedEnvelope { .. })
    ));
    // Key transport with PKCS#1 v1.5 instead of OAEP.
    let mut pkcs1 = env.clone();
    if let Some(RecipientInfo::Ktri(ktri)) = pkcs1.recip_infos.0.as_slice().first() {
        let mut ktri = ktri.clone();
        ktri.key_enc_alg = AlgorithmIdentifierOwned {
            oid: RSA_ENCRYPTION,
            parameters: Some(Any::null()),
        };
        pkcs1.recip_infos =
            RecipientInfos(SetOfVec::try_from(vec![RecipientInfo::Ktri(ktri)]).unwrap());
    }
    let err = open(&pkcs1, &opener(&k)).unwrap_err();
    assert_eq!(
        err.failure_bit(),
        signet_asn1_types::cmp::PkiFailureBit::BadAlg
    );
    // Unknown content cipher.
    let mut des = env.clone();
    des.encrypted_content.content_enc_alg.oid = ObjectIdentifier::new_unwrap("1.2.840.113549.3.7");
    assert_eq!(
        open(&des, &opener(&k)),
        Err(Error::UnsupportedEnvelope {
            what: "content-encryption algorithm"
        })
    );
    // An EC key cannot open an RSA envelope.
    let ec = key(KeyType::EcdsaP256);
    assert_eq!(
        open(&env, &opener(&ec)),
        Err(Error::Crypto(CryptoError::DecryptionFailed))
    );
}

#[test]
fn encrypted_value_round_trips_for_rsa_only() {
    let rng = SystemRng::new();
    let k = key(KeyType::Rsa2048);
    let ev = seal_encrypted_value(b"certificate", k.public_key_der(), &sealer(&rng)).unwrap();
    let ev = EncryptedValue::from_der(&ev.to_der().unwrap()).unwrap();
    assert_eq!(
        open_encrypted_value(&ev, &opener(&k)).unwrap(),
        b"certificate"
    );
    assert_eq!(ev.symm_alg.as_ref().unwrap().oid, ID_AES256_CBC);
    let wrong = key(KeyType::Rsa2048);
    assert_ne!(
        open_encrypted_value(&ev, &opener(&wrong)).ok(),
        Some(b"certificate".to_vec())
    );
    let ec = key(KeyType::EcdsaP256);
    assert!(matches!(
        seal_encrypted_value(b"c", ec.public_key_der(), &sealer(&rng)),
        Err(Error::UnsupportedEnvelope { .. })
    ));
}

#[test]
fn challenge_is_answered_only_by_the_key_holder_for_the_right_sender() {
    let rng = SystemRng::new();
    let ra = GeneralName::DirectoryName("CN=Signet RA".parse().unwrap());
    for t in [KeyType::Rsa2048, KeyType::EcdsaP256] {
        let k = key(t);
        let (ch, int) = challenge(&ra, k.public_key_der(), 0, &sealer(&rng)).unwrap();
        assert!(
            ch.challenge.as_bytes().is_empty(),
            "cmp2021: challenge empty"
        );
        let ch = Challenge::from_der(&ch.to_der().unwrap()).unwrap();
        assert_eq!(answer_challenge(&ch, &ra, &opener(&k)).unwrap(), int);
        // A different challenger name (a man in the middle relaying the challenge).
        let mitm = GeneralName::DirectoryName("CN=Mallory".parse().unwrap());
        assert_eq!(
            answer_challenge(&ch, &mitm, &opener(&k)),
            Err(Error::ChallengeMismatch)
        );
        // A witness that does not match the encrypted Rand.
        let mut bad = ch.clone();
        bad.witness = OctetString::new(vec![0; 32]).unwrap();
        assert_eq!(
            answer_challenge(&bad, &ra, &opener(&k)),
            Err(Error::ChallengeMismatch)
        );
        // Another key cannot answer.
        assert!(answer_challenge(&ch, &ra, &opener(&key(t))).is_err());
        // Two challenges carry different integers.
        let (_, int2) = challenge(&ra, k.public_key_der(), 0, &sealer(&rng)).unwrap();
        assert_ne!(int, int2);
    }
}

#[test]
fn minimal_integers() {
    assert_eq!(minimal_be(0), [0]);
    assert_eq!(minimal_be(127), [0x7F]);
    assert_eq!(minimal_be(128), [0x00, 0x80]);
    assert_eq!(minimal_be(-1), [0xFF]);
    assert_eq!(minimal_be(256), [0x01, 0x00]);
}
