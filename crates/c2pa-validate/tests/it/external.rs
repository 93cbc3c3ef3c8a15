//! Time-stamps and OCSP responses added after signing (C2PA 2.2 §18.17, §18.18): an asset
//! signed offline (no time-stamp, no stapled OCSP) is taken as the parent ingredient of a
//! second, time-stamped manifest that carries a `c2pa.time-stamp` assertion over the parent's
//! signature and a `c2pa.certificate-status` assertion with an OCSP response for its signer.
//! Two years later, when the signer's certificate has expired, the parent still validates
//! with the time the assertion proves (§15.8.1.2), and the OCSP response decides revocation
//! (§15.9) — a revoked signer is reported even though the parent stapled nothing. The c2pa.metadata
//! rules of §15.10.3.2.3 are checked on the same kind of assets.

use std::collections::BTreeSet;

use ciborium::Value;
use signet_asn1_types::crypto::SecureRandom;
use signet_c2pa_model::assertion::Relationship;
use signet_c2pa_model::assertion::{Content, NewAssertion, StatusCodes, ValidationResults};
use signet_c2pa_model::container::{ContainerLimits, Format, locate};
use signet_c2pa_model::cose::{SignOptions, TimeStamper};
use signet_c2pa_model::generator::{IngredientInput, ManifestDefinition, sign_asset};
use signet_c2pa_model::jumbf::Limits;
use signet_c2pa_model::{ClaimSignature, ManifestStore, cbor};
use signet_c2pa_validate::trust::{ID_KP_CLAIM_SIGNING, TrustConfig};
use signet_c2pa_validate::{Report, StatusCode, ValidationState, Validator};
use signet_ca_signer::ocsp::CertificateStatus;
use signet_crypto::{SystemRng, Verifier};

use crate::pki::{Pki, at, now_secs};
use crate::store::text;
use crate::tamper::{OpensslTsa, ocsp_response};

const DAY: u64 = 86_400;

fn source() -> Vec<u8> {
    std::fs::read(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../tests/upstream/vectors/c2pa/rs/no_manifest.jpg"),
    )
    .unwrap()
}

fn sign(
    pki: &Pki,
    asset: &[u8],
    definition: &ManifestDefinition,
    tsa: Option<&dyn TimeStamper>,
) -> Vec<u8> {
    let chain = pki.x5chain();
    let opts = SignOptions {
        signer: &pki.leaf.key,
        chain: &chain,
        timestamper: tsa,
        ocsp_vals: &[],
    };
    let rng = SystemRng::new();
    let rng: &dyn SecureRandom = &rng;
    let mut out = std::io::Cursor::new(Vec::new());
    sign_asset(
        Format::Jpeg,
        &mut std::io::Cursor::new(asset),
        &mut out,
        definition,
        &opts,
        rng,
    )
    .unwrap();
    out.into_inner()
}

fn store_of(asset: &[u8]) -> ManifestStore {
    let found = locate(Format::Jpeg, asset, &ContainerLimits::default())
        .unwrap()
        .unwrap();
    ManifestStore::from_bytes(found.store, &Limits::default()).unwrap()
}

/// Strips the embedded store (to sign the asset again as an edit of itself).
fn without_store(asset: &[u8]) -> Vec<u8> {
    let found = locate(Format::Jpeg, asset, &ContainerLimits::default())
        .unwrap()
        .unwrap();
    let start = usize::try_from(found.ranges[0].start).unwrap();
    let end = usize::try_from(found.ranges.last().unwrap().end).unwrap();
    [&asset[..start], &asset[end..]].concat()
}

fn validate(pki: &Pki, secs: u64, asset: &[u8]) -> Report {
    let mut trust = TrustConfig::new();
    trust
        .add_signer_anchors(ID_KP_CLAIM_SIGNING, &pki.root.der())
        .unwrap();
    trust.add_tsa_anchors(&pki.root.der()).unwrap();
    Validator::new(&trust, &Verifier, at(secs))
        .validate_asset(Format::Jpeg, std::io::Cursor::new(asset))
        .unwrap()
}

fn delta_failures(r: &Report) -> BTreeSet<StatusCode> {
    r.ingredient_deltas
        .iter()
        .flat_map(|d| d.validation_deltas.failure.iter().map(|s| s.code.clone()))
        .collect()
}

fn delta_has(r: &Report, code: StatusCode) -> bool {
    r.ingredient_deltas.iter().any(|d| {
        d.validation_deltas
            .success
            .iter()
            .chain(&d.validation_deltas.informational)
            .chain(&d.validation_deltas.failure)
            .any(|s| s.code == code)
    })
}

/// The child: `parent` as its parentOf ingredient, with `assertions`, time-stamped.
fn child(
    pki: &Pki,
    tsa: &dyn TimeStamper,
    parent: &[u8],
    assertions: Vec<NewAssertion>,
) -> Vec<u8> {
    let mut ingredient = IngredientInput::new(Relationship::ParentOf);
    ingredient.title = Some("parent.jpg".into());
    ingredient.format = Some("image/jpeg".into());
    ingredient.store = Some(store_of(parent));
    // Nothing recorded: every later finding about the parent is a delta.
    ingredient.validation_results = Some(ValidationResults {
        active_manifest: Some(StatusCodes::default()),
        ingredient_deltas: Vec::new(),
    });
    let definition = ManifestDefinition {
        ingredients: vec![ingredient],
        assertions,
        ..ManifestDefinition::default()
    };
    sign(pki, &without_store(parent), &definition, Some(tsa))
}

fn cbor_assertion(label: &str, v: &Value) -> NewAssertion {
    NewAssertion::new(label, Content::Cbor(cbor::encode(v).unwrap()))
}

#[test]
fn time_stamp_and_certificate_status_assertions_vouch_for_an_ingredient() {
    let now = now_secs();
    let pki = Pki::new(now - DAY);
    let dir = tempfile::tempdir().unwrap();
    let tsa = OpensslTsa {
        pki: &pki,
        dir: dir.path(),
    };
    // The parent, signed offline: no time-stamp, no OCSP.
    let parent = sign(&pki, &source(), &ManifestDefinition::default(), None);
    let parent_store = store_of(&parent);
    let parent_manifest = parent_store.active_manifest().unwrap();
    let urn = parent_manifest.label().unwrap().to_owned();
    let cose = parent_store.content(
        parent_manifest
            .signature_box()
            .unwrap()
            .plain_boxes()
            .next()
            .unwrap(),
    );
    let token = tsa
        .timestamp(&ClaimSignature::parse(cose).unwrap().timestamp_input_v2())
        .unwrap();
    let time_stamp = cbor_assertion(
        "c2pa.time-stamp",
        &Value::Map(vec![(text(&urn), Value::Bytes(token.clone()))]),
    );
    let status = |s: CertificateStatus| {
        cbor_assertion(
            "c2pa.certificate-status",
            &Value::Map(vec![(
                text("ocspVals"),
                Value::Array(vec![Value::Bytes(ocsp_response(&pki, now, s))]),
            )]),
        )
    };
    let later = now + 730 * DAY;

    // Without the assertions: two years on, the parent's signer has expired.
    let plain = child(&pki, &tsa, &parent, Vec::new());
    let r = validate(&pki, later, &plain);
    assert_eq!(r.active.failure.len(), 0, "{:#?}", r.active);
    assert!(
        delta_failures(&r).contains(&StatusCode::ClaimSignatureOutsideValidity),
        "{:#?}",
        r.ingredient_deltas
    );
    assert_eq!(r.state, ValidationState::Invalid);

    // With a time-stamp over the parent's signature and a good OCSP response.
    let vouched = child(
        &pki,
        &tsa,
        &parent,
        vec![time_stamp.clone(), status(CertificateStatus::Good)],
    );
    let r = validate(&pki, later, &vouched);
    assert_eq!(
        delta_failures(&r),
        BTreeSet::new(),
        "{:#?}",
        r.ingredient_deltas
    );
    assert_eq!(r.state, ValidationState::Trusted, "{:#?}", r.active);
    for code in [
        StatusCode::TimeStampTrusted,
        StatusCode::ClaimSignatureInsideValidity,
        StatusCode::SigningCredentialOcspNotRevoked,
    ] {
        assert!(
            delta_has(&r, code.clone()),
            "{code}: {:#?}",
            r.ingredient_deltas
        );
    }

    // The certificate-status assertion says the parent's signer was revoked.
    let revoked = child(
        &pki,
        &tsa,
        &parent,
        vec![
            time_stamp.clone(),
            status(CertificateStatus::Revoked {
                time: at(now - 3600),
                reason: None,
            }),
        ],
    );
    let r = validate(&pki, later, &revoked);
    assert!(
        delta_failures(&r).contains(&StatusCode::SigningCredentialOcspRevoked),
        "{:#?}",
        r.ingredient_deltas
    );

    // A time-stamp over something else does not count (timeStamp.mismatch, informational).
    let other = tsa.timestamp(b"another signature").unwrap();
    let wrong = cbor_assertion(
        "c2pa.time-stamp",
        &Value::Map(vec![(text(&urn), Value::Bytes(other))]),
    );
    let r = validate(&pki, later, &child(&pki, &tsa, &parent, vec![wrong]));
    assert!(delta_has(&r, StatusCode::TimeStampMismatch));
    assert!(delta_failures(&r).contains(&StatusCode::ClaimSignatureOutsideValidity));

    // A malformed time-stamp assertion (an empty map) is the child's own failure.
    let empty = cbor_assertion("c2pa.time-stamp", &Value::Map(Vec::new()));
    let r = validate(&pki, now, &child(&pki, &tsa, &parent, vec![empty]));
    assert!(r.active.has(&StatusCode::AssertionTimestampMalformed));
}

#[test]
fn metadata_fields_outside_appendix_b_are_refused() {
    let now = now_secs();
    let pki = Pki::new(now - DAY);
    let metadata = |json: serde_json::Value| {
        NewAssertion::new(
            "c2pa.metadata",
            Content::Json(serde_json::to_vec(&json).unwrap()),
        )
    };
    let allowed = metadata(serde_json::json!({
        "@context": {"exif": "http://ns.adobe.com/exif/1.0/", "tiff": "http://ns.adobe.com/tiff/1.0/"},
        "exif:FNumber": 2.8,
        "tiff:Make": "Example"
    }));
    let definition = ManifestDefinition {
        assertions: vec![allowed],
        ..ManifestDefinition::default()
    };
    let r = validate(&pki, now, &sign(&pki, &source(), &definition, None));
    assert_eq!(r.state, ValidationState::Trusted, "{:#?}", r.active);

    let disallowed = metadata(serde_json::json!({
        "@context": {"exif": "http://ns.adobe.com/exif/1.0/", "dc": "http://purl.org/dc/elements/1.1/"},
        "exif:FNumber": 2.8,
        "dc:creator": ["Someone"]
    }));
    let definition = ManifestDefinition {
        assertions: vec![disallowed],
        ..ManifestDefinition::default()
    };
    let r = validate(&pki, now, &sign(&pki, &source(), &definition, None));
    let failures: Vec<StatusCode> = r.active.failure.iter().map(|s| s.code.clone()).collect();
    assert_eq!(failures, [StatusCode::AssertionMetadataDisallowed]);
    let why = r.active.failure[0]
        .explanation
        .as_deref()
        .unwrap_or_default();
    assert!(why.contains("dc:creator"), "{why}");

    // A custom metadata assertion may hold anything.
    let custom = NewAssertion::new(
        "com.example.metadata",
        Content::Json(
            br#"{"@context":{"dc":"http://purl.org/dc/elements/1.1/"},"dc:creator":"x"}"#.to_vec(),
        ),
    );
    let definition = ManifestDefinition {
        assertions: vec![custom],
        ..ManifestDefinition::default()
    };
    let r = validate(&pki, now, &sign(&pki, &source(), &definition, None));
    assert_eq!(r.state, ValidationState::Trusted, "{:#?}", r.active);
}
