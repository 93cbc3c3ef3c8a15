//! The policy document (`policy.toml`): profiles, naming rules and registration methods.
//!
//! Every table rejects unknown keys, so a misspelt rule fails loudly at start-up instead of
//! silently allowing what it meant to forbid. [`Policy::dev_default`] is the built-in policy
//! the development PKI is bootstrapped with; `signet serve` writes it to `policy.toml` on first
//! start so the operator can read and edit what is enforced.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use signet_asn1_types::const_oid::ObjectIdentifier;
use signet_asn1_types::const_oid::db::rfc4519;

use crate::Error;

/// The operator's policy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Policy {
    /// The profile used when a request names none (`/.well-known/cmp`, `/`, `/pkix/`).
    pub default_profile: String,
    /// How subscribers are identified and authenticated.
    pub registration: Registration,
    /// Who may revoke what.
    pub revocation: Revocation,
    /// Certificate profiles by name (the `<profile>` of `/.well-known/cmp/p/<profile>`).
    pub profiles: BTreeMap<String, ProfilePolicy>,
}

/// Registration methods (RFC 9483 §4.1: "the PKI management entity … authenticates the EE").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Registration {
    /// Administrative registration: a pre-registered subject with a one-time reference number
    /// and authentication code (RFC 9810 §4.2.1.1, RFC 9483 §4.1.5).
    pub administrative: Administrative,
    /// Automatic registration with a device certificate from a trusted manufacturer CA
    /// (RFC 9483 §4.1.1, IDevID); `None` disables it.
    #[serde(default)]
    pub automatic: Option<Automatic>,
    /// Auto-registration through the self-service portal (`/portal/`): a person authorised
    /// beforehand in an authentication base gets a reference number and code with no officer,
    /// and starts recovery after a key compromise the same way; `None` disables the portal.
    #[serde(default)]
    pub self_service: Option<SelfService>,
}

/// An authentication base the portal checks people against.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum AuthenticationBase {
    /// The organisation's account directory: an account name and its password.
    Directory,
    /// The dedicated authentication base: an eligibility list of people, each with a secret
    /// the CA made and handed to them out of band.
    Eligibility,
}

/// Self-service portal settings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct SelfService {
    /// The authentication bases the portal accepts (at least one).
    pub bases: Vec<AuthenticationBase>,
    /// Consecutive failed attempts that lock a person's entry (1 to [`MAX_LOCKOUT_FAILURES`]).
    #[serde(default = "default_max_failures")]
    pub max_failures: u32,
    /// How long a locked entry stays locked, in seconds (60 s to 30 days).
    #[serde(default = "default_lockout_seconds")]
    pub lockout_seconds: u64,
    /// How long a code made by the portal stays usable, in seconds (at most the
    /// administrative `max-valid-seconds`).
    #[serde(default = "default_code_valid_seconds")]
    pub code_valid_seconds: u64,
}

/// The largest `max-failures` a policy may set.
pub const MAX_LOCKOUT_FAILURES: u32 = 100;

fn default_max_failures() -> u32 {
    5
}

fn default_lockout_seconds() -> u64 {
    900
}

fn default_code_valid_seconds() -> u64 {
    86_400
}

/// Administrative registration settings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Administrative {
    /// How long a registration stays usable when the operator does not say, in seconds.
    pub default_valid_seconds: u64,
    /// The longest lifetime an operator may give a registration, in seconds.
    pub max_valid_seconds: u64,
    /// The largest PBKDF2 `iterationCount` a PBMAC1-protected request may use: each costs
    /// the server one HMAC per iteration before the MAC can be checked, so this bounds the
    /// work an unauthenticated request causes (refused before any derivation above it).
    /// Default 600,000: current clients send 262,144.
    #[serde(default = "default_max_pbkdf2_iterations")]
    pub max_pbkdf2_iterations: u64,
    /// The largest PasswordBasedMac `iterationCount` (RFC 9810 §5.1.3.1; OpenSSL sends 500).
    /// Default 100,000.
    #[serde(default = "default_max_pbm_iterations")]
    pub max_pbm_iterations: u64,
}

/// Default of [`Administrative::max_pbkdf2_iterations`].
pub const DEFAULT_MAX_PBKDF2_ITERATIONS: u64 = 600_000;

/// Default of [`Administrative::max_pbm_iterations`].
pub const DEFAULT_MAX_PBM_ITERATIONS: u64 = 100_000;

/// The highest MAC iteration bound a policy may set: 10^7 HMACs are seconds of CPU for one
/// request that has not been authenticated yet.
pub const MAX_MAC_ITERATIONS: u64 = 10_000_000;

fn default_max_pbkdf2_iterations() -> u64 {
    DEFAULT_MAX_PBKDF2_ITERATIONS
}

fn default_max_pbm_iterations() -> u64 {
    DEFAULT_MAX_PBM_ITERATIONS
}

/// Automatic registration settings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Automatic {
    /// The profile devices enroll under.
    pub profile: String,
    /// Directory (relative to the data directory) holding the manufacturer CA certificates
    /// (PEM) that form the authentication base; the binary loads them.
    pub trust_anchor_dir: String,
}

/// Revocation rules.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Revocation {
    /// CRL reason codes (RFC 5280 §5.3.1) a subscriber may ask for. `removeFromCRL` (8) is
    /// never accepted (no delta CRLs) and `certificateHold` (6) only if listed.
    pub allowed_reasons: Vec<u8>,
    /// What OCSP says of a certificate issued but not yet confirmed by its subscriber's
    /// certConf (RFC 9810 §5.3.18; the sweep revokes it when confirmWaitTime passes).
    #[serde(default)]
    pub unconfirmed_ocsp_status: UnconfirmedOcspStatus,
}

/// The OCSP status of an issued certificate whose certConf has not arrived. RFC 9810 leaves it
/// open; the choice matters for C2PA, where a `good` answer stapled into an asset proves the
/// signer's status at signing time for as long as the asset exists.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum UnconfirmedOcspStatus {
    /// `unknown` (the default): the CA has not published the certificate yet (RFC 9810
    /// §5.3.18 has it published only once confirmed), so nothing can staple a `good` answer
    /// for a certificate its subscriber may still reject or never confirm.
    #[default]
    Unknown,
    /// `good`, as for a confirmed certificate (Boulder answers for precertificates this way):
    /// for CAs whose relying parties must see a status the moment the certificate exists.
    Good,
}

/// How requests under a profile are approved.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(
    rename_all = "kebab-case",
    tag = "mode",
    rename_all_fields = "kebab-case"
)]
pub enum Approval {
    /// Issued as soon as the request passes the rules.
    Automatic,
    /// Held until an operator approves it; the client polls (RFC 9483 §4.4).
    Manual {
        /// `checkAfter` sent in each pollRep, in seconds.
        check_after_seconds: u64,
    },
}

/// A way a requester may have authenticated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum AuthMethod {
    /// MAC with a reference number and authentication code.
    Administrative,
    /// A device certificate from the automatic-registration trust list.
    Device,
    /// Signature by a current certificate this CA issued.
    Subscriber,
}

/// A subject attribute the naming rules know (RFC 5280 Appendix A.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum NameAttribute {
    /// `commonName` (2.5.4.3).
    CommonName,
    /// `countryName` (2.5.4.6).
    Country,
    /// `localityName` (2.5.4.7).
    Locality,
    /// `organizationName` (2.5.4.10).
    Organization,
    /// `organizationalUnitName` (2.5.4.11).
    OrganizationalUnit,
    /// `serialNumber` (2.5.4.5).
    SerialNumber,
    /// `stateOrProvinceName` (2.5.4.8).
    StateOrProvince,
}

impl NameAttribute {
    /// Every attribute, for lookups.
    pub const ALL: [Self; 7] = [
        Self::CommonName,
        Self::Country,
        Self::Locality,
        Self::Organization,
        Self::OrganizationalUnit,
        Self::SerialNumber,
        Self::StateOrProvince,
    ];

    /// The attribute type OID.
    #[must_use]
    pub const fn oid(self) -> ObjectIdentifier {
        match self {
            Self::CommonName => rfc4519::CN,
            Self::Country => rfc4519::C,
            Self::Locality => rfc4519::L,
            Self::Organization => rfc4519::O,
            Self::OrganizationalUnit => rfc4519::OU,
            Self::SerialNumber => rfc4519::SERIAL_NUMBER,
            Self::StateOrProvince => rfc4519::ST,
        }
    }

    /// The attribute for `oid`, if the rules know it.
    #[must_use]
    pub fn from_oid(oid: ObjectIdentifier) -> Option<Self> {
        Self::ALL.into_iter().find(|a| a.oid() == oid)
    }
}

/// Subject naming rules.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct SubjectPolicy {
    /// Attributes that must appear exactly once.
    pub required: Vec<NameAttribute>,
    /// Further attributes that may appear at most once.
    pub allowed: Vec<NameAttribute>,
    /// Longest attribute value accepted, in characters (RFC 5280 `ub-common-name` is 64).
    pub max_value_chars: usize,
}

/// A subject alternative name form.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SanKind {
    /// `dNSName`.
    Dns,
    /// `rfc822Name`.
    Email,
    /// `uniformResourceIdentifier`.
    Uri,
}

/// Subject alternative name rules. A SAN is an identity claim like the subject, so a requested
/// name is issued only when it is of an allowed form **and** vouched for by whoever
/// authenticated the request: pre-registered by the officer with the reference number, carried
/// by the device certificate of an automatic registration, or carried by the subscriber's current
/// certificate (cr/kur). Names of other forms are removed (`grantedWithMods`); unvouched names are
/// removed or the request refused, as [`SanPolicy::unverified`] says.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct SanPolicy {
    /// Forms kept.
    pub allowed: Vec<SanKind>,
    /// Most names kept; a request with more is refused (`badCertTemplate`).
    pub max_names: usize,
    /// What happens to a requested name nobody vouched for.
    #[serde(default)]
    pub unverified: UnverifiedSan,
}

/// What happens to a requested subject alternative name the authentication did not vouch for.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum UnverifiedSan {
    /// Removed from the certificate; the response says `grantedWithMods` (the default).
    #[default]
    Remove,
    /// The request is refused with `badCertTemplate`.
    Refuse,
}

/// Validity rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct ValidityPolicy {
    /// A longer requested period is shortened to this many days (`grantedWithMods`).
    pub max_days: u32,
    /// Period used when the request asks for none.
    pub default_days: u32,
}

/// One certificate profile of the CP/CPS.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct ProfilePolicy {
    /// The `ca-signer` profile certificates are built and linted under (the binary maps the
    /// name, e.g. `c2pa-claim-signing-al1`).
    pub signer_profile: String,
    /// Who may enroll under this profile.
    pub authentication: Vec<AuthMethod>,
    /// Automatic issuance or manual approval.
    pub approval: Approval,
    /// Subject naming rules.
    pub subject: SubjectPolicy,
    /// Subject alternative name rules.
    pub subject_alt_names: SanPolicy,
    /// Validity rules.
    pub validity: ValidityPolicy,
    /// The C2PA conforming-products-list record written into claim-signing certificates.
    #[serde(default)]
    pub cpl_record: Option<String>,
    /// Whether a client's request for implicit confirmation is granted.
    pub grant_implicit_confirm: bool,
}

/// The C2PA conforming-products-list record of the development PKI (a fixed, obviously
/// non-production UUID; an operator writes the record of their listed product).
pub const DEV_CPL_RECORD: &str = "00000000-0000-4000-8000-000000005167";

impl Policy {
    /// Parses and checks a policy document.
    ///
    /// # Errors
    /// [`Error::Parse`] for TOML that does not fit, or the first consistency error.
    pub fn from_toml(text: &str) -> Result<Self, Error> {
        let policy: Self = toml::from_str(text).map_err(|e| Error::Parse {
            message: e.to_string(),
        })?;
        policy.validate()?;
        Ok(policy)
    }

    /// The policy as TOML.
    ///
    /// # Errors
    /// [`Error::Parse`] if serialisation fails (it does not for a checked policy).
    pub fn to_toml(&self) -> Result<String, Error> {
        toml::to_string_pretty(self).map_err(|e| Error::Parse {
            message: e.to_string(),
        })
    }

    /// Checks the cross-references and rules a parser cannot.
    ///
    /// # Errors
    /// The first inconsistency found.
    pub fn validate(&self) -> Result<(), Error> {
        let admin = &self.registration.administrative;
        // The lower bounds are the RFCs' (RFC 9481 §6.1.1: PBKDF2 at least 1,000; RFC 9810
        // §5.1.3.1: PasswordBasedMac at least 100); the upper one keeps a single
        // unauthenticated request below a few seconds of CPU.
        for (what, value, min) in [
            ("max-pbkdf2-iterations", admin.max_pbkdf2_iterations, 1_000),
            ("max-pbm-iterations", admin.max_pbm_iterations, 100),
        ] {
            if !(min..=MAX_MAC_ITERATIONS).contains(&value) {
                return Err(Error::MacIterations {
                    what,
                    value,
                    min,
                    max: MAX_MAC_ITERATIONS,
                });
            }
        }
        if !self.profiles.contains_key(&self.default_profile) {
            return Err(Error::UnknownDefaultProfile {
                name: self.default_profile.clone(),
            });
        }
        if let Some(auto) = &self.registration.automatic
            && !self.profiles.contains_key(&auto.profile)
        {
            return Err(Error::UnknownAutomaticProfile {
                name: auto.profile.clone(),
            });
        }
        if let Some(ss) = &self.registration.self_service {
            let bad = |what: &'static str| Err(Error::SelfService { what });
            if ss.bases.is_empty() {
                return bad("no authentication base");
            }
            if !(1..=MAX_LOCKOUT_FAILURES).contains(&ss.max_failures) {
                return bad("max-failures must be 1 to 100");
            }
            if !(60..=30 * 86_400).contains(&ss.lockout_seconds) {
                return bad("lockout-seconds must be 60 to 2,592,000");
            }
            if ss.code_valid_seconds == 0 || ss.code_valid_seconds > admin.max_valid_seconds {
                return bad("code-valid-seconds must be 1 to the administrative max-valid-seconds");
            }
        }
        for (name, p) in &self.profiles {
            let name_ok = (1..=64).contains(&name.len())
                && name
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
            if !name_ok {
                return Err(Error::ProfileName { name: name.clone() });
            }
            if p.validity.default_days > p.validity.max_days {
                return Err(Error::Validity {
                    name: name.clone(),
                    default_days: p.validity.default_days,
                    max_days: p.validity.max_days,
                });
            }
            if p.subject.required.is_empty() {
                return Err(Error::Subject {
                    name: name.clone(),
                    what: "no required attribute",
                });
            }
            if p.subject
                .required
                .iter()
                .any(|a| p.subject.allowed.contains(a))
            {
                return Err(Error::Subject {
                    name: name.clone(),
                    what: "an attribute is both required and allowed",
                });
            }
            if p.authentication.is_empty() {
                return Err(Error::NoAuthentication { name: name.clone() });
            }
        }
        Ok(())
    }

    /// The profile named `name`.
    #[must_use]
    pub fn profile(&self, name: &str) -> Option<&ProfilePolicy> {
        self.profiles.get(name)
    }

    /// The built-in policy of the development PKI:
    /// - `c2pa-claim-signing` (default): C2PA claim-signing leaf at assurance level 1 (C2PA 2.2
    ///   §14.5.1), subject C, O, CN required, OU/L/ST allowed; DNS, e-mail and URI names; at most
    ///   366 days; administrative registration and subscribers; implicit confirmation granted.
    /// - `c2pa-claim-signing-al2`: the same at assurance level 2 (at most 90 days).
    /// - `c2pa-claim-signing-manual`: level 1, held for manual approval (pollRep every second).
    /// - `device`: level 1 for devices enrolling with a manufacturer certificate from
    ///   `trust/device-cas/` (automatic registration).
    #[must_use]
    pub fn dev_default() -> Self {
        let base = ProfilePolicy {
            signer_profile: "c2pa-claim-signing-al1".to_owned(),
            authentication: vec![AuthMethod::Administrative, AuthMethod::Subscriber],
            approval: Approval::Automatic,
            subject: SubjectPolicy {
                required: vec![
                    NameAttribute::Country,
                    NameAttribute::Organization,
                    NameAttribute::CommonName,
                ],
                allowed: vec![
                    NameAttribute::OrganizationalUnit,
                    NameAttribute::Locality,
                    NameAttribute::StateOrProvince,
                ],
                max_value_chars: 64,
            },
            subject_alt_names: SanPolicy {
                allowed: vec![SanKind::Dns, SanKind::Email, SanKind::Uri],
                max_names: 10,
                unverified: UnverifiedSan::Remove,
            },
            validity: ValidityPolicy {
                max_days: 366,
                default_days: 365,
            },
            cpl_record: Some(DEV_CPL_RECORD.to_owned()),
            grant_implicit_confirm: true,
        };
        let mut profiles = BTreeMap::new();
        profiles.insert(
            "c2pa-claim-signing-al2".to_owned(),
            ProfilePolicy {
                signer_profile: "c2pa-claim-signing-al2".to_owned(),
                validity: ValidityPolicy {
                    max_days: 90,
                    default_days: 90,
                },
                ..base.clone()
            },
        );
        profiles.insert(
            "c2pa-claim-signing-manual".to_owned(),
            ProfilePolicy {
                approval: Approval::Manual {
                    check_after_seconds: 1,
                },
                ..base.clone()
            },
        );
        profiles.insert(
            "device".to_owned(),
            ProfilePolicy {
                authentication: vec![AuthMethod::Device, AuthMethod::Subscriber],
                ..base.clone()
            },
        );
        profiles.insert("c2pa-claim-signing".to_owned(), base);
        Self {
            default_profile: "c2pa-claim-signing".to_owned(),
            registration: Registration {
                administrative: Administrative {
                    default_valid_seconds: 7 * 86_400,
                    max_valid_seconds: 90 * 86_400,
                    max_pbkdf2_iterations: DEFAULT_MAX_PBKDF2_ITERATIONS,
                    max_pbm_iterations: DEFAULT_MAX_PBM_ITERATIONS,
                },
                automatic: Some(Automatic {
                    profile: "device".to_owned(),
                    trust_anchor_dir: "trust/device-cas".to_owned(),
                }),
                self_service: Some(SelfService {
                    bases: vec![
                        AuthenticationBase::Directory,
                        AuthenticationBase::Eligibility,
                    ],
                    max_failures: default_max_failures(),
                    lockout_seconds: default_lockout_seconds(),
                    code_valid_seconds: default_code_valid_seconds(),
                }),
            },
            revocation: Revocation {
                // unspecified, keyCompromise, affiliationChanged, superseded,
                // cessationOfOperation, privilegeWithdrawn.
                allowed_reasons: vec![0, 1, 3, 4, 5, 9],
                unconfirmed_ocsp_status: UnconfirmedOcspStatus::Unknown,
            },
            profiles,
        }
    }
}
