//! Decisions: may this requester have this certificate under this profile, and what exactly
//! is issued.
//!
//! The rules run in a fixed order — profile, authentication method, operation, subject,
//! alternative names, other extensions, validity — and the first that refuses decides the
//! [`Refusal`]. Everything the policy changed in the request is listed in
//! [`Approval::modifications`]; a non-empty list means the response status is
//! `grantedWithMods` (RFC 9810 §5.2.3).

use core::time::Duration;

use signet_asn1_types::cmp::PkiFailureBit;
use signet_asn1_types::const_oid::ObjectIdentifier;
use signet_asn1_types::der::asn1::Any;
use signet_asn1_types::der::{DateTime, Decode, Encode, Tag};
use signet_asn1_types::x509_cert::Certificate;
use signet_asn1_types::x509_cert::attr::AttributeTypeAndValue;
use signet_asn1_types::x509_cert::ext::pkix::SubjectAltName;
use signet_asn1_types::x509_cert::ext::pkix::name::GeneralName;
use signet_asn1_types::x509_cert::name::{Name, RdnSequence, RelativeDistinguishedName};
use signet_crmf::Request;

use crate::config::{
    Approval as ApprovalMode, AuthMethod, NameAttribute, ProfilePolicy, SanKind, UnverifiedSan,
};
use crate::{Policy, dn};

/// `id-ce-subjectAltName` (RFC 5280 §4.2.1.6).
const SUBJECT_ALT_NAME: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.17");

/// How far before `now` a requested `notBefore` may lie (matches the ca-signer profiles'
/// one-hour backdating allowance).
const MAX_BACKDATE: Duration = Duration::from_secs(3600);
/// How far after `now` a requested `notBefore` may lie (clock skew, RFC 9483 §3.1).
const MAX_FORWARD: Duration = Duration::from_secs(300);
const DAY: u64 = 86_400;

/// Who sent the request, as the binary authenticated them.
#[derive(Debug, Clone, Copy)]
pub enum Requester<'a> {
    /// MAC with a reference number registered for `subject` under `profile`.
    Registered {
        /// The reference number (safe to log).
        reference: &'a str,
        /// The subject the operator registered.
        subject: &'a Name,
        /// The subject alternative names the operator registered with it (the only ones a
        /// request authenticated by this reference number may carry).
        subject_alt_names: &'a [GeneralName],
        /// The profile the operator registered.
        profile: &'a str,
    },
    /// A device certificate that chains to the automatic-registration trust list.
    Device {
        /// The device certificate.
        certificate: &'a Certificate,
    },
    /// A current certificate this CA issued, under `profile`.
    Subscriber {
        /// The certificate that signed the request.
        certificate: &'a Certificate,
        /// The policy profile it was issued under.
        profile: &'a str,
    },
}

impl Requester<'_> {
    fn method(&self) -> AuthMethod {
        match self {
            Self::Registered { .. } => AuthMethod::Administrative,
            Self::Device { .. } => AuthMethod::Device,
            Self::Subscriber { .. } => AuthMethod::Subscriber,
        }
    }
}

/// Which enrollment this is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Operation {
    /// `ir`: initial registration.
    Initial,
    /// `cr` or `p10cr`: a further certificate.
    Certification,
    /// `kur`: key update of the signing certificate.
    KeyUpdate,
}

/// Why a request is refused: one `PKIFailureInfo` bit and the status text.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{text}")]
pub struct Refusal {
    /// The bit.
    pub bit: PkiFailureBit,
    /// The `statusString`.
    pub text: String,
}

impl Refusal {
    fn new(bit: PkiFailureBit, text: impl Into<String>) -> Self {
        Self {
            bit,
            text: text.into(),
        }
    }
}

/// A change the policy made to the request.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Modification {
    /// The subject was replaced by the registered (or authorising certificate's) subject.
    SubjectReplaced,
    /// A subject alternative name of a form the profile does not allow was removed.
    AltNameRemoved,
    /// A subject alternative name nobody vouched for (not registered with the reference number,
    /// not in the device or current certificate) was removed.
    AltNameUnverified,
    /// A requested extension was ignored: the profile decides it.
    ExtensionIgnored {
        /// The extension.
        oid: ObjectIdentifier,
    },
    /// The requested validity was longer than the profile allows and was shortened.
    ValidityShortened {
        /// The profile's limit.
        max_days: u32,
    },
    /// The requested `notBefore` was outside the accepted window and was set to `now`.
    NotBeforeMoved,
}

/// What to issue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Approval {
    /// The policy profile.
    pub profile: String,
    /// The `ca-signer` profile to build and lint under.
    pub signer_profile: String,
    /// The subject.
    pub subject: Name,
    /// The subject alternative names (empty for none).
    pub subject_alt_names: Vec<GeneralName>,
    /// `notBefore`.
    pub not_before: DateTime,
    /// `notAfter`.
    pub not_after: DateTime,
    /// The C2PA CPL record to write.
    pub cpl_record: Option<String>,
    /// Whether implicit confirmation may be granted.
    pub grant_implicit_confirm: bool,
    /// What was changed from the request.
    pub modifications: Vec<Modification>,
}

impl Approval {
    /// Whether the response says `grantedWithMods` rather than `accepted`.
    #[must_use]
    pub fn granted_with_mods(&self) -> bool {
        !self.modifications.is_empty()
    }
}

/// The policy's answer to an enrollment.
#[derive(Debug, Clone, PartialEq, Eq)]
#[allow(clippy::large_enum_variant, reason = "returned once per request")]
pub enum Decision {
    /// Issue this.
    Approve(Approval),
    /// Hold for an operator; the client polls every `check_after` seconds.
    Pend {
        /// What would be issued on approval.
        approval: Approval,
        /// `checkAfter`, seconds.
        check_after: u64,
    },
    /// Refuse.
    Reject(Refusal),
}

/// The certificate an rr asks to revoke, as the binary found it.
#[derive(Debug, Clone, Copy)]
pub struct RevocationTarget<'a> {
    /// Its subject.
    pub subject: &'a Name,
    /// Its profile.
    pub profile: &'a str,
}

fn add(t: DateTime, secs: u64) -> Option<DateTime> {
    DateTime::from_unix_duration(t.unix_duration().checked_add(Duration::from_secs(secs))?).ok()
}

impl Policy {
    /// Decides an enrollment.
    ///
    /// `path_profile` is the `<profile>` of `/.well-known/cmp/p/<profile>` when the request
    /// named one; `issuer_not_after` caps the validity (a certificate never outlives its CA).
    #[must_use]
    pub fn decide(
        &self,
        requester: &Requester<'_>,
        request: &Request,
        operation: Operation,
        path_profile: Option<&str>,
        now: DateTime,
        issuer_not_after: Option<DateTime>,
    ) -> Decision {
        match self.approve(
            requester,
            request,
            operation,
            path_profile,
            now,
            issuer_not_after,
        ) {
            Ok((approval, ApprovalMode::Automatic)) => Decision::Approve(approval),
            Ok((
                approval,
                ApprovalMode::Manual {
                    check_after_seconds,
                },
            )) => Decision::Pend {
                approval,
                check_after: check_after_seconds,
            },
            Err(r) => Decision::Reject(r),
        }
    }

    fn select_profile<'p>(
        &'p self,
        requester: &Requester<'_>,
        path_profile: Option<&str>,
    ) -> Result<(&'p str, &'p ProfilePolicy), Refusal> {
        let wanted = match requester {
            Requester::Registered { profile, .. } => {
                if path_profile.is_some_and(|p| p != *profile) {
                    return Err(Refusal::new(
                        PkiFailureBit::NotAuthorized,
                        format!("reference number is registered for profile {profile}"),
                    ));
                }
                *profile
            }
            Requester::Device { .. } => {
                let auto = self.registration.automatic.as_ref().ok_or_else(|| {
                    Refusal::new(
                        PkiFailureBit::NotAuthorized,
                        "automatic registration is disabled",
                    )
                })?;
                if path_profile.is_some_and(|p| p != auto.profile) {
                    return Err(Refusal::new(
                        PkiFailureBit::NotAuthorized,
                        format!("devices enroll under profile {}", auto.profile),
                    ));
                }
                auto.profile.as_str()
            }
            Requester::Subscriber { profile, .. } => path_profile.unwrap_or(profile),
        };
        self.profiles
            .get_key_value(wanted)
            .map(|(k, v)| (k.as_str(), v))
            .ok_or_else(|| {
                Refusal::new(
                    PkiFailureBit::BadRequest,
                    format!("unknown profile {wanted}"),
                )
            })
    }

    fn approve(
        &self,
        requester: &Requester<'_>,
        request: &Request,
        operation: Operation,
        path_profile: Option<&str>,
        now: DateTime,
        issuer_not_after: Option<DateTime>,
    ) -> Result<(Approval, ApprovalMode), Refusal> {
        let (name, profile) = self.select_profile(requester, path_profile)?;
        if !profile.authentication.contains(&requester.method()) {
            return Err(Refusal::new(
                PkiFailureBit::NotAuthorized,
                format!(
                    "profile {name} does not accept {:?} authentication",
                    requester.method()
                ),
            ));
        }
        let mut mods = Vec::new();
        // Operation and subject.
        let subject = match (requester, operation) {
            (Requester::Subscriber { certificate, .. }, _) => {
                if operation == Operation::KeyUpdate {
                    check_old_cert_id(request, certificate)?;
                }
                authoritative_subject(certificate.tbs_certificate().subject(), request, &mut mods)
            }
            (_, Operation::KeyUpdate) => {
                return Err(Refusal::new(
                    PkiFailureBit::NotAuthorized,
                    "key update must be signed with the certificate it updates",
                ));
            }
            (Requester::Registered { subject, .. }, _) => {
                authoritative_subject(subject, request, &mut mods)
            }
            (Requester::Device { .. }, _) => {
                let requested = request.subject.as_ref().ok_or_else(|| {
                    Refusal::new(PkiFailureBit::BadCertTemplate, "subject missing")
                })?;
                normalise(requested)?
            }
        };
        check_subject_rules(profile, &subject)?;
        // Extensions: SANs filtered by the profile, everything else decided by the profile.
        let mut subject_alt_names = Vec::new();
        for ext in &request.extensions {
            if ext.extn_id == SUBJECT_ALT_NAME {
                let san = SubjectAltName::from_der(ext.extn_value.as_bytes()).map_err(|_| {
                    Refusal::new(PkiFailureBit::BadCertTemplate, "malformed subjectAltName")
                })?;
                let vouched = vouched_alt_names(requester)?;
                for gn in san.0 {
                    if !san_allowed(&profile.subject_alt_names.allowed, &gn) {
                        mods.push(Modification::AltNameRemoved);
                    } else if vouched.iter().any(|v| same_alt_name(v, &gn)) {
                        subject_alt_names.push(gn);
                    } else if profile.subject_alt_names.unverified == UnverifiedSan::Refuse {
                        return Err(Refusal::new(
                            PkiFailureBit::BadCertTemplate,
                            format!(
                                "subjectAltName {} is not vouched for by this authentication \
                                 (not registered with the reference number, not in the \
                                 authenticating certificate)",
                                describe_alt_name(&gn)
                            ),
                        ));
                    } else {
                        mods.push(Modification::AltNameUnverified);
                    }
                }
            } else {
                mods.push(Modification::ExtensionIgnored { oid: ext.extn_id });
            }
        }
        if subject_alt_names.len() > profile.subject_alt_names.max_names {
            return Err(Refusal::new(
                PkiFailureBit::BadCertTemplate,
                format!(
                    "{} subject alternative names, at most {} allowed",
                    subject_alt_names.len(),
                    profile.subject_alt_names.max_names
                ),
            ));
        }
        let (not_before, not_after) = validity(profile, request, now, issuer_not_after, &mut mods)?;
        Ok((
            Approval {
                profile: name.to_owned(),
                signer_profile: profile.signer_profile.clone(),
                subject,
                subject_alt_names,
                not_before,
                not_after,
                cpl_record: profile.cpl_record.clone(),
                grant_implicit_confirm: profile.grant_implicit_confirm,
                modifications: mods,
            },
            profile.approval,
        ))
    }

    /// Checks a subject against a profile's naming rules (used when an operator registers a
    /// subject, so a registration that could never be issued is refused up front).
    ///
    /// # Errors
    /// [`Refusal`] with `badCertTemplate` (or `badRequest` for an unknown profile).
    pub fn check_subject(&self, profile: &str, subject: &Name) -> Result<Name, Refusal> {
        let p = self.profiles.get(profile).ok_or_else(|| {
            Refusal::new(
                PkiFailureBit::BadRequest,
                format!("unknown profile {profile}"),
            )
        })?;
        let normalised = normalise(subject)?;
        check_subject_rules(p, &normalised)?;
        Ok(normalised)
    }

    /// Whether `requester` may revoke `target` for `reason` (an RFC 5280 CRLReason code).
    ///
    /// A subscriber may revoke certificates issued to its own subject (its own, and those it
    /// replaced or that replaced it). A reference number authorises one enrollment, not a
    /// revocation, and a device certificate authorises enrollment only.
    ///
    /// # Errors
    /// [`Refusal`] with `notAuthorized` or `badRequest` (reason not accepted).
    pub fn authorize_revocation(
        &self,
        requester: &Requester<'_>,
        target: &RevocationTarget<'_>,
        reason: Option<u8>,
    ) -> Result<(), Refusal> {
        let code = reason.unwrap_or(0);
        if !self.revocation.allowed_reasons.contains(&code) || code == 8 {
            return Err(Refusal::new(
                PkiFailureBit::BadRequest,
                format!("revocation reason {code} not accepted"),
            ));
        }
        match requester {
            Requester::Subscriber { certificate, .. } => {
                if dn::same_name(certificate.tbs_certificate().subject(), target.subject) {
                    Ok(())
                } else {
                    Err(Refusal::new(
                        PkiFailureBit::NotAuthorized,
                        "a subscriber may revoke only certificates of its own subject",
                    ))
                }
            }
            Requester::Registered { .. } => Err(Refusal::new(
                PkiFailureBit::NotAuthorized,
                "a reference number authorises enrollment, not revocation",
            )),
            Requester::Device { .. } => Err(Refusal::new(
                PkiFailureBit::NotAuthorized,
                "a device certificate authorises enrollment, not revocation",
            )),
        }
    }
}

/// RFC 9483 §4.1.3: the oldCertID of a kur names the certificate that protects it.
fn check_old_cert_id(request: &Request, signer: &Certificate) -> Result<(), Refusal> {
    let tbs = signer.tbs_certificate();
    match &request.old_cert_id {
        None => Ok(()),
        Some(id) => {
            let issuer_ok = match &id.issuer {
                GeneralName::DirectoryName(n) => dn::same_name(n, tbs.issuer()),
                _ => false,
            };
            if issuer_ok && id.serial_number.as_bytes() == tbs.serial_number().as_bytes() {
                Ok(())
            } else {
                Err(Refusal::new(
                    PkiFailureBit::BadCertId,
                    "oldCertID does not name the certificate that signed the request",
                ))
            }
        }
    }
}

fn authoritative_subject(
    authority: &Name,
    request: &Request,
    mods: &mut Vec<Modification>,
) -> Name {
    if request
        .subject
        .as_ref()
        .is_none_or(|s| !dn::same_name(s, authority))
    {
        mods.push(Modification::SubjectReplaced);
    }
    authority.clone()
}

/// Re-encodes every attribute with the string type RFC 5280 prescribes (PrintableString for
/// `countryName` and `serialNumber`, UTF8String otherwise); single-valued RDNs only.
fn normalise(name: &Name) -> Result<Name, Refusal> {
    let bad = |t: &str| Refusal::new(PkiFailureBit::BadCertTemplate, t.to_owned());
    let mut seq = RdnSequence::default();
    for rdn in name.iter_rdn() {
        if rdn.len() != 1 {
            return Err(bad("multi-valued RDNs are not accepted"));
        }
        let mut out = RelativeDistinguishedName::default();
        for atv in rdn.iter() {
            let value = dn::value_str(atv)
                .ok_or_else(|| bad("subject attribute without a string value"))?;
            let tag = match NameAttribute::from_oid(atv.oid) {
                Some(NameAttribute::Country | NameAttribute::SerialNumber) => Tag::PrintableString,
                _ => Tag::Utf8String,
            };
            let any = Any::new(tag, value.as_bytes())
                .map_err(|_| bad("subject attribute value not encodable as required"))?;
            out.insert(AttributeTypeAndValue {
                oid: atv.oid,
                value: any,
            })
            .map_err(|_| bad("subject attribute not encodable"))?;
        }
        seq.push(out);
    }
    let der = seq.to_der().map_err(|_| bad("subject not encodable"))?;
    Name::from_der(&der).map_err(|_| bad("subject not encodable"))
}

fn check_subject_rules(profile: &ProfilePolicy, subject: &Name) -> Result<(), Refusal> {
    let bad = |t: String| Refusal::new(PkiFailureBit::BadCertTemplate, t);
    let rules = &profile.subject;
    let mut seen = Vec::new();
    for atv in subject.iter() {
        let Some(kind) = NameAttribute::from_oid(atv.oid) else {
            return Err(bad(format!("subject attribute {} not allowed", atv.oid)));
        };
        if !rules.required.contains(&kind) && !rules.allowed.contains(&kind) {
            return Err(bad(format!("subject attribute {kind:?} not allowed")));
        }
        if seen.contains(&kind) {
            return Err(bad(format!("subject attribute {kind:?} appears twice")));
        }
        seen.push(kind);
        let value = dn::value_str(atv).unwrap_or_default();
        let chars = value.chars().count();
        if chars == 0 || chars > rules.max_value_chars {
            return Err(bad(format!(
                "subject attribute {kind:?} must have 1 to {} characters",
                rules.max_value_chars
            )));
        }
        if kind == NameAttribute::Country
            && !(value.len() == 2 && value.bytes().all(|b| b.is_ascii_uppercase()))
        {
            return Err(bad("countryName must be two upper-case letters".to_owned()));
        }
    }
    if let Some(missing) = rules.required.iter().find(|r| !seen.contains(r)) {
        return Err(bad(format!("subject attribute {missing:?} is required")));
    }
    Ok(())
}

/// The subject alternative names the authentication vouches for: those the officer registered,
/// or those of the device or subscriber certificate that authenticated the request.
pub(crate) fn vouched_alt_names(requester: &Requester<'_>) -> Result<Vec<GeneralName>, Refusal> {
    let of_certificate =
        |c: &Certificate| match c.tbs_certificate().get_extension::<SubjectAltName>() {
            Ok(Some((_, san))) => Ok(san.0),
            Ok(None) => Ok(Vec::new()),
            Err(_) => Err(Refusal::new(
                PkiFailureBit::BadCertId,
                "the authenticating certificate's subjectAltName does not decode",
            )),
        };
    match requester {
        Requester::Registered {
            subject_alt_names, ..
        } => Ok(subject_alt_names.to_vec()),
        Requester::Device { certificate } | Requester::Subscriber { certificate, .. } => {
            of_certificate(certificate)
        }
    }
}

/// Whether two names are the same identity: DNS names and the domain of e-mail addresses
/// compare case-insensitively (RFC 5280 §4.2.1.6, §7.5), everything else exactly.
fn same_alt_name(a: &GeneralName, b: &GeneralName) -> bool {
    match (a, b) {
        (GeneralName::DnsName(x), GeneralName::DnsName(y)) => {
            x.as_str().eq_ignore_ascii_case(y.as_str())
        }
        (GeneralName::Rfc822Name(x), GeneralName::Rfc822Name(y)) => {
            match (x.as_str().rsplit_once('@'), y.as_str().rsplit_once('@')) {
                (Some((lx, dx)), Some((ly, dy))) => lx == ly && dx.eq_ignore_ascii_case(dy),
                _ => x.as_str() == y.as_str(),
            }
        }
        _ => a == b,
    }
}

/// `email:…`, `DNS:…`, `URI:…` (OpenSSL's spelling) for messages.
fn describe_alt_name(gn: &GeneralName) -> String {
    match gn {
        GeneralName::DnsName(s) => format!("DNS:{}", s.as_str()),
        GeneralName::Rfc822Name(s) => format!("email:{}", s.as_str()),
        GeneralName::UniformResourceIdentifier(s) => format!("URI:{}", s.as_str()),
        other => format!("{other:?}"),
    }
}

fn san_allowed(allowed: &[SanKind], gn: &GeneralName) -> bool {
    match gn {
        GeneralName::DnsName(s) => allowed.contains(&SanKind::Dns) && !s.as_str().is_empty(),
        GeneralName::Rfc822Name(s) => allowed.contains(&SanKind::Email) && s.as_str().contains('@'),
        GeneralName::UniformResourceIdentifier(s) => {
            allowed.contains(&SanKind::Uri) && s.as_str().contains(':')
        }
        _ => false,
    }
}

fn validity(
    profile: &ProfilePolicy,
    request: &Request,
    now: DateTime,
    issuer_not_after: Option<DateTime>,
    mods: &mut Vec<Modification>,
) -> Result<(DateTime, DateTime), Refusal> {
    let overflow = || Refusal::new(PkiFailureBit::BadCertTemplate, "validity out of range");
    let now_secs = now.unix_duration();
    let not_before = match request.not_before.map(|t| t.to_date_time()) {
        Some(nb)
            if nb.unix_duration() + MAX_BACKDATE >= now_secs
                && nb.unix_duration() <= now_secs + MAX_FORWARD =>
        {
            nb
        }
        Some(_) => {
            mods.push(Modification::NotBeforeMoved);
            now
        }
        None => now,
    };
    let v = profile.validity;
    let longest = add(not_before, u64::from(v.max_days) * DAY - 1).ok_or_else(overflow)?;
    let mut not_after = match request.not_after.map(|t| t.to_date_time()) {
        Some(na) if na <= not_before => {
            return Err(Refusal::new(
                PkiFailureBit::BadCertTemplate,
                "requested notAfter is not after notBefore",
            ));
        }
        Some(na) if na > longest => {
            mods.push(Modification::ValidityShortened {
                max_days: v.max_days,
            });
            longest
        }
        Some(na) => na,
        None => add(not_before, u64::from(v.default_days) * DAY - 1).ok_or_else(overflow)?,
    };
    if let Some(cap) = issuer_not_after
        && not_after > cap
    {
        if request.not_after.is_some() {
            mods.push(Modification::ValidityShortened {
                max_days: v.max_days,
            });
        }
        not_after = cap;
    }
    Ok((not_before, not_after))
}
