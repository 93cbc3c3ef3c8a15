//! Stored states read back as they were written, and refuse what no version wrote.

use signet_asn1_types::cmp::stored::{StoredAwaiting, StoredPending};
use signet_asn1_types::der::{Decode, Encode};

use super::super::tests::issued_pending;
use super::*;

fn awaiting() -> AwaitingConfirm {
    AwaitingConfirm {
        transaction_id: vec![1; 16],
        our_nonce: vec![2; 16],
        certificate: vec![0x30, 0x00],
        cert_req_id: 0,
        deadline: 1_780_000_300,
        indirect_pop: true,
    }
}

#[test]
fn states_read_back_as_written() {
    let a = awaiting();
    assert_eq!(AwaitingConfirm::from_stored(&a.to_stored().unwrap()), Ok(a));
    // A pending enrollment from a real OpenSSL ir: its normalised request survives whole.
    let pending = issued_pending();
    let stored = pending.to_stored().unwrap();
    assert_eq!(Pending::from_stored(&stored), Ok(pending));
}

#[test]
fn other_versions_and_garbage_are_refused() {
    let mut s = StoredAwaiting::from_der(&awaiting().to_stored().unwrap()).unwrap();
    s.version = 2;
    assert_eq!(
        AwaitingConfirm::from_stored(&s.to_der().unwrap()),
        Err(StoredError::Version(2))
    );
    assert!(matches!(
        Pending::from_stored(&awaiting().to_stored().unwrap()),
        Err(StoredError::Malformed(_))
    ));
    assert!(matches!(
        AwaitingConfirm::from_stored(b"\x30\x03\x02\x01"),
        Err(StoredError::Malformed(_))
    ));
    let mut p = StoredPending::from_der(&issued_pending().to_stored().unwrap()).unwrap();
    p.pop = 9;
    assert_eq!(
        Pending::from_stored(&p.to_der().unwrap()),
        Err(StoredError::Unknown("proof-of-possession method"))
    );
    p.pop = 0;
    p.reply = 7;
    assert_eq!(
        Pending::from_stored(&p.to_der().unwrap()),
        Err(StoredError::Unknown("response body"))
    );
}
