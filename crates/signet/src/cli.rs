//! The `signet` command line: parses the arguments, starts the runtime and runs one command.
//!
//! - `signet serve` — the RA/CA over CMP/HTTP(S) (`serve`, `cmp`), bootstrapping a development
//!   PKI in an empty data directory (`pki`);
//! - `signet ra …` / `signet ca …` — the operator's commands (`admin`);
//! - `signet c2pa sign|verify` — the claim generator and the validator (`c2pa`).

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, Result};

use crate::{admin, c2pa, cmp, pki, serve, store, tsa};
use clap::{Parser, Subcommand};

/// Signet command line.
#[derive(Debug, Parser)]
#[command(
    name = "signet",
    version,
    about = "Signet: a PKI for content provenance"
)]
struct Cli {
    /// The database: `postgres://USER@HOST/DB` for a PostgreSQL server several `signet serve`
    /// nodes share, or `sqlite:PATH`; default `DATA_DIR/signet.db` (SQLite). Give the
    /// operator commands (`signet ra …`, `signet ca …`) the same one.
    #[arg(long, global = true, env = "SIGNET_DATABASE")]
    database: Option<String>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the RA/CA over CMP/HTTP(S); bootstraps a development PKI in an empty data directory.
    Serve(ServeArgs),
    /// Registration authority: reference numbers, pending enrollments.
    #[command(subcommand)]
    Ra(admin::RaCommand),
    /// Certification authority: issued certificates.
    #[command(subcommand)]
    Ca(admin::CaCommand),
    /// C2PA manifests: sign and verify assets.
    #[command(subcommand)]
    C2pa(c2pa::C2paCommand),
    /// Key custody: move the CA's keys onto a PKCS#11 token.
    #[command(subcommand)]
    Keys(admin::KeysCommand),
    /// The audit log: verify its hash chain, export it.
    #[command(subcommand)]
    Audit(admin::AuditCommand),
    /// Operators of the REST API and the web console: admit by TLS client certificate or
    /// password, list.
    #[command(subcommand)]
    Operator(admin::OperatorCommand),
    /// The self-service portal's authentication bases: add people, reset their secrets.
    #[command(subcommand)]
    Portal(admin::PortalCommand),
}

#[derive(Debug, clap::Args)]
struct ServeArgs {
    /// Data directory (keys, trust material, policy, database).
    #[arg(long, default_value = "./signet-data")]
    data_dir: PathBuf,
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:8080")]
    listen: SocketAddr,
    /// Base URL of the CRL, OCSP and CA-certificate endpoints, written into certificates at
    /// bootstrap (default: http://LISTEN). RFC 5280 §4.2.1.13 wants http URIs there; with
    /// --tls-cert, point this at a plain-HTTP front for those paths.
    #[arg(long)]
    public_url: Option<String>,
    /// TLS certificate chain (PEM); enables HTTPS.
    #[arg(long, requires = "tls_key")]
    tls_cert: Option<PathBuf>,
    /// TLS private key (PEM).
    #[arg(long, requires = "tls_cert")]
    tls_key: Option<PathBuf>,
    /// Require client certificates issued by these CAs (PEM): mutual TLS.
    #[arg(long, requires = "tls_cert")]
    tls_client_ca: Option<PathBuf>,
    /// confirmWaitTime: seconds an issued certificate waits for its certConf before it is
    /// revoked.
    #[arg(long, default_value_t = 300)]
    confirm_wait: u64,
    /// Seconds a pending (manual approval) enrollment stays open.
    #[arg(long, default_value_t = 86_400)]
    pending_wait: u64,
    /// Largest request body in bytes (larger is 413).
    #[arg(long, default_value_t = 256 * 1024)]
    max_body: usize,
    /// Most connections served at once. When all are taken an idle one (no request in
    /// flight) is closed to make room, from the address holding the most.
    #[arg(long, default_value_t = 4096)]
    max_connections: usize,
    /// Most connections from one client address; further ones are closed at once (default: a
    /// quarter of --max-connections).
    #[arg(long)]
    max_connections_per_address: Option<usize>,
    /// Worker threads (default: one per core).
    #[arg(long)]
    workers: Option<usize>,
}

/// Runs the command line of the `signet` binary: logs to stderr (`RUST_LOG`, default `info`),
/// parses `std::env::args`, and runs the command on a Tokio runtime. `signet c2pa …` exits the
/// process with its own status (0 Trusted/Valid, 1 Invalid, 2 unreadable input).
pub fn run() -> Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    let workers = match &cli.command {
        Command::Serve(a) => a.workers,
        _ => Some(1),
    };
    let mut rt = tokio::runtime::Builder::new_multi_thread();
    rt.enable_all();
    if let Some(n) = workers {
        rt.worker_threads(n.max(1));
    }
    let rt = rt.build()?;
    rt.block_on(async move {
        match cli.command {
            Command::Serve(args) => serve_command(args, cli.database.as_deref()).await,
            Command::Ra(c) => admin::ra(c, cli.database.as_deref()).await,
            Command::Ca(c) => admin::ca(c, cli.database.as_deref()).await,
            Command::Keys(c) => admin::keys(c),
            Command::Operator(c) => admin::operator(c),
            Command::Portal(c) => admin::portal(c, cli.database.as_deref()).await,
            Command::Audit(c) => admin::audit(c, cli.database.as_deref()).await,
            // Synchronous; reports through the exit status (0 Trusted/Valid, 1 Invalid,
            // 2 unreadable input).
            Command::C2pa(c) => std::process::exit(c2pa::run(c)),
        }
    })
}

async fn serve_command(args: ServeArgs, database: Option<&str>) -> Result<()> {
    let dir = &args.data_dir;
    let tls = args
        .tls_cert
        .clone()
        .zip(args.tls_key.clone())
        .map(|(cert, key)| serve::TlsFiles {
            cert,
            key,
            client_ca: args.tls_client_ca.clone(),
        });
    let scheme = if tls.is_some() { "https" } else { "http" };
    // Bind first: a port already in use fails before anything is created.
    let listener = tokio::net::TcpListener::bind(args.listen)
        .await
        .with_context(|| format!("listening on {}", args.listen))?;
    let local = listener.local_addr()?;
    let fresh = !pki::is_bootstrapped(dir);
    if fresh {
        let url = args
            .public_url
            .clone()
            .unwrap_or_else(|| format!("http://{local}"));
        pki::bootstrap(dir, &url).with_context(|| format!("bootstrapping {}", dir.display()))?;
    }
    let pki = pki::load(dir).with_context(|| format!("loading {}", dir.display()))?;
    let store = store::Store::open_at(&store::Location::of(dir, database)?).await?;
    let settings = cmp::CmpSettings {
        confirm_wait: Duration::from_secs(args.confirm_wait),
        pending_wait: Duration::from_secs(args.pending_wait),
    };
    let tsa = Arc::new(tsa::Tsa::new(pki::load_tsa(dir)?)?);
    let ca = Arc::new(cmp::Ca::new(pki, store, settings));
    ca.record_start(&local.to_string()).await?;
    ca.start_background();
    if fresh {
        admin::print_first_steps(dir, &format!("{scheme}://{local}"), &ca).await?;
    }
    tracing::info!(listen = %local, data_dir = %dir.display(), tls = tls.is_some(), "serving CMP");
    // Before the address is announced: a SIGTERM right after it must stop the server cleanly.
    let signals = serve::Shutdown::install()?;
    // For tests and scripts: the address actually bound (port 0 picks one).
    println!("listening on {scheme}://{local}");
    serve::run(
        ca,
        tsa,
        listener,
        tls,
        serve::HttpSettings {
            max_body: args.max_body,
            read_timeout: Duration::from_secs(10),
            max_connections: args.max_connections,
            max_connections_per_address: args
                .max_connections_per_address
                .unwrap_or(args.max_connections / 4)
                .max(1),
            shutdown_grace: Duration::from_secs(10),
            operators: Arc::new(crate::api::Operators::load(dir)?),
            sessions: Arc::default(),
        },
        signals,
    )
    .await
}
