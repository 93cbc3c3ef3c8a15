//! `apply_op!`: the one SQL of each [`super::Op`] both adapters run.

/// Applies one [`Op`] on its own statement through the connection `$c` (`&mut` an adapter's
/// connection): the same SQL for both adapters (numbered parameters, which SQLite reads as
/// names numbered in order and PostgreSQL as positions), each outcome judged the same way.
macro_rules! apply_op {
    ($op:expr, $c:expr) => {
        match $op {
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
                state_der,
                now,
            } => super::inserted(
                sqlx::query(
                    "INSERT INTO transactions (transaction_id, kind, state, requester, serial, \
                     our_nonce, cert_req_id, deadline, request_der, profile, created_at, \
                     updated_at, state_der) \
                     VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$11,$12)",
                )
                .bind(transaction_id)
                .bind(*kind)
                .bind(state.as_str())
                .bind(requester)
                .bind(serial)
                .bind(our_nonce)
                .bind(cert_req_id)
                .bind(deadline)
                .bind(request_der)
                .bind(profile)
                .bind(now)
                .bind(state_der)
                .execute(&mut *$c)
                .await,
                WriteError::TransactionIdInUse,
            ),
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
            } => super::inserted(
                sqlx::query(
                    "INSERT INTO certificates (serial, der, subject, profile, not_before, \
                     not_after, status, issued_at, requester, transaction_id, request_der, \
                     replaces) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12)",
                )
                .bind(serial)
                .bind(der)
                .bind(subject)
                .bind(profile)
                .bind(not_before)
                .bind(not_after)
                .bind(status.as_str())
                .bind(now)
                .bind(requester)
                .bind(transaction_id)
                .bind(request_der)
                .bind(replaces)
                .execute(&mut *$c)
                .await,
                WriteError::SerialInUse,
            ),
            Op::ConsumeRegistration {
                reference,
                transaction_id,
                now,
            } => {
                let r = sqlx::query(
                    "UPDATE registrations SET consumed_at = $1, consumed_by = $2 \
                     WHERE reference = $3 AND consumed_at IS NULL AND expires_at > $1",
                )
                .bind(now)
                .bind(transaction_id)
                .bind(reference)
                .execute(&mut *$c)
                .await
                .map_err(super::db)?;
                super::one_row(r.rows_affected(), WriteError::RegistrationUnavailable)
            }
            Op::InsertRegistration {
                reference,
                subject,
                subject_der,
                san_der,
                profile,
                sealed_secret,
                now,
                expires_at,
            } => super::inserted(
                sqlx::query(
                    "INSERT INTO registrations (reference, subject, subject_der, profile, \
                     sealed_secret, created_at, expires_at, san_der) \
                     VALUES ($1,$2,$3,$4,$5,$6,$7,$8)",
                )
                .bind(reference)
                .bind(subject)
                .bind(subject_der)
                .bind(profile)
                .bind(sealed_secret)
                .bind(now)
                .bind(expires_at)
                .bind(san_der)
                .execute(&mut *$c)
                .await,
                WriteError::Conflict {
                    what: "reference number",
                },
            ),
            Op::UpdateTransaction {
                transaction_id,
                from,
                to,
                our_nonce,
                deadline,
                serial,
                now,
            } => {
                let sql = format!(
                    "UPDATE transactions SET state = $1, our_nonce = COALESCE($2, our_nonce), \
                     deadline = COALESCE($3, deadline), serial = COALESCE($4, serial), \
                     updated_at = $5 WHERE transaction_id = $6 AND state IN ({})",
                    super::numbered(7, from.len())
                );
                let mut q = sqlx::query(sqlx::AssertSqlSafe(sql))
                    .bind(to.as_str())
                    .bind(our_nonce)
                    .bind(deadline)
                    .bind(serial)
                    .bind(now)
                    .bind(transaction_id);
                for f in *from {
                    q = q.bind(f.as_str());
                }
                let r = q.execute(&mut *$c).await.map_err(super::db)?;
                super::one_row(
                    r.rows_affected(),
                    WriteError::Conflict {
                        what: "transaction",
                    },
                )
            }
            Op::Audit(entry) => audit_append(&mut *$c, &[entry]).await,
            Op::InsertSubscriber(row) => super::inserted(
                sqlx::query(
                    "INSERT INTO subscribers (base, id, secret_hash, subject, sans, profile, \
                     failures, locked_until, created_at) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9)",
                )
                .bind(row.base)
                .bind(&row.id)
                .bind(&row.secret_hash)
                .bind(&row.subject)
                .bind(&row.sans)
                .bind(&row.profile)
                .bind(row.failures)
                .bind(row.locked_until)
                .bind(row.created_at)
                .execute(&mut *$c)
                .await,
                WriteError::Conflict { what: "subscriber" },
            ),
            Op::SetSubscriberSecret {
                base,
                id,
                secret_hash,
            } => {
                let r = sqlx::query(
                    "UPDATE subscribers SET secret_hash = $1, failures = 0, locked_until = 0 \
                     WHERE base = $2 AND id = $3",
                )
                .bind(secret_hash)
                .bind(*base)
                .bind(id)
                .execute(&mut *$c)
                .await
                .map_err(super::db)?;
                super::one_row(
                    r.rows_affected(),
                    WriteError::Conflict { what: "subscriber" },
                )
            }
            Op::CountAttempt {
                base,
                id,
                expected,
                now,
                max_failures,
                locked_until,
            } => {
                let r = sqlx::query(
                    "UPDATE subscribers SET failures = failures + 1, locked_until = \
                     CASE WHEN failures + 1 >= $1 THEN $2 ELSE locked_until END \
                     WHERE base = $3 AND id = $4 AND locked_until <= $5 AND failures = $6",
                )
                .bind(max_failures)
                .bind(locked_until)
                .bind(*base)
                .bind(id)
                .bind(now)
                .bind(expected)
                .execute(&mut *$c)
                .await
                .map_err(super::db)?;
                super::one_row(
                    r.rows_affected(),
                    WriteError::Conflict {
                        what: "subscriber lock",
                    },
                )
            }
            Op::ClearFailures { base, id } => sqlx::query(
                "UPDATE subscribers SET failures = 0, locked_until = 0 \
                 WHERE base = $1 AND id = $2",
            )
            .bind(*base)
            .bind(id)
            .execute(&mut *$c)
            .await
            .map(|_| ())
            .map_err(super::db),
            Op::SetCertificateStatus {
                serial,
                from,
                to,
                revoked_at,
                reason,
                must,
            } => {
                let sql = format!(
                    "UPDATE certificates SET status = $1, \
                     revoked_at = COALESCE($2, revoked_at), \
                     revocation_reason = COALESCE($3, revocation_reason) \
                     WHERE serial = $4 AND status IN ({})",
                    super::numbered(5, from.len())
                );
                let mut q = sqlx::query(sqlx::AssertSqlSafe(sql))
                    .bind(to.as_str())
                    .bind(revoked_at)
                    .bind(reason)
                    .bind(serial);
                for f in *from {
                    q = q.bind(f.as_str());
                }
                let r = q.execute(&mut *$c).await.map_err(super::db)?;
                if *must {
                    super::one_row(
                        r.rows_affected(),
                        WriteError::Conflict {
                            what: "certificate status",
                        },
                    )
                } else {
                    Ok(())
                }
            }
        }
    };
}
