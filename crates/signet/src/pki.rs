//! The data directory: first-start bootstrap of the development PKI, and loading it.
//!
//! Layout of `DIR`:
//! - `signet.toml` — server settings (the public base URL written into certificates); written
//!   last, so its presence marks a complete bootstrap;
//! - `policy.toml` — the CP/CPS as configuration (`ra-policy`), the built-in default at first;
//! - `keys/` (0700) — `root.key`, `issuing-ca.key`, `cmp-signer.key`, `tsa.key` (PKCS#8 PEM)
//!   and `seal.key` (32 random bytes), each 0600 and created exclusively; a role listed in
//!   `keys.toml` is used from a PKCS#11 token instead (`keys`), and `root.key` may be moved
//!   off the machine altogether: `serve` never loads it;
//! - `crl/root.crl` — the root's CRL, signed at bootstrap and by `signet ca sign-root-crl`
//!   (where the root key is), published as it is by `serve`;
//! - `trust/` — `root.pem`, `issuing-ca.pem`, `cmp-signer.pem`, `chain.pem` (issuing CA then
//!   root), the time-stamping unit's `tsa.pem` (issued by the root), and `device-cas/`
//!   (manufacturer CAs for automatic registration);
//! - `signet.db` — the SQLite database.

use std::fs::{self, OpenOptions};
use std::io::Write;
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use anyhow::{Context, Result, anyhow, bail};
use serde::{Deserialize, Serialize};
use signet_asn1_types::crypto::{SignatureAlgorithm, Signer};
use signet_asn1_types::der::pem::LineEnding;
use signet_asn1_types::der::{DateTime, Decode, DecodePem, Encode, EncodePem};
use signet_asn1_types::spki::SubjectPublicKeyInfoOwned;
use signet_asn1_types::x509_cert::Certificate;
use signet_asn1_types::x509_cert::ext::pkix::SubjectKeyIdentifier;
use signet_ca_signer::profile::Profile;
use signet_ca_signer::profile::builtin::{self, AssuranceLevel, CmpRole};
use signet_ca_signer::{IssuanceRequest, Issuer, IssuerUrls, Serial, prepare, sign};
use signet_crypto::{KeyPairSigner, KeyType, SystemRng, generate_pkcs8};
use signet_ra_policy::Policy;

use crate::keys::{self, Role};
use crate::seal::Sealer;

/// `signet.toml`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(crate) struct Settings {
    /// Base URL of this server as clients reach it (AIA, CRL DP).
    pub(crate) public_url: String,
    /// The TSA policy time-stamp tokens are issued under (`TSTInfo.policy`, RFC 3161 §2.4.2).
    #[serde(default = "dev_tsa_policy")]
    pub(crate) tsa_policy: String,
}

/// The development TSA's policy: `id-TEST-certPolicyOne` (RFC 7229), an identifier reserved
/// for tests. An operator running a production TSA sets its own policy OID in `signet.toml`.
fn dev_tsa_policy() -> String {
    "1.3.6.1.5.5.7.13.1".to_owned()
}

/// The loaded PKI of `serve`: the online keys (issuing CA, CMP signer) from the key source,
/// never the root's.
pub(crate) struct Pki {
    pub(crate) root: Certificate,
    pub(crate) issuing: Certificate,
    pub(crate) issuing_key: Arc<dyn Signer>,
    pub(crate) issuer: Issuer,
    /// Where the root's CRL is published from (`crl/root.crl`).
    pub(crate) root_crl: PathBuf,
    pub(crate) cmp_cert: Certificate,
    pub(crate) cmp_key: Arc<dyn Signer>,
    pub(crate) cmp_key_id: Vec<u8>,
    pub(crate) sealer: Sealer,
    pub(crate) policy: Policy,
    pub(crate) device_anchors: Vec<Certificate>,
}

/// The time-stamping unit's certificate (issued by the root, the verifier's anchor) and key.
pub(crate) struct TsaMaterial {
    pub(crate) cert: Certificate,
    pub(crate) key: Arc<dyn Signer>,
    pub(crate) policy: signet_asn1_types::const_oid::ObjectIdentifier,
}

pub(crate) fn now_secs() -> u64 {
    SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

pub(crate) fn now_dt() -> Result<DateTime> {
    DateTime::from_unix_duration(Duration::from_secs(now_secs())).map_err(|e| anyhow!("{e}"))
}

fn write_private(path: &Path, bytes: &[u8]) -> Result<()> {
    let mut f = OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
        .with_context(|| format!("creating {}", path.display()))?;
    f.write_all(bytes)?;
    f.sync_all()?;
    Ok(())
}

/// Replaces `path` with `bytes` whole: written to a temporary file beside it, flushed, then
/// renamed over it (a reader sees the old file or the new one, never half of one).
pub(crate) fn replace_file(path: &Path, bytes: &[u8]) -> Result<()> {
    let tmp = path.with_extension("tmp");
    fs::write(&tmp, bytes).with_context(|| format!("writing {}", tmp.display()))?;
    fs::File::open(&tmp)?.sync_all()?;
    fs::rename(&tmp, path).with_context(|| format!("replacing {}", path.display()))?;
    Ok(())
}

/// The TOML file `path` read as `T`, or `T::default()` when there is no such file.
pub(crate) fn load_toml_or_default<T: serde::de::DeserializeOwned + Default>(
    path: &Path,
) -> Result<T> {
    match fs::read_to_string(path) {
        Ok(text) => toml::from_str(&text).with_context(|| format!("parsing {}", path.display())),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(T::default()),
        Err(e) => Err(e).with_context(|| format!("reading {}", path.display())),
    }
}

fn write_public(path: &Path, text: &str) -> Result<()> {
    let mut f = OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o644)
        .open(path)
        .with_context(|| format!("creating {}", path.display()))?;
    f.write_all(text.as_bytes())?;
    f.sync_all()?;
    Ok(())
}

pub(crate) fn cert_pem(cert: &Certificate) -> Result<String> {
    cert.to_pem(LineEnding::LF)
        .map_err(|e| anyhow!("PEM encoding: {e}"))
}

fn new_key(kind: KeyType, alg: SignatureAlgorithm, path: &Path) -> Result<KeyPairSigner> {
    let pkcs8 = generate_pkcs8(kind)?;
    let pem = signet_asn1_types::der::pem::encode_string("PRIVATE KEY", LineEnding::LF, &pkcs8)
        .map_err(|e| anyhow!("PEM: {e}"))?;
    write_private(path, pem.as_bytes())?;
    Ok(KeyPairSigner::from_pkcs8(alg, &pkcs8)?)
}

/// Loads a PKCS#8 PEM key, trying the algorithms Signet generates.
pub(crate) fn load_key(path: &Path) -> Result<KeyPairSigner> {
    check_private(path)?;
    let text = fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    let (label, der) = signet_asn1_types::der::pem::decode_vec(text.as_bytes())
        .map_err(|e| anyhow!("{}: {e}", path.display()))?;
    if label != "PRIVATE KEY" {
        bail!("{}: expected a PKCS#8 PRIVATE KEY", path.display());
    }
    let der = zeroize::Zeroizing::new(der);
    KeyPairSigner::from_pkcs8_default(&der)
        .map_err(|_| anyhow!("{}: unsupported key type", path.display()))
}

/// Refuses a key file that others can read (the operator must fix it, not Signet silently).
pub(crate) fn check_private(path: &Path) -> Result<()> {
    use std::os::unix::fs::PermissionsExt;
    let mode = fs::metadata(path)
        .with_context(|| format!("reading {}", path.display()))?
        .permissions()
        .mode();
    if mode & 0o077 != 0 {
        bail!(
            "{} is accessible by group or others (mode {:o}); chmod 600 it",
            path.display(),
            mode & 0o777
        );
    }
    Ok(())
}

pub(crate) fn load_cert(path: &Path) -> Result<Certificate> {
    let text = fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    Certificate::from_pem(text.as_bytes()).map_err(|e| anyhow!("{}: {e}", path.display()))
}

/// Every certificate in the PEM files of `dir` (none if it does not exist).
fn load_cert_dir(dir: &Path) -> Result<Vec<Certificate>> {
    let mut out = Vec::new();
    if !dir.exists() {
        return Ok(out);
    }
    let mut paths: Vec<PathBuf> = fs::read_dir(dir)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "pem" || x == "crt"))
        .collect();
    paths.sort();
    for p in paths {
        let text = fs::read(&p)?;
        let certs =
            Certificate::load_pem_chain(&text).map_err(|e| anyhow!("{}: {e}", p.display()))?;
        out.extend(certs);
    }
    Ok(out)
}

pub(crate) fn key_id(cert: &Certificate) -> Result<Vec<u8>> {
    let (_, ski) = cert
        .tbs_certificate()
        .get_extension::<SubjectKeyIdentifier>()
        .map_err(|e| anyhow!("{e}"))?
        .ok_or_else(|| anyhow!("certificate has no subject key identifier"))?;
    Ok(ski.0.as_bytes().to_vec())
}

/// The `ca-signer` profile a policy's `signer-profile` names.
pub(crate) fn signer_profile(name: &str) -> Option<Profile> {
    match name {
        "c2pa-claim-signing-al1" => Some(builtin::claim_signing_leaf(AssuranceLevel::Level1)),
        "c2pa-claim-signing-al2" => Some(builtin::claim_signing_leaf(AssuranceLevel::Level2)),
        _ => None,
    }
}

fn leaf_urls(base: &str) -> IssuerUrls {
    IssuerUrls {
        ocsp: vec![format!("{base}/ocsp")],
        ca_issuers: vec![format!("{base}/ca/issuing-ca.cer")],
        crl: vec![format!("{base}/crl/issuing-ca.crl")],
    }
}

fn root_urls(base: &str) -> IssuerUrls {
    IssuerUrls {
        // The root runs no OCSP responder, and an AIA without id-ad-ocsp is refused by the
        // lints: certificates it issues point at its CRL only.
        ocsp: vec![],
        ca_issuers: vec![],
        crl: vec![format!("{base}/crl/root.crl")],
    }
}

fn issue(
    subject: &str,
    key: &dyn Signer,
    profile: &Profile,
    issuer: &Issuer,
    issuer_key: &dyn Signer,
) -> Result<Certificate> {
    let spki = SubjectPublicKeyInfoOwned::from_der(key.public_key_der())?;
    let req = IssuanceRequest::new(subject.parse().map_err(|e| anyhow!("{e}"))?, spki);
    let serial = Serial::generate(&SystemRng::new())?;
    let tbs = prepare(&req, profile, issuer, now_dt()?, &serial)
        .map_err(|e| anyhow!("{subject}: {e}"))?;
    Ok(sign(tbs, issuer_key)?)
}

/// Whether `dir` holds a complete Signet data directory.
pub(crate) fn is_bootstrapped(dir: &Path) -> bool {
    dir.join("signet.toml").exists()
}

/// Creates the development PKI in an empty (or absent) `dir`.
pub(crate) fn bootstrap(dir: &Path, public_url: &str) -> Result<()> {
    if dir.exists() && fs::read_dir(dir)?.next().is_some() {
        bail!(
            "{} is not empty but has no signet.toml (an interrupted bootstrap?); \
             move it away and start again",
            dir.display()
        );
    }
    fs::DirBuilder::new()
        .recursive(true)
        .mode(0o755)
        .create(dir)?;
    let keys = dir.join("keys");
    fs::DirBuilder::new().mode(0o700).create(&keys)?;
    let trust = dir.join("trust");
    fs::DirBuilder::new().mode(0o755).create(&trust)?;
    fs::DirBuilder::new()
        .mode(0o755)
        .create(trust.join("device-cas"))?;

    let root_key = new_key(
        KeyType::EcdsaP384,
        SignatureAlgorithm::EcdsaP384Sha384Asn1,
        &keys.join("root.key"),
    )?;
    let root = issue(
        "CN=Signet Development Root CA,O=Signet Development,C=US",
        &root_key,
        &builtin::root_ca(),
        &Issuer::self_signed(root_key.algorithm()),
        &root_key,
    )?;
    let root_issuer = Issuer::from_certificate(&root, root_key.algorithm(), root_urls(public_url))?;
    let issuing_key = new_key(
        KeyType::EcdsaP384,
        SignatureAlgorithm::EcdsaP384Sha384Asn1,
        &keys.join("issuing-ca.key"),
    )?;
    let issuing = issue(
        "CN=Signet Development Claim Signing CA,O=Signet Development,C=US",
        &issuing_key,
        &builtin::claim_signing_issuing_ca(),
        &root_issuer,
        &root_key,
    )?;
    let cmp_key = new_key(
        KeyType::EcdsaP256,
        SignatureAlgorithm::EcdsaP256Sha256Asn1,
        &keys.join("cmp-signer.key"),
    )?;
    let cmp = issue(
        "CN=Signet Development CMP Signer,O=Signet Development,C=US",
        &cmp_key,
        &builtin::cmp_protection(CmpRole::Ca),
        &root_issuer,
        &root_key,
    )?;
    bootstrap_tsa(dir, &root_issuer, &root_key)?;
    fs::DirBuilder::new().mode(0o755).create(dir.join("crl"))?;
    write_root_crl(dir, &root_issuer, &root_key, ROOT_CRL_DEFAULT_SECS)?;
    let mut seal = zeroize::Zeroizing::new([0u8; Sealer::KEY_LEN]);
    aws_lc_rs::rand::fill(&mut *seal).map_err(|_| anyhow!("random source failed"))?;
    write_private(&keys.join("seal.key"), &*seal)?;

    write_public(&trust.join("root.pem"), &cert_pem(&root)?)?;
    write_public(&trust.join("issuing-ca.pem"), &cert_pem(&issuing)?)?;
    write_public(&trust.join("cmp-signer.pem"), &cert_pem(&cmp)?)?;
    write_public(
        &trust.join("chain.pem"),
        &format!("{}{}", cert_pem(&issuing)?, cert_pem(&root)?),
    )?;
    write_public(&dir.join("policy.toml"), &Policy::dev_default().to_toml()?)?;
    let settings = Settings {
        public_url: public_url.to_owned(),
        tsa_policy: dev_tsa_policy(),
    };
    write_public(
        &dir.join("signet.toml"),
        &toml::to_string_pretty(&settings)?,
    )?;
    Ok(())
}

/// Creates the time-stamping unit: a TSA certificate (C2PA `tsaLeaf` profile: EKU
/// id-kp-timeStamping only and critical) with its own key, issued by the root like the CMP
/// signer, so its revocation is published in the root's CRL. Written before `signet.toml`,
/// like the rest of the bootstrap.
fn bootstrap_tsa(dir: &Path, root_issuer: &Issuer, root_key: &dyn Signer) -> Result<()> {
    let tsa_key = new_key(
        KeyType::EcdsaP256,
        SignatureAlgorithm::EcdsaP256Sha256Asn1,
        &dir.join("keys").join("tsa.key"),
    )?;
    let tsa = issue(
        "CN=Signet Development Time-Stamping Unit,O=Signet Development,C=US",
        &tsa_key,
        &builtin::tsa_leaf(),
        root_issuer,
        root_key,
    )?;
    write_public(&dir.join("trust").join("tsa.pem"), &cert_pem(&tsa)?)
}

/// The root's CRL lifetime when `signet ca sign-root-crl` is not told otherwise: 30 days.
pub(crate) const ROOT_CRL_DEFAULT_SECS: u64 = 30 * 86_400;

/// Signs the root's CRL (it lists nothing: the development PKI revokes none of the root's
/// certificates) valid for `valid_secs`, and writes it to `crl/root.crl` through a temporary
/// file. Its CRL number is the current second, or one more than the CRL it replaces if that
/// is higher: strictly increasing on the one machine that holds the root key.
pub(crate) fn write_root_crl(
    dir: &Path,
    root_issuer: &Issuer,
    root_key: &dyn Signer,
    valid_secs: u64,
) -> Result<(u64, u64)> {
    use signet_ca_signer::crl::{CrlProfile, CrlRequest, prepare_crl, sign_crl};
    let path = dir.join("crl").join("root.crl");
    let previous = match fs::read(&path) {
        Ok(der) => crl_number(&der)?,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => 0,
        Err(e) => return Err(e).with_context(|| format!("reading {}", path.display())),
    };
    let now = now_secs();
    let number = now.max(previous.saturating_add(1));
    let at = |secs: u64| {
        DateTime::from_unix_duration(Duration::from_secs(secs)).map_err(|e| anyhow!("{e}"))
    };
    let request = CrlRequest::new(number, at(now)?, at(now.saturating_add(valid_secs))?);
    let list = prepare_crl(&request, root_issuer, &CrlProfile::ca()).map_err(|e| anyhow!("{e}"))?;
    let der = sign_crl(list, root_key)?.to_der()?;
    replace_file(&path, &der)?;
    Ok((number, now.saturating_add(valid_secs)))
}

/// The CRL number of a DER CRL (0 without one).
pub(crate) fn crl_number(der: &[u8]) -> Result<u64> {
    use signet_asn1_types::x509_cert::crl::CertificateList;
    use signet_asn1_types::x509_cert::ext::pkix::CrlNumber;
    let crl: CertificateList =
        CertificateList::from_der(der).map_err(|e| anyhow!("the root CRL: {e}"))?;
    let Some(exts) = &crl.tbs_cert_list.crl_extensions else {
        return Ok(0);
    };
    for ext in exts {
        if ext.extn_id == signet_asn1_types::const_oid::db::rfc5280::ID_CE_CRL_NUMBER {
            let n = CrlNumber::from_der(ext.extn_value.as_bytes())
                .map_err(|e| anyhow!("the root CRL's number: {e}"))?;
            let bytes = n.0.as_bytes();
            if bytes.len() > 8 {
                bail!("the root CRL's number does not fit 64 bits");
            }
            let mut be = [0u8; 8];
            be.get_mut(8 - bytes.len()..)
                .ok_or_else(|| anyhow!("CRL number"))?
                .copy_from_slice(bytes);
            return Ok(u64::from_be_bytes(be));
        }
    }
    Ok(0)
}

/// The root: its certificate, its signer from the key source (where the root key is: an
/// operator command, never `serve`), and the issuer it signs as.
pub(crate) fn load_root(dir: &Path) -> Result<(Certificate, Arc<dyn Signer>, Issuer)> {
    let settings = settings(dir)?;
    let root = load_cert(&dir.join("trust").join(Role::Root.certificate()))?;
    let spki = root.tbs_certificate().subject_public_key_info().to_der()?;
    let key = keys::source(dir)?.signer(Role::Root, &spki)?;
    let issuer = Issuer::from_certificate(&root, key.algorithm(), root_urls(&settings.public_url))?;
    Ok((root, key, issuer))
}

fn settings(dir: &Path) -> Result<Settings> {
    toml::from_str(&fs::read_to_string(dir.join("signet.toml"))?).context("parsing signet.toml")
}

/// The policy and the sealer of reference-number codes: what registering needs (no key).
pub(crate) fn load_registrar(dir: &Path) -> Result<(Policy, Sealer)> {
    let policy =
        Policy::from_toml(&fs::read_to_string(dir.join("policy.toml"))?).context("policy.toml")?;
    let seal = dir.join("keys").join("seal.key");
    check_private(&seal)?;
    let sealer = Sealer::new(&zeroize::Zeroizing::new(fs::read(seal)?))?;
    Ok((policy, sealer))
}

/// The signer of `role` from `source`, for the key of `cert`.
fn signer_for(
    source: &dyn keys::KeySource,
    role: Role,
    cert: &Certificate,
) -> Result<Arc<dyn Signer>> {
    let spki = cert.tbs_certificate().subject_public_key_info().to_der()?;
    source.signer(role, &spki)
}

/// Loads the PKI from a bootstrapped `dir`: certificates, policy, and the online keys from
/// the key source (`keys.toml`: files or a PKCS#11 token).
pub(crate) fn load(dir: &Path) -> Result<Pki> {
    let settings = settings(dir)?;
    let (policy, sealer) = load_registrar(dir)?;
    let trust = dir.join("trust");
    let source = keys::source(dir)?;
    let root = load_cert(&trust.join(Role::Root.certificate()))?;
    let issuing = load_cert(&trust.join(Role::IssuingCa.certificate()))?;
    let issuing_key = signer_for(source.as_ref(), Role::IssuingCa, &issuing)?;
    let cmp_cert = load_cert(&trust.join(Role::CmpSigner.certificate()))?;
    let cmp_key = signer_for(source.as_ref(), Role::CmpSigner, &cmp_cert)?;
    let issuer = Issuer::from_certificate(
        &issuing,
        issuing_key.algorithm(),
        leaf_urls(&settings.public_url),
    )?;
    let device_anchors = match &policy.registration.automatic {
        Some(a) => load_cert_dir(&dir.join(&a.trust_anchor_dir))?,
        None => Vec::new(),
    };
    for (name, p) in &policy.profiles {
        if signer_profile(&p.signer_profile).is_none() {
            bail!(
                "policy profile {name}: unknown signer-profile {:?}",
                p.signer_profile
            );
        }
    }
    let cmp_key_id = key_id(&cmp_cert)?;
    Ok(Pki {
        root,
        issuing,
        issuing_key,
        issuer,
        root_crl: dir.join("crl").join("root.crl"),
        cmp_cert,
        cmp_key,
        cmp_key_id,
        sealer,
        policy,
        device_anchors,
    })
}

/// Loads the time-stamping unit of a bootstrapped `dir`, creating it first in a data directory
/// bootstrapped before Signet had a TSA.
pub(crate) fn load_tsa(dir: &Path) -> Result<TsaMaterial> {
    let settings = settings(dir)?;
    let trust = dir.join("trust");
    if !trust.join("tsa.pem").exists() {
        let (_, root_key, root_issuer) = load_root(dir).context(
            "trust/tsa.pem is missing and the root key, which would certify a new TSA, is not \
             here",
        )?;
        bootstrap_tsa(dir, &root_issuer, root_key.as_ref())?;
        tracing::info!("created the time-stamping unit (trust/tsa.pem)");
    }
    let cert = load_cert(&trust.join(Role::Tsa.certificate()))?;
    let key = signer_for(keys::source(dir)?.as_ref(), Role::Tsa, &cert)?;
    let policy = settings
        .tsa_policy
        .parse()
        .map_err(|e| anyhow!("signet.toml tsa-policy {:?}: {e}", settings.tsa_policy))?;
    Ok(TsaMaterial { cert, key, policy })
}

/// Upper-case hex of a serial's magnitude, as `openssl x509 -serial` prints it.
pub(crate) fn serial_hex(bytes: &[u8]) -> String {
    let trimmed = match bytes {
        [0, rest @ ..] if !rest.is_empty() => rest,
        _ => bytes,
    };
    hex::encode_upper(trimmed)
}

/// Decodes a DER certificate.
pub(crate) fn cert_from_der(der: &[u8]) -> Result<Certificate> {
    Certificate::from_der(der).map_err(|e| anyhow!("{e}"))
}
