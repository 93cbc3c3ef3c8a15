//! `cargo xtask`: Signet's developer tasks (matklad's xtask pattern).
//!
//! - `ci`: everything CI runs, in order: fmt check, clippy `-D warnings`, tests, tidy, conformance.
//! - `tidy`: workspace invariants (lints inherited, dependency edges, ARCHITECTURE.md, file headers).
//! - `conformance [--suite S]`: the vector suites under `tests/vectors/`.
//! - `bench <c2pa>`: benchmarks with their targets, in release.
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
    /// Run everything CI runs: fmt check, clippy, tests, tidy, conformance.
    Ci,
    /// Check workspace invariants (lints, dependency edges, ARCHITECTURE.md, file headers).
    Tidy,
    /// Run conformance vector suites; exits non-zero on any unexpected result.
    Conformance {
        /// Run only this suite (repeatable). Default: all suites.
        #[arg(long = "suite")]
        suites: Vec<String>,
        /// List the available suites and exit.
        #[arg(long)]
        list: bool,
    },
    /// Run a benchmark (`c2pa`) in release and check its targets.
    Bench {
        /// Which benchmark.
        target: String,
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
        Task::Bench { target } => bench::run(&target),
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

/// The shared reference material: `$SIGNET_SHARED`, else `../shared` next to the project root.
pub(crate) fn shared_dir() -> PathBuf {
    match std::env::var_os("SIGNET_SHARED") {
        Some(dir) => PathBuf::from(dir),
        None => project_root().join("..").join("shared"),
    }
}

fn ci() -> Result<()> {
    let root = project_root();
    eprintln!("==> xtask ci: scripts/python-peers.sh (c2pa-python, pkilint)");
    let status = Command::new("bash")
        .arg(root.join("scripts/python-peers.sh"))
        .status()
        .context("running scripts/python-peers.sh")?;
    if !status.success() {
        bail!("xtask ci: installing the Python peers failed ({status})");
    }
    let steps: &[(&str, &[&str])] = &[
        ("fmt", &["fmt", "--all", "--", "--check"]),
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
        ),
        ("test", &["test", "--workspace", "--locked"]),
    ];
    for (name, args) in steps {
        eprintln!("==> xtask ci: cargo {}", args.join(" "));
        let status = Command::new(cargo())
            .args(*args)
            .current_dir(&root)
            .status()
            .with_context(|| format!("running cargo {name}"))?;
        if !status.success() {
            bail!("xtask ci: step `{name}` failed ({status})");
        }
    }
    eprintln!("==> xtask ci: tidy");
    tidy::report(&tidy::check(&root)?)?;
    eprintln!("==> xtask ci: conformance");
    conformance::run(&[])
}

fn cargo() -> String {
    std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned())
}
