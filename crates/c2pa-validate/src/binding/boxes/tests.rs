//! Unit tests of the box walkers and of matching an assertion's names with them.

use std::io::Cursor;

use ciborium::Value;
use sha2::{Digest, Sha256};

use super::*;
use crate::binding::Sha2Hashes;

fn vector(path: &str) -> Vec<u8> {
    #[allow(clippy::disallowed_methods, reason = "tests read vectors")]
    std::fs::read(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../tests/upstream/vectors/c2pa")
            .join(path),
    )
    .unwrap()
}

fn walk_all(format: Format, bytes: &[u8]) -> (Vec<AssetBox>, Option<u64>) {
    let mut w = walker(Some(format), u64::try_from(bytes.len()).unwrap()).unwrap();
    let mut asset = Cursor::new(bytes);
    let mut out = Vec::new();
    while let Some(b) = w.next_box(&mut asset).unwrap() {
        out.push(b);
    }
    (out, w.structure_end())
}

#[test]
fn jpeg_segments_tile_the_file() {
    let bytes = vector("rs/no_manifest.jpg");
    let (boxes, end) = walk_all(Format::Jpeg, &bytes);
    assert_eq!(end, Some(u64::try_from(bytes.len()).unwrap()));
    assert_eq!(boxes.first().unwrap().name, "SOI");
    assert_eq!(boxes.last().unwrap().name, "EOI");
    // No fill bytes in this file: each box starts where the previous one ended.
    for pair in boxes.windows(2) {
        assert_eq!(pair[0].range.end, pair[1].range.start, "{pair:?}");
    }
    // Every box after SOI starts with its marker.
    for b in &boxes[1..] {
        let at = usize::try_from(b.range.start).unwrap();
        assert_eq!(bytes[at], 0xFF);
        assert_eq!(symbol(bytes[at + 1]), b.name);
    }
    assert!(boxes.iter().any(|b| b.name == "SOS"));
}

fn symbol(marker: u8) -> String {
    let mut bytes = vec![0xFF, 0xD8, 0xFF, marker];
    if !(0xD0..=0xD9).contains(&marker) && marker != 0x01 {
        bytes.extend_from_slice(&[0, 2]);
    }
    let (boxes, _) = walk_all(Format::Jpeg, &bytes);
    boxes[1].name.clone()
}

#[test]
fn jpeg_marker_symbols_follow_table_b1() {
    for (marker, name) in [
        (0xC0, "SOF0"),
        (0xC2, "SOF2"),
        (0xC4, "DHT"),
        (0xC8, "JPG"),
        (0xCC, "DAC"),
        (0xCF, "SOF15"),
        (0xDB, "DQT"),
        (0xDD, "DRI"),
        (0xE0, "APP0"),
        (0xEB, "APP11"),
        (0xEF, "APP15"),
        (0xF3, "JPG3"),
        (0xFE, "COM"),
        (0x01, "TEM"),
        (0xD9, "EOI"),
    ] {
        assert_eq!(symbol(marker), name, "{marker:#x}");
    }
}

#[test]
fn jpeg_scans_and_restart_intervals_are_separate_boxes() {
    // SOS with entropy data (a stuffed FF 00), RST0 with its interval, then EOI.
    let bytes = [
        0xFF, 0xD8, // SOI
        0xFF, 0xDA, 0x00, 0x02, 0x11, 0xFF, 0x00, 0x22, // SOS + data
        0xFF, 0xD0, 0x33, 0x44, // RST0 + data
        0xFF, 0xFF, 0xD9, // a fill byte, EOI
        0xFF, 0xD8, 0xFF, 0xD9, // a second image (MPF)
        0x01, 0x02, // trailing data
    ];
    let (boxes, end) = walk_all(Format::Jpeg, &bytes);
    let got: Vec<(&str, Range<u64>)> = boxes
        .iter()
        .map(|b| (b.name.as_str(), b.range.clone()))
        .collect();
    assert_eq!(
        got,
        [
            ("SOI", 0..2),
            ("SOS", 2..10),
            ("RST0", 10..14),
            ("EOI", 15..17),
            ("SOI", 17..19),
            ("EOI", 19..21)
        ]
    );
    assert_eq!(end, Some(21));
}

#[test]
fn font_tables_in_directory_order_with_the_checksum_zeroed() {
    let bytes = vector("pt/monotype-20240712-monotype_sans.ttf");
    let (boxes, end) = walk_all(Format::Font, &bytes);
    assert_eq!(end, None);
    let names: Vec<&str> = boxes.iter().map(|b| b.name.as_str()).collect();
    let mut sorted = names.clone();
    sorted.sort_unstable();
    assert_eq!(names, sorted, "the directory is sorted by tag");
    assert!(names.contains(&"C2PA") && names.contains(&"glyf"));
    let head = boxes.iter().find(|b| b.name == "head").unwrap();
    assert_eq!(
        head.zero,
        Some(head.range.start + 8..head.range.start + 12),
        "checkSumAdjustment"
    );
}

fn chunk(kind: &[u8; 4], data: &[u8]) -> Vec<u8> {
    let mut c = u32::try_from(data.len()).unwrap().to_be_bytes().to_vec();
    c.extend_from_slice(kind);
    c.extend_from_slice(data);
    c.extend_from_slice(&[0, 0, 0, 0]); // CRC: not checked by the walker
    c
}

/// A PNG: signature, IHDR, caBX (the "store"), IDAT, IEND; and the store's range.
fn png() -> (Vec<u8>, Range<u64>) {
    let mut p = vec![0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A];
    p.extend(chunk(b"IHDR", &[0; 13]));
    let store_at = u64::try_from(p.len()).unwrap();
    p.extend(chunk(b"caBX", b"the manifest store"));
    let store = store_at..u64::try_from(p.len()).unwrap();
    p.extend(chunk(b"IDAT", b"pixels"));
    p.extend(chunk(b"IEND", &[]));
    (p, store)
}

fn text(s: &str) -> Value {
    Value::Text(s.to_owned())
}

fn entry(names: &[&str], hash: Option<Vec<u8>>, alg: Option<&str>) -> Value {
    let mut m = vec![(
        text("names"),
        Value::Array(names.iter().map(|n| text(n)).collect()),
    )];
    if let Some(h) = hash {
        m.push((text("hash"), Value::Bytes(h)));
    }
    if let Some(a) = alg {
        m.push((text("alg"), text(a)));
    }
    m.push((text("pad"), Value::Bytes(Vec::new())));
    Value::Map(m)
}

fn map(entries: Vec<Value>, alg: Option<&str>) -> Value {
    let mut m = vec![(text("boxes"), Value::Array(entries))];
    if let Some(a) = alg {
        m.push((text("alg"), text(a)));
    }
    Value::Map(m)
}

fn sha(bytes: &[u8], r: Range<usize>) -> Vec<u8> {
    Sha256::digest(&bytes[r]).to_vec()
}

fn check(value: &Value, bytes: &[u8], store: &[Range<u64>]) -> Vec<StatusCode> {
    box_hash(
        value,
        None,
        Some(Format::Png),
        &mut Cursor::new(bytes),
        store,
        &Limits::default(),
        &Sha2Hashes,
    )
    .into_iter()
    .map(|(c, _)| c)
    .collect()
}

/// The entries for [`png`], grouped as the SDK writes them.
fn png_entries(p: &[u8], with_header: bool) -> Vec<Value> {
    let len = p.len();
    let mut v = Vec::new();
    if with_header {
        v.push(entry(&["PNGh", "IHDR"], Some(sha(p, 0..33)), None));
    } else {
        v.push(entry(&["IHDR"], Some(sha(p, 8..33)), None));
    }
    v.push(entry(&["C2PA"], Some(vec![0]), None));
    v.push(entry(&["IDAT", "IEND"], Some(sha(p, 63..len)), None));
    v
}

#[test]
fn names_and_hashes_match() {
    let (p, store) = png();
    let stores = [store];
    let ok = [StatusCode::AssertionBoxesHashMatch];
    assert_eq!(
        check(&map(png_entries(&p, true), Some("sha256")), &p, &stores),
        ok
    );
    // The PNG header may be left out (§18.7.3.2).
    assert_eq!(
        check(&map(png_entries(&p, false), Some("sha256")), &p, &stores),
        ok
    );
    // A changed pixel.
    let mut changed = p.clone();
    changed[72] ^= 1;
    assert_eq!(
        check(
            &map(png_entries(&p, true), Some("sha256")),
            &changed,
            &stores
        ),
        [StatusCode::AssertionBoxesHashMismatch]
    );
    // Without any alg (entry, map or claim): algorithm.unsupported.
    assert_eq!(
        check(&map(png_entries(&p, true), None), &p, &stores),
        [StatusCode::AlgorithmUnsupported]
    );
}

#[test]
fn excluded_boxes_are_not_hashed() {
    let (p, store) = png();
    let mut entries = png_entries(&p, true);
    let mut last = entry(&["IDAT", "IEND"], Some(vec![0]), None);
    if let Value::Map(m) = &mut last {
        m.push((text("excluded"), Value::Bool(true)));
    }
    entries[2] = last;
    assert_eq!(
        check(&map(entries, Some("sha256")), &p, &[store]),
        [StatusCode::AssertionBoxesHashMatch]
    );
}

#[test]
fn structure_failures_have_their_codes() {
    let (p, store) = png();
    let stores = [store];
    let codes = |entries: Vec<Value>| check(&map(entries, Some("sha256")), &p, &stores);
    // No boxes, empty names, names missing: malformed.
    assert_eq!(
        check(&Value::Map(vec![]), &p, &stores),
        [StatusCode::AssertionBoxesHashMalformed]
    );
    assert_eq!(
        codes(vec![entry(&[], Some(vec![0]), None)]),
        [StatusCode::AssertionBoxesHashMalformed]
    );
    // The C2PA box grouped with another: malformed (§18.7.1).
    let mut e = png_entries(&p, true);
    e[1] = entry(&["C2PA", "IDAT"], Some(vec![0]), None);
    assert_eq!(codes(e), [StatusCode::AssertionBoxesHashMalformed]);
    // IDAT not listed: unknown box.
    let mut e = png_entries(&p, true);
    e[2] = entry(&["IEND"], Some(sha(&p, 81..p.len())), None);
    assert_eq!(codes(e), [StatusCode::AssertionBoxesHashUnknownBox]);
    // A box listed that the asset does not have: mismatch.
    let mut e = png_entries(&p, true);
    e.push(entry(&["tEXt"], Some(vec![0]), None));
    assert_eq!(codes(e), [StatusCode::AssertionBoxesHashMismatch]);
    // The hash missing: mismatch (§15.12.3).
    let mut e = png_entries(&p, true);
    e[0] = entry(&["PNGh", "IHDR"], None, None);
    assert_eq!(codes(e), [StatusCode::AssertionBoxesHashMismatch]);
    // Out of order.
    let e = vec![
        entry(&["PNGh", "IHDR"], Some(sha(&p, 0..33)), None),
        entry(&["IDAT"], Some(vec![0]), None),
        entry(&["C2PA"], Some(vec![0]), None),
        entry(&["IEND"], Some(vec![0]), None),
    ];
    assert_eq!(codes(e), [StatusCode::AssertionBoxesHashMismatch]);
    // c2pa.after anywhere but last: malformed.
    let mut e = png_entries(&p, true);
    e.insert(1, entry(&["c2pa.after"], Some(vec![0]), None));
    assert_eq!(codes(e), [StatusCode::AssertionBoxesHashMalformed]);
}

#[test]
fn data_after_the_boxes_needs_c2pa_after() {
    let (mut p, store) = png();
    let stores = [store];
    let end = p.len();
    p.extend_from_slice(b"a second part");
    assert_eq!(
        check(
            &map(png_entries(&p[..end], true), Some("sha256")),
            &p,
            &stores
        ),
        [StatusCode::AssertionBoxesHashUnknownBox]
    );
    let mut e = png_entries(&p[..end], true);
    e.push(entry(&["c2pa.after"], Some(sha(&p, end..p.len())), None));
    assert_eq!(
        check(&map(e, Some("sha256")), &p, &stores),
        [StatusCode::AssertionBoxesHashMatch]
    );
}

#[test]
fn a_separate_store_has_no_c2pa_box_in_the_asset() {
    // The asset without its caBX chunk, validated against a store supplied separately.
    let (p, store) = png();
    let (s, e) = (
        usize::try_from(store.start).unwrap(),
        usize::try_from(store.end).unwrap(),
    );
    let bare = [&p[..s], &p[e..]].concat();
    let entries = vec![
        entry(&["PNGh", "IHDR"], Some(sha(&bare, 0..33)), None),
        entry(&["C2PA"], Some(vec![0]), None),
        entry(&["IDAT", "IEND"], Some(sha(&bare, 33..bare.len())), None),
    ];
    assert_eq!(
        check(&map(entries, Some("sha256")), &bare, &[]),
        [StatusCode::AssertionBoxesHashMatch]
    );
}

#[test]
fn the_legacy_font_convention_is_not_c2pa_2_2() {
    // The public test font lists tables in file order and splits `head` around its checksum as
    // `hea0`/`hea2`; §18.7.3.6 names the table `head` (checksum read as zero) in directory
    // order, which starts with `C2PA`: the boxes are out of order from the first one.
    let bytes = vector("pt/monotype-20240712-monotype_sans.ttf");
    let located = signet_c2pa_model::container::locate(
        Format::Font,
        bytes.as_slice(),
        &signet_c2pa_model::container::ContainerLimits::default(),
    )
    .unwrap()
    .unwrap();
    let store = signet_c2pa_model::ManifestStore::from_bytes(
        located.store,
        &signet_c2pa_model::jumbf::Limits::default(),
    )
    .unwrap();
    let node = store
        .active_manifest()
        .unwrap()
        .assertions()
        .find(|a| a.label() == Some("c2pa.hash.boxes"))
        .unwrap();
    let value = crate::assertion::cbor_value(&store, node).unwrap();
    let codes = box_hash(
        &value,
        Some("sha256"),
        Some(Format::Font),
        &mut Cursor::new(&bytes),
        &located.ranges,
        &Limits::default(),
        &Sha2Hashes,
    );
    assert_eq!(codes.len(), 1);
    assert_eq!(
        codes[0].0,
        StatusCode::AssertionBoxesHashMismatch,
        "{codes:?}"
    );
    assert!(
        codes[0].1.contains("hea0") && codes[0].1.contains("C2PA"),
        "{codes:?}"
    );
}

#[test]
fn formats_without_boxes_are_a_mismatch() {
    let (p, store) = png();
    let codes = box_hash(
        &map(png_entries(&p, true), Some("sha256")),
        None,
        Some(Format::Svg),
        &mut Cursor::new(&p),
        &[store],
        &Limits::default(),
        &Sha2Hashes,
    );
    assert_eq!(codes[0].0, StatusCode::AssertionBoxesHashMismatch);
    assert!(codes[0].1.contains("§18.7.3"), "{codes:?}");
}
