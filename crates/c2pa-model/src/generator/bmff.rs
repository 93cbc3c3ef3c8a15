//! The BMFF hard binding (C2PA 2.2 §18.6, `c2pa.hash.bmff.v3`) for MP4, MOV, HEIF and AVIF,
//! with the manifest store in a C2PA `uuid` box right after `ftyp` (§A.5.3).
//!
//! Inserting the box moves every later byte by its size, so absolute file offsets inside the
//! asset are rewritten as the asset streams through (§18.6.2, "two-pass approach", see
//! `rewrite`): `stco` and `co64` chunk offsets, `saio` in a sample table, `iloc` item
//! locations (construction method 0), `tfhd` base data offsets, `tfra` fragment offsets and
//! `sidx` references. The hash then covers, for every top-level box not excluded, its *output*
//! offset (8 bytes, big-endian) followed by its rewritten bytes — exactly what a validator
//! computes over the signed file.
//!
//! Exclusions are the mandatory ones only (§A.5.6): the C2PA `uuid` box, `ftyp`, `mfra`. Three
//! shapes of hash:
//! - one `hash` over the whole file (the default for non-fragmented files);
//! - a large `mdat` hashed as a Merkle tree of fixed-size blocks (§A.5.4.1.1): every `mdat`
//!   then gets a tree, `/mdat` from byte 16 is excluded from the main hash, and the manifest
//!   holds each tree's leaf row (so no auxiliary `merkle` boxes are needed);
//! - fragmented files (a `moof`): no `hash`, an `initHash` and a tree per track whose leaves
//!   are the fragments, with a `merkle` box before each `moof` (`fragments`).

use std::io::{SeekFrom, Write};
use std::ops::Range;

use super::merkle::MerkleTree;
use super::{Binding, COPY_BUFFER, Digests, ReadSeek, WriteSeek, io, rb, write_zeros};
use crate::assertion::{
    BmffExclusion, BmffHash, CborAssertion, Content, DataMatch, MerkleMap, NewAssertion,
    SubsetRange,
};
use crate::container::ContainerLimits;
use crate::container::bmff::C2PA_UUID;
use crate::error::{ContainerError, GeneratorError};
use crate::store::HashAlg;

mod fragments;
mod rewrite;

pub use fragments::SplitFragments;
use fragments::{BuiltTree, TreeShape};
use rewrite::{Rewriter, Shifts, Sink, malformed, read_head};

/// Layout choices for ISO BMFF.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BmffOptions {
    /// Hash `mdat` payloads as Merkle trees when one is larger than this many bytes (`None`:
    /// always one flat hash). Only for non-fragmented files with at most
    /// [`BmffOptions::max_merkle_mdats`] `mdat` boxes.
    pub merkle_threshold: Option<u64>,
    /// Smallest Merkle leaf (block) size; doubled until a tree has at most `max_leaves` leaves.
    pub merkle_block: u64,
    /// Most leaves per `mdat` tree, and most hashes of a fragment tree's row in the manifest
    /// (each costs a hash in the manifest).
    pub max_leaves: u64,
    /// Most `mdat` boxes for which Merkle trees are built.
    pub max_merkle_mdats: usize,
    /// Largest `iloc`, `saio`, `sidx`, `tfhd` or `moof` box read whole for rewriting or
    /// scanning. HEIF item tables and fragment headers are kilobytes; 16 MiB bounds memory.
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

/// The shape of the hash.
enum Mode {
    /// One `hash` over the file.
    Flat,
    /// Each `mdat` payload as a Merkle tree of blocks.
    Mdat(Vec<Tree>),
    /// A flat fragmented file: a tree per track over its `moof`s.
    Fragmented(FlatFragments),
    /// The init segment of a fragmented asset split across files: the trees were built from
    /// the fragment files.
    Init(Vec<BuiltTree>),
}

/// The `moof`s of a flat fragmented file and their trees.
struct FlatFragments {
    /// Input offset of each `moof`, with its tree and location.
    moofs: Vec<(u64, usize, u64)>,
    trees: Vec<TreeShape>,
    /// Size of every `merkle` box of each tree.
    aux_len: Vec<u64>,
    /// Built by `stream`.
    built: Vec<MerkleTree>,
    /// The insertions of the last `stream`.
    shifts: Shifts,
}

pub(crate) struct BmffBinding {
    embed: bool,
    ftyp_end: u64,
    total: u64,
    mode: Mode,
    opts: BmffOptions,
    /// Old C2PA boxes being replaced, left out of the output.
    removed: Vec<Range<u64>>,
}

impl BmffBinding {
    /// Walks the top-level boxes (seeking past payloads, reading `moof`s for their track):
    /// checks `ftyp` comes first, refuses a file that already has a C2PA `uuid` box, and plans
    /// the hash.
    pub(crate) fn scan(
        input: &mut dyn ReadSeek,
        embed: bool,
        replace: bool,
        alg: HashAlg,
        opts: &BmffOptions,
        limits: &ContainerLimits,
    ) -> Result<Self, GeneratorError> {
        let found = walk_top(input, opts, limits)?;
        if !(found.c2pa.is_empty() || replace && embed) {
            return Err(GeneratorError::AlreadySigned);
        }
        let mode = if !found.moofs.is_empty() {
            if !embed {
                return Err(GeneratorError::Fragments {
                    what: "a fragmented file needs a merkle box before each moof (C2PA 2.2 \
                           §A.5.4.1.2): embed the manifest instead of writing a sidecar",
                });
            }
            let tracks: Vec<u32> = found.moofs.iter().map(|(_, t)| *t).collect();
            let (trees, places) = fragments::plan(&tracks, opts);
            let aux_len = trees
                .iter()
                .map(|t| t.fixed_len(alg))
                .collect::<Result<Vec<_>, _>>()?;
            Mode::Fragmented(FlatFragments {
                moofs: found
                    .moofs
                    .iter()
                    .zip(places)
                    .map(|((at, _), (tree, location))| (*at, tree, location))
                    .collect(),
                trees,
                aux_len,
                built: Vec::new(),
                shifts: Shifts::default(),
            })
        } else if opts.merkle_threshold.is_some_and(|t| {
            found.mdats.len() <= opts.max_merkle_mdats && found.mdats.iter().any(|m| *m > t)
        }) {
            Mode::Mdat(found.mdats.iter().map(|m| plan_tree(*m, opts)).collect())
        } else {
            Mode::Flat
        };
        Ok(Self {
            embed,
            ftyp_end: found.ftyp_end,
            total: found.total,
            mode,
            opts: *opts,
            removed: found.c2pa,
        })
    }

    /// The init segment of a split fragmented asset, with the fragments' trees.
    fn scan_init(
        input: &mut dyn ReadSeek,
        trees: Vec<BuiltTree>,
        replace: bool,
        opts: &BmffOptions,
        limits: &ContainerLimits,
    ) -> Result<Self, GeneratorError> {
        let found = walk_top(input, opts, limits)?;
        if !found.c2pa.is_empty() && !replace {
            return Err(GeneratorError::AlreadySigned);
        }
        if !found.moofs.is_empty() {
            return Err(GeneratorError::Fragments {
                what: "the init segment holds a moof",
            });
        }
        Ok(Self {
            embed: true,
            ftyp_end: found.ftyp_end,
            total: found.total,
            mode: Mode::Init(trees),
            opts: *opts,
            removed: found.c2pa,
        })
    }
}

/// What a walk over the top-level boxes found.
struct TopLevel {
    total: u64,
    ftyp_end: u64,
    /// Payload size of each `mdat`.
    mdats: Vec<u64>,
    /// Offset and track of each `moof`.
    moofs: Vec<(u64, u32)>,
    /// C2PA `uuid` boxes (manifest stores and `merkle` boxes).
    c2pa: Vec<Range<u64>>,
}

fn walk_top(
    input: &mut dyn ReadSeek,
    opts: &BmffOptions,
    limits: &ContainerLimits,
) -> Result<TopLevel, GeneratorError> {
    let total = input.seek(SeekFrom::End(0)).map_err(io)?;
    input.seek(SeekFrom::Start(0)).map_err(io)?;
    let mut at = 0u64;
    let mut ftyp_end = None;
    let mut mdats = Vec::new();
    let mut moofs = Vec::new();
    let mut c2pa = Vec::new();
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
                    c2pa.push(at..at.saturating_add(h.size));
                }
            }
            b"mdat" => mdats.push(h.size.saturating_sub(h.header_len)),
            b"moof" => {
                moofs.push((
                    at,
                    fragments::read_moof_track(input, &h, at, opts.max_rewrite_box)?,
                ));
                consumed = h.size;
            }
            _ => {}
        }
        let skip = h.size.saturating_sub(consumed);
        input
            .seek(SeekFrom::Current(i64::try_from(skip).unwrap_or(i64::MAX)))
            .map_err(io)?;
        at = at.saturating_add(h.size);
    }
    Ok(TopLevel {
        total,
        ftyp_end: ftyp_end.ok_or(ContainerError::NotFormat { format: "ISO BMFF" })?,
        mdats,
        moofs,
        c2pa,
    })
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

impl BmffBinding {
    /// Offset of the first `merkle` box in the output (the manifest box records it, §A.5.3),
    /// for a manifest box of `wrapped_len` bytes.
    fn first_merkle_box(&self, wrapped_len: usize) -> Result<u64, GeneratorError> {
        match &self.mode {
            Mode::Fragmented(f) => match f.moofs.first() {
                Some((at, _, _)) => self
                    .shifts(wrapped_len)?
                    .range(*at)
                    .ok_or(GeneratorError::OffsetOverflow { box_type: "moof" }),
                None => Ok(0),
            },
            _ => Ok(0),
        }
    }

    /// The edits for a manifest box of `wrapped_len` bytes: it after `ftyp`, a `merkle` box
    /// before each `moof` of a fragmented file, old C2PA boxes removed.
    fn shifts(&self, wrapped_len: usize) -> Result<Shifts, GeneratorError> {
        let mut shifts = Shifts::default();
        shifts.push(
            self.ftyp_end,
            u64::try_from(wrapped_len).map_err(|_| GeneratorError::StoreTooLarge)?,
        )?;
        if let Mode::Fragmented(f) = &self.mode {
            for (at, tree, _) in &f.moofs {
                shifts.push(*at, f.aux_len.get(*tree).copied().unwrap_or(0))?;
            }
        }
        for r in &self.removed {
            shifts.remove(r.clone())?;
        }
        Ok(shifts)
    }
}

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
        if matches!(self.mode, Mode::Mdat(_)) {
            let mut mdat = BmffExclusion::xpath("/mdat");
            mdat.subset.push(SubsetRange {
                offset: 16,
                length: 0,
            });
            exclusions.push(mdat);
        }
        let mut hash = BmffHash::v3(alg.name(), exclusions);
        hash.name = Some("jumbf manifest".to_owned());
        let fragment_tree = |(shape, hashes): (&TreeShape, &Vec<Vec<u8>>)| MerkleMap {
            unique_id: 1,
            local_id: i64::from(shape.track_id),
            count: shape.count,
            alg: Some(alg.name().to_owned()),
            init_hash: Some(digests.main.clone()),
            hashes: hashes.clone(),
            fixed_block_size: None,
            variable_block_sizes: None,
            other: Vec::new(),
        };
        match &self.mode {
            Mode::Flat => hash.hash = Some(digests.main.clone()),
            Mode::Mdat(trees) => {
                hash.hash = Some(digests.main.clone());
                for (i, (tree, leaves)) in trees.iter().zip(&digests.leaves).enumerate() {
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
            }
            Mode::Fragmented(f) => {
                hash.merkle = f
                    .trees
                    .iter()
                    .zip(&digests.leaves)
                    .map(fragment_tree)
                    .collect();
            }
            Mode::Init(trees) => {
                hash.merkle = trees
                    .iter()
                    .map(|(shape, row)| (shape, row))
                    .map(fragment_tree)
                    .collect();
            }
        }
        let d = hash.encode()?;
        Ok(NewAssertion::new(
            self.label(),
            Content::Cbor(d.bytes().to_vec()),
        ))
    }

    fn placeholder(&self, alg: HashAlg) -> Digests {
        let zero = vec![0u8; alg.output_len()];
        let zeros = |n: u64| vec![zero.clone(); usize::try_from(n).unwrap_or(0)];
        Digests {
            main: zero.clone(),
            leaves: match &self.mode {
                Mode::Flat => Vec::new(),
                Mode::Mdat(trees) => trees.iter().map(|t| zeros(t.leaves)).collect(),
                Mode::Fragmented(f) => f.trees.iter().map(|t| zeros(t.row_len())).collect(),
                Mode::Init(trees) => trees.iter().map(|(_, row)| row.clone()).collect(),
            },
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
        out.extend_from_slice(&self.first_merkle_box(total)?.to_be_bytes());
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
        let shifts = self.shifts(wrapped_len)?;
        let mut buf = vec![0u8; COPY_BUFFER];
        // ftyp: excluded, copied as is; then the placeholder for the C2PA box.
        super::copy_exact(input, rb(&mut output), self.ftyp_end, &mut buf, |_| {})?;
        if let Some(out) = rb(&mut output) {
            write_zeros(out, wrapped_len)?;
        }
        let mut main = alg.hasher();
        let mut leaves: Vec<Vec<Vec<u8>>> = Vec::new();
        let mut rewriter = Rewriter {
            shifts,
            max_box: self.opts.max_rewrite_box,
            buf,
        };
        // Fragments: the leaf being hashed, its tree, and the next moof.
        let mut fragment: Option<(crate::store::Hasher, usize)> = None;
        let mut next_moof = 0usize;
        let mut fragment_leaves: Vec<Vec<Vec<u8>>> = match &self.mode {
            Mode::Fragmented(f) => vec![Vec::new(); f.trees.len()],
            _ => Vec::new(),
        };
        let mut at = self.ftyp_end;
        let mut mdat_index = 0usize;
        let mut next_removed = 0usize;
        while let Some(h) = read_head(input, at, self.total.saturating_sub(at))? {
            while self.removed.get(next_removed).is_some_and(|r| r.start < at) {
                next_removed = next_removed.saturating_add(1);
            }
            if self
                .removed
                .get(next_removed)
                .is_some_and(|r| r.start == at)
            {
                // An old C2PA box: left out (excluded from every hash anyway).
                at = at.saturating_add(h.size);
                input.seek(SeekFrom::Start(at)).map_err(io)?;
                continue;
            }
            if let Mode::Fragmented(f) = &self.mode
                && let Some((moof_at, tree, _)) = f.moofs.get(next_moof)
                && *moof_at == at
            {
                if let Some((hasher, t)) = fragment.take() {
                    push_leaf(&mut fragment_leaves, t, hasher.finalize())?;
                }
                if let Some(out) = rb(&mut output) {
                    let n = f.aux_len.get(*tree).copied().unwrap_or(0);
                    write_zeros(out, usize::try_from(n).unwrap_or(usize::MAX))?;
                }
                fragment = Some((alg.hasher(), *tree));
                next_moof = next_moof.saturating_add(1);
            }
            let out_offset = rewriter
                .shifts
                .byte(at)
                .ok_or(GeneratorError::OffsetOverflow { box_type: "box" })?;
            let hasher = match (h.box_type == *b"mfra", fragment.as_mut()) {
                (true, _) => None,
                (false, Some((leaf, _))) => Some(leaf),
                (false, None) => Some(&mut main),
            };
            let mut sink = Sink {
                output: rb(&mut output),
                hasher,
            };
            if let Some(hasher) = sink.hasher.as_deref_mut() {
                hasher.update(&out_offset.to_be_bytes());
            }
            match &self.mode {
                Mode::Mdat(trees) if h.box_type == *b"mdat" => {
                    let tree = trees.get(mdat_index).copied().ok_or(malformed(
                        h.box_type,
                        at,
                        "mdat count changed since the scan",
                    ))?;
                    leaves.push(rewriter.merkle_mdat(input, &mut sink, &h, tree, alg)?);
                    mdat_index = mdat_index.saturating_add(1);
                }
                _ => {
                    sink.write(h.raw())?;
                    rewriter.rewrite_body(input, &mut sink, &h, at, 0)?;
                }
            }
            at = at.saturating_add(h.size);
        }
        if let Some((hasher, t)) = fragment.take() {
            push_leaf(&mut fragment_leaves, t, hasher.finalize())?;
        }
        if let Mode::Fragmented(f) = &mut self.mode {
            if next_moof != f.moofs.len() {
                return Err(malformed(*b"moof", at, "moof count changed since the scan"));
            }
            f.built = fragment_leaves
                .into_iter()
                .map(|l| MerkleTree::from_leaves(alg, l))
                .collect();
            leaves = f
                .trees
                .iter()
                .zip(&f.built)
                .map(|(shape, tree)| shape.stored(tree))
                .collect();
            f.shifts = rewriter.shifts;
        }
        Ok((
            Digests {
                main: main.finalize(),
                leaves,
            },
            self.ftyp_end,
        ))
    }

    fn finish(
        &self,
        output: &mut dyn WriteSeek,
        start: u64,
        alg: HashAlg,
    ) -> Result<(), GeneratorError> {
        let Mode::Fragmented(f) = &self.mode else {
            return Ok(());
        };
        for (at, tree, location) in &f.moofs {
            let (Some(shape), Some(built), Some(len)) =
                (f.trees.get(*tree), f.built.get(*tree), f.aux_len.get(*tree))
            else {
                return Err(GeneratorError::LayoutDidNotConverge);
            };
            let bytes = shape.merkle_box(*location, built, *len, alg)?;
            let pos = f
                .shifts
                .range(*at)
                .ok_or(GeneratorError::OffsetOverflow { box_type: "moof" })?;
            output
                .seek(SeekFrom::Start(start.saturating_add(pos)))
                .map_err(io)?;
            output.write_all(&bytes).map_err(io)?;
        }
        Ok(())
    }
}

fn push_leaf(
    leaves: &mut [Vec<Vec<u8>>],
    tree: usize,
    leaf: Vec<u8>,
) -> Result<(), GeneratorError> {
    leaves
        .get_mut(tree)
        .ok_or(GeneratorError::LayoutDidNotConverge)?
        .push(leaf);
    Ok(())
}

#[cfg(test)]
mod tests;
