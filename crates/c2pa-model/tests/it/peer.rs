//! The reference SDK (c2pa-python) as validator, and test assets made by independent tools
//! (Pillow for PNG, `tests/peers/make_mp4.py` for ISO BMFF).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use signet_c2pa_model::assertion::{IngredientDelta, StatusCodes, StatusEntry, ValidationResults};

pub(crate) fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

pub(crate) fn shared() -> PathBuf {
    root().join("../shared")
}

pub(crate) fn run(cmd: &mut Command) {
    let out = cmd.output().unwrap();
    assert!(
        out.status.success(),
        "{cmd:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The venv's interpreter (installed once by `scripts/python-peers.sh`).
pub(crate) fn python() -> &'static Path {
    static PY: OnceLock<PathBuf> = OnceLock::new();
    PY.get_or_init(|| {
        run(Command::new("bash").arg(root().join("scripts/python-peers.sh")));
        std::env::var_os("SIGNET_PY_PEERS")
            .map(PathBuf::from)
            .unwrap_or_else(|| root().join("target/py-peers"))
            .join("bin/python")
    })
}

/// An unsigned asset of each kind, made by an independent tool.
pub(crate) fn asset(dir: &Path, ext: &str) -> PathBuf {
    let path = dir.join(format!("source.{ext}"));
    match ext {
        "jpg" => {
            std::fs::copy(shared().join("vectors/c2pa/rs/no_manifest.jpg"), &path).unwrap();
        }
        "png" => run(Command::new(python()).arg("-c").arg(format!(
            "from PIL import Image; Image.new('RGB', (48, 32), (200, 90, 30)).save({:?})",
            path.to_str().unwrap()
        ))),
        _ => make_mp4(&path, 300_000, &["--chunk", "40000"]),
    }
    path
}

pub(crate) fn make_mp4(path: &Path, size: u64, extra: &[&str]) {
    run(Command::new(python())
        .arg(root().join("crates/c2pa-model/tests/peers/make_mp4.py"))
        .arg(path)
        .arg(size.to_string())
        .args(extra));
}

pub(crate) fn mime(ext: &str) -> &'static str {
    match ext {
        "jpg" => "image/jpeg",
        "png" => "image/png",
        "heic" => "image/heic",
        _ => "video/mp4",
    }
}

/// The SDK's report: state, codes of the active manifest, explanations of failures, and the
/// full validation results (for recording as an ingredient's).
pub(crate) fn report(asset: &Path, mime: &str, anchors: &Path) -> serde_json::Value {
    let out = Command::new(python())
        .arg(root().join("crates/c2pa-model/tests/peers/read.py"))
        .arg(asset)
        .arg(mime)
        .arg(anchors)
        .arg(shared().join("vectors/c2pa/trust/eku.cfg"))
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    serde_json::from_str(&text)
        .unwrap_or_else(|e| panic!("{e}: {text} {}", String::from_utf8_lossy(&out.stderr)))
}

pub(crate) fn codes(json: &serde_json::Value, kind: &str) -> Vec<String> {
    json[kind]
        .as_array()
        .unwrap_or_else(|| panic!("no {kind} in {json}"))
        .iter()
        .map(|c| c.as_str().unwrap().to_owned())
        .collect()
}

fn entries(list: &serde_json::Value) -> Vec<StatusEntry> {
    list.as_array()
        .map(|a| {
            a.iter()
                .map(|s| {
                    let mut e = StatusEntry::new(
                        s["code"].as_str().unwrap(),
                        s["url"].as_str().map(str::to_owned),
                    );
                    e.explanation = s["explanation"].as_str().map(str::to_owned);
                    e
                })
                .collect()
        })
        .unwrap_or_default()
}

fn status_codes(v: &serde_json::Value) -> StatusCodes {
    StatusCodes {
        success: entries(&v["success"]),
        informational: entries(&v["informational"]),
        failure: entries(&v["failure"]),
    }
}

/// The SDK's validation results of an asset as a `validation-results-map`, to record in an
/// ingredient assertion (the SDK acting as the claim generator's validator).
pub(crate) fn validation_results(json: &serde_json::Value) -> ValidationResults {
    let vr = &json["validation_results"];
    ValidationResults {
        active_manifest: Some(status_codes(&vr["activeManifest"])),
        ingredient_deltas: vr["ingredientDeltas"]
            .as_array()
            .map(|a| {
                a.iter()
                    .map(|d| IngredientDelta {
                        ingredient_assertion_uri: d["ingredientAssertionURI"]
                            .as_str()
                            .unwrap()
                            .to_owned(),
                        validation_deltas: status_codes(&d["validationDeltas"]),
                    })
                    .collect()
            })
            .unwrap_or_default(),
    }
}
