//! The C2PA certificate profile (C2PA 2.2 §14.5.1) for certificates that sign claims,
//! time-stamps or OCSP responses.
//!
//! [`check_signing_certificate`] is public so that a claim generator can refuse to sign with a
//! non-conforming certificate (§13.2.5). It checks, in order:
//!
//! 1. `signatureAlgorithm` is ECDSA with SHA-256/384/512, `sha{256,384,512}WithRSAEncryption`,
//!    RSASSA-PSS (hash SHA-256/384/512 present, MGF1 present with the same hash) or Ed25519;
//! 2. the public key is P-256/P-384/P-521, Ed25519, or RSA of at least 2048 bits;
//! 3. version 3, no `issuerUniqueID`/`subjectUniqueID`;
//! 4. not a CA (`cA` asserted → [`ProfileError::CaCertificate`], which §14.5.1.2 maps to
//!    `signingCredential.untrusted`), `keyCertSign` only with `cA`;
//! 5. authority key identifier present unless self-issued;
//! 6. key usage present with `digitalSignature`;
//! 7. EKU present, non-empty, without `anyExtendedKeyUsage`; `id-kp-timeStamping` and
//!    `id-kp-OCSPSigning` each exclusive of every other EKU;
//! 8. the purpose: an accepted claim-signing EKU, `id-kp-timeStamping`, or `id-kp-OCSPSigning`.
//!
//! Certificates in the private credential store skip rules 3–7 (§14.5.1.1).

use signet_asn1_types::algorithm::{
    ECDSA_WITH_SHA256, ECDSA_WITH_SHA384, ECDSA_WITH_SHA512, ID_ED25519, ID_MGF1, ID_RSASSA_PSS,
    ID_SHA256, ID_SHA384, ID_SHA512, RsaPssParams, SHA256_WITH_RSA_ENCRYPTION,
    SHA384_WITH_RSA_ENCRYPTION, SHA512_WITH_RSA_ENCRYPTION,
};
use signet_asn1_types::const_oid::ObjectIdentifier;
use signet_asn1_types::der::asn1::UintRef;
use signet_asn1_types::der::{Decode, Encode, Reader, SliceReader};
use signet_asn1_types::spki::AlgorithmIdentifierOwned;
use signet_asn1_types::x509_cert::certificate::Version;

use crate::cert::{Cert, CertError};
use crate::trust::{ANY_EXTENDED_KEY_USAGE, ID_KP_OCSP_SIGNING, ID_KP_TIME_STAMPING};

/// `id-ecPublicKey` (RFC 5480 §2.1.1).
const ID_EC_PUBLIC_KEY: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.2.1");
/// `prime256v1` (RFC 5480 §2.1.1.1).
const PRIME256V1: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.3.1.7");
/// `secp384r1`.
const SECP384R1: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.132.0.34");
/// `secp521r1`.
const SECP521R1: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.132.0.35");
/// `rsaEncryption` (RFC 8017 appendix A.1).
const RSA_ENCRYPTION: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.1");

/// What a certificate is being checked for.
#[derive(Debug, Clone, Copy)]
pub enum Purpose<'a> {
    /// Signing C2PA claims; the certificate needs at least one of these EKUs.
    ClaimSigning(&'a [ObjectIdentifier]),
    /// Signing RFC 3161 time-stamps (`id-kp-timeStamping`).
    TimeStamping,
    /// Signing OCSP responses (`id-kp-OCSPSigning`).
    OcspSigning,
}

/// A rule of §14.5.1 the certificate breaks.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ProfileError {
    /// The certificate cannot be decoded.
    #[error("certificate: {0}")]
    Cert(#[from] CertError),
    /// The signature algorithm is not one §14.5.1.1 allows.
    #[error("signature algorithm {oid} is not allowed (C2PA 2.2 §14.5.1.1)")]
    SignatureAlgorithm {
        /// The `signatureAlgorithm` OID.
        oid: ObjectIdentifier,
    },
    /// RSASSA-PSS parameters break §14.5.1.1 (hash absent or not SHA-2, MGF1 absent or with a
    /// different hash).
    #[error("RSASSA-PSS parameters not allowed: {what}")]
    PssParameters {
        /// What is wrong.
        what: &'static str,
    },
    /// The public key type is not allowed.
    #[error("public key algorithm {oid} is not allowed")]
    KeyAlgorithm {
        /// The SPKI algorithm OID.
        oid: ObjectIdentifier,
    },
    /// The EC curve is not P-256, P-384 or P-521.
    #[error("elliptic curve not allowed (P-256, P-384 and P-521 are)")]
    Curve,
    /// The RSA modulus is shorter than 2048 bits (or not a whole number of bytes).
    #[error("RSA modulus of {bits} bits (at least 2048, a multiple of 8, is required)")]
    RsaTooSmall {
        /// The modulus length.
        bits: usize,
    },
    /// The public key cannot be parsed.
    #[error("malformed public key")]
    MalformedKey,
    /// Not a version 3 certificate.
    #[error("not an X.509 v3 certificate")]
    NotV3,
    /// `issuerUniqueID` or `subjectUniqueID` present.
    #[error("issuerUniqueID or subjectUniqueID present")]
    UniqueId,
    /// A CA certificate (`cA` asserted) used as a signer: §14.5.1.2 rejects it with
    /// `signingCredential.untrusted`.
    #[error("a CA certificate cannot sign claims, time-stamps or OCSP responses")]
    CaCertificate,
    /// `keyCertSign` asserted without `cA`.
    #[error("keyCertSign asserted in a certificate that is not a CA")]
    KeyCertSignWithoutCa,
    /// No authority key identifier in a certificate that is not self-issued.
    #[error("authority key identifier missing")]
    AuthorityKeyIdMissing,
    /// No key usage extension.
    #[error("key usage extension missing")]
    KeyUsageMissing,
    /// Key usage without `digitalSignature`.
    #[error("key usage does not assert digitalSignature")]
    DigitalSignatureMissing,
    /// No EKU extension.
    #[error("extended key usage extension missing")]
    EkuMissing,
    /// An empty EKU extension.
    #[error("extended key usage extension is empty")]
    EkuEmpty,
    /// `anyExtendedKeyUsage` present.
    #[error("anyExtendedKeyUsage is not allowed")]
    AnyEku,
    /// `id-kp-timeStamping` or `id-kp-OCSPSigning` together with another EKU.
    #[error("id-kp-timeStamping / id-kp-OCSPSigning must be the only EKU")]
    ExclusiveEku,
    /// The certificate is not authorised for the purpose (its EKUs hold none required).
    #[error("certificate is not authorised for this purpose (EKUs {present:?})")]
    WrongPurpose {
        /// The EKUs present.
        present: Vec<ObjectIdentifier>,
    },
}

/// Checks the §14.5.1 profile of a signing certificate (DER) for `purpose`.
pub fn check_signing_certificate(der: &[u8], purpose: Purpose<'_>) -> Result<(), ProfileError> {
    let cert = Cert::from_der(der)?;
    check(&cert, purpose, false)
}

/// Checks the profile; `private` (a private-credential-store certificate) skips the rules that
/// §14.5.1.1 applies only to other certificates.
pub(crate) fn check(cert: &Cert, purpose: Purpose<'_>, private: bool) -> Result<(), ProfileError> {
    let tbs = cert.inner().tbs_certificate();
    check_signature_algorithm(cert.inner().signature_algorithm())?;
    check_public_key(cert)?;
    if !private {
        if tbs.version() != Version::V3 {
            return Err(ProfileError::NotV3);
        }
        if tbs.issuer_unique_id().is_some() || tbs.subject_unique_id().is_some() {
            return Err(ProfileError::UniqueId);
        }
        if cert.is_ca()? {
            return Err(ProfileError::CaCertificate);
        }
        let ku = cert.key_usage()?.ok_or(ProfileError::KeyUsageMissing)?;
        if ku.key_cert_sign() {
            return Err(ProfileError::KeyCertSignWithoutCa);
        }
        if !cert.is_self_issued() && !cert.has_authority_key_id()? {
            return Err(ProfileError::AuthorityKeyIdMissing);
        }
        if !ku.digital_signature() {
            return Err(ProfileError::DigitalSignatureMissing);
        }
    }
    let ekus = cert.ekus()?;
    if !private {
        let ekus = ekus.as_ref().ok_or(ProfileError::EkuMissing)?;
        if ekus.is_empty() {
            return Err(ProfileError::EkuEmpty);
        }
        if ekus.contains(&ANY_EXTENDED_KEY_USAGE) {
            return Err(ProfileError::AnyEku);
        }
        let special = ekus
            .iter()
            .filter(|e| **e == ID_KP_TIME_STAMPING || **e == ID_KP_OCSP_SIGNING)
            .count();
        if special > 0 && ekus.len() != 1 {
            return Err(ProfileError::ExclusiveEku);
        }
    }
    let present = ekus.unwrap_or_default();
    let authorised = match purpose {
        Purpose::ClaimSigning(accepted) => present.iter().any(|e| accepted.contains(e)),
        Purpose::TimeStamping => present.contains(&ID_KP_TIME_STAMPING),
        Purpose::OcspSigning => present.contains(&ID_KP_OCSP_SIGNING),
    };
    // A private credential without an EKU extension is trusted for claim signing directly.
    let authorised = authorised || (private && present.is_empty());
    if !authorised {
        return Err(ProfileError::WrongPurpose { present });
    }
    Ok(())
}

/// Rule 1: the certificate's `signatureAlgorithm`.
pub(crate) fn check_signature_algorithm(ai: &AlgorithmIdentifierOwned) -> Result<(), ProfileError> {
    match ai.oid {
        ECDSA_WITH_SHA256
        | ECDSA_WITH_SHA384
        | ECDSA_WITH_SHA512
        | ID_ED25519
        | SHA256_WITH_RSA_ENCRYPTION
        | SHA384_WITH_RSA_ENCRYPTION
        | SHA512_WITH_RSA_ENCRYPTION => Ok(()),
        ID_RSASSA_PSS => {
            let bad = |what| ProfileError::PssParameters { what };
            let params = ai.parameters.as_ref().ok_or(bad("parameters absent"))?;
            let der = params.to_der().map_err(|_| bad("parameters malformed"))?;
            let params = RsaPssParams::from_der(&der).map_err(|_| bad("parameters malformed"))?;
            let hash = params
                .hash_algorithm
                .as_ref()
                .ok_or(bad("hashAlgorithm absent"))?
                .oid;
            if ![ID_SHA256, ID_SHA384, ID_SHA512].contains(&hash) {
                return Err(bad("hashAlgorithm is not SHA-256, SHA-384 or SHA-512"));
            }
            let mgf = params
                .mask_gen_algorithm
                .as_ref()
                .ok_or(bad("maskGenAlgorithm absent"))?;
            if mgf.oid != ID_MGF1 {
                return Err(bad("maskGenAlgorithm is not MGF1"));
            }
            let mgf_hash = mgf
                .parameters
                .as_ref()
                .and_then(|p| p.decode_as::<AlgorithmIdentifierOwned>().ok())
                .ok_or(bad("MGF1 hash absent"))?;
            if mgf_hash.oid != hash {
                return Err(bad("MGF1 hash differs from hashAlgorithm"));
            }
            Ok(())
        }
        oid => Err(ProfileError::SignatureAlgorithm { oid }),
    }
}

/// Rule 2: the subject public key.
pub(crate) fn check_public_key(cert: &Cert) -> Result<(), ProfileError> {
    let spki = cert.inner().tbs_certificate().subject_public_key_info();
    match spki.algorithm.oid {
        ID_EC_PUBLIC_KEY => {
            let curve = spki
                .algorithm
                .parameters
                .as_ref()
                .and_then(|p| p.decode_as::<ObjectIdentifier>().ok())
                .ok_or(ProfileError::Curve)?;
            if [PRIME256V1, SECP384R1, SECP521R1].contains(&curve) {
                Ok(())
            } else {
                Err(ProfileError::Curve)
            }
        }
        ID_ED25519 => Ok(()),
        RSA_ENCRYPTION | ID_RSASSA_PSS => {
            let key = spki
                .subject_public_key
                .as_bytes()
                .ok_or(ProfileError::MalformedKey)?;
            let bits = rsa_modulus_bits(key).ok_or(ProfileError::MalformedKey)?;
            if bits < 2048 || bits % 8 != 0 {
                Err(ProfileError::RsaTooSmall { bits })
            } else {
                Ok(())
            }
        }
        oid => Err(ProfileError::KeyAlgorithm { oid }),
    }
}

/// The bit length of the modulus of a PKCS#1 `RSAPublicKey` (RFC 8017 appendix A.1.1).
pub(crate) fn rsa_modulus_bits(der: &[u8]) -> Option<usize> {
    let mut reader = SliceReader::new(der).ok()?;
    let modulus = reader
        .sequence(|r| {
            let n = UintRef::decode(r)?;
            let _e = UintRef::decode(r)?;
            Ok::<_, signet_asn1_types::der::Error>(n.as_bytes().to_vec())
        })
        .ok()?;
    let first = *modulus.first()?;
    let top = usize::try_from(u8::BITS.saturating_sub(first.leading_zeros())).ok()?;
    Some(
        modulus
            .len()
            .saturating_sub(1)
            .saturating_mul(8)
            .saturating_add(top),
    )
}

pub mod path;

#[cfg(test)]
mod tests;
