//! General messages: what a genm asks for, and the genp answers (RFC 9810 §5.3.19–§5.3.20,
//! RFC 9483 §4.3). The caller supplies the data (CA certificates, root key update, template,
//! CRLs); this module builds the `InfoTypeAndValue`s with the right types and encodings.
//!
//! | genm `infoType` (value) | [`GeneralRequest`] | genp answer |
//! |---|---|---|
//! | `caCerts` (absent) | `CaCerts` | `caCerts`: SEQUENCE OF CMPCertificate, or absent if none |
//! | `rootCaCert` (old root) or `rootCaKeyUpdate` (absent; OpenSSL 3.0) | `RootCaKeyUpdate` | `rootCaKeyUpdate`: RootCaKeyUpdateContent, or absent if no update |
//! | `certReqTemplate` (absent) | `CertReqTemplate` | `certReqTemplate`: CertReqTemplateContent, or absent |
//! | `crlStatusList` (CRLStatus…) | `CrlUpdate` | `crls`: SEQUENCE OF CertificateList newer than the client's, or absent |
//! | `signKeyPairTypes` (absent) | `SignKeyPairTypes` | `signKeyPairTypes`: SEQUENCE OF AlgorithmIdentifier |
//! | anything else | `Unsupported` | listed in one `unsupportedOIDs` ITAV |
//!
//! **Unknown types.** An info type the server does not support is not an error: the genp
//! answers every type it can and lists the others in a single `id-it-unsupportedOIDs` ITAV,
//! the RFC 9810 §5.3.19.7 mechanism "used by the server to return a list of object identifiers
//! that it does not recognize or support from the list submitted by the client". A genm whose
//! known types are malformed is refused with `badDataFormat` by [`requests`].

use signet_asn1_types::cmp::{
    CertReqTemplateContent, CrlStatus, InfoTypeAndValue, InfoValue, PkiFailureBit,
    RootCaKeyUpdateContent,
};
use signet_asn1_types::const_oid::ObjectIdentifier;
use signet_asn1_types::crmf::{AttributeTypeAndValue, CertTemplate, oid as crmf_oid};
use signet_asn1_types::der::Any;
use signet_asn1_types::seq::NonEmpty;
use signet_asn1_types::spki::AlgorithmIdentifierOwned;
use signet_asn1_types::x509_cert::Certificate;
use signet_asn1_types::x509_cert::crl::CertificateList;

/// One thing a genm asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
#[allow(clippy::large_enum_variant, reason = "a few per message")]
pub enum GeneralRequest {
    /// `caCerts` (RFC 9483 §4.3.1).
    CaCerts,
    /// A root CA key update (RFC 9483 §4.3.2), with the client's current root when it sent one.
    RootCaKeyUpdate {
        /// The client's current trust anchor (`rootCaCert`).
        old_root: Option<Certificate>,
    },
    /// `certReqTemplate` (RFC 9483 §4.3.3).
    CertReqTemplate,
    /// CRL update retrieval (`crlStatusList`, RFC 9483 §4.3.4): the CRLs the client has.
    CrlUpdate(Vec<CrlStatus>),
    /// `signKeyPairTypes` (RFC 9810 §5.3.19.2).
    SignKeyPairTypes,
    /// A type this module does not serve (answered in `unsupportedOIDs`).
    Unsupported(ObjectIdentifier),
}

/// Why a genm or a genp answer could not be processed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum GeneralError {
    /// A known info type whose value does not decode.
    #[error("malformed {info_type} value in genm")]
    Malformed {
        /// The info type.
        info_type: ObjectIdentifier,
    },
    /// A certReqTemplate with a `publicKey` (RFC 9810 §5.3.19.16: "MUST NOT be used").
    #[error("certReqTemplate must not carry a publicKey")]
    TemplateWithPublicKey,
    /// Encoding an answer failed.
    #[error("encoding the {what} failed")]
    Encoding {
        /// What.
        what: &'static str,
    },
}

impl GeneralError {
    /// The `PKIFailureInfo` bit.
    pub fn failure_bit(&self) -> PkiFailureBit {
        match self {
            Self::Malformed { .. } => PkiFailureBit::BadDataFormat,
            _ => PkiFailureBit::SystemFailure,
        }
    }
}

/// Classifies the ITAVs of a genm body, in order.
pub fn requests(itavs: &[InfoTypeAndValue]) -> Result<Vec<GeneralRequest>, GeneralError> {
    itavs
        .iter()
        .map(|itav| {
            let malformed = |_| GeneralError::Malformed {
                info_type: itav.info_type,
            };
            // RFC 9483 §4.3.2's rootCaCert names the root whose update is asked for; a client
            // that has none sends it without a value (OpenSSL's
            // `OSSL_CMP_ITAV_new_rootCaCert(NULL)`): the same question about the current root.
            if itav.info_type == signet_asn1_types::cmp::oid::IT_ROOT_CA_CERT
                && itav.info_value.is_none()
            {
                return Ok(GeneralRequest::RootCaKeyUpdate { old_root: None });
            }
            Ok(match itav.typed().map_err(malformed)? {
                InfoValue::CaCerts(_) => GeneralRequest::CaCerts,
                InfoValue::RootCaCert(old) => GeneralRequest::RootCaKeyUpdate {
                    old_root: Some(old),
                },
                InfoValue::RootCaKeyUpdate(_) => GeneralRequest::RootCaKeyUpdate { old_root: None },
                InfoValue::CertReqTemplate(_) => GeneralRequest::CertReqTemplate,
                InfoValue::CrlStatusList(list) => GeneralRequest::CrlUpdate(list.into_vec()),
                InfoValue::SignKeyPairTypes(_) => GeneralRequest::SignKeyPairTypes,
                _ => GeneralRequest::Unsupported(itav.info_type),
            })
        })
        .collect()
}

/// A key type a CA is willing to certify, for a certReqTemplate's `keySpec`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeySpec {
    /// An `AlgorithmIdentifier` in `id-regCtrl-algId` (e.g. `id-ecPublicKey` with the curve
    /// OID as parameters, or `id-Ed25519`).
    Algorithm(AlgorithmIdentifierOwned),
    /// An RSA modulus length in `id-regCtrl-rsaKeyLen`.
    RsaBits(u32),
}

impl KeySpec {
    /// `id-ecPublicKey` on the named curve (RFC 5480 §2.1.1).
    pub fn ec(curve: ObjectIdentifier) -> Self {
        Self::Algorithm(AlgorithmIdentifierOwned {
            oid: ObjectIdentifier::new_unwrap("1.2.840.10045.2.1"),
            parameters: Any::encode_from(&curve).ok(),
        })
    }

    /// `id-Ed25519` (RFC 8410 §3; parameters absent).
    pub fn ed25519() -> Self {
        Self::Algorithm(AlgorithmIdentifierOwned {
            oid: signet_asn1_types::algorithm::ID_ED25519,
            parameters: None,
        })
    }

    fn control(&self) -> Result<AttributeTypeAndValue, GeneralError> {
        let enc = |_| GeneralError::Encoding { what: "keySpec" };
        Ok(match self {
            Self::Algorithm(ai) => AttributeTypeAndValue {
                oid: crmf_oid::ALG_ID,
                value: Any::encode_from(ai).map_err(enc)?,
            },
            Self::RsaBits(bits) => AttributeTypeAndValue {
                oid: crmf_oid::RSA_KEY_LEN,
                value: Any::encode_from(bits).map_err(enc)?,
            },
        })
    }
}

/// The answer to one [`GeneralRequest`], with the caller's data.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
#[allow(clippy::large_enum_variant, reason = "a few per message")]
pub enum Answer {
    /// The CA certificates (empty: the value is absent).
    CaCerts(Vec<Certificate>),
    /// The root CA key update, or `None` when the client's root is current.
    RootCaKeyUpdate(Option<RootCaKeyUpdateContent>),
    /// The request template and the key types accepted, or `None` when there is no template.
    CertReqTemplate(Option<(CertTemplate, Vec<KeySpec>)>),
    /// The CRLs newer than the client's (empty: the value is absent).
    Crls(Vec<CertificateList>),
    /// The signature algorithms whose keys the CA certifies.
    SignKeyPairTypes(Vec<AlgorithmIdentifierOwned>),
    /// An ITAV the caller built itself.
    Itav(InfoTypeAndValue),
    /// Not supported: listed in the `unsupportedOIDs` ITAV.
    Unsupported(ObjectIdentifier),
}

impl Answer {
    /// The default answer to `request` when the caller has nothing to say: `Unsupported` for
    /// the type asked (the explicit answer of RFC 9810 §5.3.19.7).
    pub fn unsupported(request: &GeneralRequest) -> Self {
        use signet_asn1_types::cmp::oid;
        Self::Unsupported(match request {
            GeneralRequest::CaCerts => oid::IT_CA_CERTS,
            GeneralRequest::RootCaKeyUpdate { .. } => oid::IT_ROOT_CA_KEY_UPDATE,
            GeneralRequest::CertReqTemplate => oid::IT_CERT_REQ_TEMPLATE,
            GeneralRequest::CrlUpdate(_) => oid::IT_CRL_STATUS_LIST,
            GeneralRequest::SignKeyPairTypes => oid::IT_SIGN_KEY_PAIR_TYPES,
            GeneralRequest::Unsupported(o) => *o,
        })
    }
}

fn itav(value: &InfoValue, what: &'static str) -> Result<InfoTypeAndValue, GeneralError> {
    InfoTypeAndValue::from_typed(value).map_err(|_| GeneralError::Encoding { what })
}

/// The genp body for `answers`: one ITAV per answer in order, and the unsupported types
/// collected into one trailing `unsupportedOIDs` ITAV.
pub fn genp(answers: Vec<Answer>) -> Result<Vec<InfoTypeAndValue>, GeneralError> {
    let mut out = Vec::with_capacity(answers.len());
    let mut unsupported = Vec::new();
    for answer in answers {
        out.push(match answer {
            Answer::CaCerts(certs) => itav(&InfoValue::CaCerts(NonEmpty::new(certs)), "caCerts")?,
            Answer::RootCaKeyUpdate(update) => {
                itav(&InfoValue::RootCaKeyUpdate(update), "rootCaKeyUpdate")?
            }
            Answer::CertReqTemplate(None) => itav(&InfoValue::CertReqTemplate(None), "template")?,
            Answer::CertReqTemplate(Some((template, specs))) => {
                if template.public_key.is_some() {
                    return Err(GeneralError::TemplateWithPublicKey);
                }
                let controls = specs
                    .iter()
                    .map(KeySpec::control)
                    .collect::<Result<Vec<_>, _>>()?;
                let content = CertReqTemplateContent {
                    cert_template: template,
                    key_spec: NonEmpty::new(controls),
                };
                itav(&InfoValue::CertReqTemplate(Some(content)), "template")?
            }
            Answer::Crls(crls) => itav(&InfoValue::Crls(NonEmpty::new(crls)), "crls")?,
            Answer::SignKeyPairTypes(algs) => {
                itav(&InfoValue::SignKeyPairTypes(Some(algs)), "signKeyPairTypes")?
            }
            Answer::Itav(i) => i,
            Answer::Unsupported(o) => {
                if !unsupported.contains(&o) {
                    unsupported.push(o);
                }
                continue;
            }
        });
    }
    if let Some(list) = NonEmpty::new(unsupported) {
        out.push(itav(&InfoValue::UnsupportedOids(list), "unsupportedOIDs")?);
    }
    Ok(out)
}

#[cfg(test)]
mod tests;
