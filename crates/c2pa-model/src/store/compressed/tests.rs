//! Compressed manifests: built from a real two-manifest store (the shared vector CACA.jpg) by
//! Brotli-compressing one of its manifests, then read back.
#![allow(
    clippy::disallowed_methods,
    reason = "tests read the shared vectors from disk"
)]

use std::io::Write;
use std::path::PathBuf;

use super::*;
use crate::container::{ContainerLimits, jpeg};
use crate::store::ManifestStore;

fn caca_store() -> Vec<u8> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/upstream/vectors/c2pa/rs/CACA.jpg");
    let bytes = std::fs::read(&path).unwrap();
    jpeg::locate(bytes.as_slice(), &ContainerLimits::default())
        .unwrap()
        .unwrap()
        .store
}

fn brotli(data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    {
        let mut w = brotli::CompressorWriter::new(&mut out, 4096, 9, 22);
        w.write_all(data).unwrap();
    }
    out
}

/// A `c2cm` superbox labelled `label` around `brob` content.
fn compressed_box(label: &str, brob: &[u8]) -> Vec<u8> {
    let mut content = Vec::new();
    jumbf::write_box(&mut content, BROB, brob);
    let mut out = Vec::new();
    jumbf::write_superbox(
        &mut out,
        &jumbf::NewDescription {
            uuid: uuid::COMPRESSED_MANIFEST,
            label: Some(label),
            private: None,
        },
        &[&content],
    )
    .unwrap();
    out
}

/// `store` with its manifest number `index` replaced by `replacement(manifest box bytes)`.
fn with_manifest_replaced(
    store: &[u8],
    index: usize,
    replacement: impl Fn(&[u8], &str) -> Vec<u8>,
) -> Vec<u8> {
    let parsed = ManifestStore::from_bytes(store.to_vec(), &Limits::default()).unwrap();
    let root = parsed.root();
    let mut payload = store[root.description.span.whole()].to_vec();
    let mut seen = 0;
    for child in &root.children {
        let (span, manifest) = match child {
            Node::Super(s) => (s.span, ManifestKind::from_uuid(&s.uuid()).is_some()),
            Node::Plain(p) => (p.span, false),
        };
        let bytes = &store[span.whole()];
        if manifest && seen == index {
            let Node::Super(s) = child else {
                unreachable!()
            };
            payload.extend_from_slice(&replacement(bytes, s.label().unwrap()));
        } else {
            payload.extend_from_slice(bytes);
        }
        seen += usize::from(manifest);
    }
    let mut out = Vec::new();
    jumbf::write_box(&mut out, jumbf::SUPERBOX, &payload);
    out
}

#[test]
fn a_compressed_manifest_reads_as_the_manifest_it_holds() {
    let original = caca_store();
    let plain = ManifestStore::from_bytes(original.clone(), &Limits::default()).unwrap();
    let first = plain.manifests().next().unwrap();
    let label = first.label().unwrap().to_owned();
    let compressed = with_manifest_replaced(&original, 0, |m, l| compressed_box(l, &brotli(m)));
    assert!(compressed.len() < original.len());

    let store = ManifestStore::from_bytes(compressed.clone(), &Limits::default()).unwrap();
    assert_eq!(store.as_bytes(), compressed.as_slice());
    // Expanded, the store is the original one.
    assert_eq!(store.reserialize().unwrap(), original);
    let labels: Vec<_> = store.manifests().map(|m| m.label()).collect();
    let plain_labels: Vec<_> = plain.manifests().map(|m| m.label()).collect();
    assert_eq!(labels, plain_labels);
    let m = store.manifest(&label).unwrap();
    assert_eq!(m.kind(), ManifestKind::Standard);
    assert!(m.was_compressed());
    assert!(!store.active_manifest().unwrap().was_compressed());
    assert_eq!(m.claim().unwrap(), first.claim().unwrap());
    assert_eq!(m.signature_cbor().unwrap(), first.signature_cbor().unwrap());
    // A hashed URI to it covers the compressed superbox, not the decompressed one.
    let root = jumbf::parse(&compressed, &Limits::default()).unwrap();
    let c2cm = root
        .superboxes()
        .find(|s| s.uuid() == uuid::COMPRESSED_MANIFEST)
        .unwrap();
    assert_eq!(
        store.hashed_bytes(m.node()),
        &compressed[c2cm.span.payload()]
    );
    // Its assertions still resolve and match their hashes, inside the decompressed bytes.
    let claim = m.claim().unwrap();
    for r in claim.assertion_refs() {
        let node = store.resolve(&r.url, Some(&m)).unwrap();
        let alg = crate::store::HashAlg::from_name(
            r.alg
                .as_deref()
                .or(claim.alg.as_deref())
                .unwrap_or("sha256"),
        )
        .unwrap();
        assert_eq!(alg.digest(store.hashed_bytes(node)), r.hash, "{}", r.url);
    }
}

/// Makes the replacement of a manifest from its box bytes and label.
type Replacement = dyn Fn(&[u8], &str) -> Vec<u8>;

#[test]
fn what_does_not_decompress_into_the_manifest_stays_compressed_with_the_reason() {
    let original = caca_store();
    let cases: [(&str, Box<Replacement>); 4] = [
        (
            "Brotli",
            Box::new(|_, l| compressed_box(l, b"not brotli at all")),
        ),
        (
            "not a JUMBF superbox",
            Box::new(|_, l| compressed_box(l, &brotli(b"plain text"))),
        ),
        (
            "labelled",
            Box::new(|m, _| compressed_box("urn:c2pa:other", &brotli(m))),
        ),
        (
            "exactly one brob",
            Box::new(|m, l| {
                let b = brotli(m);
                let mut content = Vec::new();
                jumbf::write_box(&mut content, BROB, &b);
                jumbf::write_box(&mut content, BROB, &b);
                let mut out = Vec::new();
                jumbf::write_superbox(
                    &mut out,
                    &jumbf::NewDescription {
                        uuid: uuid::COMPRESSED_MANIFEST,
                        label: Some(l),
                        private: None,
                    },
                    &[&content],
                )
                .unwrap();
                out
            }),
        ),
    ];
    for (why, make) in cases {
        let bytes = with_manifest_replaced(&original, 0, |m, l| make(m, l));
        let store = ManifestStore::from_bytes(bytes.clone(), &Limits::default()).unwrap();
        let m = store.manifests().next().unwrap();
        assert_eq!(m.kind(), ManifestKind::Compressed, "{why}");
        assert!(!m.was_compressed(), "{why}");
        let reason = m.compressed_failure().unwrap();
        assert!(reason.contains(why), "{why}: {reason}");
        // Nothing expanded: the tree is over the received bytes.
        assert_eq!(store.reserialize().unwrap(), bytes);
    }
}

#[test]
fn decompression_stops_at_the_limit() {
    let original = caca_store();
    let manifest_len = {
        let s = ManifestStore::from_bytes(original.clone(), &Limits::default()).unwrap();
        s.manifests().next().unwrap().node().span.whole().len()
    };
    let compressed = with_manifest_replaced(&original, 0, |m, l| compressed_box(l, &brotli(m)));
    // The limit counts the decoder's window (here 2^22 bytes) with the output.
    let window = 1 << 22;
    let tight = Limits {
        max_decompressed_len: window + manifest_len - 1,
        ..Limits::default()
    };
    let store = ManifestStore::from_bytes(compressed.clone(), &tight).unwrap();
    let m = store.manifests().next().unwrap();
    assert_eq!(m.kind(), ManifestKind::Compressed);
    assert!(m.compressed_failure().unwrap().contains("limit"));
    let exact = Limits {
        max_decompressed_len: window + manifest_len,
        ..Limits::default()
    };
    let store = ManifestStore::from_bytes(compressed, &exact).unwrap();
    assert!(store.manifests().next().unwrap().was_compressed());
    // A bomb: 64 MiB of zeros compress to a few hundred bytes and are refused at the limit.
    let bomb = brotli(&vec![0u8; 64 << 20]);
    assert!(bomb.len() < 100_000);
    let bytes = with_manifest_replaced(&original, 0, |_, l| compressed_box(l, &bomb));
    let store = ManifestStore::from_bytes(bytes, &tight).unwrap();
    let m = store.manifests().next().unwrap();
    assert!(m.compressed_failure().unwrap().contains("limit"));
}

#[test]
fn the_window_a_stream_declares_counts_against_the_limit() {
    // RFC 7932 §9.1: WBITS from the stream header, for every window a compressor can ask for.
    for lgwin in 10..=24u32 {
        let mut out = Vec::new();
        {
            let mut w = brotli::CompressorWriter::new(&mut out, 4096, 5, lgwin);
            w.write_all(b"some manifest bytes").unwrap();
        }
        assert_eq!(window_len(&out), Some(1 << lgwin), "lgwin {lgwin}");
    }
    assert_eq!(window_len(&[]), None);
    // 0b0001_0001: the reserved (large-window) header.
    assert_eq!(window_len(&[0x11]), None);

    // A 16 MiB window leaves nothing of an 8 MiB limit, however small the manifest.
    let original = caca_store();
    let bytes = with_manifest_replaced(&original, 0, |m, l| {
        let mut big_window = Vec::new();
        {
            let mut w = brotli::CompressorWriter::new(&mut big_window, 4096, 5, 24);
            w.write_all(m).unwrap();
        }
        compressed_box(l, &big_window)
    });
    let limits = Limits {
        max_decompressed_len: 8 << 20,
        ..Limits::default()
    };
    let store = ManifestStore::from_bytes(bytes, &limits).unwrap();
    let m = store.manifests().next().unwrap();
    assert_eq!(m.kind(), ManifestKind::Compressed);
    let why = m.compressed_failure().unwrap();
    assert!(why.contains("16777216-byte Brotli window"), "{why}");
}
