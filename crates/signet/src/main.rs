//! The `signet` binary: thin wiring of the Signet libraries (CLI, sockets, files, clock).
#![allow(
    clippy::disallowed_methods,
    clippy::disallowed_types,
    reason = "binary: I/O lives here"
)]

mod c2pa;

use clap::{Parser, Subcommand};

/// Signet command line.
#[derive(Debug, Parser)]
#[command(
    name = "signet",
    version,
    about = "Signet: a PKI for content provenance"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

/// Top-level commands.
#[derive(Debug, Subcommand)]
enum Command {
    /// C2PA manifests: sign and verify assets.
    #[command(subcommand)]
    C2pa(c2pa::C2paCommand),
}

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    match cli.command {
        Command::C2pa(command) => std::process::exit(c2pa::run(command)),
    }
}
