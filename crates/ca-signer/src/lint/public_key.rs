//! Lint: the subject public key is of a type, size and curve the profile allows, and well
//! formed.
//!
//! - C2PA 2.2 §14.5.1.1: EC keys on prime256v1, secp384r1 or secp521r1 (RFC 5480 §2.1.1.1);
//!   RSA moduli of at least 2048 bits; the conformance profiles raise CA keys to 3072 bits.
//! - RFC 3279 §2.3.1: `rsaEncryption` parameters MUST be NULL. RFC 5480 §2.1.1: `id-ecPublicKey`
//!   parameters are a `namedCurve`; §2.2: the uncompressed form MUST be supported (Signet
//!   issues only uncompressed points). RFC 8410 §3: Ed25519 parameters MUST be absent.
//! - CA/B BR §6.1.6: the RSA public exponent is an odd number in 2^16+1 ..= 2^256-1, and the
//!   modulus is odd with no factors smaller than 752.
//!
//! Whether an EC point lies on its curve is proven by the proof-of-possession signature check
//! (`crmf`), which verifies a signature under the key.
//!
//! ```text
//! RSAPublicKey ::= SEQUENCE {
//!     modulus            INTEGER,    -- n
//!     publicExponent     INTEGER  }  -- e
//! ECParameters ::= CHOICE { namedCurve OBJECT IDENTIFIER … }
//! ```

use der::Sequence;
use der::asn1::UintRef;
use signet_asn1_types::const_oid::ObjectIdentifier;
use signet_asn1_types::der::{Decode, Tag, Tagged};
use signet_asn1_types::spki::SubjectPublicKeyInfoOwned;
use signet_asn1_types::x509_cert::TbsCertificate;

use super::{CertContext, LintError};
use crate::limits::MAX_RSA_MODULUS_BITS;
use crate::oid;
use crate::profile::{Curve, KeyRule};

/// C2PA 2.2 §14.5.1.1: no RSA modulus below 2048 bits, whatever a profile says.
pub const MIN_RSA_MODULUS_BITS: u32 = 2048;

/// `RSAPublicKey` (RFC 8017 Appendix A.1.1).
#[derive(Sequence)]
pub(crate) struct RsaPublicKey<'a> {
    pub(crate) modulus: UintRef<'a>,
    pub(crate) public_exponent: UintRef<'a>,
}

/// A public key, classified.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum KeyKind<'a> {
    Rsa {
        modulus: &'a [u8],
        exponent: &'a [u8],
    },
    Ec {
        curve: Option<Curve>,
        curve_oid: Option<ObjectIdentifier>,
        point: &'a [u8],
    },
    Ed25519 {
        key: &'a [u8],
        parameters: bool,
    },
    Other {
        oid: ObjectIdentifier,
    },
}

pub(crate) fn curve_of(oid: ObjectIdentifier) -> Option<Curve> {
    match oid {
        oid::SECP_256_R_1 => Some(Curve::P256),
        oid::SECP_384_R_1 => Some(Curve::P384),
        oid::SECP_521_R_1 => Some(Curve::P521),
        _ => None,
    }
}

/// Classifies `spki`; `Err` when its parts do not decode.
pub(crate) fn classify(spki: &SubjectPublicKeyInfoOwned) -> Result<KeyKind<'_>, LintError> {
    let key = spki
        .subject_public_key
        .as_bytes()
        .ok_or(LintError::KeyMalformed)?;
    match spki.algorithm.oid {
        oid::RSA_ENCRYPTION => {
            if !spki
                .algorithm
                .parameters
                .as_ref()
                .is_some_and(|p| p.is_null())
            {
                return Err(LintError::KeyMalformed);
            }
            let rsa = RsaPublicKey::from_der(key).map_err(|_| LintError::KeyMalformed)?;
            Ok(KeyKind::Rsa {
                modulus: rsa.modulus.as_bytes(),
                exponent: rsa.public_exponent.as_bytes(),
            })
        }
        oid::ID_EC_PUBLIC_KEY => {
            let curve_oid = spki
                .algorithm
                .parameters
                .as_ref()
                .filter(|p| p.tag() == Tag::ObjectIdentifier)
                .and_then(|p| p.decode_as::<ObjectIdentifier>().ok());
            Ok(KeyKind::Ec {
                curve: curve_oid.and_then(curve_of),
                curve_oid,
                point: key,
            })
        }
        oid::ID_ED25519 => Ok(KeyKind::Ed25519 {
            key,
            parameters: spki.algorithm.parameters.is_some(),
        }),
        other => Ok(KeyKind::Other { oid: other }),
    }
}

/// Bits in a big-endian magnitude.
pub(crate) fn bit_len(magnitude: &[u8]) -> u32 {
    let start = magnitude
        .iter()
        .position(|b| *b != 0)
        .unwrap_or(magnitude.len());
    let trimmed = magnitude.get(start..).unwrap_or_default();
    match trimmed.first() {
        None => 0,
        Some(first) => {
            let rest = u32::try_from(trimmed.len().saturating_sub(1))
                .unwrap_or(u32::MAX / 16)
                .saturating_mul(8);
            rest.saturating_add(8 - first.leading_zeros())
        }
    }
}

/// `magnitude mod p` for a small `p`.
pub(crate) fn mod_small(magnitude: &[u8], p: u32) -> u32 {
    magnitude
        .iter()
        .fold(0_u32, |acc, b| (acc * 256 + u32::from(*b)) % p)
}

/// The primes below 752 (BR §6.1.6), by trial division.
fn small_primes() -> impl Iterator<Item = u32> {
    (3_u32..752).filter(|n| (2..*n).take_while(|d| d * d <= *n).all(|d| n % d != 0))
}

fn check_rsa(modulus: &[u8], exponent: &[u8], min_bits: u32, out: &mut Vec<LintError>) {
    let bits = bit_len(modulus);
    let min_bits = min_bits.max(MIN_RSA_MODULUS_BITS);
    if bits < min_bits {
        out.push(LintError::RsaModulusTooSmall { bits, min_bits });
    }
    if bits > MAX_RSA_MODULUS_BITS {
        out.push(LintError::RsaModulusTooLarge { bits });
        return;
    }
    if modulus.last().is_none_or(|b| b & 1 == 0) {
        out.push(LintError::RsaModulusSmallFactor { factor: 2 });
    } else if let Some(factor) = small_primes().find(|p| mod_small(modulus, *p) == 0) {
        out.push(LintError::RsaModulusSmallFactor { factor });
    }
    // 2^16 + 1 <= e <= 2^256 - 1, e odd.
    let e_bits = bit_len(exponent);
    let odd = exponent.last().is_some_and(|b| b & 1 == 1);
    if !odd || !(17..=256).contains(&e_bits) {
        out.push(LintError::RsaExponentInvalid);
    }
}

/// Uncompressed point length for `curve` (RFC 5480 §2.2, SEC 1 §2.3.3).
fn point_len(curve: Curve) -> usize {
    match curve {
        Curve::P256 => 65,
        Curve::P384 => 97,
        Curve::P521 => 133,
    }
}

pub(crate) fn check(tbs: &TbsCertificate, cx: &CertContext<'_>, out: &mut Vec<LintError>) {
    let spki = tbs.subject_public_key_info();
    let kind = match classify(spki) {
        Ok(kind) => kind,
        Err(e) => {
            out.push(e);
            return;
        }
    };
    let rules = &cx.profile.public_keys;
    let not_allowed = LintError::KeyTypeNotAllowed {
        oid: spki.algorithm.oid,
    };
    match kind {
        KeyKind::Rsa { modulus, exponent } => {
            match rules.iter().find_map(|r| match r {
                KeyRule::Rsa { min_bits } => Some(*min_bits),
                _ => None,
            }) {
                Some(min_bits) => check_rsa(modulus, exponent, min_bits, out),
                None => out.push(not_allowed),
            }
        }
        KeyKind::Ec {
            curve,
            curve_oid,
            point,
        } => {
            let allowed: Vec<Curve> = rules
                .iter()
                .filter_map(|r| match r {
                    KeyRule::Ec { curves } => Some(curves.clone()),
                    _ => None,
                })
                .flatten()
                .collect();
            if allowed.is_empty() {
                out.push(not_allowed);
                return;
            }
            match curve {
                Some(c) if allowed.contains(&c) => {
                    if point.len() != point_len(c) || point.first() != Some(&0x04) {
                        out.push(LintError::EcPointInvalid);
                    }
                }
                _ => out.push(LintError::EcCurveNotAllowed { curve: curve_oid }),
            }
        }
        KeyKind::Ed25519 { key, parameters } => {
            if !rules.contains(&KeyRule::Ed25519) {
                out.push(not_allowed);
            } else if parameters || key.len() != 32 {
                out.push(LintError::Ed25519KeyInvalid);
            }
        }
        KeyKind::Other { .. } => out.push(not_allowed),
    }
}
