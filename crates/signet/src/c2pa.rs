//! `signet c2pa ...`: C2PA subcommands, one file per subcommand under `c2pa/`.

use clap::Subcommand;

mod http;
pub(crate) mod sign;
pub(crate) mod verify;

/// C2PA subcommands.
#[derive(Debug, Subcommand)]
pub(crate) enum C2paCommand {
    /// Sign an asset: build its C2PA manifest, sign it with a C2PA claim-signing certificate,
    /// optionally time-stamp it and staple OCSP responses, and embed it (or write a sidecar).
    Sign(sign::SignArgs),
    /// Validate an asset's C2PA manifest (C2PA 2.2 §15) and report its state.
    Verify(verify::VerifyArgs),
}

/// Runs a C2PA subcommand; returns the process exit status.
pub(crate) fn run(command: C2paCommand) -> i32 {
    match command {
        C2paCommand::Sign(args) => sign::main(&args),
        C2paCommand::Verify(args) => verify::main(&args),
    }
}
