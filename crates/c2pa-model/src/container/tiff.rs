//! TIFF and TIFF-based formats (DNG, TIFF/EP), classic and BigTIFF: the manifest store is the
//! data of tag 52545 (`0xCD41`, type 7 `UNDEFINED`) — C2PA 2.2 §A.3.5 puts it alone in the last
//! IFD of the chain, right before the end of the file; earlier versions used IFD 0, so every IFD
//! of the chain is searched.
//!
//! IFDs sit anywhere in the file, so this needs random access ([`locate`] takes `Read + Seek`).
//! The chain is followed with a visited set (no loops) and at most
//! [`ContainerLimits::max_segments`] IFD entries in all; entries are read one at a time.

use std::collections::BTreeSet;
use std::io::{Read, Seek, SeekFrom};

use super::{ContainerLimits, Format, Located};
use crate::error::ContainerError;

/// The C2PA tag.
pub const C2PA_TAG: u16 = 0xCD41;
/// `UNDEFINED`, the C2PA tag's type.
pub const UNDEFINED: u16 = 7;

/// Byte order and offset width of a TIFF file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TiffKind {
    /// Little-endian (`II`), else big-endian (`MM`).
    pub little_endian: bool,
    /// BigTIFF (version 43: 64-bit offsets and counts, 20-byte entries).
    pub big: bool,
}

impl TiffKind {
    /// Bytes of an offset (and of a count in an entry).
    pub fn offset_len(self) -> usize {
        if self.big { 8 } else { 4 }
    }

    /// Bytes of one IFD entry.
    pub fn entry_len(self) -> usize {
        if self.big { 20 } else { 12 }
    }

    /// Bytes of an IFD's entry count.
    pub fn count_len(self) -> usize {
        if self.big { 8 } else { 2 }
    }

    /// Reads an unsigned integer of `bytes.len()` bytes.
    pub fn uint(self, bytes: &[u8]) -> u64 {
        let fold = |acc: u64, b: &u8| (acc << 8) | u64::from(*b);
        if self.little_endian {
            bytes.iter().rev().fold(0, fold)
        } else {
            bytes.iter().fold(0, fold)
        }
    }

    /// Writes `v` as `len` bytes (the value must fit).
    pub fn put(self, v: u64, len: usize) -> Vec<u8> {
        let be = v.to_be_bytes();
        let mut out = be
            .get(be.len().saturating_sub(len)..)
            .unwrap_or_default()
            .to_vec();
        if self.little_endian {
            out.reverse();
        }
        out
    }
}

/// One IFD of the chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ifd {
    /// Where it starts.
    pub offset: u64,
    /// Its entry count.
    pub entries: u64,
    /// Where its next-IFD offset is.
    pub next_at: u64,
    /// The C2PA entry, if it has one: (type, count, value offset).
    pub c2pa: Option<(u16, u64, u64)>,
}

/// The header and the IFD chain of a TIFF file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Layout {
    /// Byte order and width.
    pub kind: TiffKind,
    /// The chain from IFD 0, in order.
    pub ifds: Vec<Ifd>,
    /// The file length.
    pub len: u64,
}

fn read_at(
    reader: &mut (impl Read + Seek + ?Sized),
    at: u64,
    buf: &mut [u8],
) -> Result<(), ContainerError> {
    reader
        .seek(SeekFrom::Start(at))
        .map_err(|e| ContainerError::io(e, at))?;
    reader
        .read_exact(buf)
        .map_err(|e| ContainerError::io(e, at))
}

/// Reads the header and walks the IFD chain.
pub fn layout(
    reader: &mut (impl Read + Seek + ?Sized),
    limits: &ContainerLimits,
) -> Result<Layout, ContainerError> {
    let len = reader
        .seek(SeekFrom::End(0))
        .map_err(|e| ContainerError::io(e, 0))?;
    let mut head = [0u8; 16];
    let got = usize::try_from(len.min(16)).unwrap_or(16);
    read_at(reader, 0, head.get_mut(..got).unwrap_or_default())?;
    let little_endian = match head.get(..2) {
        Some(b"II") => true,
        Some(b"MM") => false,
        _ => return Err(ContainerError::NotFormat { format: "TIFF" }),
    };
    let probe = TiffKind {
        little_endian,
        big: false,
    };
    let kind = match probe.uint(head.get(2..4).unwrap_or_default()) {
        42 if got >= 8 => probe,
        43 if got >= 16 => {
            let k = TiffKind {
                little_endian,
                big: true,
            };
            if k.uint(head.get(4..6).unwrap_or_default()) != 8
                || k.uint(head.get(6..8).unwrap_or_default()) != 0
            {
                return Err(ContainerError::Malformed {
                    offset: 4,
                    what: "BigTIFF offset size not 8",
                });
            }
            k
        }
        _ => return Err(ContainerError::NotFormat { format: "TIFF" }),
    };
    let first = if kind.big {
        kind.uint(head.get(8..16).unwrap_or_default())
    } else {
        kind.uint(head.get(4..8).unwrap_or_default())
    };
    let mut ifds = Vec::new();
    let mut seen = BTreeSet::new();
    let mut budget = limits.max_segments;
    let mut next = first;
    while next != 0 {
        if !seen.insert(next) {
            return Err(ContainerError::Malformed {
                offset: next,
                what: "the IFD chain loops",
            });
        }
        let ifd = read_ifd(reader, kind, next, len, &mut budget)?;
        let mut n = vec![0u8; kind.offset_len()];
        read_at(reader, ifd.next_at, &mut n)?;
        next = kind.uint(&n);
        ifds.push(ifd);
    }
    if ifds.is_empty() {
        return Err(ContainerError::Malformed {
            offset: 0,
            what: "no IFD 0",
        });
    }
    Ok(Layout { kind, ifds, len })
}

fn read_ifd(
    reader: &mut (impl Read + Seek + ?Sized),
    kind: TiffKind,
    offset: u64,
    len: u64,
    budget: &mut usize,
) -> Result<Ifd, ContainerError> {
    let mut count = vec![0u8; kind.count_len()];
    read_at(reader, offset, &mut count)?;
    let entries = kind.uint(&count);
    let entry_len = u64::try_from(kind.entry_len()).unwrap_or(20);
    let body = entries
        .checked_mul(entry_len)
        .and_then(|b| b.checked_add(u64::try_from(kind.count_len()).unwrap_or(8)))
        .and_then(|b| b.checked_add(offset))
        .filter(|end| {
            end.checked_add(u64::try_from(kind.offset_len()).unwrap_or(8))
                .is_some_and(|e| e <= len)
        })
        .ok_or(ContainerError::Malformed {
            offset,
            what: "IFD runs past the end of the file",
        })?;
    let n = usize::try_from(entries).unwrap_or(usize::MAX);
    if n > *budget {
        return Err(ContainerError::TooManySegments {
            limit: budget.saturating_add(n.min(1)),
        });
    }
    *budget = budget.saturating_sub(n);
    let mut c2pa = None;
    let mut entry = vec![0u8; kind.entry_len()];
    let w = kind.offset_len();
    for i in 0..entries {
        let at = offset
            .saturating_add(u64::try_from(kind.count_len()).unwrap_or(8))
            .saturating_add(i.saturating_mul(entry_len));
        read_at(reader, at, &mut entry)?;
        let tag = u16::try_from(kind.uint(entry.get(..2).unwrap_or_default())).unwrap_or(0);
        if tag != C2PA_TAG {
            continue;
        }
        if c2pa.is_some() {
            return Err(ContainerError::MultipleStores);
        }
        let ty = u16::try_from(kind.uint(entry.get(2..4).unwrap_or_default())).unwrap_or(0);
        let count = kind.uint(entry.get(4..4usize.saturating_add(w)).unwrap_or_default());
        let value = kind.uint(
            entry
                .get(4usize.saturating_add(w)..4usize.saturating_add(2 * w))
                .unwrap_or_default(),
        );
        c2pa = Some((ty, count, value));
    }
    Ok(Ifd {
        offset,
        entries,
        next_at: body,
        c2pa,
    })
}

/// Finds the manifest store of a TIFF file. `Ok(None)` when it has none.
pub fn locate(
    reader: &mut (impl Read + Seek + ?Sized),
    limits: &ContainerLimits,
) -> Result<Option<Located>, ContainerError> {
    let layout = layout(reader, limits)?;
    let mut found = layout.ifds.iter().filter_map(|i| i.c2pa.map(|c| (i, c)));
    let Some((ifd, (ty, count, value))) = found.next() else {
        return Ok(None);
    };
    if found.next().is_some() {
        return Err(ContainerError::MultipleStores);
    }
    if ty != UNDEFINED {
        return Err(ContainerError::Malformed {
            offset: ifd.offset,
            what: "the C2PA tag is not of type 7 (UNDEFINED)",
        });
    }
    let size = usize::try_from(count).unwrap_or(usize::MAX);
    if size > limits.max_store_size {
        return Err(ContainerError::StoreTooLarge {
            limit: limits.max_store_size,
        });
    }
    // A store of four bytes or fewer would sit in the entry itself: never a JUMBF superbox.
    let end = value
        .checked_add(count)
        .filter(|e| {
            *e <= layout.len && count > u64::try_from(layout.kind.offset_len()).unwrap_or(8)
        })
        .ok_or(ContainerError::Malformed {
            offset: ifd.offset,
            what: "the C2PA tag's data lies outside the file",
        })?;
    let mut store = vec![0u8; size];
    read_at(reader, value, &mut store)?;
    Ok(Some(Located {
        format: Format::Tiff,
        store,
        ranges: core::iter::once(value..end).collect(),
    }))
}

#[cfg(test)]
pub(crate) mod tests;
