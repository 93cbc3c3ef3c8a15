//! Crash safety: SIGKILL in the middle of 200 concurrent enrollments, then restart. No
//! certificate a client received is lost, no serial appears twice, and no transaction stays
//! open past confirmWaitTime.

use std::collections::BTreeSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use crate::support::Server;

const CLIENTS: usize = 200;

#[test]
fn sigkill_during_200_concurrent_enrollments_loses_nothing() {
    let mut s = Server::start(&["--confirm-wait", "3"]);
    let key = s.genkey("k.pem");
    let recipient = s.recipient();
    let regs: Vec<_> = (0..CLIENTS)
        .map(|i| {
            let subject = format!("/CN=Crash Signer {i}/O=Example Org/C=US");
            let (r, secret) = s.register(&subject, None);
            (subject, r, secret)
        })
        .collect();
    let received = Arc::new(AtomicUsize::new(0));
    let clients = regs
        .iter()
        .map(|(subject, r, secret)| (s.port, subject.clone(), r.clone(), secret.clone()))
        .collect();
    let handles =
        crate::support::enrol_concurrently(s.dir.path(), &key, &recipient, clients, &received);
    // Kill once some, but not all, have completed.
    let deadline = Instant::now() + Duration::from_secs(60);
    while received.load(Ordering::SeqCst) < 20 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(5));
    }
    s.stop_kill();
    let completed: usize = handles
        .into_iter()
        .map(|h| usize::from(h.join().unwrap()))
        .sum();
    assert!(
        completed < CLIENTS,
        "the kill came too late to test anything"
    );
    s.spawn();
    // Every certificate a client received (in an ip) is on record.
    let records = s.signet_json(&["ca", "list", "--json"]);
    let recorded: BTreeSet<String> = records
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["serial"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        recorded.len(),
        records.as_array().unwrap().len(),
        "duplicate serial"
    );
    let received = crate::support::received_serials(s.dir.path(), CLIENTS);
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
    // No transaction stays open: after confirmWaitTime every unconfirmed certificate is
    // revoked by the restarted server.
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let open = s
            .signet_json(&["ca", "list", "--json"])
            .as_array()
            .unwrap()
            .iter()
            .filter(|c| c["status"] == "unconfirmed")
            .count();
        if open == 0 {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "{open} transactions stuck: {}",
            s.log()
        );
        std::thread::sleep(Duration::from_millis(250));
    }
    // An enrollment that never got an answer and whose code is unused can be retried; one
    // whose issuance was committed but whose answer was cut off spent its code, and its
    // certificate was revoked by the expiry above.
    let v = s.signet_json(&["ra", "list", "--json"]);
    let open: BTreeSet<String> = v["registrations"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["state"] == "open")
        .map(|r| r["reference"].as_str().unwrap().to_owned())
        .collect();
    let retry = regs
        .iter()
        .enumerate()
        .find(|(i, (_, r, _))| !s.p(&format!("crash-{i}.ip.der")).exists() && open.contains(r));
    match retry {
        Some((_, (subject, r, secret))) => {
            let (ok, out) = s.ir_mac(r, secret, &key, subject, "retry.pem", &[]);
            assert!(ok, "retry after restart: {out}\n{}", s.log());
        }
        // Every client got its ip: then some certConfs were cut off by the kill, and their
        // transactions went through the expiry above.
        None => assert!(
            received_certs > completed || records.as_array().unwrap().len() > received_certs,
            "nothing was in flight at the kill"
        ),
    }
}
