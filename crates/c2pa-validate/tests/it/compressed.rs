//! Compressed manifests (C2PA 2.2 §11.2.4): the shared vector CACA.jpg validated against its
//! own store with the active manifest Brotli-compressed gives the report of the uncompressed
//! store; a `brob` that is not a compressed manifest is `manifest.compressed.invalid`.

use std::io::Write;
use std::path::PathBuf;

use signet_asn1_types::der::DateTime;
use signet_c2pa_model::container::{ContainerLimits, jpeg};
use signet_c2pa_model::jumbf::{self, Limits, Node};
use signet_c2pa_model::store::{ManifestStore, compressed::BROB, uuid};
use signet_c2pa_validate::Validator;
use signet_c2pa_validate::status::StatusCode;
use signet_c2pa_validate::trust::TrustConfig;
use signet_crypto::Verifier;

/// A `c2cm` superbox labelled `label` whose `brob` box holds `brob`.
fn compressed_manifest(label: Option<&str>, brob: &[u8]) -> Vec<u8> {
    let mut content = Vec::new();
    jumbf::write_box(&mut content, BROB, brob);
    let mut out = Vec::new();
    jumbf::write_superbox(
        &mut out,
        &jumbf::NewDescription {
            uuid: uuid::COMPRESSED_MANIFEST,
            label,
            private: None,
        },
        &[&content],
    )
    .unwrap();
    out
}

/// The store rebuilt with the children `edit` makes of its children's bytes (the last one is
/// the active manifest).
fn with_children(
    store: &[u8],
    edit: impl FnOnce(&[Node], Vec<Vec<u8>>) -> Vec<Vec<u8>>,
) -> Vec<u8> {
    let parsed = ManifestStore::from_bytes(store.to_vec(), &Limits::default()).unwrap();
    let root = parsed.root();
    let children = root
        .children
        .iter()
        .map(|child| {
            let span = match child {
                Node::Super(s) => s.span,
                Node::Plain(p) => p.span,
            };
            store[span.whole()].to_vec()
        })
        .collect();
    let mut payload = store[root.description.span.whole()].to_vec();
    for child in edit(&root.children, children) {
        payload.extend_from_slice(&child);
    }
    let mut out = Vec::new();
    jumbf::write_box(&mut out, jumbf::SUPERBOX, &payload);
    out
}

/// The store with its last child (the active manifest) replaced by a `c2cm` superbox whose
/// `brob` box holds `brob(manifest box bytes)`.
fn with_active_compressed(store: &[u8], brob: impl Fn(&[u8]) -> Vec<u8>) -> Vec<u8> {
    with_children(store, |nodes, mut children| {
        let Some(Node::Super(active)) = nodes.last() else {
            panic!("the last child is not a superbox")
        };
        let manifest = children.pop().unwrap();
        children.push(compressed_manifest(active.label(), &brob(&manifest)));
        children
    })
}

/// The store with a compressed manifest that no other manifest references, holding `brob`,
/// before its first manifest.
fn with_unreferenced_compressed(store: &[u8], label: &str, brob: &[u8]) -> Vec<u8> {
    with_children(store, |_, mut children| {
        children.insert(0, compressed_manifest(Some(label), brob));
        children
    })
}

fn brotli(data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    {
        let mut w = brotli::CompressorWriter::new(&mut out, 4096, 9, 22);
        w.write_all(data).unwrap();
    }
    out
}

/// The shared vector CACA.jpg and its manifest store.
fn caca() -> (Vec<u8>, Vec<u8>) {
    let asset = std::fs::read(
        PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("../../tests/upstream/vectors/c2pa/rs/CACA.jpg"),
    )
    .unwrap();
    let store = jpeg::locate(asset.as_slice(), &ContainerLimits::default())
        .unwrap()
        .unwrap()
        .store;
    (asset, store)
}

/// `asset` validated against `store`, with no trust anchors.
fn validate_with(asset: &[u8], store: Vec<u8>) -> signet_c2pa_validate::Report {
    let trust = TrustConfig::new();
    let at = DateTime::from_unix_duration(core::time::Duration::from_secs(1_780_000_000)).unwrap();
    Validator::new(&trust, &Verifier, at)
        .validate_with_store(store, std::io::Cursor::new(asset.to_vec()))
        .unwrap()
}

#[test]
fn a_compressed_active_manifest_validates_like_the_uncompressed_one() {
    let (asset, store) = caca();
    let validate = |s: Vec<u8>| validate_with(&asset, s);
    let plain = validate(store.clone());
    let compressed = validate(with_active_compressed(&store, brotli));
    assert_eq!(format!("{compressed:?}"), format!("{plain:?}"));

    let garbage = validate(with_active_compressed(&store, |_| b"not brotli".to_vec()));
    let codes: Vec<_> = garbage
        .active
        .failure
        .iter()
        .map(|s| s.code.clone())
        .collect();
    assert!(
        codes.contains(&StatusCode::ManifestCompressedInvalid),
        "{codes:?}"
    );
}

#[test]
fn a_compressed_manifest_outside_the_lineage_that_does_not_decompress_is_reported() {
    let (asset, store) = caca();
    let validate = |s: Vec<u8>| validate_with(&asset, s);
    let plain = validate(store.clone());
    assert!(plain.other_manifests.is_empty());
    let label = "urn:c2pa:3fbd2d46-0c6a-4f0e-9a53-2c0a6c1f5e11";
    let report = validate(with_unreferenced_compressed(&store, label, b"not brotli"));
    let [status] = report.other_manifests.as_slice() else {
        panic!("{:?}", report.other_manifests)
    };
    assert_eq!(status.code, StatusCode::ManifestCompressedInvalid);
    assert_eq!(
        status.url.as_deref(),
        Some(format!("self#jumbf=/c2pa/{label}").as_str())
    );
    assert!(
        status
            .explanation
            .as_deref()
            .is_some_and(|e| e.contains("Brotli")),
        "{status:?}"
    );
    // Outside the lineage: the active manifest's result is what it was.
    assert_eq!(report.state, plain.state);
    assert_eq!(report.active, plain.active);
}
