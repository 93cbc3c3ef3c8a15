//! [`KeyPairSigner`]: signing with a PKCS#8 (RFC 5958) key pair held in memory, and
//! [`generate_pkcs8`] to make one.
//!
//! ```text
//! OneAsymmetricKey ::= SEQUENCE {              -- RFC 5958 §2 (PrivateKeyInfo is version 1)
//!     version                   Version,
//!     privateKeyAlgorithm       PrivateKeyAlgorithmIdentifier,
//!     privateKey                PrivateKey,
//!     attributes            [0] Attributes OPTIONAL,
//!     ...,
//!     [[2: publicKey        [1] PublicKey OPTIONAL ]],
//!     ... }
//! ```

use aws_lc_rs::encoding::{AsDer, Pkcs8V1Der, PublicKeyX509Der};
use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::rsa::{KeyPair as RsaKeyPair, KeySize};
use aws_lc_rs::signature::{
    self as sig, EcdsaKeyPair, EcdsaSigningAlgorithm, Ed25519KeyPair, KeyPair as _, RsaEncoding,
};
use signet_asn1_types::crypto::{SignError, SignatureAlgorithm, Signer};
use zeroize::Zeroizing;

use crate::Error;

/// A key type [`generate_pkcs8`] can make.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum KeyType {
    /// ECDSA on P-256.
    EcdsaP256,
    /// ECDSA on P-384.
    EcdsaP384,
    /// Ed25519.
    Ed25519,
    /// RSA, 2048-bit modulus.
    Rsa2048,
    /// RSA, 3072-bit modulus.
    Rsa3072,
    /// RSA, 4096-bit modulus.
    Rsa4096,
}

/// Generates a key pair and returns it as a PKCS#8 v1 `PrivateKeyInfo` (zeroised on drop).
///
/// # Errors
/// [`Error::KeyGeneration`] or [`Error::Encoding`] if aws-lc fails.
pub fn generate_pkcs8(key_type: KeyType) -> Result<Zeroizing<Vec<u8>>, Error> {
    let failed = || Error::KeyGeneration { key_type };
    let encoding = || Error::Encoding { what: "PKCS#8 key" };
    let ec = |alg: &'static EcdsaSigningAlgorithm| -> Result<Zeroizing<Vec<u8>>, Error> {
        let kp = EcdsaKeyPair::generate(alg).map_err(|_| failed())?;
        let doc = kp.to_pkcs8v1().map_err(|_| encoding())?;
        Ok(Zeroizing::new(doc.as_ref().to_vec()))
    };
    let rsa = |size: KeySize| -> Result<Zeroizing<Vec<u8>>, Error> {
        let kp = RsaKeyPair::generate(size).map_err(|_| failed())?;
        let der: Pkcs8V1Der<'static> = kp.as_der().map_err(|_| encoding())?;
        Ok(Zeroizing::new(der.as_ref().to_vec()))
    };
    match key_type {
        KeyType::EcdsaP256 => ec(&sig::ECDSA_P256_SHA256_ASN1_SIGNING),
        KeyType::EcdsaP384 => ec(&sig::ECDSA_P384_SHA384_ASN1_SIGNING),
        KeyType::Ed25519 => {
            let kp = Ed25519KeyPair::generate().map_err(|_| failed())?;
            let doc = kp.to_pkcs8v1().map_err(|_| encoding())?;
            Ok(Zeroizing::new(doc.as_ref().to_vec()))
        }
        KeyType::Rsa2048 => rsa(KeySize::Rsa2048),
        KeyType::Rsa3072 => rsa(KeySize::Rsa3072),
        KeyType::Rsa4096 => rsa(KeySize::Rsa4096),
    }
}

enum Key {
    Ecdsa(EcdsaKeyPair),
    Ed25519(Ed25519KeyPair),
    Rsa(RsaKeyPair, &'static dyn RsaEncoding),
}

/// A [`Signer`] over an in-memory key pair loaded from PKCS#8 DER.
pub struct KeyPairSigner {
    algorithm: SignatureAlgorithm,
    key: Key,
    public_key_der: Vec<u8>,
    rng: SystemRandom,
}

impl core::fmt::Debug for KeyPairSigner {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        // Never print key material.
        f.debug_struct("KeyPairSigner")
            .field("algorithm", &self.algorithm)
            .finish_non_exhaustive()
    }
}

fn spki<K: AsDer<PublicKeyX509Der<'static>>>(key: &K) -> Result<Vec<u8>, Error> {
    key.as_der()
        .map(|d| d.as_ref().to_vec())
        .map_err(|_| Error::Encoding {
            what: "SubjectPublicKeyInfo",
        })
}

/// Each key type's default signing algorithm, in the order
/// [`KeyPairSigner::from_pkcs8_default`] tries them (a key fits at most one ECDSA curve).
const DEFAULT_ALGORITHMS: [SignatureAlgorithm; 5] = [
    SignatureAlgorithm::EcdsaP384Sha384Asn1,
    SignatureAlgorithm::EcdsaP256Sha256Asn1,
    SignatureAlgorithm::EcdsaP521Sha512Asn1,
    SignatureAlgorithm::Ed25519,
    SignatureAlgorithm::RsaPkcs1Sha256,
];

impl KeyPairSigner {
    /// Loads a PKCS#8 private key of whatever type it is, with that type's default algorithm:
    /// ECDSA with its curve's hash (ASN.1 signatures), Ed25519, or RSA PKCS #1 v1.5 with
    /// SHA-256.
    ///
    /// # Errors
    /// [`Error::UnsupportedKey`] when no supported key type accepts the document.
    pub fn from_pkcs8_default(pkcs8_der: &[u8]) -> Result<Self, Error> {
        DEFAULT_ALGORITHMS
            .into_iter()
            .find_map(|alg| Self::from_pkcs8(alg, pkcs8_der).ok())
            .ok_or(Error::UnsupportedKey)
    }

    /// Loads a PKCS#8 (v1 or v2) private key for `algorithm`. The key type (and EC curve) must
    /// match the algorithm; RSA keys must be 2048–8192 bits (aws-lc-rs' bounds).
    ///
    /// # Errors
    /// [`Error::KeyRejected`] with aws-lc-rs' reason when the key does not fit the algorithm,
    /// [`Error::UnsupportedAlgorithm`] for an algorithm this provider cannot sign with.
    pub fn from_pkcs8(algorithm: SignatureAlgorithm, pkcs8_der: &[u8]) -> Result<Self, Error> {
        use SignatureAlgorithm as A;
        let rejected = |e: aws_lc_rs::error::KeyRejected| Error::KeyRejected {
            algorithm,
            reason: e.description_(),
        };
        let ec = |alg: &'static EcdsaSigningAlgorithm| {
            EcdsaKeyPair::from_pkcs8(alg, pkcs8_der).map_err(rejected)
        };
        let rsa = |enc: &'static dyn RsaEncoding| {
            RsaKeyPair::from_pkcs8(pkcs8_der)
                .map(|k| Key::Rsa(k, enc))
                .map_err(rejected)
        };
        let key = match algorithm {
            A::EcdsaP256Sha256Asn1 => Key::Ecdsa(ec(&sig::ECDSA_P256_SHA256_ASN1_SIGNING)?),
            A::EcdsaP384Sha384Asn1 => Key::Ecdsa(ec(&sig::ECDSA_P384_SHA384_ASN1_SIGNING)?),
            A::EcdsaP521Sha512Asn1 => Key::Ecdsa(ec(&sig::ECDSA_P521_SHA512_ASN1_SIGNING)?),
            A::EcdsaP256Sha256Fixed => Key::Ecdsa(ec(&sig::ECDSA_P256_SHA256_FIXED_SIGNING)?),
            A::EcdsaP384Sha384Fixed => Key::Ecdsa(ec(&sig::ECDSA_P384_SHA384_FIXED_SIGNING)?),
            A::EcdsaP521Sha512Fixed => Key::Ecdsa(ec(&sig::ECDSA_P521_SHA512_FIXED_SIGNING)?),
            A::Ed25519 => Key::Ed25519(Ed25519KeyPair::from_pkcs8(pkcs8_der).map_err(rejected)?),
            A::RsaPkcs1Sha256 => rsa(&sig::RSA_PKCS1_SHA256)?,
            A::RsaPkcs1Sha384 => rsa(&sig::RSA_PKCS1_SHA384)?,
            A::RsaPkcs1Sha512 => rsa(&sig::RSA_PKCS1_SHA512)?,
            A::RsaPssSha256 => rsa(&sig::RSA_PSS_SHA256)?,
            A::RsaPssSha384 => rsa(&sig::RSA_PSS_SHA384)?,
            A::RsaPssSha512 => rsa(&sig::RSA_PSS_SHA512)?,
            _ => return Err(Error::UnsupportedAlgorithm { algorithm }),
        };
        let public_key_der = match &key {
            Key::Ecdsa(k) => spki(k.public_key())?,
            Key::Ed25519(k) => spki(k.public_key())?,
            Key::Rsa(k, _) => spki(k.public_key())?,
        };
        Ok(Self {
            algorithm,
            key,
            public_key_der,
            rng: SystemRandom::new(),
        })
    }
}

impl Signer for KeyPairSigner {
    fn algorithm(&self) -> SignatureAlgorithm {
        self.algorithm
    }

    fn public_key_der(&self) -> &[u8] {
        &self.public_key_der
    }

    fn sign(&self, message: &[u8]) -> Result<Vec<u8>, SignError> {
        match &self.key {
            Key::Ecdsa(k) => k
                .sign(&self.rng, message)
                .map(|s| s.as_ref().to_vec())
                .map_err(|_| SignError::Backend),
            Key::Ed25519(k) => k
                .try_sign(message)
                .map(|s| s.as_ref().to_vec())
                .map_err(|_| SignError::Backend),
            Key::Rsa(k, enc) => {
                let mut out = vec![0u8; k.public_modulus_len()];
                k.sign(*enc, &self.rng, message, &mut out)
                    .map_err(|_| SignError::Backend)?;
                Ok(out)
            }
        }
    }
}
