//! The self-service portal (`/portal/`): the auto-registration form and the recovery form, on
//! [`crate::portal::Portal`]. On success the page shows the reference number, the code and
//! the `openssl cmp` command that enrols with them.

use bytes::Bytes;
use http_body_util::Full;
use hyper::{Method, Response, StatusCode};

use super::{PageRequest, esc, page, same_token};
use crate::admin::time_str;
use crate::cmp::Ca;
use crate::operator::SystemClock;
use crate::portal::{Base, Portal, PortalError};

const CSRF_COOKIE: &str = "signet_portal";

const NAV: &str = "<a href=\"/portal/\">Register</a><a href=\"/portal/recover\">Recover after a \
                   key compromise</a>";

fn form(
    ca: &Ca,
    req: &PageRequest<'_>,
    recover: bool,
    note: &str,
    status: StatusCode,
) -> Response<Full<Bytes>> {
    let Some(ss) = &ca.pki.policy.registration.self_service else {
        return page(
            StatusCode::NOT_FOUND,
            "Self-service registration",
            "",
            "<p class=\"error\">This CA offers no self-service registration.</p>",
        );
    };
    let Some(token) = super::random_token() else {
        return page(StatusCode::INTERNAL_SERVER_ERROR, "Error", NAV, "");
    };
    let bases: Vec<Base> = ss.bases.iter().map(|b| Base(*b)).collect();
    let chooser = if let [only] = bases.as_slice() {
        format!(
            "<input type=\"hidden\" name=\"base\" value=\"{}\">",
            only.as_str()
        )
    } else {
        let options: String = bases
            .iter()
            .map(|b| {
                let (id, secret) = b.labels();
                format!(
                    "<option value=\"{}\">{id} and {}</option>",
                    b.as_str(),
                    secret.to_lowercase()
                )
            })
            .collect();
        format!("<label>I sign in with <select name=\"base\">{options}</select></label>")
    };
    let (action, title, intro, button) = if recover {
        (
            "/portal/recover",
            "Recover after a key compromise",
            "Your certificates are revoked (key compromise) and you get a new reference number \
             and code to enrol a new key.",
            "Revoke and get a new code",
        )
    } else {
        (
            "/portal/register",
            "Self-service registration",
            "If your organisation has authorised you, sign in to get a reference number and a \
             one-time code for enrolling your C2PA claim-signing key.",
            "Get my code",
        )
    };
    let confirm = if recover {
        "<label><input type=\"checkbox\" name=\"confirm\" value=\"yes\" required> My key is \
         compromised or lost: revoke my certificates</label>"
    } else {
        ""
    };
    let body = format!(
        "{note}<p>{intro}</p><form method=\"post\" action=\"{action}\">\
         <input type=\"hidden\" name=\"csrf\" value=\"{token}\">{chooser}\
         <label>Identifier (account name or enrolment number) <input type=\"text\" name=\"id\" \
         autocomplete=\"username\" required></label><label>Password or personal secret \
         <input type=\"password\" name=\"secret\" autocomplete=\"current-password\" required>\
         </label>{confirm}<button>{button}</button></form>"
    );
    let mut r = page(status, title, NAV, &body);
    super::set_cookie(
        &mut r,
        Some(&format!(
            "{CSRF_COOKIE}={token}; Path=/portal; HttpOnly; SameSite=Strict; Max-Age=3600{}",
            req.secure()
        )),
    );
    r
}

fn error_box(msg: &str) -> String {
    format!("<p class=\"error\" role=\"alert\">{}</p>", esc(msg))
}

/// Answers a portal request (`req.path` below `/portal`).
pub(crate) async fn handle(
    ca: &Ca,
    sessions: &super::Sessions,
    req: &PageRequest<'_>,
) -> Response<Full<Bytes>> {
    let post = *req.method == Method::POST;
    let recover = match (post, req.path) {
        (false, "/") => return form(ca, req, false, "", StatusCode::OK),
        (false, "/recover") => return form(ca, req, true, "", StatusCode::OK),
        (true, "/register") => false,
        (true, "/recover") => true,
        _ => {
            return page(
                StatusCode::NOT_FOUND,
                "Not found",
                NAV,
                &error_box("No such page."),
            );
        }
    };
    if !same_token(
        req.cookie(CSRF_COOKIE).unwrap_or_default(),
        req.field("csrf"),
    ) {
        return form(
            ca,
            req,
            recover,
            &error_box("The form expired or did not come from this site: try again."),
            StatusCode::FORBIDDEN,
        );
    }
    if recover && req.field("confirm") != "yes" {
        return form(
            ca,
            req,
            true,
            &error_box("Confirm that your key is compromised."),
            StatusCode::UNPROCESSABLE_ENTITY,
        );
    }
    if let Err(until) = sessions.attempt_from(
        req.transport.peer,
        crate::operator::Clock::now(&SystemClock),
    ) {
        return form(
            ca,
            req,
            recover,
            &error_box(&format!(
                "Too many attempts from your address: try again after {}.",
                time_str(until)
            )),
            StatusCode::TOO_MANY_REQUESTS,
        );
    }
    let Some(base) = Base::parse(req.field("base")) else {
        return form(
            ca,
            req,
            recover,
            &error_box("Choose how you sign in."),
            StatusCode::UNPROCESSABLE_ENTITY,
        );
    };
    let portal = Portal {
        store: &ca.store,
        clock: &SystemClock,
        policy: &ca.pki.policy,
        sealer: &ca.pki.sealer,
        attempts: &ca.attempts,
    };
    let secret = zeroize::Zeroizing::new(req.field("secret").as_bytes().to_vec());
    let id = req.field("id");
    let result = if recover {
        portal.recover(base, id, secret).await
    } else {
        portal.register(base, id, secret).await
    };
    let (status, msg) = match result {
        Ok(out) => return done(ca, req, &out, recover),
        Err(PortalError::Refused) => (
            StatusCode::UNAUTHORIZED,
            "The identifier or the password/secret is not right.".to_owned(),
        ),
        Err(PortalError::Locked(until)) => (
            StatusCode::TOO_MANY_REQUESTS,
            format!(
                "Too many failed attempts: this entry is locked until {}. Ask your registration \
                 officer if you cannot wait.",
                time_str(until)
            ),
        ),
        Err(PortalError::NotOffered) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            PortalError::NotOffered.to_string(),
        ),
        Err(PortalError::Operator(e)) => {
            tracing::error!(error = %e, "portal");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                "Your entry could not be registered; your registration officer can see why in \
                 the log."
                    .to_owned(),
            )
        }
    };
    form(ca, req, recover, &error_box(&msg), status)
}

fn done(
    ca: &Ca,
    req: &PageRequest<'_>,
    out: &crate::portal::Outcome,
    recover: bool,
) -> Response<Full<Bytes>> {
    let r = &out.registered;
    let Some((reference, code)) = r.codes.first() else {
        return page(StatusCode::INTERNAL_SERVER_ERROR, "Error", NAV, "");
    };
    let revoked = if recover {
        let list: String = out
            .revoked
            .iter()
            .map(|s| format!("<li><code>{}</code></li>", esc(s)))
            .collect();
        if out.revoked.is_empty() {
            "<p>You had no valid certificate to revoke.</p>".to_owned()
        } else {
            format!("<p>Revoked (key compromise):</p><ul id=\"revoked\">{list}</ul>")
        }
    } else {
        String::new()
    };
    let body = format!(
        "{revoked}<div class=\"ok\" role=\"status\"><p>Your code for <strong>{}</strong> \
         (profile {}). It is shown only now and expires {}.</p><p>Reference number: \
         <code id=\"reference\">{}</code></p><p>Authentication code: <code id=\"code\">{}</code>\
         </p></div><p>Enrol a new key with OpenSSL 3 (<code>tls-ca.pem</code>: the CA \
         certificate of this site's TLS certificate):</p><pre id=\"command\">{}</pre>",
        esc(&r.subject),
        esc(&r.profile),
        time_str(r.expires),
        esc(reference),
        esc(code),
        esc(&super::enrol_command(
            ca, req, reference, code, &r.subject, &r.profile
        )),
    );
    page(
        StatusCode::OK,
        if recover {
            "Recovery started"
        } else {
            "Your code"
        },
        NAV,
        &body,
    )
}
