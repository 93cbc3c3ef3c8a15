//! The self-service portal's service (auto-registration, CP/CPS `[registration.self-service]`):
//! a person authorised beforehand in an **authentication base** proves who they are with an
//! identifier and a secret, and gets a reference number and one-time code for the subject,
//! alternative names and profile the base lists for them — no officer involved. After a key
//! compromise the same person starts **recovery**: their certificates are revoked
//! (`keyCompromise`) and a fresh code is made.
//!
//! Bases ([`Base`]): the account `directory` (a password an administrator set or imported)
//! and the `eligibility` list (the dedicated authentication base: a secret the CA made per
//! person, handed over out of band). Both live in the store's `subscribers` table, so every
//! node sees the same lockout. Device certificates authenticate over CMP itself (automatic
//! registration), not here.
//!
//! **Lockout.** Each attempt is counted *before* its secret is checked
//! ([`crate::store::Op::CountAttempt`]), and the one that reaches the policy's `max-failures`
//! locks the entry for `lockout-seconds`: however many guesses arrive at once, no more than
//! `max-failures` are ever checked per lockout. A success clears the count. An unknown
//! identifier is checked against a dummy hash, answered as a wrong secret, and costs no
//! write. Every attempt is in the audit log: failures counted per identifier and reason
//! ([`crate::audit::Attempts`]), a lock as its own record, a success with what it led to.
//! Never a secret.

use signet_ra_policy::{AuthenticationBase, Policy, SelfService};
use zeroize::Zeroizing;

use crate::audit::Attempts;
use crate::operator::{Clock, Operator, OperatorError, Reason, Registered, RegistrationRequest};
use crate::seal::Sealer;
use crate::store::{CertStatus, Op, Store, SubscriberRow, WriteError};

/// How often an attempt is counted again when other attempts on the same entry moved the
/// count first (beyond, it fails as a store error: the entry is under a flood).
const MAX_COUNT_RETRIES: u32 = 64;

/// Longest identifier a person may give, in bytes.
pub(crate) const MAX_ID_LEN: usize = 128;

/// An authentication base, as the store names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Base(pub(crate) AuthenticationBase);

impl Base {
    /// The `subscribers.base` value.
    pub(crate) const fn as_str(self) -> &'static str {
        match self.0 {
            AuthenticationBase::Directory => "directory",
            AuthenticationBase::Eligibility => "eligibility",
        }
    }

    /// What a person is asked for: (identifier, secret).
    pub(crate) const fn labels(self) -> (&'static str, &'static str) {
        match self.0 {
            AuthenticationBase::Directory => ("Account name", "Password"),
            AuthenticationBase::Eligibility => ("Enrolment number", "Personal secret"),
        }
    }

    /// The base named `s` (`directory`, `eligibility`).
    pub(crate) fn parse(s: &str) -> Option<Self> {
        match s {
            "directory" => Some(Self(AuthenticationBase::Directory)),
            "eligibility" => Some(Self(AuthenticationBase::Eligibility)),
            _ => None,
        }
    }
}

/// Why the portal did not do what was asked.
#[derive(Debug, thiserror::Error)]
pub(crate) enum PortalError {
    /// The portal is off (no `[registration.self-service]`), or this base is not one of it.
    #[error("self-service registration with this authentication base is not offered")]
    NotOffered,
    /// The identifier and secret do not match an entry (or the identifier is unknown: the two
    /// are not told apart).
    #[error("the identifier or the secret is not right")]
    Refused,
    /// Too many failed attempts: the entry is locked until then (Unix seconds).
    #[error("too many failed attempts: locked until {0}")]
    Locked(i64),
    /// Registering failed (the entry's subject is no longer acceptable, or the store failed).
    #[error(transparent)]
    Operator(#[from] OperatorError),
}

/// What a registration or recovery through the portal produced.
pub(crate) struct Outcome {
    /// The reference number and code (shown once).
    pub(crate) registered: Registered,
    /// The certificates recovery revoked.
    pub(crate) revoked: Vec<String>,
}

/// The portal over one store, under one policy.
pub(crate) struct Portal<'a> {
    pub(crate) store: &'a Store,
    pub(crate) clock: &'a dyn Clock,
    pub(crate) policy: &'a Policy,
    pub(crate) sealer: &'a Sealer,
    pub(crate) attempts: &'a Attempts,
}

/// A person to add to an authentication base.
pub(crate) struct NewSubscriber<'a> {
    pub(crate) base: Base,
    pub(crate) id: &'a str,
    pub(crate) secret: &'a [u8],
    pub(crate) subject: &'a str,
    pub(crate) sans: &'a [String],
    pub(crate) profile: Option<&'a str>,
}

/// The row of a new entry, checked: the subject must be acceptable under the profile, the
/// names parse. The secret is hashed here.
pub(crate) fn new_subscriber(
    policy: &Policy,
    new: &NewSubscriber<'_>,
    now: i64,
) -> anyhow::Result<SubscriberRow> {
    let NewSubscriber {
        base,
        id,
        secret,
        subject,
        sans,
        profile,
    } = *new;
    check_id(id).map_err(anyhow::Error::msg)?;
    let profile = profile.unwrap_or(&policy.default_profile).to_owned();
    let name = signet_ra_policy::dn::parse(subject).map_err(|e| anyhow::anyhow!("subject: {e}"))?;
    let name = policy
        .check_subject(&profile, &name)
        .map_err(|r| anyhow::anyhow!("subject not acceptable under profile {profile}: {r}"))?;
    crate::operator::check_sans(sans)?;
    Ok(SubscriberRow {
        base: base.as_str(),
        id: id.to_owned(),
        secret_hash: crate::password::hash(secret)?,
        subject: signet_ra_policy::dn::to_openssl(&name),
        sans: sans.join("\n"),
        profile,
        failures: 0,
        locked_until: 0,
        created_at: now,
    })
}

/// An identifier is 1 to [`MAX_ID_LEN`] bytes of printable characters.
pub(crate) fn check_id(id: &str) -> Result<(), String> {
    if id.is_empty() || id.len() > MAX_ID_LEN || id.chars().any(char::is_control) {
        return Err(format!(
            "identifier: 1 to {MAX_ID_LEN} bytes, no control characters"
        ));
    }
    Ok(())
}

impl Portal<'_> {
    fn settings(&self, base: Base) -> Result<&SelfService, PortalError> {
        self.policy
            .registration
            .self_service
            .as_ref()
            .filter(|s| s.bases.contains(&base.0))
            .ok_or(PortalError::NotOffered)
    }

    /// Checks `secret` for the entry `id` of `base`, counting the attempt first.
    async fn authenticate(
        &self,
        base: Base,
        id: &str,
        secret: Zeroizing<Vec<u8>>,
    ) -> Result<SubscriberRow, PortalError> {
        let settings = self.settings(base)?;
        let now = self.clock.now();
        let sender = format!("portal:{}:{}", base.as_str(), id);
        if check_id(id).is_err() {
            self.attempts
                .record(now, &sender, Some("malformed identifier"));
            return Err(PortalError::Refused);
        }
        let row = self
            .store
            .subscriber(base.as_str(), id)
            .await
            .map_err(|e| OperatorError::Store(format!("{e:#}")))?;
        let Some(mut row) = row else {
            crate::password::verify_unknown(secret).await;
            self.attempts
                .record(now, &sender, Some("unknown identifier"));
            return Err(PortalError::Refused);
        };
        let lock_secs = i64::try_from(settings.lockout_seconds).unwrap_or(i64::MAX);
        let locked_until = now.saturating_add(lock_secs);
        // Count this attempt as number `row.failures + 1`; another attempt counted meanwhile
        // moves the count, and this one reads the row again.
        let mut tries = 0;
        loop {
            if row.locked_until > now {
                self.attempts.record(now, &sender, Some("locked"));
                return Err(PortalError::Locked(row.locked_until));
            }
            let count = Op::CountAttempt {
                base: base.as_str(),
                id: id.to_owned(),
                expected: row.failures,
                now,
                max_failures: i64::from(settings.max_failures),
                locked_until,
            };
            match self.store.write(vec![count]).await {
                Ok(()) => break,
                Err(WriteError::Conflict { .. }) if tries < MAX_COUNT_RETRIES => {
                    tries += 1;
                    row = self
                        .store
                        .subscriber(base.as_str(), id)
                        .await
                        .map_err(|e| OperatorError::Store(format!("{e:#}")))?
                        .ok_or(PortalError::Refused)?;
                }
                Err(e) => return Err(OperatorError::Store(e.to_string()).into()),
            }
        }
        if crate::password::verify(secret, row.secret_hash.clone()).await {
            return Ok(row);
        }
        self.attempts.record(now, &sender, Some("wrong secret"));
        if row.failures.saturating_add(1) >= i64::from(settings.max_failures) {
            // This attempt locked the entry: a record of its own (at most one per lockout).
            let audit = crate::audit::op(
                now,
                sender,
                crate::audit::action::SUBSCRIBER_LOCKED,
                Some(format!("{}:{}", base.as_str(), id)),
                &serde_json::json!({
                    "failures": row.failures.saturating_add(1),
                    "locked_until": locked_until,
                }),
            );
            if let Err(e) = self.store.write(vec![audit]).await {
                tracing::error!(error = %e, "audit record of a lockout");
            }
            return Err(PortalError::Locked(locked_until));
        }
        Err(PortalError::Refused)
    }

    /// Registration: a reference number and code for the entry's subject.
    pub(crate) async fn register(
        &self,
        base: Base,
        id: &str,
        secret: Zeroizing<Vec<u8>>,
    ) -> Result<Outcome, PortalError> {
        let row = self.authenticate(base, id, secret).await?;
        self.issue_code(base, &row, Vec::new(), "registration")
            .await
    }

    /// Recovery after a key compromise: every certificate of the entry's subject still valid
    /// is revoked (`keyCompromise`), then a fresh code is made.
    pub(crate) async fn recover(
        &self,
        base: Base,
        id: &str,
        secret: Zeroizing<Vec<u8>>,
    ) -> Result<Outcome, PortalError> {
        let row = self.authenticate(base, id, secret).await?;
        let operator = Operator::acting_as(self.store, self.clock, actor(base, &row));
        let mut revoked = Vec::new();
        let certificates = operator.certificates().await?;
        for c in certificates.iter().filter(|c| {
            c.subject == row.subject && c.profile == row.profile && c.status != CertStatus::Revoked
        }) {
            match operator.revoke(&c.serial, Reason::KEY_COMPROMISE).await {
                Ok(serial) => revoked.push(serial),
                Err(OperatorError::AlreadyRevoked(_)) => {}
                Err(e) => return Err(e.into()),
            }
        }
        self.issue_code(base, &row, revoked, "recovery").await
    }

    async fn issue_code(
        &self,
        base: Base,
        row: &SubscriberRow,
        revoked: Vec<String>,
        purpose: &str,
    ) -> Result<Outcome, PortalError> {
        let settings = self.settings(base)?;
        let now = self.clock.now();
        let who = actor(base, row);
        let cleared = vec![
            Op::ClearFailures {
                base: base.as_str(),
                id: row.id.clone(),
            },
            crate::audit::op(
                now,
                who.clone(),
                crate::audit::action::AUTHENTICATION_SUCCEEDED,
                Some(format!("{}:{}", base.as_str(), row.id)),
                &serde_json::json!({"by": "portal", "for": purpose, "revoked": revoked}),
            ),
        ];
        self.store
            .write(cleared)
            .await
            .map_err(|e| OperatorError::Store(e.to_string()))?;
        let sans: Vec<String> = row
            .sans
            .lines()
            .filter(|l| !l.is_empty())
            .map(str::to_owned)
            .collect();
        let registered = Operator::acting_as(self.store, self.clock, who)
            .register(
                self.policy,
                self.sealer,
                &RegistrationRequest {
                    subject: &row.subject,
                    sans: &sans,
                    profile: Some(&row.profile),
                    valid_for: Some(settings.code_valid_seconds),
                    count: 1,
                },
            )
            .await?;
        Ok(Outcome {
            registered,
            revoked,
        })
    }
}

/// The audit log's name for a person of a base.
fn actor(base: Base, row: &SubscriberRow) -> String {
    format!("subscriber:{}:{}", base.as_str(), row.id)
}

#[cfg(test)]
mod tests;
