//! Manifest stores built piece by piece for bindings and assertions the generator does not
//! write (a collection data hash, hand-made metadata, time-stamp and certificate-status
//! assertions): assertions → assertion store, a v2 claim referencing them, the claim signed by
//! `c2pa-model`'s COSE signer with the test PKI's leaf.

use ciborium::Value;
use signet_asn1_types::crypto::Signer;
use signet_c2pa_model::assertion::{Content, NewAssertion};
use signet_c2pa_model::claim::ClaimVersion;
use signet_c2pa_model::cose::{SignOptions, TimeStamper, sign_claim_for};
use signet_c2pa_model::jumbf::{self, NewDescription};
use signet_c2pa_model::store::uuid;
use signet_c2pa_model::{HashAlg, cbor};

/// The label of every built manifest.
pub(crate) const MANIFEST: &str = "urn:c2pa:5ea1b2c3-0000-4000-8000-000000000001";

pub(crate) fn text(s: &str) -> Value {
    Value::Text(s.to_owned())
}

/// A CBOR assertion from a value.
pub(crate) fn assertion(label: &str, value: &Value) -> NewAssertion {
    NewAssertion::new(label, Content::Cbor(cbor::encode(value).unwrap()))
}

/// A `c2pa.actions.v2` with one `c2pa.created`.
pub(crate) fn created() -> NewAssertion {
    assertion(
        "c2pa.actions.v2",
        &Value::Map(vec![(
            text("actions"),
            Value::Array(vec![Value::Map(vec![
                (text("action"), text("c2pa.created")),
                (
                    text("digitalSourceType"),
                    text("http://cv.iptc.org/newscodes/digitalsourcetype/digitalCreation"),
                ),
            ])]),
        )]),
    )
}

fn superbox(uuid: [u8; 16], label: &str, children: &[&[u8]]) -> Vec<u8> {
    let mut out = Vec::new();
    jumbf::write_superbox(
        &mut out,
        &NewDescription {
            uuid,
            label: Some(label),
            private: None,
        },
        children,
    )
    .unwrap();
    out
}

fn cbor_box(payload: &[u8]) -> Vec<u8> {
    let mut v = Vec::new();
    jumbf::write_box(&mut v, *b"cbor", payload);
    v
}

/// A store with one standard manifest holding `assertions` (all created), signed by `signer`
/// with `chain`, optionally time-stamped.
pub(crate) fn build(
    assertions: &[NewAssertion],
    signer: &dyn Signer,
    chain: &[Vec<u8>],
    timestamper: Option<&dyn TimeStamper>,
) -> Vec<u8> {
    build_with_instance_id(
        assertions,
        signer,
        chain,
        timestamper,
        "xmp:iid:5ea1b2c3-0000-4000-8000-000000000002",
    )
}

/// [`build`] with the claim's `instanceID`.
pub(crate) fn build_with_instance_id(
    assertions: &[NewAssertion],
    signer: &dyn Signer,
    chain: &[Vec<u8>],
    timestamper: Option<&dyn TimeStamper>,
    instance_id: &str,
) -> Vec<u8> {
    build_labelled(
        assertions,
        signer,
        chain,
        timestamper,
        instance_id,
        MANIFEST,
    )
}

/// [`build_with_instance_id`] with the manifest box labelled `label`.
pub(crate) fn build_labelled(
    assertions: &[NewAssertion],
    signer: &dyn Signer,
    chain: &[Vec<u8>],
    timestamper: Option<&dyn TimeStamper>,
    instance_id: &str,
    label: &str,
) -> Vec<u8> {
    let boxes: Vec<Vec<u8>> = assertions.iter().map(|a| a.to_jumbf().unwrap()).collect();
    let refs: Vec<Value> = assertions
        .iter()
        .zip(&boxes)
        .map(|(a, b)| {
            Value::Map(vec![
                (
                    text("url"),
                    text(&format!("self#jumbf=c2pa.assertions/{}", a.label)),
                ),
                (text("hash"), Value::Bytes(HashAlg::Sha256.digest(&b[8..]))),
            ])
        })
        .collect();
    let claim = cbor::encode(&Value::Map(vec![
        (text("instanceID"), text(instance_id)),
        (
            text("claim_generator_info"),
            Value::Map(vec![(text("name"), text("signet-test"))]),
        ),
        (text("signature"), text("self#jumbf=c2pa.signature")),
        (text("created_assertions"), Value::Array(refs)),
        (text("alg"), text("sha256")),
    ]))
    .unwrap();
    let opts = SignOptions {
        signer,
        chain,
        timestamper,
        ocsp_vals: &[],
    };
    let signature = sign_claim_for(&claim, ClaimVersion::V2, &opts, None).unwrap();
    let children: Vec<&[u8]> = boxes.iter().map(Vec::as_slice).collect();
    let assertion_store = superbox(uuid::ASSERTION_STORE, "c2pa.assertions", &children);
    let claim_box = superbox(uuid::CLAIM, "c2pa.claim.v2", &[&cbor_box(&claim)]);
    let sig_box = superbox(uuid::SIGNATURE, "c2pa.signature", &[&cbor_box(&signature)]);
    let manifest = superbox(
        uuid::STANDARD_MANIFEST,
        label,
        &[&assertion_store, &claim_box, &sig_box],
    );
    superbox(uuid::STORE, "c2pa", &[&manifest])
}

/// A `c2pa.hash.data` over all of `asset` (no exclusions: a store validated alongside it).
pub(crate) fn data_hash(asset: &[u8]) -> NewAssertion {
    assertion(
        "c2pa.hash.data",
        &Value::Map(vec![
            (text("alg"), text("sha256")),
            (text("hash"), Value::Bytes(HashAlg::Sha256.digest(asset))),
            (text("pad"), Value::Bytes(Vec::new())),
        ]),
    )
}

/// The hashed URI (as a CBOR map) of `a` in the same manifest.
pub(crate) fn hashed_uri(a: &NewAssertion) -> Value {
    let bytes = a.to_jumbf().unwrap();
    Value::Map(vec![
        (
            text("url"),
            text(&format!("self#jumbf=c2pa.assertions/{}", a.label)),
        ),
        (
            text("hash"),
            Value::Bytes(HashAlg::Sha256.digest(&bytes[8..])),
        ),
    ])
}
