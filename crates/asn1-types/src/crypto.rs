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

/// Why an encryption operation failed. Deliberately coarse: decryption failures must not tell
/// an attacker which step failed (RFC 3218 §2.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum CryptoError {
    /// The public key is malformed, of the wrong type, too weak or too large.
    BadPublicKey,
    /// The provider does not implement this algorithm or curve.
    UnsupportedAlgorithm,
    /// Decryption or key unwrapping failed (wrong key, tampered data, bad padding).
    DecryptionFailed,
    /// A length (key, IV, input) is wrong for the algorithm.
    BadLength,
    /// The backend failed.
    Backend,
}

impl fmt::Display for CryptoError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::BadPublicKey => "public key unusable for encryption",
            Self::UnsupportedAlgorithm => "encryption algorithm not supported",
            Self::DecryptionFailed => "decryption failed",
            Self::BadLength => "length wrong for the algorithm",
            Self::Backend => "the crypto backend failed",
        })
    }
}

impl std::error::Error for CryptoError {}

/// A symmetric content-encryption algorithm (RFC 9481 §5: AES-CBC for CMS EnvelopedData).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ContentCipher {
    /// AES-128 in CBC mode with PKCS#7 padding (`id-aes128-CBC`, RFC 3565).
    Aes128Cbc,
    /// AES-256 in CBC mode with PKCS#7 padding (`id-aes256-CBC`, RFC 3565).
    Aes256Cbc,
}

impl ContentCipher {
    /// The key length in bytes.
    pub const fn key_len(self) -> usize {
        match self {
            Self::Aes128Cbc => 16,
            Self::Aes256Cbc => 32,
        }
    }

    /// The IV length in bytes (one AES block).
    pub const fn iv_len(self) -> usize {
        16
    }
}

/// An RSA key-transport scheme (RFC 9481 §4.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum KeyTransport {
    /// RSAES-OAEP with SHA-256 and MGF1-SHA-256, empty label (RFC 8017 §7.1, RFC 4055 §4).
    RsaOaepSha256,
    /// RSAES-PKCS1-v1_5 (RFC 8017 §7.2): only for the deprecated `EncryptedValue` that
    /// pre-cmp2021 clients such as OpenSSL 3.0 decrypt.
    RsaPkcs1v15,
}

/// An elliptic curve for ECDH key agreement (RFC 5480 §2.1.1.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum EcCurve {
    /// `secp256r1`.
    P256,
    /// `secp384r1`.
    P384,
    /// `secp521r1`.
    P521,
}

/// What an encryption public key is, once validated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum EncryptionKey {
    /// An RSA key (key transport) with this modulus length in bits.
    Rsa {
        /// Modulus bits.
        bits: usize,
    },
    /// An EC key (key agreement) on this curve.
    Ec(EcCurve),
}

/// Symmetric operations for CMS EnvelopedData: content encryption and AES key wrap.
pub trait ContentEncryption: Send + Sync {
    /// Encrypts `plaintext` (padding added) under `key` and `iv`.
    fn encrypt_content(
        &self,
        cipher: ContentCipher,
        key: &[u8],
        iv: &[u8],
        plaintext: &[u8],
    ) -> Result<Vec<u8>, CryptoError>;
    /// Decrypts `ciphertext` and removes the padding.
    fn decrypt_content(
        &self,
        cipher: ContentCipher,
        key: &[u8],
        iv: &[u8],
        ciphertext: &[u8],
    ) -> Result<Vec<u8>, CryptoError>;
    /// AES key wrap (RFC 3394) of `key` under `kek` (16 or 32 bytes).
    fn wrap_key(&self, kek: &[u8], key: &[u8]) -> Result<Vec<u8>, CryptoError>;
    /// AES key unwrap (RFC 3394), integrity checked.
    fn unwrap_key(&self, kek: &[u8], wrapped: &[u8]) -> Result<Vec<u8>, CryptoError>;
}

/// The public-key side of key transport and key agreement: a CA encrypting a certificate or a
/// challenge to a requester's key (RFC 9810 §5.2.2, §5.2.8.3).
pub trait PublicKeyEncryption: ContentEncryption {
    /// Validates an encryption public key (DER `SubjectPublicKeyInfo`): RSA within the
    /// provider's size bounds, or an EC point on a supported curve.
    fn encryption_key(&self, spki_der: &[u8]) -> Result<EncryptionKey, CryptoError>;
    /// Encrypts `key` (a content-encryption key) to an RSA public key.
    fn encrypt_key(
        &self,
        scheme: KeyTransport,
        spki_der: &[u8],
        key: &[u8],
    ) -> Result<Vec<u8>, CryptoError>;
    /// Ephemeral-static ECDH with an EC public key: a fresh key pair on the recipient's curve.
    /// Returns the ephemeral public key (DER `SubjectPublicKeyInfo`) and the shared secret Z.
    fn agree_ephemeral(&self, spki_der: &[u8]) -> Result<(Vec<u8>, Vec<u8>), CryptoError>;
}

/// The private-key side: a requester decrypting what was encrypted to its new key.
pub trait PrivateKeyDecryption: Send + Sync {
    /// The public key as DER `SubjectPublicKeyInfo`.
    fn public_key_der(&self) -> &[u8];
    /// Decrypts a key encrypted to this (RSA) key.
    fn decrypt_key(&self, scheme: KeyTransport, encrypted: &[u8]) -> Result<Vec<u8>, CryptoError>;
    /// ECDH of this (EC) key with the originator's public key (DER `SubjectPublicKeyInfo`):
    /// the shared secret Z.
    fn agree(&self, originator_spki_der: &[u8]) -> Result<Vec<u8>, CryptoError>;
}
