//! Storage: what was issued, to whom, and where each transaction stands — durably, before any
//! response leaves.
//!
//! The adapter is SQLite through sqlx (WAL, `synchronous=FULL`), with the schema versioned by
//! `PRAGMA user_version` and applied from [`MIGRATIONS`]. The SQL keeps to what PostgreSQL also
//! accepts (no SQLite-only types, `?` placeholders being the one change a PostgreSQL adapter
//! makes), so a second adapter can follow behind the same [`Store`] surface.
//!
//! **Group commit.** Every write goes through one writer task that owns the only writing
//! connection: it drains whatever jobs are queued (up to [`MAX_BATCH`]), runs each inside its own
//! `SAVEPOINT` (so one job's conflict does not undo another's) and commits the batch with one
//! fsync. A job's caller is answered only after that commit, so a response is never sent for
//! something that is not on disk. Reads use a separate pool of read-only connections (WAL lets
//! them proceed while the writer commits).
//!
//! Uniqueness is enforced by the schema, not by checks before the write: serial numbers and
//! transactionIDs are primary keys, and a reference number is consumed by an `UPDATE … WHERE
//! consumed_at IS NULL` whose row count decides which of two racing enrollments wins.

use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use anyhow::{Context, Result};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteConnection, SqliteJournalMode, SqlitePool, SqlitePoolOptions,
    SqliteSynchronous,
};
use sqlx::{Connection, Row};
use tokio::sync::{mpsc, oneshot};

/// Most jobs committed together.
pub(crate) const MAX_BATCH: usize = 512;

/// The schema, one entry per version (applied in order; `user_version` records the last).
pub(crate) const MIGRATIONS: &[&str] = &[include_str!("../migrations/0001_init.sql")];

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

fn db(e: sqlx::Error) -> WriteError {
    WriteError::Database(e.to_string())
}

fn is_unique_violation(e: &sqlx::Error) -> bool {
    e.as_database_error()
        .is_some_and(|d| d.kind() == sqlx::error::ErrorKind::UniqueViolation)
}

/// A certificate row.
#[derive(Debug, Clone)]
pub(crate) struct CertRow {
    pub(crate) serial: String,
    pub(crate) der: Vec<u8>,
    pub(crate) subject: String,
    pub(crate) profile: String,
    pub(crate) not_before: i64,
    pub(crate) not_after: i64,
    pub(crate) status: String,
    pub(crate) issued_at: i64,
    pub(crate) requester: String,
    pub(crate) transaction_id: Vec<u8>,
    pub(crate) revoked_at: Option<i64>,
    pub(crate) revocation_reason: Option<i64>,
    pub(crate) replaces: Option<String>,
}

/// A registration row (the secret stays sealed).
#[derive(Debug, Clone)]
pub(crate) struct RegistrationRow {
    pub(crate) reference: String,
    pub(crate) subject: String,
    pub(crate) subject_der: Vec<u8>,
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
    pub(crate) state: String,
    pub(crate) requester: String,
    pub(crate) serial: Option<String>,
    pub(crate) our_nonce: Option<Vec<u8>>,
    pub(crate) cert_req_id: Option<i64>,
    pub(crate) deadline: Option<i64>,
    pub(crate) request_der: Option<Vec<u8>>,
    pub(crate) profile: Option<String>,
    pub(crate) created_at: i64,
}

/// One write operation.
#[derive(Debug, Clone)]
pub(crate) enum Op {
    InsertTransaction {
        transaction_id: Vec<u8>,
        kind: &'static str,
        state: &'static str,
        requester: String,
        serial: Option<String>,
        our_nonce: Option<Vec<u8>>,
        cert_req_id: Option<i64>,
        deadline: Option<i64>,
        request_der: Option<Vec<u8>>,
        profile: Option<String>,
        now: i64,
    },
    InsertCertificate {
        serial: String,
        der: Vec<u8>,
        subject: String,
        profile: String,
        not_before: i64,
        not_after: i64,
        status: &'static str,
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
        profile: String,
        sealed_secret: Vec<u8>,
        now: i64,
        expires_at: i64,
    },
    /// Moves a transaction from `from` to `to`, optionally setting nonce, deadline and serial.
    UpdateTransaction {
        transaction_id: Vec<u8>,
        from: &'static [&'static str],
        to: &'static str,
        our_nonce: Option<Vec<u8>>,
        deadline: Option<i64>,
        serial: Option<String>,
        now: i64,
    },
    /// Sets a certificate's status if it is currently one of `from`.
    SetCertificateStatus {
        serial: String,
        from: &'static [&'static str],
        to: &'static str,
        revoked_at: Option<i64>,
        reason: Option<i64>,
        /// Whether no matching row is a conflict (otherwise a no-op).
        must: bool,
    },
}

const TX_COLUMNS: &str = "transaction_id, kind, state, requester, serial, our_nonce, \
     cert_req_id, deadline, request_der, profile, created_at";

fn in_list(n: usize) -> String {
    vec!["?"; n].join(",")
}

impl Op {
    async fn apply(&self, c: &mut SqliteConnection) -> Result<(), WriteError> {
        match self {
            Self::InsertTransaction {
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
                now,
            } => {
                let r = sqlx::query(
                    "INSERT INTO transactions (transaction_id, kind, state, requester, serial, \
                     our_nonce, cert_req_id, deadline, request_der, profile, created_at, \
                     updated_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
                )
                .bind(transaction_id)
                .bind(kind)
                .bind(state)
                .bind(requester)
                .bind(serial)
                .bind(our_nonce)
                .bind(cert_req_id)
                .bind(deadline)
                .bind(request_der)
                .bind(profile)
                .bind(now)
                .bind(now)
                .execute(&mut *c)
                .await;
                match r {
                    Ok(_) => Ok(()),
                    Err(e) if is_unique_violation(&e) => Err(WriteError::TransactionIdInUse),
                    Err(e) => Err(db(e)),
                }
            }
            Self::InsertCertificate {
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
            } => {
                let r = sqlx::query(
                    "INSERT INTO certificates (serial, der, subject, profile, not_before, \
                     not_after, status, issued_at, requester, transaction_id, request_der, \
                     replaces) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
                )
                .bind(serial)
                .bind(der)
                .bind(subject)
                .bind(profile)
                .bind(not_before)
                .bind(not_after)
                .bind(status)
                .bind(now)
                .bind(requester)
                .bind(transaction_id)
                .bind(request_der)
                .bind(replaces)
                .execute(&mut *c)
                .await;
                match r {
                    Ok(_) => Ok(()),
                    Err(e) if is_unique_violation(&e) => Err(WriteError::SerialInUse),
                    Err(e) => Err(db(e)),
                }
            }
            Self::ConsumeRegistration {
                reference,
                transaction_id,
                now,
            } => {
                let r = sqlx::query(
                    "UPDATE registrations SET consumed_at = ?, consumed_by = ? \
                     WHERE reference = ? AND consumed_at IS NULL AND expires_at > ?",
                )
                .bind(now)
                .bind(transaction_id)
                .bind(reference)
                .bind(now)
                .execute(&mut *c)
                .await
                .map_err(db)?;
                if r.rows_affected() == 1 {
                    Ok(())
                } else {
                    Err(WriteError::RegistrationUnavailable)
                }
            }
            Self::InsertRegistration {
                reference,
                subject,
                subject_der,
                profile,
                sealed_secret,
                now,
                expires_at,
            } => {
                let r = sqlx::query(
                    "INSERT INTO registrations (reference, subject, subject_der, profile, \
                     sealed_secret, created_at, expires_at) VALUES (?,?,?,?,?,?,?)",
                )
                .bind(reference)
                .bind(subject)
                .bind(subject_der)
                .bind(profile)
                .bind(sealed_secret)
                .bind(now)
                .bind(expires_at)
                .execute(&mut *c)
                .await;
                match r {
                    Ok(_) => Ok(()),
                    Err(e) if is_unique_violation(&e) => Err(WriteError::Conflict {
                        what: "reference number",
                    }),
                    Err(e) => Err(db(e)),
                }
            }
            Self::UpdateTransaction {
                transaction_id,
                from,
                to,
                our_nonce,
                deadline,
                serial,
                now,
            } => {
                let sql = format!(
                    "UPDATE transactions SET state = ?, our_nonce = COALESCE(?, our_nonce), \
                     deadline = COALESCE(?, deadline), serial = COALESCE(?, serial), \
                     updated_at = ? WHERE transaction_id = ? AND state IN ({})",
                    in_list(from.len())
                );
                let mut q = sqlx::query(sqlx::AssertSqlSafe(sql))
                    .bind(to)
                    .bind(our_nonce)
                    .bind(deadline)
                    .bind(serial)
                    .bind(now)
                    .bind(transaction_id);
                for f in *from {
                    q = q.bind(f);
                }
                let r = q.execute(&mut *c).await.map_err(db)?;
                if r.rows_affected() == 1 {
                    Ok(())
                } else {
                    Err(WriteError::Conflict {
                        what: "transaction",
                    })
                }
            }
            Self::SetCertificateStatus {
                serial,
                from,
                to,
                revoked_at,
                reason,
                must,
            } => {
                let sql = format!(
                    "UPDATE certificates SET status = ?, revoked_at = COALESCE(?, revoked_at), \
                     revocation_reason = COALESCE(?, revocation_reason) \
                     WHERE serial = ? AND status IN ({})",
                    in_list(from.len())
                );
                let mut q = sqlx::query(sqlx::AssertSqlSafe(sql))
                    .bind(to)
                    .bind(revoked_at)
                    .bind(reason)
                    .bind(serial);
                for f in *from {
                    q = q.bind(f);
                }
                let r = q.execute(&mut *c).await.map_err(db)?;
                if r.rows_affected() == 1 || !must {
                    Ok(())
                } else {
                    Err(WriteError::Conflict {
                        what: "certificate status",
                    })
                }
            }
        }
    }
}

struct Job {
    ops: Vec<Op>,
    reply: oneshot::Sender<Result<(), WriteError>>,
}

/// The storage handle (cheap to clone).
#[derive(Clone)]
pub(crate) struct Store {
    read: SqlitePool,
    writer: mpsc::Sender<Job>,
}

fn options(path: &Path) -> Result<SqliteConnectOptions> {
    Ok(SqliteConnectOptions::from_str("sqlite:")?
        .filename(path)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Full)
        .busy_timeout(Duration::from_secs(10))
        .foreign_keys(true))
}

async fn migrate(c: &mut SqliteConnection) -> Result<()> {
    let version: i64 = sqlx::query("PRAGMA user_version")
        .fetch_one(&mut *c)
        .await?
        .try_get(0)?;
    let applied = usize::try_from(version).context("negative schema version")?;
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(applied) {
        let mut tx = c.begin().await?;
        sqlx::raw_sql(sqlx::AssertSqlSafe(*sql))
            .execute(&mut *tx)
            .await
            .with_context(|| format!("applying migration {}", i + 1))?;
        let set = format!("PRAGMA user_version = {}", i + 1);
        sqlx::query(sqlx::AssertSqlSafe(set))
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
    }
    Ok(())
}

impl Store {
    /// Opens (creating and migrating if needed) the database at `path` and starts the writer.
    pub(crate) async fn open(path: &Path) -> Result<Self> {
        let opts = options(path)?.create_if_missing(true);
        let mut writer = SqliteConnection::connect_with(&opts)
            .await
            .with_context(|| format!("opening {}", path.display()))?;
        migrate(&mut writer).await?;
        let read = SqlitePoolOptions::new()
            .max_connections(4)
            .connect_with(options(path)?.read_only(true))
            .await?;
        let (tx, rx) = mpsc::channel(4096);
        tokio::spawn(writer_loop(writer, rx));
        Ok(Self { read, writer: tx })
    }

    /// Applies `ops` atomically (all or none), committed durably before this returns.
    pub(crate) async fn write(&self, ops: Vec<Op>) -> Result<(), WriteError> {
        let (reply, rx) = oneshot::channel();
        self.writer
            .send(Job { ops, reply })
            .await
            .map_err(|_| WriteError::Database("writer stopped".into()))?;
        rx.await
            .map_err(|_| WriteError::Database("writer stopped".into()))?
    }

    pub(crate) async fn registration(&self, reference: &str) -> Result<Option<RegistrationRow>> {
        let row = sqlx::query(
            "SELECT reference, subject, subject_der, profile, sealed_secret, created_at, \
             expires_at, consumed_at, consumed_by FROM registrations WHERE reference = ?",
        )
        .bind(reference)
        .fetch_optional(&self.read)
        .await?;
        row.map(|r| registration_row(&r)).transpose()
    }

    pub(crate) async fn registrations(&self) -> Result<Vec<RegistrationRow>> {
        let rows = sqlx::query(
            "SELECT reference, subject, subject_der, profile, sealed_secret, created_at, \
             expires_at, consumed_at, consumed_by FROM registrations ORDER BY created_at",
        )
        .fetch_all(&self.read)
        .await?;
        rows.iter().map(registration_row).collect()
    }

    pub(crate) async fn certificate(&self, serial: &str) -> Result<Option<CertRow>> {
        let row = sqlx::query(
            "SELECT serial, der, subject, profile, not_before, not_after, status, issued_at, \
             requester, transaction_id, revoked_at, revocation_reason, replaces \
             FROM certificates WHERE serial = ?",
        )
        .bind(serial)
        .fetch_optional(&self.read)
        .await?;
        row.map(|r| cert_row(&r)).transpose()
    }

    pub(crate) async fn certificates(&self) -> Result<Vec<CertRow>> {
        let rows = sqlx::query(
            "SELECT serial, der, subject, profile, not_before, not_after, status, issued_at, \
             requester, transaction_id, revoked_at, revocation_reason, replaces \
             FROM certificates ORDER BY issued_at, serial",
        )
        .fetch_all(&self.read)
        .await?;
        rows.iter().map(cert_row).collect()
    }

    /// Revoked certificates still within their validity (what a CRL lists).
    pub(crate) async fn revoked(&self, now: i64) -> Result<Vec<CertRow>> {
        let rows = sqlx::query(
            "SELECT serial, der, subject, profile, not_before, not_after, status, issued_at, \
             requester, transaction_id, revoked_at, revocation_reason, replaces \
             FROM certificates WHERE status = 'revoked' AND not_after >= ? ORDER BY serial",
        )
        .bind(now)
        .fetch_all(&self.read)
        .await?;
        rows.iter().map(cert_row).collect()
    }

    pub(crate) async fn transaction(&self, tid: &[u8]) -> Result<Option<TxRow>> {
        let sql = format!("SELECT {TX_COLUMNS} FROM transactions WHERE transaction_id = ?");
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(tid)
            .fetch_optional(&self.read)
            .await?;
        row.map(|r| tx_row(&r)).transpose()
    }

    pub(crate) async fn transactions_in(&self, state: &str) -> Result<Vec<TxRow>> {
        let sql =
            format!("SELECT {TX_COLUMNS} FROM transactions WHERE state = ? ORDER BY created_at");
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(state)
            .fetch_all(&self.read)
            .await?;
        rows.iter().map(tx_row).collect()
    }

    /// Open transactions whose deadline passed.
    pub(crate) async fn overdue(&self, now: i64) -> Result<Vec<TxRow>> {
        let sql = format!(
            "SELECT {TX_COLUMNS} FROM transactions WHERE state IN \
             ('awaiting_confirm','pending','approved') AND deadline < ? LIMIT 1000"
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(now)
            .fetch_all(&self.read)
            .await?;
        rows.iter().map(tx_row).collect()
    }
}

async fn writer_loop(mut conn: SqliteConnection, mut rx: mpsc::Receiver<Job>) {
    let mut batch = Vec::with_capacity(MAX_BATCH);
    while let Some(first) = rx.recv().await {
        batch.push(first);
        while batch.len() < MAX_BATCH {
            match rx.try_recv() {
                Ok(j) => batch.push(j),
                Err(_) => break,
            }
        }
        let results = run_batch(&mut conn, &batch).await;
        for (job, result) in batch.drain(..).zip(results) {
            let _ = job.reply.send(result);
        }
    }
}

async fn run_batch(conn: &mut SqliteConnection, batch: &[Job]) -> Vec<Result<(), WriteError>> {
    let fail_all = |e: &sqlx::Error| {
        batch
            .iter()
            .map(|_| Err(WriteError::Database(e.to_string())))
            .collect()
    };
    let mut tx = match conn.begin().await {
        Ok(t) => t,
        Err(e) => return fail_all(&e),
    };
    let mut results = Vec::with_capacity(batch.len());
    for job in batch {
        // A single statement that fails undoes only itself (SQLite's ABORT resolution), so
        // one-op jobs need no savepoint.
        if let [op] = job.ops.as_slice() {
            results.push(op.apply(&mut tx).await);
            continue;
        }
        if let Err(e) = sqlx::query("SAVEPOINT job").execute(&mut *tx).await {
            results.push(Err(db(e)));
            continue;
        }
        let mut outcome = Ok(());
        for op in &job.ops {
            if let Err(e) = op.apply(&mut tx).await {
                outcome = Err(e);
                break;
            }
        }
        let end = if outcome.is_ok() {
            "RELEASE job"
        } else {
            "ROLLBACK TO job"
        };
        if let Err(e) = sqlx::query(end).execute(&mut *tx).await {
            outcome = Err(db(e));
        }
        if outcome.is_err() {
            // ROLLBACK TO keeps the savepoint open; release it so the next job nests cleanly.
            let _ = sqlx::query("RELEASE job").execute(&mut *tx).await;
        }
        results.push(outcome);
    }
    match tx.commit().await {
        Ok(()) => results,
        Err(e) => fail_all(&e),
    }
}

fn registration_row(r: &sqlx::sqlite::SqliteRow) -> Result<RegistrationRow> {
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
    })
}

fn cert_row(r: &sqlx::sqlite::SqliteRow) -> Result<CertRow> {
    Ok(CertRow {
        serial: r.try_get(0)?,
        der: r.try_get(1)?,
        subject: r.try_get(2)?,
        profile: r.try_get(3)?,
        not_before: r.try_get(4)?,
        not_after: r.try_get(5)?,
        status: r.try_get(6)?,
        issued_at: r.try_get(7)?,
        requester: r.try_get(8)?,
        transaction_id: r.try_get(9)?,
        revoked_at: r.try_get(10)?,
        revocation_reason: r.try_get(11)?,
        replaces: r.try_get(12)?,
    })
}

fn tx_row(r: &sqlx::sqlite::SqliteRow) -> Result<TxRow> {
    Ok(TxRow {
        transaction_id: r.try_get(0)?,
        kind: r.try_get(1)?,
        state: r.try_get(2)?,
        requester: r.try_get(3)?,
        serial: r.try_get(4)?,
        our_nonce: r.try_get(5)?,
        cert_req_id: r.try_get(6)?,
        deadline: r.try_get(7)?,
        request_der: r.try_get(8)?,
        profile: r.try_get(9)?,
        created_at: r.try_get(10)?,
    })
}

#[cfg(test)]
mod tests;
