//! Every committed regression input is refused with a clean error.

use std::path::PathBuf;

use signet_asn1_types::strict::{Limits, decode_pki_message};

#[test]
fn regression_inputs_are_refused_cleanly() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/regressions/pki_message");
    let mut count = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let bytes = std::fs::read(&path).unwrap();
        let result = decode_pki_message(&bytes, &Limits::default());
        assert!(result.is_err(), "{} was accepted", path.display());
        // The error renders (names what is wrong) without panicking.
        assert!(!result.unwrap_err().to_string().is_empty());
        count += 1;
    }
    assert!(count >= 6, "regression corpus missing: {count} files");
}
