//! Unit tests of trust configuration parsing.
#![allow(
    clippy::disallowed_methods,
    reason = "tests read the specification and trust lists from tests/upstream"
)]

use super::{
    DEFAULT_SIGNER_EKUS, ID_KP_CLAIM_SIGNING, ID_KP_EMAIL_PROTECTION, TrustConfig,
    certificates_from_pem, ekus_from_config,
};

fn upstream() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/upstream")
}

#[test]
fn the_official_lists_load() {
    let dir = upstream().join("spec/c2pa-conformance");
    let signers = std::fs::read(dir.join("C2PA-TRUST-LIST.pem")).unwrap();
    let tsas = std::fs::read(dir.join("C2PA-TSA-TRUST-LIST.pem")).unwrap();
    let mut trust = TrustConfig::new();
    let n = trust
        .add_signer_anchors(ID_KP_CLAIM_SIGNING, &signers)
        .unwrap();
    assert!(n > 10, "{n} signer anchors");
    assert_eq!(n, certificates_from_pem(&signers).unwrap().len());
    let t = trust.add_tsa_anchors(&tsas).unwrap();
    assert!(t > 0);
    assert_eq!(trust.tsa_anchors().len(), t);
    // Anchors are used only for the EKU they were added for.
    assert_eq!(
        trust
            .signer_anchors_for(&[ID_KP_CLAIM_SIGNING])
            .unwrap()
            .len(),
        n
    );
    assert_eq!(
        trust
            .signer_anchors_for(&[ID_KP_EMAIL_PROTECTION])
            .unwrap()
            .len(),
        0
    );
    assert!(trust.signer_anchors_for(&[]).is_none());
}

#[test]
fn eku_config_reads_the_reference_format() {
    let text = "//id-kp-emailProtection \n1.3.6.1.5.5.7.3.4\n\n// C2PA Signing Cert\n1.3.6.1.4.1.62558.2.1 // trailing\n";
    let ekus = ekus_from_config(text).unwrap();
    assert_eq!(ekus, vec![ID_KP_EMAIL_PROTECTION, ID_KP_CLAIM_SIGNING]);
    assert!(ekus_from_config("not-an-oid").is_err());
}

#[test]
fn accepted_ekus_default_and_replace() {
    let mut trust = TrustConfig::new();
    assert_eq!(trust.accepted_ekus().count(), DEFAULT_SIGNER_EKUS.len());
    trust.set_accepted_ekus(&[ID_KP_CLAIM_SIGNING]);
    assert_eq!(
        trust.accepted_ekus().copied().collect::<Vec<_>>(),
        vec![ID_KP_CLAIM_SIGNING]
    );
    assert!(
        trust
            .signer_anchors_for(&[ID_KP_EMAIL_PROTECTION])
            .is_none()
    );
}

#[test]
fn pem_noise_is_skipped_and_broken_pem_refused() {
    let text = b"Subject: something\nnot a cert\n";
    assert!(certificates_from_pem(text).unwrap().is_empty());
    let broken = b"-----BEGIN CERTIFICATE-----\nAAAA\n";
    assert!(certificates_from_pem(broken).is_err());
    let bad_base64 = b"-----BEGIN CERTIFICATE-----\n!!!!\n-----END CERTIFICATE-----\n";
    assert!(certificates_from_pem(bad_base64).is_err());
}
