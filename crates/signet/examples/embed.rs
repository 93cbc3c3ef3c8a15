//! Embedding Signet's RA/CA in another server: an axum application with routes of its own
//! (`/` and `/healthz`) that mounts Signet's CMP endpoint (RFC 9811) and its revocation and
//! CA-certificate paths beside them.
//!
//! ```text
//! cargo run -p signet --example embed -- ./embedded-data 127.0.0.1:8090
//! ```
//!
//! On first start the data directory is bootstrapped with a development PKI; the program then
//! registers one subscriber and prints the `openssl cmp` command that enrolls it against this
//! server. It serves until Ctrl-C.
#![allow(
    clippy::disallowed_methods,
    clippy::disallowed_types,
    reason = "an example server: sockets, files and arguments"
)]

use std::net::SocketAddr;

use anyhow::{Context, Result};
use axum::Router;
use axum::extract::Request;
use axum::routing::{any, get};
use signet::embed::{Options, Signet};

#[tokio::main]
async fn main() -> Result<()> {
    let mut args = std::env::args().skip(1);
    let dir = args.next().unwrap_or_else(|| "./embedded-data".to_owned());
    let listen: SocketAddr = args
        .next()
        .unwrap_or_else(|| "127.0.0.1:8090".to_owned())
        .parse()
        .context("the second argument is the address to listen on, e.g. 127.0.0.1:8090")?;

    // Bind first: the port chosen (0 picks one) goes into the certificates' URLs at bootstrap.
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .with_context(|| format!("listening on {listen}"))?;
    let url = format!("http://{}", listener.local_addr()?);
    let signet = Signet::open(&dir, Options::default().public_url(url.clone())).await?;

    // Signet answers whatever it is handed; the host decides which paths reach it.
    let to_signet = {
        let signet = signet.clone();
        move |request: Request| {
            let signet = signet.clone();
            async move { signet.handle(request).await }
        }
    };
    let app = Router::new()
        .route("/", get(|| async { "the host application's own page\n" }))
        .route("/healthz", get(|| async { "ok\n" }))
        .route("/.well-known/cmp", any(to_signet.clone()))
        .route("/.well-known/cmp/p/{profile}", any(to_signet.clone()))
        .route("/ocsp", any(to_signet.clone()))
        // OCSP over GET: the base64 request is the rest of the path (it may contain `/`).
        .route("/ocsp/{*request}", any(to_signet.clone()))
        .route("/crl/{file}", any(to_signet.clone()))
        .route("/ca/{file}", any(to_signet));

    let subject = "/CN=Embedded Claim Signer/O=Signet Development/C=US";
    let registration = signet.register(subject).await?;
    let server = url.trim_start_matches("http://");
    println!("listening on {url}");
    println!(
        "enroll with: openssl cmp -server {server} -path /.well-known/cmp -cmd ir -ref {} \
         -secret pass:{} -recipient \"{}\" -newkey signer.key -subject \"{subject}\" \
         -certout signer.pem -out_trusted {}",
        registration.reference,
        registration.secret,
        signet.recipient(),
        signet.root_pem().display(),
    );
    axum::serve(listener, app)
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await
        .context("serving")
}
