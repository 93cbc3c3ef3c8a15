//! RFC 3161 client tests against responses made by `openssl ts -reply` (the asn1-types
//! examples, see `crates/asn1-types/tests/examples/README.md`).
#![allow(
    clippy::disallowed_methods,
    reason = "tests read the committed examples from disk"
)]

use signet_asn1_types::tsp::TimeStampReq;

use super::*;

fn example(name: &str) -> Vec<u8> {
    std::fs::read(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../asn1-types/tests/examples")
            .join(name),
    )
    .unwrap()
}

#[test]
fn requests_carry_the_imprint_a_nonce_and_cert_req() {
    let r = request(b"signature bytes", HashAlg::Sha256, &[0xFF; 8]).unwrap();
    let decoded = TimeStampReq::from_der_strict(&r.der).unwrap();
    assert!(decoded.cert_req);
    assert_eq!(decoded.message_imprint.hash_algorithm.oid, ID_SHA256);
    assert_eq!(
        decoded.message_imprint.hashed_message.as_bytes(),
        HashAlg::Sha256.digest(b"signature bytes").as_slice()
    );
    // The top bit is cleared so the nonce is a positive INTEGER.
    let nonce = decoded.nonce.unwrap();
    assert_eq!(nonce.as_bytes()[0], 0x7F);
    assert_eq!(Request::parse(&r.der).unwrap(), r);
    let r384 = request(b"x", HashAlg::Sha384, &[1, 2, 3]).unwrap();
    let decoded = TimeStampReq::from_der_strict(&r384.der).unwrap();
    assert_eq!(decoded.message_imprint.hash_algorithm.oid, ID_SHA384);
    assert_eq!(
        request(b"x", HashAlg::Sha256, &[]),
        Err(TimeStampError::Nonce)
    );
}

#[test]
fn an_openssl_reply_yields_its_token_bytes() {
    let req = Request::parse(&example("tsp-request.der")).unwrap();
    let resp = example("tsp-response.der");
    let token = token_from_response(&resp, &req).unwrap();
    assert!(resp.ends_with(&token));
    assert_eq!(token[0], 0x30);
    // Same imprint, another nonce: not this request's answer.
    let mut replayed = req.clone();
    replayed.nonce = Int::new(&[0x42]).unwrap();
    assert_eq!(
        token_from_response(&resp, &replayed),
        Err(TimeStampError::NonceMismatch)
    );
    // Another request's answer is refused.
    let other = request(b"something else", HashAlg::Sha256, &[9; 8]).unwrap();
    assert_eq!(
        token_from_response(&resp, &other),
        Err(TimeStampError::ImprintMismatch)
    );
}

#[test]
fn refusals_and_garbage_are_specific_errors() {
    let req = Request::parse(&example("tsp-request.der")).unwrap();
    assert!(matches!(
        token_from_response(&example("tsp-response-rejection.der"), &req),
        Err(TimeStampError::NotGranted { .. })
    ));
    assert!(matches!(
        token_from_response(&[0x30, 0x03, 0x02, 0x01], &req),
        Err(TimeStampError::Der { .. })
    ));
    // A request without a nonce cannot be matched to its answer.
    assert_eq!(
        Request::parse(&example("tsp-request-nononce.der")),
        Err(TimeStampError::Nonce)
    );
}
