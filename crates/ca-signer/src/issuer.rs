//! [`Issuer`]: the CA certificate (or the self-signed root's own key) an item is issued under,
//! with the URLs it publishes.

use signet_asn1_types::crypto::SignatureAlgorithm;
use signet_asn1_types::der::{DateTime, Encode};
use signet_asn1_types::x509_cert::Certificate;
use signet_asn1_types::x509_cert::ext::pkix::{BasicConstraints, KeyUsage, SubjectKeyIdentifier};
use signet_asn1_types::x509_cert::name::Name;

use crate::Error;
use crate::error::IssuerDefect;

/// Where the issuer publishes revocation information and its own certificate; written into
/// AIA and CRL distribution points when the profile allows them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct IssuerUrls {
    /// OCSP responder URLs (`id-ad-ocsp`, RFC 5280 §4.2.2.1).
    pub ocsp: Vec<String>,
    /// URLs of the issuer's certificate (`id-ad-caIssuers`).
    pub ca_issuers: Vec<String>,
    /// CRL URLs (`cRLDistributionPoints`, RFC 5280 §4.2.1.13).
    pub crl: Vec<String>,
}

/// A CA certificate with the parts the builder and the lints need, decoded once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct CaCertificate {
    pub(crate) certificate: Certificate,
    pub(crate) spki_der: Vec<u8>,
    pub(crate) key_identifier: Vec<u8>,
    pub(crate) not_before: DateTime,
    pub(crate) not_after: DateTime,
    pub(crate) basic_constraints: Option<BasicConstraints>,
    pub(crate) key_usage: Option<KeyUsage>,
}

impl CaCertificate {
    pub(crate) fn new(certificate: &Certificate) -> Result<Self, Error> {
        let tbs = certificate.tbs_certificate();
        let malformed = |_| Error::IssuerCertificate {
            defect: IssuerDefect::MalformedExtension,
        };
        let (_, ski) = tbs
            .get_extension::<SubjectKeyIdentifier>()
            .map_err(malformed)?
            .ok_or(Error::IssuerCertificate {
                defect: IssuerDefect::MissingSubjectKeyIdentifier,
            })?;
        let basic_constraints = tbs
            .get_extension::<BasicConstraints>()
            .map_err(malformed)?
            .map(|(_, bc)| bc);
        let key_usage = tbs
            .get_extension::<KeyUsage>()
            .map_err(malformed)?
            .map(|(_, ku)| ku);
        let spki_der =
            tbs.subject_public_key_info()
                .to_der()
                .map_err(|_| Error::IssuerCertificate {
                    defect: IssuerDefect::PublicKey,
                })?;
        Ok(Self {
            certificate: certificate.clone(),
            spki_der,
            key_identifier: ski.0.as_bytes().to_vec(),
            not_before: tbs.validity().not_before.to_date_time(),
            not_after: tbs.validity().not_after.to_date_time(),
            basic_constraints,
            key_usage,
        })
    }

    pub(crate) fn name(&self) -> &Name {
        self.certificate.tbs_certificate().subject()
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum IssuerKind {
    /// The certificate signs itself (a root).
    SelfSigned,
    /// An existing CA certificate.
    Certificate(Box<CaCertificate>),
}

/// Who signs: a CA certificate and the algorithm its key signs with, or a self-signed root.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Issuer {
    pub(crate) kind: IssuerKind,
    pub(crate) algorithm: SignatureAlgorithm,
    pub(crate) urls: IssuerUrls,
}

impl Issuer {
    /// The certificate is its own issuer (a root CA): signed with the subject key under
    /// `algorithm`.
    #[must_use]
    pub fn self_signed(algorithm: SignatureAlgorithm) -> Self {
        Self {
            kind: IssuerKind::SelfSigned,
            algorithm,
            urls: IssuerUrls::default(),
        }
    }

    /// Issues under `certificate`, whose key signs with `algorithm`, publishing `urls`.
    ///
    /// # Errors
    /// [`Error::IssuerCertificate`] when the certificate has no subject key identifier or a
    /// malformed or duplicated extension. Whether it may issue at all (cA, keyCertSign,
    /// pathLen, validity) is a lint, checked for every item it signs.
    pub fn from_certificate(
        certificate: &Certificate,
        algorithm: SignatureAlgorithm,
        urls: IssuerUrls,
    ) -> Result<Self, Error> {
        Ok(Self {
            kind: IssuerKind::Certificate(Box::new(CaCertificate::new(certificate)?)),
            algorithm,
            urls,
        })
    }

    /// The signature algorithm of the issuer's key.
    #[must_use]
    pub fn algorithm(&self) -> SignatureAlgorithm {
        self.algorithm
    }

    /// The issuer certificate (`None` for a self-signed root).
    #[must_use]
    pub fn certificate(&self) -> Option<&Certificate> {
        match &self.kind {
            IssuerKind::SelfSigned => None,
            IssuerKind::Certificate(ca) => Some(&ca.certificate),
        }
    }

    pub(crate) fn ca(&self) -> Option<&CaCertificate> {
        match &self.kind {
            IssuerKind::SelfSigned => None,
            IssuerKind::Certificate(ca) => Some(ca),
        }
    }
}
