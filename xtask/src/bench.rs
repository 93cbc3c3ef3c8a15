//! `cargo xtask bench <cmp|ocsp|c2pa>`: benchmarks, which check the speed and memory targets
//! (never timed tests).
//!
//! - `bench cmp` runs [`cmp`]: `signet serve` under concurrent CMP load next to OpenSSL's mock
//!   server (it builds the release binaries and re-executes itself from them).
//! - `bench ocsp` runs [`ocsp`]: `signet serve`'s OCSP responder answering kept responses
//!   under concurrent load (built and run the same way).
//! - `bench c2pa` runs [`c2pa_sign`] (Signet's generator against the reference SDK on a
//!   generated 1 GiB MP4 and 50 MB JPEG) and then [`c2pa_validate`] (Signet's validator against
//!   the reference SDK on the vectors and the 1 GiB MP4); a debug `xtask` re-executes itself with
//!   `cargo run --release`. Both halves run even when the first misses a target.

use anyhow::{Result, bail};
use clap::Subcommand;

pub(crate) mod c2pa_sign;
pub(crate) mod c2pa_validate;
pub(crate) mod cmp;
pub(crate) mod ocsp;

/// What to benchmark.
#[derive(Debug, Subcommand)]
pub(crate) enum Target {
    /// `signet serve` under concurrent CMP load (PBM ir+certConf, signature cr+certConf), next
    /// to OpenSSL 3.0's mock server, in a private network namespace.
    Cmp(cmp::Args),
    /// `signet serve`'s OCSP responder answering from memory under concurrent load.
    Ocsp(ocsp::Args),
    /// C2PA signing and validation speed, peak RSS and hashing throughput against the reference
    /// SDK (c2pa-python).
    C2pa,
}

pub(crate) fn run(target: Target) -> Result<()> {
    match target {
        Target::Cmp(args) => cmp::run(&args),
        Target::Ocsp(args) => ocsp::run(&args),
        Target::C2pa => in_release("c2pa", c2pa),
    }
}

fn c2pa() -> Result<()> {
    let sign = c2pa_sign::run();
    let validate = c2pa_validate::run();
    match (sign, validate) {
        (Ok(()), Ok(())) => Ok(()),
        (Err(e), Ok(())) | (Ok(()), Err(e)) => Err(e),
        (Err(s), Err(v)) => bail!("signing: {s:#}; validation: {v:#}"),
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
