//! AES key wrap (RFC 3394 §2.2, the NIST SP 800-38F "KW" mode) with 128- or 256-bit
//! key-encryption keys, for CMS `KEKRecipientInfo` and `PasswordRecipientInfo` (RFC 3565,
//! RFC 3211).
//!
//! aws-lc-rs offers AES-128 and AES-256 here; AES-192 key-encryption keys are refused with
//! [`Error::KeyWrapKeyLength`].

use aws_lc_rs::key_wrap::{AES_128, AES_256, AesBlockCipher, KeyEncryptionKey, KeyWrap as _};
use zeroize::Zeroizing;

use crate::Error;

/// The largest key accepted for wrapping or unwrapping, in bytes (a wrapped RSA-8192 PKCS#8
/// fits; bounds the work per call).
pub const MAX_KEY_WRAP_INPUT: usize = 8192;

fn kek(key: &[u8]) -> Result<KeyEncryptionKey<AesBlockCipher>, Error> {
    let cipher = match key.len() {
        16 => &AES_128,
        32 => &AES_256,
        len => return Err(Error::KeyWrapKeyLength { len }),
    };
    KeyEncryptionKey::new(cipher, key).map_err(|_| Error::KeyWrapKeyLength { len: key.len() })
}

fn check_len(len: usize, min: usize) -> Result<(), Error> {
    if len < min || len > MAX_KEY_WRAP_INPUT || !len.is_multiple_of(8) {
        return Err(Error::KeyWrapInputLength {
            len,
            max: MAX_KEY_WRAP_INPUT,
        });
    }
    Ok(())
}

/// Wraps `key_data` (a multiple of 8 bytes, at least 16) under `kek_bytes`.
///
/// # Errors
/// [`Error::KeyWrapKeyLength`] or [`Error::KeyWrapInputLength`].
pub fn wrap(kek_bytes: &[u8], key_data: &[u8]) -> Result<Vec<u8>, Error> {
    check_len(key_data.len(), 16)?;
    let mut out = vec![0u8; key_data.len() + 8];
    let len = kek(kek_bytes)?
        .wrap(key_data, &mut out)
        .map_err(|_| Error::KeyWrapInputLength {
            len: key_data.len(),
            max: MAX_KEY_WRAP_INPUT,
        })?
        .len();
    out.truncate(len);
    Ok(out)
}

/// Unwraps `wrapped` (a multiple of 8 bytes, at least 24) under `kek_bytes` and checks the
/// RFC 3394 §2.2.3 integrity value.
///
/// # Errors
/// [`Error::KeyWrapKeyLength`], [`Error::KeyWrapInputLength`] or [`Error::KeyWrapIntegrity`].
pub fn unwrap(kek_bytes: &[u8], wrapped: &[u8]) -> Result<Zeroizing<Vec<u8>>, Error> {
    check_len(wrapped.len(), 24)?;
    let mut out = Zeroizing::new(vec![0u8; wrapped.len()]);
    let len = kek(kek_bytes)?
        .unwrap(wrapped, &mut out)
        .map_err(|_| Error::KeyWrapIntegrity)?
        .len();
    out.truncate(len);
    Ok(out)
}
