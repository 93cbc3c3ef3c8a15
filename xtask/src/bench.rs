//! `cargo xtask bench <target>`: benchmarks, which check the speed and memory targets (never
//! timed tests). `bench cmp` runs [`cmp`] (the CMP server against OpenSSL's mock server).

use anyhow::Result;
use clap::Subcommand;

pub(crate) mod cmp;

/// What to benchmark.
#[derive(Debug, Subcommand)]
pub(crate) enum Target {
    /// `signet serve` under concurrent CMP load (PBM ir+certConf, signature cr+certConf), next
    /// to OpenSSL 3.0's mock server, in a private network namespace.
    Cmp(cmp::Args),
}

pub(crate) fn run(target: Target) -> Result<()> {
    match target {
        Target::Cmp(args) => cmp::run(&args),
    }
}
