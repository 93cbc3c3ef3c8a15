//! Encryption for CMS EnvelopedData in CMP (RFC 9810 §5.2.2; algorithms RFC 9481 §4–§5):
//! [`Encryption`] implements the public-key side (RSA key transport, ephemeral-static ECDH) and
//! the symmetric side (AES-CBC, AES key wrap); [`DecryptionKey`] is the private-key side.
//!
//! | operation | algorithm | aws-lc-rs |
//! |---|---|---|
//! | key transport | RSAES-OAEP SHA-256/MGF1-SHA-256; RSAES-PKCS1-v1_5 | `rsa::OaepPublicEncryptingKey`, `rsa::Pkcs1PublicEncryptingKey` |
//! | key agreement | ECDH on P-256/384/521 | `agreement::{PrivateKey, agree}` |
//! | content | AES-128/256-CBC with PKCS#7 padding | `cipher::PaddedBlock{En,De}cryptingKey` |
//! | key wrap | AES key wrap (RFC 3394) | [`crate::key_wrap`] |
//!
//! RSA keys must have [`MIN_RSA_MODULUS_BITS`]..=[`MAX_RSA_MODULUS_BITS`] bits and EC points
//! must lie on their curve; anything else is [`CryptoError::BadPublicKey`]. Decryption errors
//! are all [`CryptoError::DecryptionFailed`], whatever step failed.

use aws_lc_rs::agreement::{self, ECDH_P256, ECDH_P384, ECDH_P521, UnparsedPublicKey};
use aws_lc_rs::cipher::{
    AES_128, AES_256, DecryptionContext, EncryptionContext, PaddedBlockDecryptingKey,
    PaddedBlockEncryptingKey, UnboundCipherKey,
};
use aws_lc_rs::encoding::{AsDer, PublicKeyX509Der};
use aws_lc_rs::iv::FixedLength;
use aws_lc_rs::rsa::{
    OAEP_SHA256_MGF1SHA256, OaepPrivateDecryptingKey, OaepPublicEncryptingKey,
    Pkcs1PrivateDecryptingKey, Pkcs1PublicEncryptingKey, PrivateDecryptingKey, PublicEncryptingKey,
};
use signet_asn1_types::const_oid::ObjectIdentifier;
use signet_asn1_types::crypto::{
    ContentCipher, ContentEncryption, CryptoError, EcCurve, EncryptionKey, KeyTransport,
    PrivateKeyDecryption, PublicKeyEncryption,
};
use signet_asn1_types::der::Decode;
use signet_asn1_types::spki::SubjectPublicKeyInfoRef;

use crate::{MAX_RSA_MODULUS_BITS, MIN_RSA_MODULUS_BITS};

/// `id-ecPublicKey` (RFC 5480 §2.1.1).
const ID_EC_PUBLIC_KEY: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.2.1");
/// `rsaEncryption` (RFC 3279 §2.3.1).
const RSA_ENCRYPTION: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.1");
/// `secp256r1`, `secp384r1`, `secp521r1` (RFC 5480 §2.1.1.1).
const SECP256R1: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.3.1.7");
const SECP384R1: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.132.0.34");
const SECP521R1: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.132.0.35");

/// The aws-lc-rs encryption provider. Stateless; share one instance.
#[derive(Debug, Clone, Copy, Default)]
pub struct Encryption;

fn ecdh_alg(curve: EcCurve) -> Result<&'static agreement::Algorithm, CryptoError> {
    Ok(match curve {
        EcCurve::P256 => &ECDH_P256,
        EcCurve::P384 => &ECDH_P384,
        EcCurve::P521 => &ECDH_P521,
        _ => return Err(CryptoError::UnsupportedAlgorithm),
    })
}

/// The SPKI's algorithm: RSA (checked size), or an EC curve (point checked by the caller).
fn classify(spki_der: &[u8]) -> Result<EncryptionKey, CryptoError> {
    let spki =
        SubjectPublicKeyInfoRef::from_der(spki_der).map_err(|_| CryptoError::BadPublicKey)?;
    match spki.algorithm.oid {
        RSA_ENCRYPTION => {
            if !spki.algorithm.parameters.is_some_and(|p| p.is_null()) {
                return Err(CryptoError::BadPublicKey);
            }
            let key =
                PublicEncryptingKey::from_der(spki_der).map_err(|_| CryptoError::BadPublicKey)?;
            let bits = key.key_size_bits();
            if !(MIN_RSA_MODULUS_BITS..=MAX_RSA_MODULUS_BITS).contains(&bits) {
                return Err(CryptoError::BadPublicKey);
            }
            Ok(EncryptionKey::Rsa { bits })
        }
        ID_EC_PUBLIC_KEY => {
            let curve = spki
                .algorithm
                .parameters
                .and_then(|p| p.decode_as::<ObjectIdentifier>().ok())
                .ok_or(CryptoError::BadPublicKey)?;
            Ok(EncryptionKey::Ec(match curve {
                SECP256R1 => EcCurve::P256,
                SECP384R1 => EcCurve::P384,
                SECP521R1 => EcCurve::P521,
                _ => return Err(CryptoError::UnsupportedAlgorithm),
            }))
        }
        _ => Err(CryptoError::UnsupportedAlgorithm),
    }
}

/// Parses and validates an EC public key (the point must lie on the curve).
fn ec_public(spki_der: &[u8], curve: EcCurve) -> Result<agreement::ParsedPublicKey, CryptoError> {
    agreement::ParsedPublicKey::try_from(UnparsedPublicKey::new(ecdh_alg(curve)?, spki_der))
        .map_err(|_| CryptoError::BadPublicKey)
}

fn cipher_key(cipher: ContentCipher, key: &[u8]) -> Result<UnboundCipherKey, CryptoError> {
    let alg = match cipher {
        ContentCipher::Aes128Cbc => &AES_128,
        ContentCipher::Aes256Cbc => &AES_256,
        _ => return Err(CryptoError::UnsupportedAlgorithm),
    };
    if key.len() != cipher.key_len() {
        return Err(CryptoError::BadLength);
    }
    UnboundCipherKey::new(alg, key).map_err(|_| CryptoError::BadLength)
}

fn iv(iv: &[u8]) -> Result<FixedLength<16>, CryptoError> {
    FixedLength::<16>::try_from(iv).map_err(|_| CryptoError::BadLength)
}

impl ContentEncryption for Encryption {
    fn encrypt_content(
        &self,
        cipher: ContentCipher,
        key: &[u8],
        iv_bytes: &[u8],
        plaintext: &[u8],
    ) -> Result<Vec<u8>, CryptoError> {
        let key = PaddedBlockEncryptingKey::cbc_pkcs7(cipher_key(cipher, key)?)
            .map_err(|_| CryptoError::Backend)?;
        let mut out = plaintext.to_vec();
        key.less_safe_encrypt(&mut out, EncryptionContext::Iv128(iv(iv_bytes)?))
            .map_err(|_| CryptoError::Backend)?;
        Ok(out)
    }

    fn decrypt_content(
        &self,
        cipher: ContentCipher,
        key: &[u8],
        iv_bytes: &[u8],
        ciphertext: &[u8],
    ) -> Result<Vec<u8>, CryptoError> {
        let key = PaddedBlockDecryptingKey::cbc_pkcs7(cipher_key(cipher, key)?)
            .map_err(|_| CryptoError::Backend)?;
        let mut buf = ciphertext.to_vec();
        let plain = key
            .decrypt(&mut buf, DecryptionContext::Iv128(iv(iv_bytes)?))
            .map_err(|_| CryptoError::DecryptionFailed)?;
        Ok(plain.to_vec())
    }

    fn wrap_key(&self, kek: &[u8], key: &[u8]) -> Result<Vec<u8>, CryptoError> {
        crate::key_wrap::wrap(kek, key).map_err(|_| CryptoError::BadLength)
    }

    fn unwrap_key(&self, kek: &[u8], wrapped: &[u8]) -> Result<Vec<u8>, CryptoError> {
        crate::key_wrap::unwrap(kek, wrapped)
            .map(|k| k.to_vec())
            .map_err(|_| CryptoError::DecryptionFailed)
    }
}

impl PublicKeyEncryption for Encryption {
    fn encryption_key(&self, spki_der: &[u8]) -> Result<EncryptionKey, CryptoError> {
        let kind = classify(spki_der)?;
        if let EncryptionKey::Ec(curve) = kind {
            ec_public(spki_der, curve)?;
        }
        Ok(kind)
    }

    fn encrypt_key(
        &self,
        scheme: KeyTransport,
        spki_der: &[u8],
        key: &[u8],
    ) -> Result<Vec<u8>, CryptoError> {
        if !matches!(classify(spki_der)?, EncryptionKey::Rsa { .. }) {
            return Err(CryptoError::BadPublicKey);
        }
        let public =
            PublicEncryptingKey::from_der(spki_der).map_err(|_| CryptoError::BadPublicKey)?;
        match scheme {
            KeyTransport::RsaOaepSha256 => {
                let k = OaepPublicEncryptingKey::new(public).map_err(|_| CryptoError::Backend)?;
                let mut out = vec![0u8; k.ciphertext_size()];
                let len = k
                    .encrypt(&OAEP_SHA256_MGF1SHA256, key, &mut out, None)
                    .map_err(|_| CryptoError::BadLength)?
                    .len();
                out.truncate(len);
                Ok(out)
            }
            KeyTransport::RsaPkcs1v15 => {
                let k = Pkcs1PublicEncryptingKey::new(public).map_err(|_| CryptoError::Backend)?;
                let mut out = vec![0u8; k.ciphertext_size()];
                let len = k
                    .encrypt(key, &mut out)
                    .map_err(|_| CryptoError::BadLength)?
                    .len();
                out.truncate(len);
                Ok(out)
            }
            _ => Err(CryptoError::UnsupportedAlgorithm),
        }
    }

    fn agree_ephemeral(&self, spki_der: &[u8]) -> Result<(Vec<u8>, Vec<u8>), CryptoError> {
        let EncryptionKey::Ec(curve) = classify(spki_der)? else {
            return Err(CryptoError::BadPublicKey);
        };
        let peer = ec_public(spki_der, curve)?;
        let ephemeral =
            agreement::PrivateKey::generate(ecdh_alg(curve)?).map_err(|_| CryptoError::Backend)?;
        let public = ephemeral
            .compute_public_key()
            .map_err(|_| CryptoError::Backend)?;
        let public_der: PublicKeyX509Der<'_> = public.as_der().map_err(|_| CryptoError::Backend)?;
        let z = agreement::agree(&ephemeral, peer, CryptoError::BadPublicKey, |z| {
            Ok(z.to_vec())
        })?;
        Ok((public_der.as_ref().to_vec(), z))
    }
}

enum Private {
    Rsa(PrivateDecryptingKey),
    Ec(agreement::PrivateKey),
}

/// A private key for decryption, loaded from PKCS#8: RSA (key transport) or EC P-256/384/521
/// (key agreement). Key bytes are never printed.
pub struct DecryptionKey {
    key: Private,
    public_key_der: Vec<u8>,
}

impl core::fmt::Debug for DecryptionKey {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("DecryptionKey").finish_non_exhaustive()
    }
}

impl DecryptionKey {
    /// Loads an RSA or EC private key from PKCS#8 (v1 or v2) DER.
    ///
    /// # Errors
    /// [`CryptoError::BadPublicKey`] when the key is neither an acceptable RSA key nor an EC
    /// key on a supported curve.
    pub fn from_pkcs8(pkcs8_der: &[u8]) -> Result<Self, CryptoError> {
        if let Ok(rsa) = PrivateDecryptingKey::from_pkcs8(pkcs8_der) {
            let public_key_der = rsa
                .public_key()
                .as_der()
                .map(|d| d.as_ref().to_vec())
                .map_err(|_| CryptoError::Backend)?;
            classify(&public_key_der)?;
            return Ok(Self {
                key: Private::Rsa(rsa),
                public_key_der,
            });
        }
        for alg in [&ECDH_P256, &ECDH_P384, &ECDH_P521] {
            if let Ok(ec) = agreement::PrivateKey::from_private_key_der(alg, pkcs8_der) {
                let public_der: PublicKeyX509Der<'_> = ec
                    .compute_public_key()
                    .map_err(|_| CryptoError::Backend)?
                    .as_der()
                    .map_err(|_| CryptoError::Backend)?;
                return Ok(Self {
                    key: Private::Ec(ec),
                    public_key_der: public_der.as_ref().to_vec(),
                });
            }
        }
        Err(CryptoError::BadPublicKey)
    }
}

impl PrivateKeyDecryption for DecryptionKey {
    fn public_key_der(&self) -> &[u8] {
        &self.public_key_der
    }

    fn decrypt_key(&self, scheme: KeyTransport, encrypted: &[u8]) -> Result<Vec<u8>, CryptoError> {
        let Private::Rsa(rsa) = &self.key else {
            return Err(CryptoError::DecryptionFailed);
        };
        let mut out = vec![0u8; rsa.key_size_bytes()];
        let len = match scheme {
            KeyTransport::RsaOaepSha256 => OaepPrivateDecryptingKey::new(rsa.clone())
                .map_err(|_| CryptoError::Backend)?
                .decrypt(&OAEP_SHA256_MGF1SHA256, encrypted, &mut out, None)
                .map_err(|_| CryptoError::DecryptionFailed)?
                .len(),
            KeyTransport::RsaPkcs1v15 => Pkcs1PrivateDecryptingKey::new(rsa.clone())
                .map_err(|_| CryptoError::Backend)?
                .decrypt(encrypted, &mut out)
                .map_err(|_| CryptoError::DecryptionFailed)?
                .len(),
            _ => return Err(CryptoError::UnsupportedAlgorithm),
        };
        out.truncate(len);
        Ok(out)
    }

    fn agree(&self, originator_spki_der: &[u8]) -> Result<Vec<u8>, CryptoError> {
        let Private::Ec(ec) = &self.key else {
            return Err(CryptoError::DecryptionFailed);
        };
        let EncryptionKey::Ec(curve) = classify(originator_spki_der)? else {
            return Err(CryptoError::BadPublicKey);
        };
        let peer = ec_public(originator_spki_der, curve)?;
        agreement::agree(ec, peer, CryptoError::BadPublicKey, |z| Ok(z.to_vec()))
    }
}
