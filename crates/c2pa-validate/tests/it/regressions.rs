//! Replays the fuzzer inputs of `tests/regressions/` through the same entry points as the fuzz
//! targets: each yields codes or a report, never a panic.

use std::path::PathBuf;

use signet_asn1_types::der::DateTime;
use signet_c2pa_model::container::Format;
use signet_c2pa_validate::Validator;
use signet_c2pa_validate::signature::validate_claim_signature;
use signet_c2pa_validate::trust::TrustConfig;
use signet_crypto::Verifier;

fn inputs(target: &str) -> Vec<Vec<u8>> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/regressions")
        .join(target);
    let mut out: Vec<Vec<u8>> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| std::fs::read(e.unwrap().path()).unwrap())
        .collect();
    out.sort();
    out
}

fn at() -> DateTime {
    DateTime::from_unix_duration(core::time::Duration::from_secs(1_780_000_000)).unwrap()
}

#[test]
fn cose_regressions_give_codes() {
    let all = inputs("cose");
    assert!(!all.is_empty());
    for data in all {
        let Some((len, rest)) = data.split_first_chunk::<2>() else {
            continue;
        };
        let len = usize::from(u16::from_be_bytes(*len)).min(rest.len());
        let (claim, cose) = rest.split_at(len);
        let (codes, _) =
            validate_claim_signature(cose, claim, &TrustConfig::new(), &Verifier, at());
        assert!(!codes.is_empty());
    }
}

#[test]
fn validate_asset_regressions_give_a_result() {
    let all = inputs("validate_asset");
    assert!(!all.is_empty());
    let trust = TrustConfig::new();
    let validator = Validator::new(&trust, &Verifier, at());
    for data in all {
        let Some((&selector, asset)) = data.split_first() else {
            continue;
        };
        let format = match selector % 4 {
            0 => Format::Jpeg,
            1 => Format::Png,
            2 => Format::Bmff,
            _ => Format::Sidecar,
        };
        let _ = validator.validate_asset(format, std::io::Cursor::new(asset));
    }
}
