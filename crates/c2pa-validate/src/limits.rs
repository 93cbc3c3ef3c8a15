//! Bounds on everything an attacker controls in a manifest store or an asset.
//!
//! Every default cites where it comes from. Exceeding a bound never panics or allocates without
//! limit: the manifest gets a failure code (`general.error`, `claim.malformed`, or the specific
//! `*.malformed` code of the structure) and validation of that part stops.
//!
//! Compressed (`brob`) manifests decompress within `jumbf::Limits::max_decompressed_len` (64
//! MiB for one store, together). Thumbnails and other embedded data are hashed as bytes, never
//! decoded. CBOR nesting is bounded by `c2pa-model`'s decoder (depth 64), and the asset is never
//! held in memory (hashing streams it in the reader's blocks).
//!
//! Counts alone do not bound the work: hashed-URI hashing is bounded in bytes too
//! ([`Limits::max_uri_hash_factor`]), so a store is judged in time proportional to its size.

use signet_c2pa_model::container::ContainerLimits;
use signet_c2pa_model::jumbf;

/// Validation limits. `Limits::default()` is right for untrusted input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// JUMBF nesting, box count and label length (`c2pa-model` defaults: depth 16, 100,000
    /// boxes, 1 KiB labels).
    pub jumbf: jumbf::Limits,
    /// Manifest store size and container segment count (`c2pa-model` defaults: 64 MiB,
    /// 1,000,000 segments).
    pub container: ContainerLimits,
    /// Deepest ingredient lineage followed from the active manifest. Real lineages are a
    /// handful of edits deep; 32 bounds recursion on a store whose ingredients form a long
    /// chain (cycles are refused outright).
    pub max_ingredient_depth: usize,
    /// Most ingredient manifests validated for one asset. The largest c2pa-rs fixtures carry
    /// tens; 256 bounds the total signature and hash work of a store built to fan out.
    pub max_ingredient_manifests: usize,
    /// Most assertions per manifest (referenced or present). c2pa-rs fixtures carry at most a
    /// few dozen; 10,000 bounds per-manifest work.
    pub max_assertions: usize,
    /// Most certificates accepted in an `x5chain` or a time-stamp's certificate set
    /// (`c2pa-model`'s `MAX_X5CHAIN`, 16). Chain building work itself is bounded by
    /// rustls-webpki's budget: 100 signature checks, 200,000 path-building steps, 6
    /// intermediates (mozilla::pkix's and Go's limits).
    pub max_chain_certificates: usize,
    /// Most exclusion ranges in a data hash, exclusions or subsets in a BMFF hash, or boxes in
    /// a box hash. Generators write one to a few dozen; 10,000 bounds the bookkeeping.
    pub max_exclusions: usize,
    /// Most top-level and nested ISO BMFF boxes walked while hashing. A 1 GiB MP4 has a few
    /// thousand boxes; 1,000,000 bounds the walk of a file of tiny boxes.
    pub max_bmff_boxes: usize,
    /// Deepest ISO BMFF box nesting walked (exclusion XPaths name a few levels; 32 is far above
    /// real files).
    pub max_bmff_depth: usize,
    /// Most Merkle leaves per tree in a BMFF hash. 2^20 leaves of 1 MiB cover a terabyte.
    pub max_merkle_leaves: usize,
    /// Most bytes hashed for hashed URIs (assertions, ingredient manifests, claim signatures
    /// and the references inside assertions), as a multiple of the manifest store's size, plus
    /// 1 MiB. Each box is hashed once per algorithm however often it is referenced, so an
    /// honest store needs about twice its size (every assertion once, and every ingredient
    /// manifest, which holds its own assertions, once); 4 leaves room for a second algorithm
    /// and keeps the work linear in the input where nested references could otherwise ask for
    /// each byte to be hashed once per nesting level and algorithm. A hashed URI past the budget
    /// is reported `general.error` and not trusted.
    pub max_uri_hash_factor: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            jumbf: jumbf::Limits::default(),
            container: ContainerLimits::default(),
            max_ingredient_depth: 32,
            max_ingredient_manifests: 256,
            max_assertions: 10_000,
            max_chain_certificates: signet_c2pa_model::cose::MAX_X5CHAIN,
            max_exclusions: 10_000,
            max_bmff_boxes: 1_000_000,
            max_bmff_depth: 32,
            max_merkle_leaves: 1 << 20,
            max_uri_hash_factor: 4,
        }
    }
}
