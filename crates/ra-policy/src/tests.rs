//! Unit tests: the built-in policy round-trips and validates; each rule approves, modifies or
//! refuses with its specific failure bit.

use signet_asn1_types::cmp::PkiFailureBit;
use signet_asn1_types::der::asn1::{Ia5String, OctetString};
use signet_asn1_types::der::{DateTime, DecodePem, Encode};
use signet_asn1_types::spki::SubjectPublicKeyInfoOwned;
use signet_asn1_types::x509_cert::Certificate;
use signet_asn1_types::x509_cert::ext::Extension;
use signet_asn1_types::x509_cert::ext::pkix::SubjectAltName;
use signet_asn1_types::x509_cert::ext::pkix::name::GeneralName;
use signet_asn1_types::x509_cert::time::Time;
use signet_crmf::{Request, RequestFormat};

use crate::device::check_device_certificate;
use crate::dn;
use crate::{Decision, Modification, Operation, Policy, Refusal, Requester, RevocationTarget};

const CL_CRT: &str =
    include_str!("../../../tests/upstream/vectors/cmp/openssl-3.0.19-generated/creds/cl.crt");
const IDEV_CRT: &str =
    include_str!("../../../tests/upstream/vectors/cmp/openssl-3.0.19-generated/creds/idev.crt");
const MFG_CA: &str =
    include_str!("../../../tests/upstream/vectors/cmp/openssl-3.0.19-generated/creds/mfg_ca.crt");
const CA_CRT: &str =
    include_str!("../../../tests/upstream/vectors/cmp/openssl-3.0.19-generated/creds/ca.crt");

fn cert(pem: &str) -> Certificate {
    Certificate::from_pem(pem).unwrap()
}

fn now() -> DateTime {
    // Inside the validity of the OpenSSL-generated credentials.
    let nb = cert(CL_CRT)
        .tbs_certificate()
        .validity()
        .not_before
        .to_date_time();
    DateTime::from_unix_duration(nb.unix_duration() + core::time::Duration::from_secs(86_400))
        .unwrap()
}

fn request(subject: Option<&str>) -> Request {
    let spki: SubjectPublicKeyInfoOwned = cert(CL_CRT)
        .tbs_certificate()
        .subject_public_key_info()
        .clone();
    Request {
        format: RequestFormat::Crmf,
        cert_req_id: 0,
        subject: subject.map(|s| dn::parse(s).unwrap()),
        public_key: spki,
        extensions: vec![],
        not_before: None,
        not_after: None,
        issuer: None,
        old_cert_id: None,
    }
}

fn registered(subject: &signet_asn1_types::x509_cert::name::Name) -> Requester<'_> {
    Requester::Registered {
        reference: "1234",
        subject,
        subject_alt_names: &[],
        profile: "c2pa-claim-signing",
    }
}

fn approve(d: Decision) -> crate::Approval {
    match d {
        Decision::Approve(a) => a,
        other => panic!("expected approval, got {other:?}"),
    }
}

fn reject(d: Decision) -> Refusal {
    match d {
        Decision::Reject(r) => r,
        other => panic!("expected rejection, got {other:?}"),
    }
}

#[test]
fn dev_default_round_trips_through_toml_and_validates() {
    let p = Policy::dev_default();
    p.validate().unwrap();
    let text = p.to_toml().unwrap();
    assert_eq!(Policy::from_toml(&text).unwrap(), p);
}

#[test]
fn unknown_keys_and_inconsistent_profiles_are_refused() {
    let text = Policy::dev_default().to_toml().unwrap();
    let typo = text.replacen("default-profile", "default-profil", 1);
    assert!(matches!(
        Policy::from_toml(&typo),
        Err(crate::Error::Parse { .. })
    ));
    let mut p = Policy::dev_default();
    p.default_profile = "nope".into();
    assert!(matches!(
        p.validate(),
        Err(crate::Error::UnknownDefaultProfile { .. })
    ));
    let mut p = Policy::dev_default();
    let prof = p.profiles.get_mut("c2pa-claim-signing").unwrap();
    prof.validity.default_days = 400;
    assert!(matches!(p.validate(), Err(crate::Error::Validity { .. })));
    let mut p = Policy::dev_default();
    let prof = p.profiles.remove("device").unwrap();
    p.profiles.insert("Bad Name".into(), prof);
    assert!(p.validate().is_err());
}

#[test]
fn mac_iteration_bounds_are_policy_with_sane_limits() {
    // Absent from an older policy.toml: the defaults, which accept what clients send.
    let text = Policy::dev_default().to_toml().unwrap();
    let older: String = text
        .lines()
        .filter(|l| !l.starts_with("max-pbkdf2-iterations") && !l.starts_with("max-pbm-iterations"))
        .map(|l| format!("{l}\n"))
        .collect();
    let p = Policy::from_toml(&older).unwrap();
    assert_eq!(p.registration.administrative.max_pbkdf2_iterations, 600_000);
    assert_eq!(p.registration.administrative.max_pbm_iterations, 100_000);
    // Set by the operator, within the RFCs' minimum and a CPU ceiling.
    let set = text.replace(
        "max-pbkdf2-iterations = 600000",
        "max-pbkdf2-iterations = 300000",
    );
    assert_eq!(
        Policy::from_toml(&set)
            .unwrap()
            .registration
            .administrative
            .max_pbkdf2_iterations,
        300_000
    );
    for (pbkdf2, pbm) in [(999, 500), (1_000_000_000, 500), (600_000, 99)] {
        let mut p = Policy::dev_default();
        p.registration.administrative.max_pbkdf2_iterations = pbkdf2;
        p.registration.administrative.max_pbm_iterations = pbm;
        assert!(
            matches!(p.validate(), Err(crate::Error::MacIterations { .. })),
            "{pbkdf2} {pbm}"
        );
    }
}

#[test]
fn dn_parses_both_spellings_to_the_same_name() {
    let a = dn::parse("/CN=Signer 1/O=Example, Inc./C=US").unwrap();
    let b = dn::parse("C=US,O=Example\\, Inc.,CN=Signer 1").unwrap();
    assert_eq!(a, b);
    assert_eq!(dn::to_openssl(&a), "/CN=Signer 1/O=Example, Inc./C=US");
    assert!(dn::parse("").is_err());
    assert!(dn::parse("/CN").is_err());
}

#[test]
fn registered_subject_is_issued_and_a_different_request_is_granted_with_mods() {
    let p = Policy::dev_default();
    let reg = dn::parse("/CN=Signer/O=Example/C=US").unwrap();
    let a = approve(p.decide(
        &registered(&reg),
        &request(Some("/CN=Signer/O=Example/C=US")),
        Operation::Initial,
        None,
        now(),
        None,
    ));
    assert!(!a.granted_with_mods(), "{:?}", a.modifications);
    assert_eq!(a.signer_profile, "c2pa-claim-signing-al1");
    assert!(dn::same_name(&a.subject, &reg));
    let secs = a.not_after.unix_duration().as_secs() - a.not_before.unix_duration().as_secs();
    assert_eq!(secs, 365 * 86_400 - 1);
    let a = approve(p.decide(
        &registered(&reg),
        &request(Some("/CN=Someone Else/O=Example/C=US")),
        Operation::Initial,
        None,
        now(),
        None,
    ));
    assert_eq!(a.modifications, [Modification::SubjectReplaced]);
    assert!(dn::same_name(&a.subject, &reg));
}

#[test]
fn registration_is_bound_to_its_profile() {
    let p = Policy::dev_default();
    let reg = dn::parse("/CN=Signer/O=Example/C=US").unwrap();
    let r = reject(p.decide(
        &registered(&reg),
        &request(Some("/CN=Signer/O=Example/C=US")),
        Operation::Initial,
        Some("c2pa-claim-signing-al2"),
        now(),
        None,
    ));
    assert_eq!(r.bit, PkiFailureBit::NotAuthorized);
}

#[test]
fn validity_is_clamped_and_disallowed_names_are_removed() {
    let p = Policy::dev_default();
    let reg = dn::parse("/CN=Signer/O=Example/C=US").unwrap();
    let mut req = request(Some("/CN=Signer/O=Example/C=US"));
    let n = now();
    req.not_before = Some(Time::from(n));
    req.not_after = Some(Time::from(
        DateTime::from_unix_duration(
            n.unix_duration() + core::time::Duration::from_secs(3650 * 86_400),
        )
        .unwrap(),
    ));
    request_alt_names(
        &mut req,
        vec![
            GeneralName::DnsName(Ia5String::new("signer.example.com").unwrap()),
            GeneralName::IpAddress(OctetString::new(vec![127, 0, 0, 1]).unwrap()),
        ],
    );
    req.extensions.push(Extension {
        extn_id: "2.5.29.15".parse().unwrap(),
        critical: true,
        extn_value: OctetString::new(vec![3, 2, 7, 128]).unwrap(),
    });
    // The DNS name is registered with the reference number; the IP address is of a form the
    // profile does not allow.
    let registered_names = [GeneralName::DnsName(
        Ia5String::new("signer.example.com").unwrap(),
    )];
    let requester = Requester::Registered {
        reference: "1234",
        subject: &reg,
        subject_alt_names: &registered_names,
        profile: "c2pa-claim-signing",
    };
    let a = approve(p.decide(&requester, &req, Operation::Initial, None, n, None));
    assert_eq!(a.subject_alt_names, registered_names);
    assert!(a.modifications.contains(&Modification::AltNameRemoved));
    assert!(
        a.modifications
            .contains(&Modification::ValidityShortened { max_days: 366 })
    );
    assert!(a.modifications.contains(&Modification::ExtensionIgnored {
        oid: "2.5.29.15".parse().unwrap()
    }));
    let secs = a.not_after.unix_duration().as_secs() - a.not_before.unix_duration().as_secs();
    assert_eq!(secs, 366 * 86_400 - 1);
    // The issuer's notAfter caps everything.
    let cap =
        DateTime::from_unix_duration(n.unix_duration() + core::time::Duration::from_secs(1000))
            .unwrap();
    let a = approve(p.decide(
        &registered(&reg),
        &request(Some("/CN=Signer/O=Example/C=US")),
        Operation::Initial,
        None,
        n,
        Some(cap),
    ));
    assert_eq!(a.not_after, cap);
}

#[test]
fn naming_rules_refuse_with_bad_cert_template() {
    let p = Policy::dev_default();
    for (subject, why) in [
        ("/CN=Signer/O=Example", "missing C"),
        ("/CN=Signer/O=Example/C=USA", "bad country"),
        ("/CN=Signer/O=Example/C=US/CN=Again", "duplicate CN"),
        ("/CN=Signer/O=Example/C=US/title=Boss", "unknown attribute"),
        ("/CN=Signer/O=Example/C=US/serialNumber=1", "not allowed"),
    ] {
        let name = dn::parse(subject).unwrap();
        let r = p.check_subject("c2pa-claim-signing", &name).unwrap_err();
        assert_eq!(r.bit, PkiFailureBit::BadCertTemplate, "{why}: {r}");
    }
    let long = format!("/CN={}/O=Example/C=US", "x".repeat(65));
    let r = p
        .check_subject("c2pa-claim-signing", &dn::parse(&long).unwrap())
        .unwrap_err();
    assert_eq!(r.bit, PkiFailureBit::BadCertTemplate);
}

#[test]
fn manual_profile_pends_with_check_after() {
    let p = Policy::dev_default();
    let reg = dn::parse("/CN=Signer/O=Example/C=US").unwrap();
    let req = request(Some("/CN=Signer/O=Example/C=US"));
    let requester = Requester::Registered {
        reference: "1",
        subject: &reg,
        subject_alt_names: &[],
        profile: "c2pa-claim-signing-manual",
    };
    match p.decide(&requester, &req, Operation::Initial, None, now(), None) {
        Decision::Pend {
            check_after,
            approval,
        } => {
            assert_eq!(check_after, 1);
            assert_eq!(approval.profile, "c2pa-claim-signing-manual");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn key_update_needs_the_signing_certificate_as_old_cert_id() {
    // The OpenSSL test client certificate is named `CN=Test CMP Client` only.
    let mut p = Policy::dev_default();
    let prof = p.profiles.get_mut("c2pa-claim-signing").unwrap();
    prof.subject.required = vec![crate::NameAttribute::CommonName];
    prof.subject.allowed.clear();
    let c = cert(CL_CRT);
    let sub = Requester::Subscriber {
        certificate: &c,
        profile: "c2pa-claim-signing",
    };
    let mut req = request(None);
    let a = approve(p.decide(&sub, &req, Operation::KeyUpdate, None, now(), None));
    assert!(dn::same_name(&a.subject, c.tbs_certificate().subject()));
    req.old_cert_id = Some(signet_asn1_types::crmf::CertId {
        issuer: GeneralName::DirectoryName(c.tbs_certificate().issuer().clone()),
        serial_number: signet_asn1_types::der::asn1::Int::new(&[1, 2, 3]).unwrap(),
    });
    let r = reject(p.decide(&sub, &req, Operation::KeyUpdate, None, now(), None));
    assert_eq!(r.bit, PkiFailureBit::BadCertId);
    let reg = dn::parse("/CN=Signer/O=Example/C=US").unwrap();
    let r = reject(p.decide(
        &registered(&reg),
        &request(None),
        Operation::KeyUpdate,
        None,
        now(),
        None,
    ));
    assert_eq!(r.bit, PkiFailureBit::NotAuthorized);
}

#[test]
fn authentication_method_must_be_accepted_by_the_profile() {
    let p = Policy::dev_default();
    let d = cert(IDEV_CRT);
    let dev = Requester::Device { certificate: &d };
    // Devices enroll under `device` only.
    let r = reject(p.decide(
        &dev,
        &request(Some("/CN=Device 1/O=Example/C=US")),
        Operation::Initial,
        Some("c2pa-claim-signing"),
        now(),
        None,
    ));
    assert_eq!(r.bit, PkiFailureBit::NotAuthorized);
    let a = approve(p.decide(
        &dev,
        &request(Some("/CN=Device 1/O=Example/C=US")),
        Operation::Initial,
        None,
        now(),
        None,
    ));
    assert_eq!(a.profile, "device");
    // A subscriber of the `device` profile cannot move to a profile without... it can: both accept
    // subscribers; but the AL2 profile does not accept devices.
    let mut p2 = Policy::dev_default();
    p2.registration.automatic = None;
    let r = reject(p2.decide(
        &dev,
        &request(Some("/CN=Device 1/O=Example/C=US")),
        Operation::Initial,
        None,
        now(),
        None,
    ));
    assert_eq!(r.bit, PkiFailureBit::NotAuthorized);
}

#[test]
fn revocation_is_for_own_subject_and_accepted_reasons_only() {
    let p = Policy::dev_default();
    let c = cert(CL_CRT);
    let sub = Requester::Subscriber {
        certificate: &c,
        profile: "c2pa-claim-signing",
    };
    let own = RevocationTarget {
        subject: c.tbs_certificate().subject(),
        profile: "c2pa-claim-signing",
    };
    p.authorize_revocation(&sub, &own, Some(1)).unwrap();
    p.authorize_revocation(&sub, &own, None).unwrap();
    assert_eq!(
        p.authorize_revocation(&sub, &own, Some(8)).unwrap_err().bit,
        PkiFailureBit::BadRequest
    );
    let other = dn::parse("/CN=Other/O=Example/C=US").unwrap();
    let foreign = RevocationTarget {
        subject: &other,
        profile: "c2pa-claim-signing",
    };
    assert_eq!(
        p.authorize_revocation(&sub, &foreign, Some(1))
            .unwrap_err()
            .bit,
        PkiFailureBit::NotAuthorized
    );
    let reg = dn::parse("/CN=Signer/O=Example/C=US").unwrap();
    assert_eq!(
        p.authorize_revocation(&registered(&reg), &own, Some(4))
            .unwrap_err()
            .bit,
        PkiFailureBit::NotAuthorized
    );
}

#[test]
fn device_certificates_must_chain_to_the_trust_list() {
    let v = signet_crypto::Verifier;
    let d = cert(IDEV_CRT);
    assert_eq!(
        check_device_certificate(&d, &[cert(CA_CRT), cert(MFG_CA)], now(), &v).unwrap(),
        1
    );
    let r = check_device_certificate(&d, &[cert(CA_CRT)], now(), &v).unwrap_err();
    assert_eq!(r.bit, PkiFailureBit::SignerNotTrusted);
    // A certificate from another CA does not pass for a device one.
    let r = check_device_certificate(&cert(CL_CRT), &[cert(MFG_CA)], now(), &v).unwrap_err();
    assert_eq!(r.bit, PkiFailureBit::SignerNotTrusted);
}

#[test]
fn unconfirmed_ocsp_status_defaults_to_unknown_and_parses() {
    use crate::UnconfirmedOcspStatus;
    let p = Policy::dev_default();
    assert_eq!(
        p.revocation.unconfirmed_ocsp_status,
        UnconfirmedOcspStatus::Unknown
    );
    let text = p.to_toml().unwrap();
    assert!(
        text.contains("unconfirmed-ocsp-status = \"unknown\""),
        "{text}"
    );
    let status_of = |t: &str| {
        Policy::from_toml(t)
            .unwrap()
            .revocation
            .unconfirmed_ocsp_status
    };
    // A policy written before the setting existed keeps parsing, with the default.
    let old = text.replace("unconfirmed-ocsp-status = \"unknown\"\n", "");
    assert_eq!(status_of(&old), UnconfirmedOcspStatus::Unknown);
    let good = text.replace("\"unknown\"", "\"good\"");
    assert_eq!(status_of(&good), UnconfirmedOcspStatus::Good);
    let typo = text.replace("\"unknown\"", "\"revoked\"");
    assert!(Policy::from_toml(&typo).is_err());
}

/// Adds a subjectAltName extension with `names` to `req`.
fn request_alt_names(req: &mut Request, names: Vec<GeneralName>) {
    req.extensions.push(Extension {
        extn_id: "2.5.29.17".parse().unwrap(),
        critical: false,
        extn_value: OctetString::new(SubjectAltName(names).to_der().unwrap()).unwrap(),
    });
}

/// The request of the hostile test: registered for a subject alone, asking for
/// `email:ceo@bank.example, URI:https://news.example/, DNS:signer.vendor.example`.
fn hostile_san_request() -> Request {
    let mut req = request(Some("/CN=Signer/O=Example/C=US"));
    request_alt_names(
        &mut req,
        vec![
            GeneralName::Rfc822Name(Ia5String::new("ceo@bank.example").unwrap()),
            GeneralName::UniformResourceIdentifier(
                Ia5String::new("https://news.example/").unwrap(),
            ),
            GeneralName::DnsName(Ia5String::new("signer.vendor.example").unwrap()),
        ],
    );
    req
}

/// Regression (hostile testing): a registration for `/CN=…` alone used to get every SAN it
/// asked for, `granted`. Each form is now removed unless vouched for (`grantedWithMods`), or
/// refused with badCertTemplate when the profile says so.
#[test]
fn unvouched_alt_names_are_removed_or_refused() {
    let reg = dn::parse("/CN=Signer/O=Example/C=US").unwrap();
    let p = Policy::dev_default();
    let a = approve(p.decide(
        &registered(&reg),
        &hostile_san_request(),
        Operation::Initial,
        None,
        now(),
        None,
    ));
    assert!(a.subject_alt_names.is_empty(), "{:?}", a.subject_alt_names);
    assert_eq!(
        a.modifications,
        [
            Modification::AltNameUnverified,
            Modification::AltNameUnverified,
            Modification::AltNameUnverified
        ]
    );
    assert!(a.granted_with_mods());

    let mut strict = Policy::dev_default();
    for prof in strict.profiles.values_mut() {
        prof.subject_alt_names.unverified = crate::UnverifiedSan::Refuse;
    }
    let r = reject(strict.decide(
        &registered(&reg),
        &hostile_san_request(),
        Operation::Initial,
        None,
        now(),
        None,
    ));
    assert_eq!(r.bit, PkiFailureBit::BadCertTemplate);
    assert!(r.text.contains("email:ceo@bank.example"), "{r}");

    // Each form, registered by the officer, is issued; the others still are not. E-mail
    // domains and DNS names compare case-insensitively.
    let forms = [
        GeneralName::Rfc822Name(Ia5String::new("ceo@BANK.example").unwrap()),
        GeneralName::UniformResourceIdentifier(Ia5String::new("https://news.example/").unwrap()),
        GeneralName::DnsName(Ia5String::new("Signer.Vendor.Example").unwrap()),
    ];
    for (i, registered_name) in forms.iter().enumerate() {
        let names = [registered_name.clone()];
        let requester = Requester::Registered {
            reference: "1234",
            subject: &reg,
            subject_alt_names: &names,
            profile: "c2pa-claim-signing",
        };
        let a = approve(p.decide(
            &requester,
            &hostile_san_request(),
            Operation::Initial,
            None,
            now(),
            None,
        ));
        let requested = hostile_san_request();
        let wanted = {
            use signet_asn1_types::der::Decode;
            SubjectAltName::from_der(requested.extensions[0].extn_value.as_bytes())
                .unwrap()
                .0[i]
                .clone()
        };
        assert_eq!(a.subject_alt_names, [wanted], "form {i}");
        assert_eq!(
            a.modifications,
            [
                Modification::AltNameUnverified,
                Modification::AltNameUnverified
            ],
            "form {i}"
        );
    }
}

/// Automatic registration: the device certificate vouches for the names it carries
/// (`DNS:localhost` in OpenSSL's TLS test certificate), nothing else; its IP address is of a
/// form no profile allows.
#[test]
fn device_certificates_vouch_for_their_own_alt_names() {
    const TLS_CRT: &str =
        include_str!("../../../tests/upstream/vectors/cmp/openssl-3.0.19-generated/creds/tls.crt");
    let p = Policy::dev_default();
    let d = cert(TLS_CRT);
    let dev = Requester::Device { certificate: &d };
    let mut req = request(Some("/CN=Device 1/O=Example/C=US"));
    request_alt_names(
        &mut req,
        vec![
            GeneralName::DnsName(Ia5String::new("localhost").unwrap()),
            GeneralName::DnsName(Ia5String::new("signer.vendor.example").unwrap()),
        ],
    );
    let a = approve(p.decide(&dev, &req, Operation::Initial, None, now(), None));
    assert_eq!(
        a.subject_alt_names,
        [GeneralName::DnsName(Ia5String::new("localhost").unwrap())]
    );
    assert_eq!(a.modifications, [Modification::AltNameUnverified]);
    // The subscriber's current certificate vouches the same way on cr/kur; a certificate
    // without SANs vouches for none.
    let c = cert(CL_CRT);
    let sub = Requester::Subscriber {
        certificate: &c,
        profile: "c2pa-claim-signing",
    };
    let names = vouched_names_for_test(&sub);
    assert!(names.is_empty());
    assert_eq!(
        vouched_names_for_test(&dev),
        [
            GeneralName::DnsName(Ia5String::new("localhost").unwrap()),
            GeneralName::IpAddress(OctetString::new(vec![127, 0, 0, 1]).unwrap())
        ]
    );
}

fn vouched_names_for_test(r: &Requester<'_>) -> Vec<GeneralName> {
    crate::decide::vouched_alt_names(r).unwrap()
}

#[test]
fn self_service_settings_are_bounded() {
    let mut p = Policy::dev_default();
    let ss = p.registration.self_service.clone().unwrap();
    assert_eq!((ss.max_failures, ss.lockout_seconds), (5, 900));
    type Change = fn(&mut crate::SelfService);
    let changes: [(Change, &str); 6] = [
        (|s| s.bases.clear(), "no authentication base"),
        (|s| s.max_failures = 0, "max-failures"),
        (|s| s.max_failures = 101, "max-failures"),
        (|s| s.lockout_seconds = 59, "lockout-seconds"),
        (|s| s.code_valid_seconds = 0, "code-valid-seconds"),
        (|s| s.code_valid_seconds = 91 * 86_400, "code-valid-seconds"),
    ];
    for (change, why) in changes {
        let mut bad = ss.clone();
        change(&mut bad);
        p.registration.self_service = Some(bad);
        let e = p.validate().unwrap_err().to_string();
        assert!(e.contains("self-service") && e.contains(why), "{e}");
    }
    // A policy without the section has no portal, and TOML without it still loads.
    p.registration.self_service = None;
    p.validate().unwrap();
    let text = p.to_toml().unwrap();
    assert!(!text.contains("self-service"));
    assert_eq!(Policy::from_toml(&text).unwrap(), p);
}
