//! Collection data hashes (`c2pa.hash.collection.data`, C2PA 2.2 §18.8, §15.12.5): a manifest
//! binding files by relative URI and hash, validated with the members read from a directory.
//! The reference SDK refuses to sign a collection binding (its embeddable signer asks for a
//! data, BMFF or box hash), so the stores are built by `store::build`.

use std::path::{Path, PathBuf};

use ciborium::Value;
use signet_c2pa_model::HashAlg;
use signet_c2pa_validate::binding::Asset;
use signet_c2pa_validate::binding::collection::{CollectionSource, is_safe_relative_uri};
use signet_c2pa_validate::trust::{ID_KP_CLAIM_SIGNING, TrustConfig};
use signet_c2pa_validate::{Report, StatusCode, ValidationState, Validator};
use signet_crypto::Verifier;

use crate::pki::{Pki, at, now_secs};
use crate::store::{self, text};

/// Members read from a directory (the binary's resolver does the same, with symlink checks).
struct Dir(PathBuf);

impl CollectionSource for Dir {
    fn open(&self, uri: &str) -> Option<Box<dyn Asset + '_>> {
        let f = std::fs::File::open(self.0.join(uri)).ok()?;
        Some(Box::new(std::io::BufReader::new(f)))
    }
}

fn member(uri: &str, content: &[u8]) -> Value {
    Value::Map(vec![
        (text("uri"), text(uri)),
        (text("hash"), Value::Bytes(HashAlg::Sha256.digest(content))),
    ])
}

fn sign(pki: &Pki, binding: &Value) -> Vec<u8> {
    store::build(
        &[
            store::created(),
            store::assertion("c2pa.hash.collection.data", binding),
        ],
        &pki.leaf.key,
        &pki.x5chain(),
        None,
    )
}

fn validate(pki: &Pki, store: Vec<u8>, dir: Option<&Path>) -> Report {
    let mut trust = TrustConfig::new();
    trust
        .add_signer_anchors(ID_KP_CLAIM_SIGNING, &pki.root.der())
        .unwrap();
    let source = dir.map(|d| Dir(d.to_owned()));
    let mut v = Validator::new(&trust, &Verifier, at(now_secs()));
    if let Some(s) = &source {
        let s: &dyn CollectionSource = s;
        v.collection = Some(s);
    }
    v.validate_with_store(store, std::io::Cursor::new(Vec::new()))
        .unwrap()
}

fn failures(r: &Report) -> Vec<StatusCode> {
    r.active.failure.iter().map(|s| s.code.clone()).collect()
}

#[test]
fn a_collection_validates_through_its_files() {
    let pki = Pki::new(now_secs() - 86_400);
    let dir = tempfile::tempdir().unwrap();
    let a = b"first file".to_vec();
    let b: Vec<u8> = (0..=255u8).cycle().take(70_000).collect();
    std::fs::create_dir(dir.path().join("sub")).unwrap();
    std::fs::write(dir.path().join("a.txt"), &a).unwrap();
    std::fs::write(dir.path().join("sub/b.bin"), &b).unwrap();
    let binding = |members: Vec<Value>, alg: Option<&str>| {
        let mut m = vec![(text("uris"), Value::Array(members))];
        if let Some(alg) = alg {
            m.push((text("alg"), text(alg)));
        }
        Value::Map(m)
    };
    let good = binding(
        vec![member("a.txt", &a), member("sub/b.bin", &b)],
        Some("sha256"),
    );
    let store = sign(&pki, &good);

    let r = validate(&pki, store.clone(), Some(dir.path()));
    assert_eq!(r.state, ValidationState::Trusted, "{:#?}", r.active);
    assert!(r.active.has(&StatusCode::AssertionCollectionHashMatch));

    // No source: the files cannot be read.
    let r = validate(&pki, store.clone(), None);
    assert_eq!(
        failures(&r),
        [StatusCode::AssertionCollectionHashIncorrectFileCount]
    );

    // A file changed, then removed.
    std::fs::write(dir.path().join("sub/b.bin"), &b[1..]).unwrap();
    let r = validate(&pki, store.clone(), Some(dir.path()));
    assert_eq!(failures(&r), [StatusCode::AssertionCollectionHashMismatch]);
    std::fs::remove_file(dir.path().join("sub/b.bin")).unwrap();
    let r = validate(&pki, store, Some(dir.path()));
    assert_eq!(
        failures(&r),
        [StatusCode::AssertionCollectionHashIncorrectFileCount]
    );

    // A URI leaving the directory, before any file is read.
    let escape = binding(vec![member("../a.txt", &a)], Some("sha256"));
    let r = validate(&pki, sign(&pki, &escape), Some(dir.path()));
    assert_eq!(
        failures(&r),
        [StatusCode::AssertionCollectionHashInvalidUri]
    );

    // No alg (there is no default), no uris.
    let r = validate(
        &pki,
        sign(&pki, &binding(vec![member("a.txt", &a)], None)),
        Some(dir.path()),
    );
    assert_eq!(failures(&r), [StatusCode::AssertionCollectionHashMalformed]);
    let r = validate(
        &pki,
        sign(&pki, &Value::Map(vec![(text("alg"), text("sha256"))])),
        Some(dir.path()),
    );
    assert_eq!(failures(&r), [StatusCode::AssertionCollectionHashMalformed]);
}

#[test]
fn collection_uris_are_plain_relative_paths() {
    for ok in [
        "a.txt",
        "photos/id/870.jpg",
        "deepmind/bigbigan-resnet50/1",
        "a..b/c",
    ] {
        assert!(is_safe_relative_uri(ok), "{ok}");
    }
    for bad in [
        "../a",
        "a/../../b",
        "./a",
        "a/./b",
        "/etc/passwd",
        "\\\\server\\share",
        "a\\..\\b",
        "file:a",
        "https://example.com/a",
        "a//b",
        "%2e%2e/a",
        "a%2F..%2Fb",
        "",
    ] {
        assert!(!is_safe_relative_uri(bad), "{bad}");
    }
}
