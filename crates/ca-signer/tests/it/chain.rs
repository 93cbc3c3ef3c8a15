//! A full hierarchy under every built-in profile, checked by `openssl verify -x509_strict`,
//! `openssl x509 -text` and pkilint (`lint_pkix_cert` per certificate,
//! `lint_pkix_signer_signee_cert_chain` per issuer/subject pair).
//!
//! ```text
//! root (P-384) ─┬─ intermediate (P-384, pathLen 1) ── claim-signing CA (P-384, pathLen 0) ─┬─ AL1 leaf (P-256)
//!               │                                                                         ├─ AL2 leaf (Ed25519)
//!               │                                                                         ├─ OCSP responder (P-256)
//!               │                                                                         ├─ CMP CA (P-256)
//!               │                                                                         └─ CMP RA (RSA-2048)
//!               └─ TSA CA (RSA-3072, signs RSASSA-PSS) ── TSA leaf (RSA-2048)
//! ```

use std::path::Path;

use signet_asn1_types::crypto::SignatureAlgorithm as Alg;
use signet_ca_signer::Profile;
use signet_ca_signer::profile::builtin::{self, AssuranceLevel, CmpRole};
use signet_crypto::{KeyPairSigner, KeyType};

use crate::support::{
    Issued, PKILINT_PSS_BUG, issue, key, openssl, pem, pkilint, pkilint_findings, write,
};

const CPL: &str = "0b6d3f3e-5c1a-4f7e-8d2b-9a4c6e1f2a3b";

pub(crate) struct Hierarchy {
    pub(crate) root: Issued,
    pub(crate) intermediate: Issued,
    pub(crate) claim_ca: Issued,
    pub al1: Issued,
    pub al2: Issued,
    pub(crate) ocsp: Issued,
    pub(crate) cmp_ca: Issued,
    pub(crate) cmp_ra: Issued,
    pub(crate) tsa_ca: Issued,
    pub(crate) tsa: Issued,
}

pub(crate) fn hierarchy() -> Hierarchy {
    let root = issue(
        "CN=Signet Test Root,O=Signet,C=US",
        key(KeyType::EcdsaP384, Alg::EcdsaP384Sha384Asn1),
        &builtin::root_ca(),
        None,
        None,
    );
    let intermediate = issue(
        "CN=Signet Test Intermediate,O=Signet,C=US",
        key(KeyType::EcdsaP384, Alg::EcdsaP384Sha384Asn1),
        &builtin::intermediate_ca(),
        Some((&root, "root")),
        None,
    );
    let claim_ca = issue(
        "CN=Signet Claim Signing CA,O=Signet,C=US",
        key(KeyType::EcdsaP384, Alg::EcdsaP384Sha384Asn1),
        &builtin::claim_signing_issuing_ca(),
        Some((&intermediate, "intermediate")),
        None,
    );
    let under_claim = |subject: &str, k: KeyPairSigner, profile: &Profile, cpl: Option<&str>| {
        issue(subject, k, profile, Some((&claim_ca, "claim-ca")), cpl)
    };
    let al1 = under_claim(
        "CN=Example Camera AL1,O=Example Inc,C=US",
        key(KeyType::EcdsaP256, Alg::EcdsaP256Sha256Asn1),
        &builtin::claim_signing_leaf(AssuranceLevel::Level1),
        Some(CPL),
    );
    let al2 = under_claim(
        "CN=Example Camera AL2,O=Example Inc,C=US",
        key(KeyType::Ed25519, Alg::Ed25519),
        &builtin::claim_signing_leaf(AssuranceLevel::Level2),
        Some(CPL),
    );
    let ocsp = under_claim(
        "CN=Signet OCSP Responder,O=Signet,C=US",
        key(KeyType::EcdsaP256, Alg::EcdsaP256Sha256Asn1),
        &builtin::ocsp_responder(),
        None,
    );
    let cmp_ca = under_claim(
        "CN=Signet CMP CA,O=Signet,C=US",
        key(KeyType::EcdsaP256, Alg::EcdsaP256Sha256Asn1),
        &builtin::cmp_protection(CmpRole::Ca),
        None,
    );
    let cmp_ra = under_claim(
        "CN=Signet CMP RA,O=Signet,C=US",
        key(KeyType::Rsa2048, Alg::RsaPkcs1Sha256),
        &builtin::cmp_protection(CmpRole::Ra),
        None,
    );
    let tsa_ca = issue(
        "CN=Signet TSA CA,O=Signet,C=US",
        key(KeyType::Rsa3072, Alg::RsaPssSha256),
        &builtin::tsa_issuing_ca(),
        Some((&root, "root")),
        None,
    );
    let tsa = issue(
        "CN=Signet Time-Stamping,O=Signet,C=US",
        key(KeyType::Rsa2048, Alg::RsaPssSha256),
        &builtin::tsa_leaf(),
        Some((&tsa_ca, "tsa-ca")),
        None,
    );
    Hierarchy {
        root,
        intermediate,
        claim_ca,
        al1,
        al2,
        ocsp,
        cmp_ca,
        cmp_ra,
        tsa_ca,
        tsa,
    }
}

fn write_cert(dir: &Path, file: &str, issued: &Issued) -> std::path::PathBuf {
    write(dir, file, pem("CERTIFICATE", &issued.der()))
}

#[test]
fn hierarchy_verifies_with_openssl_and_lints_clean_with_pkilint() {
    let h = hierarchy();
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let root = write_cert(d, "root.pem", &h.root);
    let intermediate = write_cert(d, "intermediate.pem", &h.intermediate);
    let claim_ca = write_cert(d, "claim-ca.pem", &h.claim_ca);
    let tsa_ca = write_cert(d, "tsa-ca.pem", &h.tsa_ca);
    let untrusted_claim = write(
        d,
        "untrusted-claim.pem",
        format!(
            "{}{}",
            pem("CERTIFICATE", &h.intermediate.der()),
            pem("CERTIFICATE", &h.claim_ca.der())
        ),
    );
    let leaves = [
        ("al1.pem", &h.al1, &untrusted_claim, &claim_ca),
        ("al2.pem", &h.al2, &untrusted_claim, &claim_ca),
        ("ocsp.pem", &h.ocsp, &untrusted_claim, &claim_ca),
        ("cmp-ca.pem", &h.cmp_ca, &untrusted_claim, &claim_ca),
        ("cmp-ra.pem", &h.cmp_ra, &untrusted_claim, &claim_ca),
        ("tsa.pem", &h.tsa, &tsa_ca, &tsa_ca),
    ];
    for (file, issued, untrusted, parent) in leaves {
        let pss = issued.cert.signature_algorithm().oid == signet_ca_signer::oid::ID_RSASSA_PSS;
        let accepted: &[(&str, &str)] = if pss { &[PKILINT_PSS_BUG] } else { &[] };
        let leaf = write_cert(d, file, issued);
        let (ok, out) = openssl(&[
            "verify",
            "-x509_strict",
            "-CAfile",
            root.to_str().unwrap(),
            "-untrusted",
            untrusted.to_str().unwrap(),
            leaf.to_str().unwrap(),
        ]);
        assert!(ok && out.contains(": OK"), "{file}: {out}");
        let (ok, text) = openssl(&["x509", "-noout", "-text", "-in", leaf.to_str().unwrap()]);
        assert!(ok, "{file}: {text}");
        pkilint("lint_pkix_cert", &[], &[&leaf], &[]);
        pkilint(
            "lint_pkix_signer_signee_cert_chain",
            &[],
            &[parent, &leaf],
            accepted,
        );
        if pss {
            verify_own_signature(issued, parent);
        }
    }
    // The CA certificates themselves.
    for (cert, parent) in [
        (&root, &root),
        (&intermediate, &root),
        (&claim_ca, &intermediate),
        (&tsa_ca, &root),
    ] {
        let (ok, text) = openssl(&["x509", "-noout", "-text", "-in", cert.to_str().unwrap()]);
        assert!(ok && text.contains("CA:TRUE"), "{text}");
        pkilint("lint_pkix_cert", &[], &[cert], &[]);
        if cert != parent {
            pkilint(
                "lint_pkix_signer_signee_cert_chain",
                &[],
                &[parent, cert],
                &[],
            );
        }
    }
    // openssl reads the C2PA and policy extensions as written.
    let (_, text) = openssl(&[
        "x509",
        "-noout",
        "-text",
        "-in",
        d.join("al1.pem").to_str().unwrap(),
    ]);
    for expected in [
        "1.3.6.1.4.1.62558.2.1",
        "Policy: 1.3.6.1.4.1.62558.1.1",
        "OCSP - URI:http://ocsp.signet.example/claim-ca",
        "X509v3 Key Usage: critical",
        "Digital Signature, Non Repudiation",
        "CA:FALSE",
    ] {
        assert!(text.contains(expected), "missing {expected:?} in:\n{text}");
    }
    let (_, text) = openssl(&[
        "x509",
        "-noout",
        "-text",
        "-in",
        d.join("tsa.pem").to_str().unwrap(),
    ]);
    assert!(text.contains("rsassaPss"), "{text}");
    assert!(
        text.contains("X509v3 Extended Key Usage: critical"),
        "{text}"
    );
}

/// Verifies `issued`'s signature with `signet-crypto` under the key in the PEM file `parent`.
fn verify_own_signature(issued: &Issued, parent: &Path) {
    use signet_asn1_types::crypto::{SignatureAlgorithm, SignatureVerifier};
    use signet_asn1_types::der::{Decode, Encode};
    use signet_asn1_types::x509_cert::Certificate;
    let text = std::fs::read_to_string(parent).unwrap();
    let (_, der) = der::pem::decode_vec(text.as_bytes()).unwrap();
    let parent = Certificate::from_der(&der).unwrap();
    let spki = parent
        .tbs_certificate()
        .subject_public_key_info()
        .to_der()
        .unwrap();
    let alg =
        SignatureAlgorithm::from_algorithm_identifier_owned(issued.cert.signature_algorithm())
            .unwrap();
    let tbs = issued.cert.tbs_certificate().to_der().unwrap();
    let sig = issued.cert.signature().as_bytes().unwrap();
    assert_eq!(
        signet_crypto::Verifier.verify(alg, &spki, &tbs, sig),
        Ok(())
    );
}

#[test]
fn openssl_and_pkilint_reject_bad_input() {
    // The verification above is not vacuous: one flipped signature bit fails.
    let h = hierarchy();
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let root = write_cert(d, "root.pem", &h.root);
    let mut der = h.tsa_ca.der();
    let last = der.len() - 1;
    der[last] ^= 1;
    let bad = write(d, "bad.pem", pem("CERTIFICATE", &der));
    let (ok, out) = openssl(&[
        "verify",
        "-x509_strict",
        "-CAfile",
        root.to_str().unwrap(),
        bad.to_str().unwrap(),
    ]);
    assert!(!ok, "{out}");
    // pkilint is not vacuous either: the AL1 leaf under the wrong issuer has findings.
    let al1 = write_cert(d, "al1.pem", &h.al1);
    let findings = pkilint_findings(
        "lint_pkix_signer_signee_cert_chain",
        &[],
        &[&root, &al1],
        &[],
    );
    assert!(findings.iter().any(|f| f.contains("ERROR")), "{findings:?}");
}
