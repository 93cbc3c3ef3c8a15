//! [`Profile::validate`]: consistency checks for a profile before any certificate is prepared
//! under it (an operator's configuration is input too). The lints would refuse every
//! certificate of an inconsistent profile; this says why once, at load time.

use super::{KeyRule, KeyUsageBit, Presence, Profile};
use crate::Error;
use crate::oid;

/// What makes a profile unusable.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ProfileDefect {
    /// No key rule: no certificate could be issued.
    #[error("no public key rule")]
    NoKeyRule,
    /// An EC rule with no curve.
    #[error("EC key rule without curves")]
    NoCurve,
    /// An RSA minimum below 2048 bits (C2PA 2.2 §14.5.1.1).
    #[error("RSA minimum of {min_bits} bits is below 2048")]
    RsaMinimumTooSmall {
        /// The configured minimum.
        min_bits: u32,
    },
    /// No signature algorithm family.
    #[error("no signature algorithm")]
    NoSignatureAlgorithm,
    /// A default validity of zero days, or above the maximum.
    #[error("default validity {default_days} days is zero or above the maximum")]
    DefaultValidity {
        /// The default.
        default_days: u32,
    },
    /// No key usage bit (RFC 5280 §4.2.1.3: at least one).
    #[error("no key usage bit")]
    NoKeyUsage,
    /// `keyCertSign` without `cA`, or `cA` without `keyCertSign` (RFC 5280 §4.2.1.9).
    #[error("cA and keyCertSign disagree")]
    CaKeyUsageMismatch,
    /// `pathLenConstraint` without `cA` (RFC 5280 §4.2.1.9).
    #[error("pathLenConstraint without cA")]
    PathLenWithoutCa,
    /// A CA profile without a mandatory SKI (RFC 5280 §4.2.1.2).
    #[error("CA profile without a mandatory subject key identifier")]
    CaWithoutSki,
    /// An end-entity profile without EKU (C2PA 2.2 §14.5.1.1).
    #[error("end-entity profile without extended key usage")]
    EndEntityWithoutEku,
    /// `anyExtendedKeyUsage` among the purposes (C2PA 2.2 §14.5.1.1).
    #[error("anyExtendedKeyUsage in the purposes")]
    AnyExtendedKeyUsage,
    /// The purposes written do not meet the profile's own EKU rule.
    #[error("the EKU purposes do not satisfy the EKU rule")]
    EkuPurposesInconsistent,
    /// `id-kp-timeStamping` or `id-kp-OCSPSigning` with another purpose (C2PA 2.2 §14.5.1.1).
    #[error("timeStamping or OCSPSigning mixed with other purposes")]
    EkuExclusivePurposeMixed,
    /// `id-pkix-ocsp-nocheck` in a profile that is not an OCSP responder.
    #[error("ocsp-nocheck without id-kp-OCSPSigning")]
    OcspNoCheckWithoutOcspSigning,
}

impl Profile {
    /// Checks the profile for internal consistency.
    ///
    /// # Errors
    /// [`Error::Profile`] listing every defect.
    pub fn validate(&self) -> Result<(), Error> {
        let mut defects = Vec::new();
        self.check_keys(&mut defects);
        if self.signature_algorithms.is_empty() {
            defects.push(ProfileDefect::NoSignatureAlgorithm);
        }
        let v = &self.validity;
        if v.default_days == 0 || v.max_days.is_some_and(|max| v.default_days > max) {
            defects.push(ProfileDefect::DefaultValidity {
                default_days: v.default_days,
            });
        }
        self.check_ca(&mut defects);
        self.check_eku(&mut defects);
        if defects.is_empty() {
            Ok(())
        } else {
            Err(Error::Profile {
                name: self.name.clone(),
                defects,
            })
        }
    }

    fn check_keys(&self, defects: &mut Vec<ProfileDefect>) {
        if self.public_keys.is_empty() {
            defects.push(ProfileDefect::NoKeyRule);
        }
        for rule in &self.public_keys {
            match rule {
                KeyRule::Rsa { min_bits } if *min_bits < 2048 => {
                    defects.push(ProfileDefect::RsaMinimumTooSmall {
                        min_bits: *min_bits,
                    });
                }
                KeyRule::Ec { curves } if curves.is_empty() => {
                    defects.push(ProfileDefect::NoCurve);
                }
                _ => {}
            }
        }
    }

    fn check_ca(&self, defects: &mut Vec<ProfileDefect>) {
        let bc = &self.basic_constraints;
        if self.key_usage.bits.is_empty() {
            defects.push(ProfileDefect::NoKeyUsage);
        }
        if bc.ca != self.key_usage.bits.contains(&KeyUsageBit::KeyCertSign) {
            defects.push(ProfileDefect::CaKeyUsageMismatch);
        }
        if bc.path_len.is_some() && !bc.ca {
            defects.push(ProfileDefect::PathLenWithoutCa);
        }
        if bc.ca && self.subject_key_identifier != Presence::Must {
            defects.push(ProfileDefect::CaWithoutSki);
        }
    }

    fn check_eku(&self, defects: &mut Vec<ProfileDefect>) {
        let Some(eku) = &self.extended_key_usage else {
            if !self.basic_constraints.ca {
                defects.push(ProfileDefect::EndEntityWithoutEku);
            }
            if self.ocsp_no_check {
                defects.push(ProfileDefect::OcspNoCheckWithoutOcspSigning);
            }
            return;
        };
        let p = &eku.purposes;
        if p.contains(&oid::ANY_EXTENDED_KEY_USAGE) {
            defects.push(ProfileDefect::AnyExtendedKeyUsage);
        }
        let consistent = !p.is_empty()
            && eku.required.iter().all(|r| p.contains(r))
            && (eku.one_of.is_empty() || eku.one_of.iter().any(|o| p.contains(o)))
            && (!eku.exclusive
                || p.iter()
                    .all(|x| eku.required.contains(x) || eku.one_of.contains(x)));
        if !consistent {
            defects.push(ProfileDefect::EkuPurposesInconsistent);
        }
        for exclusive in [oid::ID_KP_TIME_STAMPING, oid::ID_KP_OCSP_SIGNING] {
            if p.contains(&exclusive) && p.iter().any(|x| *x != exclusive) {
                defects.push(ProfileDefect::EkuExclusivePurposeMixed);
            }
        }
        if self.ocsp_no_check && !p.contains(&oid::ID_KP_OCSP_SIGNING) {
            defects.push(ProfileDefect::OcspNoCheckWithoutOcspSigning);
        }
    }
}
