//! The embedding example (`examples/embed.rs`): an axum application with its own routes and
//! Signet's CMP endpoint beside them, driven by the real `openssl cmp` client with the command
//! the example prints, and by curl for the host's own route and Signet's CA certificate.

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};

use crate::support::{bin, openssl, run};

/// The example binary `cargo test` builds beside the test binaries.
fn example() -> PathBuf {
    let exe = std::path::Path::new(bin())
        .parent()
        .expect("target directory")
        .join("examples/embed");
    assert!(
        exe.is_file(),
        "{} is missing: `cargo test` builds the examples (or `cargo build -p signet --example embed`)",
        exe.display()
    );
    exe
}

struct Killed(Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn the_embedding_example_enrolls_with_openssl_beside_its_own_routes() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let mut child = Killed(
        Command::new(example())
            .arg(&data)
            .arg("127.0.0.1:0")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let mut lines = BufReader::new(child.0.stdout.take().unwrap()).lines();
    let url = lines
        .next()
        .unwrap()
        .unwrap()
        .strip_prefix("listening on ")
        .expect("first line names the address")
        .to_owned();
    let command = lines
        .next()
        .unwrap()
        .unwrap()
        .strip_prefix("enroll with: ")
        .expect("second line is the enrollment command")
        .to_owned();

    // The host's own route, and a path neither the host nor Signet serves.
    let (ok, page) = run(Command::new("curl").args(["-sS", "-f", &format!("{url}/")]));
    assert!(ok, "{page}");
    assert_eq!(page, "the host application's own page\n");
    let (ok, _) = run(Command::new("curl").args(["-sS", "-f", &format!("{url}/nothing-here")]));
    assert!(!ok, "an unrouted path is 404");

    // Signet's CA certificate through the host, equal to the trust file it wrote.
    let (ok, out) = run(Command::new("curl").args([
        "-sS",
        "-f",
        "-o",
        &dir.path().join("root.cer").display().to_string(),
        &format!("{url}/ca/root.cer"),
    ]));
    assert!(ok, "{out}");
    let (ok, out) = openssl(
        dir.path(),
        &[
            "x509",
            "-inform",
            "DER",
            "-in",
            "root.cer",
            "-outform",
            "PEM",
            "-out",
            "root-got.pem",
        ],
    );
    assert!(ok, "{out}");
    assert_eq!(
        std::fs::read(dir.path().join("root-got.pem")).unwrap(),
        std::fs::read(data.join("trust/root.pem")).unwrap()
    );

    // The printed enrollment, verbatim, with the key it names.
    let (ok, out) = openssl(
        dir.path(),
        &[
            "genpkey",
            "-algorithm",
            "EC",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-out",
            "signer.key",
        ],
    );
    assert!(ok, "{out}");
    let (ok, out) = run(Command::new("timeout")
        .args([
            "30",
            "sh",
            "-c",
            &format!("{command} -msg_timeout 10 -total_timeout 20"),
        ])
        .current_dir(dir.path()));
    assert!(ok, "enrollment through the embedding host failed: {out}");
    let (ok, out) = openssl(
        dir.path(),
        &[
            "verify",
            "-x509_strict",
            "-CAfile",
            &data.join("trust/root.pem").display().to_string(),
            "-untrusted",
            &data.join("trust/issuing-ca.pem").display().to_string(),
            "signer.pem",
        ],
    );
    assert!(ok, "the enrolled certificate does not chain: {out}");

    // The one-time code was consumed: the same command again is refused by the CA.
    let (ok, out) = run(Command::new("timeout")
        .args([
            "30",
            "sh",
            "-c",
            &format!("{command} -msg_timeout 10 -total_timeout 20"),
        ])
        .current_dir(dir.path()));
    assert!(!ok, "a one-time code worked twice: {out}");
}
