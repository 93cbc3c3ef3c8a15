//! The `c2pa-validate` suite: every asset of `tests/upstream/vectors/c2pa/` under every trust profile
//! of its `expected.json`, validated by `signet-c2pa-validate` and compared with what the
//! reference SDK (c2pa-python 0.38.1 / c2pa-rs 0.91.3) reported.
//!
//! Two cases per file and profile:
//! - `<file>@<profile>`: the validation state and the set of failure codes of the active
//!   manifest and of every ingredient delta (`Valid F=[signingCredential.untrusted] D=[]`), or
//!   `error` when the validator refused the file (the reference SDK's `error` entries);
//! - `<file>@<profile>#codes`: the success and informational codes of the active manifest.
//!
//! Profiles are rebuilt as the reference SDK was configured: `none` has no anchors and the
//! default EKUs; `rs_test` and `c2pa_trust_list` use their PEM bundle as signer anchors for
//! every EKU of their `trust_config` list and — because the reference SDK has one anchor list —
//! as TSA anchors too. The validation time is the `validated_at` of `expected.json`, so
//! certificate expiry is judged as it was for the reference.

use std::collections::BTreeSet;
use std::path::Path;

use anyhow::{Context, Result, bail};
use serde_json::Value;
use signet_asn1_types::der::DateTime;
use signet_c2pa_model::container::Format;
use signet_c2pa_validate::trust::{TrustConfig, ekus_from_config};
use signet_c2pa_validate::{Error, Report, Validator};
use signet_crypto::Verifier;

use super::{Case, SuiteCtx};

fn profile_trust(root: &Path, profile: &Value) -> Result<TrustConfig> {
    let mut trust = TrustConfig::new();
    if let Some(cfg) = profile["trust_config"].as_str() {
        let text = std::fs::read_to_string(root.join(cfg))?;
        trust.set_accepted_ekus(&ekus_from_config(&text)?);
    }
    if let Some(pem) = profile["trust_anchors"].as_str() {
        let bytes = std::fs::read(root.join(pem))?;
        trust.add_signer_anchors_for_accepted_ekus(&bytes)?;
        trust.add_tsa_anchors(&bytes)?;
    }
    Ok(trust)
}

fn format_for(mime: &str, file: &str) -> Option<Format> {
    Format::from_mime(mime).or_else(|| {
        Path::new(file)
            .extension()
            .and_then(|e| e.to_str())
            .and_then(Format::from_extension)
    })
}

fn sorted(list: &Value) -> Vec<String> {
    let set: BTreeSet<String> = list
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|v| v.as_str().map(str::to_owned))
        .collect();
    set.into_iter().collect()
}

/// `Valid F=[a,b] D=[c]` from the reference's record.
fn expected_outcome(r: &Value) -> (String, String) {
    if r.get("error").is_some() {
        return ("error".into(), "error".into());
    }
    let mut deltas = BTreeSet::new();
    if let Some(map) = r["ingredientDeltas"].as_object() {
        for d in map.values() {
            deltas.extend(sorted(&d["failure"]));
        }
    }
    let main = format!(
        "{} F=[{}] D=[{}]",
        r["validation_state"].as_str().unwrap_or("?"),
        sorted(&r["failure"]).join(","),
        deltas.into_iter().collect::<Vec<_>>().join(",")
    );
    let mut codes = sorted(&r["success"]);
    codes.extend(
        sorted(&r["informational"])
            .into_iter()
            .map(|c| format!("i:{c}")),
    );
    (main, format!("[{}]", codes.join(",")))
}

fn actual_outcome(report: &Result<Report, Error>) -> (String, String, String) {
    let report = match report {
        Ok(r) => r,
        Err(e) => return ("error".into(), "error".into(), e.to_string()),
    };
    let set = |l: &[signet_c2pa_validate::Status]| -> Vec<String> {
        let s: BTreeSet<String> = l.iter().map(|s| s.code.as_str().to_owned()).collect();
        s.into_iter().collect()
    };
    let mut deltas = BTreeSet::new();
    for d in &report.ingredient_deltas {
        deltas.extend(set(&d.validation_deltas.failure));
    }
    let main = format!(
        "{} F=[{}] D=[{}]",
        report.state.as_str(),
        set(&report.active.failure).join(","),
        deltas.into_iter().collect::<Vec<_>>().join(",")
    );
    let mut codes = set(&report.active.success);
    codes.extend(
        set(&report.active.informational)
            .into_iter()
            .map(|c| format!("i:{c}")),
    );
    let detail = report
        .active
        .failure
        .iter()
        .chain(
            report
                .ingredient_deltas
                .iter()
                .flat_map(|d| &d.validation_deltas.failure),
        )
        .map(|s| {
            format!(
                "{} ({})",
                s.code.as_str(),
                s.explanation.as_deref().unwrap_or_default()
            )
        })
        .collect::<Vec<_>>()
        .join("; ");
    (main, format!("[{}]", codes.join(",")), detail)
}

/// Runs the suite.
pub(crate) fn run(ctx: &SuiteCtx) -> Result<Vec<Case>> {
    let root = ctx.upstream.join("vectors/c2pa");
    let expected: Value = serde_json::from_str(
        &std::fs::read_to_string(root.join("expected.json")).context("reading expected.json")?,
    )?;
    let validated_at = expected["generator"]["validated_at"]
        .as_str()
        .context("validated_at")?;
    let at: DateTime = validated_at
        .get(..19)
        .map(|s| format!("{s}Z"))
        .context("validated_at")?
        .parse()
        .map_err(|e| anyhow::anyhow!("validated_at {validated_at}: {e:?}"))?;
    let profiles = expected["profiles"].as_object().context("profiles")?;
    let pairs = &expected["pairs_manifest_data"];
    let mut cases = Vec::new();
    for (name, profile) in profiles {
        let trust = profile_trust(&root, profile)?;
        let validator = Validator::new(&trust, &Verifier, at);
        for (file, vector) in expected["vectors"].as_object().context("vectors")? {
            let Some(record) = vector["results"].get(name) else {
                bail!("{file}: no result for profile {name}");
            };
            let (exp_main, exp_codes) = expected_outcome(record);
            let path = root.join(file);
            let mime = vector["mime"].as_str().unwrap_or_default();
            let report = match format_for(mime, file) {
                None => Err(Error::NoManifestStore),
                Some(format) => {
                    let asset = std::fs::File::open(&path)
                        .with_context(|| format!("opening {}", path.display()))?;
                    let asset = std::io::BufReader::new(asset);
                    match pairs[file.as_str()].as_str() {
                        Some(sidecar) => {
                            let store = std::fs::read(root.join(sidecar))?;
                            validator.validate_remote(format, store, asset)
                        }
                        None => validator.validate_asset(format, asset),
                    }
                }
            };
            let unsupported = format_for(mime, file).is_none();
            let (act_main, act_codes, detail) = actual_outcome(&report);
            let detail = if unsupported {
                format!("format {mime} not supported")
            } else {
                detail
            };
            let accepts_more = exp_main != act_main
                && (act_main.starts_with("Trusted") && !exp_main.starts_with("Trusted")
                    || act_main.starts_with("Valid") && exp_main.starts_with("Invalid"));
            cases.push(
                Case::new(format!("{file}@{name}"), exp_main, act_main)
                    .accepts_more(accepts_more)
                    .detail(detail),
            );
            cases.push(Case::new(
                format!("{file}@{name}#codes"),
                exp_codes,
                act_codes,
            ));
        }
    }
    Ok(cases)
}
