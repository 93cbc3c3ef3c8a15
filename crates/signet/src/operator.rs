//! The operator's service (the application layer's `Operator`): register subjects for
//! administrative enrollment, list registrations and pending enrollments, approve or refuse
//! them, list, show and revoke certificates. Typed requests in, typed values or an
//! [`OperatorError`] out: the CLI (`admin`) only parses arguments and formats results, and the
//! REST API calls the same methods. Time comes from a [`Clock`]; storage from the [`Store`].

use base64::Engine as _;
use signet_asn1_types::der::Encode;
use signet_asn1_types::x509_cert::ext::pkix::name::GeneralName;
use signet_ra_policy::{Policy, dn};

use crate::seal::Sealer;
use crate::store::{CertRow, CertStatus, Op, Store, TxState, WriteError};

/// The time, as the application layer sees it.
pub(crate) trait Clock: Send + Sync {
    /// Unix seconds now.
    fn now(&self) -> i64;
}

/// The system clock.
pub(crate) struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> i64 {
        i64::try_from(crate::pki::now_secs()).unwrap_or(i64::MAX)
    }
}

/// Why an operator action did not happen (each names what the operator must fix).
#[derive(Debug, thiserror::Error)]
pub(crate) enum OperatorError {
    /// An argument is not acceptable.
    #[error("{what}: {why}")]
    Invalid {
        /// Which argument.
        what: &'static str,
        /// Why not.
        why: String,
    },
    /// No certificate has this serial.
    #[error("no certificate with serial {0}")]
    NoCertificate(String),
    /// The certificate is revoked already.
    #[error("{0} is already revoked")]
    AlreadyRevoked(String),
    /// No enrollment with this transactionID waits for a decision.
    #[error("no pending enrollment with transaction ID {0}")]
    NoPending(String),
    /// The store failed (or reference numbers could not be allocated).
    #[error("{0}")]
    Store(String),
}

type Result<T> = core::result::Result<T, OperatorError>;

fn invalid(what: &'static str, why: impl Into<String>) -> OperatorError {
    OperatorError::Invalid {
        what,
        why: why.into(),
    }
}

fn store_error(e: impl std::fmt::Display) -> OperatorError {
    OperatorError::Store(format!("{e:#}"))
}

/// Most subject alternative names one registration may carry.
pub(crate) const MAX_REGISTERED_SANS: usize = 100;
/// Longest certificate search text, in characters.
pub(crate) const MAX_SEARCH_CHARS: usize = 256;
/// Longest reason an operator may give for a decision, in characters.
pub(crate) const MAX_REASON_CHARS: usize = 500;
/// Most codes one registration request makes.
pub(crate) const MAX_REGISTRATION_COUNT: u32 = 1_000_000;

/// A registration request: `count` one-time codes for `subject`.
#[derive(Debug, Clone)]
pub(crate) struct RegistrationRequest<'a> {
    /// Subject DN, `/CN=…/O=…` or `CN=…,O=…`.
    pub(crate) subject: &'a str,
    /// Subject alternative names vouched for: `email:…`, `DNS:…`, `URI:…`.
    pub(crate) sans: &'a [String],
    /// Policy profile (default: the policy's default profile).
    pub(crate) profile: Option<&'a str>,
    /// Seconds the codes stay usable (default: the policy's).
    pub(crate) valid_for: Option<u64>,
    /// How many codes.
    pub(crate) count: u32,
}

/// Codes made by [`Operator::register`]: (reference number, secret) pairs. The secrets are
/// shown once and stored only sealed.
pub(crate) struct Registered {
    pub(crate) codes: Vec<(String, zeroize::Zeroizing<String>)>,
    /// The subject as registered (OpenSSL's one-line form).
    pub(crate) subject: String,
    pub(crate) profile: String,
    /// When the codes stop being usable (Unix seconds).
    pub(crate) expires: i64,
}

/// Where a registration stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RegistrationState {
    /// Its code may still enrol.
    Open,
    /// Its code enrolled.
    Used,
    /// Its code expired unused.
    Expired,
}

impl RegistrationState {
    pub(crate) const fn as_str(self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::Used => "used",
            Self::Expired => "expired",
        }
    }
}

/// One registration, its secret left out.
#[derive(Debug, Clone)]
pub(crate) struct Registration {
    pub(crate) reference: String,
    pub(crate) subject: String,
    pub(crate) profile: String,
    pub(crate) state: RegistrationState,
    pub(crate) created: i64,
    pub(crate) expires: i64,
}

/// An enrollment waiting for an operator's decision.
#[derive(Debug, Clone)]
pub(crate) struct Pending {
    pub(crate) transaction: Vec<u8>,
    pub(crate) kind: String,
    pub(crate) requester: String,
    pub(crate) profile: Option<String>,
    pub(crate) created: i64,
}

/// An operator's decision on a pending enrollment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Decision {
    /// Issue at the client's next poll.
    Approve,
    /// Refuse at the client's next poll.
    Refuse,
}

/// An RFC 5280 revocation reason an operator may give (not `removeFromCRL`, which needs
/// delta CRLs).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Reason(i64);

/// The RFC 5280 reason codes and their names.
const REASONS: [(&str, i64); 10] = [
    ("unspecified", 0),
    ("keyCompromise", 1),
    ("cACompromise", 2),
    ("affiliationChanged", 3),
    ("superseded", 4),
    ("cessationOfOperation", 5),
    ("certificateHold", 6),
    ("removeFromCRL", 8),
    ("privilegeWithdrawn", 9),
    ("aACompromise", 10),
];

impl Reason {
    /// `keyCompromise` (1).
    pub(crate) const KEY_COMPROMISE: Self = Self(1);

    /// A reason by name (any case) or number.
    pub(crate) fn parse(s: &str) -> Result<Self> {
        let code = match s.parse::<i64>() {
            Ok(n) => n,
            Err(_) => REASONS
                .iter()
                .find(|(n, _)| n.eq_ignore_ascii_case(s))
                .map(|(_, c)| *c)
                .ok_or_else(|| invalid("reason", format!("unknown revocation reason {s:?}")))?,
        };
        if !matches!(code, 0..=6 | 9 | 10) {
            return Err(invalid(
                "reason",
                format!("revocation reason {code} cannot be used (removeFromCRL needs delta CRLs)"),
            ));
        }
        Ok(Self(code))
    }

    /// The stored code.
    pub(crate) const fn code(self) -> i64 {
        self.0
    }

    /// The RFC 5280 name of a stored code (`unknown` for a code outside the table).
    pub(crate) fn name_of(code: i64) -> &'static str {
        REASONS
            .iter()
            .find(|(_, c)| *c == code)
            .map_or("unknown", |(n, _)| n)
    }
}

/// A serial as operators type it: `serial=` and `0x` prefixes and leading zero octets
/// dropped, upper case (as stored, and as `openssl x509 -serial` prints it).
pub(crate) fn normalise_serial(s: &str) -> String {
    let s = s.trim();
    let s = s.strip_prefix("serial=").unwrap_or(s);
    let s = s.strip_prefix("0x").unwrap_or(s);
    let s = s.trim_start_matches("00");
    s.to_ascii_uppercase()
}

/// One subject alternative name: `email:…`, `DNS:…` or `URI:…` (OpenSSL's spelling, any
/// case).
fn parse_san(text: &str) -> Result<GeneralName> {
    use signet_asn1_types::der::asn1::Ia5String;
    let bad = |why: String| invalid("subject alternative name", why);
    let (kind, value) = text
        .split_once(':')
        .ok_or_else(|| bad(format!("{text:?}: expected email:…, DNS:… or URI:…")))?;
    let ia5 = |v: &str| Ia5String::new(v).map_err(|_| bad(format!("{text:?}: not ASCII")));
    Ok(match kind.to_ascii_lowercase().as_str() {
        "email" if value.contains('@') => GeneralName::Rfc822Name(ia5(value)?),
        "dns" if !value.is_empty() => GeneralName::DnsName(ia5(value)?),
        "uri" if value.contains(':') => GeneralName::UniformResourceIdentifier(ia5(value)?),
        "email" | "dns" | "uri" => return Err(bad(format!("{text:?}: not a valid {kind} name"))),
        _ => {
            return Err(bad(format!(
                "{text:?}: unknown form {kind:?}; expected email, DNS or URI"
            )));
        }
    })
}

/// The DER `SubjectAltName` of registered names (None for none).
/// Checks subject alternative names as a registration takes them (`email:…`, `DNS:…`,
/// `URI:…`, at most [`MAX_REGISTERED_SANS`]).
pub(crate) fn check_sans(sans: &[String]) -> anyhow::Result<()> {
    registered_sans(sans)
        .map(|_| ())
        .map_err(|e| anyhow::anyhow!("{e}"))
}

fn registered_sans(sans: &[String]) -> Result<Option<Vec<u8>>> {
    use signet_asn1_types::x509_cert::ext::pkix::SubjectAltName;
    if sans.is_empty() {
        return Ok(None);
    }
    if sans.len() > MAX_REGISTERED_SANS {
        return Err(invalid(
            "subject alternative names",
            format!("at most {MAX_REGISTERED_SANS} per registration"),
        ));
    }
    let names = sans
        .iter()
        .map(|s| parse_san(s))
        .collect::<Result<Vec<_>>>()?;
    SubjectAltName(names)
        .to_der()
        .map(Some)
        .map_err(|e| invalid("subject alternative names", e.to_string()))
}

/// The operator's service over one store, acting for one operator (named in the audit
/// log: `operator:<name>`).
pub(crate) struct Operator<'a> {
    store: &'a Store,
    clock: &'a dyn Clock,
    actor: String,
}

impl<'a> Operator<'a> {
    /// The service for the operator `name` (a login, an API account, `cli:<user>`).
    pub(crate) fn new(store: &'a Store, clock: &'a dyn Clock, name: &str) -> Self {
        Self {
            store,
            clock,
            actor: format!("operator:{name}"),
        }
    }

    /// The service acting for `actor` as the audit log names it whole (the portal acts for
    /// `subscriber:<base>:<id>`).
    pub(crate) fn acting_as(store: &'a Store, clock: &'a dyn Clock, actor: String) -> Self {
        Self {
            store,
            clock,
            actor,
        }
    }

    /// Registers `request.subject` under `policy` (which must accept the name for the
    /// profile): `count` reference numbers with one-time codes, sealed with `sealer`, in one
    /// commit.
    pub(crate) async fn register(
        &self,
        policy: &Policy,
        sealer: &Sealer,
        request: &RegistrationRequest<'_>,
    ) -> Result<Registered> {
        let profile = request
            .profile
            .unwrap_or(&policy.default_profile)
            .to_owned();
        let name = dn::parse(request.subject).map_err(|e| invalid("subject", e.to_string()))?;
        let name = policy.check_subject(&profile, &name).map_err(|r| {
            invalid(
                "subject",
                format!("not acceptable under profile {profile}: {r}"),
            )
        })?;
        let admin = &policy.registration.administrative;
        let valid = request.valid_for.unwrap_or(admin.default_valid_seconds);
        if valid == 0 || valid > admin.max_valid_seconds {
            return Err(invalid(
                "validity",
                format!(
                    "must be between 1 s and {} s (policy)",
                    admin.max_valid_seconds
                ),
            ));
        }
        if request.count == 0 || request.count > MAX_REGISTRATION_COUNT {
            return Err(invalid(
                "count",
                format!("must be between 1 and {MAX_REGISTRATION_COUNT}"),
            ));
        }
        let now = self.clock.now();
        let expires = now.saturating_add(i64::try_from(valid).unwrap_or(i64::MAX));
        let subject = dn::to_openssl(&name);
        let subject_der = name
            .to_der()
            .map_err(|e| invalid("subject", e.to_string()))?;
        let san_der = registered_sans(request.sans)?;
        for _ in 0..5 {
            let mut codes = Vec::new();
            let mut ops = Vec::new();
            for _ in 0..request.count {
                let mut r = [0u8; 8];
                let mut s = zeroize::Zeroizing::new([0u8; 24]);
                aws_lc_rs::rand::fill(&mut r).map_err(|_| store_error("random source failed"))?;
                aws_lc_rs::rand::fill(&mut *s).map_err(|_| store_error("random source failed"))?;
                // A 16-digit reference number (not secret) and a 192-bit code.
                let reference = format!("{:016}", u64::from_be_bytes(r) % 10_000_000_000_000_000);
                let secret = zeroize::Zeroizing::new(
                    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(*s),
                );
                ops.push(Op::InsertRegistration {
                    reference: reference.clone(),
                    subject: subject.clone(),
                    subject_der: subject_der.clone(),
                    san_der: san_der.clone(),
                    profile: profile.clone(),
                    sealed_secret: sealer
                        .seal(&reference, secret.as_bytes())
                        .map_err(store_error)?,
                    now,
                    expires_at: expires,
                });
                codes.push((reference, secret));
            }
            // The reference numbers are not secret; for a large batch the count says enough.
            let references: Vec<&str> = codes.iter().take(100).map(|(r, _)| r.as_str()).collect();
            ops.push(crate::audit::op(
                now,
                self.actor.clone(),
                crate::audit::action::REGISTRATION_CREATED,
                Some(subject.clone()),
                &serde_json::json!({
                    "profile": profile,
                    "count": request.count,
                    "expires": expires,
                    "references": references,
                    "subject_alt_names": request.sans,
                }),
            ));
            match self.store.write(ops).await {
                Ok(()) => {
                    tracing::info!(count = request.count, %subject, %profile, "registered");
                    return Ok(Registered {
                        codes,
                        subject,
                        profile,
                        expires,
                    });
                }
                // A reference number taken already: draw them all again.
                Err(WriteError::Conflict { .. }) => continue,
                Err(e) => return Err(store_error(e)),
            }
        }
        Err(store_error("could not allocate unique reference numbers"))
    }

    /// Every registration, and the enrollments waiting for a decision.
    pub(crate) async fn registrations(&self) -> Result<(Vec<Registration>, Vec<Pending>)> {
        let now = self.clock.now();
        let regs = self
            .store
            .registrations()
            .await
            .map_err(store_error)?
            .into_iter()
            .map(|r| Registration {
                state: if r.consumed_at.is_some() {
                    RegistrationState::Used
                } else if r.expires_at <= now {
                    RegistrationState::Expired
                } else {
                    RegistrationState::Open
                },
                reference: r.reference,
                subject: r.subject,
                profile: r.profile,
                created: r.created_at,
                expires: r.expires_at,
            })
            .collect();
        let pending = self
            .store
            .transactions_in(TxState::Pending)
            .await
            .map_err(store_error)?
            .into_iter()
            .map(|t| Pending {
                transaction: t.transaction_id,
                kind: t.kind,
                requester: t.requester,
                profile: t.profile,
                created: t.created_at,
            })
            .collect();
        Ok((regs, pending))
    }

    /// Decides the pending enrollment `transaction`; its client learns it at the next poll.
    /// Decides the pending enrollment `transaction`; `why` (at most [`MAX_REASON_CHARS`]) is
    /// recorded in the audit log with the decision.
    pub(crate) async fn decide(
        &self,
        transaction: &[u8],
        decision: Decision,
        why: &str,
    ) -> Result<TxState> {
        if why.chars().count() > MAX_REASON_CHARS {
            return Err(invalid(
                "reason",
                format!("at most {MAX_REASON_CHARS} characters"),
            ));
        }
        let to = match decision {
            Decision::Approve => TxState::Approved,
            Decision::Refuse => TxState::Refused,
        };
        let now = self.clock.now();
        let op = Op::UpdateTransaction {
            transaction_id: transaction.to_vec(),
            from: &[TxState::Pending],
            to,
            our_nonce: None,
            deadline: None,
            serial: None,
            now,
        };
        let audit = crate::audit::op(
            now,
            self.actor.clone(),
            match decision {
                Decision::Approve => crate::audit::action::ENROLLMENT_APPROVED,
                Decision::Refuse => crate::audit::action::ENROLLMENT_REFUSED,
            },
            Some(hex::encode(transaction)),
            &if why.is_empty() {
                serde_json::json!({})
            } else {
                serde_json::json!({"why": why})
            },
        );
        match self.store.write(vec![op, audit]).await {
            Ok(()) => {
                tracing::info!(transaction = %hex::encode(transaction), decision = %to, "decided");
                Ok(to)
            }
            Err(WriteError::Conflict { .. }) => {
                Err(OperatorError::NoPending(hex::encode(transaction)))
            }
            Err(e) => Err(store_error(e)),
        }
    }

    /// Every issued certificate.
    pub(crate) async fn certificates(&self) -> Result<Vec<CertRow>> {
        self.store.certificates().await.map_err(store_error)
    }

    /// The certificates whose subject or serial contains `text` (any case; empty: all) and
    /// whose status is `status` (if given), newest first, at most `limit`.
    pub(crate) async fn search(
        &self,
        text: &str,
        status: Option<CertStatus>,
        limit: usize,
    ) -> Result<Vec<CertRow>> {
        if text.chars().count() > MAX_SEARCH_CHARS {
            return Err(invalid(
                "search",
                format!("at most {MAX_SEARCH_CHARS} characters"),
            ));
        }
        let needle = text.trim().to_lowercase();
        let mut all = self.certificates().await?;
        all.reverse();
        Ok(all
            .into_iter()
            .filter(|c| status.is_none_or(|s| c.status == s))
            .filter(|c| {
                needle.is_empty()
                    || c.subject.to_lowercase().contains(&needle)
                    || c.serial.to_lowercase().contains(&needle)
            })
            .take(limit)
            .collect())
    }

    /// The certificate with `serial` (any form [`normalise_serial`] reads).
    pub(crate) async fn certificate(&self, serial: &str) -> Result<CertRow> {
        let serial = normalise_serial(serial);
        self.store
            .certificate(&serial)
            .await
            .map_err(store_error)?
            .ok_or(OperatorError::NoCertificate(serial))
    }

    /// Recovery of a subscriber by an officer (after a key compromise): revokes the
    /// certificate `serial` for `reason` and registers its subject again under its profile,
    /// with the e-mail, DNS and URI names it carried, for one fresh code.
    pub(crate) async fn recover(
        &self,
        policy: &Policy,
        sealer: &Sealer,
        serial: &str,
        reason: Reason,
    ) -> Result<(String, Registered)> {
        use signet_asn1_types::der::Decode as _;
        use signet_asn1_types::x509_cert::ext::pkix::SubjectAltName;
        let row = self.certificate(serial).await?;
        let cert = signet_asn1_types::x509_cert::Certificate::from_der(&row.der)
            .map_err(|e| store_error(format!("stored certificate {}: {e}", row.serial)))?;
        let sans: Vec<String> = match cert.tbs_certificate().get_extension::<SubjectAltName>() {
            Ok(Some((_, san))) => san
                .0
                .iter()
                .filter_map(|n| match n {
                    GeneralName::Rfc822Name(v) => Some(format!("email:{}", v.as_str())),
                    GeneralName::DnsName(v) => Some(format!("DNS:{}", v.as_str())),
                    GeneralName::UniformResourceIdentifier(v) => {
                        Some(format!("URI:{}", v.as_str()))
                    }
                    _ => None,
                })
                .collect(),
            _ => Vec::new(),
        };
        let revoked = self.revoke(&row.serial, reason).await?;
        let registered = self
            .register(
                policy,
                sealer,
                &RegistrationRequest {
                    subject: &row.subject,
                    sans: &sans,
                    profile: Some(&row.profile),
                    valid_for: None,
                    count: 1,
                },
            )
            .await?;
        Ok((revoked, registered))
    }

    /// Revokes the certificate with `serial` for `reason`; CRL and OCSP show it (at once on
    /// this process's responder, within a second on every other node's). Returns the serial
    /// as stored.
    pub(crate) async fn revoke(&self, serial: &str, reason: Reason) -> Result<String> {
        let row = self.certificate(serial).await?;
        if row.status == CertStatus::Revoked {
            return Err(OperatorError::AlreadyRevoked(row.serial));
        }
        let now = self.clock.now();
        let op = Op::SetCertificateStatus {
            serial: row.serial.clone(),
            from: &[CertStatus::Valid, CertStatus::Unconfirmed],
            to: CertStatus::Revoked,
            revoked_at: Some(now),
            reason: Some(reason.code()),
            must: true,
        };
        let audit = crate::audit::revoked(
            now,
            self.actor.clone(),
            &row.serial,
            reason.code(),
            "revoked by an operator",
        );
        match self.store.write(vec![op, audit]).await {
            Ok(()) => {
                tracing::info!(
                    serial = %row.serial,
                    reason = Reason::name_of(reason.code()),
                    "revoked by the operator"
                );
                Ok(row.serial)
            }
            // Revoked meanwhile (by rr, the sweep, another operator).
            Err(WriteError::Conflict { .. }) => Err(OperatorError::AlreadyRevoked(row.serial)),
            Err(e) => Err(store_error(e)),
        }
    }
}

#[cfg(test)]
mod tests;
