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

/// A C2PA store superbox of about `len` bytes (one `cbor` content box of a byte pattern), in
/// the `LBox` form or, with `xl`, the `XLBox` form.
fn store_of(len: usize, xl: bool) -> Vec<u8> {
    let payload: Vec<u8> = (0..len).map(|i| u8::try_from(i % 251).unwrap()).collect();
    let mut content = Vec::new();
    crate::jumbf::write_box(&mut content, *b"cbor", &payload);
    let mut store = Vec::new();
    crate::jumbf::write_superbox(
        &mut store,
        &crate::jumbf::NewDescription {
            uuid: crate::store::uuid::STORE,
            label: Some("c2pa"),
            private: None,
        },
        &[&content],
    )
    .unwrap();
    if !xl {
        return store;
    }
    let mut long = vec![0, 0, 0, 1];
    long.extend_from_slice(b"jumb");
    long.extend_from_slice(&(u64::try_from(store.len()).unwrap() + 8).to_be_bytes());
    long.extend_from_slice(&store[8..]);
    long
}

/// One marker segment.
fn segment(marker: u8, body: &[u8]) -> Vec<u8> {
    let mut s = vec![0xFF, marker];
    s.extend_from_slice(&u16::try_from(body.len() + 2).unwrap().to_be_bytes());
    s.extend_from_slice(body);
    s
}

/// A JPEG carrying `store` in APP11 packets of box instance `en` whose data are `cuts` bytes
/// of the box (the last packet takes the rest), each continuation repeating the box header;
/// with other segments around them (an APP0, an APP11 that is not JPEG XT, a second JUMBF
/// instance interleaved, a scan with stuffed bytes and a restart marker). Returns the JPEG
/// and the APP11 ranges of `store`.
fn jpeg_with(store: &[u8], cuts: &[usize]) -> (Vec<u8>, Vec<core::ops::Range<u64>>) {
    let header_len = if store[..4] == [0, 0, 0, 1] { 16 } else { 8 };
    let header = &store[..header_len];
    let mut out = vec![0xFF, 0xD8];
    out.extend(segment(0xE0, b"JFIF\0\x01\x02\0\0\x01\0\x01\0\0"));
    out.extend(segment(0xEB, b"XX not JPEG XT"));
    let mut ranges = Vec::new();
    let mut rest = store;
    let mut seq = 1u32;
    let mut cuts = cuts.iter();
    while !rest.is_empty() {
        let take = cuts.next().map_or(rest.len(), |&n| n.min(rest.len()));
        let (chunk, tail) = rest.split_at(take);
        let mut body = b"JP".to_vec();
        body.extend_from_slice(&7u16.to_be_bytes());
        body.extend_from_slice(&seq.to_be_bytes());
        if seq > 1 {
            body.extend_from_slice(header);
        }
        body.extend_from_slice(chunk);
        let start = u64::try_from(out.len()).unwrap();
        out.extend(segment(0xEB, &body));
        ranges.push(start..u64::try_from(out.len()).unwrap());
        if seq == 2 {
            // Another JUMBF box instance (not a C2PA store) in between.
            let mut other = b"JP\0\x09\0\0\0\x01".to_vec();
            other.extend_from_slice(b"\0\0\0\x10jumbxxxxxxxx");
            out.extend(segment(0xEB, &other));
        }
        rest = tail;
        seq += 1;
    }
    out.extend(segment(0xDB, &[0u8; 65]));
    out.extend(segment(0xDA, b"\0\x01\x01\0\x3F\0"));
    out.extend_from_slice(b"\x12\xFF\x00\x34\xFF\xD0\x56\xFF\xFF\xD9");
    (out, ranges)
}

/// The store read through the caller's buffer (`locate_buffered`, what the validator uses)
/// is byte-for-byte the store of the sequential and seeking readers, at any buffer size and
/// with packets split at odd offsets — inside the box header, one byte long, or longer than
/// the buffer — in the `LBox` and `XLBox` forms.
#[test]
fn packets_read_through_the_callers_buffer_give_the_same_store() {
    let limits = ContainerLimits::default();
    for xl in [false, true] {
        for (len, cuts) in [
            (100usize, vec![1usize, 1, 7, 13]),
            (3000, vec![5, 3, 1001, 1, 997]),
            (200_000, vec![65_000, 17, 65_000, 3, 65_000]),
            (40, vec![9]),
        ] {
            let store = store_of(len, xl);
            let (jpeg, ranges) = jpeg_with(&store, &cuts);
            let sequential = locate(jpeg.as_slice(), &limits).unwrap().unwrap();
            assert_eq!(sequential.store, store, "{len} {cuts:?} xl {xl}");
            assert_eq!(sequential.ranges, ranges);
            let sought = crate::container::locate_seekable(
                Format::Jpeg,
                std::io::Cursor::new(&jpeg),
                &limits,
            )
            .unwrap()
            .unwrap();
            assert_eq!(sought, sequential);
            for capacity in [1usize, 2, 3, 7, 16, 100, 4093, 65_536, 1 << 20] {
                let buffered = crate::container::locate_buffered(
                    Format::Jpeg,
                    BufReader::with_capacity(capacity, std::io::Cursor::new(&jpeg)),
                    &limits,
                )
                .unwrap()
                .unwrap();
                assert_eq!(
                    buffered, sequential,
                    "{len} {cuts:?} xl {xl} capacity {capacity}"
                );
            }
        }
    }
}

/// A JPEG cut short inside a segment the locator skips, or inside a packet, is an error
/// through the caller's buffer as through the seeking reader.
#[test]
fn truncation_through_the_callers_buffer_is_an_error() {
    let limits = ContainerLimits::default();
    let (jpeg, ranges) = jpeg_with(&store_of(3000, false), &[1000, 1000]);
    let in_app0 = 10;
    let in_packet = usize::try_from(ranges[1].start).unwrap() + 100;
    let in_dqt = usize::try_from(ranges[2].end).unwrap() + 60;
    for cut in [in_app0, in_packet, in_dqt, jpeg.len() - 1] {
        let cut_jpeg = &jpeg[..cut];
        let sought = crate::container::locate_seekable(
            Format::Jpeg,
            std::io::Cursor::new(cut_jpeg),
            &limits,
        );
        assert!(sought.is_err(), "cut {cut}");
        for capacity in [1usize, 64, 1 << 20] {
            let buffered = crate::container::locate_buffered(
                Format::Jpeg,
                BufReader::with_capacity(capacity, std::io::Cursor::new(cut_jpeg)),
                &limits,
            );
            assert!(buffered.is_err(), "cut {cut} capacity {capacity}");
        }
    }
}
