//! Ingredients (C2PA 2.2 §18.15): `c2pa.ingredient` (v1), `.v2` (deprecated) and `.v3`, one
//! model with the union of their fields; `version` says which schema was read or is written.
//!
//! ```text
//! ingredient-map-v3 = { ? "dc:title": tstr, ? "dc:format": tstr, "relationship": tstr,
//!   ? "validationResults": validation-results-map, ? "instanceID": tstr,
//!   ? "data": hashed-uri-map / hashed-ext-uri-map, ? "dataTypes": [1* asset-type-map],
//!   ? "activeManifest": hashed-uri-map, ? "claimSignature": hashed-uri-map,
//!   ? "thumbnail": hashed-uri-map, ? "description": tstr, ? "informationalURI": tstr,
//!   ? "softBindingsMatched": bool, ? "softBindingAlgorithmsMatched": [1* tstr],
//!   ? "metadata": assertion-metadata-map }
//! ```
//! v1/v2 add `documentID`, `c2pa_manifest` (instead of `activeManifest`), `validationStatus`
//! (instead of `validationResults`), v2 `data_types` and `informational_URI`.

use ciborium::Value;

use super::status::{StatusEntry, ValidationResults};
use super::{CborAssertion, Label};
use crate::cbor::{self, Map, map_with_other};
use crate::error::CborError;
use crate::hashed_uri::HashedUri;

/// Which ingredient schema.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum IngredientVersion {
    /// `c2pa.ingredient`.
    V1,
    /// `c2pa.ingredient.v2`.
    V2,
    /// `c2pa.ingredient.v3`.
    V3,
}

/// How the ingredient relates to the asset (§18.15.3).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Relationship {
    /// `parentOf`.
    ParentOf,
    /// `componentOf`.
    ComponentOf,
    /// `inputTo`.
    InputTo,
    /// Any other value, as read.
    Other(String),
}

impl Relationship {
    /// From the CBOR text.
    pub fn parse(s: &str) -> Self {
        match s {
            "parentOf" => Self::ParentOf,
            "componentOf" => Self::ComponentOf,
            "inputTo" => Self::InputTo,
            other => Self::Other(other.to_owned()),
        }
    }

    /// The CBOR text.
    pub fn as_str(&self) -> &str {
        match self {
            Self::ParentOf => "parentOf",
            Self::ComponentOf => "componentOf",
            Self::InputTo => "inputTo",
            Self::Other(s) => s,
        }
    }
}

/// An ingredient assertion.
#[derive(Debug, Clone, PartialEq)]
pub struct Ingredient {
    /// Schema version (from the label).
    pub version: IngredientVersion,
    /// `dc:title`.
    pub title: Option<String>,
    /// `dc:format` (IANA media type).
    pub format: Option<String>,
    /// `relationship`.
    pub relationship: Relationship,
    /// v1/v2 `documentID`.
    pub document_id: Option<String>,
    /// `instanceID`.
    pub instance_id: Option<String>,
    /// v3 `activeManifest`, or v1/v2 `c2pa_manifest`: the ingredient's manifest in this store.
    pub active_manifest: Option<HashedUri>,
    /// v3 `claimSignature`.
    pub claim_signature: Option<HashedUri>,
    /// `thumbnail`.
    pub thumbnail: Option<HashedUri>,
    /// v2/v3 `data` (a hashed URI or a hashed external URI map), as decoded.
    pub data: Option<Value>,
    /// v3 `dataTypes` / v2 `data_types`, as decoded.
    pub data_types: Option<Vec<Value>>,
    /// v3 `validationResults`.
    pub validation_results: Option<ValidationResults>,
    /// v1/v2 `validationStatus`.
    pub validation_status: Option<Vec<StatusEntry>>,
    /// `description`.
    pub description: Option<String>,
    /// v3 `informationalURI` / v2 `informational_URI`.
    pub informational_uri: Option<String>,
    /// v3 `softBindingsMatched`.
    pub soft_bindings_matched: Option<bool>,
    /// v3 `softBindingAlgorithmsMatched`.
    pub soft_binding_algorithms_matched: Option<Vec<String>>,
    /// `metadata`, as decoded.
    pub metadata: Option<Value>,
    /// Any other fields, as decoded.
    pub other: Vec<(Value, Value)>,
}

impl Ingredient {
    /// A v3 ingredient with this relationship and nothing else.
    pub fn v3(relationship: Relationship) -> Self {
        Self {
            version: IngredientVersion::V3,
            title: None,
            format: None,
            relationship,
            document_id: None,
            instance_id: None,
            active_manifest: None,
            claim_signature: None,
            thumbnail: None,
            data: None,
            data_types: None,
            validation_results: None,
            validation_status: None,
            description: None,
            informational_uri: None,
            soft_bindings_matched: None,
            soft_binding_algorithms_matched: None,
            metadata: None,
            other: Vec::new(),
        }
    }

    /// The field names of this version's schema for the manifest reference, validation,
    /// data types and informational URI.
    fn names(version: IngredientVersion) -> [&'static str; 4] {
        match version {
            IngredientVersion::V3 => [
                "activeManifest",
                "validationResults",
                "dataTypes",
                "informationalURI",
            ],
            IngredientVersion::V2 | IngredientVersion::V1 => [
                "c2pa_manifest",
                "validationStatus",
                "data_types",
                "informational_URI",
            ],
        }
    }
}

const COMMON_KEYS: &[&str] = &[
    "dc:title",
    "dc:format",
    "relationship",
    "documentID",
    "instanceID",
    "claimSignature",
    "thumbnail",
    "data",
    "description",
    "softBindingsMatched",
    "softBindingAlgorithmsMatched",
    "metadata",
];

impl CborAssertion for Ingredient {
    fn from_value(value: &Value, label: &Label) -> Result<Self, CborError> {
        let m = Map::new(value, "ingredient-map")?;
        let version = match label.version_or_1() {
            1 => IngredientVersion::V1,
            2 => IngredientVersion::V2,
            _ => IngredientVersion::V3,
        };
        let [manifest_key, validation_key, types_key, info_key] = Self::names(version);
        let uri = |key: &'static str| m.get(key).map(HashedUri::from_value).transpose();
        let (validation_results, validation_status) = match version {
            IngredientVersion::V3 => (
                m.get(validation_key)
                    .map(ValidationResults::from_value)
                    .transpose()?,
                None,
            ),
            _ => (
                None,
                m.opt_array(validation_key)?
                    .map(|items| {
                        items
                            .iter()
                            .map(StatusEntry::from_value)
                            .collect::<Result<Vec<_>, _>>()
                    })
                    .transpose()?,
            ),
        };
        let mut known: Vec<&str> = COMMON_KEYS.to_vec();
        known.extend([manifest_key, validation_key, types_key, info_key]);
        Ok(Self {
            version,
            title: m.opt_string("dc:title")?,
            format: m.opt_string("dc:format")?,
            relationship: Relationship::parse(m.text("relationship")?),
            document_id: m.opt_string("documentID")?,
            instance_id: m.opt_string("instanceID")?,
            active_manifest: uri(manifest_key)?,
            claim_signature: uri("claimSignature")?,
            thumbnail: uri("thumbnail")?,
            data: m.get("data").cloned(),
            data_types: m.opt_array(types_key)?.map(<[Value]>::to_vec),
            validation_results,
            validation_status,
            description: m.opt_string("description")?,
            informational_uri: m.opt_string(info_key)?,
            soft_bindings_matched: m.opt_bool("softBindingsMatched")?,
            soft_binding_algorithms_matched: m.opt_text_array("softBindingAlgorithmsMatched")?,
            metadata: m.get("metadata").cloned(),
            other: m.other(&known),
        })
    }

    fn to_value(&self) -> Value {
        let [manifest_key, validation_key, types_key, info_key] = Self::names(self.version);
        let validation = match self.version {
            IngredientVersion::V3 => self
                .validation_results
                .as_ref()
                .map(ValidationResults::to_value),
            _ => self
                .validation_status
                .as_ref()
                .map(|s| Value::Array(s.iter().map(StatusEntry::to_value).collect())),
        };
        map_with_other(
            vec![
                ("dc:title", self.title.clone().map(cbor::text)),
                ("dc:format", self.format.clone().map(cbor::text)),
                (
                    "relationship",
                    Some(cbor::text(self.relationship.as_str().to_owned())),
                ),
                ("documentID", self.document_id.clone().map(cbor::text)),
                ("instanceID", self.instance_id.clone().map(cbor::text)),
                (
                    manifest_key,
                    self.active_manifest.as_ref().map(HashedUri::to_value),
                ),
                (
                    "claimSignature",
                    self.claim_signature.as_ref().map(HashedUri::to_value),
                ),
                (
                    "thumbnail",
                    self.thumbnail.as_ref().map(HashedUri::to_value),
                ),
                ("data", self.data.clone()),
                (types_key, self.data_types.clone().map(Value::Array)),
                (validation_key, validation),
                ("description", self.description.clone().map(cbor::text)),
                (info_key, self.informational_uri.clone().map(cbor::text)),
                (
                    "softBindingsMatched",
                    self.soft_bindings_matched.map(Value::Bool),
                ),
                (
                    "softBindingAlgorithmsMatched",
                    self.soft_binding_algorithms_matched
                        .as_ref()
                        .map(|a| Value::Array(a.iter().cloned().map(cbor::text).collect())),
                ),
                ("metadata", self.metadata.clone()),
            ],
            &self.other,
        )
    }

    fn label(&self) -> String {
        match self.version {
            IngredientVersion::V1 => "c2pa.ingredient".to_owned(),
            IngredientVersion::V2 => "c2pa.ingredient.v2".to_owned(),
            IngredientVersion::V3 => "c2pa.ingredient.v3".to_owned(),
        }
    }
}
