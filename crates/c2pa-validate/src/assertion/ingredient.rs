//! Ingredient assertions (`c2pa.ingredient`, `.v2`, `.v3`; C2PA 2.2 §18.15) as validation sees
//! them: a view over `c2pa-model`'s typed [`model::Ingredient`] with the fields the rules of
//! §15.11 use. A decoding failure (no `relationship`, a field of the wrong type) is kept as
//! [`Ingredient::malformed`] for `assertion.ingredient.malformed`.

use ciborium::Value;
use signet_c2pa_model::HashedUri;
use signet_c2pa_model::assertion::{self as model, CborAssertion, Label};

/// The relationships §15.11.3.2 allows.
pub const RELATIONSHIPS: [&str; 3] = ["parentOf", "componentOf", "inputTo"];

/// A status recorded in an ingredient assertion.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordedStatus {
    /// The code's string form.
    pub code: String,
    /// The URI, when recorded.
    pub url: Option<String>,
}

/// The fields of an ingredient assertion that validation uses.
#[derive(Debug, Clone, Default)]
pub struct Ingredient {
    /// `dc:title`.
    pub title: Option<String>,
    /// `relationship`.
    pub relationship: Option<String>,
    /// `activeManifest` (v3) or `c2pa_manifest` (v1, v2).
    pub manifest: Option<HashedUri>,
    /// `claimSignature` (v3).
    pub claim_signature: Option<HashedUri>,
    /// The recorded codes: `validationResults.activeManifest` (v3) or `validationStatus`
    /// (v1, v2); `None` when neither is present.
    pub recorded: Option<Vec<RecordedStatus>>,
    /// Other hashed URIs (thumbnail) to check as references.
    pub references: Vec<(String, HashedUri)>,
    /// Why the assertion does not decode, if it does not.
    pub malformed: Option<String>,
    /// The assertion's label version is below 3 (`c2pa.ingredient`, `c2pa.ingredient.v2`), whose
    /// `c2pa_manifest` pre-2.0 generators hashed differently (see the validator's legacy hash).
    pub before_v3: bool,
}

fn recorded(entries: &[model::StatusEntry]) -> Vec<RecordedStatus> {
    entries
        .iter()
        .map(|e| RecordedStatus {
            code: e.code.clone(),
            url: e.url.clone(),
        })
        .collect()
}

impl Ingredient {
    /// Reads an ingredient assertion's CBOR under its `label`.
    pub fn from_value(value: &Value, label: &str) -> Self {
        let label = Label::parse(label);
        let typed = match model::Ingredient::from_value(value, &label) {
            Ok(t) => t,
            Err(e) => {
                return Self {
                    malformed: Some(format!("ingredient assertion: {e}")),
                    ..Self::default()
                };
            }
        };
        let recorded = match (&typed.validation_results, &typed.validation_status) {
            (Some(results), _) => Some(
                results
                    .active_manifest
                    .as_ref()
                    .map(|am| {
                        let mut all = recorded(&am.success);
                        all.extend(recorded(&am.informational));
                        all.extend(recorded(&am.failure));
                        all
                    })
                    .unwrap_or_default(),
            ),
            (None, Some(status)) => Some(recorded(status)),
            (None, None) => None,
        };
        Self {
            title: typed.title.clone(),
            relationship: Some(typed.relationship.as_str().to_owned()),
            manifest: typed.active_manifest.clone(),
            claim_signature: typed.claim_signature.clone(),
            recorded,
            references: typed
                .thumbnail
                .iter()
                .map(|h| ("thumbnail".to_owned(), h.clone()))
                .collect(),
            malformed: None,
            before_v3: label.version_or_1() < 3,
        }
    }
}
