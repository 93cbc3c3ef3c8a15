//! Redaction of assertions (C2PA 2.2 §6.8), on a manifest store about to become an ingredient's.
//!
//! An assertion is either removed from its assertion store or kept as a labelled superbox whose
//! content is one UUID box with the C2PA Redaction UUID and zeros. Everything else in the store
//! keeps its exact bytes — the other assertions' hashed URIs and the manifests' signatures still
//! verify — because the edit is a splice: the redacted box's bytes are replaced and only the
//! length fields of its enclosing superboxes are rewritten.
//!
//! When the redacted assertion is an ingredient whose manifest no remaining ingredient assertion
//! refers to, that manifest is removed too (§6.8), and so on down the chain.
//!
//! The manifest that performs the redaction lists each returned URI in its claim's
//! `redacted_assertions` and should add a `c2pa.redacted` action; that is the generator's job.

use crate::assertion::{Assertion, AssertionKind, Content, Label};
use crate::error::{JumbfError, RedactionError};
use crate::jumbf::{HeaderForm, Limits, SuperBox};
use crate::store::ManifestStore;

/// How to redact.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RedactionForm {
    /// Remove the assertion superbox from the assertion store.
    Remove,
    /// Keep the labelled superbox; replace its content with the redaction UUID box followed by
    /// `zeros` zero bytes.
    Placeholder {
        /// Zero bytes after the UUID.
        zeros: usize,
    },
}

/// The outcome of a redaction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Redacted {
    /// The new store.
    pub store: ManifestStore,
    /// The absolute URIs of the redacted assertions (for the claim's `redacted_assertions`).
    pub redacted: Vec<String>,
    /// Labels of manifests removed because nothing referred to them any more.
    pub removed_manifests: Vec<String>,
}

/// Redacts the assertions named by absolute JUMBF URIs
/// (`self#jumbf=/c2pa/<manifest>/c2pa.assertions/<label>`) from `store`.
pub fn redact(
    store: &ManifestStore,
    uris: &[&str],
    form: RedactionForm,
    limits: &Limits,
) -> Result<Redacted, RedactionError> {
    let mut current = store.clone();
    let mut redacted = Vec::new();
    for uri in uris {
        let (manifest_label, label) = locate(&current, uri)?;
        let parsed = Label::parse(&label);
        if parsed.kind() == AssertionKind::Actions || parsed.is_hard_binding() {
            return Err(RedactionError::Forbidden { label });
        }
        current = splice_assertion(&current, &manifest_label, &label, form, limits)?;
        redacted.push((*uri).to_owned());
    }
    let removed_manifests = remove_orphans(&mut current, store, limits)?;
    Ok(Redacted {
        store: current,
        redacted,
        removed_manifests,
    })
}

/// Finds the assertion a URI names: (manifest label, assertion label).
fn locate(store: &ManifestStore, uri: &str) -> Result<(String, String), RedactionError> {
    let not_found = || RedactionError::NotFound {
        uri: uri.to_owned(),
    };
    let path = uri
        .strip_prefix("self#jumbf=/c2pa/")
        .ok_or_else(not_found)?;
    let mut parts = path.split('/');
    let (Some(manifest), Some(crate::store::ASSERTIONS_LABEL), Some(label), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(not_found());
    };
    let m = store.manifest(manifest).ok_or_else(not_found)?;
    m.assertion(label).ok_or_else(not_found)?;
    Ok((manifest.to_owned(), label.to_owned()))
}

/// Replaces the bytes of `node` (a descendant along `ancestors`) and fixes the ancestors'
/// length fields. `ancestors` run from the root to the node's parent.
fn splice(
    bytes: &[u8],
    ancestors: &[&SuperBox],
    node: &SuperBox,
    replacement: &[u8],
    limits: &Limits,
) -> Result<ManifestStore, RedactionError> {
    let range = node.span.whole();
    let old_len = range.end.saturating_sub(range.start);
    let mut out = Vec::with_capacity(
        bytes
            .len()
            .saturating_sub(old_len)
            .saturating_add(replacement.len()),
    );
    out.extend_from_slice(bytes.get(..range.start).unwrap_or_default());
    out.extend_from_slice(replacement);
    out.extend_from_slice(bytes.get(range.end..).unwrap_or_default());
    for a in ancestors {
        let len = a.span.end.saturating_sub(a.span.start);
        let new_len = len
            .saturating_sub(old_len)
            .saturating_add(replacement.len());
        let at = a.span.start;
        match a.span.form {
            HeaderForm::Short => {
                let v = u32::try_from(new_len).map_err(|_| too_large(at))?;
                write_at(&mut out, at, &v.to_be_bytes())?;
            }
            HeaderForm::Extended => {
                let v = u64::try_from(new_len).map_err(|_| too_large(at))?;
                write_at(&mut out, at.saturating_add(8), &v.to_be_bytes())?;
            }
        }
    }
    ManifestStore::from_bytes(out, limits).map_err(RedactionError::Store)
}

fn too_large(offset: usize) -> RedactionError {
    RedactionError::Store(crate::error::StoreError::Jumbf(JumbfError::BadLength {
        offset,
    }))
}

fn write_at(out: &mut [u8], at: usize, v: &[u8]) -> Result<(), RedactionError> {
    out.get_mut(at..at.saturating_add(v.len()))
        .ok_or_else(|| too_large(at))?
        .copy_from_slice(v);
    Ok(())
}

fn splice_assertion(
    store: &ManifestStore,
    manifest_label: &str,
    label: &str,
    form: RedactionForm,
    limits: &Limits,
) -> Result<ManifestStore, RedactionError> {
    let not_found = || RedactionError::NotFound {
        uri: format!("self#jumbf=/c2pa/{manifest_label}/c2pa.assertions/{label}"),
    };
    let manifest = store.manifest(manifest_label).ok_or_else(not_found)?;
    let assertion_store = manifest.assertion_store().ok_or_else(not_found)?;
    let assertion = manifest.assertion(label).ok_or_else(not_found)?;
    let node = assertion.node();
    let replacement = match form {
        RedactionForm::Remove => Vec::new(),
        RedactionForm::Placeholder { zeros } => {
            let description = store.box_bytes(node.description.span);
            let content = Content::Redacted { zeros }.to_boxes();
            let mut payload = description.to_vec();
            payload.extend_from_slice(&content);
            let mut boxed = Vec::with_capacity(payload.len().saturating_add(8));
            crate::jumbf::write_box(&mut boxed, crate::jumbf::SUPERBOX, &payload);
            boxed
        }
    };
    splice(
        store.as_bytes(),
        &[store.root(), manifest.node(), assertion_store],
        node,
        &replacement,
        limits,
    )
}

/// The manifest label an ingredient reference (`self#jumbf=/c2pa/<label>[/...]`) points at.
fn referenced_manifest(url: &str) -> Option<&str> {
    url.strip_prefix("self#jumbf=/c2pa/")?.split('/').next()
}

/// Labels of manifests referred to by the ingredient assertions of `store`.
fn referenced(store: &ManifestStore) -> Vec<String> {
    let mut out = Vec::new();
    for m in store.manifests() {
        for a in m.assertion_refs() {
            if let Ok(Assertion::Ingredient(i)) = a.decode() {
                for uri in [&i.active_manifest, &i.claim_signature]
                    .into_iter()
                    .flatten()
                {
                    if let Some(label) = referenced_manifest(&uri.url) {
                        out.push(label.to_owned());
                    }
                }
            }
        }
    }
    out
}

/// Removes manifests that `original` referred to through ingredients but `current` no longer
/// does, repeating until nothing changes. The active (last) manifest is never removed.
fn remove_orphans(
    current: &mut ManifestStore,
    original: &ManifestStore,
    limits: &Limits,
) -> Result<Vec<String>, RedactionError> {
    let once_referenced = referenced(original);
    let mut removed = Vec::new();
    loop {
        let still = referenced(current);
        let active = current
            .active_manifest()
            .and_then(|m| m.label())
            .map(str::to_owned);
        let orphan = current
            .manifests()
            .filter_map(|m| m.label())
            .find(|l| {
                once_referenced.iter().any(|r| r == l)
                    && !still.iter().any(|r| r == l)
                    && active.as_deref() != Some(*l)
            })
            .map(str::to_owned);
        let Some(label) = orphan else {
            return Ok(removed);
        };
        let node = current
            .manifest(&label)
            .map(|m| m.node().clone())
            .ok_or_else(|| RedactionError::NotFound { uri: label.clone() })?;
        *current = splice(current.as_bytes(), &[current.root()], &node, &[], limits)?;
        removed.push(label);
    }
}

#[cfg(test)]
mod tests;
