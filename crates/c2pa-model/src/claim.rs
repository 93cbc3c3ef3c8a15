//! Claims (C2PA 2.2 §10): `c2pa.claim.v2` (claim-map-v2) and the deprecated `c2pa.claim`
//! (claim-map), decoded from the exact CBOR bytes of the claim box.
//!
//! Decoding is structural: a field of the wrong type is an error here; whether a missing field
//! makes the claim `claim.malformed` is the validator's decision, so required fields are
//! `Option`s and [`Claim::missing_required`] lists what is absent.

use ciborium::Value;

use crate::cbor::{self, Map};
use crate::error::CborError;
use crate::hashed_uri::HashedUri;

/// Claim box label of a v2 claim.
pub const LABEL_V2: &str = "c2pa.claim.v2";
/// Claim box label of a v1 (deprecated) claim.
pub const LABEL_V1: &str = "c2pa.claim";

/// The claim version, from its box label.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClaimVersion {
    /// `c2pa.claim` (claim-map, deprecated; validators still accept it).
    V1,
    /// `c2pa.claim.v2` (claim-map-v2).
    V2,
}

/// A decoded claim. Unknown fields are kept in [`Claim::other`].
#[derive(Debug, Clone, PartialEq)]
pub struct Claim {
    /// Which claim map this is.
    pub version: ClaimVersion,
    /// `instanceID`.
    pub instance_id: Option<String>,
    /// `claim_generator` (v1 only).
    pub claim_generator: Option<String>,
    /// `claim_generator_info` (a map in v2; an array of maps in v1 — kept as the raw value).
    pub claim_generator_info: Option<Value>,
    /// `signature`: JUMBF URI of the claim signature box.
    pub signature: Option<String>,
    /// v2 `created_assertions`, or v1 `assertions`.
    pub created_assertions: Vec<HashedUri>,
    /// v2 `gathered_assertions`.
    pub gathered_assertions: Vec<HashedUri>,
    /// `redacted_assertions`: JUMBF URIs.
    pub redacted_assertions: Vec<String>,
    /// `alg`: default hash algorithm.
    pub alg: Option<String>,
    /// `alg_soft`.
    pub alg_soft: Option<String>,
    /// `dc:title`.
    pub title: Option<String>,
    /// `dc:format` (v1 only).
    pub format: Option<String>,
    /// The entries of the claim map that are none of the fields above (non-text keys
    /// included), in encoded order.
    pub other: Vec<(Value, Value)>,
}

/// The text keys [`Claim`] reads whatever the version (the v1-only `claim_generator` and
/// `dc:format` are read from a v2 claim too), besides the version's own assertion list.
const KNOWN: &[&str] = &[
    "instanceID",
    "claim_generator",
    "claim_generator_info",
    "signature",
    "gathered_assertions",
    "redacted_assertions",
    "alg",
    "alg_soft",
    "dc:title",
    "dc:format",
];

impl ClaimVersion {
    /// The key of the claim's own assertion list: `created_assertions` (v2) or `assertions`
    /// (v1).
    fn created_key(self) -> &'static str {
        match self {
            Self::V1 => "assertions",
            Self::V2 => "created_assertions",
        }
    }
}

impl Claim {
    /// Decodes the claim CBOR (the content of the claim box's `cbor` box).
    pub fn from_cbor(bytes: &[u8], version: ClaimVersion) -> Result<Self, CborError> {
        let limits = cbor::Limits::default();
        let end = cbor::scan(bytes, &limits)?;
        if end != bytes.len() {
            return Err(CborError::TrailingData {
                remaining: bytes.len().saturating_sub(end),
            });
        }
        // A claim's bulk is its hashed-URI arrays (10,000 entries is allowed): read them
        // straight from the bytes the scan checked, not through a `Value` tree. Anything the
        // direct reader does not expect (indefinite lengths, a duplicate or `null` field, an
        // error to report) takes the general path, which decides it.
        match fast::decode(bytes, version, &limits) {
            Some(claim) => Ok(claim),
            None => Self::general(bytes, version, &limits),
        }
    }

    /// Decodes scanned claim bytes through a `Value` tree: every claim, every error.
    fn general(
        bytes: &[u8],
        version: ClaimVersion,
        limits: &cbor::Limits,
    ) -> Result<Self, CborError> {
        let value = cbor::decode_scanned(bytes, limits)?;
        let map = Map::new(&value, "claim")?;
        let uris = |key: &'static str| -> Result<Vec<HashedUri>, CborError> {
            map.opt_array(key)?
                .unwrap_or_default()
                .iter()
                .map(HashedUri::from_value)
                .collect()
        };
        let created = uris(version.created_key())?;
        let gathered = uris("gathered_assertions")?;
        Self::from_map(map, version, created, gathered)
    }

    /// Builds a claim from its map and its two hashed-URI arrays, read already.
    fn from_map(
        map: Map<'_>,
        version: ClaimVersion,
        created: Vec<HashedUri>,
        gathered: Vec<HashedUri>,
    ) -> Result<Self, CborError> {
        let redacted = map
            .opt_array("redacted_assertions")?
            .unwrap_or_default()
            .iter()
            .map(|v| {
                v.as_text().map(str::to_owned).ok_or(CborError::WrongType {
                    field: "redacted_assertions",
                    expected: "array of text strings",
                })
            })
            .collect::<Result<_, _>>()?;
        Ok(Self {
            version,
            instance_id: map.opt_text("instanceID")?.map(str::to_owned),
            claim_generator: map.opt_text("claim_generator")?.map(str::to_owned),
            claim_generator_info: map.get("claim_generator_info").cloned(),
            signature: map.opt_text("signature")?.map(str::to_owned),
            created_assertions: created,
            gathered_assertions: gathered,
            redacted_assertions: redacted,
            alg: map.opt_text("alg")?.map(str::to_owned),
            alg_soft: map.opt_text("alg_soft")?.map(str::to_owned),
            title: map.opt_text("dc:title")?.map(str::to_owned),
            format: map.opt_text("dc:format")?.map(str::to_owned),
            other: map
                .other(KNOWN)
                .into_iter()
                .filter(|(k, _)| k.as_text() != Some(version.created_key()))
                .collect(),
        })
    }

    /// The required fields of this claim map that are absent (C2PA 2.2 §15.6: any absent →
    /// `claim.malformed`). A present but empty `instanceID` is not absent: see
    /// [`Claim::has_empty_instance_id`].
    pub fn missing_required(&self) -> Vec<&'static str> {
        let mut missing = Vec::new();
        if self.instance_id.is_none() {
            missing.push("instanceID");
        }
        if self.claim_generator_info.is_none() && self.version == ClaimVersion::V2 {
            missing.push("claim_generator_info");
        }
        if self.signature.is_none() {
            missing.push("signature");
        }
        match self.version {
            ClaimVersion::V2 => {
                if self.created_assertions.is_empty() {
                    missing.push("created_assertions");
                }
            }
            ClaimVersion::V1 => {
                if self.created_assertions.is_empty() {
                    missing.push("assertions");
                }
                if self.claim_generator.is_none() {
                    missing.push("claim_generator");
                }
                if self.format.is_none() {
                    missing.push("dc:format");
                }
            }
        }
        missing
    }

    /// Whether `instanceID` is present but empty (also `claim.malformed`: it identifies
    /// nothing).
    pub fn has_empty_instance_id(&self) -> bool {
        self.instance_id.as_deref() == Some("")
    }

    /// Every assertion reference of the claim: created, then gathered.
    pub fn assertion_refs(&self) -> impl Iterator<Item = &HashedUri> {
        self.created_assertions
            .iter()
            .chain(&self.gathered_assertions)
    }
}

mod fast;
#[cfg(test)]
mod tests;
