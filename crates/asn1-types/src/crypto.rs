//! Crypto traits every Signet layer receives from its caller (like rustls' `CryptoProvider`).
//!
//! Libraries never pick a crypto implementation: they take `&dyn SignatureVerifier`,
//! `&dyn Signer` and `&dyn SecureRandom`. `signet-crypto` implements them with aws-lc-rs.
//!
//! ECDSA signatures come in two encodings: ASN.1 DER `Ecdsa-Sig-Value` (X.509, CMP, OCSP, CMS)
//! and fixed-width `r ‖ s` (IEEE P1363; COSE). They are distinct algorithms here so that a
//! signature can never be checked under the wrong encoding.

use core::fmt;

/// A signature algorithm Signet can sign or verify with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SignatureAlgorithm {
    /// ECDSA P-256 with SHA-256, DER `Ecdsa-Sig-Value` (RFC 5758).
    EcdsaP256Sha256Asn1,
    /// ECDSA P-384 with SHA-384, DER `Ecdsa-Sig-Value`.
    EcdsaP384Sha384Asn1,
    /// ECDSA P-521 with SHA-512, DER `Ecdsa-Sig-Value`.
    EcdsaP521Sha512Asn1,
    /// ECDSA P-256 with SHA-256, fixed `r ‖ s` (COSE ES256).
    EcdsaP256Sha256Fixed,
    /// ECDSA P-384 with SHA-384, fixed `r ‖ s` (COSE ES384).
    EcdsaP384Sha384Fixed,
    /// ECDSA P-521 with SHA-512, fixed `r ‖ s` (COSE ES512).
    EcdsaP521Sha512Fixed,
    /// Ed25519 (RFC 8032, RFC 8410).
    Ed25519,
    /// RSASSA-PKCS1-v1_5 with SHA-256.
    RsaPkcs1Sha256,
    /// RSASSA-PKCS1-v1_5 with SHA-384.
    RsaPkcs1Sha384,
    /// RSASSA-PKCS1-v1_5 with SHA-512.
    RsaPkcs1Sha512,
    /// RSASSA-PSS, SHA-256, MGF1-SHA-256, 32-byte salt (COSE PS256).
    RsaPssSha256,
    /// RSASSA-PSS, SHA-384, MGF1-SHA-384, 48-byte salt (COSE PS384).
    RsaPssSha384,
    /// RSASSA-PSS, SHA-512, MGF1-SHA-512, 64-byte salt (COSE PS512).
    RsaPssSha512,
}

/// Why a signature did not verify. Deliberately coarse: callers map it to one wire error.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum VerifyError {
    /// The public key could not be parsed for this algorithm (wrong type, curve or size).
    BadPublicKey,
    /// The signature is malformed or does not match.
    BadSignature,
    /// The provider does not implement this algorithm.
    UnsupportedAlgorithm,
}

impl fmt::Display for VerifyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::BadPublicKey => "public key unusable for the signature algorithm",
            Self::BadSignature => "signature does not verify",
            Self::UnsupportedAlgorithm => "signature algorithm not supported",
        })
    }
}

impl std::error::Error for VerifyError {}

/// A signing operation failed inside the key backend.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum SignError {
    /// The backend refused or failed to sign.
    Backend,
}

impl fmt::Display for SignError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the key backend failed to sign")
    }
}

impl std::error::Error for SignError {}

/// The randomness source failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RandomError;

impl fmt::Display for RandomError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the random source failed")
    }
}

impl std::error::Error for RandomError {}

/// Verifies signatures with a public key given as DER `SubjectPublicKeyInfo`.
pub trait SignatureVerifier: Send + Sync {
    /// Verifies `signature` over `message` (the exact bytes received) with `spki_der`.
    fn verify(
        &self,
        algorithm: SignatureAlgorithm,
        spki_der: &[u8],
        message: &[u8],
        signature: &[u8],
    ) -> Result<(), VerifyError>;
}

/// A private key held by a backend (memory, HSM, KMS). Signet never sees the key bytes.
pub trait Signer: Send + Sync {
    /// The algorithm (and signature encoding) this signer produces.
    fn algorithm(&self) -> SignatureAlgorithm;
    /// The public key as DER `SubjectPublicKeyInfo`.
    fn public_key_der(&self) -> &[u8];
    /// Signs `message`.
    fn sign(&self, message: &[u8]) -> Result<Vec<u8>, SignError>;
}

/// A cryptographically secure random source.
pub trait SecureRandom: Send + Sync {
    /// Fills `dest` with random bytes.
    fn fill(&self, dest: &mut [u8]) -> Result<(), RandomError>;
}
