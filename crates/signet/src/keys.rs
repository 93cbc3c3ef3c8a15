//! Key custody: where the CA's signing keys live. A [`KeySource`] yields one
//! `Arc<dyn Signer>` per [`Role`]; the rest of Signet signs through that and never sees key
//! material.
//!
//! Two sources, chosen by `keys.toml` in the data directory:
//! - **files** (no `keys.toml`, the development default): PKCS#8 PEM files in `keys/`, mode
//!   0600, as the bootstrap writes them;
//! - **PKCS#11** ([`pkcs11`]): the roles `keys.toml` lists live on a token (an HSM, or
//!   SoftHSM2 in the tests), found by label, used through `cryptoki`; the others stay files.
//!   `signet keys to-pkcs11` moves keys onto a token and writes `keys.toml`.
//!
//! Whatever the source, a signer is checked against its role's certificate before use: a
//! signature over a fixed message must verify with the certificate's public key.
//!
//! `signet serve` asks for the issuing CA, CMP signer and TSA keys only: the **root key stays
//! offline** — it signs the root's CRL through `signet ca sign-root-crl` (an operator command,
//! run where the key is), and `serve` publishes that file.

pub(crate) mod pkcs11;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::{Result, anyhow, bail};
use serde::{Deserialize, Serialize};
use signet_asn1_types::crypto::{SignatureVerifier, Signer};

/// What a key is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Role {
    /// The root CA (certifies the issuing CA, the CMP signer and the TSA; signs the root CRL).
    Root,
    /// The issuing CA (certificates, the subscriber CRL, OCSP responder certificates).
    IssuingCa,
    /// The CMP protection key (signs CMP responses).
    CmpSigner,
    /// The time-stamping unit.
    Tsa,
}

impl Role {
    /// Every role.
    pub(crate) const ALL: [Self; 4] = [Self::Root, Self::IssuingCa, Self::CmpSigner, Self::Tsa];

    /// The role's name (in `keys.toml` and on the command line).
    pub(crate) const fn name(self) -> &'static str {
        match self {
            Self::Root => "root",
            Self::IssuingCa => "issuing-ca",
            Self::CmpSigner => "cmp-signer",
            Self::Tsa => "tsa",
        }
    }

    /// The role of `name`.
    pub(crate) fn parse(name: &str) -> Result<Self> {
        Self::ALL
            .into_iter()
            .find(|r| r.name() == name)
            .ok_or_else(|| {
                anyhow!("unknown key role {name:?}; expected root, issuing-ca, cmp-signer or tsa")
            })
    }

    /// The key file of the role in `keys/`.
    pub(crate) fn file(self) -> String {
        format!("{}.key", self.name())
    }

    /// The role's certificate in `trust/`.
    pub(crate) fn certificate(self) -> String {
        match self {
            Self::Root => "root.pem".into(),
            Self::IssuingCa => "issuing-ca.pem".into(),
            Self::CmpSigner => "cmp-signer.pem".into(),
            Self::Tsa => "tsa.pem".into(),
        }
    }

    /// The label of the role's key on a token (`CKA_LABEL`).
    pub(crate) fn label(self) -> String {
        format!("signet-{}", self.name())
    }
}

/// Where keys come from.
pub(crate) trait KeySource: Send + Sync {
    /// The signer of `role`, whose public key is `spki` (the DER `SubjectPublicKeyInfo` of
    /// the role's certificate).
    fn signer(&self, role: Role, spki: &[u8]) -> Result<Arc<dyn Signer>>;
}

/// Keys as PKCS#8 PEM files in a directory (mode 0600).
pub(crate) struct FileKeys {
    dir: PathBuf,
}

impl FileKeys {
    pub(crate) fn new(dir: impl Into<PathBuf>) -> Self {
        Self { dir: dir.into() }
    }
}

impl KeySource for FileKeys {
    fn signer(&self, role: Role, spki: &[u8]) -> Result<Arc<dyn Signer>> {
        let path = self.dir.join(role.file());
        if !path.exists() {
            bail!(
                "the {} key is not here ({} is missing){}",
                role.name(),
                path.display(),
                if role == Role::Root {
                    ": the root key is kept offline; run this where it is"
                } else {
                    ""
                }
            );
        }
        let key = crate::pki::load_key(&path)?;
        if key.public_key_der() != spki {
            bail!("the {} key does not match its certificate", role.name());
        }
        Ok(Arc::new(key))
    }
}

/// `keys.toml`: which roles live on a PKCS#11 token.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub(crate) struct KeysConfig {
    /// The token, if any role lives on one.
    pub(crate) pkcs11: Option<pkcs11::Config>,
}

impl KeysConfig {
    /// `keys.toml` of `dir`, or the default (every key a file) when there is none.
    pub(crate) fn load(dir: &Path) -> Result<Self> {
        crate::pki::load_toml_or_default(&dir.join("keys.toml"))
    }

    /// Writes `keys.toml` of `dir` (replacing it whole).
    pub(crate) fn save(&self, dir: &Path) -> Result<()> {
        let text = format!(
            "# Where Signet's CA keys live (see `signet keys to-pkcs11 --help`). The roles listed\n\
             # under [pkcs11] are used from the token; the others are PEM files in keys/.\n{}",
            toml::to_string_pretty(self)?
        );
        crate::pki::replace_file(&dir.join("keys.toml"), text.as_bytes())
    }
}

/// The key source of the data directory `dir`: files, with the roles `keys.toml` puts on a
/// token taken from there.
pub(crate) fn source(dir: &Path) -> Result<Box<dyn KeySource>> {
    let files = FileKeys::new(dir.join("keys"));
    Ok(match KeysConfig::load(dir)?.pkcs11 {
        None => Box::new(files),
        Some(cfg) => Box::new(Mixed {
            token: pkcs11::Token::open(&cfg, dir)?,
            on_token: cfg
                .roles
                .iter()
                .map(|r| Role::parse(r))
                .collect::<Result<_>>()?,
            files,
        }),
    })
}

/// Roles on a token, the rest files.
struct Mixed {
    token: pkcs11::Token,
    on_token: Vec<Role>,
    files: FileKeys,
}

impl KeySource for Mixed {
    fn signer(&self, role: Role, spki: &[u8]) -> Result<Arc<dyn Signer>> {
        if self.on_token.contains(&role) {
            self.token.signer(role, spki)
        } else {
            self.files.signer(role, spki)
        }
    }
}

/// Checks that `signer` signs for `spki`: a signature over a fixed message verifies with it.
pub(crate) fn check_signer(signer: &dyn Signer, role: Role, spki: &[u8]) -> Result<()> {
    let message = b"signet key check";
    let signature = signer
        .sign(message)
        .map_err(|e| anyhow!("the {} key cannot sign: {e}", role.name()))?;
    signet_crypto::Verifier
        .verify(signer.algorithm(), spki, message, &signature)
        .map_err(|_| anyhow!("the {} key does not match its certificate", role.name()))
}
