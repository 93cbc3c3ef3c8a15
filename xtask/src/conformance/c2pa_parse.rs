//! The `c2pa-parse` suite: every asset of `tests/upstream/vectors/c2pa/` through `signet-c2pa-model`.
//!
//! For each file listed in `tests/vectors/c2pa-parse/manifest.toml`: locate the manifest store in
//! its container, parse the JUMBF store, decode every manifest's claim, and re-serialise the
//! store from the parsed tree, which must equal the bytes read. Outcomes:
//! `store` (all of that succeeded), `no-store` (the asset carries no manifest store),
//! `error` (the model refused the file; the detail names why).
//! A file in the vector folders that the manifest does not list fails the suite.

use std::collections::BTreeSet;
use std::path::Path;

use anyhow::{Context, Result, bail};
use serde::Deserialize;
use signet_c2pa_model::container::{self, ContainerLimits, Format};
use signet_c2pa_model::jumbf::Limits;
use signet_c2pa_model::{ManifestKind, ManifestStore};

use super::{Case, SuiteCtx};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Manifest {
    vector: Vec<Vector>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Vector {
    file: String,
    format: String,
    expected: String,
    #[serde(default)]
    note: String,
}

/// Runs the suite.
pub(crate) fn run(ctx: &SuiteCtx) -> Result<Vec<Case>> {
    let root = ctx.upstream.join("vectors/c2pa");
    let text = std::fs::read_to_string(ctx.dir.join("manifest.toml"))
        .context("reading c2pa-parse manifest.toml")?;
    let manifest: Manifest = toml::from_str(&text).context("parsing c2pa-parse manifest.toml")?;
    let listed: BTreeSet<&str> = manifest.vector.iter().map(|v| v.file.as_str()).collect();
    let mut cases = Vec::new();
    for dir in ["rs", "pt"] {
        for entry in std::fs::read_dir(root.join(dir))
            .with_context(|| format!("listing vectors/c2pa/{dir}"))?
        {
            let file_name = entry?.file_name().to_string_lossy().into_owned();
            if is_provenance(&file_name) {
                continue;
            }
            let name = format!("{dir}/{file_name}");
            if !listed.contains(name.as_str()) {
                cases.push(
                    Case::new(name, "listed in manifest.toml", "unlisted")
                        .detail("add it to tests/vectors/c2pa-parse/manifest.toml"),
                );
            }
        }
    }
    for v in &manifest.vector {
        let (actual, detail) = outcome(&root.join(&v.file), &v.format)?;
        let detail = if v.note.is_empty() {
            detail
        } else {
            format!("{detail} [{}]", v.note)
        };
        let accepts_more = v.expected != "store" && actual == "store";
        cases.push(
            Case::new(&v.file, &v.expected, actual)
                .accepts_more(accepts_more)
                .detail(detail),
        );
    }
    Ok(cases)
}

/// The licence and origin notes kept beside the vectors (`ORIGIN.md`, `LICENSE*`): not assets.
fn is_provenance(file_name: &str) -> bool {
    file_name == "ORIGIN.md" || file_name.starts_with("LICENSE")
}

fn outcome(path: &Path, format: &str) -> Result<(&'static str, String)> {
    let format = match format {
        "jpeg" => Format::Jpeg,
        "png" => Format::Png,
        "bmff" => Format::Bmff,
        "sidecar" => Format::Sidecar,
        "svg" => Format::Svg,
        "pdf" => Format::Pdf,
        "ttf" => Format::Font,
        "riff" => Format::Riff,
        "gif" => Format::Gif,
        "jxl" => Format::Jxl,
        other => bail!("manifest.toml: unknown format `{other}`"),
    };
    let file = std::fs::File::open(path).with_context(|| format!("opening {}", path.display()))?;
    let located = match container::locate_seekable(
        format,
        std::io::BufReader::new(file),
        &ContainerLimits::default(),
    ) {
        Ok(Some(l)) => l,
        Ok(None) => return Ok(("no-store", String::new())),
        Err(e) => return Ok(("error", format!("container: {e}"))),
    };
    let original = located.store.clone();
    let store = match ManifestStore::from_bytes(located.store, &Limits::default()) {
        Ok(s) => s,
        Err(e) => return Ok(("error", format!("store: {e}"))),
    };
    let mut manifests = 0usize;
    for m in store.manifests() {
        manifests += 1;
        if m.kind() == ManifestKind::Compressed {
            continue;
        }
        if let Err(e) = m.claim() {
            return Ok((
                "error",
                format!("manifest {}: {e}", m.label().unwrap_or("?")),
            ));
        }
    }
    match store.reserialize() {
        Ok(bytes) if bytes == original => Ok((
            "store",
            format!("{manifests} manifest(s), {} bytes", original.len()),
        )),
        Ok(_) => Ok((
            "error",
            "re-serialised store differs from the bytes read".to_owned(),
        )),
        Err(e) => Ok(("error", format!("re-serialise: {e}"))),
    }
}
