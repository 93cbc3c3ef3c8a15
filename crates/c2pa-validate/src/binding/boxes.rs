//! `c2pa.hash.boxes`, the general box hash (C2PA 2.2 §18.7, validated per §15.12.3).
//!
//! A per-format walker lists the asset's boxes in order — JPEG marker segments (§18.7.3.1),
//! PNG chunks (§18.7.3.2), GIF blocks (§18.7.3.4), RIFF chunks (§18.7.3.5), font tables
//! (§18.7.3.6) and JPEG XL boxes — reading only headers (a JPEG scan's entropy-coded data is
//! read to find its end, never kept). The boxes holding the manifest store (the located store
//! ranges) are one box named `C2PA`, even when the store spans several JPEG APP11 segments.
//!
//! The assertion's `names`, flattened in order, must equal the asset's box names:
//! - an asset box not listed (or listed fewer times than it occurs) → `assertion.boxesHash.unknownBox`;
//! - a listed box absent from the asset, or boxes in another order → `assertion.boxesHash.mismatch`;
//! - data after the last box must be covered by a final `c2pa.after` entry (§18.7.2), else it is
//!   reported as an unknown box: unhashed bytes would let anything be appended;
//! - the `PNGh` header box may be left out (§18.7.3.2: "to include it");
//! - against a manifest store supplied separately (no store in the asset), the `C2PA` entry
//!   stands for a store that is not there.
//!
//! Each entry's hash covers its first box's start to its last box's end (bytes between listed
//! boxes included, §18.7.1), with a font's `head.checkSumAdjustment` read as zero. Entries with
//! `excluded: true` and the `C2PA` entry are not hashed. The algorithm is the entry's `alg`, else
//! the box map's, else the claim's (§15.4); absent or unknown → `algorithm.unsupported`.
//!
//! Formats with no box definition in C2PA 2.2 (SVG, PDF, ISO BMFF, sidecars) cannot carry a box
//! hash: the binding is reported as `assertion.boxesHash.mismatch`, with the reason.

use core::ops::Range;
use std::io::SeekFrom;

use ciborium::Value;
use signet_c2pa_model::HashAlg;
use signet_c2pa_model::container::Format;

use super::{Asset, Codes, HashProvider, Hasher, asset_len, hash_range};
use crate::assertion::{field, hash_alg};
use crate::limits::Limits;
use crate::status::StatusCode;

mod font;
mod gif;
mod jpeg;
mod jxl;
mod png;
mod riff;

/// The name of the box holding the manifest store (§18.7.1).
pub(crate) const C2PA: &str = "C2PA";
/// The logical box for data after the box structure (§18.7.2).
pub(crate) const AFTER: &str = "c2pa.after";

/// One box of the asset.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct AssetBox {
    /// Its name (§18.7.3).
    pub(crate) name: String,
    /// Its bytes, header included.
    pub(crate) range: Range<u64>,
    /// Bytes hashed as zeros (a font's `head.checkSumAdjustment`).
    pub(crate) zero: Option<Range<u64>>,
    /// A header box an assertion may leave out (`PNGh`).
    pub(crate) optional: bool,
}

impl AssetBox {
    pub(crate) fn new(name: impl Into<String>, range: Range<u64>) -> Self {
        Self {
            name: name.into(),
            range,
            zero: None,
            optional: false,
        }
    }
}

/// Why the asset's boxes could not be listed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum WalkError {
    /// Reading failed.
    Io(std::io::ErrorKind),
    /// The asset is not well-formed for its format.
    Malformed {
        /// Where.
        offset: u64,
        /// What.
        what: &'static str,
    },
}

impl core::fmt::Display for WalkError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            Self::Io(kind) => write!(f, "reading the asset: {kind}"),
            Self::Malformed { offset, what } => write!(f, "{what} at offset {offset}"),
        }
    }
}

impl From<std::io::Error> for WalkError {
    fn from(e: std::io::Error) -> Self {
        Self::Io(e.kind())
    }
}

/// Reads `buf.len()` bytes at `offset`; a short read is a truncated box.
pub(crate) fn read_at(asset: &mut dyn Asset, offset: u64, buf: &mut [u8]) -> Result<(), WalkError> {
    asset.seek(SeekFrom::Start(offset))?;
    asset.read_exact(buf).map_err(|e| {
        if e.kind() == std::io::ErrorKind::UnexpectedEof {
            WalkError::Malformed {
                offset,
                what: "box truncated by the end of the asset",
            }
        } else {
            WalkError::from(e)
        }
    })
}

/// Lists an asset's boxes one at a time (each call seeks where it left off, so the asset can
/// be read in between).
pub(crate) trait Walker {
    /// The next box, or `None` at the end of the box structure.
    fn next_box(&mut self, asset: &mut dyn Asset) -> Result<Option<AssetBox>, WalkError>;
    /// Where the box structure ended (after `next_box` returned `None`); bytes from there to the
    /// end of the asset are data after the boxes (§18.7.2). `None` for formats whose boxes are
    /// listed from a directory and need not cover the file (fonts, §18.7.3.6).
    fn structure_end(&self) -> Option<u64>;
}

/// The walker for `format`, or why the format has no boxes.
fn walker(format: Option<Format>, len: u64) -> Result<Box<dyn Walker>, String> {
    Ok(match format {
        Some(Format::Jpeg) => Box::new(jpeg::Jpeg::new(len)),
        Some(Format::Png) => Box::new(png::Png::new(len)),
        Some(Format::Gif) => Box::new(gif::Gif::new(len)),
        Some(Format::Riff) => Box::new(riff::Riff::new(len)),
        Some(Format::Font) => Box::new(font::Font::new(len)),
        Some(Format::Jxl) => Box::new(jxl::Jxl::new(len)),
        Some(other) => {
            return Err(format!(
                "C2PA 2.2 §18.7.3 defines no boxes for {other:?} assets; a general box hash \
                 cannot bind them"
            ));
        }
        None => return Err("the asset's format is unknown, so its boxes cannot be listed".into()),
    })
}

/// One `box-hash-map` of the assertion.
#[derive(Debug)]
struct Entry {
    names: Vec<String>,
    alg: Option<String>,
    hash: Option<Vec<u8>>,
    excluded: bool,
}

fn parse(value: &Value, max: usize) -> Result<(Vec<Entry>, Option<String>), Codes> {
    let malformed = |why: &str| vec![(StatusCode::AssertionBoxesHashMalformed, why.to_owned())];
    let Some(items) = field(value, "boxes").and_then(Value::as_array) else {
        return Err(malformed("box map without a boxes array"));
    };
    if items.is_empty() {
        return Err(malformed("box map with an empty boxes array"));
    }
    let map_alg = field(value, "alg")
        .and_then(Value::as_text)
        .map(str::to_owned);
    let mut entries = Vec::with_capacity(items.len().min(max));
    let mut total = 0usize;
    for item in items {
        let Some(names) = field(item, "names").and_then(Value::as_array) else {
            return Err(malformed("box-hash-map without a names array"));
        };
        if names.is_empty() {
            return Err(malformed("box-hash-map with an empty names array"));
        }
        total = total.saturating_add(names.len());
        if total > max {
            return Err(malformed("more box names than the validator's limit"));
        }
        let names = names
            .iter()
            .map(|n| n.as_text().map(str::to_owned))
            .collect::<Option<Vec<_>>>()
            .ok_or_else(|| malformed("a box name is not a text string"))?;
        if names.len() > 1 && names.iter().any(|n| n == C2PA) {
            return Err(malformed(
                "the C2PA box shares its names array with other boxes (§18.7.1: in its own array)",
            ));
        }
        if names.len() > 1 && names.iter().any(|n| n == AFTER) {
            return Err(malformed(
                "c2pa.after shares its names array with other boxes",
            ));
        }
        entries.push(Entry {
            names,
            alg: field(item, "alg")
                .and_then(Value::as_text)
                .map(str::to_owned),
            hash: field(item, "hash").and_then(Value::as_bytes).cloned(),
            excluded: field(item, "excluded").and_then(Value::as_bool) == Some(true),
        });
    }
    if entries
        .iter()
        .rev()
        .skip(1)
        .any(|e| e.names.first().map(String::as_str) == Some(AFTER))
    {
        return Err(malformed("c2pa.after is not the last box (§18.7.2)"));
    }
    Ok((entries, map_alg))
}

/// What one entry covers in the asset.
#[derive(Debug, Clone, Default)]
struct Span {
    range: Option<Range<u64>>,
    zeros: Vec<Range<u64>>,
}

impl Span {
    fn add(&mut self, b: &AssetBox) {
        self.range = Some(match self.range.take() {
            None => b.range.clone(),
            Some(r) => r.start..b.range.end,
        });
        self.zeros.extend(b.zero.clone());
    }
}

/// `c2pa.hash.boxes` (§15.12.3). `store_ranges` are where the manifest store sits in the asset
/// (empty for a store supplied separately).
pub(crate) fn box_hash(
    value: &Value,
    claim_alg: Option<&str>,
    format: Option<Format>,
    asset: &mut dyn Asset,
    store_ranges: &[Range<u64>],
    limits: &Limits,
    hashes: &dyn HashProvider,
) -> Codes {
    let mismatch = |why: String| vec![(StatusCode::AssertionBoxesHashMismatch, why)];
    let (mut entries, map_alg) = match parse(value, limits.max_exclusions) {
        Ok(e) => e,
        Err(codes) => return codes,
    };
    let len = match asset_len(asset) {
        Ok(l) => l,
        Err(e) => return mismatch(format!("reading the asset: {e}")),
    };
    let mut walk = match walker(format, len) {
        Ok(w) => w,
        Err(why) => return mismatch(why),
    };
    let after = entries
        .last()
        .is_some_and(|e| e.names.first().map(String::as_str) == Some(AFTER))
        .then(|| entries.pop())
        .flatten();
    let spans = match match_boxes(
        &entries,
        walk.as_mut(),
        asset,
        store_ranges,
        limits.container.max_segments,
    ) {
        Ok(s) => s,
        Err(codes) => return codes,
    };
    // Data after the box structure.
    let mut all: Vec<(&Entry, Span)> = entries.iter().zip(spans).collect();
    let end = walk.structure_end();
    match (&after, end) {
        (Some(a), Some(end)) => all.push((
            a,
            Span {
                range: Some(end..len),
                zeros: Vec::new(),
            },
        )),
        (Some(_), None) => {
            return mismatch(
                "c2pa.after listed for a format whose boxes need not cover the file".into(),
            );
        }
        (None, Some(end)) if end < len => {
            return vec![(
                StatusCode::AssertionBoxesHashUnknownBox,
                format!(
                    "{} bytes after the last box (offset {end}) are not covered by a c2pa.after \
                     box",
                    len - end
                ),
            )];
        }
        (None, _) => {}
    }
    for (entry, span) in all {
        if entry.excluded || entry.names.first().map(String::as_str) == Some(C2PA) {
            continue;
        }
        let name = entry.names.join(",");
        let Some(alg) = hash_alg(entry.alg.as_deref(), map_alg.as_deref(), claim_alg) else {
            return vec![(
                StatusCode::AlgorithmUnsupported,
                format!("box hash of [{name}]: algorithm absent or not on the C2PA 2.2 §13.1 list"),
            )];
        };
        let Some(expected) = &entry.hash else {
            return mismatch(format!("box hash of [{name}] has no hash"));
        };
        let range = span.range.unwrap_or(0..0);
        match hash_span(asset, alg, &range, &span.zeros, hashes) {
            Ok(h) if h == *expected => {}
            Ok(_) => return mismatch(format!("the boxes [{name}] do not match their hash")),
            Err(e) => return mismatch(format!("reading the asset: {e}")),
        }
    }
    vec![(
        StatusCode::AssertionBoxesHashMatch,
        "box hash valid".to_owned(),
    )]
}

/// Walks the asset's boxes against the flattened names; returns each entry's span.
fn match_boxes(
    entries: &[Entry],
    walk: &mut dyn Walker,
    asset: &mut dyn Asset,
    store_ranges: &[Range<u64>],
    max_boxes: usize,
) -> Result<Vec<Span>, Codes> {
    let mismatch = |why: String| vec![(StatusCode::AssertionBoxesHashMismatch, why)];
    let names: Vec<(usize, &str)> = entries
        .iter()
        .enumerate()
        .flat_map(|(i, e)| e.names.iter().map(move |n| (i, n.as_str())))
        .collect();
    let mut spans = vec![Span::default(); entries.len()];
    let mut cursor = 0usize;
    let mut count = 0usize;
    let mut first = true;
    let mut pending_c2pa: Option<AssetBox> = None;
    loop {
        let next = match walk.next_box(asset) {
            Ok(b) => b,
            Err(e) => return Err(mismatch(format!("the asset's boxes cannot be listed: {e}"))),
        };
        count = count.saturating_add(1);
        if count > max_boxes {
            return Err(mismatch(format!("more than {max_boxes} boxes")));
        }
        // Boxes holding the store become one C2PA box (JPEG: consecutive APP11 segments).
        let next = match next {
            Some(mut b) if overlaps(&b.range, store_ranges) => {
                b.name = C2PA.to_owned();
                match pending_c2pa.as_mut() {
                    Some(p) if p.range.end == b.range.start => p.range.end = b.range.end,
                    Some(_) => {
                        let done = pending_c2pa.replace(b);
                        if let Some(d) = done {
                            step(&d, &names, &mut cursor, &mut spans, store_ranges)?;
                        }
                    }
                    None => pending_c2pa = Some(b),
                }
                continue;
            }
            other => other,
        };
        if let Some(p) = pending_c2pa.take() {
            step(&p, &names, &mut cursor, &mut spans, store_ranges)?;
        }
        let Some(b) = next else { break };
        let optional_skipped =
            first && b.optional && names.first().map(|(_, n)| *n) != Some(b.name.as_str());
        first = false;
        if optional_skipped {
            continue;
        }
        step(&b, &names, &mut cursor, &mut spans, store_ranges)?;
    }
    // Listed boxes that were never found.
    while let Some((_, name)) = names.get(cursor) {
        if *name == C2PA && store_ranges.is_empty() {
            cursor += 1;
            continue;
        }
        return Err(mismatch(format!(
            "box {name} is listed but absent from the asset"
        )));
    }
    Ok(spans)
}

/// Matches one asset box with the next listed name.
fn step(
    b: &AssetBox,
    names: &[(usize, &str)],
    cursor: &mut usize,
    spans: &mut [Span],
    store_ranges: &[Range<u64>],
) -> Result<(), Codes> {
    loop {
        let Some((entry, name)) = names.get(*cursor) else {
            return Err(vec![(
                StatusCode::AssertionBoxesHashUnknownBox,
                format!("box {} at offset {} is not listed", b.name, b.range.start),
            )]);
        };
        if *name == b.name {
            if let Some(s) = spans.get_mut(*entry) {
                s.add(b);
            }
            *cursor += 1;
            return Ok(());
        }
        // A store supplied separately: the C2PA entry has no box in the asset.
        if *name == C2PA && store_ranges.is_empty() {
            *cursor += 1;
            continue;
        }
        let listed_later = names
            .get(*cursor..)
            .unwrap_or_default()
            .iter()
            .any(|(_, n)| *n == b.name);
        return Err(if listed_later {
            vec![(
                StatusCode::AssertionBoxesHashMismatch,
                format!(
                    "boxes out of order: {name} is listed where the asset has {} (offset {})",
                    b.name, b.range.start
                ),
            )]
        } else {
            vec![(
                StatusCode::AssertionBoxesHashUnknownBox,
                format!("box {} at offset {} is not listed", b.name, b.range.start),
            )]
        });
    }
}

fn overlaps(r: &Range<u64>, ranges: &[Range<u64>]) -> bool {
    ranges.iter().any(|s| s.start < r.end && r.start < s.end)
}

/// Hashes `range`, reading the bytes of `zeros` as zero.
fn hash_span(
    asset: &mut dyn Asset,
    alg: HashAlg,
    range: &Range<u64>,
    zeros: &[Range<u64>],
    hashes: &dyn HashProvider,
) -> std::io::Result<Vec<u8>> {
    let mut hasher: Hasher = hashes.start(alg);
    let mut pos = range.start;
    let mut zeros: Vec<Range<u64>> = zeros
        .iter()
        .filter_map(|z| {
            let s = z.start.max(range.start);
            let e = z.end.min(range.end);
            (s < e).then_some(s..e)
        })
        .collect();
    zeros.sort_by_key(|z| z.start);
    for z in zeros {
        if z.start < pos {
            continue;
        }
        hash_range(asset, pos, z.start - pos, &mut hasher)?;
        let n = usize::try_from(z.end - z.start).unwrap_or(0);
        hasher.update(&vec![0u8; n]);
        pos = z.end;
    }
    if range.end > pos {
        hash_range(asset, pos, range.end - pos, &mut hasher)?;
    }
    Ok(hasher.finish())
}

/// A four-character code as a box name (bytes outside printable ASCII are malformed).
pub(crate) fn fourcc(code: [u8; 4], offset: u64) -> Result<String, WalkError> {
    if code.iter().all(|b| (0x20..0x7F).contains(b)) {
        Ok(code.iter().map(|b| char::from(*b)).collect())
    } else {
        Err(WalkError::Malformed {
            offset,
            what: "box type is not printable ASCII",
        })
    }
}

/// Consumes the asset from its current position until `pred` matches a byte; returns how many
/// bytes were skipped, or `None` at the end of the asset.
pub(crate) fn scan_until(
    asset: &mut dyn Asset,
    pred: impl Fn(u8) -> bool,
) -> std::io::Result<Option<u64>> {
    let mut skipped = 0u64;
    loop {
        let buf = asset.fill_buf()?;
        if buf.is_empty() {
            return Ok(None);
        }
        if let Some(i) = buf.iter().position(|b| pred(*b)) {
            asset.consume(i);
            return Ok(Some(
                skipped.saturating_add(u64::try_from(i).unwrap_or(u64::MAX)),
            ));
        }
        let n = buf.len();
        asset.consume(n);
        skipped = skipped.saturating_add(u64::try_from(n).unwrap_or(u64::MAX));
    }
}

/// Reads one byte at the current position (`None` at the end of the asset).
pub(crate) fn next_byte(asset: &mut dyn Asset) -> std::io::Result<Option<u8>> {
    let mut b = [0u8; 1];
    match asset.read(&mut b)? {
        0 => Ok(None),
        _ => Ok(Some(u8::from_be_bytes(b))),
    }
}

#[cfg(test)]
mod tests;
