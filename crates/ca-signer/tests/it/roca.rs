//! The ROCA fingerprint (CVE-2017-15361) over crocs-muni/roca's test data
//! (`tests/upstream/vectors/roca`): every positive is caught, every negative passes. Moduli are
//! taken from the hex files, PEM certificates, SPKI and PKCS#1 public keys, PKCS#8 and PKCS#1
//! private keys, PKCS#10 requests and OpenSSH public keys; the PGP keys and the PKCS#7 file are
//! not read (no parser for those formats here, and upstream's positives among them, `key04.pgp`,
//! duplicate keys covered by the PEM files' sizes and forms).

use std::path::PathBuf;

use base64::Engine as _;
use der::Sequence;
use der::asn1::{OctetString, UintRef};
use signet_asn1_types::crypto::SignatureAlgorithm;
use signet_asn1_types::der::Decode;
use signet_asn1_types::spki::{AlgorithmIdentifierOwned, SubjectPublicKeyInfoOwned};
use signet_asn1_types::x509_cert::Certificate;
use signet_asn1_types::x509_cert::request::CertReq;
use signet_ca_signer::lint::roca::is_roca_fingerprint;
use signet_ca_signer::profile::builtin::{self, AssuranceLevel};
use signet_ca_signer::{IssuanceRequest, LintError, prepare};

use crate::chain::hierarchy;
use crate::support::{name, now, serial};

/// Upstream's positives (`roca/tests`), per `vectors/README.md`.
const POSITIVE: &[&str] = &[
    "mod01.txt",
    "mod02.txt",
    "mod03.txt",
    "mod08.txt",
    "mod09.txt",
    "key04.pgp",
    "cert04.pem",
    "cert05.pem",
    "ssh06.pub",
    "pubkey03.pem",
    "privkey05.pem",
    "csr05.pem",
];

/// Files without a reader here.
const NOT_READ: &[&str] = &["LICENSE", "pkcs701.p7s"];

fn dir() -> PathBuf {
    crate::support::repo_root().join("tests/upstream/vectors/roca")
}

#[derive(Sequence)]
struct RsaPublicKey<'a> {
    modulus: UintRef<'a>,
    public_exponent: UintRef<'a>,
}

#[derive(Sequence)]
struct RsaPrivateKeyHead<'a> {
    version: UintRef<'a>,
    modulus: UintRef<'a>,
    public_exponent: UintRef<'a>,
    private_exponent: UintRef<'a>,
    prime1: UintRef<'a>,
    prime2: UintRef<'a>,
    exponent1: UintRef<'a>,
    exponent2: UintRef<'a>,
    coefficient: UintRef<'a>,
}

#[derive(Sequence)]
struct PrivateKeyInfo {
    version: u8,
    algorithm: AlgorithmIdentifierOwned,
    private_key: OctetString,
}

fn modulus_of_spki(spki: &SubjectPublicKeyInfoOwned) -> Vec<u8> {
    let key = spki.subject_public_key.as_bytes().unwrap();
    RsaPublicKey::from_der(key)
        .unwrap()
        .modulus
        .as_bytes()
        .to_vec()
}

fn modulus_of_private(pkcs1: &[u8]) -> Vec<u8> {
    RsaPrivateKeyHead::from_der(pkcs1)
        .unwrap()
        .modulus
        .as_bytes()
        .to_vec()
}

/// PEM with any line length (`privkey05.pem` wraps at 76 columns, which RFC 7468's strict
/// decoder refuses).
fn pem_lenient(bytes: &[u8]) -> (String, Vec<u8>) {
    let text = String::from_utf8(bytes.to_vec()).unwrap();
    let mut lines = text.lines().map(str::trim);
    let label = lines
        .find_map(|l| l.strip_prefix("-----BEGIN "))
        .and_then(|l| l.strip_suffix("-----"))
        .unwrap()
        .to_owned();
    let body: String = lines.take_while(|l| !l.starts_with("-----END ")).collect();
    let der = base64::engine::general_purpose::STANDARD
        .decode(body)
        .unwrap();
    (label, der)
}

/// The RSA modulus in `file`, with the SPKI when the file has one; `None` for unread formats.
fn modulus(file: &str, bytes: &[u8]) -> Option<(Vec<u8>, Option<SubjectPublicKeyInfoOwned>)> {
    if file.starts_with("mod") {
        let text = String::from_utf8(bytes.to_vec()).unwrap();
        let hex = text.trim().trim_start_matches("0x");
        let hex = if hex.len() % 2 == 1 {
            format!("0{hex}")
        } else {
            hex.to_owned()
        };
        return Some((hex::decode(hex).unwrap(), None));
    }
    if file.starts_with("ssh") {
        // "ssh-rsa" base64(string "ssh-rsa", mpint e, mpint n) comment (RFC 4253 §6.6).
        let text = String::from_utf8(bytes.to_vec()).unwrap();
        let blob = base64::engine::general_purpose::STANDARD
            .decode(text.split_whitespace().nth(1).unwrap())
            .unwrap();
        let mut fields = Vec::new();
        let mut rest = blob.as_slice();
        while rest.len() >= 4 {
            let len = usize::try_from(u32::from_be_bytes(rest[..4].try_into().unwrap())).unwrap();
            fields.push(rest[4..4 + len].to_vec());
            rest = &rest[4 + len..];
        }
        return Some((fields[2].clone(), None));
    }
    if !file.ends_with(".pem") {
        return None;
    }
    let (label, der) = pem_lenient(bytes);
    let spki = match label.as_str() {
        "CERTIFICATE" => Some(
            Certificate::from_der(&der)
                .unwrap()
                .tbs_certificate()
                .subject_public_key_info()
                .clone(),
        ),
        "PUBLIC KEY" => Some(SubjectPublicKeyInfoOwned::from_der(&der).unwrap()),
        "CERTIFICATE REQUEST" => Some(CertReq::from_der(&der).unwrap().info.public_key),
        "RSA PUBLIC KEY" => {
            return Some((
                RsaPublicKey::from_der(&der)
                    .unwrap()
                    .modulus
                    .as_bytes()
                    .to_vec(),
                None,
            ));
        }
        "RSA PRIVATE KEY" => return Some((modulus_of_private(&der), None)),
        "PRIVATE KEY" => {
            let info = PrivateKeyInfo::from_der(&der).unwrap();
            return Some((modulus_of_private(info.private_key.as_bytes()), None));
        }
        other => panic!("{file}: unexpected PEM label {other}"),
    };
    let spki = spki.unwrap();
    Some((modulus_of_spki(&spki), Some(spki)))
}

#[test]
fn roca_vectors() {
    let mut read = 0;
    let mut caught = Vec::new();
    let mut files: Vec<_> = std::fs::read_dir(dir())
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    files.sort();
    let h = hierarchy();
    let issuer = h.claim_ca.issuer("claim-ca");
    for file in &files {
        let bytes = std::fs::read(dir().join(file)).unwrap();
        let Some((modulus, spki)) = modulus(file, &bytes) else {
            assert!(
                NOT_READ.contains(&file.as_str()) || file.ends_with(".pgp"),
                "{file} not read"
            );
            continue;
        };
        read += 1;
        let expected = POSITIVE.contains(&file.as_str());
        assert_eq!(is_roca_fingerprint(&modulus), expected, "{file}");
        if expected {
            caught.push(file.clone());
        }
        // Through the whole pre-issuance gate: a positive key is refused with the ROCA finding.
        if let Some(spki) = spki {
            let mut request = IssuanceRequest::new(name("CN=ROCA test,O=Example Inc,C=US"), spki);
            request.cpl_record = Some("0b6d3f3e-5c1a-4f7e-8d2b-9a4c6e1f2a3b".to_owned());
            let profile = builtin::claim_signing_leaf(AssuranceLevel::Level1);
            let result = prepare(&request, &profile, &issuer, now(), &serial());
            let roca = result
                .as_ref()
                .err()
                .is_some_and(|e| e.contains(&LintError::RocaVulnerableKey));
            assert_eq!(roca, expected, "{file}: {result:?}");
        }
    }
    // 9 moduli + 6 certificates + 3 public keys + 2 requests + 3 private keys + 6 SSH keys.
    assert_eq!(read, 29);
    let missed: Vec<_> = POSITIVE
        .iter()
        .filter(|p| !p.ends_with(".pgp") && !caught.iter().any(|c| c == *p))
        .collect();
    assert!(missed.is_empty(), "missed positives: {missed:?}");
}

#[test]
fn fresh_keys_are_not_roca() {
    for _ in 0..4 {
        let k = crate::support::key(
            signet_crypto::KeyType::Rsa2048,
            SignatureAlgorithm::RsaPkcs1Sha256,
        );
        let spki = crate::support::spki(&k);
        assert!(!is_roca_fingerprint(&modulus_of_spki(&spki)));
    }
}
