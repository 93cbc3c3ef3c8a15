//! Time-stamp tokens from `check_request`/`prepare_time_stamp`/`sign_time_stamp` for requests
//! made by `openssl ts -query`, verified by `openssl ts -verify` against the root (RSA-PSS and
//! ECDSA TSAs, with and without nonce and certificates), and refusals read by
//! `openssl ts -reply -text`.

use std::path::Path;
use std::time::SystemTime;

use signet_asn1_types::const_oid::ObjectIdentifier;
use signet_asn1_types::crypto::{SignatureAlgorithm as Alg, Signer as _};
use signet_asn1_types::der::{DateTime, Encode};
use signet_asn1_types::time::GeneralizedTimeFrac;
use signet_ca_signer::profile::builtin;
use signet_ca_signer::tsa::{
    TimeStamper, TsaProfile, check_request, prepare_time_stamp, refusal_response, sign_time_stamp,
};
use signet_crypto::KeyType;

use crate::chain::hierarchy;
use crate::support::{Issued, issue, key, openssl, pem, serial, write};

const POLICY: &str = "1.3.6.1.4.1.99999.3161.2";

fn gen_time() -> GeneralizedTimeFrac {
    let d = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .unwrap();
    let whole = DateTime::from_unix_duration(core::time::Duration::from_secs(d.as_secs())).unwrap();
    // Millisecond precision, as a TSA clock would report it.
    GeneralizedTimeFrac::new(whole, d.subsec_millis() * 1_000_000).unwrap()
}

fn profile() -> TsaProfile {
    TsaProfile::c2pa(ObjectIdentifier::new_unwrap(POLICY))
}

/// Answers the request in `query` as the TSA `tsa` (chain `tsa_ca`) would; writes `out`.
fn answer(dir: &Path, query: &str, out: &str, tsa: &Issued, tsa_ca: &Issued) {
    let req = std::fs::read(dir.join(query)).unwrap();
    let resp = match check_request(&req, &profile()) {
        Ok(accepted) => {
            let stamper =
                TimeStamper::new(&tsa.cert, vec![tsa_ca.cert.clone()], tsa.key.algorithm())
                    .unwrap();
            let linted =
                prepare_time_stamp(&accepted, &stamper, &profile(), gen_time(), &serial()).unwrap();
            sign_time_stamp(linted, &tsa.key).unwrap()
        }
        Err(refusal) => refusal_response(&refusal).unwrap(),
    };
    write(dir, out, resp.to_der().unwrap());
}

fn ts(dir: &Path, args: &[&str]) -> (bool, String) {
    let mut full = vec!["ts"];
    full.extend_from_slice(args);
    let (ok, text) = crate::support::run(
        std::process::Command::new("openssl")
            .args(&full)
            .current_dir(dir),
    );
    (ok, text)
}

fn query(dir: &Path, name: &str, extra: &[&str]) -> String {
    let q = format!("{name}.tsq");
    let mut args = vec!["-query", "-data", "data.bin", "-out", &q];
    if !extra.contains(&"-sha512") {
        args.push("-sha256");
    }
    args.extend_from_slice(extra);
    let (ok, text) = ts(dir, &args);
    assert!(ok, "{text}");
    q
}

#[test]
fn openssl_verifies_tokens_from_ecdsa_and_rsa_tsas() {
    let h = hierarchy();
    let tsa = |cn: &str, k, a| {
        issue(
            cn,
            key(k, a),
            &builtin::tsa_leaf(),
            Some((&h.tsa_ca, "tsa-ca")),
            None,
        )
    };
    let ecdsa = tsa(
        "CN=Signet TSA ECDSA,O=Signet,C=US",
        KeyType::EcdsaP256,
        Alg::EcdsaP256Sha256Asn1,
    );
    let p384 = tsa(
        "CN=Signet TSA P-384,O=Signet,C=US",
        KeyType::EcdsaP384,
        Alg::EcdsaP384Sha384Asn1,
    );
    let rsa = tsa(
        "CN=Signet TSA RSA,O=Signet,C=US",
        KeyType::Rsa2048,
        Alg::RsaPkcs1Sha256,
    );
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(d, "root.pem", pem("CERTIFICATE", &h.root.der()));
    write(d, "tsa-ca.pem", pem("CERTIFICATE", &h.tsa_ca.der()));
    write(d, "data.bin", b"claim bytes to be time-stamped");
    for (label, tsa) in [("ecdsa", &ecdsa), ("p384", &p384), ("rsa", &rsa)] {
        let bundle = format!(
            "{}{}",
            pem("CERTIFICATE", &tsa.der()),
            pem("CERTIFICATE", &h.tsa_ca.der())
        );
        write(d, "untrusted.pem", bundle);
        for (variant, extra) in [
            ("cert-nonce", &["-cert"][..]),
            ("no-cert", &[][..]),
            ("no-nonce-sha512", &["-cert", "-no_nonce", "-sha512"][..]),
            ("policy", &["-cert", "-tspolicy", POLICY][..]),
        ] {
            let name = format!("{label}-{variant}");
            let q = query(d, &name, extra);
            let r = format!("{name}.tsr");
            answer(d, &q, &r, tsa, &h.tsa_ca);
            let (ok, text) = ts(d, &["-reply", "-in", &r, "-text"]);
            assert!(ok, "{text}");
            assert!(text.contains("Status: Granted."), "{text}");
            assert!(text.contains(&format!("Policy OID: {POLICY}")), "{text}");
            assert_eq!(
                text.contains("Nonce: unspecified"),
                extra.contains(&"-no_nonce"),
                "{text}"
            );
            let mut verify = vec![
                "-verify",
                "-queryfile",
                &q,
                "-in",
                &r,
                "-CAfile",
                "root.pem",
            ];
            if variant == "no-cert" {
                // Without certReq the client brings the TSA certificate itself.
                verify.extend_from_slice(&["-untrusted", "untrusted.pem"]);
            }
            let (ok, text) = ts(d, &verify);
            assert!(ok && text.contains("Verification: OK"), "{name}: {text}");
        }
    }
    // The token is bound to the data: other bytes fail.
    write(d, "other.bin", b"other bytes");
    let (ok, text) = ts(
        d,
        &[
            "-verify",
            "-data",
            "other.bin",
            "-in",
            "ecdsa-cert-nonce.tsr",
            "-CAfile",
            "root.pem",
        ],
    );
    assert!(!ok, "{text}");
    assert!(text.contains("message imprint mismatch"), "{text}");
}

/// OpenSSL 3.0's `ts -verify` goes through its PKCS#7 code, which checks every RSA SignerInfo
/// as PKCS#1 v1.5; its CMS code handles RSASSA-PSS. The RSASSA-PSS TSA's token is therefore
/// checked by `openssl cms -verify` (signature, signed attributes, chain) and its content by
/// `openssl ts -reply -text`.
#[test]
fn openssl_cms_verifies_rsa_pss_tokens() {
    let h = hierarchy();
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(d, "root.pem", pem("CERTIFICATE", &h.root.der()));
    write(d, "data.bin", b"claim bytes to be time-stamped");
    let q = query(d, "pss", &["-cert"]);
    answer(d, &q, "pss.tsr", &h.tsa, &h.tsa_ca);
    let (ok, text) = ts(
        d,
        &[
            "-reply",
            "-in",
            "pss.tsr",
            "-token_out",
            "-out",
            "pss.token",
        ],
    );
    assert!(ok, "{text}");
    let (ok, text) = openssl(&[
        "cms",
        "-verify",
        "-inform",
        "DER",
        "-in",
        &d.join("pss.token").to_string_lossy(),
        "-CAfile",
        &d.join("root.pem").to_string_lossy(),
        "-purpose",
        "timestampsign",
        "-out",
        &d.join("tst.der").to_string_lossy(),
    ]);
    assert!(ok && text.contains("Verification successful"), "{text}");
    let (ok, text) = ts(d, &["-reply", "-in", "pss.tsr", "-text"]);
    assert!(ok && text.contains("Status: Granted."), "{text}");
}

#[test]
fn openssl_reads_refusals_with_their_failure_info() {
    let h = hierarchy();
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(d, "data.bin", b"data");
    let cases = [
        (
            &["-sha1"][..],
            "unrecognized or unsupported algorithm identifier",
        ),
        (
            &["-sha256", "-tspolicy", "1.2.3.4"][..],
            "the requested TSA policy is not supported by the TSA",
        ),
    ];
    for (i, (args, failure)) in cases.iter().enumerate() {
        let q = format!("q{i}.tsq");
        let r = format!("r{i}.tsr");
        let mut query = vec!["-query", "-data", "data.bin", "-out", &q];
        query.extend_from_slice(args);
        let (ok, text) = ts(d, &query);
        assert!(ok, "{text}");
        answer(d, &q, &r, &h.tsa, &h.tsa_ca);
        let (ok, text) = ts(d, &["-reply", "-in", &r, "-text"]);
        assert!(ok, "{text}");
        assert!(text.contains("Status: Rejected."), "{text}");
        assert!(text.contains(failure), "{text}");
    }
}
