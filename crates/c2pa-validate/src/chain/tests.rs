//! Unit tests of the webpki adapter.

use rustls_pki_types::alg_id;
use signet_asn1_types::der::Decode;
use signet_asn1_types::spki::SubjectPublicKeyInfoRef;

use super::{der_len, spki_der};

#[test]
fn rebuilt_spki_parses_with_the_key_and_algorithm() {
    let key = [4u8; 65];
    let der = spki_der(&alg_id::ECDSA_P256, &key);
    let spki = SubjectPublicKeyInfoRef::from_der(&der).unwrap();
    assert_eq!(spki.subject_public_key.as_bytes(), Some(&key[..]));
    assert_eq!(spki.algorithm.oid.to_string(), "1.2.840.10045.2.1");
    // A key long enough for a multi-byte length (RSA-4096 sized).
    let big = vec![7u8; 526];
    let der = spki_der(&alg_id::RSA_ENCRYPTION, &big);
    let spki = SubjectPublicKeyInfoRef::from_der(&der).unwrap();
    assert_eq!(spki.subject_public_key.as_bytes(), Some(&big[..]));
}

#[test]
fn der_lengths_are_minimal() {
    for (len, expect) in [
        (0usize, vec![0u8]),
        (127, vec![127]),
        (128, vec![0x81, 128]),
        (256, vec![0x82, 1, 0]),
        (70_000, vec![0x83, 0x01, 0x11, 0x70]),
    ] {
        let mut out = Vec::new();
        der_len(&mut out, len);
        assert_eq!(out, expect, "{len}");
    }
}
