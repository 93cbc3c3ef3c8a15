//! Hashed-URI digests: one hash per box and algorithm, and the byte budget.

use signet_c2pa_model::jumbf::{self, Limits as JumbfLimits, NewDescription};
use signet_c2pa_model::store::uuid;
use signet_c2pa_model::{HashAlg, ManifestStore};

use super::{URI_HASH_ALLOWANCE, UriDigests, UriHash};
use crate::binding::{HashProvider, IncrementalHash, Sha2Hashes};
use crate::limits::Limits;

#[path = "../../tests/support/counting.rs"]
mod counting;
use counting::Counting;

/// A store with one manifest holding one `len`-byte CBOR box inside an assertion superbox.
fn store(len: usize) -> ManifestStore {
    let mut cbor = Vec::new();
    jumbf::write_box(&mut cbor, *b"cbor", &vec![0x40; len]);
    let mut assertion = Vec::new();
    jumbf::write_superbox(
        &mut assertion,
        &NewDescription {
            uuid: uuid::CBOR,
            label: Some("org.example.big"),
            private: None,
        },
        &[&cbor],
    )
    .unwrap();
    let mut manifest = Vec::new();
    jumbf::write_superbox(
        &mut manifest,
        &NewDescription {
            uuid: uuid::STANDARD_MANIFEST,
            label: Some("urn:c2pa:00000000-0000-4000-8000-000000000000"),
            private: None,
        },
        &[&assertion],
    )
    .unwrap();
    let mut root = Vec::new();
    jumbf::write_superbox(
        &mut root,
        &NewDescription {
            uuid: uuid::STORE,
            label: Some("c2pa"),
            private: None,
        },
        &[&manifest],
    )
    .unwrap();
    ManifestStore::from_bytes(root, &JumbfLimits::default()).unwrap()
}

#[test]
fn a_box_referenced_many_times_is_hashed_once_per_algorithm() {
    let store = store(1 << 20);
    let manifest = store.active_manifest().unwrap();
    let node = manifest.node().superboxes().next().unwrap();
    let hashed = store.hashed_bytes(node);
    let right = HashAlg::Sha256.digest(hashed);
    let counter = Counting::default();
    let digests = UriDigests::new(&store, &counter, &Limits::default());
    for i in 0..10_000 {
        let expected = if i % 2 == 0 {
            right.clone()
        } else {
            vec![0; 32]
        };
        let want = if i % 2 == 0 {
            UriHash::Match
        } else {
            UriHash::Mismatch
        };
        assert_eq!(digests.check(node, HashAlg::Sha256, &expected), want);
    }
    let len = u64::try_from(hashed.len()).unwrap();
    assert_eq!(counter.bytes(), len);
    assert_eq!(
        digests.check(node, HashAlg::Sha384, &HashAlg::Sha384.digest(hashed)),
        UriHash::Match
    );
    assert_eq!(counter.bytes(), 2 * len);
    assert_eq!(counter.starts(), 2);
}

#[test]
fn hashing_stops_at_the_budget_and_says_so() {
    // 8 MiB nested three deep (assertion, manifest, store) and hashed with three algorithms
    // is nine times the store: past four times the store plus the allowance.
    let store = store(8 << 20);
    let size = u64::try_from(store.as_bytes().len()).unwrap();
    let manifest = store.active_manifest().unwrap();
    let assertion = manifest.node().superboxes().next().unwrap();
    let nodes = [assertion, manifest.node(), store.root()];
    let digests = UriDigests::new(&store, &Sha2Hashes, &Limits::default());
    assert_eq!(digests.budget(), 4 * size + URI_HASH_ALLOWANCE);
    let mut outcomes = Vec::new();
    for alg in [HashAlg::Sha256, HashAlg::Sha384, HashAlg::Sha512] {
        for node in nodes {
            let right = alg.digest(store.hashed_bytes(node));
            outcomes.push(digests.check(node, alg, &right));
        }
    }
    assert_eq!(
        outcomes,
        [
            [UriHash::Match; 4].as_slice(),
            [UriHash::OverBudget; 5].as_slice()
        ]
        .concat()
    );
    // What was hashed before the budget ran out is still answered from the memo.
    let right = HashAlg::Sha256.digest(store.hashed_bytes(assertion));
    assert_eq!(
        digests.check(assertion, HashAlg::Sha256, &right),
        UriHash::Match
    );
    let why = digests.over_budget("self#jumbf=c2pa.assertions/org.example.big");
    assert!(
        why.contains("org.example.big") && why.contains(&digests.budget().to_string()),
        "{why}"
    );

    // A factor of 0 leaves only the allowance: a box larger than 1 MiB is never hashed.
    let tight = Limits {
        max_uri_hash_factor: 0,
        ..Limits::default()
    };
    let digests = UriDigests::new(&store, &Sha2Hashes, &tight);
    assert_eq!(
        digests.check(assertion, HashAlg::Sha256, &right),
        UriHash::OverBudget
    );
}
