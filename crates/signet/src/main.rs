//! The `signet` binary: thin wiring of the Signet libraries (CLI, sockets, files, clock).
#![allow(
    clippy::disallowed_methods,
    clippy::disallowed_types,
    reason = "binary: I/O lives here"
)]

use clap::Parser;

/// Signet command line.
#[derive(Debug, Parser)]
#[command(
    name = "signet",
    version,
    about = "Signet: a PKI for content provenance"
)]
struct Cli {}

fn main() -> anyhow::Result<()> {
    let _cli = Cli::parse();
    Ok(())
}
