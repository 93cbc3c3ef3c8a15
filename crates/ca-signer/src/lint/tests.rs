//! Unit tests for the certificate lints: every built-in profile passes with real keys, and each
//! lint fails on a vector named after its defect. Defects come from three places: the request
//! (bad subject, key, validity), a modified profile (what an operator's config could say), or a
//! TBS mutated after building (what a builder bug would produce).

use core::str::FromStr;
use std::sync::OnceLock;

use der::Sequence;
use der::asn1::{BitString, Ia5String, OctetString, UintRef};
use signet_asn1_types::const_oid::ObjectIdentifier;
use signet_asn1_types::crypto::{SignatureAlgorithm, Signer};
use signet_asn1_types::der::asn1::{Any, GeneralizedTime};
use signet_asn1_types::der::{DateTime, Decode, DecodePem, Encode};
use signet_asn1_types::spki::{AlgorithmIdentifierOwned, SubjectPublicKeyInfoOwned};
use signet_asn1_types::x509_cert::Certificate;
use signet_asn1_types::x509_cert::certificate::Version;
use signet_asn1_types::x509_cert::ext::Extension;
use signet_asn1_types::x509_cert::ext::pkix::name::GeneralName;
use signet_asn1_types::x509_cert::ext::pkix::{
    BasicConstraints, CertificatePolicies, KeyUsage, KeyUsages, certpolicy::PolicyInformation,
};
use signet_asn1_types::x509_cert::name::Name;
use signet_asn1_types::x509_cert::time::Time;
use signet_crypto::{KeyPairSigner, KeyType, generate_pkcs8};

use super::{CertContext, LintError};
use crate::build::{TbsOut, resolve_issuer, tbs_parts};
use crate::oid;
use crate::profile::{KeyUsageBit, Presence, Profile, builtin};
use crate::sign::lint_der;
use crate::{IssuanceRequest, Issuer, IssuerUrls, Serial, prepare, sign};

const CPL: &str = "7f0c8a0e-2b1d-4c3e-9f5a-0123456789ab";

pub(crate) fn now() -> DateTime {
    DateTime::new(2026, 6, 1, 12, 0, 0).unwrap()
}

pub(crate) fn at(days_from_now: i64, seconds: i64) -> DateTime {
    let base = i64::try_from(now().unix_duration().as_secs()).unwrap();
    let t = base + days_from_now * 86_400 + seconds;
    DateTime::from_unix_duration(core::time::Duration::from_secs(u64::try_from(t).unwrap()))
        .unwrap()
}

pub(crate) fn key(key_type: KeyType, algorithm: SignatureAlgorithm) -> KeyPairSigner {
    KeyPairSigner::from_pkcs8(algorithm, &generate_pkcs8(key_type).unwrap()).unwrap()
}

pub(crate) fn spki_of(signer: &dyn Signer) -> SubjectPublicKeyInfoOwned {
    SubjectPublicKeyInfoOwned::from_der(signer.public_key_der()).unwrap()
}

pub(crate) fn serial() -> Serial {
    Serial::generate(&signet_crypto::SystemRng::new()).unwrap()
}

pub(crate) fn name(s: &str) -> Name {
    Name::from_str(s).unwrap()
}

pub(crate) fn urls() -> IssuerUrls {
    IssuerUrls {
        ocsp: vec!["http://ocsp.example.com".to_owned()],
        ca_issuers: vec!["http://ca.example.com/issuing.cer".to_owned()],
        crl: vec!["http://crl.example.com/issuing.crl".to_owned()],
    }
}

/// Root (P-384) → claim-signing issuing CA (P-384), issued once for all tests.
pub(crate) struct Chain {
    pub(crate) root: KeyPairSigner,
    pub(crate) root_cert: Certificate,
    pub(crate) ca: KeyPairSigner,
    pub(crate) ca_cert: Certificate,
    pub(crate) leaf_key: KeyPairSigner,
}

pub(crate) fn chain() -> &'static Chain {
    static CHAIN: OnceLock<Chain> = OnceLock::new();
    CHAIN.get_or_init(|| {
        let p384 = SignatureAlgorithm::EcdsaP384Sha384Asn1;
        let root = key(KeyType::EcdsaP384, p384);
        let root_req = IssuanceRequest::new(name("CN=Test Root,O=Signet,C=US"), spki_of(&root));
        let tbs = prepare(
            &root_req,
            &builtin::root_ca(),
            &Issuer::self_signed(p384),
            now(),
            &serial(),
        )
        .unwrap();
        let root_cert = sign(tbs, &root).unwrap();
        let ca = key(KeyType::EcdsaP384, p384);
        let ca_req =
            IssuanceRequest::new(name("CN=Test Claim Signing CA,O=Signet,C=US"), spki_of(&ca));
        let root_issuer = Issuer::from_certificate(&root_cert, p384, urls()).unwrap();
        let tbs = prepare(
            &ca_req,
            &builtin::claim_signing_issuing_ca(),
            &root_issuer,
            now(),
            &serial(),
        )
        .unwrap();
        let ca_cert = sign(tbs, &root).unwrap();
        let leaf_key = key(KeyType::EcdsaP256, SignatureAlgorithm::EcdsaP256Sha256Asn1);
        Chain {
            root,
            root_cert,
            ca,
            ca_cert,
            leaf_key,
        }
    })
}

pub(crate) fn ca_issuer() -> Issuer {
    Issuer::from_certificate(
        &chain().ca_cert,
        SignatureAlgorithm::EcdsaP384Sha384Asn1,
        urls(),
    )
    .unwrap()
}

pub(crate) fn leaf_request() -> IssuanceRequest {
    let mut req = IssuanceRequest::new(
        name("CN=Example Camera,O=Example Inc,C=US"),
        spki_of(&chain().leaf_key),
    );
    req.cpl_record = Some(CPL.to_owned());
    req
}

pub(crate) fn al1() -> Profile {
    builtin::claim_signing_leaf(builtin::AssuranceLevel::Level1)
}

/// The findings of `prepare` (empty when it succeeds).
fn findings(request: &IssuanceRequest, profile: &Profile, issuer: &Issuer) -> Vec<LintError> {
    match prepare(request, profile, issuer, now(), &serial()) {
        Ok(_) => Vec::new(),
        Err(e) => e.findings().to_vec(),
    }
}

/// Builds the TBS for `request`, applies `mutate`, then lints the result.
fn mutated(
    request: &IssuanceRequest,
    profile: &Profile,
    issuer: &Issuer,
    mutate: impl FnOnce(&mut TbsOut),
) -> Vec<LintError> {
    let serial = serial();
    let resolved = resolve_issuer(request, issuer).unwrap();
    let mut parts = tbs_parts(request, profile, issuer, &resolved, now(), &serial).unwrap();
    mutate(&mut parts);
    let cx = CertContext {
        profile,
        issuer,
        now: now(),
        serial: &serial,
        issuer_name: &resolved.name,
        issuer_spki_der: &resolved.spki_der,
        issuer_key_id: &resolved.key_id,
    };
    lint_der(&parts.der().unwrap(), &cx)
}

/// A leaf TBS under AL1 with `mutate` applied.
fn mutated_leaf(mutate: impl FnOnce(&mut TbsOut)) -> Vec<LintError> {
    mutated(&leaf_request(), &al1(), &ca_issuer(), mutate)
}

fn exts(parts: &mut TbsOut) -> &mut Vec<Extension> {
    parts.extensions.as_mut().unwrap()
}

fn ext_mut(parts: &mut TbsOut, oid: ObjectIdentifier) -> &mut Extension {
    exts(parts).iter_mut().find(|e| e.extn_id == oid).unwrap()
}

fn set_value<T: Encode>(parts: &mut TbsOut, oid: ObjectIdentifier, value: &T) {
    ext_mut(parts, oid).extn_value = OctetString::new(value.to_der().unwrap()).unwrap();
}

fn remove(parts: &mut TbsOut, oid: ObjectIdentifier) {
    exts(parts).retain(|e| e.extn_id != oid);
}

#[track_caller]
fn assert_finding(findings: &[LintError], expected: &LintError) {
    assert!(
        findings.contains(expected),
        "expected {expected:?} among {findings:?}"
    );
}

// ---- valid certificates under every built-in profile ----

#[test]
fn every_builtin_profile_passes() {
    let c = chain();
    let p384 = SignatureAlgorithm::EcdsaP384Sha384Asn1;
    let root_issuer = Issuer::from_certificate(&c.root_cert, p384, urls()).unwrap();
    let ca_key = spki_of(&key(KeyType::EcdsaP384, p384));
    let leaf_key = spki_of(&c.leaf_key);
    let cases: Vec<(Profile, &Issuer, SubjectPublicKeyInfoOwned)> = vec![
        (builtin::intermediate_ca(), &root_issuer, ca_key.clone()),
        (
            builtin::claim_signing_issuing_ca(),
            &root_issuer,
            ca_key.clone(),
        ),
        (builtin::tsa_issuing_ca(), &root_issuer, ca_key),
    ];
    for (profile, issuer, spki) in &cases {
        let req = IssuanceRequest::new(name("CN=Sub CA,O=Signet,C=US"), spki.clone());
        assert_eq!(findings(&req, profile, issuer), [], "{}", profile.name);
    }
    let ca = ca_issuer();
    let leaves = [
        al1(),
        builtin::claim_signing_leaf(builtin::AssuranceLevel::Level2),
        builtin::tsa_leaf(),
        builtin::ocsp_responder(),
        builtin::cmp_protection(builtin::CmpRole::Ca),
        builtin::cmp_protection(builtin::CmpRole::Ra),
    ];
    for profile in &leaves {
        let mut req = IssuanceRequest::new(name("CN=Leaf,O=Signet,C=US"), leaf_key.clone());
        if profile.cpl_record == Presence::Must {
            req.cpl_record = Some(CPL.to_owned());
        }
        assert_eq!(findings(&req, profile, &ca), [], "{}", profile.name);
    }
}

#[test]
fn ed25519_and_rsa_leaves_pass() {
    let ed = key(KeyType::Ed25519, SignatureAlgorithm::Ed25519);
    let mut req = leaf_request();
    req.public_key = spki_of(&ed);
    assert_eq!(findings(&req, &al1(), &ca_issuer()), []);
    let rsa = key(KeyType::Rsa2048, SignatureAlgorithm::RsaPkcs1Sha256);
    req.public_key = spki_of(&rsa);
    assert_eq!(findings(&req, &al1(), &ca_issuer()), []);
}

// ---- version, unique IDs, serial ----

#[test]
fn version_v2() {
    let f = mutated_leaf(|p| p.version = Version::V2);
    assert_finding(&f, &LintError::VersionNotV3);
}

#[test]
fn unique_ids_present() {
    let f = mutated_leaf(|p| p.subject_unique_id = Some(BitString::from_bytes(&[1]).unwrap()));
    assert_finding(&f, &LintError::UniqueIdentifierPresent);
}

#[test]
fn serial_zero() {
    let zero = Serial::from_parts(vec![0], 126);
    let err = prepare(&leaf_request(), &al1(), &ca_issuer(), now(), &zero).unwrap_err();
    assert!(err.contains(&LintError::SerialNotPositive), "{err}");
}

#[test]
fn serial_21_octets() {
    let long = Serial::from_parts(vec![0x55; 21], 126);
    let err = prepare(&leaf_request(), &al1(), &ca_issuer(), now(), &long).unwrap_err();
    assert!(
        err.contains(&LintError::SerialTooLong { octets: 21 }),
        "{err}"
    );
}

#[test]
fn serial_high_bit_20_octets_needs_21() {
    // 20 magnitude octets with the top bit set encode in 21 octets.
    let long = Serial::from_parts(vec![0x80; 20], 126);
    let err = prepare(&leaf_request(), &al1(), &ca_issuer(), now(), &long).unwrap_err();
    assert!(
        err.contains(&LintError::SerialTooLong { octets: 21 }),
        "{err}"
    );
}

#[test]
fn serial_low_entropy() {
    let weak = Serial::from_parts(vec![0x12, 0x34, 0x56, 0x78], 32);
    let err = prepare(&leaf_request(), &al1(), &ca_issuer(), now(), &weak).unwrap_err();
    assert!(
        err.contains(&LintError::SerialLowEntropy { bits: 32 }),
        "{err}"
    );
}

#[test]
fn serial_swapped_after_generation() {
    let f = mutated_leaf(|p| {
        p.serial_number =
            signet_asn1_types::x509_cert::serial_number::SerialNumber::new(&[0x42; 16]).unwrap();
    });
    assert_finding(&f, &LintError::SerialMismatch);
}

#[test]
fn generated_serials_are_positive_16_octets_and_distinct() {
    let a = serial();
    let b = serial();
    assert_eq!(a.as_bytes().len(), 16);
    assert_eq!(a.as_bytes()[0] & 0xC0, 0x40);
    assert_eq!(a.random_bits(), 126);
    assert_ne!(a, b);
}

// ---- signature algorithm ----

#[test]
fn signature_algorithm_not_issuer_key() {
    let f = mutated_leaf(|p| {
        p.signature = SignatureAlgorithm::EcdsaP256Sha256Asn1
            .to_algorithm_identifier()
            .unwrap();
    });
    assert_finding(
        &f,
        &LintError::SignatureAlgorithmMismatch {
            found: SignatureAlgorithm::EcdsaP256Sha256Asn1,
            issuer: SignatureAlgorithm::EcdsaP384Sha384Asn1,
        },
    );
    assert_finding(
        &f,
        &LintError::SignatureAlgorithmKeyMismatch {
            algorithm: SignatureAlgorithm::EcdsaP256Sha256Asn1,
        },
    );
}

#[test]
fn signature_algorithm_eddsa_for_tsa() {
    let issuer =
        Issuer::from_certificate(&chain().ca_cert, SignatureAlgorithm::Ed25519, urls()).unwrap();
    let mut req = leaf_request();
    req.cpl_record = None;
    let f = findings(&req, &builtin::tsa_leaf(), &issuer);
    assert_finding(
        &f,
        &LintError::SignatureAlgorithmNotAllowed {
            algorithm: SignatureAlgorithm::Ed25519,
        },
    );
}

#[test]
fn signature_algorithm_unknown_oid() {
    let f = mutated_leaf(|p| {
        p.signature = AlgorithmIdentifierOwned {
            oid: ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.5"),
            parameters: Some(Any::null()),
        };
    });
    assert_finding(
        &f,
        &LintError::SignatureAlgorithmUnknown {
            oid: ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.5"),
        },
    );
}

// ---- issuer ----

#[test]
fn issuer_not_ca() {
    // A leaf certificate used as issuer.
    let c = chain();
    let tbs = prepare(&leaf_request(), &al1(), &ca_issuer(), now(), &serial()).unwrap();
    let leaf = sign(tbs, &c.ca).unwrap();
    let issuer =
        Issuer::from_certificate(&leaf, SignatureAlgorithm::EcdsaP256Sha256Asn1, urls()).unwrap();
    let mut req = leaf_request();
    req.subject = name("CN=Below a leaf,O=Example Inc,C=US");
    let f = findings(&req, &al1(), &issuer);
    assert_finding(&f, &LintError::IssuerNotCa);
    assert_finding(&f, &LintError::IssuerKeyUsage { bit: "keyCertSign" });
}

#[test]
fn issuer_path_len_exceeded() {
    let req = IssuanceRequest::new(
        name("CN=Too deep,O=Signet,C=US"),
        spki_of(&key(
            KeyType::EcdsaP384,
            SignatureAlgorithm::EcdsaP384Sha384Asn1,
        )),
    );
    let f = findings(&req, &builtin::claim_signing_issuing_ca(), &ca_issuer());
    assert_finding(&f, &LintError::PathLenExceedsIssuer { issuer_path_len: 0 });
}

#[test]
fn subject_equals_issuer() {
    let mut req = leaf_request();
    req.subject = name("CN=Test Claim Signing CA,O=Signet,C=US");
    assert_finding(
        &findings(&req, &al1(), &ca_issuer()),
        &LintError::SubjectEqualsIssuer,
    );
}

#[test]
fn self_signed_leaf() {
    let f = findings(
        &leaf_request(),
        &al1(),
        &Issuer::self_signed(SignatureAlgorithm::EcdsaP256Sha256Asn1),
    );
    assert_finding(&f, &LintError::SelfSignedNotCa);
}

#[test]
fn issuer_name_swapped() {
    let f = mutated_leaf(|p| p.issuer = name("CN=Someone else,O=Signet,C=US"));
    assert_finding(&f, &LintError::IssuerNameMismatch);
}

// ---- validity ----

#[test]
fn validity_367_days_for_al1() {
    let mut req = leaf_request();
    req.not_after = Some(at(367, -1));
    let f = findings(&req, &al1(), &ca_issuer());
    assert_finding(
        &f,
        &LintError::ValidityTooLong {
            days: 367,
            max_days: 366,
        },
    );
    // Exactly 366 days, inclusive of both ends, passes.
    req.not_after = Some(at(366, -1));
    assert_eq!(findings(&req, &al1(), &ca_issuer()), []);
}

#[test]
fn validity_inverted() {
    let mut req = leaf_request();
    req.not_after = Some(at(0, -1));
    assert_finding(
        &findings(&req, &al1(), &ca_issuer()),
        &LintError::ValidityInverted,
    );
}

#[test]
fn validity_backdated_two_hours() {
    let mut req = leaf_request();
    req.not_before = Some(at(0, -7200));
    assert_finding(
        &findings(&req, &al1(), &ca_issuer()),
        &LintError::NotBeforeBackdated {
            seconds: 7200,
            max_seconds: 3600,
        },
    );
}

#[test]
fn validity_already_expired() {
    let mut req = leaf_request();
    req.not_before = Some(at(0, -1800));
    req.not_after = Some(at(0, -1));
    assert_finding(
        &findings(&req, &al1(), &ca_issuer()),
        &LintError::ValidityAlreadyExpired,
    );
}

#[test]
fn validity_outlives_issuer() {
    // The OCSP responder profile sets no maximum; 3000 days outlive the 1827-day issuing CA.
    let mut req = leaf_request();
    req.cpl_record = None;
    req.not_after = Some(at(3000, 0));
    assert_finding(
        &findings(&req, &builtin::ocsp_responder(), &ca_issuer()),
        &LintError::ValidityOutsideIssuer,
    );
}

#[test]
fn validity_generalized_time_before_2050() {
    let f = mutated_leaf(|p| {
        p.validity.not_after = Time::GeneralTime(GeneralizedTime::from_date_time(at(30, 0)));
    });
    assert_finding(&f, &LintError::ValidityTimeEncoding);
}

// ---- subject ----

fn subject_findings(subject: &str) -> Vec<LintError> {
    let mut req = leaf_request();
    req.subject = name(subject);
    findings(&req, &al1(), &ca_issuer())
}

#[test]
fn subject_empty() {
    let mut req = leaf_request();
    req.subject = Name::default();
    assert_finding(
        &findings(&req, &al1(), &ca_issuer()),
        &LintError::SubjectEmpty,
    );
}

#[test]
fn subject_missing_country() {
    use crate::profile::AttributeKind;
    assert_finding(
        &subject_findings("CN=Example Camera,O=Example Inc"),
        &LintError::SubjectAttributeMissing {
            kind: AttributeKind::Country,
        },
    );
}

#[test]
fn subject_multi_valued_rdn() {
    assert_finding(
        &subject_findings("CN=Example Camera+O=Example Inc,C=US"),
        &LintError::SubjectMultiValuedRdn,
    );
}

#[test]
fn subject_email_attribute_not_allowed() {
    assert_finding(
        &subject_findings("CN=Cam,emailAddress=a@example.com,O=Example Inc,C=US"),
        &LintError::SubjectAttributeNotAllowed {
            oid: ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.1"),
        },
    );
}

#[test]
fn subject_organization_repeated() {
    use crate::profile::AttributeKind;
    assert_finding(
        &subject_findings("CN=Cam,O=Example Inc,O=Other Inc,C=US"),
        &LintError::SubjectAttributeRepeated {
            kind: AttributeKind::Organization,
        },
    );
}

#[test]
fn subject_country_utf8_string() {
    use crate::profile::AttributeKind;
    // C as UTF8String "US" (0c 02 55 53).
    assert_finding(
        &subject_findings("CN=Cam,O=Example Inc,C=#0c025553"),
        &LintError::SubjectStringType {
            kind: AttributeKind::Country,
            tag: der::Tag::Utf8String,
        },
    );
}

#[test]
fn subject_common_name_teletex() {
    use crate::profile::AttributeKind;
    assert_finding(
        &subject_findings("CN=#1403616263,O=Example Inc,C=US"),
        &LintError::SubjectStringType {
            kind: AttributeKind::CommonName,
            tag: der::Tag::TeletexString,
        },
    );
}

#[test]
fn subject_common_name_65_characters() {
    use crate::profile::AttributeKind;
    let cn = "é".repeat(65);
    assert_finding(
        &subject_findings(&format!("CN={cn},O=Example Inc,C=US")),
        &LintError::SubjectValueLength {
            kind: AttributeKind::CommonName,
            len: 65,
            max: 64,
        },
    );
    // 64 two-byte characters are within ub-common-name.
    let cn = "é".repeat(64);
    assert_eq!(subject_findings(&format!("CN={cn},O=Example Inc,C=US")), []);
}

#[test]
fn subject_country_lowercase() {
    use crate::profile::AttributeKind;
    assert_finding(
        &subject_findings("CN=Cam,O=Example Inc,C=us"),
        &LintError::SubjectValueInvalid {
            kind: AttributeKind::Country,
        },
    );
}

#[test]
fn subject_printable_string_with_invalid_character() {
    use crate::profile::AttributeKind;
    // PrintableString (13) holding '@', outside its character set.
    assert_finding(
        &subject_findings("CN=#130140,O=Example Inc,C=US"),
        &LintError::SubjectValueInvalid {
            kind: AttributeKind::CommonName,
        },
    );
}

#[test]
fn subject_trailing_whitespace() {
    use crate::profile::AttributeKind;
    assert_finding(
        &subject_findings("CN=Cam\\ ,O=Example Inc,C=US"),
        &LintError::SubjectValueWhitespace {
            kind: AttributeKind::CommonName,
        },
    );
}

// ---- public key ----

/// An `rsaEncryption` SPKI with the given modulus and exponent.
fn rsa_spki(modulus: &[u8], exponent: &[u8]) -> SubjectPublicKeyInfoOwned {
    #[derive(Sequence)]
    struct Rsa<'a> {
        n: UintRef<'a>,
        e: UintRef<'a>,
    }
    let key = Rsa {
        n: UintRef::new(modulus).unwrap(),
        e: UintRef::new(exponent).unwrap(),
    }
    .to_der()
    .unwrap();
    SubjectPublicKeyInfoOwned {
        algorithm: AlgorithmIdentifierOwned {
            oid: oid::RSA_ENCRYPTION,
            parameters: Some(Any::null()),
        },
        subject_public_key: BitString::from_bytes(&key).unwrap(),
    }
}

/// A modulus of `bits` bits with no factor below 752: the product of two primes would do, but
/// any odd value with the right residues is enough for the lint; 2^(bits-1) + 1 is divisible by
/// 3 for odd bits-1, so search upwards for one without small factors.
fn odd_modulus(bits: usize) -> Vec<u8> {
    let mut n = vec![0_u8; bits / 8];
    n[0] = 0x80;
    for candidate in (1_u16..u16::MAX).step_by(2) {
        let [hi, lo] = candidate.to_be_bytes();
        let len = n.len();
        n[len - 2] = hi;
        n[len - 1] = lo;
        let clean = (3_u32..752)
            .filter(|p| (2..*p).take_while(|d| d * d <= *p).all(|d| p % d != 0))
            .all(|p| super::public_key::mod_small(&n, p) != 0);
        if clean {
            return n;
        }
    }
    unreachable!()
}

fn key_findings(profile: &Profile, spki: SubjectPublicKeyInfoOwned) -> Vec<LintError> {
    let mut req = leaf_request();
    req.public_key = spki;
    if profile.cpl_record != Presence::Must {
        req.cpl_record = None;
    }
    findings(&req, profile, &ca_issuer())
}

#[test]
fn rsa_1024_key() {
    let f = key_findings(&al1(), rsa_spki(&odd_modulus(1024), &[1, 0, 1]));
    assert_finding(
        &f,
        &LintError::RsaModulusTooSmall {
            bits: 1024,
            min_bits: 2048,
        },
    );
}

#[test]
fn rsa_2048_key_for_ca() {
    let rsa = key(KeyType::Rsa2048, SignatureAlgorithm::RsaPkcs1Sha256);
    let root = Issuer::from_certificate(
        &chain().root_cert,
        SignatureAlgorithm::EcdsaP384Sha384Asn1,
        urls(),
    )
    .unwrap();
    let req = IssuanceRequest::new(name("CN=Sub CA,O=Signet,C=US"), spki_of(&rsa));
    let f = findings(&req, &builtin::intermediate_ca(), &root);
    assert_finding(
        &f,
        &LintError::RsaModulusTooSmall {
            bits: 2048,
            min_bits: 3072,
        },
    );
}

#[test]
fn rsa_16384_key() {
    let f = key_findings(&al1(), rsa_spki(&odd_modulus(16384), &[1, 0, 1]));
    assert_finding(&f, &LintError::RsaModulusTooLarge { bits: 16384 });
}

#[test]
fn rsa_exponent_3() {
    let f = key_findings(&al1(), rsa_spki(&odd_modulus(2048), &[3]));
    assert_finding(&f, &LintError::RsaExponentInvalid);
}

#[test]
fn rsa_even_modulus() {
    let mut n = odd_modulus(2048);
    *n.last_mut().unwrap() &= 0xFE;
    let f = key_findings(&al1(), rsa_spki(&n, &[1, 0, 1]));
    assert_finding(&f, &LintError::RsaModulusSmallFactor { factor: 2 });
}

#[test]
fn rsa_modulus_divisible_by_751() {
    // An odd value without small factors, times 751.
    let product = mul_small(&odd_modulus(2040), 751);
    let f = key_findings(&al1(), rsa_spki(&product, &[1, 0, 1]));
    assert_finding(&f, &LintError::RsaModulusSmallFactor { factor: 751 });
}

#[test]
fn rsa_parameters_absent() {
    let mut spki = rsa_spki(&odd_modulus(2048), &[1, 0, 1]);
    spki.algorithm.parameters = None;
    assert_finding(&key_findings(&al1(), spki), &LintError::KeyMalformed);
}

/// `magnitude * k`, big-endian.
fn mul_small(magnitude: &[u8], k: u64) -> Vec<u8> {
    let mut carry = 0_u64;
    let mut out: Vec<u8> = magnitude
        .iter()
        .rev()
        .map(|b| {
            let v = u64::from(*b) * k + carry;
            carry = v >> 8;
            u8::try_from(v & 0xFF).unwrap()
        })
        .collect();
    while carry > 0 {
        out.push(u8::try_from(carry & 0xFF).unwrap());
        carry >>= 8;
    }
    out.reverse();
    out
}

/// ROCA-vulnerable key: `cert04.pem` of crocs-muni/roca's test data (a 2050-bit Infineon key).
#[test]
fn roca_vulnerable_modulus() {
    let pem = include_str!("../../../../tests/upstream/vectors/roca/cert04.pem");
    let cert = Certificate::from_pem(pem).unwrap();
    let spki = cert.tbs_certificate().subject_public_key_info().clone();
    let f = key_findings(&al1(), spki);
    assert_eq!(f, [LintError::RocaVulnerableKey]);
}

#[test]
fn roca_fingerprint_function() {
    use super::roca::is_roca_fingerprint;
    // A fresh aws-lc key is not vulnerable.
    let rsa = key(KeyType::Rsa2048, SignatureAlgorithm::RsaPkcs1Sha256);
    let spki = spki_of(&rsa);
    let parsed = super::public_key::classify(&spki).unwrap();
    let super::public_key::KeyKind::Rsa { modulus, .. } = parsed else {
        panic!("not RSA")
    };
    assert!(!is_roca_fingerprint(modulus));
    // 65537^k mod every small prime: a product of powers of 65537 has the fingerprint.
    let mut n = vec![1_u8];
    for _ in 0..40 {
        n = mul_small(&n, 65537);
    }
    assert!(is_roca_fingerprint(&n));
}

#[test]
fn ec_p256_key_for_ca() {
    let root = Issuer::from_certificate(
        &chain().root_cert,
        SignatureAlgorithm::EcdsaP384Sha384Asn1,
        urls(),
    )
    .unwrap();
    let req = IssuanceRequest::new(name("CN=Sub CA,O=Signet,C=US"), spki_of(&chain().leaf_key));
    let f = findings(&req, &builtin::intermediate_ca(), &root);
    assert_finding(
        &f,
        &LintError::EcCurveNotAllowed {
            curve: Some(oid::SECP_256_R_1),
        },
    );
}

#[test]
fn ec_secp224r1_key() {
    let mut spki = spki_of(&chain().leaf_key);
    let secp224r1 = ObjectIdentifier::new_unwrap("1.3.132.0.33");
    spki.algorithm.parameters = Some(Any::encode_from(&secp224r1).unwrap());
    assert_finding(
        &key_findings(&al1(), spki),
        &LintError::EcCurveNotAllowed {
            curve: Some(secp224r1),
        },
    );
}

#[test]
fn ec_compressed_point() {
    let mut spki = spki_of(&chain().leaf_key);
    let point = spki.subject_public_key.raw_bytes().to_vec();
    let mut compressed = point[..33].to_vec();
    compressed[0] = 0x02 | (point[64] & 1);
    spki.subject_public_key = BitString::from_bytes(&compressed).unwrap();
    assert_finding(&key_findings(&al1(), spki), &LintError::EcPointInvalid);
}

#[test]
fn ed25519_key_for_tsa() {
    let ed = spki_of(&key(KeyType::Ed25519, SignatureAlgorithm::Ed25519));
    assert_finding(
        &key_findings(&builtin::tsa_leaf(), ed),
        &LintError::KeyTypeNotAllowed {
            oid: oid::ID_ED25519,
        },
    );
}

#[test]
fn ed25519_key_with_parameters() {
    let mut ed = spki_of(&key(KeyType::Ed25519, SignatureAlgorithm::Ed25519));
    ed.algorithm.parameters = Some(Any::null());
    assert_finding(&key_findings(&al1(), ed), &LintError::Ed25519KeyInvalid);
}

#[test]
fn rsa_pss_key_type() {
    let mut spki = spki_of(&key(KeyType::Rsa2048, SignatureAlgorithm::RsaPssSha256));
    spki.algorithm = AlgorithmIdentifierOwned {
        oid: oid::ID_RSASSA_PSS,
        parameters: None,
    };
    assert_finding(
        &key_findings(&al1(), spki),
        &LintError::KeyTypeNotAllowed {
            oid: oid::ID_RSASSA_PSS,
        },
    );
}

mod extensions;
