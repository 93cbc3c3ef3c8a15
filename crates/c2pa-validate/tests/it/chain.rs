//! Path building through rustls-webpki with Signet's verifier, for C2PA purposes.

use signet_c2pa_validate::chain::{PathError, validate_path};
use signet_c2pa_validate::trust::{Anchor, ID_KP_CLAIM_SIGNING, ID_KP_TIME_STAMPING};
use signet_crypto::Verifier;

use crate::pki::{Pki, now_secs};

fn anchor(der: Vec<u8>) -> Anchor {
    Anchor::from_der(der).unwrap()
}

#[test]
fn builds_to_the_root_or_an_intermediate_anchor() {
    let pki = Pki::new(now_secs());
    let chain = pki.x5chain();
    let root = anchor(pki.root.der());
    let path = validate_path(
        &chain[0],
        &chain[1..],
        &[&root],
        now_secs(),
        Some(ID_KP_CLAIM_SIGNING),
        &Verifier,
    )
    .unwrap();
    assert_eq!(path.certificates, chain);
    assert_eq!(path.anchor, pki.root.der());
    let mid = anchor(pki.claim_ca.der());
    let path = validate_path(&chain[0], &chain[1..], &[&mid], now_secs(), None, &Verifier).unwrap();
    assert_eq!(path.certificates, vec![chain[0].clone()]);
    // Intermediates in any order.
    let reversed = vec![chain[2].clone(), chain[1].clone()];
    assert!(validate_path(&chain[0], &reversed, &[&root], now_secs(), None, &Verifier).is_ok());
}

#[test]
fn refuses_what_does_not_chain() {
    let pki = Pki::new(now_secs());
    let other = Pki::new(now_secs());
    let chain = pki.x5chain();
    let root = anchor(pki.root.der());
    let foreign = anchor(other.root.der());
    assert_eq!(
        validate_path(&chain[0], &chain[1..], &[], now_secs(), None, &Verifier),
        Err(PathError::NoAnchors)
    );
    assert!(matches!(
        validate_path(
            &chain[0],
            &chain[1..],
            &[&foreign],
            now_secs(),
            None,
            &Verifier
        ),
        Err(PathError::Invalid(_))
    ));
    // A missing intermediate.
    assert!(matches!(
        validate_path(
            &chain[0],
            &chain[2..],
            &[&root],
            now_secs(),
            None,
            &Verifier
        ),
        Err(PathError::Invalid(_))
    ));
    // A certificate from another hierarchy with the same names does not verify.
    let mut mixed = chain.clone();
    mixed[1] = other.claim_ca.der();
    assert!(
        validate_path(
            &mixed[0],
            &mixed[1..],
            &[&root],
            now_secs(),
            None,
            &Verifier
        )
        .is_err()
    );
    // A flipped signature bit in the leaf.
    let mut leaf = chain[0].clone();
    let last = leaf.len() - 1;
    leaf[last] ^= 1;
    assert!(matches!(
        validate_path(&leaf, &chain[1..], &[&root], now_secs(), None, &Verifier),
        Err(PathError::Invalid(_))
    ));
}

#[test]
fn validity_is_checked_at_the_given_time() {
    let pki = Pki::new(now_secs());
    let chain = pki.x5chain();
    let root = anchor(pki.root.der());
    let after_leaf = now_secs() + 400 * 86_400;
    assert_eq!(
        validate_path(
            &chain[0],
            &chain[1..],
            &[&root],
            after_leaf,
            None,
            &Verifier
        ),
        Err(PathError::Expired)
    );
    assert_eq!(
        validate_path(
            &chain[0],
            &chain[1..],
            &[&root],
            now_secs() - 86_400,
            None,
            &Verifier
        ),
        Err(PathError::Expired)
    );
}

#[test]
fn the_end_entity_eku_is_required_and_ca_ekus_ignored() {
    let pki = Pki::new(now_secs());
    let chain = pki.x5chain();
    let root = anchor(pki.root.der());
    assert_eq!(
        validate_path(
            &chain[0],
            &chain[1..],
            &[&root],
            now_secs(),
            Some(ID_KP_TIME_STAMPING),
            &Verifier
        ),
        Err(PathError::RequiredEkuNotFound)
    );
    // The TSA issuing CA carries an EKU (timeStamping); the TSA leaf still chains, and the
    // claim-signing leaf would too if it were under it: CA EKUs do not constrain.
    let tsa = [pki.tsa.der(), pki.tsa_ca.der()];
    assert!(
        validate_path(
            &tsa[0],
            &tsa[1..],
            &[&root],
            now_secs(),
            Some(ID_KP_TIME_STAMPING),
            &Verifier
        )
        .is_ok()
    );
}
