//! Validation status as recorded in ingredient assertions (C2PA 2.2 §15.2.1): `status-map`,
//! `status-codes-map` and `validation-results-map`.
//!
//! ```text
//! status-map = { "code": tstr, ? "url": jumbf-uri, ? "explanation": tstr, ? "success": bool }
//! status-codes-map = { "success": [* status-map], "informational": [* status-map],
//!                      "failure": [* status-map] }
//! validation-results-map = { ? "activeManifest": status-codes-map,
//!                            ? "ingredientDeltas": [* { "ingredientAssertionURI": jumbf-uri,
//!                                                       "validationDeltas": status-codes-map }] }
//! ```
//! These are plain data: a validator produces them, a claim generator writes them into a
//! `c2pa.ingredient.v3`; this crate neither computes nor judges them.

use ciborium::Value;

use crate::cbor::{self, Map, map_with_other};
use crate::error::CborError;

/// One status code with where it applies.
#[derive(Debug, Clone, PartialEq)]
pub struct StatusEntry {
    /// `code`, e.g. `claimSignature.validated`.
    pub code: String,
    /// `url`: JUMBF URI of the box the code is about.
    pub url: Option<String>,
    /// `explanation`.
    pub explanation: Option<String>,
    /// `success` (deprecated; v2 ingredients).
    pub success: Option<bool>,
    /// Any other fields, as decoded.
    pub other: Vec<(Value, Value)>,
}

impl StatusEntry {
    /// A code about `url`.
    pub fn new(code: impl Into<String>, url: Option<String>) -> Self {
        Self {
            code: code.into(),
            url,
            explanation: None,
            success: None,
            other: Vec::new(),
        }
    }

    /// Decodes a `status-map`.
    pub fn from_value(value: &Value) -> Result<Self, CborError> {
        let m = Map::new(value, "status-map")?;
        Ok(Self {
            code: m.text("code")?.to_owned(),
            url: m.opt_string("url")?,
            explanation: m.opt_string("explanation")?,
            success: m.opt_bool("success")?,
            other: m.other(&["code", "url", "explanation", "success"]),
        })
    }

    /// Encodes a `status-map`.
    pub fn to_value(&self) -> Value {
        map_with_other(
            vec![
                ("code", Some(cbor::text(self.code.clone()))),
                ("url", self.url.clone().map(cbor::text)),
                ("explanation", self.explanation.clone().map(cbor::text)),
                ("success", self.success.map(Value::Bool)),
            ],
            &self.other,
        )
    }
}

/// Success, informational and failure codes.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct StatusCodes {
    /// `success`.
    pub success: Vec<StatusEntry>,
    /// `informational`.
    pub informational: Vec<StatusEntry>,
    /// `failure`.
    pub failure: Vec<StatusEntry>,
}

fn entries(values: &[Value]) -> Result<Vec<StatusEntry>, CborError> {
    values.iter().map(StatusEntry::from_value).collect()
}

fn entries_value(entries: &[StatusEntry]) -> Value {
    Value::Array(entries.iter().map(StatusEntry::to_value).collect())
}

impl StatusCodes {
    /// Decodes a `status-codes-map` (absent arrays read as empty).
    pub fn from_value(value: &Value) -> Result<Self, CborError> {
        let m = Map::new(value, "status-codes-map")?;
        Ok(Self {
            success: entries(m.opt_array("success")?.unwrap_or_default())?,
            informational: entries(m.opt_array("informational")?.unwrap_or_default())?,
            failure: entries(m.opt_array("failure")?.unwrap_or_default())?,
        })
    }

    /// Encodes a `status-codes-map` (all three arrays, possibly empty, as the schema requires).
    pub fn to_value(&self) -> Value {
        cbor::canonical_map(vec![
            ("success", entries_value(&self.success)),
            ("informational", entries_value(&self.informational)),
            ("failure", entries_value(&self.failure)),
        ])
    }

    /// True when there is no failure code.
    pub fn is_free_of_failures(&self) -> bool {
        self.failure.is_empty()
    }
}

/// The delta results for one ingredient assertion deeper in the ingredient's store.
#[derive(Debug, Clone, PartialEq)]
pub struct IngredientDelta {
    /// `ingredientAssertionURI`.
    pub ingredient_assertion_uri: String,
    /// `validationDeltas`.
    pub validation_deltas: StatusCodes,
}

/// A `validation-results-map`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ValidationResults {
    /// `activeManifest`.
    pub active_manifest: Option<StatusCodes>,
    /// `ingredientDeltas`.
    pub ingredient_deltas: Vec<IngredientDelta>,
}

impl ValidationResults {
    /// Decodes a `validation-results-map`.
    pub fn from_value(value: &Value) -> Result<Self, CborError> {
        let m = Map::new(value, "validation-results-map")?;
        let deltas = m.array_of("ingredientDeltas", |v| {
            let d = Map::new(v, "ingredientDeltas")?;
            Ok(IngredientDelta {
                ingredient_assertion_uri: d.text("ingredientAssertionURI")?.to_owned(),
                validation_deltas: StatusCodes::from_value(d.required("validationDeltas")?)?,
            })
        })?;
        Ok(Self {
            active_manifest: m
                .get("activeManifest")
                .map(StatusCodes::from_value)
                .transpose()?,
            ingredient_deltas: deltas,
        })
    }

    /// Encodes a `validation-results-map`.
    pub fn to_value(&self) -> Value {
        let deltas = (!self.ingredient_deltas.is_empty()).then(|| {
            Value::Array(
                self.ingredient_deltas
                    .iter()
                    .map(|d| {
                        cbor::canonical_map(vec![
                            (
                                "ingredientAssertionURI",
                                cbor::text(d.ingredient_assertion_uri.clone()),
                            ),
                            ("validationDeltas", d.validation_deltas.to_value()),
                        ])
                    })
                    .collect(),
            )
        });
        map_with_other(
            vec![
                (
                    "activeManifest",
                    self.active_manifest.as_ref().map(StatusCodes::to_value),
                ),
                ("ingredientDeltas", deltas),
            ],
            &[],
        )
    }
}
