//! `signet-cmp-protocol`: placeholder root; see ARCHITECTURE.md for this crate's role.
#![forbid(unsafe_code)]

pub mod mac;
pub mod protection;
pub mod server;
