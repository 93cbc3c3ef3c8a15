//! The C2PA signing benchmark: Signet's claim generator against the reference SDK (c2pa-python
//! 0.38.1 / c2pa-rs 0.91.3), in the same run, on a generated 1 GiB MP4 and a generated 50 MB
//! JPEG (both cached under `target/bench-c2pa/`; outputs are deleted after each run).
//!
//! Each signer runs in its own child process under `/usr/bin/time -v`, signing with the same
//! ES256 key and chain (a throwaway openssl CA that meets the C2PA profile): Signet through
//! `xtask bench-sign-child`, which runs the library path `signet c2pa sign` runs
//! (`Generator::embed` into a file), the SDK through `Builder.sign`. Reported per asset: wall
//! and CPU time of each child, its peak RSS, and Signet's hashing throughput: the same signing
//! as sidecars (read, hash, sign; no output written, so the disk does not count), repeated to
//! ~1 GiB, in bytes per user CPU second net of a child's fixed cost, against single-core
//! SHA-256 (`openssl speed -evp sha256`, which also divides by user CPU time; same run); the
//! same with the kernel's page-cache copying (system time) added is shown beside it.
//! Both signers' outputs must be `Trusted` for the SDK, or the run fails.
//!
//! Targets (issue 5): Signet at least 2× faster than the SDK, peak RSS ≤ 64 MB whatever the
//! asset size, throughput ≥ 80% of single-core SHA-256. A missed target fails the run.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use anyhow::{Context, Result, bail};
use signet_asn1_types::crypto::{SecureRandom, SignatureAlgorithm};
use signet_c2pa_model::container::Format;
use signet_c2pa_model::cose::SignOptions;
use signet_c2pa_model::generator::{Generator, ManifestDefinition};
use signet_crypto::{KeyPairSigner, SystemRng};

/// Size of the MP4's media data.
const MP4_SIZE: u64 = 1 << 30;
/// Side of the square random-noise JPEG (≈ 50 MB at quality 95).
const JPEG_SIDE: u32 = 6600;
/// Peak RSS target, bytes.
const RSS_TARGET: u64 = 64 * 1000 * 1000;

const REFERENCE_SIGN: &str = r#"
import c2pa, sys, time
src, out, mime, chain, key, eku = sys.argv[1:7]
signer = c2pa.Signer.from_info(c2pa.C2paSignerInfo(alg="es256",
    sign_cert=open(chain, "rb").read(), private_key=open(key, "rb").read(), ta_url=None))
manifest = {"claim_generator_info": [{"name": "signet-bench", "version": "0.1"}],
            "claim_version": 2,
            "assertions": [{"label": "c2pa.actions", "data": {"actions": [{"action": "c2pa.created",
                "digitalSourceType": "http://cv.iptc.org/newscodes/digitalsourcetype/digitalCreation"}]}}]}
ctx = c2pa.Context.from_dict({"builder": {"thumbnail": {"enabled": False}},
                              "trust": {"trust_config": open(eku).read()}})
with c2pa.Builder(manifest, context=ctx) as b, open(src, "rb") as s, open(out, "w+b") as d:
    b.sign(signer, mime, s, d)
"#;

const MAKE_JPEG: &str = r#"
import random, sys
from PIL import Image
side, out = int(sys.argv[1]), sys.argv[2]
noise = random.Random(5).randbytes(side * side * 3)
Image.frombytes("RGB", (side, side), noise).save(out, quality=95)
"#;

fn run_ok(cmd: &mut Command) -> Result<String> {
    let out = cmd.output().with_context(|| format!("running {cmd:?}"))?;
    if !out.status.success() {
        bail!(
            "{cmd:?} failed: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

fn python() -> Result<PathBuf> {
    let root = crate::project_root();
    run_ok(Command::new("bash").arg(root.join("scripts/python-peers.sh")))?;
    Ok(std::env::var_os("SIGNET_PY_PEERS")
        .map_or_else(|| root.join("target/py-peers"), PathBuf::from)
        .join("bin/python"))
}

/// A throwaway CA and an ES256 claim-signing leaf that meets the C2PA profile.
fn make_pki(dir: &Path) -> Result<()> {
    if dir.join("leaf.key").exists() && dir.join("chain.pem").exists() {
        return Ok(());
    }
    let ext = dir.join("ext.cnf");
    std::fs::write(
        &ext,
        "[root]\nbasicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\n\
         subjectKeyIdentifier=hash\n\
         [leaf]\nbasicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\n\
         extendedKeyUsage=1.3.6.1.5.5.7.3.36\nsubjectKeyIdentifier=hash\n\
         authorityKeyIdentifier=keyid\n",
    )?;
    let p = |f: &str| dir.join(f);
    let ossl = |args: &[&str]| -> Result<String> {
        run_ok(Command::new("openssl").args(args).current_dir(dir))
    };
    ossl(&[
        "genpkey",
        "-algorithm",
        "EC",
        "-pkeyopt",
        "ec_paramgen_curve:P-384",
        "-out",
        "root.key",
    ])?;
    ossl(&[
        "req",
        "-new",
        "-x509",
        "-key",
        "root.key",
        "-subj",
        "/CN=Bench Root/O=Signet/C=US",
        "-days",
        "30",
        "-config",
        "ext.cnf",
        "-extensions",
        "root",
        "-out",
        "root.pem",
    ])?;
    ossl(&[
        "genpkey",
        "-algorithm",
        "EC",
        "-pkeyopt",
        "ec_paramgen_curve:P-256",
        "-out",
        "leaf.key",
    ])?;
    ossl(&[
        "req",
        "-new",
        "-key",
        "leaf.key",
        "-subj",
        "/CN=Bench Signer/O=Signet/C=US",
        "-config",
        "/dev/null",
        "-out",
        "leaf.csr",
    ])?;
    ossl(&[
        "x509",
        "-req",
        "-in",
        "leaf.csr",
        "-CA",
        "root.pem",
        "-CAkey",
        "root.key",
        "-set_serial",
        "0x0b0c0d",
        "-days",
        "10",
        "-extfile",
        "ext.cnf",
        "-extensions",
        "leaf",
        "-out",
        "leaf.pem",
    ])?;
    std::fs::copy(p("leaf.pem"), p("chain.pem"))?;
    Ok(())
}

/// The inputs, generated once.
fn make_inputs(dir: &Path, python: &Path) -> Result<(PathBuf, PathBuf)> {
    let mp4 = dir.join("bench.mp4");
    let fresh = std::fs::metadata(&mp4)
        .map(|m| m.len() > MP4_SIZE)
        .unwrap_or(false);
    if !fresh {
        eprintln!("==> generating a 1 GiB MP4 (once)");
        run_ok(
            Command::new(python)
                .arg(crate::project_root().join("crates/c2pa-model/tests/peers/make_mp4.py"))
                .arg(&mp4)
                .arg(MP4_SIZE.to_string()),
        )?;
    }
    let jpeg = dir.join("bench.jpg");
    if !jpeg.exists() {
        eprintln!("==> generating a ~50 MB JPEG (once)");
        run_ok(
            Command::new(python)
                .args(["-c", MAKE_JPEG])
                .arg(JPEG_SIDE.to_string())
                .arg(&jpeg),
        )?;
    }
    Ok((mp4, jpeg))
}

/// What `/usr/bin/time -v` says about a child.
#[derive(Debug, Clone, Copy)]
struct Measured {
    /// Wall-clock seconds.
    wall: f64,
    /// User CPU seconds.
    user: f64,
    /// User + system CPU seconds.
    cpu: f64,
    /// Peak resident set size, bytes.
    rss: u64,
}

/// Runs `cmd` under `/usr/bin/time -v`.
fn measure(cmd: &mut Command) -> Result<Measured> {
    let mut timed = Command::new("/usr/bin/time");
    timed.arg("-v").arg(cmd.get_program()).args(cmd.get_args());
    let start = Instant::now();
    let out = timed.output().context("running /usr/bin/time")?;
    let wall = start.elapsed().as_secs_f64();
    let stderr = String::from_utf8_lossy(&out.stderr);
    if !out.status.success() {
        bail!("{cmd:?} failed: {stderr}");
    }
    let field = |name: &str| -> Result<&str> {
        Ok(stderr
            .lines()
            .find_map(|l| l.trim().strip_prefix(name))
            .with_context(|| format!("no {name:?} in /usr/bin/time's output"))?
            .trim())
    };
    let kb: u64 = field("Maximum resident set size (kbytes):")?.parse()?;
    let user: f64 = field("User time (seconds):")?.parse()?;
    let system: f64 = field("System time (seconds):")?.parse()?;
    Ok(Measured {
        wall,
        user,
        cpu: user + system,
        rss: kb.saturating_mul(1024),
    })
}

/// Single-core SHA-256 throughput (bytes/s) from `openssl speed -evp sha256`, 16 KiB blocks.
fn openssl_sha256() -> Result<f64> {
    let out = run_ok(Command::new("openssl").args([
        "speed", "-evp", "sha256", "-bytes", "16384", "-seconds", "3",
    ]))?;
    let line = out
        .lines()
        .rev()
        .find(|l| l.starts_with("sha256"))
        .context("no sha256 line from openssl speed")?;
    let k: f64 = line
        .split_whitespace()
        .last()
        .and_then(|v| v.strip_suffix('k'))
        .context("unexpected openssl speed output")?
        .parse()?;
    Ok(k * 1000.0)
}

/// `xtask bench-sign-child IN OUT CHAIN KEY [--repeat N]`: signs IN into OUT as
/// `signet c2pa sign` does; with OUT ending in `.c2pa`, writes sidecars instead, `repeat` times
/// (the asset is only read and hashed; 0 stops after loading the key, to measure the fixed
/// cost of a child).
pub(crate) fn child(
    input: &Path,
    output: &Path,
    chain: &Path,
    key: &Path,
    repeat: u32,
) -> Result<()> {
    let chain_pem = std::fs::read(chain)?;
    let chain_der = signet_c2pa_validate::trust::certificates_from_pem(&chain_pem)
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let key_pem = std::fs::read(key)?;
    let (label, pkcs8) =
        signet_asn1_types::der::pem::decode_vec(&key_pem).map_err(|e| anyhow::anyhow!("{e}"))?;
    if label != "PRIVATE KEY" {
        bail!("{}: not a PKCS#8 key", key.display());
    }
    let signer = KeyPairSigner::from_pkcs8(SignatureAlgorithm::EcdsaP256Sha256Fixed, &pkcs8)
        .map_err(|e| anyhow::anyhow!("{e:?}"))?;
    let ext = input
        .extension()
        .and_then(|e| e.to_str())
        .context("no extension")?;
    let format = Format::from_extension(ext).context("unknown format")?;
    let opts = SignOptions {
        signer: &signer,
        chain: &chain_der,
        timestamper: None,
        ocsp_vals: &[],
    };
    let def = ManifestDefinition::default();
    let system_rng = SystemRng::new();
    let rng: &dyn SecureRandom = &system_rng;
    // As `signet c2pa sign` opens its input.
    let mut input = std::io::BufReader::with_capacity(64 * 1024, std::fs::File::open(input)?);
    let generator = Generator::new(&def, &opts, rng);
    if output.extension().is_some_and(|e| e == "c2pa") {
        for _ in 0..repeat {
            let signed = generator.sidecar(format, &mut input)?;
            std::fs::write(output, signed.store)?;
        }
        return Ok(());
    }
    let mut out = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(true)
        .open(output)?;
    // No fsync: the SDK does not sync either, and the benchmark measures signing, not the
    // disk (`signet c2pa sign` syncs before its rename, for durability).
    generator.embed(format, &mut input, &mut out)?;
    Ok(())
}

/// A byte count as a float, for the report's arithmetic.
#[allow(
    clippy::as_conversions,
    reason = "display arithmetic; precision loss is irrelevant"
)]
fn float(n: u64) -> f64 {
    n as f64
}

struct Row {
    asset: String,
    signet: Measured,
    sdk: Measured,
    /// Bytes hashed by the hashing pass, its measurements and those of the fixed cost.
    hashed: u64,
    passes: Measured,
    fixed: Measured,
}

/// Runs the benchmark and checks the targets.
pub(crate) fn run() -> Result<()> {
    let dir = crate::project_root().join("target/bench-c2pa");
    std::fs::create_dir_all(&dir)?;
    let python = python()?;
    make_pki(&dir)?;
    std::fs::write(
        dir.join("leaf.p8.pem"),
        run_ok(
            Command::new("openssl")
                .args(["pkcs8", "-topk8", "-nocrypt", "-in"])
                .arg(dir.join("leaf.key")),
        )?,
    )?;
    let (mp4, jpeg) = make_inputs(&dir, &python)?;
    let eku = crate::upstream_dir().join("vectors/c2pa/trust/eku.cfg");
    let exe = std::env::current_exe()?;
    let sha256 = openssl_sha256()?;

    let mut rows = Vec::new();
    for (input, mime) in [(&jpeg, "image/jpeg"), (&mp4, "video/mp4")] {
        let size = std::fs::metadata(input)?.len();
        let ext = input.extension().and_then(|e| e.to_str()).unwrap_or("bin");
        let out_signet = dir.join(format!("signed-signet.{ext}"));
        let out_sdk = dir.join(format!("signed-sdk.{ext}"));
        // Warm the page cache so both read the input from memory.
        std::io::copy(&mut std::fs::File::open(input)?, &mut std::io::sink())?;
        let signet = measure(
            Command::new(&exe)
                .arg("bench-sign-child")
                .arg(input)
                .arg(&out_signet)
                .arg(dir.join("chain.pem"))
                .arg(dir.join("leaf.p8.pem")),
        )?;
        // The hashing pass: sidecar signings (nothing written but the store), repeated up to
        // ~1 GiB of input, minus the fixed cost of a child that only loads the key.
        let sidecar = dir.join(format!("hash-pass-{ext}.c2pa"));
        let repeat = u32::try_from((MP4_SIZE / size.max(1)).max(1)).unwrap_or(1);
        let hash_child = |n: u32| {
            measure(
                Command::new(&exe)
                    .arg("bench-sign-child")
                    .arg(input)
                    .arg(&sidecar)
                    .arg(dir.join("chain.pem"))
                    .arg(dir.join("leaf.p8.pem"))
                    .arg("--repeat")
                    .arg(n.to_string()),
            )
        };
        let fixed = hash_child(0)?;
        let passes = hash_child(repeat)?;
        let _ = std::fs::remove_file(&sidecar);
        let hashed = size.saturating_mul(u64::from(repeat));
        let sdk = measure(
            Command::new(&python)
                .args(["-c", REFERENCE_SIGN])
                .arg(input)
                .arg(&out_sdk)
                .arg(mime)
                .arg(dir.join("chain.pem"))
                .arg(dir.join("leaf.p8.pem"))
                .arg(&eku),
        )?;
        // Both outputs must be valid for the SDK: the benchmark signs, it does not cut corners.
        let check = crate::project_root().join("crates/c2pa-model/tests/peers/read.py");
        for out in [&out_signet, &out_sdk] {
            let report = run_ok(
                Command::new(&python)
                    .arg(&check)
                    .arg(out)
                    .arg(mime)
                    .arg(dir.join("root.pem"))
                    .arg(&eku),
            )?;
            let json: serde_json::Value = serde_json::from_str(&report)?;
            if json["validation_state"] != "Trusted" {
                bail!("{} is not Trusted: {json}", out.display());
            }
        }
        std::fs::remove_file(&out_signet)?;
        std::fs::remove_file(&out_sdk)?;
        rows.push(Row {
            asset: format!("{ext} ({:.1} MB)", float(size) / 1e6),
            signet,
            sdk,
            hashed,
            passes,
            fixed,
        });
    }

    println!(
        "c2pa sign benchmark: ES256, no time-stamp; each signer in a child process under \
         /usr/bin/time -v; inputs in the page cache"
    );
    println!(
        "single-core SHA-256: openssl speed -evp sha256, 16 KiB blocks, per user CPU second \
         (same run): {:.0} MB/s",
        sha256 / 1e6
    );
    println!(
        "{:<16} {:>9} {:>9} {:>8} {:>11} {:>11} {:>11} {:>7} {:>13}",
        "asset",
        "signet s",
        "sdk s",
        "speedup",
        "signet RSS",
        "sdk RSS",
        "hash MB/s",
        "vs SHA",
        "+read MB/s"
    );
    let mut failures = Vec::new();
    for r in &rows {
        let speedup = r.sdk.wall / r.signet.wall;
        // Hashing throughput: the streaming pass of sidecar signings (read, hash, sign; no
        // output, so the disk does not count), per user CPU second as openssl speed counts,
        // net of the fixed cost of a child (start-up, key loading). "+read" adds the kernel's
        // time copying the input out of the page cache (user + system CPU).
        let user = (r.passes.user - r.fixed.user).max(1e-3);
        let cpu = (r.passes.cpu - r.fixed.cpu).max(1e-3);
        let per_user = float(r.hashed) / user;
        let per_cpu = float(r.hashed) / cpu;
        let ratio = per_user / sha256;
        println!(
            "{:<16} {:>9.2} {:>9.2} {:>7.1}x {:>8.1} MB {:>8.1} MB {:>11.0} {:>6.0}% {:>13.0}",
            r.asset,
            r.signet.wall,
            r.sdk.wall,
            speedup,
            float(r.signet.rss) / 1e6,
            float(r.sdk.rss) / 1e6,
            per_user / 1e6,
            ratio * 100.0,
            per_cpu / 1e6,
        );
        println!(
            "{:<16} CPU s: signet {:.2}, sdk {:.2}; hashing pass: {:.1} MB in {:.2} s user, \
             {:.2} s user+system ({:.2} s wall), peak RSS {:.1} MB",
            "",
            r.signet.cpu,
            r.sdk.cpu,
            float(r.hashed) / 1e6,
            user,
            cpu,
            r.passes.wall,
            float(r.passes.rss) / 1e6
        );
        if speedup < 2.0 {
            failures.push(format!(
                "{}: only {speedup:.2}x faster than the SDK",
                r.asset
            ));
        }
        for (what, m) in [("embed", r.signet), ("hashing pass", r.passes)] {
            if m.rss > RSS_TARGET {
                failures.push(format!(
                    "{} {what}: peak RSS {:.1} MB over 64 MB",
                    r.asset,
                    float(m.rss) / 1e6
                ));
            }
        }
        if ratio < 0.8 {
            failures.push(format!(
                "{}: hashing at {:.0}% of single-core SHA-256 (target 80%)",
                r.asset,
                ratio * 100.0
            ));
        }
    }
    if !failures.is_empty() {
        bail!("targets missed: {}", failures.join("; "));
    }
    println!("all targets met");
    Ok(())
}
