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
    root().join("tests/upstream")
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
        "png" | "gif" | "webp" => run(Command::new(python()).arg("-c").arg(format!(
            "from PIL import Image; Image.new('RGB', (48, 32), (200, 90, 30)).save({:?})",
            path.to_str().unwrap()
        ))),
        "tif" | "dng" => tiff(&path, "RGB", false, ext == "dng"),
        "wav" => run(Command::new(python()).arg("-c").arg(format!(
            "import wave, struct\nw = wave.open({:?}, 'wb')\nw.setnchannels(1)\n\
             w.setsampwidth(2)\nw.setframerate(8000)\n\
             w.writeframes(b''.join(struct.pack('<h', (i * 37) % 3000) for i in range(4001)))\n\
             w.close()",
            path.to_str().unwrap()
        ))),
        "svg" => std::fs::write(
            &path,
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<!-- a test drawing -->\n\
             <svg xmlns=\"http://www.w3.org/2000/svg\" width=\"10\" height=\"10\" \
             data-note=\"a > b\"><rect width=\"10\" height=\"10\" fill=\"red\"/></svg>\n",
        )
        .unwrap(),
        "pdf" => std::fs::write(&path, minimal_pdf()).unwrap(),
        "jxl" => std::fs::write(&path, jxl_container()).unwrap(),
        _ => make_mp4(&path, 300_000, &["--chunk", "40000"]),
    }
    path
}

/// A JPEG XL box container (signature, `ftyp`, level, `Exif`, a codestream box). Neither side
/// decodes the codestream, so its bytes are a fixed pattern after the `FF 0A` marker.
fn jxl_container() -> Vec<u8> {
    let bx = |kind: &[u8], payload: &[u8]| {
        let mut v = u32::try_from(payload.len() + 8)
            .unwrap()
            .to_be_bytes()
            .to_vec();
        v.extend_from_slice(kind);
        v.extend_from_slice(payload);
        v
    };
    let mut code = vec![0xFF, 0x0A];
    code.extend((0..4000u32).map(|i| u8::try_from(i * 31 % 251).unwrap()));
    [
        vec![
            0, 0, 0, 0x0C, b'J', b'X', b'L', b' ', 0x0D, 0x0A, 0x87, 0x0A,
        ],
        bx(b"ftyp", b"jxl \0\0\0\0jxl "),
        bx(b"jxll", &[5]),
        bx(b"Exif", &[0, 0, 0, 0, b'I', b'I', 42, 0, 8, 0, 0, 0, 0, 0]),
        bx(b"jxlc", &code),
    ]
    .concat()
}

/// A two-page TIFF written by Pillow: `mode` `I;16B` makes it big-endian, `big` a BigTIFF,
/// `dng` adds a DNGVersion tag.
pub(crate) fn tiff(path: &Path, mode: &str, big: bool, dng: bool) {
    let info = if dng { "{50706: (1, 4, 0, 0)}" } else { "{}" };
    let big = if big { "True" } else { "False" };
    run(Command::new(python()).arg("-c").arg(format!(
        "from PIL import Image\n\
         a = Image.new({mode:?}, (30, 20), 7 if {mode:?}.startswith('I') else (200, 90, 30))\n\
         b = Image.new({mode:?}, (8, 6), 9 if {mode:?}.startswith('I') else (1, 2, 3))\n\
         a.save({:?}, format='TIFF', save_all=True, append_images=[b], big_tiff={big}, \
         tiffinfo={info})",
        path.to_str().unwrap()
    )));
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
        "gif" => "image/gif",
        "webp" => "image/webp",
        "wav" => "audio/wav",
        "svg" => "image/svg+xml",
        "pdf" => "application/pdf",
        "tif" => "image/tiff",
        "jxl" => "image/jxl",
        "dng" => "image/x-adobe-dng",
        _ => "video/mp4",
    }
}

/// The SDK's report: state, codes of the active manifest, explanations of failures, and the
/// full validation results (for recording as an ingredient's).
pub(crate) fn report(asset: &Path, mime: &str, anchors: &Path) -> serde_json::Value {
    report_with(asset, mime, anchors, None)
}

/// [`report`], with `fragment` read through the SDK's `Reader.with_fragment` when `asset` is
/// the init segment of a fragmented MP4.
pub(crate) fn report_with(
    asset: &Path,
    mime: &str,
    anchors: &Path,
    fragment: Option<&Path>,
) -> serde_json::Value {
    let out = Command::new(python())
        .arg(root().join("crates/c2pa-model/tests/peers/read.py"))
        .arg(asset)
        .arg(mime)
        .arg(anchors)
        .arg(shared().join("vectors/c2pa/trust/eku.cfg"))
        .args(fragment)
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

/// A one-page PDF with a classic cross-reference table.
fn minimal_pdf() -> Vec<u8> {
    let objects = [
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 100] /Contents 4 0 R >>",
        "<< /Length 35 >>\nstream\nBT /F1 12 Tf 20 50 Td (Hi) Tj ET\nendstream",
    ];
    let mut out = b"%PDF-1.7\n".to_vec();
    let mut offsets = Vec::new();
    for (i, o) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend_from_slice(format!("{} 0 obj\n{o}\nendobj\n", i + 1).as_bytes());
    }
    let xref = out.len();
    out.extend_from_slice(
        format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes(),
    );
    for o in offsets {
        out.extend_from_slice(format!("{o:010} 00000 n \n").as_bytes());
    }
    out.extend_from_slice(
        format!(
            "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
            objects.len() + 1
        )
        .as_bytes(),
    );
    out
}

/// Signs `src` into `out` with the reference SDK (as a peer writer).
pub(crate) fn sdk_sign(src: &Path, out: &Path, mime: &str, chain: &Path, key: &Path, alg: &str) {
    run(Command::new(python())
        .arg(root().join("crates/c2pa-model/tests/peers/sign.py"))
        .arg(src)
        .arg(out)
        .arg(mime)
        .arg(chain)
        .arg(key)
        .arg(shared().join("vectors/c2pa/trust/eku.cfg"))
        .arg(alg));
}
