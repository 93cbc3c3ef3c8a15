//! `cargo xtask bench cmp`: a concurrent CMP load generator built on the `cmp-protocol` client
//! engine, run against a release `signet serve` (durable SQLite) and, in the same run, against
//! OpenSSL 3.0's mock server (`openssl cmp -port …`).
//!
//! Everything runs inside a fresh network namespace holding only `lo` (`unshare -n`), so the
//! mock server, which binds every interface, is reachable from nowhere else. The outer call
//! builds the release binaries and re-executes `target/release/xtask bench cmp` inside it.
//!
//! Phases (each `--duration` seconds, closed loop unless paced):
//! 1. signet, PBM ir+certConf, `--concurrency` clients: the peak rate;
//! 2. signet, signature cr+certConf (signed with a certificate signet issued);
//! 3. signet, PBM ir+certConf paced at half the peak: the latency under load;
//! 4. signet, PBM ir+certConf with 1,000 concurrent clients: the server's peak RSS;
//! 5. the mock server, PBM ir+certConf and signature cr+certConf (it serves one connection at
//!    a time, so more clients only queue).
//!
//! Each MAC-protected ir on signet uses its own reference number (codes are single-use), all
//! registered before the run with `signet ra register --count`.
//!
//! The load generator must not be what is measured: every phase's first messages are built
//! before its timed window (each ir/cr with a fresh P-256 key, its POP signature and its PBM
//! or signature protection), and the window covers sending them, checking every answer
//! (protection, nonces, the certified key), the certConf with its certHash and its pkiConf,
//! over keep-alive connections. The mock answers every request with the one certificate it
//! was started with, so requests to it are for that certificate's key.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use anyhow::{Context, Result, anyhow, bail};
use signet_asn1_types::crypto::SignatureAlgorithm;
use signet_asn1_types::der::DecodePem;
use signet_asn1_types::x509_cert::Certificate;
use signet_asn1_types::x509_cert::ext::pkix::SubjectKeyIdentifier;
use signet_asn1_types::x509_cert::ext::pkix::name::GeneralName;
use signet_asn1_types::x509_cert::name::Name;
use signet_cmp_protocol::client::drive::{self, Transport};
use signet_cmp_protocol::client::{
    CertificateRequest, Client, ClientConfig, Enrolling, MacAlgorithm, PinnedServer,
    RequestProtection,
};
use signet_cmp_protocol::mac::HmacAlgorithm;
use signet_crypto::{KeyPairSigner, KeyType, SystemRng, Verifier, generate_pkcs8};

use crate::project_root;

/// Options.
#[derive(Debug, Clone, clap::Args)]
pub(crate) struct Args {
    /// Seconds per phase.
    #[arg(long, default_value_t = 10)]
    duration: u64,
    /// Concurrent clients for the peak phases.
    #[arg(long, default_value_t = 48)]
    concurrency: usize,
    /// Concurrent clients for the memory phase.
    #[arg(long, default_value_t = 1000)]
    memory_concurrency: usize,
    /// Concurrent clients against the mock server.
    #[arg(long, default_value_t = 4)]
    mock_concurrency: usize,
    /// PBM iteration count of our requests (OpenSSL's default).
    #[arg(long, default_value_t = 500)]
    pbm_iterations: u32,
    /// Leave out the PostgreSQL phases (one and two nodes on the machine's PostgreSQL
    /// server, reached through its Unix socket in /var/run/postgresql).
    #[arg(long)]
    no_postgres: bool,
}

pub(crate) const INNER: &str = "SIGNET_BENCH_INNER";
pub(crate) const SUBJECT: &str = "/CN=Bench Signer/O=Signet Bench/C=US";
const MOCK_SECRET: &str = "bench-mock-secret";
/// Requests prepared per second of a closed-loop phase against signet (the phase ends early
/// if the server is faster).
const PREPARE_RATE: usize = 4_000;
/// The same against the mock server.
const MOCK_PREPARE_RATE: usize = 1_000;

pub(crate) fn run(args: &Args) -> Result<()> {
    if std::env::var_os(INNER).is_none() {
        return outer(args);
    }
    inner(args)
}

fn outer(args: &Args) -> Result<()> {
    in_namespace(
        "cmp",
        &[
            format!("--duration={}", args.duration),
            format!("--concurrency={}", args.concurrency),
            format!("--memory-concurrency={}", args.memory_concurrency),
            format!("--mock-concurrency={}", args.mock_concurrency),
            format!("--pbm-iterations={}", args.pbm_iterations),
        ]
        .into_iter()
        .chain(args.no_postgres.then(|| "--no-postgres".to_owned()))
        .collect::<Vec<_>>(),
    )
}

/// Builds the release `signet` and `xtask`, then re-executes `xtask bench <name> <args>`
/// inside a fresh network namespace holding only `lo` (`unshare -n`), with [`INNER`] set.
pub(crate) fn in_namespace(name: &str, args: &[String]) -> Result<()> {
    let root = project_root();
    eprintln!("==> bench {name}: cargo build --release -p signet -p xtask");
    let status = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
        .args(["build", "--release", "-p", "signet", "-p", "xtask"])
        .current_dir(&root)
        .status()?;
    if !status.success() {
        bail!("release build failed");
    }
    let xtask = root.join("target/release/xtask");
    let mut inner_args = vec![xtask.display().to_string(), "bench".into(), name.into()];
    inner_args.extend_from_slice(args);
    let script = format!(
        "ip link set lo up && exec {}",
        inner_args
            .iter()
            .map(|a| format!("'{a}'"))
            .collect::<Vec<_>>()
            .join(" ")
    );
    eprintln!("==> bench {name}: running inside `unshare -n` (loopback only)");
    let status = Command::new("unshare")
        .args(["-n", "sh", "-c", &script])
        .env(INNER, "1")
        .current_dir(&root)
        .status()
        .context("unshare -n (needs root or user namespaces)")?;
    if !status.success() {
        bail!("bench {name} failed ({status})");
    }
    Ok(())
}

/// Starts `signet serve` (the binary `signet`) on `data` and a free loopback port: the
/// process, its pid and its address.
pub(crate) fn start_signet(signet: &Path, data: &Path) -> Result<(Proc, u32, String)> {
    start_signet_on(signet, data, None)
}

/// The same on `database` (`--database`), if given.
fn start_signet_on(
    signet: &Path,
    data: &Path,
    database: Option<&str>,
) -> Result<(Proc, u32, String)> {
    let mut child = Command::new(signet)
        .args(["serve", "--data-dir"])
        .arg(data)
        .args(["--listen", "127.0.0.1:0"])
        .args(database.map(|d| format!("--database={d}")))
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()?;
    let stdout = child.stdout.take().ok_or_else(|| anyhow!("stdout"))?;
    let pid = child.id();
    let server = Proc(child);
    for line in BufReader::new(stdout).lines() {
        if let Some(a) = line?.strip_prefix("listening on http://") {
            return Ok((server, pid, a.to_owned()));
        }
    }
    bail!("signet serve did not start")
}

/// A child process killed when dropped.
pub(crate) struct Proc(pub(crate) Child);

impl Drop for Proc {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

pub(crate) fn now_secs() -> u64 {
    SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

fn openssl(dir: &Path, args: &[&str]) -> Result<()> {
    let out = Command::new("openssl")
        .args(args)
        .current_dir(dir)
        .output()?;
    if !out.status.success() {
        bail!("openssl {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    }
    Ok(())
}

pub(crate) fn load_cert(path: &Path) -> Result<Certificate> {
    let text = std::fs::read(path).with_context(|| path.display().to_string())?;
    Certificate::from_pem(&text).map_err(|e| anyhow!("{}: {e}", path.display()))
}

fn ski(cert: &Certificate) -> Option<Vec<u8>> {
    cert.tbs_certificate()
        .get_extension::<SubjectKeyIdentifier>()
        .ok()
        .flatten()
        .map(|(_, s)| s.0.as_bytes().to_vec())
}

pub(crate) fn subject() -> Result<Name> {
    "C=US,O=Signet Bench,CN=Bench Signer"
        .parse()
        .map_err(|e| anyhow!("{e}"))
}

/// An HTTP/1.1 keep-alive connection that reconnects when the server closes.
pub(crate) struct Http {
    addr: String,
    path: String,
    /// The request's Content-Type.
    content_type: &'static str,
    conn: Option<BufReader<TcpStream>>,
    /// Keep the connection from one transaction to the next (the mock server serves one
    /// transaction per connection, as the OpenSSL client uses it).
    reuse: bool,
}

impl Http {
    pub(crate) fn new(addr: &str, path: &str, reuse: bool) -> Self {
        Self {
            addr: addr.to_owned(),
            path: path.to_owned(),
            content_type: "application/pkixcmp",
            conn: None,
            reuse,
        }
    }

    /// The same, for requests of `content_type`.
    pub(crate) fn of_type(mut self, content_type: &'static str) -> Self {
        self.content_type = content_type;
        self
    }

    pub(crate) fn post(&mut self, body: &[u8]) -> Result<Vec<u8>> {
        if self.conn.is_none() {
            let s = TcpStream::connect(&self.addr)?;
            s.set_nodelay(true)?;
            s.set_read_timeout(Some(Duration::from_secs(30)))?;
            self.conn = Some(BufReader::new(s));
        }
        let conn = self.conn.as_mut().ok_or_else(|| anyhow!("no connection"))?;
        let head = format!(
            "POST {} HTTP/1.0\r\nHost: {}\r\nConnection: keep-alive\r\n\
             Content-Type: {}\r\nContent-Length: {}\r\n\r\n",
            self.path,
            self.addr,
            self.content_type,
            body.len()
        );
        let mut req = head.into_bytes();
        req.extend_from_slice(body);
        let result = (|| -> Result<(Vec<u8>, bool)> {
            conn.get_mut().write_all(&req)?;
            let mut status = String::new();
            conn.read_line(&mut status)?;
            if !status.contains(" 200 ") {
                bail!("HTTP status {status:?}");
            }
            let mut len = None;
            // HTTP/1.0, as OpenSSL 3.0 speaks it: the connection stays open only when the
            // response says keep-alive.
            let mut close = true;
            loop {
                let mut h = String::new();
                conn.read_line(&mut h)?;
                if h == "\r\n" || h.is_empty() {
                    break;
                }
                let lower = h.to_ascii_lowercase();
                if let Some(v) = lower.strip_prefix("content-length:") {
                    len = Some(v.trim().parse::<usize>()?);
                }
                if lower.starts_with("connection:") {
                    close = !lower.contains("keep-alive");
                }
            }
            let len = len.ok_or_else(|| anyhow!("no Content-Length"))?;
            let mut body = vec![0u8; len];
            conn.read_exact(&mut body)?;
            Ok((body, close))
        })();
        match result {
            Ok((body, close)) => {
                if close {
                    self.conn = None;
                }
                Ok(body)
            }
            Err(e) => {
                self.conn = None;
                Err(e)
            }
        }
    }
}

impl Transport for Http {
    type Error = anyhow::Error;
    fn exchange(&mut self, request: &[u8]) -> Result<Vec<u8>> {
        self.post(request)
    }
    fn wait(&mut self, seconds: u64) -> Result<()> {
        std::thread::sleep(Duration::from_secs(seconds));
        Ok(())
    }
    fn now(&self) -> u64 {
        now_secs()
    }
}

/// Where and how to send.
#[derive(Clone)]
struct Target {
    addr: String,
    path: String,
    /// Whether connections are kept alive between messages.
    reuse: bool,
    recipient: GeneralName,
    /// The server's response-signing certificate (signature flows).
    server_cert: Certificate,
}

/// What one transaction is.
#[derive(Clone)]
enum Flow {
    /// MAC-protected ir + certConf; one (reference, code) per transaction, used in order
    /// (the mock server's single code is reused).
    Pbm(Arc<Vec<(String, String)>>),
    /// Signature-protected cr + certConf with this certificate chain and key.
    Signature(Arc<(Vec<Certificate>, Vec<u8>)>),
}

/// A transaction's first message, built before the timed window: a fresh P-256 key, its
/// POP signature, the protection (PBM under its own code, or the client certificate's
/// signature), and the client state that checks the answer.
struct Prepared {
    /// Index into the PBM codes (unused for signature flows).
    code: usize,
    request: Vec<u8>,
    state: Enrolling,
}

/// Per-phase results.
struct Stats {
    /// Server CPU milliseconds per completed transaction.
    server_cpu_ms: f64,
    /// Load-generator CPU milliseconds per completed transaction (timed window only).
    client_cpu_ms: f64,
    ok: usize,
    errors: usize,
    elapsed: Duration,
    latencies: Vec<Duration>,
    first_error: Option<String>,
}

impl Stats {
    fn rate(&self) -> f64 {
        as_f64(self.ok) / self.elapsed.as_secs_f64().max(1e-9)
    }
    /// The latency at `per_mille`/1000 of the sorted samples, in milliseconds.
    fn pct(&self, per_mille: usize) -> f64 {
        let n = self.latencies.len();
        if n == 0 {
            return f64::NAN;
        }
        let i = (n - 1) * per_mille / 1000;
        self.latencies
            .get(i)
            .map_or(f64::NAN, |d| d.as_secs_f64() * 1000.0)
    }
}

pub(crate) fn mac_protection<'a>(
    secret: &'a str,
    reference: &str,
    iterations: u32,
) -> RequestProtection<'a> {
    RequestProtection::Mac {
        reference: reference.as_bytes().to_vec(),
        secret: secret.as_bytes(),
        algorithm: MacAlgorithm::Pbm {
            owf: signet_asn1_types::algorithm::DigestAlgorithm::Sha256,
            mac: HmacAlgorithm::Sha256,
            iterations,
        },
    }
}

/// The signature flow's client credentials, made once per thread.
struct SigCreds {
    signer: KeyPairSigner,
    key_id: Option<Vec<u8>>,
    chain: Vec<Certificate>,
    pinned: PinnedServer,
    config: ClientConfig,
}

impl SigCreds {
    fn new(target: &Target, creds: &(Vec<Certificate>, Vec<u8>)) -> Result<Self> {
        let (chain, pkcs8) = creds;
        let leaf = chain
            .first()
            .ok_or_else(|| anyhow!("no client certificate"))?;
        Ok(Self {
            signer: KeyPairSigner::from_pkcs8(SignatureAlgorithm::EcdsaP256Sha256Asn1, pkcs8)?,
            key_id: ski(leaf),
            config: ClientConfig::new(
                GeneralName::DirectoryName(leaf.tbs_certificate().subject().clone()),
                target.recipient.clone(),
            ),
            chain: chain.clone(),
            pinned: PinnedServer::new(&target.server_cert)?,
        })
    }

    fn protection(&self) -> RequestProtection<'_> {
        RequestProtection::Signature {
            signer: &self.signer,
            key_id: self.key_id.clone(),
            certs: self.chain.clone(),
        }
    }
}

/// Which key a prepared request certifies.
#[derive(Clone, Copy)]
enum Keys<'a> {
    /// A fresh P-256 key per request (signet issues what is asked for).
    Fresh,
    /// This PKCS#8 key every time: the mock server answers every request with the one
    /// certificate it was started with, so the request must be for that certificate's key.
    Fixed(&'a [u8]),
}

/// Builds `count` first messages of `flow` (codes from `first_code` on) on every core —
/// outside the timed window.
fn prepare(
    target: &Target,
    flow: &Flow,
    keys: Keys<'_>,
    first_code: usize,
    count: usize,
    iterations: u32,
) -> Result<Vec<Prepared>> {
    let workers = std::thread::available_parallelism().map_or(2, usize::from);
    let chunk = count.div_ceil(workers.max(1)).max(1);
    let parts = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..count)
            .step_by(chunk)
            .map(|from| {
                let to = (from + chunk).min(count);
                scope.spawn(move || {
                    prepare_range(target, flow, keys, first_code, from..to, iterations)
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().map_err(|_| anyhow!("prepare thread panicked"))?)
            .collect::<Result<Vec<_>>>()
    })?;
    Ok(parts.into_iter().flatten().collect())
}

fn prepare_range(
    target: &Target,
    flow: &Flow,
    keys: Keys<'_>,
    first_code: usize,
    jobs: std::ops::Range<usize>,
    iterations: u32,
) -> Result<Vec<Prepared>> {
    let rng = SystemRng::new();
    let verifier = Verifier;
    let sig = match flow {
        Flow::Signature(creds) => Some(SigCreds::new(target, creds)?),
        Flow::Pbm(_) => None,
    };
    let pbm_config = ClientConfig::new(
        GeneralName::DirectoryName(subject()?),
        target.recipient.clone(),
    );
    let mut out = Vec::with_capacity(jobs.len());
    for job in jobs {
        let key = match keys {
            Keys::Fresh => KeyPairSigner::from_pkcs8(
                SignatureAlgorithm::EcdsaP256Sha256Asn1,
                &generate_pkcs8(KeyType::EcdsaP256)?,
            )?,
            Keys::Fixed(pkcs8) => {
                KeyPairSigner::from_pkcs8(SignatureAlgorithm::EcdsaP256Sha256Asn1, pkcs8)?
            }
        };
        let request = CertificateRequest::for_signing_key(Some(subject()?), &key)?;
        let (code, (bytes, state)) = match (flow, &sig) {
            (Flow::Pbm(codes), _) => {
                let code = (first_code + job) % codes.len().max(1);
                let (reference, secret) = codes.get(code).ok_or_else(|| anyhow!("no code"))?;
                let client = Client::new(
                    &pbm_config,
                    mac_protection(secret, reference, iterations),
                    &verifier,
                    &rng,
                );
                (code, client.ir(&request, now_secs())?)
            }
            (Flow::Signature(_), Some(s)) => {
                let client = Client::new(&s.config, s.protection(), &verifier, &rng)
                    .with_server_trust(&s.pinned);
                (0, client.cr(&request, now_secs())?)
            }
            (Flow::Signature(_), None) => bail!("no signature credentials"),
        };
        out.push(Prepared {
            code,
            request: bytes,
            state,
        });
    }
    Ok(out)
}

/// Runs one prepared transaction to its pkiConf.
fn transaction(
    target: &Target,
    flow: &Flow,
    sig: Option<&SigCreds>,
    job: Prepared,
    http: &mut Http,
    iterations: u32,
) -> Result<()> {
    let rng = SystemRng::new();
    let verifier = Verifier;
    let start = (job.request, job.state);
    match (flow, sig) {
        (Flow::Pbm(codes), _) => {
            let (reference, secret) = codes.get(job.code).ok_or_else(|| anyhow!("no code"))?;
            let config = ClientConfig::new(
                GeneralName::DirectoryName(subject()?),
                target.recipient.clone(),
            );
            let client = Client::new(
                &config,
                mac_protection(secret, reference, iterations),
                &verifier,
                &rng,
            );
            drive::enrollment(&client, start, &drive::accept_all, http)
                .map_err(|e| anyhow!("{e}"))?;
        }
        (Flow::Signature(_), Some(s)) => {
            let client = Client::new(&s.config, s.protection(), &verifier, &rng)
                .with_server_trust(&s.pinned);
            drive::enrollment(&client, start, &drive::accept_all, http)
                .map_err(|e| anyhow!("{e}"))?;
        }
        (Flow::Signature(_), None) => bail!("no signature credentials"),
    }
    Ok(())
}

#[allow(
    clippy::too_many_arguments,
    reason = "one phase's knobs, named at each call"
)]
/// Runs `concurrency` clients for `duration` (or until the prepared requests run out);
/// `rate` paces the whole load to that many transactions per second.
fn load(
    target: &Target,
    flow: &Flow,
    concurrency: usize,
    duration: Duration,
    rate: Option<f64>,
    prepared: Vec<Prepared>,
    iterations: u32,
    server_pid: u32,
) -> Result<Stats> {
    load_across(
        std::slice::from_ref(target),
        flow,
        concurrency,
        duration,
        rate,
        prepared,
        iterations,
        &[server_pid],
    )
}

#[allow(
    clippy::too_many_arguments,
    reason = "one phase's knobs, named at each call"
)]
/// [`load`] with the clients spread over `targets` in turn (nodes of one database); the
/// server CPU is that of every process in `server_pids`.
fn load_across(
    targets: &[Target],
    flow: &Flow,
    concurrency: usize,
    duration: Duration,
    rate: Option<f64>,
    prepared: Vec<Prepared>,
    iterations: u32,
    server_pids: &[u32],
) -> Result<Stats> {
    let queue = Arc::new(std::sync::Mutex::new(prepared.into_iter().enumerate()));
    let servers_cpu = || -> f64 { server_pids.iter().map(|p| cpu_secs(&p.to_string())).sum() };
    let (server0, client0) = (servers_cpu(), cpu_secs("self"));
    let start = Instant::now();
    let deadline = start + duration;
    let mut handles = Vec::new();
    for c in 0..concurrency {
        let target = targets
            .get(c % targets.len().max(1))
            .ok_or_else(|| anyhow!("no target"))?;
        let (target, flow, queue) = (target.clone(), flow.clone(), queue.clone());
        let sig = match &flow {
            Flow::Signature(creds) => Some(SigCreds::new(&target, creds)?),
            Flow::Pbm(_) => None,
        };
        let handle = std::thread::Builder::new()
            .stack_size(256 * 1024)
            .spawn(move || {
                let mut http = Http::new(&target.addr, &target.path, target.reuse);
                let mut lat = Vec::new();
                let (mut errors, mut first_error) = (0usize, None);
                loop {
                    let next = queue.lock().ok().and_then(|mut q| q.next());
                    let Some((i, job)) = next else { break };
                    if let Some(r) = rate {
                        let due = start + Duration::from_secs_f64(as_f64(i) / r);
                        let now = Instant::now();
                        if due > now {
                            std::thread::sleep(due - now);
                        }
                    }
                    let t0 = Instant::now();
                    if t0 >= deadline {
                        break;
                    }
                    if !http.reuse {
                        http.conn = None;
                    }
                    match transaction(&target, &flow, sig.as_ref(), job, &mut http, iterations) {
                        Ok(()) => lat.push(t0.elapsed()),
                        Err(e) => {
                            errors += 1;
                            first_error.get_or_insert_with(|| e.to_string());
                        }
                    }
                }
                (lat, errors, first_error)
            })?;
        handles.push(handle);
    }
    let mut stats = Stats {
        server_cpu_ms: 0.0,
        client_cpu_ms: 0.0,
        ok: 0,
        errors: 0,
        elapsed: Duration::ZERO,
        latencies: Vec::new(),
        first_error: None,
    };
    for h in handles {
        let (lat, errors, first) = h.join().map_err(|_| anyhow!("client thread panicked"))?;
        stats.ok += lat.len();
        stats.latencies.extend(lat);
        stats.errors += errors;
        if stats.first_error.is_none() {
            stats.first_error = first;
        }
    }
    stats.elapsed = start.elapsed().min(duration.max(Duration::from_millis(1)));
    stats.latencies.sort();
    let per = |d: f64| d * 1000.0 / as_f64(stats.ok.max(1));
    stats.server_cpu_ms = per(servers_cpu() - server0);
    stats.client_cpu_ms = per(cpu_secs("self") - client0);
    // The unused prepared requests are dropped here, outside the measured window.
    drop(queue);
    Ok(stats)
}

/// CPU seconds (user + system) a process has used so far.
pub(crate) fn cpu_secs(pid: &str) -> f64 {
    let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else {
        return 0.0;
    };
    // Fields after the parenthesised command name; utime and stime are the 12th and 13th.
    let rest = stat.rsplit_once(')').map_or("", |(_, r)| r);
    let f: Vec<f64> = rest
        .split_whitespace()
        .skip(11)
        .take(2)
        .filter_map(|v| v.parse().ok())
        .collect();
    // USER_HZ is 100 on Linux.
    f.iter().sum::<f64>() / 100.0
}

pub(crate) fn peak_rss_mb(pid: u32) -> Result<f64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))?;
    let kb: f64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .ok_or_else(|| anyhow!("no VmHWM"))?;
    Ok(kb / 1024.0)
}

fn wait_port(addr: &str) -> Result<()> {
    let deadline = Instant::now() + Duration::from_secs(20);
    while Instant::now() < deadline {
        if TcpStream::connect(addr).is_ok() {
            return Ok(());
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    bail!("{addr} did not come up")
}

fn report(name: &str, s: &Stats) {
    println!(
        "| {name:<46} | {:>7.0} | {:>7.2} | {:>7.2} | {:>6} | {:>6} | {:>6.2} | {:>6.2} |",
        s.rate(),
        s.pct(500),
        s.pct(990),
        s.ok,
        s.errors,
        s.server_cpu_ms,
        s.client_cpu_ms
    );
    if let Some(e) = &s.first_error {
        println!("|   first error: {e}");
    }
}

fn inner(args: &Args) -> Result<()> {
    let root = project_root();
    let work = std::env::temp_dir().join(format!("signet-bench-{}", std::process::id()));
    std::fs::create_dir_all(&work)?;
    let _cleanup = Cleanup(work.clone());
    let signet = root.join("target/release/signet");
    let data = work.join("data");
    let dur = Duration::from_secs(args.duration);

    // Client key (written as PKCS#8 PEM for openssl too).
    let key_pkcs8 = generate_pkcs8(KeyType::EcdsaP256)?;
    let key_pem = signet_asn1_types::der::pem::encode_string(
        "PRIVATE KEY",
        signet_asn1_types::der::pem::LineEnding::LF,
        &key_pkcs8,
    )
    .map_err(|e| anyhow!("{e}"))?;
    std::fs::write(work.join("client.key"), key_pem)?;

    // signet serve, release build, durable SQLite.
    let (server, pid, addr) = start_signet(&signet, &data)?;
    let cmp_cert = load_cert(&data.join("trust/cmp-signer.pem"))?;
    let issuing = load_cert(&data.join("trust/issuing-ca.pem"))?;
    let signet_target = Target {
        addr: addr.clone(),
        path: "/.well-known/cmp".into(),
        reuse: true,
        recipient: GeneralName::DirectoryName(cmp_cert.tbs_certificate().subject().clone()),
        server_cert: cmp_cert.clone(),
    };
    // Reference numbers: enough for every PBM phase at PREPARE_RATE.
    let needed = 1 + 3 * PREPARE_RATE * usize::try_from(args.duration)?;
    eprintln!("==> registering {needed} one-time codes");
    let mut codes = register_codes(&signet, &data, None, needed)?;
    let first = Flow::Pbm(Arc::new(codes.split_off(codes.len() - 1)));
    // One certificate for the signature flows, enrolled by PBM (for the client key).
    let mut http = Http::new(&addr, "/.well-known/cmp", true);
    {
        let rng = SystemRng::new();
        let key = KeyPairSigner::from_pkcs8(SignatureAlgorithm::EcdsaP256Sha256Asn1, &key_pkcs8)?;
        let request = CertificateRequest::for_signing_key(Some(subject()?), &key)?;
        let Flow::Pbm(first_code) = &first else {
            bail!("no code");
        };
        let (reference, secret) = first_code.first().ok_or_else(|| anyhow!("no code"))?;
        let config = ClientConfig::new(
            GeneralName::DirectoryName(subject()?),
            signet_target.recipient.clone(),
        );
        let protection = mac_protection(secret, reference, args.pbm_iterations);
        let client = Client::new(&config, protection, &Verifier, &rng);
        let start = client.ir(&request, now_secs())?;
        drive::enrollment(&client, start, &drive::accept_all, &mut http)
            .map_err(|e| anyhow!("{e}"))?;
    }
    let client_cert = {
        let v: serde_json::Value = serde_json::from_slice(
            &Command::new(&signet)
                .args(["ca", "list", "--json", "--data-dir"])
                .arg(&data)
                .output()?
                .stdout,
        )?;
        let serial = v
            .as_array()
            .and_then(|a| a.iter().find(|c| c["profile"] != "ocsp-responder"))
            .and_then(|c| c["serial"].as_str())
            .ok_or_else(|| anyhow!("no enrolled certificate"))?
            .to_owned();
        let shown: serde_json::Value = serde_json::from_slice(
            &Command::new(&signet)
                .args(["ca", "show", &serial, "--json", "--data-dir"])
                .arg(&data)
                .output()?
                .stdout,
        )?;
        Certificate::from_pem(shown["pem"].as_str().unwrap_or_default().as_bytes())
            .map_err(|e| anyhow!("{e}"))?
    };
    let sig_flow = Flow::Signature(Arc::new((vec![client_cert, issuing], key_pkcs8.to_vec())));

    let pbm = Flow::Pbm(Arc::new(codes));
    let mut next_code = 0;
    let mut take = |n: usize| -> Result<Vec<Prepared>> {
        eprintln!("==> preparing {n} requests (fresh keys, POP, protection)");
        let p = prepare(
            &signet_target,
            &pbm,
            Keys::Fresh,
            next_code,
            n,
            args.pbm_iterations,
        )?;
        next_code += n;
        Ok(p)
    };
    let per_phase = PREPARE_RATE * usize::try_from(args.duration)?;

    println!();
    println!(
        "| {:<46} | {:>7} | {:>7} | {:>7} | {:>6} | {:>6} | {:>6} | {:>6} |",
        "flow (2 cores shared by server and clients)",
        "tx/s",
        "p50 ms",
        "p99 ms",
        "ok",
        "errors",
        "srv ms",
        "cli ms"
    );
    println!(
        "|{:-<48}|{:->9}|{:->9}|{:->9}|{:->8}|{:->8}|{:->8}|{:->8}|",
        "", "", "", "", "", "", "", ""
    );
    println!("(srv ms / cli ms: CPU milliseconds per transaction of the server / the clients)");
    let prepared = take(per_phase)?;
    let pbm_peak = load(
        &signet_target,
        &pbm,
        args.concurrency,
        dur,
        None,
        prepared,
        args.pbm_iterations,
        pid,
    )?;
    report(
        &format!("signet: PBM ir+certConf, {} clients", args.concurrency),
        &pbm_peak,
    );
    eprintln!("==> preparing {per_phase} signature requests");
    let prepared = prepare(
        &signet_target,
        &sig_flow,
        Keys::Fresh,
        0,
        per_phase,
        args.pbm_iterations,
    )?;
    let sig_peak = load(
        &signet_target,
        &sig_flow,
        args.concurrency,
        dur,
        None,
        prepared,
        args.pbm_iterations,
        pid,
    )?;
    report(
        &format!(
            "signet: signature cr+certConf, {} clients",
            args.concurrency
        ),
        &sig_peak,
    );
    let half = pbm_peak.rate() / 2.0;
    // Enough for the paced rate (plus slack), not more: preparing costs time.
    let paced_count = (half * as_f64(usize::try_from(args.duration)?) * 1.1).ceil();
    let prepared = take(float_count(paced_count))?;
    let paced = load(
        &signet_target,
        &pbm,
        args.concurrency,
        dur,
        Some(half),
        prepared,
        args.pbm_iterations,
        pid,
    )?;
    report(
        &format!("signet: PBM ir+certConf paced at {half:.0}/s"),
        &paced,
    );
    let prepared = take(per_phase)?;
    let mem = load(
        &signet_target,
        &pbm,
        args.memory_concurrency,
        dur,
        None,
        prepared,
        args.pbm_iterations,
        pid,
    )?;
    report(
        &format!(
            "signet: PBM ir+certConf, {} clients",
            args.memory_concurrency
        ),
        &mem,
    );
    let rss = peak_rss_mb(pid)?;
    drop(server);

    let postgres = if args.no_postgres {
        None
    } else {
        Some(postgres_phases(&signet, &work, args)?)
    };

    // OpenSSL 3.0 mock servers (one for MAC, one for signature responses).
    let w = |f: &str| work.join(f).display().to_string();
    openssl(
        &work,
        &[
            "genpkey",
            "-algorithm",
            "EC",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-out",
            "ca.key",
        ],
    )?;
    openssl(
        &work,
        &[
            "req",
            "-x509",
            "-new",
            "-key",
            "ca.key",
            "-subj",
            "/CN=Bench Mock CA",
            "-days",
            "2",
            "-out",
            "ca.pem",
        ],
    )?;
    openssl(
        &work,
        &[
            "req",
            "-new",
            "-key",
            "client.key",
            "-subj",
            "/CN=Bench Signer",
            "-out",
            "client.csr",
        ],
    )?;
    openssl(
        &work,
        &[
            "x509",
            "-req",
            "-in",
            "client.csr",
            "-CA",
            "ca.pem",
            "-CAkey",
            "ca.key",
            "-days",
            "2",
            "-CAcreateserial",
            "-out",
            "client.pem",
        ],
    )?;
    openssl(
        &work,
        &[
            "genpkey",
            "-algorithm",
            "EC",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-out",
            "srv.key",
        ],
    )?;
    openssl(
        &work,
        &[
            "req",
            "-new",
            "-key",
            "srv.key",
            "-subj",
            "/CN=Bench Mock Server",
            "-out",
            "srv.csr",
        ],
    )?;
    std::fs::write(work.join("srv.ext"), "keyUsage=digitalSignature\n")?;
    openssl(
        &work,
        &[
            "x509",
            "-req",
            "-in",
            "srv.csr",
            "-CA",
            "ca.pem",
            "-CAkey",
            "ca.key",
            "-days",
            "2",
            "-CAcreateserial",
            "-extfile",
            "srv.ext",
            "-out",
            "srv.pem",
        ],
    )?;
    let secret = format!("pass:{MOCK_SECRET}");
    let mock_pbm = Proc(
        Command::new("openssl")
            .args([
                "cmp",
                "-port",
                "18901",
                "-srv_ref",
                "bench",
                "-srv_secret",
                &secret,
            ])
            .args(["-rsp_cert", &w("client.pem"), "-rsp_capubs", &w("ca.pem")])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()?,
    );
    let mock_sig = Proc(
        Command::new("openssl")
            .args([
                "cmp",
                "-port",
                "18902",
                "-srv_cert",
                &w("srv.pem"),
                "-srv_key",
                &w("srv.key"),
            ])
            .args(["-srv_trusted", &w("ca.pem"), "-rsp_cert", &w("client.pem")])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()?,
    );
    wait_port("127.0.0.1:18901")?;
    wait_port("127.0.0.1:18902")?;
    let mock_cert = load_cert(&work.join("srv.pem"))?;
    let mock = |port: u16| Target {
        addr: format!("127.0.0.1:{port}"),
        path: "/pkix/".into(),
        reuse: false,
        recipient: GeneralName::DirectoryName(mock_cert.tbs_certificate().subject().clone()),
        server_cert: mock_cert.clone(),
    };
    let mock_codes = Flow::Pbm(Arc::new(vec![("bench".into(), MOCK_SECRET.into())]));
    let mock_count = MOCK_PREPARE_RATE * usize::try_from(args.duration)?;
    let prepared = prepare(
        &mock(18901),
        &mock_codes,
        Keys::Fixed(&key_pkcs8),
        0,
        mock_count,
        args.pbm_iterations,
    )?;
    let mock_pbm_stats = load(
        &mock(18901),
        &mock_codes,
        args.mock_concurrency,
        dur,
        None,
        prepared,
        args.pbm_iterations,
        mock_pbm.0.id(),
    )?;
    report(
        &format!(
            "openssl mock: PBM ir+certConf, {} clients",
            args.mock_concurrency
        ),
        &mock_pbm_stats,
    );
    let mock_sig_flow = Flow::Signature(Arc::new((
        vec![load_cert(&work.join("client.pem"))?],
        key_pkcs8.to_vec(),
    )));
    let prepared = prepare(
        &mock(18902),
        &mock_sig_flow,
        Keys::Fixed(&key_pkcs8),
        0,
        mock_count,
        args.pbm_iterations,
    )?;
    let mock_sig_stats = load(
        &mock(18902),
        &mock_sig_flow,
        args.mock_concurrency,
        dur,
        None,
        prepared,
        args.pbm_iterations,
        mock_sig.0.id(),
    )?;
    report(
        &format!(
            "openssl mock: signature cr+certConf, {} clients",
            args.mock_concurrency
        ),
        &mock_sig_stats,
    );
    drop(mock_pbm);
    drop(mock_sig);
    println!();
    println!(
        "signet / mock: PBM {:.1}x, signature {:.1}x",
        pbm_peak.rate() / mock_pbm_stats.rate().max(1e-9),
        sig_peak.rate() / mock_sig_stats.rate().max(1e-9)
    );
    // What the cores could carry for a server whose only cost were the cryptography every
    // PBM transaction requires: the load generator shares the cores, so its own CPU per
    // transaction plus that floor bounds every rate measured here, the 10x-mock target
    // included.
    let floor = CryptoFloor::measure(&data, args.pbm_iterations)?;
    let cores = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
    let per_tx_ms = pbm_peak.client_cpu_ms + floor.total_ms();
    let ceiling = as_f64(cores) * 1000.0 / per_tx_ms.max(1e-9);
    let ten_x_mock = 10.0 * mock_pbm_stats.rate();
    println!(
        "server cryptography per PBM transaction (one core): issuing signature {:.3} ms + \
         POP verification {:.3} ms + PBM key {:.3} ms = {:.3} ms",
        floor.issuing_signature_ms,
        floor.pop_verification_ms,
        floor.pbm_key_ms,
        floor.total_ms()
    );
    println!(
        "ceiling: {cores} cores / ({:.3} ms client CPU + {:.3} ms) = {ceiling:.0} tx/s for a \
         server with no other cost (10x mock = {ten_x_mock:.0} tx/s)",
        pbm_peak.client_cpu_ms,
        floor.total_ms()
    );
    println!(
        "server CPU per PBM transaction: {:.3} ms = {:.1}x the cryptography floor (target ≤ 2x)",
        pbm_peak.server_cpu_ms,
        pbm_peak.server_cpu_ms / floor.total_ms().max(1e-9)
    );
    println!(
        "signet peak RSS: {rss:.1} MB (VmHWM, after {} concurrent clients)",
        args.memory_concurrency
    );
    if let Some((_, two)) = &postgres {
        println!(
            "target: ≥ 1500 PBM tx/s with PostgreSQL over two nodes [{}]",
            verdict(two.rate() >= 1500.0)
        );
    }
    println!(
        "targets: ≥ 2000 PBM tx/s [{}], ≥ 10x mock [{}], p99 ≤ 20 ms at half peak [{}], RSS ≤ 150 MB [{}]",
        verdict(pbm_peak.rate() >= 2000.0),
        if pbm_peak.rate() >= ten_x_mock {
            "met"
        } else if ceiling < ten_x_mock {
            "NOT met, above this machine's ceiling"
        } else {
            "NOT met"
        },
        verdict(paced.pct(990) <= 20.0),
        verdict(rss <= 150.0)
    );
    Ok(())
}

/// `n` one-time codes for [`SUBJECT`] (`signet ra register --count`), on `database` if given:
/// (reference number, secret) pairs.
pub(crate) fn register_codes(
    signet: &Path,
    data: &Path,
    database: Option<&str>,
    n: usize,
) -> Result<Vec<(String, String)>> {
    let out = Command::new(signet)
        .args(["ra", "register", "--data-dir"])
        .arg(data)
        .args(database.map(|d| format!("--database={d}")))
        .args(["--subject", SUBJECT, "--count", &n.to_string(), "--json"])
        .env("RUST_LOG", "warn")
        .output()?;
    if !out.status.success() {
        bail!("ra register: {}", String::from_utf8_lossy(&out.stderr));
    }
    let mut codes = Vec::with_capacity(n);
    for line in String::from_utf8(out.stdout)?.lines() {
        let v: serde_json::Value = serde_json::from_str(line)?;
        codes.push((
            v["reference"].as_str().unwrap_or_default().to_owned(),
            v["secret"].as_str().unwrap_or_default().to_owned(),
        ));
    }
    Ok(codes)
}

/// The machine's PostgreSQL server's Unix socket directory: a socket is a file, so it is
/// reachable from inside the bench's network namespace, where 127.0.0.1:5432 is not.
const PG_SOCKET: &str = "/var/run/postgresql";

/// `psql` on the machine's server (the `postgres` database) over its socket.
fn psql(sql: &str) -> Result<()> {
    let out = Command::new("psql")
        .arg(format!("postgresql:///postgres?host={PG_SOCKET}"))
        .args(["-v", "ON_ERROR_STOP=1", "-q", "-c", sql])
        .output()
        .context("psql")?;
    if !out.status.success() {
        bail!("psql {sql:?}: {}", String::from_utf8_lossy(&out.stderr));
    }
    Ok(())
}

/// Drops the bench's database.
struct DropDatabase(String);

impl Drop for DropDatabase {
    fn drop(&mut self) {
        let _ = psql(&format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.0));
    }
}

/// PBM ir+certConf on PostgreSQL (a database of its own, dropped after): one `signet serve`
/// node, then two nodes (copies of one data directory) with the clients spread over both.
fn postgres_phases(signet: &Path, work: &Path, args: &Args) -> Result<(Stats, Stats)> {
    let name = format!("signet_bench_{}", std::process::id());
    psql(&format!("CREATE DATABASE {name}"))?;
    let _drop = DropDatabase(name.clone());
    let user = std::env::var("USER").unwrap_or_else(|_| "root".into());
    let url = format!("postgres://{user}@localhost/{name}?host={PG_SOCKET}");
    let data_a = work.join("pg-a");
    let data_b = work.join("pg-b");
    let (node_a, pid_a, addr_a) = start_signet_on(signet, &data_a, Some(&url))?;
    let status = Command::new("cp")
        .arg("-a")
        .arg(&data_a)
        .arg(&data_b)
        .status()?;
    if !status.success() {
        bail!("copying the data directory for node B failed");
    }
    let (node_b, pid_b, addr_b) = start_signet_on(signet, &data_b, Some(&url))?;
    let per_phase = PREPARE_RATE * usize::try_from(args.duration)?;
    let needed = 2 * per_phase;
    eprintln!("==> PostgreSQL: registering {needed} one-time codes");
    let codes = register_codes(signet, &data_a, Some(&url), needed)?;
    let cmp_cert = load_cert(&data_a.join("trust/cmp-signer.pem"))?;
    let a = Target {
        addr: addr_a,
        path: "/.well-known/cmp".into(),
        reuse: true,
        recipient: GeneralName::DirectoryName(cmp_cert.tbs_certificate().subject().clone()),
        server_cert: cmp_cert,
    };
    let b = Target {
        addr: addr_b,
        ..a.clone()
    };
    let pbm = Flow::Pbm(Arc::new(codes));
    let dur = Duration::from_secs(args.duration);
    eprintln!("==> PostgreSQL: preparing {per_phase} requests");
    let prepared = prepare(&a, &pbm, Keys::Fresh, 0, per_phase, args.pbm_iterations)?;
    let one = load_across(
        std::slice::from_ref(&a),
        &pbm,
        args.concurrency,
        dur,
        None,
        prepared,
        args.pbm_iterations,
        &[pid_a],
    )?;
    report(
        &format!(
            "PostgreSQL, 1 node: PBM ir+certConf, {} clients",
            args.concurrency
        ),
        &one,
    );
    eprintln!("==> PostgreSQL: preparing {per_phase} requests");
    let prepared = prepare(
        &a,
        &pbm,
        Keys::Fresh,
        per_phase,
        per_phase,
        args.pbm_iterations,
    )?;
    let two = load_across(
        &[a, b],
        &pbm,
        args.concurrency,
        dur,
        None,
        prepared,
        args.pbm_iterations,
        &[pid_a, pid_b],
    )?;
    report(
        &format!(
            "PostgreSQL, 2 nodes: PBM ir+certConf, {} clients",
            args.concurrency
        ),
        &two,
    );
    drop((node_a, node_b));
    Ok((one, two))
}

/// The cryptography one PBM ir+certConf costs any server, in CPU milliseconds on one core:
/// the issuing CA's signature (with the data directory's own key), the verification of a
/// P-256 POP signature (the load generator's key type) and the derivation of the request's
/// PBM key. Timed in this process, one thread, after the servers have stopped.
struct CryptoFloor {
    issuing_signature_ms: f64,
    pop_verification_ms: f64,
    pbm_key_ms: f64,
}

impl CryptoFloor {
    const ROUNDS: u32 = 300;

    fn measure(data: &Path, pbm_iterations: u32) -> Result<Self> {
        use signet_asn1_types::crypto::{SignatureVerifier, Signer};
        use signet_cmp_protocol::protection::{MacKey, ProtectionPolicy, pbm_algorithm};

        let time = |f: &mut dyn FnMut() -> Result<()>| -> Result<f64> {
            let start = Instant::now();
            for _ in 0..Self::ROUNDS {
                f()?;
            }
            Ok(start.elapsed().as_secs_f64() * 1000.0 / f64::from(Self::ROUNDS))
        };
        // A TBSCertificate-sized message.
        let message = vec![0x5a_u8; 700];

        let key_path = data.join("keys/issuing-ca.key");
        let pem = std::fs::read_to_string(&key_path)
            .with_context(|| format!("reading {}", key_path.display()))?;
        let (_, der) = signet_asn1_types::der::pem::decode_vec(pem.as_bytes())
            .map_err(|e| anyhow!("{}: {e}", key_path.display()))?;
        let issuing = KeyPairSigner::from_pkcs8_default(&der)
            .map_err(|e| anyhow!("{}: {e}", key_path.display()))?;
        let issuing_signature_ms = time(&mut || {
            issuing.sign(&message).map_err(|e| anyhow!("{e:?}"))?;
            Ok(())
        })?;

        let pop_key = KeyPairSigner::from_pkcs8(
            SignatureAlgorithm::EcdsaP256Sha256Asn1,
            &generate_pkcs8(KeyType::EcdsaP256)?,
        )?;
        let pop_spki = pop_key.public_key_der().to_vec();
        let pop_signature = pop_key.sign(&message).map_err(|e| anyhow!("{e:?}"))?;
        let pop_verification_ms = time(&mut || {
            Verifier
                .verify(
                    SignatureAlgorithm::EcdsaP256Sha256Asn1,
                    &pop_spki,
                    &message,
                    &pop_signature,
                )
                .map_err(|e| anyhow!("{e:?}"))
        })?;

        let algorithm = pbm_algorithm(&[7; 16], pbm_iterations).map_err(|e| anyhow!("{e}"))?;
        let policy = ProtectionPolicy::default();
        let pbm_key_ms = time(&mut || {
            MacKey::derive(&algorithm, b"a 32-character bench secret code", &policy)
                .map_err(|e| anyhow!("{e}"))?;
            Ok(())
        })?;
        Ok(Self {
            issuing_signature_ms,
            pop_verification_ms,
            pbm_key_ms,
        })
    }

    fn total_ms(&self) -> f64 {
        self.issuing_signature_ms + self.pop_verification_ms + self.pbm_key_ms
    }
}

/// A non-negative whole `f64` as a count.
fn float_count(x: f64) -> usize {
    format!("{:.0}", x.max(0.0)).parse().unwrap_or(0)
}

pub(crate) fn as_f64(n: usize) -> f64 {
    u32::try_from(n).map_or(f64::MAX, f64::from)
}

pub(crate) fn verdict(ok: bool) -> &'static str {
    if ok { "met" } else { "NOT met" }
}

/// Removes the scratch directory.
pub(crate) struct Cleanup(pub(crate) PathBuf);

impl Drop for Cleanup {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}
