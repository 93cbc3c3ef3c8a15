//! `cargo xtask bench <cmp|c2pa>`: benchmarks, which check the speed and memory targets (never
//! timed tests).
//!
//! - `bench cmp` runs [`cmp`]: `signet serve` under concurrent CMP load next to OpenSSL's mock
//!   server (it builds the release binaries and re-executes itself from them).
//! - `bench c2pa` runs [`c2pa_validate`]: Signet's validator against the reference SDK (a debug
//!   `xtask` re-executes itself with `cargo run --release`).

use anyhow::{Result, bail};
use clap::Subcommand;

pub(crate) mod c2pa_validate;
pub(crate) mod cmp;

/// What to benchmark.
#[derive(Debug, Subcommand)]
pub(crate) enum Target {
    /// `signet serve` under concurrent CMP load (PBM ir+certConf, signature cr+certConf), next
    /// to OpenSSL 3.0's mock server, in a private network namespace.
    Cmp(cmp::Args),
    /// C2PA validation throughput and peak RSS against the reference SDK (c2pa-python).
    C2pa,
}

pub(crate) fn run(target: Target) -> Result<()> {
    match target {
        Target::Cmp(args) => cmp::run(&args),
        Target::C2pa => in_release("c2pa", c2pa_validate::run),
    }
}

/// Runs `bench` here when this is a release build, else re-executes `xtask bench <name>` with
/// `cargo run --release` (hashing and parsing speeds mean nothing in a debug build).
fn in_release(name: &str, bench: fn() -> Result<()>) -> Result<()> {
    if !cfg!(debug_assertions) {
        return bench();
    }
    let status = std::process::Command::new(crate::cargo())
        .args(["run", "--release", "-q", "-p", "xtask", "--", "bench", name])
        .current_dir(crate::project_root())
        .status()?;
    if !status.success() {
        bail!("bench {name} failed ({status})");
    }
    Ok(())
}
