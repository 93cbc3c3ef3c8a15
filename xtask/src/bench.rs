//! `cargo xtask bench <cmp|c2pa>`: benchmarks that check the speed and memory targets (never
//! timed tests). `bench c2pa` runs the signing benchmark (`bench/c2pa_sign.rs`; the validation
//! benchmark `bench/c2pa_validate.rs` follows it when both are merged).
//!
//! Benchmarks run in release: a debug `xtask` re-executes itself with `cargo run --release`.

use anyhow::{Result, bail};

pub(crate) mod c2pa_sign;

/// Runs the named benchmark.
pub(crate) fn run(target: &str) -> Result<()> {
    if cfg!(debug_assertions) {
        let status = std::process::Command::new(crate::cargo())
            .args([
                "run",
                "--release",
                "-q",
                "-p",
                "xtask",
                "--",
                "bench",
                target,
            ])
            .current_dir(crate::project_root())
            .status()?;
        if !status.success() {
            bail!("bench {target} failed ({status})");
        }
        return Ok(());
    }
    match target {
        "c2pa" => c2pa_sign::run(),
        other => bail!("unknown benchmark `{other}` (c2pa)"),
    }
}
