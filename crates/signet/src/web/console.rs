//! The operator console (`/console/`): sign-in, the approval queue, registrations,
//! certificates (search, show, revoke), the audit log (its chain checked on every view) and
//! the policy in force. Officers act; auditors read. Every action goes through the same
//! [`Operator`] service as the REST API, as `operator:console:<name>` in the audit log.

use bytes::Bytes;
use http_body_util::Full;
use hyper::{Method, Response, StatusCode};

use super::{PageRequest, Session, esc, page, redirect, same_token};
use crate::admin::time_str;
use crate::api::Role;
use crate::cmp::Ca;
use crate::operator::{
    Clock as _, Decision, Operator, OperatorError, Reason, RegistrationRequest, SystemClock,
};

const SESSION_COOKIE: &str = "signet_session";
const LOGIN_COOKIE: &str = "signet_login";
/// Most rows a list page shows (the newest).
const MAX_ROWS: usize = 500;

fn nav(s: &Session) -> String {
    format!(
        "<a href=\"/console/queue\">Approval queue</a><a href=\"/console/registrations\">\
         Registrations</a><a href=\"/console/certificates\">Certificates</a>\
         <a href=\"/console/audit\">Audit log</a><a href=\"/console/policy\">Policy</a>\
         <form method=\"post\" action=\"/console/logout\">{}<span>{} ({})</span> \
         <button>Sign out</button></form>",
        csrf_field(s),
        esc(&s.name),
        role_name(s.role)
    )
}

const fn role_name(r: Role) -> &'static str {
    match r {
        Role::Officer => "officer",
        Role::Auditor => "auditor",
    }
}

fn csrf_field(s: &Session) -> String {
    format!(
        "<input type=\"hidden\" name=\"csrf\" value=\"{}\">",
        esc(&s.csrf)
    )
}

fn error_box(msg: &str) -> String {
    format!("<p class=\"error\" role=\"alert\">{}</p>", esc(msg))
}

fn login_page(req: &PageRequest<'_>, status: StatusCode, msg: &str) -> Response<Full<Bytes>> {
    let Some(token) = super::random_token() else {
        return page(
            StatusCode::INTERNAL_SERVER_ERROR,
            "Sign in",
            "",
            &error_box("no randomness"),
        );
    };
    let body = format!(
        "{}<form method=\"post\" action=\"/console/login\">\
         <input type=\"hidden\" name=\"csrf\" value=\"{token}\">\
         <label>Operator name <input type=\"text\" name=\"name\" autocomplete=\"username\" \
         required></label><label>Password <input type=\"password\" name=\"password\" \
         autocomplete=\"current-password\" required></label><button>Sign in</button></form>",
        if msg.is_empty() {
            String::new()
        } else {
            error_box(msg)
        }
    );
    let mut r = page(status, "Sign in", "", &body);
    super::set_cookie(
        &mut r,
        Some(&format!(
            "{LOGIN_COOKIE}={token}; Path=/console; HttpOnly; SameSite=Strict; Max-Age=3600{}",
            req.secure()
        )),
    );
    r
}

async fn sign_in(
    ca: &Ca,
    settings: &crate::serve::HttpSettings,
    req: &PageRequest<'_>,
) -> Response<Full<Bytes>> {
    if !same_token(
        req.cookie(LOGIN_COOKIE).unwrap_or_default(),
        req.field("csrf"),
    ) {
        return login_page(
            req,
            StatusCode::FORBIDDEN,
            "The form expired: sign in again.",
        );
    }
    let now = SystemClock.now();
    if let Err(until) = settings.sessions.attempt_from(req.transport.peer, now) {
        return login_page(
            req,
            StatusCode::TOO_MANY_REQUESTS,
            &format!(
                "Too many sign-ins from your address: try again after {}.",
                time_str(until)
            ),
        );
    }
    let name = req.field("name");
    let secret = zeroize::Zeroizing::new(req.field("password").as_bytes().to_vec());
    let sender = format!("console:{}", name.chars().take(64).collect::<String>());
    if let Some(until) = settings.sessions.locked(name, now) {
        ca.attempts.record(now, &sender, Some("locked"));
        return login_page(
            req,
            StatusCode::TOO_MANY_REQUESTS,
            &format!(
                "Too many failed sign-ins: try again after {}.",
                time_str(until)
            ),
        );
    }
    let account = settings.operators.by_name(name);
    let ok = match account.and_then(|a| a.password_argon2.clone()) {
        Some(phc) => crate::password::verify(secret, phc).await,
        None => {
            crate::password::verify_unknown(secret).await;
            false
        }
    };
    settings.sessions.signed_in(name, ok, now);
    let (Some(account), true) = (account, ok) else {
        ca.attempts
            .record(now, &sender, Some("wrong name or password"));
        return login_page(
            req,
            StatusCode::UNAUTHORIZED,
            "Wrong operator name or password.",
        );
    };
    let audit = crate::audit::op(
        now,
        format!("operator:console:{}", account.name),
        crate::audit::action::OPERATOR_SIGNED_IN,
        None,
        &serde_json::json!({"role": role_name(account.role)}),
    );
    if let Err(e) = ca.store.write(vec![audit]).await {
        tracing::error!(error = %e, "audit record of a sign-in");
        return login_page(req, StatusCode::INTERNAL_SERVER_ERROR, "The store failed.");
    }
    let Some(token) = settings.sessions.open(&account.name, account.role, now) else {
        return login_page(req, StatusCode::INTERNAL_SERVER_ERROR, "no randomness");
    };
    redirect(
        "/console/queue",
        Some(&format!(
            "{SESSION_COOKIE}={token}; Path=/console; HttpOnly; SameSite=Strict{}",
            req.secure()
        )),
    )
}

/// Answers a console request (`req.path` below `/console`).
pub(crate) async fn handle(
    ca: &Ca,
    settings: &crate::serve::HttpSettings,
    req: &PageRequest<'_>,
) -> Response<Full<Bytes>> {
    let post = *req.method == Method::POST;
    match (post, req.path) {
        (false, "/login") => return login_page(req, StatusCode::OK, ""),
        (true, "/login") => return sign_in(ca, settings, req).await,
        _ => {}
    }
    let token = req.cookie(SESSION_COOKIE).unwrap_or_default();
    let Some(session) = settings.sessions.get(token, SystemClock.now()) else {
        return redirect("/console/login", None);
    };
    if post && !same_token(&session.csrf, req.field("csrf")) {
        return page(
            StatusCode::FORBIDDEN,
            "Refused",
            &nav(&session),
            &error_box("The form did not carry this session's token (CSRF): reload the page."),
        );
    }
    let segments: Vec<&str> = req.path.trim_matches('/').split('/').collect();
    let officer = session.role == Role::Officer;
    let operator = Operator::new(
        &ca.store,
        &SystemClock,
        &format!("console:{}", session.name),
    );
    let view = match (post, segments.as_slice()) {
        (false, [""]) => return redirect("/console/queue", None),
        (true, ["logout"]) => {
            settings.sessions.close(token);
            return redirect(
                "/console/login",
                Some(&format!(
                    "{SESSION_COOKIE}=; Path=/console; HttpOnly; SameSite=Strict; Max-Age=0{}",
                    req.secure()
                )),
            );
        }
        (false, ["queue"]) => queue(&operator, &session, "").await,
        (false, ["registrations"]) => registrations(&operator, ca, &session, "").await,
        (false, ["certificates"]) => certificates(&operator, req).await,
        (false, ["certificates", serial]) => certificate(&operator, &session, serial, "").await,
        (false, ["audit"]) => audit(ca).await,
        (false, ["policy"]) => ca
            .pki
            .policy
            .to_toml()
            .map(|t| {
                (
                    "Policy in force".to_owned(),
                    format!(
                        "<p>The CP/CPS as configuration (<code>policy.toml</code>), read at start.</p>\
                         <pre>{}</pre>",
                        esc(&t)
                    ),
                )
            })
            .map_err(|e| OperatorError::Store(e.to_string())),
        (true, _) if !officer => {
            return page(
                StatusCode::FORBIDDEN,
                "Refused",
                &nav(&session),
                &error_box("An auditor reads; only an officer may change anything."),
            );
        }
        (true, ["queue", tx, verb @ ("approve" | "refuse")]) => {
            let decision = if *verb == "approve" { Decision::Approve } else { Decision::Refuse };
            let result = match hex::decode(tx) {
                Ok(tid) => operator
                    .decide(&tid, decision, req.field("reason"))
                    .await
                    .map(|s| format!("{tx}: {s}")),
                Err(_) => Err(OperatorError::NoPending((*tx).to_owned())),
            };
            match result {
                Ok(msg) => queue(&operator, &session, &format!("<p class=\"ok\">{}</p>", esc(&msg))).await,
                Err(e) => queue(&operator, &session, &error_box(&e.to_string())).await,
            }
        }
        (true, ["registrations"]) => register(&operator, ca, &session, req).await,
        (true, ["certificates", serial, "recover"]) => {
            match operator
                .recover(&ca.pki.policy, &ca.pki.sealer, serial, Reason::KEY_COMPROMISE)
                .await
            {
                Ok((revoked, r)) => {
                    let note = format!(
                        "<p class=\"ok\">{} revoked (keyCompromise).</p>{}",
                        esc(&revoked),
                        code_box(ca, req, &r)
                    );
                    registrations(&operator, ca, &session, &note).await
                }
                Err(e @ (OperatorError::AlreadyRevoked(_) | OperatorError::Invalid { .. })) => {
                    certificate(&operator, &session, serial, &error_box(&e.to_string())).await
                }
                Err(e) => Err(e),
            }
        }
        (true, ["certificates", serial, "revoke"]) => {
            let result = match Reason::parse(req.field("reason")) {
                Ok(reason) => operator.revoke(serial, reason).await,
                Err(e) => Err(e),
            };
            let note = match result {
                Ok(s) => format!("<p class=\"ok\" role=\"status\">{} revoked.</p>", esc(&s)),
                Err(e) => error_box(&e.to_string()),
            };
            certificate(&operator, &session, serial, &note).await
        }
        _ => {
            return page(
                StatusCode::NOT_FOUND,
                "Not found",
                &nav(&session),
                &error_box("No such console page."),
            );
        }
    };
    match view {
        Ok((title, body)) => page(StatusCode::OK, &title, &nav(&session), &body),
        Err(OperatorError::NoCertificate(s)) => page(
            StatusCode::NOT_FOUND,
            "Not found",
            &nav(&session),
            &error_box(&format!("No certificate with serial {s}.")),
        ),
        Err(e @ OperatorError::Invalid { .. }) => page(
            StatusCode::UNPROCESSABLE_ENTITY,
            "Not acceptable",
            &nav(&session),
            &error_box(&e.to_string()),
        ),
        Err(e) => {
            tracing::error!(error = %e, "console");
            page(
                StatusCode::INTERNAL_SERVER_ERROR,
                "Error",
                &nav(&session),
                &error_box(&e.to_string()),
            )
        }
    }
}

type View = Result<(String, String), OperatorError>;

async fn queue(operator: &Operator<'_>, s: &Session, note: &str) -> View {
    let (_, pending) = operator.registrations().await?;
    let mut rows = String::new();
    for p in pending.iter().take(MAX_ROWS) {
        let tx = hex::encode(&p.transaction);
        let actions = if s.role == Role::Officer {
            format!(
                "<form method=\"post\" action=\"/console/queue/{tx}/approve\">{c}\
                 <button>Approve</button></form>\
                 <form method=\"post\" action=\"/console/queue/{tx}/refuse\">{c}\
                 <input type=\"text\" name=\"reason\" placeholder=\"reason\" maxlength=\"500\" \
                 aria-label=\"reason for refusing {tx}\"><button>Refuse</button></form>",
                c = csrf_field(s)
            )
        } else {
            String::new()
        };
        rows.push_str(&format!(
            "<tr data-transaction=\"{tx}\"><td><code>{tx}</code></td><td>{}</td><td>{}</td>\
             <td>{}</td><td>{}</td><td>{actions}</td></tr>",
            esc(&p.kind),
            esc(&p.requester),
            esc(p.profile.as_deref().unwrap_or("")),
            time_str(p.created)
        ));
    }
    let table = if pending.is_empty() {
        "<p id=\"empty\">No enrollment waits for a decision.</p>".to_owned()
    } else {
        format!(
            "<table id=\"pending\"><tr><th>Transaction</th><th>Kind</th><th>Requester</th>\
             <th>Profile</th><th>Since</th><th></th></tr>{rows}</table>"
        )
    };
    Ok((
        "Approval queue".to_owned(),
        format!(
            "{note}<p>Enrollments under a manual-approval profile wait here; the client polls \
             and gets its certificate (or the refusal) at its next poll.</p>{table}"
        ),
    ))
}

async fn registrations(operator: &Operator<'_>, ca: &Ca, s: &Session, note: &str) -> View {
    let (regs, _) = operator.registrations().await?;
    let mut rows = String::new();
    for r in regs.iter().rev().take(MAX_ROWS) {
        rows.push_str(&format!(
            "<tr><td><code>{}</code></td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            esc(&r.reference),
            esc(&r.subject),
            esc(&r.profile),
            r.state.as_str(),
            time_str(r.expires)
        ));
    }
    let form = if s.role == Role::Officer {
        let profiles: String = ca
            .pki
            .policy
            .profiles
            .keys()
            .map(|p| {
                let sel = if *p == ca.pki.policy.default_profile {
                    " selected"
                } else {
                    ""
                };
                format!("<option{sel}>{}</option>", esc(p))
            })
            .collect();
        format!(
            "<h2>Register a subject</h2><form method=\"post\" action=\"/console/registrations\">\
             {}<label>Subject <input type=\"text\" name=\"subject\" required \
             placeholder=\"/CN=…/O=…/C=…\"></label><label>Subject alternative names, one per \
             line (email:…, DNS:…, URI:…)<textarea name=\"sans\" rows=\"2\"></textarea></label>\
             <label>Profile <select name=\"profile\">{profiles}</select></label>\
             <button>Register</button></form>",
            csrf_field(s)
        )
    } else {
        String::new()
    };
    Ok((
        "Registrations".to_owned(),
        format!(
            "{note}{form}<h2>Reference numbers</h2><table id=\"registrations\"><tr>\
             <th>Reference</th><th>Subject</th><th>Profile</th><th>State</th><th>Expires</th>\
             </tr>{rows}</table>"
        ),
    ))
}

async fn register(operator: &Operator<'_>, ca: &Ca, s: &Session, req: &PageRequest<'_>) -> View {
    let sans: Vec<String> = req
        .field("sans")
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect();
    let profile = Some(req.field("profile")).filter(|p| !p.is_empty());
    let request = RegistrationRequest {
        subject: req.field("subject"),
        sans: &sans,
        profile,
        valid_for: None,
        count: 1,
    };
    match operator
        .register(&ca.pki.policy, &ca.pki.sealer, &request)
        .await
    {
        Ok(r) => {
            let note = code_box(ca, req, &r);
            registrations(operator, ca, s, &note).await
        }
        Err(e @ OperatorError::Invalid { .. }) => {
            registrations(operator, ca, s, &error_box(&e.to_string())).await
        }
        Err(e) => Err(e),
    }
}

/// The box that shows a fresh reference number and code once, with the command using them.
fn code_box(ca: &Ca, req: &PageRequest<'_>, r: &crate::operator::Registered) -> String {
    let Some((reference, code)) = r.codes.first() else {
        return error_box("no code was made");
    };
    format!(
        "<div class=\"ok\" role=\"status\"><p>Registered <strong>{}</strong> under {}. Hand \
         the subscriber, out of band, this reference number and code (shown only now; they \
         expire {}):</p><p>Reference number: <code id=\"reference\">{}</code></p>\
         <p>Authentication code: <code id=\"code\">{}</code></p><pre id=\"command\">{}</pre>\
         </div>",
        esc(&r.subject),
        esc(&r.profile),
        time_str(r.expires),
        esc(reference),
        esc(code),
        esc(&super::enrol_command(
            ca, req, reference, code, &r.subject, &r.profile
        ))
    )
}

async fn certificates(operator: &Operator<'_>, req: &PageRequest<'_>) -> View {
    let q = req.param("q").trim().to_owned();
    let certs = operator.search(&q, None, MAX_ROWS).await?;
    let mut rows = String::new();
    for c in &certs {
        rows.push_str(&format!(
            "<tr><td><a href=\"/console/certificates/{s}\"><code>{s}</code></a></td><td>{}</td>\
             <td>{}</td><td>{}</td><td>{}</td></tr>",
            esc(&c.subject),
            esc(&c.profile),
            c.status.as_str(),
            time_str(c.not_after),
            s = esc(&c.serial),
        ));
    }
    Ok((
        "Certificates".to_owned(),
        format!(
            "<form method=\"get\" action=\"/console/certificates\"><label>Search subject or \
             serial <input type=\"text\" name=\"q\" value=\"{}\"></label><button>Search</button>\
             </form><table id=\"certificates\"><tr><th>Serial</th><th>Subject</th><th>Profile\
             </th><th>Status</th><th>Not after</th></tr>{rows}</table>",
            esc(&q)
        ),
    ))
}

async fn certificate(operator: &Operator<'_>, s: &Session, serial: &str, note: &str) -> View {
    let c = operator.certificate(serial).await?;
    let revoke = if s.role == Role::Officer && c.status != crate::store::CertStatus::Revoked {
        format!(
            "<h2>Revoke</h2><form method=\"post\" action=\"/console/certificates/{}/revoke\">{}\
             <label>Reason <select name=\"reason\"><option>keyCompromise</option>\
             <option>affiliationChanged</option><option>superseded</option>\
             <option>cessationOfOperation</option><option>privilegeWithdrawn</option>\
             <option selected>unspecified</option></select></label>\
             <button>Revoke</button></form>\
             <h2>Recover the subscriber</h2><p>After a key compromise: revoke this certificate \
             (keyCompromise) and register its subject, profile and names again for a fresh \
             code.</p><form method=\"post\" action=\"/console/certificates/{}/recover\">{}\
             <button>Revoke and register again</button></form>",
            esc(&c.serial),
            csrf_field(s),
            esc(&c.serial),
            csrf_field(s)
        )
    } else {
        String::new()
    };
    let revoked = c.revoked_at.map_or_else(String::new, |at| {
        format!(
            "<tr><th>Revoked</th><td>{} ({})</td></tr>",
            time_str(at),
            c.revocation_reason.map_or("", Reason::name_of)
        )
    });
    Ok((
        format!("Certificate {}", c.serial),
        format!(
            "{note}<table><tr><th>Serial</th><td><code>{}</code></td></tr><tr><th>Status</th>\
             <td id=\"status\">{}</td></tr>{revoked}<tr><th>Subject</th><td>{}</td></tr><tr>\
             <th>Profile</th><td>{}</td></tr><tr><th>Valid</th><td>{} to {}</td></tr><tr>\
             <th>Requester</th><td>{}</td></tr><tr><th>Replaces</th><td>{}</td></tr></table>\
             {revoke}",
            esc(&c.serial),
            c.status.as_str(),
            esc(&c.subject),
            esc(&c.profile),
            time_str(c.not_before),
            time_str(c.not_after),
            esc(&c.requester),
            esc(c.replaces.as_deref().unwrap_or("-")),
        ),
    ))
}

/// The log, newest first, after checking the whole chain.
async fn audit(ca: &Ca) -> View {
    let mut verifier = crate::audit::Verifier::default();
    let mut records = std::collections::VecDeque::new();
    let mut after = 0;
    let mut broken = None;
    loop {
        let page = ca
            .store
            .audit_records(after)
            .await
            .map_err(|e| OperatorError::Store(format!("{e:#}")))?;
        let Some(last) = page.last() else { break };
        after = last.seq;
        for r in page {
            if broken.is_none()
                && let Err(e) = verifier.push(&r)
            {
                broken = Some(e.to_string());
            }
            records.push_back(r);
            if records.len() > MAX_ROWS {
                records.pop_front();
            }
        }
    }
    let (count, head) = verifier.finish();
    let state = match broken {
        Some(why) => error_box(&format!("The chain is broken: {why}")),
        None => format!(
            "<p class=\"ok\" id=\"chain\">{count} records; the hash chain is intact. Head: \
             <code>{}</code></p>",
            head.map(|(_, h)| hex::encode(h)).unwrap_or_default()
        ),
    };
    let mut rows = String::new();
    for r in records.iter().rev() {
        rows.push_str(&format!(
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td><code>{}</code>\
             </td></tr>",
            r.seq,
            time_str(r.at),
            esc(&r.actor),
            esc(&r.action),
            esc(r.target.as_deref().unwrap_or("")),
            esc(&r.detail)
        ));
    }
    Ok((
        "Audit log".to_owned(),
        format!(
            "{state}<table id=\"audit\"><tr><th>#</th><th>At</th><th>Who</th><th>What</th>\
             <th>Target</th><th>Detail</th></tr>{rows}</table>"
        ),
    ))
}
