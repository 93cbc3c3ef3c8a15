//! Key custody on a PKCS#11 token (issue 13): SoftHSM2 (Debian `softhsm2`, installed by
//! `scripts/system-peers.sh`) with a token of its own per test, in a scratch directory
//! (`SOFTHSM2_CONF`). `signet keys to-pkcs11` moves the online keys onto it; `serve` then
//! signs certificates, CMP responses, OCSP responder certificates and time-stamps on the
//! token, checked by OpenSSL; the root key leaves the machine and the root's CRL is signed
//! where it went.

use std::path::PathBuf;
use std::process::Command;

use crate::flows::fetch;
use crate::support::{SUBJECT, Server, bin, openssl, run};

/// SoftHSM2's PKCS#11 module on Debian.
const MODULE: &str = "/usr/lib/softhsm/libsofthsm2.so";
const PIN: &str = "4791";

/// A SoftHSM2 configuration and token directory of its own, with one token labelled
/// `signet`.
struct SoftHsm {
    _dir: tempfile::TempDir,
    conf: PathBuf,
}

impl SoftHsm {
    fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let tokens = dir.path().join("tokens");
        std::fs::create_dir(&tokens).unwrap();
        let conf = dir.path().join("softhsm2.conf");
        std::fs::write(
            &conf,
            format!(
                "directories.tokendir = {}\nobjectstore.backend = file\nlog.level = ERROR\n",
                tokens.display()
            ),
        )
        .unwrap();
        let (ok, out) = run(Command::new("softhsm2-util")
            .args(["--init-token", "--free", "--label", "signet"])
            .args(["--pin", PIN, "--so-pin", "0000"])
            .env("SOFTHSM2_CONF", &conf));
        assert!(ok, "softhsm2-util --init-token: {out}");
        Self { _dir: dir, conf }
    }

    fn env(&self, pin: &str) -> Vec<(String, String)> {
        vec![
            ("SOFTHSM2_CONF".into(), self.conf.display().to_string()),
            ("SIGNET_PKCS11_PIN".into(), pin.into()),
        ]
    }
}

#[test]
fn the_ca_signs_on_a_softhsm_token_and_the_root_stays_offline() {
    let hsm = SoftHsm::new();
    let mut s = Server::start(&[]);
    s.stop_term();
    s.env = hsm.env(PIN);
    let keys = s.data().join("keys");

    let (ok, out) = s.signet(&[
        "keys",
        "to-pkcs11",
        "--module",
        MODULE,
        "--token-label",
        "signet",
        "--pin-env",
        "SIGNET_PKCS11_PIN",
    ]);
    assert!(ok, "{out}");
    for role in ["issuing-ca", "cmp-signer", "tsa"] {
        assert!(
            out.contains(&format!("{role}: on the token as \"signet-{role}\"")),
            "{out}"
        );
        assert!(
            !keys.join(format!("{role}.key")).exists(),
            "{role}.key removed"
        );
    }
    let toml = std::fs::read_to_string(s.data().join("keys.toml")).unwrap();
    assert!(toml.contains("token-label = \"signet\""), "{toml}");
    // Moved once: a second move of the same role is refused by name.
    let (ok, out) = s.signet(&[
        "keys",
        "to-pkcs11",
        "--module",
        MODULE,
        "--token-label",
        "signet",
        "--role",
        "tsa",
    ]);
    assert!(
        !ok && out.contains("already puts the tsa key on the token"),
        "{out}"
    );

    // The root key leaves the machine: serve does not need it.
    let offline = s.p("offline-root.key");
    std::fs::rename(keys.join("root.key"), &offline).unwrap();
    s.spawn();

    // Certificates (issuing CA key) and CMP responses (CMP signer key) from the token.
    let key = s.genkey("k.pem");
    let c = s.enroll(&key, SUBJECT, "c.pem");
    s.assert_chains_and_key(&c, &key);

    // OCSP: the responder certificate is issued with the token's issuing-CA key.
    let issuing = s.data().join("trust/issuing-ca.pem").display().to_string();
    let root = s.root_pem();
    let url = format!("http://127.0.0.1:{}/ocsp", s.port);
    let (ok, out) = openssl(
        s.dir.path(),
        &[
            "ocsp", "-issuer", &issuing, "-cert", &c, "-url", &url, "-CAfile", &root,
        ],
    );
    assert!(
        ok && out.contains(": good") && out.contains("Response verify OK"),
        "{out}"
    );

    // Time-stamps with the token's TSA key.
    s.time_stamp_verified(b"stamped on a token");

    // The root's CRL is the file signed at bootstrap; signing a new one needs the root key,
    // which is not here.
    let root_url = format!("http://127.0.0.1:{}/crl/root.crl", s.port);
    let first = s.crl_number(&fetch(&root_url), "root1.crl");
    let (ok, out) = s.signet(&["ca", "sign-root-crl"]);
    assert!(!ok && out.contains("the root key is kept offline"), "{out}");
    // Where the root key is (here, brought back for a moment), a new CRL is signed and served
    // at once, with a higher number, verifying under the root.
    std::fs::rename(&offline, keys.join("root.key")).unwrap();
    let (ok, out) = s.signet(&["ca", "sign-root-crl", "--valid-for", "7d"]);
    assert!(ok, "{out}");
    let der = fetch(&root_url);
    assert!(s.crl_number(&der, "root2.crl") > first);
    let (ok, out) = openssl(
        s.dir.path(),
        &[
            "crl",
            "-inform",
            "DER",
            "-in",
            "root2.crl",
            "-noout",
            "-CAfile",
            &root,
        ],
    );
    assert!(ok && out.contains("verify OK"), "{out}");

    // A wrong PIN: serve refuses to start and says why.
    s.stop_term();
    let (ok, out) = run(Command::new(bin())
        .args(["serve", "--data-dir"])
        .arg(s.data())
        .args(["--listen", "127.0.0.1:0"])
        .envs(hsm.env("0000"))
        .env("RUST_LOG", "warn"));
    assert!(
        !ok && out.contains("the PIN of token \"signet\" is wrong"),
        "{out}"
    );
    // No PIN at all: named too.
    let (ok, out) = run(Command::new(bin())
        .args(["serve", "--data-dir"])
        .arg(s.data())
        .args(["--listen", "127.0.0.1:0"])
        .env("SOFTHSM2_CONF", &hsm.conf)
        .env_remove("SIGNET_PKCS11_PIN")
        .env("RUST_LOG", "warn"));
    assert!(
        !ok && out.contains("$SIGNET_PKCS11_PIN, which is not set"),
        "{out}"
    );
}
