//! `signet c2pa verify FILE`: validate an asset's active manifest and print who signed it, when,
//! with what, what changed, and the state — or, with `--json`, the full report in the reference
//! SDK's `validation_results` shape.
//!
//! Exit status: 0 for Trusted or Valid, 1 for Invalid (or no manifest), 2 when the input could
//! not be read.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use clap::Args;
use serde_json::{Value, json};
use signet_asn1_types::der::{DateTime, Decode};
use signet_asn1_types::ocsp::{CertStatus, OcspResponse, ResponderId};
use signet_c2pa_model::HashAlg;
use signet_c2pa_model::container::Format;
use signet_c2pa_validate::binding::{HashProvider, IncrementalHash};
use signet_c2pa_validate::trust::{ID_KP_CLAIM_SIGNING, TrustConfig};
use signet_c2pa_validate::{
    Error, Report, Status, StatusCode, StatusLists, ValidationState, Validator,
};
use signet_crypto::Verifier;

use self::read_ahead::ReadAhead;

/// The official C2PA claim-signer trust list (CC BY 4.0, see `trust-lists/README.md`).
const C2PA_TRUST_LIST: &[u8] = include_bytes!("trust-lists/C2PA-TRUST-LIST.pem");
/// The official C2PA TSA trust list.
const C2PA_TSA_TRUST_LIST: &[u8] = include_bytes!("trust-lists/C2PA-TSA-TRUST-LIST.pem");

/// Arguments of `signet c2pa verify`.
#[derive(Debug, Args)]
pub(crate) struct VerifyArgs {
    /// The asset: JPEG, PNG, GIF, SVG, WebP/WAV/AVI, TIFF/DNG, JPEG XL, TrueType/OpenType, PDF,
    /// ISO BMFF (MP4, MOV, HEIF, AVIF), or a `.c2pa` manifest store; the format comes from the
    /// extension, else from the first bytes.
    pub(crate) file: PathBuf,
    /// A sidecar or remote manifest store (`.c2pa`) for the asset.
    #[arg(long)]
    pub(crate) sidecar: Option<PathBuf>,
    /// PEM bundle of claim-signer trust anchors (for every accepted EKU); repeatable.
    #[arg(long = "trust-anchors")]
    pub(crate) trust_anchors: Vec<PathBuf>,
    /// PEM bundle of time-stamping authority trust anchors; repeatable.
    #[arg(long = "tsa-anchors")]
    pub(crate) tsa_anchors: Vec<PathBuf>,
    /// Trust the official C2PA trust list and TSA trust list (embedded).
    #[arg(long = "c2pa-trust-list")]
    pub(crate) c2pa_trust_list: bool,
    /// Accepted signer EKU (dotted OID); repeatable. Default: c2pa-kp-claimSigning,
    /// id-kp-documentSigning, id-kp-emailProtection.
    #[arg(long = "eku")]
    pub(crate) ekus: Vec<String>,
    /// Validation time (RFC 3339, e.g. 2026-11-23T00:00:00Z). Default: now.
    #[arg(long)]
    pub(crate) at: Option<String>,
    /// Print the full report as JSON.
    #[arg(long)]
    pub(crate) json: bool,
    /// When no stapled or attached OCSP response decides, ask the OCSP responder named in the
    /// signing certificate (`http://` only). Off by default: the query tells the responder
    /// which credential is being validated.
    #[arg(long = "ocsp-fetch")]
    pub(crate) ocsp_fetch: bool,
}

/// OCSP over HTTP (RFC 6960 Appendix A.1: POST of the DER request), for `--ocsp-fetch`. A
/// failed fetch is no response: the validator reports `signingCredential.ocsp.inaccessible`.
/// The responses are kept (with their URL) so the summary can say which one decided.
#[derive(Default)]
struct HttpOcsp {
    fetched: Mutex<Vec<(String, Vec<u8>)>>,
}

impl signet_c2pa_validate::ocsp::OcspFetcher for HttpOcsp {
    fn fetch(&self, url: &str, request: &[u8]) -> Option<Vec<u8>> {
        let der = super::http::post(
            url,
            "application/ocsp-request",
            "application/ocsp-response",
            request,
        )
        .ok()?;
        if let Ok(mut fetched) = self.fetched.lock() {
            fetched.push((url.to_owned(), der.clone()));
        }
        Some(der)
    }
}

/// Runs the command, printing to stdout/stderr; returns the exit status.
pub(crate) fn main(args: &VerifyArgs) -> i32 {
    match run(args) {
        Ok((code, out)) => {
            print!("{out}");
            code
        }
        Err((code, message)) => {
            eprintln!("signet c2pa verify: {message}");
            code
        }
    }
}

/// The command's output and exit status, or an exit status and message.
pub(crate) fn run(args: &VerifyArgs) -> Result<(i32, String), (i32, String)> {
    let trust = trust_config(args).map_err(|e| (2, e))?;
    let at = match &args.at {
        Some(t) => parse_time(t).map_err(|e| (2, e))?,
        None => now().map_err(|e| (2, e))?,
    };
    let mut validator = Validator::new(&trust, &Verifier, at);
    validator.hashes = &AwsLcHashes;
    let fetcher = HttpOcsp::default();
    if args.ocsp_fetch {
        validator.ocsp_fetcher = Some(&fetcher);
    }
    // A collection's files are relative to the manifest: the sidecar's or the asset's directory.
    let manifest_path = args.sidecar.as_deref().unwrap_or(&args.file);
    let members = manifest_path
        .parent()
        .map(|d| {
            if d.as_os_str().is_empty() {
                Path::new(".")
            } else {
                d
            }
        })
        .and_then(collection::DirCollection::new);
    if let Some(m) = &members {
        let m: &dyn signet_c2pa_validate::binding::collection::CollectionSource = m;
        validator.collection = Some(m);
    }
    let file = std::fs::File::open(&args.file)
        .map_err(|e| (2, format!("{}: {e}", args.file.display())))?;
    let asset = ReadAhead::new(file).map_err(|e| (2, format!("{}: {e}", args.file.display())))?;
    let result = match &args.sidecar {
        Some(sidecar) => {
            let store =
                std::fs::read(sidecar).map_err(|e| (2, format!("{}: {e}", sidecar.display())))?;
            // The asset's format, when known, lets a general box hash be checked.
            match detect_format(&args.file) {
                Ok(format) => validator.validate_remote(format, store, asset),
                Err(_) => validator.validate_with_store(store, asset),
            }
        }
        None => {
            let format = detect_format(&args.file).map_err(|e| (2, e))?;
            validator.validate_asset(format, asset)
        }
    };
    let report = match result {
        Ok(r) => r,
        Err(Error::NoManifestStore) => return Err((1, "no C2PA manifest found".into())),
        Err(Error::MultipleManifestStores) => {
            return Err((
                1,
                "more than one C2PA manifest store: treated as none (C2PA 2.2 §15.5.2.1)".into(),
            ));
        }
        Err(e) => return Err((2, format!("{}: {e}", args.file.display()))),
    };
    let code = match report.state {
        ValidationState::Trusted | ValidationState::Valid => 0,
        ValidationState::Invalid => 1,
    };
    let out = if args.json {
        let mut s = serde_json::to_string_pretty(&to_json(&report)).unwrap_or_default();
        s.push('\n');
        s
    } else {
        let fetched = fetcher.fetched.into_inner().unwrap_or_default();
        let revocation = revocation_text(&report, &fetched, args.ocsp_fetch);
        summary(&args.file, &report, revocation.as_deref())
    };
    Ok((code, out))
}

/// What one OCSP response says about the certificate with serial `serial` (hex, as
/// [`signet_c2pa_validate`] reports it): `good`, `revoked at … (reason)` or `unknown`, with the
/// responder and `producedAt`. `None` when it is not a basic response about that certificate.
fn ocsp_answer(der: &[u8], serial: &str) -> Option<String> {
    let response = OcspResponse::from_der(der).ok()?;
    let basic = response.basic().ok()??;
    let single =
        basic.tbs_response_data.responses.iter().find(|r| {
            hex::encode(r.cert_id.serial_number.as_bytes()).eq_ignore_ascii_case(serial)
        })?;
    let status = match &single.cert_status {
        CertStatus::Good(_) => "good".to_owned(),
        CertStatus::Revoked(info) => format!(
            "revoked at {}{}",
            info.revocation_time.to_date_time(),
            info.revocation_reason
                .map(|r| format!(" ({})", crate::admin::crl_reason_name(r)))
                .unwrap_or_default()
        ),
        CertStatus::Unknown(_) => "unknown".to_owned(),
    };
    let responder = match &basic.tbs_response_data.responder_id {
        ResponderId::ByName(name) => name.to_string(),
        ResponderId::ByKey(hash) => format!("key hash {}", hex::encode(hash.as_bytes())),
    };
    Some(format!(
        "\"{status}\" (responder {responder}, produced at {})",
        basic.tbs_response_data.produced_at.to_date_time()
    ))
}

/// One line on what decided revocation of the signing certificate: a stapled OCSP response, one
/// fetched with `--ocsp-fetch`, or nothing (not checked, and why). `None` without a signer.
fn revocation_text(
    report: &Report,
    fetched: &[(String, Vec<u8>)],
    ocsp_fetch: bool,
) -> Option<String> {
    let signer = report.manifests.first()?.signer.as_ref()?;
    let serial = &signer.serial;
    let stapled = &signer.stapled_ocsp;
    let active = &report.active;
    let status = active
        .failure
        .iter()
        .chain(&active.success)
        .chain(&active.informational)
        .find(|s| s.code.as_str().starts_with("signingCredential.ocsp."));
    let explanation = status
        .and_then(|s| s.explanation.as_deref())
        .unwrap_or_default();
    let decided = |verdict: &str| {
        // Stapled responses are checked first and a fetch happens only when none decided: a
        // fetched answer about the signer is the one that decided.
        let source = fetched
            .iter()
            .rev()
            .find_map(|(url, der)| {
                ocsp_answer(der, serial)
                    .map(|a| format!("OCSP response fetched from {url} (--ocsp-fetch) said {a}"))
            })
            .or_else(|| {
                stapled.iter().find_map(|der| {
                    ocsp_answer(der, serial).map(|a| {
                        format!("stapled OCSP response (checked at the time of signing) said {a}")
                    })
                })
            })
            .unwrap_or_else(|| format!("an OCSP response in the manifest ({explanation})"));
        format!("{verdict}: {source}")
    };
    let nothing_stapled = if stapled.is_empty() {
        "nothing stapled".to_owned()
    } else {
        format!(
            "no stapled OCSP response counts ({} stapled: stale, not about this certificate or \
             not signed by an authorised responder)",
            stapled.len()
        )
    };
    Some(match status.map(|s| &s.code) {
        Some(&StatusCode::SigningCredentialOcspNotRevoked) => {
            let mut line = decided("not revoked");
            if explanation.contains("after the time-stamped signing")
                || explanation.contains("removeFromCRL")
            {
                let _ = write!(line, "; {}", explanation.trim_start_matches("OCSP: "));
            }
            line
        }
        Some(&StatusCode::SigningCredentialOcspRevoked) => decided("REVOKED"),
        Some(&StatusCode::SigningCredentialOcspUnknown) => decided("UNKNOWN to the responder"),
        // The validator's explanation names what was tried and why nothing counted (a stapled
        // response's reason first, then the responder's).
        Some(&StatusCode::SigningCredentialOcspInaccessible) if stapled.is_empty() => {
            format!("not checked: nothing stapled, and {explanation} (--ocsp-fetch)")
        }
        Some(&StatusCode::SigningCredentialOcspInaccessible) => {
            format!("not checked: {explanation} (--ocsp-fetch)")
        }
        _ if !ocsp_fetch => format!(
            "not checked (skipped): {nothing_stapled}, and no --ocsp-fetch to ask the responder"
        ),
        Some(&StatusCode::SigningCredentialOcspSkipped) if stapled.is_empty() => {
            format!("not checked (skipped): nothing stapled, and {explanation}")
        }
        Some(&StatusCode::SigningCredentialOcspSkipped) => {
            format!("not checked (skipped): {explanation}")
        }
        _ => format!("not checked: {nothing_stapled}"),
    })
}

/// SHA-2 from aws-lc-rs for content bindings (its assembly is about twice as fast as the
/// `sha2` crate's on SHA-NI hardware).
struct AwsLcHashes;

impl HashProvider for AwsLcHashes {
    fn start(&self, alg: HashAlg) -> Box<dyn IncrementalHash> {
        let algorithm = match alg {
            HashAlg::Sha256 => &aws_lc_rs::digest::SHA256,
            HashAlg::Sha384 => &aws_lc_rs::digest::SHA384,
            HashAlg::Sha512 => &aws_lc_rs::digest::SHA512,
        };
        Box::new(AwsLcHash(aws_lc_rs::digest::Context::new(algorithm)))
    }
}

struct AwsLcHash(aws_lc_rs::digest::Context);

impl IncrementalHash for AwsLcHash {
    fn update(&mut self, data: &[u8]) {
        self.0.update(data);
    }

    fn finish(self: Box<Self>) -> Vec<u8> {
        self.0.finish().as_ref().to_vec()
    }
}

fn trust_config(args: &VerifyArgs) -> Result<TrustConfig, String> {
    let mut trust = TrustConfig::new();
    if !args.ekus.is_empty() {
        let ekus = args
            .ekus
            .iter()
            .map(|e| {
                e.parse()
                    .map_err(|err| format!("--eku {e}: not an OID ({err})"))
            })
            .collect::<Result<Vec<_>, _>>()?;
        trust.set_accepted_ekus(&ekus);
    }
    for path in &args.trust_anchors {
        let pem = std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
        trust
            .add_signer_anchors_for_accepted_ekus(&pem)
            .map_err(|e| format!("{}: {e}", path.display()))?;
    }
    for path in &args.tsa_anchors {
        let pem = std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
        trust
            .add_tsa_anchors(&pem)
            .map_err(|e| format!("{}: {e}", path.display()))?;
    }
    if args.c2pa_trust_list {
        trust
            .add_signer_anchors(ID_KP_CLAIM_SIGNING, C2PA_TRUST_LIST)
            .map_err(|e| format!("C2PA trust list: {e}"))?;
        trust
            .add_tsa_anchors(C2PA_TSA_TRUST_LIST)
            .map_err(|e| format!("C2PA TSA trust list: {e}"))?;
    }
    Ok(trust)
}

fn parse_time(text: &str) -> Result<DateTime, String> {
    let trimmed = text.trim_end_matches('Z');
    let base = trimmed.get(..19).unwrap_or(trimmed);
    format!("{base}Z")
        .parse()
        .map_err(|e| format!("--at {text}: not an RFC 3339 UTC time ({e:?})"))
}

fn now() -> Result<DateTime, String> {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_err(|e| e.to_string())?
        .as_secs();
    DateTime::from_unix_duration(core::time::Duration::from_secs(secs)).map_err(|e| e.to_string())
}

/// The format from the file extension, else from the first bytes.
fn detect_format(path: &Path) -> Result<Format, String> {
    if let Some(f) = path
        .extension()
        .and_then(|e| e.to_str())
        .and_then(Format::from_extension)
    {
        return Ok(f);
    }
    let file = std::fs::File::open(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let mut head = Vec::with_capacity(Format::SNIFF_LEN);
    let limit = u64::try_from(Format::SNIFF_LEN).unwrap_or(u64::MAX);
    std::io::Read::read_to_end(&mut std::io::Read::take(file, limit), &mut head)
        .map_err(|e| format!("{}: {e}", path.display()))?;
    Format::sniff(&head).ok_or_else(|| {
        format!(
            "{}: unsupported format (neither its extension nor its first bytes say {})",
            path.display(),
            signet_c2pa_model::container::READABLE_FORMATS
        )
    })
}

fn status_json(s: &Status) -> Value {
    let mut m = serde_json::Map::new();
    m.insert("code".into(), json!(s.code.as_str()));
    if let Some(u) = &s.url {
        m.insert("url".into(), json!(u));
    }
    if let Some(e) = &s.explanation {
        m.insert("explanation".into(), json!(e));
    }
    Value::Object(m)
}

fn lists_json(l: &StatusLists) -> Value {
    json!({
        "success": l.success.iter().map(status_json).collect::<Vec<_>>(),
        "informational": l.informational.iter().map(status_json).collect::<Vec<_>>(),
        "failure": l.failure.iter().map(status_json).collect::<Vec<_>>(),
    })
}

/// The reference SDK's `validation_results` shape, with the state and active manifest label.
pub(crate) fn to_json(report: &Report) -> Value {
    json!({
        "active_manifest": report.active_manifest,
        "validation_results": {
            "activeManifest": lists_json(&report.active),
            "ingredientDeltas": report.ingredient_deltas.iter().map(|d| json!({
                "ingredientAssertionURI": d.ingredient_assertion_uri,
                "validationDeltas": lists_json(&d.validation_deltas),
            })).collect::<Vec<_>>(),
        },
        // Not in the reference SDK's shape: failures of manifests outside the active
        // manifest's lineage (a compressed manifest that does not decompress).
        "other_manifests": report.other_manifests.iter().map(status_json).collect::<Vec<_>>(),
        "validation_state": report.state.as_str(),
    })
}

/// The COSE name of a claim signature algorithm (C2PA 2.2 §13.2.1).
fn cose_name(alg: signet_asn1_types::crypto::SignatureAlgorithm) -> String {
    use signet_asn1_types::crypto::SignatureAlgorithm as A;
    match alg {
        A::EcdsaP256Sha256Fixed => "ES256".into(),
        A::EcdsaP384Sha384Fixed => "ES384".into(),
        A::EcdsaP521Sha512Fixed => "ES512".into(),
        A::RsaPssSha256 => "PS256".into(),
        A::RsaPssSha384 => "PS384".into(),
        A::RsaPssSha512 => "PS512".into(),
        A::Ed25519 => "Ed25519".into(),
        other => format!("{other:?}"),
    }
}

fn time_text(t: &DateTime) -> String {
    t.to_string()
}

/// The readable summary.
pub(crate) fn summary(file: &Path, report: &Report, revocation: Option<&str>) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{}: {}", file.display(), report.state.as_str());
    if let Some(m) = report.manifests.first() {
        let _ = writeln!(out, "  manifest   {}", m.label);
        if let Some(s) = &m.signer {
            let _ = writeln!(out, "  signed by  {}", s.subject);
            let _ = writeln!(out, "  issuer     {}", s.issuer);
            if let Some(alg) = s.algorithm {
                let _ = writeln!(out, "  algorithm  {}", cose_name(alg));
            }
            match &s.time_stamp {
                Some(ts) => {
                    let _ = writeln!(
                        out,
                        "  signed at  {} (time-stamp by {}, {})",
                        time_text(&ts.time),
                        ts.tsa,
                        if ts.trusted { "trusted" } else { "not trusted" }
                    );
                }
                None => {
                    let _ = writeln!(out, "  signed at  unknown (no time-stamp)");
                }
            }
            if let Some(t) = &s.claimed_time {
                let _ = writeln!(
                    out,
                    "  claims     signed at {} (not verified)",
                    time_text(t)
                );
            }
            if let Some(r) = revocation {
                let _ = writeln!(out, "  revocation {r}");
            }
        }
        if let Some(g) = &m.claim_generator {
            let _ = writeln!(out, "  generator  {g}");
        }
        if let Some(t) = &m.title {
            let _ = writeln!(out, "  title      {t}");
        }
        if !m.actions.is_empty() {
            let _ = writeln!(out, "  actions    {}", m.actions.join(", "));
        }
        for (title, rel) in &m.ingredients {
            let _ = writeln!(out, "  ingredient {title} ({rel})");
        }
    }
    let list = |out: &mut String, name: &str, items: &[Status]| {
        if items.is_empty() {
            return;
        }
        let _ = writeln!(out, "  {name}:");
        for s in items {
            let _ = writeln!(
                out,
                "    {:<40} {}",
                s.code.as_str(),
                s.explanation.as_deref().unwrap_or_default()
            );
        }
    };
    list(&mut out, "failures", &report.active.failure);
    list(&mut out, "informational", &report.active.informational);
    for d in &report.ingredient_deltas {
        if d.validation_deltas.failure.is_empty() && d.validation_deltas.informational.is_empty() {
            continue;
        }
        let _ = writeln!(out, "  ingredient {}:", d.ingredient_assertion_uri);
        list(&mut out, "  failures", &d.validation_deltas.failure);
        list(
            &mut out,
            "  informational",
            &d.validation_deltas.informational,
        );
    }
    list(
        &mut out,
        "other manifests (not validated)",
        &report.other_manifests,
    );
    out
}

mod collection;
mod read_ahead;

#[cfg(test)]
mod tests;
