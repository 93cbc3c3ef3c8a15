//! `signet-cmp-protocol`: the sans-I/O CMP engine (RFC 9810, the profile of RFC 9483) —
//! message protection, the server-side transaction steps and a client.
//!
//! What this crate does **not** do: send or receive bytes (HTTP per RFC 9811 lives in the
//! binary), read the clock or decide policy. Time is a parameter, randomness and keys come
//! through the traits of `signet_asn1_types::crypto`, and decisions (who is this sender, may
//! they have this certificate) are the caller's.
#![forbid(unsafe_code)]

pub mod certhash;
pub mod client;
pub mod general;
pub mod mac;
pub mod protection;
pub mod server;
