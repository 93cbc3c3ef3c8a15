//! OCSP responses from `prepare_ocsp_response`/`sign_ocsp_response`, signed by the delegated
//! responder of the claim-signing CA, checked by `openssl ocsp -respin` (signature, responder
//! authorisation, status per certificate) and pkilint's `lint_ocsp_response`.

use std::time::Duration;

use signet_asn1_types::algorithm::DigestAlgorithm;
use signet_asn1_types::crypto::Signer as _;
use signet_asn1_types::der::{DateTime, Encode};
use signet_asn1_types::ocsp::OcspNonce;
use signet_asn1_types::x509_cert::ext::pkix::CrlReason;
use signet_ca_signer::ocsp::{
    CertificateStatus, OcspProfile, OcspResponseRequest, Responder, SingleStatus, cert_id,
    prepare_ocsp_response, sign_ocsp_response,
};

use crate::chain::hierarchy;
use crate::support::{now, openssl, pem, pkilint, write};

fn hours_from_now(hours: u64) -> DateTime {
    DateTime::from_unix_duration(now().unix_duration() + Duration::from_secs(hours * 3600)).unwrap()
}

#[test]
fn ocsp_responses_verify_with_openssl_and_lint_clean() {
    let h = hierarchy();
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let issuer = h.claim_ca.issuer("claim-ca");
    let responder = Responder::delegated(&issuer, &h.ocsp.cert, h.ocsp.key.algorithm()).unwrap();
    let serial_of = |c: &crate::support::Issued| c.cert.tbs_certificate().serial_number().clone();
    let revoked_at = now();
    let request = OcspResponseRequest {
        produced_at: now(),
        responses: vec![
            SingleStatus {
                cert_id: cert_id(&issuer, &serial_of(&h.al1), DigestAlgorithm::Sha1).unwrap(),
                status: CertificateStatus::Good,
                this_update: now(),
                next_update: Some(hours_from_now(96)),
            },
            SingleStatus {
                cert_id: cert_id(&issuer, &serial_of(&h.al2), DigestAlgorithm::Sha1).unwrap(),
                status: CertificateStatus::Revoked {
                    time: revoked_at,
                    reason: Some(CrlReason::KeyCompromise),
                },
                this_update: now(),
                next_update: Some(hours_from_now(96)),
            },
            SingleStatus {
                cert_id: cert_id(&issuer, &serial_of(&h.cmp_ca), DigestAlgorithm::Sha1).unwrap(),
                status: CertificateStatus::Unknown,
                this_update: now(),
                next_update: Some(hours_from_now(96)),
            },
        ],
        nonce: Some(OcspNonce::new(&[0x5A; 16]).unwrap()),
    };
    let linted = prepare_ocsp_response(&request, &responder, &OcspProfile::c2pa()).unwrap();
    let response = sign_ocsp_response(linted, &h.ocsp.key).unwrap();
    let resp = write(d, "resp.der", response.to_der().unwrap());
    let chain = write(
        d,
        "chain.pem",
        format!(
            "{}{}{}",
            pem("CERTIFICATE", &h.root.der()),
            pem("CERTIFICATE", &h.intermediate.der()),
            pem("CERTIFICATE", &h.claim_ca.der())
        ),
    );
    let ca = write(d, "claim-ca.pem", pem("CERTIFICATE", &h.claim_ca.der()));
    let al1 = write(d, "al1.pem", pem("CERTIFICATE", &h.al1.der()));
    let al2 = write(d, "al2.pem", pem("CERTIFICATE", &h.al2.der()));
    let cmp = write(d, "cmp.pem", pem("CERTIFICATE", &h.cmp_ca.der()));
    let (ok, out) = openssl(&[
        "ocsp",
        "-respin",
        resp.to_str().unwrap(),
        "-CAfile",
        chain.to_str().unwrap(),
        "-issuer",
        ca.to_str().unwrap(),
        "-cert",
        al1.to_str().unwrap(),
        "-cert",
        al2.to_str().unwrap(),
        "-cert",
        cmp.to_str().unwrap(),
        "-no_nonce",
        "-resp_text",
    ]);
    assert!(ok && out.contains("Response verify OK"), "{out}");
    assert!(out.contains("al1.pem: good"), "{out}");
    assert!(out.contains("al2.pem: revoked"), "{out}");
    assert!(out.contains("Reason: keyCompromise"), "{out}");
    assert!(out.contains("cmp.pem: unknown"), "{out}");
    assert!(out.contains("OCSP Nonce"), "{out}");
    pkilint("lint_ocsp_response", &[], &[&resp], &[]);

    // Without the chain, the responder is not trusted: the verification above is not vacuous.
    let (_, out) = openssl(&[
        "ocsp",
        "-respin",
        resp.to_str().unwrap(),
        "-CAfile",
        ca.to_str().unwrap(),
        "-no_nonce",
    ]);
    assert!(!out.contains("Response verify OK"), "{out}");
}
