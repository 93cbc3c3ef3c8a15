//! A `HashProvider` (the `sha2` one) that counts the hashes started and the bytes hashed,
//! shared by path by the digest unit tests (`src/digest/tests.rs`) and the amplification
//! regression test (`tests/it/amplification.rs`). The including module brings `HashAlg`,
//! `HashProvider`, `IncrementalHash` and `Sha2Hashes` into scope.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use super::{HashAlg, HashProvider, IncrementalHash, Sha2Hashes};

/// `Sha2Hashes`, counting.
#[derive(Default)]
pub(crate) struct Counting {
    starts: AtomicU64,
    bytes: Arc<AtomicU64>,
}

impl Counting {
    /// Hashes started so far.
    pub(crate) fn starts(&self) -> u64 {
        self.starts.load(Ordering::Relaxed)
    }

    /// Bytes hashed so far.
    pub(crate) fn bytes(&self) -> u64 {
        self.bytes.load(Ordering::Relaxed)
    }
}

struct Counted {
    inner: Box<dyn IncrementalHash>,
    bytes: Arc<AtomicU64>,
}

impl IncrementalHash for Counted {
    fn update(&mut self, data: &[u8]) {
        let n = u64::try_from(data.len()).unwrap_or(u64::MAX);
        self.bytes.fetch_add(n, Ordering::Relaxed);
        self.inner.update(data);
    }

    fn finish(self: Box<Self>) -> Vec<u8> {
        self.inner.finish()
    }
}

impl HashProvider for Counting {
    fn start(&self, alg: HashAlg) -> Box<dyn IncrementalHash> {
        self.starts.fetch_add(1, Ordering::Relaxed);
        Box::new(Counted {
            inner: Sha2Hashes.start(alg),
            bytes: Arc::clone(&self.bytes),
        })
    }
}
