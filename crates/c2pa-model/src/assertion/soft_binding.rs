//! Soft bindings (C2PA 2.2 §18.10): `c2pa.soft-binding`.
//!
//! ```text
//! soft-binding-map = { "alg": tstr, "blocks": [1* soft-binding-block-map], "pad": bstr,
//!                      ? "pad2": bstr, ? "name": tstr, ? "alg-params": bstr, ? "url": uri }
//! soft-binding-block-map = { "scope": soft-binding-scope-map, "value": bstr }
//! soft-binding-scope-map = { ? "extent": bstr, ? "timespan": {"start": uint, "end": uint},
//!                            ? "region": region-map }
//! ```

use ciborium::Value;

use super::{CborAssertion, Label};
use crate::cbor::{self, Map, map_with_other};
use crate::error::CborError;

/// What part of the content a block covers.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SoftBindingScope {
    /// `extent` (deprecated).
    pub extent: Option<Vec<u8>>,
    /// `timespan` as (start, end) milliseconds.
    pub timespan: Option<(u64, u64)>,
    /// `region` (region-map), as decoded.
    pub region: Option<Value>,
    /// Any other fields, as decoded.
    pub other: Vec<(Value, Value)>,
}

/// One soft-binding value and its scope.
#[derive(Debug, Clone, PartialEq)]
pub struct SoftBindingBlock {
    /// `scope`.
    pub scope: SoftBindingScope,
    /// `value` (algorithm specific).
    pub value: Vec<u8>,
    /// Any other fields, as decoded.
    pub other: Vec<(Value, Value)>,
}

/// A `c2pa.soft-binding` assertion.
#[derive(Debug, Clone, PartialEq)]
pub struct SoftBinding {
    /// `alg` (required by the schema; else the claim's `alg_soft`).
    pub alg: Option<String>,
    /// `blocks`.
    pub blocks: Vec<SoftBindingBlock>,
    /// `pad`.
    pub pad: Option<Vec<u8>>,
    /// `pad2`.
    pub pad2: Option<Vec<u8>>,
    /// `name`.
    pub name: Option<String>,
    /// `alg-params`.
    pub alg_params: Option<Vec<u8>>,
    /// `url` (deprecated; kept as decoded).
    pub url: Option<Value>,
    /// Any other fields, as decoded.
    pub other: Vec<(Value, Value)>,
}

fn block_from(value: &Value) -> Result<SoftBindingBlock, CborError> {
    let m = Map::new(value, "soft-binding-block-map")?;
    let s = m
        .opt_map("scope")?
        .ok_or(CborError::Missing { field: "scope" })?;
    let timespan = s
        .opt_map("timespan")?
        .map(|t| Ok::<_, CborError>((t.u64("start")?, t.u64("end")?)))
        .transpose()?;
    Ok(SoftBindingBlock {
        scope: SoftBindingScope {
            extent: s.opt_byte_vec("extent")?,
            timespan,
            region: s.get("region").cloned(),
            other: s.other(&["extent", "timespan", "region"]),
        },
        value: m.bytes("value")?.to_vec(),
        other: m.other(&["scope", "value"]),
    })
}

fn block_to(b: &SoftBindingBlock) -> Value {
    let timespan = b.scope.timespan.map(|(start, end)| {
        cbor::canonical_map(vec![("start", cbor::uint(start)), ("end", cbor::uint(end))])
    });
    let scope = map_with_other(
        vec![
            ("extent", b.scope.extent.clone().map(Value::Bytes)),
            ("timespan", timespan),
            ("region", b.scope.region.clone()),
        ],
        &b.scope.other,
    );
    map_with_other(
        vec![
            ("scope", Some(scope)),
            ("value", Some(Value::Bytes(b.value.clone()))),
        ],
        &b.other,
    )
}

impl CborAssertion for SoftBinding {
    fn from_value(value: &Value, _label: &Label) -> Result<Self, CborError> {
        let m = Map::new(value, "soft-binding-map")?;
        Ok(Self {
            alg: m.opt_string("alg")?,
            blocks: m
                .array("blocks")?
                .iter()
                .map(block_from)
                .collect::<Result<_, _>>()?,
            pad: m.opt_byte_vec("pad")?,
            pad2: m.opt_byte_vec("pad2")?,
            name: m.opt_string("name")?,
            alg_params: m.opt_byte_vec("alg-params")?,
            url: m.get("url").cloned(),
            other: m.other(&["alg", "blocks", "pad", "pad2", "name", "alg-params", "url"]),
        })
    }

    fn to_value(&self) -> Value {
        map_with_other(
            vec![
                ("alg", self.alg.clone().map(cbor::text)),
                (
                    "blocks",
                    Some(Value::Array(self.blocks.iter().map(block_to).collect())),
                ),
                ("pad", self.pad.clone().map(Value::Bytes)),
                ("pad2", self.pad2.clone().map(Value::Bytes)),
                ("name", self.name.clone().map(cbor::text)),
                ("alg-params", self.alg_params.clone().map(Value::Bytes)),
                ("url", self.url.clone()),
            ],
            &self.other,
        )
    }

    fn label(&self) -> String {
        "c2pa.soft-binding".to_owned()
    }
}
