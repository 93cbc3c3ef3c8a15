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

/// Decompresses `data`, failing past `limit` bytes.
fn inflate(data: &[u8], limit: usize) -> Result<Vec<u8>, String> {
    let mut out = Vec::new();
    let cap = u64::try_from(limit).unwrap_or(u64::MAX).saturating_add(1);
    brotli_decompressor::Decompressor::new(data, 4096)
        .take(cap)
        .read_to_end(&mut out)
        .map_err(|e| format!("Brotli decompression failed: {e}"))?;
    if out.len() > limit {
        return Err(format!(
            "decompresses to more than the {limit}-byte limit for compressed manifests"
        ));
    }
    Ok(out)
}

/// The decompressed manifest superbox of compressed manifest `node`, checked.
fn expand_one(
    bytes: &[u8],
    node: &SuperBox,
    limits: &Limits,
    budget: usize,
) -> Result<Vec<u8>, String> {
    let label = node.label().unwrap_or_default();
    let mut brobs = node.plain_boxes().filter(|b| b.box_type == BROB);
    let brob = brobs.next().ok_or("no brob box")?;
    if brobs.next().is_some() || node.children.len() != 1 {
        return Err("a compressed manifest holds exactly one brob box".into());
    }
    let data = bytes.get(brob.span.payload()).unwrap_or_default();
    let inflated = inflate(data, budget)?;
    let inner = jumbf::parse(&inflated, limits)
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
    Ok(inflated)
}

/// Expands the compressed manifests of the store `root` parsed from `bytes`.
pub(super) fn expand(bytes: &[u8], root: &SuperBox, limits: &Limits) -> Expansion {
    let mut out = Expansion::default();
    if !root
        .superboxes()
        .any(|s| s.uuid() == uuid::COMPRESSED_MANIFEST)
    {
        return out;
    }
    let mut budget = limits.max_decompressed_len;
    let mut payload = Vec::with_capacity(bytes.len());
    // The store's description box, then each child: as received, or expanded.
    payload.extend_from_slice(bytes.get(root.description.span.whole()).unwrap_or_default());
    let mut expanded_any = false;
    for (i, child) in root.children.iter().enumerate() {
        let span = match child {
            Node::Super(s) => s.span,
            Node::Plain(p) => p.span,
        };
        let original = bytes.get(span.whole()).unwrap_or_default();
        let Node::Super(s) = child else {
            payload.extend_from_slice(original);
            continue;
        };
        if s.uuid() != uuid::COMPRESSED_MANIFEST {
            payload.extend_from_slice(original);
            continue;
        }
        match expand_one(bytes, s, limits, budget) {
            Ok(inflated) => {
                budget = budget.saturating_sub(inflated.len());
                payload.extend_from_slice(&inflated);
                out.originals.push((i, s.span.payload()));
                expanded_any = true;
            }
            Err(why) => {
                payload.extend_from_slice(original);
                out.failures.push((i, why));
            }
        }
    }
    if expanded_any {
        let mut store = Vec::with_capacity(payload.len().saturating_add(16));
        jumbf::write_box(&mut store, jumbf::SUPERBOX, &payload);
        out.bytes = Some(store);
    }
    out
}

#[cfg(test)]
mod tests;
