//! OCSP tests: good / revoked / unknown answers from a delegated responder and the CA sign and
//! verify; each OCSP lint fails on a vector named after its defect.

use std::sync::OnceLock;

use signet_asn1_types::algorithm::DigestAlgorithm;
use signet_asn1_types::const_oid::ObjectIdentifier;
use signet_asn1_types::crypto::{SignatureAlgorithm, SignatureVerifier};
use signet_asn1_types::der::Encode;
use signet_asn1_types::der::asn1::OctetString;
use signet_asn1_types::ocsp::{
    CertId, CertStatus, OcspNonce, OcspResponse, OcspResponseStatus, ResponderId, ResponseData,
};
use signet_asn1_types::spki::AlgorithmIdentifierOwned;
use signet_asn1_types::x509_cert::Certificate;
use signet_asn1_types::x509_cert::ext::Extension;
use signet_asn1_types::x509_cert::ext::pkix::CrlReason;
use signet_asn1_types::x509_cert::serial_number::SerialNumber;
use signet_crypto::{KeyPairSigner, KeyType};

use super::{
    CertificateStatus, OcspProfile, OcspResponseRequest, Responder, SingleStatus, build, cert_id,
    error_response, lint_der, prepare_ocsp_response, sign_ocsp_response,
};
use crate::lint::LintError;
use crate::lint::tests::{at, ca_issuer, chain, key, name, now, serial, spki_of, urls};
use crate::profile::builtin;
use crate::{Error, IssuanceRequest, Issuer, prepare, sign};

struct ResponderFixture {
    key: KeyPairSigner,
    cert: Certificate,
}

/// A delegated responder certificate issued by the test claim-signing CA.
fn delegated() -> &'static ResponderFixture {
    static R: OnceLock<ResponderFixture> = OnceLock::new();
    R.get_or_init(|| {
        let key = key(KeyType::EcdsaP256, SignatureAlgorithm::EcdsaP256Sha256Asn1);
        let request =
            IssuanceRequest::new(name("CN=Test OCSP Responder,O=Signet,C=US"), spki_of(&key));
        let tbs = prepare(
            &request,
            &builtin::ocsp_responder(),
            &ca_issuer(),
            now(),
            &serial(),
        )
        .unwrap();
        let cert = sign(tbs, &chain().ca).unwrap();
        ResponderFixture { key, cert }
    })
}

fn responder() -> Responder {
    Responder::delegated(
        &ca_issuer(),
        &delegated().cert,
        SignatureAlgorithm::EcdsaP256Sha256Asn1,
    )
    .unwrap()
}

fn id(serial_byte: u8) -> CertId {
    cert_id(
        &ca_issuer(),
        &SerialNumber::new(&[serial_byte; 16]).unwrap(),
        DigestAlgorithm::Sha1,
    )
    .unwrap()
}

fn single(cert_id: CertId, status: CertificateStatus) -> SingleStatus {
    SingleStatus {
        cert_id,
        status,
        this_update: now(),
        next_update: Some(at(4, 0)),
    }
}

fn request() -> OcspResponseRequest {
    OcspResponseRequest {
        produced_at: now(),
        responses: vec![
            single(id(0x41), CertificateStatus::Good),
            single(
                id(0x42),
                CertificateStatus::Revoked {
                    time: at(-1, 0),
                    reason: Some(CrlReason::KeyCompromise),
                },
            ),
            single(id(0x43), CertificateStatus::Unknown),
        ],
        nonce: Some(OcspNonce::new(&[7; 16]).unwrap()),
    }
}

fn findings(request: &OcspResponseRequest, responder: &Responder) -> Vec<LintError> {
    match prepare_ocsp_response(request, responder, &OcspProfile::c2pa()) {
        Ok(_) => Vec::new(),
        Err(e) => e.findings().to_vec(),
    }
}

fn mutated(mutate: impl FnOnce(&mut ResponseData)) -> Vec<LintError> {
    let responder = responder();
    let mut data = build(&request(), &responder).unwrap();
    mutate(&mut data);
    lint_der(&data.to_der().unwrap(), &responder, &OcspProfile::c2pa())
}

#[track_caller]
fn assert_finding(findings: &[LintError], expected: &LintError) {
    assert!(
        findings.contains(expected),
        "expected {expected:?} among {findings:?}"
    );
}

#[test]
fn delegated_response_signs_and_verifies() {
    let linted = prepare_ocsp_response(&request(), &responder(), &OcspProfile::c2pa()).unwrap();
    let tbs = linted.tbs_der().to_vec();
    let response = sign_ocsp_response(linted, &delegated().key).unwrap();
    let der = response.to_der().unwrap();
    let decoded = OcspResponse::from_der_strict(&der).unwrap();
    assert_eq!(decoded.response_status, OcspResponseStatus::Successful);
    let basic = decoded.basic().unwrap().unwrap();
    assert_eq!(basic.tbs_response_data.to_der().unwrap(), tbs);
    assert_eq!(basic.nonce().unwrap().unwrap().as_bytes(), [7; 16]);
    assert_eq!(basic.certs.as_ref().unwrap(), &[delegated().cert.clone()]);
    let statuses: Vec<_> = basic
        .tbs_response_data
        .responses
        .iter()
        .map(|r| &r.cert_status)
        .collect();
    assert!(matches!(statuses[0], CertStatus::Good(_)));
    assert!(matches!(statuses[1], CertStatus::Revoked(_)));
    assert!(matches!(statuses[2], CertStatus::Unknown(_)));
    let spki = delegated()
        .cert
        .tbs_certificate()
        .subject_public_key_info()
        .to_der()
        .unwrap();
    assert_eq!(
        signet_crypto::Verifier.verify(
            SignatureAlgorithm::EcdsaP256Sha256Asn1,
            &spki,
            &tbs,
            basic.signature.as_bytes().unwrap()
        ),
        Ok(())
    );
}

#[test]
fn sha256_cert_id_passes() {
    let mut r = request();
    r.responses[0].cert_id = cert_id(
        &ca_issuer(),
        &SerialNumber::new(&[0x51; 16]).unwrap(),
        DigestAlgorithm::Sha256,
    )
    .unwrap();
    assert_eq!(findings(&r, &responder()), []);
}

#[test]
fn ca_responder_without_digital_signature() {
    // The C2PA CA profiles assert only keyCertSign and cRLSign: the CA must delegate.
    let ca = Responder::ca(&ca_issuer()).unwrap();
    assert_finding(
        &findings(&request(), &ca),
        &LintError::OcspResponderUnauthorized {
            reason: "key usage lacks digitalSignature",
        },
    );
}

#[test]
fn responder_is_a_claim_signing_leaf() {
    let c = chain();
    let leaf = sign(
        prepare(
            &crate::lint::tests::leaf_request(),
            &crate::lint::tests::al1(),
            &ca_issuer(),
            now(),
            &serial(),
        )
        .unwrap(),
        &c.ca,
    )
    .unwrap();
    let responder =
        Responder::delegated(&ca_issuer(), &leaf, SignatureAlgorithm::EcdsaP256Sha256Asn1).unwrap();
    let f = findings(&request(), &responder);
    assert_finding(
        &f,
        &LintError::OcspResponderUnauthorized {
            reason: "no id-kp-OCSPSigning",
        },
    );
    assert_finding(
        &f,
        &LintError::OcspResponderUnauthorized {
            reason: "no id-pkix-ocsp-nocheck",
        },
    );
}

#[test]
fn responder_issued_by_another_ca() {
    let c = chain();
    let root = Issuer::from_certificate(
        &c.root_cert,
        SignatureAlgorithm::EcdsaP384Sha384Asn1,
        urls(),
    )
    .unwrap();
    let request = IssuanceRequest::new(
        name("CN=Rogue Responder,O=Signet,C=US"),
        spki_of(&delegated().key),
    );
    let mut profile = builtin::ocsp_responder();
    profile.validity.default_days = 30;
    let rogue = sign(
        prepare(&request, &profile, &root, now(), &serial()).unwrap(),
        &c.root,
    )
    .unwrap();
    let responder = Responder::delegated(
        &ca_issuer(),
        &rogue,
        SignatureAlgorithm::EcdsaP256Sha256Asn1,
    )
    .unwrap();
    assert_finding(
        &findings(&self::request(), &responder),
        &LintError::OcspResponderUnauthorized {
            reason: "not issued by the CA",
        },
    );
}

#[test]
fn responder_expired_at_produced_at() {
    let mut r = request();
    r.produced_at = at(100, 0);
    assert_finding(
        &findings(&r, &responder()),
        &LintError::OcspResponderExpired,
    );
}

#[test]
fn cert_id_of_another_ca_answered_good() {
    let c = chain();
    let root = Issuer::from_certificate(
        &c.root_cert,
        SignatureAlgorithm::EcdsaP384Sha384Asn1,
        urls(),
    )
    .unwrap();
    let foreign = cert_id(
        &root,
        &SerialNumber::new(&[0x61; 16]).unwrap(),
        DigestAlgorithm::Sha1,
    )
    .unwrap();
    let mut r = request();
    r.responses = vec![single(foreign.clone(), CertificateStatus::Good)];
    assert_finding(
        &findings(&r, &responder()),
        &LintError::OcspCertIdWrongIssuer,
    );
    // Answered `unknown`, it is fine (RFC 6960 §2.2).
    r.responses = vec![single(foreign, CertificateStatus::Unknown)];
    assert_eq!(findings(&r, &responder()), []);
}

#[test]
fn cert_id_key_hash_19_octets() {
    let mut r = request();
    r.responses[0].cert_id.issuer_key_hash = OctetString::new(vec![1; 19]).unwrap();
    r.responses[0].status = CertificateStatus::Unknown;
    assert_finding(
        &findings(&r, &responder()),
        &LintError::OcspCertIdHash {
            oid: DigestAlgorithm::Sha1.oid(),
        },
    );
}

#[test]
fn cert_id_md5() {
    let md5 = ObjectIdentifier::new_unwrap("1.2.840.113549.2.5");
    let mut r = request();
    r.responses[0].cert_id.hash_algorithm = AlgorithmIdentifierOwned {
        oid: md5,
        parameters: None,
    };
    assert_finding(
        &findings(&r, &responder()),
        &LintError::OcspCertIdHash { oid: md5 },
    );
}

#[test]
fn cert_id_answered_twice() {
    let mut r = request();
    r.responses.push(single(id(0x41), CertificateStatus::Good));
    assert_finding(&findings(&r, &responder()), &LintError::OcspDuplicateCertId);
}

#[test]
fn this_update_after_produced_at() {
    let mut r = request();
    r.responses[0].this_update = at(0, 60);
    assert_finding(
        &findings(&r, &responder()),
        &LintError::OcspThisUpdateAfterProducedAt,
    );
}

#[test]
fn next_update_missing() {
    let mut r = request();
    r.responses[0].next_update = None;
    assert_finding(&findings(&r, &responder()), &LintError::NextUpdateMissing);
}

#[test]
fn next_update_before_this_update() {
    let mut r = request();
    r.responses[0].next_update = Some(at(-1, 0));
    assert_finding(&findings(&r, &responder()), &LintError::UpdateInverted);
}

#[test]
fn validity_interval_11_days() {
    let mut r = request();
    r.responses[0].next_update = Some(at(11, 0));
    assert_finding(
        &findings(&r, &responder()),
        &LintError::UpdateIntervalTooLong {
            days: 11,
            max_days: 10,
        },
    );
}

#[test]
fn revoked_after_this_update() {
    let mut r = request();
    r.responses[1].status = CertificateStatus::Revoked {
        time: at(0, 30),
        reason: None,
    };
    assert_finding(
        &findings(&r, &responder()),
        &LintError::RevocationAfterThisUpdate,
    );
}

#[test]
fn revoked_reason_unspecified() {
    let mut r = request();
    r.responses[1].status = CertificateStatus::Revoked {
        time: at(-1, 0),
        reason: Some(CrlReason::Unspecified),
    };
    assert_finding(
        &findings(&r, &responder()),
        &LintError::ReasonNotAllowed {
            reason: CrlReason::Unspecified,
        },
    );
}

#[test]
fn no_single_responses() {
    let mut r = request();
    r.responses.clear();
    assert_finding(
        &findings(&r, &responder()),
        &LintError::OcspResponseCount { count: 0 },
    );
}

#[test]
fn responder_id_of_another_key() {
    let f =
        mutated(|d| d.responder_id = ResponderId::ByKey(OctetString::new(vec![3; 20]).unwrap()));
    assert_finding(&f, &LintError::OcspResponderIdMismatch);
}

#[test]
fn responder_id_by_name_passes() {
    let f = mutated(|d| {
        d.responder_id = ResponderId::ByName(delegated().cert.tbs_certificate().subject().clone());
    });
    assert_eq!(f, []);
}

#[test]
fn unexpected_response_extension() {
    let crl_ref = ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.48.1.3");
    let f = mutated(|d| {
        d.response_extensions.as_mut().unwrap().push(Extension {
            extn_id: crl_ref,
            critical: false,
            extn_value: OctetString::new(vec![0x30, 0x00]).unwrap(),
        });
    });
    assert_finding(&f, &LintError::UnexpectedExtension { oid: crl_ref });
}

#[test]
fn nonce_duplicated_and_critical() {
    let f = mutated(|d| {
        let exts = d.response_extensions.as_mut().unwrap();
        let mut second = exts[0].clone();
        second.critical = true;
        exts.push(second);
    });
    assert_finding(
        &f,
        &LintError::DuplicateExtension {
            oid: signet_asn1_types::ocsp::ID_PKIX_OCSP_NONCE,
        },
    );
    assert_finding(
        &f,
        &LintError::ExtensionCriticality {
            oid: signet_asn1_types::ocsp::ID_PKIX_OCSP_NONCE,
            expected: false,
            found: true,
        },
    );
}

#[test]
fn signed_with_the_ca_key_instead_of_the_responder() {
    let linted = prepare_ocsp_response(&request(), &responder(), &OcspProfile::c2pa()).unwrap();
    assert_eq!(
        sign_ocsp_response(linted, &chain().ca).unwrap_err(),
        Error::SignerAlgorithmMismatch {
            prepared: SignatureAlgorithm::EcdsaP256Sha256Asn1,
            signer: SignatureAlgorithm::EcdsaP384Sha384Asn1,
        }
    );
    let linted = prepare_ocsp_response(&request(), &responder(), &OcspProfile::c2pa()).unwrap();
    assert_eq!(
        sign_ocsp_response(linted, &chain().leaf_key).unwrap_err(),
        Error::SignerKeyMismatch
    );
}

#[test]
fn error_responses_are_unsigned() {
    let der = error_response(OcspResponseStatus::TryLater)
        .unwrap()
        .to_der()
        .unwrap();
    assert_eq!(der, [0x30, 0x03, 0x0a, 0x01, 0x03]);
    assert_eq!(
        error_response(OcspResponseStatus::Successful).unwrap_err(),
        Error::SuccessfulNeedsResponse
    );
}

#[test]
fn ca_with_digital_signature_signs_its_own_responses() {
    // An operator CA profile that adds digitalSignature (CA/B BR §7.1.2.10.7) may answer OCSP
    // itself, without a delegated responder.
    let c = chain();
    let root = Issuer::from_certificate(
        &c.root_cert,
        SignatureAlgorithm::EcdsaP384Sha384Asn1,
        urls(),
    )
    .unwrap();
    let mut profile = builtin::claim_signing_issuing_ca();
    profile
        .key_usage
        .bits
        .push(crate::profile::KeyUsageBit::DigitalSignature);
    let ca_key = key(KeyType::EcdsaP384, SignatureAlgorithm::EcdsaP384Sha384Asn1);
    let request =
        IssuanceRequest::new(name("CN=Self-answering CA,O=Signet,C=US"), spki_of(&ca_key));
    let ca_cert = sign(
        prepare(&request, &profile, &root, now(), &serial()).unwrap(),
        &c.root,
    )
    .unwrap();
    let issuer =
        Issuer::from_certificate(&ca_cert, SignatureAlgorithm::EcdsaP384Sha384Asn1, urls())
            .unwrap();
    let responder = Responder::ca(&issuer).unwrap();
    let r = OcspResponseRequest {
        produced_at: now(),
        responses: vec![single(
            cert_id(
                &issuer,
                &SerialNumber::new(&[0x71; 16]).unwrap(),
                DigestAlgorithm::Sha256,
            )
            .unwrap(),
            CertificateStatus::Good,
        )],
        nonce: None,
    };
    let linted = prepare_ocsp_response(&r, &responder, &OcspProfile::c2pa()).unwrap();
    let response = sign_ocsp_response(linted, &ca_key).unwrap();
    let basic = response.basic().unwrap().unwrap();
    assert!(basic.certs.is_none());
    assert!(basic.nonce().unwrap().is_none());
}
