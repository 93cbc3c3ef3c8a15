//! Time-stamp tests: an accepted request is stamped and the token verifies; every request
//! refusal carries its RFC 3161 failure bit; every TSA lint fails on a vector named after its
//! defect.

use std::sync::OnceLock;

use signet_asn1_types::algorithm::DigestAlgorithm;
use signet_asn1_types::cms::cert::CertificateChoices;
use signet_asn1_types::cms::signed_data::{SignedData, SignerIdentifier};
use signet_asn1_types::const_oid::ObjectIdentifier;
use signet_asn1_types::crypto::{SignatureAlgorithm, SignatureVerifier, Signer};
use signet_asn1_types::der::asn1::{Int, OctetString};
use signet_asn1_types::der::{Decode, Encode};
use signet_asn1_types::spki::AlgorithmIdentifierOwned;
use signet_asn1_types::time::GeneralizedTimeFrac;
use signet_asn1_types::tsp::{
    ID_AA_SIGNING_CERTIFICATE_V2, MessageImprint, SigningCertificateV2, TimeStampReq,
    TimeStampResp, TspFailureInfo, TspStatus, Version, tst_info, tst_info_der,
};
use signet_asn1_types::x509_cert::Certificate;
use signet_asn1_types::x509_cert::ext::Extension;
use signet_crypto::{KeyPairSigner, KeyType};

use super::{
    ID_MESSAGE_DIGEST, MAX_NONCE_OCTETS, MAX_REQUEST_BYTES, Refusal, TimeStamper, TsaProfile,
    check_request, prepare_time_stamp, refusal_response, sign_time_stamp, system_failure,
};
use crate::lint::LintError;
use crate::lint::tests::{at, ca_issuer, chain, key, name, now, serial, spki_of};
use crate::ocsp::digest;
use crate::profile::builtin;
use crate::{Error, IssuanceRequest, Profile, prepare, sign};

const POLICY: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.4.1.99999.3161.1");

struct Tsa {
    key: KeyPairSigner,
    cert: Certificate,
}

fn issue_tsa(profile: &Profile, key_type: KeyType, alg: SignatureAlgorithm) -> Tsa {
    let key = key(key_type, alg);
    let request = IssuanceRequest::new(name("CN=Test TSA,O=Signet,C=US"), spki_of(&key));
    let tbs = prepare(&request, profile, &ca_issuer(), now(), &serial()).unwrap();
    let cert = sign(tbs, &chain().ca).unwrap();
    Tsa { key, cert }
}

/// A TSA leaf (P-256) under the test issuing CA.
fn tsa() -> &'static Tsa {
    static T: OnceLock<Tsa> = OnceLock::new();
    T.get_or_init(|| {
        issue_tsa(
            &builtin::tsa_leaf(),
            KeyType::EcdsaP256,
            SignatureAlgorithm::EcdsaP256Sha256Asn1,
        )
    })
}

fn stamper_of(t: &Tsa) -> TimeStamper {
    TimeStamper::new(&t.cert, vec![chain().ca_cert.clone()], t.key.algorithm()).unwrap()
}

fn profile() -> TsaProfile {
    TsaProfile::c2pa(POLICY)
}

fn request(hash: DigestAlgorithm, imprint_len: usize) -> TimeStampReq {
    TimeStampReq {
        version: Version::V1,
        message_imprint: MessageImprint {
            hash_algorithm: hash.to_algorithm_identifier(),
            hashed_message: OctetString::new(vec![0xAB; imprint_len]).unwrap(),
        },
        req_policy: None,
        nonce: Some(Int::new(&[0x01, 0x23, 0x45, 0x67, 0x89, 0xAB, 0xCD, 0xEF]).unwrap()),
        cert_req: true,
        extensions: None,
    }
}

fn good_request() -> TimeStampReq {
    request(DigestAlgorithm::Sha256, 32)
}

fn gen_time() -> GeneralizedTimeFrac {
    GeneralizedTimeFrac::new(at(1, 0), 250_000_000).unwrap()
}

fn refused(req: &TimeStampReq) -> Refusal {
    check_request(&req.to_der().unwrap(), &profile()).unwrap_err()
}

fn stamp(req: &TimeStampReq) -> TimeStampResp {
    let accepted = check_request(&req.to_der().unwrap(), &profile()).unwrap();
    let linted = prepare_time_stamp(
        &accepted,
        &stamper_of(tsa()),
        &profile(),
        gen_time(),
        &serial(),
    )
    .unwrap();
    sign_time_stamp(linted, &tsa().key).unwrap()
}

fn signed_data(resp: &TimeStampResp) -> SignedData {
    let token = resp.time_stamp_token.as_ref().unwrap();
    SignedData::from_der(&token.content.to_der().unwrap()).unwrap()
}

#[test]
fn granted_token_carries_the_request_and_verifies() {
    let req = good_request();
    let resp = stamp(&req);
    let der = resp.to_der().unwrap();
    let resp = TimeStampResp::from_der_strict(&der).unwrap();
    assert_eq!(resp.status.status, TspStatus::Granted);
    let token = resp.time_stamp_token.as_ref().unwrap();
    let tst = tst_info(token).unwrap();
    assert_eq!(tst.policy, POLICY);
    assert_eq!(tst.message_imprint, req.message_imprint);
    assert_eq!(tst.nonce, req.nonce);
    assert_eq!(tst.gen_time, gen_time());
    assert!(tst.tsa.is_some());

    let sd = signed_data(&resp);
    let [signer_info] = sd.signer_infos.0.as_slice() else {
        panic!("one SignerInfo expected");
    };
    match &signer_info.sid {
        SignerIdentifier::IssuerAndSerialNumber(isn) => {
            assert_eq!(
                &isn.serial_number,
                tsa().cert.tbs_certificate().serial_number()
            );
        }
        SignerIdentifier::SubjectKeyIdentifier(_) => panic!("issuerAndSerialNumber expected"),
    }
    let attrs = signer_info.signed_attrs.as_ref().unwrap();
    let md = attrs.iter().find(|a| a.oid == ID_MESSAGE_DIGEST).unwrap();
    let md = OctetString::from_der(&md.values.get(0).unwrap().to_der().unwrap()).unwrap();
    let content = tst_info_der(token).unwrap();
    assert_eq!(
        md.as_bytes(),
        digest(DigestAlgorithm::Sha256, &content).unwrap()
    );
    let sc = attrs
        .iter()
        .find(|a| a.oid == ID_AA_SIGNING_CERTIFICATE_V2)
        .unwrap();
    let sc = SigningCertificateV2::from_der(&sc.values.get(0).unwrap().to_der().unwrap()).unwrap();
    assert_eq!(
        sc.certs[0].cert_hash.as_bytes(),
        digest(DigestAlgorithm::Sha256, &tsa().cert.to_der().unwrap()).unwrap()
    );
    signet_crypto::Verifier
        .verify(
            SignatureAlgorithm::EcdsaP256Sha256Asn1,
            tsa().key.public_key_der(),
            &attrs.to_der().unwrap(),
            signer_info.signature.as_bytes(),
        )
        .unwrap();
    // certReq: the TSA certificate and its chain travel with the token.
    let certs: Vec<&Certificate> = sd
        .certificates
        .as_ref()
        .unwrap()
        .0
        .iter()
        .map(|c| match c {
            CertificateChoices::Certificate(c) => c,
            CertificateChoices::Other(_) => panic!("plain certificates expected"),
        })
        .collect();
    assert_eq!(certs.len(), 2);
    assert!(certs.contains(&&tsa().cert));
}

#[test]
fn without_cert_req_no_certificates_are_sent() {
    let mut req = good_request();
    req.cert_req = false;
    assert!(signed_data(&stamp(&req)).certificates.is_none());
}

#[test]
fn request_defects_are_refused_with_their_failure_bit() {
    let check = |req: TimeStampReq, failure: TspFailureInfo| {
        let r = refused(&req);
        assert_eq!(r.failure, failure, "{}", r.text);
    };
    check(request(DigestAlgorithm::Sha1, 20), TspFailureInfo::BadAlg);
    check(
        request(DigestAlgorithm::Sha256, 20),
        TspFailureInfo::BadDataFormat,
    );
    check(
        request(DigestAlgorithm::Sha384, 48 + 1),
        TspFailureInfo::BadDataFormat,
    );
    let mut unknown_hash = good_request();
    unknown_hash.message_imprint.hash_algorithm = AlgorithmIdentifierOwned {
        oid: ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.2.8"),
        parameters: None,
    };
    check(unknown_hash, TspFailureInfo::BadAlg);
    let mut policy = good_request();
    policy.req_policy = Some(ObjectIdentifier::new_unwrap("1.2.3.4"));
    check(policy, TspFailureInfo::UnacceptedPolicy);
    let mut ours = good_request();
    ours.req_policy = Some(POLICY);
    assert!(check_request(&ours.to_der().unwrap(), &profile()).is_ok());
    let mut ext = good_request();
    ext.extensions = Some(vec![Extension {
        extn_id: ObjectIdentifier::new_unwrap("1.2.3.5"),
        critical: false,
        extn_value: OctetString::new(vec![5, 0]).unwrap(),
    }]);
    check(ext, TspFailureInfo::UnacceptedExtension);
    let mut long_nonce = good_request();
    long_nonce.nonce = Some(Int::new(&[0x11; MAX_NONCE_OCTETS + 1]).unwrap());
    check(long_nonce, TspFailureInfo::BadRequest);
    let mut max_nonce = good_request();
    let mut magnitude = vec![0x00];
    magnitude.extend([0xFF; MAX_NONCE_OCTETS]);
    max_nonce.nonce = Some(Int::new(&magnitude).unwrap());
    assert!(check_request(&max_nonce.to_der().unwrap(), &profile()).is_ok());
    let mut negative = good_request();
    negative.nonce = Some(Int::new(&[0x80, 1]).unwrap());
    check(negative, TspFailureInfo::BadRequest);

    let bad = |der: &[u8]| check_request(der, &profile()).unwrap_err().failure;
    assert_eq!(bad(b"not DER"), TspFailureInfo::BadDataFormat);
    let mut trailing = good_request().to_der().unwrap();
    trailing.push(0);
    assert_eq!(bad(&trailing), TspFailureInfo::BadDataFormat);
    assert_eq!(
        bad(&vec![0x30; MAX_REQUEST_BYTES + 1]),
        TspFailureInfo::BadDataFormat
    );
}

#[test]
fn refusal_responses_carry_exactly_their_bit() {
    for failure in TspFailureInfo::ALL {
        let resp = refusal_response(&Refusal {
            failure,
            text: "no".to_owned(),
        })
        .unwrap();
        let decoded = TimeStampResp::from_der_strict(&resp.to_der().unwrap()).unwrap();
        assert_eq!(decoded.status.status, TspStatus::Rejection);
        assert_eq!(decoded.status.failures(), vec![failure]);
        assert!(decoded.time_stamp_token.is_none());
    }
    assert_eq!(system_failure().failure, TspFailureInfo::SystemFailure);
}

fn lint(t: &Tsa, profile: &TsaProfile, when: GeneralizedTimeFrac) -> Vec<LintError> {
    let accepted = check_request(&good_request().to_der().unwrap(), profile).unwrap();
    match prepare_time_stamp(&accepted, &stamper_of(t), profile, when, &serial()) {
        Ok(_) => Vec::new(),
        Err(e) => e.findings().to_vec(),
    }
}

#[test]
fn tsa_without_time_stamping_eku_is_unfit() {
    let ocsp = issue_tsa(
        &builtin::ocsp_responder(),
        KeyType::EcdsaP256,
        SignatureAlgorithm::EcdsaP256Sha256Asn1,
    );
    let findings = lint(&ocsp, &profile(), gen_time());
    assert!(
        findings.contains(&LintError::TsaCertificateUnfit {
            reason: "extended key usage is not exactly id-kp-timeStamping"
        }),
        "{findings:?}"
    );
}

#[test]
fn tsa_time_stamping_eku_not_critical_is_unfit() {
    let mut profile_lax = builtin::tsa_leaf();
    if let Some(eku) = profile_lax.extended_key_usage.as_mut() {
        eku.critical = false;
    }
    let lax = issue_tsa(
        &profile_lax,
        KeyType::EcdsaP256,
        SignatureAlgorithm::EcdsaP256Sha256Asn1,
    );
    assert_eq!(
        lint(&lax, &profile(), gen_time()),
        vec![LintError::TsaCertificateUnfit {
            reason: "extended key usage is not critical"
        }]
    );
}

#[test]
fn gen_time_outside_tsa_validity_is_refused() {
    let late = GeneralizedTimeFrac::from(at(20 * 365, 0));
    assert_eq!(
        lint(tsa(), &profile(), late),
        vec![LintError::TsaCertificateExpired]
    );
    let early = GeneralizedTimeFrac::from(at(-2, 0));
    assert_eq!(
        lint(tsa(), &profile(), early),
        vec![LintError::TsaCertificateExpired]
    );
}

#[test]
fn eddsa_tsa_is_outside_the_c2pa_profile() {
    // A certificate profile that lets the key through, so the TSA profile's own rule decides.
    let mut leaf = builtin::tsa_leaf();
    leaf.public_keys.push(crate::profile::KeyRule::Ed25519);
    let ed = issue_tsa(&leaf, KeyType::Ed25519, SignatureAlgorithm::Ed25519);
    let findings = lint(&ed, &profile(), gen_time());
    assert!(
        findings.contains(&LintError::SignatureAlgorithmNotAllowed {
            algorithm: SignatureAlgorithm::Ed25519
        }),
        "{findings:?}"
    );
}

#[test]
fn signing_with_another_key_is_refused() {
    let accepted = check_request(&good_request().to_der().unwrap(), &profile()).unwrap();
    let linted = prepare_time_stamp(
        &accepted,
        &stamper_of(tsa()),
        &profile(),
        gen_time(),
        &serial(),
    )
    .unwrap();
    let other = key(KeyType::EcdsaP256, SignatureAlgorithm::EcdsaP256Sha256Asn1);
    assert_eq!(
        sign_time_stamp(linted, &other).unwrap_err(),
        Error::SignerKeyMismatch
    );
}
