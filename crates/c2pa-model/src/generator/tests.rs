//! Generator unit tests: canonical CBOR maps, APP11 splitting, and layout of a signed JPEG.

use signet_asn1_types::crypto::{RandomError, SignatureAlgorithm};
use signet_crypto::{KeyPairSigner, KeyType, generate_pkcs8};

use super::*;
use crate::container::jpeg;
use crate::jumbf::Limits;
use crate::store::ManifestStore;

struct CountingRng;

impl SecureRandom for CountingRng {
    fn fill(&self, dest: &mut [u8]) -> Result<(), RandomError> {
        for (i, b) in dest.iter_mut().enumerate() {
            *b = u8::try_from(i % 251).unwrap();
        }
        Ok(())
    }
}

#[test]
fn canonical_map_orders_keys_by_encoded_bytes() {
    let m = canonical_map(vec![
        ("hash", Value::Null),
        ("alg", Value::Null),
        ("exclusions", Value::Null),
        ("pad", Value::Null),
    ]);
    let keys: Vec<_> = m
        .as_map()
        .unwrap()
        .iter()
        .map(|(k, _)| k.as_text().unwrap().to_owned())
        .collect();
    assert_eq!(keys, ["alg", "pad", "hash", "exclusions"]);
}

#[test]
fn app11_segments_reassemble_to_the_store() {
    let mut store = Vec::new();
    let big = vec![0xABu8; 200_000];
    let mut content = Vec::new();
    jumbf::write_box(&mut content, *b"cbor", &big);
    jumbf::write_superbox(
        &mut store,
        &NewDescription {
            uuid: uuid::STORE,
            label: Some("c2pa"),
            private: None,
        },
        &[&content],
    )
    .unwrap();
    let segments = app11_segments(&store).unwrap();
    assert_eq!(segments.len(), 4);
    assert!(segments.iter().all(|s| s.len() <= 65_537));
    let mut jpeg_bytes = vec![0xFF, 0xD8];
    for s in &segments {
        jpeg_bytes.extend_from_slice(s);
    }
    jpeg_bytes.extend_from_slice(&[0xFF, 0xD9]);
    let found = jpeg::locate(jpeg_bytes.as_slice(), &ContainerLimits::default())
        .unwrap()
        .unwrap();
    assert_eq!(found.store, store);
}

#[test]
fn signed_jpeg_excludes_exactly_the_store_segments() {
    // SOI, APP0 (JFIF), a DQT-ish segment, SOS, data, EOI.
    let mut input = vec![0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x06, b'J', b'F', b'I', b'F'];
    input.extend_from_slice(&[
        0xFF, 0xDB, 0x00, 0x04, 0x01, 0x02, 0xFF, 0xDA, 0x00, 0x02, 0x11, 0x22, 0x33, 0xFF, 0xD9,
    ]);
    let pkcs8 = generate_pkcs8(KeyType::EcdsaP256).unwrap();
    let signer =
        KeyPairSigner::from_pkcs8(SignatureAlgorithm::EcdsaP256Sha256Fixed, &pkcs8).unwrap();
    let chain = vec![vec![0x30, 0x00]];
    let opts = SignOptions {
        signer: &signer,
        chain: &chain,
        timestamper: None,
        ocsp_vals: &[],
    };
    let mut out = Vec::new();
    let store = sign_jpeg(
        || Ok(input.as_slice()),
        &mut out,
        &ManifestDefinition::default(),
        &opts,
        &CountingRng,
    )
    .unwrap();
    // Inserted right after APP0 (offset 10); everything else is the input.
    let seg_len: usize = app11_segments(&store).unwrap().iter().map(Vec::len).sum();
    assert_eq!(&out[..10], &input[..10]);
    assert_eq!(&out[10 + seg_len..], &input[10..]);
    // The data-hash assertion excludes exactly [10, 10 + seg_len) and hashes the input.
    let found = jpeg::locate(out.as_slice(), &ContainerLimits::default())
        .unwrap()
        .unwrap();
    assert_eq!(found.ranges.first().unwrap().start, 10);
    assert_eq!(
        found.ranges.last().unwrap().end,
        10 + u64::try_from(seg_len).unwrap()
    );
    let parsed = ManifestStore::from_bytes(found.store, &Limits::default()).unwrap();
    let m = parsed.active_manifest().unwrap();
    let hash_box = m
        .assertions()
        .find(|a| a.label() == Some("c2pa.hash.data"))
        .unwrap();
    let content = parsed.content(hash_box.plain_boxes().next().unwrap());
    let value = cbor::decode(content).unwrap();
    let map = cbor::Map::new(&value, "hash").unwrap();
    assert_eq!(
        map.opt_bytes("hash").unwrap().unwrap(),
        Sha256::digest(&input).as_slice()
    );
    let excl = map.opt_array("exclusions").unwrap().unwrap();
    let e = cbor::Map::new(&excl[0], "exclusion").unwrap();
    assert_eq!(e.opt_u64("start").unwrap(), Some(10));
    assert_eq!(
        e.opt_u64("length").unwrap(),
        Some(u64::try_from(seg_len).unwrap())
    );
    // Signing a signed asset again is refused.
    let mut again = Vec::new();
    assert_eq!(
        sign_jpeg(
            || Ok(out.as_slice()),
            &mut again,
            &ManifestDefinition::default(),
            &opts,
            &CountingRng
        ),
        Err(GeneratorError::AlreadySigned)
    );
}
