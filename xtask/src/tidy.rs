//! `cargo xtask tidy`: the workspace invariants that code review would otherwise have to remember.
//!
//! Checks: every package inherits the workspace lints, edition and rust-version; library crates do
//! not reach an async runtime, HTTP, TLS or database crate through their normal dependencies; the
//! edges between our crates are exactly those listed in ARCHITECTURE.md, which names every crate;
//! every `.rs` file opens with a `//!` header and stays under the size limit; no test is ignored or
//! expects a panic; only binaries opt out of the sans-I/O lint list; no source or manifest names
//! the team's reference folder beside the checkout (tests read the vendored `tests/upstream/`).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result, bail};
use serde_json::Value;

/// Crates that never belong under a sans-I/O library (normal dependencies, transitively).
const FORBIDDEN_IN_LIBRARIES: &[&str] = &[
    "tokio",
    "mio",
    "hyper",
    "hyper-util",
    "axum",
    "rustls",
    "tokio-rustls",
    "sqlx",
    "sqlx-core",
    "reqwest",
    "rusqlite",
];

/// Packages that are not libraries: thin binaries and developer tooling.
const NON_LIBRARIES: &[&str] = &["signet", "xtask"];

/// Largest `.rs` file tidy accepts, in lines (style guide section 8).
const MAX_FILE_LINES: usize = 1_500;

/// Marker in ARCHITECTURE.md before the fenced block that lists the edges between our crates.
const EDGES_MARKER: &str = "<!-- tidy:edges -->";

/// Runs every check and returns the problems found (empty when tidy).
pub(crate) fn check(root: &Path) -> Result<Vec<String>> {
    let mut problems = Vec::new();
    let meta = cargo_metadata(root)?;
    let members = workspace_members(&meta)?;
    check_manifests(&members, &mut problems)?;
    check_library_dependencies(&meta, &members, &mut problems)?;
    check_architecture(root, &members, &mut problems)?;
    check_sources(root, &mut problems)?;
    check_manifests_name_no_outside_folder(root, &mut problems)?;
    Ok(problems)
}

/// Prints the problems and fails when there are any.
pub(crate) fn report(problems: &[String]) -> Result<()> {
    for p in problems {
        println!("tidy: {p}");
    }
    if problems.is_empty() {
        println!("tidy: ok");
        Ok(())
    } else {
        bail!("tidy: {} problem(s)", problems.len())
    }
}

struct Member {
    name: String,
    id: String,
    manifest: PathBuf,
    /// Normal (non-dev, non-build) dependencies on other workspace members.
    internal_deps: BTreeSet<String>,
}

/// The workspace's library crates: every member but the binaries and tooling.
pub(crate) fn library_crates(root: &Path) -> Result<Vec<String>> {
    Ok(workspace_members(&cargo_metadata(root)?)?
        .into_iter()
        .map(|m| m.name)
        .filter(|name| !NON_LIBRARIES.contains(&name.as_str()))
        .collect())
}

fn cargo_metadata(root: &Path) -> Result<Value> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let out = Command::new(cargo)
        .args(["metadata", "--format-version", "1", "--locked"])
        .current_dir(root)
        .output()
        .context("running cargo metadata")?;
    if !out.status.success() {
        bail!(
            "cargo metadata failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    serde_json::from_slice(&out.stdout).context("parsing cargo metadata")
}

fn workspace_members(meta: &Value) -> Result<Vec<Member>> {
    let ids: BTreeSet<&str> = meta["workspace_members"]
        .as_array()
        .context("metadata: workspace_members")?
        .iter()
        .filter_map(Value::as_str)
        .collect();
    let packages = meta["packages"].as_array().context("metadata: packages")?;
    let names: BTreeSet<String> = packages
        .iter()
        .filter(|p| p["id"].as_str().is_some_and(|id| ids.contains(id)))
        .filter_map(|p| p["name"].as_str().map(str::to_owned))
        .collect();
    let mut members = Vec::new();
    for p in packages {
        let Some(id) = p["id"].as_str().filter(|id| ids.contains(id)) else {
            continue;
        };
        let name = p["name"].as_str().context("package name")?.to_owned();
        let manifest = PathBuf::from(p["manifest_path"].as_str().context("manifest_path")?);
        let internal_deps = p["dependencies"]
            .as_array()
            .context("dependencies")?
            .iter()
            .filter(|d| d["kind"].is_null())
            .filter_map(|d| d["name"].as_str())
            .filter(|n| names.contains(*n))
            .map(str::to_owned)
            .collect();
        members.push(Member {
            name,
            id: id.to_owned(),
            manifest,
            internal_deps,
        });
    }
    members.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(members)
}

fn check_manifests(members: &[Member], problems: &mut Vec<String>) -> Result<()> {
    for m in members {
        let text = std::fs::read_to_string(&m.manifest)
            .with_context(|| format!("reading {}", m.manifest.display()))?;
        let doc: toml::Table =
            toml::from_str(&text).with_context(|| format!("parsing {}", m.manifest.display()))?;
        let inherits = |table: Option<&toml::Value>, key: &str| {
            table
                .and_then(|t| t.get(key))
                .and_then(|v| v.get("workspace"))
                .and_then(toml::Value::as_bool)
                == Some(true)
        };
        if doc
            .get("lints")
            .and_then(|l| l.get("workspace"))
            .and_then(toml::Value::as_bool)
            != Some(true)
        {
            problems.push(format!("{}: missing `[lints] workspace = true`", m.name));
        }
        for key in ["edition", "rust-version", "license"] {
            if !inherits(doc.get("package"), key) {
                problems.push(format!(
                    "{}: `{key}` must be `{key}.workspace = true`",
                    m.name
                ));
            }
        }
    }
    Ok(())
}

fn check_library_dependencies(
    meta: &Value,
    members: &[Member],
    problems: &mut Vec<String>,
) -> Result<()> {
    // Build the normal-dependency graph from the resolve section.
    let mut graph: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for node in meta["resolve"]["nodes"]
        .as_array()
        .context("metadata: resolve.nodes")?
    {
        let id = node["id"].as_str().context("node id")?;
        let deps = node["deps"]
            .as_array()
            .context("node deps")?
            .iter()
            .filter(|d| {
                d["dep_kinds"]
                    .as_array()
                    .is_some_and(|kinds| kinds.iter().any(|k| k["kind"].is_null()))
            })
            .filter_map(|d| d["pkg"].as_str())
            .collect();
        graph.insert(id, deps);
    }
    let names: BTreeMap<&str, &str> = meta["packages"]
        .as_array()
        .context("metadata: packages")?
        .iter()
        .filter_map(|p| Some((p["id"].as_str()?, p["name"].as_str()?)))
        .collect();
    for m in members
        .iter()
        .filter(|m| !NON_LIBRARIES.contains(&m.name.as_str()))
    {
        let mut stack = vec![m.id.as_str()];
        let mut seen = BTreeSet::new();
        while let Some(id) = stack.pop() {
            if !seen.insert(id) {
                continue;
            }
            if let Some(name) = names.get(id)
                && FORBIDDEN_IN_LIBRARIES.contains(name)
            {
                problems.push(format!(
                    "{}: library depends on `{name}` (I/O belongs in binaries)",
                    m.name
                ));
            }
            stack.extend(graph.get(id).into_iter().flatten());
        }
    }
    Ok(())
}

/// Parses the edge block of ARCHITECTURE.md: lines `crate: dep, dep` (or `crate:` for none).
fn architecture_edges(text: &str) -> Result<BTreeMap<String, BTreeSet<String>>> {
    let Some((_, after)) = text.split_once(EDGES_MARKER) else {
        bail!("ARCHITECTURE.md has no `{EDGES_MARKER}` block");
    };
    let mut lines = after.lines().skip_while(|l| !l.starts_with("```"));
    lines.next();
    let mut edges = BTreeMap::new();
    for line in lines.take_while(|l| !l.starts_with("```")) {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        let Some((krate, deps)) = line.split_once(':') else {
            bail!("ARCHITECTURE.md edge line without `:`: {line}");
        };
        let deps = deps
            .split(',')
            .map(str::trim)
            .filter(|d| !d.is_empty())
            .map(str::to_owned)
            .collect();
        edges.insert(krate.trim().to_owned(), deps);
    }
    Ok(edges)
}

fn check_architecture(root: &Path, members: &[Member], problems: &mut Vec<String>) -> Result<()> {
    let path = root.join("ARCHITECTURE.md");
    let text = std::fs::read_to_string(&path).context("reading ARCHITECTURE.md")?;
    let documented = architecture_edges(&text)?;
    for m in members {
        match documented.get(&m.name) {
            None => problems.push(format!("ARCHITECTURE.md does not list crate `{}`", m.name)),
            Some(deps) if *deps != m.internal_deps => problems.push(format!(
                "ARCHITECTURE.md says `{}` depends on {:?}, Cargo.toml says {:?}",
                m.name, deps, m.internal_deps
            )),
            Some(_) => {}
        }
        let dir_name = m
            .manifest
            .parent()
            .and_then(Path::file_name)
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let headings = [format!("`crates/{dir_name}`"), format!("`{dir_name}`")];
        if !headings.iter().any(|h| text.contains(&format!("### {h}"))) {
            problems.push(format!(
                "ARCHITECTURE.md's code map does not describe `{}`",
                m.name
            ));
        }
    }
    for name in documented.keys() {
        if !members.iter().any(|m| &m.name == name) {
            problems.push(format!(
                "ARCHITECTURE.md lists `{name}`, which is not a workspace crate"
            ));
        }
    }
    Ok(())
}

fn check_sources(root: &Path, problems: &mut Vec<String>) -> Result<()> {
    let ignored = concat!("#[", "ignore");
    let should_panic = concat!("#[", "should_panic");
    let sans_io_opt_out = concat!("clippy::", "disallowed_methods");
    let mut files = Vec::new();
    for dir in ["crates", "xtask", "tests", "fuzz"] {
        collect_rs(&root.join(dir), &mut files)?;
    }
    for file in files {
        let rel = file
            .strip_prefix(root)
            .unwrap_or(&file)
            .display()
            .to_string();
        let text = std::fs::read_to_string(&file).with_context(|| format!("reading {rel}"))?;
        let first = text.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
        if !first.starts_with("//!") {
            problems.push(format!("{rel}: does not open with a `//!` header"));
        }
        let lines = text.lines().count();
        if lines > MAX_FILE_LINES {
            problems.push(format!(
                "{rel}: {lines} lines (limit {MAX_FILE_LINES}); split it"
            ));
        }
        if text.contains(ignored) || text.contains(should_panic) {
            problems.push(format!("{rel}: ignored or should-panic test"));
        }
        if let Some(found) = names_outside_folder(&text) {
            problems.push(format!(
                "{rel}: names `{found}`, a folder outside the repository; read the vendored copy \
                 under tests/upstream/ instead"
            ));
        }
        // `crates/signet` is the binary's own library (its CLI and the embedding API): I/O is
        // its job, like the binary's.
        let is_library_root = rel.starts_with("crates/")
            && rel.ends_with("src/lib.rs")
            && !NON_LIBRARIES
                .iter()
                .any(|b| rel.starts_with(&format!("crates/{b}/")));
        if is_library_root && text.contains(sans_io_opt_out) {
            problems.push(format!(
                "{rel}: a library may not opt out of the sans-I/O lints"
            ));
        }
    }
    Ok(())
}

/// The spellings of the team's reference folder beside the checkout. A clone has nothing beside
/// it, so a test or suite that reads from there cannot run; tests read `tests/upstream/`.
const OUTSIDE_FOLDERS: &[&str] = &[
    concat!("../", "shared"),
    concat!("join(\"", "shared\")"),
    concat!("shared", "/vectors"),
    concat!("shared", "/spec"),
];

/// The first spelling of a folder outside the repository that `text` contains.
fn names_outside_folder(text: &str) -> Option<&'static str> {
    OUTSIDE_FOLDERS.iter().copied().find(|p| text.contains(p))
}

/// Manifests, suite lists and exceptions (`.toml`) name vector paths too: the same rule applies.
fn check_manifests_name_no_outside_folder(root: &Path, problems: &mut Vec<String>) -> Result<()> {
    let mut files = vec![root.join("Cargo.toml")];
    for dir in ["crates", "xtask", "tests/vectors", "fuzz"] {
        collect(&root.join(dir), ".toml", &mut files)?;
    }
    for file in files {
        let rel = file
            .strip_prefix(root)
            .unwrap_or(&file)
            .display()
            .to_string();
        let text = std::fs::read_to_string(&file).with_context(|| format!("reading {rel}"))?;
        if let Some(found) = names_outside_folder(&text) {
            problems.push(format!(
                "{rel}: names `{found}`, a folder outside the repository; use tests/upstream/"
            ));
        }
    }
    Ok(())
}

fn collect_rs(dir: &Path, out: &mut Vec<PathBuf>) -> Result<()> {
    collect(dir, ".rs", out)
}

fn collect(dir: &Path, suffix: &str, out: &mut Vec<PathBuf>) -> Result<()> {
    if !dir.exists() {
        return Ok(());
    }
    for entry in std::fs::read_dir(dir).with_context(|| format!("listing {}", dir.display()))? {
        let path = entry?.path();
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        if path.is_dir() {
            if name != "target" && name != "upstream" && !name.starts_with('.') {
                collect(&path, suffix, out)?;
            }
        } else if name.ends_with(suffix) {
            out.push(path);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests;
