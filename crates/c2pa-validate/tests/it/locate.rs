//! `container::locate_seekable` (it seeks over payloads instead of reading them) and
//! `container::locate_buffered` (what the validator uses: JPEG through the caller's buffer,
//! other formats as `locate_seekable`) find exactly what `container::locate` finds, on every
//! C2PA vector (PDF, which only the random-access locators read, is found).

use std::path::PathBuf;

use signet_c2pa_model::container::{
    ContainerLimits, Format, locate, locate_buffered, locate_seekable,
};

#[test]
fn seeking_and_reading_locators_agree_on_every_vector() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/upstream/vectors/c2pa");
    let mut checked = 0;
    for dir in ["rs", "pt"] {
        for entry in std::fs::read_dir(root.join(dir)).unwrap() {
            let path = entry.unwrap().path();
            let Some(format) = path
                .extension()
                .and_then(|e| e.to_str())
                .and_then(Format::from_extension)
            else {
                continue;
            };
            let bytes = std::fs::read(&path).unwrap();
            let limits = ContainerLimits::default();
            if format == Format::Pdf {
                // PDF is found through its cross-reference table: random access only.
                let sought = locate_seekable(format, std::io::Cursor::new(&bytes), &limits);
                assert!(matches!(sought, Ok(Some(_))), "{}", path.display());
                checked += 1;
                continue;
            }
            let read = locate(format, bytes.as_slice(), &limits);
            let sought = locate_seekable(format, std::io::Cursor::new(&bytes), &limits);
            assert_eq!(read, sought, "{}", path.display());
            for capacity in [7, 8192, 1 << 20] {
                let buffered = locate_buffered(
                    format,
                    std::io::BufReader::with_capacity(capacity, std::io::Cursor::new(&bytes)),
                    &limits,
                );
                assert_eq!(read, buffered, "{} capacity {capacity}", path.display());
            }
            checked += 1;
        }
    }
    assert!(checked >= 25, "{checked}");
}
