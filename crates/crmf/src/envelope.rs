//! Encrypting to a requester's new key, for proof of possession of encryption and
//! key-agreement keys (RFC 9810 §5.2.2, §5.2.8.3): the certificate of the indirect method
//! (`encrCert`) and the `Rand` of the direct challenge (popdecc/popdecr).
//!
//! Two containers:
//! - **CMS EnvelopedData** (RFC 5652 §6; cmp2021, pvno 3) with one RecipientInfo — a
//!   KeyTransRecipientInfo with RSAES-OAEP-SHA256 for RSA keys, or a KeyAgreeRecipientInfo with
//!   `dhSinglePass-stdDH-sha256kdf-scheme` (ephemeral-static ECDH, ANSI X9.63 KDF with SHA-256,
//!   RFC 5753 §3.1) and AES-256 key wrap for EC keys — and AES-256-CBC content (RFC 9481 §4–§5);
//! - **EncryptedValue** (RFC 4211 §2.1, deprecated; cmp2000, pvno 2) for RSA keys: RSAES-PKCS1-v1_5
//!   `encSymmKey` and AES-256-CBC, the form OpenSSL 3.0 decrypts.
//!
//! Opening accepts exactly these algorithms. Every primitive is reached through the traits of
//! `signet_asn1_types::crypto`; this module only builds and reads the structures (and runs the
//! X9.63 KDF, a hash construction).

use signet_asn1_types::algorithm::{DigestAlgorithm, ID_RSAES_OAEP, RsaOaepParams};
use signet_asn1_types::cmp::{Challenge, Rand};
use signet_asn1_types::cms::cert::IssuerAndSerialNumber;
use signet_asn1_types::cms::content_info::CmsVersion;
use signet_asn1_types::cms::enveloped_data::{
    EncryptedContentInfo, EnvelopedData, KeyAgreeRecipientIdentifier, KeyAgreeRecipientInfo,
    KeyTransRecipientInfo, OriginatorIdentifierOrKey, OriginatorPublicKey, RecipientEncryptedKey,
    RecipientIdentifier, RecipientInfo, RecipientInfos,
};
use signet_asn1_types::const_oid::ObjectIdentifier;
use signet_asn1_types::crmf::EncryptedValue;
use signet_asn1_types::crypto::{
    ContentCipher, ContentEncryption, CryptoError, EncryptionKey, KeyTransport,
    PrivateKeyDecryption, PublicKeyEncryption, SecureRandom,
};
use signet_asn1_types::der::asn1::{BitString, Int, OctetString, SetOfVec};
use signet_asn1_types::der::{Any, Decode, Encode};
use signet_asn1_types::spki::{AlgorithmIdentifierOwned, SubjectPublicKeyInfoOwned};
use signet_asn1_types::x509_cert::ext::pkix::name::GeneralName;
use signet_asn1_types::x509_cert::name::Name;
use signet_asn1_types::x509_cert::serial_number::SerialNumber;
use zeroize::Zeroizing;

use crate::Error;

/// `id-data` (RFC 5652 §4): the content type of the encrypted certificate or `Rand`.
pub const ID_DATA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.7.1");
/// `id-aes128-CBC` (RFC 3565 §4.1).
pub const ID_AES128_CBC: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.1.2");
/// `id-aes256-CBC` (RFC 3565 §4.1).
pub const ID_AES256_CBC: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.1.42");
/// `id-aes256-wrap` (RFC 3565 §4.3).
pub const ID_AES256_WRAP: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.1.45");
/// `dhSinglePass-stdDH-sha256kdf-scheme` (RFC 5753 §7.1.4).
pub const DH_SINGLE_PASS_STD_DH_SHA256_KDF: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.3.132.1.11.1");
/// `rsaEncryption` (RFC 3279 §2.3.1), the `keyAlg` of an RSAES-PKCS1-v1_5 EncryptedValue.
pub const RSA_ENCRYPTION: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.1");
/// `id-ecPublicKey` (RFC 5480 §2.1.1).
const ID_EC_PUBLIC_KEY: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.2.1");

/// The content cipher used for everything sealed here.
const CIPHER: ContentCipher = ContentCipher::Aes256Cbc;
/// The key-encryption key length for AES-256 key wrap, bytes.
const KEK_LEN: usize = 32;
/// Largest plaintext [`open`] returns, bytes (a certificate or `Rand`; bounds the work).
pub const MAX_CONTENT: usize = 64 * 1024;

/// What the sealing side needs: the public-key and symmetric primitives and randomness.
#[derive(Clone, Copy)]
pub struct Sealer<'a> {
    /// The crypto provider.
    pub encryption: &'a dyn PublicKeyEncryption,
    /// Randomness for content keys, IVs and `Rand`.
    pub rng: &'a dyn SecureRandom,
}

impl core::fmt::Debug for Sealer<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Sealer").finish_non_exhaustive()
    }
}

/// What the opening side needs: the private key and the symmetric primitives.
#[derive(Clone, Copy)]
pub struct Opener<'a> {
    /// The private key the content was encrypted to.
    pub key: &'a dyn PrivateKeyDecryption,
    /// Symmetric primitives.
    pub content: &'a dyn ContentEncryption,
}

impl core::fmt::Debug for Opener<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Opener").finish_non_exhaustive()
    }
}

fn crypto(e: CryptoError) -> Error {
    Error::Crypto(e)
}

fn enc(what: &'static str) -> impl Fn(signet_asn1_types::der::Error) -> Error {
    move |_| Error::Encoding { what }
}

fn unsupported(what: &'static str) -> Error {
    Error::UnsupportedEnvelope { what }
}

fn random(rng: &dyn SecureRandom, len: usize) -> Result<Zeroizing<Vec<u8>>, Error> {
    let mut v = Zeroizing::new(vec![0u8; len]);
    rng.fill(&mut v).map_err(|_| crypto(CryptoError::Backend))?;
    Ok(v)
}

fn cipher_alg(cipher: ContentCipher, iv: &[u8]) -> Result<AlgorithmIdentifierOwned, Error> {
    let oid = match cipher {
        ContentCipher::Aes128Cbc => ID_AES128_CBC,
        _ => ID_AES256_CBC,
    };
    let iv = OctetString::new(iv).map_err(enc("IV"))?;
    Ok(AlgorithmIdentifierOwned {
        oid,
        parameters: Some(Any::encode_from(&iv).map_err(enc("IV"))?),
    })
}

/// The cipher and IV of a content-encryption `AlgorithmIdentifier`.
fn read_cipher(ai: &AlgorithmIdentifierOwned) -> Result<(ContentCipher, Vec<u8>), Error> {
    let cipher = match ai.oid {
        ID_AES128_CBC => ContentCipher::Aes128Cbc,
        ID_AES256_CBC => ContentCipher::Aes256Cbc,
        _ => return Err(unsupported("content-encryption algorithm")),
    };
    let iv = ai
        .parameters
        .as_ref()
        .and_then(|p| p.decode_as::<OctetString>().ok())
        .filter(|iv| iv.as_bytes().len() == cipher.iv_len())
        .ok_or(unsupported("content-encryption IV"))?;
    Ok((cipher, iv.as_bytes().to_vec()))
}

/// ANSI X9.63 KDF with SHA-256 (RFC 5753 §3.1.1, SEC 1 §3.6.1): `Hash(Z ‖ counter ‖ info)`.
fn x963_kdf_sha256(z: &[u8], shared_info: &[u8], len: usize) -> Zeroizing<Vec<u8>> {
    use sha2::Digest;
    let mut out = Zeroizing::new(Vec::with_capacity(len + 32));
    let mut counter: u32 = 1;
    while out.len() < len {
        let mut h = sha2::Sha256::new();
        h.update(z);
        h.update(counter.to_be_bytes());
        h.update(shared_info);
        out.extend_from_slice(&h.finalize());
        counter = counter.wrapping_add(1);
    }
    out.truncate(len);
    out
}

/// `ECC-CMS-SharedInfo` (RFC 5753 §7.2), the KDF's SharedInfo, for AES-256 key wrap:
///
/// ```text
/// ECC-CMS-SharedInfo ::= SEQUENCE {
///     keyInfo         AlgorithmIdentifier,
///     entityUInfo [0] EXPLICIT OCTET STRING OPTIONAL,
///     suppPubInfo [2] EXPLICIT OCTET STRING   }   -- key length in bits, 32-bit big-endian
/// ```
fn shared_info(ukm: Option<&OctetString>) -> Result<Vec<u8>, Error> {
    use signet_asn1_types::der::TagMode;
    use signet_asn1_types::der::asn1::ContextSpecific;
    let explicit = |n: u8, value: OctetString| -> Result<Any, Error> {
        let cs = ContextSpecific {
            tag_number: signet_asn1_types::der::TagNumber(n.into()),
            tag_mode: TagMode::Explicit,
            value,
        };
        Any::from_der(&cs.to_der().map_err(enc("SharedInfo"))?).map_err(enc("SharedInfo"))
    };
    let bits = u32::try_from(KEK_LEN * 8).map_err(|_| unsupported("KEK length"))?;
    let key_info = AlgorithmIdentifierOwned {
        oid: ID_AES256_WRAP,
        parameters: None,
    };
    let mut fields = vec![Any::encode_from(&key_info).map_err(enc("SharedInfo"))?];
    if let Some(u) = ukm {
        fields.push(explicit(0, u.clone())?);
    }
    fields.push(explicit(
        2,
        OctetString::new(bits.to_be_bytes()).map_err(enc("SharedInfo"))?,
    )?);
    fields.to_der().map_err(enc("SharedInfo"))
}

fn kari_alg() -> Result<AlgorithmIdentifierOwned, Error> {
    let wrap = AlgorithmIdentifierOwned {
        oid: ID_AES256_WRAP,
        parameters: None,
    };
    Ok(AlgorithmIdentifierOwned {
        oid: DH_SINGLE_PASS_STD_DH_SHA256_KDF,
        parameters: Some(Any::encode_from(&wrap).map_err(enc("key wrap algorithm"))?),
    })
}

/// The recipient, named as CMS requires even though the certificate may still be encrypted
/// (RFC 9810 §5.2.8.3.2): issuer and serial number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recipient {
    /// Issuer (a NULL-DN for a challenge, RFC 9810 §5.2.8.3.3).
    pub issuer: Name,
    /// Serial number (the certReqId for a challenge).
    pub serial_number: SerialNumber,
}

impl Recipient {
    fn id(&self) -> IssuerAndSerialNumber {
        IssuerAndSerialNumber {
            issuer: self.issuer.clone(),
            serial_number: self.serial_number.clone(),
        }
    }
}

/// Encrypts `plaintext` to `recipient_spki` (DER) in an EnvelopedData (see the module docs).
pub fn seal(
    plaintext: &[u8],
    recipient_spki: &[u8],
    recipient: &Recipient,
    sealer: &Sealer<'_>,
) -> Result<EnvelopedData, Error> {
    let kind = sealer
        .encryption
        .encryption_key(recipient_spki)
        .map_err(crypto)?;
    let cek = random(sealer.rng, CIPHER.key_len())?;
    let iv = random(sealer.rng, CIPHER.iv_len())?;
    let (version, info) = match kind {
        EncryptionKey::Rsa { .. } => {
            let wrapped = sealer
                .encryption
                .encrypt_key(KeyTransport::RsaOaepSha256, recipient_spki, &cek)
                .map_err(crypto)?;
            let params = RsaOaepParams::sha256().map_err(|_| Error::Encoding {
                what: "RSAES-OAEP-params",
            })?;
            let ktri = KeyTransRecipientInfo {
                version: CmsVersion::V0,
                rid: RecipientIdentifier::IssuerAndSerialNumber(recipient.id()),
                key_enc_alg: AlgorithmIdentifierOwned {
                    oid: ID_RSAES_OAEP,
                    parameters: Some(Any::encode_from(&params).map_err(enc("OAEP params"))?),
                },
                enc_key: OctetString::new(wrapped).map_err(enc("encryptedKey"))?,
            };
            (CmsVersion::V0, RecipientInfo::Ktri(ktri))
        }
        EncryptionKey::Ec(_) => {
            let (ephemeral, z) = sealer
                .encryption
                .agree_ephemeral(recipient_spki)
                .map_err(crypto)?;
            let z = Zeroizing::new(z);
            let kek = x963_kdf_sha256(&z, &shared_info(None)?, KEK_LEN);
            let wrapped = sealer.encryption.wrap_key(&kek, &cek).map_err(crypto)?;
            let ephemeral = SubjectPublicKeyInfoOwned::from_der(&ephemeral)
                .map_err(|_| crypto(CryptoError::Backend))?;
            let kari = KeyAgreeRecipientInfo {
                version: CmsVersion::V3,
                originator: OriginatorIdentifierOrKey::OriginatorKey(OriginatorPublicKey {
                    algorithm: AlgorithmIdentifierOwned {
                        oid: ID_EC_PUBLIC_KEY,
                        parameters: None,
                    },
                    public_key: ephemeral.subject_public_key,
                }),
                ukm: None,
                key_enc_alg: kari_alg()?,
                recipient_enc_keys: vec![RecipientEncryptedKey {
                    rid: KeyAgreeRecipientIdentifier::IssuerAndSerialNumber(recipient.id()),
                    enc_key: OctetString::new(wrapped).map_err(enc("encryptedKey"))?,
                }],
            };
            (CmsVersion::V2, RecipientInfo::Kari(kari))
        }
        _ => return Err(crypto(CryptoError::UnsupportedAlgorithm)),
    };
    let ciphertext = sealer
        .encryption
        .encrypt_content(CIPHER, &cek, &iv, plaintext)
        .map_err(crypto)?;
    let recip_infos =
        RecipientInfos(SetOfVec::try_from(vec![info]).map_err(enc("RecipientInfos"))?);
    Ok(EnvelopedData {
        version,
        originator_info: None,
        recip_infos,
        encrypted_content: EncryptedContentInfo {
            content_type: ID_DATA,
            content_enc_alg: cipher_alg(CIPHER, &iv)?,
            encrypted_content: Some(OctetString::new(ciphertext).map_err(enc("content"))?),
        },
        unprotected_attrs: None,
    })
}

/// The originator's ephemeral key as an SPKI on our curve (RFC 5753 §3.1.2: its algorithm is
/// `id-ecPublicKey` with absent or NULL parameters; the curve is the recipient's).
fn originator_spki(own_spki: &[u8], point: &BitString) -> Result<Vec<u8>, Error> {
    let own = SubjectPublicKeyInfoOwned::from_der(own_spki)
        .map_err(|_| crypto(CryptoError::BadPublicKey))?;
    SubjectPublicKeyInfoOwned {
        algorithm: own.algorithm,
        subject_public_key: point.clone(),
    }
    .to_der()
    .map_err(enc("originator key"))
}

/// Decrypts an EnvelopedData sealed to `opener.key` (one RecipientInfo, the algorithms of
/// [`seal`]). The `rid` is not checked: it may name the still-encrypted certificate
/// (RFC 9810 §5.2.8.3.2 "the client MAY ignore it").
pub fn open(env: &EnvelopedData, opener: &Opener<'_>) -> Result<Vec<u8>, Error> {
    let [info] = env.recip_infos.0.as_slice() else {
        return Err(unsupported(
            "EnvelopedData must have exactly one RecipientInfo",
        ));
    };
    let cek = Zeroizing::new(match info {
        RecipientInfo::Ktri(ktri) => {
            let params: RsaOaepParams = ktri
                .key_enc_alg
                .parameters
                .as_ref()
                .and_then(|p| p.decode_as().ok())
                .ok_or(unsupported("key transport algorithm"))?;
            if ktri.key_enc_alg.oid != ID_RSAES_OAEP || !params.is_sha256() {
                return Err(unsupported("key transport algorithm"));
            }
            opener
                .key
                .decrypt_key(KeyTransport::RsaOaepSha256, ktri.enc_key.as_bytes())
                .map_err(crypto)?
        }
        RecipientInfo::Kari(kari) => {
            if kari.key_enc_alg != kari_alg()? {
                return Err(unsupported("key agreement algorithm"));
            }
            let OriginatorIdentifierOrKey::OriginatorKey(originator) = &kari.originator else {
                return Err(unsupported("originator must be an ephemeral public key"));
            };
            let [rek] = kari.recipient_enc_keys.as_slice() else {
                return Err(unsupported("exactly one RecipientEncryptedKey"));
            };
            let peer = originator_spki(opener.key.public_key_der(), &originator.public_key)?;
            let z = Zeroizing::new(opener.key.agree(&peer).map_err(crypto)?);
            let kek = x963_kdf_sha256(&z, &shared_info(kari.ukm.as_ref())?, KEK_LEN);
            opener
                .content
                .unwrap_key(&kek, rek.enc_key.as_bytes())
                .map_err(crypto)?
        }
        _ => return Err(unsupported("RecipientInfo type")),
    });
    let eci = &env.encrypted_content;
    if eci.content_type != ID_DATA {
        return Err(unsupported("content type"));
    }
    let (cipher, iv) = read_cipher(&eci.content_enc_alg)?;
    if cek.len() != cipher.key_len() {
        return Err(crypto(CryptoError::DecryptionFailed));
    }
    let ciphertext = eci
        .encrypted_content
        .as_ref()
        .ok_or(unsupported("detached content"))?;
    if ciphertext.as_bytes().len() > MAX_CONTENT {
        return Err(unsupported("content too large"));
    }
    opener
        .content
        .decrypt_content(cipher, &cek, &iv, ciphertext.as_bytes())
        .map_err(crypto)
}

/// Encrypts `plaintext` to an RSA key in the deprecated EncryptedValue (see the module docs).
pub fn seal_encrypted_value(
    plaintext: &[u8],
    recipient_spki: &[u8],
    sealer: &Sealer<'_>,
) -> Result<EncryptedValue, Error> {
    if !matches!(
        sealer
            .encryption
            .encryption_key(recipient_spki)
            .map_err(crypto)?,
        EncryptionKey::Rsa { .. }
    ) {
        return Err(unsupported("EncryptedValue needs an RSA key"));
    }
    let cek = random(sealer.rng, CIPHER.key_len())?;
    let iv = random(sealer.rng, CIPHER.iv_len())?;
    let enc_symm_key = sealer
        .encryption
        .encrypt_key(KeyTransport::RsaPkcs1v15, recipient_spki, &cek)
        .map_err(crypto)?;
    let ciphertext = sealer
        .encryption
        .encrypt_content(CIPHER, &cek, &iv, plaintext)
        .map_err(crypto)?;
    Ok(EncryptedValue {
        intended_alg: None,
        symm_alg: Some(cipher_alg(CIPHER, &iv)?),
        enc_symm_key: Some(BitString::from_bytes(&enc_symm_key).map_err(enc("encSymmKey"))?),
        key_alg: Some(AlgorithmIdentifierOwned {
            oid: RSA_ENCRYPTION,
            parameters: Some(Any::null()),
        }),
        value_hint: None,
        enc_value: BitString::from_bytes(&ciphertext).map_err(enc("encValue"))?,
    })
}

/// Decrypts an EncryptedValue made by [`seal_encrypted_value`].
pub fn open_encrypted_value(ev: &EncryptedValue, opener: &Opener<'_>) -> Result<Vec<u8>, Error> {
    if ev.key_alg.as_ref().is_some_and(|a| a.oid != RSA_ENCRYPTION) {
        return Err(unsupported("EncryptedValue keyAlg"));
    }
    let symm = ev
        .symm_alg
        .as_ref()
        .ok_or(unsupported("EncryptedValue symmAlg"))?;
    let (cipher, iv) = read_cipher(symm)?;
    let wrapped = ev
        .enc_symm_key
        .as_ref()
        .and_then(BitString::as_bytes)
        .ok_or(unsupported("EncryptedValue encSymmKey"))?;
    let cek = Zeroizing::new(
        opener
            .key
            .decrypt_key(KeyTransport::RsaPkcs1v15, wrapped)
            .map_err(crypto)?,
    );
    let value = ev
        .enc_value
        .as_bytes()
        .ok_or(unsupported("EncryptedValue encValue"))?;
    if value.len() > MAX_CONTENT {
        return Err(unsupported("content too large"));
    }
    opener
        .content
        .decrypt_content(cipher, &cek, &iv, value)
        .map_err(crypto)
}

/// The minimal two's-complement big-endian form of `v` (X.690 §8.3.2).
fn minimal_be(v: i64) -> Vec<u8> {
    let be = v.to_be_bytes();
    let mut out: &[u8] = &be;
    while let [first, second, rest @ ..] = out {
        let redundant =
            (*first == 0x00 && second & 0x80 == 0) || (*first == 0xFF && second & 0x80 != 0);
        if !redundant {
            break;
        }
        out = out.get(1..).unwrap_or_default();
        let _ = rest;
    }
    out.to_vec()
}

/// The witness of a challenge: SHA-256 over the DER of `int` (RFC 9810 §5.2.8.3.3: "the
/// result of applying the one-way function (owf) to a randomly-generated INTEGER").
fn witness(int: &Int) -> Result<Vec<u8>, Error> {
    use sha2::Digest;
    Ok(sha2::Sha256::digest(int.to_der().map_err(enc("Rand int"))?).to_vec())
}

/// A direct POP challenge (popdecc) for the key `recipient_spki` of request `cert_req_id`:
/// a fresh 128-bit `Rand.int` with our `sender` name, encrypted in `encryptedRand` (cmp2021),
/// with its SHA-256 witness. Returns the challenge and the integer the requester must return.
pub fn challenge(
    sender: &GeneralName,
    recipient_spki: &[u8],
    cert_req_id: i64,
    sealer: &Sealer<'_>,
) -> Result<(Challenge, Int), Error> {
    let mut bytes = random(sealer.rng, 16)?.to_vec();
    // A positive INTEGER in minimal form: clear the top bit, never lead with 0x00.
    if let Some(b) = bytes.first_mut() {
        *b = (*b & 0x7F) | 0x40;
    }
    let int = Int::new(&bytes).map_err(enc("Rand int"))?;
    let rand = Rand {
        int: int.clone(),
        sender: sender.clone(),
    };
    let id_serial = SerialNumber::new(&minimal_be(cert_req_id)).map_err(enc("certReqId serial"))?;
    let recipient = Recipient {
        issuer: Name::default(),
        serial_number: id_serial,
    };
    let env = seal(
        &rand.to_der().map_err(enc("Rand"))?,
        recipient_spki,
        &recipient,
        sealer,
    )?;
    Ok((
        Challenge {
            owf: Some(DigestAlgorithm::Sha256.to_algorithm_identifier()),
            witness: OctetString::new(witness(&int)?).map_err(enc("witness"))?,
            challenge: OctetString::new(Vec::new()).map_err(enc("challenge"))?,
            encrypted_rand: Some(env),
        },
        int,
    ))
}

/// Answers a challenge: decrypts `encryptedRand`, checks that `Rand.sender` is the challenger
/// (`expected_sender`, the popdecc's header sender) and the witness, and returns `Rand.int`.
pub fn answer_challenge(
    challenge: &Challenge,
    expected_sender: &GeneralName,
    opener: &Opener<'_>,
) -> Result<Int, Error> {
    let env = challenge
        .encrypted_rand
        .as_ref()
        .ok_or(unsupported("challenge without encryptedRand (cmp2000)"))?;
    let plain = open(env, opener)?;
    let rand = Rand::from_der(&plain).map_err(|_| Error::Malformed { what: "Rand" })?;
    if &rand.sender != expected_sender {
        return Err(Error::ChallengeMismatch);
    }
    match &challenge.owf {
        Some(owf)
            if DigestAlgorithm::from_algorithm_identifier_owned(owf)
                == Ok(DigestAlgorithm::Sha256) =>
        {
            if witness(&rand.int)? != challenge.witness.as_bytes() {
                return Err(Error::ChallengeMismatch);
            }
        }
        Some(_) => return Err(unsupported("challenge owf")),
        None => return Err(unsupported("challenge without owf")),
    }
    Ok(rand.int)
}

#[cfg(test)]
mod tests;
