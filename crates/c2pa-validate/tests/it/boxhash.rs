//! General box hashes (`c2pa.hash.boxes`, C2PA 2.2 §15.12.3) on assets the reference SDK signed:
//! JPEG (with and without restart markers), PNG, GIF and JPEG XL boxes listed and hashed by the
//! SDK itself; RIFF (WAV, WebP) and font boxes — which the SDK does not list — listed by the peer
//! script as §18.7.3.5 and §18.7.3.6 define them, then signed by the SDK. Untouched they are
//! Trusted with `assertion.boxesHash.match` for Signet and, where it reads them, for the SDK;
//! a changed byte is `assertion.boxesHash.mismatch` for both; a box added, removed, reordered
//! or data appended get the codes §15.12.3 names.

use std::path::{Path, PathBuf};
use std::process::Command;

use signet_c2pa_model::container::Format;
use signet_c2pa_validate::trust::{TrustConfig, ekus_from_config};
use signet_c2pa_validate::{Report, StatusCode, ValidationState, Validator};
use signet_crypto::Verifier;

use crate::peer::{pem, python, root, signet_view};
use crate::pki::{Pki, at, now_secs};

fn script(args: &[&str]) -> String {
    let out = Command::new(python())
        .arg(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/peers/boxhash.py"))
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "boxhash.py {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

struct Fixture {
    dir: tempfile::TempDir,
    pki: Pki,
    eku: PathBuf,
}

impl Fixture {
    fn new() -> Self {
        let pki = Pki::new(now_secs() - 86_400);
        let dir = tempfile::tempdir().unwrap();
        let chain: String = pki
            .x5chain()
            .iter()
            .map(|c| pem("CERTIFICATE", c))
            .collect();
        std::fs::write(dir.path().join("chain.pem"), chain).unwrap();
        std::fs::write(
            dir.path().join("leaf.key"),
            pem("PRIVATE KEY", &pki.leaf.pkcs8),
        )
        .unwrap();
        std::fs::write(
            dir.path().join("root.pem"),
            pem("CERTIFICATE", &pki.root.der()),
        )
        .unwrap();
        script(&["source", dir.path().to_str().unwrap()]);
        Self {
            dir,
            pki,
            eku: root().join("tests/upstream/vectors/c2pa/trust/eku.cfg"),
        }
    }

    fn p(&self, name: &str) -> String {
        self.dir.path().join(name).to_str().unwrap().to_owned()
    }

    fn sign(&self, how: &str, src: &str, mime: &str, out: &str) {
        script(&[
            how,
            src,
            mime,
            &self.p(out),
            &self.p("chain.pem"),
            &self.p("leaf.key"),
            self.eku.to_str().unwrap(),
        ]);
    }

    fn reference(&self, name: &str, mime: &str) -> serde_json::Value {
        serde_json::from_str(&script(&[
            "read",
            &self.p(name),
            mime,
            &self.p("root.pem"),
            self.eku.to_str().unwrap(),
        ]))
        .unwrap()
    }

    fn signet(&self, bytes: &[u8], format: Format) -> Report {
        let mut trust = TrustConfig::new();
        trust.set_accepted_ekus(
            &ekus_from_config(&std::fs::read_to_string(&self.eku).unwrap()).unwrap(),
        );
        trust
            .add_signer_anchors_for_accepted_ekus(&self.pki.root.der())
            .unwrap();
        Validator::new(&trust, &Verifier, at(now_secs()))
            .validate_asset(format, std::io::Cursor::new(bytes))
            .unwrap()
    }

    fn read(&self, name: &str) -> Vec<u8> {
        std::fs::read(self.p(name)).unwrap()
    }

    fn write(&self, name: &str, bytes: &[u8]) {
        std::fs::write(self.p(name), bytes).unwrap();
    }
}

fn failures(report: &Report) -> Vec<StatusCode> {
    report
        .active
        .failure
        .iter()
        .map(|s| s.code.clone())
        .collect()
}

/// Signet and the SDK agree on state and on every code of the active manifest.
fn agree(f: &Fixture, name: &str, mime: &str, format: Format) -> Report {
    let report = f.signet(&f.read(name), format);
    let ours = signet_view(&report);
    let reference = f.reference(name, mime);
    for key in ["validation_state", "success", "informational", "failure"] {
        assert_eq!(
            ours[key], reference[key],
            "{name} {key}: ours {ours} reference {reference}"
        );
    }
    report
}

/// Flips a byte `from_end` bytes before the end of the file (inside the image data).
fn flip_near_end(bytes: &[u8], from_end: usize) -> Vec<u8> {
    let mut out = bytes.to_vec();
    let i = out.len() - from_end;
    out[i] ^= 0x10;
    out
}

#[test]
fn reference_sdk_box_hashes_validate_alike() {
    let f = Fixture::new();
    for (src, mime, format) in [
        ("plain.jpg", "image/jpeg", Format::Jpeg),
        ("plain.png", "image/png", Format::Png),
        ("plain.gif", "image/gif", Format::Gif),
        ("plain.jxl", "image/jxl", Format::Jxl),
    ] {
        let signed = format!("signed_{src}");
        f.sign("sdk", &f.p(src), mime, &signed);
        let report = agree(&f, &signed, mime, format);
        assert_eq!(report.state, ValidationState::Trusted, "{signed}");
        assert!(report.active.has(&StatusCode::AssertionBoxesHashMatch));

        // A changed byte in the last boxes (image data, trailer).
        let tampered = format!("tampered_{src}");
        f.write(&tampered, &flip_near_end(&f.read(&signed), 20));
        let report = agree(&f, &tampered, mime, format);
        assert_eq!(
            failures(&report),
            [StatusCode::AssertionBoxesHashMismatch],
            "{tampered}"
        );
    }
}

/// A JPEG with restart markers: the SDK's `SOS` box runs over every restart interval to `EOI`
/// and its `RSTn` boxes are the two marker bytes alone (overlapping the `SOS` box). C2PA 2.2
/// §18.7.3.1 says the `SOS` and `RSTn` boxes each include the entropy-coded segment after their
/// marker, so Signet hashes `SOS` to `RST0`, `RST0` to `RST1`, ... and the SDK's hashes do not
/// match: a divergence the specification decides (listed in ARCHITECTURE.md).
#[test]
fn restart_intervals_are_boxes_of_their_own() {
    let f = Fixture::new();
    f.sign("sdk", &f.p("restart.jpg"), "image/jpeg", "signed.jpg");
    let bytes = f.read("signed.jpg");
    let reference = f.reference("signed.jpg", "image/jpeg");
    assert_eq!(reference["validation_state"], "Trusted", "{reference}");
    let report = f.signet(&bytes, Format::Jpeg);
    assert_eq!(failures(&report), [StatusCode::AssertionBoxesHashMismatch]);
    let why = report.active.failure[0]
        .explanation
        .as_deref()
        .unwrap_or_default();
    assert!(why.contains("SOS"), "{why}");
}

#[test]
fn spec_listed_riff_and_font_boxes_validate() {
    let f = Fixture::new();
    let font = root().join("tests/upstream/vectors/c2pa/pt/monotype-20240712-monotype_sans.ttf");
    for (src, mime, format) in [
        (f.p("plain.wav"), "audio/wav", Format::Riff),
        (f.p("plain.webp"), "image/webp", Format::Riff),
        (font.to_str().unwrap().to_owned(), "font/ttf", Format::Font),
    ] {
        let name = Path::new(&src)
            .file_name()
            .unwrap()
            .to_str()
            .unwrap()
            .to_owned();
        let signed = format!("signed_{name}");
        f.sign("spec", &src, mime, &signed);
        let bytes = f.read(&signed);
        let report = f.signet(&bytes, format);
        assert_eq!(
            report.state,
            ValidationState::Trusted,
            "{signed}: {report:?}"
        );
        assert!(report.active.has(&StatusCode::AssertionBoxesHashMatch));
        // The SDK signs these but cannot check their box hashes (it refuses, or does not read
        // the format at all).
        let reference = f.reference(&signed, mime);
        assert!(reference.get("error").is_some(), "{signed}: {reference}");

        // A changed byte in the first box after the headers.
        let mut tampered = bytes.clone();
        let at = if format == Format::Font {
            // Inside the glyf table (hashed with its neighbours).
            let glyf = tables(&bytes)
                .into_iter()
                .find(|t| t.0 == *b"glyf")
                .unwrap();
            glyf.1 + glyf.2 / 2
        } else {
            30
        };
        tampered[at] ^= 0x01;
        let report = f.signet(&tampered, format);
        assert_eq!(
            failures(&report),
            [StatusCode::AssertionBoxesHashMismatch],
            "{signed}"
        );
    }
}

/// (tag, offset, length) of a font's tables.
fn tables(font: &[u8]) -> Vec<([u8; 4], usize, usize)> {
    let n = usize::from(u16::from_be_bytes([font[4], font[5]]));
    (0..n)
        .map(|i| {
            let r = &font[12 + 16 * i..28 + 16 * i];
            let u = |b: &[u8]| usize::try_from(u32::from_be_bytes(b.try_into().unwrap())).unwrap();
            (r[..4].try_into().unwrap(), u(&r[8..12]), u(&r[12..16]))
        })
        .collect()
}

/// JPEG marker segments as (marker, start, end), up to SOS.
fn segments(jpeg: &[u8]) -> Vec<(u8, usize, usize)> {
    let mut out = Vec::new();
    let mut i = 2;
    while jpeg[i] == 0xFF && jpeg[i + 1] != 0xDA {
        let len = usize::from(u16::from_be_bytes([jpeg[i + 2], jpeg[i + 3]]));
        out.push((jpeg[i + 1], i, i + 2 + len));
        i += 2 + len;
    }
    out
}

#[test]
fn box_structure_changes_are_named() {
    let f = Fixture::new();
    f.sign("sdk", &f.p("plain.jpg"), "image/jpeg", "signed.jpg");
    let signed = f.read("signed.jpg");
    let segs = segments(&signed);
    // Signet's code, and the SDK's failures for the record: where they differ, §15.12.3 decides.
    let check = |name: &str, bytes: Vec<u8>, code: StatusCode, reference_failures: &[&str]| {
        let report = f.signet(&bytes, Format::Jpeg);
        assert_eq!(failures(&report), [code], "{name}: {report:?}");
        assert_eq!(report.state, ValidationState::Invalid, "{name}");
        f.write(name, &bytes);
        let reference = f.reference(name, "image/jpeg");
        assert_eq!(
            reference["failure"],
            serde_json::json!(reference_failures),
            "{name}: {reference}"
        );
    };

    // A comment segment added after the store: a box the assertion does not list.
    let dqt = segs.iter().find(|s| s.0 == 0xDB).unwrap();
    let mut added = signed[..dqt.1].to_vec();
    added.extend_from_slice(&[0xFF, 0xFE, 0x00, 0x06, b'h', b'i', b'!', b'!']);
    added.extend_from_slice(&signed[dqt.1..]);
    // (The SDK reports a mismatch: §15.12.3 names unknownBox for a box not listed.)
    check(
        "added.jpg",
        added,
        StatusCode::AssertionBoxesHashUnknownBox,
        &["assertion.boxesHash.mismatch"],
    );

    // The frame header moved before the quantization tables: listed, but out of order.
    let sof = segs.iter().find(|s| s.0 == 0xC0).unwrap();
    let first_dqt = segs.iter().find(|s| s.0 == 0xDB).unwrap();
    let mut moved = signed[..first_dqt.1].to_vec();
    moved.extend_from_slice(&signed[sof.1..sof.2]);
    moved.extend_from_slice(&signed[first_dqt.1..sof.1]);
    moved.extend_from_slice(&signed[sof.2..]);
    assert_eq!(moved.len(), signed.len());
    check(
        "moved.jpg",
        moved,
        StatusCode::AssertionBoxesHashMismatch,
        &["assertion.boxesHash.mismatch"],
    );

    // A Huffman table removed: listed but absent.
    let dht = segs.iter().rev().find(|s| s.0 == 0xC4).unwrap();
    let mut removed = signed[..dht.1].to_vec();
    removed.extend_from_slice(&signed[dht.2..]);
    check(
        "removed.jpg",
        removed,
        StatusCode::AssertionBoxesHashMismatch,
        &["assertion.boxesHash.mismatch"],
    );

    // Data appended after EOI: not covered by a c2pa.after box (§18.7.2). The SDK stops at EOI
    // and reports the file Trusted; Signet does not leave bytes unhashed.
    let mut appended = signed.clone();
    appended.extend_from_slice(b"appended data");
    check(
        "appended.jpg",
        appended,
        StatusCode::AssertionBoxesHashUnknownBox,
        &[],
    );
}
