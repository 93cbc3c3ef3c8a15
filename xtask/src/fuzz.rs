//! `cargo xtask fuzz-smoke` (and the `fuzz` step of `cargo xtask ci`): builds every target of
//! `fuzz/` with libFuzzer's coverage instrumentation on the stable toolchain and runs each for a
//! few seconds, so a target that no longer builds, or an input that panics quickly, fails CI.
//!
//! The build is what `cargo fuzz build -s none` does (`--cfg fuzzing`, SanitizerCoverage with
//! inline 8-bit counters, PC tables and comparison tracing; debug assertions and overflow checks
//! on), without needing cargo-fuzz or a nightly toolchain, in `fuzz/Cargo.toml`'s `smoke`
//! profile (release at opt-level 1, about half the build time). Each run starts from a fresh corpus
//! under `fuzz/target/smoke/` plus the target's committed regressions
//! (`crates/*/tests/regressions/<target>/`); a crash's input is kept under
//! `fuzz/target/smoke/artifacts/<target>/` and named in the error.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result, bail};

/// The instrumentation flags of `cargo fuzz build -s none` (cargo-fuzz 0.13).
const RUSTFLAGS: &str = "--cfg fuzzing -Cpasses=sancov-module \
    -Cllvm-args=-sanitizer-coverage-level=4 \
    -Cllvm-args=-sanitizer-coverage-inline-8bit-counters \
    -Cllvm-args=-sanitizer-coverage-pc-table \
    -Cllvm-args=-sanitizer-coverage-trace-compares \
    -Cdebug-assertions -Coverflow-checks";

/// The host's target triple (`rustc -vV`). Building for an explicit `--target` keeps
/// RUSTFLAGS off build scripts and proc macros, which must not be instrumented (they link no
/// libFuzzer), as cargo-fuzz does.
fn host_triple() -> Result<String> {
    let out = Command::new("rustc")
        .arg("-vV")
        .output()
        .context("running rustc -vV")?;
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .find_map(|l| l.strip_prefix("host: "))
        .map(str::to_owned)
        .context("rustc -vV names no host")
}

/// The `[[bin]]` names of `fuzz/Cargo.toml`.
fn targets(fuzz: &Path) -> Result<Vec<String>> {
    let text =
        std::fs::read_to_string(fuzz.join("Cargo.toml")).context("reading fuzz/Cargo.toml")?;
    let manifest: toml::Table = toml::from_str(&text).context("parsing fuzz/Cargo.toml")?;
    let bins = manifest
        .get("bin")
        .and_then(toml::Value::as_array)
        .context("fuzz/Cargo.toml lists no [[bin]] targets")?;
    bins.iter()
        .map(|b| {
            b.get("name")
                .and_then(toml::Value::as_str)
                .map(str::to_owned)
                .context("a [[bin]] of fuzz/Cargo.toml has no name")
        })
        .collect()
}

/// The committed regression inputs of `target`, if a crate has any.
fn regressions(root: &Path, target: &str) -> Result<Vec<PathBuf>> {
    let mut dirs = Vec::new();
    for entry in std::fs::read_dir(root.join("crates")).context("listing crates/")? {
        let dir = entry?.path().join("tests/regressions").join(target);
        if dir.is_dir() {
            dirs.push(dir);
        }
    }
    Ok(dirs)
}

/// Builds every fuzz target and runs each for `seconds`.
pub(crate) fn smoke(root: &Path, seconds: u32) -> Result<()> {
    let fuzz = root.join("fuzz");
    let names = targets(&fuzz)?;
    let triple = host_triple()?;
    eprintln!("==> xtask fuzz-smoke: building {} targets", names.len());
    let status = Command::new(crate::cargo())
        .args([
            "build",
            "--profile",
            "smoke",
            "--locked",
            "--bins",
            "--target",
            &triple,
        ])
        .env("RUSTFLAGS", RUSTFLAGS)
        .current_dir(&fuzz)
        .status()
        .context("building the fuzz targets")?;
    if !status.success() {
        bail!("xtask fuzz-smoke: the fuzz targets do not build ({status})");
    }
    let smoke = fuzz.join("target/smoke");
    for name in &names {
        let corpus = smoke.join("corpus").join(name);
        let artifacts = smoke.join("artifacts").join(name);
        for d in [&corpus, &artifacts] {
            if d.exists() {
                std::fs::remove_dir_all(d).with_context(|| format!("clearing {}", d.display()))?;
            }
            std::fs::create_dir_all(d).with_context(|| format!("creating {}", d.display()))?;
        }
        eprintln!("==> xtask fuzz-smoke: {name} for {seconds} s");
        let log = smoke.join(format!("{name}.log"));
        let mut prefix = artifacts.clone().into_os_string();
        prefix.push("/");
        let status = Command::new(fuzz.join("target").join(&triple).join("smoke").join(name))
            .arg(format!("-max_total_time={seconds}"))
            // Far above any target's working set; a leak or a blow-up still stops the run.
            .arg("-rss_limit_mb=2048")
            .arg("-print_final_stats=1")
            .arg({
                let mut a = std::ffi::OsString::from("-artifact_prefix=");
                a.push(&prefix);
                a
            })
            .arg(&corpus)
            .args(regressions(root, name)?)
            .current_dir(&smoke)
            .stdout(std::process::Stdio::null())
            .stderr(
                std::fs::File::create(&log)
                    .with_context(|| format!("creating {}", log.display()))?,
            )
            .status()
            .with_context(|| format!("running fuzz target {name}"))?;
        // libFuzzer's progress goes to the log; its final statistics (or the crash) are shown.
        let text = std::fs::read_to_string(&log).unwrap_or_default();
        let lines: Vec<&str> = text.lines().collect();
        let shown = if status.success() { 6 } else { 80 };
        for line in &lines[lines.len().saturating_sub(shown)..] {
            eprintln!("    {line}");
        }
        if !status.success() {
            bail!(
                "xtask fuzz-smoke: {name} failed ({status}); the input is in {}, the log in {}",
                artifacts.display(),
                log.display()
            );
        }
    }
    Ok(())
}
