//! GIF: the manifest store in a `C2PA_GIF` Application Extension (C2PA 2.2 §A.3.7), split into
//! data sub-blocks of at most 255 bytes, placed after the header and before the first image.
//!
//! ```text
//! GIF = "GIF87a"/"GIF89a" ‖ Logical Screen Descriptor (7) ‖ [Global Color Table] ‖ block* ‖ 0x3B
//! C2PA block = 0x21 0xFF 0x0B "C2PA_GIF" 0x01 0x00 0x00 ‖ (len ‖ data[len])* ‖ 0x00
//! ```

use std::io::Read;

use super::{ContainerLimits, Counting, Format, Located};
use crate::error::ContainerError;

/// The application identifier and authentication code (version 1.0) of the C2PA block.
pub const APP_ID: [u8; 11] = *b"C2PA_GIF\x01\x00\x00";

/// Reads the header and Logical Screen Descriptor, skips the Global Color Table; returns the
/// offset of the first block.
pub(crate) fn header<R: Read>(r: &mut Counting<R>) -> Result<u64, ContainerError> {
    let mut head = [0u8; 13];
    r.fill(&mut head)
        .map_err(|_| ContainerError::NotFormat { format: "GIF" })?;
    let sig = head.get(..6).unwrap_or_default();
    if sig != b"GIF89a" && sig != b"GIF87a" {
        return Err(ContainerError::NotFormat { format: "GIF" });
    }
    let flags = head.get(10).copied().unwrap_or_default();
    if flags & 0x80 != 0 {
        let entries = 1u64 << ((flags & 0x07) + 1);
        r.skip(entries.saturating_mul(3))?;
    }
    Ok(r.pos)
}

/// Skips data sub-blocks up to and including the terminator; returns their payload when
/// `keep` (bounded by `limit`).
fn sub_blocks<R: Read>(
    r: &mut Counting<R>,
    keep: bool,
    limit: usize,
    limits: &ContainerLimits,
) -> Result<Vec<u8>, ContainerError> {
    let mut out = Vec::new();
    let mut blocks = 0usize;
    loop {
        let n = r
            .byte()?
            .ok_or(ContainerError::Truncated { offset: r.pos })?;
        if n == 0 {
            return Ok(out);
        }
        blocks = blocks.saturating_add(1);
        if blocks > limits.max_segments {
            return Err(ContainerError::TooManySegments {
                limit: limits.max_segments,
            });
        }
        if keep {
            if out.len().saturating_add(usize::from(n)) > limit {
                return Err(ContainerError::StoreTooLarge { limit });
            }
            let start = out.len();
            out.resize(start.saturating_add(usize::from(n)), 0);
            r.fill(out.get_mut(start..).unwrap_or_default())?;
        } else {
            r.skip(u64::from(n))?;
        }
    }
}

/// Walks the blocks of a GIF; calls `on_c2pa(start, data)` for each C2PA extension.
pub(crate) fn walk<R: Read>(
    reader: R,
    limits: &ContainerLimits,
    mut on_c2pa: impl FnMut(u64, u64, Vec<u8>) -> Result<(), ContainerError>,
) -> Result<u64, ContainerError> {
    let mut r = Counting::new(reader);
    let first = header(&mut r)?;
    loop {
        let start = r.pos;
        let Some(kind) = r.byte()? else {
            return Err(ContainerError::Truncated { offset: start });
        };
        match kind {
            0x3B => return Ok(first),
            0x2C => {
                // Image descriptor (9 bytes after the separator), local color table, LZW
                // minimum code size, image data sub-blocks.
                let mut d = [0u8; 9];
                r.fill(&mut d)?;
                let flags = d.get(8).copied().unwrap_or_default();
                if flags & 0x80 != 0 {
                    r.skip((1u64 << ((flags & 0x07) + 1)).saturating_mul(3))?;
                }
                r.skip(1)?;
                sub_blocks(&mut r, false, 0, limits)?;
            }
            0x21 => {
                let label = r
                    .byte()?
                    .ok_or(ContainerError::Truncated { offset: r.pos })?;
                if label == 0xFF {
                    let size = r
                        .byte()?
                        .ok_or(ContainerError::Truncated { offset: r.pos })?;
                    let mut id = vec![0u8; usize::from(size)];
                    r.fill(&mut id)?;
                    if id.as_slice() == APP_ID.as_slice() {
                        let data = sub_blocks(&mut r, true, limits.max_store_size, limits)?;
                        on_c2pa(start, r.pos, data)?;
                        continue;
                    }
                }
                sub_blocks(&mut r, false, 0, limits)?;
            }
            _ => {
                return Err(ContainerError::Malformed {
                    offset: start,
                    what: "unknown GIF block",
                });
            }
        }
    }
}

/// Finds the manifest store in a GIF. `Ok(None)` when there is none.
pub fn locate<R: Read>(
    reader: R,
    limits: &ContainerLimits,
) -> Result<Option<Located>, ContainerError> {
    let mut found: Option<Located> = None;
    walk(reader, limits, |start, end, store| {
        if found.is_some() {
            return Err(ContainerError::MultipleStores);
        }
        found = Some(Located {
            format: Format::Gif,
            store,
            ranges: core::iter::once(start..end).collect(),
        });
        Ok(())
    })?;
    Ok(found)
}
