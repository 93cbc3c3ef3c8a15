//! `signet c2pa verify` against the shared C2PA vectors.

use std::path::PathBuf;

use super::{VerifyArgs, run};

fn vector(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/upstream/vectors/c2pa")
        .join(name)
}

fn args(file: PathBuf) -> VerifyArgs {
    VerifyArgs {
        file,
        sidecar: None,
        trust_anchors: Vec::new(),
        tsa_anchors: Vec::new(),
        c2pa_trust_list: false,
        ekus: Vec::new(),
        at: Some("2026-11-23T00:46:08Z".into()),
        json: false,
        ocsp_fetch: false,
    }
}

#[test]
fn valid_untrusted_asset_exits_zero_with_a_summary() {
    let (code, out) = run(&args(vector("rs/C.jpg"))).unwrap();
    assert_eq!(code, 0, "{out}");
    assert!(out.contains(": Valid"), "{out}");
    assert!(out.contains("signed by  "), "{out}");
    assert!(out.contains("signingCredential.untrusted"), "{out}");
}

#[test]
fn trusted_with_the_test_roots_and_eku_list() {
    let mut a = args(vector("rs/C.jpg"));
    a.trust_anchors = vec![vector("trust/c2pa-rs-test_cert_root_bundle.pem")];
    a.ekus = vec!["1.3.6.1.5.5.7.3.4".into(), "1.3.6.1.5.5.7.3.36".into()];
    a.json = true;
    let (code, out) = run(&a).unwrap();
    assert_eq!(code, 0, "{out}");
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(json["validation_state"], "Trusted", "{out}");
    assert_eq!(
        json["validation_results"]["activeManifest"]["failure"],
        serde_json::json!([])
    );
    let success = json["validation_results"]["activeManifest"]["success"]
        .as_array()
        .unwrap();
    assert!(
        success
            .iter()
            .any(|s| s["code"] == "signingCredential.trusted"
                && s["url"].as_str().unwrap().ends_with("/c2pa.signature"))
    );
}

#[test]
fn tampered_asset_exits_one_with_the_failure() {
    let mut a = args(vector("rs/XCA.jpg"));
    a.json = true;
    let (code, out) = run(&a).unwrap();
    assert_eq!(code, 1, "{out}");
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(json["validation_state"], "Invalid");
    let failure = json["validation_results"]["activeManifest"]["failure"]
        .as_array()
        .unwrap();
    assert!(
        failure
            .iter()
            .any(|s| s["code"] == "assertion.dataHash.mismatch"),
        "{out}"
    );
    assert!(json["validation_results"]["ingredientDeltas"].is_array());
}

#[test]
fn no_manifest_is_one_and_unreadable_is_two() {
    let (code, msg) = run(&args(vector("rs/no_manifest.jpg"))).unwrap_err();
    assert_eq!(code, 1, "{msg}");
    let (code, _) = run(&args(vector("rs/does-not-exist.jpg"))).unwrap_err();
    assert_eq!(code, 2);
    // A file that is not a JPEG at all.
    let (code, msg) = run(&args(vector("expected.json"))).unwrap_err();
    assert_eq!(code, 2, "{msg}");
    let mut bad_time = args(vector("rs/C.jpg"));
    bad_time.at = Some("yesterday".into());
    assert_eq!(run(&bad_time).unwrap_err().0, 2);
}

/// Without a telling extension the format comes from the first bytes, for every readable format
/// among the vectors; a file that is none of them gets exit 2 with the formats listed.
#[test]
fn formats_without_an_extension_are_sniffed() {
    let dir = tempfile::tempdir().unwrap();
    for name in [
        "rs/C.jpg",
        "rs/sample3.svg",
        "rs/video1.mp4",
        "rs/cloud_manifest.c2pa",
        "pt/adobe-20240110-single_manifest_store.pdf",
        "pt/monotype-20240712-monotype_sans.ttf",
    ] {
        let path = vector(name);
        let bare = dir.path().join("asset");
        std::fs::copy(&path, &bare).unwrap();
        let named = run(&args(path.clone())).map(|(code, out)| {
            let out = out.replace(&path.display().to_string(), &bare.display().to_string());
            (code, out)
        });
        let unnamed = run(&args(bare.clone()));
        assert!(
            unnamed.as_ref().is_ok_and(|(_, out)| out.contains(": ")),
            "{name}: {unnamed:?}"
        );
        assert_eq!(named, unnamed, "{name}");
    }
    let blob = dir.path().join("blob");
    std::fs::write(&blob, b"PK\x03\x04 not an asset Signet reads").unwrap();
    let (code, msg) = run(&args(blob)).unwrap_err();
    assert_eq!(code, 2, "{msg}");
    assert!(
        msg.contains("unsupported format") && msg.contains("PDF"),
        "{msg}"
    );
}

#[test]
fn sidecar_and_official_trust_list() {
    let mut a = args(vector("rs/cloud.jpg"));
    a.sidecar = Some(vector("rs/cloud_manifest.c2pa"));
    a.c2pa_trust_list = true;
    let (code, out) = run(&a).unwrap();
    // The ingredient's signer expired and its time-stamp is not on the TSA list: Invalid.
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("claimSignature.outsideValidity"), "{out}");
}

#[test]
fn collection_members_stay_inside_the_manifest_directory() {
    use signet_c2pa_validate::binding::collection::CollectionSource;

    let outer = tempfile::tempdir().unwrap();
    let dir = outer.path().join("collection");
    std::fs::create_dir_all(dir.join("sub")).unwrap();
    std::fs::write(dir.join("sub/a.txt"), b"member").unwrap();
    std::fs::write(outer.path().join("secret.txt"), b"outside").unwrap();
    std::os::unix::fs::symlink(outer.path().join("secret.txt"), dir.join("link.txt")).unwrap();
    let members = super::collection::DirCollection::new(&dir).unwrap();
    let mut content = Vec::new();
    std::io::Read::read_to_end(&mut members.open("sub/a.txt").unwrap(), &mut content).unwrap();
    assert_eq!(content, b"member");
    assert!(
        members.open("link.txt").is_none(),
        "a symlink out of the directory"
    );
    assert!(members.open("sub").is_none(), "a directory");
    assert!(members.open("missing.txt").is_none());
}
