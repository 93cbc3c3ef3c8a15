//! Revocation (rr → rp) and general messages (genm → genp).

use signet_asn1_types::cmp::{
    InfoTypeAndValue, InfoValue, PkiBody, PkiFailureBit, PkiStatus, PkiStatusInfo, RevDetails,
};
use signet_asn1_types::crypto::SignatureAlgorithm;
use signet_asn1_types::der::Decode;
use signet_asn1_types::seq::NonEmpty;
use signet_asn1_types::x509_cert::Certificate;
use signet_cmp_protocol::server::{Incoming, Rejection, status_info};
use signet_ra_policy::{RevocationTarget, dn};

use super::enroll::write_failure;
use super::{Ca, Failure, Key, Outcome, Who, system, tid};
use crate::pki::serial_hex;
use crate::store::Op;

/// `id-ce-cRLReasons` (RFC 5280 §5.3.1).
const CRL_REASON: &str = "2.5.29.21";

/// The reasonCode of a RevDetails: `ENUMERATED` (tag 10) of one octet.
fn reason_code(d: &RevDetails) -> Result<Option<u8>, &'static str> {
    let Some(exts) = &d.crl_entry_details else {
        return Ok(None);
    };
    for e in exts {
        if e.extn_id.to_string() == CRL_REASON {
            return match e.extn_value.as_bytes() {
                [0x0a, 0x01, code] => Ok(Some(*code)),
                _ => Err("malformed reasonCode"),
            };
        }
    }
    Ok(None)
}

fn accepted() -> PkiStatusInfo {
    PkiStatusInfo {
        status: PkiStatus::Accepted,
        status_string: None,
        fail_info: None,
    }
}

impl Ca {
    async fn revoke_one(
        &self,
        incoming: &Incoming,
        d: &RevDetails,
        who: &Who,
        now: i64,
    ) -> Result<Op, Rejection> {
        let reject = |bit, text: &str| incoming.reject(bit, text);
        let serial = d.cert_details.serial_number.as_ref().ok_or_else(|| {
            reject(
                PkiFailureBit::BadRequest,
                "certDetails without serialNumber",
            )
        })?;
        if let Some(issuer) = &d.cert_details.issuer
            && !dn::same_name(issuer, self.pki.issuing.tbs_certificate().subject())
        {
            return Err(reject(PkiFailureBit::BadCertId, "not issued by this CA"));
        }
        let serial = serial_hex(serial.as_bytes());
        let row = self
            .store
            .certificate(&serial)
            .await
            .map_err(|_| system("storage"))?
            .ok_or_else(|| reject(PkiFailureBit::BadCertId, "certificate not issued here"))?;
        if row.status == "revoked" {
            return Err(reject(
                PkiFailureBit::CertRevoked,
                "certificate already revoked",
            ));
        }
        if let Who::Subscriber {
            revoked: true,
            serial: own,
            ..
        } = who
            && *own != serial
        {
            return Err(reject(
                PkiFailureBit::NotAuthorized,
                "signer certificate is revoked",
            ));
        }
        let reason = reason_code(d).map_err(|t| reject(PkiFailureBit::BadDataFormat, t))?;
        let cert = Certificate::from_der(&row.der).map_err(|_| system("stored certificate"))?;
        let target = RevocationTarget {
            subject: cert.tbs_certificate().subject(),
            profile: &row.profile,
        };
        self.pki
            .policy
            .authorize_revocation(&who.requester(), &target, reason)
            .map_err(|r| reject(r.bit, &r.text))?;
        Ok(Op::SetCertificateStatus {
            serial,
            from: &["valid", "unconfirmed"],
            to: "revoked",
            revoked_at: Some(now),
            reason: Some(i64::from(reason.unwrap_or(0))),
            must: true,
        })
    }

    pub(super) async fn revoke(
        &self,
        incoming: &Incoming,
        who: &Who,
        key: Key,
        now: u64,
    ) -> Outcome {
        let details = match incoming.revocation() {
            Ok(d) => d,
            Err(rejection) => return Err(Failure { rejection, key }),
        };
        let now_i = i64::try_from(now).unwrap_or(i64::MAX);
        let mut statuses = Vec::new();
        let mut ops = Vec::new();
        for d in details {
            match self.revoke_one(incoming, d, who, now_i).await {
                Ok(op) => {
                    ops.push(op);
                    statuses.push(accepted());
                }
                Err(r) => {
                    tracing::info!(bit = ?r.bit, text = %r.text, "revocation refused");
                    statuses.push(status_info(&r));
                }
            }
        }
        if !ops.is_empty() {
            ops.push(Op::InsertTransaction {
                transaction_id: tid(incoming),
                kind: "rr",
                state: "done",
                requester: who.label(),
                serial: None,
                our_nonce: None,
                cert_req_id: None,
                deadline: None,
                request_der: None,
                profile: None,
                now: now_i,
            });
            if let Err(e) = self.store.write(ops).await {
                return Err(write_failure(incoming, &e, key));
            }
        }
        let responder = self.responder(&key, false, now).map_err(Failure::sig)?;
        responder
            .revocation(incoming, statuses)
            .map_err(|r| Failure { rejection: r, key })
    }

    pub(super) async fn general(
        &self,
        incoming: &Incoming,
        who: &Who,
        key: Key,
        now: u64,
    ) -> Outcome {
        let PkiBody::Genm(itavs) = incoming.body() else {
            return Err(Failure::sig(system("not a genm")));
        };
        let mut out = Vec::new();
        for itav in itavs {
            // RFC 9810 §5.3.19: types the server does not support are left out of the genp.
            let value = match itav.typed() {
                Ok(InfoValue::CaCerts(_)) => InfoValue::CaCerts(NonEmpty::new(vec![
                    self.pki.issuing.clone(),
                    self.pki.root.clone(),
                ])),
                // No root CA key update is available (RFC 9483 §4.3.2: value absent).
                Ok(InfoValue::RootCaKeyUpdate(_) | InfoValue::RootCaCert(_)) => {
                    InfoValue::RootCaKeyUpdate(None)
                }
                // No template is offered: the profile decides everything but the subject and
                // key (RFC 9483 §4.3.3: value absent).
                Ok(InfoValue::CertReqTemplate(_)) => InfoValue::CertReqTemplate(None),
                Ok(InfoValue::SignKeyPairTypes(_)) => {
                    let algs = [
                        SignatureAlgorithm::EcdsaP256Sha256Asn1,
                        SignatureAlgorithm::EcdsaP384Sha384Asn1,
                        SignatureAlgorithm::EcdsaP521Sha512Asn1,
                        SignatureAlgorithm::Ed25519,
                        SignatureAlgorithm::RsaPkcs1Sha256,
                        SignatureAlgorithm::RsaPssSha256,
                    ]
                    .iter()
                    .filter_map(|a| a.to_algorithm_identifier().ok())
                    .collect();
                    InfoValue::SignKeyPairTypes(Some(algs))
                }
                _ => continue,
            };
            match InfoTypeAndValue::from_typed(&value) {
                Ok(i) => out.push(i),
                Err(_) => return Err(Failure::sig(system("genp encoding"))),
            }
        }
        let op = Op::InsertTransaction {
            transaction_id: tid(incoming),
            kind: "genm",
            state: "done",
            requester: who.label(),
            serial: None,
            our_nonce: None,
            cert_req_id: None,
            deadline: None,
            request_der: None,
            profile: None,
            now: i64::try_from(now).unwrap_or(i64::MAX),
        };
        if let Err(e) = self.store.write(vec![op]).await {
            return Err(write_failure(incoming, &e, key));
        }
        let responder = self.responder(&key, false, now).map_err(Failure::sig)?;
        responder
            .general(incoming, out)
            .map_err(|r| Failure { rejection: r, key })
    }
}
