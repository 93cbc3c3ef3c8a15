//! genm → genp end to end: `openssl cmp -cmd genm -infotype ...` (and our client, for the types
//! OpenSSL 3.0 cannot send) against the engine's typed answers, with the genp decoded back and
//! re-verified offline by openssl.

use std::process::Command;

use signet_asn1_types::cmp::{InfoValue, PkiBody, PkiMessage, oid};
use signet_asn1_types::der::Decode;
use signet_asn1_types::seq::NonEmpty;
use signet_asn1_types::x509_cert::ext::pkix::name::GeneralName;
use signet_cmp_protocol::client::drive;
use signet_cmp_protocol::client::{Client, ClientConfig, MacAlgorithm, RequestProtection};
use signet_crypto::{SystemRng, Verifier};

use crate::openssl::{Env, env, run};
use crate::support::{REF, SECRET, SERVER_DN, Server, c2pa_template, via};

/// Runs `openssl cmp -cmd genm -infotype <name>` (PBM) and returns its output and the genp.
fn genm(e: &Env, infotype: &str) -> (String, Vec<InfoValue>) {
    let rsp = format!("genp_{infotype}.der");
    let (ok, out) = e.cmp(&[
        "-cmd",
        "genm",
        "-infotype",
        infotype,
        "-ref",
        REF,
        "-secret",
        "pass:1234-5678-9abc",
        "-recipient",
        "/C=US/O=Signet/CN=Signet CMP CA",
        "-rspout",
        &rsp,
    ]);
    assert!(ok, "genm {infotype}:\n{out}");
    let msg = PkiMessage::from_der(&std::fs::read(e.p(&rsp)).unwrap()).unwrap();
    let PkiBody::Genp(itavs) = msg.body else {
        panic!("not genp")
    };
    (out, itavs.iter().map(|i| i.typed().unwrap()).collect())
}

#[test]
fn openssl_genm_info_types_get_typed_answers() {
    let e = env();
    let (out, v) = genm(&e, "caCerts");
    assert_eq!(
        v,
        [InfoValue::CaCerts(Some(NonEmpty::one(
            e.server.pki.root.cert.clone()
        )))]
    );
    assert!(out.contains("caCerts"), "{out}");

    // OpenSSL 3.0 asks with rootCaKeyUpdate and no value; no update is planned: absent value.
    let (_, v) = genm(&e, "rootCaKeyUpdate");
    assert_eq!(v, [InfoValue::RootCaKeyUpdate(None)]);

    let (_, v) = genm(&e, "certReqTemplate");
    let InfoValue::CertReqTemplate(Some(content)) = &v[0] else {
        panic!("{v:?}")
    };
    let (template, specs) = c2pa_template();
    assert_eq!(content.cert_template, template);
    assert_eq!(content.key_spec.as_ref().unwrap().len(), specs.len());

    // A type this server does not serve: listed in unsupportedOIDs, not an error.
    let (out, v) = genm(&e, "signKeyPairTypes");
    assert_eq!(
        v,
        [InfoValue::UnsupportedOids(NonEmpty::one(
            oid::IT_SIGN_KEY_PAIR_TYPES
        ))]
    );
    assert!(out.contains("genp contains"), "{out}");

    // The recorded template genp verifies offline too.
    let mut c = Command::new("timeout");
    c.arg("30")
        .args([
            "openssl",
            "cmp",
            "-cmd",
            "genm",
            "-infotype",
            "certReqTemplate",
        ])
        .args(["-ref", REF, "-secret", "pass:1234-5678-9abc"])
        .args(["-rspin", "genp_certReqTemplate.der"])
        .current_dir(e.dir.path());
    let (ok, out) = run(&mut c);
    assert!(ok && out.contains("received GENP"), "{out}");
}

#[test]
fn crl_update_root_update_and_unknown_types_from_our_client() {
    let server = Server::new(false);
    let dn = |s: &str| GeneralName::DirectoryName(s.parse().unwrap());
    let cfg = ClientConfig::new(dn("CN=C2PA Claim Signer 1"), dn(SERVER_DN));
    let rng = SystemRng::new();
    let client = Client::new(
        &cfg,
        RequestProtection::Mac {
            reference: REF.as_bytes().to_vec(),
            secret: SECRET.as_bytes(),
            algorithm: MacAlgorithm::default(),
        },
        &Verifier,
        &rng,
    );
    let root = server.pki.root.cert.clone();
    let status = signet_asn1_types::cmp::CrlStatus {
        source: signet_asn1_types::cmp::CrlSource::Issuer(vec![GeneralName::DirectoryName(
            root.tbs_certificate().subject().clone(),
        )]),
        this_update: None,
    };
    let unknown: signet_asn1_types::const_oid::ObjectIdentifier =
        "1.3.6.1.5.5.7.4.99".parse().unwrap();
    let start = client
        .genm(
            &[
                InfoValue::RootCaCert(root),
                InfoValue::CrlStatusList(NonEmpty::one(status)),
                InfoValue::Other(signet_asn1_types::cmp::InfoTypeAndValue {
                    info_type: unknown,
                    info_value: None,
                }),
                InfoValue::CaCerts(None),
            ],
            crate::support::now_secs(),
        )
        .unwrap();
    let itavs = drive::general(&client, start, &mut via(&server)).unwrap();
    let v: Vec<InfoValue> = itavs.iter().map(|i| i.typed().unwrap()).collect();
    assert_eq!(v.len(), 4, "{v:?}");
    assert_eq!(v[0], InfoValue::RootCaKeyUpdate(None));
    assert_eq!(v[1], InfoValue::Crls(None));
    assert!(matches!(v[2], InfoValue::CaCerts(Some(_))));
    assert_eq!(v[3], InfoValue::UnsupportedOids(NonEmpty::one(unknown)));
}
