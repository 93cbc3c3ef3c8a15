//! Compressed manifests (C2PA 2.2 §11.2.4; the "brob" content box of §11.1.3.2): a `c2cm`
//! superbox whose `brob` box holds the Brotli-compressed bytes of a whole standard or update
//! manifest superbox, with the same label.
//!
//! A store holding compressed manifests is expanded once, when parsed: each one that
//! decompresses (within [`Limits::max_decompressed_len`] for the whole store) into a manifest
//! superbox with its label takes its place, so every later step reads it as any other manifest.
//! A hashed URI to it still covers the compressed superbox (§11.1.3.2: "the contents of the
//! brob box are not decompressed first to compute the hash"), so the original payload range is
//! kept. One that does not decompress stays a [`ManifestKind::Compressed`] node with the reason
//! (`manifest.compressed.invalid`).

use std::io::Read;
use std::ops::Range;

use super::{ManifestKind, uuid};
use crate::jumbf::{self, Limits, Node, SuperBox};

/// Box type of the Brotli-compressed content box.
pub const BROB: [u8; 4] = *b"brob";

/// What expanding a store found.
#[derive(Debug, Default)]
pub(super) struct Expansion {
    /// The store with the manifests that decompressed in place (`None`: nothing expanded).
    pub(super) bytes: Option<Vec<u8>>,
    /// For each expanded manifest, in store order: its index among the store's children and the
    /// payload range of its compressed superbox in the original bytes.
    pub(super) originals: Vec<(usize, Range<usize>)>,
    /// Compressed manifests that could not be expanded: index among the children, and why.
    pub(super) failures: Vec<(usize, String)>,
}

/// The Brotli window a stream declares (RFC 7932 §9.1, WBITS): the ring buffer its decoder
/// allocates, `1 << WBITS` bytes. `None` for an invalid header (the decoder then fails too).
pub(crate) fn window_len(stream: &[u8]) -> Option<usize> {
    let b = u32::from(*stream.first()?);
    let wbits = if b & 1 == 0 {
        16
    } else {
        match (b >> 1) & 0x7 {
            0 => match (b >> 4) & 0x7 {
                0 => 17,
                1 => return None, // reserved (the large-window extension)
                m => 8 + m,
            },
            n => 17 + n,
        }
    };
    1usize.checked_shl(wbits)
}

/// Decompresses `data` onto the end of `out`, failing (with `out` as it was) past `limit`
/// bytes.
fn inflate_into(data: &[u8], limit: usize, out: &mut Vec<u8>) -> Result<(), String> {
    let start = out.len();
    let cap = u64::try_from(limit).unwrap_or(u64::MAX).saturating_add(1);
    let read = brotli_decompressor::Decompressor::new(data, 4096)
        .take(cap)
        .read_to_end(out);
    let written = out.len().saturating_sub(start);
    let outcome = match read {
        Err(e) => Err(format!("Brotli decompression failed: {e}")),
        Ok(_) if written > limit => Err(format!(
            "decompresses to more than the {limit} bytes left of the limit for compressed \
             manifests"
        )),
        Ok(_) => Ok(()),
    };
    if outcome.is_err() {
        out.truncate(start);
    }
    outcome
}

/// Decompresses compressed manifest `node` onto the end of `out` and checks it is a manifest
/// with `node`'s label; on failure `out` is left as it was. `budget` is what is left of
/// [`Limits::max_decompressed_len`]; the stream's window counts against it, since the decoder
/// holds it while the output grows.
fn expand_one(
    bytes: &[u8],
    node: &SuperBox,
    limits: &Limits,
    budget: usize,
    out: &mut Vec<u8>,
) -> Result<(), String> {
    let label = node.label().unwrap_or_default();
    let mut brobs = node.plain_boxes().filter(|b| b.box_type == BROB);
    let brob = brobs.next().ok_or("no brob box")?;
    if brobs.next().is_some() || node.children.len() != 1 {
        return Err("a compressed manifest holds exactly one brob box".into());
    }
    let data = bytes.get(brob.span.payload()).unwrap_or_default();
    let window = window_len(data).ok_or("Brotli decompression failed: invalid stream header")?;
    let limit = budget.checked_sub(window).ok_or_else(|| {
        format!(
            "its {window}-byte Brotli window does not fit in the {budget} bytes left of the \
             limit for compressed manifests"
        )
    })?;
    let start = out.len();
    inflate_into(data, limit, out)?;
    let checked = check_manifest(out.get(start..).unwrap_or_default(), label, limits);
    if checked.is_err() {
        out.truncate(start);
    }
    checked
}

/// Checks that `inflated` is one standard or update manifest superbox labelled `label`.
fn check_manifest(inflated: &[u8], label: &str, limits: &Limits) -> Result<(), String> {
    let inner = jumbf::parse(inflated, limits)
        .map_err(|e| format!("the decompressed bytes are not a JUMBF superbox: {e}"))?;
    match ManifestKind::from_uuid(&inner.uuid()) {
        Some(ManifestKind::Standard | ManifestKind::Update) => {}
        _ => {
            return Err("the decompressed superbox is not a standard or update manifest".into());
        }
    }
    if inner.label() != Some(label) {
        return Err(format!(
            "the decompressed manifest is labelled {:?}, not {label:?}",
            inner.label().unwrap_or_default()
        ));
    }
    Ok(())
}

/// Expands the compressed manifests of the store `root` parsed from `bytes`.
///
/// Memory: the expanded store is written once, in place: each manifest decompresses straight
/// onto its end (no intermediate buffers or copies), so the peak is the received store, the
/// expanded store and one Brotli window, the last two within
/// [`Limits::max_decompressed_len`] beyond the received bytes.
pub(super) fn expand(bytes: &[u8], root: &SuperBox, limits: &Limits) -> Expansion {
    let mut out = Expansion::default();
    if !root
        .superboxes()
        .any(|s| s.uuid() == uuid::COMPRESSED_MANIFEST)
    {
        return out;
    }
    let mut budget = limits.max_decompressed_len;
    let mut store = Vec::with_capacity(bytes.len().saturating_add(HEADER));
    // The box header (written when the length is known), the store's description box, then
    // each child: as received, or expanded.
    store.resize(HEADER, 0);
    store.extend_from_slice(bytes.get(root.description.span.whole()).unwrap_or_default());
    let mut expanded_any = false;
    for (i, child) in root.children.iter().enumerate() {
        let span = match child {
            Node::Super(s) => s.span,
            Node::Plain(p) => p.span,
        };
        let original = bytes.get(span.whole()).unwrap_or_default();
        let Node::Super(s) = child else {
            store.extend_from_slice(original);
            continue;
        };
        if s.uuid() != uuid::COMPRESSED_MANIFEST {
            store.extend_from_slice(original);
            continue;
        }
        let before = store.len();
        match expand_one(bytes, s, limits, budget, &mut store) {
            Ok(()) => {
                budget = budget.saturating_sub(store.len().saturating_sub(before));
                out.originals.push((i, s.span.payload()));
                expanded_any = true;
            }
            Err(why) => {
                store.extend_from_slice(original);
                out.failures.push((i, why));
            }
        }
    }
    if expanded_any {
        match u32::try_from(store.len()) {
            Ok(len) => {
                if let Some(header) = store.get_mut(..HEADER) {
                    header.copy_from_slice(&[len.to_be_bytes(), jumbf::SUPERBOX].concat());
                }
            }
            // Past 4 GiB (only with limits far above the defaults): the XLBox form.
            Err(_) => {
                let len = u64::try_from(store.len())
                    .unwrap_or(u64::MAX)
                    .saturating_add(8);
                let mut header = Vec::with_capacity(16);
                header.extend_from_slice(&1u32.to_be_bytes());
                header.extend_from_slice(&jumbf::SUPERBOX);
                header.extend_from_slice(&len.to_be_bytes());
                store.splice(..HEADER, header);
            }
        }
        out.bytes = Some(store);
    }
    out
}

/// The expanded store's box header, written when its length is known: `LBox` and `jumb`.
const HEADER: usize = 8;

#[cfg(test)]
mod tests;
