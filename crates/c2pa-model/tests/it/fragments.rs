//! Fragmented MP4 signed by Signet (C2PA 2.2 §A.5.4.1.2) and checked by the reference SDK: a
//! flat fragmented file (one `merkle` box before each `moof`), and an init segment with fragment
//! files (as DASH serves them) read through the SDK's `Reader.with_fragment` — generated ones
//! and the c2pa-rs DASH fixture with its C2PA boxes removed. Tampering with a fragment must be
//! reported.

use std::fs::{File, OpenOptions};
use std::io::{Seek, Write};
use std::path::{Path, PathBuf};

use signet_asn1_types::crypto::{SecureRandom, SignatureAlgorithm as Alg};
use signet_c2pa_model::container::Format;
use signet_c2pa_model::container::bmff::C2PA_UUID;
use signet_c2pa_model::cose::SignOptions;
use signet_c2pa_model::generator::bmff::{BmffOptions, SplitFragments};
use signet_c2pa_model::generator::{Generator, ManifestDefinition};
use signet_crypto::SystemRng;

use crate::peer::{codes, make_mp4, report, report_with, shared};
use crate::pki::Pki;

fn generator_for<'a>(
    def: &'a ManifestDefinition,
    sign: &'a SignOptions<'a>,
    rng: &'a dyn SecureRandom,
    max_leaves: u64,
) -> Generator<'a> {
    let mut g = Generator::new(def, sign, rng);
    g.bmff = BmffOptions {
        max_leaves,
        ..BmffOptions::default()
    };
    g
}

fn create(path: &Path) -> File {
    OpenOptions::new()
        .read(true)
        .write(true)
        .create_new(true)
        .open(path)
        .unwrap()
}

fn assert_trusted(json: &serde_json::Value, what: &str) {
    assert_eq!(json["validation_state"], "Trusted", "{what}: {json}");
    assert!(codes(json, "failure").is_empty(), "{what}: {json}");
    let success = codes(json, "success");
    for code in [
        "assertion.bmffHash.match",
        "claimSignature.validated",
        "signingCredential.trusted",
    ] {
        assert!(success.iter().any(|c| c == code), "{what}: {code}: {json}");
    }
}

fn assert_mismatch(json: &serde_json::Value, what: &str) {
    assert!(
        codes(json, "failure")
            .iter()
            .any(|c| c == "assertion.bmffHash.mismatch"),
        "{what}: {json}"
    );
}

/// Flips a byte of the last `mdat`'s payload of `path`.
fn tamper(path: &Path, to: &Path) {
    let mut bytes = std::fs::read(path).unwrap();
    let mdat = bytes.windows(4).rposition(|w| w == b"mdat").unwrap();
    bytes[mdat + 20] ^= 0x55;
    std::fs::write(to, bytes).unwrap();
}

#[test]
fn flat_fragmented_mp4_is_trusted_and_tampering_is_seen() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let pki = Pki::new("http://127.0.0.1:9/ocsp");
    let anchors = pki.write_root(d);
    let input = d.join("flat.in.mp4");
    make_mp4(&input, 90_000, &["--fragments", "6"]);
    let leaf = pki.leaf(Alg::EcdsaP256Sha256Fixed);
    let chain = pki.chain(&leaf);
    let sign = SignOptions {
        signer: &leaf.key.signer,
        chain: &chain,
        timestamper: None,
        ocsp_vals: &[],
    };
    let def = ManifestDefinition::default();
    let rng = SystemRng::new();
    // Leaf row in the manifest, and the root only (proofs in every merkle box).
    for max_leaves in [4096, 1] {
        let out = d.join(format!("flat-{max_leaves}.mp4"));
        generator_for(&def, &sign, &rng, max_leaves)
            .embed(
                Format::Bmff,
                &mut File::open(&input).unwrap(),
                &mut create(&out),
            )
            .unwrap();
        let json = report(&out, "video/mp4", &anchors);
        assert_trusted(&json, &format!("flat, max_leaves {max_leaves}"));
        let bad = d.join(format!("flat-{max_leaves}-tampered.mp4"));
        tamper(&out, &bad);
        assert_mismatch(&report(&bad, "video/mp4", &anchors), "tampered flat");
    }
}

/// Signs an init segment and its fragments into `out_dir` (same file names).
fn sign_split(
    pki: &Pki,
    init: &Path,
    fragments: &[PathBuf],
    out_dir: &Path,
    max_leaves: u64,
) -> (PathBuf, Vec<PathBuf>) {
    std::fs::create_dir_all(out_dir).unwrap();
    let leaf = pki.leaf(Alg::Ed25519);
    let chain = pki.chain(&leaf);
    let sign = SignOptions {
        signer: &leaf.key.signer,
        chain: &chain,
        timestamper: None,
        ocsp_vals: &[],
    };
    let def = ManifestDefinition::default();
    let rng = SystemRng::new();
    let g = generator_for(&def, &sign, &rng, max_leaves);
    // One file open at a time: scan all, write each, then patch each merkle box.
    let mut split = SplitFragments::new(def.alg, g.bmff, g.limits);
    for f in fragments {
        split.add(&mut File::open(f).unwrap()).unwrap();
    }
    let outs: Vec<PathBuf> = fragments
        .iter()
        .map(|f| out_dir.join(f.file_name().unwrap()))
        .collect();
    for (i, (f, o)) in fragments.iter().zip(&outs).enumerate() {
        split
            .write(i, &mut File::open(f).unwrap(), &mut create(o))
            .unwrap();
    }
    for (i, o) in outs.iter().enumerate() {
        let (at, bytes) = split.merkle_box(i).unwrap();
        let mut file = OpenOptions::new().write(true).open(o).unwrap();
        file.seek(std::io::SeekFrom::Start(at)).unwrap();
        file.write_all(&bytes).unwrap();
    }
    let init_out = out_dir.join(init.file_name().unwrap());
    g.embed_init(
        &mut split,
        &mut File::open(init).unwrap(),
        &mut create(&init_out),
    )
    .unwrap();
    (init_out, outs)
}

#[test]
fn split_fragments_are_trusted_with_each_fragment() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let pki = Pki::new("http://127.0.0.1:9/ocsp");
    let anchors = pki.write_root(d);
    for (tracks, max_leaves) in [(1, 4096), (2, 2)] {
        let init = d.join(format!("init-{tracks}.mp4"));
        make_mp4(
            &init,
            70_000,
            &[
                "--fragments",
                "7",
                "--tracks",
                &tracks.to_string(),
                "--split",
            ],
        );
        let fragments: Vec<PathBuf> = (0..7)
            .map(|i| d.join(format!("init-{tracks}.mp4.{i}.m4s")))
            .collect();
        let out_dir = d.join(format!("signed-{tracks}"));
        let (init_out, outs) = sign_split(&pki, &init, &fragments, &out_dir, max_leaves);
        for f in &outs {
            let json = report_with(&init_out, "video/mp4", &anchors, Some(f));
            assert_trusted(&json, &format!("{tracks} tracks: {}", f.display()));
        }
        let bad = d.join(format!("tampered-{tracks}.m4s"));
        tamper(&outs[3], &bad);
        assert_mismatch(
            &report_with(&init_out, "video/mp4", &anchors, Some(&bad)),
            "tampered fragment",
        );
    }
}

/// Top-level boxes of `bytes` without C2PA `uuid` boxes.
fn strip_c2pa(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut at = 0;
    while at < bytes.len() {
        let size =
            usize::try_from(u32::from_be_bytes(bytes[at..at + 4].try_into().unwrap())).unwrap();
        let is_c2pa = &bytes[at + 4..at + 8] == b"uuid" && bytes[at + 8..at + 24] == C2PA_UUID;
        if !is_c2pa {
            out.extend_from_slice(&bytes[at..at + size]);
        }
        at += size;
    }
    out
}

#[test]
fn the_c2pa_rs_dash_fixture_is_resigned_and_trusted() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let pki = Pki::new("http://127.0.0.1:9/ocsp");
    let anchors = pki.write_root(d);
    let vectors = shared().join("vectors/c2pa/rs");
    let init = d.join("dashinit.mp4");
    let fragment = d.join("dash1.m4s");
    std::fs::write(
        &init,
        strip_c2pa(&std::fs::read(vectors.join("dashinit.mp4")).unwrap()),
    )
    .unwrap();
    std::fs::write(
        &fragment,
        strip_c2pa(&std::fs::read(vectors.join("dash1.m4s")).unwrap()),
    )
    .unwrap();
    let (init_out, outs) = sign_split(
        &pki,
        &init,
        std::slice::from_ref(&fragment),
        &d.join("signed"),
        4096,
    );
    let json = report_with(&init_out, "video/mp4", &anchors, Some(&outs[0]));
    assert_trusted(&json, "dash fixture");
}
