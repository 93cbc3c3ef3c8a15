//! Canonical-DER decoding: decode, re-encode, compare.
//!
//! RustCrypto `der` 0.8 rejects non-minimal lengths and INTEGERs but accepts an explicitly
//! encoded DEFAULT value and an unsorted SET OF (X.690 §11.5 and §11.6 forbid both in DER).
//! Decoding and re-encoding restores the canonical form, so comparing the bytes catches what the
//! decoder lets through; the types in this crate use this for their `from_der_strict` entry
//! points.

use der::{Decode, Encode, ErrorKind, SliceReader, Tag};

/// Decodes `bytes` as `T` and rejects them unless re-encoding gives the same bytes.
///
/// # Errors
/// The decoder's error, or [`ErrorKind::Noncanonical`] (tagged with the outer tag) when the
/// input is BER-but-not-DER in a way the decoder accepted.
pub fn decode_canonical<'a, T>(bytes: &'a [u8]) -> der::Result<T>
where
    T: Decode<'a, Error = der::Error> + Encode,
{
    let value = T::from_der(bytes)?;
    if value.to_der()? != bytes {
        let tag = SliceReader::new(bytes)
            .and_then(|mut r| Tag::decode(&mut r))
            .unwrap_or(Tag::Sequence);
        return Err(ErrorKind::Noncanonical { tag }.into());
    }
    Ok(value)
}

#[cfg(test)]
mod tests;
