//! Test helpers shared by the unit tests: the manifest stores of the shared C2PA vectors.
#![allow(
    clippy::disallowed_methods,
    reason = "tests read the shared vectors from disk"
)]

use std::path::PathBuf;

use crate::container::{ContainerLimits, Format, locate_seekable};
use crate::jumbf::Limits;
use crate::store::ManifestStore;

/// The shared C2PA vectors directory.
pub(crate) fn vectors() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/upstream/vectors/c2pa")
}

/// The manifest store of one vector file (relative to the vectors directory).
pub(crate) fn store_of(name: &str) -> ManifestStore {
    let path = vectors().join(name);
    let ext = path.extension().unwrap().to_str().unwrap().to_owned();
    let format = Format::from_extension(&ext).unwrap();
    let bytes = std::fs::read(&path).unwrap();
    let found = locate_seekable(
        format,
        std::io::Cursor::new(bytes),
        &ContainerLimits::default(),
    )
    .unwrap()
    .unwrap();
    ManifestStore::from_bytes(found.store, &Limits::default()).unwrap()
}

/// Every vector whose store this crate can locate and parse, by name.
pub(crate) fn all_stores() -> Vec<(String, ManifestStore)> {
    let mut out = Vec::new();
    for dir in ["rs", "pt"] {
        let mut entries: Vec<_> = std::fs::read_dir(vectors().join(dir))
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        entries.sort();
        for path in entries {
            let Some(format) = path
                .extension()
                .and_then(|e| e.to_str())
                .and_then(Format::from_extension)
            else {
                continue;
            };
            let bytes = std::fs::read(&path).unwrap();
            let Ok(Some(found)) = locate_seekable(
                format,
                std::io::Cursor::new(bytes),
                &ContainerLimits::default(),
            ) else {
                continue;
            };
            if let Ok(store) = ManifestStore::from_bytes(found.store, &Limits::default()) {
                let name = format!("{dir}/{}", path.file_name().unwrap().to_str().unwrap());
                out.push((name, store));
            }
        }
    }
    out
}
