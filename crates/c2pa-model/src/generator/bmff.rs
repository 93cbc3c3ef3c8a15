//! The BMFF hard binding (C2PA 2.2 §18.6, `c2pa.hash.bmff.v3`) for MP4, MOV, HEIF and AVIF,
//! with the manifest store in a C2PA `uuid` box right after `ftyp` (§A.5.3).
//!
//! Inserting the box moves every later byte by its size, so absolute file offsets inside the
//! asset are rewritten as the asset streams through (§18.6.2, "two-pass approach"): `stco` and
//! `co64` chunk offsets, `saio` in a sample table, `iloc` item locations (construction method
//! 0), `tfhd` base data offsets and `tfra` fragment offsets. The hash then covers, for every
//! top-level box not excluded, its *output* offset (8 bytes, big-endian) followed by its
//! rewritten bytes — exactly what a validator computes over the signed file.
//!
//! Exclusions are the mandatory ones only (§A.5.6): the C2PA `uuid` box, `ftyp`, `mfra`. A large
//! `mdat` can instead be hashed as a Merkle tree of fixed-size blocks (§A.5.4.1.1): every `mdat`
//! then gets a tree, `/mdat` from byte 16 is excluded from the main hash, and the manifest holds
//! each tree's leaf row (so no auxiliary `merkle` boxes are needed).

use std::io::{Read, SeekFrom, Write};

use super::{Binding, COPY_BUFFER, Digests, ReadSeek, io, rb, write_zeros};
use crate::assertion::{
    BmffExclusion, BmffHash, CborAssertion, Content, DataMatch, MerkleMap, NewAssertion,
    SubsetRange,
};
use crate::container::ContainerLimits;
use crate::container::bmff::C2PA_UUID;
use crate::error::{ContainerError, GeneratorError};
use crate::store::{HashAlg, Hasher};

/// Layout choices for ISO BMFF.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BmffOptions {
    /// Hash `mdat` payloads as Merkle trees when one is larger than this many bytes (`None`:
    /// always one flat hash). Only for non-fragmented files with at most
    /// [`BmffOptions::max_merkle_mdats`] `mdat` boxes.
    pub merkle_threshold: Option<u64>,
    /// Smallest Merkle leaf (block) size; doubled until a tree has at most `max_leaves` leaves.
    pub merkle_block: u64,
    /// Most leaves per tree (each costs a hash in the manifest).
    pub max_leaves: u64,
    /// Most `mdat` boxes for which Merkle trees are built.
    pub max_merkle_mdats: usize,
    /// Largest `iloc` box read whole for rewriting. HEIF item tables are kilobytes; 16 MiB
    /// bounds memory.
    pub max_rewrite_box: u64,
}

impl Default for BmffOptions {
    fn default() -> Self {
        Self {
            merkle_threshold: None,
            merkle_block: 1 << 20,
            max_leaves: 4096,
            max_merkle_mdats: 16,
            max_rewrite_box: 16 << 20,
        }
    }
}

/// Merkle plan of one `mdat`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Tree {
    /// Leaf size, or `None` for a single leaf over the whole payload.
    block: Option<u64>,
    leaves: u64,
}

pub(crate) struct BmffBinding {
    embed: bool,
    ftyp_end: u64,
    total: u64,
    trees: Vec<Tree>,
    opts: BmffOptions,
}

/// A box header as read.
#[derive(Debug, Clone, Copy)]
struct Head {
    box_type: [u8; 4],
    size: u64,
    header_len: u64,
    bytes: [u8; 16],
}

impl Head {
    fn raw(&self) -> &[u8] {
        self.bytes
            .get(..usize::try_from(self.header_len).unwrap_or(0))
            .unwrap_or_default()
    }
}

fn four(b: [u8; 4]) -> &'static str {
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
        _ => "box",
    }
}

fn malformed(box_type: [u8; 4], offset: u64, what: &'static str) -> GeneratorError {
    GeneratorError::Bmff {
        box_type: four(box_type),
        offset,
        what,
    }
}

/// Reads a box header at `offset` (within `limit` bytes of data); `Ok(None)` at the end.
fn read_head(r: &mut dyn Read, offset: u64, limit: u64) -> Result<Option<Head>, GeneratorError> {
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

impl BmffBinding {
    /// Walks the top-level boxes (seeking past payloads): checks `ftyp` comes first, refuses a
    /// file that already has a C2PA `uuid` box, and plans Merkle trees.
    pub(crate) fn scan(
        input: &mut dyn ReadSeek,
        embed: bool,
        opts: &BmffOptions,
        limits: &ContainerLimits,
    ) -> Result<Self, GeneratorError> {
        let total = input.seek(SeekFrom::End(0)).map_err(io)?;
        input.seek(SeekFrom::Start(0)).map_err(io)?;
        let mut at = 0u64;
        let mut ftyp_end = None;
        let mut mdats = Vec::new();
        let mut fragmented = false;
        let mut count = 0usize;
        while let Some(h) = read_head(input, at, total.saturating_sub(at))? {
            count = count.saturating_add(1);
            if count > limits.max_segments {
                return Err(ContainerError::TooManySegments {
                    limit: limits.max_segments,
                }
                .into());
            }
            if at == 0 && h.box_type != *b"ftyp" {
                return Err(ContainerError::NotFormat { format: "ISO BMFF" }.into());
            }
            let mut consumed = h.header_len;
            match &h.box_type {
                b"ftyp" => ftyp_end = Some(at.saturating_add(h.size)),
                b"uuid" => {
                    let mut ext = [0u8; 16];
                    input
                        .read_exact(&mut ext)
                        .map_err(|e| ContainerError::io(e, at))?;
                    consumed = consumed.saturating_add(16);
                    if ext == C2PA_UUID {
                        return Err(GeneratorError::AlreadySigned);
                    }
                }
                b"mdat" => mdats.push(h.size.saturating_sub(h.header_len)),
                b"moof" => fragmented = true,
                _ => {}
            }
            let skip = h.size.saturating_sub(consumed);
            input
                .seek(SeekFrom::Current(i64::try_from(skip).unwrap_or(i64::MAX)))
                .map_err(io)?;
            at = at.saturating_add(h.size);
        }
        let ftyp_end = ftyp_end.ok_or(ContainerError::NotFormat { format: "ISO BMFF" })?;
        let merkle = match opts.merkle_threshold {
            Some(t) => {
                !fragmented && mdats.len() <= opts.max_merkle_mdats && mdats.iter().any(|m| *m > t)
            }
            None => false,
        };
        let trees = if merkle {
            mdats.iter().map(|m| plan_tree(*m, opts)).collect()
        } else {
            Vec::new()
        };
        Ok(Self {
            embed,
            ftyp_end,
            total,
            trees,
            opts: *opts,
        })
    }
}

fn plan_tree(payload: u64, opts: &BmffOptions) -> Tree {
    let mut block = opts.merkle_block.max(1);
    while payload.div_ceil(block) > opts.max_leaves.max(1) {
        block = block.saturating_mul(2);
    }
    let leaves = payload.div_ceil(block).max(1);
    if leaves <= 1 {
        Tree {
            block: None,
            leaves: 1,
        }
    } else {
        Tree {
            block: Some(block),
            leaves,
        }
    }
}

/// Bytes of a C2PA `uuid` box before the store: header, extended type, FullBox, purpose,
/// Merkle offset.
const UUID_PREFIX: usize = 8 + 16 + 4 + 9 + 8;

impl Binding for BmffBinding {
    fn label(&self) -> &'static str {
        "c2pa.hash.bmff.v3"
    }

    fn assertion(
        &self,
        digests: &Digests,
        _store_len: usize,
        alg: HashAlg,
    ) -> Result<NewAssertion, GeneratorError> {
        let mut uuid = BmffExclusion::xpath("/uuid");
        uuid.data.push(DataMatch {
            offset: 8,
            value: C2PA_UUID.to_vec(),
        });
        let mut exclusions = vec![
            uuid,
            BmffExclusion::xpath("/ftyp"),
            BmffExclusion::xpath("/mfra"),
        ];
        if !self.trees.is_empty() {
            let mut mdat = BmffExclusion::xpath("/mdat");
            mdat.subset.push(SubsetRange {
                offset: 16,
                length: 0,
            });
            exclusions.push(mdat);
        }
        let mut hash = BmffHash::v3(alg.name(), exclusions);
        hash.hash = Some(digests.main.clone());
        hash.name = Some("jumbf manifest".to_owned());
        for (i, (tree, leaves)) in self.trees.iter().zip(&digests.leaves).enumerate() {
            hash.merkle.push(MerkleMap {
                unique_id: 1,
                local_id: i64::try_from(i).unwrap_or(i64::MAX),
                count: tree.leaves,
                alg: Some(alg.name().to_owned()),
                init_hash: None,
                hashes: leaves.clone(),
                fixed_block_size: tree.block,
                variable_block_sizes: None,
                other: Vec::new(),
            });
        }
        let d = hash.encode()?;
        Ok(NewAssertion::new(
            self.label(),
            Content::Cbor(d.bytes().to_vec()),
        ))
    }

    fn placeholder(&self, alg: HashAlg) -> Digests {
        let zero = vec![0u8; alg.output_len()];
        Digests {
            main: zero.clone(),
            leaves: self
                .trees
                .iter()
                .map(|t| vec![zero.clone(); usize::try_from(t.leaves).unwrap_or(0)])
                .collect(),
        }
    }

    fn wrapped_len(&self, store_len: usize) -> Result<usize, GeneratorError> {
        if !self.embed {
            return Ok(0);
        }
        let n = store_len
            .checked_add(UUID_PREFIX)
            .ok_or(GeneratorError::StoreTooLarge)?;
        // A box over 4 GiB needs the 64-bit largesize (8 more bytes of header).
        Ok(if u32::try_from(n).is_ok() {
            n
        } else {
            n.saturating_add(8)
        })
    }

    fn wrap(&self, store: &[u8]) -> Result<Vec<u8>, GeneratorError> {
        if !self.embed {
            return Ok(Vec::new());
        }
        let total = self.wrapped_len(store.len())?;
        let mut out = Vec::with_capacity(total);
        match u32::try_from(total) {
            Ok(n) => {
                out.extend_from_slice(&n.to_be_bytes());
                out.extend_from_slice(b"uuid");
            }
            Err(_) => {
                out.extend_from_slice(&1u32.to_be_bytes());
                out.extend_from_slice(b"uuid");
                out.extend_from_slice(
                    &u64::try_from(total)
                        .map_err(|_| GeneratorError::StoreTooLarge)?
                        .to_be_bytes(),
                );
            }
        }
        out.extend_from_slice(&C2PA_UUID);
        out.extend_from_slice(&[0, 0, 0, 0]);
        out.extend_from_slice(b"manifest\0");
        // No auxiliary `merkle` boxes: the manifest holds every tree's leaf row.
        out.extend_from_slice(&0u64.to_be_bytes());
        out.extend_from_slice(store);
        Ok(out)
    }

    fn stream(
        &mut self,
        input: &mut dyn ReadSeek,
        mut output: Option<&mut dyn Write>,
        store_len: usize,
        alg: HashAlg,
    ) -> Result<(Digests, u64), GeneratorError> {
        let wrapped_len = self.wrapped_len(store_len)?;
        input.seek(SeekFrom::Start(0)).map_err(io)?;
        let delta = u64::try_from(wrapped_len).map_err(|_| GeneratorError::StoreTooLarge)?;
        let mut buf = vec![0u8; COPY_BUFFER];
        // ftyp: excluded, copied as is; then the placeholder for the C2PA box.
        super::copy_exact(input, rb(&mut output), self.ftyp_end, &mut buf, |_| {})?;
        if let Some(out) = rb(&mut output) {
            write_zeros(out, wrapped_len)?;
        }
        let mut main = alg.hasher();
        let mut leaves: Vec<Vec<Vec<u8>>> = Vec::new();
        let mut rewriter = Rewriter {
            delta,
            insert_at: self.ftyp_end,
            max_box: self.opts.max_rewrite_box,
            buf,
        };
        let mut at = self.ftyp_end;
        let mut mdat_index = 0usize;
        while let Some(h) = read_head(input, at, self.total.saturating_sub(at))? {
            let out_offset = at.saturating_add(delta);
            let excluded = h.box_type == *b"mfra";
            let mut sink = Sink {
                output: rb(&mut output),
                hasher: (!excluded).then_some(&mut main),
            };
            if let Some(hasher) = sink.hasher.as_deref_mut() {
                hasher.update(&out_offset.to_be_bytes());
            }
            if h.box_type == *b"mdat" && !self.trees.is_empty() {
                let tree = self.trees.get(mdat_index).copied().ok_or(malformed(
                    h.box_type,
                    at,
                    "mdat count changed since the scan",
                ))?;
                leaves.push(rewriter.merkle_mdat(input, &mut sink, &h, tree, alg)?);
                mdat_index = mdat_index.saturating_add(1);
            } else {
                sink.write(h.raw())?;
                rewriter.rewrite_body(input, &mut sink, &h, at, 0)?;
            }
            at = at.saturating_add(h.size);
        }
        Ok((
            Digests {
                main: main.finalize(),
                leaves,
            },
            self.ftyp_end,
        ))
    }
}

/// Where rewritten bytes go: the output (if any) and the main hash (unless excluded).
struct Sink<'a> {
    output: Option<&'a mut dyn Write>,
    hasher: Option<&'a mut Hasher>,
}

impl Sink<'_> {
    fn write(&mut self, bytes: &[u8]) -> Result<(), GeneratorError> {
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

struct Rewriter {
    delta: u64,
    insert_at: u64,
    max_box: u64,
    buf: Vec<u8>,
}

impl Rewriter {
    fn shift(&self, v: u64) -> Option<u64> {
        if v >= self.insert_at {
            v.checked_add(self.delta)
        } else {
            Some(v)
        }
    }

    fn copy(
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
    fn rewrite_body(
        &mut self,
        input: &mut dyn Read,
        sink: &mut Sink<'_>,
        h: &Head,
        at: u64,
        depth: usize,
    ) -> Result<(), GeneratorError> {
        let body = h.size.saturating_sub(h.header_len);
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
            let shift_base = in_file && base_size > 0 && base >= self.insert_at;
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
                if in_file && !shift_base && base.saturating_add(off) >= self.insert_at {
                    if offset_size == 0 {
                        return Err(bad("an extent after the manifest has no offset field"));
                    }
                    let f = v
                        .get_mut(off_at..off_at.saturating_add(offset_size))
                        .ok_or(bad("truncated"))?;
                    // The absolute position is base + offset; shift the offset part.
                    let shifted = off
                        .checked_add(self.delta)
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
    fn merkle_mdat(
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

#[cfg(test)]
mod tests;
