//! Manifest store tests over every JPEG of the shared C2PA vectors.
#![allow(
    clippy::disallowed_methods,
    reason = "tests read the shared vectors from disk"
)]

use std::path::PathBuf;

use super::*;
use crate::container::{ContainerLimits, jpeg};

fn store_of(name: &str) -> ManifestStore {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/upstream/vectors/c2pa")
        .join(name);
    let bytes = std::fs::read(&path).unwrap();
    let found = jpeg::locate(bytes.as_slice(), &ContainerLimits::default())
        .unwrap()
        .unwrap();
    ManifestStore::from_bytes(found.store, &Limits::default()).unwrap()
}

#[test]
fn every_hashed_uri_of_c_jpg_resolves_and_matches() {
    let store = store_of("rs/C.jpg");
    let manifest = store.active_manifest().unwrap();
    assert_eq!(manifest.kind(), ManifestKind::Standard);
    let claim = manifest.claim().unwrap();
    assert!(
        claim.missing_required().is_empty(),
        "{:?}",
        claim.missing_required()
    );
    let alg = HashAlg::from_name(claim.alg.as_deref().unwrap_or("sha256")).unwrap();
    assert!(claim.assertion_refs().count() >= 2);
    for r in claim.assertion_refs() {
        let node = store
            .resolve(&r.url, Some(&manifest))
            .unwrap_or_else(|| panic!("{}", r.url));
        let alg = r
            .alg
            .as_deref()
            .map_or(alg, |a| HashAlg::from_name(a).unwrap());
        assert_eq!(alg.digest(store.hashed_bytes(node)), r.hash, "{}", r.url);
    }
    // The signature URI resolves to the signature box.
    let sig = store
        .resolve(claim.signature.as_deref().unwrap(), Some(&manifest))
        .unwrap();
    assert_eq!(sig.label(), Some(SIGNATURE_LABEL));
    assert!(!manifest.signature_cbor().unwrap().is_empty());
}

#[test]
fn a_tampered_assertion_no_longer_matches_its_hash() {
    // E-uri-CA: an assertion was modified after signing (hashed URI mismatch).
    let store = store_of("pt/adobe-20220124-E-uri-CA.jpg");
    let manifest = store.active_manifest().unwrap();
    let claim = manifest.claim().unwrap();
    let alg = HashAlg::from_name(claim.alg.as_deref().unwrap_or("sha256")).unwrap();
    let mismatches = claim
        .assertion_refs()
        .filter(|r| {
            let node = store.resolve(&r.url, Some(&manifest)).unwrap();
            alg.digest(store.hashed_bytes(node)) != r.hash
        })
        .count();
    assert_eq!(mismatches, 1);
}

#[test]
fn store_bytes_are_kept_exactly() {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/upstream/vectors/c2pa/rs/CACA.jpg");
    let bytes = std::fs::read(&path).unwrap();
    let found = jpeg::locate(bytes.as_slice(), &ContainerLimits::default())
        .unwrap()
        .unwrap();
    let original = found.store.clone();
    let store = ManifestStore::from_bytes(found.store, &Limits::default()).unwrap();
    assert_eq!(store.as_bytes(), original.as_slice());
    assert_eq!(store.reserialize().unwrap(), original);
    assert!(store.manifests().count() >= 2);
}

#[test]
fn rejects_a_non_store_superbox() {
    let mut bytes = Vec::new();
    jumbf::write_superbox(
        &mut bytes,
        &jumbf::NewDescription {
            uuid: uuid::CLAIM,
            label: Some("c2pa"),
            private: None,
        },
        &[],
    )
    .unwrap();
    assert_eq!(
        ManifestStore::from_bytes(bytes, &Limits::default()),
        Err(StoreError::NotAManifestStore)
    );
}
