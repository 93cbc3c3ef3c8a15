//! Replays fuzzer-found JUMBF inputs: refused cleanly, or parsed and re-serialised identically.

use std::path::PathBuf;

use signet_c2pa_model::jumbf::{Limits, parse};

#[test]
fn jumbf_regressions_roundtrip_or_fail_cleanly() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/regressions/jumbf");
    let mut count = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let bytes = std::fs::read(entry.unwrap().path()).unwrap();
        if let Ok(root) = parse(&bytes, &Limits::default()) {
            let mut out = Vec::new();
            root.write_to(&bytes, &mut out).unwrap();
            assert_eq!(out, bytes);
        }
        count += 1;
    }
    assert!(count >= 1);
}
