//! Cross-check with the C2PA reference SDK (c2pa-python): assets it signs with certificates from
//! the Signet CA's profiles validate with Signet with the same state and codes, untouched and
//! tampered (content, an assertion, the parent ingredient's manifest).

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

use signet_c2pa_model::container::Format;
use signet_c2pa_validate::trust::{TrustConfig, ekus_from_config};
use signet_c2pa_validate::{Report, Validator};
use signet_crypto::Verifier;

use crate::pki::{Pki, at, now_secs};

pub(crate) fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

pub(crate) fn python() -> PathBuf {
    let status = Command::new("bash")
        .arg(root().join("scripts/python-peers.sh"))
        .status()
        .unwrap();
    assert!(status.success());
    std::env::var_os("SIGNET_PY_PEERS")
        .map_or_else(|| root().join("target/py-peers"), PathBuf::from)
        .join("bin/python")
}

fn peer(args: &[&Path]) -> String {
    let out = Command::new(python())
        .arg(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/peers/peer.py"))
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "peer {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

pub(crate) fn pem(label: &str, der: &[u8]) -> String {
    signet_asn1_types::der::pem::encode_string(
        label,
        signet_asn1_types::der::pem::LineEnding::LF,
        der,
    )
    .unwrap()
}

/// Signet's view: state, active codes, delta failures (as the peer prints them).
pub(crate) fn signet_view(report: &Report) -> serde_json::Value {
    let set = |l: &[signet_c2pa_validate::Status]| -> Vec<String> {
        l.iter()
            .map(|s| s.code.as_str().to_owned())
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect()
    };
    let deltas: BTreeSet<String> = report
        .ingredient_deltas
        .iter()
        .flat_map(|d| {
            d.validation_deltas
                .failure
                .iter()
                .map(|s| s.code.as_str().to_owned())
        })
        .collect();
    serde_json::json!({
        "validation_state": report.state.as_str(),
        "success": set(&report.active.success),
        "informational": set(&report.active.informational),
        "failure": set(&report.active.failure),
        "delta_failure": deltas,
    })
}

#[test]
fn reference_sdk_signed_assets_validate_alike() {
    let now = now_secs();
    let pki = Pki::new(now - 86_400);
    let dir = tempfile::tempdir().unwrap();
    let p = |f: &str| dir.path().join(f);
    let chain: String = pki
        .x5chain()
        .iter()
        .map(|c| pem("CERTIFICATE", c))
        .collect();
    std::fs::write(p("chain.pem"), chain).unwrap();
    std::fs::write(p("leaf.key"), pem("PRIVATE KEY", &pki.leaf.pkcs8)).unwrap();
    std::fs::write(p("root.pem"), pem("CERTIFICATE", &pki.root.der())).unwrap();
    let eku_cfg = root().join("tests/upstream/vectors/c2pa/trust/eku.cfg");
    let src = root().join("tests/upstream/vectors/c2pa/rs/no_manifest.jpg");

    // A created asset, and an edit of it with the first as parent ingredient.
    peer(&[
        Path::new("sign"),
        &src,
        &p("parent.jpg"),
        &p("chain.pem"),
        &p("leaf.key"),
        &eku_cfg,
    ]);
    peer(&[
        Path::new("sign"),
        &src,
        &p("child.jpg"),
        &p("chain.pem"),
        &p("leaf.key"),
        &eku_cfg,
        &p("parent.jpg"),
    ]);

    // Tampered copies.
    let child = std::fs::read(p("child.jpg")).unwrap();
    let mut content = child.clone();
    let n = content.len();
    content[n - 10] ^= 0x40;
    std::fs::write(p("content.jpg"), &content).unwrap();
    // A byte inside the active manifest's actions assertion (the trailing hash of its
    // ingredient reference), and one inside the parent ingredient's claim.
    let located = signet_c2pa_model::container::locate(
        Format::Jpeg,
        child.as_slice(),
        &signet_c2pa_model::container::ContainerLimits::default(),
    )
    .unwrap()
    .unwrap();
    let store = signet_c2pa_model::ManifestStore::from_bytes(
        located.store,
        &signet_c2pa_model::jumbf::Limits::default(),
    )
    .unwrap();
    let flip = |needle: &[u8], from_end: usize, name: &str| {
        let i = child
            .windows(needle.len())
            .position(|w| w == needle)
            .unwrap();
        let mut out = child.clone();
        out[i + needle.len() - from_end] ^= 0x01;
        std::fs::write(p(name), out).unwrap();
    };
    let active = store.active_manifest().unwrap();
    let actions = active
        .assertions()
        .find(|a| a.label().is_some_and(|l| l.starts_with("c2pa.actions")))
        .unwrap();
    flip(
        store.content(actions.plain_boxes().next().unwrap()),
        5,
        "actions.jpg",
    );
    let parent = store.manifests().next().unwrap();
    // Inside the hash of the parent claim's first assertion reference.
    let first_hash = parent.claim().unwrap().created_assertions[0].hash.clone();
    flip(&first_hash, first_hash.len() / 2, "parent_claim.jpg");

    // Another signed asset, whose manifest will be swapped in for the parent ingredient's.
    peer(&[
        Path::new("sign"),
        &src,
        &p("other.jpg"),
        &p("chain.pem"),
        &p("leaf.key"),
        &eku_cfg,
    ]);

    let mut trust = TrustConfig::new();
    trust
        .set_accepted_ekus(&ekus_from_config(&std::fs::read_to_string(&eku_cfg).unwrap()).unwrap());
    trust
        .add_signer_anchors_for_accepted_ekus(&pki.root.der())
        .unwrap();
    let validator = Validator::new(&trust, &Verifier, at(now));
    for name in [
        "parent.jpg",
        "child.jpg",
        "content.jpg",
        "actions.jpg",
        "parent_claim.jpg",
    ] {
        let reference: serde_json::Value = serde_json::from_str(&peer(&[
            Path::new("read"),
            &p(name),
            &p("root.pem"),
            &eku_cfg,
        ]))
        .unwrap();
        let bytes = std::fs::read(p(name)).unwrap();
        let report = validator
            .validate_asset(Format::Jpeg, std::io::Cursor::new(bytes))
            .unwrap();
        let ours = signet_view(&report);
        assert_eq!(
            ours["validation_state"], reference["validation_state"],
            "{name}: ours {ours} reference {reference}"
        );
        assert_eq!(
            ours["failure"], reference["failure"],
            "{name}: ours {ours} reference {reference}"
        );
        assert_eq!(
            ours["delta_failure"], reference["delta_failure"],
            "{name}: ours {ours} reference {reference}"
        );
        assert_eq!(
            ours["success"], reference["success"],
            "{name}: ours {ours} reference {reference}"
        );
        assert_eq!(
            ours["informational"], reference["informational"],
            "{name}: ours {ours} reference {reference}"
        );
    }
}
