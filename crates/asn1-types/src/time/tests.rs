//! Tests for `GeneralizedTimeFrac`: DER acceptance, rejection and byte-exact re-encoding.

use der::asn1::GeneralizedTime;
use der::{DateTime, Decode, Encode};

use super::{GeneralizedTimeFrac, TimeFracError};

/// Wraps an ASCII value in a GeneralizedTime TLV.
fn tlv(value: &str) -> Vec<u8> {
    let mut out = vec![0x18, u8::try_from(value.len()).unwrap()];
    out.extend_from_slice(value.as_bytes());
    out
}

/// Decodes `value`; on success checks the re-encoding is byte-identical and returns
/// (unix seconds, nanos, digits).
fn check(value: &str) -> Result<(u64, u32, usize), der::Error> {
    let bytes = tlv(value);
    let t = GeneralizedTimeFrac::from_der(&bytes)?;
    assert_eq!(t.to_der().unwrap(), bytes, "re-encoding of {value}");
    Ok((
        t.whole_seconds().unix_duration().as_secs(),
        t.subsec_nanos(),
        t.fraction_digits(),
    ))
}

#[test]
fn accepts_der_forms() {
    // 2024-01-02T03:04:05Z = 1704164645
    assert_eq!(check("20240102030405Z").unwrap(), (1_704_164_645, 0, 0));
    assert_eq!(
        check("20240102030405.5Z").unwrap(),
        (1_704_164_645, 500_000_000, 1)
    );
    assert_eq!(
        check("20240102030405.123Z").unwrap(),
        (1_704_164_645, 123_000_000, 3)
    );
    assert_eq!(
        check("20240102030405.000001Z").unwrap(),
        (1_704_164_645, 1_000, 6)
    );
    assert_eq!(
        check("20240102030405.123456789Z").unwrap(),
        (1_704_164_645, 123_456_789, 9)
    );
}

#[test]
fn rejects_non_der_forms() {
    for bad in [
        "20240102030405.50Z", // trailing zero
        "20240102030405.0Z",  // zero fraction must be omitted
        "20240102030405.Z",   // dot without digits
        "20240102030405,5Z",  // comma separator
        "20240102030405.5",   // no Z
        "20240102030405.5+0100",
        "202401020304Z",              // no seconds
        "20240102030405",             // no zone
        "20241302030405Z",            // month 13
        "20240102030460Z",            // second 60
        "2024010203040aZ",            // non-digit
        "20240102030405.1234567891Z", // ten digits: over MAX_FRACTION_DIGITS
        "20240102030405.1a3Z",
        "",
    ] {
        assert!(check(bad).is_err(), "{bad:?} must be rejected");
    }
}

#[test]
fn rejects_wrong_tag() {
    let mut bytes = tlv("20240102030405Z");
    bytes[0] = 0x17; // UTCTime
    assert!(GeneralizedTimeFrac::from_der(&bytes).is_err());
}

#[test]
fn new_uses_fewest_digits() {
    let dt = DateTime::new(2024, 1, 2, 3, 4, 5).unwrap();
    let t = GeneralizedTimeFrac::new(dt, 120_000_000).unwrap();
    assert_eq!(t.fraction_digits(), 2);
    assert_eq!(t.to_der().unwrap(), tlv("20240102030405.12Z"));
    assert_eq!(t.to_string(), "2024-01-02T03:04:05.12Z");
    let t = GeneralizedTimeFrac::new(dt, 0).unwrap();
    assert_eq!(t.to_der().unwrap(), tlv("20240102030405Z"));
    assert_eq!(
        GeneralizedTimeFrac::new(dt, 1_000_000_000),
        Err(TimeFracError::NanosOutOfRange {
            nanos: 1_000_000_000
        })
    );
}

#[test]
fn agrees_with_der_generalized_time_without_fraction() {
    let bytes = tlv("19991231235959Z");
    let ours = GeneralizedTimeFrac::from_der(&bytes).unwrap();
    let theirs = GeneralizedTime::from_der(&bytes).unwrap();
    assert_eq!(ours.truncate(), theirs);
    assert_eq!(GeneralizedTimeFrac::from(theirs), ours);
    assert_eq!(ours.to_unix_duration(), theirs.to_unix_duration());
}

#[test]
fn orders_by_instant() {
    let a = GeneralizedTimeFrac::from_der(&tlv("20240102030405.09Z")).unwrap();
    let b = GeneralizedTimeFrac::from_der(&tlv("20240102030405.1Z")).unwrap();
    let c = GeneralizedTimeFrac::from_der(&tlv("20240102030406Z")).unwrap();
    assert!(a < b && b < c);
}

proptest::proptest! {
    #[test]
    fn roundtrips_any_fraction(secs in 0u64..253_402_300_799, nanos in 0u32..1_000_000_000) {
        let dt = DateTime::from_unix_duration(core::time::Duration::from_secs(secs)).unwrap();
        let t = GeneralizedTimeFrac::new(dt, nanos).unwrap();
        let der = t.to_der().unwrap();
        let back = GeneralizedTimeFrac::from_der(&der).unwrap();
        proptest::prop_assert_eq!(back, t);
        proptest::prop_assert_eq!(back.to_der().unwrap(), der);
    }
}
