//! Assertion model tests: labels, every assertion of every shared vector, and write → read.

use ciborium::Value;

use super::*;
use crate::hashed_uri::HashedUri;
use crate::jumbf::{self, Limits};
use crate::testutil::{all_stores, store_of};

#[test]
fn labels_split_into_base_version_and_instance() {
    let check = |full: &str, base: &str, version: Option<u32>, instance: Option<u32>| {
        let l = Label::parse(full);
        assert_eq!(
            (l.base.as_str(), l.version, l.instance),
            (base, version, instance),
            "{full}"
        );
    };
    check("c2pa.ingredient.v3__2", "c2pa.ingredient", Some(3), Some(2));
    check("c2pa.actions", "c2pa.actions", None, None);
    check("c2pa.actions.v2", "c2pa.actions", Some(2), None);
    check("c2pa.hash.bmff.v3", "c2pa.hash.bmff", Some(3), None);
    check("c2pa.metadata__1", "c2pa.metadata", None, Some(1));
    check(
        "c2pa.thumbnail.ingredient__1.jpeg",
        "c2pa.thumbnail.ingredient.jpeg",
        None,
        Some(1),
    );
    check("com.litware.vague", "com.litware.vague", None, None);
    check("my__x", "my__x", None, None);
    assert_eq!(
        Label::parse("c2pa.thumbnail.claim.jpeg").kind(),
        AssertionKind::ClaimThumbnail
    );
    assert_eq!(
        Label::parse("c2pa.thumbnail.ingredient__1.jpeg").kind(),
        AssertionKind::IngredientThumbnail
    );
    assert_eq!(
        Label::parse("com.litware.metadata").kind(),
        AssertionKind::Metadata
    );
    assert_eq!(
        Label::parse("c2pa.assertion.metadata").kind(),
        AssertionKind::Other
    );
    assert!(Label::parse("c2pa.hash.bmff.v2").is_hard_binding());
    assert!(!Label::parse("c2pa.hash.bmff").is_hard_binding());
    assert!(Label::parse("c2pa.hash.boxes").is_hard_binding());
    assert!(!Label::parse("c2pa.ingredient.v3").is_hard_binding());
    assert!(Label::parse("c2pa.ingredient.v3__2").is_well_formed());
    assert!(Label::parse("com.litware.my-thing_1").is_well_formed());
    assert!(!Label::parse("c2pa..actions").is_well_formed());
    assert!(!Label::parse("c2pa.act__ions__1").is_well_formed());
    assert!(!Label::parse("actions").is_well_formed());
}

#[test]
fn label_allocator_numbers_instances_from_the_second() {
    let mut a = LabelAllocator::default();
    assert_eq!(a.next("c2pa.ingredient.v3"), "c2pa.ingredient.v3");
    assert_eq!(a.next("c2pa.ingredient.v3"), "c2pa.ingredient.v3__1");
    assert_eq!(
        a.next("c2pa.thumbnail.ingredient"),
        "c2pa.thumbnail.ingredient"
    );
    assert_eq!(a.next("c2pa.ingredient.v3"), "c2pa.ingredient.v3__2");
}

/// Re-encodes a decoded CBOR model and decodes it again: the value must survive.
fn semantic_round_trip<T: CborAssertion + PartialEq + core::fmt::Debug + Clone>(
    d: &Decoded<T>,
    label: &Label,
) {
    let again = d.value().clone().encode().unwrap();
    let back = T::decode(again.bytes(), label).unwrap();
    assert_eq!(back.value(), d.value(), "{}", label.full);
}

#[test]
fn every_assertion_of_every_vector_decodes_and_round_trips() {
    let stores = all_stores();
    assert!(stores.len() >= 25, "only {} stores", stores.len());
    let mut counts = std::collections::BTreeMap::<String, usize>::new();
    let mut failures = Vec::new();
    for (name, store) in &stores {
        for m in store.manifests() {
            for a in m.assertion_refs() {
                let label = a.parsed_label();
                let content = a.content().unwrap();
                // Content boxes re-serialise byte-identically (padding boxes aside).
                let original: Vec<u8> = a
                    .node()
                    .plain_boxes()
                    .filter(|p| p.box_type != *b"free")
                    .flat_map(|p| store.box_bytes(p.span).to_vec())
                    .collect();
                assert_eq!(content.to_boxes(), original, "{name} {}", label.full);
                let decoded = match a.decode() {
                    Ok(d) => d,
                    Err(e) => {
                        failures.push(format!("{name} {}: {e}", label.full));
                        continue;
                    }
                };
                // The typed form boxes back to the same content.
                assert_eq!(decoded.to_content(), content, "{name} {}", label.full);
                let kind = match &decoded {
                    Assertion::Actions(d) => {
                        semantic_round_trip(d, &label);
                        "actions"
                    }
                    Assertion::DataHash(d) => {
                        semantic_round_trip(d, &label);
                        "data hash"
                    }
                    Assertion::BmffHash(d) => {
                        semantic_round_trip(d, &label);
                        "bmff hash"
                    }
                    Assertion::BoxHash(d) => {
                        semantic_round_trip(d, &label);
                        "box hash"
                    }
                    Assertion::Ingredient(d) => {
                        semantic_round_trip(d, &label);
                        "ingredient"
                    }
                    Assertion::SoftBinding(d) => {
                        semantic_round_trip(d, &label);
                        "soft binding"
                    }
                    Assertion::TimeStamp(d) => {
                        semantic_round_trip(d, &label);
                        "time-stamp"
                    }
                    Assertion::CertificateStatus(d) => {
                        semantic_round_trip(d, &label);
                        "certificate status"
                    }
                    Assertion::Thumbnail(f) => {
                        assert!(f.media_type.contains('/'), "{name}: {}", f.media_type);
                        "thumbnail"
                    }
                    Assertion::EmbeddedData(_) => "embedded data",
                    Assertion::Metadata(_) => "metadata",
                    Assertion::Opaque(_) => "opaque",
                };
                *counts.entry(kind.to_owned()).or_default() += 1;
            }
        }
    }
    // The one pre-1.0 store (the reference SDK refuses the whole file: "prerelease content
    // detected") has an actions schema that predates `parameters` being a map.
    assert_eq!(
        failures,
        [
            "rs/prerelease.jpg c2pa.actions: assertion \"c2pa.actions\": field `parameters` is not a map"
        ]
    );
    // The vectors exercise every model read from real files except soft bindings and box hashes
    // written by a third party (covered by the write → read tests below).
    for kind in [
        "actions",
        "data hash",
        "bmff hash",
        "ingredient",
        "thumbnail",
        "time-stamp",
        "certificate status",
        "opaque",
    ] {
        assert!(
            counts.get(kind).copied().unwrap_or(0) > 0,
            "{kind}: {counts:?}"
        );
    }
}

#[test]
fn ingredient_v3_reads_validation_results_and_manifest_references() {
    let store = store_of("rs/CACA.jpg");
    let active = store.active_manifest().unwrap();
    let ingredient = active
        .assertion_refs()
        .find_map(|a| match a.decode().unwrap() {
            Assertion::Ingredient(i) if i.active_manifest.is_some() => Some(i),
            _ => None,
        })
        .unwrap();
    assert_eq!(ingredient.version, IngredientVersion::V3);
    assert_eq!(ingredient.relationship, Relationship::ParentOf);
    let target = ingredient.active_manifest.as_ref().unwrap();
    let node = store.resolve(&target.url, Some(&active)).unwrap();
    assert_eq!(
        crate::store::HashAlg::Sha256.digest(store.hashed_bytes(node)),
        target.hash
    );
    let results = ingredient.validation_results.as_ref().unwrap();
    let am = results.active_manifest.as_ref().unwrap();
    assert!(
        am.success
            .iter()
            .any(|s| s.code == "claimSignature.validated")
    );
    assert!(!results.ingredient_deltas.is_empty());
}

#[test]
fn v1_actions_keep_their_ingredient_reference_and_unknown_fields() {
    let store = store_of("pt/adobe-20220124-CAI.jpg");
    let m = store.active_manifest().unwrap();
    let Assertion::Actions(actions) = m.assertion("c2pa.actions").unwrap().decode().unwrap() else {
        panic!("not actions")
    };
    assert_eq!(actions.version, ActionsVersion::V1);
    let opened = &actions.actions[0];
    assert_eq!(opened.action, "c2pa.opened");
    assert_eq!(
        opened.ingredient_refs().next().unwrap().url,
        "self#jumbf=c2pa.assertions/c2pa.ingredient"
    );
    // `instanceId` (sic) is not a schema field: kept as-is.
    assert!(
        opened
            .other
            .iter()
            .any(|(k, _)| k.as_text() == Some("instanceId"))
    );
}

#[test]
fn bmff_hash_v2_with_merkle_rows_decodes() {
    let store = store_of("rs/dashinit.mp4");
    let m = store.active_manifest().unwrap();
    let bmff = m
        .assertion_refs()
        .find_map(|a| match a.decode().unwrap() {
            Assertion::BmffHash(b) => Some(b),
            _ => None,
        })
        .unwrap();
    assert_eq!(bmff.version, 2);
    assert!(bmff.hash.is_none());
    let merkle = &bmff.merkle[0];
    assert_eq!(
        (merkle.unique_id, merkle.local_id, merkle.count),
        (1, 1, 11)
    );
    assert_eq!(merkle.hashes.len(), 3);
    assert!(merkle.init_hash.is_some());
    let uuid = bmff.exclusions.iter().find(|e| e.xpath == "/uuid").unwrap();
    assert_eq!(uuid.data[0].offset, 8);
    assert_eq!(uuid.path().unwrap(), vec![(*b"uuid", None)]);
}

#[test]
fn xpaths_follow_the_restricted_syntax() {
    let path = |x: &str| BmffExclusion::xpath(x).path();
    assert_eq!(
        path("/moov[1]/trak[12]/mdia").unwrap(),
        vec![(*b"moov", Some(1)), (*b"trak", Some(12)), (*b"mdia", None)]
    );
    for bad in [
        "moov",
        "/moov[0]",
        "/moov[01]",
        "/moo",
        "//moov",
        "/moov[",
        "/moov[x]",
    ] {
        assert!(path(bad).is_none(), "{bad}");
    }
}

fn boxed_and_read(new: &NewAssertion) -> Assertion {
    let bytes = new.to_jumbf().unwrap();
    let node = jumbf::parse(&bytes, &Limits::default()).unwrap();
    assert_eq!(node.label(), Some(new.label.as_str()));
    let content = Content::from_superbox(&node, &bytes).unwrap();
    assert_eq!(content, new.content);
    Assertion::decode(&new.label, &content).unwrap()
}

#[test]
fn every_model_writes_and_reads_back() {
    let uri = HashedUri {
        url: "self#jumbf=c2pa.assertions/c2pa.ingredient.v3".to_owned(),
        alg: None,
        hash: vec![7; 32],
    };
    let mut opened = Action::new("c2pa.opened");
    opened.parameters = Some(ActionParameters {
        ingredients: vec![uri.clone()],
        ..ActionParameters::default()
    });
    opened.when = Some("2025-01-02T03:04:05Z".to_owned());
    let mut redacted = Action::new("c2pa.redacted");
    redacted.reason = Some("c2pa.PII.present".to_owned());
    redacted.parameters = Some(ActionParameters {
        redacted: Some("self#jumbf=/c2pa/urn:c2pa:x/c2pa.assertions/c2pa.metadata".to_owned()),
        ..ActionParameters::default()
    });
    redacted.related = vec![Action::new("c2pa.edited")];
    let mut actions = Actions::v2(vec![opened, redacted]);
    actions.all_actions_included = Some(true);
    let d = actions.clone().encode().unwrap();
    let Assertion::Actions(back) = boxed_and_read(&NewAssertion::from_model(&d)) else {
        panic!()
    };
    assert_eq!(back.value(), &actions);
    // The `when` is a tag-0 date.
    let raw = cbor::decode(back.bytes()).unwrap();
    let first = &raw.as_map().unwrap()[0].1.as_array().unwrap()[0];
    assert!(
        first
            .as_map()
            .unwrap()
            .iter()
            .any(|(k, v)| k.as_text() == Some("when") && matches!(v, Value::Tag(0, _)))
    );

    let data = DataHash::new(
        "sha256",
        vec![1; 32],
        vec![ExclusionRange {
            start: 20,
            length: 5000,
        }],
    );
    let Assertion::DataHash(back) =
        boxed_and_read(&NewAssertion::from_model(&data.clone().encode().unwrap()))
    else {
        panic!()
    };
    assert_eq!(back.value(), &data);

    let mut bmff = BmffHash::v3("sha256", vec![BmffExclusion::xpath("/uuid")]);
    bmff.exclusions[0].data.push(DataMatch {
        offset: 8,
        value: crate::container::bmff::C2PA_UUID.to_vec(),
    });
    bmff.exclusions.push(BmffExclusion {
        flags: Some([0, 0, 1]),
        subset: vec![SubsetRange {
            offset: 16,
            length: 0,
        }],
        ..BmffExclusion::xpath("/moof/traf/tfhd")
    });
    bmff.merkle.push(MerkleMap {
        unique_id: 1,
        local_id: 1,
        count: 3,
        alg: Some("sha256".to_owned()),
        init_hash: None,
        hashes: vec![vec![9; 32]],
        fixed_block_size: Some(1 << 20),
        variable_block_sizes: None,
        other: Vec::new(),
    });
    let d = bmff.clone().encode().unwrap();
    assert_eq!(d.value().label(), "c2pa.hash.bmff.v3");
    let Assertion::BmffHash(back) = boxed_and_read(&NewAssertion::from_model(&d)) else {
        panic!()
    };
    assert_eq!(back.value(), &bmff);

    let boxes = BoxHash {
        boxes: vec![
            BoxHashEntry {
                names: vec!["PNGh".into(), "IHDR".into()],
                alg: None,
                hash: vec![3; 32],
                excluded: None,
                pad: Some(Vec::new()),
                other: Vec::new(),
            },
            BoxHashEntry {
                names: vec!["C2PA".into()],
                alg: None,
                hash: vec![0],
                excluded: None,
                pad: Some(Vec::new()),
                other: Vec::new(),
            },
        ],
        alg: Some("sha256".into()),
        other: Vec::new(),
    };
    let Assertion::BoxHash(back) =
        boxed_and_read(&NewAssertion::from_model(&boxes.clone().encode().unwrap()))
    else {
        panic!()
    };
    assert_eq!(back.value(), &boxes);

    let mut ingredient = Ingredient::v3(Relationship::ComponentOf);
    ingredient.title = Some("part.jpg".into());
    ingredient.format = Some("image/jpeg".into());
    ingredient.active_manifest = Some(uri.clone());
    ingredient.claim_signature = Some(uri.clone());
    ingredient.validation_results = Some(ValidationResults {
        active_manifest: Some(StatusCodes {
            success: vec![StatusEntry::new(
                "claimSignature.validated",
                Some("self#jumbf=/c2pa/urn:c2pa:x/c2pa.signature".into()),
            )],
            ..StatusCodes::default()
        }),
        ingredient_deltas: vec![IngredientDelta {
            ingredient_assertion_uri:
                "self#jumbf=/c2pa/urn:c2pa:x/c2pa.assertions/c2pa.ingredient.v3".into(),
            validation_deltas: StatusCodes::default(),
        }],
    });
    let Assertion::Ingredient(back) = boxed_and_read(&NewAssertion::from_model(
        &ingredient.clone().encode().unwrap(),
    )) else {
        panic!()
    };
    assert_eq!(back.value(), &ingredient);
    // A v2 ingredient writes `c2pa_manifest` and `validationStatus` instead.
    let mut v2 = ingredient.clone();
    v2.version = IngredientVersion::V2;
    v2.validation_results = None;
    v2.claim_signature = None;
    v2.validation_status = Some(vec![StatusEntry::new("claimSignature.validated", None)]);
    let d = v2.clone().encode().unwrap();
    let keys: Vec<String> = cbor::decode(d.bytes())
        .unwrap()
        .as_map()
        .unwrap()
        .iter()
        .map(|(k, _)| k.as_text().unwrap().to_owned())
        .collect();
    assert!(keys.contains(&"c2pa_manifest".to_owned()));
    assert!(keys.contains(&"validationStatus".to_owned()));
    let back = Ingredient::decode(d.bytes(), &Label::parse("c2pa.ingredient.v2")).unwrap();
    assert_eq!(back.value(), &v2);

    let soft = SoftBinding {
        alg: Some("com.example.watermark".into()),
        blocks: vec![SoftBindingBlock {
            scope: SoftBindingScope {
                timespan: Some((0, 1000)),
                ..SoftBindingScope::default()
            },
            value: vec![5, 6],
            other: Vec::new(),
        }],
        pad: Some(vec![0]),
        pad2: None,
        name: None,
        alg_params: None,
        url: None,
        other: Vec::new(),
    };
    let Assertion::SoftBinding(back) =
        boxed_and_read(&NewAssertion::from_model(&soft.clone().encode().unwrap()))
    else {
        panic!()
    };
    assert_eq!(back.value(), &soft);

    let ts = TimeStamps {
        tokens: vec![("urn:c2pa:1234".into(), vec![0x30, 0x00])],
    };
    let Assertion::TimeStamp(back) =
        boxed_and_read(&NewAssertion::from_model(&ts.clone().encode().unwrap()))
    else {
        panic!()
    };
    assert_eq!(back.value(), &ts);

    let status = CertificateStatus {
        ocsp_vals: vec![vec![0x30, 0x03, 0x0a, 0x01, 0x00]],
    };
    let Assertion::CertificateStatus(back) =
        boxed_and_read(&NewAssertion::from_model(&status.clone().encode().unwrap()))
    else {
        panic!()
    };
    assert_eq!(back.value(), &status);

    let mut thumb = EmbeddedFile::new("image/jpeg", vec![0xFF, 0xD8, 0xFF, 0xD9]);
    thumb.file_name = Some("thumb.jpg".into());
    let new = NewAssertion::new("c2pa.thumbnail.claim", Content::EmbeddedFile(thumb.clone()));
    assert_eq!(boxed_and_read(&new), Assertion::Thumbnail(thumb));

    let mut object = serde_json::Map::new();
    object.insert(
        "@context".into(),
        serde_json::json!({"dc": "http://purl.org/dc/elements/1.1/"}),
    );
    object.insert("dc:title".into(), serde_json::json!("x"));
    let meta = Metadata::from_object(object);
    let new = NewAssertion::new("c2pa.metadata", Content::Json(meta.bytes().to_vec()));
    let Assertion::Metadata(back) = boxed_and_read(&new) else {
        panic!()
    };
    assert_eq!(back.context(), meta.context());

    let opaque = NewAssertion::new("com.example.custom", Content::Cbor(vec![0xa0]));
    assert_eq!(
        boxed_and_read(&opaque),
        Assertion::Opaque(Content::Cbor(vec![0xa0]))
    );
    let uuid_content = NewAssertion::new(
        "com.example.encrypted",
        Content::Uuid {
            id: [0x11; 16],
            data: vec![1, 2, 3],
        },
    );
    assert!(matches!(
        boxed_and_read(&uuid_content),
        Assertion::Opaque(Content::Uuid { .. })
    ));
}

#[test]
fn salted_assertions_carry_a_c2sh_private_box() {
    let mut new = NewAssertion::new("c2pa.actions.v2", Content::Cbor(vec![0xa0]));
    new.salt = Some(vec![0x5a; 16]);
    let bytes = new.to_jumbf().unwrap();
    let node = jumbf::parse(&bytes, &Limits::default()).unwrap();
    let private = node.description.private.unwrap();
    assert_eq!(private.box_type, *b"c2sh");
    assert_eq!(&bytes[private.span.payload()], &[0x5a; 16]);
    new.salt = Some(vec![1; 8]);
    assert!(new.to_jumbf().is_err());
}

#[test]
fn bad_content_gives_specific_errors() {
    // A standard CBOR label holding JSON.
    let err = Assertion::decode("c2pa.actions.v2", &Content::Json(b"{}".to_vec())).unwrap_err();
    assert!(matches!(
        err,
        AssertionError::MissingContent {
            expected: "cbor",
            ..
        }
    ));
    // Actions without `actions`.
    let err = Assertion::decode("c2pa.actions.v2", &Content::Cbor(vec![0xa0])).unwrap_err();
    assert!(matches!(
        err,
        AssertionError::Cbor {
            error: CborError::Missing { field: "actions" },
            ..
        }
    ));
    // BMFF flags of the wrong size.
    let bad = cbor::encode(&cbor::canonical_map(vec![(
        "exclusions",
        Value::Array(vec![cbor::canonical_map(vec![
            ("xpath", Value::Text("/moof".into())),
            ("flags", Value::Bytes(vec![1, 2])),
        ])]),
    )]))
    .unwrap();
    let err = Assertion::decode("c2pa.hash.bmff.v3", &Content::Cbor(bad)).unwrap_err();
    assert!(matches!(
        err,
        AssertionError::Cbor {
            error: CborError::BadValue { field: "flags", .. },
            ..
        }
    ));
    // `[1* …]` arrays present but empty (`merkle: []`, an exclusion's `data: []` or
    // `subset: []`) are malformed, not the same as absent (issue 15).
    let exclusion = |extra: Vec<(&'static str, Value)>| {
        let mut fields = vec![("xpath", Value::Text("/uuid".into()))];
        fields.extend(extra);
        cbor::canonical_map(fields)
    };
    for (field, bmff) in [
        (
            "merkle",
            cbor::canonical_map(vec![
                ("exclusions", Value::Array(vec![exclusion(vec![])])),
                ("merkle", Value::Array(vec![])),
            ]),
        ),
        (
            "data",
            cbor::canonical_map(vec![(
                "exclusions",
                Value::Array(vec![exclusion(vec![("data", Value::Array(vec![]))])]),
            )]),
        ),
        (
            "subset",
            cbor::canonical_map(vec![(
                "exclusions",
                Value::Array(vec![exclusion(vec![("subset", Value::Array(vec![]))])]),
            )]),
        ),
    ] {
        let bytes = cbor::encode(&bmff).unwrap();
        let err = Assertion::decode("c2pa.hash.bmff.v3", &Content::Cbor(bytes)).unwrap_err();
        assert!(
            matches!(
                &err,
                AssertionError::Cbor {
                    error: CborError::WrongType { field: f, .. },
                    ..
                } if *f == field
            ),
            "{field}: {err}"
        );
    }
    // Metadata that is not a JSON object.
    let err = Assertion::decode("c2pa.metadata", &Content::Json(b"[1]".to_vec())).unwrap_err();
    assert!(matches!(err, AssertionError::Json { .. }));
    // A redacted assertion does not decode.
    let err = Assertion::decode("c2pa.metadata", &Content::Redacted { zeros: 4 }).unwrap_err();
    assert!(matches!(err, AssertionError::Redacted { .. }));
    // Embedded-file description without a NUL.
    let err = EmbeddedFile::from_boxes(&[0, b'i', b'm'], vec![], "t").unwrap_err();
    assert!(matches!(err, AssertionError::EmbeddedFile { .. }));
    let err = EmbeddedFile::from_boxes(&[1, b'a', 0, b'n'], vec![], "t").unwrap_err();
    assert!(matches!(err, AssertionError::EmbeddedFile { .. }));
}

#[test]
fn redaction_placeholder_is_recognised_whatever_the_jumbf_type() {
    // A CBOR-typed assertion superbox whose content was replaced by the redaction box.
    let mut content = Vec::new();
    let mut payload = REDACTION_UUID.to_vec();
    payload.extend_from_slice(&[0; 8]);
    jumbf::write_box(&mut content, *b"uuid", &payload);
    let mut bytes = Vec::new();
    jumbf::write_superbox(
        &mut bytes,
        &NewDescription {
            uuid: uuid::CBOR,
            label: Some("c2pa.metadata"),
            private: None,
        },
        &[&content],
    )
    .unwrap();
    let node = jumbf::parse(&bytes, &Limits::default()).unwrap();
    assert_eq!(
        Content::from_superbox(&node, &bytes).unwrap(),
        Content::Redacted { zeros: 8 }
    );
    // A non-zero byte after the UUID is not a redaction.
    let last = bytes.len() - 1;
    bytes[last] = 1;
    let node = jumbf::parse(&bytes, &Limits::default()).unwrap();
    assert!(matches!(
        Content::from_superbox(&node, &bytes).unwrap(),
        Content::Uuid { .. }
    ));
}
