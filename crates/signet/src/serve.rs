//! `signet serve`: CMP over HTTP (RFC 9811) with hyper, optionally over TLS (rustls) with client
//! authentication, plus the CA's certificates, CRLs and OCSP.
//!
//! Routes (anything else is 404):
//! - `POST /.well-known/cmp`, `/.well-known/cmp/p/<profile>` (RFC 9811 §3.3), and `/`, `/pkix/`
//!   (OpenSSL 3.0's default and its mock server's path): `application/pkixcmp` in and out;
//!   another method is 405, another content type 415, a body over the limit 413, an unknown
//!   profile 404;
//! - `GET /ca/root.cer`, `/ca/issuing-ca.cer` (`application/pkix-cert`);
//! - `GET /crl/issuing-ca.crl`, `/crl/root.crl` (`application/pkix-crl`);
//! - `POST /ocsp` (`application/ocsp-request`, RFC 6960 Appendix A) and
//!   `GET /ocsp/{percent-encoded base64 of the DER request}` (RFC 6960 A.1, RFC 5019 §5): the
//!   answer to a GET carries `Cache-Control`, `Last-Modified`, `Expires` and `ETag` (RFC 5019
//!   §6.2) so caches may keep it until the response's `nextUpdate`; an encoded request over
//!   [`MAX_OCSP_GET_LEN`] bytes is 414;
//! - `POST /tsa` (`application/timestamp-query` in, `application/timestamp-reply` out; RFC 3161
//!   §3.4): the time-stamping unit C2PA claim signatures are stamped by.
//!
//! HTTP/1.0 with `Connection: keep-alive`, as `openssl cmp` 3.0 sends it, keeps the connection
//! open for the certConf. Every connection has a header-read timeout (which also closes idle
//! keep-alive connections) and a body-read timeout; SIGINT/SIGTERM stop accepting and let
//! in-flight requests finish (bounded) before the process exits.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, Result, anyhow};
use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use hyper::header::{ALLOW, CONTENT_LENGTH, CONTENT_TYPE};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::TcpListener;

mod fair;

use crate::cmp::Ca;
use crate::embed::RequestBody;
use crate::tsa::Tsa;

/// HTTP settings.
#[derive(Debug, Clone)]
pub(crate) struct HttpSettings {
    /// Largest request body, bytes.
    pub(crate) max_body: usize,
    /// Header and body read timeout.
    pub(crate) read_timeout: Duration,
    /// Most connections served at once; when all are taken an idle one is shed, and only when
    /// every one is busy does a new one wait.
    pub(crate) max_connections: usize,
    /// Most connections from one client address (further ones are closed at once).
    pub(crate) max_connections_per_address: usize,
    /// How long shutdown waits for in-flight requests.
    pub(crate) shutdown_grace: Duration,
    /// The operators of the REST API and the console (`operators.toml`).
    pub(crate) operators: Arc<crate::api::Operators>,
    /// The console's sign-in sessions.
    pub(crate) sessions: Arc<crate::web::Sessions>,
}

/// TLS files.
#[derive(Debug, Clone)]
pub(crate) struct TlsFiles {
    pub(crate) cert: PathBuf,
    pub(crate) key: PathBuf,
    /// Trust anchors for client certificates; `Some` requires one (mutual TLS).
    pub(crate) client_ca: Option<PathBuf>,
}

/// A client certificate verifier for pinned certificates: any certificate is accepted at the
/// TLS layer (its handshake signature verified), and the API decides by its SHA-256 whether
/// it is an operator's. A client without one is accepted too.
#[derive(Debug)]
struct PinnedClients {
    provider: Arc<rustls::crypto::CryptoProvider>,
}

impl rustls::server::danger::ClientCertVerifier for PinnedClients {
    fn offer_client_auth(&self) -> bool {
        true
    }

    fn client_auth_mandatory(&self) -> bool {
        false
    }

    fn root_hint_subjects(&self) -> &[rustls::DistinguishedName] {
        &[]
    }

    fn verify_client_cert(
        &self,
        _end_entity: &rustls::pki_types::CertificateDer<'_>,
        _intermediates: &[rustls::pki_types::CertificateDer<'_>],
        _now: rustls::pki_types::UnixTime,
    ) -> Result<rustls::server::danger::ClientCertVerified, rustls::Error> {
        Ok(rustls::server::danger::ClientCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &rustls::pki_types::CertificateDer<'_>,
        dss: &rustls::DigitallySignedStruct,
    ) -> Result<rustls::client::danger::HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &rustls::pki_types::CertificateDer<'_>,
        dss: &rustls::DigitallySignedStruct,
    ) -> Result<rustls::client::danger::HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<rustls::SignatureScheme> {
        self.provider
            .signature_verification_algorithms
            .supported_schemes()
    }
}

fn tls_acceptor(files: &TlsFiles) -> Result<tokio_rustls::TlsAcceptor> {
    use rustls::pki_types::pem::PemObject;
    use rustls::pki_types::{CertificateDer, PrivateKeyDer};
    let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(&files.cert)
        .with_context(|| format!("reading {}", files.cert.display()))?
        .collect::<Result<_, _>>()
        .map_err(|e| anyhow!("{}: {e}", files.cert.display()))?;
    let key = PrivateKeyDer::from_pem_file(&files.key)
        .map_err(|e| anyhow!("{}: {e}", files.key.display()))?;
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let builder = rustls::ServerConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()?;
    let builder = match &files.client_ca {
        Some(ca) => {
            let mut roots = rustls::RootCertStore::empty();
            for c in CertificateDer::pem_file_iter(ca)
                .with_context(|| format!("reading {}", ca.display()))?
            {
                roots.add(c.map_err(|e| anyhow!("{}: {e}", ca.display()))?)?;
            }
            let verifier = rustls::server::WebPkiClientVerifier::builder_with_provider(
                Arc::new(roots),
                provider,
            )
            .build()?;
            builder.with_client_cert_verifier(verifier)
        }
        // Every client is asked for a certificate, none must send one: CMP clients need
        // none, and the operator API admits only the certificates operators.toml pins.
        None => builder.with_client_cert_verifier(Arc::new(PinnedClients { provider })),
    };
    let mut config = builder.with_single_cert(certs, key)?;
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(tokio_rustls::TlsAcceptor::from(Arc::new(config)))
}

fn reply(
    status: StatusCode,
    content_type: Option<&str>,
    body: impl Into<Bytes>,
) -> Response<Full<Bytes>> {
    let mut r = Response::new(Full::new(body.into()));
    *r.status_mut() = status;
    if let Some(ct) = content_type
        && let Ok(v) = ct.parse()
    {
        r.headers_mut().insert(CONTENT_TYPE, v);
    }
    r
}

fn text(status: StatusCode, msg: &str) -> Response<Full<Bytes>> {
    reply(
        status,
        Some("text/plain; charset=utf-8"),
        format!("{msg}\n").into_bytes(),
    )
}

/// Which CMP profile a path selects: `Some(None)` for the default paths.
fn cmp_path(path: &str) -> Option<Option<&str>> {
    match path {
        "/" | "/pkix" | "/pkix/" | "/.well-known/cmp" | "/.well-known/cmp/" => Some(None),
        _ => path
            .strip_prefix("/.well-known/cmp/p/")
            .map(|p| p.trim_end_matches('/'))
            .filter(|p| !p.is_empty() && !p.contains('/'))
            .map(Some),
    }
}

fn content_type_is<B>(req: &Request<B>, wanted: &str) -> bool {
    req.headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|v| v.trim().eq_ignore_ascii_case(wanted))
}

async fn read_body<B: RequestBody>(
    req: Request<B>,
    settings: &HttpSettings,
) -> Result<Bytes, Response<Full<Bytes>>> {
    let declared = req
        .headers()
        .get(CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > u64::try_from(settings.max_body).unwrap_or(u64::MAX)) {
        return Err(text(
            StatusCode::PAYLOAD_TOO_LARGE,
            "request body too large",
        ));
    }
    let limited = Limited::new(req.into_body(), settings.max_body);
    match tokio::time::timeout(settings.read_timeout, limited.collect()).await {
        Err(_) => Err(text(
            StatusCode::REQUEST_TIMEOUT,
            "request body not received in time",
        )),
        Ok(Err(e)) if e.is::<http_body_util::LengthLimitError>() => Err(text(
            StatusCode::PAYLOAD_TOO_LARGE,
            "request body too large",
        )),
        Ok(Err(_)) => Err(text(StatusCode::BAD_REQUEST, "request body unreadable")),
        Ok(Ok(c)) => Ok(c.to_bytes()),
    }
}

/// Answers one request of the routes above (anything else is 404).
pub(crate) async fn route<B: RequestBody>(
    ca: Arc<Ca>,
    tsa: Arc<Tsa>,
    settings: Arc<HttpSettings>,
    req: Request<B>,
) -> Result<Response<Full<Bytes>>, Infallible> {
    let path = req.uri().path().to_owned();
    if let Some(profile) = cmp_path(&path) {
        if req.method() != Method::POST {
            let mut r = text(StatusCode::METHOD_NOT_ALLOWED, "CMP requests are POSTed");
            r.headers_mut()
                .insert(ALLOW, hyper::header::HeaderValue::from_static("POST"));
            return Ok(r);
        }
        if let Some(p) = profile
            && ca.pki.policy.profile(p).is_none()
        {
            return Ok(text(StatusCode::NOT_FOUND, "unknown certificate profile"));
        }
        if !content_type_is(&req, "application/pkixcmp") {
            return Ok(text(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "expected Content-Type: application/pkixcmp",
            ));
        }
        let body = match read_body(req, &settings).await {
            Ok(b) => b,
            Err(r) => return Ok(r),
        };
        return Ok(match ca.handle(&body, profile).await {
            Some(bytes) => reply(StatusCode::OK, Some("application/pkixcmp"), bytes),
            None => text(StatusCode::INTERNAL_SERVER_ERROR, "internal error"),
        });
    }
    if path.starts_with("/api/") {
        let client = req
            .extensions()
            .get::<crate::api::ClientCertificate>()
            .copied();
        let method = req.method().clone();
        let query = req.uri().query().map(str::to_owned);
        let limits = HttpSettings {
            max_body: settings.max_body.min(crate::api::MAX_BODY),
            ..(*settings).clone()
        };
        let body = match read_body(req, &limits).await {
            Ok(b) => b,
            Err(r) => return Ok(r),
        };
        return Ok(crate::api::handle(
            &ca,
            &settings.operators,
            client,
            &method,
            &path,
            query.as_deref(),
            &body,
        )
        .await);
    }
    if path == "/console"
        || path.starts_with("/console/")
        || path == "/portal"
        || path.starts_with("/portal/")
    {
        let transport = req
            .extensions()
            .get::<crate::web::Transport>()
            .copied()
            .unwrap_or(crate::web::Transport {
                tls: false,
                peer: std::net::IpAddr::V4(std::net::Ipv4Addr::UNSPECIFIED),
            });
        let method = req.method().clone();
        let uri = req.uri().clone();
        let headers = req.headers().clone();
        let limits = HttpSettings {
            max_body: settings.max_body.min(crate::web::MAX_FORM),
            ..(*settings).clone()
        };
        let body = match read_body(req, &limits).await {
            Ok(b) => b,
            Err(r) => return Ok(r),
        };
        return Ok(
            crate::web::handle(&ca, &settings, transport, &method, &uri, &headers, &body).await,
        );
    }
    let get = req.method() == Method::GET || req.method() == Method::HEAD;
    Ok(match (path.as_str(), get) {
        ("/ca/root.cer", true) => der_reply(&ca.pki.root, "application/pkix-cert"),
        ("/ca/issuing-ca.cer", true) => der_reply(&ca.pki.issuing, "application/pkix-cert"),
        ("/crl/issuing-ca.crl", true) => match ca.published.crl(&ca).await {
            Ok(der) => reply(StatusCode::OK, Some("application/pkix-crl"), der),
            Err(e) => {
                tracing::error!(error = %e, "CRL");
                text(StatusCode::INTERNAL_SERVER_ERROR, "CRL unavailable")
            }
        },
        ("/crl/root.crl", true) => match crate::revocation::root_crl(&ca).await {
            Ok(der) => reply(StatusCode::OK, Some("application/pkix-crl"), der),
            Err(e) => {
                tracing::error!(error = %e, "CRL");
                text(StatusCode::INTERNAL_SERVER_ERROR, "CRL unavailable")
            }
        },
        ("/tsa", false) if req.method() == Method::POST => {
            if !content_type_is(&req, "application/timestamp-query") {
                return Ok(text(
                    StatusCode::UNSUPPORTED_MEDIA_TYPE,
                    "expected Content-Type: application/timestamp-query",
                ));
            }
            let body = match read_body(req, &settings).await {
                Ok(b) => b,
                Err(r) => return Ok(r),
            };
            let der = tsa.respond(&body);
            reply(StatusCode::OK, Some("application/timestamp-reply"), der)
        }
        (p, true) if p.starts_with("/ocsp/") => {
            let encoded = &p["/ocsp/".len()..];
            if encoded.len() > MAX_OCSP_GET_LEN {
                return Ok(text(
                    StatusCode::URI_TOO_LONG,
                    "OCSP request too long for GET; POST it",
                ));
            }
            // An undecodable path is answered like an undecodable body: malformedRequest.
            let request = ocsp_get_request(encoded).unwrap_or_default();
            ocsp_get_reply(ca.published.ocsp(&ca, &request).await)
        }
        ("/ocsp", false) if req.method() == Method::POST => {
            if !content_type_is(&req, "application/ocsp-request") {
                return Ok(text(
                    StatusCode::UNSUPPORTED_MEDIA_TYPE,
                    "expected Content-Type: application/ocsp-request",
                ));
            }
            let body = match read_body(req, &settings).await {
                Ok(b) => b,
                Err(r) => return Ok(r),
            };
            let answer = ca.published.ocsp(&ca, &body).await;
            reply(
                StatusCode::OK,
                Some("application/ocsp-response"),
                answer.der,
            )
        }
        (
            "/ca/root.cer" | "/ca/issuing-ca.cer" | "/crl/issuing-ca.crl" | "/crl/root.crl",
            false,
        )
        | ("/ocsp" | "/tsa", true) => text(StatusCode::METHOD_NOT_ALLOWED, "method not allowed"),
        _ => text(StatusCode::NOT_FOUND, "not found"),
    })
}

/// Longest encoded OCSP request accepted over GET, in bytes. RFC 5019 §5 has clients use GET
/// for requests under 255 bytes once encoded; a request for one certificate is ~100, and 4 KiB
/// leaves room for several while keeping hostile paths small (POST has no such limit below
/// the body limit).
pub(crate) const MAX_OCSP_GET_LEN: usize = 4096;

/// The DER request of `GET /ocsp/{...}`: percent-decoded, then base64 (RFC 6960 A.1), with
/// or without padding.
fn ocsp_get_request(encoded: &str) -> Option<Vec<u8>> {
    use base64::Engine as _;
    let text = percent_encoding::percent_decode_str(encoded)
        .decode_utf8()
        .ok()?;
    let engine = base64::engine::GeneralPurpose::new(
        &base64::alphabet::STANDARD,
        base64::engine::GeneralPurposeConfig::new()
            .with_decode_padding_mode(base64::engine::DecodePaddingMode::Indifferent),
    );
    engine.decode(text.as_bytes()).ok()
}

/// The reply to an OCSP GET with the caching headers of RFC 5019 §6.2, from the signed
/// response's own facts: `Last-Modified` its producedAt, `Expires` its nextUpdate, `max-age`
/// the seconds until then, `ETag` a hash of the response. An unsuccessful or nonce-bearing
/// response is not cached (`no-store`).
fn ocsp_get_reply(answer: crate::revocation::OcspAnswer) -> Response<Full<Bytes>> {
    use hyper::header::{CACHE_CONTROL, ETAG, EXPIRES, HeaderValue, LAST_MODIFIED};
    let mut r = reply(
        StatusCode::OK,
        Some("application/ocsp-response"),
        answer.der,
    );
    let h = r.headers_mut();
    match answer.cacheable {
        Some(c) => {
            let at = |secs: u64| std::time::UNIX_EPOCH + Duration::from_secs(secs);
            let max_age = c.next_update.saturating_sub(crate::pki::now_secs());
            let put = |h: &mut hyper::HeaderMap, k, v: String| {
                if let Ok(v) = HeaderValue::from_str(&v) {
                    h.insert(k, v);
                }
            };
            put(
                h,
                CACHE_CONTROL,
                format!("max-age={max_age}, public, no-transform, must-revalidate"),
            );
            put(h, LAST_MODIFIED, httpdate::fmt_http_date(at(c.produced)));
            put(h, EXPIRES, httpdate::fmt_http_date(at(c.next_update)));
            put(h, ETAG, c.etag);
        }
        None => {
            h.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
        }
    }
    r
}

fn der_reply(cert: &signet_asn1_types::x509_cert::Certificate, ct: &str) -> Response<Full<Bytes>> {
    use signet_asn1_types::der::Encode;
    match cert.to_der() {
        Ok(der) => reply(StatusCode::OK, Some(ct), der),
        Err(_) => text(StatusCode::INTERNAL_SERVER_ERROR, "encoding"),
    }
}

/// Serves `conn` until it ends, or until it is shed while idle (then it is closed: no request
/// is in flight, so no answer is lost).
async fn until_shed<F, E>(conn: F, activity: &fair::Activity) -> Result<(), E>
where
    F: Future<Output = Result<(), E>>,
{
    tokio::pin!(conn);
    loop {
        tokio::select! {
            r = &mut conn => return r,
            () = activity.shed.notified() => {
                if activity.idle() {
                    tracing::debug!("idle connection shed to make room");
                    return Ok(());
                }
            }
        }
    }
}

/// SIGINT and SIGTERM, listened for from [`Shutdown::install`] on: a signal that comes
/// before the accept loop starts is not lost (nor kills the process with the default action).
pub(crate) struct Shutdown {
    term: tokio::signal::unix::Signal,
    int: tokio::signal::unix::Signal,
}

impl Shutdown {
    /// Installs the handlers (within the runtime).
    pub(crate) fn install() -> Result<Self> {
        use tokio::signal::unix::{SignalKind, signal};
        Ok(Self {
            term: signal(SignalKind::terminate()).context("listening for SIGTERM")?,
            int: signal(SignalKind::interrupt()).context("listening for SIGINT")?,
        })
    }

    async fn received(&mut self) {
        tokio::select! {
            _ = self.term.recv() => {},
            _ = self.int.recv() => {},
        }
    }
}

/// Serves until SIGINT/SIGTERM.
pub(crate) async fn run(
    ca: Arc<Ca>,
    tsa: Arc<Tsa>,
    listener: TcpListener,
    tls: Option<TlsFiles>,
    settings: HttpSettings,
    mut signals: Shutdown,
) -> Result<()> {
    let acceptor = tls.as_ref().map(tls_acceptor).transpose()?;
    let settings = Arc::new(settings);
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    let connections = fair::Connections::new(
        settings.max_connections,
        settings.max_connections_per_address,
    );
    let shutdown = signals.received();
    tokio::pin!(shutdown);
    loop {
        let (stream, peer): (_, SocketAddr) = tokio::select! {
            a = listener.accept() => match a {
                Ok(x) => x,
                Err(e) => {
                    tracing::warn!(error = %e, "accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let admitted = tokio::select! {
            a = connections.admit(peer.ip()) => a,
            () = &mut shutdown => break,
        };
        let Ok(admitted) = admitted else {
            tracing::debug!(%peer, "connection refused: its address is at --max-connections-per-address");
            drop(stream);
            continue;
        };
        let _ = stream.set_nodelay(true);
        let ca = ca.clone();
        let tsa = tsa.clone();
        let s = settings.clone();
        let watcher = graceful.watcher();
        let acceptor = acceptor.clone();
        let mut builder = http1::Builder::new();
        builder
            .timer(TokioTimer::new())
            .header_read_timeout(settings.read_timeout)
            .keep_alive(true);
        tokio::spawn(async move {
            let activity = admitted.activity.clone();
            let _slot = admitted;
            let busy = activity.clone();
            let address = peer.ip();
            let svc = move |client: Option<crate::api::ClientCertificate>, tls: bool| {
                service_fn(move |mut req: Request<hyper::body::Incoming>| {
                    let in_flight = busy.request();
                    if let Some(c) = client {
                        req.extensions_mut().insert(c);
                    }
                    req.extensions_mut()
                        .insert(crate::web::Transport { tls, peer: address });
                    let response = route(ca.clone(), tsa.clone(), s.clone(), req);
                    async move {
                        let r = response.await;
                        drop(in_flight);
                        r
                    }
                })
            };
            let result = match acceptor {
                Some(acceptor) => {
                    let tls =
                        tokio::time::timeout(Duration::from_secs(10), acceptor.accept(stream))
                            .await;
                    match tls {
                        Ok(Ok(tls)) => {
                            let client = tls
                                .get_ref()
                                .1
                                .peer_certificates()
                                .and_then(|c| c.first())
                                .map(|c| {
                                    let d = aws_lc_rs::digest::digest(
                                        &aws_lc_rs::digest::SHA256,
                                        c.as_ref(),
                                    );
                                    let mut fp = [0u8; 32];
                                    fp.copy_from_slice(d.as_ref());
                                    crate::api::ClientCertificate(fp)
                                });
                            let conn = watcher.watch(
                                builder.serve_connection(TokioIo::new(tls), svc(client, true)),
                            );
                            until_shed(conn, &activity).await
                        }
                        Ok(Err(e)) => {
                            tracing::debug!(%peer, error = %e, "TLS handshake failed");
                            return;
                        }
                        Err(_) => return,
                    }
                }
                None => {
                    let conn = watcher
                        .watch(builder.serve_connection(TokioIo::new(stream), svc(None, false)));
                    until_shed(conn, &activity).await
                }
            };
            if let Err(e) = result {
                tracing::debug!(%peer, error = %e, "connection ended with an error");
            }
        });
    }
    drop(listener);
    tracing::info!("shutting down: waiting for in-flight requests");
    tokio::select! {
        () = graceful.shutdown() => {},
        () = tokio::time::sleep(settings.shutdown_grace) => {
            tracing::warn!("shutdown grace period elapsed; closing remaining connections");
        }
    }
    // The authentication attempts counted since the last flush go into the audit log too.
    crate::sweep::flush_attempts(&ca).await;
    Ok(())
}
