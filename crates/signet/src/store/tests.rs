//! Storage tests: the schema enforces what the server relies on — one use per transactionID,
//! serial and reference number — also when the jobs race in one group-committed batch.

use super::*;

fn tx(tid: &[u8]) -> Op {
    Op::InsertTransaction {
        transaction_id: tid.to_vec(),
        kind: "genm",
        state: "done",
        requester: "test".into(),
        serial: None,
        our_nonce: None,
        cert_req_id: None,
        deadline: None,
        request_der: None,
        profile: None,
        now: 1,
    }
}

fn registration(reference: &str, expires_at: i64) -> Op {
    Op::InsertRegistration {
        reference: reference.into(),
        subject: "/CN=x".into(),
        subject_der: vec![0x30, 0],
        profile: "p".into(),
        sealed_secret: vec![1, 2, 3],
        now: 1,
        expires_at,
    }
}

#[tokio::test]
async fn constraints_hold_within_and_across_batches() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("t.db")).await.unwrap();
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
    // Reopening runs no migration twice and keeps the data.
    drop(store);
    let store = Store::open(&dir.path().join("t.db")).await.unwrap();
    assert!(store.transaction(&[3; 16]).await.unwrap().is_some());
}
