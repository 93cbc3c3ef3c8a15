//! Tests for canonical-DER decoding.

use super::decode_canonical;
use crate::ocsp::TbsRequest;

#[test]
fn encoded_default_is_rejected() {
    // TBSRequest { version [0] v1 (its DEFAULT, encoded), requestList {} }: `der` alone
    // decodes it; DER forbids it (X.690 §11.5).
    let bytes = [0x30, 0x07, 0xa0, 0x03, 0x02, 0x01, 0x00, 0x30, 0x00];
    assert!(<TbsRequest as der::Decode>::from_der(&bytes).is_ok());
    let err = decode_canonical::<TbsRequest>(&bytes).unwrap_err();
    assert_eq!(
        err.kind(),
        der::ErrorKind::Noncanonical {
            tag: der::Tag::Sequence
        }
    );
    // The DER form is accepted.
    assert!(decode_canonical::<TbsRequest>(&[0x30, 0x02, 0x30, 0x00]).is_ok());
    // Trailing data and bad lengths are still the decoder's errors.
    assert!(decode_canonical::<TbsRequest>(&[0x30, 0x02, 0x30, 0x00, 0x00]).is_err());
    assert!(decode_canonical::<TbsRequest>(&[0x30, 0x81, 0x02, 0x30, 0x00]).is_err());
}
