//! Algorithm identifiers: X.509 signature and digest `AlgorithmIdentifier`s and COSE algorithm
//! numbers, mapped to and from [`SignatureAlgorithm`] and [`DigestAlgorithm`].
//!
//! Policy, not just parsing: only the algorithms Signet signs or verifies with are accepted.
//! RSASSA-PSS is accepted only in the three standard parameter sets (hash = MGF1 hash, salt
//! length = hash length, trailer field 1); anything else is an [`AlgorithmError`] naming the
//! offending field. ECDSA identifiers map to the curve conventionally paired with the hash
//! (`ecdsa-with-SHA256` → P-256 …); the verifier refuses a key on another curve.
//!
//! ```text
//! AlgorithmIdentifier  ::=  SEQUENCE  {            -- RFC 5280 §4.1.1.2
//!      algorithm               OBJECT IDENTIFIER,
//!      parameters              ANY DEFINED BY algorithm OPTIONAL  }
//! ```

use core::fmt;

use const_oid::ObjectIdentifier;
use der::asn1::{Any, AnyRef};
use der::{Decode, Encode, Sequence};
use spki::{AlgorithmIdentifierOwned, AlgorithmIdentifierRef};

use crate::crypto::SignatureAlgorithm;

/// `ecdsa-with-SHA256` (RFC 5758 §3.2).
pub const ECDSA_WITH_SHA256: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.4.3.2");
/// `ecdsa-with-SHA384` (RFC 5758 §3.2).
pub const ECDSA_WITH_SHA384: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.4.3.3");
/// `ecdsa-with-SHA512` (RFC 5758 §3.2).
pub const ECDSA_WITH_SHA512: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.4.3.4");
/// `id-Ed25519` (RFC 8410 §3).
pub const ID_ED25519: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.101.112");
/// `sha256WithRSAEncryption` (RFC 4055 §5).
pub const SHA256_WITH_RSA_ENCRYPTION: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.11");
/// `sha384WithRSAEncryption` (RFC 4055 §5).
pub const SHA384_WITH_RSA_ENCRYPTION: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.12");
/// `sha512WithRSAEncryption` (RFC 4055 §5).
pub const SHA512_WITH_RSA_ENCRYPTION: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.13");
/// `id-RSASSA-PSS` (RFC 4055 §3.1).
pub const ID_RSASSA_PSS: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.10");
/// `id-mgf1` (RFC 4055 §2.2).
pub const ID_MGF1: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.8");
/// `id-sha1` (RFC 3279 §2.2.1).
pub const ID_SHA1: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.14.3.2.26");
/// `id-sha256` (RFC 5754 §2.2).
pub const ID_SHA256: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.2.1");
/// `id-sha384` (RFC 5754 §2.3).
pub const ID_SHA384: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.2.2");
/// `id-sha512` (RFC 5754 §2.4).
pub const ID_SHA512: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.2.3");

/// Why an algorithm identifier was not accepted.
///
/// A sub-enum of the crate's errors: to be folded into the `asn1-types` `Error` once it exists.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum AlgorithmError {
    /// The OID is not a signature algorithm Signet accepts.
    #[error("signature algorithm {oid} is not supported")]
    UnknownSignatureAlgorithm {
        /// The `algorithm` OID received.
        oid: ObjectIdentifier,
    },
    /// The OID is not a digest algorithm Signet accepts.
    #[error("digest algorithm {oid} is not supported")]
    UnknownDigestAlgorithm {
        /// The `algorithm` OID received.
        oid: ObjectIdentifier,
    },
    /// The algorithm requires `parameters` to be NULL (RFC 4055 §5) but they are absent or
    /// something else.
    #[error("{oid}: parameters must be NULL")]
    ParametersNotNull {
        /// The algorithm.
        oid: ObjectIdentifier,
    },
    /// The algorithm requires `parameters` to be absent (RFC 5758 §3.2, RFC 8410 §3).
    #[error("{oid}: parameters must be absent")]
    ParametersPresent {
        /// The algorithm.
        oid: ObjectIdentifier,
    },
    /// `id-RSASSA-PSS` without `RSASSA-PSS-params` (RFC 4055 §3.1: required in signatures).
    #[error("RSASSA-PSS signature algorithm without parameters")]
    PssParametersMissing,
    /// `RSASSA-PSS-params` or a nested identifier is not valid DER.
    #[error("malformed RSASSA-PSS parameters: {0}")]
    PssParametersMalformed(der::Error),
    /// The PSS hash is not SHA-256/384/512 (SHA-1, the DEFAULT, is refused by policy).
    #[error("RSASSA-PSS hash {oid} is not accepted (only SHA-256, SHA-384, SHA-512)")]
    PssHashNotAccepted {
        /// The hash OID (`id-sha1` when the field was absent).
        oid: ObjectIdentifier,
    },
    /// The mask generation function is not MGF1.
    #[error("RSASSA-PSS mask generation function {oid} is not MGF1")]
    PssMgfNotMgf1 {
        /// The MGF OID (`id-mgf1` with SHA-1 is the DEFAULT).
        oid: ObjectIdentifier,
    },
    /// MGF1 without its hash `AlgorithmIdentifier` parameter.
    #[error("RSASSA-PSS MGF1 without a hash parameter")]
    PssMgfHashMissing,
    /// MGF1's hash differs from the message hash.
    #[error("RSASSA-PSS MGF1 hash {mgf_hash} differs from the message hash {hash}")]
    PssMgfHashMismatch {
        /// The message hash OID.
        hash: ObjectIdentifier,
        /// The MGF1 hash OID.
        mgf_hash: ObjectIdentifier,
    },
    /// The salt length is not the hash length.
    #[error("RSASSA-PSS salt length {actual} is not the hash length {expected}")]
    PssSaltLength {
        /// The hash output length in bytes.
        expected: u32,
        /// The salt length received (20 when the field was absent).
        actual: u32,
    },
    /// `trailerField` is not 1 (`trailerFieldBC`).
    #[error("RSASSA-PSS trailer field {value} is not 1")]
    PssTrailerField {
        /// The value received.
        value: u32,
    },
    /// A DEFAULT value was encoded explicitly (X.690 §11.5 forbids it in DER).
    #[error("RSASSA-PSS parameters encode the DEFAULT value of {field}")]
    PssDefaultEncoded {
        /// The field name from RFC 4055.
        field: &'static str,
    },
    /// The algorithm (a fixed-width ECDSA encoding) has no X.509 `AlgorithmIdentifier`.
    #[error("{algorithm:?} has no X.509 AlgorithmIdentifier")]
    NoX509Identifier {
        /// The algorithm.
        algorithm: SignatureAlgorithm,
    },
    /// The COSE algorithm number is not one Signet supports.
    #[error("COSE algorithm {value} is not supported")]
    UnknownCoseAlgorithm {
        /// The COSE `alg` value.
        value: i64,
    },
    /// Encoding the identifier failed.
    #[error("encoding an algorithm identifier failed: {0}")]
    Encode(der::Error),
}

/// A message digest algorithm.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum DigestAlgorithm {
    /// SHA-1 (legacy CMP PasswordBasedMac and certificate hashes only).
    Sha1,
    /// SHA-256.
    Sha256,
    /// SHA-384.
    Sha384,
    /// SHA-512.
    Sha512,
}

impl DigestAlgorithm {
    /// The algorithm's OID.
    #[must_use]
    pub const fn oid(self) -> ObjectIdentifier {
        match self {
            Self::Sha1 => ID_SHA1,
            Self::Sha256 => ID_SHA256,
            Self::Sha384 => ID_SHA384,
            Self::Sha512 => ID_SHA512,
        }
    }

    /// The digest length in bytes.
    #[must_use]
    pub const fn output_len(self) -> usize {
        match self {
            Self::Sha1 => 20,
            Self::Sha256 => 32,
            Self::Sha384 => 48,
            Self::Sha512 => 64,
        }
    }

    /// The algorithm with this OID.
    ///
    /// # Errors
    /// [`AlgorithmError::UnknownDigestAlgorithm`] for any other OID.
    pub fn from_oid(oid: ObjectIdentifier) -> Result<Self, AlgorithmError> {
        match oid {
            ID_SHA1 => Ok(Self::Sha1),
            ID_SHA256 => Ok(Self::Sha256),
            ID_SHA384 => Ok(Self::Sha384),
            ID_SHA512 => Ok(Self::Sha512),
            _ => Err(AlgorithmError::UnknownDigestAlgorithm { oid }),
        }
    }

    /// Maps a digest `AlgorithmIdentifier`. Parameters may be absent or NULL: RFC 5754 §2 and
    /// RFC 4055 §2.1 require accepting both.
    ///
    /// ```text
    /// DigestAlgorithmIdentifier ::= AlgorithmIdentifier   -- parameters absent or NULL
    /// ```
    ///
    /// # Errors
    /// An unknown OID, or parameters other than NULL.
    pub fn from_algorithm_identifier(
        ai: &AlgorithmIdentifierRef<'_>,
    ) -> Result<Self, AlgorithmError> {
        let alg = Self::from_oid(ai.oid)?;
        match ai.parameters {
            None => Ok(alg),
            Some(p) if p.is_null() => Ok(alg),
            Some(_) => Err(AlgorithmError::ParametersNotNull { oid: ai.oid }),
        }
    }

    /// [`Self::from_algorithm_identifier`] for an owned identifier.
    ///
    /// # Errors
    /// As [`Self::from_algorithm_identifier`].
    pub fn from_algorithm_identifier_owned(
        ai: &AlgorithmIdentifierOwned,
    ) -> Result<Self, AlgorithmError> {
        Self::from_algorithm_identifier(&as_ref(ai))
    }

    /// The identifier with absent parameters (the RFC 5754 §2 preferred form).
    #[must_use]
    pub fn to_algorithm_identifier(self) -> AlgorithmIdentifierOwned {
        AlgorithmIdentifierOwned {
            oid: self.oid(),
            parameters: None,
        }
    }

    /// The identifier with NULL parameters, the form RFC 4055 uses inside `RSASSA-PSS-params`.
    #[must_use]
    pub fn to_algorithm_identifier_with_null(self) -> AlgorithmIdentifierOwned {
        AlgorithmIdentifierOwned {
            oid: self.oid(),
            parameters: Some(Any::null()),
        }
    }
}

/// `id-RSAES-OAEP` (RFC 4055 §4.1).
pub const ID_RSAES_OAEP: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.7");

/// RSAES-OAEP parameters (RFC 4055 §4.1; EXPLICIT tags).
///
/// ```text
/// RSAES-OAEP-params  ::=  SEQUENCE  {
///     hashFunc          [0] AlgorithmIdentifier DEFAULT sha1Identifier,
///     maskGenFunc       [1] AlgorithmIdentifier DEFAULT mgf1SHA1Identifier,
///     pSourceFunc       [2] AlgorithmIdentifier DEFAULT pSpecifiedEmptyIdentifier  }
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Sequence)]
pub struct RsaOaepParams {
    /// `hashFunc`; absent means SHA-1.
    #[asn1(context_specific = "0", tag_mode = "EXPLICIT", optional = "true")]
    pub hash_func: Option<AlgorithmIdentifierOwned>,
    /// `maskGenFunc`; absent means MGF1 with SHA-1.
    #[asn1(context_specific = "1", tag_mode = "EXPLICIT", optional = "true")]
    pub mask_gen_func: Option<AlgorithmIdentifierOwned>,
    /// `pSourceFunc`; absent means the empty label.
    #[asn1(context_specific = "2", tag_mode = "EXPLICIT", optional = "true")]
    pub p_source_func: Option<AlgorithmIdentifierOwned>,
}

impl RsaOaepParams {
    /// SHA-256 with MGF1-SHA-256 and the empty label (RFC 9481 §4.2.1), hashes with NULL
    /// parameters as RFC 4055 §2.1 writes them.
    ///
    /// # Errors
    /// An encoding error (not expected).
    pub fn sha256() -> Result<Self, AlgorithmError> {
        let hash = DigestAlgorithm::Sha256.to_algorithm_identifier_with_null();
        Ok(Self {
            mask_gen_func: Some(AlgorithmIdentifierOwned {
                oid: ID_MGF1,
                parameters: Some(Any::encode_from(&hash).map_err(AlgorithmError::Encode)?),
            }),
            hash_func: Some(hash),
            p_source_func: None,
        })
    }

    /// Whether these are the SHA-256 parameters of [`Self::sha256`] (NULL or absent hash
    /// parameters both accepted, RFC 4055 §2.1).
    pub fn is_sha256(&self) -> bool {
        let sha256 = |ai: &AlgorithmIdentifierOwned| {
            DigestAlgorithm::from_algorithm_identifier_owned(ai) == Ok(DigestAlgorithm::Sha256)
        };
        let mgf_ok = self.mask_gen_func.as_ref().is_some_and(|m| {
            m.oid == ID_MGF1
                && m.parameters
                    .as_ref()
                    .and_then(|p| p.decode_as::<AlgorithmIdentifierOwned>().ok())
                    .is_some_and(|h| sha256(&h))
        });
        self.hash_func.as_ref().is_some_and(sha256) && mgf_ok && self.p_source_func.is_none()
    }
}

/// RSASSA-PSS parameters (RFC 4055 §3.1; the module uses EXPLICIT tags).
///
/// ```text
/// RSASSA-PSS-params  ::=  SEQUENCE  {
///     hashAlgorithm      [0] HashAlgorithm DEFAULT sha1Identifier,
///     maskGenAlgorithm   [1] MaskGenAlgorithm DEFAULT mgf1SHA1Identifier,
///     saltLength         [2] INTEGER DEFAULT 20,
///     trailerField       [3] INTEGER DEFAULT 1  }
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Sequence)]
pub struct RsaPssParams {
    /// `hashAlgorithm`; absent means SHA-1.
    #[asn1(context_specific = "0", tag_mode = "EXPLICIT", optional = "true")]
    pub hash_algorithm: Option<AlgorithmIdentifierOwned>,
    /// `maskGenAlgorithm`; absent means MGF1 with SHA-1.
    #[asn1(context_specific = "1", tag_mode = "EXPLICIT", optional = "true")]
    pub mask_gen_algorithm: Option<AlgorithmIdentifierOwned>,
    /// `saltLength`; absent means 20.
    #[asn1(context_specific = "2", tag_mode = "EXPLICIT", optional = "true")]
    pub salt_length: Option<u32>,
    /// `trailerField`; absent means 1.
    #[asn1(context_specific = "3", tag_mode = "EXPLICIT", optional = "true")]
    pub trailer_field: Option<u32>,
}

impl RsaPssParams {
    /// The standard parameters for `hash` (SHA-256/384/512): MGF1 with the same hash, salt of
    /// the hash length, trailer field 1 (left to its DEFAULT).
    fn standard(hash: DigestAlgorithm) -> Result<Self, AlgorithmError> {
        let hash_ai = hash.to_algorithm_identifier_with_null();
        let mgf_params = Any::encode_from(&hash_ai).map_err(AlgorithmError::Encode)?;
        Ok(Self {
            hash_algorithm: Some(hash_ai),
            mask_gen_algorithm: Some(AlgorithmIdentifierOwned {
                oid: ID_MGF1,
                parameters: Some(mgf_params),
            }),
            salt_length: u32::try_from(hash.output_len()).ok(),
            trailer_field: None,
        })
    }

    /// Checks these are one of the three accepted parameter sets and returns its hash.
    fn accepted_hash(&self) -> Result<DigestAlgorithm, AlgorithmError> {
        let hash_ai = match &self.hash_algorithm {
            None => return Err(AlgorithmError::PssHashNotAccepted { oid: ID_SHA1 }),
            Some(ai) => ai,
        };
        let hash = match DigestAlgorithm::from_algorithm_identifier_owned(hash_ai) {
            Ok(DigestAlgorithm::Sha1) => {
                return Err(AlgorithmError::PssHashNotAccepted { oid: ID_SHA1 });
            }
            Ok(h) => h,
            Err(AlgorithmError::UnknownDigestAlgorithm { oid }) => {
                return Err(AlgorithmError::PssHashNotAccepted { oid });
            }
            Err(e) => return Err(e),
        };
        let mgf = self
            .mask_gen_algorithm
            .as_ref()
            .ok_or(AlgorithmError::PssMgfHashMismatch {
                hash: hash.oid(),
                mgf_hash: ID_SHA1,
            })?;
        if mgf.oid != ID_MGF1 {
            return Err(AlgorithmError::PssMgfNotMgf1 { oid: mgf.oid });
        }
        let mgf_hash_ai: AlgorithmIdentifierOwned = match &mgf.parameters {
            None => return Err(AlgorithmError::PssMgfHashMissing),
            Some(p) => AlgorithmIdentifierOwned::from_der(
                &p.to_der().map_err(AlgorithmError::PssParametersMalformed)?,
            )
            .map_err(AlgorithmError::PssParametersMalformed)?,
        };
        let mgf_hash = match DigestAlgorithm::from_algorithm_identifier_owned(&mgf_hash_ai) {
            Ok(h) => h,
            Err(AlgorithmError::UnknownDigestAlgorithm { oid }) => {
                return Err(AlgorithmError::PssMgfHashMismatch {
                    hash: hash.oid(),
                    mgf_hash: oid,
                });
            }
            Err(e) => return Err(e),
        };
        if mgf_hash != hash {
            return Err(AlgorithmError::PssMgfHashMismatch {
                hash: hash.oid(),
                mgf_hash: mgf_hash.oid(),
            });
        }
        let expected = u32::try_from(hash.output_len()).unwrap_or(u32::MAX);
        let actual = self.salt_length.unwrap_or(20);
        if actual != expected {
            return Err(AlgorithmError::PssSaltLength { expected, actual });
        }
        match self.trailer_field {
            None => Ok(hash),
            Some(1) => Err(AlgorithmError::PssDefaultEncoded {
                field: "trailerField",
            }),
            Some(value) => Err(AlgorithmError::PssTrailerField { value }),
        }
    }
}

fn as_ref(ai: &AlgorithmIdentifierOwned) -> AlgorithmIdentifierRef<'_> {
    AlgorithmIdentifierRef {
        oid: ai.oid,
        parameters: ai.parameters.as_ref().map(AnyRef::from),
    }
}

/// COSE algorithm numbers (IANA "COSE Algorithms" registry, RFC 9053 §2.1, RFC 8230 §2).
const COSE: [(SignatureAlgorithm, i64); 7] = [
    (SignatureAlgorithm::EcdsaP256Sha256Fixed, -7),
    (SignatureAlgorithm::EcdsaP384Sha384Fixed, -35),
    (SignatureAlgorithm::EcdsaP521Sha512Fixed, -36),
    (SignatureAlgorithm::RsaPssSha256, -37),
    (SignatureAlgorithm::RsaPssSha384, -38),
    (SignatureAlgorithm::RsaPssSha512, -39),
    (SignatureAlgorithm::Ed25519, -8),
];

impl SignatureAlgorithm {
    /// Maps an X.509 signature `AlgorithmIdentifier` (RFC 5280 §4.1.1.2) to the algorithm,
    /// with the DER-encoding of ECDSA signatures.
    ///
    /// Accepted: `ecdsa-with-SHA256/384/512` (parameters absent, RFC 5758 §3.2), `id-Ed25519`
    /// (absent, RFC 8410 §3), `sha256/384/512WithRSAEncryption` (NULL, RFC 4055 §5) and
    /// `id-RSASSA-PSS` with one of the three standard parameter sets (RFC 4055 §3.1).
    ///
    /// # Errors
    /// An [`AlgorithmError`] naming the unknown OID or the offending parameter.
    pub fn from_algorithm_identifier(
        ai: &AlgorithmIdentifierRef<'_>,
    ) -> Result<Self, AlgorithmError> {
        let oid = ai.oid;
        let absent = |alg: Self| match ai.parameters {
            None => Ok(alg),
            Some(_) => Err(AlgorithmError::ParametersPresent { oid }),
        };
        let null = |alg: Self| match ai.parameters {
            Some(p) if p.is_null() => Ok(alg),
            _ => Err(AlgorithmError::ParametersNotNull { oid }),
        };
        match oid {
            ECDSA_WITH_SHA256 => absent(Self::EcdsaP256Sha256Asn1),
            ECDSA_WITH_SHA384 => absent(Self::EcdsaP384Sha384Asn1),
            ECDSA_WITH_SHA512 => absent(Self::EcdsaP521Sha512Asn1),
            ID_ED25519 => absent(Self::Ed25519),
            SHA256_WITH_RSA_ENCRYPTION => null(Self::RsaPkcs1Sha256),
            SHA384_WITH_RSA_ENCRYPTION => null(Self::RsaPkcs1Sha384),
            SHA512_WITH_RSA_ENCRYPTION => null(Self::RsaPkcs1Sha512),
            ID_RSASSA_PSS => {
                let params = ai.parameters.ok_or(AlgorithmError::PssParametersMissing)?;
                let der = params
                    .to_der()
                    .map_err(AlgorithmError::PssParametersMalformed)?;
                let params =
                    RsaPssParams::from_der(&der).map_err(AlgorithmError::PssParametersMalformed)?;
                match params.accepted_hash()? {
                    DigestAlgorithm::Sha256 => Ok(Self::RsaPssSha256),
                    DigestAlgorithm::Sha384 => Ok(Self::RsaPssSha384),
                    DigestAlgorithm::Sha512 => Ok(Self::RsaPssSha512),
                    DigestAlgorithm::Sha1 => {
                        Err(AlgorithmError::PssHashNotAccepted { oid: ID_SHA1 })
                    }
                }
            }
            _ => Err(AlgorithmError::UnknownSignatureAlgorithm { oid }),
        }
    }

    /// [`Self::from_algorithm_identifier`] for an owned identifier.
    ///
    /// # Errors
    /// As [`Self::from_algorithm_identifier`].
    pub fn from_algorithm_identifier_owned(
        ai: &AlgorithmIdentifierOwned,
    ) -> Result<Self, AlgorithmError> {
        Self::from_algorithm_identifier(&as_ref(ai))
    }

    /// The X.509 signature `AlgorithmIdentifier` for this algorithm, in the form
    /// [`Self::from_algorithm_identifier`] accepts (PSS hashes with NULL parameters, as RFC 4055
    /// §3.1's `sha256Identifier` and OpenSSL write them).
    ///
    /// # Errors
    /// [`AlgorithmError::NoX509Identifier`] for the fixed-width (`r ‖ s`) ECDSA encodings.
    pub fn to_algorithm_identifier(self) -> Result<AlgorithmIdentifierOwned, AlgorithmError> {
        let absent = |oid| {
            Ok(AlgorithmIdentifierOwned {
                oid,
                parameters: None,
            })
        };
        let null = |oid| {
            Ok(AlgorithmIdentifierOwned {
                oid,
                parameters: Some(Any::null()),
            })
        };
        let pss = |hash| {
            let params = RsaPssParams::standard(hash)?;
            Ok(AlgorithmIdentifierOwned {
                oid: ID_RSASSA_PSS,
                parameters: Some(Any::encode_from(&params).map_err(AlgorithmError::Encode)?),
            })
        };
        match self {
            Self::EcdsaP256Sha256Asn1 => absent(ECDSA_WITH_SHA256),
            Self::EcdsaP384Sha384Asn1 => absent(ECDSA_WITH_SHA384),
            Self::EcdsaP521Sha512Asn1 => absent(ECDSA_WITH_SHA512),
            Self::Ed25519 => absent(ID_ED25519),
            Self::RsaPkcs1Sha256 => null(SHA256_WITH_RSA_ENCRYPTION),
            Self::RsaPkcs1Sha384 => null(SHA384_WITH_RSA_ENCRYPTION),
            Self::RsaPkcs1Sha512 => null(SHA512_WITH_RSA_ENCRYPTION),
            Self::RsaPssSha256 => pss(DigestAlgorithm::Sha256),
            Self::RsaPssSha384 => pss(DigestAlgorithm::Sha384),
            Self::RsaPssSha512 => pss(DigestAlgorithm::Sha512),
            Self::EcdsaP256Sha256Fixed
            | Self::EcdsaP384Sha384Fixed
            | Self::EcdsaP521Sha512Fixed => {
                Err(AlgorithmError::NoX509Identifier { algorithm: self })
            }
        }
    }

    /// The digest the algorithm hashes the message with (Ed25519 uses SHA-512 internally).
    #[must_use]
    pub const fn digest(self) -> DigestAlgorithm {
        match self {
            Self::EcdsaP256Sha256Asn1
            | Self::EcdsaP256Sha256Fixed
            | Self::RsaPkcs1Sha256
            | Self::RsaPssSha256 => DigestAlgorithm::Sha256,
            Self::EcdsaP384Sha384Asn1
            | Self::EcdsaP384Sha384Fixed
            | Self::RsaPkcs1Sha384
            | Self::RsaPssSha384 => DigestAlgorithm::Sha384,
            Self::EcdsaP521Sha512Asn1
            | Self::EcdsaP521Sha512Fixed
            | Self::RsaPkcs1Sha512
            | Self::RsaPssSha512
            | Self::Ed25519 => DigestAlgorithm::Sha512,
        }
    }

    /// The COSE `alg` value (ES256 = -7, ES384 = -35, ES512 = -36, PS256 = -37, PS384 = -38,
    /// PS512 = -39, EdDSA = -8), for the algorithms C2PA allows; `None` otherwise (the DER
    /// ECDSA encodings and PKCS#1 v1.5, which C2PA 2.2 §13.2.1 does not list).
    #[must_use]
    pub fn cose_algorithm(self) -> Option<i64> {
        COSE.iter().find(|(a, _)| *a == self).map(|(_, v)| *v)
    }

    /// The algorithm for a COSE `alg` value (ECDSA in its fixed-width COSE encoding).
    ///
    /// # Errors
    /// [`AlgorithmError::UnknownCoseAlgorithm`] for any other value.
    pub fn from_cose_algorithm(value: i64) -> Result<Self, AlgorithmError> {
        COSE.iter()
            .find(|(_, v)| *v == value)
            .map(|(a, _)| *a)
            .ok_or(AlgorithmError::UnknownCoseAlgorithm { value })
    }
}

impl fmt::Display for DigestAlgorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Sha1 => "SHA-1",
            Self::Sha256 => "SHA-256",
            Self::Sha384 => "SHA-384",
            Self::Sha512 => "SHA-512",
        })
    }
}

#[cfg(test)]
mod tests;
