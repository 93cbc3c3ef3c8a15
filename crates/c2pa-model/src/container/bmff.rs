//! ISO BMFF (MP4, MOV, HEIF, AVIF, ...): the manifest store in a C2PA `uuid` box (C2PA 2.2 §A.5).
//!
//! ```text
//! aligned(8) class ContentProvenanceBox extends FullBox('uuid',
//!     extended_type = D8FEC3D6-1B0E-483C-9297-5828877EC481, version = 0, 0) {
//!   string box_purpose;   // "manifest", "original", "update" (or "merkle" for auxiliary boxes)
//!   bit(8) data[];        // manifest: u64 offset of the first merkle box ‖ store ‖ padding
//! }
//! ```
//! Only top-level boxes are walked; box payloads other than the C2PA box are skipped unread.

use std::io::Read;

use super::{ContainerLimits, Counting, Format, Located};
use crate::error::ContainerError;
use crate::jumbf;

/// The C2PA `uuid` extended type.
pub const C2PA_UUID: [u8; 16] = [
    0xD8, 0xFE, 0xC3, 0xD6, 0x1B, 0x0E, 0x48, 0x3C, 0x92, 0x97, 0x58, 0x28, 0x87, 0x7E, 0xC4, 0x81,
];

/// A top-level box header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BoxHeader {
    /// Offset of the box in the file.
    pub offset: u64,
    /// Box type.
    pub box_type: [u8; 4],
    /// Total size including the header.
    pub size: u64,
    /// Header length (8, 16 with largesize; +16 for a `uuid` extended type is not included).
    pub header_len: u64,
}

/// Finds the C2PA manifest store in an ISO BMFF file. `Ok(None)` when there is none.
///
/// When both an `original` and an `update` box exist, the `update` store is returned (it holds
/// the active manifest, §15 "Locating the active manifest").
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
    let mut manifest: Option<Located> = None;
    let mut update: Option<Located> = None;
    let mut boxes = 0usize;
    let mut first = true;
    loop {
        let offset = r.pos;
        let Some(b0) = r.byte()? else { break };
        let mut rest = [0u8; 7];
        r.fill(&mut rest)?;
        let [b1, b2, b3, t0, t1, t2, t3] = rest;
        let box_type = [t0, t1, t2, t3];
        if first && box_type != *b"ftyp" && box_type != *b"styp" {
            return Err(ContainerError::NotFormat { format: "ISO BMFF" });
        }
        first = false;
        let mut size = u64::from(u32::from_be_bytes([b0, b1, b2, b3]));
        let mut header_len = 8u64;
        if size == 1 {
            let mut large = [0u8; 8];
            r.fill(&mut large)?;
            size = u64::from_be_bytes(large);
            header_len = 16;
        } else if size == 0 {
            // To the end of the file: only allowed for the last box; we stop reading here.
            if box_type == *b"uuid" {
                return Err(ContainerError::Malformed {
                    offset,
                    what: "C2PA uuid box with size 0",
                });
            }
            break;
        }
        if size < header_len {
            return Err(ContainerError::Malformed {
                offset,
                what: "BMFF box size below its header",
            });
        }
        boxes = boxes.saturating_add(1);
        if boxes > limits.max_segments {
            return Err(ContainerError::TooManySegments {
                limit: limits.max_segments,
            });
        }
        let payload = size.saturating_sub(header_len);
        if box_type != *b"uuid" || payload < 20 {
            r.skip(payload)?;
            continue;
        }
        let mut ext = [0u8; 16];
        r.fill(&mut ext)?;
        if ext != C2PA_UUID {
            r.skip(payload.saturating_sub(16))?;
            continue;
        }
        let body_len = usize::try_from(payload.saturating_sub(16)).unwrap_or(usize::MAX);
        if body_len > limits.max_store_size.saturating_add(4096) {
            return Err(ContainerError::StoreTooLarge {
                limit: limits.max_store_size,
            });
        }
        let mut body = vec![0u8; body_len];
        r.fill(&mut body)?;
        let (purpose, data) = split_purpose(&body).ok_or(ContainerError::Malformed {
            offset,
            what: "C2PA uuid box without version/flags and NUL-terminated box_purpose",
        })?;
        let store = match purpose {
            b"manifest" | b"original" | b"update" => {
                // manifest/original: u64 merkle offset, then the store, then padding.
                let data = if purpose == b"update" {
                    data
                } else {
                    data.get(8..).unwrap_or_default()
                };
                let (_, len) =
                    jumbf::parse_prefix(data, &jumbf::Limits::default()).map_err(|_| {
                        ContainerError::Malformed {
                            offset,
                            what: "C2PA uuid box does not hold a JUMBF superbox",
                        }
                    })?;
                data.get(..len).unwrap_or_default().to_vec()
            }
            _ => continue, // merkle and future purposes carry no store
        };
        if store.len() > limits.max_store_size {
            return Err(ContainerError::StoreTooLarge {
                limit: limits.max_store_size,
            });
        }
        let located = Located {
            format: Format::Bmff,
            store,
            ranges: core::iter::once(offset..offset.saturating_add(size)).collect(),
        };
        let slot = if purpose == b"update" {
            &mut update
        } else {
            &mut manifest
        };
        if slot.is_some() {
            return Err(ContainerError::MultipleStores);
        }
        *slot = Some(located);
    }
    Ok(update.or(manifest))
}

/// Splits a ContentProvenanceBox body (after the extended type) into `box_purpose` and `data`.
fn split_purpose(body: &[u8]) -> Option<(&[u8], &[u8])> {
    let after_full_box = body.get(4..)?;
    let nul = after_full_box.iter().position(|&b| b == 0)?;
    Some((
        after_full_box.get(..nul)?,
        after_full_box.get(nul.checked_add(1)?..)?,
    ))
}
