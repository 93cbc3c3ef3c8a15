//! `c2pa.hash.bmff.v2` / `.v3` (C2PA 2.2 §18.6, §15.12.2) over an ISO BMFF asset.
//!
//! The box tree is walked only as deep as the exclusion XPaths reach (a non-leaf XPath node
//! names a pure container, §18.6.2), reading headers and the few bytes exclusions compare
//! (`data`, `version`, `flags`); box payloads are never buffered. The hash then covers, for each
//! root box not excluded entirely, its absolute offset as 8 big-endian bytes followed by its
//! bytes minus excluded descendants and `subset` ranges. A `merkle` field is checked per tree:
//! the `mdat` payload (by `localId`) split into the leaves `fixedBlockSize` /
//! `variableBlockSizes` describe, hashed without offsets, combined pairwise up to the row the
//! assertion stores.
//!
//! Not supported (reported as `assertion.bmffHash.malformed` with the reason): Merkle trees whose
//! rows need the auxiliary `uuid` boxes of fragmented files (§A.5.4).

use core::ops::Range;
use std::io::SeekFrom;

use ciborium::Value;
use signet_c2pa_model::HashAlg;

use super::{Asset, Codes, HashProvider, asset_len, hash_range};
use crate::assertion::field;
use crate::limits::Limits;
use crate::status::StatusCode;

/// A box's path: type and 1-based index among same-type siblings, from the root.
type BoxPath = Vec<([u8; 4], u64)>;

/// One XPath step: a four-character code and an optional 1-based index.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Step {
    fourcc: [u8; 4],
    index: Option<u64>,
}

/// One parsed exclusion entry.
#[derive(Debug, Clone)]
struct Exclusion {
    path: Vec<Step>,
    length: Option<u64>,
    data: Vec<(u64, Vec<u8>)>,
    subset: Vec<(u64, u64)>,
    version: Option<u8>,
    flags: Option<[u8; 3]>,
    exact: bool,
}

/// A box found while walking.
#[derive(Debug, Clone)]
struct BoxInfo {
    start: u64,
    end: u64,
    header_len: u64,
    fourcc: [u8; 4],
    /// Type and 1-based index among same-type siblings, from the root down.
    path: Vec<([u8; 4], u64)>,
}

fn malformed(why: impl Into<String>) -> Codes {
    vec![(StatusCode::AssertionBmffHashMalformed, why.into())]
}

fn mismatch(why: impl Into<String>) -> Codes {
    vec![(StatusCode::AssertionBmffHashMismatch, why.into())]
}

fn parse_xpath(xpath: &str) -> Option<Vec<Step>> {
    let rest = xpath.strip_prefix('/')?;
    rest.split('/')
        .map(|node| {
            let (name, index) = match node.split_once('[') {
                Some((n, i)) => {
                    let i = i.strip_suffix(']')?;
                    if i.starts_with('0') {
                        return None;
                    }
                    (n, Some(i.parse::<u64>().ok()?))
                }
                None => (node, None),
            };
            let fourcc: [u8; 4] = name.as_bytes().try_into().ok()?;
            Some(Step { fourcc, index })
        })
        .collect()
}

fn uint(v: &Value, k: &str) -> Option<u64> {
    field(v, k)
        .and_then(Value::as_integer)
        .and_then(|i| u64::try_from(i).ok())
}

fn parse_exclusions(value: &Value, max: usize) -> Result<Vec<Exclusion>, String> {
    let items = field(value, "exclusions")
        .and_then(Value::as_array)
        .filter(|a| !a.is_empty())
        .ok_or("no exclusions (at least one is required)")?;
    if items.len() > max {
        return Err("too many exclusions".into());
    }
    items
        .iter()
        .map(|e| {
            let xpath = field(e, "xpath")
                .and_then(Value::as_text)
                .ok_or("exclusion without xpath")?;
            let path = parse_xpath(xpath).ok_or_else(|| format!("bad xpath {xpath}"))?;
            // CDDL `? "data": [1* …]`, `? "subset": [1* …]`: present means at least one.
            for key in ["data", "subset"] {
                if field(e, key)
                    .and_then(Value::as_array)
                    .is_some_and(Vec::is_empty)
                {
                    return Err(format!("exclusion {xpath}: `{key}` is an empty array"));
                }
            }
            let mut data = Vec::new();
            for d in field(e, "data")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                let off = uint(d, "offset").ok_or("data entry without offset")?;
                let bytes = field(d, "value")
                    .and_then(Value::as_bytes)
                    .ok_or("data entry without value")?;
                data.push((off, bytes.clone()));
            }
            let mut subset: Vec<(u64, u64)> = Vec::new();
            for s in field(e, "subset")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                let off = uint(s, "offset").ok_or("subset without offset")?;
                let len = uint(s, "length").ok_or("subset without length")?;
                if subset
                    .last()
                    .is_some_and(|(o, l)| *l == 0 || o.saturating_add(*l) > off)
                {
                    return Err("subset ranges overlap or are not in increasing order".into());
                }
                subset.push((off, len));
            }
            if data.len().saturating_add(subset.len()) > max {
                return Err("too many data or subset entries".into());
            }
            let flags = match field(e, "flags") {
                None => None,
                Some(f) => Some(
                    f.as_bytes()
                        .and_then(|b| <[u8; 3]>::try_from(b.as_slice()).ok())
                        .ok_or("flags must be 3 bytes")?,
                ),
            };
            Ok(Exclusion {
                path,
                length: uint(e, "length"),
                data,
                subset,
                version: uint(e, "version").and_then(|v| u8::try_from(v).ok()),
                flags,
                exact: field(e, "exact").and_then(Value::as_bool).unwrap_or(true),
            })
        })
        .collect()
}

fn read_at(asset: &mut dyn Asset, at: u64, buf: &mut [u8]) -> std::io::Result<()> {
    asset.seek(SeekFrom::Start(at))?;
    asset.read_exact(buf)
}

/// Reads the box header at `at` (inside a parent ending at `limit`).
fn read_header(asset: &mut dyn Asset, at: u64, limit: u64) -> Result<(u64, u64, [u8; 4]), String> {
    let mut h = [0u8; 8];
    read_at(asset, at, &mut h).map_err(|e| format!("box header at {at}: {e}"))?;
    let [s0, s1, s2, s3, t0, t1, t2, t3] = h;
    let fourcc = [t0, t1, t2, t3];
    let (size, header) = match u32::from_be_bytes([s0, s1, s2, s3]) {
        0 => (limit.saturating_sub(at), 8),
        1 => {
            let mut l = [0u8; 8];
            read_at(asset, at.saturating_add(8), &mut l)
                .map_err(|e| format!("largesize at {at}: {e}"))?;
            (u64::from_be_bytes(l), 16)
        }
        n => (u64::from(n), 8),
    };
    let header = if fourcc == *b"uuid" {
        header + 16
    } else {
        header
    };
    if size < header || at.saturating_add(size) > limit {
        return Err(format!("box at {at} has a bad size"));
    }
    Ok((size, header, fourcc))
}

fn matches_path(ex: &Exclusion, path: &[([u8; 4], u64)]) -> bool {
    ex.path.len() == path.len()
        && ex
            .path
            .iter()
            .zip(path)
            .all(|(s, (t, i))| s.fourcc == *t && s.index.is_none_or(|x| x == *i))
}

fn is_prefix(ex: &Exclusion, path: &[([u8; 4], u64)]) -> bool {
    ex.path.len() > path.len()
        && ex
            .path
            .iter()
            .zip(path)
            .all(|(s, (t, i))| s.fourcc == *t && s.index.is_none_or(|x| x == *i))
}

/// Walks the boxes exclusions can name; returns root boxes and every walked box.
fn walk(
    asset: &mut dyn Asset,
    len: u64,
    exclusions: &[Exclusion],
    limits: &Limits,
) -> Result<(Vec<BoxInfo>, Vec<BoxInfo>), String> {
    let mut roots = Vec::new();
    let mut all = Vec::new();
    // (start, end, path of the parent)
    let mut stack: Vec<(u64, u64, BoxPath)> = vec![(0, len, Vec::new())];
    let mut boxes = 0usize;
    while let Some((mut at, end, parent)) = stack.pop() {
        let mut counts: Vec<([u8; 4], u64)> = Vec::new();
        while at < end {
            if end - at < 8 {
                return Err(format!("{} trailing bytes at {at}", end - at));
            }
            boxes += 1;
            if boxes > limits.max_bmff_boxes {
                return Err("too many boxes".into());
            }
            let (size, header_len, fourcc) = read_header(asset, at, end)?;
            let index = match counts.iter_mut().find(|(t, _)| *t == fourcc) {
                Some((_, n)) => {
                    *n += 1;
                    *n
                }
                None => {
                    counts.push((fourcc, 1));
                    1
                }
            };
            let mut path = parent.clone();
            path.push((fourcc, index));
            let info = BoxInfo {
                start: at,
                end: at + size,
                header_len,
                fourcc,
                path: path.clone(),
            };
            if parent.is_empty() {
                roots.push(info.clone());
            }
            if exclusions.iter().any(|e| is_prefix(e, &path)) {
                if path.len() >= limits.max_bmff_depth {
                    return Err("boxes nested too deep".into());
                }
                stack.push((at + header_len, at + size, path));
            }
            all.push(info);
            at += size;
        }
    }
    all.sort_by_key(|b| b.start);
    Ok((roots, all))
}

/// The byte ranges `ex` excludes from `b`, or `None` when `ex` does not match `b`.
fn excluded_by(asset: &mut dyn Asset, ex: &Exclusion, b: &BoxInfo) -> Option<Vec<Range<u64>>> {
    if !matches_path(ex, &b.path) {
        return None;
    }
    let size = b.end - b.start;
    if ex.length.is_some_and(|l| l != size) {
        return None;
    }
    if ex.version.is_some() || ex.flags.is_some() {
        let mut vf = [0u8; 4];
        if b.header_len + 4 > size || read_at(asset, b.start + b.header_len, &mut vf).is_err() {
            return None;
        }
        let [v, f0, f1, f2] = vf;
        if ex.version.is_some_and(|x| x != v) {
            return None;
        }
        if let Some(want) = ex.flags {
            let have = [f0, f1, f2];
            let ok = if ex.exact {
                have == want
            } else {
                have.iter().zip(want).all(|(h, w)| h & w == w)
            };
            if !ok {
                return None;
            }
        }
    }
    for (off, value) in &ex.data {
        let vlen = u64::try_from(value.len()).unwrap_or(u64::MAX);
        if off.saturating_add(vlen) > size || vlen > 4096 {
            return None;
        }
        let mut buf = vec![0u8; value.len()];
        if read_at(asset, b.start + off, &mut buf).is_err() || buf != *value {
            return None;
        }
    }
    if ex.subset.is_empty() {
        return Some(core::iter::once(b.start..b.end).collect());
    }
    Some(
        ex.subset
            .iter()
            .map(|(off, len)| {
                let s = b.start.saturating_add(*off).min(b.end);
                let e = if *len == 0 {
                    b.end
                } else {
                    s.saturating_add(*len).min(b.end)
                };
                s..e
            })
            .collect(),
    )
}

/// The payload (header excluded) of the box `xpath` names (§18.9.2's `bmffBox` locator), or
/// `None` when the asset has no such box.
pub(crate) fn find_box(
    asset: &mut dyn Asset,
    xpath: &str,
    limits: &Limits,
) -> Result<Option<Range<u64>>, String> {
    let path = parse_xpath(xpath).ok_or_else(|| format!("bad xpath {xpath}"))?;
    let target = Exclusion {
        path,
        length: None,
        data: Vec::new(),
        subset: Vec::new(),
        version: None,
        flags: None,
        exact: true,
    };
    let len = asset_len(asset).map_err(|e| format!("reading the asset: {e}"))?;
    let (_, all) = walk(asset, len, core::slice::from_ref(&target), limits)?;
    Ok(all
        .iter()
        .find(|b| matches_path(&target, &b.path))
        .map(|b| b.start.saturating_add(b.header_len)..b.end))
}

/// `c2pa.hash.bmff.v2`/`.v3`.
pub(crate) fn bmff_hash(
    value: &Value,
    alg: Option<HashAlg>,
    asset: &mut dyn Asset,
    limits: &Limits,
    hashes: &dyn HashProvider,
) -> Codes {
    let exclusions = match parse_exclusions(value, limits.max_exclusions) {
        Ok(e) => e,
        Err(why) => return malformed(why),
    };
    // CDDL `? "merkle": [1* merkle-map]`: judged before any hashing.
    if field(value, "merkle")
        .and_then(Value::as_array)
        .is_some_and(Vec::is_empty)
    {
        return malformed("merkle is an empty array");
    }
    let Some(alg) = alg else {
        return vec![(
            StatusCode::AlgorithmUnsupported,
            "BMFF hash algorithm absent or not on the C2PA 2.2 §13.1 list".to_owned(),
        )];
    };
    let len = match asset_len(asset) {
        Ok(l) => l,
        Err(e) => return mismatch(format!("reading the asset: {e}")),
    };
    let (roots, all) = match walk(asset, len, &exclusions, limits) {
        Ok(r) => r,
        Err(why) => return mismatch(format!("asset is not well-formed ISO BMFF: {why}")),
    };
    // Excluded ranges, merged in file order.
    let mut excluded: Vec<Range<u64>> = Vec::new();
    for b in &all {
        for ex in &exclusions {
            if let Some(ranges) = excluded_by(asset, ex, b) {
                excluded.extend(ranges);
                break;
            }
        }
    }
    excluded.sort_by_key(|r| r.start);
    let mut merged: Vec<Range<u64>> = Vec::new();
    for r in excluded {
        match merged.last_mut() {
            Some(last) if r.start <= last.end => last.end = last.end.max(r.end),
            _ => merged.push(r),
        }
    }
    let mut codes = Vec::new();
    if let Some(expected) = field(value, "hash").and_then(Value::as_bytes) {
        let mut hasher = hashes.start(alg);
        for root in &roots {
            if merged
                .iter()
                .any(|r| r.start <= root.start && root.end <= r.end)
            {
                continue;
            }
            hasher.update(&root.start.to_be_bytes());
            let mut pos = root.start;
            for r in merged
                .iter()
                .filter(|r| r.end > root.start && r.start < root.end)
            {
                let upto = r.start.max(root.start);
                if upto > pos && hash_range(asset, pos, upto - pos, &mut hasher).is_err() {
                    return mismatch("reading the asset failed");
                }
                pos = pos.max(r.end.min(root.end));
            }
            if root.end > pos && hash_range(asset, pos, root.end - pos, &mut hasher).is_err() {
                return mismatch("reading the asset failed");
            }
        }
        if hasher.finish() != expected.as_slice() {
            return mismatch("the asset does not match the BMFF hash");
        }
    } else if field(value, "merkle").is_none() {
        return malformed("neither hash nor merkle present");
    }
    if let Some(trees) = field(value, "merkle") {
        let mdats: Vec<&BoxInfo> = roots.iter().filter(|b| b.fourcc == *b"mdat").collect();
        let Some(trees) = trees.as_array() else {
            return malformed("merkle is not an array");
        };

        for tree in trees {
            if let Err(c) = check_merkle(tree, alg, &mdats, asset, limits, hashes) {
                return c;
            }
        }
    }
    codes.push((
        StatusCode::AssertionBmffHashMatch,
        "BMFF hash valid".to_owned(),
    ));
    codes
}

fn check_merkle(
    tree: &Value,
    alg: HashAlg,
    mdats: &[&BoxInfo],
    asset: &mut dyn Asset,
    limits: &Limits,
    provider: &dyn HashProvider,
) -> Result<(), Codes> {
    let alg = field(tree, "alg")
        .and_then(Value::as_text)
        .map_or(Some(alg), HashAlg::from_name)
        .ok_or_else(|| malformed("merkle tree hash algorithm not supported"))?;
    let count = uint(tree, "count").ok_or_else(|| malformed("merkle tree without count"))?;
    let local = uint(tree, "localId").ok_or_else(|| malformed("merkle tree without localId"))?;
    let hashes: Vec<&Vec<u8>> = field(tree, "hashes")
        .and_then(Value::as_array)
        .ok_or_else(|| malformed("merkle tree without hashes"))?
        .iter()
        .map(|h| {
            h.as_bytes()
                .ok_or_else(|| malformed("merkle hash is not bytes"))
        })
        .collect::<Result<_, _>>()?;
    let stored = u64::try_from(hashes.len()).unwrap_or(u64::MAX);
    if stored > count {
        return Err(malformed(
            "merkle row longer than the leaf count needs the auxiliary boxes of §A.5.4, which \
             this validator does not read",
        ));
    }
    if count == 0 || usize::try_from(count).map_or(true, |c| c > limits.max_merkle_leaves) {
        return Err(malformed("merkle leaf count out of range"));
    }
    let mdat = usize::try_from(local)
        .ok()
        .and_then(|i| mdats.get(i))
        .ok_or_else(|| malformed("merkle localId names no mdat box"))?;
    let payload = (mdat.start + mdat.header_len)..mdat.end;
    let size = payload.end - payload.start;
    let fixed = uint(tree, "fixedBlockSize");
    let variable = field(tree, "variableBlockSizes").and_then(Value::as_array);
    let blocks: Vec<u64> = match (fixed, variable) {
        (Some(_), Some(_)) => {
            return Err(malformed("both fixedBlockSize and variableBlockSizes"));
        }
        (None, None) => vec![size],
        (Some(0), None) => return Err(malformed("fixedBlockSize of zero")),
        (Some(f), None) => {
            let n = size.div_ceil(f);
            if n > u64::try_from(limits.max_merkle_leaves).unwrap_or(u64::MAX) {
                return Err(malformed("too many merkle leaves"));
            }
            (0..n).map(|i| f.min(size - i * f)).collect()
        }
        (None, Some(v)) => {
            let sizes: Vec<u64> = v
                .iter()
                .map(|x| x.as_integer().and_then(|i| u64::try_from(i).ok()))
                .collect::<Option<_>>()
                .ok_or_else(|| malformed("variableBlockSizes holds a non-size"))?;
            if u64::try_from(sizes.len()).ok() != Some(count) || sizes.iter().sum::<u64>() != size {
                return Err(malformed(
                    "variableBlockSizes does not match count or the mdat payload size",
                ));
            }
            sizes
        }
    };
    if u64::try_from(blocks.len()).ok() != Some(count) {
        return Err(malformed("leaf count differs from count"));
    }
    let mut row: Vec<Vec<u8>> = Vec::with_capacity(blocks.len());
    let mut pos = payload.start;
    for b in blocks {
        let mut h = provider.start(alg);
        hash_range(asset, pos, b, &mut h).map_err(|_| mismatch("reading the asset failed"))?;
        row.push(h.finish());
        pos += b;
    }
    while row.len() > hashes.len() {
        row = row
            .chunks(2)
            .map(|pair| match pair {
                [a, b] => {
                    let mut h = provider.start(alg);
                    h.update(a);
                    h.update(b);
                    h.finish()
                }
                [a] => a.clone(),
                _ => Vec::new(),
            })
            .collect();
    }
    if row.iter().zip(&hashes).all(|(a, b)| a == *b) && row.len() == hashes.len() {
        Ok(())
    } else {
        Err(mismatch("an mdat block does not match its merkle hash"))
    }
}

#[cfg(test)]
mod tests;
