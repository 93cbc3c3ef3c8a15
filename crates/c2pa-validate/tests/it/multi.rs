//! Multi-asset hashes (`c2pa.hash.multi-asset`, C2PA 2.2 §18.9, §15.12.4) on JPEGs Signet signs
//! with a second image after the first (as an HDR image carries its gain map): the whole-file
//! data hash binds the asset; when it stops matching, each part is checked with its own hash
//! assertion — `c2pa.hash.data.part` for the JPEG (the store excluded), `c2pa.hash.boxes.part`
//! for the PNG after it (its chunks listed as §18.7.3.2 names them). An optional part removed
//! leaves the asset valid; a changed part or a required part removed does not.
//!
//! The reference SDK neither writes nor reads multi-asset hashes (c2pa-rs 0.91.3), so these
//! assets are Signet's: the part assertions are laid out in a first signing, hashed over the
//! bytes it wrote, and signed again with the same sizes.

use ciborium::Value;
use sha2::{Digest, Sha256};
use signet_asn1_types::crypto::SecureRandom;
use signet_c2pa_model::assertion::{Content, NewAssertion};
use signet_c2pa_model::container::{ContainerLimits, Format, locate};
use signet_c2pa_model::cose::SignOptions;
use signet_c2pa_model::generator::{ManifestDefinition, sign_asset};
use signet_c2pa_validate::trust::{ID_KP_CLAIM_SIGNING, TrustConfig};
use signet_c2pa_validate::{Report, StatusCode, ValidationState, Validator};
use signet_crypto::{SystemRng, Verifier};

use crate::pki::{Pki, at, now_secs};

fn source() -> Vec<u8> {
    std::fs::read(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../tests/upstream/vectors/c2pa/rs/no_manifest.jpg"),
    )
    .unwrap()
}

fn chunk(kind: &[u8; 4], data: &[u8]) -> Vec<u8> {
    let mut c = u32::try_from(data.len()).unwrap().to_be_bytes().to_vec();
    c.extend_from_slice(kind);
    c.extend_from_slice(data);
    c.extend_from_slice(&[0; 4]); // CRC: neither side checks it
    c
}

/// The second part: a PNG after the JPEG's EOI.
fn second_part() -> Vec<u8> {
    let mut v = vec![0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A];
    v.extend(chunk(b"IHDR", &[0, 0, 0, 64, 0, 0, 0, 48, 8, 0, 0, 0, 0]));
    v.extend(chunk(b"tEXt", b"Comment\0a gain map"));
    let pixels: Vec<u8> = (0..5000u32)
        .map(|i| u8::try_from(i * 7 % 251).unwrap())
        .collect();
    v.extend(chunk(b"IDAT", &pixels));
    v.extend(chunk(b"IEND", &[]));
    v
}

/// The chunk types of a PNG.
fn png_names(png: &[u8]) -> Vec<String> {
    let mut names = vec!["PNGh".to_owned()];
    let mut at = 8;
    while at < png.len() {
        let len = usize::try_from(u32::from_be_bytes(png[at..at + 4].try_into().unwrap())).unwrap();
        names.push(String::from_utf8(png[at + 4..at + 8].to_vec()).unwrap());
        at += 12 + len;
    }
    names
}

fn text(s: &str) -> Value {
    Value::Text(s.to_owned())
}

fn uint(n: u64) -> Value {
    Value::Integer(n.into())
}

fn cbor(v: &Value) -> Vec<u8> {
    let mut out = Vec::new();
    ciborium::into_writer(v, &mut out).unwrap();
    out
}

/// A `c2pa.hash.data.part` assertion.
fn data_part(label: &str, hash: &[u8], exclusion: Option<(u64, u64)>) -> NewAssertion {
    let mut m = Vec::new();
    if let Some((start, length)) = exclusion {
        m.push((
            text("exclusions"),
            Value::Array(vec![Value::Map(vec![
                (text("start"), uint(start)),
                (text("length"), uint(length)),
            ])]),
        ));
    }
    m.push((text("alg"), text("sha256")));
    m.push((text("hash"), Value::Bytes(hash.to_vec())));
    m.push((text("pad"), Value::Bytes(Vec::new())));
    NewAssertion::new(label, Content::Cbor(cbor(&Value::Map(m))))
}

/// A `c2pa.hash.boxes.part` assertion covering the whole PNG in one entry.
fn boxes_part(names: &[String], hash: &[u8]) -> NewAssertion {
    let entry = Value::Map(vec![
        (
            text("names"),
            Value::Array(names.iter().map(|n| text(n)).collect()),
        ),
        (text("hash"), Value::Bytes(hash.to_vec())),
        (text("pad"), Value::Bytes(Vec::new())),
    ]);
    let map = Value::Map(vec![
        (text("boxes"), Value::Array(vec![entry])),
        (text("alg"), text("sha256")),
    ]);
    NewAssertion::new("c2pa.hash.boxes.part", Content::Cbor(cbor(&map)))
}

/// The hash a hashed URI to `a` carries (§8.4.2.3: the superbox's payload).
fn box_hash(a: &NewAssertion) -> Vec<u8> {
    Sha256::digest(&a.to_jumbf().unwrap()[8..]).to_vec()
}

/// Where things are in a signed multi-part JPEG.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Layout {
    store: (u64, u64),
    first_len: u64,
    total: u64,
}

/// Signs `jpeg ‖ second` with part assertions for `layout` and `hashes` (part 1, part 2).
fn sign_once(
    pki: &Pki,
    jpeg: &[u8],
    second: &[u8],
    layout: Layout,
    hashes: (&[u8], &[u8]),
    optional: bool,
) -> Vec<u8> {
    let part1 = data_part("c2pa.hash.data.part", hashes.0, Some(layout.store));
    let part2 = boxes_part(&png_names(second), hashes.1);
    let hashed = |label: &str, a: &NewAssertion| {
        Value::Map(vec![
            (
                text("url"),
                text(&format!("self#jumbf=c2pa.assertions/{label}")),
            ),
            (text("alg"), text("sha256")),
            (text("hash"), Value::Bytes(box_hash(a))),
        ])
    };
    let multi = Value::Map(vec![(
        text("parts"),
        Value::Array(vec![
            Value::Map(vec![
                (
                    text("location"),
                    Value::Map(vec![
                        (text("byteOffset"), uint(0)),
                        (text("length"), uint(layout.first_len)),
                    ]),
                ),
                (text("hashAssertion"), hashed("c2pa.hash.data.part", &part1)),
            ]),
            Value::Map(vec![
                (
                    text("location"),
                    Value::Map(vec![
                        (text("byteOffset"), uint(layout.first_len)),
                        (text("length"), uint(layout.total - layout.first_len)),
                    ]),
                ),
                (
                    text("hashAssertion"),
                    hashed("c2pa.hash.boxes.part", &part2),
                ),
                (text("optional"), Value::Bool(optional)),
            ]),
        ]),
    )]);
    let definition = ManifestDefinition {
        assertions: vec![
            part1,
            part2,
            NewAssertion::new("c2pa.hash.multi-asset", Content::Cbor(cbor(&multi))),
        ],
        ..ManifestDefinition::default()
    };
    let chain = pki.x5chain();
    let opts = SignOptions {
        signer: &pki.leaf.key,
        chain: &chain,
        timestamper: None,
        ocsp_vals: &[],
    };
    let rng = SystemRng::new();
    let rng: &dyn SecureRandom = &rng;
    let mut out = std::io::Cursor::new(Vec::new());
    sign_asset(
        Format::Jpeg,
        &mut std::io::Cursor::new([jpeg, second].concat()),
        &mut out,
        &definition,
        &opts,
        rng,
    )
    .unwrap();
    out.into_inner()
}

fn layout_of(signed: &[u8], second_len: usize) -> Layout {
    let found = locate(Format::Jpeg, signed, &ContainerLimits::default())
        .unwrap()
        .unwrap();
    let start = found.ranges[0].start;
    let end = found.ranges.last().unwrap().end;
    let total = u64::try_from(signed.len()).unwrap();
    Layout {
        store: (start, end - start),
        first_len: total - u64::try_from(second_len).unwrap(),
        total,
    }
}

/// A signed `JPEG ‖ second part` whose part assertions match it.
fn sign_multi(pki: &Pki, optional: bool) -> (Vec<u8>, Layout) {
    let (jpeg, second) = (source(), second_part());
    // Sizes close to the real ones, so the CBOR integers keep their lengths.
    let mut layout = Layout {
        store: (20, 30_000),
        first_len: 130_000,
        total: 135_000,
    };
    let zero = [0u8; 32];
    for _ in 0..3 {
        let trial = sign_once(pki, &jpeg, &second, layout, (&zero, &zero), optional);
        let seen = layout_of(&trial, second.len());
        if seen == layout {
            // Hash the parts as laid out, then sign again at the same sizes.
            let first = &trial[..usize::try_from(layout.first_len).unwrap()];
            let (s, l) = (
                usize::try_from(layout.store.0).unwrap(),
                usize::try_from(layout.store.1).unwrap(),
            );
            let h1 = Sha256::digest([&first[..s], &first[s + l..]].concat()).to_vec();
            let h2 = Sha256::digest(&second).to_vec();
            let signed = sign_once(pki, &jpeg, &second, layout, (&h1, &h2), optional);
            assert_eq!(layout_of(&signed, second.len()), layout);
            assert_eq!(signed[s + l..], trial[s + l..]);
            return (signed, layout);
        }
        layout = seen;
    }
    panic!("the layout did not settle");
}

fn validate(pki: &Pki, asset: &[u8]) -> Report {
    let mut trust = TrustConfig::new();
    trust
        .add_signer_anchors(ID_KP_CLAIM_SIGNING, &pki.root.der())
        .unwrap();
    Validator::new(&trust, &Verifier, at(now_secs()))
        .validate_asset(Format::Jpeg, std::io::Cursor::new(asset))
        .unwrap()
}

fn failures(r: &Report) -> Vec<StatusCode> {
    r.active.failure.iter().map(|s| s.code.clone()).collect()
}

#[test]
fn parts_are_checked_when_the_whole_does_not_match() {
    let pki = Pki::new(now_secs() - 86_400);
    let (signed, layout) = sign_multi(&pki, true);
    let first_len = usize::try_from(layout.first_len).unwrap();

    // Untouched: the whole-file data hash matches; the parts are not needed.
    let r = validate(&pki, &signed);
    assert_eq!(r.state, ValidationState::Trusted, "{:#?}", r.active);
    assert!(r.active.has(&StatusCode::AssertionDataHashMatch));
    assert!(!r.active.has(&StatusCode::AssertionMultiAssetHashMatch));

    // The optional second part removed: the whole no longer matches, the first part does.
    let r = validate(&pki, &signed[..first_len]);
    assert_eq!(r.state, ValidationState::Trusted, "{:#?}", r.active);
    assert!(r.active.has(&StatusCode::AssertionMultiAssetHashMatch));
    assert!(!r.active.has(&StatusCode::AssertionDataHashMismatch));

    // A byte of the second part changed.
    let mut changed = signed.clone();
    changed[first_len + 100] ^= 1;
    let r = validate(&pki, &changed);
    assert_eq!(failures(&r), [StatusCode::AssertionMultiAssetHashMismatch]);
    assert_eq!(r.state, ValidationState::Invalid);

    // A byte of the image changed.
    let mut changed = signed.clone();
    changed[first_len - 50] ^= 1;
    let r = validate(&pki, &changed);
    assert_eq!(failures(&r), [StatusCode::AssertionMultiAssetHashMismatch]);

    // Data appended after the second part: the parts no longer cover the asset.
    let mut longer = signed.clone();
    longer.extend_from_slice(b"more");
    let r = validate(&pki, &longer);
    assert_eq!(failures(&r), [StatusCode::AssertionMultiAssetHashMalformed]);
}

#[test]
fn a_required_part_removed_is_missing() {
    let pki = Pki::new(now_secs() - 86_400);
    let (signed, layout) = sign_multi(&pki, false);
    let r = validate(&pki, &signed);
    assert_eq!(r.state, ValidationState::Trusted, "{:#?}", r.active);
    let first_len = usize::try_from(layout.first_len).unwrap();
    let r = validate(&pki, &signed[..first_len]);
    assert_eq!(
        failures(&r),
        [StatusCode::AssertionMultiAssetHashMissingPart]
    );
    assert_eq!(r.state, ValidationState::Invalid);
}
