//! POP tests on real OpenSSL 3.0.19 requests: each §2.3 POP case gives its specific error.
#![allow(
    clippy::disallowed_methods,
    reason = "tests read the shared vectors from disk"
)]

use std::path::PathBuf;

use signet_asn1_types::cmp::{PkiBody, PkiFailureBit};
use signet_asn1_types::strict::{Limits, decode_pki_message};
use signet_crypto::Verifier;

use super::*;

fn body(name: &str) -> PkiBody {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/vectors/cmp/openssl-3.0.19-generated/msgs")
        .join(name);
    decode_pki_message(&std::fs::read(path).unwrap(), &Limits::default())
        .unwrap()
        .message
        .body
}

fn first_req(name: &str) -> CertReqMsg {
    match body(name) {
        PkiBody::Ir(m) | PkiBody::Cr(m) | PkiBody::Kur(m) => m.first().unwrap().clone(),
        other => panic!("{name}: {}", other.name()),
    }
}

#[test]
fn signature_pop_of_openssl_requests_verifies() {
    for name in [
        "ir_pbm.req.der",
        "cr_sig.req.der",
        "cr_exts.req.der",
        "kur.req.der",
        "ir_sig_idevid.req.der",
    ] {
        let req = first_req(name);
        assert_eq!(
            verify_crmf_pop(&req, false, &Verifier),
            Ok(Pop::Signature),
            "{name}"
        );
        let r = Request::from_crmf(&req).unwrap();
        assert!(r.subject.is_some(), "{name}");
    }
}

#[test]
fn kur_carries_old_cert_id() {
    let r = Request::from_crmf(&first_req("kur.req.der")).unwrap();
    assert!(r.old_cert_id.is_some());
}

#[test]
fn tampered_template_fails_pop() {
    let mut req = first_req("cr_sig.req.der");
    req.cert_req.cert_req_id += 1;
    let err = verify_crmf_pop(&req, false, &Verifier).unwrap_err();
    assert_eq!(err, Error::BadPopSignature);
    assert_eq!(err.failure_bit(), PkiFailureBit::BadPop);
}

#[test]
fn openssl_negative_pop_cases_give_their_specific_errors() {
    // -popo -1: no POP.
    assert_eq!(
        verify_crmf_pop(&first_req("cr_popo_none.req.der"), false, &Verifier),
        Err(Error::PopMissing)
    );
    // -popo 0 from a sender that is not an authorised RA; accepted when it is.
    let rav = first_req("cr_raverified.req.der");
    assert_eq!(
        verify_crmf_pop(&rav, false, &Verifier),
        Err(Error::RaVerifiedNotAccepted)
    );
    assert_eq!(verify_crmf_pop(&rav, true, &Verifier), Ok(Pop::RaVerified));
    // -popo 2: key encipherment (indirect POP).
    assert_eq!(
        verify_crmf_pop(&first_req("cr_popo_keyenc.req.der"), false, &Verifier),
        Err(Error::UnsupportedPopMethod)
    );
    // ir without -subject: no subject and no poposkInput.
    let err =
        verify_crmf_pop(&first_req("ir_pbm_nosubject.req.der"), false, &Verifier).unwrap_err();
    assert_eq!(err, Error::MissingSubject);
    assert_eq!(err.to_string(), "popo missing subject");
    for e in [
        Error::PopMissing,
        Error::RaVerifiedNotAccepted,
        Error::UnsupportedPopMethod,
        Error::MissingSubject,
    ] {
        assert_eq!(e.failure_bit(), PkiFailureBit::BadPop);
    }
}

#[test]
fn pkcs10_self_signature_and_model() {
    let PkiBody::P10cr(csr) = body("p10cr_sig.req.der") else {
        panic!("not p10cr")
    };
    verify_pkcs10(&csr, &Verifier).unwrap();
    let r = Request::from_pkcs10(&csr).unwrap();
    assert_eq!(r.cert_req_id, -1);
    assert_eq!(r.format, RequestFormat::Pkcs10);
    let mut bad = csr.clone();
    bad.info.subject = "CN=someone else".parse().unwrap();
    assert_eq!(verify_pkcs10(&bad, &Verifier), Err(Error::BadPopSignature));
}
