//! Key identifiers by RFC 5280 §4.2.1.2 method 1, also the OCSP `KeyHash` (RFC 6960 §4.2.1).
//!
//! "The keyIdentifier is composed of the 160-bit SHA-1 hash of the value of the BIT STRING
//! subjectPublicKey (excluding the tag, length, and number of unused bits)."
//!
//! ```text
//! SubjectKeyIdentifier ::= KeyIdentifier
//! KeyIdentifier ::= OCTET STRING
//! ```

use sha1::{Digest, Sha1};
use signet_asn1_types::der::{self, Decode};
use signet_asn1_types::spki::{SubjectPublicKeyInfoOwned, SubjectPublicKeyInfoRef};

/// Method 1 over the `subjectPublicKey` bits of `spki` (SHA-1, 20 octets).
#[must_use]
pub fn method1(spki: &SubjectPublicKeyInfoOwned) -> Vec<u8> {
    Sha1::digest(spki.subject_public_key.raw_bytes()).to_vec()
}

/// Method 1 over a DER `SubjectPublicKeyInfo`.
///
/// # Errors
/// The decoding error when `spki_der` is not a `SubjectPublicKeyInfo`.
pub fn method1_der(spki_der: &[u8]) -> der::Result<Vec<u8>> {
    let spki = SubjectPublicKeyInfoRef::from_der(spki_der)?;
    Ok(Sha1::digest(spki.subject_public_key.raw_bytes()).to_vec())
}
