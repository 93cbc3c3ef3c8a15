//! Metadata assertions (C2PA 2.2 §18.16): `c2pa.metadata` and `<entity>.metadata`, one JSON
//! content box holding a JSON-LD object with an `@context`.

use crate::error::AssertionError;

/// A metadata assertion: the JSON bytes as stored and their parse.
#[derive(Debug, Clone, PartialEq)]
pub struct Metadata {
    bytes: Vec<u8>,
    object: serde_json::Map<String, serde_json::Value>,
}

impl Metadata {
    /// Parses the JSON content (`serde_json` bounds nesting at 128 levels). Anything but a JSON
    /// object is `assertion.json.invalid`.
    pub fn from_json(bytes: &[u8], label: &str) -> Result<Self, AssertionError> {
        let invalid = |detail: String| AssertionError::Json {
            label: label.to_owned(),
            detail,
        };
        let value: serde_json::Value =
            serde_json::from_slice(bytes).map_err(|e| invalid(e.to_string()))?;
        match value {
            serde_json::Value::Object(object) => Ok(Self {
                bytes: bytes.to_vec(),
                object,
            }),
            _ => Err(invalid("not a JSON object".to_owned())),
        }
    }

    /// Builds a metadata assertion from a JSON object (serialised compactly).
    pub fn from_object(object: serde_json::Map<String, serde_json::Value>) -> Self {
        let bytes = serde_json::to_vec(&object).unwrap_or_default();
        Self { bytes, object }
    }

    /// The JSON bytes, exactly as stored.
    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// The parsed object.
    pub fn object(&self) -> &serde_json::Map<String, serde_json::Value> {
        &self.object
    }

    /// The `@context` (required by §18.16.2).
    pub fn context(&self) -> Option<&serde_json::Value> {
        self.object.get("@context")
    }
}
