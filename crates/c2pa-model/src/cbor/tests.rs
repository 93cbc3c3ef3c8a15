//! Bounded CBOR decoding: well-formedness, declared lengths, depth and item limits.

use super::*;

fn err(bytes: &[u8]) -> CborError {
    decode(bytes).unwrap_err()
}

#[test]
fn decodes_well_formed_items_of_every_major_type() {
    // {"a": [1, -2, h'0102', "x", 1.5, true, null, 0("2020-01-01T00:00:00Z")]}
    let v = canonical_map(vec![(
        "a",
        Value::Array(vec![
            uint(1),
            Value::Integer((-2).into()),
            Value::Bytes(vec![1, 2]),
            text("x"),
            Value::Float(1.5),
            Value::Bool(true),
            Value::Null,
            tdate("2020-01-01T00:00:00Z"),
        ]),
    )]);
    let bytes = encode(&v).unwrap();
    assert_eq!(scan(&bytes, &Limits::default()).unwrap(), bytes.len());
    assert_eq!(decode(&bytes).unwrap(), v);
}

#[test]
fn indefinite_lengths_are_scanned() {
    // [_ 1, (_ h'01', h'02'), {_ "k": 2}]
    let bytes = [
        0x9f, 0x01, 0x5f, 0x41, 0x01, 0x41, 0x02, 0xff, 0xbf, 0x61, b'k', 0x02, 0xff, 0xff,
    ];
    assert_eq!(scan(&bytes, &Limits::default()).unwrap(), bytes.len());
    let v = decode(&bytes).unwrap();
    assert_eq!(v.as_array().unwrap().len(), 3);
    // A text chunk inside an indefinite byte string is ill-formed.
    assert!(matches!(
        err(&[0x5f, 0x61, b'a', 0xff]),
        CborError::Invalid { .. }
    ));
    // A break outside an indefinite-length item.
    assert!(matches!(err(&[0x81, 0xff]), CborError::Invalid { .. }));
    // An unterminated indefinite array.
    assert!(matches!(err(&[0x9f, 0x01]), CborError::Invalid { .. }));
}

#[test]
fn declared_lengths_beyond_the_data_fail_before_allocation() {
    // A byte string claiming 2^64-1 bytes, an array claiming 2^32 items, a map claiming 2^63.
    for bytes in [
        &[0x5b, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff][..],
        &[0x9b, 0, 0, 0, 1, 0, 0, 0, 0][..],
        &[0xbb, 0x80, 0, 0, 0, 0, 0, 0, 0][..],
        &[0x7a, 0, 0, 0, 5, b'a'][..],
    ] {
        assert!(
            matches!(err(bytes), CborError::Invalid { .. }),
            "{bytes:02x?}"
        );
    }
}

#[test]
fn ill_formed_heads_are_rejected() {
    for bytes in [
        &[0x1c][..],       // reserved additional information
        &[0x1f][..],       // indefinite unsigned integer
        &[0xdf, 0x00][..], // indefinite tag
        &[0xf8, 0x10][..], // two-byte simple value below 32
        &[0x19, 0x01][..], // truncated argument
        &[][..],
    ] {
        assert!(
            matches!(err(bytes), CborError::Invalid { .. }),
            "{bytes:02x?}"
        );
    }
    assert_eq!(err(&[0x01, 0x02]), CborError::TrailingData { remaining: 1 });
}

#[test]
fn depth_and_item_limits_hold() {
    let nested = |depth: usize| {
        let mut v = vec![0x81u8; depth];
        v.push(0x00);
        v
    };
    assert!(decode(&nested(MAX_CBOR_DEPTH)).is_ok());
    assert_eq!(
        err(&nested(MAX_CBOR_DEPTH + 1)),
        CborError::TooDeep {
            limit: MAX_CBOR_DEPTH
        }
    );
    // Tags count as nesting too.
    let mut tags = vec![0xc6u8; MAX_CBOR_DEPTH + 1];
    tags.push(0x00);
    assert!(matches!(err(&tags), CborError::TooDeep { .. }));
    // A very deep input is refused by the iterative scan without recursion.
    assert!(matches!(err(&nested(1_000_000)), CborError::TooDeep { .. }));

    let limits = Limits {
        max_depth: 4,
        max_items: 10,
    };
    let mut many = vec![0x8a]; // array of 10
    many.extend([0u8; 10]);
    assert!(matches!(
        decode_with(&many, &limits),
        Err(CborError::TooManyItems { limit: 10 })
    ));
    let mut nine = vec![0x89];
    nine.extend([0u8; 9]);
    assert!(decode_with(&nine, &limits).is_ok());
}

#[test]
fn null_fields_read_as_absent() {
    let v = canonical_map(vec![("a", Value::Null), ("b", text("x"))]);
    let m = Map::new(&v, "m").unwrap();
    assert_eq!(m.opt_text("a").unwrap(), None);
    assert_eq!(m.text("b").unwrap(), "x");
    assert_eq!(m.text("a"), Err(CborError::Missing { field: "a" }));
    assert_eq!(m.other(&["b"]).len(), 1);
}

#[test]
fn json_values_become_cbor() {
    let json = serde_json::json!({"a": [1, -2, 1.5, "x", true, null], "b": {"c": 18446744073709551615u64}});
    let v = from_json(&json);
    let m = Map::new(&v, "m").unwrap();
    let a = m.array("a").unwrap();
    assert_eq!(a[0], uint(1));
    assert_eq!(a[1], Value::Integer((-2).into()));
    assert_eq!(a[2], Value::Float(1.5));
    assert_eq!(a[5], Value::Null);
    assert_eq!(m.opt_map("b").unwrap().unwrap().u64("c").unwrap(), u64::MAX);
    assert_eq!(decode(&encode(&v).unwrap()).unwrap(), v);
}
