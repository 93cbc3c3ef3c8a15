//! The operator's service on a real store with a fixed clock: every refusal names its
//! argument, expiry follows the clock, a decision and a revocation happen once.

use std::sync::atomic::{AtomicI64, Ordering};

use signet_ra_policy::Policy;

use super::*;
use crate::store::{CertStatus, Location, Op, TxState};

/// A clock the test moves.
struct Fixed(AtomicI64);

impl Clock for Fixed {
    fn now(&self) -> i64 {
        self.0.load(Ordering::SeqCst)
    }
}

fn sealer() -> Sealer {
    Sealer::new(&[7u8; Sealer::KEY_LEN]).unwrap()
}

const SUBJECT: &str = "/CN=C2PA Claim Signer 1/O=Example Org/C=US";

fn request(count: u32) -> RegistrationRequest<'static> {
    RegistrationRequest {
        subject: SUBJECT,
        sans: &[],
        profile: None,
        valid_for: Some(600),
        count,
    }
}

#[tokio::test]
async fn registrations_follow_the_clock_and_refusals_name_their_argument() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open_at(&Location::Sqlite(dir.path().join("t.db")))
        .await
        .unwrap();
    let clock = Fixed(AtomicI64::new(1_000));
    let op = Operator::new(&store, &clock, "tester");
    let policy = Policy::dev_default();

    let r = op.register(&policy, &sealer(), &request(2)).await.unwrap();
    assert_eq!(r.codes.len(), 2);
    assert_eq!(r.expires, 1_600);
    assert_eq!(r.profile, policy.default_profile);
    let (regs, pending) = op.registrations().await.unwrap();
    assert!(pending.is_empty());
    assert!(regs.iter().all(|g| g.state == RegistrationState::Open));
    clock.0.store(1_600, Ordering::SeqCst);
    let (regs, _) = op.registrations().await.unwrap();
    assert!(regs.iter().all(|g| g.state == RegistrationState::Expired));

    let refused = |e: OperatorError| e.to_string();
    let mut bad = request(1);
    bad.subject = "/CN=x/O=Example Org/C=USA";
    let e = refused(op.register(&policy, &sealer(), &bad).await.err().unwrap());
    assert!(e.starts_with("subject: "), "{e}");
    let e = refused(
        op.register(&policy, &sealer(), &request(0))
            .await
            .err()
            .unwrap(),
    );
    assert!(e.starts_with("count: must be between 1 and"), "{e}");
    let mut bad = request(1);
    bad.valid_for = Some(0);
    let e = refused(op.register(&policy, &sealer(), &bad).await.err().unwrap());
    assert!(e.starts_with("validity: must be between 1 s and"), "{e}");
    let sans = ["ftp:x".to_owned()];
    let mut bad = request(1);
    bad.sans = &sans;
    let e = refused(op.register(&policy, &sealer(), &bad).await.err().unwrap());
    assert!(e.contains("unknown form \"ftp\""), "{e}");
    for (text, code) in [("keyCompromise", 1), ("KEYCOMPROMISE", 1), ("9", 9)] {
        assert_eq!(Reason::parse(text).unwrap().code(), code);
    }
    for text in ["removeFromCRL", "7", "nonsense"] {
        assert!(Reason::parse(text).is_err(), "{text}");
    }
}

#[tokio::test]
async fn a_decision_and_a_revocation_happen_once() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open_at(&Location::Sqlite(dir.path().join("t.db")))
        .await
        .unwrap();
    let clock = Fixed(AtomicI64::new(50));
    let op = Operator::new(&store, &clock, "tester");
    let tid = vec![9u8; 16];
    store
        .write(vec![Op::InsertTransaction {
            transaction_id: tid.clone(),
            kind: "ir",
            state: TxState::Pending,
            requester: "ref:1".into(),
            serial: None,
            our_nonce: None,
            cert_req_id: Some(0),
            deadline: Some(100),
            request_der: Some(vec![0x30, 0]),
            profile: Some("p".into()),
            state_der: Some(vec![1]),
            now: 10,
        }])
        .await
        .unwrap();
    let (_, pending) = op.registrations().await.unwrap();
    assert_eq!(pending.len(), 1);
    assert_eq!(pending[0].transaction, tid);
    assert_eq!(
        op.decide(&tid, Decision::Approve, "").await.unwrap(),
        TxState::Approved
    );
    let e = op.decide(&tid, Decision::Refuse, "no").await.unwrap_err();
    assert!(matches!(e, OperatorError::NoPending(_)), "{e}");

    store
        .write(vec![Op::InsertCertificate {
            serial: "0A1B".into(),
            der: vec![0x30, 0],
            subject: "/CN=x".into(),
            profile: "p".into(),
            not_before: 0,
            not_after: 1_000,
            status: CertStatus::Valid,
            requester: "ref:1".into(),
            transaction_id: tid.clone(),
            request_der: vec![],
            replaces: None,
            now: 10,
        }])
        .await
        .unwrap();
    let e = op.certificate("0x00FFFF").await.unwrap_err();
    assert_eq!(e.to_string(), "no certificate with serial FFFF");
    let reason = Reason::parse("keyCompromise").unwrap();
    assert_eq!(op.revoke("serial=0a1b", reason).await.unwrap(), "0A1B");
    let row = op.certificate("0A1B").await.unwrap();
    assert_eq!(
        (row.status, row.revoked_at, row.revocation_reason),
        (CertStatus::Revoked, Some(50), Some(1))
    );
    let e = op.revoke("0A1B", reason).await.unwrap_err();
    assert_eq!(e.to_string(), "0A1B is already revoked");
}
