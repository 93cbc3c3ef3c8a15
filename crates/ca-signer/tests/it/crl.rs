//! CRLs from `prepare_crl`/`sign_crl`, checked by `openssl crl -verify` and pkilint's
//! `lint_crl` (PKIX and BR profiles; CRL for the claim-signing CA, ARL for the root).

use std::time::Duration;

use signet_asn1_types::der::{DateTime, Encode};
use signet_asn1_types::x509_cert::ext::pkix::CrlReason;
use signet_ca_signer::crl::{CrlProfile, CrlRequest, RevokedEntry, prepare_crl, sign_crl};

use crate::chain::hierarchy;
use crate::support::{now, openssl, pem, pkilint, write};

fn days_from_now(days: u64) -> DateTime {
    DateTime::from_unix_duration(now().unix_duration() + Duration::from_secs(days * 86_400))
        .unwrap()
}

#[test]
fn crls_verify_with_openssl_and_lint_clean() {
    let h = hierarchy();
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();

    // CRL of the claim-signing CA listing the AL1 leaf (keyCompromise) and the AL2 leaf
    // (no reason).
    let mut request = CrlRequest::new(42, now(), days_from_now(7));
    request.revoked = vec![
        RevokedEntry {
            serial: h.al1.cert.tbs_certificate().serial_number().clone(),
            revocation_date: now(),
            reason: Some(CrlReason::KeyCompromise),
        },
        RevokedEntry {
            serial: h.al2.cert.tbs_certificate().serial_number().clone(),
            revocation_date: now(),
            reason: None,
        },
    ];
    let linted = prepare_crl(
        &request,
        &h.claim_ca.issuer("claim-ca"),
        &CrlProfile::subscriber(),
    )
    .unwrap();
    let crl = sign_crl(linted, &h.claim_ca.key).unwrap();
    let crl_pem = write(d, "claim-ca.crl", pem("X509 CRL", &crl.to_der().unwrap()));
    let ca_pem = write(d, "claim-ca.pem", pem("CERTIFICATE", &h.claim_ca.der()));
    let (ok, out) = openssl(&[
        "crl",
        "-in",
        crl_pem.to_str().unwrap(),
        "-CAfile",
        ca_pem.to_str().unwrap(),
        "-verify",
        "-noout",
        "-text",
    ]);
    assert!(ok && out.contains("verify OK"), "{out}");
    assert!(
        out.contains("X509v3 CRL Number") && out.contains("42"),
        "{out}"
    );
    assert!(out.contains("Key Compromise"), "{out}");
    pkilint("lint_crl", &["-t", "CRL", "-p", "PKIX"], &[&crl_pem], &[]);
    pkilint("lint_crl", &["-t", "CRL", "-p", "BR"], &[&crl_pem], &[]);

    // The root's ARL listing the TSA CA (cessationOfOperation), under the CA profile.
    let mut request = CrlRequest::new(1, now(), days_from_now(300));
    request.revoked = vec![RevokedEntry {
        serial: h.tsa_ca.cert.tbs_certificate().serial_number().clone(),
        revocation_date: now(),
        reason: Some(CrlReason::CessationOfOperation),
    }];
    let linted = prepare_crl(&request, &h.root.issuer("root"), &CrlProfile::ca()).unwrap();
    let arl = sign_crl(linted, &h.root.key).unwrap();
    let arl_pem = write(d, "root.crl", pem("X509 CRL", &arl.to_der().unwrap()));
    let root_pem = write(d, "root.pem", pem("CERTIFICATE", &h.root.der()));
    let (ok, out) = openssl(&[
        "crl",
        "-in",
        arl_pem.to_str().unwrap(),
        "-CAfile",
        root_pem.to_str().unwrap(),
        "-verify",
        "-noout",
    ]);
    assert!(ok && out.contains("verify OK"), "{out}");
    pkilint("lint_crl", &["-t", "ARL", "-p", "PKIX"], &[&arl_pem], &[]);
    pkilint("lint_crl", &["-t", "ARL", "-p", "BR"], &[&arl_pem], &[]);

    // openssl rejects the CRL under the wrong CA: the check above is not vacuous.
    let (ok, out) = openssl(&[
        "crl",
        "-in",
        crl_pem.to_str().unwrap(),
        "-CAfile",
        root_pem.to_str().unwrap(),
        "-verify",
        "-noout",
    ]);
    assert!(!ok || !out.contains("verify OK"), "{out}");
}
