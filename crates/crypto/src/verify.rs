//! [`Verifier`]: signature verification with a DER `SubjectPublicKeyInfo` (RFC 5280 §4.1.2.7).
//!
//! ```text
//! SubjectPublicKeyInfo  ::=  SEQUENCE  {
//!      algorithm            AlgorithmIdentifier,
//!      subjectPublicKey     BIT STRING  }
//! ```
//!
//! Before any arithmetic, the SPKI must match the signature algorithm:
//!
//! | signature algorithm | SPKI `algorithm` | parameters |
//! |---|---|---|
//! | ECDSA P-256/384/521 (either encoding) | `id-ecPublicKey` (RFC 5480 §2.1.1) | `namedCurve` of that curve |
//! | Ed25519 | `id-Ed25519` (RFC 8410 §3) | absent |
//! | RSASSA-PKCS1-v1_5 | `rsaEncryption` (RFC 3279 §2.3.1) | NULL |
//! | RSASSA-PSS | `rsaEncryption`, or `id-RSASSA-PSS` (RFC 4055 §1.2) | NULL; absent or the same parameter set |
//!
//! and an RSA modulus must have [`MIN_RSA_MODULUS_BITS`]..=[`MAX_RSA_MODULUS_BITS`] bits.
//! A key failing any of these is [`VerifyError::BadPublicKey`].

use aws_lc_rs::signature::{self as sig, ParsedPublicKey, VerificationAlgorithm};
use signet_asn1_types::algorithm::{ID_ED25519, ID_RSASSA_PSS};
use signet_asn1_types::const_oid::ObjectIdentifier;
use signet_asn1_types::crypto::{SignatureAlgorithm, SignatureVerifier, VerifyError};
use signet_asn1_types::der::Decode;
use signet_asn1_types::spki::SubjectPublicKeyInfoRef;

/// The smallest RSA modulus accepted (NIST SP 800-131A Rev. 2; CA/B Forum BR §6.1.5).
pub const MIN_RSA_MODULUS_BITS: usize = 2048;
/// The largest RSA modulus accepted: bounds the work an attacker-supplied key can cause
/// (aws-lc-rs' own upper limit).
pub const MAX_RSA_MODULUS_BITS: usize = 8192;

/// `id-ecPublicKey` (RFC 5480 §2.1.1).
const ID_EC_PUBLIC_KEY: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.2.1");
/// `secp256r1` (RFC 5480 §2.1.1.1).
const SECP256R1: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.3.1.7");
/// `secp384r1` (RFC 5480 §2.1.1.1).
const SECP384R1: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.132.0.34");
/// `secp521r1` (RFC 5480 §2.1.1.1).
const SECP521R1: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.132.0.35");
/// `rsaEncryption` (RFC 3279 §2.3.1).
const RSA_ENCRYPTION: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.1");

/// The aws-lc-rs signature verifier. Stateless; share one instance.
#[derive(Debug, Clone, Copy, Default)]
pub struct Verifier;

/// What kind of key an algorithm needs.
enum KeyKind {
    Ec(ObjectIdentifier),
    Ed25519,
    Rsa,
}

fn requirements(
    algorithm: SignatureAlgorithm,
) -> Result<(KeyKind, &'static dyn VerificationAlgorithm), VerifyError> {
    use SignatureAlgorithm as A;
    Ok(match algorithm {
        A::EcdsaP256Sha256Asn1 => (KeyKind::Ec(SECP256R1), &sig::ECDSA_P256_SHA256_ASN1),
        A::EcdsaP384Sha384Asn1 => (KeyKind::Ec(SECP384R1), &sig::ECDSA_P384_SHA384_ASN1),
        A::EcdsaP521Sha512Asn1 => (KeyKind::Ec(SECP521R1), &sig::ECDSA_P521_SHA512_ASN1),
        A::EcdsaP256Sha256Fixed => (KeyKind::Ec(SECP256R1), &sig::ECDSA_P256_SHA256_FIXED),
        A::EcdsaP384Sha384Fixed => (KeyKind::Ec(SECP384R1), &sig::ECDSA_P384_SHA384_FIXED),
        A::EcdsaP521Sha512Fixed => (KeyKind::Ec(SECP521R1), &sig::ECDSA_P521_SHA512_FIXED),
        A::Ed25519 => (KeyKind::Ed25519, &sig::ED25519),
        A::RsaPkcs1Sha256 => (KeyKind::Rsa, &sig::RSA_PKCS1_2048_8192_SHA256),
        A::RsaPkcs1Sha384 => (KeyKind::Rsa, &sig::RSA_PKCS1_2048_8192_SHA384),
        A::RsaPkcs1Sha512 => (KeyKind::Rsa, &sig::RSA_PKCS1_2048_8192_SHA512),
        A::RsaPssSha256 => (KeyKind::Rsa, &sig::RSA_PSS_2048_8192_SHA256),
        A::RsaPssSha384 => (KeyKind::Rsa, &sig::RSA_PSS_2048_8192_SHA384),
        A::RsaPssSha512 => (KeyKind::Rsa, &sig::RSA_PSS_2048_8192_SHA512),
        _ => return Err(VerifyError::UnsupportedAlgorithm),
    })
}

fn is_pss(algorithm: SignatureAlgorithm) -> bool {
    matches!(
        algorithm,
        SignatureAlgorithm::RsaPssSha256
            | SignatureAlgorithm::RsaPssSha384
            | SignatureAlgorithm::RsaPssSha512
    )
}

/// Checks the SPKI against the algorithm and returns the raw key for aws-lc-rs
/// (an EC point, the 32 Ed25519 bytes, or the PKCS#1 `RSAPublicKey`).
fn key_bytes<'a>(
    algorithm: SignatureAlgorithm,
    kind: &KeyKind,
    spki: &SubjectPublicKeyInfoRef<'a>,
) -> Result<&'a [u8], VerifyError> {
    let alg = &spki.algorithm;
    let ok = match kind {
        KeyKind::Ec(curve) => {
            alg.oid == ID_EC_PUBLIC_KEY
                && alg
                    .parameters
                    .and_then(|p| p.decode_as::<ObjectIdentifier>().ok())
                    .is_some_and(|c| c == *curve)
        }
        KeyKind::Ed25519 => alg.oid == ID_ED25519 && alg.parameters.is_none(),
        KeyKind::Rsa if alg.oid == RSA_ENCRYPTION => alg.parameters.is_some_and(|p| p.is_null()),
        KeyKind::Rsa if alg.oid == ID_RSASSA_PSS && is_pss(algorithm) => match alg.parameters {
            None => true,
            Some(_) => SignatureAlgorithm::from_algorithm_identifier(alg) == Ok(algorithm),
        },
        KeyKind::Rsa => false,
    };
    if !ok {
        return Err(VerifyError::BadPublicKey);
    }
    spki.subject_public_key
        .as_bytes()
        .ok_or(VerifyError::BadPublicKey)
}

/// The bit length of an RSA modulus, from the PKCS#1 `RSAPublicKey`.
fn rsa_modulus_bits(rsa_public_key: &[u8]) -> Result<usize, VerifyError> {
    let key = aws_lc_rs::rsa::PublicKey::from_der(rsa_public_key)
        .map_err(|_| VerifyError::BadPublicKey)?;
    let modulus = key.modulus();
    let bytes = modulus.big_endian_without_leading_zero();
    let first = bytes.first().ok_or(VerifyError::BadPublicKey)?;
    let top_bits = usize::try_from(u8::BITS - first.leading_zeros()).unwrap_or(0);
    Ok((bytes.len() - 1) * 8 + top_bits)
}

impl SignatureVerifier for Verifier {
    fn verify(
        &self,
        algorithm: SignatureAlgorithm,
        spki_der: &[u8],
        message: &[u8],
        signature: &[u8],
    ) -> Result<(), VerifyError> {
        let (kind, aws_alg) = requirements(algorithm)?;
        let spki =
            SubjectPublicKeyInfoRef::from_der(spki_der).map_err(|_| VerifyError::BadPublicKey)?;
        let key = key_bytes(algorithm, &kind, &spki)?;
        if matches!(kind, KeyKind::Rsa) {
            let bits = rsa_modulus_bits(key)?;
            if !(MIN_RSA_MODULUS_BITS..=MAX_RSA_MODULUS_BITS).contains(&bits) {
                return Err(VerifyError::BadPublicKey);
            }
        }
        let parsed = ParsedPublicKey::new(aws_alg, key).map_err(|_| VerifyError::BadPublicKey)?;
        parsed
            .verify_sig(message, signature)
            .map_err(|_| VerifyError::BadSignature)
    }
}
