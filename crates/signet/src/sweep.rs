//! Expiry of open transactions: an issued certificate whose certConf did not arrive within
//! confirmWaitTime is revoked (RFC 9810 §5.3.18: the CA "MUST revoke" an unconfirmed
//! certificate it already published), and pending enrollments past their deadline close.
//! Runs every second; after a restart it picks up whatever the crash left open.

use std::sync::Arc;
use std::time::Duration;

use crate::cmp::Ca;
use crate::pki::now_secs;
use crate::store::{CertStatus, Op, TxState};

use crate::cmp::REASON_CESSATION;

pub(crate) async fn run(ca: Arc<Ca>) {
    let mut tick = tokio::time::interval(Duration::from_secs(1));
    let mut since_flush = 0;
    loop {
        tick.tick().await;
        since_flush += 1;
        if since_flush >= crate::audit::ATTEMPT_WINDOW_SECS {
            since_flush = 0;
            flush_attempts(&ca).await;
        }
        if let Err(e) = sweep_once(&ca).await {
            tracing::warn!(error = %e, "expiry sweep failed");
        }
    }
}

/// Writes the authentication attempts counted since the last flush into the audit log.
pub(crate) async fn flush_attempts(ca: &Ca) {
    let now = i64::try_from(now_secs()).unwrap_or(i64::MAX);
    let ops = ca.attempts.drain(now);
    if !ops.is_empty()
        && let Err(e) = ca.store.write(ops).await
    {
        tracing::error!(error = %e, "writing authentication attempts to the audit log failed");
    }
}

pub(crate) async fn sweep_once(ca: &Ca) -> anyhow::Result<usize> {
    let now = i64::try_from(now_secs())?;
    let overdue = ca.store.overdue(now).await?;
    let mut n = 0;
    for row in overdue {
        let mut ops = vec![Op::UpdateTransaction {
            transaction_id: row.transaction_id.clone(),
            from: &[
                TxState::AwaitingConfirm,
                TxState::Pending,
                TxState::Approved,
            ],
            to: TxState::Expired,
            our_nonce: None,
            deadline: None,
            serial: None,
            now,
        }];
        ops.push(crate::audit::op(
            now,
            "signet",
            crate::audit::action::ENROLLMENT_EXPIRED,
            Some(hex::encode(&row.transaction_id)),
            &serde_json::json!({"state": row.state.as_str(), "requester": row.requester}),
        ));
        if row.state == TxState::AwaitingConfirm
            && let Some(serial) = &row.serial
        {
            ops.push(Op::SetCertificateStatus {
                serial: serial.clone(),
                from: &[CertStatus::Unconfirmed],
                to: CertStatus::Revoked,
                revoked_at: Some(now),
                reason: Some(REASON_CESSATION),
                must: true,
            });
            ops.push(crate::audit::revoked(
                now,
                "signet",
                serial,
                REASON_CESSATION,
                "no certConf within confirmWaitTime",
            ));
        }
        let mut written = ca.store.write(ops.clone()).await;
        if matches!(written, Err(crate::store::WriteError::Conflict { .. })) && ops.len() > 2 {
            // The certificate is no longer unconfirmed (an operator revoked it meanwhile):
            // the transaction still expires, and the log says only that.
            ops.truncate(2);
            written = ca.store.write(ops).await;
        }
        if written.is_ok() {
            ca.hot.forget_awaiting(&row.transaction_id);
            if let Some(reference) = row.requester.strip_prefix(crate::cmp::REGISTERED_LABEL) {
                ca.hot.forget_registration(reference);
            }
            n += 1;
            tracing::info!(
                transaction = %hex::encode(&row.transaction_id),
                state = %row.state,
                serial = ?row.serial,
                "transaction expired"
            );
        }
    }
    Ok(n)
}
