//! Signet's RA/CA server and C2PA tools: the wiring of the Signet libraries with the I/O they
//! leave out (sockets, files, the clock, SQLite) — the `signet` binary is [`cli::run`].
//!
//! Other servers embed the RA/CA through [`embed`]: open a data directory and hand it HTTP
//! requests next to their own routes. What this crate does **not** do: its protocol and policy
//! decisions are those of the layers it wires (`signet-cmp-protocol`, `signet-ra-policy`,
//! `signet-ca-signer`, `signet-c2pa-*`); it is not published on its own (the layers are).
#![allow(
    clippy::disallowed_methods,
    clippy::disallowed_types,
    reason = "the binary's library: I/O lives here"
)]
#![deny(missing_docs)]

mod admin;
mod api;
mod audit;
mod c2pa;
pub mod cli;
mod cmp;
pub mod embed;
mod keys;
mod operator;
mod password;
mod pki;
mod portal;
mod revocation;
mod seal;
mod serve;
mod store;
mod sweep;
mod tsa;
mod web;
