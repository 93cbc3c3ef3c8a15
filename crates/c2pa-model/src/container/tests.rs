//! Locator tests across formats on the shared C2PA vectors.
#![allow(
    clippy::disallowed_methods,
    reason = "tests read the shared vectors from disk"
)]

use std::path::PathBuf;

use super::*;
use crate::store::ManifestStore;

fn read(name: &str) -> Vec<u8> {
    std::fs::read(
        PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("../../../shared/vectors/c2pa")
            .join(name),
    )
    .unwrap()
}

fn store(format: Format, name: &str) -> ManifestStore {
    let found = locate(format, read(name).as_slice(), &ContainerLimits::default())
        .unwrap()
        .unwrap();
    ManifestStore::from_bytes(found.store, &crate::jumbf::Limits::default()).unwrap()
}

#[test]
fn bmff_store_is_found_and_parses() {
    let s = store(Format::Bmff, "rs/video1.mp4");
    assert!(s.active_manifest().unwrap().claim().is_ok());
}

#[test]
fn sidecar_is_the_store() {
    let s = store(Format::Sidecar, "rs/cloud_manifest.c2pa");
    assert!(s.manifests().count() >= 1);
}

#[test]
fn png_crc_and_chunk_walk() {
    // A PNG with a caBX chunk holding a minimal store, built here.
    let mut jumbf = Vec::new();
    crate::jumbf::write_superbox(
        &mut jumbf,
        &crate::jumbf::NewDescription {
            uuid: crate::store::uuid::STORE,
            label: Some("c2pa"),
            private: None,
        },
        &[],
    )
    .unwrap();
    let chunk = |kind: &[u8; 4], data: &[u8]| {
        let mut c = u32::try_from(data.len()).unwrap().to_be_bytes().to_vec();
        c.extend_from_slice(kind);
        c.extend_from_slice(data);
        c.extend_from_slice(&png::crc32(&[kind, data]).to_be_bytes());
        c
    };
    let mut file = png::SIGNATURE.to_vec();
    file.extend(chunk(b"IHDR", &[0, 0, 0, 1, 0, 0, 0, 1, 8, 0, 0, 0, 0]));
    let cabx_at = u64::try_from(file.len()).unwrap();
    file.extend(chunk(b"caBX", &jumbf));
    file.extend(chunk(b"IEND", &[]));
    let found = png::locate(file.as_slice(), &ContainerLimits::default())
        .unwrap()
        .unwrap();
    assert_eq!(found.store, jumbf);
    assert_eq!(
        found.ranges,
        vec![cabx_at..cabx_at + 12 + u64::try_from(jumbf.len()).unwrap()]
    );
    // Corrupt the CRC.
    let crc_at = usize::try_from(cabx_at).unwrap() + 8 + jumbf.len();
    file[crc_at] ^= 1;
    assert!(matches!(
        png::locate(file.as_slice(), &ContainerLimits::default()),
        Err(ContainerError::Malformed { .. })
    ));
    // The IEND CRC of "IEND" with no data is the well-known AE426082.
    assert_eq!(png::crc32(&[b"IEND"]), 0xAE42_6082);
}

#[test]
fn formats_by_extension() {
    assert_eq!(Format::from_extension("JPG"), Some(Format::Jpeg));
    assert_eq!(Format::from_extension("mp4"), Some(Format::Bmff));
    assert_eq!(Format::from_extension("pdf"), None);
}
