//! CRLs and OCSP responses for what the CA issued, signed on request by `ca-signer` from the
//! database's current state (so a revocation shows at once).
//!
//! CRL numbers are the `thisUpdate` second (as Boulder does): monotonic without a counter in
//! the database, as long as the clock is.

use anyhow::{Result, anyhow};
use signet_asn1_types::algorithm::DigestAlgorithm;
use signet_asn1_types::der::{DateTime, Encode};
use signet_asn1_types::ocsp::{OcspRequest, OcspResponseStatus};
use signet_asn1_types::x509_cert::ext::pkix::CrlReason;
use signet_asn1_types::x509_cert::serial_number::SerialNumber;
use signet_ca_signer::crl::{CrlProfile, CrlRequest, RevokedEntry, prepare_crl, sign_crl};
use signet_ca_signer::ocsp::{
    CertificateStatus, OcspProfile, OcspResponseRequest, Responder, SingleStatus, cert_id,
    error_response, prepare_ocsp_response, sign_ocsp_response,
};
use signet_ra_policy::UnconfirmedOcspStatus;

use signet_asn1_types::crypto::{SignatureAlgorithm, Signer};
use signet_asn1_types::der::Decode;
use signet_asn1_types::spki::SubjectPublicKeyInfoOwned;
use signet_asn1_types::x509_cert::Certificate;
use signet_ca_signer::profile::builtin;
use signet_ca_signer::{IssuanceRequest, Serial, prepare, sign};
use signet_crypto::{KeyPairSigner, KeyType, SystemRng, generate_pkcs8};

use crate::cmp::Ca;
use crate::pki::now_secs;
use crate::store::{CertStatus, Op};

/// `nextUpdate` of CRLs and OCSP responses: one day (within CA/B BR's ten days for CRLs and
/// the C2PA OCSP profile).
const NEXT_UPDATE_SECS: u64 = 86_400;

fn dt(secs: u64) -> Result<DateTime> {
    DateTime::from_unix_duration(std::time::Duration::from_secs(secs)).map_err(|e| anyhow!("{e}"))
}

pub(crate) fn crl_reason(code: i64) -> Option<CrlReason> {
    Some(match code {
        1 => CrlReason::KeyCompromise,
        2 => CrlReason::CaCompromise,
        3 => CrlReason::AffiliationChanged,
        4 => CrlReason::Superseded,
        5 => CrlReason::CessationOfOperation,
        6 => CrlReason::CertificateHold,
        9 => CrlReason::PrivilegeWithdrawn,
        10 => CrlReason::AaCompromise,
        // unspecified (0) SHOULD be absent (RFC 5280 §5.3.1).
        _ => return None,
    })
}

fn serial_number(hex_serial: &str) -> Result<SerialNumber> {
    let bytes = hex::decode(hex_serial)?;
    SerialNumber::new(&bytes).map_err(|e| anyhow!("{e}"))
}

/// The current CRL of the issuing CA (or of the root, which lists nothing: the issuing CA is
/// never revoked by the development PKI).
pub(crate) async fn crl(ca: &Ca, root: bool) -> Result<Vec<u8>> {
    let now = now_secs();
    let mut request = CrlRequest::new(now, dt(now)?, dt(now + NEXT_UPDATE_SECS)?);
    let list = if root {
        request = CrlRequest::new(now, dt(now)?, dt(now + 7 * NEXT_UPDATE_SECS)?);
        prepare_crl(&request, &ca.pki.root_issuer, &CrlProfile::ca())
            .map_err(|e| anyhow!("{e}"))
            .and_then(|l| Ok(sign_crl(l, &ca.pki.root_key)?))?
    } else {
        for row in ca.store.revoked(i64::try_from(now)?).await? {
            request.revoked.push(RevokedEntry {
                serial: serial_number(&row.serial)?,
                revocation_date: dt(u64::try_from(row.revoked_at.unwrap_or(0))?)?,
                reason: row.revocation_reason.and_then(crl_reason),
            });
        }
        prepare_crl(&request, &ca.pki.issuer, &CrlProfile::subscriber())
            .map_err(|e| anyhow!("{e}"))
            .and_then(|l| Ok(sign_crl(l, &ca.pki.issuing_key)?))?
    };
    Ok(list.to_der()?)
}

/// The delegated OCSP responder (RFC 6960 §4.2.2.2): the C2PA issuing-CA profile has no
/// digitalSignature, so the CA does not sign responses itself. A responder key and certificate
/// (C2PA OCSP responder profile, `ocsp-nocheck`, short-lived) are made in memory when first
/// needed and again before they expire; each certificate is recorded like any other.
pub(crate) struct OcspSigner {
    cert: Certificate,
    key: KeyPairSigner,
    not_after: u64,
}

/// Lifetime of a responder certificate.
const RESPONDER_DAYS: u64 = 7;

async fn new_responder(ca: &Ca, now: u64) -> Result<OcspSigner> {
    let pkcs8 = generate_pkcs8(KeyType::EcdsaP256)?;
    let key = KeyPairSigner::from_pkcs8(SignatureAlgorithm::EcdsaP256Sha256Asn1, &pkcs8)?;
    let spki = SubjectPublicKeyInfoOwned::from_der(key.public_key_der())?;
    let mut req = IssuanceRequest::new(
        "CN=Signet OCSP Responder,O=Signet Development,C=US"
            .parse()
            .map_err(|e| anyhow!("{e}"))?,
        spki,
    );
    let not_after = now + RESPONDER_DAYS * 86_400;
    req.not_after = Some(dt(not_after)?);
    let serial = Serial::generate(&SystemRng::new())?;
    let tbs = prepare(
        &req,
        &builtin::ocsp_responder(),
        &ca.pki.issuer,
        dt(now)?,
        &serial,
    )
    .map_err(|e| anyhow!("{e}"))?;
    let cert = sign(tbs, &ca.pki.issuing_key)?;
    let now_i = i64::try_from(now)?;
    ca.store
        .write(vec![Op::InsertCertificate {
            serial: crate::pki::serial_hex(cert.tbs_certificate().serial_number().as_bytes()),
            der: cert.to_der()?,
            subject: signet_ra_policy::dn::to_openssl(cert.tbs_certificate().subject()),
            profile: "ocsp-responder".into(),
            not_before: now_i,
            not_after: i64::try_from(not_after)?,
            status: CertStatus::Valid,
            requester: "signet".into(),
            transaction_id: vec![],
            request_der: vec![],
            replaces: None,
            now: now_i,
        }])
        .await
        .map_err(|e| anyhow!("{e}"))?;
    Ok(OcspSigner {
        cert,
        key,
        not_after,
    })
}

/// Answers an OCSP request (always a DER `OCSPResponse`, errors included).
pub(crate) async fn ocsp(ca: &Ca, body: &[u8]) -> Vec<u8> {
    match ocsp_inner(ca, body).await {
        Ok(der) => der,
        Err(status) => error_response(status)
            .ok()
            .and_then(|r| r.to_der().ok())
            .unwrap_or_default(),
    }
}

async fn ocsp_inner(ca: &Ca, body: &[u8]) -> Result<Vec<u8>, OcspResponseStatus> {
    let request =
        OcspRequest::from_der_strict(body).map_err(|_| OcspResponseStatus::MalformedRequest)?;
    let nonce = request
        .nonce()
        .map_err(|_| OcspResponseStatus::MalformedRequest)?;
    let now = now_secs();
    let this_update = dt(now).map_err(|_| OcspResponseStatus::InternalError)?;
    let next_update = dt(now + NEXT_UPDATE_SECS).map_err(|_| OcspResponseStatus::InternalError)?;
    let mut responses = Vec::new();
    for r in &request.tbs_request.request_list {
        let id = &r.req_cert;
        let hash = DigestAlgorithm::from_oid(id.hash_algorithm.oid)
            .map_err(|_| OcspResponseStatus::MalformedRequest)?;
        let ours = cert_id(&ca.pki.issuer, &id.serial_number, hash)
            .map_err(|_| OcspResponseStatus::InternalError)?;
        let status = if ours.issuer_name_hash != id.issuer_name_hash
            || ours.issuer_key_hash != id.issuer_key_hash
        {
            CertificateStatus::Unknown
        } else {
            let serial = crate::pki::serial_hex(id.serial_number.as_bytes());
            match ca.store.certificate(&serial).await {
                Ok(Some(row)) if row.status == CertStatus::Revoked => CertificateStatus::Revoked {
                    time: dt(u64::try_from(row.revoked_at.unwrap_or(0)).unwrap_or(0))
                        .map_err(|_| OcspResponseStatus::InternalError)?,
                    reason: row.revocation_reason.and_then(crl_reason),
                },
                Ok(Some(row)) if row.status == CertStatus::Unconfirmed => {
                    match ca.pki.policy.revocation.unconfirmed_ocsp_status {
                        UnconfirmedOcspStatus::Unknown => CertificateStatus::Unknown,
                        UnconfirmedOcspStatus::Good => CertificateStatus::Good,
                    }
                }
                Ok(Some(_)) => CertificateStatus::Good,
                Ok(None) => CertificateStatus::Unknown,
                Err(_) => return Err(OcspResponseStatus::TryLater),
            }
        };
        responses.push(SingleStatus {
            cert_id: id.clone(),
            status,
            this_update,
            next_update: Some(next_update),
        });
    }
    let req = OcspResponseRequest {
        produced_at: this_update,
        responses,
        nonce,
    };
    let mut slot = ca.ocsp_signer.lock().await;
    let fresh = slot
        .as_ref()
        .is_some_and(|s: &OcspSigner| s.not_after > now + NEXT_UPDATE_SECS);
    if !fresh {
        *slot = Some(new_responder(ca, now).await.map_err(|e| {
            tracing::error!(error = %e, "issuing the OCSP responder certificate failed");
            OcspResponseStatus::InternalError
        })?);
    }
    let signer = slot.as_ref().ok_or(OcspResponseStatus::InternalError)?;
    let responder = Responder::delegated(&ca.pki.issuer, &signer.cert, signer.key.algorithm())
        .map_err(|_| OcspResponseStatus::InternalError)?;
    let linted = prepare_ocsp_response(&req, &responder, &OcspProfile::c2pa()).map_err(|e| {
        tracing::error!(error = %e, "OCSP response refused by its lints");
        OcspResponseStatus::InternalError
    })?;
    let resp =
        sign_ocsp_response(linted, &signer.key).map_err(|_| OcspResponseStatus::InternalError)?;
    resp.to_der().map_err(|_| OcspResponseStatus::InternalError)
}
