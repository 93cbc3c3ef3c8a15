//! The `wycheproof` suite: C2SP/wycheproof vectors through Signet's crypto.
//!
//! Signatures (ECDSA DER and P1363, Ed25519, RSASSA-PSS, RSASSA-PKCS1-v1_5) go through
//! `signet_crypto::Verifier` exactly as a certificate or COSE signature would; HMAC and PBKDF2
//! through `signet_cmp_protocol::mac`; AES key wrap through `signet_crypto::key_wrap`.
//! `tests/vectors/wycheproof/manifest.toml` lists the files (checked by SHA-256 and test count);
//! `exceptions.toml` lists the vectors Signet refuses by policy, each with its reason.

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::{Context, Result, bail};
use serde::Deserialize;
use serde_json::Value;
use sha2::{Digest, Sha256};
use signet_asn1_types::algorithm::DigestAlgorithm;
use signet_asn1_types::crypto::{SignatureAlgorithm, SignatureVerifier};
use signet_cmp_protocol::mac::{self, HmacAlgorithm};
use signet_crypto::{Verifier, key_wrap};

use super::{Case, SuiteCtx};

/// Iteration bound handed to PBKDF2 here (the vectors go up to 80,000).
const PBKDF2_MAX_ITERATIONS: u64 = 10_000_000;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Manifest {
    source: String,
    commit: String,
    directory: String,
    licence: String,
    licence_file: String,
    file: Vec<FileEntry>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileEntry {
    name: String,
    schema: String,
    algorithm: String,
    harness: Harness,
    tests: usize,
    sha256: String,
}

#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(rename_all = "kebab-case")]
enum Harness {
    EcdsaDer,
    EcdsaP1363,
    Eddsa,
    RsaPss,
    RsaPkcs1,
    Hmac,
    Pbkdf2,
    AesWrap,
}

/// What one vector did under Signet.
struct Outcome {
    /// `"valid"`, `"invalid"`, or a policy label such as `"unsupported"`.
    label: &'static str,
    /// Error text or other detail.
    detail: String,
}

impl Outcome {
    fn from_result<E: std::fmt::Display>(r: std::result::Result<(), E>) -> Self {
        match r {
            Ok(()) => Self {
                label: "valid",
                detail: String::new(),
            },
            Err(e) => Self {
                label: "invalid",
                detail: e.to_string(),
            },
        }
    }
}

pub(crate) fn run(ctx: &SuiteCtx) -> Result<Vec<Case>> {
    let manifest_path = ctx.dir.join("manifest.toml");
    let manifest: Manifest = toml::from_str(
        &std::fs::read_to_string(&manifest_path)
            .with_context(|| format!("reading {}", manifest_path.display()))?,
    )
    .with_context(|| format!("parsing {}", manifest_path.display()))?;
    if manifest.source.is_empty()
        || manifest.commit.len() != 40
        || manifest.directory.is_empty()
        || manifest.licence.is_empty()
    {
        bail!(
            "{}: source, commit, directory and licence are required",
            manifest_path.display()
        );
    }
    let root = crate::project_root();
    if !root.join(&manifest.licence_file).exists() {
        bail!("licence file {} is missing", manifest.licence_file);
    }
    let dir = ctx.upstream.join("vectors/wycheproof");
    check_listing(&dir, &manifest)?;
    let mut cases = Vec::new();
    for entry in &manifest.file {
        let path = dir.join(&entry.name);
        let bytes = std::fs::read(&path).with_context(|| format!("reading {}", path.display()))?;
        let digest = hex::encode(Sha256::digest(&bytes));
        if digest != entry.sha256 {
            bail!(
                "{}: SHA-256 {digest}, manifest says {}",
                entry.name,
                entry.sha256
            );
        }
        let json: Value = serde_json::from_slice(&bytes)
            .with_context(|| format!("parsing {}", path.display()))?;
        if json["schema"].as_str() != Some(entry.schema.as_str())
            || json["algorithm"].as_str() != Some(entry.algorithm.as_str())
        {
            bail!("{}: schema/algorithm differ from the manifest", entry.name);
        }
        let before = cases.len();
        run_file(entry, &json, &mut cases).with_context(|| format!("running {}", entry.name))?;
        let ran = cases.len() - before;
        if ran != entry.tests || json["numberOfTests"].as_u64() != u64::try_from(ran).ok() {
            bail!(
                "{}: ran {ran} tests, manifest says {}",
                entry.name,
                entry.tests
            );
        }
    }
    Ok(cases)
}

/// Every JSON file in the vector directory is listed, and every listed file exists.
fn check_listing(dir: &Path, manifest: &Manifest) -> Result<()> {
    let listed: BTreeMap<&str, ()> = manifest
        .file
        .iter()
        .map(|f| (f.name.as_str(), ()))
        .collect();
    let mut present = Vec::new();
    for entry in std::fs::read_dir(dir).with_context(|| format!("listing {}", dir.display()))? {
        let name = entry?.file_name().to_string_lossy().into_owned();
        if name.ends_with(".json") {
            if !listed.contains_key(name.as_str()) {
                bail!("{name} is in {} but not in manifest.toml", dir.display());
            }
            present.push(name);
        }
    }
    for f in &manifest.file {
        if !present.contains(&f.name) {
            bail!(
                "{} is listed in manifest.toml but missing from {}",
                f.name,
                dir.display()
            );
        }
    }
    Ok(())
}

fn hex_field(v: &Value, key: &str) -> Result<Vec<u8>> {
    let s = v[key]
        .as_str()
        .with_context(|| format!("field `{key}` missing"))?;
    hex::decode(s).with_context(|| format!("field `{key}` is not hex"))
}

fn str_field<'a>(v: &'a Value, key: &str) -> Result<&'a str> {
    v[key]
        .as_str()
        .with_context(|| format!("field `{key}` missing"))
}

fn u64_field(v: &Value, key: &str) -> Result<u64> {
    v[key]
        .as_u64()
        .with_context(|| format!("field `{key}` missing"))
}

/// The algorithm a signature group maps to, or why Signet refuses its parameters.
fn signature_algorithm(
    harness: Harness,
    group: &Value,
) -> Result<std::result::Result<SignatureAlgorithm, String>> {
    use SignatureAlgorithm as A;
    let sha = group["sha"].as_str().unwrap_or("");
    Ok(Ok(match harness {
        Harness::EcdsaDer | Harness::EcdsaP1363 => {
            let curve = str_field(&group["publicKey"], "curve")?;
            let der = matches!(harness, Harness::EcdsaDer);
            match (curve, sha, der) {
                ("secp256r1", "SHA-256", true) => A::EcdsaP256Sha256Asn1,
                ("secp384r1", "SHA-384", true) => A::EcdsaP384Sha384Asn1,
                ("secp521r1", "SHA-512", true) => A::EcdsaP521Sha512Asn1,
                ("secp256r1", "SHA-256", false) => A::EcdsaP256Sha256Fixed,
                ("secp384r1", "SHA-384", false) => A::EcdsaP384Sha384Fixed,
                ("secp521r1", "SHA-512", false) => A::EcdsaP521Sha512Fixed,
                _ => bail!("unexpected ECDSA group {curve}/{sha}"),
            }
        }
        Harness::Eddsa => A::Ed25519,
        Harness::RsaPkcs1 => match sha {
            "SHA-256" => A::RsaPkcs1Sha256,
            "SHA-384" => A::RsaPkcs1Sha384,
            "SHA-512" => A::RsaPkcs1Sha512,
            _ => bail!("unexpected PKCS#1 hash {sha}"),
        },
        Harness::RsaPss => {
            let mgf = str_field(group, "mgf")?;
            let mgf_sha = str_field(group, "mgfSha")?;
            let salt = u64_field(group, "sLen")?;
            let standard = match sha {
                "SHA-256" => Some((A::RsaPssSha256, 32)),
                "SHA-384" => Some((A::RsaPssSha384, 48)),
                "SHA-512" => Some((A::RsaPssSha512, 64)),
                _ => None,
            };
            match standard {
                Some((alg, len)) if mgf == "MGF1" && mgf_sha == sha && salt == len => alg,
                _ => {
                    return Ok(Err(format!(
                        "PSS with {sha}, {mgf}-{mgf_sha}, salt {salt} is not accepted by policy \
                         (only SHA-256/384/512 with MGF1 of the same hash and salt = hash length)"
                    )));
                }
            }
        }
        Harness::Hmac | Harness::Pbkdf2 | Harness::AesWrap => bail!("not a signature harness"),
    }))
}

/// For a PSS parameter set Signet refuses: the verifier under the same-hash policy algorithm
/// must reject it too (the refusal is real, not just a label).
fn refused_pss(group: &Value, key: &[u8], msg: &[u8], sig: &[u8], why: &str) -> Outcome {
    let same_hash = match group["sha"].as_str() {
        Some("SHA-256") => Some(SignatureAlgorithm::RsaPssSha256),
        Some("SHA-384") => Some(SignatureAlgorithm::RsaPssSha384),
        Some("SHA-512") => Some(SignatureAlgorithm::RsaPssSha512),
        _ => None,
    };
    match same_hash.map(|alg| Verifier.verify(alg, key, msg, sig)) {
        Some(Ok(())) => Outcome {
            label: "valid",
            detail: format!("verified under the policy algorithm although {why}"),
        },
        Some(Err(e)) => Outcome {
            label: "rejected-by-policy",
            detail: format!("{why}; verifier: {e}"),
        },
        None => Outcome {
            label: "rejected-by-policy",
            detail: format!("{why}; hash not offered"),
        },
    }
}

fn run_file(entry: &FileEntry, json: &Value, cases: &mut Vec<Case>) -> Result<()> {
    let groups = json["testGroups"]
        .as_array()
        .context("testGroups missing")?;
    for group in groups {
        let tests = group["tests"].as_array().context("tests missing")?;
        for test in tests {
            let tc_id = u64_field(test, "tcId")?;
            let outcome = match entry.harness {
                Harness::EcdsaDer
                | Harness::EcdsaP1363
                | Harness::Eddsa
                | Harness::RsaPss
                | Harness::RsaPkcs1 => {
                    let key = hex_field(group, "publicKeyDer")?;
                    let msg = hex_field(test, "msg")?;
                    let sig = hex_field(test, "sig")?;
                    match signature_algorithm(entry.harness, group)? {
                        Ok(alg) => Outcome::from_result(Verifier.verify(alg, &key, &msg, &sig)),
                        Err(why) => refused_pss(group, &key, &msg, &sig, &why),
                    }
                }
                Harness::Hmac => run_hmac(json, group, test)?,
                Harness::Pbkdf2 => run_pbkdf2(test)?,
                Harness::AesWrap => run_aes_wrap(group, test)?,
            };
            cases.push(case(&entry.name, tc_id, test, outcome)?);
        }
    }
    Ok(())
}

fn case(file: &str, tc_id: u64, test: &Value, outcome: Outcome) -> Result<Case> {
    let expected = str_field(test, "result")?;
    let comment = test["comment"].as_str().unwrap_or("");
    let flags = test["flags"]
        .as_array()
        .map(|f| {
            f.iter()
                .filter_map(Value::as_str)
                .collect::<Vec<_>>()
                .join(",")
        })
        .unwrap_or_default();
    let id = format!("{file}#{tc_id}");
    let detail = format!(
        "{comment} [{flags}]{}{}",
        if outcome.detail.is_empty() { "" } else { ": " },
        outcome.detail
    );
    Ok(match expected {
        // Either outcome is fine; the detail records which happened.
        "acceptable" => Case::new(id, "acceptable", "acceptable")
            .detail(format!("{} — {detail}", outcome.label)),
        // A parameter set refused by policy is a correct rejection of an invalid vector.
        "invalid" if matches!(outcome.label, "unsupported" | "rejected-by-policy") => {
            Case::new(id, expected, "invalid").detail(format!("{} — {detail}", outcome.label))
        }
        "valid" | "invalid" => Case::new(id, expected, outcome.label)
            .accepts_more(expected == "invalid" && outcome.label == "valid")
            .detail(detail),
        other => bail!("{id}: unknown result `{other}`"),
    })
}

fn run_hmac(json: &Value, group: &Value, test: &Value) -> Result<Outcome> {
    let alg = match str_field(json, "algorithm")? {
        "HMACSHA1" => HmacAlgorithm::Sha1,
        "HMACSHA256" => HmacAlgorithm::Sha256,
        "HMACSHA384" => HmacAlgorithm::Sha384,
        "HMACSHA512" => HmacAlgorithm::Sha512,
        other => bail!("unexpected MAC algorithm {other}"),
    };
    let tag_bits = usize::try_from(u64_field(group, "tagSize")?)?;
    let key = hex_field(test, "key")?;
    let msg = hex_field(test, "msg")?;
    let tag = hex_field(test, "tag")?;
    // The group's tag size is part of the algorithm: a tag of any other length is invalid.
    if tag.len() * 8 != tag_bits {
        return Ok(Outcome {
            label: "invalid",
            detail: format!("tag of {} bits in a {tag_bits}-bit group", tag.len() * 8),
        });
    }
    Ok(Outcome::from_result(if tag.len() == alg.output_len() {
        mac::hmac_verify(alg, &key, &msg, &tag)
    } else {
        mac::hmac_verify_truncated(alg, &key, &msg, &tag)
    }))
}

fn run_pbkdf2(test: &Value) -> Result<Outcome> {
    let password = hex_field(test, "password")?;
    let salt = hex_field(test, "salt")?;
    let count = u64_field(test, "iterationCount")?;
    let dk_len = usize::try_from(u64_field(test, "dkLen")?)?;
    let dk = hex_field(test, "dk")?;
    Ok(
        match mac::pbkdf2_hmac(
            DigestAlgorithm::Sha256,
            &password,
            &salt,
            count,
            dk_len,
            PBKDF2_MAX_ITERATIONS,
        ) {
            Ok(ours) if *ours == dk => Outcome {
                label: "valid",
                detail: String::new(),
            },
            Ok(_) => Outcome {
                label: "invalid",
                detail: "derived key differs".to_owned(),
            },
            Err(e) => Outcome {
                label: "invalid",
                detail: e.to_string(),
            },
        },
    )
}

fn run_aes_wrap(group: &Value, test: &Value) -> Result<Outcome> {
    let key = hex_field(test, "key")?;
    let msg = hex_field(test, "msg")?;
    let ct = hex_field(test, "ct")?;
    let bits = u64_field(group, "keySize")?;
    if usize::try_from(bits)? != key.len() * 8 {
        bail!("key of {} bits in a {bits}-bit group", key.len() * 8);
    }
    // Valid means: unwrapping `ct` gives `msg` and wrapping `msg` gives `ct`.
    Ok(match key_wrap::unwrap(&key, &ct) {
        Ok(plain) if *plain == msg => match key_wrap::wrap(&key, &msg) {
            Ok(wrapped) if wrapped == ct => Outcome {
                label: "valid",
                detail: String::new(),
            },
            Ok(_) => Outcome {
                label: "invalid",
                detail: "wrap gives a different ciphertext".to_owned(),
            },
            Err(e) => Outcome {
                label: "invalid",
                detail: format!("wrap: {e}"),
            },
        },
        Ok(_) => Outcome {
            label: "invalid",
            detail: "unwrap gives a different key".to_owned(),
        },
        Err(e @ signet_crypto::Error::KeyWrapKeyLength { .. }) => Outcome {
            label: "unsupported",
            detail: e.to_string(),
        },
        Err(e) => Outcome {
            label: "invalid",
            detail: format!("unwrap: {e}"),
        },
    })
}
