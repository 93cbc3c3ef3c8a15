//! Merkle trees as C2PA builds them for BMFF hashes (C2PA 2.2 §A.5.4.1): leaves are the hashes
//! of the subsets; a parent is `H(left ‖ right)`; a node without a right sibling is carried up
//! unchanged (a null node contributes nothing). Rows are numbered from the leaves (row 0).

use crate::store::HashAlg;

/// A complete tree, kept row by row (row 0 = leaves).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MerkleTree {
    rows: Vec<Vec<Vec<u8>>>,
}

impl MerkleTree {
    /// Builds the tree over leaf hashes (at least one).
    pub fn from_leaves(alg: HashAlg, leaves: Vec<Vec<u8>>) -> Self {
        let mut rows = vec![leaves];
        while let Some(last) = rows.last() {
            if last.len() <= 1 {
                break;
            }
            let next = last
                .chunks(2)
                .map(|pair| match pair {
                    [left, right] => {
                        let mut both = Vec::with_capacity(left.len().saturating_add(right.len()));
                        both.extend_from_slice(left);
                        both.extend_from_slice(right);
                        alg.digest(&both)
                    }
                    [single] => single.clone(),
                    _ => Vec::new(),
                })
                .collect();
            rows.push(next);
        }
        Self { rows }
    }

    /// Number of rows (1 for a single leaf).
    pub fn height(&self) -> usize {
        self.rows.len()
    }

    /// Row `n` (0 = leaves), if it exists.
    pub fn row(&self, n: usize) -> Option<&[Vec<u8>]> {
        self.rows.get(n).map(Vec::as_slice)
    }

    /// The root.
    pub fn root(&self) -> Option<&[u8]> {
        self.rows.last()?.first().map(Vec::as_slice)
    }

    /// The hashes needed to go from leaf `index` up to row `to_row`: the sibling at each row
    /// below it, leaf-most first, omitting null (missing) siblings.
    pub fn proof(&self, index: usize, to_row: usize) -> Vec<Vec<u8>> {
        let mut out = Vec::new();
        let mut i = index;
        for row in self.rows.iter().take(to_row) {
            let sibling = i ^ 1;
            if let Some(h) = row.get(sibling) {
                out.push(h.clone());
            }
            i /= 2;
        }
        out
    }
}

/// Recomputes the node in row `proof.len()` (counting only non-null siblings as they come) from a
/// leaf hash and its proof, as a validator does: used by tests to check proofs.
pub fn climb(
    alg: HashAlg,
    leaf: &[u8],
    index: usize,
    row_lengths: &[usize],
    proof: &[Vec<u8>],
) -> Vec<u8> {
    let mut node = leaf.to_vec();
    let mut i = index;
    let mut siblings = proof.iter();
    for len in row_lengths {
        let sibling = i ^ 1;
        if sibling < *len {
            let Some(h) = siblings.next() else { break };
            let mut both = Vec::new();
            if i.is_multiple_of(2) {
                both.extend_from_slice(&node);
                both.extend_from_slice(h);
            } else {
                both.extend_from_slice(h);
                both.extend_from_slice(&node);
            }
            node = alg.digest(&both);
        }
        i /= 2;
    }
    node
}

#[cfg(test)]
mod tests;
