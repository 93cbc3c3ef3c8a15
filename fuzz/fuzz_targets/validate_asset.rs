//! Fuzz target: the per-format manifest-store locators (JPEG APP11, PNG caBX, ISO BMFF uuid,
//! sidecar) and the whole validator behind them (store, claims, assertions, ingredients, data
//! and BMFF hashing over a `Read + Seek` asset). The first byte picks the format. Any input
//! yields a report or a structured error, never a panic or unbounded work.
#![no_main]

use libfuzzer_sys::fuzz_target;
use signet_asn1_types::der::DateTime;
use signet_c2pa_model::container::{self, ContainerLimits, Format};
use signet_c2pa_validate::trust::TrustConfig;
use signet_c2pa_validate::{Limits, Validator};

fuzz_target!(|data: &[u8]| {
    let Some((&selector, asset)) = data.split_first() else {
        return;
    };
    let format = match selector % 4 {
        0 => Format::Jpeg,
        1 => Format::Png,
        2 => Format::Bmff,
        _ => Format::Sidecar,
    };
    let limits = ContainerLimits::default();
    let _ = container::locate(format, asset, &limits);
    let trust = TrustConfig::new();
    let at = DateTime::from_unix_duration(core::time::Duration::from_secs(1_780_000_000)).unwrap();
    let mut validator = Validator::new(&trust, &signet_crypto::Verifier, at);
    validator.limits = Limits::default();
    let _ = validator.validate_asset(format, std::io::Cursor::new(asset));
});
