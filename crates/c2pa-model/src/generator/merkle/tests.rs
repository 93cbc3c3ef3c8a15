//! Merkle tree construction and proofs.

use super::*;

fn leaf(i: u8) -> Vec<u8> {
    HashAlg::Sha256.digest(&[i])
}

fn h(a: &[u8], b: &[u8]) -> Vec<u8> {
    HashAlg::Sha256.digest(&[a, b].concat())
}

#[test]
fn odd_nodes_are_carried_up_unchanged() {
    let leaves: Vec<_> = (0..5).map(leaf).collect();
    let t = MerkleTree::from_leaves(HashAlg::Sha256, leaves.clone());
    assert_eq!(t.height(), 4);
    let r1 = vec![
        h(&leaves[0], &leaves[1]),
        h(&leaves[2], &leaves[3]),
        leaves[4].clone(),
    ];
    assert_eq!(t.row(1).unwrap(), r1.as_slice());
    let r2 = vec![h(&r1[0], &r1[1]), r1[2].clone()];
    assert_eq!(t.row(2).unwrap(), r2.as_slice());
    assert_eq!(t.root().unwrap(), h(&r2[0], &r2[1]).as_slice());
    let single = MerkleTree::from_leaves(HashAlg::Sha256, vec![leaf(9)]);
    assert_eq!(single.height(), 1);
    assert_eq!(single.root().unwrap(), leaf(9).as_slice());
}

#[test]
fn every_proof_climbs_to_its_row() {
    for n in 1..=17usize {
        let leaves: Vec<_> = (0..u8::try_from(n).unwrap()).map(leaf).collect();
        let t = MerkleTree::from_leaves(HashAlg::Sha256, leaves.clone());
        let lengths: Vec<usize> = (0..t.height()).map(|r| t.row(r).unwrap().len()).collect();
        for to_row in 0..t.height() {
            for (i, l) in leaves.iter().enumerate() {
                let proof = t.proof(i, to_row);
                let got = climb(HashAlg::Sha256, l, i, &lengths[..to_row], &proof);
                assert_eq!(
                    got,
                    t.row(to_row).unwrap()[i >> to_row],
                    "n={n} i={i} row={to_row}"
                );
            }
        }
    }
}
