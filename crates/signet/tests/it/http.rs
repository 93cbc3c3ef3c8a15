//! T24: HTTP robustness (404, 405, 415, 413), HTTP/1.0 keep-alive as OpenSSL 3.0 sends it,
//! and graceful shutdown on SIGTERM.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use crate::support::Server;

/// Sends one raw request; returns the status code and the headers (lower-cased).
fn exchange(stream: &mut TcpStream, request: &[u8]) -> (u16, String, Vec<u8>) {
    stream.write_all(request).unwrap();
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut status = String::new();
    reader.read_line(&mut status).unwrap();
    let code = status
        .split_whitespace()
        .nth(1)
        .unwrap_or("0")
        .parse()
        .unwrap();
    let mut headers = String::new();
    let mut len = 0usize;
    loop {
        let mut h = String::new();
        reader.read_line(&mut h).unwrap();
        if h == "\r\n" || h.is_empty() {
            break;
        }
        let lower = h.to_ascii_lowercase();
        if let Some(v) = lower.strip_prefix("content-length:") {
            len = v.trim().parse().unwrap();
        }
        headers.push_str(&lower);
    }
    let mut body = vec![0u8; len];
    reader.read_exact(&mut body).unwrap();
    (code, headers, body)
}

fn connect(s: &Server) -> TcpStream {
    let c = TcpStream::connect(("127.0.0.1", s.port)).unwrap();
    c.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    c
}

fn post(path: &str, ct: &str, body: &[u8], version: &str, extra: &str) -> Vec<u8> {
    let mut r = format!(
        "POST {path} HTTP/{version}\r\nHost: 127.0.0.1\r\nContent-Type: {ct}\r\n\
         Content-Length: {}\r\n{extra}\r\n",
        body.len()
    )
    .into_bytes();
    r.extend_from_slice(body);
    r
}

#[test]
fn t24_http_status_codes() {
    let s = Server::start(&["--max-body", "65536"]);
    let mut c = connect(&s);
    let (code, _, _) = exchange(
        &mut c,
        &post("/nope", "application/pkixcmp", b"x", "1.1", ""),
    );
    assert_eq!(code, 404);
    let (code, _, _) = exchange(
        &mut c,
        &post(
            "/.well-known/cmp/p/no-such-profile",
            "application/pkixcmp",
            b"x",
            "1.1",
            "",
        ),
    );
    assert_eq!(code, 404);
    let (code, headers, _) = exchange(&mut c, b"GET /.well-known/cmp HTTP/1.1\r\nHost: x\r\n\r\n");
    assert_eq!(code, 405);
    assert!(headers.contains("allow: post"), "{headers}");
    let (code, _, _) = exchange(&mut c, &post("/pkix/", "text/plain", b"x", "1.1", ""));
    assert_eq!(code, 415);
    let big = vec![0x30u8; 70_000];
    let (code, _, _) = exchange(
        &mut connect(&s),
        &post("/", "application/pkixcmp", &big, "1.1", ""),
    );
    assert_eq!(code, 413);
    // Garbage in the right envelope is a CMP error (badDataFormat), not an HTTP error.
    let (code, headers, body) = exchange(
        &mut connect(&s),
        &post(
            "/",
            "application/pkixcmp",
            b"\x30\x03\x02\x01\x02",
            "1.1",
            "",
        ),
    );
    assert_eq!(code, 200);
    assert!(
        headers.contains("content-type: application/pkixcmp"),
        "{headers}"
    );
    let msg = crate::support::message_bytes(&body);
    let signet_asn1_types::cmp::PkiBody::Error(e) = msg.body else {
        panic!("not an error")
    };
    assert_eq!(
        e.pki_status_info.failure_info().unwrap().bits(),
        [signet_asn1_types::cmp::PkiFailureBit::BadDataFormat]
    );
}

/// OpenSSL 3.0 sends `POST … HTTP/1.0` with `Connection: keep-alive` and expects the
/// connection to stay open for the certConf.
#[test]
fn http_1_0_keep_alive() {
    let s = Server::start(&[]);
    let mut c = connect(&s);
    let req = post(
        "/pkix/",
        "application/pkixcmp",
        b"\x30\x03\x02\x01\x02",
        "1.0",
        "Connection: keep-alive\r\n",
    );
    let (code, headers, _) = exchange(&mut c, &req);
    assert_eq!(code, 200);
    assert!(headers.contains("connection: keep-alive"), "{headers}");
    let (code, _, _) = exchange(&mut c, &req);
    assert_eq!(code, 200, "second request on the same HTTP/1.0 connection");
}

/// SIGTERM: the server stops accepting and exits cleanly.
#[test]
fn graceful_shutdown_on_sigterm() {
    let mut s = Server::start(&[]);
    let port = s.port;
    assert!(
        s.stop_term(),
        "server did not exit cleanly on SIGTERM: {}",
        s.log()
    );
    assert!(TcpStream::connect(("127.0.0.1", port)).is_err());
    assert!(s.log().contains("shutting down"));
}
