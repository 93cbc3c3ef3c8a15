//! The claim generator: builds a C2PA manifest store for an asset, signs it, and embeds it.
//!
//! Flow for an embedded manifest with a `c2pa.hash.data` hard binding (C2PA 2.2 §9.2.1, §18.5):
//! 1. choose where the store goes in the asset (JPEG: after SOI and any APP0/APP1 segments);
//! 2. hash the asset with the store's segments excluded — since the store is *inserted* there,
//!    that is the hash of the input itself, streamed once;
//! 3. lay out the store (assertions → claim → signature) until the exclusion length written in
//!    the data-hash assertion equals the size of the segments that carry the store (a fixed
//!    point reached in a few rounds, the COSE `pad` absorbing signature-size changes);
//! 4. write the output: the input's bytes with the store's segments inserted.
//!
//! Randomness (manifest and instance identifiers) comes from the caller's `SecureRandom`; no
//! clock is read (the actions carry no `when`).

use std::io::{Read, Write};

use ciborium::Value;
use sha2::{Digest, Sha256};
use signet_asn1_types::crypto::SecureRandom;

use crate::cbor;
use crate::container::{self, ContainerLimits, Format};
use crate::cose::{self, SignOptions};
use crate::error::GeneratorError;
use crate::hashed_uri::HashedUri;
use crate::jumbf::{self, NewDescription, c2pa_uuid};
use crate::store::uuid;

/// `digitalSourceType` for content created by a capture or editing tool (IPTC vocabulary).
pub const DIGITAL_CREATION: &str = "http://cv.iptc.org/newscodes/digitalsourcetype/digitalCreation";

/// What the manifest says about the asset.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ManifestDefinition {
    /// `claim_generator_info.name`.
    pub generator_name: String,
    /// `claim_generator_info.version`.
    pub generator_version: String,
    /// `dc:title`, if any.
    pub title: Option<String>,
    /// The `c2pa.created` action's `digitalSourceType`.
    pub digital_source_type: String,
}

impl Default for ManifestDefinition {
    fn default() -> Self {
        Self {
            generator_name: "Signet".to_owned(),
            generator_version: env!("CARGO_PKG_VERSION").to_owned(),
            title: None,
            digital_source_type: DIGITAL_CREATION.to_owned(),
        }
    }
}

pub use crate::cbor::canonical_map;

/// A random UUID v4 string, upper-case as C2PA examples write `urn:c2pa:` identifiers.
fn uuid_v4(rng: &dyn SecureRandom) -> Result<String, GeneratorError> {
    let mut b = [0u8; 16];
    rng.fill(&mut b).map_err(|_| GeneratorError::Random)?;
    if let Some(x) = b.get_mut(6) {
        *x = (*x & 0x0F) | 0x40;
    }
    if let Some(x) = b.get_mut(8) {
        *x = (*x & 0x3F) | 0x80;
    }
    let h = b.iter().map(|x| format!("{x:02X}")).collect::<String>();
    let part = |r: core::ops::Range<usize>| h.get(r).unwrap_or_default().to_owned();
    Ok(format!(
        "{}-{}-{}-{}-{}",
        part(0..8),
        part(8..12),
        part(12..16),
        part(16..20),
        part(20..32)
    ))
}

/// One assertion ready to be boxed: label and CBOR content.
struct Assertion {
    label: &'static str,
    cbor: Vec<u8>,
}

fn assertion_box(a: &Assertion) -> Result<Vec<u8>, GeneratorError> {
    let mut content = Vec::new();
    jumbf::write_box(&mut content, *b"cbor", &a.cbor);
    let mut out = Vec::new();
    jumbf::write_superbox(
        &mut out,
        &NewDescription {
            uuid: uuid::CBOR,
            label: Some(a.label),
            private: None,
        },
        &[&content],
    )?;
    Ok(out)
}

fn hashed_uri_for(label: &str, boxed: &[u8]) -> HashedUri {
    // A hashed URI covers the superbox without its 8-byte header (§8.4.2.3).
    HashedUri {
        url: format!("self#jumbf=c2pa.assertions/{label}"),
        alg: None,
        hash: Sha256::digest(boxed.get(8..).unwrap_or_default()).to_vec(),
    }
}

fn actions_cbor(def: &ManifestDefinition) -> Result<Vec<u8>, GeneratorError> {
    let created = canonical_map(vec![
        ("action", Value::Text("c2pa.created".into())),
        (
            "digitalSourceType",
            Value::Text(def.digital_source_type.clone()),
        ),
    ]);
    Ok(cbor::encode(&canonical_map(vec![(
        "actions",
        Value::Array(vec![created]),
    )]))?)
}

fn data_hash_cbor(hash: &[u8], start: u64, length: u64) -> Result<Vec<u8>, GeneratorError> {
    let exclusion = canonical_map(vec![
        ("start", Value::Integer(start.into())),
        ("length", Value::Integer(length.into())),
    ]);
    Ok(cbor::encode(&canonical_map(vec![
        ("alg", Value::Text("sha256".into())),
        ("pad", Value::Bytes(Vec::new())),
        ("hash", Value::Bytes(hash.to_vec())),
        ("name", Value::Text("jumbf manifest".into())),
        ("exclusions", Value::Array(vec![exclusion])),
    ]))?)
}

/// Identifiers fixed once per manifest (so layout rounds only change the exclusion).
struct Ids {
    manifest_label: String,
    instance_id: String,
}

fn build_store(
    def: &ManifestDefinition,
    ids: &Ids,
    asset_hash: &[u8],
    exclusion: (u64, u64),
    sign: &SignOptions<'_>,
) -> Result<Vec<u8>, GeneratorError> {
    let assertions = [
        Assertion {
            label: "c2pa.actions.v2",
            cbor: actions_cbor(def)?,
        },
        Assertion {
            label: "c2pa.hash.data",
            cbor: data_hash_cbor(asset_hash, exclusion.0, exclusion.1)?,
        },
    ];
    let mut boxed = Vec::new();
    let mut refs = Vec::new();
    for a in &assertions {
        let b = assertion_box(a)?;
        refs.push(hashed_uri_for(a.label, &b).to_value());
        boxed.push(b);
    }
    let mut info = vec![
        ("name", Value::Text(def.generator_name.clone())),
        ("version", Value::Text(def.generator_version.clone())),
    ];
    info.retain(|(_, v)| v.as_text().is_some_and(|t| !t.is_empty()));
    let mut claim_entries = vec![
        ("instanceID", Value::Text(ids.instance_id.clone())),
        ("claim_generator_info", canonical_map(info)),
        ("signature", Value::Text("self#jumbf=c2pa.signature".into())),
        ("created_assertions", Value::Array(refs)),
        ("alg", Value::Text("sha256".into())),
    ];
    if let Some(t) = &def.title {
        claim_entries.push(("dc:title", Value::Text(t.clone())));
    }
    let claim = cbor::encode(&canonical_map(claim_entries))?;
    let signature = cose::sign_claim(&claim, sign, None)?;

    let mut assertion_store = Vec::new();
    let children: Vec<&[u8]> = boxed.iter().map(Vec::as_slice).collect();
    jumbf::write_superbox(
        &mut assertion_store,
        &NewDescription {
            uuid: uuid::ASSERTION_STORE,
            label: Some("c2pa.assertions"),
            private: None,
        },
        &children,
    )?;
    let content_box = |payload: &[u8]| {
        let mut v = Vec::new();
        jumbf::write_box(&mut v, *b"cbor", payload);
        v
    };
    let mut claim_box = Vec::new();
    jumbf::write_superbox(
        &mut claim_box,
        &NewDescription {
            uuid: uuid::CLAIM,
            label: Some("c2pa.claim.v2"),
            private: None,
        },
        &[&content_box(&claim)],
    )?;
    let mut sig_box = Vec::new();
    jumbf::write_superbox(
        &mut sig_box,
        &NewDescription {
            uuid: uuid::SIGNATURE,
            label: Some("c2pa.signature"),
            private: None,
        },
        &[&content_box(&signature)],
    )?;
    let mut manifest = Vec::new();
    jumbf::write_superbox(
        &mut manifest,
        &NewDescription {
            uuid: c2pa_uuid(*b"c2ma"),
            label: Some(&ids.manifest_label),
            private: None,
        },
        &[&assertion_store, &claim_box, &sig_box],
    )?;
    let mut store = Vec::new();
    jumbf::write_superbox(
        &mut store,
        &NewDescription {
            uuid: uuid::STORE,
            label: Some("c2pa"),
            private: None,
        },
        &[&manifest],
    )?;
    Ok(store)
}

/// Signs a JPEG or PNG: reads the input three times through `open_input` (locate, hash, copy)
/// and writes the signed asset to `output`. Returns the manifest store written. An input that
/// already carries a manifest store is refused (re-signing needs it as a parent ingredient).
pub fn sign_asset<R, W>(
    format: Format,
    mut open_input: impl FnMut() -> std::io::Result<R>,
    output: &mut W,
    def: &ManifestDefinition,
    sign: &SignOptions<'_>,
    rng: &dyn SecureRandom,
) -> Result<Vec<u8>, GeneratorError>
where
    R: Read,
    W: Write,
{
    let io = |e: std::io::Error| GeneratorError::Io { kind: e.kind() };
    // Pass 1: refuse existing stores; find the insertion point; hash the input.
    let existing = container::locate(
        format,
        open_input().map_err(io)?,
        &ContainerLimits::default(),
    )?;
    if existing.is_some() {
        return Err(GeneratorError::AlreadySigned);
    }
    let insert_at = match format {
        Format::Jpeg => jpeg_insertion_point(open_input().map_err(io)?)?,
        Format::Png => png_insertion_point(open_input().map_err(io)?)?,
        _ => return Err(GeneratorError::UnsupportedFormat),
    };
    let mut hasher = Sha256::new();
    std::io::copy(&mut open_input().map_err(io)?, &mut HashWriter(&mut hasher)).map_err(io)?;
    let asset_hash = hasher.finalize().to_vec();

    let ids = Ids {
        manifest_label: format!("urn:c2pa:{}", uuid_v4(rng)?),
        instance_id: format!("xmp:iid:{}", uuid_v4(rng)?.to_lowercase()),
    };
    // Layout rounds: the exclusion length must equal the bytes that carry the store.
    let wrap = |store: &[u8]| -> Result<Vec<u8>, GeneratorError> {
        match format {
            Format::Png => png_chunk(store),
            _ => Ok(app11_segments(store)?.concat()),
        }
    };
    let mut length = 0u64;
    let mut wrapped = Vec::new();
    let mut store = Vec::new();
    for _ in 0..8 {
        store = build_store(def, &ids, &asset_hash, (insert_at, length), sign)?;
        wrapped = wrap(&store)?;
        let wrapped_len =
            u64::try_from(wrapped.len()).map_err(|_| GeneratorError::StoreTooLarge)?;
        if wrapped_len == length {
            break;
        }
        length = wrapped_len;
    }
    if u64::try_from(wrapped.len()).ok() != Some(length) {
        return Err(GeneratorError::LayoutDidNotConverge);
    }
    // Pass 2: copy with the store's container bytes inserted.
    let mut input = open_input().map_err(io)?;
    std::io::copy(&mut (&mut input).take(insert_at), output).map_err(io)?;
    output.write_all(&wrapped).map_err(io)?;
    std::io::copy(&mut input, output).map_err(io)?;
    output.flush().map_err(io)?;
    Ok(store)
}

/// Signs a JPEG (see [`sign_asset`]).
pub fn sign_jpeg<R, W>(
    open_input: impl FnMut() -> std::io::Result<R>,
    output: &mut W,
    def: &ManifestDefinition,
    sign: &SignOptions<'_>,
    rng: &dyn SecureRandom,
) -> Result<Vec<u8>, GeneratorError>
where
    R: Read,
    W: Write,
{
    sign_asset(Format::Jpeg, open_input, output, def, sign, rng)
}

/// Offset just after the PNG signature and the IHDR chunk (C2PA 2.2 §A.3.3 recommends `caBX`
/// before the IDAT chunks).
fn png_insertion_point<R: Read>(mut r: R) -> Result<u64, GeneratorError> {
    let mut head = [0u8; 16];
    r.read_exact(&mut head)
        .map_err(|e| GeneratorError::Io { kind: e.kind() })?;
    let (sig, chunk) = head.split_at(8);
    if sig != container::png::SIGNATURE || chunk.get(4..8) != Some(b"IHDR".as_slice()) {
        return Err(GeneratorError::Container(
            crate::error::ContainerError::NotFormat { format: "PNG" },
        ));
    }
    let len: [u8; 4] = chunk
        .get(..4)
        .and_then(|b| b.try_into().ok())
        .unwrap_or_default();
    Ok(8u64
        .saturating_add(12)
        .saturating_add(u64::from(u32::from_be_bytes(len))))
}

/// Wraps a store in a PNG `caBX` chunk (length, type, data, CRC-32).
fn png_chunk(store: &[u8]) -> Result<Vec<u8>, GeneratorError> {
    let len = u32::try_from(store.len())
        .ok()
        .filter(|l| *l <= 0x7FFF_FFFF)
        .ok_or(GeneratorError::StoreTooLarge)?;
    let mut chunk = Vec::with_capacity(store.len().saturating_add(12));
    chunk.extend_from_slice(&len.to_be_bytes());
    chunk.extend_from_slice(&container::png::CHUNK_TYPE);
    chunk.extend_from_slice(store);
    chunk.extend_from_slice(
        &container::png::crc32(&[&container::png::CHUNK_TYPE, store]).to_be_bytes(),
    );
    Ok(chunk)
}

struct HashWriter<'a>(&'a mut Sha256);

impl Write for HashWriter<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.update(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Offset after SOI and any leading APP0 (JFIF) / APP1 (Exif, XMP) segments.
fn jpeg_insertion_point<R: Read>(mut r: R) -> Result<u64, GeneratorError> {
    let mut soi = [0u8; 2];
    r.read_exact(&mut soi)
        .map_err(|e| GeneratorError::Io { kind: e.kind() })?;
    if soi != [0xFF, 0xD8] {
        return Err(GeneratorError::Container(
            crate::error::ContainerError::NotFormat { format: "JPEG" },
        ));
    }
    let mut at = 2u64;
    loop {
        let mut head = [0u8; 4];
        r.read_exact(&mut head)
            .map_err(|e| GeneratorError::Io { kind: e.kind() })?;
        let [ff, marker, l0, l1] = head;
        if ff != 0xFF || !(marker == 0xE0 || marker == 0xE1) {
            return Ok(at);
        }
        let len = u16::from_be_bytes([l0, l1]);
        std::io::copy(
            &mut (&mut r).take(u64::from(len).saturating_sub(2)),
            &mut std::io::sink(),
        )
        .map_err(|e| GeneratorError::Io { kind: e.kind() })?;
        at = at.saturating_add(2).saturating_add(u64::from(len));
    }
}

/// Largest APP11 segment payload (`Lp` counts itself: 65,535 − 2).
const APP11_MAX_PAYLOAD: usize = 65_533;
/// JPEG XT box instance number used for the store.
const BOX_INSTANCE: u16 = 1;

/// Splits a store into APP11 marker segments (ISO 19566-5 D.2; C2PA 2.2 §A.3.1).
pub fn app11_segments(store: &[u8]) -> Result<Vec<Vec<u8>>, GeneratorError> {
    let header: &[u8] = store.get(..8).ok_or(GeneratorError::StoreTooLarge)?;
    if store.get(..4) == Some(&[0, 0, 0, 1][..]) {
        return Err(GeneratorError::StoreTooLarge); // XLBox stores do not fit APP11 sensibly
    }
    let mut segments = Vec::new();
    let mut rest = store;
    let mut seq = 1u32;
    while !rest.is_empty() {
        // First packet carries the box header itself; later ones repeat it.
        let prefix: &[u8] = if seq == 1 { &[] } else { header };
        let room = APP11_MAX_PAYLOAD
            .saturating_sub(8)
            .saturating_sub(prefix.len());
        let take = rest.len().min(room);
        let (chunk, tail) = rest.split_at(take);
        let payload_len = 8usize
            .saturating_add(prefix.len())
            .saturating_add(chunk.len());
        let lp = u16::try_from(payload_len.saturating_add(2))
            .map_err(|_| GeneratorError::StoreTooLarge)?;
        let mut seg = Vec::with_capacity(payload_len.saturating_add(4));
        seg.extend_from_slice(&[0xFF, 0xEB]);
        seg.extend_from_slice(&lp.to_be_bytes());
        seg.extend_from_slice(b"JP");
        seg.extend_from_slice(&BOX_INSTANCE.to_be_bytes());
        seg.extend_from_slice(&seq.to_be_bytes());
        seg.extend_from_slice(prefix);
        seg.extend_from_slice(chunk);
        segments.push(seg);
        rest = tail;
        seq = seq.checked_add(1).ok_or(GeneratorError::StoreTooLarge)?;
    }
    Ok(segments)
}

#[cfg(test)]
mod tests;
