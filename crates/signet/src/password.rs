//! Passwords and person-held secrets: argon2id (RFC 9106) PHC strings, with OWASP's
//! parameters (19 MiB, 2 passes, 1 lane; `argon2::Params::DEFAULT`), for operator accounts of
//! the console and the portal's authentication bases.
//!
//! Each check costs ~19 MiB and tens of milliseconds of one core, so at most
//! [`MAX_CONCURRENT_CHECKS`] run at once (the rest wait their turn), and every check runs on
//! a blocking thread. A secret over [`MAX_SECRET_LEN`] bytes is refused before hashing. An
//! unknown account is checked against a dummy hash ([`verify_unknown`]) so that the time an
//! answer takes does not tell which names exist.

use std::sync::OnceLock;

use argon2::password_hash::{PasswordHasher as _, PasswordVerifier as _};
use base64::Engine as _;
use zeroize::Zeroizing;

/// Longest password or secret accepted, in bytes (longer ones are refused unhashed).
pub(crate) const MAX_SECRET_LEN: usize = 1024;
/// Shortest password an operator or subscriber account may be given, in characters.
pub(crate) const MIN_PASSWORD_CHARS: usize = 12;
/// Most argon2 computations at once (each holds ~19 MiB).
pub(crate) const MAX_CONCURRENT_CHECKS: usize = 4;

fn permits() -> &'static tokio::sync::Semaphore {
    static PERMITS: OnceLock<tokio::sync::Semaphore> = OnceLock::new();
    PERMITS.get_or_init(|| tokio::sync::Semaphore::new(MAX_CONCURRENT_CHECKS))
}

/// The argon2id PHC string of `secret`, with a fresh 16-byte salt.
pub(crate) fn hash(secret: &[u8]) -> anyhow::Result<String> {
    if secret.len() > MAX_SECRET_LEN {
        anyhow::bail!("longer than {MAX_SECRET_LEN} bytes");
    }
    let mut salt = [0u8; 16];
    aws_lc_rs::rand::fill(&mut salt).map_err(|_| anyhow::anyhow!("random source failed"))?;
    let phc = argon2::Argon2::default()
        .hash_password_with_salt(secret, &salt)
        .map_err(|e| anyhow::anyhow!("argon2: {e}"))?;
    Ok(phc.to_string())
}

/// Whether `secret` matches the PHC string `phc` (a malformed one matches nothing).
pub(crate) fn verify_blocking(secret: &[u8], phc: &str) -> bool {
    secret.len() <= MAX_SECRET_LEN
        && argon2::Argon2::default()
            .verify_password(secret, phc)
            .is_ok()
}

/// [`verify_blocking`] on a blocking thread, within [`MAX_CONCURRENT_CHECKS`].
pub(crate) async fn verify(secret: Zeroizing<Vec<u8>>, phc: String) -> bool {
    if secret.len() > MAX_SECRET_LEN {
        return false;
    }
    let Ok(_permit) = permits().acquire().await else {
        return false;
    };
    tokio::task::spawn_blocking(move || verify_blocking(&secret, &phc))
        .await
        .unwrap_or(false)
}

/// The same work as a check against an account that exists, for one that does not.
pub(crate) async fn verify_unknown(secret: Zeroizing<Vec<u8>>) {
    static DUMMY: OnceLock<String> = OnceLock::new();
    let dummy = DUMMY
        .get_or_init(|| hash(b"no such account").unwrap_or_default())
        .clone();
    let _ = verify(secret, dummy).await;
}

/// A new random secret for a person (160 bits, base64url): what an eligibility list hands out.
pub(crate) fn new_secret() -> anyhow::Result<Zeroizing<String>> {
    let mut raw = Zeroizing::new([0u8; 20]);
    aws_lc_rs::rand::fill(&mut *raw).map_err(|_| anyhow::anyhow!("random source failed"))?;
    Ok(Zeroizing::new(
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(*raw),
    ))
}

/// Whether `password` may be given to an account: [`MIN_PASSWORD_CHARS`] to
/// [`MAX_SECRET_LEN`] bytes.
pub(crate) fn acceptable(password: &str) -> Result<(), String> {
    if password.chars().count() < MIN_PASSWORD_CHARS {
        return Err(format!("at least {MIN_PASSWORD_CHARS} characters"));
    }
    if password.len() > MAX_SECRET_LEN {
        return Err(format!("at most {MAX_SECRET_LEN} bytes"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hash_verifies_its_secret_only() {
        let phc = hash(b"correct horse battery").unwrap();
        assert!(phc.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{phc}");
        assert!(verify_blocking(b"correct horse battery", &phc));
        assert!(!verify_blocking(b"correct horse batterz", &phc));
        assert!(!verify_blocking(b"correct horse battery", "not a hash"));
        assert_ne!(hash(b"correct horse battery").unwrap(), phc, "fresh salt");
        assert!(hash(&[b'a'; MAX_SECRET_LEN + 1]).is_err());
        assert!(!verify_blocking(&[b'a'; MAX_SECRET_LEN + 1], &phc));
    }

    #[test]
    fn short_passwords_are_refused() {
        assert!(acceptable("short").is_err());
        assert!(acceptable("twelve chars").is_ok());
        assert_eq!(new_secret().unwrap().len(), 27);
    }
}
