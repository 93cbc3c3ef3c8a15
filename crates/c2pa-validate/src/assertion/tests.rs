//! JUMBF URI resolution through the [`LabelIndex`] against the plain walk, on a store built by
//! hand: more manifests and assertions than [`INDEXED_CHILDREN`], a label two assertions share,
//! nested boxes.

use signet_c2pa_model::ManifestStore;
use signet_c2pa_model::jumbf::{self, Limits, NewDescription, Span};
use signet_c2pa_model::store::uuid;

use super::*;

fn superbox(uuid: [u8; 16], label: &str, children: &[Vec<u8>]) -> Vec<u8> {
    let refs: Vec<&[u8]> = children.iter().map(Vec::as_slice).collect();
    let mut out = Vec::new();
    jumbf::write_superbox(
        &mut out,
        &NewDescription {
            uuid,
            label: Some(label),
            private: None,
        },
        &refs,
    )
    .unwrap();
    out
}

fn cbor_assertion(label: &str, children: &[Vec<u8>]) -> Vec<u8> {
    let mut content = Vec::new();
    jumbf::write_box(&mut content, *b"cbor", &[0xA0]);
    let mut all = vec![content];
    all.extend_from_slice(children);
    superbox(uuid::CBOR, label, &all)
}

/// `manifests` manifests of `assertions` assertions each (`a0`, `a1`, …), the third one twice
/// and the fourth holding a nested box.
fn store(manifests: usize, assertions: usize) -> ManifestStore {
    let mut all = Vec::new();
    for m in 0..manifests {
        let mut boxes = Vec::new();
        for a in 0..assertions {
            let nested = if a == 3 {
                vec![superbox(uuid::CBOR, "inner", &[])]
            } else {
                Vec::new()
            };
            boxes.push(cbor_assertion(&format!("a{a}"), &nested));
        }
        boxes.push(cbor_assertion("a2", &[]));
        let store = superbox(uuid::ASSERTION_STORE, "c2pa.assertions", &boxes);
        all.push(superbox(
            uuid::STANDARD_MANIFEST,
            &format!("urn:c2pa:m{m}"),
            &[store],
        ));
    }
    ManifestStore::from_bytes(superbox(uuid::STORE, "c2pa", &all), &Limits::default()).unwrap()
}

fn spans(r: Result<&SuperBox, Unresolved>) -> Result<Span, Unresolved> {
    r.map(|b| b.span)
}

#[test]
fn the_index_resolves_as_the_walk_does() {
    for (manifests, assertions) in [(2, 5), (20, 40), (1, INDEXED_CHILDREN + 1)] {
        let store = store(manifests, assertions);
        let index = LabelIndex::default();
        let uris = [
            "self#jumbf=c2pa.assertions/a0",
            "self#jumbf=c2pa.assertions/a1",
            "self#jumbf=c2pa.assertions/a2",
            "self#jumbf=c2pa.assertions/a3/inner",
            "self#jumbf=c2pa.assertions/a3/missing",
            "self#jumbf=c2pa.assertions/a39",
            "self#jumbf=c2pa.assertions/nope",
            "self#jumbf=c2pa.assertions",
            "self#jumbf=/c2pa/urn:c2pa:m0/c2pa.assertions/a1",
            "self#jumbf=/c2pa/urn:c2pa:m1/c2pa.assertions/a4",
            "self#jumbf=/c2pa/urn:c2pa:m19/c2pa.assertions/a2",
            "self#jumbf=/c2pa/urn:c2pa:m99/c2pa.assertions/a1",
            "self#jumbf=c2pa/urn:c2pa:m1/c2pa.assertions/a1",
            "self#jumbf=/other/a1",
            "https://example.com/a1",
        ];
        for manifest in store.manifests() {
            for uri in uris {
                assert_eq!(
                    spans(index.resolve_in(&manifest, uri)),
                    spans(resolve_in(&manifest, uri)),
                    "{uri} in {:?}",
                    manifest.label()
                );
                assert_eq!(
                    spans(index.resolve_any(&store, &manifest, uri)),
                    spans(resolve_any(&store, &manifest, uri)),
                    "{uri} from {:?}",
                    manifest.label()
                );
            }
            // A label two siblings share resolves to nothing (§8.4.1), indexed or not.
            assert_eq!(
                index.resolve_in(&manifest, "self#jumbf=c2pa.assertions/a2"),
                Err(Unresolved::Missing)
            );
            assert!(
                index
                    .resolve_in(&manifest, "self#jumbf=c2pa.assertions/a1")
                    .is_ok()
            );
        }
        // Large boxes went through the index, small ones did not.
        let indexed = index.children.borrow().len();
        if assertions > INDEXED_CHILDREN {
            assert!(indexed >= manifests, "{indexed} boxes indexed");
        } else {
            assert_eq!(indexed, usize::from(manifests > INDEXED_CHILDREN));
        }
    }
}
