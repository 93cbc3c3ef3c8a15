//! BMFF-based hash (C2PA 2.2 §18.6): `c2pa.hash.bmff.v2` (deprecated, read) and
//! `c2pa.hash.bmff.v3`; `c2pa.hash.bmff` (v1) decodes too but validators ignore it.
//!
//! ```text
//! bmff-hash-map = { "exclusions": [1* exclusions-map], ? "alg": tstr, ? "hash": bstr,
//!                   ? "merkle": [1* merkle-map], ? "name": tstr, ? "url": uri }
//! exclusions-map = { "xpath": tstr, ? "length": uint, ? "data": [1* {"offset": uint, "value": bstr}],
//!                    ? "subset": [1* {"offset": uint, "length": uint}], ? "version": int,
//!                    ? "flags": bstr .size 3, ? "exact": bool }
//! merkle-map = { "uniqueId": int, "localId": int, "count": int, ? "alg": tstr,
//!                ? "initHash": bstr, "hashes": [1* bstr], ? "fixedBlockSize": uint,
//!                ? "variableBlockSizes": [1* int] }
//! ```
//!
//! The auxiliary `merkle` boxes of large and fragmented files (§A.5.4.2) carry a
//! [`BmffMerkleMap`]: `{ "uniqueId": int, "localId": int, "location": int, ? "hashes": [1* bstr] }`.

use ciborium::Value;

use super::{CborAssertion, Label};
use crate::cbor::{self, Map, map_with_other};
use crate::error::CborError;

/// Bytes an exclusion requires at an offset of the box.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DataMatch {
    /// Offset from the start of the box (header included).
    pub offset: u64,
    /// The bytes that must be there.
    pub value: Vec<u8>,
}

/// A part of a box excluded from the hash.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SubsetRange {
    /// Offset from the start of the box (header included).
    pub offset: u64,
    /// Length; 0 on the last entry means "to the end of the box".
    pub length: u64,
}

/// One `exclusions-map` entry.
#[derive(Debug, Clone, PartialEq)]
pub struct BmffExclusion {
    /// `xpath`: `/box4cc[/box4cc[n]...]`.
    pub xpath: String,
    /// `length`: the box's exact length (header included).
    pub length: Option<u64>,
    /// `data`: required bytes.
    pub data: Vec<DataMatch>,
    /// `subset`: only these parts are excluded.
    pub subset: Vec<SubsetRange>,
    /// `version`: FullBox version.
    pub version: Option<i64>,
    /// `flags`: FullBox flags (exactly 3 bytes).
    pub flags: Option<[u8; 3]>,
    /// `exact` (default true).
    pub exact: Option<bool>,
    /// Any other fields, as decoded.
    pub other: Vec<(Value, Value)>,
}

impl BmffExclusion {
    /// An exclusion of every box at `xpath`.
    pub fn xpath(xpath: &str) -> Self {
        Self {
            xpath: xpath.to_owned(),
            length: None,
            data: Vec::new(),
            subset: Vec::new(),
            version: None,
            flags: None,
            exact: None,
            other: Vec::new(),
        }
    }

    /// The xpath's nodes as (4cc, 1-based index) pairs, or `None` if it does not follow the
    /// restricted syntax of §18.6.2 (`'/' node ('/' node)*`, node = 4cc or 4cc `[n]`, n > 0
    /// without leading zeros).
    pub fn path(&self) -> Option<Vec<([u8; 4], Option<u32>)>> {
        let rest = self.xpath.strip_prefix('/')?;
        rest.split('/')
            .map(|node| {
                let (name, index) = match node.split_once('[') {
                    Some((name, idx)) => {
                        let digits = idx.strip_suffix(']')?;
                        if digits.starts_with('0') || digits.is_empty() {
                            return None;
                        }
                        (name, Some(digits.parse::<u32>().ok()?))
                    }
                    None => (node, None),
                };
                let four: [u8; 4] = name.as_bytes().try_into().ok()?;
                Some((four, index))
            })
            .collect()
    }

    fn from_value(value: &Value) -> Result<Self, CborError> {
        let m = Map::new(value, "exclusions-map")?;
        // CDDL `? "data": [1* {...}]`: present means at least one.
        let data = m.nonempty_array_of("data", "array of at least one data map", |v| {
            let d = Map::new(v, "data")?;
            Ok(DataMatch {
                offset: d.u64("offset")?,
                value: d.bytes("value")?.to_vec(),
            })
        })?;
        let subset = m.nonempty_array_of("subset", "array of at least one subset map", |v| {
            let s = Map::new(v, "subset")?;
            Ok(SubsetRange {
                offset: s.u64("offset")?,
                length: s.u64("length")?,
            })
        })?;
        let flags = match m.opt_bytes("flags")? {
            None => None,
            Some(b) => Some(<[u8; 3]>::try_from(b).map_err(|_| CborError::BadValue {
                field: "flags",
                what: "must be exactly 3 bytes",
            })?),
        };
        Ok(Self {
            xpath: m.text("xpath")?.to_owned(),
            length: m.opt_u64("length")?,
            data,
            subset,
            version: m.opt_i64("version")?,
            flags,
            exact: m.opt_bool("exact")?,
            other: m.other(&[
                "xpath", "length", "data", "subset", "version", "flags", "exact",
            ]),
        })
    }

    fn to_value(&self) -> Value {
        let data = (!self.data.is_empty()).then(|| {
            Value::Array(
                self.data
                    .iter()
                    .map(|d| {
                        cbor::canonical_map(vec![
                            ("offset", cbor::uint(d.offset)),
                            ("value", Value::Bytes(d.value.clone())),
                        ])
                    })
                    .collect(),
            )
        });
        let subset = (!self.subset.is_empty()).then(|| {
            Value::Array(
                self.subset
                    .iter()
                    .map(|s| {
                        cbor::canonical_map(vec![
                            ("offset", cbor::uint(s.offset)),
                            ("length", cbor::uint(s.length)),
                        ])
                    })
                    .collect(),
            )
        });
        map_with_other(
            vec![
                ("xpath", Some(cbor::text(self.xpath.clone()))),
                ("length", self.length.map(cbor::uint)),
                ("data", data),
                ("subset", subset),
                ("version", self.version.map(|v| Value::Integer(v.into()))),
                ("flags", self.flags.map(|f| Value::Bytes(f.to_vec()))),
                ("exact", self.exact.map(Value::Bool)),
            ],
            &self.other,
        )
    }
}

/// One `merkle-map`: a row of a Merkle tree over `mdat` chunks or fragments.
#[derive(Debug, Clone, PartialEq)]
pub struct MerkleMap {
    /// `uniqueId` (1-based).
    pub unique_id: i64,
    /// `localId`.
    pub local_id: i64,
    /// `count`: leaves (null nodes excluded).
    pub count: u64,
    /// `alg`.
    pub alg: Option<String>,
    /// `initHash`.
    pub init_hash: Option<Vec<u8>>,
    /// `hashes`: one row of the tree.
    pub hashes: Vec<Vec<u8>>,
    /// `fixedBlockSize`.
    pub fixed_block_size: Option<u64>,
    /// `variableBlockSizes`.
    pub variable_block_sizes: Option<Vec<u64>>,
    /// Any other fields, as decoded.
    pub other: Vec<(Value, Value)>,
}

impl MerkleMap {
    fn from_value(value: &Value) -> Result<Self, CborError> {
        let m = Map::new(value, "merkle-map")?;
        let required_i64 = |key: &'static str| -> Result<i64, CborError> {
            m.opt_i64(key)?.ok_or(CborError::Missing { field: key })
        };
        let variable_block_sizes = m
            .opt_array("variableBlockSizes")?
            .map(|items| {
                items
                    .iter()
                    .map(|v| cbor::as_u64(v, "variableBlockSizes"))
                    .collect::<Result<Vec<_>, _>>()
            })
            .transpose()?;
        Ok(Self {
            unique_id: required_i64("uniqueId")?,
            local_id: required_i64("localId")?,
            count: m.u64("count")?,
            alg: m.opt_string("alg")?,
            init_hash: m.opt_byte_vec("initHash")?,
            hashes: m
                .opt_bytes_array("hashes")?
                .ok_or(CborError::Missing { field: "hashes" })?,
            fixed_block_size: m.opt_u64("fixedBlockSize")?,
            variable_block_sizes,
            other: m.other(&[
                "uniqueId",
                "localId",
                "count",
                "alg",
                "initHash",
                "hashes",
                "fixedBlockSize",
                "variableBlockSizes",
            ]),
        })
    }

    fn to_value(&self) -> Value {
        map_with_other(
            vec![
                ("uniqueId", Some(Value::Integer(self.unique_id.into()))),
                ("localId", Some(Value::Integer(self.local_id.into()))),
                ("count", Some(cbor::uint(self.count))),
                ("alg", self.alg.clone().map(cbor::text)),
                ("initHash", self.init_hash.clone().map(Value::Bytes)),
                (
                    "hashes",
                    Some(Value::Array(
                        self.hashes.iter().cloned().map(Value::Bytes).collect(),
                    )),
                ),
                ("fixedBlockSize", self.fixed_block_size.map(cbor::uint)),
                (
                    "variableBlockSizes",
                    self.variable_block_sizes
                        .as_ref()
                        .map(|v| Value::Array(v.iter().copied().map(cbor::uint).collect())),
                ),
            ],
            &self.other,
        )
    }
}

/// The CBOR of an auxiliary C2PA `uuid` box of purpose `merkle` (C2PA 2.2 §A.5.4.2): where one
/// subset (a fragment, or a block of an `mdat`) sits in a Merkle tree of the BMFF hash.
#[derive(Debug, Clone, PartialEq)]
pub struct BmffMerkleMap {
    /// `uniqueId`: with `localId`, names the [`MerkleMap`] of the manifest.
    pub unique_id: i64,
    /// `localId`: the `mdat` index, or the track ID of a fragment.
    pub local_id: i64,
    /// `location`: the subset's index in the leaf row.
    pub location: u64,
    /// `hashes`: the siblings from the leaf up to the row the manifest holds, leaf-most first,
    /// null siblings left out (absent when the manifest holds the leaf row).
    pub hashes: Option<Vec<Vec<u8>>>,
    /// Any other fields, as decoded.
    pub other: Vec<(Value, Value)>,
}

impl BmffMerkleMap {
    /// Decodes the map from the CBOR that starts a `merkle` box's data (padding may follow:
    /// §A.5.4.1.3 pads the boxes of one tree to a fixed size); bounded by `limits`.
    pub fn from_cbor_prefix(bytes: &[u8], limits: &cbor::Limits) -> Result<Self, CborError> {
        let len = cbor::scan(bytes, limits)?;
        let value = cbor::decode_with(bytes.get(..len).unwrap_or_default(), limits)?;
        Self::from_value(&value)
    }

    fn from_value(value: &Value) -> Result<Self, CborError> {
        let m = Map::new(value, "bmff-merkle-map")?;
        let required_i64 = |key: &'static str| -> Result<i64, CborError> {
            m.opt_i64(key)?.ok_or(CborError::Missing { field: key })
        };
        Ok(Self {
            unique_id: required_i64("uniqueId")?,
            local_id: required_i64("localId")?,
            location: m.u64("location")?,
            hashes: m.opt_bytes_array("hashes")?,
            other: m.other(&["uniqueId", "localId", "location", "hashes"]),
        })
    }

    /// The map in Core Deterministic Encoding (no padding).
    pub fn to_cbor(&self) -> Result<Vec<u8>, CborError> {
        cbor::encode(&map_with_other(
            vec![
                ("uniqueId", Some(Value::Integer(self.unique_id.into()))),
                ("localId", Some(Value::Integer(self.local_id.into()))),
                ("location", Some(cbor::uint(self.location))),
                (
                    "hashes",
                    self.hashes
                        .as_ref()
                        .map(|h| Value::Array(h.iter().cloned().map(Value::Bytes).collect())),
                ),
            ],
            &self.other,
        ))
    }
}

/// A BMFF hash assertion.
#[derive(Debug, Clone, PartialEq)]
pub struct BmffHash {
    /// 1, 2 or 3, from the label (`c2pa.hash.bmff`, `.v2`, `.v3`).
    pub version: u32,
    /// `exclusions`.
    pub exclusions: Vec<BmffExclusion>,
    /// `alg`.
    pub alg: Option<String>,
    /// `hash` (absent for fragmented MP4).
    pub hash: Option<Vec<u8>>,
    /// `merkle`.
    pub merkle: Vec<MerkleMap>,
    /// `name`.
    pub name: Option<String>,
    /// `url` (deprecated; kept as decoded).
    pub url: Option<Value>,
    /// Any other fields, as decoded.
    pub other: Vec<(Value, Value)>,
}

impl BmffHash {
    /// A v3 hash with these exclusions and no hash yet.
    pub fn v3(alg: &str, exclusions: Vec<BmffExclusion>) -> Self {
        Self {
            version: 3,
            exclusions,
            alg: Some(alg.to_owned()),
            hash: None,
            merkle: Vec::new(),
            name: None,
            url: None,
            other: Vec::new(),
        }
    }
}

impl CborAssertion for BmffHash {
    fn from_value(value: &Value, label: &Label) -> Result<Self, CborError> {
        let m = Map::new(value, "bmff-hash-map")?;
        Ok(Self {
            version: label.version_or_1(),
            exclusions: m
                .array("exclusions")?
                .iter()
                .map(BmffExclusion::from_value)
                .collect::<Result<_, _>>()?,
            alg: m.opt_string("alg")?,
            hash: m.opt_byte_vec("hash")?,
            // CDDL `? "merkle": [1* merkle-map]`: present means at least one.
            merkle: m.nonempty_array_of(
                "merkle",
                "array of at least one merkle-map",
                MerkleMap::from_value,
            )?,
            name: m.opt_string("name")?,
            url: m.get("url").cloned(),
            other: m.other(&["exclusions", "alg", "hash", "merkle", "name", "url"]),
        })
    }

    fn to_value(&self) -> Value {
        let merkle = (!self.merkle.is_empty())
            .then(|| Value::Array(self.merkle.iter().map(MerkleMap::to_value).collect()));
        map_with_other(
            vec![
                (
                    "exclusions",
                    Some(Value::Array(
                        self.exclusions
                            .iter()
                            .map(BmffExclusion::to_value)
                            .collect(),
                    )),
                ),
                ("alg", self.alg.clone().map(cbor::text)),
                ("hash", self.hash.clone().map(Value::Bytes)),
                ("merkle", merkle),
                ("name", self.name.clone().map(cbor::text)),
                ("url", self.url.clone()),
            ],
            &self.other,
        )
    }

    fn label(&self) -> String {
        match self.version {
            0 | 1 => "c2pa.hash.bmff".to_owned(),
            v => format!("c2pa.hash.bmff.v{v}"),
        }
    }
}
