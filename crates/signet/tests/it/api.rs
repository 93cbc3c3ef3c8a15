//! The operator REST API (issue 14) over mutual TLS with pinned operator certificates: every
//! route of the OpenAPI document refuses a client without a listed certificate (401) and a
//! role it is not for (403); an officer registers a subject, `openssl cmp` enrols with the
//! code, the officer reads and revokes the certificate; an auditor reads the audit log.

use std::process::Command;

use crate::flows::tls_files;
use crate::support::{SUBJECT, Server, openssl, run};

/// An operator's self-signed TLS client certificate `name.pem` / `name.key`.
fn operator_cert(dir: &std::path::Path, name: &str) {
    let (ok, out) = openssl(
        dir,
        &[
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-nodes",
            "-keyout",
            &format!("{name}.key"),
            "-out",
            &format!("{name}.pem"),
            "-days",
            "2",
            "-subj",
            &format!("/CN={name}"),
        ],
    );
    assert!(ok, "{out}");
}

/// One API call with curl: (HTTP status, body).
fn call(
    s: &Server,
    who: Option<&str>,
    method: &str,
    path: &str,
    body: Option<&str>,
) -> (u16, String) {
    let dir = s.dir.path();
    let mut cmd = Command::new("curl");
    cmd.args([
        "-sS",
        "--max-time",
        "20",
        "-X",
        method,
        "-w",
        "\n%{http_code}",
    ])
    .arg("--cacert")
    .arg(dir.join("tls-ca.pem"));
    if let Some(w) = who {
        cmd.arg("--cert").arg(dir.join(format!("{w}.pem")));
        cmd.arg("--key").arg(dir.join(format!("{w}.key")));
    }
    if let Some(b) = body {
        cmd.args(["-H", "Content-Type: application/json", "--data", b]);
    }
    cmd.arg(format!("https://127.0.0.1:{}{path}", s.port));
    let (ok, out) = run(&mut cmd);
    assert!(ok, "curl {method} {path}: {out}");
    let (body, code) = out.trim_end().rsplit_once('\n').unwrap_or(("", out.trim()));
    (code.trim().parse().unwrap(), body.to_owned())
}

#[test]
fn the_operator_api_admits_pinned_operators_by_role() {
    let scratch = tempfile::tempdir().unwrap();
    tls_files(scratch.path());
    let f = |n: &str| scratch.path().join(n).display().to_string();
    let mut s = Server::start(&["--tls-cert", &f("tls.pem"), "--tls-key", &f("tls.key")]);
    std::fs::copy(f("tls-ca.pem"), s.p("tls-ca.pem")).unwrap();
    for (name, role) in [("alice", "officer"), ("bob", "auditor"), ("mallory", "")] {
        operator_cert(s.dir.path(), name);
        if !role.is_empty() {
            let cert = s.p(&format!("{name}.pem")).display().to_string();
            let (ok, out) = s.signet(&[
                "operator", "add", "--name", name, "--role", role, "--cert", &cert,
            ]);
            assert!(ok, "{out}");
        }
    }
    s.restart();

    // The document, and every route in it: 401 without an operator certificate (none, or an
    // unlisted one), 403 for a role not named in x-roles.
    let (code, doc) = call(&s, None, "GET", "/api/v1/openapi.json", None);
    assert_eq!(code, 200);
    let doc: serde_json::Value = serde_json::from_str(&doc).unwrap();
    for (path, ops) in doc["paths"].as_object().unwrap() {
        let concrete = path
            .replace("{transaction}", "00112233445566778899aabbccddeeff")
            .replace("{serial}", "0A1B");
        for (method, op) in ops.as_object().unwrap() {
            let m = method.to_ascii_uppercase();
            let body = (m == "POST").then_some("{}");
            for who in [None, Some("mallory")] {
                let (code, out) = call(&s, who, &m, &concrete, body);
                assert_eq!(code, 401, "{m} {path} as {who:?}: {out}");
            }
            let roles: Vec<&str> = op["x-roles"]
                .as_array()
                .unwrap()
                .iter()
                .map(|r| r.as_str().unwrap())
                .collect();
            for (who, role) in [("alice", "officer"), ("bob", "auditor")] {
                let (code, out) = call(&s, Some(who), &m, &concrete, body);
                if roles.contains(&role) {
                    assert!(
                        code != 401 && code != 403,
                        "{m} {path} as {role}: {code} {out}"
                    );
                } else {
                    assert_eq!(code, 403, "{m} {path} as {role}: {out}");
                }
            }
        }
    }
    let (code, _) = call(&s, Some("alice"), "GET", "/api/v1/nothing", None);
    assert_eq!(code, 404);
    let (code, _) = call(&s, Some("alice"), "DELETE", "/api/v1/certificates", None);
    assert_eq!(code, 405);

    // An officer registers; the subscriber enrols with the code; the officer revokes.
    let (code, out) = call(
        &s,
        Some("alice"),
        "POST",
        "/api/v1/registrations",
        Some(&format!("{{\"subject\": \"{SUBJECT}\"}}")),
    );
    assert_eq!(code, 201, "{out}");
    let reg: serde_json::Value = serde_json::from_str(&out).unwrap();
    let (reference, secret) = (
        reg["codes"][0]["reference"].as_str().unwrap().to_owned(),
        reg["codes"][0]["secret"].as_str().unwrap().to_owned(),
    );
    let (code, out) = call(
        &s,
        Some("alice"),
        "POST",
        "/api/v1/registrations",
        Some("{\"subject\": \"/CN=x/C=USA\"}"),
    );
    assert_eq!(code, 422, "{out}");
    assert!(out.contains("subject: "), "{out}");
    let (code, out) = call(
        &s,
        Some("alice"),
        "POST",
        "/api/v1/registrations",
        Some("{\"subject\": 7}"),
    );
    assert_eq!(code, 400, "{out}");
    let key = s.genkey("k.pem");
    let ca = s.p("tls-ca.pem").display().to_string();
    let (ok, out) = s.ir_mac(
        &reference,
        &secret,
        &key,
        SUBJECT,
        "c.pem",
        &["-tls_used", "-tls_trusted", &ca, "-tls_host", "localhost"],
    );
    assert!(ok, "{out}\n{}", s.log());
    let serial = s.serial_of(&s.p("c.pem").display().to_string());
    let (code, out) = call(
        &s,
        Some("bob"),
        "GET",
        &format!("/api/v1/certificates/{serial}"),
        None,
    );
    assert_eq!(code, 200, "{out}");
    assert!(
        out.contains("\"status\":\"valid\"") && out.contains("BEGIN CERTIFICATE"),
        "{out}"
    );
    let path = format!("/api/v1/certificates/{serial}/revoke");
    let (code, out) = call(
        &s,
        Some("alice"),
        "POST",
        &path,
        Some("{\"reason\": \"keyCompromise\"}"),
    );
    assert_eq!(code, 200, "{out}");
    let (code, out) = call(
        &s,
        Some("alice"),
        "POST",
        &path,
        Some("{\"reason\": \"keyCompromise\"}"),
    );
    assert_eq!(code, 409, "{out}");
    let (code, out) = call(
        &s,
        Some("alice"),
        "POST",
        &path,
        Some("{\"reason\": \"removeFromCRL\"}"),
    );
    assert_eq!(code, 422, "{out}");

    // The auditor reads who did it.
    let (code, out) = call(&s, Some("bob"), "GET", "/api/v1/audit", None);
    assert_eq!(code, 200, "{out}");
    let log: serde_json::Value = serde_json::from_str(&out).unwrap();
    let records = log["records"].as_array().unwrap();
    assert!(
        records.iter().any(|r| r["action"] == "certificate.revoked"
            && r["actor"] == "operator:api:alice"
            && r["target"] == serial.as_str()),
        "{out}"
    );
    assert!(
        records
            .iter()
            .any(|r| r["action"] == "registration.created" && r["actor"] == "operator:api:alice"),
        "{out}"
    );
    assert!(!out.contains(&secret), "a code in the audit log");

    // Search, and what the CRL and OCSP say now.
    let found = |q: &str| {
        let (code, out) = call(
            &s,
            Some("bob"),
            "GET",
            &format!("/api/v1/certificates?{q}"),
            None,
        );
        assert_eq!(code, 200, "{q}: {out}");
        let v: serde_json::Value = serde_json::from_str(&out).unwrap();
        v.as_array()
            .unwrap()
            .iter()
            .map(|c| c["serial"].as_str().unwrap().to_owned())
            .collect::<Vec<_>>()
    };
    assert_eq!(
        found(&format!("q={}", serial.to_lowercase())),
        vec![serial.clone()]
    );
    assert_eq!(
        found("q=c2pa+claim+signer+1&status=revoked"),
        vec![serial.clone()]
    );
    assert!(found("status=valid").iter().all(|x| *x != serial));
    assert!(found("q=no+such+subject").is_empty());
    let (code, _) = call(
        &s,
        Some("bob"),
        "GET",
        "/api/v1/certificates?status=gone",
        None,
    );
    assert_eq!(code, 400);
    let (code, _) = call(&s, Some("bob"), "GET", "/api/v1/certificates?limit=0", None);
    assert_eq!(code, 400);
    let long = "x".repeat(257);
    let (code, out) = call(
        &s,
        Some("bob"),
        "GET",
        &format!("/api/v1/certificates?q={long}"),
        None,
    );
    assert_eq!(code, 422, "{out}");
    let (code, out) = call(&s, Some("bob"), "GET", "/api/v1/revocation", None);
    assert_eq!(code, 200, "{out}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert!(v["crl"]["entries"].as_u64().unwrap() >= 1, "{out}");
    assert!(v["crl"]["number"].as_u64().unwrap() >= 1, "{out}");
    assert_eq!(v["certificates"]["revoked"], 1, "{out}");
}

/// Over plain HTTP no certificate can be shown: every route but the document is 401.
#[test]
fn the_operator_api_needs_tls() {
    let s = Server::start(&[]);
    let (ok, out) = run(Command::new("curl")
        .args(["-sS", "-w", "\n%{http_code}"])
        .arg(format!("http://127.0.0.1:{}/api/v1/certificates", s.port)));
    assert!(ok && out.trim_end().ends_with("401"), "{out}");
    assert!(
        out.contains("needs TLS with an operator certificate"),
        "{out}"
    );
}
