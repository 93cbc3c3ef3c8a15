//! Storage: what was issued, to whom, and where each transaction stands — durably, before any
//! response leaves.
//!
//! Two adapters behind the same [`Store`] surface, both through sqlx and chosen by
//! [`Location`]: SQLite, the embedded default (WAL, `synchronous=FULL`; [`sqlite`]), with the
//! schema version in `PRAGMA user_version`; and PostgreSQL ([`postgres`]) for several
//! `signet serve` nodes on one database, with the version in `signet_schema`. Both apply the
//! same [`MIGRATIONS`]: their SQL keeps to what both accept (PostgreSQL reads `BLOB` as
//! `BYTEA` and `INTEGER` as `BIGINT`). Each adapter batches its own way (below).
//!
//! **Group commit.** Every write goes through one writer task that owns the only writing
//! connection: it drains whatever jobs are queued (up to [`MAX_BATCH`]) and commits them with
//! one fsync. A job's caller is answered only after that commit, so a response is never sent
//! for something that is not on disk. Reads use a separate pool of read-only connections (WAL
//! lets them proceed while the writer commits). The point lookups of the hot path (a
//! registration by reference number, a certificate by serial) are batched the same way: one
//! reader task drains the lookups queued meanwhile and answers them with one query per table.
//!
//! **Bulk path.** The jobs of the hot path — an issuance (certificate row, transaction row,
//! consumed reference number) and a confirmation (transaction and certificate status) — are
//! gathered by [`Bulk`] into one row set per table and applied by one statement for the whole
//! batch, whatever its size: the database sees a handful of multi-row writes instead of a
//! statement per row, and the writer pays one round trip to the database thread per batch.
//! The bulk write is all or nothing; if any row of it fails (a replayed transactionID, a
//! reference number consumed twice, a state changed concurrently), it leaves no trace and the
//! batch is re-run one job at a time, each in its own `SAVEPOINT`, so the failure is charged to
//! the job that caused it and its neighbours commit.
//!
//! Uniqueness is enforced by the schema, not by checks before the write: serial numbers and
//! transactionIDs are primary keys, and a reference number is consumed by an `UPDATE … WHERE
//! consumed_at IS NULL` whose row count decides which of two racing enrollments wins.

/// The columns the row readers of [`row_readers!`] read, in their order.
const TX_COLUMNS: &str = "transaction_id, kind, state, requester, serial, our_nonce, \
     cert_req_id, deadline, request_der, profile, created_at, state_der";
const CERT_COLUMNS: &str = "serial, der, subject, profile, not_before, not_after, status, \
     issued_at, requester, transaction_id, revoked_at, revocation_reason, replaces";
const REG_COLUMNS: &str = "reference, subject, subject_der, profile, sealed_secret, \
     created_at, expires_at, consumed_at, consumed_by, san_der";

/// `registration_row`, `cert_row` and `tx_row` for an adapter's row type: the same columns
/// ([`REG_COLUMNS`], [`CERT_COLUMNS`], [`TX_COLUMNS`]) decoded the same way, states strictly.
macro_rules! row_readers {
    ($row:ty) => {
        fn registration_row(r: &$row) -> Result<RegistrationRow> {
            Ok(RegistrationRow {
                reference: r.try_get(0)?,
                subject: r.try_get(1)?,
                subject_der: r.try_get(2)?,
                profile: r.try_get(3)?,
                sealed_secret: r.try_get(4)?,
                created_at: r.try_get(5)?,
                expires_at: r.try_get(6)?,
                consumed_at: r.try_get(7)?,
                consumed_by: r.try_get(8)?,
                san_der: r.try_get(9)?,
            })
        }

        fn cert_row(r: &$row) -> Result<CertRow> {
            Ok(CertRow {
                serial: r.try_get(0)?,
                der: r.try_get(1)?,
                subject: r.try_get(2)?,
                profile: r.try_get(3)?,
                not_before: r.try_get(4)?,
                not_after: r.try_get(5)?,
                status: super::CertStatus::parse(&r.try_get::<String, _>(6)?)?,
                issued_at: r.try_get(7)?,
                requester: r.try_get(8)?,
                transaction_id: r.try_get(9)?,
                revoked_at: r.try_get(10)?,
                revocation_reason: r.try_get(11)?,
                replaces: r.try_get(12)?,
            })
        }

        fn tx_row(r: &$row) -> Result<TxRow> {
            Ok(TxRow {
                transaction_id: r.try_get(0)?,
                kind: r.try_get(1)?,
                state: super::TxState::parse(&r.try_get::<String, _>(2)?)?,
                requester: r.try_get(3)?,
                serial: r.try_get(4)?,
                our_nonce: r.try_get(5)?,
                cert_req_id: r.try_get(6)?,
                deadline: r.try_get(7)?,
                request_der: r.try_get(8)?,
                profile: r.try_get(9)?,
                created_at: r.try_get(10)?,
                state_der: r.try_get(11)?,
            })
        }
    };
}

/// The queries both adapters run with the same SQL, for an adapter whose `Db` has its pool in
/// `read`, whose `Writer` has its connection in `conn`, and whose connection type is `$conn`.
macro_rules! shared_queries {
    ($conn:ty) => {
        impl Db {
            pub(super) async fn revocation_marks(&self, since: i64) -> Result<(i64, Vec<String>)> {
                let count: i64 =
                    sqlx::query("SELECT count(*) FROM certificates WHERE status = 'revoked'")
                        .fetch_one(&self.read)
                        .await?
                        .try_get(0)?;
                let recent = sqlx::query(
                    "SELECT serial FROM certificates WHERE status = 'revoked' \
                     AND revoked_at >= $1",
                )
                .bind(since)
                .fetch_all(&self.read)
                .await?
                .iter()
                .map(|r| r.try_get(0))
                .collect::<Result<Vec<String>, _>>()?;
                Ok((count, recent))
            }

            pub(super) async fn audit_records(
                &self,
                after_seq: i64,
            ) -> Result<Vec<crate::audit::Record>> {
                sqlx::query(
                    "SELECT seq, at, actor, action, target, detail, prev, hash FROM audit_log \
                     WHERE seq > $1 ORDER BY seq LIMIT $2",
                )
                .bind(after_seq)
                .bind(super::AUDIT_PAGE)
                .fetch_all(&self.read)
                .await?
                .iter()
                .map(|r| {
                    Ok(crate::audit::Record {
                        seq: r.try_get(0)?,
                        at: r.try_get(1)?,
                        actor: r.try_get(2)?,
                        action: r.try_get(3)?,
                        target: r.try_get(4)?,
                        detail: r.try_get(5)?,
                        prev: r.try_get(6)?,
                        hash: r.try_get(7)?,
                    })
                })
                .collect()
            }
        }

        impl Db {
            pub(super) async fn subscriber(
                &self,
                base: &'static str,
                id: &str,
            ) -> Result<Option<super::SubscriberRow>> {
                sqlx::query(
                    "SELECT id, secret_hash, subject, sans, profile, failures, locked_until, \
                     created_at FROM subscribers WHERE base = $1 AND id = $2",
                )
                .bind(base)
                .bind(id)
                .fetch_optional(&self.read)
                .await?
                .map(|r| {
                    Ok(super::SubscriberRow {
                        base,
                        id: r.try_get(0)?,
                        secret_hash: r.try_get(1)?,
                        subject: r.try_get(2)?,
                        sans: r.try_get(3)?,
                        profile: r.try_get(4)?,
                        failures: r.try_get(5)?,
                        locked_until: r.try_get(6)?,
                        created_at: r.try_get(7)?,
                    })
                })
                .transpose()
            }
        }

        /// The audit log's head, read on `c`.
        async fn audit_head(c: &mut $conn) -> Result<crate::audit::Head, WriteError> {
            let head = sqlx::query(super::AUDIT_HEAD)
                .fetch_optional(&mut *c)
                .await
                .map_err(super::db)?;
            match head {
                Some(r) => Ok(Some((
                    r.try_get::<i64, _>(0).map_err(super::db)?,
                    r.try_get::<Vec<u8>, _>(1).map_err(super::db)?,
                ))),
                None => Ok(None),
            }
        }

        /// Appends `entries`, chained after the head, with one statement ([`AUDIT_RUN`]).
        async fn audit_append(
            c: &mut $conn,
            entries: &[&crate::audit::Entry],
        ) -> Result<(), WriteError> {
            let head = audit_head(&mut *c).await?;
            let rows = super::audit_rows_json(entries, head)?;
            super::inserted(
                sqlx::query(AUDIT_RUN).bind(rows).execute(&mut *c).await,
                WriteError::Conflict { what: "audit log" },
            )
        }

        impl Writer {
            pub(super) async fn draw(
                &mut self,
                counter: &str,
                floor: i64,
            ) -> Result<i64, WriteError> {
                sqlx::query(super::DRAW_SQL)
                    .bind(counter)
                    .bind(floor)
                    .fetch_one(&mut self.conn)
                    .await
                    .and_then(|r| r.try_get(0))
                    .map_err(super::db)
            }
        }
    };
}

fn db(e: sqlx::Error) -> WriteError {
    WriteError::Database(e.to_string())
}

fn is_unique_violation(e: &sqlx::Error) -> bool {
    e.as_database_error()
        .is_some_and(|d| d.kind() == sqlx::error::ErrorKind::UniqueViolation)
}

/// An insert's outcome: a unique key already taken is `taken`.
fn inserted<T>(r: Result<T, sqlx::Error>, taken: WriteError) -> Result<(), WriteError> {
    match r {
        Ok(_) => Ok(()),
        Err(e) if is_unique_violation(&e) => Err(taken),
        Err(e) => Err(db(e)),
    }
}

/// A conditional update's outcome: exactly one row, else `missed`.
fn one_row(rows: u64, missed: WriteError) -> Result<(), WriteError> {
    if rows == 1 { Ok(()) } else { Err(missed) }
}

/// `$first, …` for `n` numbered parameters (an `IN` list; both databases number them so).
fn numbered(first: usize, n: usize) -> String {
    (first..first.saturating_add(n))
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(",")
}

#[macro_use]
mod apply;
mod postgres;
mod sqlite;

use std::path::Path;

use anyhow::Result;
use serde::Serialize;
use tokio::sync::{mpsc, oneshot};

/// Most jobs committed together.
pub(crate) const MAX_BATCH: usize = 512;

/// The schema, one entry per version (applied in order; `user_version` records the last).
pub(crate) const MIGRATIONS: &[&str] = &[
    include_str!("../migrations/0001_init.sql"),
    include_str!("../migrations/0002_registration_alt_names.sql"),
    include_str!("../migrations/0003_transaction_state.sql"),
    include_str!("../migrations/0004_counters.sql"),
    include_str!("../migrations/0005_audit_log.sql"),
    include_str!("../migrations/0006_subscribers.sql"),
];

/// Why a write did not happen.
#[derive(Debug, thiserror::Error)]
pub(crate) enum WriteError {
    /// The transactionID already exists.
    #[error("transactionID already used")]
    TransactionIdInUse,
    /// The serial number already exists.
    #[error("serial number already used")]
    SerialInUse,
    /// The reference number is unknown, expired or already consumed.
    #[error("reference number not usable")]
    RegistrationUnavailable,
    /// The row was not in the expected state (a concurrent change won).
    #[error("{what} changed concurrently")]
    Conflict {
        /// What.
        what: &'static str,
    },
    /// The database failed.
    #[error("database: {0}")]
    Database(String),
}

/// Where a CMP transaction stands (`transactions.state`; the schema's CHECK lists the same).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum TxState {
    /// Issued; waiting for the certConf.
    AwaitingConfirm,
    /// Waiting for an operator's decision (the client polls).
    Pending,
    /// Approved by an operator; issued at the next poll.
    Approved,
    /// Refused by an operator; the next poll learns it.
    Refused,
    /// The certConf accepted the certificate.
    Confirmed,
    /// The certConf rejected the certificate.
    Rejected,
    /// confirmWaitTime or the pending time passed.
    Expired,
    /// Finished in one exchange (rr, genm, implicit confirmation).
    Done,
}

/// A certificate's status (`certificates.status`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum CertStatus {
    /// Issued, its certConf not yet received.
    Unconfirmed,
    /// Confirmed (or implicitly confirmed) and not revoked.
    Valid,
    /// Revoked.
    Revoked,
}

/// The text a state is stored as, and back.
macro_rules! stored_as {
    ($ty:ident { $($variant:ident => $text:literal),+ $(,)? }) => {
        impl $ty {
            /// The stored text.
            pub(crate) const fn as_str(self) -> &'static str {
                match self {
                    $(Self::$variant => $text),+
                }
            }

            /// Reads the stored text; anything else is a database the schema did not write.
            pub(crate) fn parse(text: &str) -> Result<Self> {
                match text {
                    $($text => Ok(Self::$variant),)+
                    other => anyhow::bail!(concat!("unknown ", stringify!($ty), " {:?}"), other),
                }
            }
        }

        impl core::fmt::Display for $ty {
            fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl Serialize for $ty {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }
    };
}

stored_as!(TxState {
    AwaitingConfirm => "awaiting_confirm",
    Pending => "pending",
    Approved => "approved",
    Refused => "refused",
    Confirmed => "confirmed",
    Rejected => "rejected",
    Expired => "expired",
    Done => "done",
});

stored_as!(CertStatus {
    Unconfirmed => "unconfirmed",
    Valid => "valid",
    Revoked => "revoked",
});

/// A certificate row.
#[derive(Debug, Clone)]
pub(crate) struct CertRow {
    pub(crate) serial: String,
    pub(crate) der: Vec<u8>,
    pub(crate) subject: String,
    pub(crate) profile: String,
    pub(crate) not_before: i64,
    pub(crate) not_after: i64,
    pub(crate) status: CertStatus,
    pub(crate) issued_at: i64,
    pub(crate) requester: String,
    pub(crate) transaction_id: Vec<u8>,
    pub(crate) revoked_at: Option<i64>,
    pub(crate) revocation_reason: Option<i64>,
    pub(crate) replaces: Option<String>,
}

/// A person on one of the portal's authentication bases (`subscribers` row).
#[derive(Debug, Clone)]
pub(crate) struct SubscriberRow {
    /// `directory` or `eligibility` (`portal::Base::as_str`).
    pub(crate) base: &'static str,
    /// The person's identifier in that base (account name, enrolment number).
    pub(crate) id: String,
    /// argon2id PHC string of the password or the CA-made secret.
    pub(crate) secret_hash: String,
    /// The subject a registration through the portal is made for.
    pub(crate) subject: String,
    /// Subject alternative names vouched for, one `email:`/`DNS:`/`URI:` per line.
    pub(crate) sans: String,
    pub(crate) profile: String,
    /// Consecutive failed attempts.
    pub(crate) failures: i64,
    /// Locked until then (Unix seconds).
    pub(crate) locked_until: i64,
    pub(crate) created_at: i64,
}

/// A registration row (the secret stays sealed).
#[derive(Debug, Clone)]
pub(crate) struct RegistrationRow {
    pub(crate) reference: String,
    pub(crate) subject: String,
    pub(crate) subject_der: Vec<u8>,
    /// DER `SubjectAltName` registered with the subject, if any.
    pub(crate) san_der: Option<Vec<u8>>,
    pub(crate) profile: String,
    pub(crate) sealed_secret: Vec<u8>,
    pub(crate) created_at: i64,
    pub(crate) expires_at: i64,
    pub(crate) consumed_at: Option<i64>,
    pub(crate) consumed_by: Option<Vec<u8>>,
}

/// A transaction row.
#[derive(Debug, Clone)]
pub(crate) struct TxRow {
    pub(crate) transaction_id: Vec<u8>,
    pub(crate) kind: String,
    pub(crate) state: TxState,
    pub(crate) requester: String,
    pub(crate) serial: Option<String>,
    pub(crate) our_nonce: Option<Vec<u8>>,
    pub(crate) cert_req_id: Option<i64>,
    pub(crate) deadline: Option<i64>,
    pub(crate) request_der: Option<Vec<u8>>,
    pub(crate) profile: Option<String>,
    pub(crate) created_at: i64,
    /// A pending enrollment's protocol state (`Pending::to_stored`).
    pub(crate) state_der: Option<Vec<u8>>,
}

/// One write operation.
#[derive(Debug, Clone)]
pub(crate) enum Op {
    InsertTransaction {
        transaction_id: Vec<u8>,
        kind: &'static str,
        state: TxState,
        requester: String,
        serial: Option<String>,
        our_nonce: Option<Vec<u8>>,
        cert_req_id: Option<i64>,
        deadline: Option<i64>,
        request_der: Option<Vec<u8>>,
        profile: Option<String>,
        /// A pending enrollment's protocol state (never on the bulk path).
        state_der: Option<Vec<u8>>,
        now: i64,
    },
    InsertCertificate {
        serial: String,
        der: Vec<u8>,
        subject: String,
        profile: String,
        not_before: i64,
        not_after: i64,
        status: CertStatus,
        requester: String,
        transaction_id: Vec<u8>,
        request_der: Vec<u8>,
        replaces: Option<String>,
        now: i64,
    },
    ConsumeRegistration {
        reference: String,
        transaction_id: Vec<u8>,
        now: i64,
    },
    InsertRegistration {
        reference: String,
        subject: String,
        subject_der: Vec<u8>,
        san_der: Option<Vec<u8>>,
        profile: String,
        sealed_secret: Vec<u8>,
        now: i64,
        expires_at: i64,
    },
    /// Moves a transaction from `from` to `to`, optionally setting nonce, deadline and serial.
    UpdateTransaction {
        transaction_id: Vec<u8>,
        from: &'static [TxState],
        to: TxState,
        our_nonce: Option<Vec<u8>>,
        deadline: Option<i64>,
        serial: Option<String>,
        now: i64,
    },
    /// Sets a certificate's status if it is currently one of `from`.
    SetCertificateStatus {
        serial: String,
        from: &'static [CertStatus],
        to: CertStatus,
        revoked_at: Option<i64>,
        reason: Option<i64>,
        /// Whether no matching row is a conflict (otherwise a no-op).
        must: bool,
    },
    /// Appends a record to the audit log, chained to the last one.
    Audit(crate::audit::Entry),
    /// Adds a person to an authentication base of the portal.
    InsertSubscriber(SubscriberRow),
    /// Sets a subscriber's secret (an argon2id PHC string) and unlocks it.
    SetSubscriberSecret {
        base: &'static str,
        id: String,
        secret_hash: String,
    },
    /// Counts one attempt against a subscriber before its secret is checked: only a row not
    /// locked at `now` whose count is still `expected` is counted (so each attempt knows its
    /// own number, however many arrive at once), and the attempt that reaches `max_failures`
    /// locks the row until `locked_until`. No such row: `WriteError::Conflict`.
    CountAttempt {
        base: &'static str,
        id: String,
        expected: i64,
        now: i64,
        max_failures: i64,
        locked_until: i64,
    },
    /// A subscriber authenticated: its failure count and lock are cleared.
    ClearFailures { base: &'static str, id: String },
}

/// The one state a transition or status change may start from, if it names exactly one.
fn single<T: Copy>(from: &[T]) -> Option<T> {
    match from {
        [one] => Some(*one),
        _ => None,
    }
}

/// Whether `ops` is a job of the bulk path: an issuance (certificate, then a new transaction
/// or the transition of an approved one, then optionally the consumed reference number) or a
/// confirmation (transition, then the certificate's status), each optionally ending with its
/// audit record. Every other job — and an issuance that also revokes a superseded
/// certificate — runs on its own.
///
/// The shapes matter for correctness, not only for speed: the bulk path applies a batch's rows
/// table by table (inserts, then consumptions, then transitions, then statuses), and with these
/// shapes any two jobs touching the same row either conflict inside one statement (which fails
/// the bulk write) or meet as an issuance inserting a row that a confirmation then updates —
/// the order in which they would also run one by one.
fn is_bulk(ops: &[Op]) -> bool {
    let transition =
        |op: &Op| matches!(op, Op::UpdateTransaction { from, .. } if single(from).is_some());
    match ops {
        [Op::InsertCertificate { .. }, tx, rest @ ..] => {
            (matches!(
                tx,
                Op::InsertTransaction {
                    state_der: None,
                    ..
                }
            ) || transition(tx))
                && matches!(
                    rest,
                    [] | [Op::ConsumeRegistration { .. }]
                        | [Op::Audit(_)]
                        | [Op::ConsumeRegistration { .. }, Op::Audit(_)]
                )
        }
        [
            tx,
            Op::SetCertificateStatus {
                from, must: true, ..
            },
            rest @ ..,
        ] => transition(tx) && single(from).is_some() && matches!(rest, [] | [Op::Audit(_)]),
        _ => false,
    }
}

fn hex_opt(b: Option<&Vec<u8>>) -> Option<String> {
    b.map(hex::encode)
}

/// The rows of the bulk jobs of a batch, one JSON array per table (blobs in hex): what one
/// multi-row statement per table applies.
#[derive(Default)]
pub(crate) struct Bulk {
    /// Indices of the bulk jobs in the batch.
    pub(crate) jobs: Vec<usize>,
    certificates: Vec<CertificateJson>,
    transactions: Vec<TransactionJson>,
    consumed: Vec<(String, String, i64)>,
    transitions: Vec<TransitionJson>,
    statuses: Vec<StatusJson>,
    /// Audit entries in job order (chained when the batch is written).
    pub(crate) audit: Vec<crate::audit::Entry>,
}

/// serial, der, subject, profile, not_before, not_after, status, issued_at, requester,
/// transaction_id, request_der, replaces
type CertificateJson = (
    String,
    String,
    String,
    String,
    i64,
    i64,
    &'static str,
    i64,
    String,
    String,
    String,
    Option<String>,
);
/// transaction_id, kind, state, requester, serial, our_nonce, cert_req_id, deadline,
/// request_der, profile, now
type TransactionJson = (
    String,
    &'static str,
    &'static str,
    String,
    Option<String>,
    Option<String>,
    Option<i64>,
    Option<i64>,
    Option<String>,
    Option<String>,
    i64,
);
/// transaction_id, from, to, our_nonce, deadline, serial, now
type TransitionJson = (
    String,
    &'static str,
    &'static str,
    Option<String>,
    Option<i64>,
    Option<String>,
    i64,
);
/// serial, from, to, revoked_at, reason
type StatusJson = (String, &'static str, &'static str, Option<i64>, Option<i64>);

/// The JSON arrays of a [`Bulk`], in the order the statements take them.
#[derive(Debug)]
pub(crate) struct BulkJson {
    pub(crate) certificates: String,
    pub(crate) transactions: String,
    pub(crate) consumed: String,
    pub(crate) transitions: String,
    pub(crate) statuses: String,
}

impl Bulk {
    /// Gathers the bulk jobs among `jobs`.
    pub(crate) fn of<'a>(jobs: impl IntoIterator<Item = &'a [Op]>) -> Self {
        let mut bulk = Self::default();
        for (i, ops) in jobs.into_iter().enumerate() {
            if is_bulk(ops) {
                bulk.jobs.push(i);
                for op in ops {
                    bulk.add(op);
                }
            }
        }
        bulk
    }

    fn add(&mut self, op: &Op) {
        match op {
            Op::InsertCertificate {
                serial,
                der,
                subject,
                profile,
                not_before,
                not_after,
                status,
                requester,
                transaction_id,
                request_der,
                replaces,
                now,
            } => self.certificates.push((
                serial.clone(),
                hex::encode(der),
                subject.clone(),
                profile.clone(),
                *not_before,
                *not_after,
                status.as_str(),
                *now,
                requester.clone(),
                hex::encode(transaction_id),
                hex::encode(request_der),
                replaces.clone(),
            )),
            Op::InsertTransaction {
                transaction_id,
                kind,
                state,
                requester,
                serial,
                our_nonce,
                cert_req_id,
                deadline,
                request_der,
                profile,
                state_der: _,
                now,
            } => self.transactions.push((
                hex::encode(transaction_id),
                kind,
                state.as_str(),
                requester.clone(),
                serial.clone(),
                hex_opt(our_nonce.as_ref()),
                *cert_req_id,
                *deadline,
                hex_opt(request_der.as_ref()),
                profile.clone(),
                *now,
            )),
            Op::ConsumeRegistration {
                reference,
                transaction_id,
                now,
            } => self
                .consumed
                .push((reference.clone(), hex::encode(transaction_id), *now)),
            Op::UpdateTransaction {
                transaction_id,
                from,
                to,
                our_nonce,
                deadline,
                serial,
                now,
            } => {
                if let Some(from) = single(from) {
                    self.transitions.push((
                        hex::encode(transaction_id),
                        from.as_str(),
                        to.as_str(),
                        hex_opt(our_nonce.as_ref()),
                        *deadline,
                        serial.clone(),
                        *now,
                    ));
                }
            }
            Op::SetCertificateStatus {
                serial,
                from,
                to,
                revoked_at,
                reason,
                ..
            } => {
                if let Some(from) = single(from) {
                    self.statuses.push((
                        serial.clone(),
                        from.as_str(),
                        to.as_str(),
                        *revoked_at,
                        *reason,
                    ));
                }
            }
            Op::Audit(entry) => self.audit.push(entry.clone()),
            // Not bulk operations (`is_bulk` keeps these jobs out).
            Op::InsertRegistration { .. }
            | Op::InsertSubscriber(_)
            | Op::SetSubscriberSecret { .. }
            | Op::CountAttempt { .. }
            | Op::ClearFailures { .. } => {}
        }
    }

    /// The audit records of the batch after the record `after` (the log's head), as the JSON
    /// array of `[seq, at, actor, action, target, detail, prev hex, hash hex]`.
    pub(crate) fn audit_json(&self, after: crate::audit::Head) -> Result<String, WriteError> {
        let entries: Vec<&crate::audit::Entry> = self.audit.iter().collect();
        audit_rows_json(&entries, after)
    }

    /// How many rows each set holds: certificates, transactions, consumed reference numbers,
    /// transitions, statuses.
    pub(crate) fn counts(&self) -> (usize, usize, usize, usize, usize) {
        (
            self.certificates.len(),
            self.transactions.len(),
            self.consumed.len(),
            self.transitions.len(),
            self.statuses.len(),
        )
    }

    /// The row sets as JSON.
    pub(crate) fn json(&self) -> Result<BulkJson, WriteError> {
        fn enc<T: Serialize>(rows: &[T]) -> Result<String, WriteError> {
            serde_json::to_string(rows).map_err(|e| WriteError::Database(e.to_string()))
        }
        Ok(BulkJson {
            certificates: enc(&self.certificates)?,
            transactions: enc(&self.transactions)?,
            consumed: enc(&self.consumed)?,
            transitions: enc(&self.transitions)?,
            statuses: enc(&self.statuses)?,
        })
    }
}

/// What the writer task is asked to do.
enum Job {
    /// Apply `ops` atomically.
    Write {
        ops: Vec<Op>,
        reply: oneshot::Sender<Result<(), WriteError>>,
    },
    /// Draw the next value of a counter: one more than the last, and at least `floor`.
    Draw {
        counter: Counter,
        floor: i64,
        reply: oneshot::Sender<Result<i64, WriteError>>,
    },
}

/// A counter of the `counters` table, shared by every node on the database.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Counter {
    /// The number of the next CRL (issuing CA and root share it: each list's numbers still
    /// increase strictly).
    CrlNumber,
}

impl Counter {
    const fn name(self) -> &'static str {
        match self {
            Self::CrlNumber => "crl_number",
        }
    }
}

/// The newest audit record's (seq, hash).
const AUDIT_HEAD: &str = "SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1";
/// Most audit records one read returns.
pub(crate) const AUDIT_PAGE: i64 = 10_000;

/// The SQL of a draw, the same for both adapters: `$1` the counter, `$2` the floor.
const DRAW_SQL: &str = "UPDATE counters SET value = CASE WHEN value >= $2 THEN value + 1 \
     ELSE $2 END WHERE name = $1 RETURNING value";

/// Called with the serials a commit revoked, after the commit and before any of its callers
/// hears of it (so a cache in front of the store is never behind what a caller was told).
pub(crate) type RevokedHook = Box<dyn Fn(&[String]) + Send + Sync>;

/// The entries of a job made of audit records only (a flush of counted attempts), which the
/// adapters append with one statement; `None` for any other job.
fn audit_only(ops: &[Op]) -> Option<Vec<&crate::audit::Entry>> {
    if ops.len() < 2 {
        return None;
    }
    ops.iter()
        .map(|op| match op {
            Op::Audit(e) => Some(e),
            _ => None,
        })
        .collect()
}

/// The records `entries` become after `head`, as the JSON array of `[seq, at, actor, action,
/// target, detail, prev hex, hash hex]` both adapters read.
fn audit_rows_json(
    entries: &[&crate::audit::Entry],
    mut head: crate::audit::Head,
) -> Result<String, WriteError> {
    let mut rows = Vec::with_capacity(entries.len());
    for entry in entries {
        let r = crate::audit::chained(entry, head.take());
        head = Some((r.seq, r.hash.clone()));
        rows.push((
            r.seq,
            r.at,
            r.actor,
            r.action,
            r.target,
            r.detail,
            hex::encode(r.prev),
            hex::encode(r.hash),
        ));
    }
    serde_json::to_string(&rows).map_err(|e| WriteError::Database(e.to_string()))
}

/// The serials `ops` set to revoked.
fn revoked_serials(ops: &[Op]) -> impl Iterator<Item = &String> {
    ops.iter().filter_map(|op| match op {
        Op::SetCertificateStatus {
            serial,
            to: CertStatus::Revoked,
            ..
        } => Some(serial),
        _ => None,
    })
}

/// Most lookups answered together.
const MAX_LOOKUPS: usize = 256;

type Reply<T> = oneshot::Sender<Result<Option<T>, String>>;

/// A point lookup for the reader task.
enum Lookup {
    Registration(String, Reply<RegistrationRow>),
    Certificate(String, Reply<CertRow>),
}

/// Where the database is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Location {
    /// A SQLite file (the embedded default: `DIR/signet.db`).
    Sqlite(std::path::PathBuf),
    /// A PostgreSQL database (`postgres://…`), which several nodes can share.
    Postgres(String),
}

impl Location {
    /// `url` if given (a `postgres://` or `postgresql://` URL, or a `sqlite:` path), else
    /// `signet.db` in the data directory `dir`.
    pub(crate) fn of(dir: &Path, url: Option<&str>) -> Result<Self> {
        match url {
            None => Ok(Self::Sqlite(dir.join("signet.db"))),
            Some(u) if u.starts_with("postgres://") || u.starts_with("postgresql://") => {
                Ok(Self::Postgres(u.to_owned()))
            }
            Some(u) => match u.strip_prefix("sqlite:") {
                Some(path) if !path.is_empty() => Ok(Self::Sqlite(path.into())),
                _ => anyhow::bail!(
                    "--database {u:?}: expected postgres://… (or postgresql://…) or sqlite:PATH"
                ),
            },
        }
    }
}

/// The read side of an adapter.
#[derive(Clone)]
enum Db {
    Sqlite(sqlite::Db),
    Postgres(postgres::Db),
}

/// The writing side of an adapter (owned by the writer task).
enum Writer {
    Sqlite(sqlite::Writer),
    Postgres(postgres::Writer),
}

/// The batched reader of an adapter (owned by the reader task).
enum Reader {
    Sqlite(sqlite::Reader),
    Postgres(postgres::Reader),
}

/// Calls the same method on whichever adapter `$e` holds.
macro_rules! either {
    ($ty:ident, $e:expr, $x:ident => $call:expr) => {
        match $e {
            $ty::Sqlite($x) => $call,
            $ty::Postgres($x) => $call,
        }
    };
}

impl Db {
    async fn registrations(&self) -> Result<Vec<RegistrationRow>> {
        either!(Db, self, d => d.registrations().await)
    }
    async fn certificates(&self) -> Result<Vec<CertRow>> {
        either!(Db, self, d => d.certificates().await)
    }
    async fn revoked(&self, now: i64) -> Result<Vec<CertRow>> {
        either!(Db, self, d => d.revoked(now).await)
    }
    async fn transaction(&self, tid: &[u8]) -> Result<Option<TxRow>> {
        either!(Db, self, d => d.transaction(tid).await)
    }
    async fn transactions_in(&self, state: &str) -> Result<Vec<TxRow>> {
        either!(Db, self, d => d.transactions_in(state).await)
    }
    async fn overdue(&self, now: i64) -> Result<Vec<TxRow>> {
        either!(Db, self, d => d.overdue(now).await)
    }
    async fn revocation_marks(&self, since: i64) -> Result<(i64, Vec<String>)> {
        either!(Db, self, d => d.revocation_marks(since).await)
    }
    async fn audit_records(&self, after_seq: i64) -> Result<Vec<crate::audit::Record>> {
        either!(Db, self, d => d.audit_records(after_seq).await)
    }
    async fn subscriber(&self, base: &'static str, id: &str) -> Result<Option<SubscriberRow>> {
        either!(Db, self, d => d.subscriber(base, id).await)
    }
}

impl Writer {
    async fn commit(&mut self, jobs: &[&[Op]]) -> Vec<Result<(), WriteError>> {
        either!(Writer, self, w => w.commit(jobs).await)
    }
    async fn draw(&mut self, counter: &str, floor: i64) -> Result<i64, WriteError> {
        either!(Writer, self, w => w.draw(counter, floor).await)
    }
}

impl Reader {
    async fn registrations(&mut self, keys: &[&str]) -> Result<Vec<RegistrationRow>> {
        either!(Reader, self, r => r.registrations(keys).await)
    }
    async fn certificates(&mut self, keys: &[&str]) -> Result<Vec<CertRow>> {
        either!(Reader, self, r => r.certificates(keys).await)
    }
}

/// The storage handle (cheap to clone).
#[derive(Clone)]
pub(crate) struct Store {
    db: Db,
    writer: mpsc::Sender<Job>,
    reader: mpsc::Sender<Lookup>,
    on_revoked: std::sync::Arc<std::sync::OnceLock<RevokedHook>>,
}

impl Store {
    /// Opens (creating and migrating if needed) the database at `path` and starts the writer
    /// and the reader.
    pub(crate) async fn open(path: &Path) -> Result<Self> {
        Self::open_at(&Location::Sqlite(path.to_owned())).await
    }

    /// Opens the database at `location` (creating and migrating it if needed) and starts the
    /// writer and the reader.
    pub(crate) async fn open_at(location: &Location) -> Result<Self> {
        let (db, writer, reader) = match location {
            Location::Sqlite(path) => {
                let (d, w, r) = sqlite::open(path).await?;
                (Db::Sqlite(d), Writer::Sqlite(w), Reader::Sqlite(r))
            }
            Location::Postgres(url) => {
                let (d, w, r) = postgres::open(url).await?;
                (Db::Postgres(d), Writer::Postgres(w), Reader::Postgres(r))
            }
        };
        let (tx, rx) = mpsc::channel(4096);
        let on_revoked = std::sync::Arc::new(std::sync::OnceLock::new());
        tokio::spawn(writer_loop(writer, rx, on_revoked.clone()));
        let (lookups, rx) = mpsc::channel(4096);
        tokio::spawn(reader_loop(reader, rx));
        Ok(Self {
            db,
            writer: tx,
            reader: lookups,
            on_revoked,
        })
    }

    /// Sets what hears of this process's revocations (once; later calls are ignored).
    pub(crate) fn on_revoked(&self, hook: RevokedHook) {
        let _ = self.on_revoked.set(hook);
    }

    /// The next value of `counter`, at least `floor`, committed before this returns.
    pub(crate) async fn draw(&self, counter: Counter, floor: i64) -> Result<i64, WriteError> {
        let (reply, rx) = oneshot::channel();
        self.writer
            .send(Job::Draw {
                counter,
                floor,
                reply,
            })
            .await
            .map_err(|_| WriteError::Database("writer stopped".into()))?;
        rx.await
            .map_err(|_| WriteError::Database("writer stopped".into()))?
    }

    /// Up to [`AUDIT_PAGE`] audit records after `after_seq`, in order.
    pub(crate) async fn audit_records(&self, after_seq: i64) -> Result<Vec<crate::audit::Record>> {
        self.db.audit_records(after_seq).await
    }

    /// How many certificates are revoked, and the serials of those revoked at or after
    /// `since`: what tells a node that another one (or an operator command) revoked something.
    pub(crate) async fn revocation_marks(&self, since: i64) -> Result<(i64, Vec<String>)> {
        self.db.revocation_marks(since).await
    }

    async fn lookup<T>(&self, make: impl FnOnce(Reply<T>) -> Lookup) -> Result<Option<T>> {
        let (reply, rx) = oneshot::channel();
        self.reader
            .send(make(reply))
            .await
            .map_err(|_| anyhow::anyhow!("reader stopped"))?;
        rx.await
            .map_err(|_| anyhow::anyhow!("reader stopped"))?
            .map_err(anyhow::Error::msg)
    }

    /// Applies `ops` atomically (all or none), committed durably before this returns.
    pub(crate) async fn write(&self, ops: Vec<Op>) -> Result<(), WriteError> {
        let (reply, rx) = oneshot::channel();
        self.writer
            .send(Job::Write { ops, reply })
            .await
            .map_err(|_| WriteError::Database("writer stopped".into()))?;
        rx.await
            .map_err(|_| WriteError::Database("writer stopped".into()))?
    }

    /// The person `id` of the authentication base `base`, if listed.
    pub(crate) async fn subscriber(
        &self,
        base: &'static str,
        id: &str,
    ) -> Result<Option<SubscriberRow>> {
        self.db.subscriber(base, id).await
    }

    pub(crate) async fn registration(&self, reference: &str) -> Result<Option<RegistrationRow>> {
        self.lookup(|r| Lookup::Registration(reference.to_owned(), r))
            .await
    }

    pub(crate) async fn registrations(&self) -> Result<Vec<RegistrationRow>> {
        self.db.registrations().await
    }

    pub(crate) async fn certificate(&self, serial: &str) -> Result<Option<CertRow>> {
        self.lookup(|r| Lookup::Certificate(serial.to_owned(), r))
            .await
    }

    pub(crate) async fn certificates(&self) -> Result<Vec<CertRow>> {
        self.db.certificates().await
    }

    /// Revoked certificates still within their validity (what a CRL lists).
    pub(crate) async fn revoked(&self, now: i64) -> Result<Vec<CertRow>> {
        self.db.revoked(now).await
    }

    pub(crate) async fn transaction(&self, tid: &[u8]) -> Result<Option<TxRow>> {
        self.db.transaction(tid).await
    }

    pub(crate) async fn transactions_in(&self, state: TxState) -> Result<Vec<TxRow>> {
        self.db.transactions_in(state.as_str()).await
    }

    /// Open transactions whose deadline passed.
    pub(crate) async fn overdue(&self, now: i64) -> Result<Vec<TxRow>> {
        self.db.overdue(now).await
    }
}

async fn writer_loop(
    mut writer: Writer,
    mut rx: mpsc::Receiver<Job>,
    on_revoked: std::sync::Arc<std::sync::OnceLock<RevokedHook>>,
) {
    let mut batch = Vec::with_capacity(MAX_BATCH);
    let mut draws = Vec::new();
    while let Some(first) = rx.recv().await {
        let mut next = Some(first);
        while let Some(job) = next.take() {
            match job {
                Job::Write { ops, reply } => batch.push((ops, reply)),
                Job::Draw {
                    counter,
                    floor,
                    reply,
                } => draws.push((counter, floor, reply)),
            }
            if batch.len() < MAX_BATCH {
                next = rx.try_recv().ok();
            }
        }
        if !batch.is_empty() {
            let jobs: Vec<&[Op]> = batch.iter().map(|(ops, _)| ops.as_slice()).collect();
            let results = writer.commit(&jobs).await;
            if let Some(hook) = on_revoked.get() {
                let revoked: Vec<String> = batch
                    .iter()
                    .zip(&results)
                    .filter(|(_, r)| r.is_ok())
                    .flat_map(|((ops, _), _)| revoked_serials(ops).cloned())
                    .collect();
                if !revoked.is_empty() {
                    hook(&revoked);
                }
            }
            for ((_, reply), result) in batch.drain(..).zip(results) {
                let _ = reply.send(result);
            }
        }
        for (counter, floor, reply) in draws.drain(..) {
            let _ = reply.send(writer.draw(counter.name(), floor).await);
        }
    }
}

/// Answers `lookups` from `found` (keyed as `key` says), or all with the error.
fn answer<T: Clone>(lookups: Vec<(String, Reply<T>)>, found: Result<Vec<T>>, key: fn(&T) -> &str) {
    match found {
        Ok(rows) => {
            let rows: std::collections::HashMap<&str, &T> =
                rows.iter().map(|r| (key(r), r)).collect();
            for (k, reply) in lookups {
                let _ = reply.send(Ok(rows.get(k.as_str()).map(|r| (*r).clone())));
            }
        }
        Err(e) => {
            let e = format!("{e:#}");
            for (_, reply) in lookups {
                let _ = reply.send(Err(e.clone()));
            }
        }
    }
}

async fn reader_loop(mut reader: Reader, mut rx: mpsc::Receiver<Lookup>) {
    let mut batch = Vec::with_capacity(MAX_LOOKUPS);
    while let Some(first) = rx.recv().await {
        batch.push(first);
        while batch.len() < MAX_LOOKUPS {
            match rx.try_recv() {
                Ok(l) => batch.push(l),
                Err(_) => break,
            }
        }
        let (mut registrations, mut certificates) = (Vec::new(), Vec::new());
        for lookup in batch.drain(..) {
            match lookup {
                Lookup::Registration(k, r) => registrations.push((k, r)),
                Lookup::Certificate(k, r) => certificates.push((k, r)),
            }
        }
        if !registrations.is_empty() {
            let keys: Vec<&str> = registrations.iter().map(|(k, _)| k.as_str()).collect();
            let found = reader.registrations(&keys).await;
            answer(registrations, found, |r| &r.reference);
        }
        if !certificates.is_empty() {
            let keys: Vec<&str> = certificates.iter().map(|(k, _)| k.as_str()).collect();
            let found = reader.certificates(&keys).await;
            answer(certificates, found, |c| &c.serial);
        }
    }
}

#[cfg(test)]
pub(crate) mod tests;
