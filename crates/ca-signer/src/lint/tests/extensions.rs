//! Extension lint tests: general rules, key usage, EKU, basic constraints, key identifiers,
//! SAN, policies, AIA / CRL DP, the C2PA extensions and OCSP no-check.

#[allow(
    clippy::wildcard_imports,
    reason = "the shared fixture of the parent test module"
)]
use super::*;

// ---- extensions in general ----

#[test]
fn duplicate_key_usage_extension() {
    let f = mutated_leaf(|p| {
        let ku = ext_mut(p, oid::ID_CE_KEY_USAGE).clone();
        exts(p).push(ku);
    });
    assert_finding(
        &f,
        &LintError::DuplicateExtension {
            oid: oid::ID_CE_KEY_USAGE,
        },
    );
}

#[test]
fn unexpected_name_constraints_extension() {
    let name_constraints = ObjectIdentifier::new_unwrap("2.5.29.30");
    let f = mutated_leaf(|p| {
        exts(p).push(Extension {
            extn_id: name_constraints,
            critical: true,
            extn_value: OctetString::new(vec![0x30, 0x00]).unwrap(),
        });
    });
    assert_finding(
        &f,
        &LintError::UnexpectedExtension {
            oid: name_constraints,
        },
    );
}

#[test]
fn extension_value_malformed() {
    let f = mutated_leaf(|p| {
        ext_mut(p, oid::ID_CE_BASIC_CONSTRAINTS).extn_value =
            OctetString::new(vec![0x04, 0x00]).unwrap();
    });
    assert_finding(
        &f,
        &LintError::ExtensionMalformed {
            oid: oid::ID_CE_BASIC_CONSTRAINTS,
        },
    );
}

// ---- key usage ----

#[test]
fn key_usage_key_encipherment_on_ec_key() {
    let f = mutated_leaf(|p| {
        set_value(
            p,
            oid::ID_CE_KEY_USAGE,
            &KeyUsage(KeyUsages::DigitalSignature | KeyUsages::KeyEncipherment),
        );
    });
    assert_finding(
        &f,
        &LintError::KeyUsageIncompatibleWithKey {
            bit: "keyEncipherment",
        },
    );
    assert_finding(
        &f,
        &LintError::KeyUsageMismatch {
            expected: 0b11,
            found: 0b101,
        },
    );
}

#[test]
fn key_usage_not_critical() {
    let f = mutated_leaf(|p| ext_mut(p, oid::ID_CE_KEY_USAGE).critical = false);
    assert_finding(
        &f,
        &LintError::ExtensionCriticality {
            oid: oid::ID_CE_KEY_USAGE,
            expected: true,
            found: false,
        },
    );
}

#[test]
fn key_usage_missing() {
    let f = mutated_leaf(|p| remove(p, oid::ID_CE_KEY_USAGE));
    assert_finding(
        &f,
        &LintError::ExtensionMissing {
            oid: oid::ID_CE_KEY_USAGE,
        },
    );
}

#[test]
fn key_cert_sign_without_ca() {
    let mut profile = al1();
    profile.key_usage.bits.push(KeyUsageBit::KeyCertSign);
    let f = findings(&leaf_request(), &profile, &ca_issuer());
    assert_finding(&f, &LintError::KeyCertSignWithoutCa);
}

// ---- extended key usage ----

#[test]
fn eku_missing_for_end_entity() {
    let mut profile = al1();
    profile.extended_key_usage = None;
    assert_finding(
        &findings(&leaf_request(), &profile, &ca_issuer()),
        &LintError::EkuMissingForEndEntity,
    );
}

#[test]
fn eku_any_extended_key_usage() {
    let mut profile = al1();
    if let Some(eku) = profile.extended_key_usage.as_mut() {
        eku.purposes.push(oid::ANY_EXTENDED_KEY_USAGE);
    }
    assert_finding(
        &findings(&leaf_request(), &profile, &ca_issuer()),
        &LintError::EkuAnyPresent,
    );
}

#[test]
fn eku_time_stamping_with_email_protection() {
    let mut profile = builtin::tsa_leaf();
    if let Some(eku) = profile.extended_key_usage.as_mut() {
        eku.purposes.push(oid::ID_KP_EMAIL_PROTECTION);
    }
    let mut req = leaf_request();
    req.cpl_record = None;
    let f = findings(&req, &profile, &ca_issuer());
    assert_finding(
        &f,
        &LintError::EkuNotExclusive {
            oid: oid::ID_KP_TIME_STAMPING,
        },
    );
    assert_finding(
        &f,
        &LintError::EkuNotAllowed {
            oid: oid::ID_KP_EMAIL_PROTECTION,
        },
    );
}

#[test]
fn eku_claim_signing_without_email_or_document_signing() {
    let mut profile = al1();
    if let Some(eku) = profile.extended_key_usage.as_mut() {
        eku.purposes = vec![oid::C2PA_KP_CLAIM_SIGNING];
    }
    assert_finding(
        &findings(&leaf_request(), &profile, &ca_issuer()),
        &LintError::EkuOneOfMissing,
    );
}

#[test]
fn eku_without_claim_signing() {
    let mut profile = al1();
    if let Some(eku) = profile.extended_key_usage.as_mut() {
        eku.purposes = vec![oid::ID_KP_DOCUMENT_SIGNING];
    }
    assert_finding(
        &findings(&leaf_request(), &profile, &ca_issuer()),
        &LintError::EkuRequiredMissing {
            oid: oid::C2PA_KP_CLAIM_SIGNING,
        },
    );
}

#[test]
fn eku_on_root() {
    let root = chain();
    let f = mutated(
        &IssuanceRequest::new(name("CN=Test Root,O=Signet,C=US"), spki_of(&root.root)),
        &builtin::root_ca(),
        &Issuer::self_signed(SignatureAlgorithm::EcdsaP384Sha384Asn1),
        |p| {
            exts(p).push(Extension {
                extn_id: oid::ID_CE_EXT_KEY_USAGE,
                critical: false,
                extn_value: OctetString::new(
                    signet_asn1_types::x509_cert::ext::pkix::ExtendedKeyUsage(vec![
                        oid::ID_KP_SERVER_AUTH,
                    ])
                    .to_der()
                    .unwrap(),
                )
                .unwrap(),
            });
        },
    );
    assert_finding(
        &f,
        &LintError::ExtensionForbidden {
            oid: oid::ID_CE_EXT_KEY_USAGE,
        },
    );
}

// ---- basic constraints ----

#[test]
fn basic_constraints_ca_on_leaf() {
    let f = mutated_leaf(|p| {
        set_value(
            p,
            oid::ID_CE_BASIC_CONSTRAINTS,
            &BasicConstraints {
                ca: true,
                path_len_constraint: None,
            },
        );
    });
    assert_finding(
        &f,
        &LintError::BasicConstraintsCa {
            expected: false,
            found: true,
        },
    );
}

#[test]
fn path_len_on_leaf() {
    let f = mutated_leaf(|p| {
        set_value(
            p,
            oid::ID_CE_BASIC_CONSTRAINTS,
            &BasicConstraints {
                ca: false,
                path_len_constraint: Some(0),
            },
        );
    });
    assert_finding(&f, &LintError::PathLenWithoutCa);
    assert_finding(
        &f,
        &LintError::PathLenMismatch {
            expected: None,
            found: Some(0),
        },
    );
}

#[test]
fn basic_constraints_missing() {
    let f = mutated_leaf(|p| remove(p, oid::ID_CE_BASIC_CONSTRAINTS));
    assert_finding(
        &f,
        &LintError::ExtensionMissing {
            oid: oid::ID_CE_BASIC_CONSTRAINTS,
        },
    );
    // Without cA, an end entity still needs its EKU; the lint does not misread it as a CA.
    assert!(!f.contains(&LintError::EkuMissingForEndEntity));
}

// ---- key identifiers ----

#[test]
fn ski_not_method_1() {
    let f = mutated_leaf(|p| {
        set_value(
            p,
            oid::ID_CE_SUBJECT_KEY_IDENTIFIER,
            &OctetString::new(vec![0xAB; 20]).unwrap(),
        );
    });
    assert_finding(&f, &LintError::SkiMismatch);
}

#[test]
fn aki_of_another_ca() {
    let f = mutated_leaf(|p| {
        set_value(
            p,
            oid::ID_CE_AUTHORITY_KEY_IDENTIFIER,
            &signet_asn1_types::x509_cert::ext::pkix::AuthorityKeyIdentifier {
                key_identifier: Some(OctetString::new(vec![0xCD; 20]).unwrap()),
                authority_cert_issuer: None,
                authority_cert_serial_number: None,
            },
        );
    });
    assert_finding(&f, &LintError::AkiMismatch);
}

#[test]
fn aki_missing() {
    let f = mutated_leaf(|p| remove(p, oid::ID_CE_AUTHORITY_KEY_IDENTIFIER));
    assert_finding(
        &f,
        &LintError::ExtensionMissing {
            oid: oid::ID_CE_AUTHORITY_KEY_IDENTIFIER,
        },
    );
}

#[test]
fn ski_critical() {
    let f = mutated_leaf(|p| ext_mut(p, oid::ID_CE_SUBJECT_KEY_IDENTIFIER).critical = true);
    assert_finding(
        &f,
        &LintError::ExtensionCriticality {
            oid: oid::ID_CE_SUBJECT_KEY_IDENTIFIER,
            expected: false,
            found: true,
        },
    );
}

// ---- subject alternative name ----

fn san_findings(profile: &Profile, names: Vec<GeneralName>) -> Vec<LintError> {
    let mut req = leaf_request();
    if profile.cpl_record != Presence::Must {
        req.cpl_record = None;
    }
    req.subject_alt_names = names;
    findings(&req, profile, &ca_issuer())
}

fn dns(s: &str) -> GeneralName {
    GeneralName::DnsName(Ia5String::new(s).unwrap())
}

#[test]
fn san_valid_names_pass() {
    let names = vec![
        dns("camera.example.com"),
        GeneralName::Rfc822Name(Ia5String::new("signer@example.com").unwrap()),
        GeneralName::UniformResourceIdentifier(Ia5String::new("https://example.com/cam").unwrap()),
    ];
    assert_eq!(san_findings(&al1(), names), []);
}

#[test]
fn san_dns_name_with_leading_hyphen() {
    use crate::profile::GeneralNameKind;
    assert_finding(
        &san_findings(&al1(), vec![dns("-bad.example.com")]),
        &LintError::SanMalformed {
            kind: GeneralNameKind::DnsName,
        },
    );
}

#[test]
fn san_email_without_at() {
    use crate::profile::GeneralNameKind;
    assert_finding(
        &san_findings(
            &al1(),
            vec![GeneralName::Rfc822Name(
                Ia5String::new("nobody.example.com").unwrap(),
            )],
        ),
        &LintError::SanMalformed {
            kind: GeneralNameKind::Rfc822Name,
        },
    );
}

#[test]
fn san_relative_uri() {
    use crate::profile::GeneralNameKind;
    assert_finding(
        &san_findings(
            &al1(),
            vec![GeneralName::UniformResourceIdentifier(
                Ia5String::new("/relative/path").unwrap(),
            )],
        ),
        &LintError::SanMalformed {
            kind: GeneralNameKind::Uri,
        },
    );
}

#[test]
fn san_ip_address_not_allowed() {
    let ip = GeneralName::IpAddress(OctetString::new(vec![192, 0, 2, 1]).unwrap());
    assert_finding(
        &san_findings(&al1(), vec![ip]),
        &LintError::SanTypeNotAllowed,
    );
}

#[test]
fn san_on_ocsp_responder() {
    assert_finding(
        &san_findings(&builtin::ocsp_responder(), vec![dns("ocsp.example.com")]),
        &LintError::ExtensionForbidden {
            oid: oid::ID_CE_SUBJECT_ALT_NAME,
        },
    );
}

#[test]
fn san_repeated() {
    let names = vec![dns("a.example.com"), dns("a.example.com")];
    assert_finding(&san_findings(&al1(), names), &LintError::SanRepeated);
}

#[test]
fn san_101_entries() {
    let names = (0..101)
        .map(|i| dns(&format!("h{i}.example.com")))
        .collect();
    assert_finding(
        &san_findings(&al1(), names),
        &LintError::SanCount { count: 101 },
    );
}

// ---- policies ----

#[test]
fn policy_c2pa_missing() {
    let f = mutated_leaf(|p| {
        set_value(
            p,
            oid::ID_CE_CERTIFICATE_POLICIES,
            &CertificatePolicies(vec![PolicyInformation {
                policy_identifier: ObjectIdentifier::new_unwrap("1.3.6.1.4.1.99999.1"),
                policy_qualifiers: None,
            }]),
        );
    });
    assert_finding(
        &f,
        &LintError::PolicyMissing {
            oid: oid::C2PA_CERTIFICATE_POLICY,
        },
    );
}

#[test]
fn policy_repeated() {
    let mut profile = al1();
    profile
        .certificate_policies
        .additional
        .push(oid::C2PA_CERTIFICATE_POLICY);
    assert_finding(
        &findings(&leaf_request(), &profile, &ca_issuer()),
        &LintError::PolicyRepeated {
            oid: oid::C2PA_CERTIFICATE_POLICY,
        },
    );
}

#[test]
fn policy_extension_missing() {
    let f = mutated_leaf(|p| remove(p, oid::ID_CE_CERTIFICATE_POLICIES));
    assert_finding(
        &f,
        &LintError::ExtensionMissing {
            oid: oid::ID_CE_CERTIFICATE_POLICIES,
        },
    );
}

// ---- AIA and CRL DP ----

fn issuer_with(urls: IssuerUrls) -> Issuer {
    Issuer::from_certificate(
        &chain().ca_cert,
        SignatureAlgorithm::EcdsaP384Sha384Asn1,
        urls,
    )
    .unwrap()
}

#[test]
fn aia_without_ocsp() {
    let issuer = issuer_with(IssuerUrls {
        ocsp: Vec::new(),
        ..urls()
    });
    assert_finding(
        &findings(&leaf_request(), &al1(), &issuer),
        &LintError::AiaOcspMissing,
    );
}

#[test]
fn aia_missing_on_leaf() {
    let issuer = issuer_with(IssuerUrls {
        ocsp: Vec::new(),
        ca_issuers: Vec::new(),
        crl: Vec::new(),
    });
    let f = findings(&leaf_request(), &al1(), &issuer);
    assert_finding(
        &f,
        &LintError::ExtensionMissing {
            oid: oid::ID_PE_AUTHORITY_INFO_ACCESS,
        },
    );
    assert_finding(&f, &LintError::RevocationPointerMissing);
}

#[test]
fn ocsp_url_https() {
    let issuer = issuer_with(IssuerUrls {
        ocsp: vec!["https://ocsp.example.com".to_owned()],
        ..urls()
    });
    assert_finding(
        &findings(&leaf_request(), &al1(), &issuer),
        &LintError::UriNotHttp,
    );
}

#[test]
fn crl_url_not_a_uri() {
    let issuer = issuer_with(IssuerUrls {
        crl: vec!["crl.example.com/issuing.crl".to_owned()],
        ..urls()
    });
    assert_finding(
        &findings(&leaf_request(), &al1(), &issuer),
        &LintError::UriNotHttp,
    );
}

#[test]
fn revocation_pointer_missing_on_issuing_ca() {
    let root = Issuer::from_certificate(
        &chain().root_cert,
        SignatureAlgorithm::EcdsaP384Sha384Asn1,
        IssuerUrls {
            ca_issuers: vec!["http://ca.example.com/root.cer".to_owned()],
            ..IssuerUrls::default()
        },
    )
    .unwrap();
    let req = IssuanceRequest::new(
        name("CN=Sub CA,O=Signet,C=US"),
        spki_of(&key(
            KeyType::EcdsaP384,
            SignatureAlgorithm::EcdsaP384Sha384Asn1,
        )),
    );
    let f = findings(&req, &builtin::claim_signing_issuing_ca(), &root);
    assert_finding(&f, &LintError::RevocationPointerMissing);
}

#[test]
fn crl_dp_on_ocsp_responder() {
    let mut req = leaf_request();
    req.cpl_record = None;
    let f = mutated(&req, &builtin::ocsp_responder(), &ca_issuer(), |p| {
        let crl_dp = {
            let mut leaf = tbs_parts(
                &leaf_request(),
                &al1(),
                &ca_issuer(),
                &resolve_issuer(&leaf_request(), &ca_issuer()).unwrap(),
                now(),
                &serial(),
            )
            .unwrap();
            ext_mut(&mut leaf, oid::ID_CE_CRL_DISTRIBUTION_POINTS).clone()
        };
        exts(p).push(crl_dp);
    });
    assert_finding(
        &f,
        &LintError::ExtensionForbidden {
            oid: oid::ID_CE_CRL_DISTRIBUTION_POINTS,
        },
    );
}

// ---- C2PA extensions and OCSP no-check ----

#[test]
fn assurance_level_2_in_level_1_certificate() {
    let f = mutated_leaf(|p| set_value(p, oid::C2PA_ASSURANCE_LEVEL, &oid::C2PA_ASSURANCE_LEVEL_2));
    assert_finding(&f, &LintError::AssuranceLevelMismatch);
}

#[test]
fn cpl_record_missing() {
    let mut req = leaf_request();
    req.cpl_record = None;
    assert_finding(
        &findings(&req, &al1(), &ca_issuer()),
        &LintError::ExtensionMissing {
            oid: oid::C2PA_CPL_RECORD,
        },
    );
}

#[test]
fn cpl_record_not_a_uuid() {
    let mut req = leaf_request();
    req.cpl_record = Some("7f0c8a0e-2b1d-4c3e-9f5a-0123456789aZ".to_owned());
    assert_finding(
        &findings(&req, &al1(), &ca_issuer()),
        &LintError::CplRecordInvalid,
    );
}

#[test]
fn ocsp_no_check_missing() {
    let mut req = leaf_request();
    req.cpl_record = None;
    let f = mutated(&req, &builtin::ocsp_responder(), &ca_issuer(), |p| {
        remove(p, oid::ID_PKIX_OCSP_NOCHECK);
    });
    assert_finding(
        &f,
        &LintError::ExtensionMissing {
            oid: oid::ID_PKIX_OCSP_NOCHECK,
        },
    );
}

#[test]
fn ocsp_no_check_not_null() {
    let mut req = leaf_request();
    req.cpl_record = None;
    let f = mutated(&req, &builtin::ocsp_responder(), &ca_issuer(), |p| {
        ext_mut(p, oid::ID_PKIX_OCSP_NOCHECK).extn_value =
            OctetString::new(vec![0x04, 0x00]).unwrap();
    });
    assert_finding(&f, &LintError::OcspNoCheckInvalid);
}

#[test]
fn ocsp_no_check_on_claim_signing_leaf() {
    let f = mutated_leaf(|p| {
        exts(p).push(Extension {
            extn_id: oid::ID_PKIX_OCSP_NOCHECK,
            critical: false,
            extn_value: OctetString::new(vec![0x05, 0x00]).unwrap(),
        });
    });
    assert_finding(
        &f,
        &LintError::ExtensionForbidden {
            oid: oid::ID_PKIX_OCSP_NOCHECK,
        },
    );
}

#[test]
fn findings_are_reported_together() {
    let mut req = leaf_request();
    req.subject = name("CN=Example Camera");
    req.cpl_record = None;
    req.not_after = Some(at(400, 0));
    let err = prepare(&req, &al1(), &ca_issuer(), now(), &serial()).unwrap_err();
    assert!(err.findings().len() >= 4, "{err}");
    assert!(
        err.to_string()
            .starts_with(&format!("{} lint finding(s): ", err.findings().len()))
    );
}

#[test]
fn root_chain_builds_and_names_chain() {
    let c = chain();
    assert_eq!(
        c.ca_cert.tbs_certificate().issuer(),
        c.root_cert.tbs_certificate().subject()
    );
    assert_eq!(c.ca.public_key_der().len(), 120);
}
