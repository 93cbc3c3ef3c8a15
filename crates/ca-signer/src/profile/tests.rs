//! Tests for profiles: the built-ins transcribe the C2PA conformance YAML, round-trip through
//! serde, and an operator's TOML profile parses with unknown fields and bad OIDs refused.

use super::builtin::{self, AssuranceLevel, CmpRole};
use super::{KeyRule, KeyUsageBit, Presence, Profile};
use crate::oid;

fn all_builtins() -> Vec<Profile> {
    vec![
        builtin::root_ca(),
        builtin::intermediate_ca(),
        builtin::claim_signing_issuing_ca(),
        builtin::tsa_issuing_ca(),
        builtin::claim_signing_leaf(AssuranceLevel::Level1),
        builtin::claim_signing_leaf(AssuranceLevel::Level2),
        builtin::tsa_leaf(),
        builtin::ocsp_responder(),
        builtin::cmp_protection(CmpRole::Ca),
        builtin::cmp_protection(CmpRole::Ra),
    ]
}

#[test]
fn builtins_round_trip_through_toml() {
    for profile in all_builtins() {
        let text = toml::to_string(&profile).unwrap();
        let back: Profile = toml::from_str(&text).unwrap();
        assert_eq!(back, profile, "{text}");
    }
}

#[test]
fn builtins_follow_the_conformance_yaml() {
    // Validity maxima ("Max N days").
    let max = |p: Profile| p.validity.max_days;
    assert_eq!(max(builtin::claim_signing_issuing_ca()), Some(1827));
    assert_eq!(max(builtin::tsa_issuing_ca()), Some(5479));
    assert_eq!(
        max(builtin::claim_signing_leaf(AssuranceLevel::Level1)),
        Some(366)
    );
    assert_eq!(
        max(builtin::claim_signing_leaf(AssuranceLevel::Level2)),
        Some(90)
    );
    assert_eq!(max(builtin::tsa_leaf()), Some(4110));
    // pathLenConstraint 2 / 1 / 0 / 0.
    let path = |p: Profile| p.basic_constraints.path_len;
    assert_eq!(path(builtin::root_ca()), Some(2));
    assert_eq!(path(builtin::intermediate_ca()), Some(1));
    assert_eq!(path(builtin::claim_signing_issuing_ca()), Some(0));
    assert_eq!(path(builtin::tsa_issuing_ca()), Some(0));
    // CA keys: RSA >= 3072 or P-384/P-521; leaves RSA >= 2048; Ed25519 only for claim signing.
    assert!(
        builtin::root_ca()
            .public_keys
            .contains(&KeyRule::Rsa { min_bits: 3072 })
    );
    assert!(
        builtin::tsa_leaf()
            .public_keys
            .contains(&KeyRule::Rsa { min_bits: 2048 })
    );
    assert!(!builtin::tsa_leaf().public_keys.contains(&KeyRule::Ed25519));
    assert!(
        builtin::claim_signing_leaf(AssuranceLevel::Level2)
            .public_keys
            .contains(&KeyRule::Ed25519)
    );
    // TSA leaf EKU is critical, everyone else's is not.
    for p in all_builtins() {
        if let Some(eku) = &p.extended_key_usage {
            assert_eq!(
                eku.critical,
                p.name == builtin::tsa_leaf().name,
                "{}",
                p.name
            );
        }
        assert!(
            p.basic_constraints.critical && p.key_usage.critical,
            "{}",
            p.name
        );
    }
    // OCSP responder: digitalSignature only, nocheck, no AIA / CRL DP.
    let ocsp = builtin::ocsp_responder();
    assert_eq!(ocsp.key_usage.bits, [KeyUsageBit::DigitalSignature]);
    assert!(ocsp.ocsp_no_check);
    assert_eq!(ocsp.authority_info_access, Presence::MustNot);
    assert_eq!(ocsp.crl_distribution_points, Presence::MustNot);
    // Leaves carry the assurance level and CPL record.
    let al2 = builtin::claim_signing_leaf(AssuranceLevel::Level2);
    assert_eq!(al2.assurance_level, Some(oid::C2PA_ASSURANCE_LEVEL_2));
    assert_eq!(al2.cpl_record, Presence::Must);
}

const OPERATOR_PROFILE: &str = r#"
name = "Example Corp document signer"
public-keys = [{ type = "ec", curves = ["p256", "p384"] }, { type = "rsa", min-bits = 3072 }]
signature-algorithms = ["ecdsa-sha2"]
subject-key-identifier = "must"
authority-key-identifier = "must"
authority-info-access = "must"
crl-distribution-points = "optional"
require-revocation-pointer = true
ocsp-no-check = false
assurance-level = "1.3.6.1.4.1.62558.3.10"
cpl-record = "must"

[subject]
required = ["country", "organization", "common-name"]
allowed = ["organizational-unit"]

[validity]
max-days = 30
default-days = 30
max-backdate-seconds = 0

[key-usage]
bits = ["digital-signature"]
critical = true

[basic-constraints]
ca = false
critical = true

[extended-key-usage]
purposes = ["1.3.6.1.4.1.62558.2.1", "1.3.6.1.5.5.7.3.36"]
required = ["1.3.6.1.4.1.62558.2.1"]
one-of = ["1.3.6.1.5.5.7.3.4", "1.3.6.1.5.5.7.3.36"]
exclusive = true
critical = false

[certificate-policies]
presence = "must"
required = ["1.3.6.1.4.1.62558.1.1"]
additional = ["1.3.6.1.4.1.99999.1.2"]

[subject-alt-name]
presence = "optional"
allowed = ["rfc822-name"]
"#;

#[test]
fn operator_profile_from_toml() {
    let p: Profile = toml::from_str(OPERATOR_PROFILE).unwrap();
    assert_eq!(p.validity.max_days, Some(30));
    assert_eq!(p.certificate_policies.additional.len(), 1);
    assert_eq!(p.assurance_level, Some(oid::C2PA_ASSURANCE_LEVEL_1));
    assert_eq!(p.basic_constraints.path_len, None);
}

#[test]
fn operator_profile_unknown_field() {
    let text = OPERATOR_PROFILE.replace("ocsp-no-check = false", "ocsp-nocheck = false");
    let err = toml::from_str::<Profile>(&text).unwrap_err();
    assert!(err.to_string().contains("ocsp-nocheck"), "{err}");
}

#[test]
fn operator_profile_bad_oid() {
    let text = OPERATOR_PROFILE.replace("1.3.6.1.4.1.99999.1.2", "not.an.oid");
    assert!(toml::from_str::<Profile>(&text).is_err());
}

#[test]
fn operator_profile_unknown_curve() {
    let text = OPERATOR_PROFILE.replace("\"p384\"", "\"p224\"");
    assert!(toml::from_str::<Profile>(&text).is_err());
}

#[test]
fn builtins_validate() {
    for profile in all_builtins() {
        assert_eq!(profile.validate(), Ok(()), "{}", profile.name);
    }
    let p: Profile = toml::from_str(OPERATOR_PROFILE).unwrap();
    assert_eq!(p.validate(), Ok(()));
}

/// One inconsistent profile per defect.
#[test]
fn inconsistent_profiles() {
    use super::ProfileDefect as D;
    use super::{Curve, KeyUsageBit as K};
    let al1 = || builtin::claim_signing_leaf(AssuranceLevel::Level1);
    let cases: Vec<(Profile, D)> = vec![
        (
            Profile {
                public_keys: vec![],
                ..al1()
            },
            D::NoKeyRule,
        ),
        (
            Profile {
                public_keys: vec![KeyRule::Ec {
                    curves: Vec::<Curve>::new(),
                }],
                ..al1()
            },
            D::NoCurve,
        ),
        (
            Profile {
                public_keys: vec![KeyRule::Rsa { min_bits: 1024 }],
                ..al1()
            },
            D::RsaMinimumTooSmall { min_bits: 1024 },
        ),
        (
            Profile {
                signature_algorithms: vec![],
                ..al1()
            },
            D::NoSignatureAlgorithm,
        ),
        (
            {
                let mut p = al1();
                p.validity.default_days = 400;
                p
            },
            D::DefaultValidity { default_days: 400 },
        ),
        (
            {
                let mut p = al1();
                p.key_usage.bits.clear();
                p
            },
            D::NoKeyUsage,
        ),
        (
            {
                let mut p = al1();
                p.key_usage.bits.push(K::KeyCertSign);
                p
            },
            D::CaKeyUsageMismatch,
        ),
        (
            {
                let mut p = al1();
                p.basic_constraints.path_len = Some(0);
                p
            },
            D::PathLenWithoutCa,
        ),
        (
            Profile {
                subject_key_identifier: Presence::Optional,
                ..builtin::root_ca()
            },
            D::CaWithoutSki,
        ),
        (
            Profile {
                extended_key_usage: None,
                ..al1()
            },
            D::EndEntityWithoutEku,
        ),
        (
            {
                let mut p = al1();
                if let Some(e) = p.extended_key_usage.as_mut() {
                    e.purposes.push(oid::ANY_EXTENDED_KEY_USAGE);
                }
                p
            },
            D::AnyExtendedKeyUsage,
        ),
        (
            {
                let mut p = al1();
                if let Some(e) = p.extended_key_usage.as_mut() {
                    e.purposes = vec![oid::ID_KP_DOCUMENT_SIGNING];
                }
                p
            },
            D::EkuPurposesInconsistent,
        ),
        (
            {
                let mut p = builtin::tsa_leaf();
                if let Some(e) = p.extended_key_usage.as_mut() {
                    e.purposes.push(oid::ID_KP_CODE_SIGNING);
                    e.exclusive = false;
                }
                p
            },
            D::EkuExclusivePurposeMixed,
        ),
        (
            Profile {
                ocsp_no_check: true,
                ..al1()
            },
            D::OcspNoCheckWithoutOcspSigning,
        ),
    ];
    for (profile, defect) in cases {
        match profile.validate() {
            Err(crate::Error::Profile { defects, .. }) => {
                assert!(defects.contains(&defect), "{defect:?} not in {defects:?}");
            }
            other => panic!("{defect:?}: {other:?}"),
        }
    }
}
