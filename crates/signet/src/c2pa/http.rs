//! A minimal blocking HTTP/1.1 client for the two signed protocols the `signet c2pa` commands
//! speak: RFC 3161 time-stamping and RFC 6960 OCSP (`sign`; `verify --ocsp-fetch`), both a
//! single POST of a DER body.
//!
//! Plain `http://` only: both protocols carry their own signatures, which validators check, and
//! TSAs and OCSP responders publish `http` URLs for that reason (RFC 5019 §5). No redirects,
//! bounded response size, connect/read/write timeouts.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::time::Duration;

use anyhow::{Context, Result, bail};

/// How long to wait for a connection, and for each read or write.
const TIMEOUT: Duration = Duration::from_secs(30);
/// Largest response body accepted (time-stamp tokens and OCSP responses are a few KiB).
pub(crate) const MAX_BODY: usize = 1 << 20;
/// Longest response header section accepted.
const MAX_HEADERS: usize = 64 << 10;

/// A parsed `http://host[:port]/path` URL.
struct Url<'a> {
    host: &'a str,
    port: u16,
    path: &'a str,
}

fn parse_url(url: &str) -> Result<Url<'_>> {
    let Some(rest) = url.strip_prefix("http://") else {
        if url.starts_with("https://") {
            bail!(
                "{url}: https is not supported; time-stamping and OCSP responses are signed, \
                 use the service's http:// URL"
            );
        }
        bail!("{url}: not an http:// URL");
    };
    let (authority, path) = match rest.find('/') {
        Some(i) => (
            rest.get(..i).unwrap_or_default(),
            rest.get(i..).unwrap_or("/"),
        ),
        None => (rest, "/"),
    };
    if authority.contains('@') {
        bail!("{url}: credentials in URLs are not supported");
    }
    let (host, port) = match authority.rsplit_once(':') {
        Some((h, p)) if !h.ends_with(']') || authority.starts_with('[') => {
            let port = p
                .parse::<u16>()
                .with_context(|| format!("{url}: bad port {p:?}"))?;
            (h, port)
        }
        _ => (authority, 80),
    };
    if host.is_empty() {
        bail!("{url}: no host");
    }
    Ok(Url { host, port, path })
}

/// POSTs `body` with `content_type` and returns the response body of a `200 OK`.
pub(crate) fn post(url: &str, content_type: &str, accept: &str, body: &[u8]) -> Result<Vec<u8>> {
    let u = parse_url(url)?;
    let host = u.host.trim_start_matches('[').trim_end_matches(']');
    let addrs: Vec<_> = (host, u.port)
        .to_socket_addrs()
        .with_context(|| format!("resolving {}", u.host))?
        .collect();
    let mut last_error = None;
    let mut stream = None;
    for addr in addrs {
        match TcpStream::connect_timeout(&addr, TIMEOUT) {
            Ok(s) => {
                stream = Some(s);
                break;
            }
            Err(e) => last_error = Some(e),
        }
    }
    let mut stream = match (stream, last_error) {
        (Some(s), _) => s,
        (None, Some(e)) => return Err(e).with_context(|| format!("connecting to {url}")),
        (None, None) => bail!("{url}: the host has no address"),
    };
    stream.set_read_timeout(Some(TIMEOUT))?;
    stream.set_write_timeout(Some(TIMEOUT))?;
    let host_header = if u.port == 80 {
        u.host.to_owned()
    } else {
        format!("{}:{}", u.host, u.port)
    };
    let head = format!(
        "POST {} HTTP/1.1\r\nHost: {host_header}\r\nContent-Type: {content_type}\r\n\
         Accept: {accept}\r\nContent-Length: {}\r\nConnection: close\r\n\
         User-Agent: signet/{}\r\n\r\n",
        u.path,
        body.len(),
        env!("CARGO_PKG_VERSION"),
    );
    stream
        .write_all(head.as_bytes())
        .and_then(|()| stream.write_all(body))
        .with_context(|| format!("sending the request to {url}"))?;
    read_response(BufReader::new(stream)).with_context(|| format!("reading the answer of {url}"))
}

/// Reads a response: status line, headers, and a body framed by `Content-Length`, chunked
/// transfer coding, or the end of the connection.
pub(crate) fn read_response(mut r: impl BufRead) -> Result<Vec<u8>> {
    let mut header_bytes = 0usize;
    let mut line = String::new();
    let mut read_line = |r: &mut dyn BufRead, line: &mut String| -> Result<()> {
        line.clear();
        let n = r.take(8192).read_line(line)?;
        header_bytes = header_bytes.saturating_add(n);
        if n == 0 {
            bail!("connection closed in the headers");
        }
        if header_bytes > MAX_HEADERS {
            bail!("response headers too long");
        }
        Ok(())
    };
    read_line(&mut r, &mut line)?;
    let mut parts = line.split_whitespace();
    let (version, status) = (parts.next(), parts.next());
    if !version.is_some_and(|v| v.starts_with("HTTP/1.")) {
        bail!("not an HTTP/1.x response: {:?}", line.trim_end());
    }
    let status = status.unwrap_or_default().to_owned();
    let reason = line.trim_end().to_owned();
    let mut length: Option<usize> = None;
    let mut chunked = false;
    loop {
        read_line(&mut r, &mut line)?;
        let header = line.trim_end();
        if header.is_empty() {
            break;
        }
        let Some((name, value)) = header.split_once(':') else {
            bail!("malformed header line {header:?}");
        };
        let value = value.trim();
        match name.trim().to_ascii_lowercase().as_str() {
            "content-length" => {
                length = Some(
                    value
                        .parse()
                        .with_context(|| format!("Content-Length {value:?}"))?,
                );
            }
            "transfer-encoding" => chunked = value.to_ascii_lowercase().contains("chunked"),
            _ => {}
        }
    }
    if status != "200" {
        bail!("the server answered {reason:?}");
    }
    let mut body = Vec::new();
    if chunked {
        loop {
            let mut size_line = String::new();
            r.by_ref().take(1024).read_line(&mut size_line)?;
            let size_hex = size_line.trim().split(';').next().unwrap_or_default();
            let size = usize::from_str_radix(size_hex, 16)
                .with_context(|| format!("chunk size {size_hex:?}"))?;
            if size == 0 {
                break;
            }
            if body.len().saturating_add(size) > MAX_BODY {
                bail!("response larger than {MAX_BODY} bytes");
            }
            let start = body.len();
            body.resize(start.saturating_add(size), 0);
            r.read_exact(body.get_mut(start..).unwrap_or_default())?;
            let mut crlf = [0u8; 2];
            r.read_exact(&mut crlf)?;
        }
    } else if let Some(n) = length {
        if n > MAX_BODY {
            bail!("response larger than {MAX_BODY} bytes");
        }
        body.resize(n, 0);
        r.read_exact(&mut body)?;
    } else {
        let limit = u64::try_from(MAX_BODY)
            .unwrap_or(u64::MAX)
            .saturating_add(1);
        r.take(limit).read_to_end(&mut body)?;
        if body.len() > MAX_BODY {
            bail!("response larger than {MAX_BODY} bytes");
        }
    }
    Ok(body)
}
