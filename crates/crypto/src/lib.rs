//! `signet-crypto`: the aws-lc-rs implementation of the crypto traits of `signet-asn1-types`
//! ([`SignatureVerifier`], [`Signer`], [`SecureRandom`]), like a rustls `CryptoProvider`.
//!
//! What this crate does **not** do: it makes no policy decision beyond the algorithm's own rules
//! (which key may sign what is `ra-policy`'s and `ca-signer`'s business), stores no keys and
//! performs no I/O. Libraries never depend on it; binaries, `xtask` and tests inject it.
//!
//! - [`Verifier`]: verifies a signature with a DER `SubjectPublicKeyInfo`, refusing keys whose
//!   SPKI algorithm or curve does not match the signature algorithm and RSA moduli outside
//!   2048–8192 bits.
//! - [`KeyPairSigner`]: signs with a PKCS#8 key pair held in memory; [`generate_pkcs8`] makes one.
//! - [`SystemRng`]: the operating system's random source.
//!
//! Generating a key, signing through the [`Signer`] trait every Signet layer takes, and verifying
//! with the [`SignatureVerifier`] trait against the exact bytes signed:
//!
//! ```rust
//! use signet_asn1_types::crypto::{SignatureAlgorithm, SignatureVerifier, Signer};
//! use signet_crypto::{KeyPairSigner, KeyType, Verifier, generate_pkcs8};
//!
//! let pkcs8 = generate_pkcs8(KeyType::EcdsaP256)?;
//! let signer = KeyPairSigner::from_pkcs8(SignatureAlgorithm::EcdsaP256Sha256Asn1, &pkcs8)?;
//! let message = b"tbsCertificate bytes";
//! let signature = signer.sign(message)?;
//!
//! let spki = signer.public_key_der();
//! Verifier.verify(signer.algorithm(), spki, message, &signature)?;
//! // One changed byte of the message, or the P-256 key offered for an Ed25519 signature: refused.
//! assert!(Verifier.verify(signer.algorithm(), spki, b"tbsCertificate byteS", &signature).is_err());
//! assert!(Verifier.verify(SignatureAlgorithm::Ed25519, spki, message, &signature).is_err());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//! - [`key_wrap`]: AES key wrap (RFC 3394), for CMS `KEKRecipientInfo`/`PasswordRecipientInfo`.
//! - [`Encryption`] and [`DecryptionKey`]: RSA key transport, ECDH, AES-CBC and key wrap for
//!   CMS EnvelopedData (the encrypted certificate and challenge of CMP proof of possession).
//!
//! [`SignatureVerifier`]: signet_asn1_types::crypto::SignatureVerifier
//! [`Signer`]: signet_asn1_types::crypto::Signer
//! [`SecureRandom`]: signet_asn1_types::crypto::SecureRandom
#![forbid(unsafe_code)]

mod encrypt;
pub mod key_wrap;
mod rng;
mod sign;
mod verify;

pub use encrypt::{DecryptionKey, Encryption};
pub use rng::SystemRng;
pub use sign::{KeyPairSigner, KeyType, generate_pkcs8};
pub use verify::{MAX_RSA_MODULUS_BITS, MIN_RSA_MODULUS_BITS, Verifier};

use signet_asn1_types::crypto::SignatureAlgorithm;

/// Errors of the key-handling side of this crate (verification reports
/// [`VerifyError`](signet_asn1_types::crypto::VerifyError) through its trait).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The PKCS#8 document is not a usable key for the algorithm.
    #[error("PKCS#8 key rejected for {algorithm:?}: {reason}")]
    KeyRejected {
        /// The algorithm the key was loaded for.
        algorithm: SignatureAlgorithm,
        /// aws-lc-rs' reason (`"WrongAlgorithm"`, `"InvalidEncoding"`, `"TooSmall"`, ...).
        reason: &'static str,
    },
    /// The PKCS#8 document is not a key of any type
    /// [`KeyPairSigner::from_pkcs8_default`] knows.
    #[error("PKCS#8 key of no supported type (ECDSA P-256/P-384/P-521, Ed25519, RSA)")]
    UnsupportedKey,
    /// The algorithm cannot be used for signing by this provider.
    #[error("{algorithm:?} is not supported for signing")]
    UnsupportedAlgorithm {
        /// The algorithm requested.
        algorithm: SignatureAlgorithm,
    },
    /// Key generation failed in aws-lc.
    #[error("generating a {key_type:?} key failed")]
    KeyGeneration {
        /// The key type requested.
        key_type: KeyType,
    },
    /// Encoding a key (PKCS#8 or SubjectPublicKeyInfo) failed.
    #[error("encoding the {what} failed")]
    Encoding {
        /// Which encoding.
        what: &'static str,
    },
    /// AES key wrap: the key-encryption key is not 16 or 32 bytes.
    #[error("AES key wrap: key-encryption key of {len} bytes (16 or 32 supported)")]
    KeyWrapKeyLength {
        /// The length given.
        len: usize,
    },
    /// AES key wrap: the input length is not a multiple of 8 or out of range.
    #[error("AES key wrap: input of {len} bytes is not a multiple of 8 in 16..={max}")]
    KeyWrapInputLength {
        /// The length given.
        len: usize,
        /// The documented limit.
        max: usize,
    },
    /// AES key unwrap: the integrity check failed.
    #[error("AES key unwrap: integrity check failed")]
    KeyWrapIntegrity,
}

#[cfg(test)]
mod tests;
