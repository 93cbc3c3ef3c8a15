//! Pre-2.0 ingredient hashes: a v1/v2 ingredient's `c2pa_manifest` hash over the ingredient's
//! claim (CBOR) instead of its manifest box, as `make_test_images` 0.16 wrote them.

use signet_c2pa_model::container::Format;
use signet_c2pa_validate::trust::TrustConfig;
use signet_c2pa_validate::{Report, StatusCode, ValidationState, Validator};
use signet_crypto::Verifier;

use crate::pki::at;

/// The one place the ingredient's claim holds this instanceID (checked below).
const INGREDIENT_IID: &[u8] = b"xmp:iid:cb9dcd47-8b1c-412d-924c-a41d3ca7e152";

fn asset() -> Vec<u8> {
    std::fs::read(
        std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("../../tests/upstream/vectors/c2pa/rs/legacy_ingredient_hash.jpg"),
    )
    .unwrap()
}

fn validate(asset: &[u8]) -> Report {
    let trust = TrustConfig::new();
    Validator::new(&trust, &Verifier, at(1795394768))
        .validate_asset(Format::Jpeg, std::io::Cursor::new(asset))
        .unwrap()
}

fn delta_codes(r: &Report) -> Vec<(StatusCode, String)> {
    r.ingredient_deltas
        .iter()
        .flat_map(|d| {
            let l = &d.validation_deltas;
            l.success.iter().chain(&l.informational).chain(&l.failure)
        })
        .map(|s| (s.code.clone(), s.explanation.clone().unwrap_or_default()))
        .collect()
}

#[test]
fn a_claim_hash_of_a_v1_ingredient_is_accepted_and_said_to_be_legacy() {
    let r = validate(&asset());
    let deltas = delta_codes(&r);
    assert!(
        deltas
            .iter()
            .any(|(c, why)| *c == StatusCode::IngredientManifestValidated
                && why.contains("pre-2.0 method")),
        "{deltas:#?}"
    );
    assert!(
        !deltas
            .iter()
            .any(|(c, _)| *c == StatusCode::IngredientManifestMismatch),
        "{deltas:#?}"
    );
    // Untrusted (no anchors) but not Invalid: the reference SDK's verdict.
    assert_eq!(r.state, ValidationState::Valid, "{r:#?}");
}

#[test]
fn a_changed_ingredient_claim_fails_the_legacy_hash_too() {
    let mut bytes = asset();
    let windows: Vec<usize> = bytes
        .windows(INGREDIENT_IID.len())
        .enumerate()
        .filter(|(_, w)| *w == INGREDIENT_IID)
        .map(|(i, _)| i)
        .collect();
    assert_eq!(windows.len(), 1, "the instanceID occurs once, in the claim");
    // The last hex digit of the instanceID: same length, different claim.
    let at_digit = windows[0] + INGREDIENT_IID.len() - 1;
    bytes[at_digit] = b'3';
    let r = validate(&bytes);
    let deltas = delta_codes(&r);
    assert!(
        deltas
            .iter()
            .any(|(c, _)| *c == StatusCode::IngredientManifestMismatch),
        "{deltas:#?}"
    );
    assert_eq!(r.state, ValidationState::Invalid);
}
