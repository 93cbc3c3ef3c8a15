//! Hashed-URI digests of one validation (C2PA 2.2 §8.4.2.3): each box is hashed at most once
//! per algorithm, and the bytes hashed in all are bounded by [`Limits::max_uri_hash_factor`].
//!
//! Without this, the work of a validation grew with the number of references rather than with
//! the size of the input: a claim listing 10,000 hashed URIs to one 8 MiB assertion cost
//! 10,000 hashes of 8 MiB (80 GiB, 48 s) although the asset was 9.3 MB.

use core::cell::{Cell, RefCell};
use std::collections::BTreeMap;

use signet_c2pa_model::jumbf::SuperBox;
use signet_c2pa_model::{HashAlg, ManifestStore};

use crate::assertion::LabelIndex;
use crate::binding::HashProvider;
use crate::limits::Limits;

/// How a hashed URI's hash compares with the box it resolves to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum UriHash {
    /// The hash matches.
    Match,
    /// The hash does not match.
    Mismatch,
    /// Not computed: it would take the validation past its hashing budget.
    OverBudget,
}

/// A box (by its span in the store) and an algorithm (by its name).
type DigestKey = (usize, usize, &'static str);

/// The hashed-URI digests of one validation of `store`, memoised per (box, algorithm).
pub(crate) struct UriDigests<'s> {
    store: &'s ManifestStore,
    hashes: &'s dyn HashProvider,
    /// Digests computed so far.
    memo: RefCell<BTreeMap<DigestKey, Vec<u8>>>,
    /// Bytes hashed so far.
    spent: Cell<u64>,
    /// Most bytes that may be hashed.
    budget: u64,
    /// The boxes hashed URIs name, found by label.
    labels: LabelIndex<'s>,
}

/// Bytes of hashed-URI work every store may use besides its multiple of the store's size, so
/// that a small store with a few nested references is never near the bound.
pub(crate) const URI_HASH_ALLOWANCE: u64 = 1 << 20;

impl<'s> UriDigests<'s> {
    /// The digests of a validation of `store` with `limits`.
    pub(crate) fn new(
        store: &'s ManifestStore,
        hashes: &'s dyn HashProvider,
        limits: &Limits,
    ) -> Self {
        // The tree is over the expanded bytes when manifests arrived compressed; the hashes of
        // those manifests are over the received ones.
        let size = store.as_bytes().len().max(store.view_len());
        let size = u64::try_from(size).unwrap_or(u64::MAX);
        Self {
            store,
            hashes,
            memo: RefCell::new(BTreeMap::new()),
            spent: Cell::new(0),
            budget: size
                .saturating_mul(limits.max_uri_hash_factor)
                .saturating_add(URI_HASH_ALLOWANCE),
            labels: LabelIndex::default(),
        }
    }

    /// Resolves hashed URIs of this validation (by label, through one index per large box).
    pub(crate) fn labels(&self) -> &LabelIndex<'s> {
        &self.labels
    }

    /// The store.
    pub(crate) fn store(&self) -> &'s ManifestStore {
        self.store
    }

    /// The budget, in bytes.
    #[cfg(test)]
    pub(crate) fn budget(&self) -> u64 {
        self.budget
    }

    /// Compares `expected` with the `alg` hash of what a hashed URI to `node` covers.
    pub(crate) fn check(&self, node: &SuperBox, alg: HashAlg, expected: &[u8]) -> UriHash {
        let key = (node.span.start, node.span.end, alg.name());
        if let Some(d) = self.memo.borrow().get(&key) {
            return Self::compare(d, expected);
        }
        let Some(digest) = self.hash_within_budget(self.store.hashed_bytes(node), alg) else {
            return UriHash::OverBudget;
        };
        let outcome = Self::compare(&digest, expected);
        self.memo.borrow_mut().insert(key, digest);
        outcome
    }

    /// Compares `expected` with the `alg` hash of `bytes` (not a box a URI names, so not
    /// remembered), within the same budget as [`UriDigests::check`].
    pub(crate) fn check_bytes(&self, bytes: &[u8], alg: HashAlg, expected: &[u8]) -> UriHash {
        match self.hash_within_budget(bytes, alg) {
            Some(digest) => Self::compare(&digest, expected),
            None => UriHash::OverBudget,
        }
    }

    /// The `alg` hash of `bytes`, counted against the budget; `None` when it would exceed it.
    fn hash_within_budget(&self, bytes: &[u8], alg: HashAlg) -> Option<Vec<u8>> {
        let len = u64::try_from(bytes.len()).unwrap_or(u64::MAX);
        let spent = self.spent.get().saturating_add(len);
        if spent > self.budget {
            return None;
        }
        self.spent.set(spent);
        let mut h = self.hashes.start(alg);
        h.update(bytes);
        Some(h.finish())
    }

    fn compare(digest: &[u8], expected: &[u8]) -> UriHash {
        if digest == expected {
            UriHash::Match
        } else {
            UriHash::Mismatch
        }
    }

    /// The explanation of a [`UriHash::OverBudget`] for `uri`.
    pub(crate) fn over_budget(&self, uri: &str) -> String {
        format!(
            "{uri} not checked: hashing it would take this validation past its budget of {} \
             bytes of hashed-URI work (Limits::max_uri_hash_factor times the manifest store's \
             size, plus 1 MiB)",
            self.budget
        )
    }
}

#[cfg(test)]
mod tests;
