//! The whole provenance chain through Signet's own services and independent peers: a subscriber
//! enrolls a C2PA claim-signing certificate with the real `openssl cmp` against `signet serve`,
//! signs a JPEG with `signet c2pa sign`, time-stamped by the server's RFC 3161 TSA and with the
//! server's OCSP answer stapled, and the asset is `Trusted` for `signet c2pa verify` and for the
//! C2PA reference SDK (c2pa-python). After `signet ca revoke` the claim generator refuses the
//! certificate on the server's OCSP answer. The TSA itself is checked by `openssl ts -verify`
//! (requests POSTed with `curl`).

use std::path::Path;
use std::process::Command;

use crate::support::{Server, bin, openssl, peers_bin, pkilint, run};

const SUBJECT: &str = "/CN=Newsroom Camera 7/O=Example News/C=US";

fn upstream(rel: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/upstream")
        .join(rel)
}

/// `signet c2pa verify FILE --trust-anchors ROOT --tsa-anchors ROOT --json`: (exit code, JSON).
fn verify(s: &Server, file: &str) -> (i32, serde_json::Value) {
    verify_with(s, file, &[])
}

/// [`verify`] with `extra` arguments.
fn verify_with(s: &Server, file: &str, extra: &[&str]) -> (i32, serde_json::Value) {
    let root = s.root_pem();
    let out = Command::new(bin())
        .args(["c2pa", "verify"])
        .arg(s.p(file))
        .args(["--trust-anchors", &root, "--tsa-anchors", &root, "--json"])
        .args(extra)
        .output()
        .unwrap();
    let json = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "verify {file}: {e}: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (out.status.code().unwrap_or(-1), json)
}

fn codes(report: &serde_json::Value, kind: &str) -> Vec<String> {
    report["validation_results"]["activeManifest"][kind]
        .as_array()
        .unwrap_or_else(|| panic!("no {kind} list: {report}"))
        .iter()
        .map(|c| c["code"].as_str().unwrap().to_owned())
        .collect()
}

/// Enrolls `signer.key` as `signer.pem` and writes `signer-chain.pem`; returns the certificate
/// file's path.
fn enroll_signer(s: &Server) -> String {
    let key = s.genkey("signer.key");
    let cert = s.enroll(&key, SUBJECT, "signer.pem");
    write_signer_chain(s);
    cert
}

/// Signs `input` as `out` with the enrolled signer: no TSA, nothing stapled.
fn sign_unstapled(s: &Server, input: &Path, out: &str) {
    let (ok, text) = run(Command::new(bin())
        .args(["c2pa", "sign"])
        .arg(input)
        .arg(s.p(out))
        .arg("--cert")
        .arg(s.p("signer-chain.pem"))
        .arg("--key")
        .arg(s.p("signer.key")));
    assert!(ok, "{text}");
}

/// Writes `signer-chain.pem`: the enrolled `signer.pem`, then the server's issuing chain.
fn write_signer_chain(s: &Server) {
    let chain = format!(
        "{}{}",
        std::fs::read_to_string(s.p("signer.pem")).unwrap(),
        std::fs::read_to_string(s.data().join("trust/chain.pem")).unwrap()
    );
    std::fs::write(s.p("signer-chain.pem"), chain).unwrap();
}

fn sign(s: &Server, input: &Path, out: &str) -> (bool, String) {
    sign_with(s, input, out, &[])
}

fn sign_with(s: &Server, input: &Path, out: &str, extra: &[&str]) -> (bool, String) {
    let tsa = format!("http://{}/tsa", s.server_arg());
    run(Command::new(bin())
        .args(["c2pa", "sign"])
        .arg(input)
        .arg(s.p(out))
        .args(["--cert"])
        .arg(s.p("signer-chain.pem"))
        .args(["--key"])
        .arg(s.p("signer.key"))
        .args(["--tsa", &tsa, "--ocsp-staple"])
        .args(extra))
}

/// The reference SDK's reading, trusting the Signet root with the C2PA EKUs accepted.
fn reference_read(s: &Server, file: &str) -> serde_json::Value {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../c2pa-model/tests/peers/read.py");
    let out = Command::new(peers_bin().join("python"))
        .arg(script)
        .arg(s.p(file))
        .arg("image/jpeg")
        .arg(s.root_pem())
        .arg(upstream("vectors/c2pa/trust/eku.cfg"))
        .output()
        .unwrap();
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)))
}

#[test]
fn enroll_sign_time_stamp_staple_verify_and_revoke() {
    let s = Server::start(&[]);
    let key = s.genkey("signer.key");
    let cert = s.enroll(&key, SUBJECT, "signer.pem");
    s.assert_chains_and_key(&cert, &key);
    write_signer_chain(&s);
    let photo = upstream("vectors/c2pa/rs/no_manifest.jpg");

    let (ok, out) = sign(&s, &photo, "signed.jpg");
    assert!(ok, "signet c2pa sign: {out}\n{}", s.log());
    assert!(out.contains("time-stamped"), "{out}");
    assert!(out.contains("OCSP response(s) stapled"), "{out}");

    let (code, report) = verify(&s, "signed.jpg");
    assert_eq!(report["validation_state"], "Trusted", "{report}");
    assert_eq!(code, 0);
    let success = codes(&report, "success");
    for expected in [
        "claimSignature.validated",
        "signingCredential.trusted",
        "timeStamp.trusted",
        "assertion.dataHash.match",
    ] {
        assert!(
            success.iter().any(|c| c == expected),
            "{expected}: {report}"
        );
    }
    assert!(codes(&report, "failure").is_empty(), "{report}");

    let reference = reference_read(&s, "signed.jpg");
    assert_eq!(reference["validation_state"], "Trusted", "{reference}");
    let ref_success: Vec<&str> = reference["success"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap())
        .collect();
    assert!(ref_success.contains(&"timeStamp.trusted"), "{reference}");
    assert!(
        ref_success.contains(&"claimSignature.validated"),
        "{reference}"
    );
    assert_eq!(reference["failure"], serde_json::json!([]), "{reference}");

    // Revoked: the server's OCSP responder says so. With --require-good-ocsp the claim
    // generator refuses to sign with the certificate, writing nothing; without it, it warns and
    // signs with the revoked answer stapled, so the asset itself says the signer was revoked.
    let serial = s.serial_of(&cert);
    s.revoke_by_operator(&serial, "keyCompromise");
    let (ok, out) = sign_with(
        &s,
        &photo,
        "refused-after-revocation.jpg",
        &["--require-good-ocsp"],
    );
    assert!(!ok, "signing with a revoked certificate succeeded: {out}");
    assert!(out.contains("is revoked (OCSP"), "{out}");
    assert!(out.contains("KeyCompromise"), "{out}");
    assert!(out.contains("not signed (--require-good-ocsp)"), "{out}");
    assert!(!s.p("refused-after-revocation.jpg").exists());
    let leftovers: Vec<_> = std::fs::read_dir(s.p("."))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains("refused-after-revocation"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");

    let (ok, out) = sign(&s, &photo, "signed-after-revocation.jpg");
    assert!(ok, "{out}");
    assert!(out.contains("warning: the certificate"), "{out}");
    assert!(out.contains("is revoked (OCSP"), "{out}");
    assert!(out.contains("signingCredential.ocsp.revoked"), "{out}");
    assert!(out.contains("OCSP response(s) stapled"), "{out}");
    // Offline (no fetching): the stapled answer alone says revoked.
    let (code, report) = verify(&s, "signed-after-revocation.jpg");
    assert_ne!(code, 0, "{report}");
    assert!(
        codes(&report, "failure").contains(&"signingCredential.ocsp.revoked".to_owned()),
        "{report}"
    );
    // The first asset carries the OCSP answer from before the revocation: still Trusted
    // offline, as the stapled answer proves the status at signing time.
    let (_, report) = verify(&s, "signed.jpg");
    assert_eq!(report["validation_state"], "Trusted", "{report}");
}

/// `--ocsp-fetch` asks the responder in the signing certificate when nothing is stapled: good
/// while the certificate is valid, revoked once the CA revoked it (the asset has no time-stamp,
/// so the time of signing is the validation time).
#[test]
fn verify_fetches_ocsp_only_when_asked() {
    let s = Server::start(&[]);
    let cert = enroll_signer(&s);
    sign_unstapled(
        &s,
        &upstream("vectors/c2pa/rs/no_manifest.jpg"),
        "plain.jpg",
    );

    let (code, report) = verify(&s, "plain.jpg");
    assert_eq!(code, 0, "{report}");
    assert!(
        codes(&report, "informational").contains(&"signingCredential.ocsp.skipped".to_owned()),
        "{report}"
    );
    let (code, report) = verify_with(&s, "plain.jpg", &["--ocsp-fetch"]);
    assert_eq!(code, 0, "{report}");
    assert!(
        codes(&report, "success").contains(&"signingCredential.ocsp.notRevoked".to_owned()),
        "{report}"
    );

    let serial = s.serial_of(&cert);
    s.revoke_by_operator(&serial, "keyCompromise");
    let (code, report) = verify_with(&s, "plain.jpg", &["--ocsp-fetch"]);
    assert_eq!(code, 1, "{report}");
    assert!(
        codes(&report, "failure").contains(&"signingCredential.ocsp.revoked".to_owned()),
        "{report}"
    );
    // Offline, nothing says it is revoked.
    let (code, _) = verify(&s, "plain.jpg");
    assert_eq!(code, 0);
}

#[test]
fn tsa_answers_openssl_and_refuses_with_failure_info() {
    let s = Server::start(&[]);
    let d = s.dir.path();
    s.time_stamp_verified(b"bytes to stamp");
    let url = format!("http://{}/tsa", s.server_arg());
    let post = |query: &str, reply: &str, content_type: &str| {
        run(Command::new("curl")
            .args(["-sS", "--max-time", "20", "-o", reply, "-w", "%{http_code}"])
            .args(["-H", &format!("Content-Type: {content_type}")])
            .args(["--data-binary", &format!("@{query}"), &url])
            .current_dir(d))
    };
    let (ok, out) = openssl(d, &["ts", "-reply", "-in", "r.tsr", "-text"]);
    assert!(
        ok && out.contains("Policy OID: 1.3.6.1.5.5.7.13.1"),
        "{out}"
    );
    let trust = s.data().join("trust");
    pkilint("lint_pkix_cert", &[], &[&trust.join("tsa.pem")]);
    pkilint(
        "lint_pkix_signer_signee_cert_chain",
        &[],
        &[&trust.join("root.pem"), &trust.join("tsa.pem")],
    );

    // SHA-1 imprints are refused with badAlg, in a well-formed rejection.
    let (ok, out) = openssl(
        d,
        &[
            "ts", "-query", "-data", "data.bin", "-sha1", "-out", "q1.tsq",
        ],
    );
    assert!(ok, "{out}");
    let (_, status) = post("q1.tsq", "r1.tsr", "application/timestamp-query");
    assert_eq!(status, "200");
    let (ok, out) = openssl(d, &["ts", "-reply", "-in", "r1.tsr", "-text"]);
    assert!(ok && out.contains("Status: Rejected."), "{out}");
    assert!(
        out.contains("unrecognized or unsupported algorithm identifier"),
        "{out}"
    );
    // Garbage is badDataFormat; the wrong media type is 415; GET is 405.
    std::fs::write(d.join("junk.tsq"), b"\x30\x03\x02\x01").unwrap();
    let (_, status) = post("junk.tsq", "r2.tsr", "application/timestamp-query");
    assert_eq!(status, "200");
    let (ok, out) = openssl(d, &["ts", "-reply", "-in", "r2.tsr", "-text"]);
    assert!(ok && out.contains("Status: Rejected."), "{out}");
    let (_, status) = post("q.tsq", "r3.tsr", "application/octet-stream");
    assert_eq!(status, "415");
    let (_, status) = run(Command::new("curl")
        .args(["-sS", "-o", "/dev/null", "-w", "%{http_code}", &url])
        .current_dir(d));
    assert_eq!(status, "405");
}

/// `signet c2pa verify FILE --trust-anchors ROOT --tsa-anchors ROOT EXTRA` (human output):
/// (exit code, stdout + stderr).
fn verify_text(s: &Server, file: &str, extra: &[&str]) -> (i32, String) {
    let root = s.root_pem();
    let out = Command::new(bin())
        .args(["c2pa", "verify"])
        .arg(s.p(file))
        .args(["--trust-anchors", &root, "--tsa-anchors", &root])
        .args(extra)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    )
}

/// Verifies `file` (human output) with `extra`, checks the exit code, and returns the
/// revocation line with the whole output.
fn revocation_of(s: &Server, file: &str, extra: &[&str], code: i32) -> (String, String) {
    let (got, out) = verify_text(s, file, extra);
    assert_eq!(got, code, "{out}");
    (revocation_line(&out).to_owned(), out)
}

/// The `  revocation …` line of a human summary.
fn revocation_line(out: &str) -> &str {
    out.lines()
        .find_map(|l| l.strip_prefix("  revocation "))
        .unwrap_or_else(|| panic!("no revocation line: {out}"))
}

/// The human summary says what decided revocation of the signing certificate: the stapled OCSP
/// answer (with responder and producedAt), the one `--ocsp-fetch` got, or nothing (skipped).
#[test]
fn verify_says_what_decided_revocation() {
    let s = Server::start(&[]);
    let cert = enroll_signer(&s);
    let photo = upstream("vectors/c2pa/rs/no_manifest.jpg");
    let (ok, out) = sign(&s, &photo, "stapled.jpg");
    assert!(ok, "{out}");
    sign_unstapled(&s, &photo, "plain.jpg");

    // Stapled and good at the time of signing: the responder and producedAt are named.
    let (line, out) = revocation_of(&s, "stapled.jpg", &[], 0);
    assert!(
        line.starts_with("not revoked: stapled OCSP response"),
        "{out}"
    );
    assert!(line.contains("said \"good\""), "{out}");
    assert!(
        line.contains("responder ") && line.contains("produced at 20"),
        "{out}"
    );

    // Nothing stapled, no fetch: not checked, and why.
    let (line, out) = revocation_of(&s, "plain.jpg", &[], 0);
    assert!(
        line.starts_with("not checked (skipped): nothing stapled"),
        "{out}"
    );
    assert!(line.contains("--ocsp-fetch"), "{out}");

    // Fetched live: the responder's URL and its answer.
    let (line, out) = revocation_of(&s, "plain.jpg", &["--ocsp-fetch"], 0);
    let ocsp_url = format!("http://{}/", s.server_arg());
    assert!(
        line.starts_with(&format!(
            "not revoked: OCSP response fetched from {ocsp_url}"
        )),
        "{out}"
    );
    assert!(line.contains("said \"good\""), "{out}");

    let serial = s.serial_of(&cert);
    s.revoke_by_operator(&serial, "keyCompromise");
    let (line, out) = revocation_of(&s, "plain.jpg", &["--ocsp-fetch"], 1);
    assert!(
        line.starts_with("REVOKED: OCSP response fetched from"),
        "{out}"
    );
    assert!(line.contains("(keyCompromise)"), "{out}");
    // The stapled answer from before the revocation still decides offline.
    let (line, out) = revocation_of(&s, "stapled.jpg", &[], 0);
    assert!(
        line.starts_with("not revoked: stapled OCSP response"),
        "{out}"
    );
}
