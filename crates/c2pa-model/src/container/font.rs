//! Fonts (TrueType/OpenType sfnt): the manifest store in the `C2PA` table (C2PA 2.2 §A.3.9,
//! preliminary table format).
//!
//! ```text
//! sfnt    = sfntVersion (4) ‖ numTables (u16) ‖ searchRange, entrySelector, rangeShift (u16 ×3)
//!           ‖ table record (tag 4, checksum 4, offset u32, length u32) × numTables ‖ tables
//! C2PA    = majorVersion u16 ‖ minorVersion u16 ‖ activeManifestUriOffset u32
//!           ‖ activeManifestUriLength u16 ‖ reserved u16 ‖ manifestStoreOffset u32
//!           ‖ manifestStoreLength u32 ‖ ...
//! ```
//! Offsets inside the table are from its start; `manifestStoreOffset` 0 means no store.

use std::io::Read;

use super::{ContainerLimits, Counting, Format, Located};
use crate::error::ContainerError;

/// The C2PA table tag.
pub const TAG: [u8; 4] = *b"C2PA";
/// The fixed part of the C2PA table.
const TABLE_HEADER: u64 = 20;

/// Finds the manifest store in a TrueType/OpenType font. `Ok(None)` when there is none.
pub fn locate<R: Read>(
    reader: R,
    limits: &ContainerLimits,
) -> Result<Option<Located>, ContainerError> {
    let mut r = Counting::new(reader);
    let mut head = [0u8; 12];
    r.fill(&mut head)
        .map_err(|_| ContainerError::NotFormat { format: "font" })?;
    let version = head.get(..4).unwrap_or_default();
    if ![&[0, 1, 0, 0][..], b"OTTO", b"true", b"typ1"].contains(&version) {
        return Err(ContainerError::NotFormat { format: "font" });
    }
    let tables = u16::from_be_bytes([
        head.get(4).copied().unwrap_or_default(),
        head.get(5).copied().unwrap_or_default(),
    ]);
    let mut c2pa = None;
    for _ in 0..tables {
        let mut rec = [0u8; 16];
        r.fill(&mut rec)?;
        let [t0, t1, t2, t3, _, _, _, _, o0, o1, o2, o3, l0, l1, l2, l3] = rec;
        if [t0, t1, t2, t3] == TAG {
            if c2pa.is_some() {
                return Err(ContainerError::MultipleStores);
            }
            c2pa = Some((
                u64::from(u32::from_be_bytes([o0, o1, o2, o3])),
                u64::from(u32::from_be_bytes([l0, l1, l2, l3])),
            ));
        }
    }
    let Some((offset, length)) = c2pa else {
        return Ok(None);
    };
    if offset < r.pos || length < TABLE_HEADER {
        return Err(ContainerError::Malformed {
            offset,
            what: "C2PA table overlaps the table directory or is too short",
        });
    }
    r.skip(offset.saturating_sub(r.pos))?;
    let mut t = [0u8; 20];
    r.fill(&mut t)?;
    let field = |at: usize| {
        u64::from(u32::from_be_bytes([
            t.get(at).copied().unwrap_or_default(),
            t.get(at.saturating_add(1)).copied().unwrap_or_default(),
            t.get(at.saturating_add(2)).copied().unwrap_or_default(),
            t.get(at.saturating_add(3)).copied().unwrap_or_default(),
        ]))
    };
    let (store_offset, store_len) = (field(12), field(16));
    if store_offset == 0 {
        return Ok(None);
    }
    if store_offset < TABLE_HEADER || store_offset.saturating_add(store_len) > length {
        return Err(ContainerError::Malformed {
            offset,
            what: "C2PA table's manifest store lies outside the table",
        });
    }
    let len = usize::try_from(store_len).unwrap_or(usize::MAX);
    if len > limits.max_store_size {
        return Err(ContainerError::StoreTooLarge {
            limit: limits.max_store_size,
        });
    }
    r.skip(store_offset.saturating_sub(TABLE_HEADER))?;
    let start = r.pos;
    let mut store = vec![0u8; len];
    r.fill(&mut store)?;
    Ok(Some(Located {
        format: Format::Font,
        store,
        ranges: core::iter::once(start..start.saturating_add(store_len)).collect(),
    }))
}
