//! `certHash` of `certConf` (RFC 9810 §5.3.18): which digest, and the value.
//!
//! ```text
//! CertStatus ::= SEQUENCE {
//!    certHash    OCTET STRING,
//!    certReqId   INTEGER,
//!    statusInfo  PKIStatusInfo OPTIONAL,
//!    hashAlg [0] AlgorithmIdentifier{DIGEST-ALGORITHM, {...}} OPTIONAL }
//! ```
//!
//! "the certHash value SHALL be computed using the same hash algorithm as used to create and
//! verify the certificate signature or as specified for hashing certificates signed using the
//! signatureAlgorithm" — SHA-512 for Ed25519 (RFC 9481 §3.3). `hashAlg` (pvno 3 only) names the
//! digest explicitly and is needed only when the signature algorithm implies none.
//!
//! Client and server share this module, so both sides agree by construction and the tests of
//! each check the other.

use signet_asn1_types::algorithm::DigestAlgorithm;
use signet_asn1_types::cmp::PkiFailureBit;
use signet_asn1_types::crypto::SignatureAlgorithm;
use signet_asn1_types::der::{Decode, Encode};
use signet_asn1_types::spki::AlgorithmIdentifierOwned;
use signet_asn1_types::x509_cert::Certificate;

/// Why a certHash could not be computed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CertHashError {
    /// `hashAlg` names a digest Signet does not implement.
    #[error("certConf hashAlg not supported")]
    UnsupportedHashAlg,
    /// The certificate's signature algorithm implies no digest Signet knows, and no `hashAlg`
    /// was given.
    #[error("certificate signature algorithm has no known hash; hashAlg required")]
    NoImpliedHash,
    /// The certificate does not decode.
    #[error("certificate unreadable")]
    Unreadable,
}

impl CertHashError {
    /// The `PKIFailureInfo` bit.
    pub fn failure_bit(self) -> PkiFailureBit {
        match self {
            Self::UnsupportedHashAlg | Self::NoImpliedHash => PkiFailureBit::BadAlg,
            Self::Unreadable => PkiFailureBit::SystemFailure,
        }
    }
}

/// The digest a certificate's signature algorithm implies (RFC 9810 §5.3.18, RFC 9481 §3.3).
pub fn implied_digest(cert: &Certificate) -> Result<DigestAlgorithm, CertHashError> {
    let der = cert
        .signature_algorithm()
        .to_der()
        .map_err(|_| CertHashError::Unreadable)?;
    let owned = AlgorithmIdentifierOwned::from_der(&der).map_err(|_| CertHashError::Unreadable)?;
    let alg = SignatureAlgorithm::from_algorithm_identifier_owned(&owned)
        .map_err(|_| CertHashError::NoImpliedHash)?;
    Ok(match alg {
        SignatureAlgorithm::EcdsaP256Sha256Asn1
        | SignatureAlgorithm::EcdsaP256Sha256Fixed
        | SignatureAlgorithm::RsaPkcs1Sha256
        | SignatureAlgorithm::RsaPssSha256 => DigestAlgorithm::Sha256,
        SignatureAlgorithm::EcdsaP384Sha384Asn1
        | SignatureAlgorithm::EcdsaP384Sha384Fixed
        | SignatureAlgorithm::RsaPkcs1Sha384
        | SignatureAlgorithm::RsaPssSha384 => DigestAlgorithm::Sha384,
        SignatureAlgorithm::EcdsaP521Sha512Asn1
        | SignatureAlgorithm::EcdsaP521Sha512Fixed
        | SignatureAlgorithm::RsaPkcs1Sha512
        | SignatureAlgorithm::RsaPssSha512
        | SignatureAlgorithm::Ed25519 => DigestAlgorithm::Sha512,
        _ => return Err(CertHashError::NoImpliedHash),
    })
}

/// The digest for a received `CertStatus`: its `hashAlg` when present, else the one the
/// certificate's signature algorithm implies.
pub fn digest_for(
    cert_der: &[u8],
    hash_alg: Option<&AlgorithmIdentifierOwned>,
) -> Result<DigestAlgorithm, CertHashError> {
    if let Some(ai) = hash_alg {
        return DigestAlgorithm::from_algorithm_identifier_owned(ai)
            .map_err(|_| CertHashError::UnsupportedHashAlg);
    }
    let cert = Certificate::from_der(cert_der).map_err(|_| CertHashError::Unreadable)?;
    implied_digest(&cert)
}

/// Hashes `data`.
pub fn digest(alg: DigestAlgorithm, data: &[u8]) -> Result<Vec<u8>, CertHashError> {
    use sha2::Digest;
    Ok(match alg {
        DigestAlgorithm::Sha1 => sha1::Sha1::digest(data).to_vec(),
        DigestAlgorithm::Sha256 => sha2::Sha256::digest(data).to_vec(),
        DigestAlgorithm::Sha384 => sha2::Sha384::digest(data).to_vec(),
        DigestAlgorithm::Sha512 => sha2::Sha512::digest(data).to_vec(),
        _ => return Err(CertHashError::UnsupportedHashAlg),
    })
}

/// Whether `cert_hash` is the certHash of `cert_der` under `hash_alg` (or the implied digest),
/// compared in constant time.
pub fn matches(
    cert_der: &[u8],
    hash_alg: Option<&AlgorithmIdentifierOwned>,
    cert_hash: &[u8],
) -> Result<bool, CertHashError> {
    let expected = digest(digest_for(cert_der, hash_alg)?, cert_der)?;
    Ok(expected.len() == cert_hash.len()
        && expected
            .iter()
            .zip(cert_hash)
            .fold(0u8, |acc, (a, b)| acc | (a ^ b))
            == 0)
}
