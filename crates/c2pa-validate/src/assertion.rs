//! Assertions of a manifest: JUMBF URI resolution within a manifest, labels, content, and the
//! standard assertions' decoding where validation needs it (C2PA 2.2 §15.10, §18).
//!
//! Decoding is deliberately local and minimal: the typed assertion models belong to
//! `c2pa-model`; this module reads only the fields validation rules name.

use core::cell::RefCell;
use std::collections::BTreeMap;

use ciborium::Value;
use signet_c2pa_model::hashed_uri::JumbfUri;
use signet_c2pa_model::jumbf::SuperBox;
use signet_c2pa_model::store::uuid;
use signet_c2pa_model::{HashAlg, Manifest, ManifestStore};

pub mod actions;
pub mod ingredient;
pub(crate) mod metadata;

/// The top-level fields of a `c2pa.metadata` JSON-LD object that C2PA 2.2 Appendix B does not
/// allow (§15.10.3.2.3: a validator rejects the claim with `assertion.metadata.disallowed`).
/// Generators call it to refuse such an assertion before signing it.
pub fn disallowed_metadata_fields(
    object: &serde_json::Map<String, serde_json::Value>,
) -> Vec<String> {
    metadata::disallowed_fields(object)
}

/// Hard-binding assertion labels (§15.10.1.2). `c2pa.hash.bmff` (v1) is ignored by validators
/// (§18.6.1) and is therefore not one.
pub const HARD_BINDINGS: [&str; 5] = [
    "c2pa.hash.data",
    "c2pa.hash.boxes",
    "c2pa.hash.collection.data",
    "c2pa.hash.bmff.v2",
    "c2pa.hash.bmff.v3",
];

/// The label without its multiple-instance suffix (`c2pa.ingredient__2` → `c2pa.ingredient`,
/// §6.4).
pub fn base_label(label: &str) -> &str {
    match label.rsplit_once("__") {
        Some((base, n)) if !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()) => base,
        _ => label,
    }
}

/// True for a hard-binding label.
pub fn is_hard_binding(label: &str) -> bool {
    HARD_BINDINGS.contains(&base_label(label))
}

/// True for an ingredient assertion label (v1, v2, v3).
pub fn is_ingredient(label: &str) -> bool {
    matches!(
        base_label(label),
        "c2pa.ingredient" | "c2pa.ingredient.v2" | "c2pa.ingredient.v3"
    )
}

/// True for an actions assertion label (v1, v2).
pub fn is_actions(label: &str) -> bool {
    matches!(base_label(label), "c2pa.actions" | "c2pa.actions.v2")
}

/// True for a thumbnail assertion (`c2pa.thumbnail.claim.*`, `c2pa.thumbnail.ingredient.*`).
pub fn is_thumbnail(label: &str) -> bool {
    label.starts_with("c2pa.thumbnail.")
}

/// Why a URI did not resolve.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unresolved {
    /// Not a `self#jumbf` URI into this manifest.
    OutsideManifest,
    /// No such box, or an ambiguous label on the path (§8.4.1).
    Missing,
}

/// Resolves a `self#jumbf=` URI that must stay inside `manifest` (relative, or absolute through
/// `/c2pa/<this manifest's label>/`). A label matched by two sibling boxes is unresolved
/// (§8.4.1).
pub fn resolve_in<'s>(manifest: &Manifest<'s>, uri: &str) -> Result<&'s SuperBox, Unresolved> {
    resolve_in_with(None, manifest, uri)
}

fn resolve_in_with<'s>(
    index: Option<&LabelIndex<'s>>,
    manifest: &Manifest<'s>,
    uri: &str,
) -> Result<&'s SuperBox, Unresolved> {
    let parsed = parse(uri).ok_or(Unresolved::OutsideManifest)?;
    let labels: &[&str] = if parsed.absolute {
        match parsed.labels.as_slice() {
            ["c2pa", m, rest @ ..] if Some(*m) == manifest.label() => rest,
            _ => return Err(Unresolved::OutsideManifest),
        }
    } else {
        &parsed.labels
    };
    walk(index, manifest.node(), labels)
}

/// Resolves a `self#jumbf=` URI anywhere in the store (absolute, or relative to `from`).
pub fn resolve_any<'s>(
    store: &'s ManifestStore,
    from: &Manifest<'s>,
    uri: &str,
) -> Result<&'s SuperBox, Unresolved> {
    resolve_any_with(None, store, from, uri)
}

fn resolve_any_with<'s>(
    index: Option<&LabelIndex<'s>>,
    store: &'s ManifestStore,
    from: &Manifest<'s>,
    uri: &str,
) -> Result<&'s SuperBox, Unresolved> {
    let parsed = parse(uri).ok_or(Unresolved::OutsideManifest)?;
    if parsed.absolute {
        match parsed.labels.as_slice() {
            ["c2pa", rest @ ..] => walk(index, store.root(), rest),
            _ => Err(Unresolved::Missing),
        }
    } else {
        walk(index, from.node(), &parsed.labels)
    }
}

/// The child superboxes of one superbox by label: `None` for a label two of them share.
type ChildLabels<'s> = BTreeMap<&'s str, Option<&'s SuperBox>>;

/// Superboxes with more children than this are searched through a [`LabelIndex`].
const INDEXED_CHILDREN: usize = 16;

/// The child superboxes of large superboxes by label, built the first time each is searched:
/// a claim's 10,000 URIs into one assertion store then cost a lookup each rather than a scan
/// of the 10,000 siblings (quadratic: 0.4 s for a 1.4 MB JPEG of 9,000 tiny assertions).
/// Resolves exactly as [`resolve_in`] and [`resolve_any`] do, a label two siblings share
/// included (§8.4.1: unresolved).
#[derive(Debug, Default)]
pub(crate) struct LabelIndex<'s> {
    /// Per superbox (by span), its children by label.
    children: RefCell<BTreeMap<(usize, usize), ChildLabels<'s>>>,
}

impl<'s> LabelIndex<'s> {
    /// [`resolve_in`], through the index.
    pub(crate) fn resolve_in(
        &self,
        manifest: &Manifest<'s>,
        uri: &str,
    ) -> Result<&'s SuperBox, Unresolved> {
        resolve_in_with(Some(self), manifest, uri)
    }

    /// [`resolve_any`], through the index.
    pub(crate) fn resolve_any(
        &self,
        store: &'s ManifestStore,
        from: &Manifest<'s>,
        uri: &str,
    ) -> Result<&'s SuperBox, Unresolved> {
        resolve_any_with(Some(self), store, from, uri)
    }

    /// The one child superbox of `node` labelled `label`.
    fn child(&self, node: &'s SuperBox, label: &str) -> Result<&'s SuperBox, Unresolved> {
        let mut all = self.children.borrow_mut();
        let labels = all
            .entry((node.span.start, node.span.end))
            .or_insert_with(|| {
                let mut labels = BTreeMap::new();
                for child in node.superboxes() {
                    if let Some(l) = child.label() {
                        labels
                            .entry(l)
                            .and_modify(|c| *c = None)
                            .or_insert(Some(child));
                    }
                }
                labels
            });
        labels
            .get(label)
            .copied()
            .flatten()
            .ok_or(Unresolved::Missing)
    }
}

/// Parses a `self#jumbf=` URI. A relative path whose first label is `c2pa` is read as
/// absolute: no manifest has a child labelled `c2pa`, and early generators (c2pa-rs before
/// 0.16) wrote store-absolute URIs without the leading slash.
fn parse(uri: &str) -> Option<JumbfUri<'_>> {
    let mut parsed = JumbfUri::parse(uri)?;
    if !parsed.absolute && parsed.labels.first() == Some(&"c2pa") && parsed.labels.len() > 1 {
        parsed.absolute = true;
    }
    Some(parsed)
}

fn walk<'s>(
    index: Option<&LabelIndex<'s>>,
    mut node: &'s SuperBox,
    labels: &[&str],
) -> Result<&'s SuperBox, Unresolved> {
    for label in labels {
        node = match index {
            Some(index) if node.children.len() > INDEXED_CHILDREN => index.child(node, label)?,
            _ => {
                let mut found = node.superboxes().filter(|s| s.label() == Some(*label));
                let first = found.next().ok_or(Unresolved::Missing)?;
                if found.next().is_some() {
                    return Err(Unresolved::Missing);
                }
                first
            }
        };
    }
    Ok(node)
}

/// The manifest label named by an absolute `self#jumbf=/c2pa/<label>/...` URI.
pub fn manifest_label_of(uri: &str) -> Option<&str> {
    let parsed = parse(uri)?;
    match parsed.labels.as_slice() {
        ["c2pa", m, ..] if parsed.absolute => Some(m),
        _ => None,
    }
}

/// The hash algorithm for a hashed URI: its own `alg`, else the enclosing structure's, else
/// the claim's (§15.4.1). `None` when absent everywhere or not on §13.1's list.
pub fn hash_alg(
    own: Option<&str>,
    enclosing: Option<&str>,
    claim: Option<&str>,
) -> Option<HashAlg> {
    own.or(enclosing).or(claim).and_then(HashAlg::from_name)
}

/// Checks a hashed URI's hash against the superbox it resolves to (§8.4.2.3).
pub fn hash_matches(store: &ManifestStore, node: &SuperBox, alg: HashAlg, expected: &[u8]) -> bool {
    alg.digest(store.hashed_bytes(node)) == expected
}

/// The content type of an assertion superbox.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ContentKind {
    /// CBOR content box (`cbor`).
    Cbor,
    /// JSON content box (`json`).
    Json,
    /// Something else (embedded file, codestream, ...).
    Other,
}

/// The kind of an assertion, from its JUMBF type UUID.
pub fn content_kind(node: &SuperBox) -> ContentKind {
    match node.uuid() {
        uuid::CBOR => ContentKind::Cbor,
        uuid::JSON => ContentKind::Json,
        _ => ContentKind::Other,
    }
}

/// The payload of the first content box of type `box_type` in `node`.
pub fn content<'s>(
    store: &'s ManifestStore,
    node: &SuperBox,
    box_type: [u8; 4],
) -> Option<&'s [u8]> {
    node.plain_boxes()
        .find(|p| p.box_type == box_type)
        .map(|p| store.content(p))
}

/// Decodes a CBOR assertion's content; `Err` is `assertion.cbor.invalid`.
pub fn cbor_value(store: &ManifestStore, node: &SuperBox) -> Result<Value, String> {
    let bytes = content(store, node, *b"cbor").ok_or("no cbor content box")?;
    signet_c2pa_model::cbor::decode(bytes).map_err(|e| e.to_string())
}

/// Checks a CBOR assertion's content is well-formed without decoding it; `Err` is
/// `assertion.cbor.invalid`, with the same explanation [`cbor_value`] gives.
pub fn cbor_check(store: &ManifestStore, node: &SuperBox) -> Result<(), String> {
    let bytes = content(store, node, *b"cbor").ok_or("no cbor content box")?;
    signet_c2pa_model::cbor::check(bytes).map_err(|e| e.to_string())
}

/// True when every content box of the assertion holds only zero bytes (a redacted
/// assertion's remains, §15.11.3.3.1).
pub fn is_zeroed(store: &ManifestStore, node: &SuperBox) -> bool {
    node.plain_boxes()
        .all(|p| store.content(p).iter().all(|b| *b == 0))
}

/// A text-keyed field of a CBOR map; a `null` value counts as absent.
pub fn field<'v>(value: &'v Value, key: &str) -> Option<&'v Value> {
    value
        .as_map()?
        .iter()
        .find(|(k, _)| k.as_text() == Some(key))
        .map(|(_, v)| v)
        .filter(|v| !v.is_null())
}

#[cfg(test)]
mod tests;
