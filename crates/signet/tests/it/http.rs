//! T24: HTTP robustness (404, 405, 415, 413), HTTP/1.0 keep-alive as OpenSSL 3.0 sends it,
//! graceful shutdown on SIGTERM, and OCSP over GET with RFC 5019 caching headers.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use crate::support::{SUBJECT, Server, openssl};

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

/// OCSP over GET (RFC 6960 A.1): OpenSSL's request, base64 and percent-encoded in the path, is
/// answered like a POST, with RFC 5019 §6.2 caching headers derived from the signed response;
/// OpenSSL verifies the answer. An undecodable path is malformedRequest (not cached), an
/// overlong one 414.
#[test]
fn ocsp_over_get_with_cache_headers() {
    use base64::Engine as _;
    let s = Server::start(&[]);
    let key = s.genkey("k.pem");
    let c = s.enroll(&key, SUBJECT, "c.pem");
    let root = s.root_pem();
    let issuing = s.data().join("trust/issuing-ca.pem").display().to_string();
    let (ok, out) = openssl(
        s.dir.path(),
        &[
            "ocsp",
            "-issuer",
            &issuing,
            "-cert",
            &c,
            "-no_nonce",
            "-reqout",
            "req.der",
        ],
    );
    assert!(ok, "{out}");
    let der = std::fs::read(s.p("req.der")).unwrap();
    let encoded = base64::engine::general_purpose::STANDARD
        .encode(&der)
        .replace('+', "%2B")
        .replace('/', "%2F")
        .replace('=', "%3D");
    let get = |path: &str| {
        exchange(
            &mut connect(&s),
            format!("GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n").as_bytes(),
        )
    };
    let (code, headers, body) = get(&format!("/ocsp/{encoded}"));
    assert_eq!(code, 200, "{headers}");
    assert!(
        headers.contains("content-type: application/ocsp-response"),
        "{headers}"
    );
    let cache = headers
        .lines()
        .find_map(|l| l.strip_prefix("cache-control: "))
        .unwrap_or_else(|| panic!("no cache-control: {headers}"));
    assert!(
        cache.contains("public")
            && cache.contains("no-transform")
            && cache.contains("must-revalidate"),
        "{cache}"
    );
    let max_age: u64 = cache
        .split(", ")
        .find_map(|d| d.strip_prefix("max-age="))
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    assert!(max_age > 0, "{cache}");
    for h in ["last-modified: ", "expires: ", "etag: \""] {
        assert!(headers.contains(h), "{h}: {headers}");
    }
    std::fs::write(s.p("rsp.der"), &body).unwrap();
    let (ok, out) = openssl(
        s.dir.path(),
        &[
            "ocsp", "-respin", "rsp.der", "-issuer", &issuing, "-cert", &c, "-CAfile", &root,
        ],
    );
    assert!(ok && out.contains(": good"), "{out}");
    assert!(out.contains("Response verify OK"), "{out}");

    // Unpadded base64 with raw `/` and `+` (as some clients send it) is understood too.
    let raw = base64::engine::general_purpose::STANDARD_NO_PAD.encode(&der);
    let (code, _, body) = get(&format!("/ocsp/{raw}"));
    assert_eq!(code, 200);
    std::fs::write(s.p("rsp2.der"), &body).unwrap();
    let (ok, out) = openssl(
        s.dir.path(),
        &[
            "ocsp", "-respin", "rsp2.der", "-issuer", &issuing, "-cert", &c, "-CAfile", &root,
        ],
    );
    assert!(ok && out.contains(": good"), "{out}");

    // Not base64: an OCSP malformedRequest (responseStatus 1), not to be cached.
    let (code, headers, body) = get("/ocsp/not*base64");
    assert_eq!(code, 200);
    assert!(headers.contains("cache-control: no-store"), "{headers}");
    assert_eq!(body, [0x30, 0x03, 0x0a, 0x01, 0x01]);

    let (code, _, _) = get(&format!("/ocsp/{}", "A".repeat(5000)));
    assert_eq!(code, 414);
}

/// An idle TCP connection from `from` (a loopback address), or None when the server closed it
/// at once.
fn idle_from(s: &Server, from: [u8; 4]) -> Option<TcpStream> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let stream = rt.block_on(async {
        let socket = tokio::net::TcpSocket::new_v4().unwrap();
        socket.bind(std::net::SocketAddr::from((from, 0))).unwrap();
        socket
            .connect(std::net::SocketAddr::from(([127, 0, 0, 1], s.port)))
            .await
            .unwrap()
            .into_std()
            .unwrap()
    });
    stream.set_nonblocking(false).unwrap();
    // Closed by the server: a read ends (EOF or reset) well before the 10 s idle timeout.
    stream
        .set_read_timeout(Some(Duration::from_millis(500)))
        .unwrap();
    let mut probe = [0u8; 1];
    match (&stream).read(&mut probe) {
        Ok(0) | Err(_) if closed(&stream) => None,
        _ => Some(stream),
    }
}

/// Whether the last read ended because the peer closed (not because it timed out).
fn closed(stream: &TcpStream) -> bool {
    let mut probe = [0u8; 1];
    stream.set_nonblocking(true).unwrap();
    let r = stream.peek(&mut probe);
    stream.set_nonblocking(false).unwrap();
    !matches!(r, Err(ref e) if e.kind() == std::io::ErrorKind::WouldBlock)
}

/// Connection fairness (issue 16 item 5): one address holds at most
/// --max-connections-per-address connections (the next is closed at once), and when every slot
/// is taken by idle sockets a new client is served at once, an idle one being shed — before,
/// it waited for the 10 s idle timeout.
#[test]
fn idle_sockets_of_one_client_do_not_lock_out_the_others() {
    let s = Server::start(&[
        "--max-connections",
        "6",
        "--max-connections-per-address",
        "3",
    ]);
    let mut held = Vec::new();
    for _ in 0..3 {
        held.push(idle_from(&s, [127, 0, 0, 2]).expect("within the per-address limit"));
    }
    assert!(
        idle_from(&s, [127, 0, 0, 2]).is_none(),
        "a fourth connection from 127.0.0.2 was kept"
    );
    for _ in 0..3 {
        held.push(idle_from(&s, [127, 0, 0, 3]).expect("within the per-address limit"));
    }
    // All six slots hold idle sockets; a request from a third address is answered now.
    let started = std::time::Instant::now();
    let mut c = idle_from(&s, [127, 0, 0, 4]).expect("admitted by shedding an idle socket");
    c.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    let (code, _, body) = exchange(&mut c, b"GET /ca/root.cer HTTP/1.1\r\nHost: x\r\n\r\n");
    assert_eq!(code, 200);
    assert!(!body.is_empty());
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "the new client waited {:?}: nothing was shed",
        started.elapsed()
    );
    drop(held);
}
