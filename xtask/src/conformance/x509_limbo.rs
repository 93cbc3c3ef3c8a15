//! The `x509-limbo` suite: C2SP x509-limbo test cases through `signet-c2pa-validate`'s path
//! validator (RFC 5280 §6 via rustls-webpki, C2PA EKU semantics).
//!
//! Each case's trusted certificates become anchors, its intermediates the candidate pool, and
//! the peer certificate the end entity, validated at the case's time; a required EKU must be in
//! the end entity's EKU extension when it has one (RFC 5280 §4.2.1.12), a required key usage in
//! its key usage, and `max_chain_depth` bounds the intermediates used.
//!
//! Skipped, with the reason recorded as the case outcome:
//! - cases with CRLs: C2PA does not use CRLs (C2PA 2.2 §14.5.2; revocation is OCSP);
//! - expected failures that hinge on the TLS peer name (the chain validates and webpki's
//!   server-name check rejects the expected name): signing certificates carry no peer name;
//! - expected failures that hinge on an EKU in a CA certificate: C2PA 2.2 §14.5.1.2 says CA
//!   EKUs "shall be ignored" (the CA/B Forum's EKU chaining does not apply);
//! - CA/B Forum TLS rules: CN-in-SAN and public-suffix wildcard naming (`webpki::cn::*`,
//!   `pedantic-public-suffix-wildcard`), and webpki's TLS EKU profile (`pedantic-webpki-eku`
//!   expected failures: a critical EKU, which RFC 3161 requires of TSAs, or an EKU in a root).
//!
//! A chain Signet accepts that the case expects to fail, for any other reason, is a wrong
//! accept and fails the suite. The summary prints the agreement on applicable cases.

use std::collections::BTreeSet;

use anyhow::{Context, Result};
use rustls_pki_types::{CertificateDer, ServerName};
use serde_json::Value;
use signet_asn1_types::const_oid::ObjectIdentifier;
use signet_asn1_types::der::DateTime;
use signet_c2pa_validate::cert::Cert;
use signet_c2pa_validate::chain::validate_path;
use signet_c2pa_validate::trust::{Anchor, certificates_from_pem};
use signet_crypto::Verifier;

use super::{Case, SuiteCtx};

fn der_of(pem: &str) -> Result<Vec<u8>> {
    certificates_from_pem(pem.as_bytes())?
        .into_iter()
        .next()
        .context("PEM without a certificate")
}

fn eku_oid(name: &str) -> Option<ObjectIdentifier> {
    Some(match name {
        "serverAuth" => ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.3.1"),
        "clientAuth" => ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.3.2"),
        "codeSigning" => ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.3.3"),
        "emailProtection" => ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.3.4"),
        "timeStamping" => ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.3.8"),
        "OCSPSigning" => ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.3.9"),
        _ => return None,
    })
}

enum Outcome {
    Success,
    Failure(String),
    Skip(&'static str),
}

fn seconds(time: &str) -> Result<u64> {
    let t: DateTime = time
        .get(..19)
        .map(|s| format!("{s}Z"))
        .context("validation_time")?
        .parse()
        .map_err(|e| anyhow::anyhow!("{time}: {e:?}"))?;
    Ok(t.unix_duration().as_secs())
}

fn has_feature(t: &Value, name: &str) -> bool {
    t["features"]
        .as_array()
        .is_some_and(|f| f.iter().any(|x| x.as_str() == Some(name)))
}

fn run_case(t: &Value, now: u64) -> Result<Outcome> {
    let id = t["id"].as_str().unwrap_or_default();
    if t["crls"].as_array().is_some_and(|c| !c.is_empty()) {
        return Ok(Outcome::Skip(
            "CRLs: C2PA revocation is OCSP (C2PA 2.2 §14.5.2)",
        ));
    }
    if id.starts_with("webpki::cn::") || has_feature(t, "pedantic-public-suffix-wildcard") {
        return Ok(Outcome::Skip(
            "CA/B Forum TLS server naming (CN/SAN, public-suffix wildcards): signing \
             certificates carry no peer name",
        ));
    }
    if has_feature(t, "pedantic-webpki-eku") && t["expected_result"] == "FAILURE" {
        return Ok(Outcome::Skip(
            "CA/B Forum TLS EKU profile: C2PA ignores CA EKUs (§14.5.1.2) and allows a \
             critical EKU (RFC 3161 requires one for TSAs)",
        ));
    }
    let at = match t["validation_time"].as_str() {
        Some(s) => seconds(s)?,
        None => now,
    };
    let anchors: Vec<Anchor> = t["trusted_certs"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .filter_map(|p| der_of(p).ok())
        .filter_map(|d| Anchor::from_der(d).ok())
        .collect();
    let anchor_refs: Vec<&Anchor> = anchors.iter().collect();
    let intermediates: Vec<Vec<u8>> = t["untrusted_intermediates"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .map(der_of)
        .collect::<Result<_>>()?;
    let leaf = der_of(t["peer_certificate"].as_str().context("peer_certificate")?)?;
    let required: Vec<ObjectIdentifier> = t["extended_key_usage"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .filter_map(eku_oid)
        .collect();
    let path = match validate_path(&leaf, &intermediates, &anchor_refs, at, None, &Verifier) {
        Ok(p) => p,
        Err(e) => return Ok(Outcome::Failure(e.to_string())),
    };
    let cert = match Cert::from_der(&leaf) {
        Ok(c) => c,
        Err(e) => return Ok(Outcome::Failure(e.to_string())),
    };
    // EKU of the end entity (required if the extension is present, RFC 5280 §4.2.1.12).
    if let Ok(Some(ekus)) = cert.ekus()
        && required.iter().any(|r| !ekus.contains(r))
    {
        return Ok(Outcome::Failure("end entity lacks the required EKU".into()));
    }
    if t["key_usage"]
        .as_array()
        .is_some_and(|k| k.iter().any(|u| u.as_str() == Some("digitalSignature")))
        && cert
            .key_usage()
            .ok()
            .flatten()
            .is_some_and(|ku| !ku.digital_signature())
    {
        return Ok(Outcome::Failure("end entity lacks digitalSignature".into()));
    }
    if let Some(max) = t["max_chain_depth"].as_u64() {
        let depth = u64::try_from(path.certificates.len().saturating_sub(1)).unwrap_or(u64::MAX);
        if depth > max {
            return Ok(Outcome::Failure(format!("chain depth {depth} > {max}")));
        }
    }
    if t["expected_result"] == "FAILURE" {
        // Would a TLS peer-name check reject it? Then the expected failure is about the name.
        if let Some(name) = t["expected_peer_name"]["value"].as_str() {
            let der = CertificateDer::from(leaf.as_slice());
            let name_ok = ServerName::try_from(name)
                .ok()
                .and_then(|sn| {
                    webpki::EndEntityCert::try_from(&der)
                        .ok()
                        .map(|ee| ee.verify_is_valid_for_subject_name(&sn).is_ok())
                })
                .unwrap_or(false);
            if !name_ok {
                return Ok(Outcome::Skip(
                    "TLS peer-name check: signing certificates carry no peer name",
                ));
            }
        }
        // An EKU in a CA certificate of the path that excludes the required purpose.
        let ca_eku_excludes = path
            .certificates
            .iter()
            .skip(1)
            .chain(Some(&path.anchor))
            .any(|d| {
                Cert::from_der(d)
                    .ok()
                    .and_then(|c| c.ekus().ok().flatten())
                    .is_some_and(|e| required.iter().any(|r| !e.contains(r)))
            });
        if ca_eku_excludes {
            return Ok(Outcome::Skip(
                "EKU in a CA certificate: ignored by C2PA 2.2 §14.5.1.2",
            ));
        }
    }
    Ok(Outcome::Success)
}

/// Runs the suite.
pub(crate) fn run(ctx: &SuiteCtx) -> Result<Vec<Case>> {
    let path = ctx.upstream.join("vectors/x509-limbo/limbo.json");
    let limbo: Value = serde_json::from_str(
        &std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?,
    )?;
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)?
        .as_secs();
    let mut cases = Vec::new();
    let (mut applicable, mut agree, mut skipped) = (0usize, 0usize, 0usize);
    let mut seen = BTreeSet::new();
    for t in limbo["testcases"].as_array().context("testcases")? {
        let id = t["id"].as_str().context("id")?.to_owned();
        if !seen.insert(id.clone()) {
            continue;
        }
        let expected = t["expected_result"].as_str().unwrap_or("?");
        let (actual, detail) = match run_case(t, now)? {
            Outcome::Success => ("SUCCESS", String::new()),
            Outcome::Failure(why) => ("FAILURE", why),
            Outcome::Skip(why) => {
                skipped += 1;
                cases.push(Case::new(
                    &id,
                    format!("skip: {why}"),
                    format!("skip: {why}"),
                ));
                continue;
            }
        };
        applicable += 1;
        if actual == expected {
            agree += 1;
        }
        cases.push(
            Case::new(&id, expected, actual)
                .accepts_more(actual == "SUCCESS" && expected == "FAILURE")
                .detail(detail),
        );
    }
    let pct = if applicable == 0 {
        0.0
    } else {
        // Display only.
        #[allow(clippy::as_conversions, reason = "a percentage for display")]
        let p = agree as f64 * 100.0 / applicable as f64;
        p
    };
    println!(
        "x509-limbo: {applicable} applicable cases, {agree} agree ({pct:.1}%), {skipped} skipped"
    );
    if pct < 90.0 {
        anyhow::bail!("x509-limbo agreement {pct:.1}% is below the 90% target");
    }
    Ok(cases)
}
