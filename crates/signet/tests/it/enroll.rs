//! Expected successes of the plan: T01, T06, T07, T08, T09, T10, T16, T22, T26, T28.

use signet_asn1_types::cmp::{InfoValue, PkiBody, PkiStatus};
use signet_asn1_types::der::Encode;

use crate::support::{SUBJECT, Server, message, openssl, pkilint};

/// T01: administrative registration, MAC-protected ir on `/.well-known/cmp`: ip MAC-protected,
/// caPubs = root, certificate chains to root.pem and certifies the key; then pkilint is clean
/// on it and the record shows it valid.
#[test]
fn t01_admin_registration_mac_ir() {
    let s = Server::start(&[]);
    let key = s.genkey("k.pem");
    let (r, secret) = s.register(SUBJECT, None);
    let root = s.root_pem();
    let (ok, out) = s.ir_mac(
        &r,
        &secret,
        &key,
        SUBJECT,
        "c.pem",
        &[
            "-cacertsout",
            "capubs.pem",
            "-out_trusted",
            &root,
            "-reqout",
            "ir.der,cc.der",
            "-rspout",
            "ip.der,conf.der",
        ],
    );
    assert!(ok, "{out}\n{}", s.log());
    assert!(
        out.contains("received IP") && out.contains("received PKICONF"),
        "{out}"
    );
    s.assert_chains_and_key("c.pem", &key);
    let ip = message(&s.p("ip.der"));
    assert_eq!(
        ip.header.protection_alg.as_ref().map(|a| a.oid.to_string()),
        Some("1.2.840.113533.7.66.13".to_owned()),
        "ip must be PasswordBasedMac-protected"
    );
    // Each response keeps the PBMParameter of the request it answers (RFC 9810 §5.1.3.1), so
    // it costs the server no second key derivation.
    let ir = message(&s.p("ir.der"));
    assert_eq!(ip.header.protection_alg, ir.header.protection_alg);
    let (cc, conf) = (message(&s.p("cc.der")), message(&s.p("conf.der")));
    assert_eq!(conf.header.protection_alg, cc.header.protection_alg);
    let PkiBody::Ip(rep) = &ip.body else {
        panic!("not an ip")
    };
    let capubs = rep.ca_pubs.as_ref().unwrap();
    let root_der = std::fs::read_to_string(s.data().join("trust/root.pem")).unwrap();
    let root_cert = signet_asn1_types::x509_cert::Certificate::load_pem_chain(root_der.as_bytes())
        .unwrap()
        .remove(0);
    assert_eq!(capubs.into_iter().collect::<Vec<_>>(), [&root_cert]);
    assert_eq!(rep.response[0].status.status, PkiStatus::Accepted);
    let serial = s.serial_of("c.pem");
    let rec = s.cert(&serial);
    assert_eq!(rec["status"], "valid");
    assert_eq!(rec["requester"], format!("ref:{r}"));
    let trust = s.data().join("trust");
    for f in [
        s.p("c.pem"),
        trust.join("issuing-ca.pem"),
        trust.join("root.pem"),
        trust.join("cmp-signer.pem"),
    ] {
        pkilint("lint_pkix_cert", &[], &[&f]);
    }
    pkilint(
        "lint_pkix_signer_signee_cert_chain",
        &[],
        &[&trust.join("issuing-ca.pem"), &s.p("c.pem")],
    );
    pkilint(
        "lint_pkix_signer_signee_cert_chain",
        &[],
        &[&trust.join("root.pem"), &trust.join("issuing-ca.pem")],
    );
}

/// T06: PBM with HMAC-SHA256 and a SHA-384 one-way function is accepted. `-digest` also
/// picks the POP signature hash, and signet-crypto binds ECDSA hashes to their curves
/// (ecdsa-with-SHA384 ⇒ P-384), so the key is P-384.
#[test]
fn t06_pbm_hmac_sha256_sha384() {
    let s = Server::start(&[]);
    let (ok, out) = openssl(
        s.dir.path(),
        &[
            "genpkey",
            "-algorithm",
            "EC",
            "-pkeyopt",
            "ec_paramgen_curve:P-384",
            "-out",
            "k.pem",
        ],
    );
    assert!(ok, "{out}");
    let key = "k.pem".to_owned();
    let (r, secret) = s.register(SUBJECT, None);
    let (ok, out) = s.ir_mac(
        &r,
        &secret,
        &key,
        SUBJECT,
        "c.pem",
        &["-mac", "hmacWithSHA256", "-digest", "sha384"],
    );
    assert!(ok, "{out}");
    s.assert_chains_and_key("c.pem", &key);
}

/// Makes a manufacturer CA and a device certificate with openssl in the scratch directory.
fn device_credentials(s: &Server, prefix: &str) -> (String, String, String) {
    let dir = s.dir.path();
    let ca_key = s.genkey(&format!("{prefix}-ca.key"));
    let ca = format!("{prefix}-ca.pem");
    let (ok, out) = openssl(
        dir,
        &[
            "req",
            "-x509",
            "-new",
            "-key",
            &ca_key,
            "-subj",
            &format!("/CN={prefix} Manufacturer CA"),
            "-days",
            "30",
            "-out",
            &ca,
        ],
    );
    assert!(ok, "{out}");
    let dev_key = s.genkey(&format!("{prefix}-dev.key"));
    let csr = format!("{prefix}-dev.csr");
    let (ok, out) = openssl(
        dir,
        &[
            "req",
            "-new",
            "-key",
            &dev_key,
            "-subj",
            "/CN=Device 42/serialNumber=42",
            "-out",
            &csr,
        ],
    );
    assert!(ok, "{out}");
    let dev = format!("{prefix}-dev.pem");
    let (ok, out) = openssl(
        dir,
        &[
            "x509",
            "-req",
            "-in",
            &csr,
            "-CA",
            &ca,
            "-CAkey",
            &ca_key,
            "-days",
            "30",
            "-CAcreateserial",
            "-out",
            &dev,
        ],
    );
    assert!(ok, "{out}");
    (ca, dev, dev_key)
}

/// T07: automatic registration: an ir signed with a device certificate from a manufacturer CA
/// on the trust list enrolls; one from another CA is refused `signerNotTrusted`.
#[test]
fn t07_device_certificate_auto_registration() {
    let mut s = Server::start(&[]);
    let (mfg, dev, dev_key) = device_credentials(&s, "mfg");
    let (_, other, other_key) = device_credentials(&s, "rogue");
    std::fs::copy(s.p(&mfg), s.data().join("trust/device-cas/mfg.pem")).unwrap();
    s.restart();
    let key = s.genkey("k.pem");
    let root = s.root_pem();
    let subject = "/CN=Device 42 Signer/O=Example Devices/C=US";
    let (ok, out) = s.cmp(&[
        "-cmd", "ir", "-cert", &dev, "-key", &dev_key, "-trusted", &root, "-newkey", &key,
        "-subject", subject, "-certout", "c.pem",
    ]);
    assert!(ok, "{out}\n{}", s.log());
    s.assert_chains_and_key("c.pem", &key);
    let rec = s.cert(&s.serial_of("c.pem"));
    assert_eq!(rec["profile"], "device");
    assert!(rec["requester"].as_str().unwrap().starts_with("device:"));
    let before = s.certificates().len();
    let (ok, out) = s.cmp(&[
        "-cmd", "ir", "-cert", &other, "-key", &other_key, "-trusted", &root, "-newkey", &key,
        "-subject", subject, "-certout", "x.pem",
    ]);
    assert!(!ok && out.contains("signerNotTrusted"), "{out}");
    assert_eq!(
        s.certificates().len(),
        before,
        "nothing written for a refusal"
    );
}

/// T08 + T09: cr and p10cr signed with a current Signet certificate; the cp is signed by the
/// CMP signer (sender, senderKID = its SKI, extraCerts[0] = its certificate); p10cr also with
/// MAC protection (sender NULL-DN).
#[test]
fn t08_t09_cr_and_p10cr() {
    let s = Server::start(&[]);
    let k1 = s.genkey("k1.pem");
    let c1 = s.enroll(&k1, SUBJECT, "c1.pem");
    let k2 = s.genkey("k2.pem");
    let root = s.root_pem();
    let (ok, out) = s.cmp(&[
        "-cmd",
        "cr",
        "-cert",
        &c1,
        "-key",
        &k1,
        "-trusted",
        &root,
        "-newkey",
        &k2,
        "-subject",
        SUBJECT,
        "-certout",
        "c2.pem",
        "-rspout",
        "cp.der,conf.der",
    ]);
    assert!(ok, "{out}\n{}", s.log());
    s.assert_chains_and_key("c2.pem", &k2);
    let cp = message(&s.p("cp.der"));
    let signer = std::fs::read_to_string(s.data().join("trust/cmp-signer.pem")).unwrap();
    let signer = signet_asn1_types::x509_cert::Certificate::load_pem_chain(signer.as_bytes())
        .unwrap()
        .remove(0);
    assert_eq!(
        cp.extra_certs.as_ref().unwrap().into_iter().next().unwrap(),
        &signer
    );
    let ski = signer
        .tbs_certificate()
        .get_extension::<signet_asn1_types::x509_cert::ext::pkix::SubjectKeyIdentifier>()
        .unwrap()
        .unwrap()
        .1;
    assert_eq!(
        cp.header.sender_kid.as_ref().unwrap().as_bytes(),
        ski.0.as_bytes()
    );
    assert_eq!(
        cp.header.sender.to_der().unwrap(),
        signet_asn1_types::x509_cert::ext::pkix::name::GeneralName::DirectoryName(
            signer.tbs_certificate().subject().clone()
        )
        .to_der()
        .unwrap()
    );
    assert_eq!(
        s.cert(&s.serial_of("c2.pem"))["requester"],
        format!("cert:{}", s.serial_of(&c1))
    );
    // p10cr, signature-protected.
    let k3 = s.genkey("k3.pem");
    let (ok, out) = openssl(
        s.dir.path(),
        &[
            "req", "-new", "-key", &k3, "-subj", SUBJECT, "-out", "r3.csr",
        ],
    );
    assert!(ok, "{out}");
    let (ok, out) = s.cmp(&[
        "-cmd", "p10cr", "-cert", &c1, "-key", &k1, "-trusted", &root, "-csr", "r3.csr",
        "-certout", "c3.pem",
    ]);
    assert!(ok, "{out}\n{}", s.log());
    s.assert_chains_and_key("c3.pem", &k3);
    // p10cr, MAC-protected.
    let (r, secret) = s.register(SUBJECT, None);
    let secret = format!("pass:{secret}");
    let recipient = s.recipient();
    // On the path of OpenSSL's mock server, `pkix/`.
    let (ok, out) = s.cmp(&[
        "-path",
        "pkix/",
        "-cmd",
        "p10cr",
        "-ref",
        &r,
        "-secret",
        &secret,
        "-recipient",
        &recipient,
        "-csr",
        "r3.csr",
        "-certout",
        "c4.pem",
    ]);
    assert!(ok, "{out}\n{}", s.log());
    s.assert_chains_and_key("c4.pem", &k3);
}

/// T10: kur to a new key: a new certificate for it, and the old one revoked as superseded
/// once the new one is confirmed.
#[test]
fn t10_kur_rekey_supersedes_the_old_certificate() {
    let s = Server::start(&[]);
    let k1 = s.genkey("k1.pem");
    let c1 = s.enroll(&k1, SUBJECT, "c1.pem");
    let k2 = s.genkey("k2.pem");
    let root = s.root_pem();
    let (ok, out) = s.cmp(&[
        "-cmd", "kur", "-cert", &c1, "-key", &k1, "-trusted", &root, "-newkey", &k2, "-certout",
        "c2.pem",
    ]);
    assert!(ok, "{out}\n{}", s.log());
    s.assert_chains_and_key("c2.pem", &k2);
    let old = s.cert(&s.serial_of(&c1));
    assert_eq!(old["status"], "revoked");
    assert_eq!(old["revocation_reason"], "superseded");
    let new = s.cert(&s.serial_of("c2.pem"));
    assert_eq!(new["replaces"], s.serial_of(&c1));
    assert_eq!(new["status"], "valid");
}

/// T16: implicitConfirm is granted: the ip header echoes it, no certConf follows, and the
/// certificate is valid at once.
#[test]
fn t16_implicit_confirm() {
    let s = Server::start(&[]);
    let key = s.genkey("k.pem");
    let (r, secret) = s.register(SUBJECT, None);
    let (ok, out) = s.ir_mac(
        &r,
        &secret,
        &key,
        SUBJECT,
        "c.pem",
        &["-implicit_confirm", "-rspout", "ip.der"],
    );
    assert!(ok, "{out}");
    assert!(!out.contains("CERTCONF"), "{out}");
    let ip = message(&s.p("ip.der"));
    assert!(
        ip.header
            .general_info
            .iter()
            .flatten()
            .any(|i| matches!(i.typed(), Ok(InfoValue::ImplicitConfirm)))
    );
    assert_eq!(s.cert(&s.serial_of("c.pem"))["status"], "valid");
}

/// T22: the profile decides: requested extensions are ignored, an unvouched DNS SAN and an IP
/// SAN removed, validity clamped to 366 days — and the cp says grantedWithMods.
#[test]
fn t22_profile_overrides_request_with_mods() {
    let s = Server::start(&[]);
    let k1 = s.genkey("k1.pem");
    let c1 = s.enroll(&k1, SUBJECT, "c1.pem");
    std::fs::write(
        s.p("reqexts.cnf"),
        "[c2pa_reqexts]\nkeyUsage = critical, digitalSignature, keyEncipherment\n\
         extendedKeyUsage = emailProtection, serverAuth\n",
    )
    .unwrap();
    let k2 = s.genkey("k2.pem");
    let root = s.root_pem();
    let (ok, out) = s.cmp(&[
        "-cmd",
        "cr",
        "-cert",
        &c1,
        "-key",
        &k1,
        "-trusted",
        &root,
        "-newkey",
        &k2,
        "-subject",
        SUBJECT,
        "-days",
        "3650",
        "-config",
        "reqexts.cnf",
        "-reqexts",
        "c2pa_reqexts",
        "-sans",
        "signer.example.com 127.0.0.1",
        "-policy_oids",
        "1.3.6.1.4.1.99999.1.1",
        "-certout",
        "c2.pem",
        "-rspout",
        "cp.der,conf.der",
    ]);
    assert!(ok, "{out}\n{}", s.log());
    let cp = message(&s.p("cp.der"));
    let PkiBody::Cp(rep) = &cp.body else {
        panic!("not a cp")
    };
    assert_eq!(rep.response[0].status.status, PkiStatus::GrantedWithMods);
    let (_, text) = openssl(s.dir.path(), &["x509", "-noout", "-text", "-in", "c2.pem"]);
    // The DNS name is not vouched for (c1 carries no SAN): removed too, like the IP address
    // whose form no profile allows.
    assert!(!text.contains("DNS:signer.example.com"), "{text}");
    assert!(!text.contains("IP Address"), "{text}");
    assert!(!text.contains("TLS Web Server"), "{text}");
    assert!(!text.contains("Key Encipherment"), "{text}");
    let rec = s.cert(&s.serial_of("c2.pem"));
    let secs = |k: &str| chrono_free_secs(rec[k].as_str().unwrap());
    assert!(secs("not_after") - secs("not_before") < 366 * 86_400);
    pkilint("lint_pkix_cert", &[], &[&s.p("c2.pem")]);
}

/// Seconds of an RFC 3339 `YYYY-MM-DDTHH:MM:SSZ` (days from the civil calendar).
fn chrono_free_secs(t: &str) -> i64 {
    let n = |r: std::ops::Range<usize>| t[r].parse::<i64>().unwrap();
    let (y, m, d) = (n(0..4), n(5..7), n(8..10));
    let (y, m) = if m <= 2 { (y - 1, m + 12) } else { (y, m) };
    let days = 365 * y + y / 4 - y / 100 + y / 400 + (153 * (m - 3) + 2) / 5 + d;
    days * 86_400 + n(11..13) * 3600 + n(14..16) * 60 + n(17..19)
}

/// T26: our recorded responses satisfy the client offline (`-rspin`).
#[test]
fn t26_recorded_responses_verify_offline() {
    let s = Server::start(&[]);
    let key = s.genkey("k.pem");
    let (r, secret) = s.register(SUBJECT, None);
    let (ok, out) = s.ir_mac(
        &r,
        &secret,
        &key,
        SUBJECT,
        "c.pem",
        &["-rspout", "ip.der,conf.der"],
    );
    assert!(ok, "{out}");
    let secret = format!("pass:{secret}");
    let recipient = s.recipient();
    let (ok, out) = crate::support::run(
        std::process::Command::new("timeout")
            .args([
                "30",
                "openssl",
                "cmp",
                "-cmd",
                "ir",
                "-rspin",
                "ip.der,conf.der",
                "-ref",
            ])
            .arg(&r)
            .args([
                "-secret",
                &secret,
                "-recipient",
                &recipient,
                "-newkey",
                &key,
                "-subject",
            ])
            .arg(SUBJECT)
            .args(["-certout", "offline.pem"])
            .current_dir(s.dir.path()),
    );
    assert!(ok, "{out}");
}

/// T28: 20 parallel enrollments with distinct reference numbers all succeed, each with its own
/// subject and key.
#[test]
fn t28_parallel_enrollments() {
    let s = Server::start(&[]);
    let jobs: Vec<_> = (0..20)
        .map(|i| {
            let subject = format!("/CN=Parallel Signer {i}/O=Example Org/C=US");
            let key = s.genkey(&format!("k{i}.pem"));
            let (r, secret) = s.register(&subject, None);
            (subject, key, r, secret, format!("c{i}.pem"))
        })
        .collect();
    std::thread::scope(|scope| {
        let handles: Vec<_> = jobs
            .iter()
            .map(|(subject, key, r, secret, out)| {
                let s = &s;
                scope.spawn(move || s.ir_mac(r, secret, key, subject, out, &[]))
            })
            .collect();
        for h in handles {
            let (ok, out) = h.join().unwrap();
            assert!(ok, "{out}");
        }
    });
    for (subject, key, _, _, out) in &jobs {
        s.assert_chains_and_key(out, key);
        let (_, subj) = openssl(
            s.dir.path(),
            &[
                "x509", "-noout", "-subject", "-nameopt", "compat", "-in", out,
            ],
        );
        assert_eq!(subj.trim().trim_start_matches("subject="), subject);
    }
    assert_eq!(s.certificates().len(), 20);
}

/// The `x509v3 Subject Alternative Name` line of a certificate file, or "" when it has none.
fn alt_names(s: &Server, cert: &str) -> String {
    let (ok, out) = openssl(
        s.dir.path(),
        &["x509", "-in", cert, "-noout", "-ext", "subjectAltName"],
    );
    assert!(ok, "{out}");
    out.lines()
        .skip_while(|l| !l.contains("Subject Alternative Name"))
        .nth(1)
        .unwrap_or("")
        .trim()
        .to_owned()
}

/// OpenSSL's `-sans` without `-subject` (issue 12): a template with no subject whose POP is
/// signed over the CertRequest. It used to be refused `popo missing subject`; now the
/// registration supplies the subject (grantedWithMods) and its vouched-for SAN is issued.
#[test]
fn a_request_naming_only_an_alt_name_gets_the_registered_subject() {
    let s = Server::start(&[]);
    let key = s.genkey("k.pem");
    let (r, secret) = s.register_with_san(SUBJECT, "DNS:signer.example");
    let secret = format!("pass:{secret}");
    let recipient = s.recipient();
    let (ok, out) = s.cmp(&[
        "-path",
        "/.well-known/cmp",
        "-cmd",
        "ir",
        "-ref",
        &r,
        "-secret",
        &secret,
        "-recipient",
        &recipient,
        "-newkey",
        &key,
        "-sans",
        "signer.example",
        "-certout",
        "c.pem",
        "-rspout",
        "ip.der,conf.der",
    ]);
    assert!(ok, "{out}\n{}", s.log());
    s.assert_chains_and_key("c.pem", &key);
    assert_eq!(alt_names(&s, "c.pem"), "DNS:signer.example");
    let rec = s.cert(&s.serial_of("c.pem"));
    assert!(
        rec["subject"]
            .as_str()
            .unwrap()
            .contains("CN=C2PA Claim Signer"),
        "{rec}"
    );
    let PkiBody::Ip(rep) = message(&s.p("ip.der")).body else {
        panic!("not an ip")
    };
    assert_eq!(rep.response[0].status.status, PkiStatus::GrantedWithMods);
}

/// Regression (hostile testing, issue 16 item 2): an enrollment registered for a subject alone
/// that asks for `email:ceo@bank.example, URI:https://news.example/, DNS:signer.vendor.example`
/// used to get all three, `granted`. Now none is issued (grantedWithMods) unless the officer
/// registered it with the reference number (`signet ra register --san`), and then only that one.
#[test]
fn requested_alt_names_need_the_registration_to_vouch_for_them() {
    let s = Server::start(&[]);
    // Through -reqexts: `openssl cmp -sans` would send every entry as a DNS name or URI.
    std::fs::write(
        s.p("sans.cnf"),
        "[hostile]\nsubjectAltName = email:ceo@bank.example, URI:https://news.example/, \
         DNS:signer.vendor.example\n",
    )
    .unwrap();
    let hostile = ["-config", "sans.cnf", "-reqexts", "hostile"];
    let key = s.genkey("k.pem");
    let (r, secret) = s.register(SUBJECT, None);
    let (ok, out) = s.ir_mac(
        &r,
        &secret,
        &key,
        SUBJECT,
        "c.pem",
        &[&hostile[..], &["-rspout", "ip.der,conf.der"]].concat(),
    );
    assert!(ok, "{out}");
    assert_eq!(alt_names(&s, "c.pem"), "", "unvouched names were issued");
    let ip = message(&s.p("ip.der"));
    let PkiBody::Ip(rep) = ip.body else {
        panic!("not an ip")
    };
    assert_eq!(rep.response[0].status.status, PkiStatus::GrantedWithMods);

    let (r, secret) = s.register_with_san(SUBJECT, "email:ceo@bank.example");
    let (ok, out) = s.ir_mac(&r, &secret, &key, SUBJECT, "d.pem", &hostile);
    assert!(ok, "{out}");
    assert_eq!(alt_names(&s, "d.pem"), "email:ceo@bank.example");

    // A --san the CLI cannot read is refused with a message that names it; nothing registered.
    let before = s.signet_json(&["ra", "list", "--json"])["registrations"]
        .as_array()
        .unwrap()
        .len();
    let (ok, out) = s.signet(&[
        "ra",
        "register",
        "--subject",
        SUBJECT,
        "--san",
        "IP:10.0.0.1",
    ]);
    assert!(!ok && out.contains("--san \"IP:10.0.0.1\""), "{out}");
    let after = s.signet_json(&["ra", "list", "--json"])["registrations"]
        .as_array()
        .unwrap()
        .len();
    assert_eq!(before, after);
}
