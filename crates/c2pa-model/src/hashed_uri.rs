//! Hashed URIs (C2PA 2.2 §8.4.2) and JUMBF URIs (§8.4.1).
//!
//! ```text
//! $hashed-uri-map /= {
//!   "url": jumbf-uri-type,   ; JUMBF URI reference
//!   ? "alg": tstr,           ; hash algorithm, defaults to the claim's "alg"
//!   "hash": bstr,            ; hash of the referenced box's contents (§8.4.2.3)
//! }
//! ```

use ciborium::Value;

use crate::cbor::Map;
use crate::error::CborError;

/// A reference to a JUMBF box together with the expected hash of its contents.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HashedUri {
    /// The JUMBF URI (`self#jumbf=...`).
    pub url: String,
    /// The hash algorithm, when given here (else the claim's `alg`).
    pub alg: Option<String>,
    /// The expected hash.
    pub hash: Vec<u8>,
}

impl HashedUri {
    /// Reads a hashed-uri-map. The `hash` is a byte string; early writers (c2pa-rs before
    /// 0.10, seen in 2022 Adobe files) encoded it as an array of integers 0–255, which is read
    /// too (never written).
    pub fn from_value(value: &Value) -> Result<Self, CborError> {
        let map = Map::new(value, "hashed-uri-map")?;
        let hash = match map.get("hash") {
            None => return Err(CborError::Missing { field: "hash" }),
            Some(Value::Bytes(b)) => b.clone(),
            Some(Value::Array(items)) => items
                .iter()
                .map(|i| match i {
                    Value::Integer(n) => u8::try_from(*n).ok(),
                    _ => None,
                })
                .collect::<Option<Vec<u8>>>()
                .ok_or(CborError::WrongType {
                    field: "hash",
                    expected: "byte string",
                })?,
            Some(_) => {
                return Err(CborError::WrongType {
                    field: "hash",
                    expected: "byte string",
                });
            }
        };
        Ok(Self {
            url: map.text("url")?.to_owned(),
            alg: map.opt_text("alg")?.map(str::to_owned),
            hash,
        })
    }

    /// Builds the CBOR map (keys in the order c2pa-rs and the spec examples use).
    pub fn to_value(&self) -> Value {
        let mut entries = vec![(Value::Text("url".into()), Value::Text(self.url.clone()))];
        if let Some(alg) = &self.alg {
            entries.push((Value::Text("alg".into()), Value::Text(alg.clone())));
        }
        entries.push((Value::Text("hash".into()), Value::Bytes(self.hash.clone())));
        Value::Map(entries)
    }
}

/// A parsed JUMBF URI: `self#jumbf=` followed by an absolute (`/c2pa/<manifest>/...`) or
/// manifest-relative (`c2pa.assertions/<label>`) path of labels.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JumbfUri<'a> {
    /// True when the path starts at the manifest store (`/c2pa/...`).
    pub absolute: bool,
    /// The labels along the path.
    pub labels: Vec<&'a str>,
}

impl<'a> JumbfUri<'a> {
    /// Parses `self#jumbf=<path>`; `None` for anything else (external URIs, fragments without
    /// the `self#jumbf=` prefix, empty labels).
    pub fn parse(uri: &'a str) -> Option<Self> {
        let path = uri.strip_prefix("self#jumbf=")?;
        let (absolute, rest) = match path.strip_prefix('/') {
            Some(rest) => (true, rest),
            None => (false, path),
        };
        let labels: Vec<&str> = rest.split('/').collect();
        if labels.iter().any(|l| l.is_empty()) {
            return None;
        }
        Some(Self { absolute, labels })
    }
}
