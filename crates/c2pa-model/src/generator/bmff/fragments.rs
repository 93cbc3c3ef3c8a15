//! Fragmented MP4 (C2PA 2.2 §A.5.4.1.2): one Merkle tree per track, whose leaves are the
//! fragments, and an auxiliary C2PA `uuid` box of purpose `merkle` right before each `moof`
//! telling a validator where that fragment sits in its tree.
//!
//! - A single flat file (`moov`, then `moof`/`mdat` pairs) is signed by [`super::BmffBinding`]:
//!   the `initHash` covers everything before the first `moof`, and a leaf covers one `moof` and
//!   everything up to the next `moof` (or the end of the file). All `merkle` boxes of one tree
//!   are padded to one size (§A.5.4.1.3).
//! - A fragmented asset split across files (an init segment and fragment files, as in DASH or
//!   CMAF) is signed with [`SplitFragments`]: a leaf covers a whole fragment file, and the
//!   `initHash` the whole init segment, which carries the manifest store.
//!
//! In both cases the BMFF hash has no `hash` field (§18.6: absent for fragmented MP4), trees are
//! keyed by `localId` = the `track_ID` of the fragment's first `traf` (`uniqueId` 1), and the
//! manifest holds the lowest row of each tree that has at most [`BmffOptions::max_leaves`]
//! hashes; each `merkle` box holds the proof from its leaf up to that row. Leaves include the
//! 8-byte offset of each box, as the BMFF hash does when there is no `hash` field (§18.6.2).

use std::io::{Read, SeekFrom, Write};

use super::rewrite::{Head, Rewriter, Shifts, Sink, malformed, read_head};
use super::{BmffOptions, COPY_BUFFER};
use crate::assertion::BmffMerkleMap;
use crate::container::ContainerLimits;
use crate::container::bmff::C2PA_UUID;
use crate::error::{ContainerError, GeneratorError};
use crate::generator::merkle::MerkleTree;
use crate::generator::{Generator, ReadSeek, Signed, io, write_zeros};
use crate::store::{HashAlg, Hasher};

/// Bytes of a `merkle` box before its map: header, extended type, FullBox, `"merkle\0"`.
const AUX_PREFIX: u64 = 8 + 16 + 4 + 7;

/// `uniqueId` of every tree: one asset, one init segment.
const UNIQUE_ID: i64 = 1;

/// Lengths of the rows of a tree over `count` leaves, leaves first, up to the root.
fn row_lengths(count: u64) -> Vec<u64> {
    let mut rows = vec![count.max(1)];
    while let Some(&last) = rows.last() {
        if last <= 1 {
            break;
        }
        rows.push(last.div_ceil(2));
    }
    rows
}

/// The lowest row with at most `max` hashes (the manifest holds it).
fn stored_row(count: u64, max: u64) -> usize {
    row_lengths(count)
        .iter()
        .position(|len| *len <= max.max(1))
        .unwrap_or(0)
}

/// Number of (non-null) siblings from leaf `index` up to row `to_row`.
fn proof_len(rows: &[u64], index: u64, to_row: usize) -> usize {
    let mut i = index;
    let mut n = 0usize;
    for len in rows.iter().take(to_row) {
        if (i ^ 1) < *len {
            n = n.saturating_add(1);
        }
        i /= 2;
    }
    n
}

/// Trees, and each fragment's (tree, location).
type Plan = (Vec<TreeShape>, Vec<(usize, u64)>);

/// A built tree: its shape and the row the manifest holds.
pub(super) type BuiltTree = (TreeShape, Vec<Vec<u8>>);

/// The shape of one track's tree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct TreeShape {
    /// `localId`: the track ID.
    pub(super) track_id: u32,
    /// Leaves (fragments).
    pub(super) count: u64,
    /// The row the manifest holds.
    pub(super) row: usize,
}

impl TreeShape {
    fn new(track_id: u32, count: u64, opts: &BmffOptions) -> Self {
        Self {
            track_id,
            count,
            row: stored_row(count, opts.max_leaves),
        }
    }

    /// Hashes in the stored row.
    pub(super) fn row_len(&self) -> u64 {
        row_lengths(self.count).get(self.row).copied().unwrap_or(1)
    }

    /// The map of leaf `location`, with zero hashes unless `tree` is given.
    fn map(
        &self,
        location: u64,
        tree: Option<&MerkleTree>,
        alg: HashAlg,
    ) -> Result<BmffMerkleMap, GeneratorError> {
        let rows = row_lengths(self.count);
        let hashes = match tree {
            Some(t) => t.proof(
                usize::try_from(location).map_err(|_| GeneratorError::StoreTooLarge)?,
                self.row,
            ),
            None => vec![vec![0u8; alg.output_len()]; proof_len(&rows, location, self.row)],
        };
        Ok(BmffMerkleMap {
            unique_id: UNIQUE_ID,
            local_id: i64::from(self.track_id),
            location,
            hashes: (!hashes.is_empty()).then_some(hashes),
            other: Vec::new(),
        })
    }

    /// The exact size of leaf `location`'s `merkle` box.
    fn exact_len(&self, location: u64, alg: HashAlg) -> Result<u64, GeneratorError> {
        let cbor = self.map(location, None, alg)?.to_cbor()?;
        Ok(AUX_PREFIX.saturating_add(u64::try_from(cbor.len()).unwrap_or(u64::MAX)))
    }

    /// One size that fits every leaf's `merkle` box (the largest location and proof).
    pub(super) fn fixed_len(&self, alg: HashAlg) -> Result<u64, GeneratorError> {
        let rows = row_lengths(self.count);
        let longest = (0..self.count)
            .map(|i| proof_len(&rows, i, self.row))
            .max()
            .unwrap_or(0);
        let mut map = self.map(self.count.saturating_sub(1), None, alg)?;
        if longest > 0 {
            map.hashes = Some(vec![vec![0u8; alg.output_len()]; longest]);
        }
        let cbor = map.to_cbor()?;
        Ok(AUX_PREFIX.saturating_add(u64::try_from(cbor.len()).unwrap_or(u64::MAX)))
    }

    /// The `merkle` box of leaf `location` of `tree`, padded with zeros to `len` bytes.
    pub(super) fn merkle_box(
        &self,
        location: u64,
        tree: &MerkleTree,
        len: u64,
        alg: HashAlg,
    ) -> Result<Vec<u8>, GeneratorError> {
        let cbor = self.map(location, Some(tree), alg)?.to_cbor()?;
        let len32 = u32::try_from(len).map_err(|_| GeneratorError::StoreTooLarge)?;
        let total = usize::try_from(len).map_err(|_| GeneratorError::StoreTooLarge)?;
        let mut out = Vec::with_capacity(total);
        out.extend_from_slice(&len32.to_be_bytes());
        out.extend_from_slice(b"uuid");
        out.extend_from_slice(&C2PA_UUID);
        out.extend_from_slice(&[0, 0, 0, 0]);
        out.extend_from_slice(b"merkle\0");
        out.extend_from_slice(&cbor);
        if out.len() > total {
            return Err(GeneratorError::LayoutDidNotConverge);
        }
        out.resize(total, 0);
        Ok(out)
    }

    /// The stored row of a built tree.
    pub(super) fn stored(&self, tree: &MerkleTree) -> Vec<Vec<u8>> {
        tree.row(self.row)
            .map(<[Vec<u8>]>::to_vec)
            .unwrap_or_default()
    }
}

/// The `track_ID` of the first `traf`'s `tfhd` in a `moof` body.
pub(super) fn moof_track(body: &[u8]) -> Option<u32> {
    let child = |bytes: &[u8], kind: &[u8; 4]| -> Option<(usize, usize)> {
        let mut at = 0usize;
        while at.checked_add(8)? <= bytes.len() {
            let size = usize::try_from(u32::from_be_bytes(
                bytes.get(at..at.checked_add(4)?)?.try_into().ok()?,
            ))
            .ok()?;
            if size < 8 || at.checked_add(size)? > bytes.len() {
                return None;
            }
            if bytes.get(at.checked_add(4)?..at.checked_add(8)?)? == kind.as_slice() {
                return Some((at.checked_add(8)?, at.checked_add(size)?));
            }
            at = at.checked_add(size)?;
        }
        None
    };
    let (ts, te) = child(body, b"traf")?;
    let traf = body.get(ts..te)?;
    let (hs, he) = child(traf, b"tfhd")?;
    let tfhd = traf.get(hs..he)?;
    Some(u32::from_be_bytes(tfhd.get(4..8)?.try_into().ok()?))
}

/// Reads the body of the `moof` whose header `h` (at `at`) was just read, and returns its track.
pub(super) fn read_moof_track(
    input: &mut dyn Read,
    h: &Head,
    at: u64,
    max_box: u64,
) -> Result<u32, GeneratorError> {
    let body = h.size.saturating_sub(h.header_len);
    if body > max_box {
        return Err(malformed(h.box_type, at, "too large to read"));
    }
    let mut v = vec![0u8; usize::try_from(body).map_err(|_| GeneratorError::StoreTooLarge)?];
    input
        .read_exact(&mut v)
        .map_err(|e| ContainerError::io(e, at))?;
    moof_track(&v).ok_or(malformed(h.box_type, at, "no traf with a tfhd"))
}

/// Groups fragments (their tracks, in file or playback order) into trees: returns the trees
/// (by first appearance of their track) and each fragment's (tree, location).
pub(super) fn plan(tracks: &[u32], opts: &BmffOptions) -> Plan {
    let mut ids: Vec<u32> = Vec::new();
    let mut counts: Vec<u64> = Vec::new();
    let mut places = Vec::with_capacity(tracks.len());
    for t in tracks {
        let tree = match ids.iter().position(|id| id == t) {
            Some(i) => i,
            None => {
                ids.push(*t);
                counts.push(0);
                ids.len().saturating_sub(1)
            }
        };
        let slot = counts.get_mut(tree);
        let location = slot.as_ref().map_or(0, |c| **c);
        if let Some(c) = slot {
            *c = c.saturating_add(1);
        }
        places.push((tree, location));
    }
    let shapes = ids
        .iter()
        .zip(&counts)
        .map(|(id, count)| TreeShape::new(*id, *count, opts))
        .collect();
    (shapes, places)
}

/// What the scan of one fragment file found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct FragmentScan {
    total: u64,
    moof_at: u64,
    track: u32,
    /// An old `merkle` box (replacing), left out of the output.
    old: Option<(u64, u64)>,
}

/// A fragmented MP4 split across files (an init segment and fragment files, C2PA 2.2
/// §A.5.4.1.2), signed in passes so that only one file need be open at a time:
///
/// 1. [`SplitFragments::add`] scans each fragment file, in playback order;
/// 2. [`SplitFragments::write`] copies each fragment to its output with a zeroed `merkle` box
///    before its `moof` (absolute offsets in `sidx` and `tfhd` redrawn) and hashes it;
/// 3. [`SplitFragments::merkle_box`] gives each fragment's `merkle` box and where it goes in that
///    output;
/// 4. [`Generator::embed_init`] signs the init segment, whose manifest holds the trees.
///
/// Fragment files hold one `moof` each (§A.5.4.1.2 supports nothing else).
pub struct SplitFragments {
    alg: HashAlg,
    opts: BmffOptions,
    limits: ContainerLimits,
    replace: bool,
    scans: Vec<FragmentScan>,
    plan: Option<Plan>,
    leaves: Vec<Option<Vec<u8>>>,
    trees: Option<Vec<MerkleTree>>,
}

impl SplitFragments {
    /// Fragments hashed with `alg` (the manifest definition's).
    pub fn new(alg: HashAlg, opts: BmffOptions, limits: ContainerLimits) -> Self {
        Self {
            alg,
            opts,
            limits,
            replace: false,
            scans: Vec::new(),
            plan: None,
            leaves: Vec::new(),
            trees: None,
        }
    }

    /// Replace the `merkle` boxes fragments already carry (from an earlier signing) instead of
    /// refusing them; set before [`SplitFragments::add`].
    pub fn set_replace(&mut self, replace: bool) {
        self.replace = replace;
    }

    /// Number of fragments added.
    pub fn len(&self) -> usize {
        self.scans.len()
    }

    /// Whether no fragment was added.
    pub fn is_empty(&self) -> bool {
        self.scans.is_empty()
    }

    /// Pass 1: scans the next fragment file (headers and its `moof`); returns its index.
    pub fn add(&mut self, input: &mut dyn ReadSeek) -> Result<usize, GeneratorError> {
        if self.plan.is_some() {
            return Err(GeneratorError::Fragments {
                what: "a fragment was added after writing started",
            });
        }
        if self.scans.len() >= self.limits.max_segments {
            return Err(ContainerError::TooManySegments {
                limit: self.limits.max_segments,
            }
            .into());
        }
        let total = input.seek(SeekFrom::End(0)).map_err(io)?;
        input.seek(SeekFrom::Start(0)).map_err(io)?;
        let mut at = 0u64;
        let mut found: Option<(u64, u32)> = None;
        let mut old: Option<(u64, u64)> = None;
        let mut count = 0usize;
        while let Some(h) = read_head(input, at, total.saturating_sub(at))? {
            count = count.saturating_add(1);
            if count > self.limits.max_segments {
                return Err(ContainerError::TooManySegments {
                    limit: self.limits.max_segments,
                }
                .into());
            }
            let mut consumed = h.header_len;
            match &h.box_type {
                b"moof" => {
                    if found.is_some() {
                        return Err(malformed(
                            h.box_type,
                            at,
                            "a fragment file holds more than one moof (C2PA 2.2 §A.5.4.1.2)",
                        ));
                    }
                    let track = read_moof_track(input, &h, at, self.opts.max_rewrite_box)?;
                    consumed = h.size;
                    found = Some((at, track));
                }
                b"uuid" => {
                    let mut ext = [0u8; 16];
                    input
                        .read_exact(&mut ext)
                        .map_err(|e| ContainerError::io(e, at))?;
                    consumed = consumed.saturating_add(16);
                    if ext == C2PA_UUID {
                        if !self.replace || old.is_some() {
                            return Err(GeneratorError::AlreadySigned);
                        }
                        old = Some((at, h.size));
                    }
                }
                _ => {}
            }
            let skip = h.size.saturating_sub(consumed);
            input
                .seek(SeekFrom::Current(i64::try_from(skip).unwrap_or(i64::MAX)))
                .map_err(io)?;
            at = at.saturating_add(h.size);
        }
        let (moof_at, track) = found.ok_or(GeneratorError::Fragments {
            what: "a fragment file has no moof",
        })?;
        self.scans.push(FragmentScan {
            total,
            moof_at,
            track,
            old,
        });
        self.leaves.push(None);
        Ok(self.scans.len().saturating_sub(1))
    }

    fn planned(&mut self) -> Result<&Plan, GeneratorError> {
        if self.scans.is_empty() {
            return Err(GeneratorError::Fragments {
                what: "no fragment files",
            });
        }
        if self.plan.is_none() {
            let tracks: Vec<u32> = self.scans.iter().map(|s| s.track).collect();
            self.plan = Some(plan(&tracks, &self.opts));
        }
        self.plan
            .as_ref()
            .ok_or(GeneratorError::LayoutDidNotConverge)
    }

    /// The tree shape and location of fragment `index`.
    fn place(&mut self, index: usize) -> Result<(TreeShape, u64), GeneratorError> {
        let (shapes, places) = self.planned()?;
        let (tree, location) = places
            .get(index)
            .copied()
            .ok_or(GeneratorError::Fragments {
                what: "no fragment with that index",
            })?;
        let shape = shapes
            .get(tree)
            .cloned()
            .ok_or(GeneratorError::LayoutDidNotConverge)?;
        Ok((shape, location))
    }

    /// Pass 2: copies fragment `index` (the file scanned by the `index`-th [`add`]) to `output`
    /// with a zeroed `merkle` box right before its `moof`, and hashes it.
    ///
    /// [`add`]: SplitFragments::add
    pub fn write(
        &mut self,
        index: usize,
        input: &mut dyn ReadSeek,
        output: &mut dyn Write,
    ) -> Result<(), GeneratorError> {
        let (shape, location) = self.place(index)?;
        let scan = *self.scans.get(index).ok_or(GeneratorError::Fragments {
            what: "no fragment with that index",
        })?;
        let len = input.seek(SeekFrom::End(0)).map_err(io)?;
        if len != scan.total {
            return Err(GeneratorError::Fragments {
                what: "a fragment file changed since it was scanned",
            });
        }
        input.seek(SeekFrom::Start(0)).map_err(io)?;
        let aux_len = shape.exact_len(location, self.alg)?;
        let mut shifts = Shifts::default();
        shifts.push(scan.moof_at, aux_len)?;
        if let Some((at, size)) = scan.old {
            shifts.remove(at..at.saturating_add(size))?;
        }
        let mut rewriter = Rewriter {
            shifts,
            max_box: self.opts.max_rewrite_box,
            buf: vec![0u8; COPY_BUFFER],
        };
        let mut leaf = self.alg.hasher();
        let mut at = 0u64;
        while let Some(h) = read_head(input, at, scan.total.saturating_sub(at))? {
            if scan.old.is_some_and(|(o, _)| o == at) {
                at = at.saturating_add(h.size);
                input.seek(SeekFrom::Start(at)).map_err(io)?;
                continue;
            }
            if at == scan.moof_at {
                write_zeros(output, usize::try_from(aux_len).unwrap_or(usize::MAX))?;
            }
            copy_box(&mut rewriter, input, &mut *output, &mut leaf, &h, at)?;
            at = at.saturating_add(h.size);
        }
        if let Some(slot) = self.leaves.get_mut(index) {
            *slot = Some(leaf.finalize());
        }
        self.trees = None;
        Ok(())
    }

    /// Builds the trees once every fragment is written.
    fn built(&mut self) -> Result<(), GeneratorError> {
        if self.trees.is_some() {
            return Ok(());
        }
        let (shapes, places) = self.planned()?.clone();
        let mut per_tree: Vec<Vec<Vec<u8>>> = vec![Vec::new(); shapes.len()];
        for ((tree, _), leaf) in places.iter().zip(&self.leaves) {
            let leaf = leaf.clone().ok_or(GeneratorError::Fragments {
                what: "a fragment was not written",
            })?;
            per_tree
                .get_mut(*tree)
                .ok_or(GeneratorError::LayoutDidNotConverge)?
                .push(leaf);
        }
        self.trees = Some(
            per_tree
                .into_iter()
                .map(|leaves| MerkleTree::from_leaves(self.alg, leaves))
                .collect(),
        );
        Ok(())
    }

    /// Pass 3: the `merkle` box of fragment `index` and its offset in that fragment's output
    /// (from where [`SplitFragments::write`] started writing). Needs every fragment written.
    pub fn merkle_box(&mut self, index: usize) -> Result<(u64, Vec<u8>), GeneratorError> {
        self.built()?;
        let (shape, location) = self.place(index)?;
        let (tree_index, _) = self
            .planned()?
            .1
            .get(index)
            .copied()
            .ok_or(GeneratorError::LayoutDidNotConverge)?;
        let scan = *self
            .scans
            .get(index)
            .ok_or(GeneratorError::LayoutDidNotConverge)?;
        let tree = self
            .trees
            .as_ref()
            .and_then(|t| t.get(tree_index))
            .ok_or(GeneratorError::LayoutDidNotConverge)?;
        let len = shape.exact_len(location, self.alg)?;
        let removed_before = scan
            .old
            .filter(|(o, _)| *o < scan.moof_at)
            .map_or(0, |(_, size)| size);
        Ok((
            scan.moof_at.saturating_sub(removed_before),
            shape.merkle_box(location, tree, len, self.alg)?,
        ))
    }

    /// The trees for the init segment's manifest: shape and stored row of each.
    pub(super) fn rows(&mut self) -> Result<Vec<BuiltTree>, GeneratorError> {
        self.built()?;
        let shapes = self.planned()?.0.clone();
        let trees = self
            .trees
            .as_ref()
            .ok_or(GeneratorError::LayoutDidNotConverge)?;
        Ok(shapes
            .into_iter()
            .zip(trees)
            .map(|(s, t)| {
                let row = s.stored(t);
                (s, row)
            })
            .collect())
    }

    /// The hash algorithm of the leaves.
    pub fn alg(&self) -> HashAlg {
        self.alg
    }
}

/// Copies one top-level box (rewriting offsets) to `output`, hashing `offset ‖ bytes` into `leaf`
/// unless the mandatory exclusions (`ftyp`, `mfra`, a C2PA `uuid`) cover it.
fn copy_box(
    rewriter: &mut Rewriter,
    input: &mut dyn Read,
    output: &mut dyn Write,
    leaf: &mut Hasher,
    h: &Head,
    at: u64,
) -> Result<(), GeneratorError> {
    let excluded = matches!(&h.box_type, b"ftyp" | b"mfra");
    let out_offset = rewriter
        .shifts
        .byte(at)
        .ok_or(GeneratorError::OffsetOverflow { box_type: "box" })?;
    let mut sink = Sink {
        output: Some(output),
        hasher: (!excluded).then_some(leaf),
    };
    if let Some(hasher) = sink.hasher.as_deref_mut() {
        hasher.update(&out_offset.to_be_bytes());
    }
    sink.write(h.raw())?;
    rewriter.rewrite_body(input, &mut sink, h, at, 0)
}

impl Generator<'_> {
    /// Pass 4 of [`SplitFragments`]: signs the init segment of a fragmented asset split across
    /// files (every fragment written) — the manifest store goes after its `ftyp`, and the BMFF
    /// hash holds the init segment's `initHash` and each track's tree. The init segment must not
    /// hold a `moof`.
    pub fn embed_init<R, W>(
        &self,
        fragments: &mut SplitFragments,
        init: &mut R,
        output: &mut W,
    ) -> Result<Signed, GeneratorError>
    where
        R: Read + std::io::Seek,
        W: Write + std::io::Seek,
    {
        if fragments.alg() != self.definition.alg {
            return Err(GeneratorError::Fragments {
                what: "the fragments were hashed with another algorithm",
            });
        }
        let rows = fragments.rows()?;
        init.seek(SeekFrom::Start(0)).map_err(io)?;
        let mut binding =
            super::BmffBinding::scan_init(init, rows, self.replace, &self.bmff, &self.limits)?;
        init.seek(SeekFrom::Start(0)).map_err(io)?;
        self.embed_with(&mut binding, init, output)
    }

    /// Signs a fragmented asset split across files in one call: `fragments` are (input, output)
    /// pairs in playback order (see [`SplitFragments`] to open one file at a time).
    pub fn embed_fragmented<R, W>(
        &self,
        init: &mut R,
        init_output: &mut W,
        fragments: &mut [(&mut dyn ReadSeek, &mut dyn super::super::WriteSeek)],
    ) -> Result<Signed, GeneratorError>
    where
        R: Read + std::io::Seek,
        W: Write + std::io::Seek,
    {
        let mut split = SplitFragments::new(self.definition.alg, self.bmff, self.limits);
        split.set_replace(self.replace);
        for (input, _) in fragments.iter_mut() {
            split.add(&mut **input)?;
        }
        let mut starts = Vec::with_capacity(fragments.len());
        for (i, (input, output)) in fragments.iter_mut().enumerate() {
            starts.push(output.stream_position().map_err(io)?);
            split.write(i, &mut **input, &mut **output)?;
        }
        for (i, (_, output)) in fragments.iter_mut().enumerate() {
            let (at, bytes) = split.merkle_box(i)?;
            let start = starts.get(i).copied().unwrap_or(0);
            output
                .seek(SeekFrom::Start(start.saturating_add(at)))
                .map_err(io)?;
            output.write_all(&bytes).map_err(io)?;
            output.seek(SeekFrom::End(0)).map_err(io)?;
            output.flush().map_err(io)?;
        }
        self.embed_init(&mut split, init, init_output)
    }
}

#[cfg(test)]
mod tests;
