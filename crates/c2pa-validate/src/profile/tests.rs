//! Unit tests of the profile helpers.

use super::rsa_modulus_bits;

fn rsa_public_key(modulus: &[u8]) -> Vec<u8> {
    // SEQUENCE { INTEGER modulus, INTEGER 65537 }
    let mut n = vec![0x02];
    let mut body = modulus.to_vec();
    if body.first().is_some_and(|b| b & 0x80 != 0) {
        body.insert(0, 0);
    }
    push_len(&mut n, body.len());
    n.extend_from_slice(&body);
    let e = [0x02, 0x03, 0x01, 0x00, 0x01];
    let mut out = vec![0x30];
    push_len(&mut out, n.len() + e.len());
    out.extend_from_slice(&n);
    out.extend_from_slice(&e);
    out
}

fn push_len(out: &mut Vec<u8>, len: usize) {
    if len < 128 {
        out.push(u8::try_from(len).unwrap());
    } else if len < 256 {
        out.extend_from_slice(&[0x81, u8::try_from(len).unwrap()]);
    } else {
        out.push(0x82);
        out.extend_from_slice(&u16::try_from(len).unwrap().to_be_bytes());
    }
}

#[test]
fn modulus_bits_count_from_the_top_bit() {
    let mut m = vec![0xFFu8; 256];
    assert_eq!(rsa_modulus_bits(&rsa_public_key(&m)), Some(2048));
    m[0] = 0x7F;
    assert_eq!(rsa_modulus_bits(&rsa_public_key(&m)), Some(2047));
    let small = vec![0xC0u8; 128];
    assert_eq!(rsa_modulus_bits(&rsa_public_key(&small)), Some(1024));
    assert_eq!(rsa_modulus_bits(b"\x30\x00"), None);
    assert_eq!(rsa_modulus_bits(b"garbage"), None);
}
