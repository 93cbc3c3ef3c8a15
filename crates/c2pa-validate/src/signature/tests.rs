//! Unit tests of claim signature helpers.

use ciborium::Value;
use coset::{CoseSign1Builder, HeaderBuilder, TaggedCborSerializable, iana};
use signet_c2pa_model::ClaimSignature;

use super::iat;

fn signature_with(protected: coset::Header) -> ClaimSignature {
    let sign1 = CoseSign1Builder::new()
        .protected(protected)
        .signature(vec![0; 64])
        .build();
    let bytes = sign1.to_tagged_vec().unwrap();
    // Re-read so the protected header keeps its bytes, as a received signature does.
    let parsed = coset::CoseSign1::from_tagged_slice(&bytes).unwrap();
    ClaimSignature::parse(&parsed.to_tagged_vec().unwrap()).unwrap()
}

#[test]
fn iat_is_read_from_the_text_label_or_cwt_claims() {
    let text = HeaderBuilder::new()
        .algorithm(iana::Algorithm::ES256)
        .text_value("iat".into(), Value::Integer(1_700_000_000.into()))
        .value(33, Value::Bytes(vec![0x30]))
        .build();
    let t = iat(&signature_with(text)).unwrap();
    assert_eq!(t.unix_duration().as_secs(), 1_700_000_000);
    let cwt = HeaderBuilder::new()
        .algorithm(iana::Algorithm::ES256)
        .value(
            15,
            Value::Map(vec![(
                Value::Integer(6.into()),
                Value::Integer(1_600_000_000.into()),
            )]),
        )
        .value(33, Value::Bytes(vec![0x30]))
        .build();
    assert_eq!(
        iat(&signature_with(cwt)).unwrap().unix_duration().as_secs(),
        1_600_000_000
    );
    let none = HeaderBuilder::new()
        .algorithm(iana::Algorithm::ES256)
        .value(33, Value::Bytes(vec![0x30]))
        .build();
    assert!(iat(&signature_with(none)).is_none());
}
