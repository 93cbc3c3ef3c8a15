//! `openssl cmp` (client) ↔ Signet CMP engine (server) over loopback HTTP.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::Command;
use std::sync::Arc;
use std::time::Duration;

use signet_asn1_types::cmp::{PkiBody, PkiFailureBit};
use signet_asn1_types::der::{Decode, Encode};
use signet_cmp_protocol::server::ConfirmOutcome;

use crate::support::{REF, Server, pem};

/// Serves HTTP/1.0-style requests on 127.0.0.1 until the returned guard is dropped.
fn serve(
    server: Arc<Server>,
) -> (
    u16,
    std::thread::JoinHandle<()>,
    Arc<std::sync::atomic::AtomicBool>,
) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let port = listener.local_addr().unwrap().port();
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let stop2 = stop.clone();
    let handle = std::thread::spawn(move || {
        let deadline = std::time::Instant::now() + Duration::from_secs(60);
        while !stop2.load(std::sync::atomic::Ordering::Relaxed)
            && std::time::Instant::now() < deadline
        {
            match listener.accept() {
                Ok((stream, _)) => handle_conn(stream, &server),
                Err(_) => std::thread::sleep(Duration::from_millis(5)),
            }
        }
    });
    (port, handle, stop)
}

fn handle_conn(stream: TcpStream, server: &Server) {
    stream.set_nonblocking(false).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut stream = stream;
    // Serve requests on this connection until the client closes it (keep-alive).
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 {
            return;
        }
        let mut len = 0usize;
        loop {
            let mut h = String::new();
            if reader.read_line(&mut h).unwrap_or(0) == 0 {
                return;
            }
            if h == "\r\n" || h == "\n" {
                break;
            }
            if let Some(v) = h.to_ascii_lowercase().strip_prefix("content-length:") {
                len = v.trim().parse().unwrap_or(0);
            }
        }
        let mut body = vec![0u8; len];
        if reader.read_exact(&mut body).is_err() {
            return;
        }
        let reply = server.handle(&body);
        let head = format!(
            "HTTP/1.0 200 OK\r\nContent-Type: application/pkixcmp\r\nContent-Length: {}\r\nConnection: keep-alive\r\n\r\n",
            reply.len()
        );
        if stream
            .write_all(head.as_bytes())
            .and_then(|()| stream.write_all(&reply))
            .is_err()
        {
            return;
        }
    }
}

pub(crate) struct Env {
    pub(crate) dir: tempfile::TempDir,
    pub(crate) server: Arc<Server>,
    port: u16,
    stop: Arc<std::sync::atomic::AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Drop for Env {
    fn drop(&mut self) {
        self.stop.store(true, std::sync::atomic::Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

pub(crate) fn env() -> Env {
    env_with(false)
}

pub(crate) fn env_with(manual: bool) -> Env {
    let server = Arc::new(Server::new(manual));
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("root.pem"),
        pem(&server.pki.root.cert.to_der().unwrap(), "CERTIFICATE"),
    )
    .unwrap();
    let (port, thread, stop) = serve(server.clone());
    run(Command::new("openssl")
        .args([
            "genpkey",
            "-algorithm",
            "EC",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-out",
        ])
        .arg(dir.path().join("new.key")));
    Env {
        dir,
        server,
        port,
        stop,
        thread: Some(thread),
    }
}

pub(crate) fn run(cmd: &mut Command) -> (bool, String) {
    let out = cmd.output().unwrap();
    (
        out.status.success(),
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    )
}

impl Env {
    pub(crate) fn p(&self, f: &str) -> PathBuf {
        self.dir.path().join(f)
    }

    pub(crate) fn cmp(&self, args: &[&str]) -> (bool, String) {
        let mut c = Command::new("timeout");
        c.arg("30").arg("openssl").arg("cmp").args([
            "-server",
            &format!("127.0.0.1:{}", self.port),
            "-msg_timeout",
            "10",
            "-total_timeout",
            "20",
        ]);
        c.args(args).current_dir(self.dir.path());
        run(&mut c)
    }

    pub(crate) fn ir(&self, extra: &[&str]) -> (bool, String) {
        let mut args = vec![
            "-cmd",
            "ir",
            "-ref",
            REF,
            "-recipient",
            "/C=US/O=Signet/CN=Signet CMP CA",
            "-newkey",
            "new.key",
            "-subject",
            "/CN=C2PA Claim Signer 1/O=Example Inc/C=US",
            "-certout",
            "ir.crt",
            "-out_trusted",
            "root.pem",
        ];
        args.extend_from_slice(extra);
        if !extra.contains(&"-secret") {
            args.extend_from_slice(&["-secret", "pass:1234-5678-9abc"]);
        }
        self.cmp(&args)
    }

    pub(crate) fn assert_chains_and_key(&self, cert: &str) {
        let pki = &self.server.pki;
        std::fs::write(
            self.p("chain.pem"),
            format!(
                "{}{}",
                pem(&pki.claim_ca.cert.to_der().unwrap(), "CERTIFICATE"),
                pem(&pki.intermediate.cert.to_der().unwrap(), "CERTIFICATE")
            ),
        )
        .unwrap();
        let (ok, out) = run(Command::new("openssl")
            .args(["verify", "-CAfile"])
            .arg(self.p("root.pem"))
            .arg("-untrusted")
            .arg(self.p("chain.pem"))
            .arg(self.p(cert)));
        assert!(ok, "{out}");
        let cert_key = run(Command::new("openssl")
            .args(["x509", "-noout", "-pubkey", "-in"])
            .arg(self.p(cert)))
        .1;
        let our_key = run(Command::new("openssl")
            .args(["pkey", "-pubout", "-in"])
            .arg(self.p("new.key")))
        .1;
        assert_eq!(
            cert_key, our_key,
            "certificate is not for the requested key"
        );
    }
}

#[test]
fn ir_with_pbm_enrolls_and_confirms() {
    let e = env();
    let (ok, out) = e.ir(&["-cacertsout", "capubs.pem"]);
    assert!(ok, "openssl cmp ir failed:\n{out}");
    e.assert_chains_and_key("ir.crt");
    let log = e.server.log.lock().unwrap();
    assert_eq!(log.bodies, ["ir", "certConf"], "{out}");
    assert_eq!(log.confirmed, [ConfirmOutcome::Accepted]);
    assert!(
        std::fs::read_to_string(e.p("capubs.pem"))
            .unwrap()
            .contains("BEGIN CERTIFICATE")
    );
}

#[test]
fn implicit_confirm_is_granted_without_cert_conf() {
    let e = env();
    let (ok, out) = e.ir(&["-implicit_confirm"]);
    assert!(ok, "{out}");
    assert_eq!(e.server.log.lock().unwrap().bodies, ["ir"]);
}

#[test]
fn wrong_secret_is_rejected_with_bad_message_check() {
    let e = env();
    let (ok, out) = e.ir(&["-secret", "pass:wrong", "-unprotected_errors"]);
    assert!(!ok, "{out}");
    let log = e.server.log.lock().unwrap();
    assert_eq!(
        log.rejections.first().map(|r| r.bit),
        Some(PkiFailureBit::BadMessageCheck),
        "{out}"
    );
}

#[test]
fn popo_none_and_raverified_are_bad_pop_with_openssl_texts() {
    let e = env();
    let (ok, out) = e.ir(&["-popo", "-1"]);
    assert!(!ok, "{out}");
    assert!(
        out.contains("badPOP") && out.contains("popo missing"),
        "{out}"
    );
    let (ok, out) = e.ir(&["-popo", "0"]);
    assert!(!ok, "{out}");
    assert!(
        out.contains("badPOP") && out.contains("popo raverified not accepted"),
        "{out}"
    );
}

#[test]
fn missing_subject_is_bad_pop() {
    let e = env();
    let (ok, out) = e.cmp(&[
        "-cmd",
        "ir",
        "-ref",
        REF,
        "-secret",
        "pass:1234-5678-9abc",
        "-recipient",
        "/C=US/O=Signet/CN=Signet CMP CA",
        "-newkey",
        "new.key",
        "-certout",
        "x.crt",
    ]);
    assert!(!ok, "{out}");
    assert!(
        out.contains("badPOP") && out.contains("popo missing subject"),
        "{out}"
    );
}

#[test]
fn cr_with_signature_protection_then_p10cr() {
    let e = env();
    // Enroll a first certificate by ir, then use it to sign a cr for a second key.
    let (ok, out) = e.ir(&[]);
    assert!(ok, "{out}");
    run(Command::new("openssl")
        .args([
            "genpkey",
            "-algorithm",
            "EC",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-out",
        ])
        .arg(e.p("new2.key")));
    std::fs::write(
        e.p("trusted.pem"),
        pem(&e.server.pki.root.cert.to_der().unwrap(), "CERTIFICATE"),
    )
    .unwrap();
    let (ok, out) = e.cmp(&[
        "-cmd",
        "cr",
        "-cert",
        "ir.crt",
        "-key",
        "new.key",
        "-trusted",
        "trusted.pem",
        "-newkey",
        "new2.key",
        "-subject",
        "/CN=C2PA Claim Signer 2/O=Example Inc/C=US",
        "-certout",
        "cr.crt",
    ]);
    assert!(ok, "openssl cmp cr failed:\n{out}");
    // p10cr signed by the same client certificate.
    run(Command::new("openssl")
        .args(["req", "-new", "-key"])
        .arg(e.p("new2.key"))
        .args([
            "-subj",
            "/CN=C2PA Claim Signer 3/O=Example Inc/C=US",
            "-out",
        ])
        .arg(e.p("p10.csr")));
    let (ok, out) = e.cmp(&[
        "-cmd",
        "p10cr",
        "-cert",
        "ir.crt",
        "-key",
        "new.key",
        "-trusted",
        "trusted.pem",
        "-csr",
        "p10.csr",
        "-certout",
        "p10.crt",
    ]);
    assert!(ok, "openssl cmp p10cr failed:\n{out}");
    let log = e.server.log.lock().unwrap();
    assert_eq!(
        log.bodies,
        ["ir", "certConf", "cr", "certConf", "p10cr", "certConf"],
        "{out}"
    );
    assert!(log.confirmed.iter().all(|c| *c == ConfirmOutcome::Accepted));
}

#[test]
fn signer_not_issued_here_is_refused() {
    let e = env();
    let creds = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/upstream/vectors/cmp/openssl-3.0.19-generated/creds");
    std::fs::write(
        e.p("trusted.pem"),
        pem(&e.server.pki.root.cert.to_der().unwrap(), "CERTIFICATE"),
    )
    .unwrap();
    let (ok, out) = e.cmp(&[
        "-cmd",
        "cr",
        "-cert",
        creds.join("cl.crt").to_str().unwrap(),
        "-key",
        creds.join("cl.key").to_str().unwrap(),
        "-recipient",
        "/C=US/O=Signet/CN=Signet CMP CA",
        "-trusted",
        "trusted.pem",
        "-newkey",
        "new.key",
        "-subject",
        "/CN=x/O=y/C=US",
        "-certout",
        "x.crt",
    ]);
    assert!(!ok, "{out}");
    assert_eq!(
        e.server
            .log
            .lock()
            .unwrap()
            .rejections
            .first()
            .map(|r| r.bit),
        Some(PkiFailureBit::SignerNotTrusted)
    );
}

#[test]
fn kur_rr_and_genm_with_signature_protection() {
    let e = env();
    let (ok, out) = e.ir(&[]);
    assert!(ok, "{out}");
    std::fs::write(
        e.p("trusted.pem"),
        pem(&e.server.pki.root.cert.to_der().unwrap(), "CERTIFICATE"),
    )
    .unwrap();
    run(Command::new("openssl")
        .args([
            "genpkey",
            "-algorithm",
            "EC",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-out",
        ])
        .arg(e.p("new2.key")));
    // Key update: a new certificate for new2.key, authorised by the current one.
    let (ok, out) = e.cmp(&[
        "-cmd",
        "kur",
        "-cert",
        "ir.crt",
        "-key",
        "new.key",
        "-trusted",
        "trusted.pem",
        "-newkey",
        "new2.key",
        "-certout",
        "kur.crt",
    ]);
    assert!(ok, "kur failed:\n{out}");
    // genm caCerts.
    let (ok, out) = e.cmp(&[
        "-cmd",
        "genm",
        "-infotype",
        "caCerts",
        "-cert",
        "ir.crt",
        "-key",
        "new.key",
        "-trusted",
        "trusted.pem",
        "-rspout",
        "genp.der",
    ]);
    assert!(ok, "genm failed:\n{out}");
    let genp = std::fs::read(e.p("genp.der")).unwrap();
    let msg = signet_asn1_types::cmp::PkiMessage::from_der(&genp).unwrap();
    let PkiBody::Genp(itavs) = msg.body else {
        panic!("not genp")
    };
    assert!(matches!(
        itavs[0].typed(),
        Ok(signet_asn1_types::cmp::InfoValue::CaCerts(Some(_)))
    ));
    // Revoke the first certificate, signed by itself; a second rr for it is certRevoked.
    let (ok, out) = e.cmp(&[
        "-cmd",
        "rr",
        "-cert",
        "ir.crt",
        "-key",
        "new.key",
        "-trusted",
        "trusted.pem",
        "-oldcert",
        "ir.crt",
        "-revreason",
        "1",
    ]);
    assert!(
        ok && out.contains("revocation accepted"),
        "rr failed:\n{out}"
    );
    let (ok, out) = e.cmp(&[
        "-cmd",
        "rr",
        "-cert",
        "kur.crt",
        "-key",
        "new2.key",
        "-trusted",
        "trusted.pem",
        "-oldcert",
        "ir.crt",
        "-revreason",
        "1",
    ]);
    assert!(!ok && out.contains("certRevoked"), "second rr:\n{out}");
    let log = e.server.log.lock().unwrap();
    assert_eq!(
        log.bodies,
        ["ir", "certConf", "kur", "certConf", "genm", "rr", "rr"],
        "{out}"
    );
}

#[test]
fn replayed_transaction_id_is_transaction_id_in_use() {
    let e = env();
    let (ok, out) = e.ir(&["-reqout", "ir.req.der,cc.req.der"]);
    assert!(ok, "{out}");
    // Re-send the recorded ir (same transactionID) as a fresh request.
    let (ok, out) = e.ir(&["-reqin", "ir.req.der"]);
    assert!(!ok, "{out}");
    let log = e.server.log.lock().unwrap();
    assert_eq!(
        log.rejections.last().map(|r| r.bit),
        Some(PkiFailureBit::TransactionIdInUse),
        "{out}"
    );
}

#[test]
fn manual_approval_polls_then_issues() {
    let e = env_with(true);
    let (ok, out) = e.ir(&[]);
    assert!(ok, "polling enrollment failed:\n{out}");
    e.assert_chains_and_key("ir.crt");
    let log = e.server.log.lock().unwrap();
    assert_eq!(
        log.bodies,
        ["ir", "pollReq", "pollReq", "certConf"],
        "{out}"
    );
    assert_eq!(log.confirmed, [ConfirmOutcome::Accepted]);
}

#[test]
fn pbm_with_hmac_sha256_and_sha384_owf_enrolls() {
    // T06: any reasonable OWF/MAC within the iteration bounds. `-digest` is also the POP
    // signature's hash, so the new key is a P-384 one (ecdsa-with-SHA384 fits it).
    let e = env();
    run(Command::new("openssl")
        .args([
            "genpkey",
            "-algorithm",
            "EC",
            "-pkeyopt",
            "ec_paramgen_curve:P-384",
            "-out",
        ])
        .arg(e.p("p384.key")));
    let (ok, out) = e.ir(&[
        "-mac",
        "hmacWithSHA256",
        "-digest",
        "sha384",
        "-newkey",
        "p384.key",
        "-certout",
        "p384.crt",
    ]);
    assert!(ok, "{out}");
    let cert_key = run(Command::new("openssl")
        .args(["x509", "-noout", "-pubkey", "-in"])
        .arg(e.p("p384.crt")))
    .1;
    let our_key = run(Command::new("openssl")
        .args(["pkey", "-pubout", "-in"])
        .arg(e.p("p384.key")))
    .1;
    assert_eq!(cert_key, our_key);
    // The P-256 key with ecdsa-with-SHA384 is a pairing Signet does not accept: badAlg.
    let (ok, out) = e.ir(&["-mac", "hmacWithSHA256", "-digest", "sha384"]);
    assert!(!ok, "{out}");
    assert!(
        out.contains("badAlg") && out.contains("does not fit the public key"),
        "{out}"
    );
}
