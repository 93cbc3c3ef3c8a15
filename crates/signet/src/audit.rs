//! The audit log: an append-only, hash-chained record, in the store, of what the RA and CA
//! did — registrations, decisions on pending enrollments, issuances, confirmations and
//! rejections, revocations (by whom and why), and each start of `serve` with the policy in
//! force. Never a secret: no authentication code, key or PIN is ever part of an entry.
//!
//! Each record is written by the store in the same commit as the change it describes (an
//! [`crate::store::Op::Audit`] in the job), so there is no change without its record and no
//! record without its change. Record `n` carries `prev`, the hash of record `n - 1` (32 zero
//! bytes for the first), and `hash`, the SHA-256 of [`DOMAIN`], its sequence number, `prev`
//! and its fields, each length-prefixed ([`chain_hash`]). [`verify`] recomputes the chain and
//! names the first record that does not fit; changing, inserting or removing any record
//! breaks it from there on. Removing the newest records leaves a shorter intact chain: the
//! head hash `signet audit verify` prints is what an auditor keeps elsewhere to detect that
//! (`--head`).
//!
//! Several nodes append to one chain: the store serialises appends (SQLite's write lock; a
//! table lock on PostgreSQL for the batches that append).

use serde::Serialize;

/// Prefix of every hashed record (the format's name and version).
pub(crate) const DOMAIN: &[u8] = b"signet audit log v1";
/// `prev` of the first record.
pub(crate) const GENESIS: [u8; 32] = [0; 32];

/// The newest record's (seq, hash), if there is one.
pub(crate) type Head = Option<(i64, Vec<u8>)>;

/// What happened (the `action` column).
pub(crate) mod action {
    /// An operator registered a subject (reference numbers made).
    pub(crate) const REGISTRATION_CREATED: &str = "registration.created";
    /// An operator approved a pending enrollment.
    pub(crate) const ENROLLMENT_APPROVED: &str = "enrollment.approved";
    /// An operator refused a pending enrollment.
    pub(crate) const ENROLLMENT_REFUSED: &str = "enrollment.refused";
    /// An enrollment waits for an operator (manual registration).
    pub(crate) const ENROLLMENT_PENDING: &str = "enrollment.pending";
    /// The CA signed a certificate.
    pub(crate) const CERTIFICATE_ISSUED: &str = "certificate.issued";
    /// The subscriber accepted its certificate (certConf).
    pub(crate) const CERTIFICATE_CONFIRMED: &str = "certificate.confirmed";
    /// A certificate was revoked (rr, an operator, a superseding kur, a certConf that never
    /// came or rejected it).
    pub(crate) const CERTIFICATE_REVOKED: &str = "certificate.revoked";
    /// A pending enrollment or an unconfirmed issuance timed out.
    pub(crate) const ENROLLMENT_EXPIRED: &str = "enrollment.expired";
    /// The issuing CA's key signed a CRL.
    pub(crate) const CRL_SIGNED: &str = "crl.signed";
    /// `serve` started with a policy.
    pub(crate) const SERVER_STARTED: &str = "server.started";
    /// Requests of one sender that authenticated, counted over a window ([`Attempts`]).
    pub(crate) const AUTHENTICATION_SUCCEEDED: &str = "authentication.succeeded";
    /// Requests claiming one sender that did not authenticate, with why, over a window.
    pub(crate) const AUTHENTICATION_FAILED: &str = "authentication.failed";
    /// A person's entry of an authentication base locked after too many failed attempts.
    pub(crate) const SUBSCRIBER_LOCKED: &str = "subscriber.locked";
    /// A person was added to an authentication base, or given a new secret.
    pub(crate) const SUBSCRIBER_ENROLLED: &str = "subscriber.enrolled";
    /// An operator signed in to the console.
    pub(crate) const OPERATOR_SIGNED_IN: &str = "operator.signed-in";
}

/// Distinct (sender, outcome, reason) keys [`Attempts`] counts per window; attempts beyond are
/// counted in one overflow record. Bounds memory, and the log's growth under a flood of
/// made-up senders to one record per key per window.
pub(crate) const MAX_ATTEMPT_KEYS: usize = 1_000;
/// Seconds between flushes of [`Attempts`] into the log.
pub(crate) const ATTEMPT_WINDOW_SECS: u64 = 10;
/// Longest sender label or reason kept (longer ones are cut: they come from requests).
const MAX_LABEL: usize = 128;

/// Authentication attempts, counted in memory and written as one record per sender, outcome
/// and reason every [`ATTEMPT_WINDOW_SECS`]: a request that fails to authenticate costs no
/// write of its own (it would let anyone make the CA write), yet every attempt is in the log.
/// Failures are counted per claimed sender; successes per kind of credential (`cmp:ref:*`,
/// `cmp:cert:*`, `cmp:device:*`), since the record of what each request did names who it was.
#[derive(Debug, Default)]
pub(crate) struct Attempts {
    inner: std::sync::Mutex<AttemptCounts>,
}

#[derive(Debug, Default)]
struct AttemptCounts {
    counts: std::collections::HashMap<(String, bool, String), u64>,
    overflow: u64,
    since: Option<i64>,
}

fn cut(s: &str) -> String {
    let mut end = s.len().min(MAX_LABEL);
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    s.get(..end)
        .unwrap_or_default()
        .chars()
        .filter(|c| !c.is_control())
        .collect()
}

impl Attempts {
    /// Counts one attempt by `sender` at `now`: `failure` is why it did not authenticate.
    pub(crate) fn record(&self, now: i64, sender: &str, failure: Option<&str>) {
        let mut c = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        c.since.get_or_insert(now);
        let key = (
            cut(sender),
            failure.is_none(),
            cut(failure.unwrap_or_default()),
        );
        if let Some(n) = c.counts.get_mut(&key) {
            *n = n.saturating_add(1);
        } else if c.counts.len() < MAX_ATTEMPT_KEYS {
            c.counts.insert(key, 1);
        } else {
            c.overflow = c.overflow.saturating_add(1);
        }
    }

    /// The records of the window ending at `now` (empty when nothing was attempted); the
    /// counts start again.
    pub(crate) fn drain(&self, now: i64) -> Vec<crate::store::Op> {
        let mut c = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        let Some(since) = c.since.take() else {
            return Vec::new();
        };
        let mut counts: Vec<_> = c.counts.drain().collect();
        counts.sort();
        let overflow = std::mem::take(&mut c.overflow);
        drop(c);
        let mut ops: Vec<_> = counts
            .into_iter()
            .map(|((sender, ok, why), count)| {
                let (action, detail) = if ok {
                    (
                        action::AUTHENTICATION_SUCCEEDED,
                        serde_json::json!({"count": count, "from": since, "to": now}),
                    )
                } else {
                    (
                        action::AUTHENTICATION_FAILED,
                        serde_json::json!({"count": count, "why": why, "from": since, "to": now}),
                    )
                };
                op(now, sender, action, None, &detail)
            })
            .collect();
        if overflow > 0 {
            ops.push(op(
                now,
                "signet",
                action::AUTHENTICATION_FAILED,
                None,
                &serde_json::json!({
                    "count": overflow,
                    "why": format!("attempts beyond {MAX_ATTEMPT_KEYS} distinct senders and reasons in the window (successes included)"),
                    "from": since,
                    "to": now,
                }),
            ));
        }
        ops
    }
}

/// The store write that appends an entry (see [`Entry::new`]).
pub(crate) fn op(
    at: i64,
    actor: impl Into<String>,
    action: &'static str,
    target: Option<String>,
    detail: &serde_json::Value,
) -> crate::store::Op {
    crate::store::Op::Audit(Entry::new(at, actor, action, target, detail))
}

/// The entry of a revocation: `reason` the RFC 5280 code, `why` in words.
pub(crate) fn revoked(
    at: i64,
    actor: impl Into<String>,
    serial: &str,
    reason: i64,
    why: &str,
) -> crate::store::Op {
    op(
        at,
        actor,
        action::CERTIFICATE_REVOKED,
        Some(serial.to_owned()),
        &serde_json::json!({
            "reason": crate::operator::Reason::name_of(reason),
            "why": why,
        }),
    )
}

/// One entry to append.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Entry {
    /// Unix seconds.
    pub(crate) at: i64,
    /// Who: `operator:<name>`, `cmp:<requester>` (a reference number or a certificate),
    /// `signet` (the server on its own: the sweep, a start).
    pub(crate) actor: String,
    /// What ([`action`]).
    pub(crate) action: &'static str,
    /// What it concerns: a serial, a transactionID (hex), a subject.
    pub(crate) target: Option<String>,
    /// The rest, a JSON object (never a secret).
    pub(crate) detail: String,
}

impl Entry {
    /// An entry at `at` by `actor`; `detail` is serialised to a JSON object.
    pub(crate) fn new(
        at: i64,
        actor: impl Into<String>,
        action: &'static str,
        target: Option<String>,
        detail: &serde_json::Value,
    ) -> Self {
        Self {
            at,
            actor: actor.into(),
            action,
            target,
            detail: detail.to_string(),
        }
    }
}

/// A stored record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(crate) struct Record {
    pub(crate) seq: i64,
    pub(crate) at: i64,
    pub(crate) actor: String,
    pub(crate) action: String,
    pub(crate) target: Option<String>,
    pub(crate) detail: String,
    #[serde(serialize_with = "hex_bytes")]
    pub(crate) prev: Vec<u8>,
    #[serde(serialize_with = "hex_bytes")]
    pub(crate) hash: Vec<u8>,
}

fn hex_bytes<S: serde::Serializer>(b: &[u8], s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&hex::encode(b))
}

fn put(h: &mut aws_lc_rs::digest::Context, field: &[u8]) {
    let len = u32::try_from(field.len()).unwrap_or(u32::MAX);
    h.update(&len.to_be_bytes());
    h.update(field);
}

/// The hash of record `seq` with fields `at`, `actor`, `action`, `target`, `detail` after a
/// record whose hash is `prev`.
pub(crate) fn chain_hash(
    seq: i64,
    prev: &[u8],
    at: i64,
    actor: &str,
    action: &str,
    target: Option<&str>,
    detail: &str,
) -> Vec<u8> {
    let mut h = aws_lc_rs::digest::Context::new(&aws_lc_rs::digest::SHA256);
    h.update(DOMAIN);
    h.update(&seq.to_be_bytes());
    put(&mut h, prev);
    h.update(&at.to_be_bytes());
    put(&mut h, actor.as_bytes());
    put(&mut h, action.as_bytes());
    match target {
        // A marker octet keeps "no target" apart from an empty one.
        None => h.update(&[0]),
        Some(t) => {
            h.update(&[1]);
            put(&mut h, t.as_bytes());
        }
    }
    put(&mut h, detail.as_bytes());
    h.finish().as_ref().to_vec()
}

/// The record `entry` becomes after a record `(seq, hash)` (or first, after none).
pub(crate) fn chained(entry: &Entry, after: Head) -> Record {
    let (seq, prev) = match after {
        Some((seq, hash)) => (seq.saturating_add(1), hash),
        None => (1, GENESIS.to_vec()),
    };
    let hash = chain_hash(
        seq,
        &prev,
        entry.at,
        &entry.actor,
        entry.action,
        entry.target.as_deref(),
        &entry.detail,
    );
    Record {
        seq,
        at: entry.at,
        actor: entry.actor.clone(),
        action: entry.action.to_owned(),
        target: entry.target.clone(),
        detail: entry.detail.clone(),
        prev,
        hash,
    }
}

/// Why the chain is broken, at the first record that does not fit.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(crate) enum Broken {
    /// A record's hash is not the hash of its own content.
    #[error("record {0}: its hash does not match its content (the record was changed)")]
    Content(i64),
    /// A record's `prev` is not the previous record's hash.
    #[error(
        "record {0}: it does not follow record {1} (a record was changed, removed or inserted)"
    )]
    Link(i64, i64),
    /// A sequence number is missing or out of order.
    #[error("record {found}: expected record {expected} (a record was removed or inserted)")]
    Sequence {
        /// The number found.
        found: i64,
        /// The number the chain needs there.
        expected: i64,
    },
}

/// The state of a verification in progress: feed records in order with [`Verifier::push`].
#[derive(Debug, Default)]
pub(crate) struct Verifier {
    last: Head,
    count: u64,
}

impl Verifier {
    /// Checks the next record.
    pub(crate) fn push(&mut self, r: &Record) -> Result<(), Broken> {
        let (expected, prev) = match &self.last {
            Some((seq, hash)) => (seq.saturating_add(1), hash.as_slice()),
            None => (1, GENESIS.as_slice()),
        };
        if r.seq != expected {
            return Err(Broken::Sequence {
                found: r.seq,
                expected,
            });
        }
        let recomputed = chain_hash(
            r.seq,
            &r.prev,
            r.at,
            &r.actor,
            &r.action,
            r.target.as_deref(),
            &r.detail,
        );
        if recomputed != r.hash {
            return Err(Broken::Content(r.seq));
        }
        if r.prev != prev {
            return Err(Broken::Link(r.seq, expected.saturating_sub(1)));
        }
        self.last = Some((r.seq, r.hash.clone()));
        self.count = self.count.saturating_add(1);
        Ok(())
    }

    /// Records checked, and the head: the last record's (seq, hash).
    pub(crate) fn finish(self) -> (u64, Head) {
        (self.count, self.last)
    }
}

#[cfg(test)]
mod tests;
