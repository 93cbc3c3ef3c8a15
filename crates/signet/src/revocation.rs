//! CRLs and OCSP responses for what the CA issued, signed by `ca-signer` ahead of the requests
//! and answered from memory ([`Published`]), never one database scan and one signature per
//! unauthenticated request.
//!
//! - **OCSP** (RFC 5019 style): a request for one certificate is answered with a response
//!   signed once and kept for [`OCSP_REFRESH_SECS`] (valid [`NEXT_UPDATE_SECS`]). Its nonce,
//!   if any, is ignored (RFC 8954 §2.1 lets a responder do so; echoing it would mean a
//!   signature per request). A request for several certificates (at most
//!   [`MAX_OCSP_REQUESTS`]) is signed afresh, nonce echoed. A serial this CA never issued,
//!   or another issuer's, is `unauthorized` — unsigned, as Boulder answers what it has no
//!   status for — so made-up serials cost a point lookup, not a signature. A certificate
//!   whose certConf has not come is answered as policy says and not kept (it changes soon).
//! - **CRLs**: the issuing CA's is re-signed when something is revoked and after
//!   [`CRL_REFRESH_SECS`]; its CRL numbers come from the database's `crl_number` counter, so
//!   they increase strictly across every node. The root's is a file signed offline
//!   (`signet ca sign-root-crl`): `serve` holds no root key.
//! - **Freshness.** A revocation committed by this process drops what it makes stale before
//!   its caller hears of it (the store's revoked hook), and a response signed from a status
//!   read before that drop is not kept. Revocations by other nodes or by `signet ca revoke`
//!   are seen by [`publish`], which asks the store every [`POLL_SECS`] how many certificates
//!   are revoked and which were revoked lately: within a second, then, on every node.

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

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use bytes::Bytes;

use crate::cmp::Ca;
use crate::pki::now_secs;
use crate::store::{CertStatus, Counter, Op};

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

/// Signs the current CRL of the issuing CA, numbered from the shared counter.
async fn sign_crl_now(ca: &Ca, now: u64) -> Result<SignedCrl> {
    let number = ca
        .store
        .draw(Counter::CrlNumber, i64::try_from(now)?)
        .await
        .map_err(|e| anyhow!("drawing the CRL number: {e}"))?;
    let number = u64::try_from(number)?;
    let mut request = CrlRequest::new(number, dt(now)?, dt(now + NEXT_UPDATE_SECS)?);
    for row in ca.store.revoked(i64::try_from(now)?).await? {
        request.revoked.push(RevokedEntry {
            serial: serial_number(&row.serial)?,
            revocation_date: dt(u64::try_from(row.revoked_at.unwrap_or(0))?)?,
            reason: row.revocation_reason.and_then(crl_reason),
        });
    }
    let entries = request.revoked.len();
    let list = prepare_crl(&request, &ca.pki.issuer, &CrlProfile::subscriber())
        .map_err(|e| anyhow!("{e}"))
        .and_then(|l| Ok(sign_crl(l, &*ca.pki.issuing_key)?))?;
    // A use of the issuing CA's key, in the audit log before the CRL is served.
    ca.store
        .write(vec![crate::audit::op(
            i64::try_from(now)?,
            "ca:issuing",
            crate::audit::action::CRL_SIGNED,
            Some(format!("crl:{number}")),
            &serde_json::json!({"number": number, "entries": entries, "this_update": now}),
        )])
        .await
        .map_err(|e| anyhow!("the audit record of CRL {number}: {e}"))?;
    Ok(SignedCrl {
        der: Bytes::from(list.to_der()?),
        this_update: now,
    })
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
    let cert = sign(tbs, &*ca.pki.issuing_key)?;
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

/// Most `Request`s in one OCSP request (RFC 5019 clients send one; more is malformedRequest).
pub(crate) const MAX_OCSP_REQUESTS: usize = 16;
/// Seconds a kept OCSP response is served before it is signed again (it stays valid for
/// [`NEXT_UPDATE_SECS`], so a cache downstream never holds an expired one).
pub(crate) const OCSP_REFRESH_SECS: u64 = 3600;
/// Seconds the issuing CA's CRL is served before it is signed again when nothing changed.
pub(crate) const CRL_REFRESH_SECS: u64 = 3600;
/// Seconds between [`publish`]'s questions to the store.
pub(crate) const POLL_SECS: u64 = 1;
/// Most certificates with a kept OCSP response; one more empties the cache first (an entry is
/// about 1 KB, so this bounds it to some 64 MB; a miss only costs one signature).
pub(crate) const OCSP_CACHE_CAPACITY: usize = 65_536;
/// How far back [`publish`] asks for revocations (seconds): clocks of nodes may differ.
const RECENT_REVOCATIONS_SECS: u64 = 600;

/// A CRL as signed.
#[derive(Clone)]
pub(crate) struct SignedCrl {
    pub(crate) der: Bytes,
    this_update: u64,
}

/// An OCSP response as served: the DER, and what a cache downstream may do with it.
pub(crate) struct OcspAnswer {
    /// The DER `OCSPResponse`.
    pub(crate) der: Bytes,
    /// For a successful response without a nonce: when produced, its nextUpdate, its ETag.
    pub(crate) cacheable: Option<Cacheable>,
}

/// RFC 5019 §6.2 caching facts of a successful response.
#[derive(Clone)]
pub(crate) struct Cacheable {
    /// `producedAt` (Unix seconds).
    pub(crate) produced: u64,
    /// `nextUpdate` (Unix seconds).
    pub(crate) next_update: u64,
    /// The quoted hex SHA-1 of the response (RFC 5019 §6.2's suggested entity tag).
    pub(crate) etag: String,
}

impl Cacheable {
    /// The facts of `der`, a response produced at `now` (its `thisUpdate` and `producedAt`)
    /// and valid for [`NEXT_UPDATE_SECS`].
    fn of(der: &[u8], now: u64) -> Self {
        Self {
            produced: now,
            next_update: now + NEXT_UPDATE_SECS,
            etag: etag(der),
        }
    }
}

/// A kept response for one CertID of a certificate.
struct Kept {
    /// DER of the CertID it answers (its hash algorithm and issuer hashes included).
    cert_id: Vec<u8>,
    der: Bytes,
    cacheable: Cacheable,
}

/// What the responder and the CRL endpoints serve from memory (see the module docs).
pub(crate) struct Published {
    /// Kept responses by serial (upper-case hex, as stored), one per CertID asked for.
    ocsp: std::sync::RwLock<HashMap<String, Vec<Arc<Kept>>>>,
    /// Bumped by every invalidation (under the `ocsp` write lock): a response signed from a
    /// status read before a bump is served but not kept.
    epoch: AtomicU64,
    /// The issuing CA's CRL as last signed.
    crl: std::sync::RwLock<Option<SignedCrl>>,
    /// Set when something was revoked since the issuing CA's CRL was signed.
    crl_stale: AtomicBool,
    /// One CRL signing at a time (the others wait for its result).
    signing: tokio::sync::Mutex<()>,
    /// The revoked count [`publish`] last saw, if it looked yet.
    seen_revoked: std::sync::Mutex<Option<i64>>,
    /// The `unauthorized` response (unsigned, always the same bytes).
    unauthorized: Bytes,
}

impl Published {
    pub(crate) fn new() -> Self {
        Self {
            ocsp: std::sync::RwLock::new(HashMap::new()),
            epoch: AtomicU64::new(0),
            crl: std::sync::RwLock::new(None),
            crl_stale: AtomicBool::new(false),
            signing: tokio::sync::Mutex::new(()),
            seen_revoked: std::sync::Mutex::new(None),
            unauthorized: error_der(OcspResponseStatus::Unauthorized),
        }
    }

    /// Drops what `serials` being revoked makes stale: their kept responses, the CRL.
    pub(crate) fn revoked(&self, serials: &[String]) {
        self.crl_stale.store(true, Ordering::SeqCst);
        let mut map = self.ocsp.write().unwrap_or_else(|e| e.into_inner());
        self.epoch.fetch_add(1, Ordering::SeqCst);
        for s in serials {
            map.remove(s);
        }
    }

    /// Drops every kept response (a revocation was seen whose serial is not known).
    fn forget_all(&self) {
        self.crl_stale.store(true, Ordering::SeqCst);
        let mut map = self.ocsp.write().unwrap_or_else(|e| e.into_inner());
        self.epoch.fetch_add(1, Ordering::SeqCst);
        map.clear();
    }

    /// Drops kept responses older than [`OCSP_REFRESH_SECS`] (they would be re-signed anyway).
    fn forget_older(&self, now: u64) {
        let mut map = self.ocsp.write().unwrap_or_else(|e| e.into_inner());
        map.retain(|_, kept| {
            kept.retain(|k| fresh(&k.cacheable, now));
            !kept.is_empty()
        });
    }

    fn kept(&self, serial: &str, cert_id: &[u8], now: u64) -> Option<Arc<Kept>> {
        let map = self.ocsp.read().unwrap_or_else(|e| e.into_inner());
        map.get(serial)?
            .iter()
            .find(|k| k.cert_id == cert_id && fresh(&k.cacheable, now))
            .cloned()
    }

    /// Keeps `kept` unless an invalidation came since `epoch` was read.
    fn keep(&self, serial: String, kept: Arc<Kept>, epoch: u64) {
        let mut map = self.ocsp.write().unwrap_or_else(|e| e.into_inner());
        if self.epoch.load(Ordering::SeqCst) != epoch {
            return;
        }
        if map.len() >= OCSP_CACHE_CAPACITY && !map.contains_key(&serial) {
            map.clear();
        }
        let entry = map.entry(serial).or_default();
        entry.retain(|k| k.cert_id != kept.cert_id);
        entry.push(kept);
    }

    /// Looks at the store's revocation marks (see [`publish`]).
    async fn poll(&self, ca: &Ca, now: u64) -> Result<()> {
        let since = i64::try_from(now.saturating_sub(RECENT_REVOCATIONS_SECS))?;
        let (count, recent) = ca.store.revocation_marks(since).await?;
        let before = {
            let mut seen = self.seen_revoked.lock().unwrap_or_else(|e| e.into_inner());
            seen.replace(count)
        };
        match before {
            Some(before) if count != before => {
                let new = usize::try_from(count.saturating_sub(before)).unwrap_or(usize::MAX);
                if new > recent.len() {
                    // Revoked with a time far from ours: which serial is not known.
                    self.forget_all();
                } else {
                    self.revoked(&recent);
                }
                tracing::info!(revoked = count, "revocations seen; CRL and OCSP refreshed");
            }
            _ => {}
        }
        Ok(())
    }

    /// The issuing CA's current CRL, signed now if the kept one is stale.
    pub(crate) async fn crl(&self, ca: &Ca) -> Result<Bytes> {
        let current = |now: u64| {
            let crl = self.crl.read().unwrap_or_else(|e| e.into_inner());
            crl.as_ref().and_then(|c| {
                let stale = self.crl_stale.load(Ordering::SeqCst);
                (!stale && now < c.this_update.saturating_add(CRL_REFRESH_SECS))
                    .then(|| c.der.clone())
            })
        };
        if let Some(der) = current(now_secs()) {
            return Ok(der);
        }
        let _one = self.signing.lock().await;
        // Another task may have signed it meanwhile.
        if let Some(der) = current(now_secs()) {
            return Ok(der);
        }
        // Cleared before reading the revoked rows: a revocation from here on marks it again.
        self.crl_stale.store(false, Ordering::SeqCst);
        let signed = sign_crl_now(ca, now_secs())
            .await
            .inspect_err(|_| self.crl_stale.store(true, Ordering::SeqCst))?;
        let der = signed.der.clone();
        *self.crl.write().unwrap_or_else(|e| e.into_inner()) = Some(signed);
        Ok(der)
    }

    /// Answers an OCSP request (always a DER `OCSPResponse`, errors included).
    pub(crate) async fn ocsp(&self, ca: &Ca, body: &[u8]) -> OcspAnswer {
        match self.ocsp_inner(ca, body).await {
            Ok(answer) => answer,
            Err(OcspResponseStatus::Unauthorized) => OcspAnswer {
                der: self.unauthorized.clone(),
                cacheable: None,
            },
            Err(status) => OcspAnswer {
                der: error_der(status),
                cacheable: None,
            },
        }
    }

    async fn ocsp_inner(&self, ca: &Ca, body: &[u8]) -> Result<OcspAnswer, OcspResponseStatus> {
        let request =
            OcspRequest::from_der_strict(body).map_err(|_| OcspResponseStatus::MalformedRequest)?;
        let list = &request.tbs_request.request_list;
        if list.is_empty() || list.len() > MAX_OCSP_REQUESTS {
            return Err(OcspResponseStatus::MalformedRequest);
        }
        let now = now_secs();
        if let [one] = list.as_slice() {
            let id = &one.req_cert;
            let id_der = id
                .to_der()
                .map_err(|_| OcspResponseStatus::MalformedRequest)?;
            let serial = crate::pki::serial_hex(id.serial_number.as_bytes());
            if let Some(kept) = self.kept(&serial, &id_der, now) {
                return Ok(OcspAnswer {
                    der: kept.der.clone(),
                    cacheable: Some(kept.cacheable.clone()),
                });
            }
            let epoch = self.epoch.load(Ordering::SeqCst);
            let (status, keep) = match status_of(ca, id).await? {
                Known::Ours(status, keep) => (status, keep),
                Known::NotOurs => return Err(OcspResponseStatus::Unauthorized),
            };
            let der = sign_responses(ca, vec![single(id, status, now)?], None, now).await?;
            let cacheable = Cacheable::of(&der, now);
            if keep {
                self.keep(
                    serial,
                    Arc::new(Kept {
                        cert_id: id_der,
                        der: der.clone(),
                        cacheable: cacheable.clone(),
                    }),
                    epoch,
                );
            }
            return Ok(OcspAnswer {
                der,
                cacheable: Some(cacheable),
            });
        }
        let nonce = request
            .nonce()
            .map_err(|_| OcspResponseStatus::MalformedRequest)?;
        let mut responses = Vec::with_capacity(list.len());
        for r in list {
            let status = match status_of(ca, &r.req_cert).await? {
                Known::Ours(status, _) => status,
                Known::NotOurs => CertificateStatus::Unknown,
            };
            responses.push(single(&r.req_cert, status, now)?);
        }
        let cacheable = nonce.is_none();
        let der = sign_responses(ca, responses, nonce, now).await?;
        Ok(OcspAnswer {
            cacheable: cacheable.then(|| Cacheable::of(&der, now)),
            der,
        })
    }
}

/// The root's CRL: the file an operator signed where the root key is
/// (`signet ca sign-root-crl`), read as it is now.
pub(crate) async fn root_crl(ca: &Ca) -> Result<Bytes> {
    match tokio::fs::read(&ca.pki.root_crl).await {
        Ok(der) => Ok(Bytes::from(der)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Err(anyhow!(
            "{} is missing: sign the root's CRL with `signet ca sign-root-crl` where the \
             root key is, and copy it here",
            ca.pki.root_crl.display()
        )),
        Err(e) => Err(anyhow!("reading {}: {e}", ca.pki.root_crl.display())),
    }
}

/// Whether a kept response may still be served at `now`.
fn fresh(c: &Cacheable, now: u64) -> bool {
    now < c.produced.saturating_add(OCSP_REFRESH_SECS) && now < c.next_update
}

fn etag(der: &[u8]) -> String {
    use sha1::Digest as _;
    format!("\"{}\"", hex::encode(sha1::Sha1::digest(der)))
}

fn error_der(status: OcspResponseStatus) -> Bytes {
    Bytes::from(
        error_response(status)
            .ok()
            .and_then(|r| r.to_der().ok())
            .unwrap_or_default(),
    )
}

/// What this CA knows of a CertID.
enum Known {
    /// Issued by this CA: its status, and whether a response may be kept (not while the
    /// certificate waits for its certConf).
    Ours(CertificateStatus, bool),
    /// Another issuer's, or a serial this CA never issued.
    NotOurs,
}

async fn status_of(
    ca: &Ca,
    id: &signet_asn1_types::ocsp::CertId,
) -> Result<Known, OcspResponseStatus> {
    let hash = DigestAlgorithm::from_oid(id.hash_algorithm.oid)
        .map_err(|_| OcspResponseStatus::MalformedRequest)?;
    let ours = cert_id(&ca.pki.issuer, &id.serial_number, hash)
        .map_err(|_| OcspResponseStatus::InternalError)?;
    if ours.issuer_name_hash != id.issuer_name_hash || ours.issuer_key_hash != id.issuer_key_hash {
        return Ok(Known::NotOurs);
    }
    let serial = crate::pki::serial_hex(id.serial_number.as_bytes());
    Ok(match ca.store.certificate(&serial).await {
        Ok(Some(row)) if row.status == CertStatus::Revoked => Known::Ours(
            CertificateStatus::Revoked {
                time: dt(u64::try_from(row.revoked_at.unwrap_or(0)).unwrap_or(0))
                    .map_err(|_| OcspResponseStatus::InternalError)?,
                reason: row.revocation_reason.and_then(crl_reason),
            },
            true,
        ),
        Ok(Some(row)) if row.status == CertStatus::Unconfirmed => Known::Ours(
            match ca.pki.policy.revocation.unconfirmed_ocsp_status {
                UnconfirmedOcspStatus::Unknown => CertificateStatus::Unknown,
                UnconfirmedOcspStatus::Good => CertificateStatus::Good,
            },
            false,
        ),
        Ok(Some(_)) => Known::Ours(CertificateStatus::Good, true),
        Ok(None) => Known::NotOurs,
        Err(_) => return Err(OcspResponseStatus::TryLater),
    })
}

fn single(
    id: &signet_asn1_types::ocsp::CertId,
    status: CertificateStatus,
    now: u64,
) -> Result<SingleStatus, OcspResponseStatus> {
    Ok(SingleStatus {
        cert_id: id.clone(),
        status,
        this_update: dt(now).map_err(|_| OcspResponseStatus::InternalError)?,
        next_update: Some(
            dt(now + NEXT_UPDATE_SECS).map_err(|_| OcspResponseStatus::InternalError)?,
        ),
    })
}

/// Signs `responses` with the delegated responder (made or renewed first if needed).
async fn sign_responses(
    ca: &Ca,
    responses: Vec<SingleStatus>,
    nonce: Option<signet_asn1_types::ocsp::OcspNonce>,
    now: u64,
) -> Result<Bytes, OcspResponseStatus> {
    let req = OcspResponseRequest {
        produced_at: dt(now).map_err(|_| OcspResponseStatus::InternalError)?,
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
    resp.to_der()
        .map(Bytes::from)
        .map_err(|_| OcspResponseStatus::InternalError)
}

/// The publisher: every [`POLL_SECS`], sees revocations made elsewhere (other nodes, operator
/// commands), re-signs the CRL when it went stale, and drops kept responses past refresh.
pub(crate) async fn publish(ca: Arc<Ca>) {
    let mut tick = tokio::time::interval(std::time::Duration::from_secs(POLL_SECS));
    let mut last_purge = now_secs();
    loop {
        tick.tick().await;
        let now = now_secs();
        if let Err(e) = ca.published.poll(&ca, now).await {
            tracing::warn!(error = %e, "looking for revocations failed");
        }
        if ca.published.crl_stale.load(Ordering::SeqCst)
            && let Err(e) = ca.published.crl(&ca).await
        {
            tracing::warn!(error = %e, "re-signing the CRL failed");
        }
        if now.saturating_sub(last_purge) >= 60 {
            ca.published.forget_older(now);
            last_purge = now;
        }
    }
}
