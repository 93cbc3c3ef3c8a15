//! `signet c2pa sign IN OUT --cert CHAIN.pem --key KEY.pem [--manifest MANIFEST.json]
//! [--parent PARENT] [--tsa URL] [--ocsp-staple [--require-good-ocsp]] [--sidecar]`: the claim
//! generator.
//!
//! 1. The signing certificate must meet the C2PA certificate profile (C2PA 2.2 §14.5.1, checked
//!    by `signet-c2pa-validate`) and be within its validity; the key must be its key.
//! 2. The manifest says what `--manifest` says; `--parent` (and manifest `ingredients`) are
//!    read, validated with `signet-c2pa-validate` against `--trust-anchors`, and recorded with
//!    their manifest store and validation results (ingredient v3, `c2pa.opened`/`c2pa.placed`).
//!    An IN that already carries a manifest store is its own parent: the output's store holds
//!    the old manifests and the new active one, in place of the old store.
//! 3. `--tsa` time-stamps the signature over HTTP (RFC 3161); `--ocsp-staple` staples OCSP
//!    responses for the signer and intermediates from the responders their AIA names. When a
//!    responder says a certificate is revoked, the answer is stapled as it is and a warning
//!    printed (validators will report `signingCredential.ocsp.revoked`); `--require-good-ocsp`
//!    refuses to sign instead, writing nothing.
//! 4. The output is written to a temporary file next to OUT, synced, and renamed over OUT: a
//!    reader never sees a half-written asset, and IN is only ever read.
//! 5. `--fragments` signs a fragmented MP4 split across files: IN is the init segment, each
//!    fragment is written under `--fragments-out` with its `merkle` box (one file open at a
//!    time), and the init segment, renamed last, carries the manifest.

use std::io::{BufReader, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use anyhow::{Context, Result, bail};
use clap::Args;
use signet_asn1_types::const_oid::ObjectIdentifier;
use signet_asn1_types::crypto::{SecureRandom, SignatureAlgorithm, Signer};
use signet_asn1_types::der::{DateTime, Decode, Encode};
use signet_asn1_types::x509_cert::Certificate;
use signet_c2pa_model::SignatureError;
use signet_c2pa_model::assertion::{
    IngredientDelta, Relationship, StatusCodes, StatusEntry, ValidationResults,
};
use signet_c2pa_model::container::{self, ContainerLimits, Format};
use signet_c2pa_model::cose::{SignOptions, TimeStamper};
use signet_c2pa_model::generator::{Generator, IngredientInput, ManifestDefinition};
use signet_c2pa_model::jumbf::Limits;
use signet_c2pa_model::store::{HashAlg, ManifestStore};
use signet_c2pa_model::timestamp;
use signet_c2pa_validate::profile::{Purpose, check_signing_certificate};
use signet_c2pa_validate::trust::{DEFAULT_SIGNER_EKUS, certificates_from_pem};
use signet_c2pa_validate::{Report, StatusLists, TrustConfig, Validator};
use signet_crypto::{KeyPairSigner, SystemRng, Verifier};

mod definition;
mod fragments;
mod ocsp;

use super::http;

/// Arguments of `signet c2pa sign`.
#[derive(Debug, Args)]
pub(crate) struct SignArgs {
    /// The asset to sign: JPEG, PNG, GIF, SVG, TIFF/DNG, JPEG XL, WebP/WAV/AVI or ISO BMFF
    /// (MP4, MOV, M4A, HEIF/HEIC, AVIF). Only read.
    pub(crate) input: PathBuf,
    /// Where to write the signed asset (with --sidecar: the manifest store, `.c2pa`).
    pub(crate) output: PathBuf,
    /// The signing certificate chain (PEM): the signer first, then its intermediates. A
    /// self-signed root at the end is not embedded, but used to check OCSP responses.
    #[arg(long, value_name = "CHAIN.pem")]
    pub(crate) cert: PathBuf,
    /// The signing key (PKCS#8 PEM, `-----BEGIN PRIVATE KEY-----`).
    #[arg(long, value_name = "KEY.pem")]
    pub(crate) key: PathBuf,
    /// A manifest definition (JSON): title, actions, assertions, ingredients, thumbnail.
    #[arg(long, value_name = "MANIFEST.json")]
    pub(crate) manifest: Option<PathBuf>,
    /// The asset this one was derived from: recorded as a parentOf ingredient, with its
    /// manifest store (if any) and its validation results, and a c2pa.opened action. When IN
    /// already carries a manifest store, IN is the parent (and its store is replaced).
    #[arg(long)]
    pub(crate) parent: Option<PathBuf>,
    /// An RFC 3161 time-stamping authority (http:// URL) to time-stamp the signature.
    #[arg(long, value_name = "URL")]
    pub(crate) tsa: Option<String>,
    /// Staple OCSP responses for the signer and intermediates (from their AIA responders).
    /// A `revoked` answer is stapled as it is and warned about on stderr; see
    /// --require-good-ocsp.
    #[arg(long)]
    pub(crate) ocsp_staple: bool,
    /// With --ocsp-staple: refuse to sign (writing nothing) when a responder says the signing
    /// certificate or an intermediate is revoked.
    #[arg(long, requires = "ocsp_staple")]
    pub(crate) require_good_ocsp: bool,
    /// Do not embed: write the manifest store to OUT as a sidecar; the asset is not copied.
    #[arg(long)]
    pub(crate) sidecar: bool,
    /// Redact an assertion of the parent's manifest store before recording it (C2PA 2.2
    /// §6.8): an absolute JUMBF URI, or a label of the parent's active manifest (repeatable).
    #[arg(long, value_name = "URI|LABEL")]
    pub(crate) redact: Vec<String>,
    /// Trust anchors (PEM) for validating the parent and other ingredients (repeatable).
    #[arg(long = "trust-anchors", value_name = "PEM")]
    pub(crate) trust_anchors: Vec<PathBuf>,
    /// Signature algorithm for an RSA key: ps256 (default), ps384 or ps512.
    #[arg(long, value_name = "ALG")]
    pub(crate) alg: Option<String>,
    /// The media type of IN, when its extension does not say.
    #[arg(long, value_name = "TYPE")]
    pub(crate) mime: Option<String>,
    /// The fragment files of a fragmented MP4 split across files (DASH/CMAF), in playback
    /// order: IN is then their init segment, and each fragment gets a merkle box (C2PA 2.2
    /// §A.5.4.1.2) and is written under --fragments-out with its own name.
    #[arg(long, value_name = "FILE", num_args = 1..)]
    pub(crate) fragments: Vec<PathBuf>,
    /// Directory for the signed fragment files (required with --fragments).
    #[arg(long, value_name = "DIR")]
    pub(crate) fragments_out: Option<PathBuf>,
}

/// Runs `signet c2pa sign`; returns the exit status (0 signed, 1 refused or failed).
pub(crate) fn main(args: &SignArgs) -> i32 {
    match run(args) {
        Ok(summary) => {
            println!("{summary}");
            0
        }
        Err(e) => {
            eprintln!("signet c2pa sign: {e:#}");
            1
        }
    }
}

/// The media type for a file name's extension.
pub(crate) fn mime_of(path: &Path) -> Option<&'static str> {
    let ext = path.extension()?.to_str()?.to_ascii_lowercase();
    Some(match ext.as_str() {
        "jpg" | "jpeg" => "image/jpeg",
        "png" => "image/png",
        "mp4" | "m4v" => "video/mp4",
        "m4a" => "audio/mp4",
        "mov" => "video/quicktime",
        "heic" => "image/heic",
        "heif" => "image/heif",
        "avif" => "image/avif",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "wav" => "audio/wav",
        "avi" => "video/x-msvideo",
        "svg" => "image/svg+xml",
        "pdf" => "application/pdf",
        "ttf" => "font/ttf",
        "otf" => "font/otf",
        "jxl" => "image/jxl",
        "tif" | "tiff" => "image/tiff",
        "dng" => "image/x-adobe-dng",
        "c2pa" => "application/c2pa",
        _ => return None,
    })
}

fn format_of(path: &Path, mime: Option<&str>) -> Result<(Format, String)> {
    let mime = match mime {
        Some(m) => m.to_owned(),
        None => mime_of(path)
            .with_context(|| {
                format!(
                    "{}: unknown file type; give --mime (JPEG, PNG, GIF, SVG, TIFF/DNG, JPEG XL, \
                     WebP, WAV, AVI and ISO BMFF can be signed)",
                    path.display()
                )
            })?
            .to_owned(),
    };
    let format = Format::from_mime(&mime)
        .with_context(|| format!("{mime}: not a format Signet can sign"))?;
    Ok((format, mime))
}

fn now() -> Result<Duration> {
    SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .context("the system clock is before 1970")
}

/// The certificates of a chain file: those to embed (leaf first), and the self-signed root at
/// its end, if there is one.
struct ChainFile {
    chain: Vec<Vec<u8>>,
    root: Option<Vec<u8>>,
}

/// Reads the chain file.
fn load_chain(path: &Path) -> Result<ChainFile> {
    let pem = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
    let mut certs = certificates_from_pem(&pem).map_err(|e| anyhow::anyhow!("{e}"))?;
    if certs.is_empty() {
        bail!("{}: no PEM certificate", path.display());
    }
    let mut root = None;
    if certs.len() > 1
        && let Some(last) = certs.last()
    {
        let c = Certificate::from_der(last).context("decoding the last chain certificate")?;
        if c.tbs_certificate().subject() == c.tbs_certificate().issuer() {
            root = certs.pop();
        }
    }
    Ok(ChainFile { chain: certs, root })
}

/// The COSE algorithm for the leaf's key (`override_alg` only chooses among RSA-PSS hashes).
fn algorithm_for(leaf: &Certificate, override_alg: Option<&str>) -> Result<SignatureAlgorithm> {
    const EC: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.2.1");
    const RSA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.1");
    const ED25519: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.101.112");
    const P256: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.3.1.7");
    const P384: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.132.0.34");
    const P521: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.132.0.35");
    let spki = leaf.tbs_certificate().subject_public_key_info();
    let curve = spki
        .algorithm
        .parameters
        .as_ref()
        .and_then(|p| p.decode_as::<ObjectIdentifier>().ok());
    let alg = match (spki.algorithm.oid, curve) {
        (EC, Some(P256)) => SignatureAlgorithm::EcdsaP256Sha256Fixed,
        (EC, Some(P384)) => SignatureAlgorithm::EcdsaP384Sha384Fixed,
        (EC, Some(P521)) => SignatureAlgorithm::EcdsaP521Sha512Fixed,
        (ED25519, _) => SignatureAlgorithm::Ed25519,
        (RSA, _) => match override_alg.unwrap_or("ps256") {
            "ps256" => SignatureAlgorithm::RsaPssSha256,
            "ps384" => SignatureAlgorithm::RsaPssSha384,
            "ps512" => SignatureAlgorithm::RsaPssSha512,
            other => bail!("--alg {other}: an RSA key signs with ps256, ps384 or ps512"),
        },
        _ => bail!("the signing certificate's key type is not one C2PA allows"),
    };
    if let Some(a) = override_alg
        && spki.algorithm.oid != RSA
    {
        bail!("--alg {a} applies to RSA keys only; this key's algorithm is implied by its type");
    }
    Ok(alg)
}

/// Loads the PKCS#8 key and checks it belongs to the leaf.
fn load_key(path: &Path, leaf: &Certificate, alg: SignatureAlgorithm) -> Result<KeyPairSigner> {
    let pem = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
    let (label, der) = signet_asn1_types::der::pem::decode_vec(&pem)
        .map_err(|e| anyhow::anyhow!("{}: not PEM: {e}", path.display()))?;
    if label != "PRIVATE KEY" {
        bail!(
            "{}: a {label} key; give an unencrypted PKCS#8 key (`openssl pkcs8 -topk8 -nocrypt`)",
            path.display()
        );
    }
    let signer = KeyPairSigner::from_pkcs8(alg, &der)
        .map_err(|e| anyhow::anyhow!("{}: unusable key for {alg:?}: {e:?}", path.display()))?;
    let spki = leaf.tbs_certificate().subject_public_key_info().to_der()?;
    if signer.public_key_der() != spki.as_slice() {
        bail!(
            "the key in {} does not belong to the signing certificate",
            path.display()
        );
    }
    Ok(signer)
}

/// §14.5.1 and validity: refuses a certificate that cannot sign claims now.
fn check_leaf(leaf_der: &[u8], leaf: &Certificate, now: Duration) -> Result<()> {
    check_signing_certificate(leaf_der, Purpose::ClaimSigning(&DEFAULT_SIGNER_EKUS)).map_err(
        |e| {
            anyhow::anyhow!(
                "the signing certificate does not meet the C2PA certificate profile \
                 (C2PA 2.2 §14.5.1): {e}"
            )
        },
    )?;
    let validity = leaf.tbs_certificate().validity();
    let not_before = validity.not_before.to_unix_duration();
    let not_after = validity.not_after.to_unix_duration();
    if now < not_before {
        bail!(
            "the signing certificate is not valid before {}",
            validity.not_before
        );
    }
    if now > not_after {
        bail!("the signing certificate expired on {}", validity.not_after);
    }
    Ok(())
}

/// A report's codes as a `status-codes-map`.
fn status_codes(lists: &StatusLists) -> StatusCodes {
    let entries = |list: &[signet_c2pa_validate::Status]| {
        list.iter()
            .map(|s| {
                let mut e = StatusEntry::new(s.code.as_str(), s.url.clone());
                e.explanation = s.explanation.clone();
                e
            })
            .collect()
    };
    StatusCodes {
        success: entries(&lists.success),
        informational: entries(&lists.informational),
        failure: entries(&lists.failure),
    }
}

/// A validator's report as the `validation-results-map` an ingredient v3 records.
pub(crate) fn validation_results(report: &Report) -> ValidationResults {
    ValidationResults {
        active_manifest: Some(status_codes(&report.active)),
        ingredient_deltas: report
            .ingredient_deltas
            .iter()
            .map(|d| IngredientDelta {
                ingredient_assertion_uri: d.ingredient_assertion_uri.clone(),
                validation_deltas: status_codes(&d.validation_deltas),
            })
            .collect(),
    }
}

/// Reads an ingredient file: its manifest store (if any), validated, becomes part of the
/// ingredient assertion.
fn ingredient(
    file: &definition::IngredientFile,
    trust: &TrustConfig,
    at: DateTime,
) -> Result<IngredientInput> {
    let (format, mime) = format_of(&file.path, file.format.as_deref())?;
    let mut input = IngredientInput::new(file.relationship.clone());
    input.title = Some(file.title.clone().unwrap_or_else(|| {
        file.path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default()
    }));
    input.format = Some(mime);
    input.description = file.description.clone();
    let mut f = std::fs::File::open(&file.path)
        .with_context(|| format!("opening {}", file.path.display()))?;
    let located = container::locate_seekable(format, &mut f, &ContainerLimits::default())
        .with_context(|| format!("reading {}", file.path.display()))?;
    if let Some(located) = located {
        let store = ManifestStore::from_bytes(located.store, &Limits::default())
            .with_context(|| format!("{}: unreadable manifest store", file.path.display()))?;
        f.rewind()
            .with_context(|| format!("reading {}", file.path.display()))?;
        let report = Validator::new(trust, &Verifier, at)
            .validate_asset(format, BufReader::new(&mut f))
            .map_err(|e| anyhow::anyhow!("validating {}: {e}", file.path.display()))?;
        if !report.active.failure.is_empty() {
            eprintln!(
                "warning: {} does not validate ({}); its failures are recorded in the ingredient",
                file.path.display(),
                report
                    .active
                    .failure
                    .iter()
                    .map(|s| s.code.as_str().to_owned())
                    .collect::<Vec<_>>()
                    .join(", ")
            );
        }
        input.validation_results = Some(validation_results(&report));
        input.store = Some(store);
    }
    Ok(input)
}

/// Redacts assertions from the parent's store and records them in the ingredient.
fn redact_parent(parent: &mut IngredientInput, targets: &[String]) -> Result<()> {
    let store = parent
        .store
        .take()
        .context("--redact: the parent has no manifest store")?;
    let active = store
        .active_manifest()
        .context("--redact: the parent's store has no manifest")?;
    let uris = targets
        .iter()
        .map(|t| {
            if t.starts_with("self#jumbf=") {
                Ok(t.clone())
            } else {
                active
                    .assertion(t)
                    .map(|a| a.uri())
                    .with_context(|| format!("--redact {t}: no such assertion in the parent"))
            }
        })
        .collect::<Result<Vec<_>>>()?;
    let refs: Vec<&str> = uris.iter().map(String::as_str).collect();
    let out = signet_c2pa_model::redact::redact(
        &store,
        &refs,
        signet_c2pa_model::redact::RedactionForm::Remove,
        &Limits::default(),
    )
    .map_err(|e| anyhow::anyhow!("--redact: {e}"))?;
    parent.store = Some(out.store);
    parent.redacted.extend(out.redacted);
    Ok(())
}

/// Time-stamps over HTTP (RFC 3161 with the `timestamp` module's request and checks).
struct HttpTsa {
    url: String,
    rng: SystemRng,
}

impl TimeStamper for HttpTsa {
    fn timestamp(&self, data: &[u8]) -> Result<Vec<u8>, SignatureError> {
        let mut nonce = [0u8; 16];
        self.rng
            .fill(&mut nonce)
            .map_err(|_| SignatureError::TimeStamp {
                detail: "the random source failed".into(),
            })?;
        let request = timestamp::request(data, HashAlg::Sha256, &nonce)?;
        let response = http::post(
            &self.url,
            "application/timestamp-query",
            "application/timestamp-reply",
            &request.der,
        )
        .map_err(|e| SignatureError::TimeStamp {
            detail: format!("{e:#}"),
        })?;
        Ok(timestamp::token_from_response(&response, &request)?)
    }
}

/// An output being written: a temporary file next to `target`, renamed over it by
/// [`Staged::commit`] (after a sync), removed if dropped uncommitted. Its handle can be closed
/// between passes ([`Staged::close`]) and reopened by [`Staged::file`].
struct Staged {
    tmp: PathBuf,
    target: PathBuf,
    file: Option<std::fs::File>,
    committed: bool,
}

impl Staged {
    fn create(target: &Path) -> Result<Self> {
        let dir = match target.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        let name = target
            .file_name()
            .with_context(|| format!("{}: no file name", target.display()))?
            .to_string_lossy()
            .into_owned();
        let mut suffix = [0u8; 8];
        SystemRng::new()
            .fill(&mut suffix)
            .map_err(|_| anyhow::anyhow!("the random source failed"))?;
        let tmp = dir.join(format!(
            ".{name}.{}.tmp",
            suffix
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect::<String>()
        ));
        let file = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .create_new(true)
            .open(&tmp)
            .with_context(|| format!("creating {}", tmp.display()))?;
        Ok(Self {
            tmp,
            target: target.to_path_buf(),
            file: Some(file),
            committed: false,
        })
    }

    /// The open file (reopened if it was closed).
    fn file(&mut self) -> Result<&mut std::fs::File> {
        if self.file.is_none() {
            let f = std::fs::OpenOptions::new()
                .read(true)
                .write(true)
                .open(&self.tmp)
                .with_context(|| format!("reopening {}", self.tmp.display()))?;
            self.file = Some(f);
        }
        self.file.as_mut().context("no output file")
    }

    /// Closes the handle (the file stays staged).
    fn close(&mut self) {
        self.file = None;
    }

    /// Syncs the temporary file and renames it over the target.
    fn commit(mut self) -> Result<()> {
        self.file()?.sync_all().context("syncing the output")?;
        self.close();
        std::fs::rename(&self.tmp, &self.target).with_context(|| {
            format!(
                "renaming {} to {}",
                self.tmp.display(),
                self.target.display()
            )
        })?;
        self.committed = true;
        Ok(())
    }
}

impl Drop for Staged {
    fn drop(&mut self) {
        if !self.committed {
            self.close();
            // Best effort: the error being reported matters more than a leftover file.
            let _ = std::fs::remove_file(&self.tmp);
        }
    }
}

/// Writes through `fill` to a temporary file next to `target`, syncs it and renames it over
/// `target`; on any error the temporary file is removed.
fn write_atomically(
    target: &Path,
    fill: impl FnOnce(&mut std::fs::File) -> Result<()>,
) -> Result<()> {
    let mut staged = Staged::create(target)?;
    fill(staged.file()?)?;
    staged.commit()
}

/// True when `a` and `b` name the same existing file.
fn same_file(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(x), Ok(y)) => x == y,
        _ => false,
    }
}

/// Signs as the arguments say; returns a one-line summary.
pub(crate) fn run(args: &SignArgs) -> Result<String> {
    let now = now()?;
    let (format, mime) = format_of(&args.input, args.mime.as_deref())?;
    if format == Format::Sidecar {
        bail!(
            "{}: a manifest store cannot itself be signed",
            args.input.display()
        );
    }
    if same_file(&args.input, &args.output) {
        bail!("OUT is IN: the input is never modified; choose another output path");
    }

    let ChainFile { chain, root } = load_chain(&args.cert)?;
    let leaf_der = chain.first().context("empty chain")?;
    let leaf = Certificate::from_der(leaf_der).context("decoding the signing certificate")?;
    check_leaf(leaf_der, &leaf, now)?;
    let alg = algorithm_for(&leaf, args.alg.as_deref())?;
    let signer = load_key(&args.key, &leaf, alg)?;

    let mut def = ManifestDefinition {
        format: Some(mime.clone()),
        title: args
            .output
            .file_name()
            .map(|n| n.to_string_lossy().into_owned()),
        ..ManifestDefinition::default()
    };
    // An input that already carries a store gets a new manifest on top: its store is replaced
    // by one holding the old manifests, and the input as it was is the parent ingredient.
    let has_store = {
        let mut f = std::fs::File::open(&args.input)
            .with_context(|| format!("opening {}", args.input.display()))?;
        container::locate_seekable(format, &mut f, &ContainerLimits::default())
            .with_context(|| format!("reading {}", args.input.display()))?
            .is_some()
    };
    let parent_path = match (&args.parent, has_store) {
        (_, true) if args.sidecar => bail!(
            "{} already carries a manifest store; a sidecar would leave it in place — sign \
             without --sidecar to add a manifest to it",
            args.input.display()
        ),
        (Some(p), true) if !same_file(p, &args.input) => bail!(
            "{} already carries a manifest store, so it is the parent ingredient of the new \
             manifest; omit --parent",
            args.input.display()
        ),
        (_, true) => Some(args.input.clone()),
        (p, false) => p.clone(),
    };
    let mut files = Vec::new();
    if let Some(parent) = &parent_path {
        files.push(definition::IngredientFile {
            path: parent.clone(),
            relationship: Relationship::ParentOf,
            title: None,
            format: None,
            description: None,
        });
    }
    if let Some(m) = &args.manifest {
        files.extend(definition::load(m, &mut def)?);
    }
    let mut trust = TrustConfig::new();
    for path in &args.trust_anchors {
        let pem = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
        trust
            .add_signer_anchors_for_accepted_ekus(&pem)
            .and_then(|_| trust.add_tsa_anchors(&pem))
            .map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
    }
    let at = DateTime::from_unix_duration(Duration::from_secs(now.as_secs()))
        .context("the system clock is out of range")?;
    for file in &files {
        def.ingredients.push(ingredient(file, &trust, at)?);
    }
    if !args.redact.is_empty() {
        let parent = def
            .ingredients
            .first_mut()
            .filter(|_| parent_path.is_some())
            .context("--redact applies to --parent's manifest store; give --parent")?;
        redact_parent(parent, &args.redact)?;
    }

    let ocsp_vals = if args.ocsp_staple {
        let stapled = ocsp::staple(&chain, root.as_deref(), now.as_secs(), &Verifier)?;
        if !stapled.revoked.is_empty() {
            let why = stapled.revoked.join("; ");
            if args.require_good_ocsp {
                bail!("{why}; not signed (--require-good-ocsp)");
            }
            eprintln!(
                "warning: {why}; signing anyway with the revoked answer stapled, so validators \
                 will report signingCredential.ocsp.revoked (--require-good-ocsp refuses instead)"
            );
        }
        stapled.responses
    } else {
        Vec::new()
    };
    let tsa = args.tsa.as_ref().map(|url| HttpTsa {
        url: url.clone(),
        rng: SystemRng::new(),
    });
    let timestamper: Option<&dyn TimeStamper> = match &tsa {
        Some(t) => Some(t),
        None => None,
    };
    let sign = SignOptions {
        signer: &signer,
        chain: &chain,
        timestamper,
        ocsp_vals: &ocsp_vals,
    };
    let rng = SystemRng::new();
    let mut generator = Generator::new(&def, &sign, &rng);
    generator.replace = has_store;
    // Buffered: container parsers read headers and scan JPEG entropy-coded data in small
    // pieces; the hashing passes read blocks larger than the buffer, which BufReader passes
    // straight through (no copy).
    let mut input = BufReader::with_capacity(
        64 * 1024,
        std::fs::File::open(&args.input)
            .with_context(|| format!("opening {}", args.input.display()))?,
    );
    let mut signed = None;
    if !args.fragments.is_empty() {
        signed = Some(fragments::sign(&generator, args, format, &mut input)?);
    } else {
        write_atomically(&args.output, |out| {
            if args.sidecar {
                let s = generator.sidecar(format, &mut input)?;
                out.write_all(&s.store)?;
                signed = Some(s);
            } else {
                signed = Some(generator.embed(format, &mut input, out)?);
                out.seek(SeekFrom::End(0))?;
            }
            Ok(())
        })?;
    }
    let signed = signed.context("nothing was signed")?;
    Ok(format!(
        "signed {} -> {}{}: manifest {} ({alg:?}{}{}{})",
        args.input.display(),
        args.output.display(),
        if args.sidecar {
            " (sidecar)".to_owned()
        } else if args.fragments.is_empty() {
            String::new()
        } else {
            format!(" with {} fragment(s)", args.fragments.len())
        },
        signed.manifest_label,
        if tsa.is_some() { ", time-stamped" } else { "" },
        if ocsp_vals.is_empty() {
            String::new()
        } else {
            format!(", {} OCSP response(s) stapled", ocsp_vals.len())
        },
        match (def.ingredients.len(), has_store) {
            (_, true) => format!(
                ", {} ingredient(s), the input's manifest store replaced",
                def.ingredients.len()
            ),
            (0, false) => String::new(),
            (n, false) => format!(", {n} ingredient(s)"),
        },
    ))
}

#[cfg(test)]
mod tests;
