//! Proof of possession for encryption and key-agreement keys, server side (RFC 9810
//! §5.2.8.3, RFC 9483 §4.1.6 notes):
//! - **indirect** ([`Pop::EncryptedCertificate`]): [`Responder::issued_encrypted`] (or
//!   [`Responder::poll_encrypted`] after a pending decision) returns the certificate encrypted
//!   to the requested key — CMS EnvelopedData for pvno 3 requests, the deprecated
//!   EncryptedValue for pvno 2 (RSA keys; what OpenSSL 3.0 decrypts) — and the certConf's
//!   certHash is the proof: [`super::AwaitingConfirm::indirect_pop`] makes a wrong certHash
//!   `badPOP`, implicit confirmation is never granted, and the certificate must not be
//!   published before an accepting certConf;
//! - **direct** ([`Pop::Challenge`]): [`Responder::challenge`] sends a popdecc whose
//!   `encryptedRand` only the key holder can open; [`Responder::challenge_response`] checks the
//!   popdecr and returns the enrollment with [`Pop::ChallengeAnswered`], to be issued with
//!   [`Responder::issued`] in answer to the popdecr.

use signet_asn1_types::cmp::{CertOrEncCert, PkiBody, PkiFailureBit, PkiStatus, pvno};
use signet_asn1_types::crmf::EncryptedKey;
use signet_asn1_types::der::Encode;
use signet_asn1_types::der::asn1::{Int, OctetString};
use signet_asn1_types::x509_cert::Certificate;
use signet_crmf::Pop;
use signet_crmf::envelope::{self, Recipient, Sealer};

use super::{
    AfterPoll, Authenticated, AwaitingConfirm, Decision, Enrollment, Pending, PollError, Rejection,
    Responder, StateError,
};

/// An enrollment whose requester was sent a popdecc challenge and must answer with popdecr.
#[derive(Clone, PartialEq, Eq)]
pub struct Challenged {
    /// The transaction.
    pub transaction_id: Vec<u8>,
    /// The senderNonce of the popdecc; the popdecr's recipNonce must equal it.
    pub our_nonce: Vec<u8>,
    /// The enrollment being proven.
    pub enrollment: Enrollment,
    /// After this time (seconds since the epoch) the challenge is void.
    pub deadline: u64,
    /// The `Rand.int` the requester must return (kept secret; never printed).
    expected: Int,
}

impl core::fmt::Debug for Challenged {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Challenged")
            .field("transaction_id", &self.transaction_id)
            .field("enrollment", &self.enrollment)
            .field("deadline", &self.deadline)
            .finish_non_exhaustive()
    }
}

/// Why a popdecr was not accepted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChallengeFailure {
    /// The message does not belong to this challenge (transaction, nonce, body): answer the
    /// rejection; the challenge stays open (the state is handed back).
    NotOurs(Box<StateError<Challenged>>),
    /// The answer is wrong or late: proof of possession failed (`badPOP`, or `badTime`) and
    /// the transaction is over.
    Failed(Rejection),
}

impl Responder<'_> {
    /// The certificate as it goes into the response: in clear, or under indirect POP encrypted
    /// to the requested key.
    pub(super) fn cert_or_enc(
        &self,
        incoming: &Authenticated,
        enrollment: &Enrollment,
        certificate: &Certificate,
        sealer: Option<&Sealer<'_>>,
    ) -> Result<CertOrEncCert, Rejection> {
        match enrollment.pop {
            Pop::EncryptedCertificate => {}
            Pop::Challenge => {
                return Err(incoming.reject(
                    PkiFailureBit::SystemFailure,
                    "proof of possession pending: challenge the requester first",
                ));
            }
            _ => return Ok(CertOrEncCert::Certificate(certificate.clone())),
        }
        let Some(sealer) = sealer else {
            return Err(incoming.reject(
                PkiFailureBit::SystemFailure,
                "indirect proof of possession: the certificate must be encrypted",
            ));
        };
        let fail = |e: signet_crmf::Error| incoming.reject(e.failure_bit(), e.to_string());
        let cert_der = certificate
            .to_der()
            .map_err(|_| incoming.reject(PkiFailureBit::SystemFailure, "certificate encoding"))?;
        let spki =
            enrollment.request.public_key.to_der().map_err(|_| {
                incoming.reject(PkiFailureBit::SystemFailure, "public key encoding")
            })?;
        let key = if enrollment.pvno >= pvno::CMP2021 {
            let tbs = certificate.tbs_certificate();
            let recipient = Recipient {
                issuer: tbs.issuer().clone(),
                serial_number: tbs.serial_number().clone(),
            };
            EncryptedKey::EnvelopedData(
                envelope::seal(&cert_der, &spki, &recipient, sealer).map_err(fail)?,
            )
        } else {
            EncryptedKey::EncryptedValue(
                envelope::seal_encrypted_value(&cert_der, &spki, sealer).map_err(fail)?,
            )
        };
        Ok(CertOrEncCert::EncryptedCert(key))
    }

    /// [`Responder::issued`] for any enrollment, encrypting the certificate to the requested
    /// key when its POP is [`Pop::EncryptedCertificate`].
    pub fn issued_encrypted(
        &self,
        incoming: &Authenticated,
        enrollment: &Enrollment,
        certificate: &Certificate,
        ca_pubs: &[Certificate],
        status: PkiStatus,
        sealer: &Sealer<'_>,
    ) -> Result<(Vec<u8>, Option<AwaitingConfirm>), Rejection> {
        self.issue(
            incoming,
            enrollment,
            certificate,
            ca_pubs,
            status,
            Some(sealer),
        )
    }

    /// [`Responder::poll`] for any pending enrollment, encrypting the certificate when its POP
    /// is [`Pop::EncryptedCertificate`].
    pub fn poll_encrypted(
        &self,
        incoming: &Authenticated,
        pending: Pending,
        decision: Decision<'_>,
        sealer: &Sealer<'_>,
    ) -> Result<(Vec<u8>, AfterPoll), Box<PollError>> {
        self.poll_with(incoming, pending, decision, Some(sealer))
    }

    /// Sends the direct POP challenge (popdecc, RFC 9810 §5.2.8.3.3) for an enrollment with
    /// [`Pop::Challenge`]: one `Challenge` whose `encryptedRand` carries a fresh integer and
    /// our name.
    pub fn challenge(
        &self,
        incoming: &Authenticated,
        enrollment: &Enrollment,
        sealer: &Sealer<'_>,
    ) -> Result<(Vec<u8>, Challenged), Rejection> {
        if enrollment.pop != Pop::Challenge {
            return Err(incoming.reject(
                PkiFailureBit::SystemFailure,
                "no challenge-response POP was requested",
            ));
        }
        let spki =
            enrollment.request.public_key.to_der().map_err(|_| {
                incoming.reject(PkiFailureBit::SystemFailure, "public key encoding")
            })?;
        let (challenge, expected) = envelope::challenge(
            &self.config.name,
            &spki,
            enrollment.request.cert_req_id,
            sealer,
        )
        .map_err(|e| incoming.reject(e.failure_bit(), e.to_string()))?;
        let nonce = self.nonce()?;
        let header = self.header_for(Some(incoming.header()), &nonce, false)?;
        let bytes = self.finish(header, PkiBody::Popdecc(vec![challenge]))?;
        Ok((
            bytes,
            Challenged {
                transaction_id: incoming.transaction_id().to_vec(),
                our_nonce: nonce,
                enrollment: enrollment.clone(),
                deadline: self.now.saturating_add(self.config.confirm_wait.as_secs()),
                expected,
            },
        ))
    }

    /// Checks the popdecr answering a [`Challenged`] enrollment. On success the enrollment
    /// comes back with [`Pop::ChallengeAnswered`]: issue it with [`Responder::issued`] in
    /// answer to this `incoming` popdecr.
    pub fn challenge_response(
        &self,
        incoming: &Authenticated,
        challenged: Challenged,
    ) -> Result<Enrollment, ChallengeFailure> {
        let not_ours = |bit, text: &str, state: Challenged| {
            Err(ChallengeFailure::NotOurs(Box::new(StateError {
                rejection: incoming.reject(bit, text),
                state,
            })))
        };
        let PkiBody::Popdecr(answers) = incoming.body() else {
            return not_ours(PkiFailureBit::BadRequest, "expected popdecr", challenged);
        };
        if incoming.transaction_id() != challenged.transaction_id {
            return not_ours(
                PkiFailureBit::BadRequest,
                "transactionID does not match",
                challenged,
            );
        }
        if incoming
            .header()
            .recip_nonce
            .as_ref()
            .map(OctetString::as_bytes)
            != Some(challenged.our_nonce.as_slice())
        {
            return not_ours(
                PkiFailureBit::BadRecipientNonce,
                "recipNonce does not match our senderNonce",
                challenged,
            );
        }
        if self.now > challenged.deadline {
            return Err(ChallengeFailure::Failed(
                incoming.reject(PkiFailureBit::BadTime, "challenge expired"),
            ));
        }
        // Compared as the encoded INTEGER, in constant time.
        let ok = match answers.as_slice() {
            [answer] => match (answer.to_der(), challenged.expected.to_der()) {
                (Ok(a), Ok(e)) => {
                    a.len() == e.len()
                        && a.iter().zip(&e).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
                }
                _ => false,
            },
            _ => false,
        };
        if !ok {
            return Err(ChallengeFailure::Failed(incoming.reject(
                PkiFailureBit::BadPop,
                "challenge answered wrongly: possession not proven",
            )));
        }
        Ok(Enrollment {
            pop: Pop::ChallengeAnswered,
            ..challenged.enrollment
        })
    }
}
