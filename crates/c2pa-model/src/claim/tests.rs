//! Claim decoding tests.

use ciborium::Value;

use super::*;

fn text(s: &str) -> Value {
    Value::Text(s.to_owned())
}

fn uri(url: &str) -> Value {
    Value::Map(vec![
        (text("url"), text(url)),
        (text("hash"), Value::Bytes(vec![1, 2, 3])),
    ])
}

fn encode(v: &Value) -> Vec<u8> {
    cbor::encode(v).unwrap()
}

#[test]
fn decodes_a_v2_claim() {
    let claim = Value::Map(vec![
        (text("instanceID"), text("xmp:iid:1")),
        (
            text("claim_generator_info"),
            Value::Map(vec![(text("name"), text("signet"))]),
        ),
        (text("signature"), text("self#jumbf=c2pa.signature")),
        (
            text("created_assertions"),
            Value::Array(vec![uri("self#jumbf=c2pa.assertions/c2pa.hash.data")]),
        ),
        (text("alg"), text("sha256")),
    ]);
    let c = Claim::from_cbor(&encode(&claim), ClaimVersion::V2).unwrap();
    assert_eq!(c.instance_id.as_deref(), Some("xmp:iid:1"));
    assert_eq!(c.created_assertions.len(), 1);
    assert_eq!(c.created_assertions[0].hash, vec![1, 2, 3]);
    assert!(c.missing_required().is_empty());
}

#[test]
fn reports_missing_and_mistyped_fields() {
    let claim = Value::Map(vec![(text("signature"), text("self#jumbf=c2pa.signature"))]);
    let c = Claim::from_cbor(&encode(&claim), ClaimVersion::V2).unwrap();
    assert_eq!(
        c.missing_required(),
        ["instanceID", "claim_generator_info", "created_assertions"]
    );
    let bad = Value::Map(vec![(text("instanceID"), Value::Integer(3.into()))]);
    assert_eq!(
        Claim::from_cbor(&encode(&bad), ClaimVersion::V2),
        Err(CborError::WrongType {
            field: "instanceID",
            expected: "text string"
        })
    );
    let mut trailing = encode(&claim);
    trailing.push(0);
    assert_eq!(
        Claim::from_cbor(&trailing, ClaimVersion::V2),
        Err(CborError::TrailingData { remaining: 1 })
    );
}

#[test]
fn deep_cbor_is_rejected() {
    let mut bytes = vec![0x81u8; 10_000];
    bytes.push(0x00);
    assert!(matches!(
        Claim::from_cbor(&bytes, ClaimVersion::V2),
        Err(CborError::TooDeep { .. })
    ));
}
