//! CMP message protection (RFC 9810 §5.1.3; algorithms RFC 9481): verify and create
//! PasswordBasedMac, PBMAC1 and signature protection.
//!
//! Protection is always computed over `ProtectedPart ::= SEQUENCE { header, body }` built from
//! the **received** header and body bytes ([`DecodedMessage::protected_part_der`]), never from a
//! re-encoding. Iteration counts from the wire are checked against [`ProtectionPolicy`] before
//! any key derivation runs, so a hostile count costs nothing.
//!
//! Every failure maps to one `PKIFailureInfo` bit through [`ProtectionError::failure_bit`].

use core::ops::RangeInclusive;

use signet_asn1_types::algorithm::DigestAlgorithm;
use signet_asn1_types::cmp::{
    Pbkdf2Params, PbmParameter, Pbmac1Params, PkiBody, PkiFailureBit, PkiHeader, PkiMessage,
    ProtectedPart, oid,
};
use signet_asn1_types::const_oid::ObjectIdentifier;
use signet_asn1_types::crypto::{SignatureAlgorithm, SignatureVerifier, Signer};
use signet_asn1_types::der::asn1::{BitString, OctetString};
use signet_asn1_types::der::{Any, Decode, Encode};
use signet_asn1_types::spki::AlgorithmIdentifierOwned;
use signet_asn1_types::strict::DecodedMessage;
use zeroize::Zeroizing;

use crate::mac::{self, HmacAlgorithm, MacError};

mod keys;
pub use keys::{MacKey, MacKeyCache};

/// `hmac-sha1` (RFC 9481 §6.2.1; OpenSSL's default PBM MAC).
pub const HMAC_SHA1: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.5.5.8.1.2");
/// `id-hmacWithSHA1` (RFC 8018).
pub const HMAC_WITH_SHA1: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.2.7");
/// `id-hmacWithSHA256` (RFC 9481 §6.2.1).
pub const HMAC_WITH_SHA256: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.2.9");
/// `id-hmacWithSHA384`.
pub const HMAC_WITH_SHA384: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.2.10");
/// `id-hmacWithSHA512`.
pub const HMAC_WITH_SHA512: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.2.11");

/// What a receiver accepts in MAC-based protection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProtectionPolicy {
    /// Accepted PasswordBasedMac `iterationCount` values. Default 100..=100,000: RFC 9481 §6.1.1
    /// asks for a count that makes dictionary attacks expensive; OpenSSL sends 500; the upper
    /// bound keeps one request below a few milliseconds of CPU.
    pub pbm_iterations: RangeInclusive<u64>,
    /// Accepted PBKDF2 `iterationCount` values for PBMAC1. Default 1,000..=600,000: RFC 9481
    /// §6.1.1 recommends at least 1,000 for PBKDF2-HMAC-SHA256; current clients send 262,144
    /// (about 0.1 s of CPU once per transaction, the derived key being cached), and 600,000 is
    /// OWASP's 2023 figure for PBKDF2-HMAC-SHA256. Anything above is refused before any work,
    /// so a hostile 10^9 costs nothing.
    pub pbkdf2_iterations: RangeInclusive<u64>,
    /// Largest PBKDF2 `keyLength` accepted, in bytes. The key only feeds HMAC, so anything past
    /// the HMAC block size buys nothing; 4,096 accepts Siemens' LightweightCmpRa defaults while
    /// bounding the work (`keyLength / hLen` PBKDF2 blocks).
    pub max_pbkdf2_key_len: usize,
    /// Accepted salt lengths of PasswordBasedMac and PBKDF2, in bytes (checked before any
    /// work). Default 8..=64: RFC 8018 §4.1 asks for at least eight octets; clients send 16
    /// (OpenSSL, Signet) to 20, and the upper bound keeps a hostile salt from being hashed and
    /// echoed in responses (a 200 KB salt was).
    pub salt_len: RangeInclusive<usize>,
}

impl Default for ProtectionPolicy {
    fn default() -> Self {
        Self {
            pbm_iterations: 100..=100_000,
            pbkdf2_iterations: 1_000..=600_000,
            max_pbkdf2_key_len: 4_096,
            salt_len: 8..=64,
        }
    }
}

/// The protection a message carries, from `protectionAlg`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ProtectionKind {
    /// PasswordBasedMac (RFC 9810 §5.1.3.1).
    PasswordBasedMac(PbmParameter),
    /// PBMAC1 (RFC 8018 §7.1, RFC 9481 §6.1.1).
    Pbmac1(Pbmac1Params),
    /// A signature (RFC 9810 §5.1.3.3).
    Signature(SignatureAlgorithm),
}

/// Why protection could not be verified or created.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ProtectionError {
    /// No `protection` or no `protectionAlg`.
    #[error("message is not protected")]
    Missing,
    /// `protectionAlg` names an algorithm Signet does not accept.
    #[error("protection algorithm {oid} is not supported")]
    UnsupportedAlgorithm {
        /// The algorithm.
        oid: ObjectIdentifier,
    },
    /// The algorithm parameters do not decode or are out of range.
    #[error("malformed protection parameters: {what}")]
    MalformedParameters {
        /// What is wrong.
        what: &'static str,
    },
    /// An iteration count outside the policy (checked before any work).
    #[error("iteration count {count} outside the accepted {min}..={max}")]
    IterationsOutOfRange {
        /// The count received.
        count: u64,
        /// Policy minimum.
        min: u64,
        /// Policy maximum.
        max: u64,
    },
    /// A salt length outside the policy (checked before any work).
    #[error("salt of {len} bytes outside the accepted {min}..={max}")]
    SaltLengthOutOfRange {
        /// The length received.
        len: usize,
        /// Policy minimum.
        min: usize,
        /// Policy maximum.
        max: usize,
    },
    /// The MAC does not match (wrong secret or altered message).
    #[error("MAC-based protection does not verify")]
    MacMismatch,
    /// The signature does not verify.
    #[error("signature-based protection does not verify")]
    SignatureInvalid,
    /// MAC protection where a signature is required, or the reverse.
    #[error("protection type not allowed here")]
    WrongType,
    /// Encoding a message failed.
    #[error("encoding the protected part failed")]
    Encoding,
}

impl ProtectionError {
    /// The `PKIFailureInfo` bit this failure is reported with (RFC 9810 §5.2.3).
    pub fn failure_bit(&self) -> PkiFailureBit {
        match self {
            Self::UnsupportedAlgorithm { .. } => PkiFailureBit::BadAlg,
            Self::MalformedParameters { .. } => PkiFailureBit::BadDataFormat,
            Self::WrongType => PkiFailureBit::WrongIntegrity,
            Self::Encoding => PkiFailureBit::SystemFailure,
            Self::Missing
            | Self::IterationsOutOfRange { .. }
            | Self::SaltLengthOutOfRange { .. }
            | Self::MacMismatch
            | Self::SignatureInvalid => PkiFailureBit::BadMessageCheck,
        }
    }
}

fn params<T: for<'a> Decode<'a, Error = signet_asn1_types::der::Error>>(
    p: &Option<Any>,
    what: &'static str,
) -> Result<T, ProtectionError> {
    let any = p
        .as_ref()
        .ok_or(ProtectionError::MalformedParameters { what })?;
    let der = any
        .to_der()
        .map_err(|_| ProtectionError::MalformedParameters { what })?;
    T::from_der(&der).map_err(|_| ProtectionError::MalformedParameters { what })
}

/// Classifies `protectionAlg`.
pub fn kind(header: &PkiHeader) -> Result<ProtectionKind, ProtectionError> {
    let alg = header
        .protection_alg
        .as_ref()
        .ok_or(ProtectionError::Missing)?;
    kind_of(alg)
}

/// Classifies a `protectionAlg` value.
pub fn kind_of(alg: &AlgorithmIdentifierOwned) -> Result<ProtectionKind, ProtectionError> {
    match alg.oid {
        oid::PASSWORD_BASED_MAC => Ok(ProtectionKind::PasswordBasedMac(params(
            &alg.parameters,
            "PBMParameter",
        )?)),
        oid::PBMAC1 => Ok(ProtectionKind::Pbmac1(params(
            &alg.parameters,
            "PBMAC1-params",
        )?)),
        other => SignatureAlgorithm::from_algorithm_identifier_owned(alg)
            .map(ProtectionKind::Signature)
            .map_err(|_| ProtectionError::UnsupportedAlgorithm { oid: other }),
    }
}

fn hmac_alg(ai: &AlgorithmIdentifierOwned) -> Result<HmacAlgorithm, ProtectionError> {
    match ai.oid {
        HMAC_SHA1 | HMAC_WITH_SHA1 => Ok(HmacAlgorithm::Sha1),
        HMAC_WITH_SHA256 => Ok(HmacAlgorithm::Sha256),
        HMAC_WITH_SHA384 => Ok(HmacAlgorithm::Sha384),
        HMAC_WITH_SHA512 => Ok(HmacAlgorithm::Sha512),
        oid => Err(ProtectionError::UnsupportedAlgorithm { oid }),
    }
}

fn digest_alg(ai: &AlgorithmIdentifierOwned) -> Result<DigestAlgorithm, ProtectionError> {
    DigestAlgorithm::from_oid(ai.oid)
        .map_err(|_| ProtectionError::UnsupportedAlgorithm { oid: ai.oid })
}

fn int_u64(
    i: &signet_asn1_types::der::asn1::Int,
    what: &'static str,
) -> Result<u64, ProtectionError> {
    let bytes = i.as_bytes();
    if bytes.first().is_some_and(|b| b & 0x80 != 0) || bytes.len() > 9 {
        return Err(ProtectionError::MalformedParameters { what });
    }
    let trimmed = bytes.strip_prefix(&[0u8]).unwrap_or(bytes);
    if trimmed.len() > 8 {
        return Err(ProtectionError::MalformedParameters { what });
    }
    Ok(trimmed
        .iter()
        .fold(0u64, |acc, b| (acc << 8) | u64::from(*b)))
}

fn salt_in_range(salt: &[u8], range: &RangeInclusive<usize>) -> Result<(), ProtectionError> {
    if range.contains(&salt.len()) {
        Ok(())
    } else {
        Err(ProtectionError::SaltLengthOutOfRange {
            len: salt.len(),
            min: *range.start(),
            max: *range.end(),
        })
    }
}

fn in_range(count: u64, range: &RangeInclusive<u64>) -> Result<(), ProtectionError> {
    if range.contains(&count) {
        Ok(())
    } else {
        Err(ProtectionError::IterationsOutOfRange {
            count,
            min: *range.start(),
            max: *range.end(),
        })
    }
}

fn map_mac(e: MacError) -> ProtectionError {
    match e {
        MacError::Mismatch | MacError::TagLength { .. } => ProtectionError::MacMismatch,
        MacError::IterationCountTooLarge { count, max } => {
            ProtectionError::IterationsOutOfRange { count, min: 1, max }
        }
        MacError::IterationCountZero => ProtectionError::IterationsOutOfRange {
            count: 0,
            min: 1,
            max: 0,
        },
        MacError::KeyLength { .. } => ProtectionError::MalformedParameters {
            what: "PBKDF2 keyLength",
        },
        MacError::UnsupportedDigest { .. } => {
            ProtectionError::MalformedParameters { what: "digest" }
        }
    }
}

/// Computes the MAC value for `protected_part` under a MAC protection kind.
pub fn compute_mac(
    kind: &ProtectionKind,
    secret: &[u8],
    protected_part: &[u8],
    policy: &ProtectionPolicy,
) -> Result<Vec<u8>, ProtectionError> {
    let (hmac, key) = derive_key(kind, secret, policy)?;
    Ok(mac::hmac(hmac, &key, protected_part))
}

/// The HMAC and its key under a MAC protection kind: the PasswordBasedMac BASEKEY or the
/// PBMAC1 PBKDF2 output (the expensive part; [`MacKey`] keeps it for a transaction).
fn derive_key(
    kind: &ProtectionKind,
    secret: &[u8],
    policy: &ProtectionPolicy,
) -> Result<(HmacAlgorithm, Zeroizing<Vec<u8>>), ProtectionError> {
    match kind {
        ProtectionKind::PasswordBasedMac(p) => {
            let count = int_u64(&p.iteration_count, "iterationCount")?;
            in_range(count, &policy.pbm_iterations)?;
            salt_in_range(p.salt.as_bytes(), &policy.salt_len)?;
            let owf = digest_alg(&p.owf)?;
            let hmac = hmac_alg(&p.mac)?;
            let key = mac::pbm_basekey(
                owf,
                secret,
                p.salt.as_bytes(),
                count,
                *policy.pbm_iterations.end(),
            )
            .map_err(map_mac)?;
            Ok((hmac, key))
        }
        ProtectionKind::Pbmac1(p) => {
            if p.key_derivation_func.oid != oid::PBKDF2 {
                return Err(ProtectionError::UnsupportedAlgorithm {
                    oid: p.key_derivation_func.oid,
                });
            }
            let kdf: Pbkdf2Params = params(&p.key_derivation_func.parameters, "PBKDF2-params")?;
            let count = int_u64(&kdf.iteration_count, "PBKDF2 iterationCount")?;
            in_range(count, &policy.pbkdf2_iterations)?;
            salt_in_range(kdf.salt.as_bytes(), &policy.salt_len)?;
            let hmac = hmac_alg(&p.message_auth_scheme)?;
            let prf = match &kdf.prf {
                None => {
                    return Err(ProtectionError::UnsupportedAlgorithm {
                        oid: HMAC_WITH_SHA1,
                    });
                }
                Some(ai) => match hmac_alg(ai)? {
                    HmacAlgorithm::Sha256 => DigestAlgorithm::Sha256,
                    HmacAlgorithm::Sha384 => DigestAlgorithm::Sha384,
                    HmacAlgorithm::Sha512 => DigestAlgorithm::Sha512,
                    _ => return Err(ProtectionError::UnsupportedAlgorithm { oid: ai.oid }),
                },
            };
            let key_len = match &kdf.key_length {
                Some(l) => usize::try_from(int_u64(l, "PBKDF2 keyLength")?).map_err(|_| {
                    ProtectionError::MalformedParameters {
                        what: "PBKDF2 keyLength",
                    }
                })?,
                None => hmac.output_len(),
            };
            if key_len == 0 || key_len > policy.max_pbkdf2_key_len {
                return Err(ProtectionError::MalformedParameters {
                    what: "PBKDF2 keyLength",
                });
            }
            let key = pbkdf2_any_len(
                prf,
                secret,
                kdf.salt.as_bytes(),
                count,
                key_len,
                *policy.pbkdf2_iterations.end(),
            )?;
            Ok((hmac, Zeroizing::new(key)))
        }
        ProtectionKind::Signature(_) => Err(ProtectionError::WrongType),
    }
}

/// PBKDF2 for key lengths up to the policy bound (which may exceed `mac::MAX_PBKDF2_KEY_LEN`).
fn pbkdf2_any_len(
    prf: DigestAlgorithm,
    secret: &[u8],
    salt: &[u8],
    count: u64,
    key_len: usize,
    max_iterations: u64,
) -> Result<Vec<u8>, ProtectionError> {
    if key_len <= mac::MAX_PBKDF2_KEY_LEN {
        return mac::pbkdf2_hmac(prf, secret, salt, count, key_len, max_iterations)
            .map(|k| k.to_vec())
            .map_err(map_mac);
    }
    // PBKDF2 blocks are independent (RFC 8018 §5.2): derive the prefix in bounded pieces by
    // deriving the full length once, capped by the policy's `max_pbkdf2_key_len` checked above.
    let mut out = vec![0u8; key_len];
    let rounds = u32::try_from(count).map_err(|_| ProtectionError::IterationsOutOfRange {
        count,
        min: 1,
        max: u64::from(u32::MAX),
    })?;
    match prf {
        DigestAlgorithm::Sha256 => {
            pbkdf2::pbkdf2_hmac::<sha2::Sha256>(secret, salt, rounds, &mut out)
        }
        DigestAlgorithm::Sha384 => {
            pbkdf2::pbkdf2_hmac::<sha2::Sha384>(secret, salt, rounds, &mut out)
        }
        DigestAlgorithm::Sha512 => {
            pbkdf2::pbkdf2_hmac::<sha2::Sha512>(secret, salt, rounds, &mut out)
        }
        _ => return Err(ProtectionError::MalformedParameters { what: "PBKDF2 PRF" }),
    }
    Ok(out)
}

/// Verifies MAC-based protection with the shared `secret`: [`verify_mac_key`] with the key the
/// message's `protectionAlg` derives.
pub fn verify_mac(
    msg: &DecodedMessage,
    secret: &[u8],
    policy: &ProtectionPolicy,
) -> Result<(), ProtectionError> {
    let (_, alg) = protection_and_alg(msg)?;
    verify_mac_key(msg, &MacKey::derive(alg, secret, policy)?)
}

/// The message's `protection` and `protectionAlg`, each `Missing` when absent.
fn protection_and_alg(
    msg: &DecodedMessage,
) -> Result<(&BitString, &AlgorithmIdentifierOwned), ProtectionError> {
    let m = &msg.message;
    let protection = m.protection.as_ref().ok_or(ProtectionError::Missing)?;
    let alg = m
        .header
        .protection_alg
        .as_ref()
        .ok_or(ProtectionError::Missing)?;
    Ok((protection, alg))
}

/// Verifies MAC-based protection with a derived key. The key must be the one the message's
/// own `protectionAlg` names ([`MacKey::is_for`]); any other key is a mismatch.
pub fn verify_mac_key(msg: &DecodedMessage, key: &MacKey) -> Result<(), ProtectionError> {
    let (protection, alg) = protection_and_alg(msg)?;
    if !key.is_for(alg) {
        return Err(ProtectionError::MacMismatch);
    }
    let expected = key.mac(&msg.protected_part_der());
    let received = protection.as_bytes().ok_or(ProtectionError::MacMismatch)?;
    if constant_time_eq(&expected, received) {
        Ok(())
    } else {
        Err(ProtectionError::MacMismatch)
    }
}

/// Compares in time independent of where the inputs differ.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Verifies signature-based protection with the signer's public key (`spki_der`); the caller
/// decides whether that key is trusted for this sender.
pub fn verify_signature(
    msg: &DecodedMessage,
    spki_der: &[u8],
    verifier: &dyn SignatureVerifier,
) -> Result<(), ProtectionError> {
    let protection = msg
        .message
        .protection
        .as_ref()
        .ok_or(ProtectionError::Missing)?;
    let ProtectionKind::Signature(alg) = kind(&msg.message.header)? else {
        return Err(ProtectionError::WrongType);
    };
    let sig = protection
        .as_bytes()
        .ok_or(ProtectionError::SignatureInvalid)?;
    verifier
        .verify(alg, spki_der, &msg.protected_part_der(), sig)
        .map_err(|_| ProtectionError::SignatureInvalid)
}

/// Protects a message we create with a MAC (`header.protection_alg` must already name it).
pub fn protect_with_mac(
    header: PkiHeader,
    body: PkiBody,
    secret: &[u8],
    policy: &ProtectionPolicy,
) -> Result<PkiMessage, ProtectionError> {
    let kind = kind(&header)?;
    let part = ProtectedPart { header, body };
    let der = part.to_der().map_err(|_| ProtectionError::Encoding)?;
    let mac = compute_mac(&kind, secret, &der, policy)?;
    let protection = BitString::from_bytes(&mac).map_err(|_| ProtectionError::Encoding)?;
    Ok(PkiMessage {
        header: part.header,
        body: part.body,
        protection: Some(protection),
        extra_certs: None,
    })
}

/// Protects a message we create with a signature; sets `protectionAlg` from the signer.
pub fn protect_with_signature(
    mut header: PkiHeader,
    body: PkiBody,
    signer: &dyn Signer,
) -> Result<PkiMessage, ProtectionError> {
    header.protection_alg = Some(
        signer
            .algorithm()
            .to_algorithm_identifier()
            .map_err(|_| ProtectionError::Encoding)?,
    );
    let part = ProtectedPart { header, body };
    let der = part.to_der().map_err(|_| ProtectionError::Encoding)?;
    let sig = signer.sign(&der).map_err(|_| ProtectionError::Encoding)?;
    let protection = BitString::from_bytes(&sig).map_err(|_| ProtectionError::Encoding)?;
    Ok(PkiMessage {
        header: part.header,
        body: part.body,
        protection: Some(protection),
        extra_certs: None,
    })
}

/// Encodes a message we create in one pass: `ProtectedPart` is encoded once, `protect` computes
/// the protection over those bytes, and the `PKIMessage` is assembled around the same header
/// and body bytes with `extraCerts` (left out when empty) — nothing is encoded twice.
/// `header.protectionAlg` must already name the protection.
pub fn encode_protected(
    header: &PkiHeader,
    body: &PkiBody,
    protect: impl FnOnce(&[u8]) -> Result<Vec<u8>, ProtectionError>,
    extra_certs: &[&signet_asn1_types::x509_cert::Certificate],
) -> Result<Vec<u8>, ProtectionError> {
    use signet_asn1_types::der::{Header, Length, Tag, TagNumber};
    let enc = |_| ProtectionError::Encoding;
    let tlv = |tag: Tag, content: &[u8], out: &mut Vec<u8>| -> Result<(), ProtectionError> {
        let len = Length::try_from(content.len()).map_err(enc)?;
        Header::new(tag, len).encode_to_vec(out).map_err(enc)?;
        out.extend_from_slice(content);
        Ok(())
    };
    let mut inner = header.to_der().map_err(enc)?;
    body.encode_to_vec(&mut inner).map_err(enc)?;
    let mut part = Vec::with_capacity(inner.len() + 8);
    tlv(Tag::Sequence, &inner, &mut part)?;
    let protection = BitString::from_bytes(&protect(&part)?).map_err(enc)?;
    let explicit = |n: u32| Tag::ContextSpecific {
        constructed: true,
        number: TagNumber(n),
    };
    tlv(explicit(0), &protection.to_der().map_err(enc)?, &mut inner)?;
    if !extra_certs.is_empty() {
        let mut certs = Vec::new();
        for c in extra_certs {
            c.encode_to_vec(&mut certs).map_err(enc)?;
        }
        let mut seq = Vec::with_capacity(certs.len() + 8);
        tlv(Tag::Sequence, &certs, &mut seq)?;
        tlv(explicit(1), &seq, &mut inner)?;
    }
    let mut out = Vec::with_capacity(inner.len() + 8);
    tlv(Tag::Sequence, &inner, &mut out)?;
    Ok(out)
}

/// A DER INTEGER for a non-negative value, in its shortest form (X.690 §8.3.2).
fn minimal_int(value: u64) -> Result<signet_asn1_types::der::asn1::Int, ProtectionError> {
    let be = value.to_be_bytes();
    let start = be.iter().position(|b| *b != 0).unwrap_or(be.len() - 1);
    let mut bytes = be.get(start..).unwrap_or_default().to_vec();
    if bytes.first().is_some_and(|b| b & 0x80 != 0) {
        bytes.insert(0, 0);
    }
    signet_asn1_types::der::asn1::Int::new(&bytes).map_err(|_| ProtectionError::Encoding)
}

/// A PasswordBasedMac `protectionAlg` (SHA-256 OWF, HMAC-SHA256, the given salt and count).
pub fn pbm_algorithm(
    salt: &[u8],
    iterations: u32,
) -> Result<AlgorithmIdentifierOwned, ProtectionError> {
    pbm_algorithm_with(
        DigestAlgorithm::Sha256,
        HmacAlgorithm::Sha256,
        salt,
        iterations,
    )
}

fn hmac_oid(mac: HmacAlgorithm) -> ObjectIdentifier {
    match mac {
        HmacAlgorithm::Sha1 => HMAC_SHA1,
        HmacAlgorithm::Sha256 => HMAC_WITH_SHA256,
        HmacAlgorithm::Sha384 => HMAC_WITH_SHA384,
        HmacAlgorithm::Sha512 => HMAC_WITH_SHA512,
    }
}

fn any_of<T: Encode>(value: &T) -> Result<Any, ProtectionError> {
    let der = value.to_der().map_err(|_| ProtectionError::Encoding)?;
    Any::from_der(&der).map_err(|_| ProtectionError::Encoding)
}

/// A PasswordBasedMac `protectionAlg` (RFC 9810 §5.1.3.1) with the given one-way function,
/// MAC, salt and iteration count.
pub fn pbm_algorithm_with(
    owf: DigestAlgorithm,
    mac: HmacAlgorithm,
    salt: &[u8],
    iterations: u32,
) -> Result<AlgorithmIdentifierOwned, ProtectionError> {
    let p = PbmParameter {
        salt: OctetString::new(salt).map_err(|_| ProtectionError::Encoding)?,
        owf: owf.to_algorithm_identifier(),
        iteration_count: minimal_int(u64::from(iterations))?,
        mac: AlgorithmIdentifierOwned {
            oid: hmac_oid(mac),
            parameters: None,
        },
    };
    Ok(AlgorithmIdentifierOwned {
        oid: oid::PASSWORD_BASED_MAC,
        parameters: Some(any_of(&p)?),
    })
}

/// A PBMAC1 `protectionAlg` (RFC 9481 §6.1.1): PBKDF2 with `prf` (HMAC-SHA2), the given salt
/// and iteration count, a key as long as the MAC's output, and `mac` as message
/// authentication scheme.
pub fn pbmac1_algorithm(
    prf: HmacAlgorithm,
    mac: HmacAlgorithm,
    salt: &[u8],
    iterations: u32,
) -> Result<AlgorithmIdentifierOwned, ProtectionError> {
    if prf == HmacAlgorithm::Sha1 {
        // PBKDF2's default PRF is HMAC-SHA1, which RFC 9481 §6.1.1 does not allow here.
        return Err(ProtectionError::UnsupportedAlgorithm {
            oid: HMAC_WITH_SHA1,
        });
    }
    let key_len = u64::try_from(mac.output_len()).map_err(|_| ProtectionError::Encoding)?;
    let kdf = Pbkdf2Params {
        salt: OctetString::new(salt).map_err(|_| ProtectionError::Encoding)?,
        iteration_count: minimal_int(u64::from(iterations))?,
        key_length: Some(minimal_int(key_len)?),
        prf: Some(AlgorithmIdentifierOwned {
            oid: hmac_oid(prf),
            parameters: Some(Any::null()),
        }),
    };
    let params = Pbmac1Params {
        key_derivation_func: AlgorithmIdentifierOwned {
            oid: oid::PBKDF2,
            parameters: Some(any_of(&kdf)?),
        },
        message_auth_scheme: AlgorithmIdentifierOwned {
            oid: hmac_oid(mac),
            parameters: Some(Any::null()),
        },
    };
    Ok(AlgorithmIdentifierOwned {
        oid: oid::PBMAC1,
        parameters: Some(any_of(&params)?),
    })
}

#[cfg(test)]
mod tests;
