//! Several `signet serve` nodes on one PostgreSQL database (issue 13): each node a copy of
//! the same data directory (keys, trust material, policy), all state in the database. Run
//! against the machine's PostgreSQL server (127.0.0.1:5432, trust auth; `SIGNET_TEST_POSTGRES`
//! overrides the administrative URL); each test creates its own database and drops it.

use std::process::Command;

use crate::support::{SUBJECT, Server, run};

/// A database of its own on the test PostgreSQL server, dropped with this value.
struct Database {
    admin: String,
    name: String,
}

impl Database {
    fn create() -> Self {
        let admin = std::env::var("SIGNET_TEST_POSTGRES")
            .unwrap_or_else(|_| "postgres://root@127.0.0.1:5432/postgres".to_owned());
        let name = format!(
            "signet_it_{}_{}",
            std::process::id(),
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .subsec_nanos()
        );
        let (ok, out) = run(Command::new("psql")
            .arg(&admin)
            .args(["-v", "ON_ERROR_STOP=1", "-c"])
            .arg(format!("CREATE DATABASE {name}")));
        assert!(ok, "creating the test database: {out}");
        Self { admin, name }
    }

    fn url(&self) -> String {
        let base = self
            .admin
            .rsplit_once('/')
            .map_or(self.admin.as_str(), |(b, _)| b);
        format!("{base}/{}", self.name)
    }
}

impl Drop for Database {
    fn drop(&mut self) {
        let _ = run(Command::new("psql").arg(&self.admin).arg("-c").arg(format!(
            "DROP DATABASE IF EXISTS {} WITH (FORCE)",
            self.name
        )));
    }
}

/// A reference number registered through one node enrols through the other, exactly once;
/// what either node issued, both list; the operator commands reach the shared database.
#[test]
fn two_nodes_share_registrations_and_certificates() {
    let db = Database::create();
    let url = db.url();
    let a = Server::start_on(Some(&url), &[]);
    let b = a.another_node();
    assert_ne!(a.port, b.port);

    let key = b.genkey("k.pem");
    let (reference, secret) = a.register(SUBJECT, None);
    let (ok, out) = b.ir_mac(&reference, &secret, &key, SUBJECT, "c.pem", &[]);
    assert!(ok, "enrolling through node B: {out}\n{}", b.log());
    b.assert_chains_and_key("c.pem", &key);

    // The same code, now through node A: already used.
    let key2 = a.genkey("k2.pem");
    let (ok, out) = a.ir_mac(&reference, &secret, &key2, SUBJECT, "d.pem", &[]);
    assert!(
        !ok && out.contains("reference number already used"),
        "{out}"
    );

    // Node A's operator view holds node B's certificate, confirmed.
    let serial = b.serial_of("c.pem");
    let rec = a.cert(&serial);
    assert_eq!(rec["status"], "valid", "{rec}");
    assert_eq!(rec["requester"], format!("ref:{reference}"));
    // Both nodes (and the operator commands) appended to one audit chain.
    let (ok, out) = b.signet(&["audit", "verify"]);
    assert!(ok && out.contains("audit log intact"), "{out}");
    let (ok, out) = a.signet(&["audit", "export", "--json"]);
    assert!(
        ok && out.matches("\"server.started\"").count() == 2,
        "{out}"
    );
    drop((a, b));
}

/// A revocation through node A reaches node B's OCSP responder and CRL (B sees it within a
/// second), and the CRL numbers the two nodes sign come from one counter: never the same
/// twice, and higher for a later list whichever node signs it.
#[test]
fn a_revocation_on_one_node_reaches_the_other_and_crl_numbers_increase() {
    let db = Database::create();
    let url = db.url();
    let a = Server::start_on(Some(&url), &[]);
    let b = a.another_node();
    let key = a.genkey("k.pem");
    let c = a.enroll(&key, SUBJECT, "c.pem");
    let serial = a.serial_of(&c);
    let crl_of = |s: &Server, name: &str| {
        let der = crate::flows::fetch(&format!("http://127.0.0.1:{}/crl/issuing-ca.crl", s.port));
        std::fs::write(s.p(name), der).unwrap();
        let (ok, out) = crate::support::openssl(
            s.dir.path(),
            &["crl", "-inform", "DER", "-in", name, "-noout", "-text"],
        );
        assert!(ok, "{out}");
        let number = out
            .lines()
            .skip_while(|l| !l.contains("X509v3 CRL Number"))
            .nth(1)
            .unwrap()
            .trim()
            .to_owned();
        (number.parse::<u64>().unwrap(), out.contains(&serial))
    };
    let (n1, listed) = crl_of(&a, "a1.crl");
    assert!(!listed);
    let (n2, listed) = crl_of(&b, "b1.crl");
    assert!(!listed && n2 > n1, "{n1} then {n2}");

    a.rr_key_compromise(&c, &key);
    let answer = b.ocsp_until_revoked(&serial);
    assert!(answer.contains("Reason: keyCompromise"), "{answer}");
    // Both re-signed after the revocation, in an order of their own.
    let (n3, listed) = crl_of(&a, "a2.crl");
    assert!(listed && n3 > n2, "{n2} then {n3}");
    // B re-signs once it sees the revocation (within a second).
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    let n4 = loop {
        let (n4, listed) = crl_of(&b, "b2.crl");
        if listed {
            break n4;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "B's CRL never listed it"
        );
        std::thread::sleep(std::time::Duration::from_millis(100));
    };
    assert!(n4 > n2 && n4 != n3, "{n2} then {n3} and {n4}");
    drop((a, b));
}

/// `--database` says what it expects when it is neither PostgreSQL nor SQLite.
#[test]
fn a_database_url_of_another_kind_is_refused_by_name() {
    let s = Server::start(&[]);
    let (ok, out) = s.signet(&["ra", "list", "--database", "mysql://x/y"]);
    assert!(!ok);
    assert!(out.contains("expected postgres://"), "{out}");
}

/// SIGKILL of one of two nodes in the middle of 200 concurrent enrollments spread over both:
/// every certificate a client received is on record once, the surviving node expires what
/// the dead one left unconfirmed, and the audit chain both wrote is intact.
#[test]
fn sigkill_of_one_node_during_enrollments_on_both_loses_nothing() {
    use std::collections::BTreeSet;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::time::{Duration, Instant};

    const CLIENTS: usize = 200;
    let db = Database::create();
    let url = db.url();
    let mut a = Server::start_on(Some(&url), &["--confirm-wait", "3"]);
    let b = a.another_node();
    let key = a.genkey("k.pem");
    let recipient = a.recipient();
    let out = a.signet(&[
        "ra",
        "register",
        "--subject",
        SUBJECT,
        "--count",
        &CLIENTS.to_string(),
        "--json",
    ]);
    assert!(out.0, "{}", out.1);
    let regs: Vec<(String, String)> = out
        .1
        .lines()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).unwrap();
            (
                v["reference"].as_str().unwrap().to_owned(),
                v["secret"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(regs.len(), CLIENTS);
    let received = Arc::new(AtomicUsize::new(0));
    let ports = [a.port, b.port];
    let clients = regs
        .iter()
        .enumerate()
        .map(|(i, (r, secret))| (ports[i % 2], SUBJECT.to_owned(), r.clone(), secret.clone()))
        .collect();
    let handles =
        crate::support::enrol_concurrently(a.dir.path(), &key, &recipient, clients, &received);
    let deadline = Instant::now() + Duration::from_secs(60);
    while received.load(Ordering::SeqCst) < 20 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(5));
    }
    a.stop_kill();
    let completed: usize = handles
        .into_iter()
        .map(|h| usize::from(h.join().unwrap()))
        .sum();
    assert!(
        completed < CLIENTS,
        "the kill came too late to test anything"
    );
    assert!(completed > 0);

    let records = b.signet_json(&["ca", "list", "--json"]);
    let rows = records.as_array().unwrap();
    let recorded: BTreeSet<String> = rows
        .iter()
        .map(|c| c["serial"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(recorded.len(), rows.len(), "duplicate serial");
    let received = crate::support::received_serials(a.dir.path(), CLIENTS);
    for (i, serial) in &received {
        assert!(
            recorded.contains(serial),
            "client {i} received {serial}, which was lost"
        );
    }
    let received_certs = received.len();
    assert!(
        received_certs >= completed,
        "{received_certs} < {completed}"
    );
    // Each reference number was used at most once, and every used one issued.
    let v = b.signet_json(&["ra", "list", "--json"]);
    let used = v["registrations"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["state"] == "used")
        .count();
    let issued = rows
        .iter()
        .filter(|c| c["profile"] != "ocsp-responder")
        .count();
    assert_eq!(used, issued, "codes used vs certificates issued");
    // The survivor expires what the dead node left waiting for its certConf.
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let open = b
            .signet_json(&["ca", "list", "--json"])
            .as_array()
            .unwrap()
            .iter()
            .filter(|c| c["status"] == "unconfirmed")
            .count();
        if open == 0 {
            break;
        }
        assert!(Instant::now() < deadline, "{open} stuck: {}", b.log());
        std::thread::sleep(Duration::from_millis(250));
    }
    let (ok, out) = b.signet(&["audit", "verify"]);
    assert!(ok && out.contains("audit log intact"), "{out}");
    drop((a, b));
}
