//! Expected failures of the plan, each with its specific PKIFailureInfo, and nothing written:
//! T02, T03, T04, T05, T11, T14, T21, T25, T27, and the header rules of RFC 9483 §3.1.

use signet_asn1_types::cmp::PkiBody;
use signet_asn1_types::crypto::SignatureAlgorithm;
use signet_asn1_types::strict::{Limits, decode_pki_message};

use crate::support::{SUBJECT, Server, openssl};

/// Nothing issued and the registration still open after a refusal.
fn assert_nothing_written(s: &Server, reference: Option<&str>) {
    assert!(
        s.certificates().is_empty(),
        "a refused request wrote a certificate"
    );
    if let Some(r) = reference {
        let v = s.signet_json(&["ra", "list", "--json"]);
        let reg = v["registrations"]
            .as_array()
            .unwrap()
            .iter()
            .find(|x| x["reference"] == r)
            .unwrap()
            .clone();
        assert_eq!(reg["state"], "open", "a refused request consumed {r}");
    }
}

/// T02: the authentication code works once.
#[test]
fn t02_one_time_secret() {
    let s = Server::start(&[]);
    let key = s.genkey("k.pem");
    let (r, secret) = s.register(SUBJECT, None);
    let (ok, out) = s.ir_mac(&r, &secret, &key, SUBJECT, "c.pem", &[]);
    assert!(ok, "{out}");
    let (ok, out) = s.ir_mac(&r, &secret, &key, SUBJECT, "c2.pem", &[]);
    assert!(!ok && out.contains("notAuthorized"), "{out}");
    assert!(out.contains("reference number already used"), "{out}");
    assert_eq!(s.certificates().len(), 1);
}

/// T03: a wrong code: badMessageCheck, nothing consumed, and the error is signed with the CMP
/// key, never MAC-protected with the registered code (a MAC over it would let whoever knows
/// the reference number test guesses of the code offline; RFC 9483 §3.6.4). OpenSSL verifies
/// the signature against the root and shows the failure.
#[test]
fn t03_wrong_secret() {
    let s = Server::start(&[]);
    let key = s.genkey("k.pem");
    let (r, _) = s.register(SUBJECT, None);
    let root = s.root_pem();
    let (ok, out) = s.ir_mac(
        &r,
        "wrong",
        &key,
        SUBJECT,
        "c.pem",
        &["-trusted", &root, "-rspout", "rsp.der"],
    );
    assert!(!ok, "{out}");
    assert!(out.contains("badMessageCheck"), "{out}");
    assert!(
        out.contains("MAC-based protection does not verify"),
        "{out}"
    );
    assert!(!out.contains("wrong pbm value"), "{out}");
    let rsp = std::fs::read(s.dir.path().join("rsp.der")).unwrap();
    let decoded = decode_pki_message(&rsp, &Limits::default()).expect("a strictly decodable error");
    assert!(matches!(decoded.message.body, PkiBody::Error(_)));
    let alg = decoded.message.header.protection_alg.expect("protected");
    assert!(
        SignatureAlgorithm::from_algorithm_identifier_owned(&alg).is_ok(),
        "the error is protected with {}, not a signature",
        alg.oid
    );
    assert_nothing_written(&s, Some(&r));
}

/// T04: MAC protection without a senderKID: badMessageCheck (unprotected error).
#[test]
fn t04_no_sender_kid() {
    let s = Server::start(&[]);
    let key = s.genkey("k.pem");
    let (_, secret) = s.register(SUBJECT, None);
    let secret = format!("pass:{secret}");
    let recipient = s.recipient();
    let (ok, out) = s.cmp(&[
        "-cmd",
        "ir",
        "-secret",
        &secret,
        "-recipient",
        &recipient,
        "-newkey",
        &key,
        "-subject",
        SUBJECT,
        "-certout",
        "c.pem",
        "-unprotected_errors",
    ]);
    assert!(!ok && out.contains("badMessageCheck"), "{out}");
    assert_nothing_written(&s, None);
}

/// T05: an unknown reference number: badMessageCheck (no secret to check the MAC with,
/// RFC 9483 §3.5), as an unprotected error.
#[test]
fn t05_unknown_reference() {
    let s = Server::start(&[]);
    let key = s.genkey("k.pem");
    let (ok, out) = s.ir_mac(
        "999999",
        "whatever",
        &key,
        SUBJECT,
        "c.pem",
        &["-unprotected_errors"],
    );
    assert!(!ok && out.contains("badMessageCheck"), "{out}");
    assert!(out.contains("unknown reference number"), "{out}");
    assert_nothing_written(&s, None);
}

/// RFC 9483 §3.1 header rules, each with its failInfo and nothing consumed: a request
/// addressed to another CA (`wrongAuthority`), a client sending `confirmWaitTime`
/// (`badRequest`). (OpenSSL writes any `implicitConfirm` with its NULL value; the non-NULL one
/// is tested on the engine.)
#[test]
fn header_rules() {
    let s = Server::start(&[]);
    let key = s.genkey("k.pem");
    let (r, secret) = s.register(SUBJECT, None);
    let cases: [(&[&str], &str); 2] = [
        (&["-recipient", "/CN=Some Other CA"], "wrongAuthority"),
        (&["-geninfo", "1.3.6.1.5.5.7.4.14:int:300"], "badRequest"),
    ];
    for (extra, bit) in cases {
        let mut args = extra.to_vec();
        args.push("-unprotected_errors");
        let (ok, out) = s.ir_mac(&r, &secret, &key, SUBJECT, "c.pem", &args);
        assert!(!ok && out.contains(bit), "{extra:?}: {out}");
        assert_nothing_written(&s, Some(&r));
    }
    // The same registration still enrols.
    let (ok, out) = s.ir_mac(&r, &secret, &key, SUBJECT, "c.pem", &[]);
    assert!(ok, "{out}");
}

/// The MAC iteration bounds are the policy's: a CP/CPS allowing at most 400 PasswordBasedMac
/// iterations refuses OpenSSL's 500 with badMessageCheck, signed, before deriving anything.
#[test]
fn mac_iteration_bounds_come_from_the_policy() {
    let mut s = Server::start(&[]);
    let policy = s.data().join("policy.toml");
    let text = std::fs::read_to_string(&policy).unwrap();
    // The bootstrapped policy states the defaults, so an operator sees the choice.
    assert!(text.contains("max-pbkdf2-iterations = 600000"), "{text}");
    assert!(text.contains("max-pbm-iterations = 100000"), "{text}");
    let text = text.replacen("max-pbm-iterations = 100000", "max-pbm-iterations = 400", 1);
    std::fs::write(&policy, text).unwrap();
    s.restart();
    let key = s.genkey("k.pem");
    let (r, secret) = s.register(SUBJECT, None);
    let (ok, out) = s.ir_mac(
        &r,
        &secret,
        &key,
        SUBJECT,
        "c.pem",
        &["-unprotected_errors"],
    );
    assert!(!ok && out.contains("badMessageCheck"), "{out}");
    assert!(out.contains("500"), "{out}");
    assert_nothing_written(&s, Some(&r));
}

/// T11: kur signed with a certificate from another CA: signerNotTrusted.
#[test]
fn t11_kur_with_foreign_certificate() {
    let s = Server::start(&[]);
    let dir = s.dir.path();
    let ca_key = s.genkey("other-ca.key");
    let (ok, out) = openssl(
        dir,
        &[
            "req",
            "-x509",
            "-new",
            "-key",
            &ca_key,
            "-subj",
            "/CN=Other CA",
            "-days",
            "30",
            "-out",
            "other-ca.pem",
        ],
    );
    assert!(ok, "{out}");
    let k = s.genkey("k.pem");
    let (ok, out) = openssl(
        dir,
        &[
            "req",
            "-new",
            "-key",
            &k,
            "-subj",
            "/CN=Foreign",
            "-out",
            "f.csr",
        ],
    );
    assert!(ok, "{out}");
    let (ok, out) = openssl(
        dir,
        &[
            "x509",
            "-req",
            "-in",
            "f.csr",
            "-CA",
            "other-ca.pem",
            "-CAkey",
            &ca_key,
            "-days",
            "30",
            "-CAcreateserial",
            "-out",
            "f.pem",
        ],
    );
    assert!(ok, "{out}");
    let k2 = s.genkey("k2.pem");
    let root = s.root_pem();
    let (ok, out) = s.cmp(&[
        "-cmd", "kur", "-cert", "f.pem", "-key", &k, "-trusted", &root, "-newkey", &k2, "-certout",
        "x.pem",
    ]);
    assert!(!ok && out.contains("signerNotTrusted"), "{out}");
    assert_nothing_written(&s, None);
}

/// T14 (policy decision): a reference number authorises one enrollment, not a revocation —
/// rr with MAC protection is notAuthorized.
#[test]
fn t14_rr_with_mac_is_not_authorized() {
    let s = Server::start(&[]);
    let key = s.genkey("k.pem");
    let c = s.enroll(&key, SUBJECT, "c.pem");
    let (r, secret) = s.register(SUBJECT, None);
    let secret = format!("pass:{secret}");
    let recipient = s.recipient();
    let (ok, out) = s.cmp(&[
        "-cmd",
        "rr",
        "-ref",
        &r,
        "-secret",
        &secret,
        "-recipient",
        &recipient,
        "-oldcert",
        &c,
        "-revreason",
        "4",
    ]);
    assert!(!ok && out.contains("notAuthorized"), "{out}");
    assert_eq!(s.cert(&s.serial_of(&c))["status"], "valid");
}

/// T21: proof-of-possession variants are badPOP with OpenSSL's texts; none consumes the code.
#[test]
fn t21_popo_variants() {
    let s = Server::start(&[]);
    let key = s.genkey("k.pem");
    let (r, secret) = s.register(SUBJECT, None);
    for (popo, text) in [
        ("0", "popo raverified not accepted"),
        ("-1", "popo missing"),
    ] {
        let (ok, out) = s.ir_mac(&r, &secret, &key, SUBJECT, "c.pem", &["-popo", popo]);
        assert!(
            !ok && out.contains("badPOP") && out.contains(text),
            "{popo}: {out}"
        );
    }
    let (ok, out) = openssl(
        s.dir.path(),
        &[
            "genpkey",
            "-algorithm",
            "RSA",
            "-pkeyopt",
            "rsa_keygen_bits:2048",
            "-out",
            "rsa.pem",
        ],
    );
    assert!(ok, "{out}");
    let (ok, out) = s.ir_mac(&r, &secret, "rsa.pem", SUBJECT, "c.pem", &["-popo", "2"]);
    assert!(!ok && out.contains("badPOP"), "{out}");
    // No subject: POP signature without poposkInput.
    let pass = format!("pass:{secret}");
    let recipient = s.recipient();
    let (ok, out) = s.cmp(&[
        "-cmd",
        "ir",
        "-ref",
        &r,
        "-secret",
        &pass,
        "-recipient",
        &recipient,
        "-newkey",
        &key,
        "-certout",
        "c.pem",
    ]);
    assert!(
        !ok && out.contains("badPOP") && out.contains("popo missing subject"),
        "{out}"
    );
    assert_nothing_written(&s, Some(&r));
}

/// T25: a replayed request (same transactionID) is transactionIdInUse; with a new
/// transactionID it still cannot reuse the consumed code.
#[test]
fn t25_replay() {
    let s = Server::start(&[]);
    let key = s.genkey("k.pem");
    let (r, secret) = s.register(SUBJECT, None);
    let (ok, out) = s.ir_mac(
        &r,
        &secret,
        &key,
        SUBJECT,
        "c.pem",
        &["-reqout", "ir.der,cc.der"],
    );
    assert!(ok, "{out}");
    let (ok, out) = s.ir_mac(&r, &secret, &key, SUBJECT, "c2.pem", &["-reqin", "ir.der"]);
    assert!(!ok && out.contains("transactionIdInUse"), "{out}");
    let (ok, out) = s.ir_mac(
        &r,
        &secret,
        &key,
        SUBJECT,
        "c3.pem",
        &["-reqin", "ir.der", "-reqin_new_tid"],
    );
    assert!(!ok && out.contains("notAuthorized"), "{out}");
    assert_eq!(s.certificates().len(), 1);
}

/// T27: unprotected requests are refused (no profile allows them).
#[test]
fn t27_unprotected_request() {
    let s = Server::start(&[]);
    let key = s.genkey("k.pem");
    let recipient = s.recipient();
    let root = s.root_pem();
    let (ok, out) = s.cmp(&[
        "-cmd",
        "ir",
        "-unprotected_requests",
        "-recipient",
        &recipient,
        "-trusted",
        &root,
        "-newkey",
        &key,
        "-subject",
        SUBJECT,
        "-certout",
        "c.pem",
    ]);
    assert!(!ok && out.contains("badMessageCheck"), "{out}");
    assert_nothing_written(&s, None);
}
