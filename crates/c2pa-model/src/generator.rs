//! The claim generator: builds a C2PA manifest for an asset, signs it, and embeds it (or
//! returns it as a sidecar).
//!
//! One flow for every container:
//! 1. **scan** the input (headers only, seeking past payloads): refuse an asset that already
//!    carries a manifest store, find where the store goes and what the hard binding covers;
//! 2. **prepare** everything but the hard binding and the signature (ingredients and their
//!    copied manifests, actions, thumbnails, custom assertions);
//! 3. **lay out** the store with placeholder hashes and a placeholder signature of the final
//!    size (a dry-run signature gives it; a time-stamp gets some slack, absorbed by the COSE
//!    `pad`), until the store's length is a fixed point — so its container bytes have a known
//!    size before any asset byte is written;
//! 4. **stream** the input once: copy it to the output with zeros where the store goes, feeding
//!    the hard binding's hashers with exactly the bytes (and BMFF offsets) a validator will;
//! 5. **sign** the real claim, padded to the laid-out size, and overwrite the zeros.
//!
//! Memory is bounded by the store and one copy buffer, whatever the asset's size. Randomness
//! (manifest label, instance ID) comes from the caller's `SecureRandom`; no clock is read.

use std::io::{Read, Seek, SeekFrom, Write};

use signet_asn1_types::crypto::SecureRandom;

use crate::assertion::{Action, EmbeddedFile, NewAssertion, Relationship, ValidationResults};
use crate::claim::ClaimVersion;
use crate::container::{ContainerLimits, Format};
use crate::cose::{self, SignOptions};
use crate::error::GeneratorError;
use crate::store::{HashAlg, ManifestStore};

pub mod bmff;
mod data_hash;
mod manifest;
pub mod merkle;
mod riff;
mod svg;

pub use data_hash::app11_segments;

/// `digitalSourceType` for content created by a capture or editing tool (IPTC vocabulary).
pub const DIGITAL_CREATION: &str = "http://cv.iptc.org/newscodes/digitalsourcetype/digitalCreation";

/// Bytes of slack reserved for a time-stamp token between the dry run and the real request
/// (serial numbers, fractional `genTime` and DER signature lengths vary by a few bytes).
const TIMESTAMP_SLACK: usize = 128;

/// Size of the copy buffer: 128 KiB keeps each chunk in L2 between the read and the hash (1 MiB
/// measured ~5% slower) while syscalls stay few; small against the 64 MB budget.
pub(crate) const COPY_BUFFER: usize = 1 << 17;

/// An ingredient to record (C2PA 2.2 §18.15), with its manifest store if it has one.
#[derive(Debug, Clone, PartialEq)]
pub struct IngredientInput {
    /// `parentOf` (adds `c2pa.opened`), `componentOf` (adds `c2pa.placed`) or `inputTo`.
    pub relationship: Relationship,
    /// `dc:title`.
    pub title: Option<String>,
    /// `dc:format` (media type).
    pub format: Option<String>,
    /// `instanceID`.
    pub instance_id: Option<String>,
    /// `description`.
    pub description: Option<String>,
    /// The ingredient's manifest store (already redacted as wanted): its manifests are copied
    /// byte-exact and the ingredient refers to its active manifest.
    pub store: Option<ManifestStore>,
    /// The validation results of `store` (required when there is a store; from a validator).
    pub validation_results: Option<ValidationResults>,
    /// URIs of assertions redacted from `store` (recorded in the claim and as actions).
    pub redacted: Vec<String>,
    /// A thumbnail of the ingredient.
    pub thumbnail: Option<EmbeddedFile>,
}

impl IngredientInput {
    /// An ingredient with only a relationship.
    pub fn new(relationship: Relationship) -> Self {
        Self {
            relationship,
            title: None,
            format: None,
            instance_id: None,
            description: None,
            store: None,
            validation_results: None,
            redacted: Vec::new(),
            thumbnail: None,
        }
    }
}

/// What the manifest says about the asset.
#[derive(Debug, Clone, PartialEq)]
pub struct ManifestDefinition {
    /// `claim_generator_info.name`.
    pub generator_name: String,
    /// `claim_generator_info.version`.
    pub generator_version: String,
    /// `dc:title`, if any.
    pub title: Option<String>,
    /// The asset's media type (`dc:format` of a v1 claim).
    pub format: Option<String>,
    /// The `c2pa.created` action's `digitalSourceType` (used when there is no parent).
    pub digital_source_type: String,
    /// Actions after the generated `c2pa.created`/`c2pa.opened`/`c2pa.placed` ones.
    pub actions: Vec<Action>,
    /// `allActionsIncluded`.
    pub all_actions_included: Option<bool>,
    /// Ingredients, in order.
    pub ingredients: Vec<IngredientInput>,
    /// `reason` of the `c2pa.redacted` actions recorded for ingredients' redactions.
    pub redaction_reason: String,
    /// A claim thumbnail.
    pub thumbnail: Option<EmbeddedFile>,
    /// Further assertions in `created_assertions` (metadata, custom labels).
    pub assertions: Vec<NewAssertion>,
    /// Assertions in `gathered_assertions` (not attributed to the signer).
    pub gathered: Vec<NewAssertion>,
    /// Claim version: v2 (`c2pa.claim.v2`) unless v1 is asked for (deprecated).
    pub claim_version: ClaimVersion,
    /// Hash algorithm for hashed URIs and the hard binding.
    pub alg: HashAlg,
}

impl Default for ManifestDefinition {
    fn default() -> Self {
        Self {
            generator_name: "Signet".to_owned(),
            generator_version: env!("CARGO_PKG_VERSION").to_owned(),
            title: None,
            format: None,
            digital_source_type: DIGITAL_CREATION.to_owned(),
            actions: Vec::new(),
            all_actions_included: None,
            ingredients: Vec::new(),
            redaction_reason: "c2pa.PII.present".to_owned(),
            thumbnail: None,
            assertions: Vec::new(),
            gathered: Vec::new(),
            claim_version: ClaimVersion::V2,
            alg: HashAlg::Sha256,
        }
    }
}

/// A signed manifest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signed {
    /// The manifest store written (or to write as a sidecar).
    pub store: Vec<u8>,
    /// The new (active) manifest's label.
    pub manifest_label: String,
    /// The claim's `instanceID`.
    pub instance_id: String,
}

/// The generator's settings for one signing.
pub struct Generator<'a> {
    /// What the manifest says.
    pub definition: &'a ManifestDefinition,
    /// Key, chain, time-stamper, OCSP responses.
    pub sign: &'a SignOptions<'a>,
    /// Randomness for identifiers.
    pub rng: &'a dyn SecureRandom,
    /// ISO BMFF layout choices.
    pub bmff: bmff::BmffOptions,
    /// Bounds on what the scan accepts.
    pub limits: ContainerLimits,
}

/// A container-specific hard binding.
pub(crate) trait Binding {
    /// The label of the hard-binding assertion.
    fn label(&self) -> &'static str;
    /// The hard-binding assertion with `digests` (placeholders or real) for a store of
    /// `store_len` bytes.
    fn assertion(
        &self,
        digests: &Digests,
        store_len: usize,
        alg: HashAlg,
    ) -> Result<NewAssertion, GeneratorError>;
    /// Placeholder digests of the final sizes.
    fn placeholder(&self, alg: HashAlg) -> Digests;
    /// The bytes carrying a store of `store_len` bytes in the asset (0 for a sidecar).
    fn wrapped_len(&self, store_len: usize) -> Result<usize, GeneratorError>;
    /// The container bytes for `store`.
    fn wrap(&self, store: &[u8]) -> Result<Vec<u8>, GeneratorError>;
    /// Streams the input to `output` (if any) with zeros where the container bytes of a store
    /// of `store_len` bytes go, and returns the digests and the offset of those zeros.
    fn stream(
        &mut self,
        input: &mut dyn ReadSeek,
        output: Option<&mut dyn Write>,
        store_len: usize,
        alg: HashAlg,
    ) -> Result<(Digests, u64), GeneratorError>;
}

/// What a hard binding hashed: the main hash, and Merkle leaves per tree.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Digests {
    /// The hash over everything outside exclusions (and outside Merkle-hashed data).
    pub main: Vec<u8>,
    /// Leaf hashes of each Merkle tree, in tree order.
    pub leaves: Vec<Vec<Vec<u8>>>,
}

impl Digests {
    /// A zero main hash of `alg`'s length and no Merkle trees: the placeholder of a data hash.
    pub(crate) fn zeroed(alg: HashAlg) -> Self {
        Self {
            main: vec![0; alg.output_len()],
            leaves: Vec::new(),
        }
    }
}

/// The `c2pa.hash.data` assertion over `digest` excluding `exclusion` (start, length), or
/// nothing for a sidecar.
pub(crate) fn data_hash_assertion(
    digest: &[u8],
    exclusion: Option<(u64, usize)>,
    alg: HashAlg,
) -> Result<NewAssertion, GeneratorError> {
    use crate::assertion::{CborAssertion, Content, DataHash, ExclusionRange};
    let exclusions = match exclusion {
        Some((start, length)) => vec![ExclusionRange {
            start,
            length: u64::try_from(length).map_err(|_| GeneratorError::StoreTooLarge)?,
        }],
        None => Vec::new(),
    };
    let d = DataHash::new(alg.name(), digest.to_vec(), exclusions).encode()?;
    Ok(NewAssertion::new(
        "c2pa.hash.data",
        Content::Cbor(d.bytes().to_vec()),
    ))
}

/// `Read + Seek` as one object-safe trait.
pub trait ReadSeek: Read + Seek {}
impl<T: Read + Seek> ReadSeek for T {}

fn io(e: std::io::Error) -> GeneratorError {
    GeneratorError::Io { kind: e.kind() }
}

impl Generator<'_> {
    /// Settings with default BMFF options and limits.
    pub fn new<'a>(
        definition: &'a ManifestDefinition,
        sign: &'a SignOptions<'a>,
        rng: &'a dyn SecureRandom,
    ) -> Generator<'a> {
        Generator {
            definition,
            sign,
            rng,
            bmff: bmff::BmffOptions::default(),
            limits: ContainerLimits::default(),
        }
    }

    /// Signs `input` and writes the asset with the manifest store embedded to `output`.
    pub fn embed<R, W>(
        &self,
        format: Format,
        input: &mut R,
        output: &mut W,
    ) -> Result<Signed, GeneratorError>
    where
        R: Read + Seek,
        W: Write + Seek,
    {
        let mut binding = self.binding(format, input, true)?;
        let start = output.stream_position().map_err(io)?;
        let (signed, wrapped, at) = self.run(binding.as_mut(), input, Some(output))?;
        output
            .seek(SeekFrom::Start(start.saturating_add(at)))
            .map_err(io)?;
        output.write_all(&wrapped).map_err(io)?;
        output.seek(SeekFrom::End(0)).map_err(io)?;
        output.flush().map_err(io)?;
        Ok(signed)
    }

    /// Signs `input` without modifying it: the returned store is the sidecar (`.c2pa`) whose
    /// hard binding covers the asset as it is (C2PA 2.2 §A.2).
    pub fn sidecar<R: Read + Seek>(
        &self,
        format: Format,
        input: &mut R,
    ) -> Result<Signed, GeneratorError> {
        let mut binding = self.binding(format, input, false)?;
        let (signed, _, _) = self.run(binding.as_mut(), input, None)?;
        Ok(signed)
    }

    fn binding(
        &self,
        format: Format,
        input: &mut dyn ReadSeek,
        embed: bool,
    ) -> Result<Box<dyn Binding>, GeneratorError> {
        input.seek(SeekFrom::Start(0)).map_err(io)?;
        let b: Box<dyn Binding> =
            match format {
                Format::Riff => Box::new(riff::RiffBinding::scan(input, embed, &self.limits)?),
                Format::Svg => Box::new(svg::SvgBinding::scan(input, embed)?),
                Format::Jpeg | Format::Png | Format::Gif => Box::new(
                    data_hash::DataHashBinding::scan(format, input, embed, &self.limits)?,
                ),
                Format::Bmff => Box::new(bmff::BmffBinding::scan(
                    input,
                    embed,
                    &self.bmff,
                    &self.limits,
                )?),
                _ => return Err(GeneratorError::UnsupportedFormat),
            };
        input.seek(SeekFrom::Start(0)).map_err(io)?;
        Ok(b)
    }

    /// Steps 2–5; returns the signed store, its container bytes and where they go.
    fn run(
        &self,
        binding: &mut dyn Binding,
        input: &mut dyn ReadSeek,
        output: Option<&mut dyn Write>,
    ) -> Result<(Signed, Vec<u8>, u64), GeneratorError> {
        let def = self.definition;
        let alg = def.alg;
        let prepared = manifest::Prepared::new(def, self.rng)?;
        let placeholder = binding.placeholder(alg);

        // The signature's final size: a dry run over a claim of the final shape.
        let dry = binding.assertion(&placeholder, 0, alg)?;
        let dry_claim = prepared.claim(&dry)?;
        let dry_sig = cose::sign_claim_for(&dry_claim, def.claim_version, self.sign, None)?;
        let slack = if self.sign.timestamper.is_some() {
            TIMESTAMP_SLACK
        } else {
            0
        };
        let sig_len = dry_sig.len().saturating_add(slack);

        // Lay out until the store's length is a fixed point (a data hash's exclusion length
        // depends on it; a few rounds at most).
        let zero_sig = vec![0u8; sig_len];
        let mut store_len = 0usize;
        let mut converged = false;
        for _ in 0..8 {
            let a = binding.assertion(&placeholder, store_len, alg)?;
            let (store, _) = prepared.assemble(&a, &zero_sig)?;
            if store.len() == store_len {
                converged = true;
                break;
            }
            store_len = store.len();
        }
        if !converged {
            return Err(GeneratorError::LayoutDidNotConverge);
        }
        let wrapped_len = binding.wrapped_len(store_len)?;

        let (digests, at) = binding.stream(input, output, store_len, alg)?;

        let a = binding.assertion(&digests, store_len, alg)?;
        let claim = prepared.claim(&a)?;
        let signature = cose::sign_claim_for(&claim, def.claim_version, self.sign, Some(sig_len))?;
        let (store, claim_again) = prepared.assemble(&a, &signature)?;
        if store.len() != store_len || claim_again != claim {
            return Err(GeneratorError::LayoutDidNotConverge);
        }
        let wrapped = binding.wrap(&store)?;
        if wrapped.len() != wrapped_len {
            return Err(GeneratorError::LayoutDidNotConverge);
        }
        Ok((
            Signed {
                store,
                manifest_label: prepared.manifest_label.clone(),
                instance_id: prepared.instance_id.clone(),
            },
            wrapped,
            at,
        ))
    }
}

/// Signs a JPEG, PNG or ISO BMFF asset with default settings (see [`Generator::embed`]).
pub fn sign_asset<R, W>(
    format: Format,
    input: &mut R,
    output: &mut W,
    def: &ManifestDefinition,
    sign: &SignOptions<'_>,
    rng: &dyn SecureRandom,
) -> Result<Signed, GeneratorError>
where
    R: Read + Seek,
    W: Write + Seek,
{
    Generator::new(def, sign, rng).embed(format, input, output)
}

/// Reborrows an optional writer for a shorter time.
pub(crate) fn rb<'b>(o: &'b mut Option<&mut dyn Write>) -> Option<&'b mut dyn Write> {
    match o {
        Some(w) => Some(&mut **w),
        None => None,
    }
}

/// Copies `n` bytes from `input` to `output` (if any), feeding `sink` with them.
pub(crate) fn copy_exact(
    input: &mut dyn Read,
    mut output: Option<&mut dyn Write>,
    n: u64,
    buf: &mut [u8],
    mut sink: impl FnMut(&[u8]),
) -> Result<(), GeneratorError> {
    let mut left = n;
    while left > 0 {
        let want = usize::try_from(left).unwrap_or(usize::MAX).min(buf.len());
        let chunk = buf.get_mut(..want).ok_or(GeneratorError::Io {
            kind: std::io::ErrorKind::InvalidInput,
        })?;
        input.read_exact(chunk).map_err(io)?;
        sink(chunk);
        if let Some(out) = output.as_deref_mut() {
            out.write_all(chunk).map_err(io)?;
        }
        left = left.saturating_sub(u64::try_from(want).unwrap_or(u64::MAX));
    }
    Ok(())
}

/// Writes `n` zero bytes.
pub(crate) fn write_zeros(output: &mut dyn Write, n: usize) -> Result<(), GeneratorError> {
    let zeros = [0u8; 4096];
    let mut left = n;
    while left > 0 {
        let k = left.min(zeros.len());
        output
            .write_all(zeros.get(..k).unwrap_or_default())
            .map_err(io)?;
        left = left.saturating_sub(k);
    }
    Ok(())
}

#[cfg(test)]
mod tests;
