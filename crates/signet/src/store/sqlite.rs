//! The SQLite adapter: sqlx connections in WAL mode with `synchronous=FULL`, one writing
//! connection (owned by the writer task) and a small pool of read-only ones.
//!
//! sqlx runs each SQLite connection on its own thread and hands every call over to it, so
//! what costs is the number of calls, not the number of rows. The bulk path therefore makes
//! one call per batch: an `INSERT` into the connection's `TEMP` view `write_batch`, whose
//! `INSTEAD OF` trigger applies the batch's row sets (JSON arrays, read with `json_each`) to
//! each table with one multi-row statement and aborts — undoing all of them — when a unique
//! key is violated or an update did not find every row it was given (`changes()`). Outside an
//! explicit transaction that one statement is also its own transaction, committed (and
//! fsynced) before the call returns.

use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use anyhow::{Context, Result};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteConnection, SqliteJournalMode, SqlitePool, SqlitePoolOptions,
    SqliteRow, SqliteSynchronous,
};
use sqlx::{ConnectOptions, Connection, Row};

use super::{
    Bulk, CERT_COLUMNS, CertRow, MIGRATIONS, Op, REG_COLUMNS, RegistrationRow, TX_COLUMNS, TxRow,
    WriteError, db,
};

/// The bulk path's view and trigger, created on the writing connection (`TEMP`: they belong
/// to this connection, not to the schema). Each row set is a JSON array of arrays whose
/// members are the columns in the order of `store::Bulk`; blobs are hex.
const BULK_SCHEMA: &str = r"
CREATE TEMP VIEW write_batch (certificates, transactions, consumed, transitions, statuses,
                               audit)
    AS SELECT NULL, NULL, NULL, NULL, NULL, NULL;
CREATE TEMP TRIGGER write_batch_apply INSTEAD OF INSERT ON write_batch BEGIN
    INSERT INTO certificates (serial, der, subject, profile, not_before, not_after, status,
                              issued_at, requester, transaction_id, request_der, replaces)
        SELECT value ->> 0, unhex(value ->> 1), value ->> 2, value ->> 3, value ->> 4,
               value ->> 5, value ->> 6, value ->> 7, value ->> 8, unhex(value ->> 9),
               unhex(value ->> 10), value ->> 11
        FROM json_each(NEW.certificates);
    INSERT INTO transactions (transaction_id, kind, state, requester, serial, our_nonce,
                              cert_req_id, deadline, request_der, profile, created_at,
                              updated_at)
        SELECT unhex(value ->> 0), value ->> 1, value ->> 2, value ->> 3, value ->> 4,
               unhex(value ->> 5), value ->> 6, value ->> 7, unhex(value ->> 8),
               value ->> 9, value ->> 10, value ->> 10
        FROM json_each(NEW.transactions);
    UPDATE registrations SET consumed_at = j.value ->> 2, consumed_by = unhex(j.value ->> 1)
        FROM json_each(NEW.consumed) AS j
        WHERE registrations.reference = j.value ->> 0
          AND registrations.consumed_at IS NULL
          AND registrations.expires_at > j.value ->> 2;
    SELECT RAISE(ABORT, 'reference number not usable')
        WHERE changes() <> json_array_length(NEW.consumed);
    UPDATE transactions SET state = j.value ->> 2,
                            our_nonce = COALESCE(unhex(j.value ->> 3), our_nonce),
                            deadline = COALESCE(j.value ->> 4, deadline),
                            serial = COALESCE(j.value ->> 5, serial),
                            updated_at = j.value ->> 6
        FROM json_each(NEW.transitions) AS j
        WHERE transactions.transaction_id = unhex(j.value ->> 0)
          AND transactions.state = j.value ->> 1;
    SELECT RAISE(ABORT, 'transaction changed concurrently')
        WHERE changes() <> json_array_length(NEW.transitions);
    UPDATE certificates SET status = j.value ->> 2,
                            revoked_at = COALESCE(j.value ->> 3, revoked_at),
                            revocation_reason = COALESCE(j.value ->> 4, revocation_reason)
        FROM json_each(NEW.statuses) AS j
        WHERE certificates.serial = j.value ->> 0
          AND certificates.status = j.value ->> 1;
    SELECT RAISE(ABORT, 'certificate status changed concurrently')
        WHERE changes() <> json_array_length(NEW.statuses);
    -- Chained before the statement from the head read just before it: if another writer
    -- appended meanwhile, the sequence number is taken and the whole batch aborts.
    INSERT INTO audit_log (seq, at, actor, action, target, detail, prev, hash)
        SELECT value ->> 0, value ->> 1, value ->> 2, value ->> 3, value ->> 4, value ->> 5,
               unhex(value ->> 6), unhex(value ->> 7)
        FROM json_each(NEW.audit);
END;
";

/// The records of an audit-only job (`store::audit_rows_json`), in one statement.
const AUDIT_RUN: &str = "INSERT INTO audit_log (seq, at, actor, action, target, detail, prev, \
     hash) SELECT value ->> 0, value ->> 1, value ->> 2, value ->> 3, value ->> 4, \
     value ->> 5, unhex(value ->> 6), unhex(value ->> 7) FROM json_each(?)";

const BULK_INSERT: &str = "INSERT INTO write_batch (certificates, transactions, consumed, \
     transitions, statuses, audit) VALUES (?, ?, ?, ?, ?, ?)";

fn options(path: &Path) -> Result<SqliteConnectOptions> {
    Ok(SqliteConnectOptions::from_str("sqlite:")?
        .filename(path)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Full)
        .busy_timeout(Duration::from_secs(10))
        .foreign_keys(true)
        .disable_statement_logging())
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

/// Opens (creating and migrating if needed) the database at `path`: the read pool, the
/// writing connection and the batched reader's connection.
pub(super) async fn open(path: &Path) -> Result<(Db, Writer, Reader)> {
    let opts = options(path)?.create_if_missing(true);
    let mut conn = SqliteConnection::connect_with(&opts)
        .await
        .with_context(|| format!("opening {}", path.display()))?;
    migrate(&mut conn).await?;
    sqlx::raw_sql(BULK_SCHEMA).execute(&mut conn).await?;
    let read = SqlitePoolOptions::new()
        .max_connections(4)
        // A pooled SQLite connection is a thread of this process; checking it costs a round
        // trip to that thread per read and finds nothing a failed query would not.
        .test_before_acquire(false)
        .connect_with(options(path)?.read_only(true))
        .await?;
    let reader = SqliteConnection::connect_with(&options(path)?.read_only(true)).await?;
    Ok((Db { read }, Writer { conn }, Reader { conn: reader }))
}

/// The batched reader's connection (owned by the reader task): one query per table for all
/// the keys looked up meanwhile.
pub(super) struct Reader {
    conn: SqliteConnection,
}

impl Reader {
    async fn many<T>(
        &mut self,
        sql: String,
        keys: &[&str],
        row: fn(&SqliteRow) -> Result<T>,
    ) -> Result<Vec<T>> {
        let keys = serde_json::to_string(keys)?;
        sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(keys)
            .fetch_all(&mut self.conn)
            .await?
            .iter()
            .map(row)
            .collect()
    }

    pub(super) async fn registrations(&mut self, keys: &[&str]) -> Result<Vec<RegistrationRow>> {
        let sql = format!(
            "SELECT {REG_COLUMNS} FROM registrations \
             WHERE reference IN (SELECT value FROM json_each(?))"
        );
        self.many(sql, keys, registration_row).await
    }

    pub(super) async fn certificates(&mut self, keys: &[&str]) -> Result<Vec<CertRow>> {
        let sql = format!(
            "SELECT {CERT_COLUMNS} FROM certificates \
             WHERE serial IN (SELECT value FROM json_each(?))"
        );
        self.many(sql, keys, cert_row).await
    }
}

/// The writing connection (owned by the writer task).
pub(super) struct Writer {
    conn: SqliteConnection,
}

impl Writer {
    /// Commits `jobs` durably, each all or nothing; one result per job.
    pub(super) async fn commit(&mut self, jobs: &[&[Op]]) -> Vec<Result<(), WriteError>> {
        let bulk = Bulk::of(jobs.iter().copied());
        if !bulk.jobs.is_empty() && bulk.jobs.len() == jobs.len() {
            // Only bulk jobs: one statement, its own transaction.
            if self.bulk(&bulk).await.is_ok() {
                return jobs.iter().map(|_| Ok(())).collect();
            }
            return self.one_by_one(jobs, &[]).await;
        }
        self.one_by_one(jobs, &bulk.jobs).await
    }

    /// The bulk statement; an error means nothing of it was applied.
    pub(super) async fn bulk(&mut self, bulk: &Bulk) -> Result<(), WriteError> {
        let json = bulk.json()?;
        let audit = if bulk.audit.is_empty() {
            "[]".to_owned()
        } else {
            let head = audit_head(&mut self.conn).await?;
            bulk.audit_json(head)?
        };
        sqlx::query(BULK_INSERT)
            .bind(json.certificates)
            .bind(json.transactions)
            .bind(json.consumed)
            .bind(json.transitions)
            .bind(json.statuses)
            .bind(audit)
            .execute(&mut self.conn)
            .await
            .map_err(db)?;
        Ok(())
    }

    /// One transaction: the jobs at `bulk` (ascending indices) as one bulk statement if it
    /// succeeds, every other job (and those, if it failed) in its own savepoint.
    async fn one_by_one(&mut self, jobs: &[&[Op]], bulk: &[usize]) -> Vec<Result<(), WriteError>> {
        let fail_all = |e: &WriteError| {
            jobs.iter()
                .map(|_| Err(WriteError::Database(e.to_string())))
                .collect()
        };
        if let Err(e) = self.exec("BEGIN IMMEDIATE").await {
            return fail_all(&e);
        }
        let bulk_done = if bulk.is_empty() {
            false
        } else {
            let b = Bulk::of(bulk.iter().filter_map(|&i| jobs.get(i).copied()));
            self.bulk(&b).await.is_ok()
        };
        let mut results = Vec::with_capacity(jobs.len());
        for (i, ops) in jobs.iter().enumerate() {
            if bulk_done && bulk.binary_search(&i).is_ok() {
                results.push(Ok(()));
            } else {
                results.push(self.job(ops).await);
            }
        }
        match self.exec("COMMIT").await {
            Ok(()) => results,
            Err(e) => {
                // A failed COMMIT can leave the transaction open.
                let _ = self.exec("ROLLBACK").await;
                fail_all(&e)
            }
        }
    }

    async fn exec(&mut self, sql: &'static str) -> Result<(), WriteError> {
        sqlx::query(sql)
            .execute(&mut self.conn)
            .await
            .map(|_| ())
            .map_err(db)
    }

    /// One job inside the open transaction.
    async fn job(&mut self, ops: &[Op]) -> Result<(), WriteError> {
        // A single statement that fails undoes only itself (SQLite's ABORT resolution), so
        // one-op jobs need no savepoint.
        if let [op] = ops {
            return apply(op, &mut self.conn).await;
        }
        // One statement too: undoes only itself if it fails.
        if let Some(entries) = super::audit_only(ops) {
            return audit_append(&mut self.conn, &entries).await;
        }
        self.exec("SAVEPOINT job").await?;
        let mut outcome = Ok(());
        for op in ops {
            if let Err(e) = apply(op, &mut self.conn).await {
                outcome = Err(e);
                break;
            }
        }
        let end = if outcome.is_ok() {
            "RELEASE job"
        } else {
            "ROLLBACK TO job"
        };
        if let Err(e) = self.exec(end).await {
            outcome = Err(e);
        }
        if outcome.is_err() {
            // ROLLBACK TO keeps the savepoint open; release it so the next job nests cleanly.
            let _ = self.exec("RELEASE job").await;
        }
        outcome
    }
}

/// Applies one operation on its own statement.
async fn apply(op: &Op, c: &mut SqliteConnection) -> Result<(), WriteError> {
    apply_op!(op, c)
}

/// The read side: a pool of read-only connections.
#[derive(Clone)]
pub(super) struct Db {
    read: SqlitePool,
}

impl Db {
    async fn one<T>(
        &self,
        sql: String,
        key: impl for<'q> sqlx::Encode<'q, sqlx::Sqlite> + sqlx::Type<sqlx::Sqlite> + Send,
        row: fn(&SqliteRow) -> Result<T>,
    ) -> Result<Option<T>> {
        sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(key)
            .fetch_optional(&self.read)
            .await?
            .map(|r| row(&r))
            .transpose()
    }

    async fn all<T>(
        &self,
        sql: String,
        key: Option<i64>,
        row: fn(&SqliteRow) -> Result<T>,
    ) -> Result<Vec<T>> {
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
        if let Some(k) = key {
            q = q.bind(k);
        }
        q.fetch_all(&self.read).await?.iter().map(row).collect()
    }

    pub(super) async fn registrations(&self) -> Result<Vec<RegistrationRow>> {
        let sql = format!("SELECT {REG_COLUMNS} FROM registrations ORDER BY created_at");
        self.all(sql, None, registration_row).await
    }

    pub(super) async fn certificates(&self) -> Result<Vec<CertRow>> {
        let sql = format!("SELECT {CERT_COLUMNS} FROM certificates ORDER BY issued_at, serial");
        self.all(sql, None, cert_row).await
    }

    pub(super) async fn revoked(&self, now: i64) -> Result<Vec<CertRow>> {
        let sql = format!(
            "SELECT {CERT_COLUMNS} FROM certificates WHERE status = 'revoked' \
             AND not_after >= ? ORDER BY serial"
        );
        self.all(sql, Some(now), cert_row).await
    }

    pub(super) async fn transaction(&self, tid: &[u8]) -> Result<Option<TxRow>> {
        let sql = format!("SELECT {TX_COLUMNS} FROM transactions WHERE transaction_id = ?");
        self.one(sql, tid.to_vec(), tx_row).await
    }

    pub(super) async fn transactions_in(&self, state: &str) -> Result<Vec<TxRow>> {
        let sql =
            format!("SELECT {TX_COLUMNS} FROM transactions WHERE state = ? ORDER BY created_at");
        sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(state)
            .fetch_all(&self.read)
            .await?
            .iter()
            .map(tx_row)
            .collect()
    }

    pub(super) async fn overdue(&self, now: i64) -> Result<Vec<TxRow>> {
        let sql = format!(
            "SELECT {TX_COLUMNS} FROM transactions WHERE state IN \
             ('awaiting_confirm','pending','approved') AND deadline < ? LIMIT 1000"
        );
        self.all(sql, Some(now), tx_row).await
    }
}

row_readers!(SqliteRow);
shared_queries!(SqliteConnection);
