//! Enrollment (ir, cr, kur, p10cr), delayed delivery (pollReq) and confirmation (certConf).

use signet_asn1_types::cmp::{PkiBody, PkiFailureBit, PkiStatus};
use signet_asn1_types::der::DateTime;
use signet_ca_signer::{IssuanceRequest, Serial, Signed, prepare, sign_der};
use signet_cmp_protocol::server::{
    AfterPoll, Authenticated, AwaitingConfirm, ConfirmOutcome, Decision as PollDecision, Pending,
    Rejection,
};
use signet_crmf::Request;
use signet_ra_policy::{Approval, ApprovalMode, Decision, Operation, dn};

use super::{Ca, Failure, Key, Outcome, Who, system, tid};
use crate::pki::{now_dt, serial_hex, signer_profile};
use crate::store::{CertStatus, Op, TxRow, TxState, WriteError};

/// RFC 5280 CRLReason `superseded`: the old certificate of a confirmed key update.
const REASON_SUPERSEDED: i64 = 4;
/// RFC 5280 CRLReason `cessationOfOperation`: a certificate its subscriber rejected (certConf)
/// or never confirmed (confirmWaitTime elapsed) is withdrawn.
pub(crate) const REASON_CESSATION: i64 = 5;

fn kind_of(body: &PkiBody) -> &'static str {
    match body {
        PkiBody::Ir(_) => "ir",
        PkiBody::Cr(_) => "cr",
        PkiBody::Kur(_) => "kur",
        PkiBody::P10cr(_) => "p10cr",
        PkiBody::Rr(_) => "rr",
        PkiBody::Genm(_) => "genm",
        _ => "other",
    }
}

fn operation_of(body: &PkiBody) -> Operation {
    match body {
        PkiBody::Ir(_) => Operation::Initial,
        PkiBody::Kur(_) => Operation::KeyUpdate,
        _ => Operation::Certification,
    }
}

fn cert_req_id_of(body: &PkiBody) -> i64 {
    match body {
        PkiBody::Ir(m) | PkiBody::Cr(m) | PkiBody::Kur(m) => {
            m.first().map_or(0, |m| m.cert_req.cert_req_id)
        }
        _ => -1,
    }
}

fn i64s(v: u64) -> i64 {
    i64::try_from(v).unwrap_or(i64::MAX)
}

fn secs(t: DateTime) -> i64 {
    i64s(t.unix_duration().as_secs())
}

/// The error a failed write becomes.
pub(crate) fn write_failure(incoming: &Authenticated, e: &WriteError, key: Key) -> Failure {
    let rejection = match e {
        WriteError::TransactionIdInUse => incoming.reject(
            PkiFailureBit::TransactionIdInUse,
            "transactionID already used",
        ),
        WriteError::RegistrationUnavailable => incoming.reject(
            PkiFailureBit::NotAuthorized,
            "reference number already used or expired",
        ),
        WriteError::Conflict { what } => incoming.reject(
            PkiFailureBit::BadRequest,
            format!("{what} changed concurrently; retry"),
        ),
        WriteError::SerialInUse | WriteError::Database(_) => {
            tracing::error!(error = %e, "write failed");
            incoming.reject(PkiFailureBit::SystemUnavail, "storage failed; retry later")
        }
    };
    Failure { rejection, key }
}

/// The facts of an issuance that are recorded before its response leaves.
#[derive(Clone, Copy)]
struct IssueRecord<'a> {
    who: &'a Who,
    transaction_id: &'a [u8],
    kind: &'static str,
    signed: &'a Signed,
    approval: &'a Approval,
    /// The request as received.
    request_der: &'a [u8],
    /// The certConf state, unless implicit confirmation was granted.
    awaiting: Option<&'a AwaitingConfirm>,
    /// Whether the transaction row is new (an immediate issuance) or an approved pending
    /// one that moves on.
    new_transaction: bool,
    now: u64,
}

impl IssueRecord<'_> {
    /// The issued certificate's serial, as stored.
    fn serial(&self) -> String {
        serial_hex(
            self.signed
                .certificate
                .tbs_certificate()
                .serial_number()
                .as_bytes(),
        )
    }

    /// The serial of the certificate a key update replaces.
    fn replaces(&self) -> Option<String> {
        match (self.who, self.kind) {
            (Who::Subscriber { serial, .. }, "kur") => Some(serial.clone()),
            _ => None,
        }
    }
}

impl Ca {
    /// Builds, lints and signs the approved certificate.
    fn sign_approved(
        &self,
        incoming: &Authenticated,
        approval: &Approval,
        request: &Request,
    ) -> Result<Signed, Rejection> {
        let profile = signer_profile(&approval.signer_profile)
            .ok_or_else(|| system("policy names an unknown signer profile"))?;
        let mut req = IssuanceRequest::new(approval.subject.clone(), request.public_key.clone());
        req.subject_alt_names = approval.subject_alt_names.clone();
        req.cpl_record = approval.cpl_record.clone();
        req.not_before = Some(approval.not_before);
        req.not_after = Some(approval.not_after);
        let serial = Serial::generate(&self.rng).map_err(|_| system("random source failed"))?;
        let now = now_dt().map_err(|_| system("clock"))?;
        let tbs = prepare(&req, &profile, &self.pki.issuer, now, &serial).map_err(|e| {
            incoming.reject(
                PkiFailureBit::BadCertTemplate,
                format!("certificate refused by the profile: {e}"),
            )
        })?;
        sign_der(tbs, &*self.pki.issuing_key).map_err(|_| system("signing failed"))
    }

    /// The writes that record an issued certificate and its transaction.
    fn issue_ops(&self, record: &IssueRecord<'_>) -> Result<Vec<Op>, Rejection> {
        let IssueRecord {
            who,
            transaction_id,
            kind,
            signed,
            approval,
            request_der,
            awaiting,
            new_transaction,
            now,
        } = *record;
        let tbs = signed.certificate.tbs_certificate();
        let serial = record.serial();
        let replaces = record.replaces();
        let now_i = i64s(now);
        let mut ops = Vec::new();
        let state = if awaiting.is_some() {
            TxState::AwaitingConfirm
        } else {
            TxState::Confirmed
        };
        ops.push(Op::InsertCertificate {
            serial: serial.clone(),
            der: signed.der.clone(),
            subject: dn::to_openssl(tbs.subject()),
            profile: approval.profile.clone(),
            not_before: secs(tbs.validity().not_before.to_date_time()),
            not_after: secs(tbs.validity().not_after.to_date_time()),
            status: if awaiting.is_some() {
                CertStatus::Unconfirmed
            } else {
                CertStatus::Valid
            },
            requester: who.label(),
            transaction_id: transaction_id.to_vec(),
            request_der: request_der.to_vec(),
            replaces: replaces.clone(),
            now: now_i,
        });
        if new_transaction {
            ops.push(Op::InsertTransaction {
                transaction_id: transaction_id.to_vec(),
                kind,
                state,
                requester: who.label(),
                serial: Some(serial),
                our_nonce: awaiting.map(|a| a.our_nonce.clone()),
                cert_req_id: awaiting.map(|a| a.cert_req_id),
                deadline: awaiting.map(|a| i64s(a.deadline)),
                request_der: None,
                profile: Some(approval.profile.clone()),
                state_der: None,
                now: now_i,
            });
        } else {
            ops.push(Op::UpdateTransaction {
                transaction_id: transaction_id.to_vec(),
                from: &[TxState::Approved],
                to: state,
                our_nonce: awaiting.map(|a| a.our_nonce.clone()),
                deadline: awaiting.map(|a| i64s(a.deadline)),
                serial: Some(serial),
                now: now_i,
            });
        }
        if let Who::Registered { reference, .. } = who {
            ops.push(Op::ConsumeRegistration {
                reference: reference.clone(),
                transaction_id: transaction_id.to_vec(),
                now: now_i,
            });
        }
        let actor = who.actor();
        ops.push(crate::audit::op(
            now_i,
            actor.clone(),
            crate::audit::action::CERTIFICATE_ISSUED,
            Some(record.serial()),
            &serde_json::json!({
                "subject": dn::to_openssl(tbs.subject()),
                "profile": approval.profile,
                "kind": kind,
                "transaction": hex::encode(transaction_id),
                "not_after": secs(tbs.validity().not_after.to_date_time()),
                "awaiting_confirmation": awaiting.is_some(),
                "replaces": replaces,
                "signed_by": "issuing-ca",
            }),
        ));
        if awaiting.is_none()
            && let Some(old) = replaces
        {
            ops.extend(supersede(old, now_i, actor));
        }
        Ok(ops)
    }

    pub(super) async fn enroll(
        &self,
        incoming: &Authenticated,
        body: &[u8],
        who: &Who,
        key: Key,
        path_profile: Option<&str>,
        now: u64,
    ) -> Outcome {
        // A reused transactionID is refused by the write (primary key), before anything is
        // recorded or returned.
        let transaction_id = tid(incoming);
        let kind = kind_of(incoming.body());
        let enrollment = match incoming.enrollment(false, self.verifier()) {
            Ok(e) => e,
            Err(r) => return self.refuse(incoming, key, cert_req_id_of(incoming.body()), &r, now),
        };
        let now_dt = now_dt().map_err(|_| Failure {
            rejection: system("clock"),
            key: Key::Signature,
        })?;
        let decision = self.pki.policy.decide(
            &who.requester(),
            &enrollment.request,
            operation_of(incoming.body()),
            path_profile,
            now_dt,
            Some(self.issuing_not_after()),
        );
        match decision {
            Decision::Reject(r) => {
                let rejection = incoming.reject(r.bit, r.text);
                self.refuse(
                    incoming,
                    key,
                    enrollment.request.cert_req_id,
                    &rejection,
                    now,
                )
            }
            Decision::Pend { approval, .. } => {
                let responder = self.responder(&key, false, now).map_err(|r| Failure {
                    rejection: r,
                    key: Key::Signature,
                })?;
                let (bytes, pending) = match responder.waiting(incoming, &enrollment) {
                    Ok(x) => x,
                    Err(r) => return Err(Failure { rejection: r, key }),
                };
                let state_der = pending.to_stored().map_err(|e| Failure {
                    rejection: system(&e.to_string()),
                    key: Key::Signature,
                })?;
                let audit = crate::audit::op(
                    i64s(now),
                    who.actor(),
                    crate::audit::action::ENROLLMENT_PENDING,
                    Some(hex::encode(&transaction_id)),
                    &serde_json::json!({"kind": kind, "profile": approval.profile}),
                );
                let op = Op::InsertTransaction {
                    transaction_id: transaction_id.clone(),
                    kind,
                    state: TxState::Pending,
                    requester: who.label(),
                    serial: None,
                    our_nonce: Some(pending.our_nonce),
                    cert_req_id: Some(enrollment.request.cert_req_id),
                    deadline: Some(i64s(
                        now.saturating_add(self.settings.pending_wait.as_secs()),
                    )),
                    request_der: Some(body.to_vec()),
                    profile: Some(approval.profile),
                    state_der: Some(state_der),
                    now: i64s(now),
                };
                match self.store.write(vec![op, audit]).await {
                    Ok(()) => {
                        tracing::info!(kind, requester = %who.label(), "enrollment pending approval");
                        Ok(bytes)
                    }
                    Err(e) => Err(write_failure(incoming, &e, key)),
                }
            }
            Decision::Approve(approval) => {
                let signed = match self.sign_approved(incoming, &approval, &enrollment.request) {
                    Ok(c) => c,
                    Err(r) => {
                        return self.refuse(incoming, key, enrollment.request.cert_req_id, &r, now);
                    }
                };
                let status = if approval.granted_with_mods() {
                    PkiStatus::GrantedWithMods
                } else {
                    PkiStatus::Accepted
                };
                let responder = self
                    .responder(&key, approval.grant_implicit_confirm, now)
                    .map_err(|r| Failure {
                        rejection: r,
                        key: Key::Signature,
                    })?;
                let root = core::slice::from_ref(&self.pki.root);
                let (bytes, awaiting) = match responder.issued(
                    incoming,
                    &enrollment,
                    &signed.certificate,
                    root,
                    status,
                ) {
                    Ok(x) => x,
                    Err(r) => return Err(Failure { rejection: r, key }),
                };
                let record = IssueRecord {
                    who,
                    transaction_id: &transaction_id,
                    kind,
                    signed: &signed,
                    approval: &approval,
                    request_der: body,
                    awaiting: awaiting.as_ref(),
                    new_transaction: true,
                    now,
                };
                self.commit_issue(incoming, &record, bytes, key).await
            }
        }
    }

    /// Records an issuance durably, then updates the hot state; the response `bytes` are
    /// returned only after the commit. A failed write is answered by the error it maps to.
    async fn commit_issue(
        &self,
        incoming: &Authenticated,
        record: &IssueRecord<'_>,
        bytes: Vec<u8>,
        key: Key,
    ) -> Outcome {
        let ops = match self.issue_ops(record) {
            Ok(o) => o,
            Err(r) => return Err(Failure { rejection: r, key }),
        };
        let who = record.who;
        match self.store.write(ops).await {
            Ok(()) => {
                self.after_issue(record);
                tracing::info!(
                    kind = record.kind,
                    requester = %who.label(),
                    serial = %record.serial(),
                    "certificate issued"
                );
                Ok(bytes)
            }
            Err(e) => {
                if let Who::Registered { reference, .. } = who {
                    self.hot.forget_registration(reference);
                }
                Err(write_failure(incoming, &e, key))
            }
        }
    }

    /// Updates the hot state after an issuance was committed.
    fn after_issue(&self, record: &IssueRecord<'_>) {
        let IssueRecord {
            who,
            transaction_id,
            awaiting,
            now,
            ..
        } = *record;
        if let Who::Registered { reference, .. } = who {
            if awaiting.is_some() {
                // The certConf still authenticates with the consumed reference.
                self.hot.consumed(reference, transaction_id, i64s(now));
            } else {
                self.hot.forget_registration(reference);
            }
        }
        if let Some(a) = awaiting {
            self.hot.put_awaiting(
                transaction_id.to_vec(),
                super::AwaitingEntry {
                    requester: who.label(),
                    serial: record.serial(),
                    our_nonce: a.our_nonce.clone(),
                    cert_req_id: a.cert_req_id,
                    deadline: i64s(a.deadline),
                    certificate: a.certificate.clone(),
                    replaces: record.replaces(),
                },
            );
        }
    }

    /// Refuses an enrollment in an ip/cp/kup with status rejection (policy and POP refusals;
    /// nothing is written).
    fn refuse(
        &self,
        incoming: &Authenticated,
        key: Key,
        cert_req_id: i64,
        rejection: &Rejection,
        now: u64,
    ) -> Outcome {
        tracing::info!(bit = ?rejection.bit, text = %rejection.text, "enrollment refused");
        let responder = self.responder(&key, false, now).map_err(|r| Failure {
            rejection: r,
            key: Key::Signature,
        })?;
        responder
            .refused(incoming, cert_req_id, rejection)
            .map_err(|r| Failure { rejection: r, key })
    }

    fn own_transaction(
        incoming: &Authenticated,
        row: Option<TxRow>,
        who: &Who,
        states: &[TxState],
    ) -> Result<TxRow, Rejection> {
        let row = row.ok_or_else(|| {
            incoming.reject(PkiFailureBit::BadRequest, "no such open transaction")
        })?;
        if row.requester != who.label() {
            return Err(incoming.reject(
                PkiFailureBit::NotAuthorized,
                "the transaction belongs to another requester",
            ));
        }
        if !states.contains(&row.state) {
            let bit = if row.state == TxState::Confirmed {
                PkiFailureBit::CertConfirmed
            } else {
                PkiFailureBit::BadRequest
            };
            return Err(incoming.reject(bit, format!("transaction is {}", row.state)));
        }
        Ok(row)
    }

    /// The certificate awaiting confirmation in this transaction: from the hot state, or
    /// from the database (after a restart).
    async fn awaiting_entry(
        &self,
        incoming: &Authenticated,
        who: &Who,
    ) -> Result<super::AwaitingEntry, Rejection> {
        let transaction_id = tid(incoming);
        let entry = match self.hot.awaiting(&transaction_id) {
            Some(e) => e,
            None => {
                let row = self
                    .store
                    .transaction(&transaction_id)
                    .await
                    .map_err(|_| system("storage"))?;
                let row = Self::own_transaction(incoming, row, who, &[TxState::AwaitingConfirm])?;
                let serial = row.serial.clone().unwrap_or_default();
                let cert = self
                    .store
                    .certificate(&serial)
                    .await
                    .map_err(|_| system("storage"))?
                    .ok_or_else(|| system("certificate of the transaction missing"))?;
                super::AwaitingEntry {
                    requester: row.requester,
                    serial,
                    our_nonce: row.our_nonce.unwrap_or_default(),
                    cert_req_id: row.cert_req_id.unwrap_or(0),
                    deadline: row.deadline.unwrap_or(0),
                    certificate: cert.der,
                    replaces: cert.replaces,
                }
            }
        };
        if entry.requester != who.label() {
            return Err(incoming.reject(
                PkiFailureBit::NotAuthorized,
                "the transaction belongs to another requester",
            ));
        }
        Ok(entry)
    }

    pub(super) async fn cert_conf(
        &self,
        incoming: &Authenticated,
        who: &Who,
        key: Key,
        now: u64,
    ) -> Outcome {
        let transaction_id = tid(incoming);
        let entry = match self.awaiting_entry(incoming, who).await {
            Ok(e) => e,
            Err(rejection) => return Err(Failure { rejection, key }),
        };
        let serial = entry.serial.clone();
        let awaiting = AwaitingConfirm {
            transaction_id: transaction_id.clone(),
            our_nonce: entry.our_nonce.clone(),
            certificate: entry.certificate.clone(),
            cert_req_id: entry.cert_req_id,
            deadline: u64::try_from(entry.deadline).unwrap_or(0),
            // The server offers signature POP only (`Authenticated::enrollment`, no encryption provider), so certificates
            // never go out encrypted.
            indirect_pop: false,
        };
        let responder = self.responder(&key, false, now).map_err(|r| Failure {
            rejection: r,
            key: Key::Signature,
        })?;
        let (bytes, outcome) = match responder.confirm(incoming, awaiting) {
            Ok(x) => x,
            Err(e) => {
                return Err(Failure {
                    rejection: e.rejection,
                    key,
                });
            }
        };
        let now_i = i64s(now);
        let mut ops = Vec::new();
        match outcome {
            ConfirmOutcome::Accepted => {
                ops.push(Op::UpdateTransaction {
                    transaction_id: transaction_id.clone(),
                    from: &[TxState::AwaitingConfirm],
                    to: TxState::Confirmed,
                    our_nonce: None,
                    deadline: None,
                    serial: None,
                    now: now_i,
                });
                ops.push(Op::SetCertificateStatus {
                    serial: serial.clone(),
                    from: &[CertStatus::Unconfirmed],
                    to: CertStatus::Valid,
                    revoked_at: None,
                    reason: None,
                    must: true,
                });
                ops.push(crate::audit::op(
                    now_i,
                    who.actor(),
                    crate::audit::action::CERTIFICATE_CONFIRMED,
                    Some(serial.clone()),
                    &serde_json::json!({"transaction": hex::encode(&transaction_id)}),
                ));
                if let Some(old) = entry.replaces.clone() {
                    ops.extend(supersede(old, now_i, who.actor()));
                }
            }
            ConfirmOutcome::Rejected => {
                ops.push(Op::UpdateTransaction {
                    transaction_id: transaction_id.clone(),
                    from: &[TxState::AwaitingConfirm],
                    to: TxState::Rejected,
                    our_nonce: None,
                    deadline: None,
                    serial: None,
                    now: now_i,
                });
                ops.push(Op::SetCertificateStatus {
                    serial: serial.clone(),
                    from: &[CertStatus::Unconfirmed],
                    to: CertStatus::Revoked,
                    revoked_at: Some(now_i),
                    reason: Some(REASON_CESSATION),
                    must: true,
                });
                ops.push(crate::audit::revoked(
                    now_i,
                    who.actor(),
                    &serial,
                    REASON_CESSATION,
                    "the subscriber rejected it in its certConf",
                ));
            }
        }
        let result = self.store.write(ops).await;
        // Confirmed, rejected or refused by a concurrent change: the entry is spent either way,
        // and so is the transaction's reference number.
        self.hot.forget_awaiting(&transaction_id);
        if let Who::Registered { reference, .. } = who {
            self.hot.forget_registration(reference);
        }
        match result {
            Ok(()) => {
                tracing::info!(%serial, ?outcome, "certConf");
                Ok(bytes)
            }
            Err(e) => Err(write_failure(incoming, &e, key)),
        }
    }

    /// The pending state of a stored enrollment, as the enrollment stored it; the nonce is the
    /// row's, which each poll's answer updates.
    fn pending_of(row: &TxRow) -> Result<Pending, Rejection> {
        let der = row.state_der.as_deref().ok_or_else(|| {
            system("pending enrollment stored by a Signet before schema version 3: enrol again")
        })?;
        let mut pending = Pending::from_stored(der).map_err(|e| system(&e.to_string()))?;
        if pending.transaction_id != row.transaction_id {
            return Err(system(
                "stored pending state belongs to another transaction",
            ));
        }
        pending.our_nonce = row.our_nonce.clone().unwrap_or_default();
        Ok(pending)
    }

    pub(super) async fn poll(
        &self,
        incoming: &Authenticated,
        who: &Who,
        key: Key,
        now: u64,
    ) -> Outcome {
        let transaction_id = tid(incoming);
        let row = match self.store.transaction(&transaction_id).await {
            Ok(r) => r,
            Err(_) => {
                return Err(Failure {
                    rejection: system("storage"),
                    key,
                });
            }
        };
        let row = match Self::own_transaction(
            incoming,
            row,
            who,
            &[TxState::Pending, TxState::Approved, TxState::Refused],
        ) {
            Ok(r) => r,
            Err(rejection) => return Err(Failure { rejection, key }),
        };
        let pending = match Self::pending_of(&row) {
            Ok(p) => p,
            Err(rejection) => return Err(Failure { rejection, key }),
        };
        let now_i = i64s(now);
        let profile = row.profile.clone().unwrap_or_default();
        let check_after = match self.pki.policy.profile(&profile).map(|p| p.approval) {
            Some(ApprovalMode::Manual {
                check_after_seconds,
            }) => check_after_seconds,
            _ => 1,
        };
        match row.state {
            TxState::Approved => {
                let kind = kind_str(&row.kind);
                let request_der = row.request_der.clone().unwrap_or_default();
                let now_dt = now_dt().map_err(|_| Failure {
                    rejection: system("clock"),
                    key: Key::Signature,
                })?;
                let decision = self.pki.policy.decide(
                    &who.requester(),
                    &pending.enrollment.request,
                    operation_of_kind(kind),
                    Some(&profile),
                    now_dt,
                    Some(self.issuing_not_after()),
                );
                let approval = match decision {
                    Decision::Approve(a) | Decision::Pend { approval: a, .. } => a,
                    Decision::Reject(r) => {
                        let rejection = incoming.reject(r.bit, r.text);
                        return self
                            .poll_refused(
                                incoming,
                                pending,
                                rejection,
                                key,
                                now,
                                &[TxState::Approved],
                            )
                            .await;
                    }
                };
                let signed =
                    match self.sign_approved(incoming, &approval, &pending.enrollment.request) {
                        Ok(c) => c,
                        Err(r) => {
                            return self
                                .poll_refused(incoming, pending, r, key, now, &[TxState::Approved])
                                .await;
                        }
                    };
                let responder = self
                    .responder(&key, approval.grant_implicit_confirm, now)
                    .map_err(|r| Failure {
                        rejection: r,
                        key: Key::Signature,
                    })?;
                let root = core::slice::from_ref(&self.pki.root);
                let decision = PollDecision::Issued {
                    certificate: &signed.certificate,
                    ca_pubs: root,
                };
                let awaiting = match responder.poll(incoming, pending, decision) {
                    Ok((bytes, AfterPoll::Issued(awaiting))) => (bytes, awaiting),
                    Ok(_) => return Err(Failure::sig(system("unexpected poll outcome"))),
                    Err(e) => {
                        return Err(Failure {
                            rejection: e.rejection,
                            key,
                        });
                    }
                };
                let (bytes, awaiting) = awaiting;
                let record = IssueRecord {
                    who,
                    transaction_id: &transaction_id,
                    kind,
                    signed: &signed,
                    approval: &approval,
                    request_der: &request_der,
                    awaiting: awaiting.as_ref(),
                    new_transaction: false,
                    now,
                };
                self.commit_issue(incoming, &record, bytes, key).await
            }
            TxState::Refused => {
                let rejection =
                    incoming.reject(PkiFailureBit::NotAuthorized, "refused by the operator");
                self.poll_refused(incoming, pending, rejection, key, now, &[TxState::Refused])
                    .await
            }
            _ => {
                let responder = self.responder(&key, false, now).map_err(|r| Failure {
                    rejection: r,
                    key: Key::Signature,
                })?;
                match responder.poll(incoming, pending, PollDecision::Undecided { check_after }) {
                    Ok((bytes, AfterPoll::Pending(p))) => {
                        let op = Op::UpdateTransaction {
                            transaction_id,
                            from: &[TxState::Pending],
                            to: TxState::Pending,
                            our_nonce: Some(p.our_nonce),
                            deadline: None,
                            serial: None,
                            now: now_i,
                        };
                        match self.store.write(vec![op]).await {
                            Ok(()) => Ok(bytes),
                            Err(e) => Err(write_failure(incoming, &e, key)),
                        }
                    }
                    Ok(_) => Err(Failure::sig(system("unexpected poll outcome"))),
                    Err(e) => Err(Failure {
                        rejection: e.rejection,
                        key,
                    }),
                }
            }
        }
    }

    async fn poll_refused(
        &self,
        incoming: &Authenticated,
        pending: Pending,
        rejection: Rejection,
        key: Key,
        now: u64,
        from: &'static [TxState],
    ) -> Outcome {
        let responder = self.responder(&key, false, now).map_err(|r| Failure {
            rejection: r,
            key: Key::Signature,
        })?;
        let bytes = match responder.poll(incoming, pending, PollDecision::Refused(rejection)) {
            Ok((bytes, _)) => bytes,
            Err(e) => {
                return Err(Failure {
                    rejection: e.rejection,
                    key,
                });
            }
        };
        let op = Op::UpdateTransaction {
            transaction_id: tid(incoming),
            from,
            to: TxState::Rejected,
            our_nonce: None,
            deadline: None,
            serial: None,
            now: i64s(now),
        };
        match self.store.write(vec![op]).await {
            Ok(()) => Ok(bytes),
            Err(e) => Err(write_failure(incoming, &e, key)),
        }
    }
}

fn kind_str(kind: &str) -> &'static str {
    match kind {
        "ir" => "ir",
        "kur" => "kur",
        "p10cr" => "p10cr",
        _ => "cr",
    }
}

fn operation_of_kind(kind: &str) -> Operation {
    match kind {
        "ir" => Operation::Initial,
        "kur" => Operation::KeyUpdate,
        _ => Operation::Certification,
    }
}

/// Revokes the certificate a confirmed key update replaced (no-op if it is already revoked),
/// with its audit record by `actor`.
fn supersede(old: String, now: i64, actor: String) -> [Op; 2] {
    [
        crate::audit::revoked(
            now,
            actor,
            &old,
            REASON_SUPERSEDED,
            "superseded by a key update",
        ),
        Op::SetCertificateStatus {
            serial: old,
            from: &[CertStatus::Valid, CertStatus::Unconfirmed],
            to: CertStatus::Revoked,
            revoked_at: Some(now),
            reason: Some(REASON_SUPERSEDED),
            must: false,
        },
    ]
}
