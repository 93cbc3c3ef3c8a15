//! [`Error`]: why a signing operation or an input to it failed. Lint findings are not errors of
//! this type: they are [`LintErrors`](crate::LintErrors), returned by the `prepare` functions.

use signet_asn1_types::algorithm::AlgorithmError;
use signet_asn1_types::crypto::{SignError, SignatureAlgorithm};
use signet_asn1_types::der;

/// Why the issuer, the signer or the DER assembly failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The signer produces another algorithm than the one the TBS structure names.
    #[error("the signer produces {signer:?}, but the data was prepared for {prepared:?}")]
    SignerAlgorithmMismatch {
        /// Algorithm in the prepared `signature` field.
        prepared: SignatureAlgorithm,
        /// Algorithm of the signer.
        signer: SignatureAlgorithm,
    },
    /// The signer's public key is not the issuer's (or responder's) public key.
    #[error("the signer's public key is not the key the data was prepared for")]
    SignerKeyMismatch,
    /// The key backend failed.
    #[error("the key backend failed to sign")]
    Sign(SignError),
    /// The signer has no X.509 form (the fixed-width `r ‖ s` ECDSA encodings).
    #[error("no X.509 signature algorithm for {algorithm:?}")]
    Algorithm {
        /// The algorithm.
        algorithm: SignatureAlgorithm,
        /// Why it has no identifier.
        source: AlgorithmError,
    },
    /// The random source failed while generating a serial number.
    #[error("the random source failed")]
    Random,
    /// A DER encoding or decoding step failed.
    #[error("DER processing of {what} failed: {source}")]
    Der {
        /// What was being encoded or decoded.
        what: &'static str,
        /// The `der` error.
        source: der::Error,
    },
    /// A profile is internally inconsistent (see [`Profile::validate`](crate::Profile::validate)).
    #[error("profile {name:?} is inconsistent: {defects:?}")]
    Profile {
        /// The profile's name.
        name: String,
        /// Every defect found.
        defects: Vec<crate::profile::ProfileDefect>,
    },
    /// `successful` OCSP responses carry a signed response; use `sign_ocsp_response`.
    #[error("a successful OCSP response needs a signed response")]
    SuccessfulNeedsResponse,
    /// The issuer (or responder) certificate cannot act in that role.
    #[error("the issuer certificate is unusable: {defect}")]
    IssuerCertificate {
        /// What is wrong with it.
        defect: IssuerDefect,
    },
}

/// What makes a certificate unusable as an issuer or OCSP responder.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum IssuerDefect {
    /// It has no subject key identifier, so issued items could carry no AKI (RFC 5280
    /// §4.2.1.2: MUST appear in all conforming CA certificates).
    #[error("no subject key identifier")]
    MissingSubjectKeyIdentifier,
    /// An extension it carries does not decode, or appears twice.
    #[error("malformed or duplicated extension")]
    MalformedExtension,
    /// Its public key cannot be encoded.
    #[error("unusable public key")]
    PublicKey,
    /// The issuer is a self-signed request without a certificate; CRLs and OCSP responses need
    /// the CA certificate.
    #[error("no issuer certificate")]
    NoCertificate,
}

impl Error {
    pub(crate) fn der(what: &'static str) -> impl FnOnce(der::Error) -> Self {
        move |source| Self::Der { what, source }
    }
}
