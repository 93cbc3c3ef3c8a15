//! The engine's responses verified **offline** by the real `openssl cmp` 3.0 client
//! (openssl-cmp.md §2.2 row 27, T26).
//!
//! For each request type OpenSSL sends — ir (PBM), cr (signature), p10cr, kur, rr, genm,
//! certConf and pollReq — the test first lets `openssl cmp` talk to the engine over loopback
//! with `-rspout`, which records every response the engine produced, then runs a second,
//! server-less `openssl cmp` with `-rspin` on those files. OpenSSL takes the transactionID and
//! nonces from the recorded responses and checks everything else: protection (PBM with the
//! secret, or the signature of our CMP certificate pinned with `-srvcert`), body types, status,
//! the certificate against `-newkey`, caPubs against `-out_trusted`, and the pkiConf.

use std::process::Command;

use signet_asn1_types::der::{Decode, Encode};
use signet_asn1_types::x509_cert::Certificate;

use crate::openssl::{Env, env, env_with, run};
use crate::support::{REF, pem};

/// `openssl cmp` without a server: every response comes from `rspin`.
fn offline(e: &Env, args: &[&str], rspin: &[&str]) -> (bool, String) {
    let mut c = Command::new("timeout");
    c.arg("30")
        .arg("openssl")
        .arg("cmp")
        .args(args)
        .arg("-rspin")
        .arg(rspin.join(","))
        .current_dir(e.dir.path());
    run(&mut c)
}

fn cert(e: &Env, file: &str) -> Certificate {
    let text = std::fs::read_to_string(e.p(file)).unwrap();
    let (_, der) = signet_asn1_types::der::pem::decode_vec(text.as_bytes()).unwrap();
    Certificate::from_der(&der).unwrap()
}

/// Writes our CMP signer certificate, to pin it offline.
fn pin(e: &Env) {
    std::fs::write(
        e.p("srvcert.pem"),
        pem(&e.server.pki.cmp.cert.to_der().unwrap(), "CERTIFICATE"),
    )
    .unwrap();
}

fn new_key(e: &Env, name: &str) {
    let (ok, out) = run(Command::new("openssl")
        .args([
            "genpkey",
            "-algorithm",
            "EC",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-out",
        ])
        .arg(e.p(name)));
    assert!(ok, "{out}");
}

/// Copies a recorded response with one bit flipped in its protected senderNonce.
fn tamper(e: &Env, from: &str, to: &str) {
    let bytes = std::fs::read(e.p(from)).unwrap();
    let m = signet_asn1_types::cmp::PkiMessage::from_der(&bytes).unwrap();
    let nonce = m.header.sender_nonce.unwrap();
    let at = bytes
        .windows(nonce.as_bytes().len())
        .position(|w| w == nonce.as_bytes())
        .unwrap();
    let mut bad = bytes.clone();
    bad[at] ^= 1;
    std::fs::write(e.p(to), bad).unwrap();
}

fn assert_received(out: &str, bodies: &[&str]) {
    for b in bodies {
        assert!(out.contains(&format!("received {b}")), "no {b}:\n{out}");
    }
}

const IR_ARGS: &[&str] = &[
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
    "-subject",
    "/CN=C2PA Claim Signer 1/O=Example Inc/C=US",
    "-out_trusted",
    "root.pem",
];

fn with(base: &[&'static str], extra: &[&'static str]) -> Vec<&'static str> {
    base.iter().chain(extra).copied().collect()
}

#[test]
fn ir_pbm_and_cert_conf_responses_verify_offline() {
    let e = env();
    let (ok, out) = e.ir(&["-rspout", "ip.der,pkiconf.der", "-cacertsout", "online.pem"]);
    assert!(ok, "online ir:\n{out}");
    let (ok, out) = offline(
        &e,
        &with(
            IR_ARGS,
            &["-certout", "offline.crt", "-cacertsout", "capubs.pem"],
        ),
        &["ip.der", "pkiconf.der"],
    );
    assert!(ok, "offline ir:\n{out}");
    assert_received(&out, &["IP", "PKICONF"]);
    assert_eq!(cert(&e, "offline.crt"), cert(&e, "ir.crt"));
    assert_eq!(cert(&e, "capubs.pem"), e.server.pki.root.cert);
    e.assert_chains_and_key("offline.crt");
    // A wrong secret cannot verify the recorded ip.
    let (ok, out) = offline(
        &e,
        &[
            "-cmd",
            "ir",
            "-ref",
            REF,
            "-secret",
            "pass:wrong",
            "-newkey",
            "new.key",
            "-subject",
            "/CN=x",
            "-certout",
            "x.crt",
        ],
        &["ip.der", "pkiconf.der"],
    );
    assert!(!ok && out.contains("wrong pbm value"), "{out}");
}

#[test]
fn cr_p10cr_kur_rr_and_genm_responses_verify_offline() {
    let e = env();
    let (ok, out) = e.ir(&[]);
    assert!(ok, "{out}");
    pin(&e);
    new_key(&e, "new2.key");
    let signed = |cmd: &'static str, extra: &[&'static str]| -> Vec<&'static str> {
        with(
            &[
                "-cmd",
                cmd,
                "-cert",
                "ir.crt",
                "-key",
                "new.key",
                "-srvcert",
                "srvcert.pem",
            ],
            extra,
        )
    };

    // cr, signature-protected.
    let cr = signed(
        "cr",
        &[
            "-newkey",
            "new2.key",
            "-subject",
            "/CN=C2PA Claim Signer 2/O=Example Inc/C=US",
        ],
    );
    let (ok, out) = e.cmp(&with(
        &cr,
        &["-certout", "cr.crt", "-rspout", "cp.der,cr_pkiconf.der"],
    ));
    assert!(ok, "online cr:\n{out}");
    let (ok, out) = offline(
        &e,
        &with(&cr, &["-certout", "cr_off.crt"]),
        &["cp.der", "cr_pkiconf.der"],
    );
    assert!(ok, "offline cr:\n{out}");
    assert_received(&out, &["CP", "PKICONF"]);
    assert_eq!(cert(&e, "cr_off.crt"), cert(&e, "cr.crt"));
    // The offline client really checks the signature: one flipped bit fails it.
    tamper(&e, "cp.der", "cp_bad.der");
    let (ok, out) = offline(
        &e,
        &with(&cr, &["-certout", "bad.crt"]),
        &["cp_bad.der", "cr_pkiconf.der"],
    );
    assert!(!ok, "tampered cp accepted:\n{out}");

    // p10cr.
    let (ok, out) = run(Command::new("openssl")
        .args(["req", "-new", "-key"])
        .arg(e.p("new2.key"))
        .args([
            "-subj",
            "/CN=C2PA Claim Signer 3/O=Example Inc/C=US",
            "-out",
        ])
        .arg(e.p("p10.csr")));
    assert!(ok, "{out}");
    let p10 = signed("p10cr", &["-csr", "p10.csr"]);
    let (ok, out) = e.cmp(&with(
        &p10,
        &[
            "-certout",
            "p10.crt",
            "-rspout",
            "p10_cp.der,p10_pkiconf.der",
        ],
    ));
    assert!(ok, "online p10cr:\n{out}");
    let (ok, out) = offline(
        &e,
        &with(&p10, &["-certout", "p10_off.crt"]),
        &["p10_cp.der", "p10_pkiconf.der"],
    );
    assert!(ok, "offline p10cr:\n{out}");
    assert_received(&out, &["CP", "PKICONF"]);

    // kur: re-key ir.crt to new3.key.
    new_key(&e, "new3.key");
    let kur = signed("kur", &["-newkey", "new3.key"]);
    let (ok, out) = e.cmp(&with(
        &kur,
        &["-certout", "kur.crt", "-rspout", "kup.der,kur_pkiconf.der"],
    ));
    assert!(ok, "online kur:\n{out}");
    let (ok, out) = offline(
        &e,
        &with(&kur, &["-certout", "kur_off.crt"]),
        &["kup.der", "kur_pkiconf.der"],
    );
    assert!(ok, "offline kur:\n{out}");
    assert_received(&out, &["KUP", "PKICONF"]);
    assert_eq!(cert(&e, "kur_off.crt"), cert(&e, "kur.crt"));

    // genm caCerts.
    let genm = signed("genm", &["-infotype", "caCerts"]);
    let (ok, out) = e.cmp(&with(&genm, &["-rspout", "genp.der"]));
    assert!(ok, "online genm:\n{out}");
    let (ok, out) = offline(&e, &genm, &["genp.der"]);
    assert!(ok, "offline genm:\n{out}");
    assert_received(&out, &["GENP"]);
    assert!(out.contains("caCerts"), "{out}");

    // rr of the cr certificate.
    let rr = signed("rr", &["-oldcert", "cr.crt", "-revreason", "4"]);
    let (ok, out) = e.cmp(&with(&rr, &["-rspout", "rp.der"]));
    assert!(ok, "online rr:\n{out}");
    let (ok, out) = offline(&e, &rr, &["rp.der"]);
    assert!(ok, "offline rr:\n{out}");
    assert_received(&out, &["RP"]);
    assert!(out.contains("revocation accepted"), "{out}");
}

#[test]
fn poll_req_responses_verify_offline() {
    let e = env_with(true);
    let (ok, out) = e.ir(&["-rspout", "waiting.der,pollrep.der,ip.der,pkiconf.der"]);
    assert!(ok, "online polling ir:\n{out}");
    let (ok, out) = offline(
        &e,
        &with(IR_ARGS, &["-certout", "offline.crt"]),
        &["waiting.der", "pollrep.der", "ip.der", "pkiconf.der"],
    );
    assert!(ok, "offline polling ir:\n{out}");
    assert_received(&out, &["IP", "POLLREP", "PKICONF"]);
    assert!(out.contains("sending POLLREQ"), "{out}");
    assert_eq!(cert(&e, "offline.crt"), cert(&e, "ir.crt"));
}

#[test]
fn implicit_confirm_response_verifies_offline() {
    let e = env();
    let (ok, out) = e.ir(&["-implicit_confirm", "-rspout", "ip.der"]);
    assert!(ok, "{out}");
    let (ok, out) = offline(
        &e,
        &with(IR_ARGS, &["-implicit_confirm", "-certout", "offline.crt"]),
        &["ip.der"],
    );
    assert!(ok, "{out}");
    assert!(!out.contains("sending CERTCONF"), "{out}");
}
