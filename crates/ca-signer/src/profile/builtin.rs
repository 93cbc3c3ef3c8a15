//! Built-in profiles: the C2PA 2.2 conformance profiles (`c2pa-conformance/*.cert.yaml`,
//! transcribed field by field; the YAML line is quoted next to each choice where it narrows
//! RFC 5280) and a CMP message-protection leaf for the RA/CA itself (RFC 9483 §3.1).
//!
//! Common to every C2PA profile: v3, positive serial of at most 20 octets, SKI (method 1,
//! SHA-1) non-critical, key usage critical, basic constraints critical, subject with C, O and
//! CN, signature "RSA (PSS or SHA2 variants) or ECDSA (SHA2 variants)".

use super::{
    AttributeKind, BasicConstraintsRule, Curve, EkuRule, GeneralNameKind, KeyRule, KeyUsageBit,
    KeyUsageRule, PolicyRule, Presence, Profile, SanRule, SignatureFamily, SubjectRule,
    ValidityRule,
};
use crate::oid;

/// The C2PA claim-generator assurance level of a claim-signing leaf.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AssuranceLevel {
    /// `c2pa-assuranceLevel-1`: at most 366 days.
    Level1,
    /// `c2pa-assuranceLevel-2`: at most 90 days.
    Level2,
}

/// Which side of CMP a message-protection certificate signs for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CmpRole {
    /// The CA signs its own responses: `id-kp-cmcCA`.
    Ca,
    /// A registration authority: `id-kp-cmcRA`.
    Ra,
}

/// One hour: how far a requested `notBefore` may lie before `now` (clock skew between the RA
/// and the CA; Boulder backdates by one hour for the same reason).
const BACKDATE_SECONDS: u32 = 3600;

fn c_o_cn(allowed: &[AttributeKind]) -> SubjectRule {
    SubjectRule {
        required: vec![
            AttributeKind::Country,
            AttributeKind::Organization,
            AttributeKind::CommonName,
        ],
        allowed: allowed.to_vec(),
    }
}

/// "RSA Key Size: 3072 bits or larger / ECC Curve: P-384 or P-521" (every CA profile).
fn ca_keys() -> Vec<KeyRule> {
    vec![
        KeyRule::Rsa { min_bits: 3072 },
        KeyRule::Ec {
            curves: vec![Curve::P384, Curve::P521],
        },
    ]
}

/// "RSA Key Size: 2048 bits or larger / ECC Curve: P-256, P-384, or P-521" (leaves).
fn leaf_keys() -> Vec<KeyRule> {
    vec![
        KeyRule::Rsa { min_bits: 2048 },
        KeyRule::Ec {
            curves: vec![Curve::P256, Curve::P384, Curve::P521],
        },
    ]
}

/// "RSA (PSS or SHA2 variants) or ECDSA (SHA2 variants)".
fn rsa_ecdsa() -> Vec<SignatureFamily> {
    vec![
        SignatureFamily::EcdsaSha2,
        SignatureFamily::RsaPkcs1Sha2,
        SignatureFamily::RsaPss,
    ]
}

fn ca_key_usage() -> KeyUsageRule {
    KeyUsageRule {
        bits: vec![KeyUsageBit::KeyCertSign, KeyUsageBit::CrlSign],
        critical: true,
    }
}

fn signing_key_usage() -> KeyUsageRule {
    KeyUsageRule {
        bits: vec![KeyUsageBit::DigitalSignature, KeyUsageBit::NonRepudiation],
        critical: true,
    }
}

fn ca_constraints(path_len: u8) -> BasicConstraintsRule {
    BasicConstraintsRule {
        ca: true,
        path_len: Some(path_len),
        critical: true,
    }
}

fn leaf_constraints() -> BasicConstraintsRule {
    BasicConstraintsRule {
        ca: false,
        path_len: None,
        critical: true,
    }
}

/// "MUST contain c2pa-certificate-policy OID (1.3.6.1.4.1.62558.1.1)".
fn c2pa_policy() -> PolicyRule {
    PolicyRule {
        presence: Presence::Must,
        required: vec![oid::C2PA_CERTIFICATE_POLICY],
        additional: Vec::new(),
    }
}

fn no_policy() -> PolicyRule {
    PolicyRule {
        presence: Presence::MustNot,
        required: Vec::new(),
        additional: Vec::new(),
    }
}

fn no_san() -> SanRule {
    SanRule {
        presence: Presence::MustNot,
        allowed: Vec::new(),
    }
}

/// "MUST contain c2pa-kp-claimSigning in addition to at least one of id-kp-emailProtection,
/// id-kp-documentSigning".
fn claim_signing_eku() -> EkuRule {
    EkuRule {
        purposes: vec![oid::C2PA_KP_CLAIM_SIGNING, oid::ID_KP_DOCUMENT_SIGNING],
        required: vec![oid::C2PA_KP_CLAIM_SIGNING],
        one_of: vec![oid::ID_KP_EMAIL_PROTECTION, oid::ID_KP_DOCUMENT_SIGNING],
        exclusive: false,
        critical: false,
    }
}

fn exactly(purpose: signet_asn1_types::const_oid::ObjectIdentifier, critical: bool) -> EkuRule {
    EkuRule {
        purposes: vec![purpose],
        required: vec![purpose],
        one_of: Vec::new(),
        exclusive: true,
        critical,
    }
}

/// A CA profile below the root ("Validity Period: Max …", AIA or CRL DP required).
fn subordinate_ca(name: &str, path_len: u8, max_days: Option<u32>, default_days: u32) -> Profile {
    Profile {
        name: name.to_owned(),
        subject: c_o_cn(&[AttributeKind::OrganizationalUnit]),
        public_keys: ca_keys(),
        signature_algorithms: rsa_ecdsa(),
        validity: ValidityRule {
            max_days,
            default_days,
            max_backdate_seconds: BACKDATE_SECONDS,
        },
        key_usage: ca_key_usage(),
        basic_constraints: ca_constraints(path_len),
        extended_key_usage: None,
        subject_key_identifier: Presence::Must,
        authority_key_identifier: Presence::Must,
        certificate_policies: c2pa_policy(),
        // "Presence: MUST (if CRL Distribution Points is not present)" and vice versa.
        authority_info_access: Presence::Optional,
        crl_distribution_points: Presence::Optional,
        require_revocation_pointer: true,
        subject_alt_name: no_san(),
        ocsp_no_check: false,
        assurance_level: None,
        cpl_record: Presence::MustNot,
    }
}

/// `rootCA.cert.yaml`: self-signed, RSA ≥ 3072 or P-384/P-521, keyCertSign + cRLSign,
/// `cA=TRUE, pathLenConstraint=2 or less`, AKI optional, no AIA, no CRL DP.
#[must_use]
pub fn root_ca() -> Profile {
    Profile {
        name: "C2PA Root CA".to_owned(),
        subject: c_o_cn(&[AttributeKind::OrganizationalUnit]),
        public_keys: ca_keys(),
        signature_algorithms: rsa_ecdsa(),
        // "Long-term (e.g., 20 years typical)"; no maximum in the profile.
        validity: ValidityRule {
            max_days: None,
            default_days: 7305,
            max_backdate_seconds: BACKDATE_SECONDS,
        },
        key_usage: ca_key_usage(),
        basic_constraints: ca_constraints(2),
        extended_key_usage: None,
        subject_key_identifier: Presence::Must,
        authority_key_identifier: Presence::Optional,
        certificate_policies: PolicyRule {
            presence: Presence::Optional,
            required: Vec::new(),
            additional: Vec::new(),
        },
        authority_info_access: Presence::MustNot,
        crl_distribution_points: Presence::MustNot,
        require_revocation_pointer: false,
        subject_alt_name: no_san(),
        ocsp_no_check: false,
        assurance_level: None,
        cpl_record: Presence::MustNot,
    }
}

/// `intermediateCa.cert.yaml`: the first intermediate, `pathLenConstraint=1`, C2PA policy,
/// "Medium-term (e.g., 5 years typical)".
#[must_use]
pub fn intermediate_ca() -> Profile {
    subordinate_ca("C2PA First Intermediate CA", 1, None, 1826)
}

/// `claimSigningIssuingCA.cert.yaml`: `pathLenConstraint=0`, "Max 1827 days", EKU with
/// `c2pa-kp-claimSigning` and one of `id-kp-emailProtection` / `id-kp-documentSigning`.
#[must_use]
pub fn claim_signing_issuing_ca() -> Profile {
    Profile {
        extended_key_usage: Some(claim_signing_eku()),
        ..subordinate_ca("C2PA Claim Signing Issuing CA", 0, Some(1827), 1827)
    }
}

/// `tsaIssuingCA.cert.yaml`: `pathLenConstraint=0`, "Max 5479 days", EKU exactly
/// `id-kp-timeStamping` (non-critical).
#[must_use]
pub fn tsa_issuing_ca() -> Profile {
    Profile {
        extended_key_usage: Some(exactly(oid::ID_KP_TIME_STAMPING, false)),
        ..subordinate_ca("C2PA TSA Issuing CA", 0, Some(5479), 5479)
    }
}

/// `claimSigningLeaf.al1.cert.yaml` / `.al2`: RSA ≥ 2048, P-256/384/521 or Ed25519;
/// digitalSignature + nonRepudiation; `cA=FALSE`; claim-signing EKU; C2PA policy; AIA with
/// OCSP required, CRL DP optional; `id-c2pa-al` and `c2pa-cpl-record` required.
#[must_use]
pub fn claim_signing_leaf(level: AssuranceLevel) -> Profile {
    let (name, max_days, al) = match level {
        AssuranceLevel::Level1 => (
            "C2PA Claim Signing Leaf - Assurance Level 1",
            366,
            oid::C2PA_ASSURANCE_LEVEL_1,
        ),
        AssuranceLevel::Level2 => (
            "C2PA Claim Signing Leaf - Assurance Level 2",
            90,
            oid::C2PA_ASSURANCE_LEVEL_2,
        ),
    };
    let mut keys = leaf_keys();
    keys.push(KeyRule::Ed25519);
    Profile {
        name: name.to_owned(),
        subject: c_o_cn(&[
            AttributeKind::OrganizationalUnit,
            AttributeKind::Locality,
            AttributeKind::StateOrProvince,
        ]),
        public_keys: keys,
        // "RSA (PSS or SHA2 variants), ECDSA (SHA2 variants), or Ed25519".
        signature_algorithms: vec![
            SignatureFamily::EcdsaSha2,
            SignatureFamily::RsaPkcs1Sha2,
            SignatureFamily::RsaPss,
            SignatureFamily::Ed25519,
        ],
        validity: ValidityRule {
            max_days: Some(max_days),
            default_days: max_days,
            max_backdate_seconds: BACKDATE_SECONDS,
        },
        key_usage: signing_key_usage(),
        basic_constraints: leaf_constraints(),
        extended_key_usage: Some(claim_signing_eku()),
        subject_key_identifier: Presence::Must,
        authority_key_identifier: Presence::Must,
        certificate_policies: c2pa_policy(),
        authority_info_access: Presence::Must,
        crl_distribution_points: Presence::Optional,
        require_revocation_pointer: true,
        subject_alt_name: SanRule {
            presence: Presence::Optional,
            allowed: vec![
                GeneralNameKind::Rfc822Name,
                GeneralNameKind::DnsName,
                GeneralNameKind::Uri,
            ],
        },
        ocsp_no_check: false,
        assurance_level: Some(al),
        cpl_record: Presence::Must,
    }
}

/// `tsaLeaf.cert.schema.yaml`: "Max 4110 days", digitalSignature + nonRepudiation, EKU exactly
/// `id-kp-timeStamping` and **critical** (RFC 3161 §2.3), C2PA policy, AIA or CRL DP.
#[must_use]
pub fn tsa_leaf() -> Profile {
    Profile {
        name: "C2PA TSA Time-Stamp Signing Leaf".to_owned(),
        subject: c_o_cn(&[AttributeKind::OrganizationalUnit]),
        public_keys: leaf_keys(),
        // "RSA (PSS or SHA2 variants) or ECDSA (SHA2 variants) - EdDSA excluded."
        signature_algorithms: rsa_ecdsa(),
        validity: ValidityRule {
            max_days: Some(4110),
            default_days: 1826,
            max_backdate_seconds: BACKDATE_SECONDS,
        },
        key_usage: signing_key_usage(),
        basic_constraints: leaf_constraints(),
        extended_key_usage: Some(exactly(oid::ID_KP_TIME_STAMPING, true)),
        subject_key_identifier: Presence::Must,
        authority_key_identifier: Presence::Must,
        certificate_policies: c2pa_policy(),
        authority_info_access: Presence::Optional,
        crl_distribution_points: Presence::Optional,
        require_revocation_pointer: true,
        subject_alt_name: no_san(),
        ocsp_no_check: false,
        assurance_level: None,
        cpl_record: Presence::MustNot,
    }
}

/// `ocspResponderLeaf.cert.yaml`: digitalSignature only, EKU exactly `id-kp-OCSPSigning`,
/// `id-pkix-ocsp-nocheck` required, no AIA, no CRL DP, no policies listed. "Max duration not
/// specified by C2PA profile": the default is 90 days (a responder certificate that is never
/// checked for revocation should be short-lived, RFC 6960 §4.2.2.2.1).
#[must_use]
pub fn ocsp_responder() -> Profile {
    Profile {
        name: "C2PA OCSP Responder".to_owned(),
        subject: c_o_cn(&[AttributeKind::OrganizationalUnit]),
        public_keys: leaf_keys(),
        signature_algorithms: rsa_ecdsa(),
        validity: ValidityRule {
            max_days: None,
            default_days: 90,
            max_backdate_seconds: BACKDATE_SECONDS,
        },
        key_usage: KeyUsageRule {
            bits: vec![KeyUsageBit::DigitalSignature],
            critical: true,
        },
        basic_constraints: leaf_constraints(),
        extended_key_usage: Some(exactly(oid::ID_KP_OCSP_SIGNING, false)),
        subject_key_identifier: Presence::Must,
        authority_key_identifier: Presence::Must,
        certificate_policies: no_policy(),
        authority_info_access: Presence::MustNot,
        crl_distribution_points: Presence::MustNot,
        require_revocation_pointer: false,
        subject_alt_name: no_san(),
        ocsp_no_check: true,
        assurance_level: None,
        cpl_record: Presence::MustNot,
    }
}

/// The certificate the CA or an RA signs CMP messages with (RFC 9483 §3.1: "the CMP protection
/// certificate … SHOULD contain … id-kp-cmcCA / id-kp-cmcRA", RFC 6402 §2.10). Not a C2PA
/// profile: digitalSignature, `cA=FALSE`, EKU exactly the role's purpose, one year at most,
/// revocation pointer required, DNS or URI names allowed.
#[must_use]
pub fn cmp_protection(role: CmpRole) -> Profile {
    let (name, purpose) = match role {
        CmpRole::Ca => ("CMP protection (CA)", oid::ID_KP_CMC_CA),
        CmpRole::Ra => ("CMP protection (RA)", oid::ID_KP_CMC_RA),
    };
    Profile {
        name: name.to_owned(),
        subject: SubjectRule {
            required: vec![AttributeKind::CommonName],
            allowed: vec![
                AttributeKind::Country,
                AttributeKind::Organization,
                AttributeKind::OrganizationalUnit,
            ],
        },
        public_keys: leaf_keys(),
        signature_algorithms: rsa_ecdsa(),
        validity: ValidityRule {
            max_days: Some(366),
            default_days: 366,
            max_backdate_seconds: BACKDATE_SECONDS,
        },
        key_usage: KeyUsageRule {
            bits: vec![KeyUsageBit::DigitalSignature],
            critical: true,
        },
        basic_constraints: leaf_constraints(),
        extended_key_usage: Some(exactly(purpose, false)),
        subject_key_identifier: Presence::Must,
        authority_key_identifier: Presence::Must,
        certificate_policies: PolicyRule {
            presence: Presence::Optional,
            required: Vec::new(),
            additional: Vec::new(),
        },
        authority_info_access: Presence::Optional,
        crl_distribution_points: Presence::Optional,
        require_revocation_pointer: true,
        subject_alt_name: SanRule {
            presence: Presence::Optional,
            allowed: vec![GeneralNameKind::DnsName, GeneralNameKind::Uri],
        },
        ocsp_no_check: false,
        assurance_level: None,
        cpl_record: Presence::MustNot,
    }
}
