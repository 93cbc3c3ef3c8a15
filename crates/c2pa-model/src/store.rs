//! The C2PA Manifest Store (C2PA 2.2 §11.1.4.2) and its manifests, over the exact store bytes.
//!
//! The store owns its bytes; manifests, claims, signatures and assertions are views (JUMBF nodes
//! with spans) into them, so every hash a validator computes is over the bytes received.

use sha2::{Digest, Sha256, Sha384, Sha512};

use crate::assertion::{Assertion, Content, Label};
use crate::claim::{self, Claim, ClaimVersion};
use crate::error::{AssertionError, JumbfError, StoreError};
use crate::hashed_uri::JumbfUri;
use crate::jumbf::{self, Limits, PlainBox, SuperBox, c2pa_uuid};

/// JUMBF type UUIDs C2PA defines (§11.1.4).
pub mod uuid {
    use super::c2pa_uuid;
    /// Manifest Store (`c2pa`).
    pub const STORE: [u8; 16] = c2pa_uuid(*b"c2pa");
    /// Standard manifest (`c2ma`).
    pub const STANDARD_MANIFEST: [u8; 16] = c2pa_uuid(*b"c2ma");
    /// Standard manifest, legacy type accepted by consumers (`c2md`).
    pub const STANDARD_MANIFEST_LEGACY: [u8; 16] = c2pa_uuid(*b"c2md");
    /// Compressed manifest (`c2cm`).
    pub const COMPRESSED_MANIFEST: [u8; 16] = c2pa_uuid(*b"c2cm");
    /// Update manifest (`c2um`).
    pub const UPDATE_MANIFEST: [u8; 16] = c2pa_uuid(*b"c2um");
    /// Time-stamp manifest (`c2tm`).
    pub const TIMESTAMP_MANIFEST: [u8; 16] = c2pa_uuid(*b"c2tm");
    /// Assertion store (`c2as`).
    pub const ASSERTION_STORE: [u8; 16] = c2pa_uuid(*b"c2as");
    /// Claim (`c2cl`).
    pub const CLAIM: [u8; 16] = c2pa_uuid(*b"c2cl");
    /// Claim signature (`c2cs`).
    pub const SIGNATURE: [u8; 16] = c2pa_uuid(*b"c2cs");
    /// CBOR content (`cbor`).
    pub const CBOR: [u8; 16] = c2pa_uuid(*b"cbor");
    /// JSON content (`json`).
    pub const JSON: [u8; 16] = c2pa_uuid(*b"json");
}

/// Label of the assertion store superbox.
pub const ASSERTIONS_LABEL: &str = "c2pa.assertions";
/// Label of the claim signature superbox.
pub const SIGNATURE_LABEL: &str = "c2pa.signature";

/// What kind of manifest a superbox is, from its JUMBF type UUID.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ManifestKind {
    /// `c2ma` (or the legacy `c2md`).
    Standard,
    /// `c2um`.
    Update,
    /// `c2tm`.
    TimeStamp,
    /// `c2cm` that could not be decompressed into a manifest
    /// ([`Manifest::compressed_failure`] says why); one that could is read as the manifest
    /// it holds ([`Manifest::was_compressed`]).
    Compressed,
}

impl ManifestKind {
    fn from_uuid(uuid: &[u8; 16]) -> Option<Self> {
        Some(match *uuid {
            uuid::STANDARD_MANIFEST | uuid::STANDARD_MANIFEST_LEGACY => Self::Standard,
            uuid::UPDATE_MANIFEST => Self::Update,
            uuid::TIMESTAMP_MANIFEST => Self::TimeStamp,
            uuid::COMPRESSED_MANIFEST => Self::Compressed,
            _ => return None,
        })
    }
}

pub mod compressed;
pub mod label;

/// A parsed manifest store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ManifestStore {
    /// The bytes as received.
    bytes: Vec<u8>,
    /// The store with its compressed manifests decompressed in place (`None` when it has none
    /// that decompressed); `root` is parsed over these bytes when present.
    expanded: Option<Vec<u8>>,
    root: SuperBox,
    /// Span (in `root`) and original payload range (in `bytes`) of each decompressed manifest.
    originals: Vec<(jumbf::Span, core::ops::Range<usize>)>,
    /// Span (in `root`) and reason of each compressed manifest that did not decompress.
    compressed_failures: Vec<(jumbf::Span, String)>,
}

/// A manifest inside a store.
#[derive(Debug, Clone, Copy)]
pub struct Manifest<'s> {
    store: &'s ManifestStore,
    node: &'s SuperBox,
    kind: ManifestKind,
}

/// A supported hash algorithm (C2PA data hash algorithm registry).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HashAlg {
    /// `sha256`.
    Sha256,
    /// `sha384`.
    Sha384,
    /// `sha512`.
    Sha512,
}

impl HashAlg {
    /// Parses a registry name.
    pub fn from_name(name: &str) -> Option<Self> {
        match name {
            "sha256" => Some(Self::Sha256),
            "sha384" => Some(Self::Sha384),
            "sha512" => Some(Self::Sha512),
            _ => None,
        }
    }

    /// The registry name.
    pub fn name(self) -> &'static str {
        match self {
            Self::Sha256 => "sha256",
            Self::Sha384 => "sha384",
            Self::Sha512 => "sha512",
        }
    }

    /// Hashes `data`.
    pub fn digest(self, data: &[u8]) -> Vec<u8> {
        match self {
            Self::Sha256 => Sha256::digest(data).to_vec(),
            Self::Sha384 => Sha384::digest(data).to_vec(),
            Self::Sha512 => Sha512::digest(data).to_vec(),
        }
    }

    /// The digest length in bytes.
    pub fn output_len(self) -> usize {
        match self {
            Self::Sha256 => 32,
            Self::Sha384 => 48,
            Self::Sha512 => 64,
        }
    }

    /// An incremental hasher.
    pub fn hasher(self) -> Hasher {
        match self {
            Self::Sha256 => Hasher::Sha256(Sha256::new()),
            Self::Sha384 => Hasher::Sha384(Sha384::new()),
            Self::Sha512 => Hasher::Sha512(Sha512::new()),
        }
    }
}

/// An incremental hash of one of the [`HashAlg`]s.
#[derive(Debug, Clone)]
pub enum Hasher {
    /// SHA-256.
    Sha256(Sha256),
    /// SHA-384.
    Sha384(Sha384),
    /// SHA-512.
    Sha512(Sha512),
}

impl Hasher {
    /// Feeds bytes.
    pub fn update(&mut self, data: &[u8]) {
        match self {
            Self::Sha256(h) => h.update(data),
            Self::Sha384(h) => h.update(data),
            Self::Sha512(h) => h.update(data),
        }
    }

    /// The digest.
    pub fn finalize(self) -> Vec<u8> {
        match self {
            Self::Sha256(h) => h.finalize().to_vec(),
            Self::Sha384(h) => h.finalize().to_vec(),
            Self::Sha512(h) => h.finalize().to_vec(),
        }
    }
}

impl ManifestStore {
    /// Parses a manifest store (one JUMBF superbox labelled `c2pa` with the store UUID),
    /// decompressing its compressed manifests ([`compressed`]).
    pub fn from_bytes(bytes: Vec<u8>, limits: &Limits) -> Result<Self, StoreError> {
        let root = jumbf::parse(&bytes, limits)?;
        if root.uuid() != uuid::STORE || root.label() != Some("c2pa") {
            return Err(StoreError::NotAManifestStore);
        }
        let expansion = compressed::expand(&bytes, &root, limits);
        let (expanded, root) = match expansion.bytes {
            Some(e) => {
                let root = jumbf::parse(&e, limits)?;
                (Some(e), root)
            }
            None => (None, root),
        };
        // The expansion keeps the store's children in order: its indices name nodes of `root`.
        let span_of = |i: usize| match root.children.get(i) {
            Some(jumbf::Node::Super(s)) => Some(s.span),
            _ => None,
        };
        let originals = expansion
            .originals
            .into_iter()
            .filter_map(|(i, range)| Some((span_of(i)?, range)))
            .collect();
        let compressed_failures = expansion
            .failures
            .into_iter()
            .filter_map(|(i, why)| Some((span_of(i)?, why)))
            .collect();
        Ok(Self {
            bytes,
            expanded,
            root,
            originals,
            compressed_failures,
        })
    }

    /// The bytes the JUMBF tree is over: the expanded store when it held compressed manifests.
    fn view(&self) -> &[u8] {
        self.expanded.as_deref().unwrap_or(&self.bytes)
    }

    /// The length of the bytes the JUMBF tree is over: the received store's, or the expanded
    /// store's when it held compressed manifests.
    pub fn view_len(&self) -> usize {
        self.view().len()
    }

    /// The store's exact bytes (what was received).
    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// Re-serialises the store from its parsed JUMBF tree (not a copy of the input bytes); equal
    /// to [`Self::as_bytes`] for every store this crate parsed faithfully, except that
    /// compressed manifests come out decompressed.
    pub fn reserialize(&self) -> Result<Vec<u8>, JumbfError> {
        let mut out = Vec::with_capacity(self.view().len());
        self.root.write_to(self.view(), &mut out)?;
        Ok(out)
    }

    /// The root superbox.
    pub fn root(&self) -> &SuperBox {
        &self.root
    }

    /// The manifests in store order (superboxes with a manifest UUID; others are skipped, as
    /// §11.1.4.2 allows unknown boxes).
    pub fn manifests(&self) -> impl Iterator<Item = Manifest<'_>> {
        self.root.superboxes().filter_map(move |node| {
            ManifestKind::from_uuid(&node.uuid()).map(|kind| Manifest {
                store: self,
                node,
                kind,
            })
        })
    }

    /// The active manifest: the last manifest in the store (§11.1.4.2).
    pub fn active_manifest(&self) -> Option<Manifest<'_>> {
        self.manifests().last()
    }

    /// The manifest labelled `label`.
    pub fn manifest(&self, label: &str) -> Option<Manifest<'_>> {
        self.manifests().find(|m| m.label() == Some(label))
    }

    /// The bytes of a box (header included).
    pub fn box_bytes(&self, span: jumbf::Span) -> &[u8] {
        self.view().get(span.whole()).unwrap_or_default()
    }

    /// The bytes a hashed URI to `node` covers (§8.4.2.3: the superbox without its header); for
    /// a manifest that arrived compressed, its compressed superbox's (§11.1.3.2).
    pub fn hashed_bytes(&self, node: &SuperBox) -> &[u8] {
        if let Some(range) = self.original_of(node) {
            return self.bytes.get(range).unwrap_or_default();
        }
        self.view().get(node.span.payload()).unwrap_or_default()
    }

    /// The original payload range of `node` when it is a manifest that arrived compressed.
    fn original_of(&self, node: &SuperBox) -> Option<core::ops::Range<usize>> {
        self.originals
            .iter()
            .find(|(span, _)| *span == node.span)
            .map(|(_, r)| r.clone())
    }

    /// The payload of a content box.
    pub fn content(&self, plain: &PlainBox) -> &[u8] {
        self.view().get(plain.span.payload()).unwrap_or_default()
    }

    /// Resolves a JUMBF URI; relative URIs resolve inside `from`.
    pub fn resolve(&self, uri: &str, from: Option<&Manifest<'_>>) -> Option<&SuperBox> {
        let parsed = JumbfUri::parse(uri)?;
        let (mut node, labels) = if parsed.absolute {
            let (first, rest) = parsed.labels.split_first()?;
            if *first != "c2pa" {
                return None;
            }
            (&self.root, rest.to_vec())
        } else {
            let m = from?;
            // A relative URI names boxes of the manifest containing it; take the store-level
            // manifest node by span so the borrow is of `self`.
            let node = self.root.superboxes().find(|s| s.span == m.node.span)?;
            (node, parsed.labels)
        };
        for label in labels {
            node = node.superboxes().find(|s| s.label() == Some(label))?;
        }
        Some(node)
    }
}

impl<'s> Manifest<'s> {
    /// The manifest label (`urn:c2pa:...`, or `...:urn:uuid:...` in older stores).
    pub fn label(&self) -> Option<&'s str> {
        self.node.label()
    }

    /// Whether this manifest arrived compressed (and was decompressed; C2PA 2.2 §11.2.4, §15.5.4).
    pub fn was_compressed(&self) -> bool {
        self.store.original_of(self.node).is_some()
    }

    /// Why this compressed manifest could not be decompressed ([`ManifestKind::Compressed`]).
    pub fn compressed_failure(&self) -> Option<&'s str> {
        self.store
            .compressed_failures
            .iter()
            .find(|(span, _)| *span == self.node.span)
            .map(|(_, why)| why.as_str())
    }

    /// The manifest kind.
    pub fn kind(&self) -> ManifestKind {
        self.kind
    }

    /// The manifest superbox.
    pub fn node(&self) -> &'s SuperBox {
        self.node
    }

    /// The store this manifest is in.
    pub fn store(&self) -> &'s ManifestStore {
        self.store
    }

    /// Claim boxes (type `c2cl`, label `c2pa.claim.v2` or `c2pa.claim`). More than one is
    /// `claim.multiple` for the validator.
    pub fn claim_boxes(&self) -> impl Iterator<Item = (&'s SuperBox, ClaimVersion)> {
        self.node.superboxes().filter_map(|s| {
            if s.uuid() != uuid::CLAIM {
                return None;
            }
            match s.label() {
                Some(claim::LABEL_V2) => Some((s, ClaimVersion::V2)),
                Some(claim::LABEL_V1) => Some((s, ClaimVersion::V1)),
                _ => None,
            }
        })
    }

    /// The single CBOR content of the (first) claim box, as received.
    pub fn claim_cbor(&self) -> Result<(&'s [u8], ClaimVersion), StoreError> {
        let (node, version) = self.claim_boxes().next().ok_or(StoreError::MissingClaim)?;
        Ok((self.single_cbor(node, "claim")?, version))
    }

    /// Decodes the claim.
    pub fn claim(&self) -> Result<Claim, StoreError> {
        let (cbor, version) = self.claim_cbor()?;
        Ok(Claim::from_cbor(cbor, version)?)
    }

    /// The claim signature box (`c2cs`, label `c2pa.signature`).
    pub fn signature_box(&self) -> Option<&'s SuperBox> {
        self.node
            .superboxes()
            .find(|s| s.uuid() == uuid::SIGNATURE && s.label() == Some(SIGNATURE_LABEL))
    }

    /// The COSE_Sign1 bytes of the claim signature, as received.
    pub fn signature_cbor(&self) -> Result<&'s [u8], StoreError> {
        let node = self.signature_box().ok_or(StoreError::MissingSignature)?;
        self.single_cbor(node, "claim signature")
    }

    /// The assertion store.
    pub fn assertion_store(&self) -> Option<&'s SuperBox> {
        self.node
            .superboxes()
            .find(|s| s.uuid() == uuid::ASSERTION_STORE && s.label() == Some(ASSERTIONS_LABEL))
    }

    /// The assertion superboxes, in store order.
    pub fn assertions(&self) -> impl Iterator<Item = &'s SuperBox> {
        self.assertion_store()
            .into_iter()
            .flat_map(SuperBox::superboxes)
    }

    /// The assertions as views that decode their content, in store order.
    pub fn assertion_refs(&self) -> impl Iterator<Item = AssertionRef<'s>> {
        let manifest = *self;
        self.assertions()
            .map(move |node| AssertionRef { manifest, node })
    }

    /// The assertion labelled exactly `label` (instance suffix included).
    pub fn assertion(&self, label: &str) -> Option<AssertionRef<'s>> {
        self.assertion_refs().find(|a| a.label() == label)
    }

    /// The absolute JUMBF URI of this manifest (`self#jumbf=/c2pa/<label>`).
    pub fn uri(&self) -> String {
        format!("self#jumbf=/c2pa/{}", self.label().unwrap_or_default())
    }

    fn single_cbor(&self, node: &'s SuperBox, what: &'static str) -> Result<&'s [u8], StoreError> {
        let mut cbor = node.plain_boxes().filter(|p| p.box_type == *b"cbor");
        let first = cbor.next().ok_or(StoreError::MissingContent { what })?;
        if cbor.next().is_some() {
            return Err(StoreError::MultipleContent { what });
        }
        Ok(self.store.content(first))
    }
}

/// An assertion superbox of a manifest, as stored.
#[derive(Debug, Clone, Copy)]
pub struct AssertionRef<'s> {
    manifest: Manifest<'s>,
    node: &'s SuperBox,
}

impl<'s> AssertionRef<'s> {
    /// The label as stored (empty when the description box has none).
    pub fn label(&self) -> &'s str {
        self.node.label().unwrap_or_default()
    }

    /// The label split into base, version and instance.
    pub fn parsed_label(&self) -> Label {
        Label::parse(self.label())
    }

    /// The superbox.
    pub fn node(&self) -> &'s SuperBox {
        self.node
    }

    /// The manifest holding it.
    pub fn manifest(&self) -> Manifest<'s> {
        self.manifest
    }

    /// The bytes a hashed URI to this assertion covers (§8.4.2.3).
    pub fn hashed_bytes(&self) -> &'s [u8] {
        self.manifest.store.hashed_bytes(self.node)
    }

    /// The absolute JUMBF URI (`self#jumbf=/c2pa/<manifest>/c2pa.assertions/<label>`).
    pub fn uri(&self) -> String {
        format!(
            "{}/{ASSERTIONS_LABEL}/{}",
            self.manifest.uri(),
            self.label()
        )
    }

    /// The manifest-relative JUMBF URI (`self#jumbf=c2pa.assertions/<label>`), as claims use.
    pub fn relative_uri(&self) -> String {
        format!("self#jumbf={ASSERTIONS_LABEL}/{}", self.label())
    }

    /// The content boxes (copied).
    pub fn content(&self) -> Result<Content, AssertionError> {
        if self.node.label().is_none() {
            return Err(AssertionError::MissingLabel);
        }
        Content::from_superbox(self.node, self.manifest.store.as_bytes())
    }

    /// True when the assertion has been redacted in place (§6.8).
    pub fn is_redacted(&self) -> bool {
        matches!(self.content(), Ok(Content::Redacted { .. }))
    }

    /// Decodes the content into its typed model.
    pub fn decode(&self) -> Result<Assertion, AssertionError> {
        Assertion::decode(self.label(), &self.content()?)
    }
}

impl From<JumbfError> for StoreError {
    fn from(e: JumbfError) -> Self {
        Self::Jumbf(e)
    }
}

#[cfg(test)]
mod tests;
