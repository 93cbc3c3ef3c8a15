//! Derived MAC keys, kept for the messages that share their parameters.
//!
//! Deriving the key is what MAC protection costs: 500 to 100,000 hash iterations of
//! PasswordBasedMac or PBKDF2, against one HMAC over a few kilobytes. RFC 9810 §5.1.3.1
//! RECOMMENDS that the PBMParameter fields stay constant throughout the messages of a
//! transaction (ir/ip/certConf/pkiConf) for exactly this reason, so a [`MacKey`] is derived once
//! per (secret, `protectionAlg`) and reused: by a client for the whole transaction, and by a
//! server through a [`MacKeyCache`] across the requests of one transaction.

use std::collections::HashMap;
use std::sync::Mutex;

use sha2::Digest;
use signet_asn1_types::der::Encode;
use signet_asn1_types::spki::AlgorithmIdentifierOwned;
use zeroize::Zeroizing;

use super::{ProtectionError, ProtectionKind, ProtectionPolicy, derive_key, kind_of};
use crate::mac::{self, HmacAlgorithm};

/// A MAC key derived from a shared secret for one MAC `protectionAlg` (PasswordBasedMac or
/// PBMAC1, parameters included), with the HMAC it keys.
#[derive(Clone)]
pub struct MacKey {
    algorithm: AlgorithmIdentifierOwned,
    hmac: HmacAlgorithm,
    key: Zeroizing<Vec<u8>>,
    /// SHA-256 over the secret, the algorithm and the policy: the index of a [`MacKeyCache`].
    id: [u8; 32],
}

impl core::fmt::Debug for MacKey {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("MacKey")
            .field("algorithm", &self.algorithm.oid)
            .field("hmac", &self.hmac)
            .finish_non_exhaustive()
    }
}

/// Two keys are equal when they are for the same secret, algorithm and policy.
impl PartialEq for MacKey {
    fn eq(&self, other: &Self) -> bool {
        self.id == other.id && self.algorithm == other.algorithm
    }
}

impl Eq for MacKey {}

/// The cache index of (`secret`, `algorithm`) under `policy` (a different policy may refuse
/// what another accepted, so it is part of the index).
fn index(
    algorithm: &AlgorithmIdentifierOwned,
    secret: &[u8],
    policy: &ProtectionPolicy,
) -> Result<[u8; 32], ProtectionError> {
    let alg = algorithm.to_der().map_err(|_| ProtectionError::Encoding)?;
    let mut h = sha2::Sha256::new();
    h.update(b"signet cmp MAC key\0");
    for n in [
        u64::try_from(secret.len()).unwrap_or(u64::MAX),
        *policy.pbm_iterations.start(),
        *policy.pbm_iterations.end(),
        *policy.pbkdf2_iterations.start(),
        *policy.pbkdf2_iterations.end(),
        u64::try_from(policy.max_pbkdf2_key_len).unwrap_or(u64::MAX),
        u64::try_from(*policy.salt_len.start()).unwrap_or(u64::MAX),
        u64::try_from(*policy.salt_len.end()).unwrap_or(u64::MAX),
    ] {
        h.update(n.to_be_bytes());
    }
    h.update(secret);
    h.update(&alg);
    Ok(h.finalize().into())
}

impl MacKey {
    /// Derives the key `algorithm` (a MAC `protectionAlg`) names from `secret`, after checking
    /// its parameters against `policy`.
    ///
    /// # Errors
    /// [`ProtectionError::WrongType`] for a signature algorithm; otherwise as the verification
    /// of a message with these parameters would fail (unsupported algorithm, malformed
    /// parameters, iteration count outside the policy).
    pub fn derive(
        algorithm: &AlgorithmIdentifierOwned,
        secret: &[u8],
        policy: &ProtectionPolicy,
    ) -> Result<Self, ProtectionError> {
        Self::derive_at(algorithm, secret, policy, None)
    }

    /// [`MacKey::derive`], with the cache index when the caller already computed it.
    fn derive_at(
        algorithm: &AlgorithmIdentifierOwned,
        secret: &[u8],
        policy: &ProtectionPolicy,
        id: Option<[u8; 32]>,
    ) -> Result<Self, ProtectionError> {
        let kind = kind_of(algorithm)?;
        if matches!(kind, ProtectionKind::Signature(_)) {
            return Err(ProtectionError::WrongType);
        }
        let id = match id {
            Some(id) => id,
            None => index(algorithm, secret, policy)?,
        };
        let (hmac, key) = derive_key(&kind, secret, policy)?;
        Ok(Self {
            algorithm: algorithm.clone(),
            hmac,
            key,
            id,
        })
    }

    /// The `protectionAlg` this key is for.
    #[must_use]
    pub fn algorithm(&self) -> &AlgorithmIdentifierOwned {
        &self.algorithm
    }

    /// Whether this key is the one `algorithm` names (same algorithm and parameters).
    #[must_use]
    pub fn is_for(&self, algorithm: &AlgorithmIdentifierOwned) -> bool {
        self.algorithm == *algorithm
    }

    /// The MAC of `data` (a DER `ProtectedPart`).
    #[must_use]
    pub fn mac(&self, data: &[u8]) -> Vec<u8> {
        mac::hmac(self.hmac, &self.key, data)
    }
}

/// Derived keys by (secret, `protectionAlg`, policy), for a server: the certConf of a
/// transaction reuses the key its ir was checked with when the client kept the parameters.
///
/// Holds at most `capacity` keys (a full cache is emptied, so memory stays bounded whatever
/// the traffic; a miss only costs a derivation). Keys enter only through
/// [`MacKeyCache::remember`], which a caller uses once a message verified under the key, so
/// unauthenticated traffic cannot displace them.
pub struct MacKeyCache {
    keys: Mutex<HashMap<[u8; 32], MacKey>>,
    capacity: usize,
}

impl core::fmt::Debug for MacKeyCache {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("MacKeyCache")
            .field("capacity", &self.capacity)
            .finish_non_exhaustive()
    }
}

impl MacKeyCache {
    /// An empty cache of at most `capacity` keys.
    #[must_use]
    pub fn new(capacity: usize) -> Self {
        Self {
            keys: Mutex::new(HashMap::new()),
            capacity,
        }
    }

    /// The key for `secret` and `algorithm` under `policy`: the remembered one, or a new
    /// derivation (not remembered; see [`MacKeyCache::remember`]).
    ///
    /// # Errors
    /// As [`MacKey::derive`].
    pub fn key(
        &self,
        algorithm: &AlgorithmIdentifierOwned,
        secret: &[u8],
        policy: &ProtectionPolicy,
    ) -> Result<MacKey, ProtectionError> {
        let id = index(algorithm, secret, policy)?;
        if let Some(k) = self.keys.lock().ok().and_then(|m| m.get(&id).cloned()) {
            return Ok(k);
        }
        MacKey::derive_at(algorithm, secret, policy, Some(id))
    }

    /// Remembers `key` (a key a message was verified with).
    pub fn remember(&self, key: &MacKey) {
        if self.capacity == 0 {
            return;
        }
        if let Ok(mut m) = self.keys.lock() {
            if m.len() >= self.capacity && !m.contains_key(&key.id) {
                m.clear();
            }
            m.insert(key.id, key.clone());
        }
    }

    /// How many keys are remembered.
    #[must_use]
    pub fn len(&self) -> usize {
        self.keys.lock().map_or(0, |m| m.len())
    }

    /// Whether no key is remembered.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests;
