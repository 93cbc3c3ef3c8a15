//! CRL tests: a valid CRL signs and verifies; each CRL lint fails on a vector named after its
//! defect (from the request, or from a `TBSCertList` mutated after building).

use signet_asn1_types::crypto::{SignatureAlgorithm, SignatureVerifier};
use signet_asn1_types::der::asn1::{GeneralizedTime, OctetString};
use signet_asn1_types::der::{Decode, Encode};
use signet_asn1_types::x509_cert::certificate::Version;
use signet_asn1_types::x509_cert::crl::TbsCertList;
use signet_asn1_types::x509_cert::ext::Extension;
use signet_asn1_types::x509_cert::ext::pkix::CrlReason;
use signet_asn1_types::x509_cert::serial_number::SerialNumber;
use signet_asn1_types::x509_cert::time::Time;

use super::{CrlProfile, CrlRequest, RevokedEntry, build, lint_der, prepare_crl, sign_crl};
use crate::lint::LintError;
use crate::lint::tests::{at, ca_issuer, chain, now};
use crate::oid;
use crate::{Error, Issuer, IssuerUrls, prepare, sign};

fn entry(serial: &[u8], days_ago: i64, reason: Option<CrlReason>) -> RevokedEntry {
    RevokedEntry {
        serial: SerialNumber::new(serial).unwrap(),
        revocation_date: at(-days_ago, 0),
        reason,
    }
}

fn request() -> CrlRequest {
    let mut r = CrlRequest::new(7, now(), at(7, 0));
    r.revoked = vec![
        entry(&[0x41; 16], 1, Some(CrlReason::KeyCompromise)),
        entry(&[0x42; 16], 2, None),
        entry(&[0x43; 16], 0, Some(CrlReason::Superseded)),
    ];
    r
}

fn findings(request: &CrlRequest, issuer: &Issuer, profile: &CrlProfile) -> Vec<LintError> {
    match prepare_crl(request, issuer, profile) {
        Ok(_) => Vec::new(),
        Err(e) => e.findings().to_vec(),
    }
}

fn mutated(mutate: impl FnOnce(&mut TbsCertList)) -> Vec<LintError> {
    let issuer = ca_issuer();
    let mut tbs = build(&request(), &issuer).unwrap();
    mutate(&mut tbs);
    lint_der(&tbs.to_der().unwrap(), &issuer, &CrlProfile::subscriber())
}

#[track_caller]
fn assert_finding(findings: &[LintError], expected: &LintError) {
    assert!(
        findings.contains(expected),
        "expected {expected:?} among {findings:?}"
    );
}

#[test]
fn valid_crl_signs_and_verifies() {
    let issuer = ca_issuer();
    let linted = prepare_crl(&request(), &issuer, &CrlProfile::subscriber()).unwrap();
    let tbs_der = linted.tbs_der().to_vec();
    let crl = sign_crl(linted, &chain().ca).unwrap();
    assert_eq!(crl.tbs_cert_list.to_der().unwrap(), tbs_der);
    assert_eq!(
        crl.tbs_cert_list
            .revoked_certificates
            .as_ref()
            .unwrap()
            .len(),
        3
    );
    let spki = chain()
        .ca_cert
        .tbs_certificate()
        .subject_public_key_info()
        .to_der()
        .unwrap();
    let sig = crl.signature.as_bytes().unwrap();
    assert_eq!(
        signet_crypto::Verifier.verify(
            SignatureAlgorithm::EcdsaP384Sha384Asn1,
            &spki,
            &tbs_der,
            sig
        ),
        Ok(())
    );
}

#[test]
fn empty_crl_has_no_revoked_list() {
    let issuer = ca_issuer();
    let r = CrlRequest::new(1, now(), at(7, 0));
    let crl = sign_crl(
        prepare_crl(&r, &issuer, &CrlProfile::subscriber()).unwrap(),
        &chain().ca,
    )
    .unwrap();
    assert!(crl.tbs_cert_list.revoked_certificates.is_none());
}

#[test]
fn crl_number_encoding() {
    assert_eq!(CrlRequest::new(0, now(), now()).crl_number, [0]);
    assert_eq!(
        CrlRequest::new(0x1234, now(), now()).crl_number,
        [0x12, 0x34]
    );
}

#[test]
fn crl_signed_by_self_signed_issuer() {
    let f = findings(
        &request(),
        &Issuer::self_signed(SignatureAlgorithm::EcdsaP384Sha384Asn1),
        &CrlProfile::subscriber(),
    );
    assert_eq!(f, [LintError::IssuerCertificateRequired]);
}

#[test]
fn crl_issuer_without_crl_sign() {
    let c = chain();
    let leaf = sign(
        prepare(
            &crate::lint::tests::leaf_request(),
            &crate::lint::tests::al1(),
            &ca_issuer(),
            now(),
            &crate::lint::tests::serial(),
        )
        .unwrap(),
        &c.ca,
    )
    .unwrap();
    let issuer = Issuer::from_certificate(
        &leaf,
        SignatureAlgorithm::EcdsaP256Sha256Asn1,
        IssuerUrls::default(),
    )
    .unwrap();
    assert_finding(
        &findings(&request(), &issuer, &CrlProfile::subscriber()),
        &LintError::IssuerKeyUsage { bit: "cRLSign" },
    );
}

#[test]
fn crl_next_update_missing() {
    let mut r = request();
    r.next_update = None;
    assert_finding(
        &findings(&r, &ca_issuer(), &CrlProfile::subscriber()),
        &LintError::NextUpdateMissing,
    );
}

#[test]
fn crl_next_update_before_this_update() {
    let mut r = request();
    r.next_update = Some(at(-1, 0));
    assert_finding(
        &findings(&r, &ca_issuer(), &CrlProfile::subscriber()),
        &LintError::UpdateInverted,
    );
}

#[test]
fn crl_interval_11_days() {
    let mut r = request();
    r.next_update = Some(at(11, 0));
    assert_finding(
        &findings(&r, &ca_issuer(), &CrlProfile::subscriber()),
        &LintError::UpdateIntervalTooLong {
            days: 11,
            max_days: 10,
        },
    );
    // The CA profile allows it.
    assert_eq!(findings(&r, &ca_issuer(), &CrlProfile::ca()), []);
}

#[test]
fn crl_this_update_before_issuer_validity() {
    let mut r = request();
    r.this_update = at(-30, 0);
    r.next_update = Some(at(-25, 0));
    r.revoked.clear();
    assert_finding(
        &findings(&r, &ca_issuer(), &CrlProfile::subscriber()),
        &LintError::ThisUpdateOutsideIssuer,
    );
}

#[test]
fn crl_duplicate_serial() {
    let mut r = request();
    r.revoked.push(entry(&[0x41; 16], 3, None));
    assert_finding(
        &findings(&r, &ca_issuer(), &CrlProfile::subscriber()),
        &LintError::CrlDuplicateSerial,
    );
}

#[test]
fn crl_revocation_after_this_update() {
    let mut r = request();
    r.revoked.push(entry(&[0x44; 16], -1, None));
    assert_finding(
        &findings(&r, &ca_issuer(), &CrlProfile::subscriber()),
        &LintError::RevocationAfterThisUpdate,
    );
}

#[test]
fn crl_reason_unspecified() {
    let mut r = request();
    r.revoked
        .push(entry(&[0x45; 16], 1, Some(CrlReason::Unspecified)));
    assert_finding(
        &findings(&r, &ca_issuer(), &CrlProfile::subscriber()),
        &LintError::ReasonNotAllowed {
            reason: CrlReason::Unspecified,
        },
    );
}

#[test]
fn crl_reason_remove_from_crl() {
    let mut r = request();
    r.revoked
        .push(entry(&[0x46; 16], 1, Some(CrlReason::RemoveFromCRL)));
    assert_finding(
        &findings(&r, &ca_issuer(), &CrlProfile::subscriber()),
        &LintError::ReasonNotAllowed {
            reason: CrlReason::RemoveFromCRL,
        },
    );
}

#[test]
fn crl_number_21_octets() {
    let mut r = request();
    r.crl_number = vec![0x01; 21];
    assert_finding(
        &findings(&r, &ca_issuer(), &CrlProfile::subscriber()),
        &LintError::CrlNumberInvalid,
    );
}

#[test]
fn crl_serial_zero() {
    let mut r = request();
    r.revoked.push(entry(&[0], 1, None));
    assert_finding(
        &findings(&r, &ca_issuer(), &CrlProfile::subscriber()),
        &LintError::SerialNotPositive,
    );
}

#[test]
fn crl_empty_revoked_list() {
    let f = mutated(|t| t.revoked_certificates = Some(Vec::new()));
    assert_finding(&f, &LintError::CrlEmptyRevokedList);
}

#[test]
fn crl_v1() {
    let f = mutated(|t| t.version = Version::V1);
    assert_finding(&f, &LintError::CrlVersionNotV2);
}

#[test]
fn crl_aki_of_another_ca() {
    let f = mutated(|t| {
        let exts = t.crl_extensions.as_mut().unwrap();
        exts[0].extn_value = OctetString::new(
            signet_asn1_types::x509_cert::ext::pkix::AuthorityKeyIdentifier {
                key_identifier: Some(OctetString::new(vec![9; 20]).unwrap()),
                authority_cert_issuer: None,
                authority_cert_serial_number: None,
            }
            .to_der()
            .unwrap(),
        )
        .unwrap();
    });
    assert_finding(&f, &LintError::AkiMismatch);
}

#[test]
fn crl_number_missing() {
    let f = mutated(|t| {
        t.crl_extensions
            .as_mut()
            .unwrap()
            .retain(|e| e.extn_id != oid::ID_CE_CRL_NUMBER);
    });
    assert_finding(
        &f,
        &LintError::ExtensionMissing {
            oid: oid::ID_CE_CRL_NUMBER,
        },
    );
}

#[test]
fn crl_number_critical() {
    let f = mutated(|t| t.crl_extensions.as_mut().unwrap()[1].critical = true);
    assert_finding(
        &f,
        &LintError::ExtensionCriticality {
            oid: oid::ID_CE_CRL_NUMBER,
            expected: false,
            found: true,
        },
    );
}

#[test]
fn crl_generalized_time_before_2050() {
    let f = mutated(|t| t.this_update = Time::GeneralTime(GeneralizedTime::from_date_time(now())));
    assert_finding(&f, &LintError::CrlTimeEncoding);
}

#[test]
fn crl_unexpected_entry_extension() {
    let invalidity_date = signet_asn1_types::const_oid::ObjectIdentifier::new_unwrap("2.5.29.24");
    let f = mutated(|t| {
        let entries = t.revoked_certificates.as_mut().unwrap();
        entries[1].crl_entry_extensions = Some(vec![Extension {
            extn_id: invalidity_date,
            critical: false,
            extn_value: OctetString::new(GeneralizedTime::from_date_time(now()).to_der().unwrap())
                .unwrap(),
        }]);
    });
    assert_finding(
        &f,
        &LintError::UnexpectedExtension {
            oid: invalidity_date,
        },
    );
}

#[test]
fn crl_issuer_name_swapped() {
    let f = mutated(|t| t.issuer = crate::lint::tests::name("CN=Other CA,O=Signet,C=US"));
    assert_finding(&f, &LintError::IssuerNameMismatch);
}

#[test]
fn crl_signed_with_the_wrong_key() {
    let linted = prepare_crl(&request(), &ca_issuer(), &CrlProfile::subscriber()).unwrap();
    assert_eq!(
        sign_crl(linted, &chain().root).unwrap_err(),
        Error::SignerKeyMismatch
    );
}

#[test]
fn crl_decodes_back() {
    let linted = prepare_crl(&request(), &ca_issuer(), &CrlProfile::subscriber()).unwrap();
    let tbs: TbsCertList = TbsCertList::from_der(linted.tbs_der()).unwrap();
    assert_eq!(tbs.version, Version::V2);
}
