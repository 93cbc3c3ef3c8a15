//! The CMP endpoint: DER request in, DER response out, with every decision delegated —
//! protocol to `cmp-protocol`, policy to `ra-policy`, certificates to `ca-signer` — and every
//! state change written durably (`store`) before the response is returned.
//!
//! Authentication (who sent this?):
//! - MAC protection: the senderKID is a reference number from `signet ra register`; its sealed
//!   code is opened and the MAC checked. Errors are MAC-protected with that code when there is
//!   one, unprotected when the reference number is unknown.
//! - Signature protection: the first extraCerts certificate signed the request. A certificate
//!   this CA issued (byte-identical to the stored one, `valid`, unexpired) makes a subscriber;
//!   one issued by a manufacturer CA on the automatic-registration trust list makes a device.
//!   Anything else is `signerNotTrusted`. Responses are signed by the CMP-protection key.

mod enroll;
mod other;

pub(crate) use enroll::REASON_CESSATION;

use anyhow::Result;
use signet_asn1_types::cmp::{PkiBody, PkiFailureBit};
use signet_asn1_types::crypto::SecureRandom;
use signet_asn1_types::der::{DateTime, Encode};
use signet_asn1_types::strict::Limits;
use signet_asn1_types::x509_cert::Certificate;
use signet_asn1_types::x509_cert::ext::pkix::name::GeneralName;
use signet_asn1_types::x509_cert::name::Name;
use signet_cmp_protocol::protection::{
    MacKey, MacKeyCache, ProtectionKind, ProtectionPolicy, pbm_algorithm,
};
use signet_cmp_protocol::server::{
    Authenticated, Credential, Received, Rejection, Responder, ResponseKey, ServerConfig, receive,
};
use signet_crypto::{SystemRng, Verifier};
use signet_ra_policy::{Requester, dn};
use zeroize::Zeroizing;

use crate::pki::{Pki, now_secs, serial_hex};
use crate::store::{CertStatus, Store};

/// Iteration count of the PasswordBasedMac on responses (OpenSSL's; the codes are 192-bit
/// random, so the count adds nothing against guessing).
const RESPONSE_PBM_ITERATIONS: u32 = 500;

/// Server-side CMP settings.
#[derive(Debug, Clone, Copy)]
pub(crate) struct CmpSettings {
    /// `confirmWaitTime`: how long an issued certificate waits for its certConf.
    pub(crate) confirm_wait: std::time::Duration,
    /// How long a pending (manual approval) enrollment stays open.
    pub(crate) pending_wait: std::time::Duration,
}

/// The RA/CA.
pub(crate) struct Ca {
    pub(crate) pki: Pki,
    pub(crate) store: Store,
    cfg_grant: ServerConfig,
    cfg_plain: ServerConfig,
    pub(crate) settings: CmpSettings,
    rng: SystemRng,
    verifier: Verifier,
    issuing_not_after: DateTime,
    /// Chain sent in every response's extraCerts: issuing CA, root.
    chain: Vec<Certificate>,
    /// The delegated OCSP responder, made when first needed.
    pub(crate) ocsp_signer: tokio::sync::Mutex<Option<crate::revocation::OcspSigner>>,
    /// CRLs and OCSP responses served from memory (told of this process's revocations by
    /// the store).
    pub(crate) published: std::sync::Arc<crate::revocation::Published>,
    /// Hot state in front of the database (which stays authoritative).
    pub(crate) hot: Hot,
    /// MAC keys of verified requests, so the rest of their transaction derives none.
    mac_keys: MacKeyCache,
    /// Authentication attempts not yet in the audit log (flushed by the sweep).
    pub(crate) attempts: crate::audit::Attempts,
}

/// Most derived MAC keys remembered (about 200 bytes each).
const MAC_KEY_CAPACITY: usize = 10_000;

/// Most entries a hot map holds before it is emptied (bounds memory to a few MB; a miss only
/// costs a read). Entries leave when their transaction ends, so the maps hold about the
/// transactions in flight.
const HOT_CAPACITY: usize = 10_000;

/// An issued certificate waiting for its certConf, as the enrollment wrote it.
#[derive(Debug, Clone)]
pub(crate) struct AwaitingEntry {
    pub(crate) requester: String,
    pub(crate) serial: String,
    pub(crate) our_nonce: Vec<u8>,
    pub(crate) cert_req_id: i64,
    pub(crate) deadline: i64,
    pub(crate) certificate: Vec<u8>,
    pub(crate) replaces: Option<String>,
}

/// Caches of what the hot path reads: registrations by reference number and certificates
/// awaiting confirmation by transactionID. Every decision that must be exact is enforced by
/// the write (a consumed code, a confirmed transaction), so a stale entry can only make a
/// request fail later, never succeed wrongly.
#[derive(Default)]
pub(crate) struct Hot {
    registrations:
        std::sync::Mutex<std::collections::HashMap<String, crate::store::RegistrationRow>>,
    awaiting: std::sync::Mutex<std::collections::HashMap<Vec<u8>, AwaitingEntry>>,
}

impl Hot {
    fn put<K: std::hash::Hash + Eq, V>(
        map: &std::sync::Mutex<std::collections::HashMap<K, V>>,
        k: K,
        v: V,
    ) {
        if let Ok(mut m) = map.lock() {
            if m.len() >= HOT_CAPACITY {
                m.clear();
            }
            m.insert(k, v);
        }
    }

    pub(crate) fn registration(&self, reference: &str) -> Option<crate::store::RegistrationRow> {
        self.registrations.lock().ok()?.get(reference).cloned()
    }

    pub(crate) fn put_registration(&self, row: crate::store::RegistrationRow) {
        Self::put(&self.registrations, row.reference.clone(), row);
    }

    /// Records that `reference` was consumed by `transaction_id` (after the commit).
    pub(crate) fn consumed(&self, reference: &str, transaction_id: &[u8], now: i64) {
        if let Ok(mut m) = self.registrations.lock()
            && let Some(r) = m.get_mut(reference)
        {
            r.consumed_at = Some(now);
            r.consumed_by = Some(transaction_id.to_vec());
        }
    }

    /// Drops a registration: its transaction ended (or its write failed), so the next request
    /// naming it — a retransmission, a replay — reads the database.
    pub(crate) fn forget_registration(&self, reference: &str) {
        if let Ok(mut m) = self.registrations.lock() {
            m.remove(reference);
        }
    }

    pub(crate) fn put_awaiting(&self, transaction_id: Vec<u8>, entry: AwaitingEntry) {
        Self::put(&self.awaiting, transaction_id, entry);
    }

    pub(crate) fn awaiting(&self, transaction_id: &[u8]) -> Option<AwaitingEntry> {
        self.awaiting.lock().ok()?.get(transaction_id).cloned()
    }

    pub(crate) fn forget_awaiting(&self, transaction_id: &[u8]) {
        if let Ok(mut m) = self.awaiting.lock() {
            m.remove(transaction_id);
        }
    }
}

/// How a requester label ([`Who::label`]) names a reference number: `ref:<reference>`.
pub(crate) const REGISTERED_LABEL: &str = "ref:";

/// Who sent a request, after authentication.
pub(crate) enum Who {
    Registered {
        reference: String,
        subject: Name,
        /// The subject alternative names registered with it.
        subject_alt_names: Vec<GeneralName>,
        profile: String,
    },
    Device {
        cert: Box<Certificate>,
    },
    Subscriber {
        cert: Box<Certificate>,
        serial: String,
        profile: String,
        revoked: bool,
    },
}

impl Who {
    pub(crate) fn requester(&self) -> Requester<'_> {
        match self {
            Self::Registered {
                reference,
                subject,
                subject_alt_names,
                profile,
            } => Requester::Registered {
                reference,
                subject,
                subject_alt_names,
                profile,
            },
            Self::Device { cert } => Requester::Device { certificate: cert },
            Self::Subscriber { cert, profile, .. } => Requester::Subscriber {
                certificate: cert,
                profile,
            },
        }
    }

    /// The requester as recorded in the database.
    /// The requester as the audit log names it: `cmp:<label>`.
    pub(crate) fn actor(&self) -> String {
        format!("cmp:{}", self.label())
    }

    /// The kind of credential, for counting successful authentications.
    pub(crate) const fn kind_label(&self) -> &'static str {
        match self {
            Self::Registered { .. } => "cmp:ref:*",
            Self::Device { .. } => "cmp:device:*",
            Self::Subscriber { .. } => "cmp:cert:*",
        }
    }

    pub(crate) fn label(&self) -> String {
        match self {
            Self::Registered { reference, .. } => format!("{REGISTERED_LABEL}{reference}"),
            Self::Device { cert } => format!(
                "device:{}@{}",
                serial_hex(cert.tbs_certificate().serial_number().as_bytes()),
                dn::to_openssl(cert.tbs_certificate().issuer())
            ),
            Self::Subscriber { serial, .. } => format!("cert:{serial}"),
        }
    }
}

/// The key a response is protected with.
pub(crate) enum Key {
    /// The registration's secret, before (or without) a verified request: responses get fresh
    /// PasswordBasedMac parameters.
    Mac(Zeroizing<Vec<u8>>),
    /// The key the request was verified with: responses keep the request's parameters
    /// (RFC 9810 §5.1.3.1) and cost no derivation.
    Derived(Box<MacKey>),
    Signature,
    None,
}

/// A refused request and how to protect the refusal.
pub(crate) struct Failure {
    pub(crate) rejection: Rejection,
    pub(crate) key: Key,
}

impl Failure {
    pub(crate) fn sig(rejection: Rejection) -> Self {
        Self {
            rejection,
            key: Key::Signature,
        }
    }
}

pub(crate) type Outcome = Result<Vec<u8>, Failure>;

/// An authenticated request, who sent it, and the key its answers are protected with.
type Authentication = (Authenticated, Who, Key);

/// The CMP settings of the server: `name` its CMP identity, `recipients` the CAs it answers
/// for (a client that knows its issuer addresses the request to it: OpenSSL does for kur and
/// rr).
fn server_config(
    name: GeneralName,
    recipients: Vec<GeneralName>,
    protection: ProtectionPolicy,
    grant: bool,
) -> ServerConfig {
    ServerConfig {
        name,
        recipients,
        limits: Limits::default(),
        protection,
        max_clock_skew: std::time::Duration::from_secs(300),
        confirm_wait: std::time::Duration::from_secs(300),
        grant_implicit_confirm: grant,
    }
}

impl Ca {
    pub(crate) fn new(pki: Pki, store: Store, settings: CmpSettings) -> Self {
        let name = GeneralName::DirectoryName(pki.cmp_cert.tbs_certificate().subject().clone());
        let recipients = vec![GeneralName::DirectoryName(
            pki.issuing.tbs_certificate().subject().clone(),
        )];
        // The MAC iteration bounds are the CP/CPS's (`registration.administrative`).
        let admin = &pki.policy.registration.administrative;
        let defaults = ProtectionPolicy::default();
        let protection = ProtectionPolicy {
            pbm_iterations: *defaults.pbm_iterations.start()..=admin.max_pbm_iterations,
            pbkdf2_iterations: *defaults.pbkdf2_iterations.start()..=admin.max_pbkdf2_iterations,
            ..defaults
        };
        let mut cfg_grant =
            server_config(name.clone(), recipients.clone(), protection.clone(), true);
        let mut cfg_plain = server_config(name, recipients, protection, false);
        cfg_grant.confirm_wait = settings.confirm_wait;
        cfg_plain.confirm_wait = settings.confirm_wait;
        let issuing_not_after = pki
            .issuing
            .tbs_certificate()
            .validity()
            .not_after
            .to_date_time();
        let chain = vec![pki.issuing.clone(), pki.root.clone()];
        let published = std::sync::Arc::new(crate::revocation::Published::new());
        let hook = published.clone();
        store.on_revoked(Box::new(move |serials| hook.revoked(serials)));
        Self {
            pki,
            store,
            cfg_grant,
            cfg_plain,
            settings,
            rng: SystemRng::new(),
            verifier: Verifier,
            issuing_not_after,
            chain,
            ocsp_signer: tokio::sync::Mutex::new(None),
            published,
            hot: Hot::default(),
            mac_keys: MacKeyCache::new(MAC_KEY_CAPACITY),
            attempts: crate::audit::Attempts::default(),
        }
    }

    /// Records in the audit log that `serve` starts on `listen` with the policy in force
    /// (its SHA-256) and which keys sign.
    pub(crate) async fn record_start(&self, listen: &str) -> Result<()> {
        let policy = self.pki.policy.to_toml()?;
        let digest = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, policy.as_bytes());
        let at = i64::try_from(now_secs())?;
        let entry = crate::audit::op(
            at,
            "signet",
            crate::audit::action::SERVER_STARTED,
            None,
            &serde_json::json!({
                "listen": listen,
                "version": env!("CARGO_PKG_VERSION"),
                "policy_sha256": hex::encode(digest.as_ref()),
                "issuing_ca": serial_hex(
                    self.pki.issuing.tbs_certificate().serial_number().as_bytes()
                ),
                "root_key_loaded": false,
            }),
        );
        self.store
            .write(vec![entry])
            .await
            .map_err(|e| anyhow::anyhow!("recording the start in the audit log: {e}"))
    }

    /// Starts what runs beside the requests: the expiry sweep and the revocation publisher.
    pub(crate) fn start_background(self: &std::sync::Arc<Self>) {
        tokio::spawn(crate::sweep::run(self.clone()));
        tokio::spawn(crate::revocation::publish(self.clone()));
    }

    pub(crate) fn verifier(&self) -> &Verifier {
        &self.verifier
    }

    pub(crate) fn issuing_not_after(&self) -> DateTime {
        self.issuing_not_after
    }

    /// A responder protecting with `key`; `grant` allows implicit confirmation.
    pub(crate) fn responder<'a>(
        &'a self,
        key: &'a Key,
        grant: bool,
        now: u64,
    ) -> Result<Responder<'a>, Rejection> {
        let key = match key {
            Key::Mac(secret) => {
                let mut salt = [0u8; 16];
                self.rng
                    .fill(&mut salt)
                    .map_err(|_| system("random source failed"))?;
                ResponseKey::Mac {
                    secret,
                    algorithm: pbm_algorithm(&salt, RESPONSE_PBM_ITERATIONS)
                        .map_err(|_| system("PBM parameters"))?,
                }
            }
            Key::Derived(k) => ResponseKey::MacKey(k),
            Key::Signature | Key::None => ResponseKey::Signature {
                signer: &*self.pki.cmp_key,
                key_id: self.pki.cmp_key_id.clone(),
                certs: vec![self.pki.cmp_cert.clone()],
            },
        };
        Ok(Responder {
            config: if grant {
                &self.cfg_grant
            } else {
                &self.cfg_plain
            },
            key,
            rng: &self.rng,
            now,
            extra_certs: &self.chain,
        })
    }

    /// Handles one request; never fails (a failure is a CMP error message). `None` only when
    /// not even an error could be encoded.
    pub(crate) async fn handle(&self, body: &[u8], path_profile: Option<&str>) -> Option<Vec<u8>> {
        let now = now_secs();
        match self.dispatch(body, path_profile, now).await {
            Ok(bytes) => Some(bytes),
            Err(f) => {
                tracing::info!(
                    bit = ?f.rejection.bit,
                    text = %f.rejection.text,
                    "request refused"
                );
                let responder = self.responder(&f.key, false, now).ok()?;
                match f.key {
                    Key::None => responder.unprotected_error(&f.rejection).ok(),
                    _ => responder
                        .error(&f.rejection)
                        .or_else(|_| responder.unprotected_error(&f.rejection))
                        .ok(),
                }
            }
        }
    }

    async fn dispatch(&self, body: &[u8], path_profile: Option<&str>, now: u64) -> Outcome {
        let received = receive(body, &self.cfg_plain, now).map_err(Failure::sig)?;
        let claimed = claimed_sender(&received);
        let authenticated = self.authenticate(received, now).await;
        let at = i64::try_from(now).unwrap_or(i64::MAX);
        match &authenticated {
            // Successes are counted per kind of credential: who each one was is in the record
            // of what it did (an issuance, a confirmation, a revocation names its requester).
            Ok((_, who, _)) => self.attempts.record(at, who.kind_label(), None),
            Err(f) => self.attempts.record(at, &claimed, Some(&f.rejection.text)),
        }
        let (incoming, who, key) = authenticated?;
        let fail = |rejection: Rejection, key: Key| Err(Failure { rejection, key });
        if let Who::Subscriber { revoked: true, .. } = who
            && !matches!(incoming.body(), PkiBody::Rr(_))
        {
            return fail(
                incoming.reject(
                    PkiFailureBit::SignerNotTrusted,
                    "signer certificate is revoked",
                ),
                key,
            );
        }
        match incoming.body() {
            PkiBody::Ir(_) | PkiBody::Cr(_) | PkiBody::Kur(_) | PkiBody::P10cr(_) => {
                self.enroll(&incoming, body, &who, key, path_profile, now)
                    .await
            }
            PkiBody::CertConf(_) => self.cert_conf(&incoming, &who, key, now).await,
            PkiBody::PollReq(_) => self.poll(&incoming, &who, key, now).await,
            PkiBody::Rr(_) => self.revoke(&incoming, &who, key, now).await,
            PkiBody::Genm(_) => self.general(&incoming, &who, key, now).await,
            other => {
                let text = format!("{} is not a request this server accepts", other.name());
                fail(incoming.reject(PkiFailureBit::BadRequest, text), key)
            }
        }
    }

    /// Finds the request's credential and authenticates it (`Received::authenticate` checks
    /// recipient, sender and protection): only an authenticated request goes further.
    async fn authenticate(&self, received: Received, now: u64) -> Result<Authentication, Failure> {
        let kind = received.protection().map_err(Failure::sig)?;
        match kind {
            ProtectionKind::Signature(_) => self.authenticate_signature(received, now).await,
            _ => self.authenticate_mac(received, now).await,
        }
    }

    async fn authenticate_mac(
        &self,
        received: Received,
        now: u64,
    ) -> Result<Authentication, Failure> {
        // No secret is known for an unknown reference number: the message cannot be checked
        // (RFC 9483 §3.5: badMessageCheck), and the error cannot be MAC-protected.
        let unknown = |text: &str| Failure {
            rejection: received.reject(PkiFailureBit::BadMessageCheck, text),
            key: Key::None,
        };
        let unusable = |text: &str| Failure {
            rejection: received.reject(PkiFailureBit::NotAuthorized, text),
            key: Key::None,
        };
        let reference = received
            .sender_kid()
            .and_then(|k| core::str::from_utf8(k).ok())
            .ok_or_else(|| Failure {
                rejection: received.reject(
                    PkiFailureBit::BadMessageCheck,
                    "MAC protection without a senderKID (reference number)",
                ),
                key: Key::None,
            })?;
        let row = match self.hot.registration(reference) {
            Some(r) => r,
            None => {
                let r = self
                    .store
                    .registration(reference)
                    .await
                    .map_err(|_| unusable("registration lookup failed"))?
                    .ok_or_else(|| unknown("unknown reference number"))?;
                self.hot.put_registration(r.clone());
                r
            }
        };
        let secret = self
            .pki
            .sealer
            .open(&row.reference, &row.sealed_secret)
            .map_err(|_| unusable("registration unusable"))?;
        let policy = &self.cfg_plain.protection;
        // The key for the request's own parameters (remembered from earlier in its
        // transaction, or derived now); parameters the policy refuses take the one-shot path,
        // which names the problem.
        let derived = received
            .header()
            .protection_alg
            .as_ref()
            .and_then(|alg| self.mac_keys.key(alg, &secret, policy).ok());
        let credential = match &derived {
            Some(k) => Credential::MacKey(k),
            None => Credential::Mac(&secret),
        };
        // Never protected with the registered secret: a MAC over the error would let whoever
        // knows a reference number test guesses of its code offline. Signed with the CMP key
        // instead (RFC 9483 §3.6.4).
        let incoming = received
            .authenticate(credential, &self.cfg_plain, &self.verifier)
            .map_err(Failure::sig)?;
        let key = match derived {
            Some(k) => {
                self.mac_keys.remember(&k);
                Key::Derived(Box::new(k))
            }
            None => Key::Mac(secret),
        };
        let refuse = |text: &str, key| Failure {
            rejection: incoming.reject(PkiFailureBit::NotAuthorized, text),
            key,
        };
        // A consumed reference still protects the rest of the transaction that consumed it.
        match &row.consumed_by {
            Some(tid) if tid.as_slice() != incoming.transaction_id() => {
                return Err(refuse("reference number already used", key));
            }
            Some(_) => {}
            None if i64::try_from(now).unwrap_or(i64::MAX) >= row.expires_at => {
                return Err(refuse("reference number expired", key));
            }
            None => {}
        }
        let Ok(subject) = signet_asn1_types::der::Decode::from_der(&row.subject_der) else {
            return Err(refuse("registration unusable", key));
        };
        let subject_alt_names = match &row.san_der {
            None => Vec::new(),
            Some(der) => match <signet_asn1_types::x509_cert::ext::pkix::SubjectAltName as signet_asn1_types::der::Decode>::from_der(der) {
                Ok(san) => san.0,
                Err(_) => return Err(refuse("registration unusable", key)),
            },
        };
        let who = Who::Registered {
            reference: row.reference,
            subject,
            subject_alt_names,
            profile: row.profile,
        };
        Ok((incoming, who, key))
    }

    async fn authenticate_signature(
        &self,
        received: Received,
        now: u64,
    ) -> Result<Authentication, Failure> {
        let untrusted =
            |text: &str| Failure::sig(received.reject(PkiFailureBit::SignerNotTrusted, text));
        let cert = received
            .extra_certs()
            .first()
            .ok_or_else(|| untrusted("no signer certificate in extraCerts"))?
            .clone();
        let tbs = cert.tbs_certificate();
        let now_dt = crate::pki::now_dt().map_err(|_| untrusted("clock"))?;
        let who = if dn::same_name(tbs.issuer(), self.pki.issuing.tbs_certificate().subject()) {
            let serial = serial_hex(tbs.serial_number().as_bytes());
            let row = self
                .store
                .certificate(&serial)
                .await
                .map_err(|_| untrusted("certificate lookup failed"))?
                .ok_or_else(|| untrusted("signer certificate not issued here"))?;
            if Some(row.der.as_slice()) != cert.to_der().ok().as_deref() {
                return Err(untrusted("signer certificate not issued here"));
            }
            let now_i = i64::try_from(now).unwrap_or(i64::MAX);
            if now_i > row.not_after || now_i < row.not_before {
                return Err(untrusted("signer certificate is not within its validity"));
            }
            if row.status == CertStatus::Unconfirmed {
                return Err(untrusted("signer certificate was never confirmed"));
            }
            Who::Subscriber {
                cert: Box::new(cert.clone()),
                serial,
                profile: row.profile,
                revoked: row.status == CertStatus::Revoked,
            }
        } else if signet_ra_policy::device::check_device_certificate(
            &cert,
            &self.pki.device_anchors,
            now_dt,
            &self.verifier,
        )
        .is_ok()
        {
            Who::Device {
                cert: Box::new(cert.clone()),
            }
        } else {
            return Err(untrusted("signer certificate is not trusted here"));
        };
        let incoming = received
            .authenticate(
                Credential::Signature(&cert),
                &self.cfg_plain,
                &self.verifier,
            )
            .map_err(Failure::sig)?;
        Ok((incoming, who, Key::Signature))
    }
}

/// Who a request claims to be, before it is authenticated (for the audit log's count of
/// attempts): the reference number of a MAC, the first extraCert of a signature.
fn claimed_sender(received: &Received) -> String {
    match received.protection() {
        Ok(ProtectionKind::Signature(_)) => match received.extra_certs().first() {
            Some(c) => format!(
                "claimed:cert:{}",
                serial_hex(c.tbs_certificate().serial_number().as_bytes())
            ),
            None => "claimed:unsigned".into(),
        },
        _ => match received.sender_kid().map(String::from_utf8_lossy) {
            Some(kid) => format!("claimed:{REGISTERED_LABEL}{kid}"),
            None => "claimed:unidentified".into(),
        },
    }
}

pub(crate) fn system(text: &str) -> Rejection {
    Rejection {
        bit: PkiFailureBit::SystemFailure,
        text: text.to_owned(),
        header: None,
    }
}

/// The transactionID as the database stores it.
pub(crate) fn tid(incoming: &Authenticated) -> Vec<u8> {
    incoming.transaction_id().to_vec()
}

#[cfg(test)]
mod tests;
