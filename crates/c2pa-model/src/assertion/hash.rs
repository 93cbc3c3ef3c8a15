//! Byte-range hard bindings: the data hash (C2PA 2.2 §18.5, `c2pa.hash.data`) and the general
//! box hash (§18.7, `c2pa.hash.boxes`).
//!
//! ```text
//! data-hash-map = { ? "exclusions": [1* {"start": uint, "length": uint}], ? "alg": tstr,
//!                   "hash": bstr, "pad": bstr, ? "pad2": bstr, ? "name": tstr, ? "url": uri }
//! box-map = { "boxes": [1* box-hash-map], ? "alg": tstr }
//! box-hash-map = { "names": [1* tstr], ? "alg": tstr, "hash": bstr, ? "excluded": bool,
//!                  "pad": bstr }
//! ```

use ciborium::Value;

use super::{CborAssertion, Label};
use crate::cbor::{self, Map, map_with_other};
use crate::error::CborError;

/// A byte range excluded from a data hash.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ExclusionRange {
    /// First excluded byte.
    pub start: u64,
    /// Number of excluded bytes.
    pub length: u64,
}

impl ExclusionRange {
    /// The end of the range (exclusive), or `None` on overflow.
    pub fn end(&self) -> Option<u64> {
        self.start.checked_add(self.length)
    }
}

/// A `c2pa.hash.data` assertion.
#[derive(Debug, Clone, PartialEq)]
pub struct DataHash {
    /// `exclusions`, in the order stored (the spec requires increasing, non-overlapping).
    pub exclusions: Vec<ExclusionRange>,
    /// `alg` (else the claim's).
    pub alg: Option<String>,
    /// `hash`.
    pub hash: Vec<u8>,
    /// `pad` (required by the schema; `None` when a writer left it out).
    pub pad: Option<Vec<u8>>,
    /// `pad2`.
    pub pad2: Option<Vec<u8>>,
    /// `name`.
    pub name: Option<String>,
    /// `url` (deprecated; kept as decoded).
    pub url: Option<Value>,
    /// Any other fields, as decoded.
    pub other: Vec<(Value, Value)>,
}

impl DataHash {
    /// A data hash over everything but `exclusions`.
    pub fn new(alg: &str, hash: Vec<u8>, exclusions: Vec<ExclusionRange>) -> Self {
        Self {
            exclusions,
            alg: Some(alg.to_owned()),
            hash,
            pad: Some(Vec::new()),
            pad2: None,
            name: Some("jumbf manifest".to_owned()),
            url: None,
            other: Vec::new(),
        }
    }

    /// True when the exclusions are sorted by `start`, do not overlap and do not overflow
    /// (§18.5.1).
    pub fn exclusions_well_ordered(&self) -> bool {
        let mut last_end = 0u64;
        for (i, e) in self.exclusions.iter().enumerate() {
            let Some(end) = e.end() else { return false };
            if i > 0 && e.start < last_end {
                return false;
            }
            last_end = end;
        }
        true
    }
}

fn exclusion_from(value: &Value) -> Result<ExclusionRange, CborError> {
    let m = Map::new(value, "exclusions")?;
    Ok(ExclusionRange {
        start: m.u64("start")?,
        length: m.u64("length")?,
    })
}

fn exclusion_to(e: &ExclusionRange) -> Value {
    cbor::canonical_map(vec![
        ("start", cbor::uint(e.start)),
        ("length", cbor::uint(e.length)),
    ])
}

const DATA_HASH_KEYS: &[&str] = &["exclusions", "alg", "hash", "pad", "pad2", "name", "url"];

impl CborAssertion for DataHash {
    fn from_value(value: &Value, _label: &Label) -> Result<Self, CborError> {
        let m = Map::new(value, "data-hash-map")?;
        Ok(Self {
            exclusions: m.array_of("exclusions", exclusion_from)?,
            alg: m.opt_string("alg")?,
            hash: m.bytes("hash")?.to_vec(),
            pad: m.opt_byte_vec("pad")?,
            pad2: m.opt_byte_vec("pad2")?,
            name: m.opt_string("name")?,
            url: m.get("url").cloned(),
            other: m.other(DATA_HASH_KEYS),
        })
    }

    fn to_value(&self) -> Value {
        let exclusions = (!self.exclusions.is_empty())
            .then(|| Value::Array(self.exclusions.iter().map(exclusion_to).collect()));
        map_with_other(
            vec![
                ("exclusions", exclusions),
                ("alg", self.alg.clone().map(cbor::text)),
                ("hash", Some(Value::Bytes(self.hash.clone()))),
                ("pad", self.pad.clone().map(Value::Bytes)),
                ("pad2", self.pad2.clone().map(Value::Bytes)),
                ("name", self.name.clone().map(cbor::text)),
                ("url", self.url.clone()),
            ],
            &self.other,
        )
    }

    fn label(&self) -> String {
        "c2pa.hash.data".to_owned()
    }
}

/// One entry of a general box hash: a run of boxes and their hash.
#[derive(Debug, Clone, PartialEq)]
pub struct BoxHashEntry {
    /// `names`: box identifiers in order (`SOI`, `APP0`, `C2PA`, `PNGh`, ...).
    pub names: Vec<String>,
    /// `alg`.
    pub alg: Option<String>,
    /// `hash` (`00` for the C2PA box).
    pub hash: Vec<u8>,
    /// `excluded`.
    pub excluded: Option<bool>,
    /// `pad`.
    pub pad: Option<Vec<u8>>,
    /// Any other fields, as decoded.
    pub other: Vec<(Value, Value)>,
}

const BOX_ENTRY_KEYS: &[&str] = &["names", "alg", "hash", "excluded", "pad"];

impl BoxHashEntry {
    fn from_value(value: &Value) -> Result<Self, CborError> {
        let m = Map::new(value, "box-hash-map")?;
        Ok(Self {
            names: m
                .opt_text_array("names")?
                .ok_or(CborError::Missing { field: "names" })?,
            alg: m.opt_string("alg")?,
            hash: m.bytes("hash")?.to_vec(),
            excluded: m.opt_bool("excluded")?,
            pad: m.opt_byte_vec("pad")?,
            other: m.other(BOX_ENTRY_KEYS),
        })
    }

    fn to_value(&self) -> Value {
        map_with_other(
            vec![
                (
                    "names",
                    Some(Value::Array(
                        self.names.iter().cloned().map(cbor::text).collect(),
                    )),
                ),
                ("alg", self.alg.clone().map(cbor::text)),
                ("hash", Some(Value::Bytes(self.hash.clone()))),
                ("excluded", self.excluded.map(Value::Bool)),
                ("pad", self.pad.clone().map(Value::Bytes)),
            ],
            &self.other,
        )
    }
}

/// A `c2pa.hash.boxes` assertion.
#[derive(Debug, Clone, PartialEq)]
pub struct BoxHash {
    /// `boxes`, in asset order.
    pub boxes: Vec<BoxHashEntry>,
    /// `alg`.
    pub alg: Option<String>,
    /// Any other fields, as decoded.
    pub other: Vec<(Value, Value)>,
}

impl CborAssertion for BoxHash {
    fn from_value(value: &Value, _label: &Label) -> Result<Self, CborError> {
        let m = Map::new(value, "box-map")?;
        Ok(Self {
            boxes: m
                .array("boxes")?
                .iter()
                .map(BoxHashEntry::from_value)
                .collect::<Result<_, _>>()?,
            alg: m.opt_string("alg")?,
            other: m.other(&["boxes", "alg"]),
        })
    }

    fn to_value(&self) -> Value {
        map_with_other(
            vec![
                (
                    "boxes",
                    Some(Value::Array(
                        self.boxes.iter().map(BoxHashEntry::to_value).collect(),
                    )),
                ),
                ("alg", self.alg.clone().map(cbor::text)),
            ],
            &self.other,
        )
    }

    fn label(&self) -> String {
        "c2pa.hash.boxes".to_owned()
    }
}
