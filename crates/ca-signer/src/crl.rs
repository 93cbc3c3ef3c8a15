//! CRL generation (RFC 5280 §5) with the prepare → lint → sign discipline of certificates.
//!
//! [`prepare_crl`] builds a v2 `TBSCertList` with the issuer's AKI and a CRL number, decodes it
//! back and lints it; [`sign_crl`] consumes the [`LintedCrl`]. Only full CRLs are produced (no
//! delta CRLs, no issuing distribution point), so `removeFromCRL` is never a valid reason.
//!
//! ```text
//! CertificateList  ::=  SEQUENCE  {
//!      tbsCertList          TBSCertList,
//!      signatureAlgorithm   AlgorithmIdentifier,
//!      signatureValue       BIT STRING  }
//!
//! TBSCertList  ::=  SEQUENCE  {
//!      version                 Version OPTIONAL,  -- if present, MUST be v2
//!      signature               AlgorithmIdentifier,
//!      issuer                  Name,
//!      thisUpdate              Time,
//!      nextUpdate              Time OPTIONAL,
//!      revokedCertificates     SEQUENCE OF SEQUENCE  {
//!           userCertificate         CertificateSerialNumber,
//!           revocationDate          Time,
//!           crlEntryExtensions      Extensions OPTIONAL } OPTIONAL,
//!      crlExtensions           [0]  EXPLICIT Extensions OPTIONAL }
//! ```

use signet_asn1_types::crypto::{SignatureAlgorithm, Signer};
use signet_asn1_types::der::asn1::{OctetString, Uint};
use signet_asn1_types::der::{DateTime, Decode, Encode};
use signet_asn1_types::x509_cert::certificate::Version;
use signet_asn1_types::x509_cert::crl::{CertificateList, RevokedCert, TbsCertList};
use signet_asn1_types::x509_cert::ext::Extension;
use signet_asn1_types::x509_cert::ext::pkix::{AuthorityKeyIdentifier, CrlNumber, CrlReason};
use signet_asn1_types::x509_cert::serial_number::SerialNumber;

use crate::lint::{LintError, LintErrors};
use crate::profile::SignatureFamily;
use crate::time::rfc5280_time;
use crate::{Error, Issuer};

mod lints;

/// Bounds a CRL must meet besides RFC 5280.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CrlProfile {
    /// Longest `nextUpdate - thisUpdate`, in days.
    pub max_update_interval_days: u32,
    /// Signature algorithms the issuer may sign the CRL with.
    pub signature_algorithms: Vec<SignatureFamily>,
}

impl CrlProfile {
    /// CRLs covering end-entity certificates: CA/B BR §4.9.7, "the value of the nextUpdate
    /// field MUST NOT be more than ten days beyond the value of the thisUpdate field".
    #[must_use]
    pub fn subscriber() -> Self {
        Self {
            max_update_interval_days: 10,
            signature_algorithms: vec![
                SignatureFamily::EcdsaSha2,
                SignatureFamily::RsaPkcs1Sha2,
                SignatureFamily::RsaPss,
            ],
        }
    }

    /// CRLs covering CA certificates: CA/B BR §4.9.7, "at least once every twelve months";
    /// nextUpdate at most twelve months (365 days) after thisUpdate.
    #[must_use]
    pub fn ca() -> Self {
        Self {
            max_update_interval_days: 365,
            ..Self::subscriber()
        }
    }
}

/// One revoked certificate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RevokedEntry {
    /// The revoked certificate's serial number.
    pub serial: SerialNumber,
    /// When it was revoked.
    pub revocation_date: DateTime,
    /// Why (RFC 5280 §5.3.1); `None` writes no reasonCode ("unspecified").
    pub reason: Option<CrlReason>,
}

/// What a CRL lists.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CrlRequest {
    /// The CRL number, big-endian magnitude (RFC 5280 §5.2.3: monotonically increasing).
    pub crl_number: Vec<u8>,
    /// `thisUpdate`.
    pub this_update: DateTime,
    /// `nextUpdate` (RFC 5280 §5.1.2.5: conforming CAs MUST include it).
    pub next_update: Option<DateTime>,
    /// The revoked certificates (empty for none).
    pub revoked: Vec<RevokedEntry>,
}

impl CrlRequest {
    /// A CRL numbered `crl_number` valid from `this_update` to `next_update`, listing nothing yet.
    #[must_use]
    pub fn new(crl_number: u64, this_update: DateTime, next_update: DateTime) -> Self {
        let bytes = crl_number.to_be_bytes();
        let start = bytes
            .iter()
            .position(|b| *b != 0)
            .unwrap_or(bytes.len() - 1);
        Self {
            crl_number: bytes.get(start..).unwrap_or(&[0]).to_vec(),
            this_update,
            next_update: Some(next_update),
            revoked: Vec::new(),
        }
    }
}

/// A `TBSCertList` that passed every CRL lint, ready for [`sign_crl`].
#[derive(Debug, PartialEq, Eq)]
pub struct LintedCrl {
    tbs_der: Vec<u8>,
    algorithm: SignatureAlgorithm,
    issuer_spki_der: Vec<u8>,
}

impl LintedCrl {
    /// The DER `TBSCertList` that will be signed.
    #[must_use]
    pub fn tbs_der(&self) -> &[u8] {
        &self.tbs_der
    }
}

fn ext<T: Encode>(
    extn_id: signet_asn1_types::const_oid::ObjectIdentifier,
    critical: bool,
    value: &T,
    what: &'static str,
) -> Result<Extension, LintError> {
    let der = value
        .to_der()
        .map_err(|_| LintError::Unencodable { what })?;
    Ok(Extension {
        extn_id,
        critical,
        extn_value: OctetString::new(der).map_err(|_| LintError::Unencodable { what })?,
    })
}

/// Builds the `TBSCertList` (entries in the order given).
pub(crate) fn build(request: &CrlRequest, issuer: &Issuer) -> Result<TbsCertList, LintError> {
    let ca = issuer.ca().ok_or(LintError::IssuerCertificateRequired)?;
    let signature =
        issuer
            .algorithm()
            .to_algorithm_identifier()
            .map_err(|_| LintError::Unencodable {
                what: "signature algorithm",
            })?;
    let revoked = request
        .revoked
        .iter()
        .map(|entry| {
            let extensions = match entry.reason {
                Some(reason) => Some(vec![ext(
                    crate::oid::ID_CE_CRL_REASONS,
                    false,
                    &reason,
                    "reason code",
                )?]),
                None => None,
            };
            Ok(RevokedCert {
                serial_number: entry.serial.clone(),
                revocation_date: rfc5280_time(entry.revocation_date),
                crl_entry_extensions: extensions,
            })
        })
        .collect::<Result<Vec<_>, LintError>>()?;
    let aki = AuthorityKeyIdentifier {
        key_identifier: Some(
            OctetString::new(ca.key_identifier.clone())
                .map_err(|_| LintError::Unencodable { what: "AKI" })?,
        ),
        authority_cert_issuer: None,
        authority_cert_serial_number: None,
    };
    let number = CrlNumber(
        Uint::new(&request.crl_number)
            .map_err(|_| LintError::Unencodable { what: "CRL number" })?,
    );
    Ok(TbsCertList {
        version: Version::V2,
        signature,
        issuer: ca.name().clone(),
        this_update: rfc5280_time(request.this_update),
        next_update: request.next_update.map(rfc5280_time),
        revoked_certificates: if revoked.is_empty() {
            None
        } else {
            Some(revoked)
        },
        crl_extensions: Some(vec![
            ext(
                crate::oid::ID_CE_AUTHORITY_KEY_IDENTIFIER,
                false,
                &aki,
                "AKI",
            )?,
            ext(crate::oid::ID_CE_CRL_NUMBER, false, &number, "CRL number")?,
        ]),
    })
}

/// Decodes `der` as a `TBSCertList` and runs every CRL lint.
pub(crate) fn lint_der(der: &[u8], issuer: &Issuer, profile: &CrlProfile) -> Vec<LintError> {
    match TbsCertList::from_der(der) {
        Ok(tbs) => lints::run_all(&tbs, issuer, profile),
        Err(_) => vec![LintError::Unencodable {
            what: "TBSCertList (does not decode)",
        }],
    }
}

/// Builds the CRL for `request`, issued by `issuer` (a CA certificate with `cRLSign`), and lints
/// it under `profile`.
///
/// # Errors
/// Every lint finding, at once.
pub fn prepare_crl(
    request: &CrlRequest,
    issuer: &Issuer,
    profile: &CrlProfile,
) -> Result<LintedCrl, LintErrors> {
    let ca = issuer
        .ca()
        .ok_or(LintErrors::one(LintError::IssuerCertificateRequired))?;
    let der = build(request, issuer)
        .and_then(|tbs| {
            tbs.to_der().map_err(|_| LintError::Unencodable {
                what: "TBSCertList",
            })
        })
        .map_err(LintErrors::one)?;
    LintErrors::check(lint_der(&der, issuer, profile))?;
    Ok(LintedCrl {
        tbs_der: der,
        algorithm: issuer.algorithm(),
        issuer_spki_der: ca.spki_der.clone(),
    })
}

/// Signs a linted CRL with the issuer's key.
///
/// # Errors
/// As [`sign`](crate::sign): a signer of another algorithm or key, a backend failure, or an
/// assembly failure.
pub fn sign_crl(crl: LintedCrl, signer: &dyn Signer) -> Result<CertificateList, Error> {
    let der =
        crate::sign::sign_structure(&crl.tbs_der, crl.algorithm, &crl.issuer_spki_der, signer)?;
    CertificateList::from_der(&der).map_err(Error::der("signed CRL"))
}

#[cfg(test)]
mod tests;
