//! Storage tests: the schema enforces what the server relies on — one use per transactionID,
//! serial and reference number — also when the jobs race in one group-committed batch.

use super::*;

fn tx(tid: &[u8]) -> Op {
    Op::InsertTransaction {
        transaction_id: tid.to_vec(),
        kind: "genm",
        state: TxState::Done,
        requester: "test".into(),
        serial: None,
        our_nonce: None,
        cert_req_id: None,
        deadline: None,
        request_der: None,
        profile: None,
        state_der: None,
        now: 1,
    }
}

fn registration(reference: &str, expires_at: i64) -> Op {
    Op::InsertRegistration {
        reference: reference.into(),
        subject: "/CN=x".into(),
        subject_der: vec![0x30, 0],
        san_der: None,
        profile: "p".into(),
        sealed_secret: vec![1, 2, 3],
        now: 1,
        expires_at,
    }
}

/// The PostgreSQL server the tests use (the machine's own: 127.0.0.1:5432, trust auth), as
/// an administrative URL; `SIGNET_TEST_POSTGRES` overrides it.
fn pg_admin_url() -> String {
    std::env::var("SIGNET_TEST_POSTGRES")
        .unwrap_or_else(|_| "postgres://root@127.0.0.1:5432/postgres".to_owned())
}

/// A fresh PostgreSQL database for one test, dropped by [`PgDatabase::drop`].
pub(crate) struct PgDatabase {
    name: String,
}

impl PgDatabase {
    pub(crate) async fn create() -> Self {
        use sqlx::Connection;
        static NEXT: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
        let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .subsec_nanos();
        let name = format!("signet_test_{}_{n}_{nanos}", std::process::id());
        let mut c = sqlx::PgConnection::connect(&pg_admin_url())
            .await
            .expect("PostgreSQL on 127.0.0.1:5432 (the machine's server)");
        sqlx::raw_sql(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
            .execute(&mut c)
            .await
            .unwrap();
        Self { name }
    }

    pub(crate) fn location(&self) -> Location {
        let admin = pg_admin_url();
        let base = admin.rsplit_once('/').map_or(admin.as_str(), |(b, _)| b);
        Location::Postgres(format!("{base}/{}", self.name))
    }

    pub(crate) async fn drop(self) {
        use sqlx::Connection;
        let mut c = sqlx::PgConnection::connect(&pg_admin_url()).await.unwrap();
        sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
            "DROP DATABASE {} WITH (FORCE)",
            self.name
        )))
        .execute(&mut c)
        .await
        .unwrap();
    }
}

#[tokio::test]
async fn constraints_hold_within_and_across_batches() {
    let dir = tempfile::tempdir().unwrap();
    constraints_hold(&Location::Sqlite(dir.path().join("t.db"))).await;
}

#[tokio::test]
async fn constraints_hold_on_postgres() {
    let db = PgDatabase::create().await;
    constraints_hold(&db.location()).await;
    db.drop().await;
}

async fn constraints_hold(location: &Location) {
    let store = Store::open_at(location).await.unwrap();
    // 50 concurrent jobs with 10 distinct transactionIDs: exactly 10 succeed.
    let mut handles = Vec::new();
    for i in 0..50u8 {
        let s = store.clone();
        handles.push(tokio::spawn(async move {
            s.write(vec![tx(&[i % 10; 16])]).await
        }));
    }
    let mut ok = 0;
    for h in handles {
        match h.await.unwrap() {
            Ok(()) => ok += 1,
            Err(WriteError::TransactionIdInUse) => {}
            Err(e) => panic!("{e}"),
        }
    }
    assert_eq!(ok, 10);
    // A failing op undoes its whole job, not its neighbours'.
    store.write(vec![registration("r1", 100)]).await.unwrap();
    let r = store
        .write(vec![
            tx(&[99; 16]),
            Op::ConsumeRegistration {
                reference: "nope".into(),
                transaction_id: vec![99; 16],
                now: 2,
            },
        ])
        .await;
    assert!(matches!(r, Err(WriteError::RegistrationUnavailable)));
    assert!(store.transaction(&[99; 16]).await.unwrap().is_none());
    // A reference number is consumed once, before it expires.
    let consume = |t: u8, now| Op::ConsumeRegistration {
        reference: "r1".into(),
        transaction_id: vec![t; 16],
        now,
    };
    assert!(matches!(
        store.write(vec![consume(1, 100)]).await,
        Err(WriteError::RegistrationUnavailable)
    ));
    store.write(vec![consume(1, 50)]).await.unwrap();
    assert!(matches!(
        store.write(vec![consume(2, 51)]).await,
        Err(WriteError::RegistrationUnavailable)
    ));
    let row = store.registration("r1").await.unwrap().unwrap();
    assert_eq!(row.consumed_by.as_deref(), Some(&[1u8; 16][..]));
    // Concurrent lookups (answered in batches) each get their own row, or none.
    let lookups: Vec<_> = ["r1", "nope", "r1", "r2"]
        .into_iter()
        .map(|r| {
            let s = store.clone();
            tokio::spawn(async move { s.registration(r).await.unwrap().map(|r| r.reference) })
        })
        .collect();
    let mut found = Vec::new();
    for l in lookups {
        found.push(l.await.unwrap());
    }
    assert_eq!(
        found,
        [Some("r1".to_owned()), None, Some("r1".to_owned()), None]
    );
    // Reopening runs no migration twice and keeps the data.
    drop(store);
    let store = Store::open_at(location).await.unwrap();
    assert!(store.transaction(&[3; 16]).await.unwrap().is_some());
}

fn issue(tid: u8, serial: &str, reference: Option<&str>) -> Vec<Op> {
    let mut ops = vec![
        Op::InsertCertificate {
            serial: serial.into(),
            der: vec![0x30, 0x03, 0x02, 0x01, tid],
            subject: "/CN=it's \"quoted\" ü".into(),
            profile: "p".into(),
            not_before: 10,
            not_after: 20,
            status: CertStatus::Unconfirmed,
            requester: "ref:x".into(),
            transaction_id: vec![tid; 16],
            request_der: vec![0, 1, 2, 0xff],
            replaces: None,
            now: 5,
        },
        Op::InsertTransaction {
            transaction_id: vec![tid; 16],
            kind: "ir",
            state: TxState::AwaitingConfirm,
            requester: "ref:x".into(),
            serial: Some(serial.into()),
            our_nonce: Some(vec![tid, 0, 0xee]),
            cert_req_id: Some(0),
            deadline: Some(300),
            request_der: None,
            profile: Some("p".into()),
            state_der: None,
            now: 5,
        },
    ];
    if let Some(r) = reference {
        ops.push(Op::ConsumeRegistration {
            reference: r.into(),
            transaction_id: vec![tid; 16],
            now: 5,
        });
    }
    ops
}

fn confirm(tid: u8, serial: &str) -> Vec<Op> {
    vec![
        Op::UpdateTransaction {
            transaction_id: vec![tid; 16],
            from: &[TxState::AwaitingConfirm],
            to: TxState::Confirmed,
            our_nonce: None,
            deadline: None,
            serial: None,
            now: 6,
        },
        Op::SetCertificateStatus {
            serial: serial.into(),
            from: &[CertStatus::Unconfirmed],
            to: CertStatus::Valid,
            revoked_at: None,
            reason: None,
            must: true,
        },
    ]
}

fn one<T>(mut rows: Vec<T>) -> Option<T> {
    assert!(rows.len() <= 1);
    rows.pop()
}

#[test]
fn bulk_shapes() {
    assert!(is_bulk(&issue(1, "A", Some("r"))));
    assert!(is_bulk(&issue(1, "A", None)));
    assert!(is_bulk(&confirm(1, "A")));
    // A confirmation that also revokes a superseded certificate, a sweep (several `from`
    // states, optional status change), a revocation and a lone insert run on their own.
    let mut kur = confirm(1, "A");
    kur.push(Op::SetCertificateStatus {
        serial: "OLD".into(),
        from: &[CertStatus::Valid, CertStatus::Unconfirmed],
        to: CertStatus::Revoked,
        revoked_at: Some(1),
        reason: Some(4),
        must: false,
    });
    assert!(!is_bulk(&kur));
    let sweep = vec![
        Op::UpdateTransaction {
            transaction_id: vec![1; 16],
            from: &[
                TxState::AwaitingConfirm,
                TxState::Pending,
                TxState::Approved,
            ],
            to: TxState::Expired,
            our_nonce: None,
            deadline: None,
            serial: None,
            now: 1,
        },
        Op::SetCertificateStatus {
            serial: "A".into(),
            from: &[CertStatus::Unconfirmed],
            to: CertStatus::Revoked,
            revoked_at: Some(1),
            reason: Some(5),
            must: false,
        },
    ];
    assert!(!is_bulk(&sweep));
    assert!(!is_bulk(&[tx(&[1; 16])]));
    assert!(!is_bulk(&[registration("r", 1)]));
}

/// The bulk path's contract on an adapter's read side `$db`, writer `$w` and reader `$rd`.
macro_rules! bulk_batches {
    ($db:ident, $w:ident, $rd:ident) => {{
        let (db, w, rd) = (&$db, &mut $w, &mut $rd);
        let setup: Vec<Vec<Op>> = ["r1", "r2", "r3"]
            .iter()
            .map(|r| vec![registration(r, 100)])
            .collect();
        let jobs: Vec<&[Op]> = setup.iter().map(Vec::as_slice).collect();
        assert!(w.commit(&jobs).await.iter().all(Result::is_ok));

        // Two issuances in one bulk statement: every column arrives intact.
        let batch = [issue(1, "S1", Some("r1")), issue(2, "S2", Some("r2"))];
        let bulk = Bulk::of(batch.iter().map(Vec::as_slice));
        assert_eq!(bulk.jobs, [0, 1]);
        w.bulk(&bulk).await.unwrap();
        let cert = one(rd.certificates(&["S1"]).await.unwrap()).unwrap();
        assert_eq!(cert.der, vec![0x30, 0x03, 0x02, 0x01, 1]);
        assert_eq!(cert.subject, "/CN=it's \"quoted\" ü");
        assert_eq!(cert.status, CertStatus::Unconfirmed);
        assert_eq!(cert.transaction_id, vec![1; 16]);
        assert_eq!(
            (cert.not_before, cert.not_after, cert.issued_at),
            (10, 20, 5)
        );
        assert_eq!(cert.replaces, None);
        let t = db.transaction(&[2; 16]).await.unwrap().unwrap();
        assert_eq!(t.state, TxState::AwaitingConfirm);
        assert_eq!(t.serial.as_deref(), Some("S2"));
        assert_eq!(t.our_nonce, Some(vec![2, 0, 0xee]));
        assert_eq!(
            (t.cert_req_id, t.deadline, t.request_der),
            (Some(0), Some(300), None)
        );
        let r = one(rd.registrations(&["r1"]).await.unwrap()).unwrap();
        assert_eq!(
            (r.consumed_at, r.consumed_by),
            (Some(5), Some(vec![1u8; 16]))
        );

        // A confirmation and an issuance together.
        let batch = [confirm(1, "S1"), issue(4, "S4", None)];
        let jobs: Vec<&[Op]> = batch.iter().map(Vec::as_slice).collect();
        assert!(w.commit(&jobs).await.iter().all(Result::is_ok));
        assert_eq!(
            one(rd.certificates(&["S1"]).await.unwrap()).unwrap().status,
            CertStatus::Valid
        );
        let t = db.transaction(&[1; 16]).await.unwrap().unwrap();
        assert_eq!(
            (t.state, t.our_nonce),
            (TxState::Confirmed, Some(vec![1, 0, 0xee]))
        );

        // Failures inside a bulk batch: each is charged to its own job, the others commit.
        let batch = [
            issue(5, "S5", Some("r3")),
            issue(6, "S6", Some("r3")), // reference number consumed by the job before
            issue(2, "S7", None),       // replayed transactionID
            confirm(1, "S1"),           // already confirmed
            issue(8, "S1", None),       // serial in use
            vec![tx(&[9; 16])],         // not a bulk job
            confirm(2, "S2"),
        ];
        // The bulk statement refuses the batch as a whole and leaves no trace…
        let bulk = Bulk::of(batch.iter().map(Vec::as_slice));
        assert_eq!(bulk.jobs, [0, 1, 2, 3, 4, 6]);
        assert!(w.bulk(&bulk).await.is_err());
        assert!(one(rd.certificates(&["S5"]).await.unwrap()).is_none());
        let r3 = one(rd.registrations(&["r3"]).await.unwrap()).unwrap();
        assert!(r3.consumed_at.is_none());
        // …and the writer then runs it job by job.
        let jobs: Vec<&[Op]> = batch.iter().map(Vec::as_slice).collect();
        let results = w.commit(&jobs).await;
        assert!(results[0].is_ok(), "{:?}", results[0]);
        assert!(matches!(
            results[1],
            Err(WriteError::RegistrationUnavailable)
        ));
        assert!(matches!(results[2], Err(WriteError::TransactionIdInUse)));
        assert!(matches!(results[3], Err(WriteError::Conflict { .. })));
        assert!(matches!(results[4], Err(WriteError::SerialInUse)));
        assert!(results[5].is_ok() && results[6].is_ok());
        for gone in ["S6", "S7"] {
            assert!(one(rd.certificates(&[gone]).await.unwrap()).is_none());
        }
        for gone in [6u8, 8] {
            assert!(db.transaction(&[gone; 16]).await.unwrap().is_none());
        }
        assert!(db.transaction(&[9; 16]).await.unwrap().is_some());
        assert_eq!(
            one(rd.certificates(&["S2"]).await.unwrap()).unwrap().status,
            CertStatus::Valid
        );
        let r = one(rd.registrations(&["r3"]).await.unwrap()).unwrap();
        assert_eq!(r.consumed_by, Some(vec![5u8; 16]));

        // Each kind of failure on its own refuses the whole bulk statement.
        let bad = [
            issue(10, "S10", Some("r3")), // consumed
            issue(11, "S11", Some("r9")), // unknown reference number
            issue(2, "S12", None),        // transactionID in use
            issue(13, "S2", None),        // serial in use
            confirm(2, "S2"),             // already confirmed
            confirm(77, "S77"),           // no such transaction
        ];
        for b in &bad {
            let batch = [issue(20, "S20", None), b.clone()];
            assert!(
                w.bulk(&Bulk::of(batch.iter().map(Vec::as_slice)))
                    .await
                    .is_err()
            );
            assert!(one(rd.certificates(&["S20"]).await.unwrap()).is_none());
        }
    }};
}

#[tokio::test]
async fn bulk_batches_apply_every_row_or_charge_the_failure_to_its_job() {
    let dir = tempfile::tempdir().unwrap();
    let (db, mut w, mut rd) = sqlite::open(&dir.path().join("t.db")).await.unwrap();
    bulk_batches!(db, w, rd);
}

/// The same on PostgreSQL's bulk path (one statement per table, in a savepoint).
#[tokio::test]
async fn bulk_batches_on_postgres_apply_every_row_or_charge_the_failure_to_its_job() {
    let pg = PgDatabase::create().await;
    let Location::Postgres(url) = pg.location() else {
        unreachable!()
    };
    {
        let (db, mut w, mut rd) = postgres::open(&url).await.unwrap();
        bulk_batches!(db, w, rd);
    }
    pg.drop().await;
}

/// Two nodes (two `Store`s, each with its own writer and connections) on one PostgreSQL
/// database: a reference number raced from both is consumed once, a serial is issued once,
/// and a transaction one node started the other can confirm — once.
#[tokio::test]
async fn two_nodes_on_one_postgres_database_agree() {
    let db = PgDatabase::create().await;
    let a = Store::open_at(&db.location()).await.unwrap();
    let b = Store::open_at(&db.location()).await.unwrap();
    a.write(vec![registration("r1", 1_000)]).await.unwrap();
    let mut handles = Vec::new();
    for i in 0..20u8 {
        let node = if i % 2 == 0 { a.clone() } else { b.clone() };
        handles.push(tokio::spawn(async move {
            node.write(vec![
                tx(&[100 + i; 16]),
                Op::ConsumeRegistration {
                    reference: "r1".into(),
                    transaction_id: vec![100 + i; 16],
                    now: 5,
                },
            ])
            .await
        }));
    }
    let mut won = 0;
    for h in handles {
        match h.await.unwrap() {
            Ok(()) => won += 1,
            Err(WriteError::RegistrationUnavailable) => {}
            Err(e) => panic!("{e}"),
        }
    }
    assert_eq!(won, 1, "the reference number was consumed {won} times");
    // One serial, issued from both nodes at once: once.
    let (x, y) = tokio::join!(
        a.write(issue(1, "AA01", None)),
        b.write(issue(2, "AA01", None))
    );
    assert!(
        matches!(
            (&x, &y),
            (Ok(()), Err(WriteError::SerialInUse)) | (Err(WriteError::SerialInUse), Ok(()))
        ),
        "{x:?} {y:?}"
    );
    // Started on one node, confirmed on the other; a second confirmation finds nothing.
    let started = if x.is_ok() { 1 } else { 2 };
    let (first, second) = if started == 1 { (&b, &a) } else { (&a, &b) };
    first.write(confirm(started, "AA01")).await.unwrap();
    assert!(matches!(
        second.write(confirm(started, "AA01")).await,
        Err(WriteError::Conflict { .. })
    ));
    let t = second.transaction(&[started; 16]).await.unwrap().unwrap();
    assert_eq!(t.state, TxState::Confirmed);
    drop((a, b));
    db.drop().await;
}

#[tokio::test]
async fn counters_marks_and_the_revoked_hook_on_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    counters_marks_and_the_revoked_hook(&Location::Sqlite(dir.path().join("t.db"))).await;
}

#[tokio::test]
async fn counters_marks_and_the_revoked_hook_on_postgres() {
    let db = PgDatabase::create().await;
    counters_marks_and_the_revoked_hook(&db.location()).await;
    db.drop().await;
}

/// A draw is one more than the last and never below its floor, also from a second handle on
/// the same database; the revoked hook hears of a committed revocation (and only of that)
/// before the caller does, and the marks count it.
async fn counters_marks_and_the_revoked_hook(location: &Location) {
    let store = Store::open_at(location).await.unwrap();
    let heard = std::sync::Arc::new(std::sync::Mutex::new(Vec::<String>::new()));
    let h = heard.clone();
    store.on_revoked(Box::new(move |serials| {
        h.lock().unwrap().extend_from_slice(serials);
    }));

    assert_eq!(store.draw(Counter::CrlNumber, 100).await.unwrap(), 100);
    assert_eq!(store.draw(Counter::CrlNumber, 100).await.unwrap(), 101);
    assert_eq!(store.draw(Counter::CrlNumber, 50).await.unwrap(), 102);
    let other = Store::open_at(location).await.unwrap();
    assert_eq!(other.draw(Counter::CrlNumber, 0).await.unwrap(), 103);
    assert_eq!(store.draw(Counter::CrlNumber, 200).await.unwrap(), 200);

    store.write(issue(1, "0A", None)).await.unwrap();
    store.write(issue(2, "0B", None)).await.unwrap();
    store.write(confirm(1, "0A")).await.unwrap();
    assert_eq!(store.revocation_marks(0).await.unwrap(), (0, vec![]));
    assert!(
        heard.lock().unwrap().is_empty(),
        "confirmations are not revocations"
    );

    let revoke = |serial: &str, at: i64| Op::SetCertificateStatus {
        serial: serial.into(),
        from: &[CertStatus::Valid, CertStatus::Unconfirmed],
        to: CertStatus::Revoked,
        revoked_at: Some(at),
        reason: Some(1),
        must: true,
    };
    store.write(vec![revoke("0A", 1000)]).await.unwrap();
    assert_eq!(
        *heard.lock().unwrap(),
        ["0A"],
        "heard before write returned"
    );
    // A revocation that fails is not heard of.
    assert!(store.write(vec![revoke("0A", 1001)]).await.is_err());
    assert_eq!(heard.lock().unwrap().len(), 1);
    // Another handle (another node) revokes: this handle's hook does not hear it, the marks
    // show it.
    other.write(vec![revoke("0B", 2000)]).await.unwrap();
    assert_eq!(heard.lock().unwrap().len(), 1);
    let (count, mut recent) = store.revocation_marks(1000).await.unwrap();
    recent.sort();
    assert_eq!((count, recent), (2, vec!["0A".to_owned(), "0B".to_owned()]));
    assert_eq!(
        store.revocation_marks(1500).await.unwrap(),
        (2, vec!["0B".to_owned()])
    );
}

#[tokio::test]
async fn audit_records_chain_on_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    audit_records_chain(&Location::Sqlite(dir.path().join("t.db"))).await;
}

#[tokio::test]
async fn audit_records_chain_on_postgres() {
    let db = PgDatabase::create().await;
    audit_records_chain(&db.location()).await;
    db.drop().await;
}

/// Audit records appended every way the writer appends them — one with a change, several in
/// an audit-only job (one statement), on the bulk path with an issuance, from a second handle
/// — form one chain that verifies.
async fn audit_records_chain(location: &Location) {
    use crate::audit::{self, Verifier};
    let store = Store::open_at(location).await.unwrap();
    let other = Store::open_at(location).await.unwrap();
    let entry = |n: i64| {
        audit::op(
            n,
            "test",
            audit::action::SERVER_STARTED,
            None,
            &serde_json::json!({"n": n}),
        )
    };
    store.write(vec![entry(1)]).await.unwrap();
    store
        .write(vec![entry(2), entry(3), entry(4)])
        .await
        .unwrap();
    let mut issuance = issue(7, "0C", None);
    issuance.push(entry(5));
    store.write(issuance).await.unwrap();
    other.write(vec![entry(6), entry(7)]).await.unwrap();
    let mut confirmation = confirm(7, "0C");
    confirmation.push(entry(8));
    store.write(confirmation).await.unwrap();
    let records = store.audit_records(0).await.unwrap();
    assert_eq!(
        records.iter().map(|r| r.at).collect::<Vec<_>>(),
        (1..=8).collect::<Vec<_>>()
    );
    let mut v = Verifier::default();
    for r in &records {
        v.push(r).unwrap();
    }
    assert_eq!(v.finish().0, 8);
    assert_eq!(store.audit_records(6).await.unwrap().len(), 2);
}
