//! JPEG locator tests on the C2PA vectors and on hand-made files.
#![allow(
    clippy::disallowed_methods,
    reason = "tests read the shared vectors from disk"
)]

use std::path::PathBuf;

use super::*;
use crate::jumbf::{Limits, parse};

fn vectors() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/vectors/c2pa")
}

#[test]
fn finds_the_store_in_c2pa_rs_fixtures() {
    let path = vectors().join("rs/CA.jpg");
    let bytes = std::fs::read(&path).unwrap();
    let found = locate(bytes.as_slice(), &ContainerLimits::default())
        .unwrap()
        .unwrap();
    let store = parse(&found.store, &Limits::default()).unwrap();
    assert_eq!(store.label(), Some("c2pa"));
    // Reassembled across its two APP11 packets: store → manifest → {assertions, claim, signature}.
    assert_eq!(found.ranges.len(), 2);
    assert_eq!(found.store.len(), 117_241);
    let manifest = store.superboxes().next().unwrap();
    assert_eq!(
        manifest.label(),
        Some("contentauth:urn:uuid:c2677d4b-0a93-4444-876f-ed2f2d40b8cf")
    );
    let labels: Vec<_> = manifest.superboxes().filter_map(|b| b.label()).collect();
    assert_eq!(labels, ["c2pa.assertions", "c2pa.claim", "c2pa.signature"]);
    // Ranges are contiguous APP11 segments.
    for w in found.ranges.windows(2) {
        assert_eq!(w[0].end, w[1].start);
    }
    let first = usize::try_from(found.ranges[0].start).unwrap();
    assert_eq!(&bytes[first..first + 2], &[0xFF, 0xEB]);
}

#[test]
fn no_manifest_is_none() {
    let bytes = std::fs::read(vectors().join("rs/no_manifest.jpg")).unwrap();
    assert_eq!(
        locate(bytes.as_slice(), &ContainerLimits::default()).unwrap(),
        None
    );
}

#[test]
fn not_a_jpeg_and_truncation_are_errors() {
    assert_eq!(
        locate(&b"\x89PNG"[..], &ContainerLimits::default()),
        Err(ContainerError::NotFormat { format: "JPEG" })
    );
    let bytes = std::fs::read(vectors().join("rs/C.jpg")).unwrap();
    for cut in [3usize, 20, 100, 1000, 5000] {
        assert!(
            locate(&bytes[..cut], &ContainerLimits::default()).is_err(),
            "cut {cut}"
        );
    }
}

#[test]
fn store_size_is_bounded() {
    let bytes = std::fs::read(vectors().join("rs/CA.jpg")).unwrap();
    let limits = ContainerLimits {
        max_store_size: 1000,
        ..ContainerLimits::default()
    };
    assert_eq!(
        locate(bytes.as_slice(), &limits),
        Err(ContainerError::StoreTooLarge { limit: 1000 })
    );
}
