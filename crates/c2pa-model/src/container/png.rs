//! PNG: the manifest store in a `caBX` chunk (C2PA 2.2 §A.3.3; PNG §4.7.2 private ancillary chunk).
//!
//! ```text
//! PNG = signature (89 50 4E 47 0D 0A 1A 0A) ‖ chunk*
//! chunk = length (u32 BE, data only) ‖ type (4) ‖ data ‖ CRC-32 (over type ‖ data)
//! ```
//! The exclusion range of a data hash covers the whole `caBX` chunk (length, type, data, CRC).

use std::io::Read;

use super::{ContainerLimits, Counting, Format, Located};
use crate::error::ContainerError;

/// PNG file signature.
pub const SIGNATURE: [u8; 8] = [0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A];
/// The C2PA chunk type.
pub const CHUNK_TYPE: [u8; 4] = *b"caBX";

/// Finds the C2PA manifest store in a PNG. `Ok(None)` when there is none.
pub fn locate<R: Read>(
    reader: R,
    limits: &ContainerLimits,
) -> Result<Option<Located>, ContainerError> {
    locate_in(Counting::new(reader), limits)
}

/// [`locate`] over a counting reader (seeking or not).
pub(crate) fn locate_in<R: Read>(
    mut r: Counting<R>,
    limits: &ContainerLimits,
) -> Result<Option<Located>, ContainerError> {
    let mut sig = [0u8; 8];
    r.fill(&mut sig)
        .map_err(|_| ContainerError::NotFormat { format: "PNG" })?;
    if sig != SIGNATURE {
        return Err(ContainerError::NotFormat { format: "PNG" });
    }
    let mut found: Option<Located> = None;
    let mut chunks = 0usize;
    loop {
        let start = r.pos;
        let mut head = [0u8; 8];
        r.fill(&mut head)?;
        let [l0, l1, l2, l3, t0, t1, t2, t3] = head;
        let len = u32::from_be_bytes([l0, l1, l2, l3]);
        let kind = [t0, t1, t2, t3];
        if len > 0x7FFF_FFFF {
            return Err(ContainerError::Malformed {
                offset: start,
                what: "PNG chunk length over 2^31-1",
            });
        }
        chunks = chunks.saturating_add(1);
        if chunks > limits.max_segments {
            return Err(ContainerError::TooManySegments {
                limit: limits.max_segments,
            });
        }
        let end = start.saturating_add(12).saturating_add(u64::from(len));
        if kind == CHUNK_TYPE {
            if found.is_some() {
                return Err(ContainerError::MultipleStores);
            }
            let size = usize::try_from(len).unwrap_or(usize::MAX);
            if size > limits.max_store_size {
                return Err(ContainerError::StoreTooLarge {
                    limit: limits.max_store_size,
                });
            }
            let mut data = vec![0u8; size];
            r.fill(&mut data)?;
            let mut crc = [0u8; 4];
            r.fill(&mut crc)?;
            let expected = crc32(&[&kind, &data]);
            if u32::from_be_bytes(crc) != expected {
                return Err(ContainerError::Malformed {
                    offset: start,
                    what: "caBX chunk CRC mismatch",
                });
            }
            found = Some(Located {
                format: Format::Png,
                store: data,
                ranges: core::iter::once(start..end).collect(),
            });
        } else {
            r.skip(u64::from(len).saturating_add(4))?;
        }
        if kind == *b"IEND" {
            return Ok(found);
        }
    }
}

/// CRC-32 (ISO 3309 / PNG Annex D) over the concatenation of `parts`.
pub fn crc32(parts: &[&[u8]]) -> u32 {
    let mut crc = 0xFFFF_FFFFu32;
    for part in parts {
        for &byte in *part {
            crc ^= u32::from(byte);
            for _ in 0..8 {
                let mask = (crc & 1).wrapping_neg();
                crc = (crc >> 1) ^ (0xEDB8_8320 & mask);
            }
        }
    }
    !crc
}
