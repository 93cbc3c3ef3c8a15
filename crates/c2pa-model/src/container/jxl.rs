//! JPEG XL in its box container (ISO/IEC 18181-2): the manifest store is a top-level `jumb`
//! box — the JUMBF superbox itself — labelled `c2pa` (C2PA 2.2 §A.3.8). A bare codestream
//! (`FF 0A`) cannot carry one.

use std::io::Read;

use super::{ContainerLimits, Counting, Format, Located};
use crate::error::ContainerError;

/// The JPEG XL signature box.
pub const SIGNATURE: [u8; 12] = [
    0, 0, 0, 0x0C, b'J', b'X', b'L', b' ', 0x0D, 0x0A, 0x87, 0x0A,
];

/// Finds the manifest store in a JPEG XL file. `Ok(None)` when there is none.
pub fn locate<R: Read>(
    reader: R,
    limits: &ContainerLimits,
) -> Result<Option<Located>, ContainerError> {
    let mut r = Counting::new(reader);
    let mut sig = [0u8; 12];
    let mut first = [0u8; 2];
    r.fill(&mut first)
        .map_err(|_| ContainerError::NotFormat { format: "JPEG XL" })?;
    if first == [0xFF, 0x0A] {
        return Ok(None);
    }
    if let Some((a, rest)) = sig.split_first_chunk_mut::<2>() {
        *a = first;
        r.fill(rest)
            .map_err(|_| ContainerError::NotFormat { format: "JPEG XL" })?;
    }
    if sig != SIGNATURE {
        return Err(ContainerError::NotFormat { format: "JPEG XL" });
    }
    let mut found: Option<Located> = None;
    let mut boxes = 0usize;
    loop {
        let start = r.pos;
        let Some(b0) = r.byte()? else { break };
        let mut rest = [0u8; 7];
        r.fill(&mut rest)?;
        let [b1, b2, b3, t0, t1, t2, t3] = rest;
        let kind = [t0, t1, t2, t3];
        let mut header = [b0, b1, b2, b3, t0, t1, t2, t3].to_vec();
        let mut size = u64::from(u32::from_be_bytes([b0, b1, b2, b3]));
        if size == 1 {
            let mut large = [0u8; 8];
            r.fill(&mut large)?;
            header.extend_from_slice(&large);
            size = u64::from_be_bytes(large);
        } else if size == 0 {
            break; // the last box, to the end of the file: codestream, not a store
        }
        let header_len = u64::try_from(header.len()).unwrap_or(16);
        if size < header_len {
            return Err(ContainerError::Malformed {
                offset: start,
                what: "box size below its header",
            });
        }
        boxes = boxes.saturating_add(1);
        if boxes > limits.max_segments {
            return Err(ContainerError::TooManySegments {
                limit: limits.max_segments,
            });
        }
        let payload = size.saturating_sub(header_len);
        if kind != *b"jumb" {
            r.skip(payload)?;
            continue;
        }
        let len = usize::try_from(size).unwrap_or(usize::MAX);
        if len > limits.max_store_size {
            return Err(ContainerError::StoreTooLarge {
                limit: limits.max_store_size,
            });
        }
        let mut store = header;
        let at = store.len();
        store.resize(len, 0);
        r.fill(store.get_mut(at..).unwrap_or_default())?;
        if !super::is_c2pa_store(&store) {
            continue;
        }
        if found.is_some() {
            return Err(ContainerError::MultipleStores);
        }
        found = Some(Located {
            format: Format::Jxl,
            store,
            ranges: core::iter::once(start..start.saturating_add(size)).collect(),
        });
    }
    Ok(found)
}
