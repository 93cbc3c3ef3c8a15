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
