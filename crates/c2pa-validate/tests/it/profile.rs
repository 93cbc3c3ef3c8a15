//! The C2PA 2.2 §14.5.1 certificate profile against certificates issued under the Signet CA's
//! profiles, and against the same profiles with one rule broken.

use signet_asn1_types::const_oid::ObjectIdentifier;
use signet_c2pa_validate::profile::{ProfileError, Purpose, check_signing_certificate};
use signet_c2pa_validate::trust::{
    DEFAULT_SIGNER_EKUS, ID_KP_CLAIM_SIGNING, ID_KP_DOCUMENT_SIGNING,
};
use signet_ca_signer::profile::builtin::{self, AssuranceLevel};

use crate::pki::{Pki, now_secs};

const CLAIM: Purpose<'static> = Purpose::ClaimSigning(&DEFAULT_SIGNER_EKUS);

fn check(
    pki: &Pki,
    tweak: impl FnOnce(&mut signet_ca_signer::Profile),
    purpose: Purpose<'_>,
) -> Result<(), ProfileError> {
    let mut profile = builtin::claim_signing_leaf(AssuranceLevel::Level1);
    tweak(&mut profile);
    let leaf = pki.leaf_with(&profile, now_secs());
    check_signing_certificate(&leaf.der(), purpose)
}

fn eku(profile: &mut signet_ca_signer::Profile, purposes: &[ObjectIdentifier]) {
    let rule = profile.extended_key_usage.as_mut().unwrap();
    rule.purposes = purposes.to_vec();
    rule.required = vec![];
    rule.one_of = vec![];
    rule.exclusive = false;
}

#[test]
fn issued_certificates_conform_for_their_purpose() {
    let pki = Pki::new(now_secs());
    assert_eq!(check_signing_certificate(&pki.leaf.der(), CLAIM), Ok(()));
    assert_eq!(
        check_signing_certificate(&pki.tsa.der(), Purpose::TimeStamping),
        Ok(())
    );
    assert_eq!(
        check_signing_certificate(&pki.ocsp.der(), Purpose::OcspSigning),
        Ok(())
    );
}

#[test]
fn purposes_are_not_interchangeable() {
    let pki = Pki::new(now_secs());
    assert!(matches!(
        check_signing_certificate(&pki.tsa.der(), CLAIM),
        Err(ProfileError::WrongPurpose { .. })
    ));
    assert!(matches!(
        check_signing_certificate(&pki.leaf.der(), Purpose::TimeStamping),
        Err(ProfileError::WrongPurpose { .. })
    ));
    assert!(matches!(
        check_signing_certificate(&pki.ocsp.der(), CLAIM),
        Err(ProfileError::WrongPurpose { .. })
    ));
    // Accepting only documentSigning: the AL1 leaf (claimSigning + documentSigning) passes, a
    // claimSigning-only leaf does not.
    let doc_only = [ID_KP_DOCUMENT_SIGNING];
    assert_eq!(
        check_signing_certificate(&pki.leaf.der(), Purpose::ClaimSigning(&doc_only)),
        Ok(())
    );
    assert!(matches!(
        check(
            &pki,
            |p| eku(p, &[ID_KP_CLAIM_SIGNING]),
            Purpose::ClaimSigning(&doc_only)
        ),
        Err(ProfileError::WrongPurpose { .. })
    ));
}

#[test]
fn ca_certificates_never_sign() {
    let pki = Pki::new(now_secs());
    for ca in [&pki.claim_ca, &pki.intermediate, &pki.root, &pki.tsa_ca] {
        assert_eq!(
            check_signing_certificate(&ca.der(), CLAIM),
            Err(ProfileError::CaCertificate)
        );
    }
}

/// A leaf made with the `openssl` CLI (the Signet CA's lints refuse to issue these) with the
/// extensions of `ext` (an openssl extension section body), under a throwaway root.
fn openssl_leaf(ext: &str) -> Vec<u8> {
    use std::process::Command;
    let dir = tempfile::tempdir().unwrap();
    let p = |f: &str| dir.path().join(f);
    std::fs::write(
        p("ext.cnf"),
        format!(
            "[root]\nbasicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign\n\
             subjectKeyIdentifier=hash\n[leaf]\n{ext}\n"
        ),
    )
    .unwrap();
    let run = |args: &[&str]| {
        let out = Command::new("openssl")
            .args(args)
            .current_dir(dir.path())
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "openssl {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    for k in ["root", "leaf"] {
        run(&[
            "genpkey",
            "-algorithm",
            "EC",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-out",
            &format!("{k}.key"),
        ]);
    }
    run(&[
        "req",
        "-new",
        "-x509",
        "-key",
        "root.key",
        "-subj",
        "/CN=Root",
        "-days",
        "2",
        "-config",
        "ext.cnf",
        "-extensions",
        "root",
        "-out",
        "root.pem",
    ]);
    run(&[
        "req",
        "-new",
        "-key",
        "leaf.key",
        "-subj",
        "/CN=Leaf",
        "-config",
        "/dev/null",
        "-out",
        "leaf.csr",
    ]);
    run(&[
        "x509",
        "-req",
        "-in",
        "leaf.csr",
        "-CA",
        "root.pem",
        "-CAkey",
        "root.key",
        "-days",
        "1",
        "-extfile",
        "ext.cnf",
        "-extensions",
        "leaf",
        "-outform",
        "DER",
        "-out",
        "leaf.der",
    ]);
    std::fs::read(p("leaf.der")).unwrap()
}

const GOOD: &str = "basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\n\
                    subjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid";

#[test]
fn each_broken_rule_is_named() {
    let leaf = |extra: &str| openssl_leaf(&format!("{GOOD}\n{extra}"));
    assert_eq!(
        check_signing_certificate(&leaf("extendedKeyUsage=1.3.6.1.5.5.7.3.36"), CLAIM),
        Ok(())
    );
    assert_eq!(
        check_signing_certificate(&leaf(""), CLAIM),
        Err(ProfileError::EkuMissing)
    );
    assert_eq!(
        check_signing_certificate(
            &leaf("extendedKeyUsage=1.3.6.1.4.1.62558.2.1,2.5.29.37.0"),
            CLAIM
        ),
        Err(ProfileError::AnyEku)
    );
    assert_eq!(
        check_signing_certificate(
            &leaf("extendedKeyUsage=1.3.6.1.4.1.62558.2.1,timeStamping"),
            CLAIM
        ),
        Err(ProfileError::ExclusiveEku)
    );
    assert_eq!(
        check_signing_certificate(
            &openssl_leaf(
                "keyUsage=critical,nonRepudiation\nauthorityKeyIdentifier=keyid\nextendedKeyUsage=1.3.6.1.5.5.7.3.36"
            ),
            CLAIM
        ),
        Err(ProfileError::DigitalSignatureMissing)
    );
    assert_eq!(
        check_signing_certificate(
            &openssl_leaf(
                "keyUsage=critical,digitalSignature\nauthorityKeyIdentifier=none\nextendedKeyUsage=1.3.6.1.5.5.7.3.36"
            ),
            CLAIM
        ),
        Err(ProfileError::AuthorityKeyIdMissing)
    );
    assert_eq!(
        check_signing_certificate(
            &openssl_leaf("authorityKeyIdentifier=keyid\nextendedKeyUsage=1.3.6.1.5.5.7.3.36"),
            CLAIM
        ),
        Err(ProfileError::KeyUsageMissing)
    );
    assert_eq!(
        check_signing_certificate(
            &openssl_leaf(
                "keyUsage=critical,digitalSignature,keyCertSign\nauthorityKeyIdentifier=keyid\nextendedKeyUsage=1.3.6.1.5.5.7.3.36"
            ),
            CLAIM
        ),
        Err(ProfileError::KeyCertSignWithoutCa)
    );
    assert_eq!(
        check_signing_certificate(
            &openssl_leaf(
                "basicConstraints=critical,CA:TRUE\nkeyUsage=critical,digitalSignature,keyCertSign\nauthorityKeyIdentifier=keyid\nextendedKeyUsage=1.3.6.1.5.5.7.3.36"
            ),
            CLAIM
        ),
        Err(ProfileError::CaCertificate)
    );
}

#[test]
fn garbage_is_a_certificate_error() {
    assert!(matches!(
        check_signing_certificate(b"\x30\x03\x02\x01\x00", CLAIM),
        Err(ProfileError::Cert(_))
    ));
}
