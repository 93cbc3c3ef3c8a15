//! The console and the portal in a real browser (issue 14): `tests/browser/flows.cjs` drives
//! Debian's Chromium through playwright-core against `signet serve` over TLS — an officer
//! signs in and registers a subject, `openssl cmp` enrols with the code the page shows, a
//! manual-approval request appears in the queue and the polling client gets its certificate
//! once the officer approves, the officer revokes a certificate, a subscriber self-registers
//! and enrols and later recovers, five wrong passwords lock an account, an auditor reads the
//! intact log. Screenshots go to `target/browser-artefacts/`. Then OCSP (over the same TLS
//! listener) says revoked, and `signet audit verify` accepts the chain the flows wrote.

use std::io::Write as _;
use std::process::{Command, Stdio};

use crate::flows::tls_files;
use crate::support::{Server, bin, openssl, repo_root, run};

const PASSWORD: &str = "operator password 1";
const SUBSCRIBER_PASSWORD: &str = "subscriber password 1";

/// `signet ARGS --data-dir DATA` with `stdin` as its standard input.
fn signet_with_input(s: &Server, args: &[&str], stdin: &str) {
    let mut child = Command::new(bin())
        .args(args)
        .arg("--data-dir")
        .arg(s.data())
        .env("RUST_LOG", "warn")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(format!("{stdin}\n").as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "signet {args:?}: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Where scripts/browser-peers.sh put playwright-core (installing it if needed).
fn browser_peers() -> std::path::PathBuf {
    let root = repo_root();
    let status = Command::new("bash")
        .arg(root.join("scripts/browser-peers.sh"))
        .status()
        .expect("running scripts/browser-peers.sh");
    assert!(status.success(), "scripts/browser-peers.sh failed");
    std::env::var_os("SIGNET_BROWSER_PEERS")
        .map_or_else(|| root.join("target/browser-peers"), Into::into)
}

#[test]
fn console_and_portal_flows_in_chromium() {
    let peers = browser_peers();
    let scratch = tempfile::tempdir().unwrap();
    tls_files(scratch.path());
    let f = |n: &str| scratch.path().join(n).display().to_string();
    let mut s = Server::start(&["--tls-cert", &f("tls.pem"), "--tls-key", &f("tls.key")]);
    std::fs::copy(f("tls-ca.pem"), s.p("tls-ca.pem")).unwrap();
    for (name, role) in [("olivia", "officer"), ("arthur", "auditor")] {
        signet_with_input(
            &s,
            &[
                "operator",
                "add",
                "--name",
                name,
                "--role",
                role,
                "--password-stdin",
            ],
            PASSWORD,
        );
    }
    for (id, subject) in [
        ("carol", "/CN=Carol Example/O=Example News/C=US"),
        ("dave", "/CN=Dave Example/O=Example News/C=US"),
    ] {
        signet_with_input(
            &s,
            &[
                "portal",
                "add",
                "--base",
                "directory",
                "--id",
                id,
                "--subject",
                subject,
            ],
            SUBSCRIBER_PASSWORD,
        );
    }
    // A password under 12 characters is refused by name.
    let mut short = Command::new(bin());
    short.args(["portal", "add", "--base", "directory", "--id", "eve"]);
    short.args(["--subject", "/CN=Eve/O=Example News/C=US", "--data-dir"]);
    short.arg(s.data());
    let (ok, out) = run(&mut short);
    assert!(!ok && out.contains("at least 12 characters"), "{out}");
    // An eligibility entry gets a secret made for it, printed once.
    let (ok, out) = s.signet(&[
        "portal",
        "add",
        "--base",
        "eligibility",
        "--id",
        "EMP-0042",
        "--subject",
        "/CN=Frank Example/O=Example News/C=US",
    ]);
    assert!(ok && out.contains("secret: "), "{out}");
    s.restart();

    let artefacts = repo_root().join("target/browser-artefacts");
    let mut node = Command::new("node");
    node.arg(repo_root().join("tests/browser/flows.cjs"))
        .env("SIGNET_URL", format!("https://localhost:{}", s.port))
        .env("SIGNET_WORK", s.dir.path())
        .env("SIGNET_ARTEFACTS", &artefacts)
        .env("SIGNET_BROWSER_PEERS", &peers)
        .env("OFFICER", "olivia")
        .env("AUDITOR", "arthur")
        .env("PASSWORD", PASSWORD)
        .env("SUBSCRIBER", "carol")
        .env("SUBSCRIBER_PASSWORD", SUBSCRIBER_PASSWORD)
        .env("VICTIM", "dave")
        .env("SUBJECT", "/CN=Console Signer/O=Example News/C=US")
        .env("MANUAL_SUBJECT", "/CN=Manual Signer/O=Example News/C=US");
    let (ok, out) = run(&mut node);
    assert!(ok, "browser flows failed:\n{out}\nserver log:\n{}", s.log());
    assert!(out.contains("all browser flows passed"), "{out}");
    assert!(artefacts.join("03-console-queue-pending.png").exists());

    // OCSP, asked over the same TLS listener, says the revoked certificate is revoked.
    let serial = std::fs::read_to_string(s.p("revoked-serial.txt")).unwrap();
    let issuing = s.data().join("trust/issuing-ca.pem").display().to_string();
    let (ok, out) = openssl(
        s.dir.path(),
        &[
            "ocsp",
            "-issuer",
            &issuing,
            "-cert",
            "admin.pem",
            "-reqout",
            "q.der",
            "-no_nonce",
        ],
    );
    assert!(ok, "{out}");
    let (ok, out) = run(Command::new("curl")
        .args([
            "-sS",
            "--fail",
            "--max-time",
            "20",
            "--cacert",
            "tls-ca.pem",
        ])
        .args(["-H", "Content-Type: application/ocsp-request"])
        .args(["--data-binary", "@q.der", "-o", "r.der"])
        .arg(format!("https://localhost:{}/ocsp", s.port))
        .current_dir(s.dir.path()));
    assert!(ok, "{out}");
    let root = s.root_pem();
    let (ok, out) = openssl(
        s.dir.path(),
        &[
            "ocsp",
            "-respin",
            "r.der",
            "-issuer",
            &issuing,
            "-cert",
            "admin.pem",
            "-CAfile",
            &root,
        ],
    );
    assert!(
        ok && out.contains("admin.pem: revoked") && out.contains("Reason: keyCompromise"),
        "{serial}: {out}"
    );

    // Every flow above is in one intact chain.
    let (ok, out) = s.signet(&["audit", "verify"]);
    assert!(ok, "{out}");
}

/// A console client with curl and a cookie jar: (status, body).
struct ConsoleClient<'a> {
    s: &'a Server,
    jar: std::path::PathBuf,
}

impl ConsoleClient<'_> {
    fn call(&self, method: &str, path: &str, form: &[(&str, &str)]) -> (u16, String) {
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
        .arg(self.s.p("tls-ca.pem"))
        .arg("-b")
        .arg(&self.jar)
        .arg("-c")
        .arg(&self.jar);
        for (k, v) in form {
            cmd.arg("--data-urlencode").arg(format!("{k}={v}"));
        }
        cmd.arg(format!("https://localhost:{}{path}", self.s.port));
        let (ok, out) = run(&mut cmd);
        assert!(ok, "curl {method} {path}: {out}");
        let (body, code) = out.trim_end().rsplit_once('\n').unwrap_or(("", out.trim()));
        (code.trim().parse().unwrap(), body.to_owned())
    }

    /// The value of the first hidden `csrf` field of `html`.
    fn csrf(html: &str) -> String {
        let at = html.find("name=\"csrf\" value=\"").expect("a csrf field") + 19;
        html[at..].split('"').next().unwrap().to_owned()
    }

    fn sign_in(&self, name: &str) -> String {
        let (_, login) = self.call("GET", "/console/login", &[]);
        let (code, _) = self.call(
            "POST",
            "/console/login",
            &[
                ("csrf", &Self::csrf(&login)),
                ("name", name),
                ("password", PASSWORD),
            ],
        );
        assert_eq!(code, 303, "{name} signs in");
        let (code, page) = self.call("GET", "/console/queue", &[]);
        assert_eq!(code, 200);
        Self::csrf(&page)
    }
}

#[test]
fn every_console_action_needs_a_session_its_token_and_an_officer() {
    let scratch = tempfile::tempdir().unwrap();
    tls_files(scratch.path());
    let f = |n: &str| scratch.path().join(n).display().to_string();
    let mut s = Server::start(&["--tls-cert", &f("tls.pem"), "--tls-key", &f("tls.key")]);
    std::fs::copy(f("tls-ca.pem"), s.p("tls-ca.pem")).unwrap();
    for (name, role) in [("olivia", "officer"), ("arthur", "auditor")] {
        signet_with_input(
            &s,
            &[
                "operator",
                "add",
                "--name",
                name,
                "--role",
                role,
                "--password-stdin",
            ],
            PASSWORD,
        );
    }
    s.restart();
    let (reference, _) = s.register(crate::support::SUBJECT, Some("c2pa-claim-signing-manual"));
    assert_eq!(reference.len(), 16);
    let actions = [
        "/console/queue/00112233445566778899aabbccddeeff/approve",
        "/console/queue/00112233445566778899aabbccddeeff/refuse",
        "/console/registrations",
        "/console/certificates/0A1B/revoke",
        "/console/certificates/0A1B/recover",
    ];
    let pages = [
        "/console/queue",
        "/console/registrations",
        "/console/certificates",
        "/console/certificates/0A1B",
        "/console/audit",
        "/console/policy",
    ];
    let nobody = ConsoleClient {
        s: &s,
        jar: s.p("nobody.jar"),
    };
    for p in pages {
        let (code, _) = nobody.call("GET", p, &[]);
        assert_eq!(code, 303, "GET {p} without a session goes to sign-in");
    }
    for p in actions {
        let (code, _) = nobody.call("POST", p, &[("csrf", "x"), ("subject", "/CN=x")]);
        assert_eq!(code, 303, "POST {p} without a session goes to sign-in");
    }
    let auditor = ConsoleClient {
        s: &s,
        jar: s.p("auditor.jar"),
    };
    let csrf = auditor.sign_in("arthur");
    for p in pages {
        let (code, body) = auditor.call("GET", p, &[]);
        assert!(
            code == 200 || (code == 404 && p.ends_with("0A1B")),
            "auditor GET {p}: {code} {body}"
        );
        assert!(!body.contains("<button>Revoke</button>") && !body.contains("<button>Register"));
    }
    for p in actions {
        let (code, body) = auditor.call("POST", p, &[("csrf", &csrf), ("subject", "/CN=x")]);
        assert_eq!(code, 403, "auditor POST {p}: {body}");
        assert!(body.contains("only an officer"), "{body}");
    }
    let officer = ConsoleClient {
        s: &s,
        jar: s.p("officer.jar"),
    };
    let csrf = officer.sign_in("olivia");
    for p in actions {
        let (code, body) = officer.call("POST", p, &[("csrf", "forged"), ("reason", "x")]);
        assert_eq!(code, 403, "officer POST {p} with a forged token: {body}");
        assert!(body.contains("CSRF"), "{body}");
    }
    // With the token: each action runs (and refuses bad input by name, not by role).
    let (code, body) = officer.call(
        "POST",
        "/console/registrations",
        &[("csrf", &csrf), ("subject", "/CN=x/C=USA"), ("profile", "")],
    );
    assert!(code == 200 && body.contains("subject: "), "{code} {body}");
    let (code, body) = officer.call(
        "POST",
        "/console/queue/00112233445566778899aabbccddeeff/refuse",
        &[("csrf", &csrf), ("reason", "unknown requester")],
    );
    assert!(
        code == 200 && body.contains("no pending enrollment"),
        "{code} {body}"
    );
    // The console's cookie is HttpOnly, Secure and kept to /console, and SameSite=Strict
    // (read from the Set-Cookie header itself: curl's jar does not keep SameSite).
    let jar = std::fs::read_to_string(s.p("officer.jar")).unwrap();
    let token_line = jar
        .lines()
        .find(|l| l.contains("\tsignet_session\t"))
        .unwrap()
        .to_owned();
    // domain (HttpOnly), no subdomains, path, Secure.
    assert!(
        token_line.starts_with("#HttpOnly_localhost\tFALSE\t/console\tTRUE\t"),
        "{jar}"
    );
    let (_, headers) = run(Command::new("curl")
        .args(["-sS", "-o", "/dev/null", "-D", "-", "--cacert"])
        .arg(s.p("tls-ca.pem"))
        .arg(format!("https://localhost:{}/console/login", s.port)));
    let set_cookie = headers
        .lines()
        .find(|l| l.to_ascii_lowercase().starts_with("set-cookie:"))
        .unwrap_or_default();
    assert!(
        set_cookie.contains("HttpOnly; SameSite=Strict") && set_cookie.contains("Secure"),
        "{headers}"
    );
    assert!(
        headers.contains("content-security-policy: default-src 'none'"),
        "{headers}"
    );
    let (code, _) = officer.call("POST", "/console/logout", &[("csrf", &csrf)]);
    assert_eq!(code, 303);
    std::fs::write(s.p("replay.jar"), format!("{token_line}\n")).unwrap();
    let replay = ConsoleClient {
        s: &s,
        jar: s.p("replay.jar"),
    };
    let (code, _) = replay.call("GET", "/console/queue", &[]);
    assert_eq!(code, 303, "a signed-out session's cookie no longer works");
    // Plain HTTP is refused to anyone but a loopback client; the portal is offered.
    let (code, body) = nobody.call("GET", "/portal/", &[]);
    assert!(code == 200 && body.contains("Get my code"), "{body}");
}
