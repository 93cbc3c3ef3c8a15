//! The operator REST API (`/api/v1/`, JSON) on the [`Operator`] service: registrations,
//! the approval queue, certificates and revocation, the audit log, the policy in force.
//! The document `/api/v1/openapi.json` ([`OPENAPI`]) describes every route of [`ROUTES`].
//!
//! **Authentication: mutual TLS with pinned operator certificates.** `operators.toml` in the
//! data directory lists each operator's name, role and the SHA-256 of their certificate
//! (`signet operator add`); the TLS listener asks every client for a certificate (CMP clients
//! need none) and the API admits only a listed one. Over plain HTTP, or without a listed
//! certificate, every route but the document is `401`; a route for another role is `403`.
//! Roles: an **officer** registers, decides, revokes and reads; an **auditor** reads (the
//! audit log included) and changes nothing.

use std::path::Path;

use anyhow::{Result, bail};
use bytes::Bytes;
use http_body_util::Full;
use hyper::{Method, Response, StatusCode};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::cmp::Ca;
use crate::operator::{
    Decision, Operator, OperatorError, Reason, RegistrationRequest, SystemClock,
};
use crate::store::CertStatus;

/// What an operator may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub(crate) enum Role {
    /// Registers subjects, decides pending enrollments, revokes; reads everything.
    Officer,
    /// Reads everything, the audit log included; changes nothing.
    Auditor,
}

impl Role {
    const fn name(self) -> &'static str {
        match self {
            Self::Officer => "officer",
            Self::Auditor => "auditor",
        }
    }
}

/// One operator of `operators.toml`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub(crate) struct Account {
    /// The name the audit log records (`operator:api:<name>`).
    pub(crate) name: String,
    pub(crate) role: Role,
    /// SHA-256 of the operator's TLS client certificate (DER), hex: admits them to the API
    /// over mutual TLS.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) certificate_sha256: Option<String>,
    /// argon2id PHC string of the operator's console password: admits them to `/console/`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) password_argon2: Option<String>,
}

/// `operators.toml`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub(crate) struct Operators {
    #[serde(default, rename = "operator")]
    pub(crate) accounts: Vec<Account>,
}

impl Operators {
    /// `operators.toml` of `dir` (none when absent).
    pub(crate) fn load(dir: &Path) -> Result<Self> {
        let path = dir.join("operators.toml");
        let ops: Self = crate::pki::load_toml_or_default(&path)?;
        for a in &ops.accounts {
            if let Some(fp) = &a.certificate_sha256
                && hex::decode(fp).map(|d| d.len()) != Ok(32)
            {
                bail!(
                    "{}: operator {:?}: certificate-sha256 must be 64 hex digits",
                    path.display(),
                    a.name
                );
            }
            if a.certificate_sha256.is_none() && a.password_argon2.is_none() {
                bail!(
                    "{}: operator {:?}: neither certificate-sha256 nor password-argon2",
                    path.display(),
                    a.name
                );
            }
        }
        Ok(ops)
    }

    /// Writes `operators.toml` of `dir` (replacing it whole).
    pub(crate) fn save(&self, dir: &Path) -> Result<()> {
        let text = format!(
            "# Operators of the REST API (/api/v1/, by TLS client certificate) and of the web\n\
             # console (/console/, by password).\n{}",
            toml::to_string_pretty(self)?
        );
        crate::pki::replace_file(&dir.join("operators.toml"), text.as_bytes())
    }

    fn by_fingerprint(&self, fp: &[u8; 32]) -> Option<&Account> {
        let hex = hex::encode(fp);
        self.accounts.iter().find(|a| {
            a.certificate_sha256
                .as_deref()
                .is_some_and(|f| f.eq_ignore_ascii_case(&hex))
        })
    }

    /// The account named `name`, if it has a console password.
    pub(crate) fn by_name(&self, name: &str) -> Option<&Account> {
        self.accounts
            .iter()
            .find(|a| a.name == name && a.password_argon2.is_some())
    }
}

/// The TLS client certificate of a connection (its SHA-256), put in each request's
/// extensions by the server.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ClientCertificate(pub(crate) [u8; 32]);

/// The API's routes: method, path pattern (`{…}` one segment), who may call it. The document
/// lists the same, which a test checks.
pub(crate) const ROUTES: &[(&str, &str, &[Role])] = &[
    (
        "GET",
        "/api/v1/registrations",
        &[Role::Officer, Role::Auditor],
    ),
    ("POST", "/api/v1/registrations", &[Role::Officer]),
    (
        "POST",
        "/api/v1/pending/{transaction}/approve",
        &[Role::Officer],
    ),
    (
        "POST",
        "/api/v1/pending/{transaction}/refuse",
        &[Role::Officer],
    ),
    (
        "GET",
        "/api/v1/certificates",
        &[Role::Officer, Role::Auditor],
    ),
    (
        "GET",
        "/api/v1/certificates/{serial}",
        &[Role::Officer, Role::Auditor],
    ),
    (
        "POST",
        "/api/v1/certificates/{serial}/revoke",
        &[Role::Officer],
    ),
    ("GET", "/api/v1/revocation", &[Role::Officer, Role::Auditor]),
    ("GET", "/api/v1/audit", &[Role::Officer, Role::Auditor]),
    ("GET", "/api/v1/policy", &[Role::Officer, Role::Auditor]),
];

/// The OpenAPI 3.1 document (`/api/v1/openapi.json`).
pub(crate) const OPENAPI: &str = include_str!("api/openapi.json");

/// Largest JSON body accepted.
pub(crate) const MAX_BODY: usize = 64 * 1024;

fn json_reply(status: StatusCode, v: &Value) -> Response<Full<Bytes>> {
    let mut r = Response::new(Full::new(Bytes::from(v.to_string())));
    *r.status_mut() = status;
    r.headers_mut().insert(
        hyper::header::CONTENT_TYPE,
        hyper::header::HeaderValue::from_static("application/json"),
    );
    r.headers_mut().insert(
        hyper::header::CACHE_CONTROL,
        hyper::header::HeaderValue::from_static("no-store"),
    );
    r
}

fn problem(status: StatusCode, error: &str, detail: impl Into<String>) -> Response<Full<Bytes>> {
    json_reply(status, &json!({"error": error, "detail": detail.into()}))
}

/// Matches `path` against the pattern; the `{…}` segments' values.
fn matches<'p>(pattern: &str, path: &'p str) -> Option<Vec<&'p str>> {
    let mut args = Vec::new();
    let (mut ps, mut xs) = (pattern.split('/'), path.split('/'));
    loop {
        match (ps.next(), xs.next()) {
            (None, None) => return Some(args),
            (Some(p), Some(x)) if p.starts_with('{') && !x.is_empty() => args.push(x),
            (Some(p), Some(x)) if p == x => {}
            _ => return None,
        }
    }
}

fn operator_error(e: &OperatorError) -> Response<Full<Bytes>> {
    match e {
        OperatorError::Invalid { what, why } => problem(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid",
            format!("{what}: {why}"),
        ),
        OperatorError::NoCertificate(_) | OperatorError::NoPending(_) => {
            problem(StatusCode::NOT_FOUND, "not-found", e.to_string())
        }
        OperatorError::AlreadyRevoked(_) => {
            problem(StatusCode::CONFLICT, "conflict", e.to_string())
        }
        OperatorError::Store(_) => {
            tracing::error!(error = %e, "operator API");
            problem(
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal",
                "the store failed",
            )
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RegisterBody {
    subject: String,
    #[serde(default)]
    profile: Option<String>,
    #[serde(default)]
    valid_for_seconds: Option<u64>,
    #[serde(default)]
    count: Option<u32>,
    #[serde(default)]
    subject_alt_names: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DecideBody {
    #[serde(default)]
    reason: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RevokeBody {
    reason: String,
}

fn cert_json(c: &crate::store::CertRow) -> Value {
    json!({
        "serial": c.serial, "status": c.status, "subject": c.subject, "profile": c.profile,
        "not_before": c.not_before, "not_after": c.not_after, "issued_at": c.issued_at,
        "requester": c.requester, "transaction": hex::encode(&c.transaction_id),
        "revoked_at": c.revoked_at,
        "revocation_reason": c.revocation_reason.map(Reason::name_of),
        "replaces": c.replaces,
    })
}

/// Most certificates one list answer holds (newest first; narrow with `q=`/`status=`).
pub(crate) const MAX_LIST: usize = 10_000;

/// The CRL in force (its number, `thisUpdate`, `nextUpdate`, entries) and the certificates by
/// status: what OCSP and the CRL say right now.
async fn revocation_status(ca: &Ca) -> Result<Value> {
    use signet_asn1_types::der::Decode as _;
    let der = ca.published.crl(ca).await?;
    let crl: signet_asn1_types::x509_cert::crl::CertificateList =
        signet_asn1_types::x509_cert::crl::CertificateList::from_der(&der)?;
    let tbs = &crl.tbs_cert_list;
    let secs = |t: &signet_asn1_types::x509_cert::time::Time| t.to_unix_duration().as_secs();
    let certs = ca.store.certificates().await?;
    let count = |s: CertStatus| certs.iter().filter(|c| c.status == s).count();
    Ok(json!({
        "crl": {
            "number": crate::pki::crl_number(&der)?,
            "this_update": secs(&tbs.this_update),
            "next_update": tbs.next_update.as_ref().map(secs),
            "entries": tbs.revoked_certificates.as_ref().map_or(0, Vec::len),
            "url": "/crl/issuing-ca.crl",
        },
        "ocsp": {"url": "/ocsp", "unconfirmed_status": format!("{:?}", ca.pki.policy.revocation.unconfirmed_ocsp_status).to_lowercase()},
        "certificates": {
            "valid": count(CertStatus::Valid),
            "unconfirmed": count(CertStatus::Unconfirmed),
            "revoked": count(CertStatus::Revoked),
        },
    }))
}

/// Answers an API request: `client` is the connection's client certificate, if any.
pub(crate) async fn handle(
    ca: &Ca,
    operators: &Operators,
    client: Option<ClientCertificate>,
    method: &Method,
    path: &str,
    query: Option<&str>,
    body: &[u8],
) -> Response<Full<Bytes>> {
    if method == Method::GET && path == "/api/v1/openapi.json" {
        let mut r = Response::new(Full::new(Bytes::from_static(OPENAPI.as_bytes())));
        r.headers_mut().insert(
            hyper::header::CONTENT_TYPE,
            hyper::header::HeaderValue::from_static("application/json"),
        );
        return r;
    }
    let candidates: Vec<_> = ROUTES
        .iter()
        .filter_map(|(m, p, roles)| Some((*m, *p, matches(p, path)?, *roles)))
        .collect();
    if candidates.is_empty() {
        return problem(StatusCode::NOT_FOUND, "not-found", "no such API route");
    }
    let Some((m, route, args, roles)) =
        candidates.into_iter().find(|(m, ..)| *m == method.as_str())
    else {
        return problem(
            StatusCode::METHOD_NOT_ALLOWED,
            "method-not-allowed",
            format!("{method} is not a method of {path}"),
        );
    };
    let Some(account) = client.and_then(|c| operators.by_fingerprint(&c.0)) else {
        return problem(
            StatusCode::UNAUTHORIZED,
            "unauthenticated",
            "the operator API needs TLS with an operator certificate listed in operators.toml",
        );
    };
    if !roles.contains(&account.role) {
        return problem(
            StatusCode::FORBIDDEN,
            "forbidden",
            format!("{} may not {m} {path}", account.role.name()),
        );
    }
    let operator = Operator::new(&ca.store, &SystemClock, &format!("api:{}", account.name));
    let arg = |i: usize| args.get(i).copied().unwrap_or_default();
    match (m, route) {
        ("GET", "/api/v1/registrations") => match operator.registrations().await {
            Ok((regs, pending)) => json_reply(
                StatusCode::OK,
                &json!({
                    "registrations": regs.iter().map(|r| json!({
                        "reference": r.reference, "subject": r.subject, "profile": r.profile,
                        "state": r.state.as_str(), "created": r.created, "expires": r.expires,
                    })).collect::<Vec<_>>(),
                    "pending": pending.iter().map(|t| json!({
                        "transaction": hex::encode(&t.transaction), "kind": t.kind,
                        "requester": t.requester, "profile": t.profile, "created": t.created,
                    })).collect::<Vec<_>>(),
                }),
            ),
            Err(e) => operator_error(&e),
        },
        ("POST", "/api/v1/registrations") => {
            let b: RegisterBody = match serde_json::from_slice(body) {
                Ok(b) => b,
                Err(e) => return problem(StatusCode::BAD_REQUEST, "bad-request", e.to_string()),
            };
            let request = RegistrationRequest {
                subject: &b.subject,
                sans: &b.subject_alt_names,
                profile: b.profile.as_deref(),
                valid_for: b.valid_for_seconds,
                count: b.count.unwrap_or(1),
            };
            match operator
                .register(&ca.pki.policy, &ca.pki.sealer, &request)
                .await
            {
                Ok(r) => json_reply(
                    StatusCode::CREATED,
                    &json!({
                        "subject": r.subject, "profile": r.profile, "expires": r.expires,
                        "codes": r.codes.iter().map(|(reference, secret)| json!({
                            "reference": reference, "secret": secret.as_str(),
                        })).collect::<Vec<_>>(),
                    }),
                ),
                Err(e) => operator_error(&e),
            }
        }
        (
            "POST",
            "/api/v1/pending/{transaction}/approve" | "/api/v1/pending/{transaction}/refuse",
        ) => {
            let Ok(tid) = hex::decode(arg(0)) else {
                return problem(
                    StatusCode::BAD_REQUEST,
                    "bad-request",
                    "the transaction ID is hex",
                );
            };
            let decision = if route.ends_with("/approve") {
                Decision::Approve
            } else {
                Decision::Refuse
            };
            let why = if body.is_empty() {
                String::new()
            } else {
                match serde_json::from_slice::<DecideBody>(body) {
                    Ok(b) => b.reason.unwrap_or_default(),
                    Err(e) => {
                        return problem(StatusCode::BAD_REQUEST, "bad-request", e.to_string());
                    }
                }
            };
            match operator.decide(&tid, decision, &why).await {
                Ok(state) => json_reply(
                    StatusCode::OK,
                    &json!({"transaction": arg(0), "state": state.as_str()}),
                ),
                Err(e) => operator_error(&e),
            }
        }
        ("GET", "/api/v1/certificates") => {
            let params = query
                .and_then(|q| crate::web::parse_form(q.as_bytes()))
                .unwrap_or_default();
            let param = |k: &str| params.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
            let status = match param("status") {
                None => None,
                Some("valid") => Some(CertStatus::Valid),
                Some("unconfirmed") => Some(CertStatus::Unconfirmed),
                Some("revoked") => Some(CertStatus::Revoked),
                Some(other) => {
                    return problem(
                        StatusCode::BAD_REQUEST,
                        "bad-request",
                        format!("status={other:?}: expected valid, unconfirmed or revoked"),
                    );
                }
            };
            let limit = match param("limit").map(str::parse::<usize>) {
                None => MAX_LIST,
                Some(Ok(n)) if (1..=MAX_LIST).contains(&n) => n,
                Some(_) => {
                    return problem(
                        StatusCode::BAD_REQUEST,
                        "bad-request",
                        format!("limit= takes 1 to {MAX_LIST}"),
                    );
                }
            };
            match operator
                .search(param("q").unwrap_or_default(), status, limit)
                .await
            {
                Ok(certs) => json_reply(
                    StatusCode::OK,
                    &Value::Array(certs.iter().map(cert_json).collect()),
                ),
                Err(e) => operator_error(&e),
            }
        }
        ("GET", "/api/v1/revocation") => match revocation_status(ca).await {
            Ok(v) => json_reply(StatusCode::OK, &v),
            Err(e) => {
                tracing::error!(error = %e, "revocation status");
                problem(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "internal",
                    "the CRL is unavailable",
                )
            }
        },
        ("GET", "/api/v1/certificates/{serial}") => match operator.certificate(arg(0)).await {
            Ok(c) => {
                let mut v = cert_json(&c);
                if let (Some(o), Ok(pem)) = (
                    v.as_object_mut(),
                    crate::pki::cert_from_der(&c.der).and_then(|c| crate::pki::cert_pem(&c)),
                ) {
                    o.insert("pem".into(), json!(pem));
                }
                json_reply(StatusCode::OK, &v)
            }
            Err(e) => operator_error(&e),
        },
        ("POST", "/api/v1/certificates/{serial}/revoke") => {
            let b: RevokeBody = match serde_json::from_slice(body) {
                Ok(b) => b,
                Err(e) => return problem(StatusCode::BAD_REQUEST, "bad-request", e.to_string()),
            };
            let reason = match Reason::parse(&b.reason) {
                Ok(r) => r,
                Err(e) => return operator_error(&e),
            };
            match operator.revoke(arg(0), reason).await {
                Ok(serial) => json_reply(
                    StatusCode::OK,
                    &json!({"serial": serial, "status": "revoked", "reason": Reason::name_of(reason.code())}),
                ),
                Err(e) => operator_error(&e),
            }
        }
        ("GET", "/api/v1/audit") => {
            let after = query
                .and_then(|q| q.split('&').find_map(|kv| kv.strip_prefix("after=")))
                .map_or(Ok(0), str::parse::<i64>);
            let Ok(after) = after else {
                return problem(
                    StatusCode::BAD_REQUEST,
                    "bad-request",
                    "after= takes a record number",
                );
            };
            match ca.store.audit_records(after).await {
                Ok(records) => json_reply(StatusCode::OK, &json!({"records": records})),
                Err(e) => operator_error(&OperatorError::Store(e.to_string())),
            }
        }
        ("GET", "/api/v1/policy") => match ca.pki.policy.to_toml() {
            Ok(toml) => json_reply(StatusCode::OK, &json!({"policy_toml": toml})),
            Err(e) => operator_error(&OperatorError::Store(e.to_string())),
        },
        _ => problem(StatusCode::NOT_FOUND, "not-found", "no such API route"),
    }
}

#[cfg(test)]
mod tests;
