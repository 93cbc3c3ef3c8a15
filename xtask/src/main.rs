//! `cargo xtask`: Signet's developer tasks (matklad's xtask pattern).
//!
//! - `ci`: everything CI runs, in order: fmt check, clippy `-D warnings`, tests, tidy,
//!   `cargo deny` (bans, licences, sources), conformance.
//! - `tidy`: workspace invariants (lints inherited, dependency edges, ARCHITECTURE.md, file headers).
//! - `conformance [--suite S]`: the vector suites under `tests/vectors/`.
//! - `bench cmp`: CMP server throughput, latency and memory against OpenSSL's mock server;
//!   `bench c2pa`: C2PA signing and validation against the reference SDK. Both check their
//!   targets.
#![allow(
    clippy::disallowed_methods,
    clippy::disallowed_types,
    reason = "xtask is a developer tool: files, processes and the environment are its job"
)]
#![allow(
    clippy::indexing_slicing,
    reason = "serde_json::Value indexing returns Null on a miss; it never panics"
)]

mod bench;
mod conformance;
mod fuzz;
mod tidy;

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result, bail};
use clap::{Parser, Subcommand};

/// Signet developer tasks.
#[derive(Debug, Parser)]
#[command(name = "xtask")]
struct Cli {
    #[command(subcommand)]
    task: Task,
}

#[derive(Debug, Subcommand)]
enum Task {
    /// Run everything CI runs: fmt check, clippy, tests, docs, packages, tidy, conformance,
    /// fuzz smoke runs.
    Ci,
    /// Build every fuzz target (stable toolchain, libFuzzer instrumentation) and run each for
    /// a few seconds.
    FuzzSmoke {
        /// Seconds per target.
        #[arg(long, default_value_t = FUZZ_SMOKE_SECONDS)]
        seconds: u32,
    },
    /// Check workspace invariants (lints, dependency edges, ARCHITECTURE.md, file headers).
    Tidy,
    /// Benchmarks (speed and memory targets): `bench cmp` loads `signet serve`, `bench c2pa`
    /// signs and validates against the reference SDK.
    #[command(subcommand)]
    Bench(bench::Target),
    /// Run conformance vector suites; exits non-zero on any unexpected result.
    Conformance {
        /// Run only this suite (repeatable). Default: all suites.
        #[arg(long = "suite")]
        suites: Vec<String>,
        /// List the available suites and exit.
        #[arg(long)]
        list: bool,
    },
    /// Internal: sign one file for the C2PA signing benchmark (measured as a child process).
    #[command(hide = true)]
    BenchSignChild {
        input: PathBuf,
        output: PathBuf,
        chain: PathBuf,
        key: PathBuf,
        /// Sign this many times (a `.c2pa` OUT: sidecars; 0 loads the key and stops).
        #[arg(long, default_value_t = 1)]
        repeat: u32,
    },
}

fn main() -> Result<()> {
    let cli = Cli::parse();
    match cli.task {
        Task::Ci => ci(),
        Task::Tidy => {
            let problems = tidy::check(&project_root())?;
            tidy::report(&problems)
        }
        Task::Bench(target) => bench::run(target),
        Task::FuzzSmoke { seconds } => fuzz::smoke(&project_root(), seconds),
        Task::BenchSignChild {
            input,
            output,
            chain,
            key,
            repeat,
        } => bench::c2pa_sign::child(&input, &output, &chain, &key, repeat),
        Task::Conformance { suites, list } => {
            if list {
                for suite in conformance::SUITES {
                    println!("{:<16} {}", suite.name, suite.about);
                }
                return Ok(());
            }
            conformance::run(&suites)
        }
    }
}

/// The workspace root (the parent of `xtask/`).
pub(crate) fn project_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("."))
}

/// The upstream test material (`vectors/`, `spec/`): `tests/upstream/` in this repository, a
/// byte-identical copy with each origin's licence beside it. `$SIGNET_SHARED` may name another
/// folder of the same layout instead (for example a newer copy of the team's reference material).
pub(crate) fn upstream_dir() -> PathBuf {
    match std::env::var_os("SIGNET_SHARED") {
        Some(dir) => PathBuf::from(dir),
        None => project_root().join("tests").join("upstream"),
    }
}

fn ci() -> Result<()> {
    let mut clock = StepClock::default();
    let result = ci_steps(&mut clock);
    // The step times, also when a step failed: CI has to stay well under its time budget, and
    // this says where the time goes.
    clock.report();
    result
}

/// Wall-clock time of each `xtask ci` step, in order.
#[derive(Default)]
struct StepClock {
    done: Vec<(String, std::time::Duration)>,
    current: Option<(String, std::time::Instant)>,
}

impl StepClock {
    /// Ends the running step (if any) and starts `name`.
    fn start(&mut self, name: &str) {
        self.finish();
        self.current = Some((name.to_owned(), std::time::Instant::now()));
    }

    fn finish(&mut self) {
        if let Some((name, t0)) = self.current.take() {
            self.done.push((name, t0.elapsed()));
        }
    }

    fn report(&mut self) {
        self.finish();
        let total: std::time::Duration = self.done.iter().map(|(_, d)| *d).sum();
        eprintln!("==> xtask ci: step times");
        for (name, d) in &self.done {
            eprintln!("    {name:<14} {:>7.1} s", d.as_secs_f64());
        }
        eprintln!("    {:<14} {:>7.1} s", "total", total.as_secs_f64());
    }
}

fn ci_steps(clock: &mut StepClock) -> Result<()> {
    let root = project_root();
    clock.start("system-peers");
    eprintln!(
        "==> xtask ci: scripts/system-peers.sh (openssl, socat, curl, util-linux, psql, softhsm2, \
         chromium, node)"
    );
    let status = Command::new("bash")
        .arg(root.join("scripts/system-peers.sh"))
        .status()
        .context("running scripts/system-peers.sh")?;
    if !status.success() {
        bail!("xtask ci: the system tools the tests drive are missing ({status})");
    }
    clock.start("python-peers");
    eprintln!("==> xtask ci: scripts/python-peers.sh (c2pa-python, pkilint)");
    let status = Command::new("bash")
        .arg(root.join("scripts/python-peers.sh"))
        .status()
        .context("running scripts/python-peers.sh")?;
    if !status.success() {
        bail!("xtask ci: installing the Python peers failed ({status})");
    }
    clock.start("browser-peers");
    eprintln!("==> xtask ci: scripts/browser-peers.sh (playwright-core)");
    let status = Command::new("bash")
        .arg(root.join("scripts/browser-peers.sh"))
        .status()
        .context("running scripts/browser-peers.sh")?;
    if !status.success() {
        bail!("xtask ci: installing playwright-core failed ({status})");
    }
    // Each step is one cargo invocation.
    let steps: &[CiStep] = &[
        ("fmt", &["fmt", "--all", "--", "--check"], &[]),
        (
            "clippy",
            &[
                "clippy",
                "--workspace",
                "--all-targets",
                "--locked",
                "--",
                "-D",
                "warnings",
            ],
            &[],
        ),
        // Unit, integration and doc-tests (every library crate's crate-level example), and the
        // examples are built, the embedding example among them.
        ("test", &["test", "--workspace", "--locked"], &[]),
        // The API documentation builds without a warning: broken or private intra-doc links fail.
        (
            "doc",
            &["doc", "--workspace", "--no-deps", "--locked"],
            &[("RUSTDOCFLAGS", "-D warnings")],
        ),
    ];
    for (name, args, env) in steps {
        clock.start(name);
        run_cargo(&root, name, args, env)?;
    }
    clock.start("package");
    package(&root)?;
    clock.start("tidy");
    eprintln!("==> xtask ci: tidy");
    tidy::report(&tidy::check(&root)?)?;
    clock.start("supply-chain");
    supply_chain(&root)?;
    clock.start("conformance");
    eprintln!("==> xtask ci: conformance");
    conformance::run(&[])?;
    clock.start("fuzz-smoke");
    eprintln!("==> xtask ci: fuzz-smoke");
    fuzz::smoke(&root, FUZZ_SMOKE_SECONDS)
}

/// Runs one cargo invocation of `xtask ci` in `root`; a failure names the step.
fn run_cargo(root: &Path, name: &str, args: &[&str], env: &[(&str, &str)]) -> Result<()> {
    eprintln!("==> xtask ci: cargo {}", args.join(" "));
    let status = Command::new(cargo())
        .args(args)
        .envs(env.iter().copied())
        .current_dir(root)
        .status()
        .with_context(|| format!("running cargo {name}"))?;
    if !status.success() {
        bail!("xtask ci: step `{name}` failed ({status})");
    }
    Ok(())
}

/// Every library crate packages and builds from its package alone, in dependency order (cargo
/// packages the workspace's path dependencies into a local registry first), so none reads a
/// file outside itself. `--allow-dirty` lets a developer run this before committing; CI's clone
/// is clean anyway.
///
/// The packaged crates keep version 0.1.0 between runs, and cargo treats registry crates as
/// immutable: it reuses target/package's local registry, the sources it unpacked from it into
/// CARGO_HOME, and the artifacts it compiled from them. All three are cleared first, or a crate
/// could be verified against its dependencies' previous contents.
fn package(root: &Path) -> Result<()> {
    let libraries = tidy::library_crates(root)?;
    let dir = root.join("target/package");
    if dir.exists() {
        std::fs::remove_dir_all(&dir).with_context(|| format!("clearing {}", dir.display()))?;
    }
    clear_packaged_sources()?;
    let mut clean = vec!["clean"];
    let mut package = vec!["package", "--locked", "--allow-dirty"];
    for krate in &libraries {
        clean.extend(["-p", krate.as_str()]);
        package.extend(["-p", krate.as_str()]);
    }
    run_cargo(root, "package (clean)", &clean, &[])?;
    run_cargo(root, "package", &package, &[])
}

/// Removes the sources cargo unpacked from `cargo package`'s local registries
/// (`$CARGO_HOME/registry/src/-<hash>/signet-*`): cargo unpacks a crate there once per name and
/// version and never again, so without this a later run verifies a packaged crate against its
/// dependencies' earlier contents. Only Signet's own crates, only from local (path) registries.
fn clear_packaged_sources() -> Result<()> {
    let home = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cargo")));
    let Some(src) = home.map(|h| h.join("registry/src")) else {
        return Ok(());
    };
    let Ok(registries) = std::fs::read_dir(&src) else {
        return Ok(());
    };
    for registry in registries.flatten() {
        if !registry.file_name().to_string_lossy().starts_with('-') {
            continue;
        }
        for krate in std::fs::read_dir(registry.path())?.flatten() {
            if krate.file_name().to_string_lossy().starts_with("signet-") {
                std::fs::remove_dir_all(krate.path())
                    .with_context(|| format!("clearing {}", krate.path().display()))?;
            }
        }
    }
    Ok(())
}

/// How long `xtask ci` runs each fuzz target: long enough to exercise the decoders past their
/// first inputs, short enough for CI (seven targets).
const FUZZ_SMOKE_SECONDS: u32 = 10;

/// One cargo invocation of `xtask ci`: its name, cargo's arguments, and the environment it
/// adds.
type CiStep = (
    &'static str,
    &'static [&'static str],
    &'static [(&'static str, &'static str)],
);

/// The cargo-deny release `xtask ci` installs when it is missing (pinned: its checks and
/// `deny.toml`'s schema change between releases).
const CARGO_DENY: &str = "0.20.2";

/// `cargo deny check bans licenses sources` (`deny.toml`): one version per crate unless a skip
/// says why, licences on the allow-list, crates.io only. These checks run offline; the
/// advisories check needs the advisory database from the network and is left to the maintainers'
/// scheduled runs.
fn supply_chain(root: &Path) -> Result<()> {
    let installed = Command::new(cargo())
        .args(["deny", "--version"])
        .output()
        .is_ok_and(|o| {
            o.status.success() && String::from_utf8_lossy(&o.stdout).contains(CARGO_DENY)
        });
    if !installed {
        eprintln!("==> xtask ci: cargo install cargo-deny@{CARGO_DENY} --locked");
        let status = Command::new(cargo())
            .args(["install", "--locked", &format!("cargo-deny@{CARGO_DENY}")])
            // cargo-deny's release profile is fat LTO with one codegen unit: minutes of one
            // core on a 2-core CI machine. Its checks here take a second either way.
            .env("CARGO_PROFILE_RELEASE_LTO", "off")
            .env("CARGO_PROFILE_RELEASE_CODEGEN_UNITS", "16")
            .env("CARGO_PROFILE_RELEASE_OPT_LEVEL", "1")
            .status()
            .context("installing cargo-deny")?;
        if !status.success() {
            bail!("xtask ci: installing cargo-deny failed ({status})");
        }
    }
    eprintln!("==> xtask ci: cargo deny check bans licenses sources");
    let status = Command::new(cargo())
        .args(["deny", "check", "bans", "licenses", "sources"])
        .current_dir(root)
        .status()
        .context("running cargo deny")?;
    if !status.success() {
        bail!("xtask ci: cargo deny found a supply-chain problem ({status})");
    }
    Ok(())
}

pub(crate) fn cargo() -> String {
    std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned())
}
