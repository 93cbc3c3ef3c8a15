//! [`prepare`] → [`LintedTbs`] → [`sign`]: nothing unlinted is signed.
//!
//! `LintedTbs` has private fields and no constructor besides [`prepare`]; [`sign`] takes it by
//! value, so a linted TBS is signed at most once and an unlinted one never (Boulder's
//! `issuanceToken`, checked by the compiler).
//!
//! ```text
//! Certificate  ::=  SEQUENCE  {
//!      tbsCertificate       TBSCertificate,
//!      signatureAlgorithm   AlgorithmIdentifier,
//!      signatureValue       BIT STRING  }
//! ```

use signet_asn1_types::crypto::{SignatureAlgorithm, Signer};
use signet_asn1_types::der::asn1::BitString;
use signet_asn1_types::der::{DateTime, Decode, Encode, ErrorKind, Header, Length, Tag};
use signet_asn1_types::spki::AlgorithmIdentifierOwned;
use signet_asn1_types::x509_cert::{Certificate, TbsCertificate};

use crate::build::{resolve_issuer, tbs_parts};
use crate::lint::{CertContext, LintError, LintErrors, run_all};
use crate::{Error, IssuanceRequest, Issuer, Profile, Serial};

/// A `TBSCertificate` that passed every lint, ready for [`sign`]. Not `Clone`: each one is
/// signed at most once.
#[derive(Debug, PartialEq, Eq)]
pub struct LintedTbs {
    tbs_der: Vec<u8>,
    algorithm: SignatureAlgorithm,
    issuer_spki_der: Vec<u8>,
}

impl LintedTbs {
    /// The DER `TBSCertificate` that will be signed (for logging or a precertificate record).
    #[must_use]
    pub fn tbs_der(&self) -> &[u8] {
        &self.tbs_der
    }
}

/// Builds the `TBSCertificate` for `request` under `profile`, issued by `issuer` at `now` with
/// `serial`, decodes it back and runs every certificate lint.
///
/// # Errors
/// Every lint finding, at once.
pub fn prepare(
    request: &IssuanceRequest,
    profile: &Profile,
    issuer: &Issuer,
    now: DateTime,
    serial: &Serial,
) -> Result<LintedTbs, LintErrors> {
    let resolved = resolve_issuer(request, issuer).map_err(LintErrors::one)?;
    let der = tbs_parts(request, profile, issuer, &resolved, now, serial)
        .and_then(|parts| parts.der())
        .map_err(LintErrors::one)?;
    let cx = CertContext {
        profile,
        issuer,
        now,
        serial,
        issuer_name: &resolved.name,
        issuer_spki_der: &resolved.spki_der,
        issuer_key_id: &resolved.key_id,
    };
    LintErrors::check(lint_der(&der, &cx))?;
    Ok(LintedTbs {
        tbs_der: der,
        algorithm: issuer.algorithm(),
        issuer_spki_der: resolved.spki_der,
    })
}

/// Decodes `der` as a `TBSCertificate` and runs every lint over the decoded value.
pub(crate) fn lint_der(der: &[u8], cx: &CertContext<'_>) -> Vec<LintError> {
    match TbsCertificate::from_der(der) {
        Ok(tbs) => {
            let mut findings = run_all(&tbs, cx);
            crate::lint::validity::check_encoding(der, &mut findings);
            findings
        }
        Err(_) => vec![LintError::Unencodable {
            what: "TBSCertificate (does not decode)",
        }],
    }
}

/// Signs `tbs_der` with `signer` after checking the signer is the expected key and algorithm;
/// returns the DER `SEQUENCE { tbs, algorithm, BIT STRING signature }`.
pub(crate) fn sign_structure(
    tbs_der: &[u8],
    algorithm: SignatureAlgorithm,
    expected_spki_der: &[u8],
    signer: &dyn Signer,
) -> Result<Vec<u8>, Error> {
    if signer.algorithm() != algorithm {
        return Err(Error::SignerAlgorithmMismatch {
            prepared: algorithm,
            signer: signer.algorithm(),
        });
    }
    if signer.public_key_der() != expected_spki_der {
        return Err(Error::SignerKeyMismatch);
    }
    let algorithm_id: AlgorithmIdentifierOwned = algorithm
        .to_algorithm_identifier()
        .map_err(|source| Error::Algorithm { algorithm, source })?;
    let signature = signer.sign(tbs_der).map_err(Error::Sign)?;
    let bits = BitString::from_bytes(&signature).map_err(Error::der("signature BIT STRING"))?;
    let alg_der = algorithm_id
        .to_der()
        .map_err(Error::der("signature algorithm"))?;
    let sig_der = bits.to_der().map_err(Error::der("signature BIT STRING"))?;
    let body_len = tbs_der
        .len()
        .checked_add(alg_der.len())
        .and_then(|l| l.checked_add(sig_der.len()))
        .ok_or(Error::Der {
            what: "signed structure",
            source: ErrorKind::Overflow.into(),
        })?;
    let header = Header::new(
        Tag::Sequence,
        Length::try_from(body_len).map_err(Error::der("signed structure length"))?,
    )
    .to_der()
    .map_err(Error::der("signed structure header"))?;
    let mut out = Vec::with_capacity(header.len() + body_len);
    out.extend_from_slice(&header);
    out.extend_from_slice(tbs_der);
    out.extend_from_slice(&alg_der);
    out.extend_from_slice(&sig_der);
    Ok(out)
}

/// Signs a linted TBS with `signer`, which must hold the issuer's key (the subject's own for a
/// self-signed root) and produce the prepared algorithm.
///
/// # Errors
/// [`Error::SignerAlgorithmMismatch`], [`Error::SignerKeyMismatch`], [`Error::Sign`] from the
/// backend, or [`Error::Der`] if the result does not assemble.
pub fn sign(tbs: LintedTbs, signer: &dyn Signer) -> Result<Certificate, Error> {
    sign_der(tbs, signer).map(|s| s.certificate)
}

/// A signed certificate with the exact bytes that were signed and assembled.
#[derive(Debug, Clone)]
pub struct Signed {
    /// The DER `Certificate` as produced: what to store, publish and hash.
    pub der: Vec<u8>,
    /// The same, decoded.
    pub certificate: Certificate,
}

/// [`sign`], keeping the produced DER beside the decoded certificate, so a caller that stores
/// or hashes the certificate uses the bytes that were signed instead of a re-encoding.
///
/// # Errors
/// As [`sign`].
pub fn sign_der(tbs: LintedTbs, signer: &dyn Signer) -> Result<Signed, Error> {
    let der = sign_structure(&tbs.tbs_der, tbs.algorithm, &tbs.issuer_spki_der, signer)?;
    let certificate = Certificate::from_der(&der).map_err(Error::der("signed certificate"))?;
    Ok(Signed { der, certificate })
}

#[cfg(test)]
mod tests;
