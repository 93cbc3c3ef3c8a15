//! A parsed X.509 certificate with the accessors validation needs, over the DER as received.

use signet_asn1_types::const_oid::ObjectIdentifier;
use signet_asn1_types::der::{Decode, Encode};
use signet_asn1_types::x509_cert::Certificate;
use signet_asn1_types::x509_cert::ext::pkix::{
    AuthorityKeyIdentifier, BasicConstraints, ExtendedKeyUsage, KeyUsage, SubjectKeyIdentifier,
};

/// A certificate: its DER as received and the decoded structure.
#[derive(Debug, Clone)]
pub struct Cert {
    der: Vec<u8>,
    cert: Certificate,
}

/// Why a certificate could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CertError {
    /// Not a DER X.509 certificate.
    #[error("not a DER X.509 certificate: {0}")]
    Der(signet_asn1_types::der::Error),
    /// An extension this crate reads is malformed or repeated.
    #[error("malformed {what} extension")]
    Extension {
        /// Which extension.
        what: &'static str,
    },
}

impl Cert {
    /// Decodes a certificate.
    pub fn from_der(der: &[u8]) -> Result<Self, CertError> {
        let cert = Certificate::from_der(der).map_err(CertError::Der)?;
        Ok(Self {
            der: der.to_vec(),
            cert,
        })
    }

    /// The DER as received.
    pub fn der(&self) -> &[u8] {
        &self.der
    }

    /// The decoded certificate.
    pub fn inner(&self) -> &Certificate {
        &self.cert
    }

    /// The subject as an RFC 4514 string.
    pub fn subject(&self) -> String {
        self.cert.tbs_certificate().subject().to_string()
    }

    /// The issuer as an RFC 4514 string.
    pub fn issuer(&self) -> String {
        self.cert.tbs_certificate().issuer().to_string()
    }

    /// The serial number, hex.
    pub fn serial_hex(&self) -> String {
        self.cert
            .tbs_certificate()
            .serial_number()
            .as_bytes()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    }

    /// The subject's common name, else its organisation, else the whole subject.
    pub fn display_name(&self) -> String {
        const CN: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.4.3");
        const O: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.4.10");
        let subject = self.cert.tbs_certificate().subject();
        for oid in [CN, O] {
            for rdn in subject.iter_rdn() {
                for atv in rdn.iter() {
                    if atv.oid == oid
                        && let Ok(s) = atv.value.decode_as::<String>().or_else(|_| {
                            atv.value
                                .decode_as::<signet_asn1_types::der::asn1::PrintableStringRef<'_>>()
                                .map(|p| p.as_str().to_owned())
                        })
                    {
                        return s;
                    }
                }
            }
        }
        self.subject()
    }

    /// `notBefore` and `notAfter` as seconds since the Unix epoch.
    pub fn validity_secs(&self) -> (u64, u64) {
        let v = self.cert.tbs_certificate().validity();
        (
            v.not_before.to_unix_duration().as_secs(),
            v.not_after.to_unix_duration().as_secs(),
        )
    }

    /// True when the certificate is valid at `secs` (inclusive bounds, RFC 5280 §4.1.2.5).
    pub fn valid_at(&self, secs: u64) -> bool {
        let (nb, na) = self.validity_secs();
        nb <= secs && secs <= na
    }

    fn extension<'a, T: Decode<'a> + signet_asn1_types::const_oid::AssociatedOid>(
        &'a self,
        what: &'static str,
    ) -> Result<Option<(bool, T)>, CertError> {
        self.cert
            .tbs_certificate()
            .get_extension::<T>()
            .map_err(|_| CertError::Extension { what })
    }

    /// Basic constraints: `(critical, cA, pathLen)`.
    pub fn basic_constraints(&self) -> Result<Option<(bool, bool, Option<u8>)>, CertError> {
        Ok(self
            .extension::<BasicConstraints>("basicConstraints")?
            .map(|(c, bc)| (c, bc.ca, bc.path_len_constraint)))
    }

    /// True when basic constraints assert `cA`.
    pub fn is_ca(&self) -> Result<bool, CertError> {
        Ok(self.basic_constraints()?.is_some_and(|(_, ca, _)| ca))
    }

    /// Key usage, when present.
    pub fn key_usage(&self) -> Result<Option<KeyUsage>, CertError> {
        Ok(self.extension::<KeyUsage>("keyUsage")?.map(|(_, ku)| ku))
    }

    /// The EKU OIDs; `None` when the extension is absent.
    pub fn ekus(&self) -> Result<Option<Vec<ObjectIdentifier>>, CertError> {
        Ok(self
            .extension::<ExtendedKeyUsage>("extendedKeyUsage")?
            .map(|(_, e)| e.0))
    }

    /// The authority key identifier's keyIdentifier, when present.
    pub fn authority_key_id(&self) -> Result<Option<Vec<u8>>, CertError> {
        Ok(self
            .extension::<AuthorityKeyIdentifier>("authorityKeyIdentifier")?
            .and_then(|(_, a)| a.key_identifier.map(|k| k.as_bytes().to_vec())))
    }

    /// True when the authority key identifier extension is present.
    pub fn has_authority_key_id(&self) -> Result<bool, CertError> {
        Ok(self
            .extension::<AuthorityKeyIdentifier>("authorityKeyIdentifier")?
            .is_some())
    }

    /// The subject key identifier, when present.
    pub fn subject_key_id(&self) -> Result<Option<Vec<u8>>, CertError> {
        Ok(self
            .extension::<SubjectKeyIdentifier>("subjectKeyIdentifier")?
            .map(|(_, s)| s.0.as_bytes().to_vec()))
    }

    /// True when subject and issuer names are equal (a self-issued certificate).
    pub fn is_self_issued(&self) -> bool {
        let tbs = self.cert.tbs_certificate();
        tbs.subject() == tbs.issuer()
    }

    /// The DER `SubjectPublicKeyInfo`.
    pub fn spki_der(&self) -> Vec<u8> {
        self.cert
            .tbs_certificate()
            .subject_public_key_info()
            .to_der()
            .unwrap_or_default()
    }

    /// The DER-encoded subject name.
    pub fn subject_der(&self) -> Vec<u8> {
        self.cert
            .tbs_certificate()
            .subject()
            .to_der()
            .unwrap_or_default()
    }

    /// The DER-encoded issuer name.
    pub fn issuer_der(&self) -> Vec<u8> {
        self.cert
            .tbs_certificate()
            .issuer()
            .to_der()
            .unwrap_or_default()
    }

    /// The raw serial number bytes (as encoded).
    pub fn serial_bytes(&self) -> &[u8] {
        self.cert.tbs_certificate().serial_number().as_bytes()
    }
}

/// One DER TLV: tag, the whole TLV, its contents, and what follows.
pub(crate) type Tlv<'a> = (u8, &'a [u8], &'a [u8], &'a [u8]);

/// One DER TLV: `(tag, whole TLV, contents, rest)`.
pub(crate) fn tlv(input: &[u8]) -> Option<Tlv<'_>> {
    let (&tag, rest) = input.split_first()?;
    let (&first, rest) = rest.split_first()?;
    let (len, rest) = if first < 0x80 {
        (usize::from(first), rest)
    } else {
        let n = usize::from(first & 0x7F);
        if n == 0 || n > 4 {
            return None;
        }
        let (bytes, rest) = rest.split_at_checked(n)?;
        let len = bytes
            .iter()
            .fold(0usize, |acc, b| (acc << 8) | usize::from(*b));
        (len, rest)
    };
    let header = input.len().checked_sub(rest.len())?;
    let (contents, after) = rest.split_at_checked(len)?;
    let whole = input.get(..header.checked_add(len)?)?;
    Some((tag, whole, contents, after))
}
