//! Embedding Signet's RA/CA in another HTTP server.
//!
//! [`Signet::open`] loads (or, in an empty directory, bootstraps) a data directory exactly as
//! `signet serve` does; [`Signet::handle`] answers one HTTP request of `signet serve`'s routes —
//! CMP over HTTP (RFC 9811: `POST /.well-known/cmp`, `/.well-known/cmp/p/<profile>`), the CA
//! certificates, CRLs, OCSP (RFC 6960 Appendix A) and the time-stamping unit (RFC 3161) — with
//! the same limits. Requests it does not route get 404, so a host server mounts it on the paths
//! it wants (or as its fallback) beside its own routes. The request body may be hyper's or any
//! other `http_body::Body` of `Bytes` (axum's `Body` included).
//!
//! What this does **not** do: listen, accept connections or terminate TLS — that stays with the
//! host server, which also decides which paths reach Signet (for example no CMP on a public
//! listener). See `examples/embed.rs` for an axum server with its own routes and Signet's.

use std::convert::Infallible;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, Result, anyhow, bail};
use bytes::Bytes;
use http_body_util::Full;
use hyper::{Request, Response};

use crate::cmp::{Ca, CmpSettings};
use crate::serve::HttpSettings;
use crate::tsa::Tsa;
use crate::{admin, pki, store};

/// What a request body must be for [`Signet::handle`]: hyper's own, or any other server's (for
/// example axum's `Body`) — an `http_body::Body` of `Bytes` whose error converts to a boxed error.
pub trait RequestBody:
    hyper::body::Body<Data = Bytes, Error: Into<BoxError>> + Send + 'static
{
}

impl<B> RequestBody for B where
    B: hyper::body::Body<Data = Bytes, Error: Into<BoxError>> + Send + 'static
{
}

/// The error type request bodies convert theirs to.
pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// How an embedded Signet runs; [`Options::default`] is `signet serve`'s defaults.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Options {
    /// Base URL written into certificates (CRL distribution point, OCSP, CA issuers) when an
    /// empty data directory is bootstrapped; required then, unused afterwards.
    pub public_url: Option<String>,
    /// confirmWaitTime (RFC 9810 §5.3.18): how long an issued certificate waits for its certConf
    /// before it is revoked. Default 300 s.
    pub confirm_wait: Duration,
    /// How long a pending (manual approval) enrollment stays open. Default 86,400 s.
    pub pending_wait: Duration,
    /// Largest request body in bytes (larger is 413). Default 256 KiB.
    pub max_body: usize,
    /// Longest time a request body may take to arrive (408 after). Default 10 s.
    pub read_timeout: Duration,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            public_url: None,
            confirm_wait: Duration::from_secs(300),
            pending_wait: Duration::from_secs(86_400),
            max_body: 256 * 1024,
            read_timeout: Duration::from_secs(10),
        }
    }
}

impl Options {
    /// Sets the base URL used when an empty data directory is bootstrapped.
    #[must_use]
    pub fn public_url(mut self, url: impl Into<String>) -> Self {
        self.public_url = Some(url.into());
        self
    }
}

/// A one-time registration (administrative registration): the reference number and the
/// authentication code a subscriber's MAC-protected `ir` uses once (`openssl cmp -ref … -secret
/// pass:…`).
#[derive(Clone)]
#[non_exhaustive]
pub struct Registration {
    /// The reference number (senderKID of the MAC-protected request; not secret).
    pub reference: String,
    /// The authentication code (the PBM/PBMAC1 secret); hand it over out of band.
    pub secret: String,
    /// When the code stops working, in seconds since the Unix epoch.
    pub expires_at: i64,
}

impl std::fmt::Debug for Registration {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Registration")
            .field("reference", &self.reference)
            .field("secret", &"<redacted>")
            .field("expires_at", &self.expires_at)
            .finish()
    }
}

/// Signet's RA/CA, opened from a data directory, ready to answer HTTP requests.
#[derive(Clone)]
pub struct Signet {
    dir: PathBuf,
    ca: Arc<Ca>,
    tsa: Arc<Tsa>,
    http: Arc<HttpSettings>,
}

impl std::fmt::Debug for Signet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Signet").field("dir", &self.dir).finish()
    }
}

impl Signet {
    /// Opens the data directory `dir` (keys, trust material, policy, SQLite database). An empty
    /// or missing directory is bootstrapped with a development PKI first, which needs
    /// [`Options::public_url`]. Call within a Tokio runtime; also starts the sweeper task that
    /// revokes certificates whose certConf never came, and the publisher that keeps CRLs and
    /// OCSP responses current.
    ///
    /// # Errors
    ///
    /// A directory that is neither empty nor a Signet data directory, unreadable keys or trust
    /// material, a policy that does not load, or a database that cannot be opened.
    pub async fn open(dir: impl AsRef<Path>, options: Options) -> Result<Self> {
        let dir = dir.as_ref().to_path_buf();
        if !pki::is_bootstrapped(&dir) {
            let Some(url) = options.public_url.as_deref() else {
                bail!(
                    "{} is not a Signet data directory yet: set Options::public_url to bootstrap it",
                    dir.display()
                );
            };
            pki::bootstrap(&dir, url)
                .with_context(|| format!("bootstrapping {}", dir.display()))?;
        }
        let pki = pki::load(&dir).with_context(|| format!("loading {}", dir.display()))?;
        let store = store::Store::open(&dir.join("signet.db")).await?;
        let tsa = Arc::new(Tsa::new(pki::load_tsa(&dir)?)?);
        let settings = CmpSettings {
            confirm_wait: options.confirm_wait,
            pending_wait: options.pending_wait,
        };
        let ca = Arc::new(Ca::new(pki, store, settings));
        ca.record_start("embedded").await?;
        ca.start_background();
        let http = Arc::new(HttpSettings {
            max_body: options.max_body,
            read_timeout: options.read_timeout,
            // Connections are the host server's: these are unused when embedded.
            max_connections: usize::MAX,
            max_connections_per_address: usize::MAX,
            shutdown_grace: Duration::ZERO,
            // The host server authenticates its own users: the operator API admits nobody here.
            operators: Arc::new(crate::api::Operators::default()),
            sessions: Arc::default(),
        });
        Ok(Self { dir, ca, tsa, http })
    }

    /// Answers one HTTP request of `signet serve`'s routes (404 for any other path).
    pub async fn handle<B: RequestBody>(&self, request: Request<B>) -> Response<Full<Bytes>> {
        let answer = crate::serve::route(
            self.ca.clone(),
            self.tsa.clone(),
            self.http.clone(),
            request,
        )
        .await;
        match answer {
            Ok(response) => response,
            Err(never) => match never {},
        }
    }

    /// [`Signet::handle`] as a `tower`/`hyper` service function body: never fails.
    ///
    /// # Errors
    ///
    /// None ([`Infallible`]); the `Result` is what service adapters expect.
    pub async fn call<B: RequestBody>(
        self,
        request: Request<B>,
    ) -> Result<Response<Full<Bytes>>, Infallible> {
        Ok(self.handle(request).await)
    }

    /// Registers `subject` (an OpenSSL-style name, `/CN=…/O=…/C=…`) under the policy's default
    /// profile and returns a one-time reference number and code, as `signet ra register` does.
    ///
    /// # Errors
    ///
    /// A subject the policy refuses, or a database write that fails.
    pub async fn register(&self, subject: &str) -> Result<Registration> {
        let registered = admin::register_one(
            &self.ca.pki.policy,
            &self.ca.pki.sealer,
            &self.ca.store,
            subject,
            "embedding-application",
        )
        .await?;
        let expires_at = registered.expires;
        let (reference, secret) = registered
            .codes
            .into_iter()
            .next()
            .ok_or_else(|| anyhow!("no code registered"))?;
        Ok(Registration {
            reference,
            secret: secret.to_string(),
            expires_at,
        })
    }

    /// The CMP server's name as `openssl cmp -recipient` wants it (`/CN=…/O=…`).
    pub fn recipient(&self) -> String {
        signet_ra_policy::dn::to_openssl(self.ca.pki.cmp_cert.tbs_certificate().subject())
    }

    /// The root CA certificate's file (PEM): the trust anchor of what this CA issues.
    pub fn root_pem(&self) -> PathBuf {
        self.dir.join("trust").join("root.pem")
    }
}
