//! Test support: keys, a certificate hierarchy, temporary files, and running openssl and
//! pkilint with an allow-list for accepted NOTICE findings.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;
use std::time::SystemTime;

use signet_asn1_types::crypto::{SignatureAlgorithm, Signer};
use signet_asn1_types::der::{DateTime, Decode, Encode};
use signet_asn1_types::spki::SubjectPublicKeyInfoOwned;
use signet_asn1_types::x509_cert::Certificate;
use signet_asn1_types::x509_cert::name::Name;
use signet_ca_signer::profile::Profile;
use signet_ca_signer::{IssuanceRequest, Issuer, IssuerUrls, Serial, prepare, sign};
use signet_crypto::{KeyPairSigner, KeyType, SystemRng, generate_pkcs8};

/// pkilint NOTICE findings accepted, with the reason. Anything at WARNING or above fails.
pub(crate) const NOTICE_ALLOW_LIST: &[(&str, &str)] = &[];

pub(crate) fn now() -> DateTime {
    // Whole seconds: certificates carry no fractions.
    let secs = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    DateTime::from_unix_duration(core::time::Duration::from_secs(secs)).unwrap()
}

pub(crate) fn key(key_type: KeyType, algorithm: SignatureAlgorithm) -> KeyPairSigner {
    KeyPairSigner::from_pkcs8(algorithm, &generate_pkcs8(key_type).unwrap()).unwrap()
}

pub(crate) fn spki(signer: &dyn Signer) -> SubjectPublicKeyInfoOwned {
    SubjectPublicKeyInfoOwned::from_der(signer.public_key_der()).unwrap()
}

pub(crate) fn name(s: &str) -> Name {
    s.parse().unwrap()
}

pub(crate) fn serial() -> Serial {
    Serial::generate(&SystemRng::new()).unwrap()
}

pub(crate) fn urls(ca: &str) -> IssuerUrls {
    IssuerUrls {
        ocsp: vec![format!("http://ocsp.signet.example/{ca}")],
        ca_issuers: vec![format!("http://pki.signet.example/{ca}.cer")],
        crl: vec![format!("http://pki.signet.example/{ca}.crl")],
    }
}

/// A certificate and its key.
pub(crate) struct Issued {
    pub(crate) key: KeyPairSigner,
    pub(crate) cert: Certificate,
}

impl Issued {
    pub(crate) fn issuer(&self, label: &str) -> Issuer {
        Issuer::from_certificate(&self.cert, self.key.algorithm(), urls(label)).unwrap()
    }

    pub(crate) fn der(&self) -> Vec<u8> {
        self.cert.to_der().unwrap()
    }
}

/// Issues a certificate for `key` under `profile`; `issuer` `None` makes it self-signed.
pub(crate) fn issue(
    subject: &str,
    key: KeyPairSigner,
    profile: &Profile,
    issuer: Option<(&Issued, &str)>,
    cpl: Option<&str>,
) -> Issued {
    let mut request = IssuanceRequest::new(name(subject), spki(&key));
    request.cpl_record = cpl.map(str::to_owned);
    let cert = match issuer {
        None => {
            let tbs = prepare(
                &request,
                profile,
                &Issuer::self_signed(key.algorithm()),
                now(),
                &serial(),
            )
            .unwrap_or_else(|e| panic!("{}: {e}", profile.name));
            sign(tbs, &key).unwrap()
        }
        Some((parent, label)) => {
            let tbs = prepare(&request, profile, &parent.issuer(label), now(), &serial())
                .unwrap_or_else(|e| panic!("{}: {e}", profile.name));
            sign(tbs, &parent.key).unwrap()
        }
    };
    Issued { key, cert }
}

/// The repository root (`crates/ca-signer/../..`).
pub(crate) fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Runs `scripts/python-peers.sh` once (idempotent) and returns the venv's `bin` directory.
pub(crate) fn peers_bin() -> &'static Path {
    static BIN: OnceLock<PathBuf> = OnceLock::new();
    BIN.get_or_init(|| {
        let root = repo_root();
        let status = Command::new("bash")
            .arg(root.join("scripts/python-peers.sh"))
            .status()
            .expect("running scripts/python-peers.sh");
        assert!(status.success(), "scripts/python-peers.sh failed");
        let venv = std::env::var_os("SIGNET_PY_PEERS")
            .map_or_else(|| root.join("target/py-peers"), PathBuf::from);
        venv.join("bin")
    })
}

pub(crate) fn pem(label: &str, der: &[u8]) -> String {
    der::pem::encode_string(label, der::pem::LineEnding::LF, der).unwrap()
}

pub(crate) fn write(dir: &Path, file: &str, contents: impl AsRef<[u8]>) -> PathBuf {
    let path = dir.join(file);
    std::fs::write(&path, contents).unwrap();
    path
}

/// Runs `cmd`, returning (success, stdout + stderr).
pub(crate) fn run(cmd: &mut Command) -> (bool, String) {
    let out = cmd
        .output()
        .unwrap_or_else(|e| panic!("running {cmd:?}: {e}"));
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text)
}

/// pkilint 0.13.3's `SubjectSignatureVerificationValidator` (`pkix/certificate/
/// certificate_key.py`) calls `verify_signature` without the signature algorithm, so it checks
/// every RSA signature as PKCS#1 v1.5 and reports RSASSA-PSS signatures as failing (it does so
/// for OpenSSL's own `-sigopt rsa_padding_mode:pss` certificates too). Accepted only for
/// PSS-signed subjects, whose signatures `openssl verify` and `signet-crypto` check instead.
pub(crate) const PKILINT_PSS_BUG: (&str, &str) = (
    "pkix.signature_verification_failed",
    "pkilint 0.13.3 verifies RSASSA-PSS signatures as PKCS#1 v1.5",
);

/// Runs a pkilint tool at NOTICE with JSON output; returns every finding not on
/// [`NOTICE_ALLOW_LIST`] (NOTICE only) or in `accepted`, as `"SEVERITY code at node"`.
pub(crate) fn pkilint_findings(
    tool: &str,
    args: &[&str],
    files: &[&Path],
    accepted: &[(&str, &str)],
) -> Vec<String> {
    let mut cmd = Command::new(peers_bin().join(tool));
    cmd.arg("lint")
        .args(args)
        .args(["-s", "NOTICE", "-f", "JSON"]);
    cmd.args(files);
    let out = cmd
        .output()
        .unwrap_or_else(|e| panic!("running {tool}: {e}"));
    let stdout = String::from_utf8_lossy(&out.stdout);
    let json: serde_json::Value = serde_json::from_str(&stdout).unwrap_or_else(|e| {
        panic!(
            "{tool} {files:?}: not JSON ({e}): {stdout}{}",
            String::from_utf8_lossy(&out.stderr)
        )
    });
    let mut unexpected = Vec::new();
    for result in json["results"].as_array().unwrap() {
        for finding in result["finding_descriptions"].as_array().unwrap() {
            let code = finding["code"].as_str().unwrap_or_default();
            let severity = finding["severity"].as_str().unwrap_or_default();
            let allowed = (severity == "NOTICE"
                && NOTICE_ALLOW_LIST.iter().any(|(c, _)| *c == code))
                || accepted.iter().any(|(c, _)| *c == code);
            if !allowed {
                unexpected.push(format!(
                    "{severity} {code} at {} ({})",
                    result["node_path"], result["validator"]
                ));
            }
        }
    }
    unexpected
}

/// [`pkilint_findings`], asserting there are none (clean at NOTICE, hence at WARNING).
pub(crate) fn pkilint(tool: &str, args: &[&str], files: &[&Path], accepted: &[(&str, &str)]) {
    let findings = pkilint_findings(tool, args, files, accepted);
    assert!(findings.is_empty(), "{tool} {files:?}: {findings:#?}");
}

pub(crate) fn openssl(args: &[&str]) -> (bool, String) {
    run(Command::new("openssl").args(args))
}
