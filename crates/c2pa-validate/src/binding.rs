//! Content bindings (C2PA 2.2 §15.12): the asset is streamed through the hash, never held
//! whole. `Asset` is any `BufRead + Seek`; hashing consumes the reader's own buffer, so a
//! reader that holds large blocks (a `BufReader` with a big capacity, a read-ahead reader) is
//! hashed without another copy.
//!
//! - `c2pa.hash.data` (`data_hash`): exclusion ranges ascending, non-overlapping and inside
//!   the asset; the range that holds the manifest store must cover exactly the container
//!   segments the store occupies (§15.12.1.2: for JPEG the APP11 segments, lengths included);
//!   other exclusions are reported as `assertion.dataHash.additionalExclusionsPresent`.
//! - `c2pa.hash.bmff.v2`/`.v3`: [`bmff`].
//! - `c2pa.hash.boxes`: [`boxes`], over the boxes each format defines.
//! - `c2pa.hash.collection.data`: [`collection`], through the caller's `CollectionSource`.
//! - `c2pa.hash.multi-asset` (`multi`): each part of a multi-part asset on its own, when the
//!   hard binding does not match.

use core::ops::Range;
use std::io::{BufRead, Seek, SeekFrom};

use ciborium::Value;
use sha2::{Digest, Sha256, Sha384, Sha512};
use signet_c2pa_model::HashAlg;

use crate::assertion::field;
use crate::status::StatusCode;

pub mod bmff;
pub mod boxes;
pub mod collection;
pub(crate) mod multi;

/// An asset being validated: buffered, readable and seekable.
pub trait Asset: BufRead + Seek {}
impl<T: BufRead + Seek> Asset for T {}

/// An incremental hash in progress.
pub trait IncrementalHash {
    /// Absorbs `data`.
    fn update(&mut self, data: &[u8]);
    /// The digest.
    fn finish(self: Box<Self>) -> Vec<u8>;
}

/// Where the validator gets its hash functions. The default, [`Sha2Hashes`], is the pure-Rust
/// `sha2` crate; a binary can inject a faster implementation (aws-lc-rs, OpenSSL's assembly is
/// about twice as fast on SHA-NI hardware) the way it injects the signature verifier.
pub trait HashProvider: Send + Sync {
    /// Starts a hash with `alg`.
    fn start(&self, alg: HashAlg) -> Box<dyn IncrementalHash>;
}

/// The `sha2` crate's SHA-256/384/512.
#[derive(Debug, Clone, Copy, Default)]
pub struct Sha2Hashes;

impl HashProvider for Sha2Hashes {
    fn start(&self, alg: HashAlg) -> Box<dyn IncrementalHash> {
        match alg {
            HashAlg::Sha256 => Box::new(Sha2(Sha256::new())),
            HashAlg::Sha384 => Box::new(Sha2(Sha384::new())),
            HashAlg::Sha512 => Box::new(Sha2(Sha512::new())),
        }
    }
}

struct Sha2<D>(D);

impl<D: Digest> IncrementalHash for Sha2<D> {
    fn update(&mut self, data: &[u8]) {
        Digest::update(&mut self.0, data);
    }

    fn finish(self: Box<Self>) -> Vec<u8> {
        self.0.finalize().to_vec()
    }
}

/// The hash used while streaming an asset.
pub(crate) type Hasher = Box<dyn IncrementalHash>;

/// Feeds `len` bytes of `asset` from `start` into `hasher` (seeking there first), straight
/// from the reader's buffer.
pub(crate) fn hash_range(
    asset: &mut dyn Asset,
    start: u64,
    len: u64,
    hasher: &mut Hasher,
) -> std::io::Result<()> {
    asset.seek(SeekFrom::Start(start))?;
    let mut left = len;
    while left > 0 {
        let chunk = asset.fill_buf()?;
        if chunk.is_empty() {
            return Err(std::io::ErrorKind::UnexpectedEof.into());
        }
        let n = chunk.len().min(usize::try_from(left).unwrap_or(usize::MAX));
        hasher.update(chunk.get(..n).unwrap_or_default());
        asset.consume(n);
        left = left.saturating_sub(u64::try_from(n).unwrap_or(u64::MAX));
    }
    Ok(())
}

/// The asset's length.
pub(crate) fn asset_len(asset: &mut dyn Asset) -> std::io::Result<u64> {
    asset.seek(SeekFrom::End(0))
}

/// The result of checking a binding: codes with explanations.
pub(crate) type Codes = Vec<(StatusCode, String)>;

/// `c2pa.hash.data` (§15.12.1). `store_ranges` are the container segments holding the
/// manifest store (empty for a sidecar store).
pub(crate) fn data_hash(
    value: &Value,
    alg: Option<HashAlg>,
    asset: &mut dyn Asset,
    store_ranges: &[Range<u64>],
    updated: bool,
    max_exclusions: usize,
    hashes: &dyn HashProvider,
) -> Codes {
    let malformed = |why: &str| vec![(StatusCode::AssertionDataHashMalformed, why.to_owned())];
    let mismatch = |why: &str| vec![(StatusCode::AssertionDataHashMismatch, why.to_owned())];
    let Some(alg) = alg else {
        return vec![(
            StatusCode::AlgorithmUnsupported,
            "data hash algorithm absent or not on the C2PA 2.2 §13.1 list".to_owned(),
        )];
    };
    let mut exclusions: Vec<Range<u64>> = Vec::new();
    if let Some(list) = field(value, "exclusions") {
        let Some(items) = list.as_array() else {
            return malformed("exclusions is not an array");
        };
        if items.len() > max_exclusions {
            return malformed("too many exclusion ranges");
        }
        for item in items {
            let num = |k: &str| {
                field(item, k)
                    .and_then(Value::as_integer)
                    .and_then(|i| u64::try_from(i).ok())
            };
            let (Some(start), Some(length)) = (num("start"), num("length")) else {
                return malformed("exclusion without a non-negative start and length");
            };
            let Some(end) = start.checked_add(length) else {
                return malformed("exclusion range overflows");
            };
            if exclusions.last().is_some_and(|prev| prev.end > start) {
                return malformed("exclusion ranges overlap or are not in increasing order");
            }
            exclusions.push(start..end);
        }
    }
    let Some(expected) = field(value, "hash").and_then(Value::as_bytes) else {
        return mismatch("data hash without a hash");
    };
    let mut codes = Vec::new();
    // The store's own exclusion must be exactly its segments (§15.12.1.1, §15.12.1.2).
    if let (Some(first), Some(last)) = (store_ranges.first(), store_ranges.last()) {
        let whole = first.start..last.end;
        // After update manifests were added, the store's exclusion covers the store as it is
        // now (§15.12.1.1).
        if updated && let Some(r) = exclusions.iter_mut().find(|r| r.start == whole.start) {
            r.end = whole.end;
        }
        match exclusions
            .iter()
            .find(|r| r.start <= whole.start && whole.start < r.end)
        {
            Some(r) if *r == whole => {}
            Some(_) => {
                return mismatch(
                    "the exclusion over the manifest store does not match the segments holding it",
                );
            }
            None => return mismatch("the manifest store is not excluded from the data hash"),
        }
        if exclusions.iter().any(|r| *r != whole) {
            codes.push((
                StatusCode::AssertionDataHashAdditionalExclusionsPresent,
                "exclusions other than the manifest store".to_owned(),
            ));
        }
    }
    let len = match asset_len(asset) {
        Ok(l) => l,
        Err(e) => return mismatch(&format!("reading the asset: {e}")),
    };
    if exclusions.iter().any(|r| r.end > len) {
        return mismatch("an exclusion range ends beyond the asset");
    }
    let mut hasher = hashes.start(alg);
    let mut pos = 0u64;
    for r in exclusions.iter().chain(core::iter::once(&(len..len))) {
        if let Err(e) = hash_range(asset, pos, r.start.saturating_sub(pos), &mut hasher) {
            return mismatch(&format!("reading the asset: {e}"));
        }
        pos = r.end;
    }
    if hasher.finish() == expected.as_slice() {
        codes.push((
            StatusCode::AssertionDataHashMatch,
            "data hash valid".to_owned(),
        ));
    } else {
        codes.push((
            StatusCode::AssertionDataHashMismatch,
            "the asset does not match the data hash".to_owned(),
        ));
    }
    codes
}

/// A byte range of an asset seen as an asset of its own (a part of a multi-part asset,
/// §18.9): offsets start at the range's start, reads stop at its end.
pub(crate) struct Window<'a> {
    inner: &'a mut dyn Asset,
    start: u64,
    len: u64,
    pos: u64,
}

impl<'a> Window<'a> {
    /// The window `range` of `inner`.
    pub(crate) fn new(inner: &'a mut dyn Asset, range: &Range<u64>) -> std::io::Result<Self> {
        inner.seek(SeekFrom::Start(range.start))?;
        Ok(Self {
            inner,
            start: range.start,
            len: range.end.saturating_sub(range.start),
            pos: 0,
        })
    }
}

impl std::io::Read for Window<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let avail = self.fill_buf()?;
        let n = avail.len().min(buf.len());
        if let (Some(dst), Some(src)) = (buf.get_mut(..n), avail.get(..n)) {
            dst.copy_from_slice(src);
        }
        self.consume(n);
        Ok(n)
    }
}

impl BufRead for Window<'_> {
    fn fill_buf(&mut self) -> std::io::Result<&[u8]> {
        let left = usize::try_from(self.len.saturating_sub(self.pos)).unwrap_or(usize::MAX);
        if left == 0 {
            return Ok(&[]);
        }
        let buf = self.inner.fill_buf()?;
        Ok(buf.get(..left.min(buf.len())).unwrap_or_default())
    }

    fn consume(&mut self, amt: usize) {
        self.inner.consume(amt);
        self.pos = self
            .pos
            .saturating_add(u64::try_from(amt).unwrap_or(u64::MAX));
    }
}

impl Seek for Window<'_> {
    fn seek(&mut self, to: SeekFrom) -> std::io::Result<u64> {
        let target = match to {
            SeekFrom::Start(n) => Some(n),
            SeekFrom::End(d) => self.len.checked_add_signed(d),
            SeekFrom::Current(d) => self.pos.checked_add_signed(d),
        }
        .ok_or(std::io::ErrorKind::InvalidInput)?;
        self.inner
            .seek(SeekFrom::Start(self.start.saturating_add(target)))?;
        self.pos = target;
        Ok(target)
    }
}

#[cfg(test)]
mod tests;
