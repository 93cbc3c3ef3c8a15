//! Test support: a `signet serve` child process on an ephemeral port, the `openssl` CLI, the
//! operator CLI, DER inspection, and pkilint.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use signet_asn1_types::cmp::PkiMessage;
use signet_asn1_types::der::Decode;

pub(crate) const SUBJECT: &str = "/CN=C2PA Claim Signer 1/O=Example Org/C=US";

/// A running server and its scratch directory.
pub(crate) struct Server {
    pub(crate) dir: tempfile::TempDir,
    child: Option<Child>,
    pub(crate) port: u16,
    pub(crate) extra_args: Vec<String>,
    /// `SIGNET_DATABASE` for the server and the operator commands (default: the SQLite file
    /// in the data directory).
    pub(crate) database: Option<String>,
    /// More environment for the server and the operator commands (a token's PIN, …).
    pub(crate) env: Vec<(String, String)>,
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop_kill();
    }
}

pub(crate) fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_signet")
}

/// Runs `cmd`, returning (success, stdout + stderr).
pub(crate) fn run(cmd: &mut Command) -> (bool, String) {
    let out = cmd
        .stdin(Stdio::null())
        .output()
        .unwrap_or_else(|e| panic!("running {cmd:?}: {e}"));
    (
        out.status.success(),
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    )
}

pub(crate) fn openssl(dir: &Path, args: &[&str]) -> (bool, String) {
    run(Command::new("openssl").args(args).current_dir(dir))
}

impl Server {
    /// Bootstraps a data directory and starts serving.
    pub(crate) fn start(extra: &[&str]) -> Self {
        Self::start_on(None, extra)
    }

    /// Bootstraps a data directory and starts serving on `database` (`SIGNET_DATABASE`).
    pub(crate) fn start_on(database: Option<&str>, extra: &[&str]) -> Self {
        let mut s = Self {
            dir: tempfile::tempdir().unwrap(),
            child: None,
            port: 0,
            extra_args: extra.iter().map(|s| (*s).to_owned()).collect(),
            database: database.map(str::to_owned),
            env: Vec::new(),
        };
        s.spawn();
        s
    }

    /// A second node of this one: a copy of its data directory (keys, trust material,
    /// policy), on the same database, serving on its own port.
    pub(crate) fn another_node(&self) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let (ok, out) = run(Command::new("cp")
            .arg("-a")
            .arg(self.data())
            .arg(dir.path().join("data")));
        assert!(ok, "{out}");
        let mut s = Self {
            dir,
            child: None,
            port: 0,
            extra_args: self.extra_args.clone(),
            database: self.database.clone(),
            env: self.env.clone(),
        };
        s.spawn();
        s
    }

    pub(crate) fn data(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    pub(crate) fn p(&self, f: &str) -> PathBuf {
        self.dir.path().join(f)
    }

    pub(crate) fn root_pem(&self) -> String {
        self.data().join("trust/root.pem").display().to_string()
    }

    /// Starts the server process (on the previous port when restarting).
    pub(crate) fn spawn(&mut self) {
        let listen = format!("127.0.0.1:{}", self.port);
        let mut child = Command::new(bin())
            .args(["serve", "--data-dir"])
            .arg(self.data())
            .args(["--listen", &listen])
            .args(&self.extra_args)
            .envs(self.database.iter().map(|d| ("SIGNET_DATABASE", d)))
            .envs(self.env.iter().map(|(k, v)| (k, v)))
            .env("RUST_LOG", "info")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::from(
                std::fs::OpenOptions::new()
                    .create(true)
                    .append(true)
                    .open(self.dir.path().join("server.log"))
                    .unwrap(),
            ))
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let mut lines = BufReader::new(stdout).lines();
        let deadline = Instant::now() + Duration::from_secs(30);
        let mut port = None;
        while Instant::now() < deadline {
            match lines.next() {
                Some(Ok(line)) => {
                    if let Some(addr) = line
                        .strip_prefix("listening on http://")
                        .or_else(|| line.strip_prefix("listening on https://"))
                    {
                        port = addr.rsplit(':').next().and_then(|p| p.parse().ok());
                        break;
                    }
                }
                _ => break,
            }
        }
        // Keep draining stdout so the child never blocks on a full pipe.
        std::thread::spawn(move || for _ in lines {});
        self.port = port.unwrap_or_else(|| panic!("server did not start: {}", self.log()));
        self.child = Some(child);
    }

    pub(crate) fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("server.log")).unwrap_or_default()
    }

    /// SIGKILL (crash).
    pub(crate) fn stop_kill(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }

    /// SIGTERM (graceful), waiting for exit.
    pub(crate) fn stop_term(&mut self) -> bool {
        if let Some(mut c) = self.child.take() {
            let pid = c.id().to_string();
            let _ = Command::new("kill").args(["-TERM", &pid]).status();
            let deadline = Instant::now() + Duration::from_secs(20);
            while Instant::now() < deadline {
                if let Ok(Some(status)) = c.try_wait() {
                    return status.success();
                }
                std::thread::sleep(Duration::from_millis(50));
            }
            let _ = c.kill();
            let _ = c.wait();
        }
        false
    }

    pub(crate) fn restart(&mut self) {
        self.stop_term();
        self.spawn();
    }

    /// `signet <args> --data-dir DATA`.
    pub(crate) fn signet(&self, args: &[&str]) -> (bool, String) {
        let data = self.data();
        run(Command::new(bin())
            .args(args)
            .arg("--data-dir")
            .arg(&data)
            .envs(self.database.iter().map(|d| ("SIGNET_DATABASE", d)))
            .envs(self.env.iter().map(|(k, v)| (k, v)))
            .env("RUST_LOG", "warn"))
    }

    pub(crate) fn signet_json(&self, args: &[&str]) -> serde_json::Value {
        let (ok, out) = self.signet(args);
        assert!(ok, "signet {args:?}: {out}");
        serde_json::from_str(out.trim()).unwrap_or_else(|e| panic!("{e}: {out}"))
    }

    /// Registers `subject` with one subject alternative name (`signet ra register --san`);
    /// returns (reference, secret).
    pub(crate) fn register_with_san(&self, subject: &str, san: &str) -> (String, String) {
        let v = self.signet_json(&[
            "ra",
            "register",
            "--subject",
            subject,
            "--san",
            san,
            "--json",
        ]);
        (
            v["reference"].as_str().unwrap().to_owned(),
            v["secret"].as_str().unwrap().to_owned(),
        )
    }

    /// Registers `subject` and returns (reference, secret).
    pub(crate) fn register(&self, subject: &str, profile: Option<&str>) -> (String, String) {
        let mut args = vec!["ra", "register", "--subject", subject, "--json"];
        if let Some(p) = profile {
            args.extend(["--profile", p]);
        }
        let v = self.signet_json(&args);
        (
            v["reference"].as_str().unwrap().to_owned(),
            v["secret"].as_str().unwrap().to_owned(),
        )
    }

    pub(crate) fn certificates(&self) -> Vec<serde_json::Value> {
        self.signet_json(&["ca", "list", "--json"])
            .as_array()
            .unwrap()
            .iter()
            .filter(|c| c["profile"] != "ocsp-responder")
            .cloned()
            .collect()
    }

    pub(crate) fn cert(&self, serial: &str) -> serde_json::Value {
        self.signet_json(&["ca", "show", serial, "--json"])
    }

    pub(crate) fn server_arg(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    /// `timeout 30 openssl cmp -server … -msg_timeout 10 -total_timeout 20 ARGS` in the
    /// scratch directory.
    pub(crate) fn cmp(&self, args: &[&str]) -> (bool, String) {
        let mut c = Command::new("timeout");
        c.args(["30", "openssl", "cmp", "-server", &self.server_arg()])
            .args(["-msg_timeout", "10", "-total_timeout", "20"])
            .args(args)
            .current_dir(self.dir.path());
        run(&mut c)
    }

    pub(crate) fn recipient(&self) -> String {
        let (_, out) = openssl(
            self.dir.path(),
            &[
                "x509",
                "-noout",
                "-subject",
                "-nameopt",
                "compat",
                "-in",
                &self
                    .data()
                    .join("trust/cmp-signer.pem")
                    .display()
                    .to_string(),
            ],
        );
        out.trim().trim_start_matches("subject=").to_owned()
    }

    /// A MAC-protected ir for `subject` with `key`, written to `out`; `extra` appended.
    pub(crate) fn ir_mac(
        &self,
        reference: &str,
        secret: &str,
        key: &str,
        subject: &str,
        out: &str,
        extra: &[&str],
    ) -> (bool, String) {
        let secret = format!("pass:{secret}");
        let recipient = self.recipient();
        let mut args = vec![
            "-path",
            "/.well-known/cmp",
            "-cmd",
            "ir",
            "-ref",
            reference,
            "-secret",
            &secret,
            "-recipient",
            &recipient,
            "-newkey",
            key,
            "-subject",
            subject,
            "-certout",
            out,
        ];
        args.extend_from_slice(extra);
        self.cmp(&args)
    }

    /// Registers `subject` and enrolls `key` for it; returns the certificate file name.
    pub(crate) fn enroll(&self, key: &str, subject: &str, out: &str) -> String {
        let (r, s) = self.register(subject, None);
        let (ok, text) = self.ir_mac(&r, &s, key, subject, out, &[]);
        assert!(ok, "enrollment failed: {text}\n{}", self.log());
        out.to_owned()
    }

    pub(crate) fn genkey(&self, name: &str) -> String {
        let (ok, out) = openssl(
            self.dir.path(),
            &[
                "genpkey",
                "-algorithm",
                "EC",
                "-pkeyopt",
                "ec_paramgen_curve:P-256",
                "-out",
                name,
            ],
        );
        assert!(ok, "{out}");
        name.to_owned()
    }

    /// The certificate chains to `DIR/trust/root.pem` (via the issuing CA) and certifies `key`.
    pub(crate) fn assert_chains_and_key(&self, cert: &str, key: &str) {
        let (ok, out) = openssl(
            self.dir.path(),
            &[
                "verify",
                "-x509_strict",
                "-CAfile",
                &self.root_pem(),
                "-untrusted",
                &self
                    .data()
                    .join("trust/issuing-ca.pem")
                    .display()
                    .to_string(),
                cert,
            ],
        );
        assert!(ok, "{cert} does not chain to root.pem: {out}");
        let (_, cert_key) = openssl(self.dir.path(), &["x509", "-noout", "-pubkey", "-in", cert]);
        let (_, our_key) = openssl(self.dir.path(), &["pkey", "-pubout", "-in", key]);
        assert_eq!(cert_key, our_key, "{cert} does not certify {key}");
    }

    /// `openssl x509 -serial` of a certificate file, as `ca show` takes it.
    /// `signet ca revoke SERIAL --reason REASON` (an operator command: another process), then
    /// waits until the server's OCSP responder says revoked — it learns of revocations made
    /// elsewhere within a second — and returns that answer. Panics after 20 s.
    pub(crate) fn revoke_by_operator(&self, serial: &str, reason: &str) -> String {
        let (ok, out) = self.signet(&["ca", "revoke", serial, "--reason", reason]);
        assert!(ok, "{out}");
        self.ocsp_until_revoked(serial)
    }

    /// Asks this server's OCSP responder about `serial` until it says revoked (a revocation
    /// made by another process reaches it within a second); returns that answer. Panics
    /// after 20 s.
    pub(crate) fn ocsp_until_revoked(&self, serial: &str) -> String {
        let issuing = self.data().join("trust/issuing-ca.pem");
        let url = format!("http://127.0.0.1:{}/ocsp", self.port);
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let (_, out) = openssl(
                self.dir.path(),
                &[
                    "ocsp",
                    "-issuer",
                    &issuing.display().to_string(),
                    "-serial",
                    &format!("0x{serial}"),
                    "-url",
                    &url,
                    "-no_nonce",
                    "-noverify",
                ],
            );
            if out.contains(": revoked") {
                return out;
            }
            assert!(
                Instant::now() < deadline,
                "the responder never learnt of the revocation: {out}\n{}",
                self.log()
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// An RFC 3161 time-stamp of `data` from this server's TSA: `openssl ts -query` writes
    /// `q.tsq`, curl POSTs it to `/tsa` and keeps the reply in `r.tsr`, and `openssl ts
    /// -verify` must accept the reply under the root.
    pub(crate) fn time_stamp_verified(&self, data: &[u8]) {
        let d = self.dir.path();
        std::fs::write(d.join("data.bin"), data).unwrap();
        let (ok, out) = openssl(
            d,
            &[
                "ts", "-query", "-data", "data.bin", "-sha256", "-cert", "-out", "q.tsq",
            ],
        );
        assert!(ok, "{out}");
        let (ok, status) = run(Command::new("curl")
            .args([
                "-sS",
                "--max-time",
                "20",
                "-o",
                "r.tsr",
                "-w",
                "%{http_code}",
            ])
            .args(["-H", "Content-Type: application/timestamp-query"])
            .args(["--data-binary", "@q.tsq"])
            .arg(format!("http://127.0.0.1:{}/tsa", self.port))
            .current_dir(d));
        assert!(ok && status == "200", "{status}");
        let root = self.root_pem();
        let (ok, out) = openssl(
            d,
            &[
                "ts",
                "-verify",
                "-queryfile",
                "q.tsq",
                "-in",
                "r.tsr",
                "-CAfile",
                &root,
            ],
        );
        assert!(
            ok && out.contains("Verification: OK"),
            "{out}\n{}",
            self.log()
        );
    }

    /// The CRL number of the DER CRL `der` (written to `name` for `openssl crl`).
    pub(crate) fn crl_number(&self, der: &[u8], name: &str) -> u64 {
        std::fs::write(self.p(name), der).unwrap();
        let (ok, out) = openssl(
            self.dir.path(),
            &["crl", "-inform", "DER", "-in", name, "-noout", "-crlnumber"],
        );
        assert!(ok, "{out}");
        let hex = out
            .trim()
            .trim_start_matches("crlNumber=")
            .trim_start_matches("0x");
        u64::from_str_radix(hex, 16).unwrap()
    }

    /// `openssl cmp -cmd rr` of `cert` (signed with `key`) for keyCompromise; asserts it was
    /// accepted.
    pub(crate) fn rr_key_compromise(&self, cert: &str, key: &str) {
        let root = self.root_pem();
        let (ok, out) = self.cmp(&[
            "-cmd",
            "rr",
            "-cert",
            cert,
            "-key",
            key,
            "-trusted",
            &root,
            "-oldcert",
            cert,
            "-revreason",
            "1",
        ]);
        assert!(
            ok && out.contains("revocation accepted"),
            "{out}\n{}",
            self.log()
        );
    }

    pub(crate) fn serial_of(&self, cert: &str) -> String {
        let (ok, out) = openssl(self.dir.path(), &["x509", "-noout", "-serial", "-in", cert]);
        assert!(ok, "{out}");
        out.trim().trim_start_matches("serial=").to_owned()
    }
}

/// One `openssl cmp` ir per `(port, subject, reference, secret)` of `clients`, each on its
/// own thread in `dir` with the key `key`, writing `crash-{i}.pem` and its `-rspout` files;
/// `received` counts the ones that succeeded. The handles say which did.
pub(crate) fn enrol_concurrently(
    dir: &Path,
    key: &str,
    recipient: &str,
    clients: Vec<(u16, String, String, String)>,
    received: &std::sync::Arc<std::sync::atomic::AtomicUsize>,
) -> Vec<std::thread::JoinHandle<bool>> {
    clients
        .into_iter()
        .enumerate()
        .map(|(i, (port, subject, r, secret))| {
            let secret = format!("pass:{secret}");
            let (dir, key, recipient) = (dir.to_owned(), key.to_owned(), recipient.to_owned());
            let received = received.clone();
            std::thread::spawn(move || {
                let (ok, _) = run(Command::new("timeout")
                    .args(["30", "openssl", "cmp", "-server"])
                    .arg(format!("127.0.0.1:{port}"))
                    .args(["-msg_timeout", "10", "-total_timeout", "20", "-cmd", "ir"])
                    .args(["-ref", &r, "-secret", &secret, "-recipient", &recipient])
                    .args(["-newkey", &key, "-subject", &subject])
                    .arg("-certout")
                    .arg(format!("crash-{i}.pem"))
                    .arg("-rspout")
                    .arg(format!("crash-{i}.ip.der,crash-{i}.conf.der"))
                    .current_dir(&dir));
                if ok {
                    received.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                }
                ok
            })
        })
        .collect()
}

/// The serials of the certificates the `crash-{i}.ip.der` answers in `dir` carried, with `i`.
pub(crate) fn received_serials(dir: &Path, clients: usize) -> Vec<(usize, String)> {
    use signet_asn1_types::cmp::{CertOrEncCert, PkiBody};
    let mut out = Vec::new();
    for i in 0..clients {
        let ip = dir.join(format!("crash-{i}.ip.der"));
        if !ip.exists() {
            continue;
        }
        let PkiBody::Ip(rep) = message(&ip).body else {
            continue;
        };
        let Some(pair) = &rep.response[0].certified_key_pair else {
            continue;
        };
        let CertOrEncCert::Certificate(cert) = &pair.cert_or_enc_cert else {
            panic!("client {i} got an encrypted certificate")
        };
        out.push((
            i,
            hex::encode_upper(cert.tbs_certificate().serial_number().as_bytes()),
        ));
    }
    out
}

/// Decodes a `-rspout` file.
pub(crate) fn message(path: &Path) -> PkiMessage {
    PkiMessage::from_der(&std::fs::read(path).unwrap()).unwrap()
}

pub(crate) fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Runs `scripts/python-peers.sh` once (idempotent) and returns the venv's `bin` directory.
pub(crate) fn peers_bin() -> &'static Path {
    static BIN: OnceLock<PathBuf> = OnceLock::new();
    BIN.get_or_init(|| {
        let root = repo_root();
        let status = Command::new("bash")
            .arg(root.join("scripts/python-peers.sh"))
            .status()
            .expect("running scripts/python-peers.sh");
        assert!(status.success(), "scripts/python-peers.sh failed");
        std::env::var_os("SIGNET_PY_PEERS")
            .map_or_else(|| root.join("target/py-peers"), PathBuf::from)
            .join("bin")
    })
}

/// pkilint at NOTICE: no finding at all.
pub(crate) fn pkilint(tool: &str, args: &[&str], files: &[&Path]) {
    let out = Command::new(peers_bin().join(tool))
        .arg("lint")
        .args(args)
        .args(["-s", "NOTICE", "-f", "JSON"])
        .args(files)
        .output()
        .unwrap();
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "{tool}: not JSON ({e}): {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    });
    let findings: Vec<_> = json["results"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|r| r["finding_descriptions"].as_array().unwrap().clone())
        .collect();
    assert!(findings.is_empty(), "{tool} {files:?}: {findings:#?}");
}

/// Decodes a response body.
pub(crate) fn message_bytes(der: &[u8]) -> PkiMessage {
    PkiMessage::from_der(der).unwrap()
}
