//! Keys on a PKCS#11 token through `cryptoki` (tested with SoftHSM2).
//!
//! `keys.toml`:
//!
//! ```toml
//! [pkcs11]
//! module = "/usr/lib/softhsm/libsofthsm2.so"   # the token's PKCS#11 library
//! token-label = "signet"                        # CKA token label
//! pin-env = "SIGNET_PKCS11_PIN"                 # where the user PIN is (or pin-file, 0600)
//! roles = ["issuing-ca", "cmp-signer", "tsa"]   # keys used from the token
//! ```
//!
//! A role's private key is the object of class `CKO_PRIVATE_KEY` labelled `signet-<role>`
//! (`Role::label`). ECDSA keys (P-256, P-384, P-521) are used with `CKM_ECDSA` over a digest
//! computed here (what every token offers), their raw `r ‖ s` re-encoded as a DER
//! `Ecdsa-Sig-Value`; RSA keys with `CKM_SHA256_RSA_PKCS`. The algorithm follows the role's
//! certificate. Each signer keeps [`SESSIONS`] logged-in sessions, so signatures do not queue
//! behind one another on a multi-core host.
//!
//! [`import`] moves a PKCS#8 EC key onto the token as a sensitive, non-extractable token
//! object: what `signet keys to-pkcs11` does for each role before it removes the file.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use anyhow::{Context, Result, anyhow, bail};
use cryptoki::context::{CInitializeArgs, Pkcs11};
use cryptoki::error::{Error as CkError, RvError};
use cryptoki::mechanism::Mechanism;
use cryptoki::object::{Attribute, KeyType, ObjectClass, ObjectHandle};
use cryptoki::session::{Session, UserType};
use cryptoki::slot::Slot;
use cryptoki::types::AuthPin;
use serde::{Deserialize, Serialize};
use signet_asn1_types::const_oid::ObjectIdentifier;
use signet_asn1_types::crypto::{SignError, SignatureAlgorithm, Signer};
use signet_asn1_types::der::{Decode, Encode};
use signet_asn1_types::spki::SubjectPublicKeyInfoRef;

use super::{Role, check_signer};

/// Logged-in sessions per signer.
pub(crate) const SESSIONS: usize = 4;

/// `id-ecPublicKey` (RFC 5480).
const ID_EC_PUBLIC_KEY: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.2.1");
/// `rsaEncryption` (RFC 8017).
const RSA_ENCRYPTION: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.1");
const SECP256R1: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.3.1.7");
const SECP384R1: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.132.0.34");
const SECP521R1: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.132.0.35");

/// The `[pkcs11]` table of `keys.toml`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub(crate) struct Config {
    /// The token's PKCS#11 library.
    pub(crate) module: PathBuf,
    /// The token's label.
    pub(crate) token_label: String,
    /// The environment variable holding the user PIN.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) pin_env: Option<String>,
    /// A file holding the user PIN (mode 0600; relative to the data directory).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) pin_file: Option<PathBuf>,
    /// The roles whose keys are used from the token.
    #[serde(default)]
    pub(crate) roles: Vec<String>,
}

impl Config {
    /// The user PIN, from `pin-env` or `pin-file` (relative paths from `dir`).
    fn pin(&self, dir: &Path) -> Result<AuthPin> {
        match (&self.pin_env, &self.pin_file) {
            (Some(var), None) => std::env::var(var).map(AuthPin::new).map_err(|_| {
                anyhow!("keys.toml: the token PIN is read from ${var}, which is not set")
            }),
            (None, Some(file)) => {
                let path = dir.join(file);
                crate::pki::check_private(&path)?;
                let text = std::fs::read_to_string(&path)
                    .with_context(|| format!("reading the token PIN from {}", path.display()))?;
                Ok(AuthPin::new(text.trim_end_matches(['\r', '\n']).to_owned()))
            }
            _ => bail!("keys.toml: [pkcs11] needs exactly one of pin-env and pin-file"),
        }
    }
}

/// An opened token: the library, the slot holding the token, the PIN.
pub(crate) struct Token {
    ctx: Pkcs11,
    slot: Slot,
    pin: AuthPin,
    label: String,
}

/// A PKCS#11 error with what was being done.
fn ck(what: &str) -> impl FnOnce(CkError) -> anyhow::Error + '_ {
    move |e| anyhow!("PKCS#11: {what}: {e}")
}

impl Token {
    /// Loads `cfg.module`, finds the token labelled `cfg.token_label` and reads the PIN.
    pub(crate) fn open(cfg: &Config, dir: &Path) -> Result<Self> {
        let ctx = Pkcs11::new(&cfg.module).map_err(|e| {
            anyhow!(
                "PKCS#11: cannot load the module {}: {e}",
                cfg.module.display()
            )
        })?;
        match ctx.initialize(CInitializeArgs::OsThreads) {
            Ok(()) | Err(CkError::AlreadyInitialized) => {}
            Err(CkError::Pkcs11(RvError::CryptokiAlreadyInitialized, _)) => {}
            Err(e) => return Err(ck("initialising the module")(e)),
        }
        let mut labels = Vec::new();
        let mut found = None;
        for slot in ctx.get_slots_with_token().map_err(ck("listing slots"))? {
            let info = ctx
                .get_token_info(slot)
                .map_err(ck("reading token information"))?;
            let label = info.label().trim_end().to_owned();
            if label == cfg.token_label {
                found = Some(slot);
                break;
            }
            labels.push(label);
        }
        let Some(slot) = found else {
            bail!(
                "PKCS#11: no token labelled {:?} in {} (tokens: {})",
                cfg.token_label,
                cfg.module.display(),
                if labels.is_empty() {
                    "none".to_owned()
                } else {
                    format!("{labels:?}")
                }
            );
        };
        Ok(Self {
            ctx,
            slot,
            pin: cfg.pin(dir)?,
            label: cfg.token_label.clone(),
        })
    }

    /// A logged-in session (read-write when `rw`).
    fn session(&self, rw: bool) -> Result<Session> {
        let session = if rw {
            self.ctx.open_rw_session(self.slot)
        } else {
            self.ctx.open_ro_session(self.slot)
        }
        .map_err(ck("opening a session"))?;
        match session.login(UserType::User, Some(&self.pin)) {
            // Login is per application and token: later sessions share it.
            Ok(()) | Err(CkError::Pkcs11(RvError::UserAlreadyLoggedIn, _)) => Ok(session),
            Err(CkError::Pkcs11(RvError::PinIncorrect, _)) => bail!(
                "PKCS#11: the PIN of token {:?} is wrong (the token may lock after more tries)",
                self.label
            ),
            Err(e) => Err(ck("logging in")(e)),
        }
    }

    fn private_key(&self, session: &Session, role: Role) -> Result<Option<ObjectHandle>> {
        let found = session
            .find_objects(&[
                Attribute::Class(ObjectClass::PRIVATE_KEY),
                Attribute::Label(role.label().into_bytes()),
            ])
            .map_err(ck("finding a key"))?;
        match found.as_slice() {
            [] => Ok(None),
            [one] => Ok(Some(*one)),
            _ => bail!(
                "PKCS#11: token {:?} holds {} private keys labelled {:?}; keep one",
                self.label,
                found.len(),
                role.label()
            ),
        }
    }

    /// The signer of `role`: its key on the token, for the public key `spki`, checked by a
    /// test signature.
    pub(crate) fn signer(&self, role: Role, spki: &[u8]) -> Result<Arc<dyn Signer>> {
        let algorithm =
            algorithm_of(spki).with_context(|| format!("the {} certificate's key", role.name()))?;
        let mut sessions = Vec::with_capacity(SESSIONS);
        let mut key = None;
        for _ in 0..SESSIONS {
            let session = self.session(false)?;
            if key.is_none() {
                key = Some(self.private_key(&session, role)?.ok_or_else(|| {
                    anyhow!(
                        "PKCS#11: token {:?} has no private key labelled {:?} (keys.toml puts \
                         the {} key there)",
                        self.label,
                        role.label(),
                        role.name()
                    )
                })?);
            }
            sessions.push(Mutex::new(session));
        }
        let key = key.ok_or_else(|| anyhow!("PKCS#11: no session"))?;
        let signer = TokenSigner {
            sessions,
            key,
            algorithm,
            spki: spki.to_vec(),
        };
        check_signer(&signer, role, spki)?;
        Ok(Arc::new(signer))
    }

    /// Stores the PKCS#8 EC key `pkcs8` of `role` (whose certificate's public key is `spki`)
    /// on the token as a sensitive, non-extractable private key labelled `Role::label`, and
    /// checks it signs for `spki`.
    pub(crate) fn import(&self, role: Role, pkcs8: &[u8], spki: &[u8]) -> Result<()> {
        use aws_lc_rs::encoding::AsBigEndian as _;
        let (curve, signing) = match algorithm_of(spki)? {
            SignatureAlgorithm::EcdsaP256Sha256Asn1 => (
                SECP256R1,
                &aws_lc_rs::signature::ECDSA_P256_SHA256_ASN1_SIGNING,
            ),
            SignatureAlgorithm::EcdsaP384Sha384Asn1 => (
                SECP384R1,
                &aws_lc_rs::signature::ECDSA_P384_SHA384_ASN1_SIGNING,
            ),
            SignatureAlgorithm::EcdsaP521Sha512Asn1 => (
                SECP521R1,
                &aws_lc_rs::signature::ECDSA_P521_SHA512_ASN1_SIGNING,
            ),
            other => bail!(
                "the {} key is {other:?}: Signet moves EC keys only; put other keys on the \
                 token with its own tools, labelled {:?}",
                role.name(),
                role.label()
            ),
        };
        let pair = aws_lc_rs::signature::EcdsaKeyPair::from_pkcs8(signing, pkcs8)
            .map_err(|e| anyhow!("the {} key: {e}", role.name()))?;
        let scalar = zeroize::Zeroizing::new(
            pair.private_key()
                .as_be_bytes()
                .map_err(|_| anyhow!("the {} key: cannot read the private scalar", role.name()))?
                .as_ref()
                .to_vec(),
        );
        let session = self.session(true)?;
        if self.private_key(&session, role)?.is_some() {
            bail!(
                "PKCS#11: token {:?} already holds a key labelled {:?}",
                self.label,
                role.label()
            );
        }
        let id = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, spki);
        session
            .create_object(&[
                Attribute::Class(ObjectClass::PRIVATE_KEY),
                Attribute::KeyType(KeyType::EC),
                Attribute::EcParams(curve.to_der()?),
                Attribute::Value(scalar.to_vec()),
                Attribute::Token(true),
                Attribute::Private(true),
                Attribute::Sensitive(true),
                Attribute::Extractable(false),
                Attribute::Sign(true),
                Attribute::Label(role.label().into_bytes()),
                Attribute::Id(id.as_ref().get(..20).unwrap_or_default().to_vec()),
            ])
            .map_err(ck("storing the key"))?;
        drop(session);
        self.signer(role, spki).map(|_| ())
    }
}

/// The signature algorithm for the public key `spki`: ECDSA with the curve's hash, DER
/// signatures; RSA PKCS#1 v1.5 with SHA-256.
fn algorithm_of(spki: &[u8]) -> Result<SignatureAlgorithm> {
    let info = SubjectPublicKeyInfoRef::from_der(spki).map_err(|e| anyhow!("{e}"))?;
    let alg = &info.algorithm;
    if alg.oid == RSA_ENCRYPTION {
        return Ok(SignatureAlgorithm::RsaPkcs1Sha256);
    }
    if alg.oid != ID_EC_PUBLIC_KEY {
        bail!("unsupported public key algorithm {} on a token", alg.oid);
    }
    let curve = alg
        .parameters
        .as_ref()
        .and_then(|p| p.decode_as::<ObjectIdentifier>().ok())
        .ok_or_else(|| anyhow!("an EC key without a named curve"))?;
    Ok(match curve {
        SECP256R1 => SignatureAlgorithm::EcdsaP256Sha256Asn1,
        SECP384R1 => SignatureAlgorithm::EcdsaP384Sha384Asn1,
        SECP521R1 => SignatureAlgorithm::EcdsaP521Sha512Asn1,
        other => bail!("unsupported EC curve {other}"),
    })
}

/// A private key on the token.
struct TokenSigner {
    sessions: Vec<Mutex<Session>>,
    key: ObjectHandle,
    algorithm: SignatureAlgorithm,
    spki: Vec<u8>,
}

impl TokenSigner {
    /// A free session, else the first one (waiting for it).
    fn with_session<T>(&self, f: impl FnOnce(&Session) -> T) -> Result<T, SignError> {
        for s in &self.sessions {
            if let Ok(guard) = s.try_lock() {
                return Ok(f(&guard));
            }
        }
        let first = self.sessions.first().ok_or(SignError::Backend)?;
        let guard = first.lock().map_err(|_| SignError::Backend)?;
        Ok(f(&guard))
    }
}

impl Signer for TokenSigner {
    fn algorithm(&self) -> SignatureAlgorithm {
        self.algorithm
    }

    fn public_key_der(&self) -> &[u8] {
        &self.spki
    }

    fn sign(&self, message: &[u8]) -> Result<Vec<u8>, SignError> {
        use aws_lc_rs::digest;
        let hash = match self.algorithm {
            SignatureAlgorithm::EcdsaP256Sha256Asn1 => &digest::SHA256,
            SignatureAlgorithm::EcdsaP384Sha384Asn1 => &digest::SHA384,
            SignatureAlgorithm::EcdsaP521Sha512Asn1 => &digest::SHA512,
            SignatureAlgorithm::RsaPkcs1Sha256 => {
                return self
                    .with_session(|s| s.sign(&Mechanism::Sha256RsaPkcs, self.key, message))?
                    .map_err(|e| {
                        tracing::error!(error = %e, "PKCS#11 signature failed");
                        SignError::Backend
                    });
            }
            _ => return Err(SignError::Backend),
        };
        let d = digest::digest(hash, message);
        let raw = self
            .with_session(|s| s.sign(&Mechanism::Ecdsa, self.key, d.as_ref()))?
            .map_err(|e| {
                tracing::error!(error = %e, "PKCS#11 signature failed");
                SignError::Backend
            })?;
        ecdsa_der(&raw).ok_or(SignError::Backend)
    }
}

/// The DER `Ecdsa-Sig-Value` of a raw `r ‖ s` signature.
fn ecdsa_der(raw: &[u8]) -> Option<Vec<u8>> {
    use signet_asn1_types::der::asn1::UintRef;
    if raw.is_empty() || !raw.len().is_multiple_of(2) {
        return None;
    }
    let (r, s) = raw.split_at(raw.len() / 2);
    vec![UintRef::new(r).ok()?, UintRef::new(s).ok()?]
        .to_der()
        .ok()
}

#[cfg(test)]
mod tests;
