//! Trust configuration (C2PA 2.2 §14.4): per-EKU signer trust anchors, a separate list of
//! time-stamping authority anchors, and a private credential store.
//!
//! - **Signers (§14.4.1).** A list of accepted EKUs, and for each a list of trust anchors (which
//!   may be empty). A claim-signing certificate must carry at least one accepted EKU, and its
//!   chain is built only to the anchors of the EKUs it carries. The default accepted EKUs are
//!   `c2pa-kp-claimSigning`, `id-kp-documentSigning` and `id-kp-emailProtection`.
//! - **TSAs (§14.4.2).** Anchors for time-stamp signers, never used for claim signers.
//! - **Private credential store (§14.4.3).** End-entity certificates trusted directly, for claim
//!   signatures only; they never act as trust anchors or CAs, and are never consulted for
//!   time-stamps.
//!
//! Loading the official C2PA lists is the caller's business (files are I/O): read
//! `C2PA-TRUST-LIST.pem` and `C2PA-TSA-TRUST-LIST.pem` and pass the bytes to
//! [`TrustConfig::add_signer_anchors`] with [`ID_KP_CLAIM_SIGNING`] and
//! [`TrustConfig::add_tsa_anchors`].

use std::collections::BTreeMap;

use rustls_pki_types::{CertificateDer, TrustAnchor};
use signet_asn1_types::const_oid::ObjectIdentifier;
use signet_asn1_types::der::{Decode, pem};
use signet_asn1_types::x509_cert::Certificate;
use webpki::anchor_from_trusted_cert;

use crate::error::Error;

/// `c2pa-kp-claimSigning` (C2PA 2.2 §14.4.1).
pub const ID_KP_CLAIM_SIGNING: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.3.6.1.4.1.62558.2.1");
/// `id-kp-documentSigning` (RFC 9336).
pub const ID_KP_DOCUMENT_SIGNING: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.3.36");
/// `id-kp-emailProtection` (RFC 5280 §4.2.1.12).
pub const ID_KP_EMAIL_PROTECTION: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.3.4");
/// `id-kp-timeStamping` (RFC 5280 §4.2.1.12).
pub const ID_KP_TIME_STAMPING: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.3.8");
/// `id-kp-OCSPSigning` (RFC 5280 §4.2.1.12).
pub const ID_KP_OCSP_SIGNING: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.3.9");
/// `anyExtendedKeyUsage` (RFC 5280 §4.2.1.12), refused in C2PA certificates.
pub const ANY_EXTENDED_KEY_USAGE: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.37.0");

/// The EKUs accepted for claim signers when the caller names none (§14.4.1).
pub const DEFAULT_SIGNER_EKUS: [ObjectIdentifier; 3] = [
    ID_KP_CLAIM_SIGNING,
    ID_KP_DOCUMENT_SIGNING,
    ID_KP_EMAIL_PROTECTION,
];

/// Most certificates accepted from one PEM bundle (the official C2PA lists hold a few dozen).
pub const MAX_BUNDLE_CERTIFICATES: usize = 10_000;

/// A trust anchor: the certificate as loaded and webpki's view of it.
#[derive(Debug, Clone)]
pub struct Anchor {
    der: Vec<u8>,
    anchor: TrustAnchor<'static>,
}

impl Anchor {
    /// Loads an anchor from a DER certificate.
    pub fn from_der(der: Vec<u8>) -> Result<Self, Error> {
        Certificate::from_der(&der).map_err(|e| Error::Trust {
            what: format!("trust anchor is not an X.509 certificate: {e}"),
        })?;
        let cert = CertificateDer::from(der.as_slice());
        let anchor = anchor_from_trusted_cert(&cert)
            .map_err(|e| Error::Trust {
                what: format!("unusable trust anchor: {e}"),
            })?
            .to_owned();
        Ok(Self { der, anchor })
    }

    /// The certificate's DER.
    pub fn der(&self) -> &[u8] {
        &self.der
    }

    /// webpki's trust anchor.
    pub(crate) fn webpki(&self) -> &TrustAnchor<'static> {
        &self.anchor
    }
}

/// Splits a PEM bundle into the DER of its `CERTIFICATE` blocks (other blocks and text between
/// blocks, such as comments, are skipped).
pub fn certificates_from_pem(text: &[u8]) -> Result<Vec<Vec<u8>>, Error> {
    const BEGIN: &str = "-----BEGIN CERTIFICATE-----";
    const END: &str = "-----END CERTIFICATE-----";
    let text = core::str::from_utf8(text).map_err(|_| Error::Trust {
        what: "PEM bundle is not UTF-8".into(),
    })?;
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find(BEGIN) {
        let after = rest.get(start..).unwrap_or_default();
        let end = after.find(END).ok_or_else(|| Error::Trust {
            what: "PEM certificate without END line".into(),
        })?;
        let block_end = end.saturating_add(END.len());
        let block = after.get(..block_end).unwrap_or_default();
        let (label, der) = pem::decode_vec(block.as_bytes()).map_err(|e| Error::Trust {
            what: format!("bad PEM certificate: {e}"),
        })?;
        if label == "CERTIFICATE" {
            out.push(der);
        }
        if out.len() > MAX_BUNDLE_CERTIFICATES {
            return Err(Error::Trust {
                what: format!("more than {MAX_BUNDLE_CERTIFICATES} certificates in one bundle"),
            });
        }
        rest = after.get(block_end..).unwrap_or_default();
    }
    Ok(out)
}

/// Reads an EKU list in the reference SDK's `trust_config` format: one dotted OID per line,
/// `//` comments and blank lines ignored.
pub fn ekus_from_config(text: &str) -> Result<Vec<ObjectIdentifier>, Error> {
    text.lines()
        .map(|l| l.split("//").next().unwrap_or_default().trim())
        .filter(|l| !l.is_empty())
        .map(|l| {
            ObjectIdentifier::new(l).map_err(|e| Error::Trust {
                what: format!("EKU `{l}` is not an OID: {e}"),
            })
        })
        .collect()
}

/// What a validator trusts.
#[derive(Debug, Clone)]
pub struct TrustConfig {
    signer: BTreeMap<ObjectIdentifier, Vec<Anchor>>,
    tsa: Vec<Anchor>,
    private_credentials: Vec<Vec<u8>>,
}

impl Default for TrustConfig {
    fn default() -> Self {
        Self::new()
    }
}

impl TrustConfig {
    /// Accepts the default signer EKUs ([`DEFAULT_SIGNER_EKUS`]) with no anchors: every signer
    /// is at best `signingCredential.untrusted`.
    pub fn new() -> Self {
        Self {
            signer: DEFAULT_SIGNER_EKUS
                .iter()
                .map(|eku| (*eku, Vec::new()))
                .collect(),
            tsa: Vec::new(),
            private_credentials: Vec::new(),
        }
    }

    /// Replaces the accepted signer EKUs (anchors already added for an EKU that stays accepted
    /// are kept).
    pub fn set_accepted_ekus(&mut self, ekus: &[ObjectIdentifier]) {
        self.signer.retain(|k, _| ekus.contains(k));
        for eku in ekus {
            self.signer.entry(*eku).or_default();
        }
    }

    /// The accepted signer EKUs.
    pub fn accepted_ekus(&self) -> impl Iterator<Item = &ObjectIdentifier> {
        self.signer.keys()
    }

    /// Adds the certificates of a PEM bundle (or one DER certificate) as signer trust anchors
    /// for `eku`, which becomes accepted.
    pub fn add_signer_anchors(
        &mut self,
        eku: ObjectIdentifier,
        pem_or_der: &[u8],
    ) -> Result<usize, Error> {
        let anchors = load(pem_or_der)?;
        let n = anchors.len();
        self.signer.entry(eku).or_default().extend(anchors);
        Ok(n)
    }

    /// Adds the certificates as signer trust anchors for every accepted EKU (the reference
    /// SDK's single `trust_anchors` list).
    pub fn add_signer_anchors_for_accepted_ekus(
        &mut self,
        pem_or_der: &[u8],
    ) -> Result<usize, Error> {
        let anchors = load(pem_or_der)?;
        let n = anchors.len();
        for list in self.signer.values_mut() {
            list.extend(anchors.iter().cloned());
        }
        Ok(n)
    }

    /// Adds time-stamping authority trust anchors.
    pub fn add_tsa_anchors(&mut self, pem_or_der: &[u8]) -> Result<usize, Error> {
        let anchors = load(pem_or_der)?;
        let n = anchors.len();
        self.tsa.extend(anchors);
        Ok(n)
    }

    /// Adds end-entity certificates to the private credential store.
    pub fn add_private_credentials(&mut self, pem_or_der: &[u8]) -> Result<usize, Error> {
        let certs = der_list(pem_or_der)?;
        for c in &certs {
            Certificate::from_der(c).map_err(|e| Error::Trust {
                what: format!("private credential is not an X.509 certificate: {e}"),
            })?;
        }
        let n = certs.len();
        self.private_credentials.extend(certs);
        Ok(n)
    }

    /// The anchors for claim signers whose certificate carries the EKUs `ekus`: the union of
    /// the lists of the accepted ones. `None` when none of `ekus` is accepted.
    pub fn signer_anchors_for<'a>(&'a self, ekus: &[ObjectIdentifier]) -> Option<Vec<&'a Anchor>> {
        let mut accepted = false;
        let mut out: Vec<&Anchor> = Vec::new();
        for eku in ekus {
            if let Some(list) = self.signer.get(eku) {
                accepted = true;
                for a in list {
                    if !out.iter().any(|o| o.der == a.der) {
                        out.push(a);
                    }
                }
            }
        }
        accepted.then_some(out)
    }

    /// The TSA anchors.
    pub fn tsa_anchors(&self) -> &[Anchor] {
        &self.tsa
    }

    /// True when `der` is in the private credential store.
    pub fn is_private_credential(&self, der: &[u8]) -> bool {
        self.private_credentials.iter().any(|c| c == der)
    }
}

fn der_list(pem_or_der: &[u8]) -> Result<Vec<Vec<u8>>, Error> {
    if pem_or_der.first() == Some(&0x30) {
        Ok(vec![pem_or_der.to_vec()])
    } else {
        certificates_from_pem(pem_or_der)
    }
}

fn load(pem_or_der: &[u8]) -> Result<Vec<Anchor>, Error> {
    der_list(pem_or_der)?
        .into_iter()
        .map(Anchor::from_der)
        .collect()
}

#[cfg(test)]
mod tests;
