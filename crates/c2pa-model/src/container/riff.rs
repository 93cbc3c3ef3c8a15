//! RIFF (WebP, WAV, AVI): the manifest store is the data of a `C2PA` chunk at the end of the
//! `RIFF` chunk (C2PA 2.2 §A.3.6).
//!
//! ```text
//! file  = "RIFF" ‖ size (u32 LE, bytes after this field) ‖ form type (4) ‖ chunk*
//! chunk = id (4) ‖ size (u32 LE, data only) ‖ data ‖ [pad byte when size is odd]
//! ```
//! Only the top-level chunks of the `RIFF` chunk are walked; `LIST` chunks are skipped whole.

use std::io::Read;

use super::{ContainerLimits, Counting, Format, Located};
use crate::error::ContainerError;

/// The C2PA chunk identifier.
pub const CHUNK_ID: [u8; 4] = *b"C2PA";

/// The `RIFF` header: the form type and the size field's value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Header {
    /// `WEBP`, `WAVE`, `AVI `, ...
    pub form: [u8; 4],
    /// The `RIFF` chunk's size field (bytes after it).
    pub size: u32,
}

/// Reads the 12-byte `RIFF` header.
pub(crate) fn header<R: Read>(r: &mut Counting<R>) -> Result<Header, ContainerError> {
    let mut head = [0u8; 12];
    r.fill(&mut head)
        .map_err(|_| ContainerError::NotFormat { format: "RIFF" })?;
    let [r0, r1, r2, r3, s0, s1, s2, s3, f0, f1, f2, f3] = head;
    if [r0, r1, r2, r3] != *b"RIFF" {
        return Err(ContainerError::NotFormat { format: "RIFF" });
    }
    Ok(Header {
        form: [f0, f1, f2, f3],
        size: u32::from_le_bytes([s0, s1, s2, s3]),
    })
}

/// Finds the manifest store in a RIFF file. `Ok(None)` when there is none.
pub fn locate<R: Read>(
    reader: R,
    limits: &ContainerLimits,
) -> Result<Option<Located>, ContainerError> {
    let mut r = Counting::new(reader);
    let h = header(&mut r)?;
    let end = 8u64.saturating_add(u64::from(h.size));
    let mut found: Option<Located> = None;
    let mut chunks = 0usize;
    while r.pos.saturating_add(8) <= end {
        let start = r.pos;
        let mut head = [0u8; 8];
        r.fill(&mut head)?;
        let [i0, i1, i2, i3, s0, s1, s2, s3] = head;
        let id = [i0, i1, i2, i3];
        let size = u64::from(u32::from_le_bytes([s0, s1, s2, s3]));
        let padded = size.saturating_add(size & 1);
        if start.saturating_add(8).saturating_add(size) > end {
            return Err(ContainerError::Malformed {
                offset: start,
                what: "RIFF chunk runs past the RIFF chunk",
            });
        }
        chunks = chunks.saturating_add(1);
        if chunks > limits.max_segments {
            return Err(ContainerError::TooManySegments {
                limit: limits.max_segments,
            });
        }
        if id == CHUNK_ID {
            if found.is_some() {
                return Err(ContainerError::MultipleStores);
            }
            let len = usize::try_from(size).unwrap_or(usize::MAX);
            if len > limits.max_store_size {
                return Err(ContainerError::StoreTooLarge {
                    limit: limits.max_store_size,
                });
            }
            let mut store = vec![0u8; len];
            r.fill(&mut store)?;
            if padded > size && r.pos < end {
                r.skip(1)?;
            }
            found = Some(Located {
                format: Format::Riff,
                store,
                // Header and data; an odd size's pad byte stays hashed, as the SDK writes it.
                ranges: core::iter::once(start..start.saturating_add(8).saturating_add(size))
                    .collect(),
            });
        } else {
            let skip = padded.min(end.saturating_sub(start.saturating_add(8)));
            r.skip(skip)?;
        }
    }
    Ok(found)
}
