//! The portal's service on real stores (SQLite and PostgreSQL) with a fixed clock: a person
//! registers and recovers with their secret; wrong secrets lock the entry after the policy's
//! count, even when they all arrive at once; the lock lifts with time; nothing is told apart
//! for unknown identifiers; the audit log has each attempt and no secret.

use std::sync::atomic::{AtomicI64, Ordering};

use signet_ra_policy::Policy;

use super::*;
use crate::store::Location;
use crate::store::tests::PgDatabase;

struct Fixed(AtomicI64);

impl Clock for Fixed {
    fn now(&self) -> i64 {
        self.0.load(Ordering::SeqCst)
    }
}

const SUBJECT: &str = "/CN=Alice Example/O=Example News/C=US";
const PASSWORD: &str = "correct horse battery staple";

fn secret(s: &str) -> Zeroizing<Vec<u8>> {
    Zeroizing::new(s.as_bytes().to_vec())
}

async fn add(store: &Store, policy: &Policy, base: Base, id: &str, pw: &str) {
    let sans = ["email:alice@news.example".to_owned()];
    let row = new_subscriber(
        policy,
        &NewSubscriber {
            base,
            id,
            secret: pw.as_bytes(),
            subject: SUBJECT,
            sans: &sans,
            profile: None,
        },
        1,
    )
    .unwrap();
    store.write(vec![Op::InsertSubscriber(row)]).await.unwrap();
}

#[tokio::test]
async fn lockout_and_recovery_on_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    lockout_and_recovery(&Location::Sqlite(dir.path().join("t.db"))).await;
}

#[tokio::test]
async fn lockout_and_recovery_on_postgres() {
    let db = PgDatabase::create().await;
    lockout_and_recovery(&db.location()).await;
    db.drop().await;
}

async fn lockout_and_recovery(location: &Location) {
    let store = Store::open_at(location).await.unwrap();
    let policy = Policy::dev_default();
    let settings = policy.registration.self_service.clone().unwrap();
    let sealer = Sealer::new(&[7u8; Sealer::KEY_LEN]).unwrap();
    let clock = Fixed(AtomicI64::new(1_000));
    let attempts = Attempts::default();
    let portal = Portal {
        store: &store,
        clock: &clock,
        policy: &policy,
        sealer: &sealer,
        attempts: &attempts,
    };
    let dir = Base(AuthenticationBase::Directory);
    add(&store, &policy, dir, "alice", PASSWORD).await;
    // The same identifier in the other base is another person.
    let elig = Base(AuthenticationBase::Eligibility);
    add(&store, &policy, elig, "alice", "another secret entirely").await;

    // Registration: a code for the listed subject and names.
    let out = portal
        .register(dir, "alice", secret(PASSWORD))
        .await
        .unwrap();
    assert_eq!(out.registered.codes.len(), 1);
    assert_eq!(
        out.registered.subject,
        "/CN=Alice Example/O=Example News/C=US"
    );
    assert_eq!(out.registered.expires, 1_000 + 86_400);
    let reg = store
        .registration(&out.registered.codes[0].0)
        .await
        .unwrap()
        .unwrap();
    assert!(reg.san_der.is_some(), "the base's names are registered");

    // Unknown identifiers and wrong secrets look the same.
    let e = portal
        .register(dir, "nobody", secret(PASSWORD))
        .await
        .err()
        .unwrap();
    assert!(matches!(e, PortalError::Refused), "{e}");
    assert!(matches!(
        portal
            .register(dir, "", secret(PASSWORD))
            .await
            .err()
            .unwrap(),
        PortalError::Refused
    ));

    // Five wrong secrets, all at once: exactly five are checked, the entry locks, and the
    // right secret is then refused too without being checked.
    let wrong = (0..12).map(|i| portal.register(dir, "alice", secret(&format!("wrong {i}"))));
    let results = futures_join(wrong).await;
    let locked = results
        .iter()
        .filter(|r| matches!(r, Err(PortalError::Locked(_))))
        .count();
    let refused = results
        .iter()
        .filter(|r| matches!(r, Err(PortalError::Refused)))
        .count();
    assert_eq!(refused + locked, 12, "no wrong secret succeeded");
    assert_eq!(refused, 4, "four plain refusals, then the fifth locks");
    let row = store
        .subscriber("directory", "alice")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(row.failures, 5, "no attempt past the lock was counted");
    assert_eq!(
        row.locked_until,
        1_000 + i64::try_from(settings.lockout_seconds).unwrap()
    );
    let e = portal
        .register(dir, "alice", secret(PASSWORD))
        .await
        .err()
        .unwrap();
    assert!(
        matches!(e, PortalError::Locked(t) if t == row.locked_until),
        "{e}"
    );
    // The other base's alice is not locked.
    portal
        .register(elig, "alice", secret("another secret entirely"))
        .await
        .unwrap();

    // The lock lifts with time; one more failure locks again at once; a success clears it.
    clock.0.store(row.locked_until, Ordering::SeqCst);
    assert!(matches!(
        portal.register(dir, "alice", secret("wrong again")).await,
        Err(PortalError::Locked(_))
    ));
    clock.0.fetch_add(
        i64::try_from(settings.lockout_seconds).unwrap(),
        Ordering::SeqCst,
    );
    portal
        .register(dir, "alice", secret(PASSWORD))
        .await
        .unwrap();
    let row = store
        .subscriber("directory", "alice")
        .await
        .unwrap()
        .unwrap();
    assert_eq!((row.failures, row.locked_until), (0, 0));

    // Recovery revokes the subject's valid certificates and makes a fresh code.
    let now = clock.now();
    let issue = |serial: &str, subject: &str| Op::InsertCertificate {
        serial: serial.to_owned(),
        der: vec![1],
        subject: subject.to_owned(),
        profile: policy.default_profile.clone(),
        not_before: now,
        not_after: now + 1_000,
        status: CertStatus::Valid,
        requester: "t".to_owned(),
        transaction_id: serial.as_bytes().to_vec(),
        request_der: vec![],
        replaces: None,
        now,
    };
    store
        .write(vec![
            issue("0A", SUBJECT),
            issue("0B", "/CN=Bob/O=Example News/C=US"),
        ])
        .await
        .unwrap();
    let out = portal
        .recover(dir, "alice", secret(PASSWORD))
        .await
        .unwrap();
    assert_eq!(out.revoked, vec!["0A".to_owned()]);
    let a = store.certificate("0A").await.unwrap().unwrap();
    assert_eq!(
        (a.status, a.revocation_reason),
        (CertStatus::Revoked, Some(1))
    );
    let b = store.certificate("0B").await.unwrap().unwrap();
    assert_eq!(b.status, CertStatus::Valid, "another subject is untouched");
    assert_eq!(out.registered.codes.len(), 1);

    // The audit log: the lock, the successes with what they led to; never a secret.
    for r in attempts.drain(clock.now()) {
        store.write(vec![r]).await.unwrap();
    }
    let log = store.audit_records(0).await.unwrap();
    let text = format!("{log:?}");
    assert!(
        !text.contains(PASSWORD) && !text.contains("wrong 1"),
        "{text}"
    );
    assert!(!text.contains(out.registered.codes[0].1.as_str()));
    let actions: Vec<&str> = log.iter().map(|r| r.action.as_str()).collect();
    assert_eq!(
        actions
            .iter()
            .filter(|a| **a == "subscriber.locked")
            .count(),
        2,
        "{actions:?}"
    );
    assert!(actions.contains(&"authentication.failed"), "{actions:?}");
    let recovered = log
        .iter()
        .find(|r| r.action == "authentication.succeeded" && r.detail.contains("recovery"))
        .unwrap();
    assert_eq!(recovered.actor, "subscriber:directory:alice");
    assert!(
        log.iter()
            .any(|r| r.action == "certificate.revoked" && r.actor == "subscriber:directory:alice")
    );
}

/// Runs the futures concurrently on this task, returning their results in order.
async fn futures_join<F: Future>(fs: impl Iterator<Item = F>) -> Vec<F::Output> {
    let fs: Vec<_> = fs.map(Box::pin).collect();
    let mut out: Vec<Option<F::Output>> = fs.iter().map(|_| None).collect();
    let mut fs: Vec<Option<_>> = fs.into_iter().map(Some).collect();
    std::future::poll_fn(|cx| {
        let mut pending = false;
        for (slot, f) in out.iter_mut().zip(fs.iter_mut()) {
            if let Some(fut) = f {
                match fut.as_mut().poll(cx) {
                    std::task::Poll::Ready(v) => {
                        *slot = Some(v);
                        *f = None;
                    }
                    std::task::Poll::Pending => pending = true,
                }
            }
        }
        if pending {
            std::task::Poll::Pending
        } else {
            std::task::Poll::Ready(())
        }
    })
    .await;
    out.into_iter().map(Option::unwrap).collect()
}
