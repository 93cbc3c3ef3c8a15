//! JPEG: the manifest store in APP11 marker segments (C2PA 2.2 §A.3.1; JPEG XT ISO/IEC 18477-3;
//! ISO 19566-5:2023 D.2).
//!
//! ```text
//! APP11 segment = FF EB ‖ Lp (u16 BE, includes itself) ‖ CI "JP" ‖ En (u16 box instance)
//!                 ‖ Z (u32 packet sequence, from 1) ‖ box data
//! ```
//! The first packet's box data starts with the superbox header; every continuation packet repeats
//! `LBox ‖ TBox` (and `XLBox` when `LBox = 1`) before continuing the box payload.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read};

use super::{ContainerLimits, Counting, Format, Located};
use crate::error::ContainerError;

/// One JUMBF box instance being reassembled.
struct Instance {
    data: Vec<u8>,
    next_seq: u32,
    ranges: Vec<core::ops::Range<u64>>,
}

/// Finds the C2PA manifest store in a JPEG. `Ok(None)` when the JPEG has none.
pub fn locate<R: Read>(
    reader: R,
    limits: &ContainerLimits,
) -> Result<Option<Located>, ContainerError> {
    locate_in(Counting::new(BufReader::new(reader)), limits)
}

/// [`locate`] over a counting, buffered reader (seeking or not).
pub(crate) fn locate_in<R: BufRead>(
    mut r: Counting<R>,
    limits: &ContainerLimits,
) -> Result<Option<Located>, ContainerError> {
    let mut soi = [0u8; 2];
    r.fill(&mut soi)
        .map_err(|_| ContainerError::NotFormat { format: "JPEG" })?;
    if soi != [0xFF, 0xD8] {
        return Err(ContainerError::NotFormat { format: "JPEG" });
    }
    let mut instances: BTreeMap<u16, Instance> = BTreeMap::new();
    let mut segments = 0usize;
    let mut in_scan = false;
    loop {
        // Find the next marker: in entropy-coded data, FF 00 and RSTn do not end the scan.
        let marker_at;
        let marker = loop {
            // Entropy-coded data: straight to the next marker.
            if in_scan && !r.skip_entropy_coded()? {
                return Err(ContainerError::Truncated { offset: r.pos });
            }
            let Some(b) = r.byte()? else {
                return Err(ContainerError::Truncated { offset: r.pos });
            };
            if b != 0xFF {
                if in_scan {
                    continue;
                }
                return Err(ContainerError::Malformed {
                    offset: r.pos.saturating_sub(1),
                    what: "expected a JPEG marker",
                });
            }
            let start = r.pos.saturating_sub(1);
            let mut m = r
                .byte()?
                .ok_or(ContainerError::Truncated { offset: r.pos })?;
            while m == 0xFF {
                m = r
                    .byte()?
                    .ok_or(ContainerError::Truncated { offset: r.pos })?;
            }
            if in_scan && (m == 0x00 || (0xD0..=0xD7).contains(&m)) {
                continue;
            }
            marker_at = start;
            break m;
        };
        segments = segments.saturating_add(1);
        if segments > limits.max_segments {
            return Err(ContainerError::TooManySegments {
                limit: limits.max_segments,
            });
        }
        match marker {
            0xD9 => break, // EOI
            0x01 | 0xD0..=0xD7 => continue,
            0xD8 => {
                return Err(ContainerError::Malformed {
                    offset: marker_at,
                    what: "second SOI",
                });
            }
            _ => {}
        }
        let mut len = [0u8; 2];
        r.fill(&mut len)?;
        let lp = u16::from_be_bytes(len);
        if lp < 2 {
            return Err(ContainerError::Malformed {
                offset: marker_at,
                what: "segment length below 2",
            });
        }
        let body_len = usize::from(lp).saturating_sub(2);
        let seg_end = marker_at.saturating_add(2).saturating_add(u64::from(lp));
        in_scan = marker == 0xDA;
        if marker != 0xEB || body_len < 8 {
            r.skip(u64::try_from(body_len).unwrap_or(u64::MAX))?;
            continue;
        }
        let mut head = [0u8; 8];
        r.fill(&mut head)?;
        let [c0, c1, e0, e1, z0, z1, z2, z3] = head;
        if [c0, c1] != *b"JP" {
            r.skip(u64::try_from(body_len.saturating_sub(8)).unwrap_or(u64::MAX))?;
            continue;
        }
        let en = u16::from_be_bytes([e0, e1]);
        let seq = u32::from_be_bytes([z0, z1, z2, z3]);
        let payload_len = body_len.saturating_sub(8);
        let range = marker_at..seg_end;
        match instances.get_mut(&en) {
            None => {
                if seq != 1 {
                    return Err(ContainerError::Malformed {
                        offset: marker_at,
                        what: "JUMBF packet sequence does not start at 1",
                    });
                }
                let mut data = vec![0u8; payload_len];
                r.fill(&mut data)?;
                // Room for the whole box its header declares (within the store limit), so the
                // continuations append without reallocating: a large store is written once.
                if let Some(declared) = declared_box_len(&data) {
                    let want = declared.min(limits.max_store_size);
                    data.reserve_exact(want.saturating_sub(data.len()));
                }
                instances.insert(
                    en,
                    Instance {
                        data,
                        next_seq: 2,
                        ranges: vec![range],
                    },
                );
            }
            Some(inst) => {
                if seq != inst.next_seq {
                    return Err(ContainerError::Malformed {
                        offset: marker_at,
                        what: "JUMBF packet out of sequence",
                    });
                }
                // Continuation: skip the repeated LBox/TBox(/XLBox), then read the rest
                // straight onto the end of the store.
                let too_short = ContainerError::Malformed {
                    offset: marker_at,
                    what: "JUMBF continuation too short",
                };
                if payload_len < 8 {
                    return Err(too_short);
                }
                let mut lbox = [0u8; 4];
                r.fill(&mut lbox)?;
                let header_len = if lbox == [0, 0, 0, 1] { 16 } else { 8 };
                if payload_len < header_len {
                    return Err(too_short);
                }
                // TBox, and XLBox when LBox is 1: read past, not kept.
                let mut rest_of_header = [0u8; 12];
                r.fill(rest_of_header.get_mut(..header_len - 4).unwrap_or_default())?;
                let rest_len = payload_len.saturating_sub(header_len);
                if inst.data.len().saturating_add(rest_len) > limits.max_store_size {
                    return Err(ContainerError::StoreTooLarge {
                        limit: limits.max_store_size,
                    });
                }
                r.append(&mut inst.data, rest_len)?;
                inst.next_seq = inst.next_seq.saturating_add(1);
                inst.ranges.push(range);
            }
        }
    }
    let mut found: Option<Located> = None;
    for inst in instances.into_values() {
        if !super::is_c2pa_store(&inst.data) {
            continue;
        }
        if found.is_some() {
            return Err(ContainerError::MultipleStores);
        }
        found = Some(Located {
            format: Format::Jpeg,
            store: inst.data,
            ranges: inst.ranges,
        });
    }
    Ok(found)
}

/// The length a JUMBF box header at the start of `data` declares (`LBox`, or `XLBox` when
/// `LBox` is 1); `None` for a header that declares none.
fn declared_box_len(data: &[u8]) -> Option<usize> {
    let lbox = u32::from_be_bytes(data.get(..4)?.try_into().ok()?);
    let len = match lbox {
        0 => return None,
        1 => u64::from_be_bytes(data.get(8..16)?.try_into().ok()?),
        n => u64::from(n),
    };
    usize::try_from(len).ok()
}

impl<R: BufRead> Counting<R> {
    /// Skips JPEG entropy-coded data up to the next marker: stops at an `FF` not followed by
    /// `00` (a stuffed byte) or `D0`–`D7` (RSTn), which stays unread, or at an `FF` ending the
    /// buffer (the caller's byte-wise marker reading decides). `false` at end of data. Runs over
    /// the reader's buffer a slice at a time: entropy-coded data is most of a JPEG's bytes.
    pub(crate) fn skip_entropy_coded(&mut self) -> Result<bool, ContainerError> {
        loop {
            let buf = match self.inner.fill_buf() {
                Ok(b) => b,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(ContainerError::io(e, self.pos)),
            };
            if buf.is_empty() {
                return Ok(false);
            }
            let mut at = 0usize;
            let stop = loop {
                let Some(i) = buf.get(at..).and_then(|rest| memchr::memchr(0xFF, rest)) else {
                    break None;
                };
                let ff = at.saturating_add(i);
                match buf.get(ff.saturating_add(1)) {
                    Some(0x00 | 0xD0..=0xD7) => at = ff.saturating_add(2),
                    _ => break Some(ff),
                }
            };
            let n = stop.unwrap_or(buf.len());
            self.inner.consume(n);
            self.pos = self
                .pos
                .saturating_add(u64::try_from(n).unwrap_or(u64::MAX));
            if stop.is_some() {
                return Ok(true);
            }
        }
    }
}

#[cfg(test)]
mod tests;
