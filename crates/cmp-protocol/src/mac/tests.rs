//! Tests for the MAC primitives: RFC test vectors, bounds checked before work, and the
//! PasswordBasedMac cross-check against real `openssl cmp` messages.

use hex_literal::hex;
use signet_asn1_types::algorithm::DigestAlgorithm;

use super::{
    HmacAlgorithm, MAX_PBKDF2_KEY_LEN, MacError, hmac, hmac_verify, hmac_verify_truncated,
    pbkdf2_hmac, pbm_basekey, pbm_mac,
};

#[test]
fn hmac_rfc4231_case2() {
    // RFC 4231 §4.3 (key "Jefe") and RFC 2202 §3 test case 2 for HMAC-SHA1.
    let key = b"Jefe";
    let data = b"what do ya want for nothing?";
    let cases: [(HmacAlgorithm, &[u8]); 4] = [
        (
            HmacAlgorithm::Sha1,
            &hex!("effcdf6ae5eb2fa2d27416d5f184df9c259a7c79"),
        ),
        (
            HmacAlgorithm::Sha256,
            &hex!("5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"),
        ),
        (
            HmacAlgorithm::Sha384,
            &hex!(
                "af45d2e376484031617f78d2b58a6b1b9c7ef464f5a01b47e42ec3736322445e"
                "8e2240ca5e69e2c78b3239ecfab21649"
            ),
        ),
        (
            HmacAlgorithm::Sha512,
            &hex!(
                "164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea250554"
                "9758bf75c05a994a6d034f65f8f0e6fdcaeab1a34d4a6b4b636e070a38bce737"
            ),
        ),
    ];
    for (alg, tag) in cases {
        assert_eq!(hmac(alg, key, data), tag, "{alg:?}");
        assert_eq!(hmac_verify(alg, key, data, tag), Ok(()));
        let mut bad = tag.to_vec();
        bad[0] ^= 0x80;
        assert_eq!(hmac_verify(alg, key, data, &bad), Err(MacError::Mismatch));
        assert_eq!(
            hmac_verify(alg, key, data, &tag[..16]),
            Err(MacError::TagLength {
                len: 16,
                min: alg.output_len(),
                max: alg.output_len()
            })
        );
        // Truncated to 128 bits: accepted by the truncating verifier.
        assert_eq!(hmac_verify_truncated(alg, key, data, &tag[..16]), Ok(()));
        assert_eq!(
            hmac_verify_truncated(alg, key, b"other", &tag[..16]),
            Err(MacError::Mismatch)
        );
    }
}

#[test]
fn truncation_bounds() {
    let tag = hmac(HmacAlgorithm::Sha256, b"k", b"d");
    assert_eq!(
        hmac_verify_truncated(HmacAlgorithm::Sha256, b"k", b"d", &tag[..9]),
        Err(MacError::TagLength {
            len: 9,
            min: 10,
            max: 32
        })
    );
    assert_eq!(
        hmac_verify_truncated(HmacAlgorithm::Sha256, b"k", b"d", &tag[..10]),
        Ok(())
    );
    let mut long = tag.clone();
    long.push(0);
    assert!(matches!(
        hmac_verify_truncated(HmacAlgorithm::Sha256, b"k", b"d", &long),
        Err(MacError::TagLength { len: 33, .. })
    ));
    assert!(matches!(
        hmac_verify_truncated(HmacAlgorithm::Sha256, b"k", b"d", &[]),
        Err(MacError::TagLength { len: 0, .. })
    ));
}

#[test]
fn pbkdf2_rfc7914_vector() {
    // RFC 7914 §11: PBKDF2-HMAC-SHA256, P="passwd", S="salt", c=1, dkLen=64.
    let dk = pbkdf2_hmac(DigestAlgorithm::Sha256, b"passwd", b"salt", 1, 64, 10).unwrap();
    assert_eq!(
        dk.as_slice(),
        hex!(
            "55ac046e56e3089fec1691c22544b605f94185216dde0465e68b9d57c20dacbc"
            "49ca9cccf179b645991664b39d77ef317c71b845b1e30bd509112041d3a19783"
        )
    );
}

#[test]
fn pbkdf2_bounds_checked_before_work() {
    // A count that would take hours is refused immediately.
    assert_eq!(
        pbkdf2_hmac(DigestAlgorithm::Sha256, b"p", b"s", u64::MAX, 32, 100_000),
        Err(MacError::IterationCountTooLarge {
            count: u64::MAX,
            max: 100_000
        })
    );
    assert_eq!(
        pbkdf2_hmac(DigestAlgorithm::Sha256, b"p", b"s", 0, 32, 100_000),
        Err(MacError::IterationCountZero)
    );
    // Within the caller's bound but beyond what PBKDF2's 32-bit counter takes.
    assert!(matches!(
        pbkdf2_hmac(DigestAlgorithm::Sha512, b"p", b"s", 1 << 33, 32, u64::MAX),
        Err(MacError::IterationCountTooLarge { .. })
    ));
    assert_eq!(
        pbkdf2_hmac(
            DigestAlgorithm::Sha256,
            b"p",
            b"s",
            1,
            MAX_PBKDF2_KEY_LEN + 1,
            10
        ),
        Err(MacError::KeyLength {
            len: MAX_PBKDF2_KEY_LEN + 1,
            max: MAX_PBKDF2_KEY_LEN
        })
    );
    assert!(matches!(
        pbkdf2_hmac(DigestAlgorithm::Sha256, b"p", b"s", 1, 0, 10),
        Err(MacError::KeyLength { len: 0, .. })
    ));
    assert_eq!(
        pbkdf2_hmac(DigestAlgorithm::Sha1, b"p", b"s", 1, 32, 10),
        Err(MacError::UnsupportedDigest {
            digest: DigestAlgorithm::Sha1
        })
    );
    // SHA-384 and SHA-512 PRFs work and differ.
    let a = pbkdf2_hmac(DigestAlgorithm::Sha384, b"p", b"s", 2, 48, 10).unwrap();
    let b = pbkdf2_hmac(DigestAlgorithm::Sha512, b"p", b"s", 2, 48, 10).unwrap();
    assert_ne!(a, b);
}

#[test]
fn pbm_basekey_definition() {
    use sha2::Digest as _;
    // OWF^3(secret ‖ salt) computed by hand.
    let k1 = sha2::Sha256::digest(b"secretsalt");
    let k2 = sha2::Sha256::digest(k1);
    let k3 = sha2::Sha256::digest(k2);
    let key = pbm_basekey(DigestAlgorithm::Sha256, b"secret", b"salt", 3, 10).unwrap();
    assert_eq!(key.as_slice(), k3.as_slice());
    let key = pbm_basekey(DigestAlgorithm::Sha256, b"secret", b"salt", 1, 10).unwrap();
    assert_eq!(key.as_slice(), k1.as_slice());
    assert_eq!(
        pbm_basekey(DigestAlgorithm::Sha256, b"s", b"s", 11, 10),
        Err(MacError::IterationCountTooLarge { count: 11, max: 10 })
    );
    assert_eq!(
        pbm_basekey(DigestAlgorithm::Sha1, b"s", b"s", 0, 10),
        Err(MacError::IterationCountZero)
    );
}

// ---- cross-check against real `openssl cmp` messages ----

/// One DER TLV: (tag byte, whole TLV bytes, contents).
fn tlv(input: &[u8]) -> (u8, &[u8], &[u8], &[u8]) {
    let tag = input[0];
    let (len, hdr) = match input[1] {
        l @ 0..=0x7f => (usize::from(l), 2),
        0x81 => (usize::from(input[2]), 3),
        0x82 => (usize::from(input[2]) << 8 | usize::from(input[3]), 4),
        other => panic!("unsupported length form {other:#x}"),
    };
    let end = hdr + len;
    (tag, &input[..end], &input[hdr..end], &input[end..])
}

/// The children of a constructed value.
fn children(contents: &[u8]) -> Vec<(u8, &[u8], &[u8])> {
    let mut out = Vec::new();
    let mut rest = contents;
    while !rest.is_empty() {
        let (tag, whole, inner, next) = tlv(rest);
        out.push((tag, whole, inner));
        rest = next;
    }
    out
}

const OID_PBM: [u8; 9] = hex!("2a864886f67d07420d");

fn digest_from_oid(oid: &[u8]) -> DigestAlgorithm {
    match oid {
        x if x == hex!("608648016503040201") => DigestAlgorithm::Sha256,
        x if x == hex!("608648016503040202") => DigestAlgorithm::Sha384,
        x if x == hex!("2b0e03021a") => DigestAlgorithm::Sha1,
        other => panic!("unexpected owf {other:02x?}"),
    }
}

fn hmac_from_oid(oid: &[u8]) -> HmacAlgorithm {
    match oid {
        x if x == hex!("2b06010505080102") => HmacAlgorithm::Sha1, // hmac-sha1
        x if x == hex!("2a864886f70d0209") => HmacAlgorithm::Sha256, // id-hmacWithSHA256
        other => panic!("unexpected mac {other:02x?}"),
    }
}

/// Recomputes the PasswordBasedMac protection of a PKIMessage and compares it with the
/// `protection` BIT STRING. Returns the MAC algorithm found.
fn check_pbm_message(msg: &[u8], secret: &[u8]) -> (DigestAlgorithm, HmacAlgorithm) {
    // PKIMessage ::= SEQUENCE { header, body, [0] protection, [1] extraCerts OPTIONAL }
    let (tag, _, contents, trailing) = tlv(msg);
    assert_eq!((tag, trailing.len()), (0x30, 0));
    let parts = children(contents);
    let (header, body, protection) = (parts[0], parts[1], parts[2]);
    assert_eq!((header.0, protection.0), (0x30, 0xa0));
    // ProtectedPart ::= SEQUENCE { header, body }: the received bytes, re-wrapped.
    let inner = [header.1, body.1].concat();
    let mut protected_part = vec![0x30];
    match inner.len() {
        n @ 0..=0x7f => protected_part.push(u8::try_from(n).unwrap()),
        n @ 0x80..=0xff => protected_part.extend([0x81, u8::try_from(n).unwrap()]),
        n => protected_part.extend([
            0x82,
            u8::try_from(n >> 8).unwrap(),
            u8::try_from(n & 0xff).unwrap(),
        ]),
    }
    protected_part.extend_from_slice(&inner);
    // header: protectionAlg [1] AlgorithmIdentifier { id-PasswordBasedMac, PBMParameter }
    let alg = children(header.2)
        .into_iter()
        .find(|c| c.0 == 0xa1)
        .expect("protectionAlg");
    let alg_id = children(alg.2)[0];
    let fields = children(alg_id.2);
    assert_eq!(fields[0].2, OID_PBM);
    let pbm = children(fields[1].2);
    let salt = pbm[0].2;
    let owf = digest_from_oid(children(pbm[1].2)[0].2);
    let count = pbm[2]
        .2
        .iter()
        .fold(0u64, |acc, b| acc << 8 | u64::from(*b));
    let mac = hmac_from_oid(children(pbm[3].2)[0].2);
    // protection [0] PKIProtection (BIT STRING, no unused bits)
    let bits = children(protection.2)[0];
    assert_eq!((bits.0, bits.2[0]), (0x03, 0));
    let expected = &bits.2[1..];

    let ours = pbm_mac(owf, mac, secret, salt, count, 10_000, &protected_part).unwrap();
    assert_eq!(ours, expected);
    // And through the verifying path; a wrong secret fails.
    let key = pbm_basekey(owf, secret, salt, count, 10_000).unwrap();
    assert_eq!(hmac_verify(mac, &key, &protected_part, expected), Ok(()));
    let wrong = pbm_basekey(owf, b"1234-5678-9abd", salt, count, 10_000).unwrap();
    assert_eq!(
        hmac_verify(mac, &wrong, &protected_part, expected),
        Err(MacError::Mismatch)
    );
    // The same message's own iteration count refused by a tighter bound.
    assert_eq!(
        pbm_basekey(owf, secret, salt, count, count - 1),
        Err(MacError::IterationCountTooLarge {
            count,
            max: count - 1
        })
    );
    (owf, mac)
}

#[test]
fn pbm_matches_openssl_ir() {
    let msg = include_bytes!("../../tests/examples/ir_pbm.req.der");
    assert_eq!(
        check_pbm_message(msg, b"1234-5678-9abc"),
        (DigestAlgorithm::Sha256, HmacAlgorithm::Sha1)
    );
}

#[test]
fn pbm_matches_openssl_ir_hmac_sha256() {
    let msg = include_bytes!("../../tests/examples/ir_pbm_hmacWithSHA256.req.der");
    assert_eq!(
        check_pbm_message(msg, b"1234-5678-9abc"),
        (DigestAlgorithm::Sha384, HmacAlgorithm::Sha256)
    );
}
