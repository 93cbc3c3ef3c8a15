//! Ingredient assertions (`c2pa.ingredient`, `.v2`, `.v3`; C2PA 2.2 §18.15), read for
//! validation: relationship, the ingredient's manifest and claim signature references, and the
//! validation results recorded when the ingredient was added.

use ciborium::Value;
use signet_c2pa_model::HashedUri;

use super::{field, hashed_uri};

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
    /// The recorded codes: `validationResults.activeManifest` (v2, v3) or `validationStatus`
    /// (v1, v2); `None` when neither is present.
    pub recorded: Option<Vec<RecordedStatus>>,
    /// Other hashed URIs (thumbnail, data, manifest data) to check as references.
    pub references: Vec<(String, HashedUri)>,
    /// A malformed field, if any.
    pub malformed: Option<String>,
}

fn statuses(list: Option<&Value>) -> Vec<RecordedStatus> {
    list.and_then(Value::as_array)
        .map(|items| {
            items
                .iter()
                .filter_map(|s| {
                    Some(RecordedStatus {
                        code: field(s, "code")?.as_text()?.to_owned(),
                        url: field(s, "url").and_then(Value::as_text).map(str::to_owned),
                    })
                })
                .collect()
        })
        .unwrap_or_default()
}

impl Ingredient {
    /// Reads an ingredient assertion's CBOR.
    pub fn from_value(value: &Value) -> Self {
        let text = |k: &str| field(value, k).and_then(Value::as_text).map(str::to_owned);
        let mut out = Self {
            title: text("dc:title").or_else(|| text("title")),
            relationship: text("relationship"),
            ..Self::default()
        };
        if value.as_map().is_none() {
            out.malformed = Some("ingredient assertion is not a map".into());
            return out;
        }
        for key in ["activeManifest", "c2pa_manifest"] {
            if let Some(v) = field(value, key) {
                match hashed_uri(v) {
                    Some(h) => out.manifest = Some(h),
                    None => out.malformed = Some(format!("`{key}` is not a hashed URI")),
                }
            }
        }
        if let Some(v) = field(value, "claimSignature") {
            match hashed_uri(v) {
                Some(h) => out.claim_signature = Some(h),
                None => out.malformed = Some("`claimSignature` is not a hashed URI".into()),
            }
        }
        if let Some(results) = field(value, "validationResults") {
            let am = field(results, "activeManifest");
            let mut codes = Vec::new();
            for list in ["success", "informational", "failure"] {
                codes.extend(statuses(am.and_then(|m| field(m, list))));
            }
            out.recorded = Some(codes);
        } else if let Some(status) = field(value, "validationStatus") {
            out.recorded = Some(statuses(Some(status)));
        }
        for key in ["thumbnail", "data", "manifest_data"] {
            if let Some(h) = field(value, key).and_then(hashed_uri) {
                out.references.push((key.to_owned(), h));
            }
        }
        out
    }
}
