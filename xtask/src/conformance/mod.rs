//! The conformance runner: suites of vectors with recorded expectations.
//!
//! Each suite lives in `tests/vectors/<suite>/` with a `manifest.toml` (what each case is, where it
//! came from, what it should do) and an `exceptions.toml` (known divergences, each with a reason).
//! A suite produces one [`Case`] per vector; the runner sorts each into pass, known divergence,
//! unexpected failure or unexpected success, prints `SUITE: N passed, M failed, K known
//! divergences`, and fails on anything unexpected — including an exception that no longer
//! matches what happens (a stale exception hides nothing).
//!
//! Adding a suite: write `conformance/<suite>.rs` with `pub(crate) fn run(&SuiteCtx) ->
//! Result<Vec<Case>>` and add one line to [`SUITES`].

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use anyhow::{Context, Result, bail};
use serde::Deserialize;

mod c2pa_parse;
mod c2pa_validate;
mod cmp_der;
mod cmp_protection;
mod wycheproof;
mod x509_limbo;

/// One registered suite.
pub(crate) struct Suite {
    /// Name used by `--suite` and in the summary line.
    pub(crate) name: &'static str,
    /// One-line description for `--list`.
    pub(crate) about: &'static str,
    /// Runs the suite and returns one case per vector.
    pub(crate) run: fn(&SuiteCtx) -> Result<Vec<Case>>,
}

/// Every suite, in the order `cargo xtask conformance` runs them.
pub(crate) const SUITES: &[Suite] = &[
    Suite {
        name: "cmp-der",
        about: "CMP/CRMF/PKIX wire messages (OpenSSL, Siemens, RustCrypto, pyasn1, Fortanix): strict DER round trip",
        run: cmp_der::run,
    },
    Suite {
        name: "cmp-protection",
        about: "PBM, PBMAC1 and signature protection of OpenSSL and Siemens CMP flows, plus tamper checks",
        run: cmp_protection::run,
    },
    Suite {
        name: "wycheproof",
        about: "C2SP Wycheproof: ECDSA, Ed25519, RSA PSS/PKCS#1, HMAC, PBKDF2, AES key wrap",
        run: wycheproof::run,
    },
    Suite {
        name: "c2pa-parse",
        about: "C2PA assets: locate, parse and byte-identically re-serialise every manifest store",
        run: c2pa_parse::run,
    },
    Suite {
        name: "c2pa-validate",
        about: "C2PA assets x trust profiles: state and status codes equal the reference SDK's",
        run: c2pa_validate::run,
    },
    Suite {
        name: "x509-limbo",
        about: "C2SP x509-limbo chains through the C2PA path validator: no wrong accepts, >= 90% agreement",
        run: x509_limbo::run,
    },
];

/// What a suite gets to work with.
#[allow(dead_code, reason = "fields read by suites as they are added")]
pub(crate) struct SuiteCtx {
    /// `tests/upstream/` (or `$SIGNET_SHARED`).
    pub(crate) upstream: PathBuf,
    /// `tests/vectors/<suite>/` in this repository.
    pub(crate) dir: PathBuf,
}

/// The outcome of one vector.
#[derive(Debug, Clone)]
pub(crate) struct Case {
    /// Stable identifier (usually the file path relative to its vector root, or a test id).
    pub(crate) id: String,
    /// The outcome the manifest or upstream expects.
    pub(crate) expected: String,
    /// The outcome Signet produced.
    pub(crate) actual: String,
    /// True when a mismatch means Signet accepted something it should have rejected.
    pub(crate) accepts_more: bool,
    /// Human-readable detail (the error text, the differing codes, ...).
    pub(crate) detail: String,
}

#[allow(dead_code, reason = "builders used by suites as they are added")]
impl Case {
    /// A case whose outcome is a plain label (`"roundtrip"`, `"reject"`, `"valid"`, ...).
    pub(crate) fn new(
        id: impl Into<String>,
        expected: impl Into<String>,
        actual: impl Into<String>,
    ) -> Self {
        Self {
            id: id.into(),
            expected: expected.into(),
            actual: actual.into(),
            accepts_more: false,
            detail: String::new(),
        }
    }

    /// Marks a mismatch as a wrong accept (sorted as unexpected success).
    pub(crate) fn accepts_more(mut self, yes: bool) -> Self {
        self.accepts_more = yes;
        self
    }

    /// Attaches detail shown for failures and divergences.
    pub(crate) fn detail(mut self, detail: impl Into<String>) -> Self {
        self.detail = detail.into();
        self
    }
}

/// An `exceptions.toml`: root causes (`[cause.<name>] text = "..."`) written once, and the
/// known divergences, each with its own `reason` or naming the `causes` it follows from.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ExceptionsFile {
    #[serde(default)]
    cause: BTreeMap<String, Cause>,
    #[serde(default)]
    exception: Vec<RawException>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Cause {
    text: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawException {
    id: String,
    expected: String,
    actual: String,
    #[serde(default)]
    reason: Option<String>,
    #[serde(default)]
    causes: Vec<String>,
}

/// A known divergence, its reason resolved from its causes.
#[derive(Debug)]
struct Exception {
    expected: String,
    actual: String,
    #[allow(dead_code, reason = "checked when loaded; read by people in the file")]
    reason: String,
}

#[derive(Debug, Default)]
struct Tally {
    passed: usize,
    known: usize,
    unexpected_failure: Vec<String>,
    unexpected_success: Vec<String>,
}

/// Runs the named suites (all when `names` is empty) and fails on any unexpected result.
pub(crate) fn run(names: &[String]) -> Result<()> {
    for name in names {
        if !SUITES.iter().any(|s| s.name == name) {
            let known: Vec<_> = SUITES.iter().map(|s| s.name).collect();
            bail!("unknown suite `{name}`; known suites: {}", known.join(", "));
        }
    }
    let root = crate::project_root();
    let upstream = crate::upstream_dir();
    let mut failed_suites = Vec::new();
    for suite in SUITES
        .iter()
        .filter(|s| names.is_empty() || names.iter().any(|n| n == s.name))
    {
        let ctx = SuiteCtx {
            upstream: upstream.clone(),
            dir: root.join("tests/vectors").join(suite.name),
        };
        let cases =
            (suite.run)(&ctx).with_context(|| format!("suite {} could not run", suite.name))?;
        let exceptions = load_exceptions(&ctx)?;
        let tally = sort(suite.name, &cases, &exceptions)?;
        let failed = tally.unexpected_failure.len() + tally.unexpected_success.len();
        for line in tally
            .unexpected_failure
            .iter()
            .chain(&tally.unexpected_success)
        {
            println!("  {line}");
        }
        println!(
            "{}: {} passed, {} failed, {} known divergences",
            suite.name, tally.passed, failed, tally.known
        );
        if failed > 0 {
            failed_suites.push(suite.name);
        }
    }
    if !failed_suites.is_empty() {
        bail!(
            "conformance: unexpected results in {}",
            failed_suites.join(", ")
        );
    }
    Ok(())
}

fn load_exceptions(ctx: &SuiteCtx) -> Result<BTreeMap<String, Exception>> {
    let path = ctx.dir.join("exceptions.toml");
    if !path.exists() {
        return Ok(BTreeMap::new());
    }
    let text =
        std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
    parse_exceptions(&text).with_context(|| format!("{}", path.display()))
}

/// Parses an `exceptions.toml`: every exception has a reason or names causes (not both), every
/// cause it names is defined, every defined cause is named, and no id is listed twice.
fn parse_exceptions(text: &str) -> Result<BTreeMap<String, Exception>> {
    let parsed: ExceptionsFile = toml::from_str(text).context("parsing")?;
    let mut used = BTreeSet::new();
    let mut map = BTreeMap::new();
    for e in parsed.exception {
        let reason = match (e.reason, e.causes.is_empty()) {
            (Some(r), true) if !r.trim().is_empty() => r,
            (Some(_), false) => bail!("exception `{}` has both a reason and causes", e.id),
            (_, true) => bail!("exception `{}` has no reason", e.id),
            (None, false) => {
                let mut texts = Vec::new();
                for name in &e.causes {
                    let cause = parsed.cause.get(name).with_context(|| {
                        format!("exception `{}` names undefined cause `{name}`", e.id)
                    })?;
                    if cause.text.trim().is_empty() {
                        bail!("cause `{name}` has no text");
                    }
                    used.insert(name.clone());
                    texts.push(cause.text.trim().to_owned());
                }
                texts.join(" ")
            }
        };
        let id = e.id.clone();
        let exception = Exception {
            expected: e.expected,
            actual: e.actual,
            reason,
        };
        if map.insert(id.clone(), exception).is_some() {
            bail!("exception `{id}` listed twice");
        }
    }
    if let Some(unused) = parsed.cause.keys().find(|c| !used.contains(*c)) {
        bail!("cause `{unused}` is named by no exception; remove it");
    }
    Ok(map)
}

fn sort(suite: &str, cases: &[Case], exceptions: &BTreeMap<String, Exception>) -> Result<Tally> {
    let mut seen = BTreeSet::new();
    let mut tally = Tally::default();
    for case in cases {
        if !seen.insert(case.id.as_str()) {
            bail!("suite {suite} produced case `{}` twice", case.id);
        }
        let exception = exceptions.get(&case.id);
        let matches_exception =
            exception.is_some_and(|e| e.expected == case.expected && e.actual == case.actual);
        if case.expected == case.actual {
            if exception.is_some() {
                tally.unexpected_failure.push(format!(
                    "STALE EXCEPTION {}: now passes ({}); remove it from exceptions.toml",
                    case.id, case.actual
                ));
            } else {
                tally.passed += 1;
            }
        } else if matches_exception {
            tally.known += 1;
        } else {
            let line = format!(
                "{} {}: expected {}, got {}{}{}",
                if case.accepts_more {
                    "UNEXPECTED SUCCESS"
                } else {
                    "UNEXPECTED FAILURE"
                },
                case.id,
                case.expected,
                case.actual,
                if case.detail.is_empty() { "" } else { " — " },
                case.detail
            );
            if case.accepts_more {
                tally.unexpected_success.push(line);
            } else {
                tally.unexpected_failure.push(line);
            }
        }
    }
    for id in exceptions.keys() {
        if !seen.contains(id.as_str()) {
            tally.unexpected_failure.push(format!(
                "STALE EXCEPTION {id}: no such case in suite {suite}"
            ));
        }
    }
    Ok(tally)
}

#[cfg(test)]
mod tests;
