//! Generator tests: layout of signed JPEGs and PNGs, sidecars, ingredients and refusals.

use std::io::Cursor;

use signet_asn1_types::crypto::{RandomError, SignatureAlgorithm};
use signet_crypto::{KeyPairSigner, KeyType, generate_pkcs8};

use super::*;
use crate::assertion::{Assertion, CborAssertion, Content, DataHash, Label};
use crate::container::{self, jpeg};
use crate::error::ContainerError;
use crate::jumbf;
use crate::jumbf::Limits;
use crate::store::ManifestStore;
use crate::testutil::store_of;

pub(crate) struct CountingRng;

impl SecureRandom for CountingRng {
    fn fill(&self, dest: &mut [u8]) -> Result<(), RandomError> {
        for (i, b) in dest.iter_mut().enumerate() {
            *b = u8::try_from(i % 251).unwrap();
        }
        Ok(())
    }
}

pub(crate) fn es256() -> KeyPairSigner {
    let pkcs8 = generate_pkcs8(KeyType::EcdsaP256).unwrap();
    KeyPairSigner::from_pkcs8(SignatureAlgorithm::EcdsaP256Sha256Fixed, &pkcs8).unwrap()
}

/// Signs `input` with a throwaway key (the chain is a placeholder certificate).
pub(crate) fn sign_bytes(
    format: Format,
    input: &[u8],
    def: &ManifestDefinition,
) -> Result<(Vec<u8>, Signed), GeneratorError> {
    let signer = es256();
    let chain = vec![vec![0x30, 0x00]];
    let opts = SignOptions {
        signer: &signer,
        chain: &chain,
        timestamper: None,
        ocsp_vals: &[],
    };
    let mut out = Cursor::new(Vec::new());
    let signed = sign_asset(
        format,
        &mut Cursor::new(input),
        &mut out,
        def,
        &opts,
        &CountingRng,
    )?;
    Ok((out.into_inner(), signed))
}

fn tiny_jpeg() -> Vec<u8> {
    // SOI, APP0 (JFIF), a DQT-ish segment, SOS, data, EOI.
    let mut input = vec![0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x06, b'J', b'F', b'I', b'F'];
    input.extend_from_slice(&[
        0xFF, 0xDB, 0x00, 0x04, 0x01, 0x02, 0xFF, 0xDA, 0x00, 0x02, 0x11, 0x22, 0x33, 0xFF, 0xD9,
    ]);
    input
}

fn data_hash_of(store: &ManifestStore) -> DataHash {
    let m = store.active_manifest().unwrap();
    match m.assertion("c2pa.hash.data").unwrap().decode().unwrap() {
        Assertion::DataHash(d) => d.into_value(),
        other => panic!("{other:?}"),
    }
}

#[test]
fn app11_segments_reassemble_to_the_store_and_lengths_are_predicted() {
    for size in [100usize, 65_525, 65_526, 65_533, 200_000, 131_050] {
        let mut store = Vec::new();
        let mut content = Vec::new();
        let payload_len = size.max(200) - 100;
        jumbf::write_box(&mut content, *b"cbor", &vec![0xABu8; payload_len]);
        jumbf::write_superbox(
            &mut store,
            &jumbf::NewDescription {
                uuid: crate::store::uuid::STORE,
                label: Some("c2pa"),
                private: None,
            },
            &[&content],
        )
        .unwrap();
        let segments = app11_segments(&store).unwrap();
        assert!(segments.iter().all(|s| s.len() <= 65_537));
        let binding = data_hash::DataHashBinding::scan(
            Format::Jpeg,
            &mut Cursor::new(tiny_jpeg()),
            true,
            &ContainerLimits::default(),
        )
        .unwrap();
        assert_eq!(
            binding.wrapped_len(store.len()).unwrap(),
            segments.iter().map(Vec::len).sum::<usize>(),
            "store of {}",
            store.len()
        );
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
}

#[test]
fn signed_jpeg_excludes_exactly_the_store_segments() {
    let input = tiny_jpeg();
    let (out, signed) = sign_bytes(Format::Jpeg, &input, &ManifestDefinition::default()).unwrap();
    let store = signed.store;
    // Inserted right after APP0 (offset 10); everything else is the input.
    let seg_len: usize = app11_segments(&store).unwrap().iter().map(Vec::len).sum();
    assert_eq!(&out[..10], &input[..10]);
    assert_eq!(&out[10 + seg_len..], &input[10..]);
    let found = jpeg::locate(out.as_slice(), &ContainerLimits::default())
        .unwrap()
        .unwrap();
    assert_eq!(found.store, store);
    assert_eq!(found.ranges.first().unwrap().start, 10);
    assert_eq!(
        found.ranges.last().unwrap().end,
        10 + u64::try_from(seg_len).unwrap()
    );
    let parsed = ManifestStore::from_bytes(found.store, &Limits::default()).unwrap();
    let hash = data_hash_of(&parsed);
    assert_eq!(hash.hash, HashAlg::Sha256.digest(&input));
    assert_eq!(hash.exclusions.len(), 1);
    assert_eq!(hash.exclusions[0].start, 10);
    assert_eq!(hash.exclusions[0].length, u64::try_from(seg_len).unwrap());
    // The claim lists every assertion with a matching hash, and the signature verifies.
    let m = parsed.active_manifest().unwrap();
    assert_eq!(m.label(), Some(signed.manifest_label.as_str()));
    let claim = m.claim().unwrap();
    assert!(claim.missing_required().is_empty());
    for r in claim.assertion_refs() {
        let node = parsed.resolve(&r.url, Some(&m)).unwrap();
        assert_eq!(HashAlg::Sha256.digest(parsed.hashed_bytes(node)), r.hash);
    }
    // Signing a signed asset again is refused.
    assert_eq!(
        sign_bytes(Format::Jpeg, &out, &ManifestDefinition::default()).unwrap_err(),
        GeneratorError::AlreadySigned
    );
}

#[test]
fn png_gets_a_crc_checked_cabx_chunk_after_ihdr() {
    let chunk = |kind: &[u8; 4], data: &[u8]| {
        let mut c = u32::try_from(data.len()).unwrap().to_be_bytes().to_vec();
        c.extend_from_slice(kind);
        c.extend_from_slice(data);
        c.extend_from_slice(&container::png::crc32(&[kind, data]).to_be_bytes());
        c
    };
    let mut png = container::png::SIGNATURE.to_vec();
    png.extend(chunk(b"IHDR", &[0, 0, 0, 1, 0, 0, 0, 1, 8, 0, 0, 0, 0]));
    png.extend(chunk(b"IDAT", &[1, 2, 3]));
    png.extend(chunk(b"IEND", &[]));
    let (out, signed) = sign_bytes(Format::Png, &png, &ManifestDefinition::default()).unwrap();
    let found = container::png::locate(out.as_slice(), &ContainerLimits::default())
        .unwrap()
        .unwrap();
    assert_eq!(found.store, signed.store);
    assert_eq!(found.ranges[0].start, 33);
    let parsed = ManifestStore::from_bytes(found.store, &Limits::default()).unwrap();
    assert_eq!(data_hash_of(&parsed).hash, HashAlg::Sha256.digest(&png));
    assert_eq!(
        sign_bytes(Format::Png, &out, &ManifestDefinition::default()).unwrap_err(),
        GeneratorError::AlreadySigned
    );
}

#[test]
fn sidecar_hashes_the_whole_asset_and_leaves_it_alone() {
    let input = tiny_jpeg();
    let signer = es256();
    let chain = vec![vec![0x30, 0x00]];
    let opts = SignOptions {
        signer: &signer,
        chain: &chain,
        timestamper: None,
        ocsp_vals: &[],
    };
    let def = ManifestDefinition::default();
    let signed = Generator::new(&def, &opts, &CountingRng)
        .sidecar(Format::Jpeg, &mut Cursor::new(&input))
        .unwrap();
    let store = ManifestStore::from_bytes(signed.store, &Limits::default()).unwrap();
    let hash = data_hash_of(&store);
    assert!(hash.exclusions.is_empty());
    assert_eq!(hash.hash, HashAlg::Sha256.digest(&input));
}

#[test]
fn not_the_format_and_truncation_are_errors() {
    let def = ManifestDefinition::default();
    assert!(matches!(
        sign_bytes(Format::Jpeg, b"\x89PNG....", &def),
        Err(GeneratorError::Container(ContainerError::NotFormat { .. }))
    ));
    assert!(matches!(
        sign_bytes(Format::Png, &[0xFF, 0xD8, 0xFF], &def),
        Err(GeneratorError::Container(ContainerError::NotFormat { .. }))
    ));
    let truncated = &tiny_jpeg()[..8];
    assert!(matches!(
        sign_bytes(Format::Jpeg, truncated, &def),
        Err(GeneratorError::Container(ContainerError::Truncated { .. }))
    ));
    assert_eq!(
        sign_bytes(Format::Sidecar, &tiny_jpeg(), &def).unwrap_err(),
        GeneratorError::UnsupportedFormat
    );
}

#[test]
fn parent_ingredient_brings_its_manifests_and_an_opened_action() {
    let parent_store = store_of("rs/CA.jpg");
    let parent_label = parent_store
        .active_manifest()
        .unwrap()
        .label()
        .unwrap()
        .to_owned();
    let mut parent = IngredientInput::new(Relationship::ParentOf);
    parent.title = Some("CA.jpg".into());
    parent.format = Some("image/jpeg".into());
    parent.store = Some(parent_store.clone());
    parent.validation_results = Some(ValidationResults::default());
    let mut component = IngredientInput::new(Relationship::ComponentOf);
    component.title = Some("logo.png".into());
    component.format = Some("image/png".into());
    component.thumbnail = Some(EmbeddedFile::new("image/png", vec![1, 2, 3]));
    let def = ManifestDefinition {
        ingredients: vec![parent, component],
        actions: vec![Action::new("c2pa.cropped")],
        ..ManifestDefinition::default()
    };
    let (_, signed) = sign_bytes(Format::Jpeg, &tiny_jpeg(), &def).unwrap();
    let store = ManifestStore::from_bytes(signed.store, &Limits::default()).unwrap();
    // The parent's manifests come first, byte-exact; ours is last (active).
    let copied: Vec<_> = parent_store.manifests().map(|m| m.node().span).collect();
    assert_eq!(store.manifests().count(), copied.len() + 1);
    for (ours, theirs) in store.manifests().zip(parent_store.manifests()) {
        assert_eq!(
            store.box_bytes(ours.node().span),
            parent_store.box_bytes(theirs.node().span)
        );
    }
    let active = store.active_manifest().unwrap();
    let ingredients: Vec<_> = active
        .assertion_refs()
        .filter_map(|a| match a.decode().unwrap() {
            Assertion::Ingredient(i) => Some((a.label().to_owned(), i)),
            _ => None,
        })
        .collect();
    assert_eq!(ingredients.len(), 2);
    let (parent_label_in_store, parent_ing) = &ingredients[0];
    assert_eq!(parent_label_in_store, "c2pa.ingredient.v3");
    let am = parent_ing.active_manifest.as_ref().unwrap();
    assert_eq!(am.url, format!("self#jumbf=/c2pa/{parent_label}"));
    let node = store.resolve(&am.url, None).unwrap();
    assert_eq!(HashAlg::Sha256.digest(store.hashed_bytes(node)), am.hash);
    let cs = parent_ing.claim_signature.as_ref().unwrap();
    let node = store.resolve(&cs.url, None).unwrap();
    assert_eq!(HashAlg::Sha256.digest(store.hashed_bytes(node)), cs.hash);
    assert_eq!(ingredients[1].0, "c2pa.ingredient.v3__1");
    let thumb = ingredients[1].1.thumbnail.as_ref().unwrap();
    assert_eq!(
        thumb.url,
        "self#jumbf=c2pa.assertions/c2pa.thumbnail.ingredient"
    );
    // Actions: opened → parent, placed → component, then the caller's.
    let Assertion::Actions(actions) = active
        .assertion("c2pa.actions.v2")
        .unwrap()
        .decode()
        .unwrap()
    else {
        panic!()
    };
    let names: Vec<_> = actions.actions.iter().map(|a| a.action.as_str()).collect();
    assert_eq!(names, ["c2pa.opened", "c2pa.placed", "c2pa.cropped"]);
    let opened_ref = actions.actions[0].ingredient_refs().next().unwrap();
    assert_eq!(
        opened_ref.url,
        "self#jumbf=c2pa.assertions/c2pa.ingredient.v3"
    );
    let node = store.resolve(&opened_ref.url, Some(&active)).unwrap();
    assert_eq!(
        HashAlg::Sha256.digest(store.hashed_bytes(node)),
        opened_ref.hash
    );
    assert!(actions.actions[0].digital_source_type.is_none());
}

#[test]
fn ingredient_rules_are_enforced() {
    let with_store = |rel| {
        let mut i = IngredientInput::new(rel);
        i.store = Some(store_of("rs/CA.jpg"));
        i
    };
    // A manifest without validation results.
    let def = ManifestDefinition {
        ingredients: vec![with_store(Relationship::ParentOf)],
        ..ManifestDefinition::default()
    };
    assert!(matches!(
        sign_bytes(Format::Jpeg, &tiny_jpeg(), &def),
        Err(GeneratorError::Ingredient { .. })
    ));
    // Two parents.
    let def = ManifestDefinition {
        ingredients: vec![
            IngredientInput::new(Relationship::ParentOf),
            IngredientInput::new(Relationship::ParentOf),
        ],
        ..ManifestDefinition::default()
    };
    assert!(matches!(
        sign_bytes(Format::Jpeg, &tiny_jpeg(), &def),
        Err(GeneratorError::Ingredient { .. })
    ));
    // Reserved and duplicate labels.
    for label in [
        "c2pa.hash.data",
        "c2pa.actions",
        "c2pa.ingredient.v3",
        "bad label",
    ] {
        let def = ManifestDefinition {
            assertions: vec![NewAssertion::new(label, Content::Cbor(vec![0xa0]))],
            ..ManifestDefinition::default()
        };
        assert_eq!(
            sign_bytes(Format::Jpeg, &tiny_jpeg(), &def).unwrap_err(),
            GeneratorError::ReservedLabel {
                label: label.into()
            }
        );
    }
    let custom = NewAssertion::new("com.example.note", Content::Cbor(vec![0xa0]));
    let def = ManifestDefinition {
        assertions: vec![custom.clone(), custom],
        ..ManifestDefinition::default()
    };
    assert!(matches!(
        sign_bytes(Format::Jpeg, &tiny_jpeg(), &def),
        Err(GeneratorError::DuplicateLabel { .. })
    ));
}

#[test]
fn gathered_assertions_and_v1_claims() {
    let mut custom = serde_json::Map::new();
    custom.insert("@context".into(), serde_json::json!({}));
    let def = ManifestDefinition {
        gathered: vec![NewAssertion::new(
            "c2pa.metadata",
            Content::Json(serde_json::to_vec(&custom).unwrap()),
        )],
        ..ManifestDefinition::default()
    };
    let (_, signed) = sign_bytes(Format::Jpeg, &tiny_jpeg(), &def).unwrap();
    let store = ManifestStore::from_bytes(signed.store, &Limits::default()).unwrap();
    let claim = store.active_manifest().unwrap().claim().unwrap();
    assert_eq!(claim.gathered_assertions.len(), 1);
    assert!(claim.gathered_assertions[0].url.ends_with("c2pa.metadata"));

    let v1 = ManifestDefinition {
        claim_version: ClaimVersion::V1,
        format: Some("image/jpeg".into()),
        ..ManifestDefinition::default()
    };
    let (_, signed) = sign_bytes(Format::Jpeg, &tiny_jpeg(), &v1).unwrap();
    let store = ManifestStore::from_bytes(signed.store, &Limits::default()).unwrap();
    let claim = store.active_manifest().unwrap().claim().unwrap();
    assert_eq!(claim.version, ClaimVersion::V1);
    assert!(
        claim.missing_required().is_empty(),
        "{:?}",
        claim.missing_required()
    );
    // A v1 claim without a format is refused.
    let no_format = ManifestDefinition {
        claim_version: ClaimVersion::V1,
        ..ManifestDefinition::default()
    };
    assert!(matches!(
        sign_bytes(Format::Jpeg, &tiny_jpeg(), &no_format),
        Err(GeneratorError::Ingredient { .. })
    ));
    // SHA-384 throughout.
    let sha384 = ManifestDefinition {
        alg: HashAlg::Sha384,
        ..ManifestDefinition::default()
    };
    let (_, signed) = sign_bytes(Format::Jpeg, &tiny_jpeg(), &sha384).unwrap();
    let store = ManifestStore::from_bytes(signed.store, &Limits::default()).unwrap();
    let m = store.active_manifest().unwrap();
    assert_eq!(m.claim().unwrap().alg.as_deref(), Some("sha384"));
    let hash = data_hash_of(&store);
    assert_eq!(hash.hash, HashAlg::Sha384.digest(&tiny_jpeg()));
    let d = DataHash::decode(
        &match m.assertion("c2pa.hash.data").unwrap().content().unwrap() {
            Content::Cbor(b) => b,
            _ => panic!(),
        },
        &Label::parse("c2pa.hash.data"),
    )
    .unwrap();
    assert_eq!(d.alg.as_deref(), Some("sha384"));
}

/// Signs `input`, then checks that the located store is the one returned and that the data
/// hash over the output minus its exclusions is the recorded hash.
fn sign_and_recheck(format: Format, input: &[u8]) -> Vec<u8> {
    let (out, signed) = sign_bytes(format, input, &ManifestDefinition::default()).unwrap();
    let found = container::locate(format, out.as_slice(), &ContainerLimits::default())
        .unwrap()
        .unwrap();
    assert_eq!(found.store, signed.store);
    let store = ManifestStore::from_bytes(found.store, &Limits::default()).unwrap();
    let hash = data_hash_of(&store);
    let mut hashed = Vec::new();
    let mut at = 0usize;
    for e in &hash.exclusions {
        let start = usize::try_from(e.start).unwrap();
        hashed.extend_from_slice(&out[at..start]);
        at = start + usize::try_from(e.length).unwrap();
    }
    hashed.extend_from_slice(&out[at..]);
    assert_eq!(HashAlg::Sha256.digest(&hashed), hash.hash);
    // The exclusion is where the locator found the store's container bytes.
    assert_eq!(hash.exclusions[0].start, found.ranges[0].start);
    assert_eq!(
        sign_bytes(format, &out, &ManifestDefinition::default()).unwrap_err(),
        GeneratorError::AlreadySigned
    );
    out
}

#[test]
fn gif_riff_and_svg_embedding() {
    // GIF with a global color table: the extension goes right after it.
    let gif = b"GIF89a\x01\0\x01\0\x80\0\0\0\0\0\xff\xff\xff\x2c\0\0\0\0\x01\0\x01\0\0\x02\x02\x44\x01\0\x3b";
    let out = sign_and_recheck(Format::Gif, gif);
    assert_eq!(&out[19..22], b"\x21\xff\x0b");
    assert_eq!(&out[out.len() - (gif.len() - 19)..], &gif[19..]);
    // RIFF with an odd-sized chunk before: size field grows, chunk appended at the end.
    let mut wav = b"RIFF\0\0\0\0WAVEfmt \x10\0\0\0".to_vec();
    wav.extend_from_slice(&[1, 0, 1, 0, 0x40, 0x1f, 0, 0, 0x80, 0x3e, 0, 0, 2, 0, 16, 0]);
    wav.extend_from_slice(b"data\x03\0\0\0abc\0");
    let size = u32::try_from(wav.len() - 8).unwrap();
    wav[4..8].copy_from_slice(&size.to_le_bytes());
    let out = sign_and_recheck(Format::Riff, &wav);
    let new_size = u32::from_le_bytes(out[4..8].try_into().unwrap());
    assert_eq!(usize::try_from(new_size).unwrap() + 8, out.len());
    assert_eq!(&out[wav.len()..wav.len() + 4], b"C2PA");
    // SVG: a DOCTYPE with an internal subset, a comment, '>' inside an attribute value.
    let svg = b"<?xml version=\"1.0\"?>\n<!DOCTYPE svg [<!ENTITY e \"<svg>\">]>\n<!-- <svg> -->\n<svg xmlns=\"http://www.w3.org/2000/svg\" title=\"a > b\"><g/></svg>\n";
    let out = sign_and_recheck(Format::Svg, svg);
    let text = String::from_utf8(out).unwrap();
    assert!(
        text.contains(
            "title=\"a > b\" xmlns:c2pa=\"http://c2pa.org/manifest\"><metadata><c2pa:manifest>"
        ),
        "{text}"
    );
    assert!(
        text.ends_with("</c2pa:manifest></metadata><g/></svg>\n"),
        "{text}"
    );
    // Self-closing svg that already declares the prefix.
    let svg = b"<svg xmlns:c2pa=\"http://c2pa.org/manifest\" width=\"1\"/>";
    let text = String::from_utf8(sign_and_recheck(Format::Svg, svg)).unwrap();
    assert!(
        text.starts_with("<svg xmlns:c2pa=\"http://c2pa.org/manifest\" width=\"1\"><metadata>"),
        "{text}"
    );
    assert!(
        text.ends_with("</c2pa:manifest></metadata></svg>"),
        "{text}"
    );
    assert_eq!(text.matches("xmlns:c2pa").count(), 1);
    // Not an SVG.
    assert!(matches!(
        sign_bytes(
            Format::Svg,
            b"<html></html>",
            &ManifestDefinition::default()
        ),
        Err(GeneratorError::Container(ContainerError::NotFormat { .. }))
    ));
}
