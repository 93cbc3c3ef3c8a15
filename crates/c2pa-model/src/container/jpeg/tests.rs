//! JPEG locator tests on the C2PA vectors and on hand-made files.
#![allow(
    clippy::disallowed_methods,
    reason = "tests read the shared vectors from disk"
)]

use std::path::PathBuf;

use super::*;
use crate::jumbf::{Limits, parse};

fn vectors() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/upstream/vectors/c2pa")
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

/// `skip_entropy_coded` stops at the first real marker whatever the buffer size: stuffed
/// `FF 00` and `RSTn` pass, an `FF` split from its next byte by the buffer edge is left to the
/// byte-wise reader, fill bytes (`FF FF`) stop the skip.
#[test]
fn entropy_coded_data_is_skipped_to_the_next_marker_at_any_buffer_size() {
    let cases: [(&[u8], Option<usize>); 6] = [
        (b"\x01\x02\xFF\x00\x03\xFF\xD3\x04\xFF\xD9", Some(8)),
        (b"\xFF\x00\xFF\x00\xFF\xEB\x00", Some(4)),
        (b"\x01\xFF\xFF\xD9", Some(1)),
        (b"\x01\x02\x03", None),
        (b"\xFF\xD0\xFF\xD7\xFF\x00", None),
        (b"", None),
    ];
    for (data, stop) in cases {
        for capacity in 1..=data.len().max(1) + 1 {
            let mut r = Counting::new(BufReader::with_capacity(capacity, data));
            let found = r.skip_entropy_coded().unwrap();
            let pos = usize::try_from(r.pos).unwrap();
            let whole = capacity >= data.len();
            if found {
                // At an FF, never past the marker; an FF at a buffer edge may stop early (the
                // byte-wise reader then sees FF 00 or RSTn and resumes the skip).
                assert_eq!(
                    data.get(pos),
                    Some(&0xFF),
                    "{data:02X?} capacity {capacity}"
                );
                assert!(
                    pos <= stop.unwrap_or(data.len()),
                    "{data:02X?} capacity {capacity}"
                );
                if whole {
                    assert_eq!(Some(pos), stop, "{data:02X?} capacity {capacity}");
                }
            } else {
                assert_eq!(stop, None, "{data:02X?} capacity {capacity}");
                assert_eq!(pos, data.len());
            }
        }
    }
}
