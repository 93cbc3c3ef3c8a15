//! Assertions (C2PA 2.2 §6, §18): labels, the content boxes of an assertion superbox, and typed
//! models for the standard assertions, each read from and written to CBOR (or JSON, or a JUMBF
//! embedded file) while keeping the exact bytes it was decoded from.
//!
//! ```text
//! assertion superbox = jumd (type UUID, label "c2pa.actions.v2", [c2sh salt])
//!                      ‖ one or more content boxes: cbor | json | bfdb+bidb | uuid | ...
//! ```
//! Reading goes `AssertionRef` (a view into a store) → [`Content`] (the content boxes' payloads,
//! copied) → [`Assertion`] (a typed model, or [`Assertion::Opaque`] for labels this crate does not model).
//! Writing goes the other way: [`NewAssertion`] boxes a [`Content`]. A CBOR model is held in a
//! [`Decoded`], which pairs the value with the bytes it came from (or was encoded to), so hashes
//! and re-serialisation use exactly those bytes.

use ciborium::Value;

use crate::cbor;
use crate::error::{AssertionError, CborError, JumbfError};
use crate::jumbf::{self, NewDescription, c2pa_uuid};
use crate::store::uuid;

pub mod actions;
pub mod bmff;
pub mod embedded;
pub mod hash;
pub mod ingredient;
pub mod metadata;
pub mod soft_binding;
pub mod status;
pub mod timestamp;

pub use actions::{Action, ActionParameters, Actions, ActionsVersion, SoftwareAgent};
pub use bmff::{BmffExclusion, BmffHash, BmffMerkleMap, DataMatch, MerkleMap, SubsetRange};
pub use embedded::EmbeddedFile;
pub use hash::{BoxHash, BoxHashEntry, DataHash, ExclusionRange};
pub use ingredient::{Ingredient, IngredientVersion, Relationship};
pub use metadata::Metadata;
pub use soft_binding::{SoftBinding, SoftBindingBlock, SoftBindingScope};
pub use status::{IngredientDelta, StatusCodes, StatusEntry, ValidationResults};
pub use timestamp::{CertificateStatus, TimeStamps};

/// The C2PA Redaction UUID (§6.8): a redacted assertion keeps its labelled superbox but its
/// content becomes one UUID content box with this ID and zero-filled data.
pub const REDACTION_UUID: [u8; 16] = [
    0xCA, 0xA9, 0x8E, 0xEE, 0x9D, 0x4D, 0xF8, 0x0E, 0x86, 0xAD, 0x4D, 0xFF, 0xCA, 0x26, 0x39, 0x73,
];

/// JUMBF type UUID of an embedded-file superbox (ISO 19566-5 B.4):
/// 40CB0C32-BB8A-489D-A70B-2AD6F47F4369.
pub const EMBEDDED_FILE_UUID: [u8; 16] = [
    0x40, 0xCB, 0x0C, 0x32, 0xBB, 0x8A, 0x48, 0x9D, 0xA7, 0x0B, 0x2A, 0xD6, 0xF4, 0x7F, 0x43, 0x69,
];

/// JUMBF type UUID of a UUID content superbox (ISO 19566-5 B.5).
pub const UUID_CONTENT_UUID: [u8; 16] = c2pa_uuid(*b"uuid");

/// The standard assertion a label denotes (§18.4), ignoring version and instance.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum AssertionKind {
    /// `c2pa.actions`, `c2pa.actions.v2`.
    Actions,
    /// `c2pa.hash.data`.
    DataHash,
    /// `c2pa.hash.bmff` (v1 is ignored by validators), `.v2`, `.v3`.
    BmffHash,
    /// `c2pa.hash.boxes`.
    BoxHash,
    /// `c2pa.hash.collection.data` (not modelled; a hard binding nonetheless).
    CollectionHash,
    /// `c2pa.ingredient`, `.v2`, `.v3`.
    Ingredient,
    /// `c2pa.thumbnail.claim` (and the deprecated `c2pa.thumbnail.claim.<ext>`).
    ClaimThumbnail,
    /// `c2pa.thumbnail.ingredient` (and deprecated forms).
    IngredientThumbnail,
    /// `c2pa.embedded-data`.
    EmbeddedData,
    /// `c2pa.metadata` or any `<entity>.metadata` (JSON-LD, §18.16).
    Metadata,
    /// `c2pa.soft-binding`.
    SoftBinding,
    /// `c2pa.time-stamp`.
    TimeStamp,
    /// `c2pa.certificate-status`.
    CertificateStatus,
    /// Anything else: kept opaque.
    Other,
}

/// An assertion label split into its parts (§6.2, §6.4): `c2pa.ingredient.v3__2` has base
/// `c2pa.ingredient`, version 3 and instance 2.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Label {
    /// The label as stored.
    pub full: String,
    /// The label without its `__N` instance suffix (what a schema is chosen by).
    pub without_instance: String,
    /// The label without instance and without a trailing `.vN`.
    pub base: String,
    /// The `.vN` version, if the label carries one (no version means v1, §6.2.2).
    pub version: Option<u32>,
    /// The `__N` instance number, if any.
    pub instance: Option<u32>,
}

impl Label {
    /// Splits a label. Any string is accepted; [`Label::is_well_formed`] checks the ABNF.
    pub fn parse(full: &str) -> Self {
        // Instance: "__" followed by digits. Deprecated thumbnail labels put an extension after
        // it ("c2pa.thumbnail.ingredient__1.jpeg"); the extension stays part of the label.
        let (without_instance, instance) = match full.rfind("__") {
            Some(at) => {
                let (head, tail) = full.split_at(at);
                let tail = tail.get(2..).unwrap_or_default();
                let digits: String = tail.chars().take_while(char::is_ascii_digit).collect();
                match digits.parse::<u32>() {
                    Ok(n) if !digits.is_empty() => {
                        let rest = tail.get(digits.len()..).unwrap_or_default();
                        (format!("{head}{rest}"), Some(n))
                    }
                    _ => (full.to_owned(), None),
                }
            }
            None => (full.to_owned(), None),
        };
        let (base, version) = match without_instance.rsplit_once(".v") {
            Some((head, v))
                if !v.is_empty() && v.bytes().all(|b| b.is_ascii_digit()) && !head.is_empty() =>
            {
                (head.to_owned(), v.parse::<u32>().ok())
            }
            _ => (without_instance.clone(), None),
        };
        Self {
            full: full.to_owned(),
            without_instance,
            base,
            version,
            instance,
        }
    }

    /// The version, defaulting to 1 (§6.2.2: no version means v1).
    pub fn version_or_1(&self) -> u32 {
        self.version.unwrap_or(1)
    }

    /// The standard assertion this label denotes.
    pub fn kind(&self) -> AssertionKind {
        let base = self.base.as_str();
        match base {
            "c2pa.actions" => AssertionKind::Actions,
            "c2pa.hash.data" => AssertionKind::DataHash,
            "c2pa.hash.bmff" => AssertionKind::BmffHash,
            "c2pa.hash.boxes" => AssertionKind::BoxHash,
            "c2pa.hash.collection.data" => AssertionKind::CollectionHash,
            "c2pa.ingredient" => AssertionKind::Ingredient,
            "c2pa.embedded-data" => AssertionKind::EmbeddedData,
            "c2pa.soft-binding" => AssertionKind::SoftBinding,
            "c2pa.time-stamp" => AssertionKind::TimeStamp,
            "c2pa.certificate-status" => AssertionKind::CertificateStatus,
            "c2pa.assertion.metadata" => AssertionKind::Other,
            _ if base.starts_with("c2pa.thumbnail.claim") => AssertionKind::ClaimThumbnail,
            _ if base.starts_with("c2pa.thumbnail.ingredient") => {
                AssertionKind::IngredientThumbnail
            }
            _ if base.ends_with(".metadata") => AssertionKind::Metadata,
            _ => AssertionKind::Other,
        }
    }

    /// True for a hard-binding assertion (§9.2): data, box, collection or BMFF (v2, v3) hash.
    /// `c2pa.hash.bmff` v1 is not one: validators ignore it (§18.6.1).
    pub fn is_hard_binding(&self) -> bool {
        match self.kind() {
            AssertionKind::DataHash | AssertionKind::BoxHash | AssertionKind::CollectionHash => {
                true
            }
            AssertionKind::BmffHash => self.version_or_1() >= 2,
            _ => false,
        }
    }

    /// True when the label follows the ABNF of §6.2.2 (namespace, period-separated components
    /// `[A-Za-z0-9][A-Za-z0-9_-]*`, `__` only as the instance separator).
    pub fn is_well_formed(&self) -> bool {
        let components_ok = self.without_instance.split('.').all(|c| {
            let mut chars = c.chars();
            chars.next().is_some_and(|f| f.is_ascii_alphanumeric())
                && chars.all(|ch| ch.is_ascii_alphanumeric() || ch == '_' || ch == '-')
        });
        components_ok
            && self.without_instance.contains('.')
            && !self.without_instance.contains("__")
    }
}

/// A typed model together with the exact CBOR bytes it was decoded from or encoded to. The two
/// always agree: there is no way to change the value without producing new bytes.
#[derive(Debug, Clone, PartialEq)]
pub struct Decoded<T> {
    bytes: Vec<u8>,
    value: T,
}

impl<T> Decoded<T> {
    /// The exact CBOR bytes.
    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// The typed value.
    pub fn value(&self) -> &T {
        &self.value
    }

    /// The typed value, dropping the bytes (to edit it and encode anew).
    pub fn into_value(self) -> T {
        self.value
    }

    /// Both parts.
    pub fn into_parts(self) -> (Vec<u8>, T) {
        (self.bytes, self.value)
    }
}

impl<T> core::ops::Deref for Decoded<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.value
    }
}

/// A CBOR assertion model (§18): decoded from the assertion's CBOR, encoded back to CBOR.
pub trait CborAssertion: Sized {
    /// Decodes from the CBOR value; `label` selects the schema version where there are several.
    fn from_value(value: &Value, label: &Label) -> Result<Self, CborError>;

    /// The CBOR value (maps in Core Deterministic Encoding order, then unknown entries as read).
    fn to_value(&self) -> Value;

    /// The label to write this assertion under (first instance).
    fn label(&self) -> String;

    /// Decodes `bytes` (bounded, see [`cbor::decode`]) and keeps them.
    fn decode(bytes: &[u8], label: &Label) -> Result<Decoded<Self>, CborError> {
        let value = cbor::decode(bytes)?;
        Ok(Decoded {
            bytes: bytes.to_vec(),
            value: Self::from_value(&value, label)?,
        })
    }

    /// Encodes the model and keeps the bytes.
    fn encode(self) -> Result<Decoded<Self>, CborError> {
        let bytes = cbor::encode(&self.to_value())?;
        Ok(Decoded { bytes, value: self })
    }
}

/// The content boxes of an assertion superbox, by kind (§11.1.4.3). Padding (`free`) boxes are
/// skipped; everything else is copied byte-exact.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Content {
    /// One CBOR content box (`cbor`).
    Cbor(Vec<u8>),
    /// One JSON content box (`json`).
    Json(Vec<u8>),
    /// An embedded file (`bfdb` description + `bidb` data).
    EmbeddedFile(EmbeddedFile),
    /// One UUID content box: an ID and data (§11.1.4.3 custom formats).
    Uuid {
        /// The ID.
        id: [u8; 16],
        /// The data after it.
        data: Vec<u8>,
    },
    /// Redacted (§6.8): one UUID box with [`REDACTION_UUID`] and zero-filled data.
    Redacted {
        /// How many zero bytes follow the UUID.
        zeros: usize,
    },
    /// Any other arrangement, kept as (box type, payload) pairs under the superbox's type UUID.
    Boxes {
        /// The JUMBF type UUID of the superbox.
        jumbf_type: [u8; 16],
        /// The content boxes, in order.
        boxes: Vec<([u8; 4], Vec<u8>)>,
    },
}

impl Content {
    /// Reads the content of an assertion superbox parsed from `src`.
    pub fn from_superbox(node: &jumbf::SuperBox, src: &[u8]) -> Result<Self, AssertionError> {
        let label = node.label().unwrap_or_default();
        let boxes: Vec<([u8; 4], &[u8])> = node
            .plain_boxes()
            .filter(|p| p.box_type != *b"free")
            .map(|p| (p.box_type, src.get(p.span.payload()).unwrap_or_default()))
            .collect();
        if let [(kind, payload)] = boxes.as_slice()
            && *kind == *b"uuid"
        {
            let (id, data) =
                payload
                    .split_at_checked(16)
                    .ok_or_else(|| AssertionError::MissingContent {
                        label: label.to_owned(),
                        expected: "uuid",
                    })?;
            let id: [u8; 16] = id.try_into().unwrap_or_default();
            if id == REDACTION_UUID && data.iter().all(|b| *b == 0) {
                return Ok(Self::Redacted { zeros: data.len() });
            }
            return Ok(Self::Uuid {
                id,
                data: data.to_vec(),
            });
        }
        let single = |want: [u8; 4], what: &'static str| -> Result<Vec<u8>, AssertionError> {
            let mut it = boxes.iter().filter(|(k, _)| *k == want);
            let first = it.next().ok_or_else(|| AssertionError::MissingContent {
                label: label.to_owned(),
                expected: what,
            })?;
            if it.next().is_some() {
                return Err(AssertionError::MultipleContent {
                    label: label.to_owned(),
                    what,
                });
            }
            Ok(first.1.to_vec())
        };
        match node.uuid() {
            uuid::CBOR => Ok(Self::Cbor(single(*b"cbor", "cbor")?)),
            uuid::JSON => Ok(Self::Json(single(*b"json", "json")?)),
            EMBEDDED_FILE_UUID => {
                let description = single(*b"bfdb", "bfdb")?;
                let data = single(*b"bidb", "bidb")?;
                Ok(Self::EmbeddedFile(EmbeddedFile::from_boxes(
                    &description,
                    data,
                    label,
                )?))
            }
            jumbf_type => Ok(Self::Boxes {
                jumbf_type,
                boxes: boxes.iter().map(|(k, p)| (*k, p.to_vec())).collect(),
            }),
        }
    }

    /// The JUMBF type UUID an assertion superbox with this content carries.
    pub fn jumbf_type(&self) -> [u8; 16] {
        match self {
            Self::Cbor(_) => uuid::CBOR,
            Self::Json(_) => uuid::JSON,
            Self::EmbeddedFile(_) => EMBEDDED_FILE_UUID,
            Self::Uuid { .. } | Self::Redacted { .. } => UUID_CONTENT_UUID,
            Self::Boxes { jumbf_type, .. } => *jumbf_type,
        }
    }

    /// The serialised content boxes.
    pub fn to_boxes(&self) -> Vec<u8> {
        let mut out = Vec::new();
        match self {
            Self::Cbor(b) => jumbf::write_box(&mut out, *b"cbor", b),
            Self::Json(b) => jumbf::write_box(&mut out, *b"json", b),
            Self::EmbeddedFile(f) => f.write_boxes(&mut out),
            Self::Uuid { id, data } => {
                let mut payload = id.to_vec();
                payload.extend_from_slice(data);
                jumbf::write_box(&mut out, *b"uuid", &payload);
            }
            Self::Redacted { zeros } => {
                let mut payload = REDACTION_UUID.to_vec();
                payload.resize(zeros.saturating_add(16), 0);
                jumbf::write_box(&mut out, *b"uuid", &payload);
            }
            Self::Boxes { boxes, .. } => {
                for (kind, payload) in boxes {
                    jumbf::write_box(&mut out, *kind, payload);
                }
            }
        }
        out
    }
}

/// A decoded assertion.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Assertion {
    /// `c2pa.actions` / `c2pa.actions.v2`.
    Actions(Decoded<Actions>),
    /// `c2pa.hash.data`.
    DataHash(Decoded<DataHash>),
    /// `c2pa.hash.bmff` / `.v2` / `.v3`.
    BmffHash(Decoded<BmffHash>),
    /// `c2pa.hash.boxes`.
    BoxHash(Decoded<BoxHash>),
    /// `c2pa.ingredient` / `.v2` / `.v3` (boxed: by far the largest model).
    Ingredient(Box<Decoded<Ingredient>>),
    /// `c2pa.soft-binding`.
    SoftBinding(Decoded<SoftBinding>),
    /// `c2pa.time-stamp`.
    TimeStamp(Decoded<TimeStamps>),
    /// `c2pa.certificate-status`.
    CertificateStatus(Decoded<CertificateStatus>),
    /// `c2pa.thumbnail.claim`, `c2pa.thumbnail.ingredient` (embedded files).
    Thumbnail(EmbeddedFile),
    /// `c2pa.embedded-data`.
    EmbeddedData(EmbeddedFile),
    /// `c2pa.metadata` and `<entity>.metadata` (JSON-LD).
    Metadata(Metadata),
    /// Any other label, or a standard label whose content is not of the standard kind, kept
    /// byte-exact.
    Opaque(Content),
}

impl Assertion {
    /// Decodes the content of an assertion labelled `label`. Redacted content is an error (the
    /// caller decides whether redaction is allowed where it is found).
    pub fn decode(label: &str, content: &Content) -> Result<Self, AssertionError> {
        let parsed = Label::parse(label);
        let cbor_of = |content: &Content| -> Result<Vec<u8>, AssertionError> {
            match content {
                Content::Cbor(b) => Ok(b.clone()),
                _ => Err(AssertionError::MissingContent {
                    label: label.to_owned(),
                    expected: "cbor",
                }),
            }
        };
        if let Content::Redacted { .. } = content {
            return Err(AssertionError::Redacted {
                label: label.to_owned(),
            });
        }
        let wrap = |error: CborError| AssertionError::Cbor {
            label: label.to_owned(),
            error,
        };
        Ok(match parsed.kind() {
            AssertionKind::Actions => {
                Self::Actions(Actions::decode(&cbor_of(content)?, &parsed).map_err(wrap)?)
            }
            AssertionKind::DataHash => {
                Self::DataHash(DataHash::decode(&cbor_of(content)?, &parsed).map_err(wrap)?)
            }
            AssertionKind::BmffHash => {
                Self::BmffHash(BmffHash::decode(&cbor_of(content)?, &parsed).map_err(wrap)?)
            }
            AssertionKind::BoxHash => {
                Self::BoxHash(BoxHash::decode(&cbor_of(content)?, &parsed).map_err(wrap)?)
            }
            AssertionKind::Ingredient => Self::Ingredient(Box::new(
                Ingredient::decode(&cbor_of(content)?, &parsed).map_err(wrap)?,
            )),
            AssertionKind::SoftBinding => {
                Self::SoftBinding(SoftBinding::decode(&cbor_of(content)?, &parsed).map_err(wrap)?)
            }
            AssertionKind::TimeStamp => {
                Self::TimeStamp(TimeStamps::decode(&cbor_of(content)?, &parsed).map_err(wrap)?)
            }
            AssertionKind::CertificateStatus => Self::CertificateStatus(
                CertificateStatus::decode(&cbor_of(content)?, &parsed).map_err(wrap)?,
            ),
            AssertionKind::ClaimThumbnail | AssertionKind::IngredientThumbnail => {
                Self::Thumbnail(embedded_of(label, content)?)
            }
            AssertionKind::EmbeddedData => Self::EmbeddedData(embedded_of(label, content)?),
            AssertionKind::Metadata => match content {
                Content::Json(bytes) => Self::Metadata(Metadata::from_json(bytes, label)?),
                _ => {
                    return Err(AssertionError::MissingContent {
                        label: label.to_owned(),
                        expected: "json",
                    });
                }
            },
            AssertionKind::CollectionHash | AssertionKind::Other => Self::Opaque(content.clone()),
        })
    }

    /// The content to box this assertion in.
    pub fn to_content(&self) -> Content {
        match self {
            Self::Actions(d) => Content::Cbor(d.bytes().to_vec()),
            Self::DataHash(d) => Content::Cbor(d.bytes().to_vec()),
            Self::BmffHash(d) => Content::Cbor(d.bytes().to_vec()),
            Self::BoxHash(d) => Content::Cbor(d.bytes().to_vec()),
            Self::Ingredient(d) => Content::Cbor(d.bytes().to_vec()),
            Self::SoftBinding(d) => Content::Cbor(d.bytes().to_vec()),
            Self::TimeStamp(d) => Content::Cbor(d.bytes().to_vec()),
            Self::CertificateStatus(d) => Content::Cbor(d.bytes().to_vec()),
            Self::Thumbnail(f) | Self::EmbeddedData(f) => Content::EmbeddedFile(f.clone()),
            Self::Metadata(m) => Content::Json(m.bytes().to_vec()),
            Self::Opaque(c) => c.clone(),
        }
    }
}

fn embedded_of(label: &str, content: &Content) -> Result<EmbeddedFile, AssertionError> {
    match content {
        Content::EmbeddedFile(f) => Ok(f.clone()),
        _ => Err(AssertionError::MissingContent {
            label: label.to_owned(),
            expected: "bfdb+bidb",
        }),
    }
}

/// An assertion to write: label, content, and an optional salt (§8.4.2.3: a `c2sh` private box
/// of 16 or 32 random bytes in the description box, so equal content hashes differently).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewAssertion {
    /// The label, instance suffix included.
    pub label: String,
    /// The content.
    pub content: Content,
    /// The salt, if any (16 or 32 bytes).
    pub salt: Option<Vec<u8>>,
}

impl NewAssertion {
    /// An unsalted assertion.
    pub fn new(label: impl Into<String>, content: Content) -> Self {
        Self {
            label: label.into(),
            content,
            salt: None,
        }
    }

    /// A CBOR assertion from a typed model, under the model's label.
    pub fn from_model<T: CborAssertion>(model: &Decoded<T>) -> Self {
        Self::new(model.value().label(), Content::Cbor(model.bytes().to_vec()))
    }

    /// The assertion superbox.
    pub fn to_jumbf(&self) -> Result<Vec<u8>, JumbfError> {
        let private = match &self.salt {
            Some(salt) => {
                if salt.len() != 16 && salt.len() != 32 {
                    return Err(JumbfError::BadDescription {
                        offset: 0,
                        what: "salt must be 16 or 32 bytes (C2PA 2.2 §8.4.2.3)",
                    });
                }
                let mut b = Vec::with_capacity(40);
                jumbf::write_box(&mut b, *b"c2sh", salt);
                Some(b)
            }
            None => None,
        };
        let mut out = Vec::new();
        jumbf::write_superbox(
            &mut out,
            &NewDescription {
                uuid: self.content.jumbf_type(),
                label: Some(&self.label),
                private: private.as_deref(),
            },
            &[&self.content.to_boxes()],
        )?;
        Ok(out)
    }
}

/// Makes labels unique within a manifest (§6.4): the first `c2pa.ingredient.v3`, then
/// `c2pa.ingredient.v3__1`, `__2`, ...
#[derive(Debug, Default, Clone)]
pub struct LabelAllocator {
    used: std::collections::BTreeMap<String, u32>,
}

impl LabelAllocator {
    /// The next free label for `base` (a label without instance suffix).
    pub fn next(&mut self, base: &str) -> String {
        let n = self.used.entry(base.to_owned()).or_insert(0);
        let label = if *n == 0 {
            base.to_owned()
        } else {
            format!("{base}__{n}")
        };
        *n = n.saturating_add(1);
        label
    }
}

#[cfg(test)]
mod tests;
