//! [`Serial`]: certificate serial numbers drawn from a CSPRNG.
//!
//! RFC 5280 §4.1.2.2: "The serial number MUST be a positive integer … Conforming CAs MUST NOT
//! use serialNumber values longer than 20 octets." CA/Browser Forum BR §7.1: "CAs SHALL
//! generate non-sequential Certificate serial numbers greater than zero (0) and less than 2^159
//! containing at least 64 bits of output from a CSPRNG."
//!
//! ```text
//! CertificateSerialNumber  ::=  INTEGER
//! ```

use signet_asn1_types::crypto::SecureRandom;

use crate::Error;

/// Octets of CSPRNG output in a generated serial.
pub const SERIAL_RANDOM_OCTETS: usize = 16;

/// A serial number and how many of its bits came from the CSPRNG. Only [`Serial::generate`]
/// makes one, so the entropy count is not a claim the caller can forge.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Serial {
    bytes: Vec<u8>,
    random_bits: u32,
}

impl Serial {
    /// Draws [`SERIAL_RANDOM_OCTETS`] octets from `rng`, then clears the top bit (positive) and
    /// sets the next one (the encoding keeps all 16 octets): 126 random bits.
    ///
    /// # Errors
    /// [`Error::Random`] if the random source fails.
    pub fn generate(rng: &dyn SecureRandom) -> Result<Self, Error> {
        let mut bytes = vec![0_u8; SERIAL_RANDOM_OCTETS];
        rng.fill(&mut bytes).map_err(|_| Error::Random)?;
        if let Some(first) = bytes.first_mut() {
            *first = (*first & 0x3F) | 0x40;
        }
        Ok(Self {
            bytes,
            random_bits: 126,
        })
    }

    /// The big-endian magnitude (positive, no sign octet).
    #[must_use]
    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// Bits of CSPRNG output in the value.
    #[must_use]
    pub fn random_bits(&self) -> u32 {
        self.random_bits
    }

    /// A serial with arbitrary content, for lint tests only.
    #[cfg(test)]
    pub(crate) fn from_parts(bytes: Vec<u8>, random_bits: u32) -> Self {
        Self { bytes, random_bits }
    }
}
