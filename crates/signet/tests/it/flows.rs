//! Multi-step flows of the plan: T12/T13 revocation (with CRL and OCSP), T15 certConf rejection
//! and confirmWaitTime expiry, T17 manual approval with polling across a restart, T18–T20 genm,
//! T23 TLS and mutual TLS.

use std::time::{Duration, Instant};

use signet_asn1_types::cmp::{InfoValue, PkiBody};

use crate::support::{SUBJECT, Server, message, openssl, pkilint};

/// T12 + T13: rr of one's own certificate is accepted, shows at once in the CRL and OCSP; a
/// second rr is certRevoked. CRL and OCSP response lint clean.
#[test]
fn t12_t13_revocation_crl_and_ocsp() {
    let s = Server::start(&[]);
    let key = s.genkey("k.pem");
    let c = s.enroll(&key, SUBJECT, "c.pem");
    let root = s.root_pem();
    let issuing = s.data().join("trust/issuing-ca.pem").display().to_string();
    let url = format!("http://127.0.0.1:{}/ocsp", s.port);
    let ocsp = |s: &Server| {
        openssl(
            s.dir.path(),
            &[
                "ocsp", "-issuer", &issuing, "-cert", &c, "-url", &url, "-CAfile", &root,
                "-respout", "ocsp.der",
            ],
        )
    };
    let (ok, out) = ocsp(&s);
    assert!(ok && out.contains(": good"), "{out}");
    let rr = [
        "-cmd",
        "rr",
        "-cert",
        &c,
        "-key",
        &key,
        "-trusted",
        &root,
        "-oldcert",
        &c,
        "-revreason",
        "1",
    ];
    let (ok, out) = s.cmp(&rr);
    assert!(
        ok && out.contains("revocation accepted"),
        "{out}\n{}",
        s.log()
    );
    let (ok, out) = ocsp(&s);
    assert!(ok && out.contains(": revoked"), "{out}");
    assert!(out.contains("Response verify OK"), "{out}");
    pkilint("lint_ocsp_response", &[], &[&s.p("ocsp.der")]);
    let crl_url = format!("http://127.0.0.1:{}/crl/issuing-ca.crl", s.port);
    let crl = fetch(&crl_url);
    std::fs::write(s.p("ca.crl"), &crl).unwrap();
    let (ok, out) = openssl(
        s.dir.path(),
        &[
            "crl", "-inform", "DER", "-in", "ca.crl", "-noout", "-text", "-CAfile", &issuing,
        ],
    );
    assert!(
        ok && out.contains(&s.serial_of(&c)) && out.contains("Key Compromise"),
        "{out}"
    );
    pkilint("lint_crl", &["-t", "CRL", "-p", "PKIX"], &[&s.p("ca.crl")]);
    let (ok, out) = s.cmp(&rr);
    assert!(!ok && out.contains("certRevoked"), "{out}");
    // A revoked certificate authenticates nothing else.
    let k2 = s.genkey("k2.pem");
    let (ok, out) = s.cmp(&[
        "-cmd", "cr", "-cert", &c, "-key", &key, "-trusted", &root, "-newkey", &k2, "-subject",
        SUBJECT, "-certout", "x.pem",
    ]);
    assert!(!ok && out.contains("signerNotTrusted"), "{out}");
}

/// OCSP and CRLs come from memory: a response for one certificate is signed once and served
/// again byte for byte (ECDSA signatures differ each time, so equal bytes were signed once),
/// its nonce ignored; a request for two is signed for itself, nonce echoed; a serial never
/// issued is `unauthorized`, unsigned. The CRL is the same bytes until something is revoked,
/// then at once a new one with a higher CRL number; the kept OCSP answer of the revoked
/// certificate is gone, the other's stays.
#[test]
fn ocsp_and_crls_are_served_from_memory() {
    let s = Server::start(&[]);
    let key = s.genkey("k.pem");
    let c = s.enroll(&key, SUBJECT, "c.pem");
    let key2 = s.genkey("k2.pem");
    let c2 = s.enroll(&key2, SUBJECT, "c2.pem");
    let root = s.root_pem();
    let issuing = s.data().join("trust/issuing-ca.pem").display().to_string();
    let url = format!("http://127.0.0.1:{}/ocsp", s.port);
    let ask = |args: &[&str], respout: &str| {
        let mut all = vec![
            "ocsp", "-issuer", &issuing, "-url", &url, "-CAfile", &root, "-respout", respout,
        ];
        all.extend_from_slice(args);
        openssl(s.dir.path(), &all)
    };
    let read = |f: &str| std::fs::read(s.p(f)).unwrap();

    let (ok, out) = ask(&["-cert", &c], "r1.der");
    assert!(
        ok && out.contains(": good") && out.contains("Response verify OK"),
        "{out}"
    );
    assert!(out.contains("WARNING: no nonce in response"), "{out}");
    let (ok, out) = ask(&["-cert", &c, "-no_nonce"], "r2.der");
    assert!(ok && out.contains(": good"), "{out}");
    assert_eq!(
        read("r1.der"),
        read("r2.der"),
        "the kept response, not a new one"
    );
    let (ok, out) = ask(&["-cert", &c2, "-no_nonce"], "c2-before.der");
    assert!(ok && out.contains(": good"), "{out}");

    let (ok, out) = ask(&["-cert", &c, "-cert", &c2], "r3.der");
    assert!(ok && out.matches(": good").count() == 2, "{out}");
    assert!(!out.contains("WARNING: no nonce"), "{out}");

    let (_, out) = ask(&["-serial", "0x0123456789ABCDEF"], "r4.der");
    assert!(out.contains("unauthorized"), "{out}");
    assert_eq!(read("r4.der"), [0x30, 0x03, 0x0a, 0x01, 0x06]);

    let crl_url = format!("http://127.0.0.1:{}/crl/issuing-ca.crl", s.port);
    let before = fetch(&crl_url);
    assert_eq!(before, fetch(&crl_url), "the kept CRL, not a new one");
    let root_url = format!("http://127.0.0.1:{}/crl/root.crl", s.port);
    assert_eq!(fetch(&root_url), fetch(&root_url));

    s.rr_key_compromise(&c, &key);
    let after = fetch(&crl_url);
    assert!(
        s.crl_number(&after, "after.crl") > s.crl_number(&before, "before.crl"),
        "CRL numbers increase"
    );
    let (ok, out) = openssl(
        s.dir.path(),
        &[
            "crl",
            "-inform",
            "DER",
            "-in",
            "after.crl",
            "-noout",
            "-text",
        ],
    );
    assert!(ok && out.contains(&s.serial_of(&c)), "{out}");
    let (ok, out) = ask(&["-cert", &c, "-no_nonce"], "r5.der");
    assert!(ok && out.contains(": revoked"), "{out}");
    let (ok, out) = ask(&["-cert", &c2, "-no_nonce"], "c2-after.der");
    assert!(ok && out.contains(": good"), "{out}");
    assert_eq!(read("c2-before.der"), read("c2-after.der"));
}

/// GET over plain HTTP/1.1 (the CRL endpoint).
pub(crate) fn fetch(url: &str) -> Vec<u8> {
    use std::io::{Read, Write};
    let rest = url.strip_prefix("http://").unwrap();
    let (host, path) = rest.split_once('/').unwrap();
    let mut sock = std::net::TcpStream::connect(host).unwrap();
    sock.set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    write!(
        sock,
        "GET /{path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut buf = Vec::new();
    sock.read_to_end(&mut buf).unwrap();
    let split = buf.windows(4).position(|w| w == b"\r\n\r\n").unwrap();
    assert!(
        buf.starts_with(b"HTTP/1.1 200"),
        "{}",
        String::from_utf8_lossy(&buf)
    );
    buf[split + 4..].to_vec()
}

/// T15: a client that rejects its certificate (here: it does not chain to the client's
/// `-out_trusted`) sends certConf with status rejection; the server answers pkiConf and
/// revokes the certificate. A client that never confirms (`-disable_confirm`) has its
/// certificate revoked when confirmWaitTime elapses.
#[test]
fn t15_cert_conf_rejection_and_confirm_wait_expiry() {
    let s = Server::start(&["--confirm-wait", "2"]);
    let dir = s.dir.path();
    let other_key = s.genkey("other.key");
    let (ok, out) = openssl(
        dir,
        &[
            "req",
            "-x509",
            "-new",
            "-key",
            &other_key,
            "-subj",
            "/CN=Unrelated",
            "-out",
            "other.pem",
        ],
    );
    assert!(ok, "{out}");
    let key = s.genkey("k.pem");
    let (r, secret) = s.register(SUBJECT, None);
    let (ok, out) = s.ir_mac(
        &r,
        &secret,
        &key,
        SUBJECT,
        "c.pem",
        &["-out_trusted", "other.pem", "-rspout", "ip.der,conf.der"],
    );
    assert!(!ok, "{out}");
    assert!(out.contains("received PKICONF"), "{out}\n{}", s.log());
    let ip = message(&s.p("ip.der"));
    let PkiBody::Ip(rep) = ip.body else { panic!() };
    let cert = rep.response[0].certified_key_pair.as_ref().unwrap();
    let signet_asn1_types::cmp::CertOrEncCert::Certificate(cert) = &cert.cert_or_enc_cert else {
        panic!()
    };
    let serial = hex::encode_upper(cert.tbs_certificate().serial_number().as_bytes());
    let rec = s.cert(&serial);
    assert_eq!(rec["status"], "revoked");
    assert_eq!(rec["revocation_reason"], "cessationOfOperation");
    // -disable_confirm: no certConf; the server revokes after confirmWaitTime.
    let (r, secret) = s.register(SUBJECT, None);
    let (ok, out) = s.ir_mac(&r, &secret, &key, SUBJECT, "d.pem", &["-disable_confirm"]);
    assert!(ok, "{out}");
    let serial = s.serial_of("d.pem");
    assert_eq!(s.cert(&serial)["status"], "unconfirmed");
    let deadline = Instant::now() + Duration::from_secs(15);
    while s.cert(&serial)["status"] != "revoked" {
        assert!(
            Instant::now() < deadline,
            "not revoked after confirmWaitTime"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
}

/// An issued certificate whose certConf has not come is `unknown` to OCSP under the default
/// policy (so no `good` answer can be stapled for a certificate its subscriber may still
/// reject), `good` once confirmed; with `unconfirmed-ocsp-status = "good"` in policy.toml it is
/// `good` at once.
#[test]
fn unconfirmed_certificates_are_unknown_to_ocsp_by_default() {
    let mut s = Server::start(&["--confirm-wait", "300"]);
    let root = s.root_pem();
    let issuing = s.data().join("trust/issuing-ca.pem").display().to_string();
    let url = format!("http://127.0.0.1:{}/ocsp", s.port);
    let status = |s: &Server, cert: &str| {
        let (ok, out) = openssl(
            s.dir.path(),
            &[
                "ocsp", "-issuer", &issuing, "-cert", cert, "-url", &url, "-CAfile", &root,
            ],
        );
        assert!(ok && out.contains("Response verify OK"), "{out}");
        out.lines()
            .find_map(|l| l.strip_prefix(&format!("{cert}: ")))
            .unwrap_or_else(|| panic!("no status line: {out}"))
            .trim()
            .to_owned()
    };
    let key = s.genkey("k.pem");
    let (r, secret) = s.register(SUBJECT, None);
    let (ok, out) = s.ir_mac(&r, &secret, &key, SUBJECT, "u.pem", &["-disable_confirm"]);
    assert!(ok, "{out}");
    assert_eq!(s.cert(&s.serial_of("u.pem"))["status"], "unconfirmed");
    assert_eq!(status(&s, "u.pem"), "unknown");
    let c = s.enroll(&key, SUBJECT, "c.pem");
    assert_eq!(status(&s, &c), "good");

    let policy = s.data().join("policy.toml");
    let text = std::fs::read_to_string(&policy).unwrap();
    // The bootstrapped policy states the default, so an operator sees the choice.
    assert!(
        text.contains("unconfirmed-ocsp-status = \"unknown\""),
        "{text}"
    );
    let text = text.replacen(
        "unconfirmed-ocsp-status = \"unknown\"",
        "unconfirmed-ocsp-status = \"good\"",
        1,
    );
    std::fs::write(&policy, text).unwrap();
    s.restart();
    let url_after = format!("http://127.0.0.1:{}/ocsp", s.port);
    assert_eq!(url_after, url, "the restarted server keeps its port");
    assert_eq!(status(&s, "u.pem"), "good");
}

/// T17: manual approval: the client gets `waiting`, polls; the operator approves (after a
/// server restart, so the pending state is durable); the client receives its certificate.
#[test]
fn t17_manual_approval_with_polling() {
    let mut s = Server::start(&[]);
    let key = s.genkey("k.pem");
    let (r, secret) = s.register(SUBJECT, Some("c2pa-claim-signing-manual"));
    let secret = format!("pass:{secret}");
    let recipient = s.recipient();
    let port = s.port;
    let dir = s.dir.path().to_owned();
    let client = std::thread::spawn(move || {
        crate::support::run(
            std::process::Command::new("timeout")
                .args(["60", "openssl", "cmp", "-server"])
                .arg(format!("127.0.0.1:{port}"))
                .args(["-msg_timeout", "10", "-total_timeout", "40"])
                // A restart closes the kept-alive connection, which OpenSSL 3.0 does not
                // re-open between polls: one connection per message instead.
                .args(["-keep_alive", "0"])
                .args(["-path", "/.well-known/cmp/p/c2pa-claim-signing-manual"])
                .args([
                    "-cmd",
                    "ir",
                    "-ref",
                    &r,
                    "-secret",
                    &secret,
                    "-recipient",
                    &recipient,
                ])
                .args(["-newkey", &key, "-subject", SUBJECT, "-certout", "c.pem"])
                .current_dir(&dir),
        )
    });
    let deadline = Instant::now() + Duration::from_secs(20);
    let tid = loop {
        let v = s.signet_json(&["ra", "list", "--json"]);
        if let Some(p) = v["pending"].as_array().unwrap().first() {
            break p["transaction"].as_str().unwrap().to_owned();
        }
        assert!(
            Instant::now() < deadline,
            "no pending enrollment: {}",
            s.log()
        );
        std::thread::sleep(Duration::from_millis(100));
    };
    assert!(s.certificates().is_empty());
    s.restart();
    let (ok, out) = s.signet(&["ra", "approve", &tid]);
    assert!(ok, "{out}");
    let (ok, out) = client.join().unwrap();
    assert!(ok, "{out}\n{}", s.log());
    assert!(
        out.contains("POLLREP") || out.contains("received POLL"),
        "{out}"
    );
    s.assert_chains_and_key("c.pem", "k.pem");
    assert_eq!(s.cert(&s.serial_of("c.pem"))["status"], "valid");
}

/// T18–T20: genm caCerts returns the issuing CA and the root; rootCaKeyUpdate is answered
/// with an absent value (no update); certReqTemplate carries the C2PA claim-signing key usage
/// and EKU with the accepted key types; signKeyPairTypes lists the accepted algorithms.
#[test]
fn t18_t19_t20_general_messages() {
    let s = Server::start(&[]);
    let key = s.genkey("k.pem");
    let c = s.enroll(&key, SUBJECT, "c.pem");
    let root = s.root_pem();
    let genm = |info: &str| {
        let out = format!("genp-{info}.der");
        let (ok, text) = s.cmp(&[
            "-cmd",
            "genm",
            "-infotype",
            info,
            "-cert",
            &c,
            "-key",
            &key,
            "-trusted",
            &root,
            "-rspout",
            &out,
        ]);
        assert!(ok, "{info}: {text}\n{}", s.log());
        let PkiBody::Genp(itavs) = message(&s.p(&out)).body else {
            panic!("not a genp")
        };
        itavs
    };
    let itavs = genm("caCerts");
    let Ok(InfoValue::CaCerts(Some(certs))) = itavs[0].typed() else {
        panic!("{itavs:?}")
    };
    assert_eq!(certs.into_iter().count(), 2);
    assert!(matches!(
        genm("rootCaKeyUpdate")[0].typed(),
        Ok(InfoValue::RootCaKeyUpdate(None))
    ));
    let Ok(InfoValue::CertReqTemplate(Some(t))) = genm("certReqTemplate")[0].typed() else {
        panic!("no template")
    };
    let exts = t.cert_template.extensions.unwrap();
    let oids: Vec<String> = exts.iter().map(|e| e.extn_id.to_string()).collect();
    assert_eq!(oids, ["2.5.29.15", "2.5.29.37"]);
    let eku = &exts[1].extn_value;
    let eku = <signet_asn1_types::x509_cert::ext::pkix::ExtendedKeyUsage as signet_asn1_types::der::Decode>::from_der(eku.as_bytes()).unwrap();
    assert!(
        eku.0
            .iter()
            .any(|o| o.to_string() == "1.3.6.1.4.1.62558.2.1")
    );
    assert!(t.key_spec.is_some());
    let Ok(InfoValue::SignKeyPairTypes(Some(algs))) = genm("signKeyPairTypes")[0].typed() else {
        panic!()
    };
    assert!(algs.len() >= 4);
}

/// Makes a TLS server certificate for `localhost` under a throwaway CA.
pub(crate) fn tls_files(dir: &std::path::Path) {
    let run = |args: &[&str]| {
        let (ok, out) = openssl(dir, args);
        assert!(ok, "{out}");
    };
    run(&[
        "genpkey",
        "-algorithm",
        "EC",
        "-pkeyopt",
        "ec_paramgen_curve:P-256",
        "-out",
        "tls-ca.key",
    ]);
    run(&[
        "req",
        "-x509",
        "-new",
        "-key",
        "tls-ca.key",
        "-subj",
        "/CN=TLS Test CA",
        "-days",
        "2",
        "-out",
        "tls-ca.pem",
    ]);
    run(&[
        "genpkey",
        "-algorithm",
        "EC",
        "-pkeyopt",
        "ec_paramgen_curve:P-256",
        "-out",
        "tls.key",
    ]);
    run(&[
        "req",
        "-new",
        "-key",
        "tls.key",
        "-subj",
        "/CN=localhost",
        "-out",
        "tls.csr",
    ]);
    std::fs::write(
        dir.join("tls.ext"),
        "subjectAltName=DNS:localhost,IP:127.0.0.1\n",
    )
    .unwrap();
    run(&[
        "x509",
        "-req",
        "-in",
        "tls.csr",
        "-CA",
        "tls-ca.pem",
        "-CAkey",
        "tls-ca.key",
        "-days",
        "2",
        "-CAcreateserial",
        "-extfile",
        "tls.ext",
        "-out",
        "tls.pem",
    ]);
    run(&[
        "genpkey",
        "-algorithm",
        "EC",
        "-pkeyopt",
        "ec_paramgen_curve:P-256",
        "-out",
        "client.key",
    ]);
    run(&[
        "req",
        "-new",
        "-key",
        "client.key",
        "-subj",
        "/CN=TLS Client",
        "-out",
        "client.csr",
    ]);
    std::fs::write(
        dir.join("client.ext"),
        "basicConstraints=CA:FALSE\nkeyUsage=digitalSignature\nextendedKeyUsage=clientAuth\n",
    )
    .unwrap();
    run(&[
        "x509",
        "-req",
        "-in",
        "client.csr",
        "-CA",
        "tls-ca.pem",
        "-CAkey",
        "tls-ca.key",
        "-days",
        "2",
        "-CAcreateserial",
        "-extfile",
        "client.ext",
        "-out",
        "client.pem",
    ]);
}

/// T23: HTTPS, and mutual TLS (a client without a certificate is refused at the handshake).
#[test]
fn t23_tls_and_mutual_tls() {
    let scratch = tempfile::tempdir().unwrap();
    tls_files(scratch.path());
    let f = |n: &str| scratch.path().join(n).display().to_string();
    let (cert, key, ca) = (f("tls.pem"), f("tls.key"), f("tls-ca.pem"));
    let s = Server::start(&["--tls-cert", &cert, "--tls-key", &key]);
    let k = s.genkey("k.pem");
    let (r, secret) = s.register(SUBJECT, None);
    let (ok, out) = s.ir_mac(
        &r,
        &secret,
        &k,
        SUBJECT,
        "c.pem",
        &["-tls_used", "-tls_trusted", &ca, "-tls_host", "localhost"],
    );
    assert!(ok, "{out}\n{}", s.log());
    s.assert_chains_and_key("c.pem", &k);
    let m = Server::start(&[
        "--tls-cert",
        &cert,
        "--tls-key",
        &key,
        "--tls-client-ca",
        &ca,
    ]);
    let k = m.genkey("k.pem");
    let (r, secret) = m.register(SUBJECT, None);
    let (ok, out) = m.ir_mac(
        &r,
        &secret,
        &k,
        SUBJECT,
        "c.pem",
        &["-tls_used", "-tls_trusted", &ca, "-tls_host", "localhost"],
    );
    assert!(
        !ok,
        "a client without certificate got through mutual TLS: {out}"
    );
    let (ok, out) = m.ir_mac(
        &r,
        &secret,
        &k,
        SUBJECT,
        "c.pem",
        &[
            "-tls_used",
            "-tls_trusted",
            &ca,
            "-tls_host",
            "localhost",
            "-tls_cert",
            &f("client.pem"),
            "-tls_key",
            &f("client.key"),
        ],
    );
    assert!(ok, "{out}\n{}", m.log());
    m.assert_chains_and_key("c.pem", &k);
}
