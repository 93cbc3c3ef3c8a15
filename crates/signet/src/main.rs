//! The `signet` binary: thin wiring of the Signet libraries (CLI, sockets, files, clock).
#![allow(
    clippy::disallowed_methods,
    clippy::disallowed_types,
    reason = "binary: I/O lives here"
)]

fn main() {}
