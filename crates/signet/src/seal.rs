//! Sealing of authentication codes: AES-256-GCM under a key in the data directory
//! (`keys/seal.key`, 0600), with the reference number as associated data so a sealed secret
//! cannot be moved to another registration.
//!
//! The database never holds a code in the clear, and a copy of the database alone reveals none.
//! Hashing would not do: verifying a PasswordBasedMac needs the secret itself (RFC 9810
//! §5.1.3.1 derives the MAC key from it with the request's own salt and iteration count).

use anyhow::{Result, anyhow};
use aws_lc_rs::aead::{AES_256_GCM, Aad, LessSafeKey, NONCE_LEN, Nonce, UnboundKey};
use aws_lc_rs::rand::{SecureRandom, SystemRandom};
use zeroize::Zeroizing;

/// The sealing key.
pub(crate) struct Sealer {
    key: LessSafeKey,
    rng: SystemRandom,
}

impl Sealer {
    /// Key length in bytes.
    pub(crate) const KEY_LEN: usize = 32;

    pub(crate) fn new(key: &[u8]) -> Result<Self> {
        let unbound =
            UnboundKey::new(&AES_256_GCM, key).map_err(|_| anyhow!("seal key must be 32 bytes"))?;
        Ok(Self {
            key: LessSafeKey::new(unbound),
            rng: SystemRandom::new(),
        })
    }

    /// `nonce ‖ ciphertext ‖ tag`.
    pub(crate) fn seal(&self, reference: &str, secret: &[u8]) -> Result<Vec<u8>> {
        let mut nonce = [0u8; NONCE_LEN];
        self.rng
            .fill(&mut nonce)
            .map_err(|_| anyhow!("random source failed"))?;
        let mut buf = secret.to_vec();
        self.key
            .seal_in_place_append_tag(
                Nonce::assume_unique_for_key(nonce),
                Aad::from(reference.as_bytes()),
                &mut buf,
            )
            .map_err(|_| anyhow!("sealing failed"))?;
        let mut out = nonce.to_vec();
        out.extend_from_slice(&buf);
        Ok(out)
    }

    pub(crate) fn open(&self, reference: &str, sealed: &[u8]) -> Result<Zeroizing<Vec<u8>>> {
        let (nonce, ct) = sealed
            .split_at_checked(NONCE_LEN)
            .ok_or_else(|| anyhow!("sealed secret too short"))?;
        let nonce = Nonce::try_assume_unique_for_key(nonce).map_err(|_| anyhow!("nonce"))?;
        let mut buf = Zeroizing::new(ct.to_vec());
        let plain = self
            .key
            .open_in_place(nonce, Aad::from(reference.as_bytes()), &mut buf)
            .map_err(|_| anyhow!("sealed secret does not open (wrong key or tampered)"))?;
        Ok(Zeroizing::new(plain.to_vec()))
    }
}
