//! Bounds on attacker-controlled sizes and counts in what the signer is asked to sign, each with
//! its source. Requests beyond them are refused by a lint, never truncated.

/// Most attribute values in a subject DN. RFC 5280 sets no bound; the C2PA profiles need three
/// (C, O, CN) and the profiles allow at most seven kinds, each once.
pub const MAX_SUBJECT_ATTRIBUTES: usize = 16;

/// Most names in a subject alternative name. RFC 5280 sets no bound; a claim-signing or CMP
/// certificate names one product or service, and Let's Encrypt caps TLS certificates at 100.
pub const MAX_SAN_ENTRIES: usize = 100;

/// Longest `dNSName` (RFC 1035 §2.3.4: 255 octets on the wire, 253 in text form).
pub const MAX_DNS_NAME_LEN: usize = 253;

/// Longest `rfc822Name` or URI accepted in a subject alternative name or access location
/// (RFC 5280 `ub-emailaddress-length` is 255; the same bound is applied to URIs).
pub const MAX_IA5_NAME_LEN: usize = 255;

/// Largest RSA modulus accepted, in bits (aws-lc-rs verifies up to 8192; larger keys only cost
/// the verifier time).
pub const MAX_RSA_MODULUS_BITS: u32 = 8192;

/// Most entries in one CRL. RFC 5280 sets no bound; beyond this a CA should shard its CRLs
/// (CA/B BR §4.9.7 permits partitioned CRLs), and the bound keeps one CRL under a few MB.
pub const MAX_CRL_ENTRIES: usize = 100_000;
