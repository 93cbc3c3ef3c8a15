//! Revocation (rr → rp) and general messages (genm → genp: caCerts, rootCaKeyUpdate,
//! certReqTemplate, CRL update, signKeyPairTypes; other types listed in unsupportedOIDs).

use signet_asn1_types::cmp::{PkiBody, PkiFailureBit, PkiStatus, PkiStatusInfo, RevDetails};
use signet_asn1_types::const_oid::{AssociatedOid, ObjectIdentifier};
use signet_asn1_types::crmf::CertTemplate;
use signet_asn1_types::crypto::SignatureAlgorithm;
use signet_asn1_types::der::asn1::OctetString;
use signet_asn1_types::der::{Decode, Encode};
use signet_asn1_types::x509_cert::Certificate;
use signet_asn1_types::x509_cert::ext::Extension;
use signet_asn1_types::x509_cert::ext::pkix::{ExtendedKeyUsage, KeyUsage};
use signet_cmp_protocol::general::{self, Answer, GeneralRequest, KeySpec};
use signet_cmp_protocol::server::{Authenticated, Rejection, status_info};
use signet_ra_policy::{RevocationTarget, dn};

use super::enroll::write_failure;
use super::{Ca, Failure, Key, Outcome, Who, system, tid};
use crate::pki::serial_hex;
use crate::store::{CertStatus, Op, TxState};

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
        incoming: &Authenticated,
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
        if row.status == CertStatus::Revoked {
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
            from: &[CertStatus::Valid, CertStatus::Unconfirmed],
            to: CertStatus::Revoked,
            revoked_at: Some(now),
            reason: Some(i64::from(reason.unwrap_or(0))),
            must: true,
        })
    }

    pub(super) async fn revoke(
        &self,
        incoming: &Authenticated,
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
                    if let Op::SetCertificateStatus {
                        serial,
                        reason: Some(reason),
                        ..
                    } = &op
                    {
                        ops.push(crate::audit::revoked(
                            now_i,
                            who.actor(),
                            serial,
                            *reason,
                            "revocation request (rr)",
                        ));
                    }
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
                state: TxState::Done,
                requester: who.label(),
                serial: None,
                our_nonce: None,
                cert_req_id: None,
                deadline: None,
                request_der: None,
                profile: None,
                state_der: None,
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
        incoming: &Authenticated,
        who: &Who,
        key: Key,
        now: u64,
    ) -> Outcome {
        let PkiBody::Genm(itavs) = incoming.body() else {
            return Err(Failure::sig(system("not a genm")));
        };
        let requests = match general::requests(itavs) {
            Ok(r) => r,
            Err(e) => {
                return Err(Failure {
                    rejection: incoming.reject(e.failure_bit(), e.to_string()),
                    key,
                });
            }
        };
        let mut answers = Vec::new();
        for request in &requests {
            answers.push(match request {
                GeneralRequest::CaCerts => {
                    Answer::CaCerts(vec![self.pki.issuing.clone(), self.pki.root.clone()])
                }
                // No root CA key update is available (RFC 9483 §4.3.2: value absent).
                GeneralRequest::RootCaKeyUpdate { .. } => Answer::RootCaKeyUpdate(None),
                GeneralRequest::CertReqTemplate => {
                    Answer::CertReqTemplate(self.template().map_err(Failure::sig)?)
                }
                GeneralRequest::CrlUpdate(_) => {
                    let der = self
                        .published
                        .crl(self)
                        .await
                        .map_err(|_| Failure::sig(system("CRL")))?;
                    let crl = signet_asn1_types::x509_cert::crl::CertificateList::from_der(&der)
                        .map_err(|_| Failure::sig(system("CRL")))?;
                    Answer::Crls(vec![crl])
                }
                GeneralRequest::SignKeyPairTypes => Answer::SignKeyPairTypes(
                    [
                        SignatureAlgorithm::EcdsaP256Sha256Asn1,
                        SignatureAlgorithm::EcdsaP384Sha384Asn1,
                        SignatureAlgorithm::EcdsaP521Sha512Asn1,
                        SignatureAlgorithm::Ed25519,
                        SignatureAlgorithm::RsaPkcs1Sha256,
                        SignatureAlgorithm::RsaPssSha256,
                    ]
                    .iter()
                    .filter_map(|a| a.to_algorithm_identifier().ok())
                    .collect(),
                ),
                // Anything else is listed in unsupportedOIDs (RFC 9810 §5.3.19.7).
                other => Answer::unsupported(other),
            });
        }
        let out = general::genp(answers).map_err(|_| Failure::sig(system("genp encoding")))?;
        let op = Op::InsertTransaction {
            transaction_id: tid(incoming),
            kind: "genm",
            state: TxState::Done,
            requester: who.label(),
            serial: None,
            our_nonce: None,
            cert_req_id: None,
            deadline: None,
            request_der: None,
            profile: None,
            state_der: None,
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

    /// The certReqTemplate of the default profile (RFC 9483 §4.3.3): its key usage and EKU as
    /// the signer profile writes them, and the key types it certifies.
    fn template(&self) -> Result<Option<(CertTemplate, Vec<KeySpec>)>, Rejection> {
        let policy = &self.pki.policy;
        let Some(p) = policy.profile(&policy.default_profile) else {
            return Ok(None);
        };
        let Some(profile) = crate::pki::signer_profile(&p.signer_profile) else {
            return Ok(None);
        };
        let enc = |_| system("template encoding");
        let mut extensions = vec![Extension {
            extn_id: KeyUsage::OID,
            critical: profile.key_usage.critical,
            extn_value: OctetString::new(
                KeyUsage(profile.key_usage_flags()).to_der().map_err(enc)?,
            )
            .map_err(enc)?,
        }];
        if let Some(eku) = &profile.extended_key_usage {
            extensions.push(Extension {
                extn_id: ExtendedKeyUsage::OID,
                critical: eku.critical,
                extn_value: OctetString::new(
                    ExtendedKeyUsage(eku.purposes.clone())
                        .to_der()
                        .map_err(enc)?,
                )
                .map_err(enc)?,
            });
        }
        let template = CertTemplate {
            extensions: Some(extensions),
            ..CertTemplate::default()
        };
        let specs = vec![
            KeySpec::ec(ObjectIdentifier::new_unwrap("1.2.840.10045.3.1.7")),
            KeySpec::ec(ObjectIdentifier::new_unwrap("1.3.132.0.34")),
            KeySpec::ec(ObjectIdentifier::new_unwrap("1.3.132.0.35")),
            KeySpec::ed25519(),
            KeySpec::RsaBits(2048),
        ];
        Ok(Some((template, specs)))
    }
}
