//! The direct reader against the general path: where it reads a claim, it reads exactly what
//! the general path reads; where it does not, the general path still does.

use ciborium::Value;
use proptest::prelude::*;

use super::super::{Claim, ClaimVersion};
use super::decode;
use crate::cbor::{self, Limits};

fn text(s: &str) -> Value {
    Value::Text(s.to_owned())
}

fn uri(url: &str, alg: Option<&str>) -> Value {
    let mut entries = vec![(text("url"), text(url))];
    if let Some(alg) = alg {
        entries.push((text("alg"), text(alg)));
    }
    entries.push((text("hash"), Value::Bytes(vec![7; 32])));
    Value::Map(entries)
}

fn v2_claim() -> Value {
    Value::Map(vec![
        (text("instanceID"), text("xmp:iid:1")),
        (
            text("claim_generator_info"),
            Value::Map(vec![(text("name"), text("signet"))]),
        ),
        (text("signature"), text("self#jumbf=c2pa.signature")),
        (
            text("created_assertions"),
            Value::Array(vec![
                uri("self#jumbf=c2pa.assertions/c2pa.hash.data", None),
                uri("self#jumbf=c2pa.assertions/c2pa.actions.v2", Some("sha384")),
            ]),
        ),
        (
            text("gathered_assertions"),
            Value::Array(vec![uri("self#jumbf=c2pa.assertions/x.custom", None)]),
        ),
        (
            text("redacted_assertions"),
            Value::Array(vec![text("self#jumbf=/c2pa/urn:c2pa:1/c2pa.assertions/y")]),
        ),
        (text("alg"), text("sha256")),
        (text("vendor.field"), Value::Integer(5.into())),
        (Value::Integer(1.into()), Value::Bool(true)),
    ])
}

fn general(bytes: &[u8], version: ClaimVersion) -> Result<Claim, crate::error::CborError> {
    Claim::general(bytes, version, &Limits::default())
}

#[test]
fn reads_a_claim_as_the_general_path_does() {
    let bytes = cbor::encode(&v2_claim()).unwrap();
    let fast = decode(&bytes, ClaimVersion::V2, &Limits::default()).expect("read directly");
    assert_eq!(Ok(&fast), general(&bytes, ClaimVersion::V2).as_ref());
    assert_eq!(fast.created_assertions.len(), 2);
    assert_eq!(fast.created_assertions[1].alg.as_deref(), Some("sha384"));
    assert_eq!(fast.gathered_assertions.len(), 1);
    // Unknown entries, non-text keys included, kept in order.
    assert_eq!(
        fast.other,
        [
            (text("vendor.field"), Value::Integer(5.into())),
            (Value::Integer(1.into()), Value::Bool(true)),
        ]
    );
}

#[test]
fn a_v1_claim_keeps_its_assertions_and_a_v2_claim_keeps_v1_assertions_as_unknown() {
    let v1 = Value::Map(vec![
        (text("claim_generator"), text("old/1.0")),
        (
            text("assertions"),
            Value::Array(vec![uri("self#jumbf=c2pa.assertions/c2pa.hash.data", None)]),
        ),
    ]);
    let bytes = cbor::encode(&v1).unwrap();
    let c = decode(&bytes, ClaimVersion::V1, &Limits::default()).unwrap();
    assert_eq!(c.created_assertions.len(), 1);
    assert!(c.other.is_empty());
    let c = decode(&bytes, ClaimVersion::V2, &Limits::default()).unwrap();
    assert!(c.created_assertions.is_empty());
    assert_eq!(c.other.len(), 1);
    assert_eq!(Ok(c), general(&bytes, ClaimVersion::V2));
}

#[test]
fn leaves_the_unusual_to_the_general_path() {
    // A field twice (the general path reads the first that is not null).
    let twice = Value::Map(vec![
        (text("created_assertions"), Value::Null),
        (
            text("created_assertions"),
            Value::Array(vec![uri("self#jumbf=a/b", None)]),
        ),
    ]);
    let bytes = cbor::encode(&twice).unwrap();
    assert_eq!(decode(&bytes, ClaimVersion::V2, &Limits::default()), None);
    let c = Claim::from_cbor(&bytes, ClaimVersion::V2).unwrap();
    assert_eq!(c.created_assertions.len(), 1);

    // A hash written as an array of integers (c2pa-rs before 0.10).
    let old_hash = Value::Map(vec![(
        text("created_assertions"),
        Value::Array(vec![Value::Map(vec![
            (text("url"), text("self#jumbf=a/b")),
            (text("hash"), Value::Array(vec![Value::Integer(1.into())])),
        ])]),
    )]);
    let bytes = cbor::encode(&old_hash).unwrap();
    assert_eq!(decode(&bytes, ClaimVersion::V2, &Limits::default()), None);
    let c = Claim::from_cbor(&bytes, ClaimVersion::V2).unwrap();
    assert_eq!(c.created_assertions[0].hash, [1]);

    // Indefinite lengths: a map (0xbf … 0xff) holding an indefinite array (0x9f … 0xff).
    let mut bytes = vec![0xbf];
    bytes.extend(cbor::encode(&text("created_assertions")).unwrap());
    bytes.push(0x9f);
    bytes.extend(cbor::encode(&uri("self#jumbf=a/b", None)).unwrap());
    bytes.extend([0xff, 0xff]);
    assert_eq!(decode(&bytes, ClaimVersion::V2, &Limits::default()), None);
    let c = Claim::from_cbor(&bytes, ClaimVersion::V2).unwrap();
    assert_eq!(c.created_assertions.len(), 1);

    // Errors are the general path's.
    let missing_hash = Value::Map(vec![(
        text("created_assertions"),
        Value::Array(vec![Value::Map(vec![(
            text("url"),
            text("self#jumbf=a/b"),
        )])]),
    )]);
    let bytes = cbor::encode(&missing_hash).unwrap();
    assert_eq!(decode(&bytes, ClaimVersion::V2, &Limits::default()), None);
    assert_eq!(
        Claim::from_cbor(&bytes, ClaimVersion::V2),
        Err(crate::error::CborError::Missing { field: "hash" })
    );
}

/// Values a claim field might hold, hostile ones included.
fn field_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| Value::Integer(n.into())),
        "[a-z:#=/.]{0,12}".prop_map(Value::Text),
        proptest::collection::vec(any::<u8>(), 0..8).prop_map(Value::Bytes),
    ];
    leaf.prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            proptest::collection::vec((hashed_uri_key().prop_map(Value::Text), inner), 0..4)
                .prop_map(Value::Map),
        ]
    })
}

fn hashed_uri_key() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("url".to_owned()),
        Just("hash".to_owned()),
        Just("alg".to_owned()),
        "[a-z]{1,4}",
    ]
}

/// A hashed-uri-map, usually well-formed, sometimes not.
fn hashed_uri() -> impl Strategy<Value = Value> {
    prop_oneof![
        4 => ("[a-z/#=.]{1,20}", proptest::option::of("sha(256|384|512)"), proptest::collection::vec(any::<u8>(), 0..40), any::<bool>())
            .prop_map(|(url, alg, hash, extra)| {
                let mut entries = vec![(text("url"), Value::Text(url))];
                if let Some(alg) = alg {
                    entries.push((text("alg"), Value::Text(alg)));
                }
                entries.push((text("hash"), Value::Bytes(hash)));
                if extra {
                    entries.push((text("note"), Value::Array(vec![Value::Null])));
                }
                Value::Map(entries)
            }),
        1 => field_value(),
    ]
}

fn claim_key() -> impl Strategy<Value = Value> {
    prop_oneof![
        prop::sample::select(
            &[
                "instanceID",
                "claim_generator",
                "claim_generator_info",
                "signature",
                "assertions",
                "created_assertions",
                "gathered_assertions",
                "redacted_assertions",
                "alg",
                "alg_soft",
                "dc:title",
                "dc:format",
                "vendor",
            ][..]
        )
        .prop_map(text),
        any::<u8>().prop_map(|n| Value::Integer(n.into())),
    ]
}

fn claim_value() -> impl Strategy<Value = Value> {
    prop_oneof![
        2 => proptest::collection::vec(hashed_uri(), 0..6).prop_map(Value::Array),
        1 => "[a-z:#=/.]{0,12}".prop_map(Value::Text),
        1 => field_value(),
    ]
}

proptest! {
    #[test]
    fn where_it_reads_a_claim_the_general_path_reads_the_same(
        entries in proptest::collection::vec((claim_key(), claim_value()), 0..10),
        v1 in any::<bool>(),
    ) {
        let version = if v1 { ClaimVersion::V1 } else { ClaimVersion::V2 };
        let bytes = cbor::encode(&Value::Map(entries)).unwrap();
        if let Some(fast) = decode(&bytes, version, &Limits::default()) {
            prop_assert_eq!(Ok(fast), general(&bytes, version));
        }
    }

    #[test]
    fn it_reads_every_well_formed_claim(
        created in proptest::collection::vec(("[a-z/#=.]{1,20}", proptest::collection::vec(any::<u8>(), 0..40)), 0..20),
        extra in proptest::collection::vec(("x[a-z]{0,6}", field_value()), 0..4),
    ) {
        let uris = created.iter().map(|(u, h)| Value::Map(vec![
            (text("url"), text(u)),
            (text("hash"), Value::Bytes(h.clone())),
        ])).collect();
        let mut entries = vec![
            (text("instanceID"), text("xmp:iid:1")),
            (text("created_assertions"), Value::Array(uris)),
        ];
        // Distinct unknown keys.
        let mut seen = std::collections::BTreeSet::new();
        for (k, v) in extra {
            if seen.insert(k.clone()) {
                entries.push((Value::Text(k), v));
            }
        }
        let bytes = cbor::encode(&Value::Map(entries)).unwrap();
        let fast = decode(&bytes, ClaimVersion::V2, &Limits::default());
        prop_assert!(fast.is_some());
        prop_assert_eq!(fast.map(|c| c.created_assertions.len()), Some(created.len()));
    }
}
