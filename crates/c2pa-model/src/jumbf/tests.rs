//! JUMBF parser and writer tests.

use super::*;

fn content(box_type: &[u8; 4], payload: &[u8]) -> Vec<u8> {
    let mut v = Vec::new();
    write_box(&mut v, *box_type, payload);
    v
}

fn sample() -> Vec<u8> {
    let cbor = content(b"cbor", &[0xa0]);
    let mut assertion = Vec::new();
    write_superbox(
        &mut assertion,
        &NewDescription {
            uuid: c2pa_uuid(*b"cbor"),
            label: Some("c2pa.actions.v2"),
            private: None,
        },
        &[&cbor],
    )
    .unwrap();
    let mut store = Vec::new();
    write_superbox(
        &mut store,
        &NewDescription {
            uuid: c2pa_uuid(*b"c2as"),
            label: Some("c2pa.assertions"),
            private: None,
        },
        &[&assertion],
    )
    .unwrap();
    store
}

#[test]
fn parses_what_it_writes_with_exact_spans() {
    let bytes = sample();
    let root = parse(&bytes, &Limits::default()).unwrap();
    assert_eq!(root.label(), Some("c2pa.assertions"));
    assert_eq!(root.uuid(), c2pa_uuid(*b"c2as"));
    assert_eq!(root.description.toggles, TOGGLE_LABEL | TOGGLE_REQUESTABLE);
    let assertion = root.children_labelled("c2pa.actions.v2").next().unwrap();
    let cbor = assertion.plain_boxes().next().unwrap();
    assert_eq!(cbor.box_type, *b"cbor");
    assert_eq!(&bytes[cbor.span.payload()], &[0xa0]);
    assert_eq!(root.span.whole(), 0..bytes.len());
    // The hashed range of a superbox excludes exactly its 8-byte header.
    assert_eq!(assertion.span.payload().start, assertion.span.start + 8);
}

#[test]
fn description_fields_id_hash_private() {
    let mut d = Vec::new();
    d.extend_from_slice(&c2pa_uuid(*b"cbor"));
    d.push(TOGGLE_LABEL | TOGGLE_REQUESTABLE | TOGGLE_ID | TOGGLE_HASH | TOGGLE_PRIVATE);
    d.extend_from_slice(b"x\0");
    d.extend_from_slice(&7u32.to_be_bytes());
    d.extend_from_slice(&[9u8; 32]);
    d.extend_from_slice(&content(b"c2sh", &[1u8; 16]));
    let mut payload = content(b"jumd", &d);
    payload.extend_from_slice(&content(b"cbor", &[0xf6]));
    let bytes = content(b"jumb", &payload);
    let root = parse(&bytes, &Limits::default()).unwrap();
    assert_eq!(root.description.id, Some(7));
    assert_eq!(root.description.hash, Some([9u8; 32]));
    let private = root.description.private.unwrap();
    assert_eq!(private.box_type, *b"c2sh");
    assert_eq!(&bytes[private.span.payload()], &[1u8; 16]);
}

#[test]
fn rejects_malformed_structures() {
    let limits = Limits::default();
    let good = sample();
    // Truncation anywhere is an error, never a panic.
    for cut in 0..good.len() {
        assert!(parse(&good[..cut], &limits).is_err(), "cut at {cut}");
    }
    // Trailing data.
    let mut trailing = good.clone();
    trailing.push(0);
    assert_eq!(
        parse(&trailing, &limits),
        Err(JumbfError::TrailingData { offset: good.len() })
    );
    // A length smaller than the header.
    let mut short = good.clone();
    short[..4].copy_from_slice(&4u32.to_be_bytes());
    assert_eq!(
        parse(&short, &limits),
        Err(JumbfError::BadLength { offset: 0 })
    );
    // A superbox without a description.
    let no_desc = content(b"jumb", &content(b"cbor", &[0]));
    assert_eq!(
        parse(&no_desc, &limits),
        Err(JumbfError::MissingDescription { offset: 0 })
    );
    // Not a superbox at all.
    let plain = content(b"cbor", &[0]);
    assert!(matches!(
        parse(&plain, &limits),
        Err(JumbfError::NotASuperbox { .. })
    ));
    // Label without terminator.
    let mut d = c2pa_uuid(*b"cbor").to_vec();
    d.push(TOGGLE_LABEL);
    d.extend_from_slice(b"abc");
    let unterminated = content(b"jumb", &content(b"jumd", &d));
    assert!(matches!(
        parse(&unterminated, &limits),
        Err(JumbfError::BadDescription {
            what: "label terminator",
            ..
        })
    ));
}

#[test]
fn deep_nesting_is_rejected_without_recursion() {
    // 10,000 nested superboxes, built inside out.
    let mut inner = Vec::new();
    write_superbox(
        &mut inner,
        &NewDescription {
            uuid: [0; 16],
            label: Some("x"),
            private: None,
        },
        &[],
    )
    .unwrap();
    for _ in 0..10_000 {
        let mut outer = Vec::new();
        write_superbox(
            &mut outer,
            &NewDescription {
                uuid: [0; 16],
                label: Some("x"),
                private: None,
            },
            &[&inner],
        )
        .unwrap();
        inner = outer;
    }
    let err = parse(&inner, &Limits::default()).unwrap_err();
    assert!(matches!(err, JumbfError::TooDeep { limit: 16, .. }));
}

#[test]
fn box_count_is_bounded() {
    let children: Vec<Vec<u8>> = (0..50).map(|_| content(b"cbor", &[0])).collect();
    let refs: Vec<&[u8]> = children.iter().map(Vec::as_slice).collect();
    let mut bytes = Vec::new();
    write_superbox(
        &mut bytes,
        &NewDescription {
            uuid: [0; 16],
            label: Some("x"),
            private: None,
        },
        &refs,
    )
    .unwrap();
    let limits = Limits {
        max_boxes: 10,
        ..Limits::default()
    };
    assert_eq!(
        parse(&bytes, &limits),
        Err(JumbfError::TooManyBoxes { limit: 10 })
    );
}

#[test]
fn labels_follow_c2pa_rules() {
    for bad in ["", "a/b", "a;b", "a?b", "a#b", "a\u{1}", "\u{feff}"] {
        assert!(check_label(bad).is_err(), "{bad:?}");
    }
    check_label("c2pa.assertions").unwrap();
    check_label("urn:c2pa:5E7B01FC-4932-4BAB-AB32-D4F12A8AA322").unwrap();
}

#[test]
fn xlbox_parses_and_lbox_zero_is_refused() {
    // LBox = 1 with XLBox.
    let mut d = c2pa_uuid(*b"cbor").to_vec();
    d.push(0);
    let desc = content(b"jumd", &d);
    let mut bytes = 1u32.to_be_bytes().to_vec();
    bytes.extend_from_slice(b"jumb");
    bytes.extend_from_slice(&(16u64 + u64::try_from(desc.len()).unwrap()).to_be_bytes());
    bytes.extend_from_slice(&desc);
    let root = parse(&bytes, &Limits::default()).unwrap();
    assert_eq!(root.span.header_len, 16);
    // LBox = 0 ("to the end of the data") is refused, on the outer box and on a child.
    let mut zero = 0u32.to_be_bytes().to_vec();
    zero.extend_from_slice(b"jumb");
    zero.extend_from_slice(&desc);
    assert_eq!(
        parse(&zero, &Limits::default()).unwrap_err(),
        JumbfError::ZeroLength { offset: 0 }
    );
    let mut child = 0u32.to_be_bytes().to_vec();
    child.extend_from_slice(b"cbor");
    child.extend_from_slice(&[0xa0]);
    let mut payload = desc.clone();
    payload.extend_from_slice(&child);
    let outer = content(b"jumb", &payload);
    assert_eq!(
        parse(&outer, &Limits::default()).unwrap_err(),
        JumbfError::ZeroLength {
            offset: 8 + desc.len()
        }
    );
}
