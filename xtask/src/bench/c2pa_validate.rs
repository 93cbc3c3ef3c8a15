//! The C2PA validation benchmark: Signet's validator against the reference SDK (c2pa-python
//! 0.38.1 / c2pa-rs 0.91.3), in the same run, on
//!
//! 1. the files of `tests/upstream/vectors/c2pa/` (every format both read), validated
//!    [`ITERATIONS`] times in-process by each: files per second, and the ratio (target ≥ 2×);
//! 2. a generated 1 GiB MP4 (`ftyp`, `moov`, a 1 GiB `mdat`), signed once by the reference SDK
//!    with a throwaway openssl CA and cached under `target/bench-c2pa/`, validated by the release
//!    `signet c2pa verify` (best of three) and by the reference SDK (best of two) under
//!    `/usr/bin/time`: throughput against single-core SHA-256
//!    (`openssl speed -evp sha256`, target ≥ 80%) and peak RSS (target ≤ 64 MB);
//! 3. the hashing-budget regression asset (`crates/c2pa-validate/tests/support/amplified.rs`): a
//!    9.4 MB JPEG whose claim lists 10,000 hashed URIs to one 8 MiB assertion, validated
//!    in-process from the file (best of ten) against reading and SHA-256-hashing the file once
//!    (target ≤ 2×: the
//!    validator's time stays proportional to the asset's size), and by the release
//!    `signet c2pa verify` for the record;
//! 4. compressed (`brob`) manifest stores that expand to just under the 64 MiB decompression
//!    limit (with a 16 MiB and a 4 MiB Brotli window) and one with two 40 MiB manifests, read by
//!    the release `signet c2pa verify`: peak RSS (target ≤ the limit + 16 MB).
//!
//! The vector set runs in-process with aws-lc-rs signatures and hashes, as `signet c2pa verify`
//! does.
//!
//! Prints a table and fails when a target is missed.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use anyhow::{Context, Result, bail};
use serde_json::Value;
use signet_asn1_types::der::DateTime;
use signet_c2pa_model::HashAlg;
use signet_c2pa_model::container::Format;
use signet_c2pa_validate::binding::{HashProvider, IncrementalHash};
use signet_c2pa_validate::trust::TrustConfig;
use signet_c2pa_validate::{Report, Validator};
use signet_crypto::Verifier;

#[path = "../../../crates/c2pa-validate/tests/support/amplified.rs"]
mod amplified;

/// Passes over the vector set per validator.
pub(crate) const ITERATIONS: usize = 10;
/// Size of the generated MP4's `mdat` payload.
const BIG_MDAT: u64 = 1 << 30;

const REFERENCE_BENCH: &str = r#"
import c2pa, json, sys, time
files = json.loads(sys.argv[1]); iterations = int(sys.argv[2])
ctx = c2pa.Context.from_dict({"verify": {"verify_trust": True, "ocsp_fetch": False,
                                         "remote_manifest_fetch": False}})
def once(path, mime, sidecar):
    with open(path, "rb") as f:
        if sidecar:
            r = c2pa.Reader(mime, f, open(sidecar, "rb").read(), context=ctx)
        else:
            r = c2pa.Reader(mime, f, context=ctx)
        with r:
            r.json()
for p, m, s in files:  # warm up
    try: once(p, m, s)
    except Exception: pass
start = time.perf_counter()
for _ in range(iterations):
    for p, m, s in files:
        try: once(p, m, s)
        except Exception: pass
print(time.perf_counter() - start)
"#;

const REFERENCE_BIG: &str = r#"
import c2pa, sys, time
anchors, eku, path = sys.argv[1:4]
ctx = c2pa.Context.from_dict({"verify": {"verify_trust": True, "ocsp_fetch": False,
                                         "remote_manifest_fetch": False},
                              "trust": {"trust_anchors": open(anchors).read(),
                                        "trust_config": open(eku).read()}})
start = time.perf_counter()
with open(path, "rb") as f, c2pa.Reader("video/mp4", f, context=ctx) as r:
    state = r.get_validation_state()
print(time.perf_counter() - start, state)
"#;

const REFERENCE_SIGN: &str = r#"
import c2pa, sys
src, out, chain, key, eku = sys.argv[1:6]
signer = c2pa.Signer.from_info(c2pa.C2paSignerInfo(alg="es256",
    sign_cert=open(chain, "rb").read(), private_key=open(key, "rb").read(), ta_url=None))
manifest = {"claim_generator_info": [{"name": "signet-bench", "version": "0.1"}],
            "claim_version": 2,
            "assertions": [{"label": "c2pa.actions", "data": {"actions": [{"action": "c2pa.created",
                "digitalSourceType": "http://cv.iptc.org/newscodes/digitalsourcetype/digitalCreation"}]}}]}
ctx = c2pa.Context.from_dict({"builder": {"thumbnail": {"enabled": False}},
                              "trust": {"trust_config": open(eku).read()}})
with c2pa.Builder(manifest, context=ctx) as b, open(src, "rb") as s, open(out, "w+b") as d:
    b.sign(signer, "video/mp4", s, d)
"#;

fn python() -> Result<PathBuf> {
    let root = crate::project_root();
    let status = Command::new("bash")
        .arg(root.join("scripts/python-peers.sh"))
        .status()?;
    if !status.success() {
        bail!("installing the Python peers failed");
    }
    Ok(std::env::var_os("SIGNET_PY_PEERS")
        .map_or_else(|| root.join("target/py-peers"), PathBuf::from)
        .join("bin/python"))
}

fn run_ok(cmd: &mut Command) -> Result<String> {
    let out = cmd.output().with_context(|| format!("running {cmd:?}"))?;
    if !out.status.success() {
        bail!("{cmd:?} failed: {}", String::from_utf8_lossy(&out.stderr));
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// The vector files both validators read, with MIME type and sidecar.
fn vector_files(root: &Path) -> Result<Vec<(PathBuf, String, Option<PathBuf>)>> {
    let expected: Value =
        serde_json::from_str(&std::fs::read_to_string(root.join("expected.json"))?)?;
    let pairs = &expected["pairs_manifest_data"];
    let mut out = Vec::new();
    for (file, v) in expected["vectors"].as_object().context("vectors")? {
        let mime = v["mime"].as_str().unwrap_or_default().to_owned();
        if Format::from_mime(&mime).is_none() || file.ends_with(".m4s") {
            continue;
        }
        let ok = v["results"]["none"].get("error").is_none();
        if !ok {
            continue;
        }
        let sidecar = pairs[file.as_str()].as_str().map(|s| root.join(s));
        out.push((root.join(file), mime, sidecar));
    }
    Ok(out)
}

fn validate_file(
    validator: &Validator<'_>,
    path: &Path,
    mime: &str,
    sidecar: Option<&Path>,
) -> Result<Report> {
    let asset = std::io::BufReader::with_capacity(1 << 20, std::fs::File::open(path)?);
    let format = Format::from_mime(mime).context("format")?;
    let report = match sidecar {
        Some(s) => validator.validate_remote(format, std::fs::read(s)?, asset),
        None => validator.validate_asset(format, asset),
    };
    report.map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))
}

fn now() -> Result<DateTime> {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)?
        .as_secs();
    Ok(DateTime::from_unix_duration(
        core::time::Duration::from_secs(secs),
    )?)
}

/// Writes `ftyp`, `moov` (with an `mvhd`) and an `mdat` of `BIG_MDAT` pseudo-random bytes.
fn generate_mp4(path: &Path) -> Result<()> {
    let mut f = std::io::BufWriter::with_capacity(1 << 20, std::fs::File::create(path)?);
    let boxed = |kind: &[u8; 4], payload: &[u8]| -> Vec<u8> {
        let mut b = u32::try_from(payload.len() + 8)
            .unwrap_or(0)
            .to_be_bytes()
            .to_vec();
        b.extend_from_slice(kind);
        b.extend_from_slice(payload);
        b
    };
    f.write_all(&boxed(b"ftyp", b"isom\0\0\x02\0isomiso2mp41"))?;
    f.write_all(&boxed(b"moov", &boxed(b"mvhd", &[0u8; 100])))?;
    f.write_all(&1u32.to_be_bytes())?;
    f.write_all(b"mdat")?;
    f.write_all(&(BIG_MDAT + 16).to_be_bytes())?;
    let mut state = 0x9E37_79B9_7F4A_7C15u64;
    let mut chunk = vec![0u8; 1 << 20];
    for _ in 0..(BIG_MDAT >> 20) {
        for word in chunk.chunks_exact_mut(8) {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            word.copy_from_slice(&state.to_le_bytes());
        }
        f.write_all(&chunk)?;
    }
    f.flush()?;
    Ok(())
}

/// A throwaway ES256 CA and documentSigning leaf for signing the big MP4.
fn make_signer(dir: &Path) -> Result<()> {
    let cnf = dir.join("ext.cnf");
    std::fs::write(
        &cnf,
        "[req]\ndistinguished_name=dn\n[dn]\n[root]\nbasicConstraints=critical,CA:TRUE\n\
         keyUsage=critical,keyCertSign,cRLSign\nsubjectKeyIdentifier=hash\n[leaf]\n\
         basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\n\
         extendedKeyUsage=1.3.6.1.5.5.7.3.36\nsubjectKeyIdentifier=hash\n\
         authorityKeyIdentifier=keyid\n",
    )?;
    std::fs::write(dir.join("eku.cfg"), "1.3.6.1.5.5.7.3.36\n")?;
    let openssl = |args: &[&str]| run_ok(Command::new("openssl").args(args).current_dir(dir));
    for k in ["root", "leaf"] {
        openssl(&[
            "genpkey",
            "-algorithm",
            "EC",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-out",
            &format!("{k}.key"),
        ])?;
    }
    openssl(&[
        "req",
        "-new",
        "-x509",
        "-key",
        "root.key",
        "-subj",
        "/CN=Bench Root/O=Signet",
        "-days",
        "3650",
        "-config",
        "ext.cnf",
        "-extensions",
        "root",
        "-out",
        "root.pem",
    ])?;
    openssl(&[
        "req",
        "-new",
        "-key",
        "leaf.key",
        "-subj",
        "/CN=Bench Signer/O=Signet",
        "-config",
        "ext.cnf",
        "-out",
        "leaf.csr",
    ])?;
    openssl(&[
        "x509",
        "-req",
        "-in",
        "leaf.csr",
        "-CA",
        "root.pem",
        "-CAkey",
        "root.key",
        "-days",
        "3650",
        "-extfile",
        "ext.cnf",
        "-extensions",
        "leaf",
        "-out",
        "leaf.pem",
    ])?;
    openssl(&[
        "pkcs8", "-topk8", "-nocrypt", "-in", "leaf.key", "-out", "leaf.p8",
    ])?;
    Ok(())
}

/// `/usr/bin/time -f %e %M` around a command that must succeed: (seconds, peak RSS in KiB,
/// stdout).
fn timed(cmd: &mut Command) -> Result<(f64, u64, String)> {
    timed_exiting(cmd, 0)
}

/// `/usr/bin/time -f %e %M` around a command that must exit with `code`: (seconds, peak RSS in
/// KiB, stdout). `cmd` is the timed program itself; `/usr/bin/time` is put in front of it.
fn timed_exiting(cmd: &mut Command, code: i32) -> Result<(f64, u64, String)> {
    let mut time = Command::new("/usr/bin/time");
    time.args(["-f", "%e %M"])
        .arg(cmd.get_program())
        .args(cmd.get_args());
    if let Some(dir) = cmd.get_current_dir() {
        time.current_dir(dir);
    }
    for (key, value) in cmd.get_envs() {
        match value {
            Some(v) => time.env(key, v),
            None => time.env_remove(key),
        };
    }
    let out = time.output()?;
    if out.status.code() != Some(code) {
        bail!(
            "{cmd:?} exited with {} (expected {code}): {}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let err = String::from_utf8_lossy(&out.stderr);
    let last = err.lines().last().unwrap_or_default();
    let mut parts = last.split_whitespace();
    let secs: f64 = parts.next().context("time output")?.parse()?;
    let rss: u64 = parts.next().context("time output")?.parse()?;
    Ok((secs, rss, String::from_utf8_lossy(&out.stdout).into_owned()))
}

/// SHA-2 from aws-lc-rs as `signet c2pa verify` injects it (its assembly is about twice as fast as the
/// `sha2` crate's on SHA-NI hardware).
struct AwsLcHashes;

impl HashProvider for AwsLcHashes {
    fn start(&self, alg: HashAlg) -> Box<dyn IncrementalHash> {
        let algorithm = match alg {
            HashAlg::Sha256 => &aws_lc_rs::digest::SHA256,
            HashAlg::Sha384 => &aws_lc_rs::digest::SHA384,
            HashAlg::Sha512 => &aws_lc_rs::digest::SHA512,
        };
        Box::new(AwsLcHash(aws_lc_rs::digest::Context::new(algorithm)))
    }
}

struct AwsLcHash(aws_lc_rs::digest::Context);

impl IncrementalHash for AwsLcHash {
    fn update(&mut self, data: &[u8]) {
        self.0.update(data);
    }

    fn finish(self: Box<Self>) -> Vec<u8> {
        self.0.finish().as_ref().to_vec()
    }
}

fn sha256_speed() -> Result<f64> {
    let out = run_ok(Command::new("openssl").args([
        "speed", "-evp", "sha256", "-seconds", "3", "-bytes", "16384",
    ]))?;
    // "sha256   1341807.59k" (kB/s for the block size asked).
    let line = out.lines().last().context("openssl speed output")?;
    let k = line
        .split_whitespace()
        .last()
        .and_then(|v| v.strip_suffix('k'))
        .context("openssl speed value")?;
    Ok(k.parse::<f64>()? * 1000.0)
}

/// Runs the benchmark.
pub(crate) fn run() -> Result<()> {
    let py = python()?;
    let vectors = crate::upstream_dir().join("vectors/c2pa");
    let files = vector_files(&vectors)?;
    let bytes: u64 = files
        .iter()
        .map(|(p, _, _)| std::fs::metadata(p).map(|m| m.len()).unwrap_or(0))
        .sum();

    // 1. The vector set, in-process, ITERATIONS passes each.
    let trust = TrustConfig::new();
    let mut validator = Validator::new(&trust, &Verifier, now()?);
    validator.hashes = &AwsLcHashes;
    for (p, m, s) in &files {
        validate_file(&validator, p, m, s.as_deref())?;
    }
    let start = Instant::now();
    for _ in 0..ITERATIONS {
        for (p, m, s) in &files {
            validate_file(&validator, p, m, s.as_deref())?;
        }
    }
    let signet_secs = start.elapsed().as_secs_f64();
    let list: Vec<Value> = files
        .iter()
        .map(|(p, m, s)| serde_json::json!([p, m, s]))
        .collect();
    let reference_secs: f64 = run_ok(
        Command::new(&py)
            .arg("-c")
            .arg(REFERENCE_BENCH)
            .arg(serde_json::to_string(&list)?)
            .arg(ITERATIONS.to_string()),
    )?
    .trim()
    .parse()?;
    #[allow(clippy::as_conversions, reason = "counts for display")]
    let n = (files.len() * ITERATIONS) as f64;
    #[allow(clippy::as_conversions, reason = "bytes for display")]
    let mb = (bytes as f64) * (ITERATIONS as f64) / 1e6;
    let ratio = reference_secs / signet_secs;

    // 2. The 1 GiB MP4.
    let work = crate::project_root().join("target/bench-c2pa");
    std::fs::create_dir_all(&work)?;
    let raw = work.join("big.mp4");
    let signed = work.join("big-signed.mp4");
    if !signed.exists() {
        eprintln!(
            "bench c2pa: generating and signing a 1 GiB MP4 (cached in {})",
            work.display()
        );
        generate_mp4(&raw)?;
        make_signer(&work)?;
        let chain = work.join("chain.pem");
        std::fs::write(
            &chain,
            [
                std::fs::read(work.join("leaf.pem"))?,
                std::fs::read(work.join("root.pem"))?,
            ]
            .concat(),
        )?;
        run_ok(
            Command::new(&py)
                .arg("-c")
                .arg(REFERENCE_SIGN)
                .arg(&raw)
                .arg(&signed)
                .arg(work.join("leaf.pem"))
                .arg(work.join("leaf.p8"))
                .arg(work.join("eku.cfg")),
        )?;
        std::fs::remove_file(&raw)?;
    }
    let big_len = std::fs::metadata(&signed)?.len();
    // `signet c2pa verify` itself, release build; best of three (the machine is shared).
    run_ok(
        Command::new(crate::cargo())
            .args(["build", "--release", "-q", "-p", "signet"])
            .current_dir(crate::project_root()),
    )?;
    let signet_bin = crate::project_root().join("target/release/signet");
    let best = |runs: usize, cmd: &dyn Fn() -> Command| -> Result<(f64, u64, String)> {
        let mut best: Option<(f64, u64, String)> = None;
        for _ in 0..runs {
            let r = timed(&mut cmd())?;
            if best.as_ref().is_none_or(|b| r.0 < b.0) {
                best = Some(r);
            }
        }
        best.context("no run")
    };
    let (signet_big_secs, signet_rss, state) = best(3, &|| {
        let mut c = Command::new(&signet_bin);
        c.args(["c2pa", "verify"])
            .arg(&signed)
            .arg("--trust-anchors")
            .arg(work.join("root.pem"))
            .args(["--eku", "1.3.6.1.5.5.7.3.36"]);
        c
    })?;
    let state = state
        .lines()
        .next()
        .unwrap_or_default()
        .rsplit(' ')
        .next()
        .unwrap_or_default()
        .to_owned();
    let (reference_big_secs, reference_rss, reference_state) = best(2, &|| {
        let mut c = Command::new(&py);
        c.arg("-c")
            .arg(REFERENCE_BIG)
            .arg(work.join("root.pem"))
            .arg(work.join("eku.cfg"))
            .arg(&signed);
        c
    })?;
    // 3. The hashing-budget asset.
    let amplified = amplified_case(&work, &signet_bin)?;
    // 4. Compressed manifests near the decompression limit.
    let brob = brob_cases(&work, &signet_bin)?;

    let sha = sha256_speed()?;
    let mib = |kib: u64| f64::from(u32::try_from(kib).unwrap_or(u32::MAX)) / 1024.0;
    #[allow(clippy::as_conversions, reason = "bytes for display")]
    let big = big_len as f64;
    let signet_rate = big / signet_big_secs;
    let reference_rate = big / reference_big_secs;

    println!(
        "C2PA validation benchmark (release; {} vector files, {ITERATIONS} passes)",
        files.len()
    );
    println!(
        "  vectors    Signet {:>8.1} files/s {:>7.1} MB/s   reference SDK {:>8.1} files/s {:>7.1} MB/s   Signet/reference {ratio:.2}x (target >= 2x)",
        n / signet_secs,
        mb / signet_secs,
        n / reference_secs,
        mb / reference_secs
    );
    println!(
        "  1 GiB MP4  Signet {:>7.0} MB/s  peak RSS {:>6.1} MB ({})   reference SDK {:>7.0} MB/s  peak RSS {:>6.1} MB ({})",
        signet_rate / 1e6,
        mib(signet_rss),
        state.trim(),
        reference_rate / 1e6,
        mib(reference_rss),
        reference_state
            .split_whitespace()
            .last()
            .unwrap_or_default()
    );
    println!(
        "  openssl speed -evp sha256 (16 KiB blocks, one core): {:.0} MB/s; Signet reaches {:.0}% (target >= 80%)",
        sha / 1e6,
        signet_rate / sha * 100.0
    );
    println!(
        "  amplified  {:.1} MB JPEG, 10,000 hashed URIs to one 8 MiB assertion: Signet {:.1} ms in-process, \
         `signet c2pa verify` {:.2} s (peak RSS {:.1} MB); SHA-256 of the file once {:.1} ms; {:.2}x (target <= 2x)",
        amplified.bytes / 1e6,
        amplified.validate_secs * 1e3,
        amplified.cli_secs,
        mib(amplified.cli_rss),
        amplified.hash_secs * 1e3,
        amplified.ratio()
    );
    for (name, kib) in &brob {
        println!(
            "  brob       {name}: `signet c2pa verify` peak RSS {:.1} MB (target <= {:.1} MB)",
            mib(*kib),
            brob_rss_target_kib() / 1024.0
        );
    }
    let mut missed = Vec::new();
    for (name, kib) in &brob {
        if mib(*kib) * 1024.0 > brob_rss_target_kib() {
            missed.push(format!("{name}: peak RSS {:.1} MB", mib(*kib)));
        }
    }
    if amplified.ratio() > 2.0 {
        missed.push(format!(
            "the amplified JPEG took {:.2}x one hash of it (target 2x)",
            amplified.ratio()
        ));
    }
    if ratio < 2.0 {
        missed.push(format!(
            "vector set {ratio:.2}x the reference SDK (target 2x)"
        ));
    }
    if signet_rate < 0.8 * sha {
        missed.push(format!(
            "1 GiB at {:.0}% of SHA-256 speed (target 80%)",
            signet_rate / sha * 100.0
        ));
    }
    if mib(signet_rss) > 64.0 {
        missed.push(format!("peak RSS {:.1} MB (target 64 MB)", mib(signet_rss)));
    }
    if state.trim() != "Trusted" {
        missed.push(format!("the 1 GiB MP4 validated as {}", state.trim()));
    }
    if missed.is_empty() {
        println!("bench c2pa: all targets met");
        Ok(())
    } else {
        bail!("bench c2pa: targets missed: {}", missed.join("; "))
    }
}

/// The timings of the hashing-budget asset.
struct Amplified {
    bytes: f64,
    validate_secs: f64,
    hash_secs: f64,
    cli_secs: f64,
    cli_rss: u64,
}

impl Amplified {
    fn ratio(&self) -> f64 {
        self.validate_secs / self.hash_secs
    }
}

/// Builds the amplified JPEG (signed with the bench's throwaway ES256 leaf) and times it.
fn amplified_case(work: &Path, signet_bin: &Path) -> Result<Amplified> {
    if !work.join("leaf.p8").exists() {
        make_signer(work)?;
    }
    let openssl = |args: &[&str]| run_ok(Command::new("openssl").args(args).current_dir(work));
    openssl(&[
        "x509", "-in", "leaf.pem", "-outform", "DER", "-out", "leaf.der",
    ])?;
    openssl(&[
        "pkcs8",
        "-topk8",
        "-nocrypt",
        "-in",
        "leaf.key",
        "-outform",
        "DER",
        "-out",
        "leaf.p8.der",
    ])?;
    let key = signet_crypto::KeyPairSigner::from_pkcs8(
        signet_asn1_types::crypto::SignatureAlgorithm::EcdsaP256Sha256Fixed,
        &std::fs::read(work.join("leaf.p8.der"))?,
    )
    .map_err(|e| anyhow::anyhow!("the bench leaf key: {e}"))?;
    let chain = vec![std::fs::read(work.join("leaf.der"))?];
    let sign = signet_c2pa_model::cose::SignOptions {
        signer: &key,
        chain: &chain,
        timestamper: None,
        ocsp_vals: &[],
    };
    let source = std::fs::read(crate::upstream_dir().join("vectors/c2pa/rs/no_manifest.jpg"))?;
    let asset = amplified::amplified_jpeg(
        &source,
        &sign,
        &signet_crypto::SystemRng::new(),
        10_000,
        8 << 20,
    )
    .map_err(|e| anyhow::anyhow!("building the amplified JPEG: {e}"))?;
    let path = work.join("amplified.jpg");
    std::fs::write(&path, &asset)?;

    let trust = TrustConfig::new();
    let mut validator = Validator::new(&trust, &Verifier, now()?);
    validator.hashes = &AwsLcHashes;
    // Both from the file, as `signet c2pa verify` and `sha256sum` read it: validation through
    // a buffered reader (the validator never holds the asset), the hash over the bytes read.
    let mut validate_secs = f64::INFINITY;
    let mut hash_secs = f64::INFINITY;
    for _ in 0..10 {
        let t = Instant::now();
        let file = std::io::BufReader::with_capacity(1 << 20, std::fs::File::open(&path)?);
        let report = validator
            .validate_asset(Format::Jpeg, file)
            .map_err(|e| anyhow::anyhow!("validating the amplified JPEG: {e}"))?;
        validate_secs = validate_secs.min(t.elapsed().as_secs_f64());
        std::hint::black_box(report);
        let t = Instant::now();
        let bytes = std::fs::read(&path)?;
        let mut h = AwsLcHashes.start(HashAlg::Sha256);
        h.update(&bytes);
        std::hint::black_box(h.finish());
        hash_secs = hash_secs.min(t.elapsed().as_secs_f64());
    }
    // The asset is Invalid (its claim signature does not verify): `verify` exits 1.
    let (cli_secs, cli_rss, _) = timed_exiting(
        Command::new(signet_bin)
            .args(["c2pa", "verify", "--json"])
            .arg(&path),
        1,
    )?;
    #[allow(clippy::as_conversions, reason = "bytes for display")]
    let bytes = asset.len() as f64;
    Ok(Amplified {
        bytes,
        validate_secs,
        hash_secs,
        cli_secs,
        cli_rss,
    })
}

/// The decompression limit the brob cases run against: `jumbf::Limits::max_decompressed_len`'s
/// default (64 MiB), which counts the Brotli window with the output.
fn decompression_limit() -> usize {
    signet_c2pa_model::jumbf::Limits::default().max_decompressed_len
}

/// Peak RSS target of reading compressed manifests, in KiB: the decompression limit plus
/// 16 MB.
fn brob_rss_target_kib() -> f64 {
    let limit = u32::try_from(decompression_limit() / 1024).unwrap_or(u32::MAX);
    f64::from(limit) + 16e6 / 1024.0
}

/// A `.c2pa` store of compressed manifests: each `(len, lgwin)` a manifest whose one assertion
/// holds `len` zero bytes, Brotli-compressed with a `2^lgwin`-byte window.
fn brob_store(manifests: &[(usize, u32)]) -> Result<Vec<u8>> {
    use signet_c2pa_model::jumbf::{self, NewDescription};
    use signet_c2pa_model::store::{compressed::BROB, uuid};
    fn desc(uuid: [u8; 16], label: &str) -> NewDescription<'_> {
        NewDescription {
            uuid,
            label: Some(label),
            private: None,
        }
    }
    let mut children = Vec::new();
    for (i, (len, lgwin)) in manifests.iter().enumerate() {
        let label = format!("urn:c2pa:00000000-0000-4000-8000-{i:012}");
        let mut content = Vec::new();
        jumbf::write_box(&mut content, *b"cbor", &vec![0; *len]);
        let mut assertion = Vec::new();
        jumbf::write_superbox(
            &mut assertion,
            &desc(uuid::CBOR, "org.signet.padding"),
            &[&content],
        )?;
        let mut assertions = Vec::new();
        jumbf::write_superbox(
            &mut assertions,
            &desc(uuid::ASSERTION_STORE, "c2pa.assertions"),
            &[&assertion],
        )?;
        let mut manifest = Vec::new();
        jumbf::write_superbox(
            &mut manifest,
            &desc(uuid::STANDARD_MANIFEST, &label),
            &[&assertions],
        )?;
        let mut brob = Vec::new();
        {
            let mut w = brotli::CompressorWriter::new(&mut brob, 1 << 16, 5, *lgwin);
            w.write_all(&manifest)?;
        }
        let mut boxed = Vec::new();
        jumbf::write_box(&mut boxed, BROB, &brob);
        let mut compressed = Vec::new();
        jumbf::write_superbox(
            &mut compressed,
            &desc(uuid::COMPRESSED_MANIFEST, &label),
            &[&boxed],
        )?;
        children.push(compressed);
    }
    let refs: Vec<&[u8]> = children.iter().map(Vec::as_slice).collect();
    let mut store = Vec::new();
    jumbf::write_superbox(&mut store, &desc(uuid::STORE, "c2pa"), &refs)?;
    Ok(store)
}

/// Peak RSS (KiB) of `signet c2pa verify --json` on each compressed-manifest store, checking
/// that the manifests meant to expand did.
fn brob_cases(work: &Path, signet_bin: &Path) -> Result<Vec<(String, u64)>> {
    // Just under the limit less the window, less the few hundred bytes of boxes around the
    // assertion.
    let under = |window: usize| decompression_limit() - window - 4096;
    // Name, the manifests (length, Brotli window bits), and whether the active one expands.
    type Case = (&'static str, Vec<(usize, u32)>, bool);
    let cases: [Case; 4] = [
        ("baseline (1 KiB manifest)", vec![(1024, 22)], true),
        (
            "48 MiB manifest, 16 MiB window",
            vec![(under(16 << 20), 24)],
            true,
        ),
        (
            "60 MiB manifest, 4 MiB window",
            vec![(under(4 << 20), 22)],
            true,
        ),
        (
            "two 40 MiB manifests",
            vec![(40 << 20, 22), (40 << 20, 22)],
            false,
        ),
    ];
    let mut out = Vec::new();
    for (name, manifests, expands) in cases {
        let path = work.join("brob.c2pa");
        std::fs::write(&path, brob_store(&manifests)?)?;
        // Each store is Invalid (its manifests have no claim): `verify` exits 1.
        let (_, kib, stdout) = timed_exiting(
            Command::new(signet_bin)
                .args(["c2pa", "verify", "--json"])
                .arg(&path),
            1,
        )
        .with_context(|| name.to_owned())?;
        let report: Value = serde_json::from_str(&stdout).with_context(|| name.to_owned())?;
        let failures = report["validation_results"]["activeManifest"]["failure"].to_string();
        if expands == failures.contains("manifest.compressed.invalid") {
            bail!("{name}: the active manifest did not expand as expected: {failures}");
        }
        out.push((name.to_owned(), kib));
    }
    Ok(out)
}
