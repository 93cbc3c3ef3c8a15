//! The people-facing pages of `signet serve`, server-rendered HTML with no script and nothing
//! fetched from elsewhere: the operator **console** (`/console/`, [`console`]) on the same
//! [`crate::operator::Operator`] service as the REST API, and the self-service **portal**
//! (`/portal/`, [`portal`]) on [`crate::portal::Portal`].
//!
//! **Transport.** Both answer only over TLS, or to a client on the loopback interface (a
//! local operator without a certificate for the host); anything else is `403`, since a
//! password or code would cross the network in clear.
//!
//! **Sessions** (console): a sign-in with an operator's name and argon2-checked password
//! (`signet operator add --password-stdin`) makes a random 256-bit token, kept in memory by its
//! SHA-256 only, in a cookie that is `HttpOnly`, `SameSite=Strict`, `Path=/console` and
//! `Secure` over TLS. A session lasts at most [`SESSION_LIFETIME_SECS`], and
//! [`SESSION_IDLE_SECS`] without use; signing out ends it. At most [`MAX_SESSIONS`] are kept
//! (the oldest goes first). Five failed sign-ins for a name lock it for
//! [`LOGIN_LOCKOUT_SECS`] on this node. Sessions are per node: behind a balancer, keep an
//! operator on one node.
//!
//! **CSRF.** Every form carries a token: the session's own on the console (synchronizer
//! token), and on the portal a random token both in a cookie and in the form (double submit),
//! both compared in constant time; `SameSite=Strict` cookies and a `form-action 'self'`
//! content security policy add to it. A POST without the right token is `403`.
//!
//! **Secrets** never appear in a URL, a log line or the audit log: codes are shown once, in
//! the answer to a POST, with `Cache-Control: no-store`.

use std::collections::HashMap;
use std::sync::Mutex;

use bytes::Bytes;
use http_body_util::Full;
use hyper::{Method, Response, StatusCode};

use crate::api::Role;
use crate::cmp::Ca;

pub(crate) mod console;
pub(crate) mod portal;

/// Longest session, in seconds (8 h).
pub(crate) const SESSION_LIFETIME_SECS: i64 = 8 * 3600;
/// Longest time a session may go unused, in seconds (30 min).
pub(crate) const SESSION_IDLE_SECS: i64 = 30 * 60;
/// Most sessions kept at once.
pub(crate) const MAX_SESSIONS: usize = 1_000;
/// Failed sign-ins that lock an operator name on a node.
pub(crate) const MAX_LOGIN_FAILURES: u32 = 5;
/// How long a locked operator name stays locked, in seconds.
pub(crate) const LOGIN_LOCKOUT_SECS: i64 = 15 * 60;
/// Largest form body accepted, in bytes.
pub(crate) const MAX_FORM: usize = 16 * 1024;
/// Most fields a form may have.
const MAX_FIELDS: usize = 64;

/// How a request arrived: over TLS or not, from which address.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Transport {
    pub(crate) tls: bool,
    pub(crate) peer: std::net::IpAddr,
}

impl Transport {
    /// Whether the client is on this machine.
    pub(crate) fn loopback(&self) -> bool {
        self.peer.is_loopback()
    }
}

/// Sign-in and portal attempts one client address may make per [`ATTEMPT_WINDOW_SECS`]
/// (beyond, `429`): per-entry lockout stops guessing one password, this stops trying one
/// password on many entries. IPv6 addresses count per /64.
pub(crate) const MAX_ATTEMPTS_PER_ADDRESS: u32 = 30;
/// The window of [`MAX_ATTEMPTS_PER_ADDRESS`], in seconds.
pub(crate) const ATTEMPT_WINDOW_SECS: i64 = 600;
/// Most client addresses tracked at once (when full, windows already over are dropped first,
/// then the oldest half).
const MAX_TRACKED_ADDRESSES: usize = 10_000;

/// A signed-in operator.
#[derive(Debug, Clone)]
pub(crate) struct Session {
    pub(crate) name: String,
    pub(crate) role: Role,
    /// The token every form of this session carries.
    pub(crate) csrf: String,
    expires: i64,
    idle_until: i64,
}

/// The console's sessions and failed sign-ins, in memory.
#[derive(Debug, Default)]
pub(crate) struct Sessions {
    inner: Mutex<SessionState>,
}

#[derive(Debug, Default)]
struct SessionState {
    by_token: HashMap<[u8; 32], Session>,
    /// name → (consecutive failures, locked until).
    failures: HashMap<String, (u32, i64)>,
    /// client address (IPv6: its /64) → (window start, attempts in it).
    by_address: HashMap<std::net::IpAddr, (i64, u32)>,
}

/// The address an attempt is counted against: IPv4 whole, IPv6 by its /64.
fn address_key(ip: std::net::IpAddr) -> std::net::IpAddr {
    match ip {
        std::net::IpAddr::V6(v6) => {
            let mut o = v6.octets();
            for b in o.iter_mut().skip(8) {
                *b = 0;
            }
            std::net::IpAddr::V6(o.into())
        }
        v4 @ std::net::IpAddr::V4(_) => v4,
    }
}

fn token_key(token: &str) -> [u8; 32] {
    let d = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, token.as_bytes());
    let mut k = [0u8; 32];
    k.copy_from_slice(d.as_ref());
    k
}

/// A fresh random token (256 bits, base64url).
pub(crate) fn random_token() -> Option<String> {
    use base64::Engine as _;
    let mut raw = [0u8; 32];
    aws_lc_rs::rand::fill(&mut raw).ok()?;
    Some(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(raw))
}

/// Whether two tokens are equal, in time independent of where they differ.
pub(crate) fn same_token(a: &str, b: &str) -> bool {
    !a.is_empty()
        && aws_lc_rs::constant_time::verify_slices_are_equal(a.as_bytes(), b.as_bytes()).is_ok()
}

impl Sessions {
    fn lock(&self) -> std::sync::MutexGuard<'_, SessionState> {
        self.inner
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The session of `token`, refreshed, if it is still open at `now`.
    pub(crate) fn get(&self, token: &str, now: i64) -> Option<Session> {
        let mut s = self.lock();
        let key = token_key(token);
        let open = s
            .by_token
            .get(&key)
            .is_some_and(|x| x.expires > now && x.idle_until > now);
        if !open {
            s.by_token.remove(&key);
            return None;
        }
        let session = s.by_token.get_mut(&key)?;
        session.idle_until = now.saturating_add(SESSION_IDLE_SECS).min(session.expires);
        Some(session.clone())
    }

    /// Opens a session for `name`; its cookie token.
    pub(crate) fn open(&self, name: &str, role: Role, now: i64) -> Option<String> {
        let token = random_token()?;
        let csrf = random_token()?;
        let mut s = self.lock();
        s.by_token
            .retain(|_, x| x.expires > now && x.idle_until > now);
        while s.by_token.len() >= MAX_SESSIONS {
            let oldest = s
                .by_token
                .iter()
                .min_by_key(|(_, x)| x.expires)
                .map(|(k, _)| *k)?;
            s.by_token.remove(&oldest);
        }
        s.by_token.insert(
            token_key(&token),
            Session {
                name: name.to_owned(),
                role,
                csrf,
                expires: now.saturating_add(SESSION_LIFETIME_SECS),
                idle_until: now.saturating_add(SESSION_IDLE_SECS),
            },
        );
        Some(token)
    }

    /// Ends the session of `token`.
    pub(crate) fn close(&self, token: &str) {
        self.lock().by_token.remove(&token_key(token));
    }

    /// Until when `name` is locked, if it is at `now`.
    pub(crate) fn locked(&self, name: &str, now: i64) -> Option<i64> {
        self.lock()
            .failures
            .get(name)
            .map(|(_, until)| *until)
            .filter(|until| *until > now)
    }

    /// Counts an attempt from `ip` at `now`; `Err(until)` once the address has made
    /// [`MAX_ATTEMPTS_PER_ADDRESS`] in its window.
    pub(crate) fn attempt_from(&self, ip: std::net::IpAddr, now: i64) -> Result<(), i64> {
        let key = address_key(ip);
        let mut s = self.lock();
        if !s.by_address.contains_key(&key) && s.by_address.len() >= MAX_TRACKED_ADDRESSES {
            s.by_address
                .retain(|_, (start, _)| now < start.saturating_add(ATTEMPT_WINDOW_SECS));
            if s.by_address.len() >= MAX_TRACKED_ADDRESSES {
                let mut starts: Vec<i64> = s.by_address.values().map(|(t, _)| *t).collect();
                starts.sort_unstable();
                let median = starts.get(starts.len() / 2).copied().unwrap_or(now);
                s.by_address.retain(|_, (start, _)| *start > median);
            }
        }
        let entry = s.by_address.entry(key).or_insert((now, 0));
        if now >= entry.0.saturating_add(ATTEMPT_WINDOW_SECS) {
            *entry = (now, 0);
        }
        if entry.1 >= MAX_ATTEMPTS_PER_ADDRESS {
            return Err(entry.0.saturating_add(ATTEMPT_WINDOW_SECS));
        }
        entry.1 = entry.1.saturating_add(1);
        Ok(())
    }

    /// Records a sign-in of `name`: a failure counts toward the lock, a success clears it.
    pub(crate) fn signed_in(&self, name: &str, ok: bool, now: i64) {
        let mut s = self.lock();
        if ok {
            s.failures.remove(name);
            return;
        }
        if s.failures.len() >= MAX_SESSIONS && !s.failures.contains_key(name) {
            s.failures.retain(|_, (_, until)| *until > now);
            if s.failures.len() >= MAX_SESSIONS {
                return;
            }
        }
        let entry = s.failures.entry(name.to_owned()).or_insert((0, 0));
        entry.0 = entry.0.saturating_add(1);
        if entry.0 >= MAX_LOGIN_FAILURES {
            entry.1 = now.saturating_add(LOGIN_LOCKOUT_SECS);
            entry.0 = 0;
        }
    }
}

/// One request to a page, decoded.
pub(crate) struct PageRequest<'a> {
    pub(crate) method: &'a Method,
    /// The path below the section (`/console` or `/portal` cut off), `/` at least.
    pub(crate) path: &'a str,
    pub(crate) query: Vec<(String, String)>,
    pub(crate) cookies: Vec<(String, String)>,
    /// The fields of an `application/x-www-form-urlencoded` body.
    pub(crate) form: Vec<(String, String)>,
    /// The `Host` the client used (for the commands a page shows).
    pub(crate) host: String,
    pub(crate) transport: Transport,
}

impl PageRequest<'_> {
    pub(crate) fn cookie(&self, name: &str) -> Option<&str> {
        self.cookies
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    pub(crate) fn field(&self, name: &str) -> &str {
        self.form
            .iter()
            .find(|(k, _)| k == name)
            .map_or("", |(_, v)| v.as_str())
    }

    pub(crate) fn param(&self, name: &str) -> &str {
        self.query
            .iter()
            .find(|(k, _)| k == name)
            .map_or("", |(_, v)| v.as_str())
    }

    /// ` Secure` over TLS (a loopback client over plain HTTP cannot keep a Secure cookie).
    pub(crate) fn secure(&self) -> &'static str {
        if self.transport.tls { "; Secure" } else { "" }
    }
}

/// `a=1&b=2` decoded (`+` is a space), at most [`MAX_FIELDS`] pairs; `None` if not UTF-8.
pub(crate) fn parse_form(text: &[u8]) -> Option<Vec<(String, String)>> {
    let decode = |s: &[u8]| {
        let spaced: Vec<u8> = s
            .iter()
            .map(|b| if *b == b'+' { b' ' } else { *b })
            .collect();
        percent_encoding::percent_decode(&spaced)
            .decode_utf8()
            .ok()
            .map(|c| c.into_owned())
    };
    let mut out = Vec::new();
    for pair in text.split(|b| *b == b'&').filter(|p| !p.is_empty()) {
        if out.len() >= MAX_FIELDS {
            return None;
        }
        let mut kv = pair.splitn(2, |b| *b == b'=');
        let k = decode(kv.next().unwrap_or_default())?;
        let v = decode(kv.next().unwrap_or_default())?;
        out.push((k, v));
    }
    Some(out)
}

fn parse_cookies(header: &str) -> Vec<(String, String)> {
    header
        .split(';')
        .filter_map(|c| c.trim().split_once('='))
        .take(MAX_FIELDS)
        .map(|(k, v)| (k.trim().to_owned(), v.trim().to_owned()))
        .collect()
}

/// `s` with HTML's special characters escaped.
pub(crate) fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

const STYLE: &str = "body{font-family:system-ui,sans-serif;margin:0;color:#1b1f24}\
header{background:#1f3a5f;color:#fff;padding:.6em 1.2em;display:flex;gap:1.2em;align-items:center}\
header a{color:#fff}header form{margin-left:auto}main{padding:1em 1.2em;max-width:72em}\
table{border-collapse:collapse;width:100%}td,th{border-bottom:1px solid #ccd;padding:.3em .5em;\
text-align:left;vertical-align:top;font-size:.92em}pre{background:#f3f5f8;padding:.8em;\
white-space:pre-wrap;word-break:break-all}.error{background:#fde8e8;border:1px solid #e0a0a0;\
padding:.6em}.ok{background:#e6f6e8;border:1px solid #9c9;padding:.6em}label{display:block;\
margin:.5em 0}input[type=text],input[type=password],textarea,select{width:28em;max-width:100%}\
code{background:#f3f5f8}";

/// A whole page: `nav` is the header's links, `body` already escaped HTML.
pub(crate) fn page(
    status: StatusCode,
    title: &str,
    nav: &str,
    body: &str,
) -> Response<Full<Bytes>> {
    let html = format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width\"><title>{} · Signet</title>\
         <style>{STYLE}</style></head><body><header><strong>Signet</strong>{nav}</header>\
         <main><h1>{}</h1>{body}</main></body></html>",
        esc(title),
        esc(title)
    );
    let mut r = Response::new(Full::new(Bytes::from(html)));
    *r.status_mut() = status;
    let h = r.headers_mut();
    for (k, v) in [
        ("content-type", "text/html; charset=utf-8"),
        ("cache-control", "no-store"),
        (
            "content-security-policy",
            "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; \
             frame-ancestors 'none'; base-uri 'none'",
        ),
        ("x-frame-options", "DENY"),
        ("x-content-type-options", "nosniff"),
        ("referrer-policy", "no-referrer"),
    ] {
        h.insert(k, hyper::header::HeaderValue::from_static(v));
    }
    r
}

/// A `303 See Other` to `to`, setting `cookie` if given.
pub(crate) fn redirect(to: &str, cookie: Option<&str>) -> Response<Full<Bytes>> {
    let mut r = Response::new(Full::new(Bytes::new()));
    *r.status_mut() = StatusCode::SEE_OTHER;
    if let Ok(v) = hyper::header::HeaderValue::from_str(to) {
        r.headers_mut().insert(hyper::header::LOCATION, v);
    }
    set_cookie(&mut r, cookie);
    r.headers_mut().insert(
        hyper::header::CACHE_CONTROL,
        hyper::header::HeaderValue::from_static("no-store"),
    );
    r
}

pub(crate) fn set_cookie(r: &mut Response<Full<Bytes>>, cookie: Option<&str>) {
    if let Some(c) = cookie
        && let Ok(v) = hyper::header::HeaderValue::from_str(c)
    {
        r.headers_mut().append(hyper::header::SET_COOKIE, v);
    }
}

/// Answers a request under `/console` or `/portal`.
pub(crate) async fn handle(
    ca: &Ca,
    settings: &crate::serve::HttpSettings,
    transport: Transport,
    method: &Method,
    uri: &hyper::Uri,
    headers: &hyper::HeaderMap,
    body: &[u8],
) -> Response<Full<Bytes>> {
    let (path, query) = (uri.path(), uri.query());
    if !transport.tls && !transport.loopback() {
        return page(
            StatusCode::FORBIDDEN,
            "HTTPS needed",
            "",
            "<p class=\"error\">These pages take passwords and one-time codes: open them over \
             HTTPS (<code>signet serve --tls-cert … --tls-key …</code>).</p>",
        );
    }
    let form = if method == Method::POST {
        let form_type = headers
            .get(hyper::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(';').next())
            .is_some_and(|v| {
                v.trim()
                    .eq_ignore_ascii_case("application/x-www-form-urlencoded")
            });
        match parse_form(body).filter(|_| form_type) {
            Some(f) => f,
            None => {
                return page(
                    StatusCode::BAD_REQUEST,
                    "Bad request",
                    "",
                    "<p class=\"error\">The form could not be read.</p>",
                );
            }
        }
    } else {
        Vec::new()
    };
    let (section, rest) = match path.strip_prefix("/console") {
        Some(rest) => ("console", rest),
        None => ("portal", path.strip_prefix("/portal").unwrap_or_default()),
    };
    let req = PageRequest {
        method,
        path: if rest.is_empty() { "/" } else { rest },
        query: query
            .and_then(|q| parse_form(q.as_bytes()))
            .unwrap_or_default(),
        cookies: headers
            .get_all(hyper::header::COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(parse_cookies)
            .collect(),
        form,
        host: headers
            .get(hyper::header::HOST)
            .and_then(|v| v.to_str().ok())
            .filter(|h| {
                h.len() <= 255
                    && h.chars()
                        .all(|c| c.is_ascii_alphanumeric() || ".-:[]".contains(c))
            })
            .unwrap_or("localhost")
            .to_owned(),
        transport,
    };
    if section == "console" {
        console::handle(ca, settings, &req).await
    } else {
        portal::handle(ca, &settings.sessions, &req).await
    }
}

/// The `openssl cmp` command that enrols with a reference number and code (OpenSSL 3.0), for
/// the page that shows them.
pub(crate) fn enrol_command(
    ca: &Ca,
    req: &PageRequest<'_>,
    reference: &str,
    code: &str,
    subject: &str,
    profile: &str,
) -> String {
    let recipient = signet_ra_policy::dn::to_openssl(ca.pki.cmp_cert.tbs_certificate().subject());
    let tls = if req.transport.tls {
        " -tls_used -tls_trusted tls-ca.pem"
    } else {
        ""
    };
    format!(
        "openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out key.pem\n\
         openssl cmp -cmd ir -server {} -path /.well-known/cmp/p/{profile}{tls} \
         -ref {reference} -secret pass:{code} -recipient '{}' -newkey key.pem \
         -subject '{}' -certout cert.pem",
        req.host,
        recipient.replace('\'', "'\\''"),
        subject.replace('\'', "'\\''"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forms_decode_and_html_escapes() {
        let f = parse_form(b"a=1+2&b=%3Cx%3E&c=&d").unwrap();
        assert_eq!(
            f,
            vec![
                ("a".into(), "1 2".into()),
                ("b".into(), "<x>".into()),
                ("c".into(), String::new()),
                ("d".into(), String::new())
            ]
        );
        assert!(parse_form(b"a=%FF").is_none());
        assert!(parse_form("x=1&".repeat(MAX_FIELDS + 1).as_bytes()).is_none());
        assert_eq!(
            esc("<a href=\"x\">'&'</a>"),
            "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;"
        );
    }

    #[test]
    fn sessions_expire_and_sign_ins_lock() {
        let s = Sessions::default();
        let t = s.open("alice", Role::Officer, 1_000).unwrap();
        assert_eq!(s.get(&t, 1_001).unwrap().name, "alice");
        assert!(s.get("forged", 1_001).is_none());
        // Idle for longer than allowed: gone.
        assert!(s.get(&t, 1_001 + SESSION_IDLE_SECS + 1).is_none());
        let t = s.open("alice", Role::Officer, 1_000).unwrap();
        s.close(&t);
        assert!(s.get(&t, 1_001).is_none());
        for _ in 0..MAX_LOGIN_FAILURES - 1 {
            s.signed_in("bob", false, 5);
        }
        assert!(s.locked("bob", 5).is_none());
        s.signed_in("bob", false, 5);
        assert_eq!(s.locked("bob", 6), Some(5 + LOGIN_LOCKOUT_SECS));
        assert!(s.locked("bob", 5 + LOGIN_LOCKOUT_SECS).is_none());
        assert!(same_token("abc", "abc") && !same_token("abc", "abd") && !same_token("", ""));
    }

    #[test]
    fn attempts_are_limited_per_address_and_ipv6_per_64() {
        let s = Sessions::default();
        let a: std::net::IpAddr = "192.0.2.1".parse().unwrap();
        let b: std::net::IpAddr = "192.0.2.2".parse().unwrap();
        for _ in 0..MAX_ATTEMPTS_PER_ADDRESS {
            s.attempt_from(a, 100).unwrap();
        }
        assert_eq!(s.attempt_from(a, 101), Err(100 + ATTEMPT_WINDOW_SECS));
        s.attempt_from(b, 101).unwrap();
        s.attempt_from(a, 100 + ATTEMPT_WINDOW_SECS).unwrap();
        let v6 = |x: &str| x.parse::<std::net::IpAddr>().unwrap();
        for i in 0..MAX_ATTEMPTS_PER_ADDRESS {
            s.attempt_from(v6(&format!("2001:db8::{i:x}")), 5).unwrap();
        }
        assert!(
            s.attempt_from(v6("2001:db8::ffff:1"), 5).is_err(),
            "one /64"
        );
        s.attempt_from(v6("2001:db8:0:1::1"), 5).unwrap();
    }
}
