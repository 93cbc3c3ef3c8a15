//! MAC primitives for CMP message protection: HMAC, the RFC 9810 PasswordBasedMac key
//! derivation and PBKDF2 for PBMAC1 (RFC 9481 §6.1).
//!
//! Pure functions over bytes and small enums; the CMP engine wraps them with the ASN.1
//! parameter types. Every iteration count comes from the (unauthenticated) message, so each
//! derivation takes a caller-given bound and checks it **before** doing any work.
//!
//! PasswordBasedMac (RFC 9810 §5.1.3.1, RFC 4211 §4.4):
//!
//! ```text
//! id-PasswordBasedMac OBJECT IDENTIFIER ::= {1 2 840 113533 7 66 13}
//! PBMParameter ::= SEQUENCE {
//!    salt                OCTET STRING,
//!    owf                 AlgorithmIdentifier,
//!    iterationCount      INTEGER,
//!    mac                 AlgorithmIdentifier
//! }
//! ```
//!
//! "The salt value is appended to the shared secret input. The OWF is then applied
//! iterationCount times, where the salted secret is the input to the first iteration and, for
//! each successive iteration, the input is set to be the output of the previous iteration."
//! The result, BASEKEY, keys the MAC. All MAC algorithms here are HMAC, which takes a key of
//! any length, so the RFC's key expansion for K > H never applies.
//!
//! PBMAC1 (RFC 9481 §6.1.1, RFC 8018 §7.1) uses PBKDF2 with an HMAC-SHA-2 PRF:
//!
//! ```text
//! PBKDF2-params ::= SEQUENCE {
//!     salt CHOICE { specified OCTET STRING, otherSource AlgorithmIdentifier },
//!     iterationCount INTEGER (1..MAX),
//!     keyLength INTEGER (1..MAX) OPTIONAL,
//!     prf AlgorithmIdentifier DEFAULT algid-hmacWithSHA1 }
//! ```

use hmac::digest::block_api::EagerHash;
use hmac::{Hmac, KeyInit, Mac};
use signet_asn1_types::algorithm::DigestAlgorithm;
use zeroize::Zeroizing;

/// The longest PBKDF2 output accepted, in bytes. PBMAC1 keys are at most 64 bytes
/// (HMAC-SHA-512); the bound stops a `keyLength` from the wire from driving unbounded work.
pub const MAX_PBKDF2_KEY_LEN: usize = 1024;

/// The shortest truncated HMAC tag accepted, in bytes (RFC 2104 §5: not less than 80 bits).
pub const MIN_TRUNCATED_TAG_LEN: usize = 10;

/// Why a MAC operation failed.
///
/// A sub-enum of the crate's errors: to be folded into `cmp-protocol`'s `Error` when it exists.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum MacError {
    /// The MAC value does not match.
    #[error("MAC verification failed")]
    Mismatch,
    /// The tag to verify has a length the algorithm cannot produce or a truncation refuses.
    #[error("MAC tag of {len} bytes; {min}..={max} accepted")]
    TagLength {
        /// The length received.
        len: usize,
        /// The shortest accepted.
        min: usize,
        /// The algorithm's full output length.
        max: usize,
    },
    /// The iteration count exceeds the caller's bound (checked before any work).
    #[error("iteration count {count} exceeds the limit {max}")]
    IterationCountTooLarge {
        /// The count requested.
        count: u64,
        /// The caller's bound.
        max: u64,
    },
    /// An iteration count of zero.
    #[error("iteration count must be at least 1")]
    IterationCountZero,
    /// The requested derived-key length is zero or above [`MAX_PBKDF2_KEY_LEN`].
    #[error("derived key length {len} outside 1..={max}")]
    KeyLength {
        /// The length requested.
        len: usize,
        /// [`MAX_PBKDF2_KEY_LEN`].
        max: usize,
    },
    /// The digest cannot be used in this role (e.g. SHA-1 as a PBKDF2 PRF).
    #[error("{digest} is not supported here")]
    UnsupportedDigest {
        /// The digest requested.
        digest: DigestAlgorithm,
    },
}

/// An HMAC algorithm (RFC 2104 with the hash named).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum HmacAlgorithm {
    /// HMAC-SHA1 (`hmac-sha1`, 1.3.6.1.5.5.8.1.2; legacy PasswordBasedMac).
    Sha1,
    /// HMAC-SHA256 (`id-hmacWithSHA256`, 1.2.840.113549.2.9).
    Sha256,
    /// HMAC-SHA384 (`id-hmacWithSHA384`, 1.2.840.113549.2.10).
    Sha384,
    /// HMAC-SHA512 (`id-hmacWithSHA512`, 1.2.840.113549.2.11).
    Sha512,
}

impl HmacAlgorithm {
    /// The full tag length in bytes.
    #[must_use]
    pub const fn output_len(self) -> usize {
        match self {
            Self::Sha1 => 20,
            Self::Sha256 => 32,
            Self::Sha384 => 48,
            Self::Sha512 => 64,
        }
    }
}

#[expect(
    clippy::expect_used,
    reason = "HMAC accepts keys of any length (RFC 2104 §2): new_from_slice cannot fail"
)]
fn hmac_with<D: EagerHash>(key: &[u8], data: &[u8]) -> Hmac<D> {
    let mut mac = <Hmac<D> as KeyInit>::new_from_slice(key).expect("HMAC takes any key length");
    mac.update(data);
    mac
}

/// Computes the full-length HMAC of `data` under `key`.
#[must_use]
pub fn hmac(alg: HmacAlgorithm, key: &[u8], data: &[u8]) -> Vec<u8> {
    fn run<D: EagerHash>(key: &[u8], data: &[u8]) -> Vec<u8> {
        hmac_with::<D>(key, data).finalize().into_bytes().to_vec()
    }
    match alg {
        HmacAlgorithm::Sha1 => run::<sha1::Sha1>(key, data),
        HmacAlgorithm::Sha256 => run::<sha2::Sha256>(key, data),
        HmacAlgorithm::Sha384 => run::<sha2::Sha384>(key, data),
        HmacAlgorithm::Sha512 => run::<sha2::Sha512>(key, data),
    }
}

/// Verifies a full-length HMAC `tag` in constant time.
///
/// # Errors
/// [`MacError::TagLength`] if `tag` is not the full output length, [`MacError::Mismatch`]
/// if it does not match.
pub fn hmac_verify(
    alg: HmacAlgorithm,
    key: &[u8],
    data: &[u8],
    tag: &[u8],
) -> Result<(), MacError> {
    let full = alg.output_len();
    if tag.len() != full {
        return Err(MacError::TagLength {
            len: tag.len(),
            min: full,
            max: full,
        });
    }
    verify_prefix(alg, key, data, tag)
}

/// Verifies an HMAC tag truncated to its leftmost `tag.len()` bytes (RFC 2104 §5), in constant
/// time. The tag must be [`MIN_TRUNCATED_TAG_LEN`] bytes up to the full output length.
///
/// # Errors
/// [`MacError::TagLength`] or [`MacError::Mismatch`].
pub fn hmac_verify_truncated(
    alg: HmacAlgorithm,
    key: &[u8],
    data: &[u8],
    tag: &[u8],
) -> Result<(), MacError> {
    let full = alg.output_len();
    if tag.len() < MIN_TRUNCATED_TAG_LEN || tag.len() > full {
        return Err(MacError::TagLength {
            len: tag.len(),
            min: MIN_TRUNCATED_TAG_LEN,
            max: full,
        });
    }
    verify_prefix(alg, key, data, tag)
}

fn verify_prefix(alg: HmacAlgorithm, key: &[u8], data: &[u8], tag: &[u8]) -> Result<(), MacError> {
    fn run<D: EagerHash>(key: &[u8], data: &[u8], tag: &[u8]) -> bool {
        // `verify_truncated_left` compares in constant time (`subtle`/`ctutils`).
        hmac_with::<D>(key, data).verify_truncated_left(tag).is_ok()
    }
    let ok = match alg {
        HmacAlgorithm::Sha1 => run::<sha1::Sha1>(key, data, tag),
        HmacAlgorithm::Sha256 => run::<sha2::Sha256>(key, data, tag),
        HmacAlgorithm::Sha384 => run::<sha2::Sha384>(key, data, tag),
        HmacAlgorithm::Sha512 => run::<sha2::Sha512>(key, data, tag),
    };
    if ok { Ok(()) } else { Err(MacError::Mismatch) }
}

fn check_iterations(count: u64, max: u64) -> Result<(), MacError> {
    if count == 0 {
        return Err(MacError::IterationCountZero);
    }
    if count > max {
        return Err(MacError::IterationCountTooLarge { count, max });
    }
    Ok(())
}

/// Derives the PasswordBasedMac BASEKEY: `OWF^iterationCount(secret ‖ salt)` (RFC 9810
/// §5.1.3.1). `max_iterations` is the caller's bound, checked before hashing.
///
/// # Errors
/// [`MacError::IterationCountZero`], [`MacError::IterationCountTooLarge`], or
/// [`MacError::UnsupportedDigest`] for a digest this crate does not implement.
pub fn pbm_basekey(
    owf: DigestAlgorithm,
    secret: &[u8],
    salt: &[u8],
    iteration_count: u64,
    max_iterations: u64,
) -> Result<Zeroizing<Vec<u8>>, MacError> {
    check_iterations(iteration_count, max_iterations)?;
    fn run<D: sha2::Digest>(secret: &[u8], salt: &[u8], count: u64) -> Zeroizing<Vec<u8>> {
        let mut h = D::new();
        h.update(secret);
        h.update(salt);
        let mut key = Zeroizing::new(h.finalize().to_vec());
        for _ in 1..count {
            let next = D::digest(key.as_slice());
            key.copy_from_slice(&next);
        }
        key
    }
    Ok(match owf {
        DigestAlgorithm::Sha1 => run::<sha1::Sha1>(secret, salt, iteration_count),
        DigestAlgorithm::Sha256 => run::<sha2::Sha256>(secret, salt, iteration_count),
        DigestAlgorithm::Sha384 => run::<sha2::Sha384>(secret, salt, iteration_count),
        DigestAlgorithm::Sha512 => run::<sha2::Sha512>(secret, salt, iteration_count),
        digest => return Err(MacError::UnsupportedDigest { digest }),
    })
}

/// Computes a PasswordBasedMac value: HMAC keyed with [`pbm_basekey`] over `data` (the DER
/// `ProtectedPart`).
///
/// # Errors
/// As [`pbm_basekey`].
pub fn pbm_mac(
    owf: DigestAlgorithm,
    mac: HmacAlgorithm,
    secret: &[u8],
    salt: &[u8],
    iteration_count: u64,
    max_iterations: u64,
    data: &[u8],
) -> Result<Vec<u8>, MacError> {
    let key = pbm_basekey(owf, secret, salt, iteration_count, max_iterations)?;
    Ok(hmac(mac, &key, data))
}

/// PBKDF2 (RFC 8018 §5.2) with HMAC-SHA-256/384/512 as the PRF, for PBMAC1 (RFC 9481 §6.1.1).
/// `max_iterations` is the caller's bound, checked before any work.
///
/// # Errors
/// [`MacError::IterationCountZero`], [`MacError::IterationCountTooLarge`] (also when the count
/// does not fit 32 bits), [`MacError::KeyLength`] outside `1..=`[`MAX_PBKDF2_KEY_LEN`], or
/// [`MacError::UnsupportedDigest`] for SHA-1 (RFC 9481 §6.1.1 uses SHA-2 PRFs).
pub fn pbkdf2_hmac(
    prf: DigestAlgorithm,
    password: &[u8],
    salt: &[u8],
    iteration_count: u64,
    key_len: usize,
    max_iterations: u64,
) -> Result<Zeroizing<Vec<u8>>, MacError> {
    check_iterations(iteration_count, max_iterations)?;
    let rounds = u32::try_from(iteration_count).map_err(|_| MacError::IterationCountTooLarge {
        count: iteration_count,
        max: u64::from(u32::MAX),
    })?;
    if key_len == 0 || key_len > MAX_PBKDF2_KEY_LEN {
        return Err(MacError::KeyLength {
            len: key_len,
            max: MAX_PBKDF2_KEY_LEN,
        });
    }
    let mut out = Zeroizing::new(vec![0u8; key_len]);
    match prf {
        DigestAlgorithm::Sha256 => {
            pbkdf2::pbkdf2_hmac::<sha2::Sha256>(password, salt, rounds, &mut out)
        }
        DigestAlgorithm::Sha384 => {
            pbkdf2::pbkdf2_hmac::<sha2::Sha384>(password, salt, rounds, &mut out)
        }
        DigestAlgorithm::Sha512 => {
            pbkdf2::pbkdf2_hmac::<sha2::Sha512>(password, salt, rounds, &mut out)
        }
        digest => return Err(MacError::UnsupportedDigest { digest }),
    }
    Ok(out)
}

#[cfg(test)]
mod tests;
