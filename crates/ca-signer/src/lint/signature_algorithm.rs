//! Lint: the `signature` field names the issuer's algorithm, the profile allows it, and the
//! issuer's key can produce it.
//!
//! RFC 5280 §4.1.2.3: the field "MUST contain the same algorithm identifier as the
//! signatureAlgorithm field in the sequence Certificate". C2PA 2.2 §14.5.1.1 lists the accepted
//! algorithms (ECDSA with SHA-2, RSA PKCS#1 v1.5 and PSS with SHA-2, Ed25519); the conformance
//! profiles exclude EdDSA for CAs, TSA and OCSP certificates. ECDSA pairs each hash with its
//! curve (P-256/SHA-256, P-384/SHA-384, P-521/SHA-512), as `signet-asn1-types` does.
//!
//! ```text
//! signature            AlgorithmIdentifier,
//! ```

use signet_asn1_types::crypto::SignatureAlgorithm;
use signet_asn1_types::der::Decode;
use signet_asn1_types::spki::{AlgorithmIdentifierOwned, SubjectPublicKeyInfoOwned};
use signet_asn1_types::x509_cert::TbsCertificate;

use super::public_key::{KeyKind, classify};
use super::{CertContext, LintError};
use crate::profile::{Curve, SignatureFamily};

/// The family `algorithm` belongs to.
pub(crate) fn family(algorithm: SignatureAlgorithm) -> Option<SignatureFamily> {
    use SignatureAlgorithm as A;
    match algorithm {
        A::EcdsaP256Sha256Asn1 | A::EcdsaP384Sha384Asn1 | A::EcdsaP521Sha512Asn1 => {
            Some(SignatureFamily::EcdsaSha2)
        }
        A::RsaPkcs1Sha256 | A::RsaPkcs1Sha384 | A::RsaPkcs1Sha512 => {
            Some(SignatureFamily::RsaPkcs1Sha2)
        }
        A::RsaPssSha256 | A::RsaPssSha384 | A::RsaPssSha512 => Some(SignatureFamily::RsaPss),
        A::Ed25519 => Some(SignatureFamily::Ed25519),
        _ => None,
    }
}

/// Whether the key in `spki_der` can sign with `algorithm`.
pub(crate) fn key_matches(algorithm: SignatureAlgorithm, spki_der: &[u8]) -> bool {
    use SignatureAlgorithm as A;
    let Ok(spki) = SubjectPublicKeyInfoOwned::from_der(spki_der) else {
        return false;
    };
    let Ok(kind) = classify(&spki) else {
        return false;
    };
    match (algorithm, kind) {
        (A::EcdsaP256Sha256Asn1, KeyKind::Ec { curve, .. }) => curve == Some(Curve::P256),
        (A::EcdsaP384Sha384Asn1, KeyKind::Ec { curve, .. }) => curve == Some(Curve::P384),
        (A::EcdsaP521Sha512Asn1, KeyKind::Ec { curve, .. }) => curve == Some(Curve::P521),
        (
            A::RsaPkcs1Sha256
            | A::RsaPkcs1Sha384
            | A::RsaPkcs1Sha512
            | A::RsaPssSha256
            | A::RsaPssSha384
            | A::RsaPssSha512,
            KeyKind::Rsa { .. },
        ) => true,
        (A::Ed25519, KeyKind::Ed25519 { .. }) => true,
        _ => false,
    }
}

/// Checks a `signature` field against the issuer (shared with the CRL and OCSP lints).
pub(crate) fn check_algorithm(
    field: &AlgorithmIdentifierOwned,
    issuer: SignatureAlgorithm,
    issuer_spki_der: &[u8],
    allowed: Option<&[SignatureFamily]>,
    out: &mut Vec<LintError>,
) {
    let found = match SignatureAlgorithm::from_algorithm_identifier_owned(field) {
        Ok(found) => found,
        Err(_) => {
            out.push(LintError::SignatureAlgorithmUnknown { oid: field.oid });
            return;
        }
    };
    if found != issuer {
        out.push(LintError::SignatureAlgorithmMismatch { found, issuer });
    }
    if let Some(allowed) = allowed
        && !family(found).is_some_and(|f| allowed.contains(&f))
    {
        out.push(LintError::SignatureAlgorithmNotAllowed { algorithm: found });
    }
    if !key_matches(found, issuer_spki_der) {
        out.push(LintError::SignatureAlgorithmKeyMismatch { algorithm: found });
    }
}

pub(crate) fn check(tbs: &TbsCertificate, cx: &CertContext<'_>, out: &mut Vec<LintError>) {
    check_algorithm(
        tbs.signature(),
        cx.issuer.algorithm(),
        cx.issuer_spki_der,
        Some(&cx.profile.signature_algorithms),
        out,
    );
}
