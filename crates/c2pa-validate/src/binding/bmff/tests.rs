//! BMFF hash arrays that the CDDL requires to hold at least one entry (`[1* …]`): present
//! but empty is `assertion.bmffHash.malformed`, not the same as absent (issue 15).

use std::io::Cursor;

use ciborium::Value;
use signet_c2pa_model::HashAlg;

use super::bmff_hash;
use crate::binding::Sha2Hashes;
use crate::limits::Limits;
use crate::status::StatusCode;

fn text(s: &str) -> Value {
    Value::Text(s.to_owned())
}

/// `ftyp` and an `mdat`: the smallest file a BMFF hash walks.
fn asset() -> Vec<u8> {
    let mut v = Vec::new();
    v.extend_from_slice(&16u32.to_be_bytes());
    v.extend_from_slice(b"ftypisom\0\0\0\0");
    v.extend_from_slice(&12u32.to_be_bytes());
    v.extend_from_slice(b"mdatdata");
    v
}

fn codes(value: &Value) -> Vec<(StatusCode, String)> {
    let bytes = asset();
    bmff_hash(
        value,
        Some(HashAlg::Sha256),
        &mut Cursor::new(bytes),
        &Limits::default(),
        &Sha2Hashes,
    )
}

fn bmff(exclusion: Vec<(Value, Value)>, extra: Vec<(Value, Value)>) -> Value {
    let mut e = vec![(text("xpath"), text("/uuid"))];
    e.extend(exclusion);
    let mut m = vec![
        (text("exclusions"), Value::Array(vec![Value::Map(e)])),
        (text("alg"), text("sha256")),
        (text("hash"), Value::Bytes(vec![0; 32])),
    ];
    m.extend(extra);
    Value::Map(m)
}

#[test]
fn empty_one_or_more_arrays_are_malformed() {
    for (value, what) in [
        (
            bmff(vec![], vec![(text("merkle"), Value::Array(vec![]))]),
            "merkle is an empty array",
        ),
        (
            bmff(vec![(text("data"), Value::Array(vec![]))], vec![]),
            "`data` is an empty array",
        ),
        (
            bmff(vec![(text("subset"), Value::Array(vec![]))], vec![]),
            "`subset` is an empty array",
        ),
    ] {
        let c = codes(&value);
        assert_eq!(c.len(), 1, "{c:?}");
        assert_eq!(c[0].0, StatusCode::AssertionBmffHashMalformed, "{c:?}");
        assert!(c[0].1.contains(what), "{c:?}");
    }
    // Without them the same hash is judged on its value: a mismatch, not malformed.
    let c = codes(&bmff(vec![], vec![]));
    assert_eq!(c[0].0, StatusCode::AssertionBmffHashMismatch, "{c:?}");
}
