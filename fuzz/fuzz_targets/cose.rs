//! Fuzz target: claim-signature validation (COSE_Sign1 parsing, x5chain, profile, path
//! building, RFC 3161 time-stamps, stapled OCSP). The first two bytes give the length of the
//! claim bytes that follow; the rest is the COSE_Sign1. Any input yields status codes, never a
//! panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use signet_asn1_types::der::DateTime;
use signet_c2pa_validate::signature::validate_claim_signature;
use signet_c2pa_validate::trust::TrustConfig;

fuzz_target!(|data: &[u8]| {
    let Some((len, rest)) = data.split_first_chunk::<2>() else {
        return;
    };
    let len = usize::from(u16::from_be_bytes(*len)).min(rest.len());
    let (claim, cose) = rest.split_at(len);
    let trust = TrustConfig::new();
    let at = DateTime::from_unix_duration(core::time::Duration::from_secs(1_780_000_000)).unwrap();
    let (codes, _) = validate_claim_signature(cose, claim, &trust, &signet_crypto::Verifier, at);
    assert!(!codes.is_empty(), "every claim signature gets at least one code");
});
