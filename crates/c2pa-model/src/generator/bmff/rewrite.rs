//! Copying ISO BMFF boxes while C2PA boxes are inserted: absolute file offsets inside the
//! asset are rewritten as the bytes stream through (C2PA 2.2 §18.6.2, "two-pass approach").
//!
//! [`Shifts`] lists the insertions (the manifest box after `ftyp`; a `merkle` box before each
//! `moof` of a fragmented file). A pointer to a byte moves by every insertion at or before that
//! byte ([`Shifts::byte`]: `stco`, `co64`, `saio`, `iloc`, `tfhd`, `tfra`); the start of a range
//! moves by the insertions strictly before it ([`Shifts::range`]: `sidx` references, so a box
//! inserted before a `moof` belongs to the subsegment it starts). Both move back by the old C2PA
//! boxes removed before them (replacing a store).

use std::io::{Read, Write};

use super::super::{io, rb};
use crate::error::{ContainerError, GeneratorError};
use crate::store::{HashAlg, Hasher};

use super::Tree;

/// Boxes inserted into the output — (input offset the box goes before, its size) — and input
/// ranges left out of it (an old C2PA box being replaced), each sorted.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(super) struct Shifts {
    points: Vec<u64>,
    /// `cumulative[i]`: total size of insertions `0..=i`.
    cumulative: Vec<u64>,
    /// Ends of the removed ranges.
    removal_ends: Vec<u64>,
    /// `removed[i]`: total size of removals `0..=i`.
    removed: Vec<u64>,
}

/// The running total `sums` after its first `n` entries.
fn total_before(sums: &[u64], n: usize) -> u64 {
    n.checked_sub(1)
        .and_then(|i| sums.get(i))
        .copied()
        .unwrap_or(0)
}

impl Shifts {
    /// Adds an insertion; points must come in increasing order.
    pub(super) fn push(&mut self, point: u64, size: u64) -> Result<(), GeneratorError> {
        if self.points.last().is_some_and(|p| *p > point) {
            return Err(GeneratorError::LayoutDidNotConverge);
        }
        let total = self
            .cumulative
            .last()
            .copied()
            .unwrap_or(0)
            .checked_add(size)
            .ok_or(GeneratorError::StoreTooLarge)?;
        self.points.push(point);
        self.cumulative.push(total);
        Ok(())
    }

    /// Adds a removed range; ranges must come in increasing order.
    pub(super) fn remove(&mut self, range: core::ops::Range<u64>) -> Result<(), GeneratorError> {
        if self.removal_ends.last().is_some_and(|e| *e > range.start) {
            return Err(GeneratorError::LayoutDidNotConverge);
        }
        let total = self
            .removed
            .last()
            .copied()
            .unwrap_or(0)
            .checked_add(range.end.saturating_sub(range.start))
            .ok_or(GeneratorError::StoreTooLarge)?;
        self.removal_ends.push(range.end);
        self.removed.push(total);
        Ok(())
    }

    fn moved(&self, inserted_before: usize, v: u64) -> Option<u64> {
        let gone = total_before(
            &self.removed,
            self.removal_ends.partition_point(|e| *e <= v),
        );
        v.checked_add(total_before(&self.cumulative, inserted_before))?
            .checked_sub(gone)
    }

    /// Where the byte at input offset `v` is in the output.
    pub(super) fn byte(&self, v: u64) -> Option<u64> {
        self.moved(self.points.partition_point(|p| *p <= v), v)
    }

    /// Where a range starting (or ending, exclusive) at input offset `v` starts in the output: a
    /// box inserted at `v` belongs to the range starting there.
    pub(super) fn range(&self, v: u64) -> Option<u64> {
        self.moved(self.points.partition_point(|p| *p < v), v)
    }
}

/// A box header as read.
#[derive(Debug, Clone, Copy)]
pub(super) struct Head {
    pub(super) box_type: [u8; 4],
    pub(super) size: u64,
    pub(super) header_len: u64,
    pub(super) bytes: [u8; 16],
}

impl Head {
    pub(super) fn raw(&self) -> &[u8] {
        self.bytes
            .get(..usize::try_from(self.header_len).unwrap_or(0))
            .unwrap_or_default()
    }
}

pub(super) fn four(b: [u8; 4]) -> &'static str {
    match &b {
        b"stco" => "stco",
        b"co64" => "co64",
        b"saio" => "saio",
        b"tfhd" => "tfhd",
        b"tfra" => "tfra",
        b"iloc" => "iloc",
        b"meta" => "meta",
        b"moov" => "moov",
        b"mdat" => "mdat",
        b"ftyp" => "ftyp",
        b"uuid" => "uuid",
        b"sidx" => "sidx",
        b"moof" => "moof",
        b"traf" => "traf",
        _ => "box",
    }
}

pub(super) fn malformed(box_type: [u8; 4], offset: u64, what: &'static str) -> GeneratorError {
    GeneratorError::Bmff {
        box_type: four(box_type),
        offset,
        what,
    }
}

/// Reads a box header at `offset` (within `limit` bytes of data); `Ok(None)` at the end.
pub(super) fn read_head(
    r: &mut dyn Read,
    offset: u64,
    limit: u64,
) -> Result<Option<Head>, GeneratorError> {
    let mut bytes = [0u8; 16];
    let first = bytes.get_mut(..8).ok_or(GeneratorError::StoreTooLarge)?;
    let mut got = 0usize;
    while got < 8 {
        let n = r
            .read(first.get_mut(got..).unwrap_or_default())
            .map_err(io)?;
        if n == 0 {
            if got == 0 {
                return Ok(None);
            }
            return Err(ContainerError::Truncated { offset }.into());
        }
        got = got.saturating_add(n);
    }
    let [s0, s1, s2, s3, t0, t1, t2, t3, ..] = bytes;
    let box_type = [t0, t1, t2, t3];
    let size32 = u32::from_be_bytes([s0, s1, s2, s3]);
    let (size, header_len) = match size32 {
        0 => (limit, 8),
        1 => {
            let large = bytes.get_mut(8..16).ok_or(GeneratorError::StoreTooLarge)?;
            r.read_exact(large)
                .map_err(|e| ContainerError::io(e, offset))?;
            let [.., a, b, c, d, e, f, g, h] = bytes;
            (u64::from_be_bytes([a, b, c, d, e, f, g, h]), 16)
        }
        n => (u64::from(n), 8),
    };
    if size < header_len || size > limit {
        return Err(malformed(
            box_type,
            offset,
            "size below its header or past its container",
        ));
    }
    Ok(Some(Head {
        box_type,
        size,
        header_len,
        bytes,
    }))
}

/// Where rewritten bytes go: the output (if any) and the main hash (unless excluded).
pub(super) struct Sink<'a> {
    pub(super) output: Option<&'a mut dyn Write>,
    pub(super) hasher: Option<&'a mut Hasher>,
}

impl Sink<'_> {
    pub(super) fn write(&mut self, bytes: &[u8]) -> Result<(), GeneratorError> {
        if let Some(h) = self.hasher.as_deref_mut() {
            h.update(bytes);
        }
        if let Some(out) = rb(&mut self.output) {
            out.write_all(bytes).map_err(io)?;
        }
        Ok(())
    }
}

/// Containers walked to reach boxes that hold absolute offsets.
const CONTAINERS: [&[u8; 4]; 9] = [
    b"moov", b"trak", b"mdia", b"minf", b"stbl", b"moof", b"traf", b"mfra", b"meta",
];
/// Deepest container nesting followed (moov/trak/mdia/minf/stbl is 5).
const MAX_DEPTH: usize = 12;

pub(super) struct Rewriter {
    pub(super) shifts: Shifts,
    pub(super) max_box: u64,
    pub(super) buf: Vec<u8>,
}

impl Rewriter {
    fn shift(&self, v: u64) -> Option<u64> {
        self.shifts.byte(v)
    }

    pub(super) fn copy(
        &mut self,
        input: &mut dyn Read,
        sink: &mut Sink<'_>,
        n: u64,
    ) -> Result<(), GeneratorError> {
        let mut left = n;
        while left > 0 {
            let want = usize::try_from(left)
                .unwrap_or(usize::MAX)
                .min(self.buf.len());
            let chunk = self
                .buf
                .get_mut(..want)
                .ok_or(GeneratorError::StoreTooLarge)?;
            input.read_exact(chunk).map_err(io)?;
            sink.write(chunk)?;
            left = left.saturating_sub(u64::try_from(want).unwrap_or(u64::MAX));
        }
        Ok(())
    }

    fn read_vec(
        &self,
        input: &mut dyn Read,
        n: u64,
        h: &Head,
        at: u64,
    ) -> Result<Vec<u8>, GeneratorError> {
        if n > self.max_box {
            return Err(malformed(h.box_type, at, "too large to rewrite"));
        }
        let mut v = vec![0u8; usize::try_from(n).map_err(|_| GeneratorError::StoreTooLarge)?];
        input
            .read_exact(&mut v)
            .map_err(|e| ContainerError::io(e, at))?;
        Ok(v)
    }

    /// Writes (rewritten where needed) the body of box `h` at input offset `at`, whose header has
    /// been written; `parent` is the enclosing container's type.
    pub(super) fn rewrite_body(
        &mut self,
        input: &mut dyn Read,
        sink: &mut Sink<'_>,
        h: &Head,
        at: u64,
        depth: usize,
    ) -> Result<(), GeneratorError> {
        let body = h.size.saturating_sub(h.header_len);
        if h.box_type == *b"sidx" && depth == 0 {
            return self.sidx(input, sink, h, at);
        }
        if CONTAINERS.contains(&&h.box_type) && depth < MAX_DEPTH {
            let mut start = at.saturating_add(h.header_len);
            let mut len = body;
            let mut prefix = Vec::new();
            if h.box_type == *b"meta" {
                if body < 12 {
                    return self.copy(input, sink, body);
                }
                // ISO `meta` is a FullBox (4 bytes before its children); QuickTime's is not:
                // there the first child (`hdlr`) starts at once.
                let mut peek = [0u8; 12];
                input
                    .read_exact(&mut peek)
                    .map_err(|e| ContainerError::io(e, at))?;
                if peek.get(4..8) == Some(b"hdlr".as_slice()) {
                    prefix = peek.to_vec();
                } else {
                    sink.write(peek.get(..4).unwrap_or_default())?;
                    prefix = peek.get(4..).unwrap_or_default().to_vec();
                    start = start.saturating_add(4);
                    len = len.saturating_sub(4);
                }
            }
            let mut chained = std::io::Cursor::new(prefix).chain(input);
            return self.walk(&mut chained, sink, h.box_type, start, len, depth);
        }
        self.copy(input, sink, body)
    }

    fn walk(
        &mut self,
        input: &mut dyn Read,
        sink: &mut Sink<'_>,
        parent: [u8; 4],
        start: u64,
        len: u64,
        depth: usize,
    ) -> Result<(), GeneratorError> {
        let mut at = start;
        let end = start.saturating_add(len);
        while at < end {
            let left = end.saturating_sub(at);
            if left < 8 {
                // Trailing bytes inside a container (some writers pad `udta`): kept as is.
                return self.copy(input, sink, left);
            }
            let h = read_head(input, at, left)?.ok_or(ContainerError::Truncated { offset: at })?;
            if h.bytes.get(..4) == Some([0, 0, 0, 0].as_slice()) {
                return Err(malformed(h.box_type, at, "size 0 inside a container"));
            }
            sink.write(h.raw())?;
            let body = h.size.saturating_sub(h.header_len);
            match (&parent, &h.box_type) {
                (b"stbl", b"stco") => self.offsets(input, sink, &h, at, 4)?,
                (b"stbl", b"co64") => self.offsets(input, sink, &h, at, 8)?,
                (b"stbl", b"saio") => self.saio(input, sink, &h, at)?,
                (b"traf", b"tfhd") => self.tfhd(input, sink, &h, at)?,
                (b"mfra", b"tfra") => self.tfra(input, sink, &h, at)?,
                (b"meta", b"iloc") => self.iloc(input, sink, &h, at)?,
                _ if CONTAINERS.contains(&&h.box_type) => {
                    self.rewrite_body(input, sink, &h, at, depth.saturating_add(1))?
                }
                _ => self.copy(input, sink, body)?,
            }
            at = at.saturating_add(h.size);
        }
        Ok(())
    }

    /// `stco`/`co64`: FullBox, entry_count, entries of `width` bytes, each shifted.
    fn offsets(
        &mut self,
        input: &mut dyn Read,
        sink: &mut Sink<'_>,
        h: &Head,
        at: u64,
        width: usize,
    ) -> Result<(), GeneratorError> {
        let body = h.size.saturating_sub(h.header_len);
        let mut head = [0u8; 8];
        input
            .read_exact(&mut head)
            .map_err(|e| ContainerError::io(e, at))?;
        sink.write(&head)?;
        let [.., c0, c1, c2, c3] = head;
        let count = u64::from(u32::from_be_bytes([c0, c1, c2, c3]));
        let w = u64::try_from(width).unwrap_or(8);
        if count.checked_mul(w).and_then(|n| n.checked_add(8)) != Some(body) {
            return Err(malformed(
                h.box_type,
                at,
                "entry count does not match the size",
            ));
        }
        let per_chunk = (self.buf.len() / width).max(1);
        let mut left = count;
        while left > 0 {
            let n = usize::try_from(left).unwrap_or(usize::MAX).min(per_chunk);
            let bytes = n.saturating_mul(width);
            let mut chunk = self
                .buf
                .get(..bytes)
                .ok_or(GeneratorError::StoreTooLarge)?
                .to_vec();
            input
                .read_exact(&mut chunk)
                .map_err(|e| ContainerError::io(e, at))?;
            for entry in chunk.chunks_exact_mut(width) {
                self.patch_uint(entry, h.box_type)?;
            }
            sink.write(&chunk)?;
            left = left.saturating_sub(u64::try_from(n).unwrap_or(u64::MAX));
        }
        Ok(())
    }

    /// Shifts the big-endian unsigned integer in `field` (4 or 8 bytes).
    fn patch_uint(&self, field: &mut [u8], box_type: [u8; 4]) -> Result<(), GeneratorError> {
        let v = field.iter().fold(0u64, |acc, b| (acc << 8) | u64::from(*b));
        let shifted = self.shift(v).ok_or(GeneratorError::OffsetOverflow {
            box_type: four(box_type),
        })?;
        match field.len() {
            4 => {
                let n = u32::try_from(shifted).map_err(|_| GeneratorError::OffsetOverflow {
                    box_type: four(box_type),
                })?;
                field.copy_from_slice(&n.to_be_bytes());
            }
            8 => field.copy_from_slice(&shifted.to_be_bytes()),
            0 => {}
            _ => {
                return Err(GeneratorError::Bmff {
                    box_type: four(box_type),
                    offset: 0,
                    what: "offset field neither 4 nor 8 bytes",
                });
            }
        }
        Ok(())
    }

    /// `saio` in a sample table: absolute offsets (v0: 32-bit, v1: 64-bit).
    fn saio(
        &mut self,
        input: &mut dyn Read,
        sink: &mut Sink<'_>,
        h: &Head,
        at: u64,
    ) -> Result<(), GeneratorError> {
        let body = h.size.saturating_sub(h.header_len);
        let mut v = self.read_vec(input, body, h, at)?;
        let (version, flags) = match v.get(..4) {
            Some([ver, f0, f1, f2]) => (*ver, u32::from_be_bytes([0, *f0, *f1, *f2])),
            _ => return Err(malformed(h.box_type, at, "truncated")),
        };
        let mut pos = 4usize;
        if flags & 1 != 0 {
            pos = pos.saturating_add(8);
        }
        let count = v
            .get(pos..pos.saturating_add(4))
            .and_then(|b| <[u8; 4]>::try_from(b).ok())
            .map(u32::from_be_bytes)
            .ok_or(malformed(h.box_type, at, "truncated"))?;
        pos = pos.saturating_add(4);
        let width = if version == 0 { 4 } else { 8 };
        let need = usize::try_from(count)
            .unwrap_or(usize::MAX)
            .saturating_mul(width);
        let entries = v
            .get_mut(pos..)
            .filter(|e| e.len() == need)
            .ok_or(malformed(
                h.box_type,
                at,
                "entry count does not match the size",
            ))?;
        for e in entries.chunks_exact_mut(width) {
            self.patch_uint(e, h.box_type)?;
        }
        sink.write(&v)
    }

    /// `sidx` (ISO 14496-12 §8.16.3): `first_offset` runs from the end of the box to the first
    /// referenced byte, and each reference covers `referenced_size` bytes; both are redrawn
    /// around the inserted boxes ([`Shifts::range`]).
    fn sidx(
        &mut self,
        input: &mut dyn Read,
        sink: &mut Sink<'_>,
        h: &Head,
        at: u64,
    ) -> Result<(), GeneratorError> {
        let body = h.size.saturating_sub(h.header_len);
        let mut v = self.read_vec(input, body, h, at)?;
        let bad = |what| malformed(h.box_type, at, what);
        let overflow = GeneratorError::OffsetOverflow { box_type: "sidx" };
        let version = *v.first().ok_or(bad("truncated"))?;
        let (first_at, width) = if version == 0 { (16, 4) } else { (20, 8) };
        let read = |v: &[u8], pos: usize, n: usize| -> Option<u64> {
            Some(
                v.get(pos..pos.checked_add(n)?)?
                    .iter()
                    .fold(0u64, |acc, b| (acc << 8) | u64::from(*b)),
            )
        };
        let first_offset = read(&v, first_at, width).ok_or(bad("truncated"))?;
        let count_at = first_at.saturating_add(width).saturating_add(2);
        let count = read(&v, count_at, 2).ok_or(bad("truncated"))?;
        let refs_at = count_at.saturating_add(2);
        if u64::try_from(v.len().saturating_sub(refs_at)).ok() != Some(count.saturating_mul(12)) {
            return Err(bad("reference count does not match the size"));
        }
        let anchor = at.saturating_add(h.size);
        let mut start = anchor
            .checked_add(first_offset)
            .ok_or(bad("first_offset past 2^64"))?;
        let out_anchor = self.shifts.range(anchor).ok_or(overflow.clone())?;
        let out_start = self.shifts.range(start).ok_or(overflow.clone())?;
        let new_first = out_start.checked_sub(out_anchor).ok_or(overflow.clone())?;
        let field = v
            .get_mut(first_at..first_at.saturating_add(width))
            .ok_or(bad("truncated"))?;
        if width == 4 {
            let n = u32::try_from(new_first).map_err(|_| overflow.clone())?;
            field.copy_from_slice(&n.to_be_bytes());
        } else {
            field.copy_from_slice(&new_first.to_be_bytes());
        }
        for i in 0..usize::try_from(count).unwrap_or(0) {
            let pos = refs_at.saturating_add(i.saturating_mul(12));
            let word = read(&v, pos, 4).ok_or(bad("truncated"))?;
            let size = word & 0x7FFF_FFFF;
            let end = start.checked_add(size).ok_or(bad("reference past 2^64"))?;
            let new_size = self
                .shifts
                .range(end)
                .and_then(|e| e.checked_sub(self.shifts.range(start)?))
                .filter(|n| *n <= 0x7FFF_FFFF)
                .ok_or(overflow.clone())?;
            let new_word =
                u32::try_from((word & 0x8000_0000) | new_size).map_err(|_| overflow.clone())?;
            v.get_mut(pos..pos.saturating_add(4))
                .ok_or(bad("truncated"))?
                .copy_from_slice(&new_word.to_be_bytes());
            start = end;
        }
        sink.write(&v)
    }

    /// `tfhd`: the optional 64-bit base data offset (flag 0x000001) is absolute.
    fn tfhd(
        &mut self,
        input: &mut dyn Read,
        sink: &mut Sink<'_>,
        h: &Head,
        at: u64,
    ) -> Result<(), GeneratorError> {
        let body = h.size.saturating_sub(h.header_len);
        let mut v = self.read_vec(input, body, h, at)?;
        let flags = match v.get(..4) {
            Some([_, f0, f1, f2]) => u32::from_be_bytes([0, *f0, *f1, *f2]),
            _ => return Err(malformed(h.box_type, at, "truncated")),
        };
        if flags & 1 != 0 {
            let field = v
                .get_mut(8..16)
                .ok_or(malformed(h.box_type, at, "truncated"))?;
            self.patch_uint(field, h.box_type)?;
        }
        sink.write(&v)
    }

    /// `tfra`: each entry's `moof_offset` is absolute.
    fn tfra(
        &mut self,
        input: &mut dyn Read,
        sink: &mut Sink<'_>,
        h: &Head,
        at: u64,
    ) -> Result<(), GeneratorError> {
        let body = h.size.saturating_sub(h.header_len);
        let mut head = [0u8; 16];
        input
            .read_exact(&mut head)
            .map_err(|e| ContainerError::io(e, at))?;
        sink.write(&head)?;
        let [version, .., l0, l1, l2, l3, c0, c1, c2, c3] = head;
        let sizes = u32::from_be_bytes([l0, l1, l2, l3]);
        let count = u64::from(u32::from_be_bytes([c0, c1, c2, c3]));
        let wide: usize = if version == 1 { 8 } else { 4 };
        let field = |shift: u32| usize::try_from(((sizes >> shift) & 3) + 1).unwrap_or(4);
        let entry = wide
            .saturating_mul(2)
            .saturating_add(field(4))
            .saturating_add(field(2))
            .saturating_add(field(0));
        let need = count
            .checked_mul(u64::try_from(entry).unwrap_or(u64::MAX))
            .and_then(|n| n.checked_add(16));
        if need != Some(body) {
            return Err(malformed(
                h.box_type,
                at,
                "entry count does not match the size",
            ));
        }
        let mut e = vec![0u8; entry];
        for _ in 0..count {
            input
                .read_exact(&mut e)
                .map_err(|err| ContainerError::io(err, at))?;
            let off = e.get_mut(wide..wide.saturating_mul(2)).ok_or(malformed(
                h.box_type,
                at,
                "truncated",
            ))?;
            self.patch_uint(off, h.box_type)?;
            sink.write(&e)?;
        }
        Ok(())
    }

    /// `iloc` (ISO 14496-12 §8.11.3): item extents in this file (construction method 0, data
    /// reference 0) hold absolute offsets — in `base_offset`, or in each `extent_offset`.
    fn iloc(
        &mut self,
        input: &mut dyn Read,
        sink: &mut Sink<'_>,
        h: &Head,
        at: u64,
    ) -> Result<(), GeneratorError> {
        let body = h.size.saturating_sub(h.header_len);
        let mut v = self.read_vec(input, body, h, at)?;
        let bad = |what| malformed(h.box_type, at, what);
        let version = *v.first().ok_or(bad("truncated"))?;
        if version > 2 {
            return Err(bad("unknown version"));
        }
        let (s0, s1) = match v.get(4..6) {
            Some([a, b]) => (*a, *b),
            _ => return Err(bad("truncated")),
        };
        let offset_size = usize::from(s0 >> 4);
        let length_size = usize::from(s0 & 0x0F);
        let base_size = usize::from(s1 >> 4);
        let index_size = if version >= 1 {
            usize::from(s1 & 0x0F)
        } else {
            0
        };
        for s in [offset_size, length_size, base_size, index_size] {
            if !matches!(s, 0 | 4 | 8) {
                return Err(bad("field size not 0, 4 or 8"));
            }
        }
        let id_size = if version == 2 { 4 } else { 2 };
        let mut pos = 6usize;
        let read = |v: &[u8], pos: usize, n: usize| -> Option<u64> {
            Some(
                v.get(pos..pos.checked_add(n)?)?
                    .iter()
                    .fold(0u64, |acc, b| (acc << 8) | u64::from(*b)),
            )
        };
        let items = read(&v, pos, id_size).ok_or(bad("truncated"))?;
        pos = pos.saturating_add(id_size);
        for _ in 0..items {
            pos = pos.saturating_add(id_size);
            let method = if version >= 1 {
                let m = read(&v, pos, 2).ok_or(bad("truncated"))? & 0x0F;
                pos = pos.saturating_add(2);
                m
            } else {
                0
            };
            let data_ref = read(&v, pos, 2).ok_or(bad("truncated"))?;
            pos = pos.saturating_add(2);
            let base_at = pos;
            let base = read(&v, pos, base_size).ok_or(bad("truncated"))?;
            pos = pos.saturating_add(base_size);
            let extents = read(&v, pos, 2).ok_or(bad("truncated"))?;
            pos = pos.saturating_add(2);
            let in_file = method == 0 && data_ref == 0;
            let shift_base = in_file && base_size > 0 && self.shift(base) != Some(base);
            if shift_base {
                let f = v
                    .get_mut(base_at..base_at.saturating_add(base_size))
                    .ok_or(bad("truncated"))?;
                self.patch_uint(f, h.box_type)?;
            }
            for _ in 0..extents {
                pos = pos.saturating_add(index_size);
                let off_at = pos;
                let off = read(&v, pos, offset_size).ok_or(bad("truncated"))?;
                pos = pos.saturating_add(offset_size).saturating_add(length_size);
                if pos > v.len() {
                    return Err(bad("truncated"));
                }
                if !in_file {
                    continue;
                }
                let abs = base.saturating_add(off);
                let moved = self
                    .shift(abs)
                    .ok_or(GeneratorError::OffsetOverflow { box_type: "iloc" })?
                    .saturating_sub(abs);
                if shift_base {
                    // The base moved; the extent must move with it.
                    let base_moved = self.shift(base).unwrap_or(base).saturating_sub(base);
                    if moved != base_moved {
                        return Err(bad("an item extent spans an inserted box"));
                    }
                } else if moved > 0 {
                    if offset_size == 0 {
                        return Err(bad("an extent after the manifest has no offset field"));
                    }
                    let f = v
                        .get_mut(off_at..off_at.saturating_add(offset_size))
                        .ok_or(bad("truncated"))?;
                    // The absolute position is base + offset; shift the offset part.
                    let shifted = off
                        .checked_add(moved)
                        .ok_or(GeneratorError::OffsetOverflow { box_type: "iloc" })?;
                    if offset_size == 4 {
                        let n = u32::try_from(shifted)
                            .map_err(|_| GeneratorError::OffsetOverflow { box_type: "iloc" })?;
                        f.copy_from_slice(&n.to_be_bytes());
                    } else {
                        f.copy_from_slice(&shifted.to_be_bytes());
                    }
                }
            }
        }
        if pos > v.len() {
            return Err(bad("truncated"));
        }
        sink.write(&v)
    }

    /// An `mdat` hashed as a Merkle tree: the main hash gets its first 16 bytes (the rest is
    /// excluded by `/mdat` subset 16..), each leaf hashes one block of the payload.
    pub(super) fn merkle_mdat(
        &mut self,
        input: &mut dyn Read,
        sink: &mut Sink<'_>,
        h: &Head,
        tree: Tree,
        alg: HashAlg,
    ) -> Result<Vec<Vec<u8>>, GeneratorError> {
        // Header bytes: to the output and the main hash.
        sink.write(h.raw())?;
        let payload = h.size.saturating_sub(h.header_len);
        let block = tree.block.unwrap_or(payload.max(1));
        let mut leaves = Vec::with_capacity(usize::try_from(tree.leaves).unwrap_or(0));
        let mut leaf = alg.hasher();
        let mut in_leaf = 0u64;
        let mut pos = h.header_len; // box-relative
        let mut left = payload;
        while left > 0 {
            let want = usize::try_from(left.min(block.saturating_sub(in_leaf)))
                .unwrap_or(usize::MAX)
                .min(self.buf.len());
            let chunk = self
                .buf
                .get_mut(..want)
                .ok_or(GeneratorError::StoreTooLarge)?;
            input.read_exact(chunk).map_err(io)?;
            // Bytes before box offset 16 also go to the main hash.
            let main_part = usize::try_from(16u64.saturating_sub(pos))
                .unwrap_or(0)
                .min(want);
            if let Some(hasher) = sink.hasher.as_deref_mut() {
                hasher.update(chunk.get(..main_part).unwrap_or_default());
            }
            if let Some(out) = rb(&mut sink.output) {
                out.write_all(chunk).map_err(io)?;
            }
            leaf.update(chunk);
            let n = u64::try_from(want).unwrap_or(u64::MAX);
            in_leaf = in_leaf.saturating_add(n);
            pos = pos.saturating_add(n);
            left = left.saturating_sub(n);
            if in_leaf == block || left == 0 {
                leaves.push(core::mem::replace(&mut leaf, alg.hasher()).finalize());
                in_leaf = 0;
            }
        }
        if payload == 0 {
            leaves.push(leaf.finalize());
        }
        if u64::try_from(leaves.len()).ok() != Some(tree.leaves) {
            return Err(malformed(h.box_type, 0, "leaf count differs from the plan"));
        }
        Ok(leaves)
    }
}
