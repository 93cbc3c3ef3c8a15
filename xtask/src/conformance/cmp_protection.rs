//! The `cmp-protection` suite: verify the protection of real CMP messages (OpenSSL 3.0.19,
//! Siemens LightweightCmpRa) with `signet_cmp_protocol::protection`, and show that a one-byte
//! change of each verified message is rejected. See `tests/vectors/cmp-protection/manifest.toml`.

use std::path::Path;

use anyhow::{Context, Result};
use serde::Deserialize;
use signet_asn1_types::der::{Decode, Encode};
use signet_asn1_types::strict::{self, DecodedMessage, Limits};
use signet_asn1_types::x509_cert::Certificate;
use signet_asn1_types::x509_cert::ext::pkix::SubjectKeyIdentifier;
use signet_cmp_protocol::protection::{self, ProtectionKind, ProtectionPolicy};
use signet_crypto::Verifier;

use super::{Case, SuiteCtx};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Manifest {
    source: Vec<Source>,
    #[serde(default)]
    r#override: Vec<Override>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Override {
    file: String,
    mac_secret: String,
    #[allow(dead_code, reason = "provenance for readers")]
    note: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Source {
    dir: String,
    extension: String,
    mac_secret: String,
    #[allow(dead_code, reason = "provenance for readers")]
    origin: String,
}

/// Runs the suite.
pub(crate) fn run(ctx: &SuiteCtx) -> Result<Vec<Case>> {
    let text = std::fs::read_to_string(ctx.dir.join("manifest.toml"))
        .context("reading cmp-protection manifest")?;
    let manifest: Manifest = toml::from_str(&text).context("parsing cmp-protection manifest")?;
    let root = ctx.upstream.join("vectors/cmp");
    let mut cases = Vec::new();
    for source in &manifest.source {
        let mut files = Vec::new();
        collect(&root.join(&source.dir), &source.extension, &mut files)?;
        if files.is_empty() {
            anyhow::bail!("no .{} files under {}", source.extension, source.dir);
        }
        for path in files {
            let id = path
                .strip_prefix(&root)
                .unwrap_or(&path)
                .to_string_lossy()
                .into_owned();
            let bytes = std::fs::read(&path).with_context(|| format!("reading {id}"))?;
            let secret = manifest
                .r#override
                .iter()
                .find(|o| o.file == id)
                .map_or(source.mac_secret.as_bytes(), |o| o.mac_secret.as_bytes());
            let (outcome, detail) = verify(&bytes, secret);
            let expected = if outcome == "unprotected" {
                "unprotected"
            } else {
                "verified"
            };
            let verified = outcome == "verified";
            cases.push(Case::new(&id, expected, outcome).detail(detail));
            if verified {
                let tampered = tamper(&bytes);
                let (t_outcome, t_detail) = match tampered {
                    Some(t) => verify(&t, secret),
                    None => (
                        "untamperable".to_owned(),
                        "no transactionID to alter".to_owned(),
                    ),
                };
                let accepted = t_outcome == "verified";
                cases.push(
                    Case::new(
                        format!("{id}#tampered"),
                        "rejected",
                        if accepted {
                            "verified".to_owned()
                        } else {
                            "rejected".to_owned()
                        },
                    )
                    .accepts_more(accepted)
                    .detail(t_detail),
                );
            }
        }
    }
    Ok(cases)
}

fn collect(dir: &Path, ext: &str, out: &mut Vec<std::path::PathBuf>) -> Result<()> {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .with_context(|| format!("listing {}", dir.display()))?
        .collect::<Result<_, _>>()?;
    entries.sort_by_key(std::fs::DirEntry::path);
    for e in entries {
        let p = e.path();
        if p.is_dir() {
            collect(&p, ext, out)?;
        } else if p.extension().is_some_and(|x| x == ext) {
            out.push(p);
        }
    }
    Ok(())
}

/// Flips the first byte of the transactionID inside the received header bytes.
fn tamper(bytes: &[u8]) -> Option<Vec<u8>> {
    let decoded = strict::decode_pki_message(bytes, &Limits::default()).ok()?;
    let tid = decoded
        .message
        .header
        .transaction_id
        .as_ref()?
        .as_bytes()
        .to_vec();
    let header_start = bytes.len().checked_sub(decoded.raw().len())?; // 0: raw is the whole input
    let header = decoded.header_der();
    let at = header
        .windows(tid.len())
        .position(|w| w == tid.as_slice())?;
    let offset = bytes
        .windows(header.len())
        .position(|w| w == header)?
        .checked_add(at)?
        .checked_add(header_start)?;
    let mut t = bytes.to_vec();
    *t.get_mut(offset)? ^= 0x01;
    Some(t)
}

fn verify(bytes: &[u8], secret: &[u8]) -> (String, String) {
    let decoded = match strict::decode_pki_message(bytes, &Limits::default()) {
        Ok(d) => d,
        Err(e) => return ("undecodable".to_owned(), e.to_string()),
    };
    if decoded.message.protection.is_none() {
        return ("unprotected".to_owned(), String::new());
    }
    let kind = match protection::kind(&decoded.message.header) {
        Ok(k) => k,
        Err(e) => return (format!("error: {:?}", e.failure_bit()), e.to_string()),
    };
    let result = match &kind {
        ProtectionKind::Signature(_) => match signer_spki(&decoded) {
            Some(spki) => protection::verify_signature(&decoded, &spki, &Verifier),
            None => {
                return (
                    "no-signer-cert".to_owned(),
                    "no certificate in extraCerts".to_owned(),
                );
            }
        },
        _ => protection::verify_mac(&decoded, secret, &ProtectionPolicy::default()),
    };
    let what = match &kind {
        ProtectionKind::PasswordBasedMac(_) => "PasswordBasedMac",
        ProtectionKind::Pbmac1(_) => "PBMAC1",
        ProtectionKind::Signature(_) => "signature",
        _ => "other",
    };
    match result {
        Ok(()) => ("verified".to_owned(), what.to_owned()),
        Err(e) => (
            format!("rejected: {:?}", e.failure_bit()),
            format!("{what}: {e}"),
        ),
    }
}

/// The SPKI of the extraCert whose SKI equals senderKID, else of the first extraCert.
fn signer_spki(msg: &DecodedMessage) -> Option<Vec<u8>> {
    let certs = msg.message.extra_certs.as_ref()?;
    let kid = msg
        .message
        .header
        .sender_kid
        .as_ref()
        .map(|k| k.as_bytes().to_vec());
    let by_kid = kid.and_then(|kid| {
        certs.iter().find(|c| {
            c.tbs_certificate()
                .get_extension::<SubjectKeyIdentifier>()
                .ok()
                .flatten()
                .is_some_and(|(_, ski)| ski.0.as_bytes() == kid.as_slice())
        })
    });
    let cert: &Certificate = by_kid.or_else(|| certs.first())?;
    let der = cert
        .tbs_certificate()
        .subject_public_key_info()
        .to_der()
        .ok()?;
    // Round-trip through the owned SPKI type so the bytes are canonical DER.
    signet_asn1_types::spki::SubjectPublicKeyInfoOwned::from_der(&der)
        .ok()?
        .to_der()
        .ok()
}
