//! The PostgreSQL adapter, for several `signet serve` nodes on one database: a pool for reads,
//! one writing connection (owned by the writer task) and one for the batched reader, per node.
//!
//! **Schema.** The same migrations as SQLite (their SQL keeps to what both accept), with
//! `BLOB` read as `BYTEA` and `INTEGER` as `BIGINT`; the applied version is kept in
//! `signet_schema`, and nodes starting together migrate under a transaction-scoped advisory
//! lock, so exactly one applies each step.
//!
//! **Group commit.** A batch is one transaction: each job in its own `SAVEPOINT`, so a job
//! that fails (a replayed transactionID, a reference number consumed twice, a state another
//! node changed first) is undone alone and its neighbours commit, with one `COMMIT` — one WAL
//! flush — for the whole batch. Every decision that must hold across nodes is the database's,
//! as on SQLite: primary keys for serials and transactionIDs, and `UPDATE … WHERE <expected
//! state>` whose row count says which of two racing nodes won (under `READ COMMITTED` the
//! loser's update re-reads the winner's row and matches nothing).

use anyhow::{Context, Result};
use sqlx::postgres::{PgConnectOptions, PgConnection, PgPool, PgPoolOptions, PgRow};
use sqlx::{ConnectOptions, Connection, Row};

use super::{
    Bulk, CERT_COLUMNS, CertRow, MIGRATIONS, Op, REG_COLUMNS, RegistrationRow, TX_COLUMNS, TxRow,
    WriteError, db,
};

/// A key for `pg_advisory_xact_lock` that serialises migrations ("signet" in ASCII).
const MIGRATION_LOCK: i64 = 0x7369_676e_6574;

/// A migration in PostgreSQL's types.
fn dialect(sql: &str) -> String {
    sql.replace("BLOB", "BYTEA").replace("INTEGER", "BIGINT")
}

async fn migrate(c: &mut PgConnection) -> Result<()> {
    let mut tx = c.begin().await?;
    sqlx::query("SELECT pg_advisory_xact_lock($1)")
        .bind(MIGRATION_LOCK)
        .execute(&mut *tx)
        .await?;
    sqlx::raw_sql("CREATE TABLE IF NOT EXISTS signet_schema (version BIGINT NOT NULL)")
        .execute(&mut *tx)
        .await?;
    let version: Option<i64> = sqlx::query("SELECT version FROM signet_schema")
        .fetch_optional(&mut *tx)
        .await?
        .map(|r| r.try_get(0))
        .transpose()?;
    if version.is_none() {
        sqlx::query("INSERT INTO signet_schema (version) VALUES (0)")
            .execute(&mut *tx)
            .await?;
    }
    let applied = usize::try_from(version.unwrap_or(0)).context("negative schema version")?;
    if applied > MIGRATIONS.len() {
        anyhow::bail!(
            "the database has schema version {applied}; this Signet knows {}",
            MIGRATIONS.len()
        );
    }
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(applied) {
        sqlx::raw_sql(sqlx::AssertSqlSafe(dialect(sql)))
            .execute(&mut *tx)
            .await
            .with_context(|| format!("applying migration {}", i + 1))?;
        sqlx::query("UPDATE signet_schema SET version = $1")
            .bind(i64::try_from(i + 1)?)
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Connects to `url` (`postgres://…`), migrating the schema if needed: the read pool, the
/// writing connection and the batched reader's connection.
pub(super) async fn open(url: &str) -> Result<(Db, Writer, Reader)> {
    let opts: PgConnectOptions = url
        .parse()
        .with_context(|| "the database URL is not a PostgreSQL URL".to_owned())?;
    let opts = opts.disable_statement_logging();
    let mut conn = PgConnection::connect_with(&opts)
        .await
        .context("connecting to PostgreSQL")?;
    migrate(&mut conn).await?;
    let read = PgPoolOptions::new()
        .max_connections(4)
        .connect_with(opts.clone())
        .await?;
    let reader = PgConnection::connect_with(&opts).await?;
    Ok((Db { read }, Writer { conn }, Reader { conn: reader }))
}

/// The batched reader's connection (owned by the reader task): one query per table for all
/// the keys looked up meanwhile.
pub(super) struct Reader {
    conn: PgConnection,
}

impl Reader {
    pub(super) async fn registrations(&mut self, keys: &[&str]) -> Result<Vec<RegistrationRow>> {
        let sql = format!("SELECT {REG_COLUMNS} FROM registrations WHERE reference = ANY($1)");
        sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(keys)
            .fetch_all(&mut self.conn)
            .await?
            .iter()
            .map(registration_row)
            .collect()
    }

    pub(super) async fn certificates(&mut self, keys: &[&str]) -> Result<Vec<CertRow>> {
        let sql = format!("SELECT {CERT_COLUMNS} FROM certificates WHERE serial = ANY($1)");
        sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(keys)
            .fetch_all(&mut self.conn)
            .await?
            .iter()
            .map(cert_row)
            .collect()
    }
}

/// The writing connection (owned by the writer task).
pub(super) struct Writer {
    conn: PgConnection,
}

impl Writer {
    /// Commits `jobs` durably, each all or nothing; one result per job.
    pub(super) async fn commit(&mut self, jobs: &[&[Op]]) -> Vec<Result<(), WriteError>> {
        let fail_all = |e: &WriteError| {
            jobs.iter()
                .map(|_| Err(WriteError::Database(e.to_string())))
                .collect()
        };
        if let Err(e) = self.exec("BEGIN").await {
            return fail_all(&e);
        }
        let mut results = Vec::with_capacity(jobs.len());
        // The hot path's jobs first, with one statement per table for all of them; if any of
        // their rows fails, none is left and they run one by one below.
        let bulk = Bulk::of(jobs.iter().copied());
        let bulk_done = !bulk.jobs.is_empty() && self.bulk_in_savepoint(&bulk).await;
        // The audit records of the jobs that succeeded, appended last: the audit log is one
        // chain for every node, so a batch that appends holds the table lock from its head
        // read to its commit — only that long, not while its jobs run.
        let mut audit = Vec::new();
        for (i, ops) in jobs.iter().enumerate() {
            let result = if bulk_done && bulk.jobs.binary_search(&i).is_ok() {
                Ok(())
            } else {
                self.job(ops).await
            };
            if result.is_ok() {
                audit.extend(ops.iter().filter_map(|op| match op {
                    Op::Audit(e) => Some(e),
                    _ => None,
                }));
            }
            results.push(result);
        }
        if !audit.is_empty() {
            let appended = match self.exec("LOCK TABLE audit_log IN EXCLUSIVE MODE").await {
                Ok(()) => audit_append(&mut self.conn, &audit).await,
                Err(e) => Err(e),
            };
            if let Err(e) = appended {
                // A job's change must not commit without its record.
                let _ = self.exec("ROLLBACK").await;
                return fail_all(&e);
            }
        }
        match self.exec("COMMIT").await {
            Ok(()) => results,
            Err(e) => {
                let _ = self.exec("ROLLBACK").await;
                fail_all(&e)
            }
        }
    }

    /// [`Self::bulk`] in a savepoint: whether it applied (if not, it left nothing).
    async fn bulk_in_savepoint(&mut self, bulk: &Bulk) -> bool {
        if self.exec("SAVEPOINT bulk").await.is_err() {
            return false;
        }
        let applied = self.bulk_rows(bulk).await.is_ok();
        let end = if applied {
            "RELEASE SAVEPOINT bulk"
        } else {
            "ROLLBACK TO SAVEPOINT bulk"
        };
        let ended = self.exec(end).await.is_ok();
        if !applied {
            let _ = self.exec("RELEASE SAVEPOINT bulk").await;
        }
        applied && ended
    }

    /// The bulk jobs' rows in a transaction of their own: all or, with an error, nothing
    /// (the contract the store tests check; `commit` runs them in a savepoint instead).
    #[cfg(test)]
    pub(super) async fn bulk(&mut self, bulk: &Bulk) -> Result<(), WriteError> {
        self.exec("BEGIN").await?;
        match self.bulk_rows(bulk).await {
            Ok(()) => self.exec("COMMIT").await,
            Err(e) => {
                let _ = self.exec("ROLLBACK").await;
                Err(e)
            }
        }
    }

    /// The bulk jobs' rows, one statement per table (the same row sets as SQLite's trigger);
    /// an error when a key is taken or an update misses a row. Inside a transaction: the
    /// caller rolls back what it did on error.
    async fn bulk_rows(&mut self, bulk: &Bulk) -> Result<(), WriteError> {
        let json = bulk.json()?;
        let run = |sql: &'static str, rows: String| sqlx::query(sql).bind(rows);
        let taken = |r: Result<sqlx::postgres::PgQueryResult, sqlx::Error>| match r {
            Ok(r) => Ok(r.rows_affected()),
            Err(e) if super::is_unique_violation(&e) => {
                Err(WriteError::Conflict { what: "bulk row" })
            }
            Err(e) => Err(db(e)),
        };
        let all = |done: u64, want: usize, what: &'static str| {
            if usize::try_from(done).ok() == Some(want) {
                Ok(())
            } else {
                Err(WriteError::Conflict { what })
            }
        };
        let (n_cert, n_tx, n_consumed, n_transitions, n_statuses) = bulk.counts();
        if n_cert > 0 {
            taken(
                run(BULK_CERTIFICATES, json.certificates)
                    .execute(&mut self.conn)
                    .await,
            )?;
        }
        if n_tx > 0 {
            taken(
                run(BULK_TRANSACTIONS, json.transactions)
                    .execute(&mut self.conn)
                    .await,
            )?;
        }
        if n_consumed > 0 {
            let done = taken(
                run(BULK_CONSUMED, json.consumed)
                    .execute(&mut self.conn)
                    .await,
            )?;
            all(done, n_consumed, "reference number")?;
        }
        if n_transitions > 0 {
            let done = taken(
                run(BULK_TRANSITIONS, json.transitions)
                    .execute(&mut self.conn)
                    .await,
            )?;
            all(done, n_transitions, "transaction")?;
        }
        if n_statuses > 0 {
            let done = taken(
                run(BULK_STATUSES, json.statuses)
                    .execute(&mut self.conn)
                    .await,
            )?;
            all(done, n_statuses, "certificate status")?;
        }
        Ok(())
    }

    async fn exec(&mut self, sql: &'static str) -> Result<(), WriteError> {
        sqlx::raw_sql(sql)
            .execute(&mut self.conn)
            .await
            .map(|_| ())
            .map_err(db)
    }

    /// One job inside the open transaction, in its own savepoint: in PostgreSQL any failed
    /// statement aborts the transaction until rolled back to a savepoint.
    async fn job(&mut self, ops: &[Op]) -> Result<(), WriteError> {
        self.exec("SAVEPOINT job").await?;
        let mut outcome = Ok(());
        // Audit records are appended by `commit` after the jobs.
        for op in ops.iter().filter(|op| !matches!(op, Op::Audit(_))) {
            if let Err(e) = apply(op, &mut self.conn).await {
                outcome = Err(e);
                break;
            }
        }
        let end = if outcome.is_ok() {
            "RELEASE SAVEPOINT job"
        } else {
            "ROLLBACK TO SAVEPOINT job"
        };
        if let Err(e) = self.exec(end).await {
            outcome = Err(e);
        }
        if outcome.is_err() {
            let _ = self.exec("RELEASE SAVEPOINT job").await;
        }
        outcome
    }
}

/// The bulk path's statements: each reads one row set of `store::Bulk` (a JSON array of
/// arrays, blobs in hex) with `jsonb_array_elements`.
const BULK_CERTIFICATES: &str = "INSERT INTO certificates (serial, der, subject, profile, \
     not_before, not_after, status, issued_at, requester, transaction_id, request_der, \
     replaces) SELECT j->>0, decode(j->>1, 'hex'), j->>2, j->>3, (j->>4)::bigint, \
     (j->>5)::bigint, j->>6, (j->>7)::bigint, j->>8, decode(j->>9, 'hex'), \
     decode(j->>10, 'hex'), j->>11 FROM jsonb_array_elements($1::jsonb) AS j";
const BULK_TRANSACTIONS: &str = "INSERT INTO transactions (transaction_id, kind, state, \
     requester, serial, our_nonce, cert_req_id, deadline, request_der, profile, created_at, \
     updated_at) SELECT decode(j->>0, 'hex'), j->>1, j->>2, j->>3, j->>4, \
     decode(j->>5, 'hex'), (j->>6)::bigint, (j->>7)::bigint, decode(j->>8, 'hex'), j->>9, \
     (j->>10)::bigint, (j->>10)::bigint FROM jsonb_array_elements($1::jsonb) AS j";
const BULK_CONSUMED: &str = "UPDATE registrations AS r SET consumed_at = (j->>2)::bigint, \
     consumed_by = decode(j->>1, 'hex') FROM jsonb_array_elements($1::jsonb) AS j \
     WHERE r.reference = j->>0 AND r.consumed_at IS NULL AND r.expires_at > (j->>2)::bigint";
const BULK_TRANSITIONS: &str = "UPDATE transactions AS t SET state = j->>2, \
     our_nonce = COALESCE(decode(j->>3, 'hex'), t.our_nonce), \
     deadline = COALESCE((j->>4)::bigint, t.deadline), serial = COALESCE(j->>5, t.serial), \
     updated_at = (j->>6)::bigint FROM jsonb_array_elements($1::jsonb) AS j \
     WHERE t.transaction_id = decode(j->>0, 'hex') AND t.state = j->>1";
const BULK_STATUSES: &str = "UPDATE certificates AS c SET status = j->>2, \
     revoked_at = COALESCE((j->>3)::bigint, c.revoked_at), \
     revocation_reason = COALESCE((j->>4)::bigint, c.revocation_reason) \
     FROM jsonb_array_elements($1::jsonb) AS j WHERE c.serial = j->>0 AND c.status = j->>1";

/// The records of an audit-only job (`store::audit_rows_json`), in one statement.
const AUDIT_RUN: &str = "INSERT INTO audit_log (seq, at, actor, action, target, detail, prev, \
     hash) SELECT (j->>0)::bigint, (j->>1)::bigint, j->>2, j->>3, j->>4, j->>5, \
     decode(j->>6, 'hex'), decode(j->>7, 'hex') FROM jsonb_array_elements($1::jsonb) AS j";

/// Applies one operation on its own statement.
async fn apply(op: &Op, c: &mut PgConnection) -> Result<(), WriteError> {
    apply_op!(op, c)
}

/// The read side: a pool of connections.
#[derive(Clone)]
pub(super) struct Db {
    read: PgPool,
}

impl Db {
    async fn rows(&self, sql: String, key: Option<i64>) -> Result<Vec<PgRow>> {
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
        if let Some(k) = key {
            q = q.bind(k);
        }
        Ok(q.fetch_all(&self.read).await?)
    }

    pub(super) async fn registrations(&self) -> Result<Vec<RegistrationRow>> {
        let sql = format!("SELECT {REG_COLUMNS} FROM registrations ORDER BY created_at");
        self.rows(sql, None)
            .await?
            .iter()
            .map(registration_row)
            .collect()
    }

    pub(super) async fn certificates(&self) -> Result<Vec<CertRow>> {
        let sql = format!("SELECT {CERT_COLUMNS} FROM certificates ORDER BY issued_at, serial");
        self.rows(sql, None).await?.iter().map(cert_row).collect()
    }

    pub(super) async fn revoked(&self, now: i64) -> Result<Vec<CertRow>> {
        let sql = format!(
            "SELECT {CERT_COLUMNS} FROM certificates WHERE status = 'revoked' \
             AND not_after >= $1 ORDER BY serial"
        );
        self.rows(sql, Some(now))
            .await?
            .iter()
            .map(cert_row)
            .collect()
    }

    pub(super) async fn transaction(&self, tid: &[u8]) -> Result<Option<TxRow>> {
        let sql = format!("SELECT {TX_COLUMNS} FROM transactions WHERE transaction_id = $1");
        sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(tid)
            .fetch_optional(&self.read)
            .await?
            .map(|r| tx_row(&r))
            .transpose()
    }

    pub(super) async fn transactions_in(&self, state: &str) -> Result<Vec<TxRow>> {
        let sql =
            format!("SELECT {TX_COLUMNS} FROM transactions WHERE state = $1 ORDER BY created_at");
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
             ('awaiting_confirm','pending','approved') AND deadline < $1 LIMIT 1000"
        );
        self.rows(sql, Some(now))
            .await?
            .iter()
            .map(tx_row)
            .collect()
    }
}

row_readers!(PgRow);
shared_queries!(PgConnection);
