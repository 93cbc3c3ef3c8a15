//! genm classification and genp answers: OpenSSL's genm messages, and every answer decoded
//! back through the typed ITAV model.
#![allow(
    clippy::disallowed_methods,
    reason = "tests read the shared vectors from disk"
)]

use std::path::PathBuf;

use signet_asn1_types::cmp::{CrlSource, PkiBody, oid};
use signet_asn1_types::crmf::Control;
use signet_asn1_types::der::Decode;
use signet_asn1_types::strict::{Limits, decode_pki_message};
use signet_asn1_types::x509_cert::ext::pkix::name::GeneralName;

use super::*;

fn vectors() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/upstream/vectors/cmp/openssl-3.0.19-generated")
}

fn genm(name: &str) -> Vec<InfoTypeAndValue> {
    let bytes = std::fs::read(vectors().join("msgs").join(name)).unwrap();
    match decode_pki_message(&bytes, &Limits::default())
        .unwrap()
        .message
        .body
    {
        PkiBody::Genm(i) => i,
        other => panic!("{name}: {}", other.name()),
    }
}

fn cert(name: &str) -> Certificate {
    let pem = std::fs::read_to_string(vectors().join("creds").join(name)).unwrap();
    let (_, der) = signet_asn1_types::der::pem::decode_vec(pem.as_bytes()).unwrap();
    Certificate::from_der(&der).unwrap()
}

#[test]
fn openssl_genm_messages_are_classified() {
    for (file, expected) in [
        ("genm_caCerts.req.der", GeneralRequest::CaCerts),
        (
            "genm_rootCaKeyUpdate.req.der",
            GeneralRequest::RootCaKeyUpdate { old_root: None },
        ),
        (
            "genm_certReqTemplate.req.der",
            GeneralRequest::CertReqTemplate,
        ),
        ("genm_skpt.req.der", GeneralRequest::SignKeyPairTypes),
    ] {
        assert_eq!(requests(&genm(file)).unwrap(), [expected], "{file}");
    }
    // An empty genm asks for nothing.
    assert_eq!(requests(&genm("genm.req.der")).unwrap(), []);
}

#[test]
fn rfc_9483_requests_and_unknown_types() {
    let root = cert("ca.crt");
    let crl_status = CrlStatus {
        source: CrlSource::Issuer(vec![GeneralName::DirectoryName(
            root.tbs_certificate().subject().clone(),
        )]),
        this_update: None,
    };
    let unknown = ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.4.99");
    let itavs = vec![
        InfoTypeAndValue::from_typed(&InfoValue::RootCaCert(root.clone())).unwrap(),
        InfoTypeAndValue::from_typed(&InfoValue::CrlStatusList(NonEmpty::one(crl_status.clone())))
            .unwrap(),
        InfoTypeAndValue {
            info_type: unknown,
            info_value: None,
        },
    ];
    assert_eq!(
        requests(&itavs).unwrap(),
        [
            GeneralRequest::RootCaKeyUpdate {
                old_root: Some(root)
            },
            GeneralRequest::CrlUpdate(vec![crl_status]),
            GeneralRequest::Unsupported(unknown),
        ]
    );
    // rootCaCert without a value: the client has no root yet and asks about the current one.
    let no_root = InfoTypeAndValue {
        info_type: oid::IT_ROOT_CA_CERT,
        info_value: None,
    };
    assert_eq!(
        requests(&[no_root]).unwrap(),
        [GeneralRequest::RootCaKeyUpdate { old_root: None }]
    );
    // A known type with a value that does not decode is badDataFormat.
    let bad = InfoTypeAndValue {
        info_type: oid::IT_CRL_STATUS_LIST,
        info_value: Some(Any::from(signet_asn1_types::der::asn1::Null)),
    };
    let err = requests(&[bad]).unwrap_err();
    assert_eq!(err.failure_bit(), PkiFailureBit::BadDataFormat);
}

#[test]
fn genp_answers_decode_to_what_was_supplied() {
    let root = cert("ca.crt");
    let update = RootCaKeyUpdateContent {
        new_with_new: cert("srv.crt"),
        new_with_old: Some(cert("cl.crt")),
        old_with_new: None,
    };
    let template = CertTemplate {
        subject: Some("O=Example Inc,C=US".parse().unwrap()),
        ..CertTemplate::default()
    };
    let p256 = ObjectIdentifier::new_unwrap("1.2.840.10045.3.1.7");
    let unknown = ObjectIdentifier::new_unwrap("1.2.3.4");
    let itavs = genp(vec![
        Answer::CaCerts(vec![root.clone()]),
        Answer::Unsupported(unknown),
        Answer::RootCaKeyUpdate(Some(update.clone())),
        Answer::CertReqTemplate(Some((
            template.clone(),
            vec![
                KeySpec::ec(p256),
                KeySpec::ed25519(),
                KeySpec::RsaBits(3072),
            ],
        ))),
        Answer::Crls(vec![]),
        Answer::Unsupported(unknown),
        Answer::Unsupported(oid::IT_CA_PROT_ENC_CERT),
    ])
    .unwrap();
    let typed: Vec<InfoValue> = itavs.iter().map(|i| i.typed().unwrap()).collect();
    assert_eq!(typed[0], InfoValue::CaCerts(Some(NonEmpty::one(root))));
    assert_eq!(typed[1], InfoValue::RootCaKeyUpdate(Some(update)));
    let InfoValue::CertReqTemplate(Some(content)) = &typed[2] else {
        panic!("{:?}", typed[2])
    };
    assert_eq!(content.cert_template, template);
    let specs: Vec<Control> = content
        .key_spec
        .as_ref()
        .unwrap()
        .iter()
        .map(|c| c.typed().unwrap())
        .collect();
    let Control::AlgId(ec) = &specs[0] else {
        panic!("{:?}", specs[0])
    };
    assert_eq!(
        ec.parameters
            .as_ref()
            .unwrap()
            .decode_as::<ObjectIdentifier>()
            .unwrap(),
        p256
    );
    let Control::AlgId(ed) = &specs[1] else {
        panic!("{:?}", specs[1])
    };
    assert_eq!(ed.oid, signet_asn1_types::algorithm::ID_ED25519);
    assert!(ed.parameters.is_none());
    assert_eq!(specs[2], Control::RsaKeyLen(3072));
    // No CRL newer than the client's: the value is absent.
    assert_eq!(typed[3], InfoValue::Crls(None));
    // Unknown types collected once, at the end.
    assert_eq!(
        typed[4],
        InfoValue::UnsupportedOids(NonEmpty::new(vec![unknown, oid::IT_CA_PROT_ENC_CERT]).unwrap())
    );
    assert_eq!(typed.len(), 5);
    assert_eq!(
        Answer::unsupported(&GeneralRequest::CertReqTemplate),
        Answer::Unsupported(oid::IT_CERT_REQ_TEMPLATE)
    );
}

#[test]
fn template_with_public_key_is_refused() {
    let template = CertTemplate {
        public_key: Some(
            cert("ca.crt")
                .tbs_certificate()
                .subject_public_key_info()
                .clone(),
        ),
        ..CertTemplate::default()
    };
    assert_eq!(
        genp(vec![Answer::CertReqTemplate(Some((template, vec![])))]),
        Err(GeneralError::TemplateWithPublicKey)
    );
}
