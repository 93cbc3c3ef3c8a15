//! The `cmp-der` suite: every file of `tests/upstream/vectors/cmp/` through strict DER decoding.
//!
//! `tests/vectors/cmp-der/manifest.toml` classifies every file under the vector folder (the suite
//! fails on a file it does not list, or a listed file that is missing). Each message-bearing file
//! is decoded with `signet_asn1_types::strict` as its recorded `kind` and must re-encode to the
//! identical bytes (`roundtrip`); files that are not DER messages (keys, ASN.1 dumps, READMEs)
//! carry `kind = "none"` and a reason and produce no case. Expected failures (intentionally
//! malformed or non-canonical inputs) are listed in `exceptions.toml` with the error Signet gives.

use std::collections::BTreeSet;
use std::path::Path;

use anyhow::{Context, Result, bail};
use base64::Engine;
use serde::Deserialize;
use signet_asn1_types::cmp::{CertRepMessage, CertReqTemplateContent, PkiBody, PkiHeader};
use signet_asn1_types::crmf::{CertReqMessages, CertReqMsg, CertRequest, CertTemplate};
use signet_asn1_types::der::{Decode, Encode};
use signet_asn1_types::spki::AlgorithmIdentifierOwned;
use signet_asn1_types::strict::{self, Limits, StrictError};
use signet_asn1_types::x509_cert::Certificate;
use signet_asn1_types::x509_cert::crl::CertificateList;
use signet_asn1_types::x509_cert::request::CertReq;

use super::{Case, SuiteCtx};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Manifest {
    source: Vec<Source>,
    file: Vec<Entry>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(
    dead_code,
    reason = "provenance is recorded for readers; the runner checks folders exist"
)]
struct Source {
    folder: String,
    origin: String,
    licence: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Entry {
    path: String,
    kind: String,
    #[serde(default)]
    reason: String,
}

/// Runs the suite.
pub(crate) fn run(ctx: &SuiteCtx) -> Result<Vec<Case>> {
    let root = ctx.upstream.join("vectors/cmp");
    let text = std::fs::read_to_string(ctx.dir.join("manifest.toml"))
        .context("reading cmp-der manifest.toml")?;
    let manifest: Manifest = toml::from_str(&text).context("parsing cmp-der manifest.toml")?;
    for s in &manifest.source {
        if !root.join(&s.folder).is_dir() {
            bail!("manifest source folder {} is missing", s.folder);
        }
    }
    let listed: BTreeSet<&str> = manifest.file.iter().map(|f| f.path.as_str()).collect();
    let mut on_disk = Vec::new();
    walk(&root, &root, &mut on_disk)?;
    let mut cases = Vec::new();
    for path in &on_disk {
        if !listed.contains(path.as_str()) {
            cases.push(
                Case::new(path.clone(), "listed", "unlisted")
                    .detail("classify it in tests/vectors/cmp-der/manifest.toml"),
            );
        }
    }
    for f in &manifest.file {
        let full = root.join(&f.path);
        if !full.is_file() {
            cases.push(Case::new(f.path.clone(), "present", "missing"));
            continue;
        }
        if f.kind == "none" {
            if f.reason.trim().is_empty() {
                bail!("{}: kind = \"none\" needs a reason", f.path);
            }
            continue;
        }
        let bytes = std::fs::read(&full).with_context(|| format!("reading {}", f.path))?;
        let (actual, detail) = match check(&f.kind, &bytes) {
            Ok(n) => ("roundtrip".to_owned(), format!("{n} value(s)")),
            Err(e) => (format!("rejected: {}", short(&e)), e),
        };
        let accepts_more = false;
        cases.push(
            Case::new(f.path.clone(), "roundtrip", actual)
                .accepts_more(accepts_more)
                .detail(detail),
        );
    }
    Ok(cases)
}

/// A stable one-word-ish summary of a rejection, used as the case outcome (so exceptions can
/// name the exact error class Signet gives).
fn short(detail: &str) -> String {
    detail.split(':').next().unwrap_or(detail).trim().to_owned()
}

fn walk(root: &Path, dir: &Path, out: &mut Vec<String>) -> Result<()> {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .with_context(|| format!("listing {}", dir.display()))?
        .collect::<Result<_, _>>()?;
    entries.sort_by_key(std::fs::DirEntry::path);
    for e in entries {
        let p = e.path();
        if p.is_dir() {
            walk(root, &p, out)?;
        } else {
            out.push(
                p.strip_prefix(root)
                    .unwrap_or(&p)
                    .to_string_lossy()
                    .into_owned(),
            );
        }
    }
    Ok(())
}

fn strict_one<T>(bytes: &[u8]) -> Result<(), String>
where
    T: for<'a> Decode<'a, Error = signet_asn1_types::der::Error> + Encode,
{
    strict::decode::<T>(bytes, &Limits::default())
        .map(|_| ())
        .map_err(|e| describe(&e))
}

fn describe(e: &StrictError) -> String {
    e.to_string()
}

/// Decodes `bytes` as `kind`; returns how many values were checked.
fn check(kind: &str, bytes: &[u8]) -> Result<usize, String> {
    match kind {
        "pki-message" => strict::decode_pki_message(bytes, &Limits::default())
            .map(|_| 1)
            .map_err(|e| describe(&e)),
        "pki-message-base64" => {
            let text = String::from_utf8_lossy(bytes);
            // Upstream files wrap the base64 in comments and trailing notes (a stray quote, an
            // ASN.1 dump): take base64 characters up to the first line that is not pure base64.
            let mut b64 = String::new();
            for line in text.lines().filter(|l| !l.starts_with('#')) {
                let line = line.trim();
                let run: String = line
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '/' | '='))
                    .collect();
                b64.push_str(&run);
                if run.len() != line.len() || (line.is_empty() && !b64.is_empty()) {
                    break;
                }
            }
            let der = base64::engine::general_purpose::STANDARD
                .decode(b64)
                .map_err(|e| format!("base64: {e}"))?;
            strict::decode_pki_message(&der, &Limits::default())
                .map(|_| 1)
                .map_err(|e| describe(&e))
        }
        "pki-header" => strict_one::<PkiHeader>(bytes).map(|()| 1),
        "pki-body" => strict_one::<PkiBody>(bytes).map(|()| 1),
        "cert-rep-message" => strict_one::<CertRepMessage>(bytes).map(|()| 1),
        "cert-req-template-content" => strict_one::<CertReqTemplateContent>(bytes).map(|()| 1),
        "algorithm-identifiers" => strict_one::<Vec<AlgorithmIdentifierOwned>>(bytes).map(|()| 1),
        "cert-req-messages" => strict_one::<CertReqMessages>(bytes).map(|()| 1),
        "cert-req-msg" => strict_one::<CertReqMsg>(bytes).map(|()| 1),
        "cert-request" => strict_one::<CertRequest>(bytes).map(|()| 1),
        "cert-template" => strict_one::<CertTemplate>(bytes).map(|()| 1),
        "certificate" => strict_one::<Certificate>(bytes).map(|()| 1),
        "crl" => strict_one::<CertificateList>(bytes).map(|()| 1),
        "csr" => strict_one::<CertReq>(bytes).map(|()| 1),
        "pem" => {
            let blocks = pem_blocks(bytes)?;
            if blocks.is_empty() {
                return Err("no PEM blocks".to_owned());
            }
            for (label, der) in &blocks {
                match label.as_str() {
                    "CERTIFICATE" => strict_one::<Certificate>(der)?,
                    "CERTIFICATE REQUEST" => strict_one::<CertReq>(der)?,
                    "X509 CRL" => strict_one::<CertificateList>(der)?,
                    other => return Err(format!("unexpected PEM label {other}")),
                }
            }
            Ok(blocks.len())
        }
        other => Err(format!("manifest: unknown kind `{other}`")),
    }
}

fn pem_blocks(bytes: &[u8]) -> Result<Vec<(String, Vec<u8>)>, String> {
    let text = std::str::from_utf8(bytes).map_err(|_| "PEM is not UTF-8".to_owned())?;
    let mut out = Vec::new();
    let mut lines = text.lines();
    while let Some(line) = lines.next() {
        let Some(label) = line
            .strip_prefix("-----BEGIN ")
            .and_then(|l| l.strip_suffix("-----"))
        else {
            continue;
        };
        let mut b64 = String::new();
        for l in lines.by_ref() {
            if l.starts_with("-----END ") {
                break;
            }
            b64.push_str(l.trim());
        }
        let der = base64::engine::general_purpose::STANDARD
            .decode(&b64)
            .map_err(|e| format!("PEM base64: {e}"))?;
        out.push((label.to_owned(), der));
    }
    Ok(out)
}
