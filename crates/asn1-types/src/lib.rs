//! `signet-asn1-types`: placeholder root; see ARCHITECTURE.md for this crate's role.
#![forbid(unsafe_code)]
