//! The claim signature (C2PA 2.2 §15.7), its time-stamp (§15.8) and revocation (§15.9).
//!
//! Order of work, each step adding its codes to the claim signature box's URI:
//!
//! 1. parse the COSE_Sign1 (a malformed `sigTst`/`sigTst2`/`rVals` header is reported as
//!    `timeStamp.malformed` / ignored, not as a broken signature: unprotected headers are not
//!    signed); exactly one credential (`x5chain` in one bucket) else `signingCredential.invalid`;
//!    the algorithm on §13.2.1's list else `algorithm.unsupported`;
//! 2. the signer certificate's profile (§14.5.1; `signingCredential.invalid`, or
//!    `signingCredential.untrusted` for a CA certificate), skipped for private credentials;
//! 3. the signature over the claim bytes as received: `claimSignature.validated` /
//!    `claimSignature.mismatch`;
//! 4. the time-stamp ([`crate::timestamp`]); its trusted `genTime`, else the validation time,
//!    is the time of signing;
//! 5. validity of the signer and its CA certificates at that time:
//!    `claimSignature.insideValidity` / `claimSignature.outsideValidity`; a claimed time of
//!    signing (`iat`) is checked against the same validity and the trusted time-stamp
//!    (`timeOfSigning.insideValidity` / `.outsideValidity`, informational);
//! 6. trust: private credential store, else a path to an anchor of an EKU the certificate
//!    carries (`signingCredential.trusted` / `signingCredential.untrusted`);
//! 7. revocation from stapled OCSP ([`crate::ocsp`]), else the caller's fetcher, else
//!    `signingCredential.ocsp.skipped`.

use ciborium::Value;
use coset::{CborSerializable, CoseSign1, Label, TaggedCborSerializable};
use signet_asn1_types::const_oid::ObjectIdentifier;
use signet_asn1_types::crypto::SignatureVerifier;
use signet_asn1_types::der::DateTime;
use signet_c2pa_model::cose::X5ChainLocation;
use signet_c2pa_model::{ClaimSignature, SignatureError};

use crate::cert::Cert;
use crate::chain::{PathError, ValidPath, validate_path};
use crate::ocsp::{self, OcspFetcher};
use crate::profile::{self, ProfileError, Purpose};
use crate::report::SignerInfo;
use crate::status::StatusCode;
use crate::timestamp::{self, TstVersion};
use crate::trust::TrustConfig;

/// What signature validation needs from the caller.
pub(crate) struct SignatureContext<'a> {
    pub(crate) trust: &'a TrustConfig,
    pub(crate) verifier: &'a dyn SignatureVerifier,
    pub(crate) at: u64,
    pub(crate) max_certificates: usize,
    pub(crate) fetcher: Option<&'a dyn OcspFetcher>,
}

/// Time-stamps and OCSP responses for this signature found elsewhere in the store
/// ([`crate::external`]).
#[derive(Debug, Default)]
pub(crate) struct Extra<'a> {
    /// TimeStampTokens of time-stamp assertions naming this manifest (§15.8.1.2).
    pub(crate) tsts: Vec<&'a [u8]>,
    /// OCSP responses of certificate-status assertions (§15.9).
    pub(crate) ocsp: &'a [Vec<u8>],
}

/// The outcome of validating one claim signature.
#[derive(Debug, Default)]
pub(crate) struct SignatureOutcome {
    /// Codes with explanations (all about the claim signature box).
    pub(crate) codes: Vec<(StatusCode, String)>,
    /// Who signed, when the certificate could be read.
    pub(crate) signer: Option<SignerInfo>,
}

impl SignatureOutcome {
    fn push(&mut self, code: StatusCode, why: impl Into<String>) {
        self.codes.push((code, why.into()));
    }
}

/// Headers whose malformation does not touch the signed content.
const SOFT_HEADERS: [&str; 3] = ["sigTst", "sigTst2", "rVals"];

/// Parses the claim signature; a malformed `sigTst`/`sigTst2`/`rVals` is dropped (and
/// reported) rather than failing the whole signature.
fn parse(cose: &[u8], out: &mut SignatureOutcome) -> Result<ClaimSignature, SignatureError> {
    match ClaimSignature::parse(cose) {
        Ok(sig) => Ok(sig),
        Err(first) => {
            let mut sign1 = CoseSign1::from_tagged_slice(cose)
                .or_else(|_| CoseSign1::from_slice(cose))
                .map_err(|_| first.clone())?;
            let before = sign1.unprotected.rest.len();
            let mut dropped = Vec::new();
            sign1.unprotected.rest.retain(|(label, _)| match label {
                Label::Text(t) if SOFT_HEADERS.contains(&t.as_str()) => {
                    dropped.push(t.clone());
                    false
                }
                _ => true,
            });
            if sign1.unprotected.rest.len() == before {
                return Err(first);
            }
            let bytes = sign1.to_tagged_vec().map_err(|_| first.clone())?;
            let sig = ClaimSignature::parse(&bytes).map_err(|_| first.clone())?;
            for header in dropped {
                if header.starts_with("sigTst") {
                    out.push(
                        StatusCode::TimeStampMalformed,
                        format!("malformed {header} header: {first}"),
                    );
                }
            }
            Ok(sig)
        }
    }
}

/// The claimed time of signing (§13.2.4): a protected `iat` header — the text label `iat`, or
/// claim 6 of a CWT Claims header (label 15, RFC 9597) — holding a NumericDate.
fn iat(sig: &ClaimSignature) -> Option<DateTime> {
    let rest = &sig.sign1.protected.header.rest;
    let direct = rest
        .iter()
        .find(|(l, _)| *l == Label::Text("iat".into()))
        .map(|(_, v)| v);
    let cwt = rest
        .iter()
        .find(|(l, _)| *l == Label::Int(15))
        .and_then(|(_, v)| v.as_map())
        .and_then(|m| {
            m.iter()
                .find(|(k, _)| k.as_integer() == Some(6.into()))
                .map(|(_, v)| v)
        });
    let secs = match direct.or(cwt)? {
        Value::Integer(i) => u64::try_from(*i).ok()?,
        Value::Tag(1, inner) => match inner.as_ref() {
            Value::Integer(i) => u64::try_from(*i).ok()?,
            _ => return None,
        },
        _ => return None,
    };
    DateTime::from_unix_duration(core::time::Duration::from_secs(secs)).ok()
}

/// Validates a claim signature over `claim` (the claim box's CBOR as received).
pub(crate) fn validate(
    cose: &[u8],
    claim: &[u8],
    cx: &SignatureContext<'_>,
    extra: &Extra<'_>,
) -> SignatureOutcome {
    let mut out = SignatureOutcome::default();
    let sig = match parse(cose, &mut out) {
        Ok(s) => s,
        Err(e) => {
            out.push(
                StatusCode::ClaimSignatureMismatch,
                format!("claim signature cannot be parsed: {e}"),
            );
            return out;
        }
    };
    match sig.x5chain_location {
        X5ChainLocation::Protected | X5ChainLocation::Unprotected => {}
        X5ChainLocation::Both => {
            out.push(
                StatusCode::SigningCredentialInvalid,
                "x5chain in both the protected and unprotected headers: two credentials \
                 (C2PA 2.2 §14.2)",
            );
            return out;
        }
        X5ChainLocation::Missing => {
            out.push(
                StatusCode::SigningCredentialInvalid,
                "no x5chain credential in the claim signature (C2PA 2.2 §14.2)",
            );
            return out;
        }
    }
    let Some(algorithm) = sig.algorithm else {
        out.push(
            StatusCode::AlgorithmUnsupported,
            "claim signature algorithm absent or not on the C2PA 2.2 §13.2.1 list",
        );
        return out;
    };
    let chain = sig
        .x5chain
        .iter()
        .take(cx.max_certificates)
        .cloned()
        .collect::<Vec<_>>();
    let Some((leaf_der, intermediates)) = chain.split_first() else {
        out.push(StatusCode::SigningCredentialInvalid, "empty x5chain");
        return out;
    };
    let leaf = match Cert::from_der(leaf_der) {
        Ok(c) => c,
        Err(e) => {
            out.push(
                StatusCode::SigningCredentialInvalid,
                format!("signing certificate: {e}"),
            );
            return out;
        }
    };
    out.signer = Some(SignerInfo {
        subject: leaf.subject(),
        issuer: leaf.issuer(),
        serial: leaf.serial_hex(),
        algorithm: Some(algorithm),
        claimed_time: iat(&sig),
        time_stamp: None,
        stapled_ocsp: sig.ocsp_vals.clone(),
    });
    let signer_name = leaf.display_name();

    // Profile (§14.5.1).
    let private = cx.trust.is_private_credential(leaf_der);
    let accepted: Vec<ObjectIdentifier> = cx.trust.accepted_ekus().copied().collect();
    let mut trust_possible = true;
    match profile::check(&leaf, Purpose::ClaimSigning(&accepted), private) {
        Ok(()) => {}
        Err(ProfileError::CaCertificate) => {
            out.push(
                StatusCode::SigningCredentialUntrusted,
                "a CA certificate cannot sign claims (C2PA 2.2 §14.5.1.2)",
            );
            trust_possible = false;
        }
        Err(e) => {
            out.push(
                StatusCode::SigningCredentialInvalid,
                format!("signing certificate does not meet the C2PA profile: {e}"),
            );
            return out;
        }
    }

    // Signature.
    let verified = sig.verify(claim, &leaf.spki_der(), cx.verifier);
    match &verified {
        Ok(()) => out.push(
            StatusCode::ClaimSignatureValidated,
            format!("claim signature valid: {signer_name}"),
        ),
        Err(e) => out.push(
            StatusCode::ClaimSignatureMismatch,
            format!("claim signature does not validate: {e}"),
        ),
    }

    // Time-stamp.
    let mut signing_time = cx.at;
    let mut trusted_time = false;
    let mut tst_codes = Vec::new();
    for (version, tokens) in [
        (TstVersion::V2, &sig.sig_tst2),
        (TstVersion::V1, &sig.sig_tst),
    ] {
        if tokens.is_empty() {
            continue;
        }
        // Built only for a token to check: the v1 input holds a copy of the whole claim.
        let payload = match version {
            TstVersion::V2 => sig.timestamp_input_v2(),
            TstVersion::V1 => sig.timestamp_input_v1(claim),
        };
        let outcome = timestamp::validate(
            version,
            tokens,
            &payload,
            cx.trust,
            cx.max_certificates,
            cx.verifier,
        );
        tst_codes.extend(outcome.codes);
        if let Some(info) = outcome.info
            && let Some(signer) = out.signer.as_mut()
            && signer.time_stamp.is_none()
        {
            signer.time_stamp = Some(info);
        }
        if let Some(t) = outcome.trusted_time {
            signing_time = t;
            trusted_time = true;
            break;
        }
    }
    // §15.8.1.2: without a trusted time-stamp of its own, the time-stamp assertions naming
    // this manifest, each tried until one passes.
    if !trusted_time {
        let payload = sig.timestamp_input_v2();
        for token in &extra.tsts {
            let outcome = timestamp::validate(
                TstVersion::V2,
                &[token.to_vec()],
                &payload,
                cx.trust,
                cx.max_certificates,
                cx.verifier,
            );
            tst_codes.extend(
                outcome
                    .codes
                    .into_iter()
                    .map(|(c, why)| (c, format!("time-stamp assertion: {why}"))),
            );
            if let Some(t) = outcome.trusted_time {
                if let (Some(info), Some(signer)) = (outcome.info, out.signer.as_mut()) {
                    signer.time_stamp = Some(info);
                }
                signing_time = t;
                trusted_time = true;
                break;
            }
        }
    }
    out.codes.extend(tst_codes);

    // Validity at the time of signing (the signer and the CA certificates it carries).
    let chain_certs: Vec<Cert> = intermediates
        .iter()
        .filter_map(|d| Cert::from_der(d).ok())
        .collect();
    let expired = core::iter::once(&leaf)
        .chain(&chain_certs)
        .find(|c| !c.valid_at(signing_time));
    match expired {
        // The validity of a signature that does not verify is moot.
        _ if verified.is_err() => {}
        None => out.push(
            StatusCode::ClaimSignatureInsideValidity,
            "claim signature within the signing credential's validity",
        ),
        Some(c) => out.push(
            StatusCode::ClaimSignatureOutsideValidity,
            format!(
                "time of signing outside the validity of {}",
                c.display_name()
            ),
        ),
    }

    // The claimed time of signing (`iat`, §15.8.3): informational only.
    if let (Some(iat), true) = (
        out.signer.as_ref().and_then(|s| s.claimed_time),
        verified.is_ok(),
    ) {
        let t = iat.unix_duration().as_secs();
        let inside = core::iter::once(&leaf)
            .chain(&chain_certs)
            .all(|c| c.valid_at(t))
            && (!trusted_time || t <= signing_time);
        if inside {
            out.push(
                StatusCode::TimeOfSigningInsideValidity,
                "claimed time of signing (iat) within the credential's validity",
            );
        } else {
            out.push(
                StatusCode::TimeOfSigningOutsideValidity,
                "claimed time of signing (iat) outside the credential's validity or after the \
                 time-stamp",
            );
        }
    }

    // Trust.
    let mut path: Option<ValidPath> = None;
    if trust_possible {
        if private {
            out.push(
                StatusCode::SigningCredentialTrusted,
                format!("signing credential in the private credential store: {signer_name}"),
            );
        } else {
            let ekus = leaf.ekus().ok().flatten().unwrap_or_default();
            let anchors = cx.trust.signer_anchors_for(&ekus).unwrap_or_default();
            let mut result = validate_path(
                leaf_der,
                intermediates,
                &anchors,
                signing_time,
                None,
                cx.verifier,
            );
            if result == Err(PathError::Expired) {
                // Validity is reported above; decide trust at a time inside every
                // certificate's validity, if there is one.
                if let Some(t) = common_validity(core::iter::once(&leaf).chain(&chain_certs)) {
                    result = validate_path(leaf_der, intermediates, &anchors, t, None, cx.verifier);
                }
            }
            match result {
                Ok(p) => {
                    out.push(
                        StatusCode::SigningCredentialTrusted,
                        format!("signing credential trusted: {signer_name}"),
                    );
                    path = Some(p);
                }
                Err(e) => out.push(
                    StatusCode::SigningCredentialUntrusted,
                    format!("signing credential not trusted: {e}"),
                ),
            }
        }
    }

    // Revocation.
    let issuer = path
        .as_ref()
        .and_then(|p| p.certificates.get(1).cloned().or(Some(p.anchor.clone())))
        .or_else(|| intermediates.first().cloned());
    // Stapled responses first, then those of certificate-status assertions (§15.9).
    let responses: Vec<Vec<u8>> = sig.ocsp_vals.iter().chain(extra.ocsp).cloned().collect();
    let revocation = ocsp::check(
        &leaf,
        issuer.as_deref(),
        &responses,
        trusted_time.then_some(signing_time),
        cx,
    );
    out.codes.extend(revocation);
    out
}

/// Validates a claim signature on its own (COSE_Sign1 bytes over `claim`, the claim box's CBOR
/// as received) at `at`, without online OCSP: the status codes about the claim signature box
/// and who signed. The full validator calls the same code for each manifest.
pub fn validate_claim_signature(
    cose: &[u8],
    claim: &[u8],
    trust: &TrustConfig,
    verifier: &dyn SignatureVerifier,
    at: DateTime,
) -> (Vec<(StatusCode, String)>, Option<SignerInfo>) {
    let cx = SignatureContext {
        trust,
        verifier,
        at: at.unix_duration().as_secs(),
        max_certificates: signet_c2pa_model::cose::MAX_X5CHAIN,
        fetcher: None,
    };
    let out = validate(cose, claim, &cx, &Extra::default());
    (out.codes, out.signer)
}

/// A time inside every certificate's validity (the latest `notBefore`), if the periods
/// overlap.
fn common_validity<'a>(certs: impl Iterator<Item = &'a Cert>) -> Option<u64> {
    let (mut start, mut end) = (0u64, u64::MAX);
    for c in certs {
        let (nb, na) = c.validity_secs();
        start = start.max(nb);
        end = end.min(na);
    }
    (start <= end).then_some(start)
}

#[cfg(test)]
mod tests;
