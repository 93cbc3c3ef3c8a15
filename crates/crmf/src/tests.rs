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
        .join("../../tests/upstream/vectors/cmp/openssl-3.0.19-generated/msgs")
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

fn p256() -> signet_crypto::KeyPairSigner {
    signet_crypto::KeyPairSigner::from_pkcs8(
        SignatureAlgorithm::EcdsaP256Sha256Asn1,
        &signet_crypto::generate_pkcs8(signet_crypto::KeyType::EcdsaP256).unwrap(),
    )
    .unwrap()
}

#[test]
fn signed_pops_verify_with_and_without_subject() {
    use signet_asn1_types::crmf::CertTemplate;
    let key = p256();
    let sender = GeneralName::DirectoryName("CN=requester".parse().unwrap());
    let spki = SubjectPublicKeyInfoOwned::from_der(key.public_key_der()).unwrap();
    for subject in [Some("CN=subject".parse().unwrap()), None] {
        let cert_req = CertRequest {
            cert_req_id: 0,
            cert_template: CertTemplate {
                subject,
                public_key: Some(spki.clone()),
                ..CertTemplate::default()
            },
            controls: None,
        };
        let popo = sign_crmf_pop(&cert_req, &sender, &key).unwrap();
        let ProofOfPossession::Signature(pop) = &popo else {
            panic!("not a signature POP")
        };
        assert_eq!(
            pop.poposk_input.is_some(),
            cert_req.cert_template.subject.is_none(),
            "poposkInput exactly when the subject is absent (RFC 4211 §4.1)"
        );
        let msg = CertReqMsg {
            cert_req,
            popo: Some(popo),
            reg_info: None,
        };
        assert_eq!(verify_crmf_pop(&msg, false, &Verifier), Ok(Pop::Signature));
        // Someone else's key in the template breaks it.
        let mut other = msg.clone();
        other.cert_req.cert_template.public_key =
            Some(SubjectPublicKeyInfoOwned::from_der(p256().public_key_der()).unwrap());
        assert!(verify_crmf_pop(&other, false, &Verifier).is_err());
    }
}

#[test]
fn signed_pkcs10_verifies_and_carries_extensions() {
    let key = p256();
    let ext = Extension {
        extn_id: ObjectIdentifier::new_unwrap("2.5.29.15"),
        critical: true,
        extn_value: signet_asn1_types::der::asn1::OctetString::new(vec![3, 2, 7, 0x80]).unwrap(),
    };
    let csr = sign_pkcs10("CN=subject".parse().unwrap(), vec![ext.clone()], &key).unwrap();
    verify_pkcs10(&csr, &Verifier).unwrap();
    let r = Request::from_pkcs10(&csr).unwrap();
    assert_eq!(r.extensions, [ext]);
    assert_eq!(r.public_key.to_der().unwrap(), key.public_key_der());
}

/// A 1024-bit RSA public key (`openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:1024`).
const RSA_1024_SPKI: &str = "30819f300d06092a864886f70d010101050003818d0030818902818100a2cd07c30f8f07a370b252cb68c65c61a75ce54ea3c6a7ccf70328a905c89cba5f4a497a5dbdfc5fc4938eccfa41cbe5171ad812da475f19352667b3a1d785d219f36ccfb7ee5027f4c482c5bbb696e151166ecbfcc6c368058744b3a233bec8de38258c87e933751dd66b7ae104bc32b6f695091f4bb3729eb82e83068724350203010001";

fn hex(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

/// A signature-POP request for `spki` claiming `alg`, with a signature that never gets
/// checked when the key or algorithm is refused first.
fn signed_request(spki: SubjectPublicKeyInfoOwned, alg: &str) -> CertReqMsg {
    use signet_asn1_types::crmf::CertTemplate;
    use signet_asn1_types::spki::AlgorithmIdentifierOwned;
    CertReqMsg {
        cert_req: CertRequest {
            cert_req_id: 0,
            cert_template: CertTemplate {
                subject: Some("CN=s".parse().unwrap()),
                public_key: Some(spki),
                ..CertTemplate::default()
            },
            controls: None,
        },
        popo: Some(ProofOfPossession::Signature(PopoSigningKey {
            poposk_input: None,
            algorithm_identifier: AlgorithmIdentifierOwned {
                oid: alg.parse().unwrap(),
                // RSA PKCS#1 signature algorithms carry NULL parameters (RFC 4055 §5).
                parameters: alg.starts_with("1.2.840.113549.1.1.").then(Any::null),
            },
            signature: BitString::from_bytes(&[0x30, 0x06, 0x02, 0x01, 0x01, 0x02, 0x01, 0x01])
                .unwrap(),
        })),
        reg_info: None,
    }
}

#[test]
fn weak_or_malformed_keys_and_unknown_algorithms_in_signature_pop() {
    // RSA-1024 with sha256WithRSAEncryption: the key is too weak (badCertTemplate).
    let weak = SubjectPublicKeyInfoOwned::from_der(&hex(RSA_1024_SPKI)).unwrap();
    let err = verify_crmf_pop(
        &signed_request(weak.clone(), "1.2.840.113549.1.1.11"),
        false,
        &Verifier,
    )
    .unwrap_err();
    assert_eq!(err, Error::BadPublicKey);
    assert_eq!(err.failure_bit(), PkiFailureBit::BadCertTemplate);
    // md5WithRSAEncryption: not an accepted algorithm (badAlg).
    let err = verify_crmf_pop(
        &signed_request(weak, "1.2.840.113549.1.1.4"),
        false,
        &Verifier,
    )
    .unwrap_err();
    assert!(matches!(err, Error::BadAlgorithm(_)), "{err:?}");
    assert_eq!(err.failure_bit(), PkiFailureBit::BadAlg);
    // A P-256 key whose point is not on the curve, under ecdsa-with-SHA256: badCertTemplate.
    let mut der = p256().public_key_der().to_vec();
    let last = der.len() - 1;
    der[last] ^= 1;
    let off_curve = SubjectPublicKeyInfoOwned::from_der(&der).unwrap();
    let err = verify_crmf_pop(
        &signed_request(off_curve, "1.2.840.10045.4.3.2"),
        false,
        &Verifier,
    )
    .unwrap_err();
    assert_eq!(err.failure_bit(), PkiFailureBit::BadCertTemplate);
    // A good P-256 key under ecdsa-with-SHA384 (what `openssl cmp -digest sha384` sends): the
    // pairing is not accepted (badAlg), the key itself is fine.
    let p = SubjectPublicKeyInfoOwned::from_der(p256().public_key_der()).unwrap();
    let err = verify_crmf_pop(
        &signed_request(p.clone(), "1.2.840.10045.4.3.3"),
        false,
        &Verifier,
    )
    .unwrap_err();
    assert_eq!(err, Error::KeyAlgorithmMismatch);
    assert_eq!(err.failure_bit(), PkiFailureBit::BadAlg);
    // An EC key under an RSA algorithm: badAlg too.
    let err = verify_crmf_pop(
        &signed_request(p, "1.2.840.113549.1.1.11"),
        false,
        &Verifier,
    )
    .unwrap_err();
    assert_eq!(err.failure_bit(), PkiFailureBit::BadAlg);
}

#[test]
fn every_accepted_signature_algorithm_proves_possession() {
    use signet_asn1_types::crmf::CertTemplate;
    let keys = [
        (
            SignatureAlgorithm::EcdsaP256Sha256Asn1,
            signet_crypto::KeyType::EcdsaP256,
        ),
        (
            SignatureAlgorithm::EcdsaP384Sha384Asn1,
            signet_crypto::KeyType::EcdsaP384,
        ),
        (SignatureAlgorithm::Ed25519, signet_crypto::KeyType::Ed25519),
        (
            SignatureAlgorithm::RsaPkcs1Sha256,
            signet_crypto::KeyType::Rsa2048,
        ),
        (
            SignatureAlgorithm::RsaPssSha256,
            signet_crypto::KeyType::Rsa2048,
        ),
        (
            SignatureAlgorithm::RsaPssSha512,
            signet_crypto::KeyType::Rsa3072,
        ),
    ];
    let sender = GeneralName::DirectoryName("CN=r".parse().unwrap());
    for (alg, t) in keys {
        let key = signet_crypto::KeyPairSigner::from_pkcs8(
            alg,
            &signet_crypto::generate_pkcs8(t).unwrap(),
        )
        .unwrap();
        let cert_req = CertRequest {
            cert_req_id: 0,
            cert_template: CertTemplate {
                subject: Some("CN=s".parse().unwrap()),
                public_key: Some(
                    SubjectPublicKeyInfoOwned::from_der(key.public_key_der()).unwrap(),
                ),
                ..CertTemplate::default()
            },
            controls: None,
        };
        let popo = sign_crmf_pop(&cert_req, &sender, &key).unwrap();
        let msg = CertReqMsg {
            cert_req,
            popo: Some(popo),
            reg_info: None,
        };
        assert_eq!(
            verify_crmf_pop(&msg, false, &Verifier),
            Ok(Pop::Signature),
            "{alg:?}"
        );
    }
}

#[test]
fn poposk_input_sender_must_be_the_authenticated_requester() {
    use signet_asn1_types::crmf::CertTemplate;
    let key = p256();
    let alice = GeneralName::DirectoryName("CN=alice".parse().unwrap());
    let mallory = GeneralName::DirectoryName("CN=mallory".parse().unwrap());
    let msg = |sender: &GeneralName| {
        let cert_req = CertRequest {
            cert_req_id: 0,
            cert_template: CertTemplate {
                public_key: Some(
                    SubjectPublicKeyInfoOwned::from_der(key.public_key_der()).unwrap(),
                ),
                ..CertTemplate::default()
            },
            controls: None,
        };
        let popo = sign_crmf_pop(&cert_req, sender, &key).unwrap();
        CertReqMsg {
            cert_req,
            popo: Some(popo),
            reg_info: None,
        }
    };
    let check = |sender| PopCheck {
        ra_verified_allowed: false,
        verifier: &Verifier,
        encryption: None,
        sender,
        cmp2021: false,
    };
    assert_eq!(
        verify_pop(&msg(&alice), &check(Some(&alice))),
        Ok(Pop::Signature)
    );
    // Signed by the key holder, but naming someone other than the authenticated sender.
    assert_eq!(
        verify_pop(&msg(&mallory), &check(Some(&alice))),
        Err(Error::PoposkInputMismatch)
    );
    // A NULL-DN is no established identity.
    let nobody = GeneralName::DirectoryName(Default::default());
    let err = verify_pop(&msg(&nobody), &check(Some(&nobody))).unwrap_err();
    assert_eq!(err, Error::PoposkInputMismatch);
    assert_eq!(err.failure_bit(), PkiFailureBit::BadPop);
}

/// OpenSSL's `-sans` without `-subject`: no subject, a subjectAltName, the POP signed over
/// the CertRequest (no poposkInput). Accepted; without the SAN it stays `popo missing subject`.
#[test]
fn a_san_only_template_signed_over_the_cert_request_is_accepted() {
    use signet_asn1_types::der::{Decode, Encode};
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/upstream/vectors/cmp/openssl-3.0.19-generated/creds/new.key");
    let pem = std::fs::read_to_string(path).unwrap();
    let (_, der) = signet_asn1_types::der::pem::decode_vec(pem.as_bytes()).unwrap();
    let key =
        signet_crypto::KeyPairSigner::from_pkcs8(SignatureAlgorithm::EcdsaP256Sha256Asn1, &der)
            .unwrap();
    let sign = |mut req: CertReqMsg| {
        let part = req.cert_req.to_der().unwrap();
        let Some(ProofOfPossession::Signature(pop)) = &mut req.popo else {
            panic!("signature POP expected")
        };
        pop.signature = BitString::from_bytes(&key.sign(&part).unwrap()).unwrap();
        CertReqMsg::from_der(&req.to_der().unwrap()).unwrap()
    };
    let mut req = first_req("cr_exts.req.der");
    assert!(has_subject_alt_name(&req.cert_req.cert_template));
    req.cert_req.cert_template.public_key =
        Some(SubjectPublicKeyInfoOwned::from_der(key.public_key_der()).unwrap());
    req.cert_req.cert_template.subject = None;
    let san_only = sign(req.clone());
    assert_eq!(
        verify_crmf_pop(&san_only, false, &Verifier),
        Ok(Pop::Signature)
    );
    assert_eq!(Request::from_crmf(&san_only).unwrap().subject, None);
    // Tampering still fails: the signature covers the CertRequest.
    let mut tampered = san_only.clone();
    tampered.cert_req.cert_req_id += 1;
    assert_eq!(
        verify_crmf_pop(&tampered, false, &Verifier),
        Err(Error::BadPopSignature)
    );
    // Neither subject nor SAN: nothing names the certificate.
    req.cert_req.cert_template.extensions = None;
    assert_eq!(
        verify_crmf_pop(&sign(req), false, &Verifier),
        Err(Error::MissingSubject)
    );
}
