//! Regression test of the validator's hashing budget: the shape hostile testing reported (a
//! 9.3 MB JPEG whose claim lists 10,000 hashed URIs to one 8 MiB assertion kept `signet c2pa
//! verify` busy for 48 s, hashing 80 GiB). Every reference is still checked, but the
//! assertion is hashed once, so the validator hashes about the asset's size in all.

use std::path::PathBuf;

use signet_c2pa_model::HashAlg;
use signet_c2pa_model::container::Format;
use signet_c2pa_model::cose::SignOptions;
use signet_c2pa_validate::binding::{HashProvider, IncrementalHash, Sha2Hashes};
use signet_c2pa_validate::status::StatusCode;
use signet_c2pa_validate::trust::{ID_KP_CLAIM_SIGNING, TrustConfig};
use signet_c2pa_validate::{ValidationState, Validator};
use signet_crypto::{SystemRng, Verifier};

use crate::pki::{Pki, at, now_secs};

#[path = "../support/amplified.rs"]
mod amplified;
#[path = "../support/counting.rs"]
mod counting;
use counting::Counting;

#[test]
fn ten_thousand_references_to_one_8_mib_assertion_hash_it_once() {
    let source = std::fs::read(
        PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("../../tests/upstream/vectors/c2pa/rs/no_manifest.jpg"),
    )
    .unwrap();
    let pki = Pki::new(now_secs() - 3_600);
    let chain = pki.x5chain();
    let sign = SignOptions {
        signer: &pki.leaf.key,
        chain: &chain,
        timestamper: None,
        ocsp_vals: &[],
    };
    let asset =
        amplified::amplified_jpeg(&source, &sign, &SystemRng::new(), 10_000, 8 << 20).unwrap();
    let size = u64::try_from(asset.len()).unwrap();
    assert!((9_000_000..9_600_000).contains(&size), "{size} bytes");

    let mut trust = TrustConfig::new();
    trust
        .add_signer_anchors(ID_KP_CLAIM_SIGNING, &pki.root.der())
        .unwrap();
    let hashes = Counting::default();
    let mut validator = Validator::new(&trust, &Verifier, at(now_secs()));
    validator.hashes = &hashes;
    let report = validator
        .validate_asset(Format::Jpeg, std::io::Cursor::new(asset))
        .unwrap();

    // Judged in time proportional to its size: the image once for its data hash and the
    // assertion once for all its references.
    let hashed = hashes.bytes();
    // At least the assertion, and less than twice it: hashed exactly once.
    assert!(
        (8 << 20..2 * (8 << 20)).contains(&hashed) && hashed <= size,
        "{hashed} bytes hashed for a {size}-byte asset"
    );
    // One hash per box, not per reference.
    assert!(hashes.starts() < 100, "{} hashes started", hashes.starts());

    // Every failure is named: the references over the assertion cap, and the claim signature
    // (over the original claim). Everything else holds: the data hash, and each of the
    // 10,000 references checked.
    assert_eq!(report.state, ValidationState::Invalid);
    let failures: Vec<_> = report
        .active
        .failure
        .iter()
        .map(|s| s.code.clone())
        .collect();
    assert_eq!(
        failures,
        [StatusCode::ClaimSignatureMismatch, StatusCode::GeneralError],
        "{:?}",
        report.active.failure
    );
    assert!(
        report.active.failure[1]
            .explanation
            .as_deref()
            .is_some_and(|e| e.contains("more than 10000 assertions"))
    );
    assert!(report.active.has(&StatusCode::AssertionDataHashMatch));
    let matched = report
        .active
        .success
        .iter()
        .filter(|s| {
            s.code == StatusCode::AssertionHashedUriMatch
                && s.url
                    .as_deref()
                    .is_some_and(|u| u.ends_with(amplified::LABEL))
        })
        .count();
    assert!(
        matched > 9_990,
        "{matched} references to the assertion matched"
    );
}

/// A URI the claim repeats is resolved once, but each reference is still checked against its
/// own hash and gets its own status: one wrong hash among four references to one assertion is
/// one `assertion.hashedURI.mismatch` beside three matches.
#[test]
fn each_repeated_reference_is_checked_against_its_own_hash() {
    use signet_c2pa_model::container::{ContainerLimits, locate};
    use signet_c2pa_model::generator::app11_segments;
    use signet_c2pa_model::jumbf::Limits;
    use signet_c2pa_model::store::ManifestStore;

    let source = std::fs::read(
        PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("../../tests/upstream/vectors/c2pa/rs/no_manifest.jpg"),
    )
    .unwrap();
    let pki = Pki::new(now_secs() - 3_600);
    let chain = pki.x5chain();
    let sign = SignOptions {
        signer: &pki.leaf.key,
        chain: &chain,
        timestamper: None,
        ocsp_vals: &[],
    };
    // The assertion's own reference and three more.
    let asset = amplified::amplified_jpeg(&source, &sign, &SystemRng::new(), 3, 4096).unwrap();

    // The last reference's hash, one bit off: same length, so every box keeps its size.
    let found = locate(Format::Jpeg, asset.as_slice(), &ContainerLimits::default())
        .unwrap()
        .unwrap();
    let store = ManifestStore::from_bytes(found.store.clone(), &Limits::default()).unwrap();
    let (claim, _) = store.active_manifest().unwrap().claim_cbor().unwrap();
    let claim_at = found
        .store
        .windows(claim.len())
        .position(|w| w == claim)
        .unwrap();
    let mut value: ciborium::Value = ciborium::from_reader(claim).unwrap();
    let list = value
        .as_map_mut()
        .unwrap()
        .iter_mut()
        .find(|(k, _)| k.as_text() == Some("created_assertions"))
        .unwrap()
        .1
        .as_array_mut()
        .unwrap();
    let last = list.last_mut().unwrap().as_map_mut().unwrap();
    let hash = last
        .iter_mut()
        .find(|(k, _)| k.as_text() == Some("hash"))
        .unwrap();
    let ciborium::Value::Bytes(bytes) = &mut hash.1 else {
        panic!("hash is not a byte string");
    };
    bytes[0] ^= 1;
    let mut new_claim = Vec::new();
    ciborium::into_writer(&value, &mut new_claim).unwrap();
    assert_eq!(new_claim.len(), claim.len());
    let mut new_store = found.store.clone();
    new_store[claim_at..claim_at + claim.len()].copy_from_slice(&new_claim);
    let start = usize::try_from(found.ranges[0].start).unwrap();
    let end = usize::try_from(found.ranges.last().unwrap().end).unwrap();
    let mut tampered = asset[..start].to_vec();
    for segment in app11_segments(&new_store).unwrap() {
        tampered.extend_from_slice(&segment);
    }
    tampered.extend_from_slice(&asset[end..]);
    assert_eq!(tampered.len(), asset.len());

    let trust = TrustConfig::new();
    let report = Validator::new(&trust, &Verifier, at(now_secs()))
        .validate_asset(Format::Jpeg, std::io::Cursor::new(tampered))
        .unwrap();
    let about = |code: StatusCode| {
        report
            .active
            .iter()
            .filter(|s| {
                s.code == code
                    && s.url
                        .as_deref()
                        .is_some_and(|u| u.ends_with(amplified::LABEL))
            })
            .count()
    };
    assert_eq!(about(StatusCode::AssertionHashedUriMatch), 3);
    assert_eq!(about(StatusCode::AssertionHashedUriMismatch), 1);
    assert!(
        report
            .active
            .failure
            .iter()
            .any(|s| s.code == StatusCode::ClaimSignatureMismatch)
    );
}
