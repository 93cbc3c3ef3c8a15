//! Certificate path building and validation (RFC 5280 §6) for a given purpose, through
//! rustls-webpki with Signet's injected [`SignatureVerifier`].
//!
//! webpki does the path building (issuer/subject matching, loop prevention, up to 6
//! intermediates, a budget of 100 signature checks and 200,000 build steps), validity at the
//! given time for every non-anchor certificate, basic constraints and path length, name
//! constraints, and critical-extension rejection. What C2PA needs beyond that is done here:
//!
//! - **EKU semantics (§14.5.1.2).** Only the end-entity's EKU authorises a purpose; EKUs in CA
//!   certificates "shall be ignored". webpki applies its EKU check to every certificate, so it is
//!   given a validator that accepts all, and the end-entity's EKU is checked here.
//! - **Signature algorithms.** webpki verifies through `WebpkiAlg`, which rebuilds the
//!   `SubjectPublicKeyInfo` and calls the caller's [`SignatureVerifier`]; the library stays
//!   free of a crypto backend.

use core::time::Duration;

use core::cell::RefCell;
use rustls_pki_types::{
    AlgorithmIdentifier, CertificateDer, InvalidSignature, SignatureVerificationAlgorithm,
    TrustAnchor, UnixTime, alg_id,
};
use signet_asn1_types::const_oid::ObjectIdentifier;
use signet_asn1_types::crypto::{SignatureAlgorithm, SignatureVerifier};

use webpki::{EndEntityCert, ExtendedKeyUsageValidator, KeyPurposeIdIter, VerifiedPath};

use crate::cert::Cert;
use crate::profile::path::{self as profile_path, Role};
use crate::trust::Anchor;

/// One signature algorithm as webpki sees it, verified by the caller's [`SignatureVerifier`].
struct WebpkiAlg<'v> {
    verifier: &'v dyn SignatureVerifier,
    algorithm: SignatureAlgorithm,
    public_key_alg_id: AlgorithmIdentifier,
    signature_alg_id: AlgorithmIdentifier,
}

impl core::fmt::Debug for WebpkiAlg<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "signet {:?}", self.algorithm)
    }
}

impl SignatureVerificationAlgorithm for WebpkiAlg<'_> {
    fn verify_signature(
        &self,
        public_key: &[u8],
        message: &[u8],
        signature: &[u8],
    ) -> Result<(), InvalidSignature> {
        let spki = spki_der(&self.public_key_alg_id, public_key);
        self.verifier
            .verify(self.algorithm, &spki, message, signature)
            .map_err(|_| InvalidSignature)
    }

    fn public_key_alg_id(&self) -> AlgorithmIdentifier {
        self.public_key_alg_id
    }

    fn signature_alg_id(&self) -> AlgorithmIdentifier {
        self.signature_alg_id
    }
}

/// DER length octets.
fn der_len(out: &mut Vec<u8>, len: usize) {
    if len < 0x80 {
        out.push(u8::try_from(len).unwrap_or(0));
    } else {
        let bytes = len.to_be_bytes();
        let skip = bytes.iter().take_while(|b| **b == 0).count();
        let significant = bytes.get(skip..).unwrap_or_default();
        out.push(0x80 | u8::try_from(significant.len()).unwrap_or(0));
        out.extend_from_slice(significant);
    }
}

/// `SEQUENCE { SEQUENCE { alg id contents }, BIT STRING { 0 unused bits, key } }`.
fn spki_der(alg: &AlgorithmIdentifier, key: &[u8]) -> Vec<u8> {
    let alg: &[u8] = alg.as_ref();
    let mut alg_seq = vec![0x30];
    der_len(&mut alg_seq, alg.len());
    alg_seq.extend_from_slice(alg);
    let mut bits = vec![0x03];
    der_len(&mut bits, key.len().saturating_add(1));
    bits.push(0);
    bits.extend_from_slice(key);
    let mut out = vec![0x30];
    der_len(&mut out, alg_seq.len().saturating_add(bits.len()));
    out.extend_from_slice(&alg_seq);
    out.extend_from_slice(&bits);
    out
}

/// `id-RSASSA-PSS` without parameters (the contents of the `AlgorithmIdentifier`).
const RSASSA_PSS_NO_PARAMS: AlgorithmIdentifier = AlgorithmIdentifier::from_slice(&[
    0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0a,
]);

/// The certificate signature algorithms of C2PA 2.2 §14.5.1.1 that the verifier's
/// [`SignatureAlgorithm`] can express (ECDSA keys on the curve conventionally paired with the
/// hash; RSA PKCS#1 v1.5 and PSS with `rsaEncryption` keys; Ed25519).
fn algorithms(verifier: &dyn SignatureVerifier) -> Vec<WebpkiAlg<'_>> {
    use SignatureAlgorithm as A;
    let table: [(A, AlgorithmIdentifier, AlgorithmIdentifier); 16] = [
        (
            A::EcdsaP256Sha256Asn1,
            alg_id::ECDSA_P256,
            alg_id::ECDSA_SHA256,
        ),
        (
            A::EcdsaP384Sha384Asn1,
            alg_id::ECDSA_P384,
            alg_id::ECDSA_SHA384,
        ),
        (
            A::EcdsaP521Sha512Asn1,
            alg_id::ECDSA_P521,
            alg_id::ECDSA_SHA512,
        ),
        (
            A::RsaPkcs1Sha256,
            alg_id::RSA_ENCRYPTION,
            alg_id::RSA_PKCS1_SHA256,
        ),
        (
            A::RsaPkcs1Sha384,
            alg_id::RSA_ENCRYPTION,
            alg_id::RSA_PKCS1_SHA384,
        ),
        (
            A::RsaPkcs1Sha512,
            alg_id::RSA_ENCRYPTION,
            alg_id::RSA_PKCS1_SHA512,
        ),
        (
            A::RsaPssSha256,
            alg_id::RSA_ENCRYPTION,
            alg_id::RSA_PSS_SHA256,
        ),
        (
            A::RsaPssSha384,
            alg_id::RSA_ENCRYPTION,
            alg_id::RSA_PSS_SHA384,
        ),
        (
            A::RsaPssSha512,
            alg_id::RSA_ENCRYPTION,
            alg_id::RSA_PSS_SHA512,
        ),
        (A::Ed25519, alg_id::ED25519, alg_id::ED25519),
        // RSASSA-PSS keys (`id-RSASSA-PSS` SPKI, RFC 4055 §1.2): with the parameter set of
        // the signature, or without parameters.
        (
            A::RsaPssSha256,
            alg_id::RSA_PSS_SHA256,
            alg_id::RSA_PSS_SHA256,
        ),
        (
            A::RsaPssSha384,
            alg_id::RSA_PSS_SHA384,
            alg_id::RSA_PSS_SHA384,
        ),
        (
            A::RsaPssSha512,
            alg_id::RSA_PSS_SHA512,
            alg_id::RSA_PSS_SHA512,
        ),
        (
            A::RsaPssSha256,
            RSASSA_PSS_NO_PARAMS,
            alg_id::RSA_PSS_SHA256,
        ),
        (
            A::RsaPssSha384,
            RSASSA_PSS_NO_PARAMS,
            alg_id::RSA_PSS_SHA384,
        ),
        (
            A::RsaPssSha512,
            RSASSA_PSS_NO_PARAMS,
            alg_id::RSA_PSS_SHA512,
        ),
    ];
    table
        .into_iter()
        .map(|(algorithm, pk, sig)| WebpkiAlg {
            verifier,
            algorithm,
            public_key_alg_id: pk,
            signature_alg_id: sig,
        })
        .collect()
}

/// Accepts every EKU: C2PA ignores EKUs in CA certificates (§14.5.1.2); the end-entity's EKU
/// is checked by [`validate_path`] itself.
struct IgnoreEku;

impl ExtendedKeyUsageValidator for IgnoreEku {
    fn validate(&self, iter: KeyPurposeIdIter<'_, '_>) -> Result<(), webpki::Error> {
        for id in iter {
            id?;
        }
        Ok(())
    }
}

/// Why no valid path was found.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PathError {
    /// The end-entity certificate cannot be parsed.
    #[error("end-entity certificate: {0}")]
    BadCertificate(String),
    /// The end-entity certificate lacks the required EKU.
    #[error("the end-entity certificate does not carry the required extended key usage")]
    RequiredEkuNotFound,
    /// A certificate of every candidate path is outside its validity at the time.
    #[error("a certificate in the path is expired or not yet valid")]
    Expired,
    /// Chain building failed (webpki's reason).
    #[error("no valid path to a trust anchor: {0}")]
    Invalid(String),
    /// Every path found breaks a §14.5.1.1 certificate rule (the last one is named).
    #[error("certificate profile: {0}")]
    Profile(String),
    /// No trust anchors to build to.
    #[error("no trust anchors for this purpose")]
    NoAnchors,
}

/// A validated path: the end-entity certificate, the intermediates used, and the anchor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidPath {
    /// The DER of the certificates from the end entity up to (not including) the anchor.
    pub certificates: Vec<Vec<u8>>,
    /// The anchor's certificate DER.
    pub anchor: Vec<u8>,
}

/// Builds and validates a path from `leaf` through `intermediates` to one of `anchors`, at
/// `at` (seconds since the Unix epoch), requiring `eku` in the end-entity certificate when given.
pub fn validate_path(
    leaf: &[u8],
    intermediates: &[Vec<u8>],
    anchors: &[&Anchor],
    at: u64,
    eku: Option<ObjectIdentifier>,
    verifier: &dyn SignatureVerifier,
) -> Result<ValidPath, PathError> {
    if let Some(eku) = eku {
        let cert = Cert::from_der(leaf).map_err(|e| PathError::BadCertificate(e.to_string()))?;
        let ekus = cert
            .ekus()
            .map_err(|e| PathError::BadCertificate(e.to_string()))?
            .unwrap_or_default();
        if !ekus.contains(&eku) {
            return Err(PathError::RequiredEkuNotFound);
        }
    }
    if anchors.is_empty() {
        return Err(PathError::NoAnchors);
    }
    let leaf_der = CertificateDer::from(leaf);
    let ee =
        EndEntityCert::try_from(&leaf_der).map_err(|e| PathError::BadCertificate(e.to_string()))?;
    let intermediates: Vec<CertificateDer<'_>> = intermediates
        .iter()
        .map(|c| CertificateDer::from(c.as_slice()))
        .collect();
    let webpki_anchors: Vec<TrustAnchor<'_>> = anchors.iter().map(|a| a.webpki().clone()).collect();
    let algs = algorithms(verifier);
    let alg_refs: Vec<&dyn SignatureVerificationAlgorithm> = algs
        .iter()
        .map(|a| -> &dyn SignatureVerificationAlgorithm { a })
        .collect();
    let time = UnixTime::since_unix_epoch(Duration::from_secs(at));
    // The §14.5.1.1 rules for every certificate of a candidate path; a failing path makes
    // webpki try the next candidate.
    let profile_failure: RefCell<Option<String>> = RefCell::new(None);
    let check_path = |path: &VerifiedPath<'_>| -> Result<(), webpki::Error> {
        let reject = |why: String| {
            *profile_failure.borrow_mut() = Some(why);
            Err(webpki::Error::ExtensionValueInvalid)
        };
        let found = path.anchor();
        let anchor = anchors.iter().find(|a| {
            a.webpki().subject == found.subject
                && a.webpki().subject_public_key_info == found.subject_public_key_info
        });
        let mut certs: Vec<(Vec<u8>, Role)> = vec![(leaf.to_vec(), Role::EndEntity)];
        for c in path.intermediate_certificates() {
            certs.push((c.der().to_vec(), Role::Intermediate));
        }
        if let Some(a) = anchor {
            certs.push((a.der().to_vec(), Role::Anchor));
        }
        for (der, role) in certs {
            let checked = Cert::from_der(&der)
                .map_err(|e| e.to_string())
                .and_then(|c| profile_path::check(&c, role, at));
            if let Err(why) = checked {
                return reject(format!("{role:?} certificate: {why}"));
            }
        }
        Ok(())
    };
    let path = ee
        .verify_for_usage(
            &alg_refs,
            &webpki_anchors,
            &intermediates,
            time,
            IgnoreEku,
            None,
            Some(&check_path),
        )
        .map_err(|e| match e {
            webpki::Error::CertExpired { .. } | webpki::Error::CertNotValidYet { .. } => {
                PathError::Expired
            }
            webpki::Error::ExtensionValueInvalid if profile_failure.borrow().is_some() => {
                PathError::Profile(profile_failure.borrow().clone().unwrap_or_default())
            }
            other => PathError::Invalid(format!("{other:?}")),
        })?;
    let mut certificates = vec![leaf.to_vec()];
    for cert in path.intermediate_certificates() {
        certificates.push(cert.der().to_vec());
    }
    let found = path.anchor();
    let anchor = anchors
        .iter()
        .find(|a| {
            a.webpki().subject == found.subject
                && a.webpki().subject_public_key_info == found.subject_public_key_info
        })
        .map(|a| a.der().to_vec())
        .unwrap_or_default();
    Ok(ValidPath {
        certificates,
        anchor,
    })
}

#[cfg(test)]
mod tests;
