//! Fuzz target: JUMBF manifest-store parsing. Any input either fails cleanly or parses to a
//! tree whose re-serialisation is the input itself.
#![no_main]

use libfuzzer_sys::fuzz_target;
use signet_c2pa_model::ManifestStore;
use signet_c2pa_model::jumbf::{Limits, parse};

fuzz_target!(|data: &[u8]| {
    if let Ok(root) = parse(data, &Limits::default()) {
        let mut out = Vec::new();
        root.write_to(data, &mut out).expect("a parsed tree re-serialises");
        assert_eq!(out, data);
    }
    if let Ok(store) = ManifestStore::from_bytes(data.to_vec(), &Limits::default()) {
        for m in store.manifests() {
            let _ = m.claim();
            let _ = m.signature_cbor();
        }
    }
});
