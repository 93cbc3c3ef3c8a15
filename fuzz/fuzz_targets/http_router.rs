//! Fuzz target: whole HTTP requests through Signet's router (`signet::embed::Signet::handle`,
//! the routes of `signet serve`: CMP over HTTP, OCSP, CRLs, CA certificates, TSA), against a
//! development data directory bootstrapped once in a temporary directory (SQLite included).
//!
//! Input layout: byte 0 picks the path (the table below; 14 and 15 take the path from the body,
//! up to its first space), byte 1 the method (bits 0–1), the Content-Type (bits 2–3) and the
//! Content-Length header (bits 4–5); the rest is the body. A CMP vector `v` is the input
//! `[0, 0] ++ v` (`POST /.well-known/cmp`, `application/pkixcmp`).
//!
//! Any request gets a response, never a panic; outside the CRL paths (which answer 500 when the
//! CRL cannot be made) never a 500; and a CMP request POSTed with the right Content-Type gets a
//! 200 whose body is a strictly decodable `PKIMessage` (an error message for anything wrong).
#![no_main]

use std::path::PathBuf;
use std::sync::OnceLock;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::header::{CONTENT_LENGTH, CONTENT_TYPE};
use hyper::{Method, Request, StatusCode};
use libfuzzer_sys::fuzz_target;
use signet::embed::{Options, Signet};
use signet_asn1_types::strict::{Limits, decode_pki_message};

/// (path, the Content-Type the route expects, whether it is a CMP path).
const ROUTES: [(&str, &str, bool); 14] = [
    ("/.well-known/cmp", "application/pkixcmp", true),
    ("/", "application/pkixcmp", true),
    ("/pkix/", "application/pkixcmp", true),
    (
        "/.well-known/cmp/p/c2pa-claim-signing-al2",
        "application/pkixcmp",
        true,
    ),
    (
        "/.well-known/cmp/p/c2pa-claim-signing-manual",
        "application/pkixcmp",
        true,
    ),
    ("/.well-known/cmp/p/device", "application/pkixcmp", true),
    // Not a profile of the development policy: 404.
    ("/.well-known/cmp/p/nope", "application/pkixcmp", false),
    ("/ocsp", "application/ocsp-request", false),
    ("/tsa", "application/timestamp-query", false),
    ("/ca/root.cer", "application/octet-stream", false),
    ("/ca/issuing-ca.cer", "application/octet-stream", false),
    ("/crl/issuing-ca.crl", "application/octet-stream", false),
    ("/crl/root.crl", "application/octet-stream", false),
    ("/not-a-route", "application/octet-stream", false),
];

struct Fixture {
    runtime: tokio::runtime::Runtime,
    signet: Signet,
    /// Kept so the data directory lives as long as the process.
    _dir: tempfile::TempDir,
}

fn fixture() -> &'static Fixture {
    static F: OnceLock<Fixture> = OnceLock::new();
    F.get_or_init(|| {
        // One worker: Signet's sweeper and SQLite's tasks run beside libFuzzer's thread.
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .expect("tokio runtime");
        let dir = tempfile::Builder::new()
            .prefix("signet-fuzz-http-")
            .tempdir()
            .expect("temporary directory");
        let data: PathBuf = dir.path().join("data");
        let signet = runtime
            .block_on(Signet::open(
                &data,
                Options::default().public_url("http://127.0.0.1:1"),
            ))
            .expect("bootstrapping a development data directory");
        Fixture {
            runtime,
            signet,
            _dir: dir,
        }
    })
}

fuzz_target!(|data: &[u8]| {
    let Some((&[route, flags], body)) = data.split_first_chunk::<2>() else {
        return;
    };
    let (path, expected_type, cmp, body) = match ROUTES.get(usize::from(route % 16)) {
        Some(&(path, ct, cmp)) => (path.to_owned(), ct, cmp, body),
        None => {
            // The path from the input: up to the first space (it must make a URI).
            let end = body.iter().position(|&b| b == b' ').unwrap_or(body.len());
            let Ok(path) = core::str::from_utf8(&body[..end]) else {
                return;
            };
            let rest = body.get(end + 1..).unwrap_or_default();
            (path.to_owned(), "application/pkixcmp", false, rest)
        }
    };
    let method = match flags & 0b11 {
        0 => Method::POST,
        1 => Method::GET,
        2 => Method::HEAD,
        _ => Method::PUT,
    };
    let content_type = match (flags >> 2) & 0b11 {
        0 => Some(expected_type.to_owned()),
        1 => None,
        2 => Some("text/plain".to_owned()),
        _ => Some(format!("{} ; charset=binary", expected_type.to_ascii_uppercase())),
    };
    let content_length = match (flags >> 4) & 0b11 {
        0 => None,
        1 => Some(body.len().to_string()),
        2 => Some("18446744073709551615".to_owned()),
        _ => Some("-1".to_owned()),
    };
    let mut builder = Request::builder().method(method.clone()).uri(path.as_str());
    if let Some(ct) = &content_type {
        builder = builder.header(CONTENT_TYPE, ct.as_str());
    }
    if let Some(len) = &content_length {
        builder = builder.header(CONTENT_LENGTH, len.as_str());
    }
    let Ok(request) = builder.body(Full::new(Bytes::copy_from_slice(body))) else {
        return; // not a URI
    };
    let crl = request.uri().path().starts_with("/crl/");

    let f = fixture();
    let (status, answer) = f.runtime.block_on(async {
        let response = f.signet.handle(request).await;
        let status = response.status();
        let answer = response
            .into_body()
            .collect()
            .await
            .expect("a Full body never fails")
            .to_bytes();
        (status, answer)
    });

    if !crl {
        assert_ne!(status, StatusCode::INTERNAL_SERVER_ERROR, "500 for {path}");
    }
    let well_formed = method == Method::POST
        && (flags >> 2) & 0b11 != 1
        && (flags >> 2) & 0b11 != 2
        && content_length.as_deref() != Some("18446744073709551615");
    if cmp && well_formed {
        assert_eq!(status, StatusCode::OK, "CMP request to {path} not answered");
        if let Err(e) = decode_pki_message(&answer, &Limits::default()) {
            panic!("CMP answer to {path} is not a strict PKIMessage: {e}");
        }
    }
});
