//! The hostile asset of the validator's hashing budget (hostile testing found `signet c2pa
//! verify` busy for 48 s on it): a JPEG whose claim lists 10,000 hashed URIs to one 8 MiB
//! assertion.
//!
//! Built by signing a JPEG with one large assertion, then rewriting the claim to list
//! `references` more hashed URIs to it and shrinking the assertion by as many bytes as the
//! claim grew, so the store keeps its size: the data hash still matches and every hashed URI
//! is right, and only the claim signature (over the original claim) fails.
//!
//! Shared, by path, by the regression test (`tests/it/amplification.rs`) and by `cargo xtask
//! bench c2pa`.

use signet_asn1_types::crypto::SecureRandom;
use signet_c2pa_model::container::{ContainerLimits, Format, locate};
use signet_c2pa_model::cose::SignOptions;
use signet_c2pa_model::generator::{ManifestDefinition, app11_segments, sign_asset};
use signet_c2pa_model::jumbf::{self, Limits, Node, SuperBox};
use signet_c2pa_model::store::ManifestStore;
use signet_c2pa_model::{Content, HashAlg, NewAssertion};

/// The label of the large assertion.
pub(crate) const LABEL: &str = "org.signet.amplifier";

/// `source` (an unsigned JPEG) signed with an assertion of `assertion_len` bytes (its CBOR
/// content) and a claim listing `references` hashed URIs to it besides its own.
pub(crate) fn amplified_jpeg(
    source: &[u8],
    sign: &SignOptions<'_>,
    rng: &dyn SecureRandom,
    references: usize,
    assertion_len: usize,
) -> Result<Vec<u8>, String> {
    // Signed once to learn how much the references grow the claim, then with the assertion
    // that much larger, to shrink it back to `assertion_len`.
    let first = sign_with(source, sign, rng, assertion_len)?;
    let grown = claim_growth(&first.store, references)?;
    let signed_len = assertion_len.checked_add(grown).ok_or("too large")?;
    let Signed {
        jpeg,
        start,
        end,
        store,
    } = sign_with(source, sign, rng, signed_len)?;
    let new_store = rewrite(&store, references, signed_len)?;
    if new_store.len() != store.as_bytes().len() {
        return Err("the store changed size".into());
    }
    let mut out = jpeg.get(..start).ok_or("store range")?.to_vec();
    for segment in app11_segments(&new_store).map_err(|e| e.to_string())? {
        out.extend_from_slice(&segment);
    }
    out.extend_from_slice(jpeg.get(end..).ok_or("store range")?);
    if out.len() != jpeg.len() {
        return Err("the store's segments changed size".into());
    }
    Ok(out)
}

/// A signed JPEG, where its store is, and the store.
struct Signed {
    jpeg: Vec<u8>,
    start: usize,
    end: usize,
    store: ManifestStore,
}

fn sign_with(
    source: &[u8],
    sign: &SignOptions<'_>,
    rng: &dyn SecureRandom,
    len: usize,
) -> Result<Signed, String> {
    let definition = ManifestDefinition {
        assertions: vec![NewAssertion::new(LABEL, Content::Cbor(byte_string(len)?))],
        ..ManifestDefinition::default()
    };
    let mut out = std::io::Cursor::new(Vec::new());
    sign_asset(
        Format::Jpeg,
        &mut std::io::Cursor::new(source),
        &mut out,
        &definition,
        sign,
        rng,
    )
    .map_err(|e| e.to_string())?;
    let jpeg = out.into_inner();
    let found = locate(Format::Jpeg, jpeg.as_slice(), &ContainerLimits::default())
        .map_err(|e| e.to_string())?
        .ok_or("the signed JPEG has no manifest store")?;
    let start = usize::try_from(found.ranges.first().ok_or("no segments")?.start)
        .map_err(|e| e.to_string())?;
    let end = usize::try_from(found.ranges.last().ok_or("no segments")?.end)
        .map_err(|e| e.to_string())?;
    let store =
        ManifestStore::from_bytes(found.store, &Limits::default()).map_err(|e| e.to_string())?;
    Ok(Signed {
        jpeg,
        start,
        end,
        store,
    })
}

/// The active claim's CBOR.
fn claim_cbor(store: &ManifestStore) -> Result<&[u8], String> {
    store
        .active_manifest()
        .ok_or("no active manifest")?
        .claim_cbor()
        .map(|(bytes, _)| bytes)
        .map_err(|e| e.to_string())
}

/// How many bytes `references` more references grow the active claim (whatever the hash's
/// value).
fn claim_growth(store: &ManifestStore, references: usize) -> Result<usize, String> {
    let old = claim_cbor(store)?;
    let grown = claim(old, references, &[0; 32])?.len();
    grown
        .checked_sub(old.len())
        .ok_or_else(|| "the claim shrank".to_owned())
}

/// A CBOR byte string of `len` bytes (always the 4-byte length form, so its header does not
/// change size with `len`).
fn byte_string(len: usize) -> Result<Vec<u8>, String> {
    let n = u32::try_from(len).map_err(|e| e.to_string())?;
    let mut cbor = vec![0x5a];
    cbor.extend_from_slice(&n.to_be_bytes());
    cbor.resize(cbor.len() + len, 0xa5);
    Ok(cbor)
}

/// The store with the active claim's references added and the large assertion shrunk to keep
/// the store's size.
fn rewrite(store: &ManifestStore, references: usize, signed_len: usize) -> Result<Vec<u8>, String> {
    let raw = store.as_bytes();
    let manifest = store.active_manifest().ok_or("no active manifest")?.node();
    let claim_box = manifest
        .superboxes()
        .find(|s| s.label().is_some_and(|l| l.starts_with("c2pa.claim")))
        .ok_or("no claim")?;
    let assertions = manifest
        .superboxes()
        .find(|s| s.label() == Some("c2pa.assertions"))
        .ok_or("no assertion store")?;
    let big = assertions
        .superboxes()
        .find(|s| s.label() == Some(LABEL))
        .ok_or("no large assertion")?;
    let old_claim = claim_cbor(store)?;
    let grown = claim_growth(store, references)?;
    let new_big = superbox(
        raw,
        big,
        &[cbor_box(&byte_string(
            signed_len.checked_sub(grown).ok_or("assertion too small")?,
        )?)],
    )?;
    // A hashed URI covers the superbox without its 8-byte header (C2PA 2.2 §8.4.2.3).
    let hash = HashAlg::Sha256.digest(new_big.get(8..).ok_or("assertion box")?);
    let new_claim = claim(old_claim, references, &hash)?;

    let mut children = Vec::new();
    for child in &manifest.children {
        children.push(match child {
            Node::Super(s) if s.span == assertions.span => {
                let mut kids = Vec::new();
                for k in &s.children {
                    kids.push(match k {
                        Node::Super(a) if a.span == big.span => new_big.clone(),
                        other => node_bytes(raw, other)?.to_vec(),
                    });
                }
                superbox(raw, s, &kids)?
            }
            Node::Super(s) if s.span == claim_box.span => {
                superbox(raw, s, &[cbor_box(&new_claim)])?
            }
            other => node_bytes(raw, other)?.to_vec(),
        });
    }
    let new_manifest = superbox(raw, manifest, &children)?;
    let root = store.root();
    let mut top = Vec::new();
    for child in &root.children {
        top.push(match child {
            Node::Super(s) if s.span == manifest.span => new_manifest.clone(),
            other => node_bytes(raw, other)?.to_vec(),
        });
    }
    superbox(raw, root, &top)
}

/// The claim with every reference to the large assertion given `hash`, and `references` more
/// such references appended to its `created_assertions`.
fn claim(old: &[u8], references: usize, hash: &[u8]) -> Result<Vec<u8>, String> {
    use ciborium::Value;
    let mut claim: Value = ciborium::from_reader(old).map_err(|e| e.to_string())?;
    let map = claim.as_map_mut().ok_or("the claim is not a map")?;
    let list = map
        .iter_mut()
        .find(|(k, _)| k.as_text() == Some("created_assertions"))
        .and_then(|(_, v)| v.as_array_mut())
        .ok_or("the claim has no created_assertions")?;
    let url = format!("self#jumbf=c2pa.assertions/{LABEL}");
    let mut own = None;
    for entry in list.iter_mut() {
        let Some(fields) = entry.as_map_mut() else {
            continue;
        };
        let is_big = fields.iter().any(|(k, v)| {
            k.as_text() == Some("url") && v.as_text().is_some_and(|u| u.ends_with(LABEL))
        });
        if is_big {
            for (k, v) in fields.iter_mut() {
                if k.as_text() == Some("hash") {
                    *v = Value::Bytes(hash.to_vec());
                }
            }
            own = Some(entry.clone());
        }
    }
    let reference = own.unwrap_or_else(|| {
        Value::Map(vec![
            (Value::Text("url".into()), Value::Text(url)),
            (Value::Text("hash".into()), Value::Bytes(hash.to_vec())),
        ])
    });
    list.extend(std::iter::repeat_n(reference, references));
    let mut out = Vec::new();
    ciborium::into_writer(&claim, &mut out).map_err(|e| e.to_string())?;
    Ok(out)
}

fn cbor_box(payload: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    jumbf::write_box(&mut out, *b"cbor", payload);
    out
}

fn node_bytes<'a>(raw: &'a [u8], node: &Node) -> Result<&'a [u8], String> {
    let span = match node {
        Node::Super(s) => s.span,
        Node::Plain(p) => p.span,
    };
    raw.get(span.whole()).ok_or_else(|| "box span".to_owned())
}

/// `node`'s description box followed by `children`, in a superbox.
fn superbox(raw: &[u8], node: &SuperBox, children: &[Vec<u8>]) -> Result<Vec<u8>, String> {
    let mut payload = raw
        .get(node.description.span.whole())
        .ok_or("description span")?
        .to_vec();
    for c in children {
        payload.extend_from_slice(c);
    }
    let mut out = Vec::new();
    jumbf::write_box(&mut out, jumbf::SUPERBOX, &payload);
    Ok(out)
}
