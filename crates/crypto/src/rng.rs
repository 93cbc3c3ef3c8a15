//! [`SystemRng`]: the operating system's random source through aws-lc-rs.

use aws_lc_rs::rand::{SecureRandom as _, SystemRandom};
use signet_asn1_types::crypto::{RandomError, SecureRandom};

/// Randomness from aws-lc's system-seeded generator (`aws_lc_rs::rand::SystemRandom`).
#[derive(Debug, Clone, Default)]
pub struct SystemRng(SystemRandom);

impl SystemRng {
    /// A new handle on the system random source.
    #[must_use]
    pub fn new() -> Self {
        Self(SystemRandom::new())
    }
}

impl SecureRandom for SystemRng {
    fn fill(&self, dest: &mut [u8]) -> Result<(), RandomError> {
        self.0.fill(dest).map_err(|_| RandomError)
    }
}
