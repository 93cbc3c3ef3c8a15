//! Revocation of the signing certificate from OCSP responses (C2PA 2.2 §15.9, RFC 6960).
//!
//! Stapled responses (`rVals.ocspVals`) are checked first; when none decides and the caller
//! supplied an [`OcspFetcher`] (off by default: a query reveals what is being validated), the
//! responder named in the certificate's AIA is asked. A response counts when:
//!
//! - it is `successful` with a basic response whose signature over `tbsResponseData` (as
//!   received) verifies with the key of an authorised responder (RFC 6960 §4.2.2.2): the
//!   issuing CA itself, or a certificate it issued directly with `id-kp-OCSPSigning`;
//! - a `SingleResponse` names the certificate (`CertID` with SHA-1 or SHA-2 hashes of the
//!   issuer's name and key, and its serial);
//! - the validation time is not before `thisUpdate`, and the time of signing (the trusted
//!   time-stamp, else the validation time) is before `thisUpdate` (time-stamped signatures
//!   only) or inside `[thisUpdate, nextUpdate]` (or `producedAt` + 24 h without `nextUpdate`).
//!   A `thisUpdate` up to [`CLOCK_SKEW`] after the validation time still counts: a responder
//!   asked just now stamps its own clock's second, which may be ahead of the validator's.
//!
//! Then `good`, or `revoked` with reason `removeFromCRL`, or `revoked` after the trusted
//! time-stamp, is `signingCredential.ocsp.notRevoked`; `revoked` at or before it, or with no
//! time-stamp, is `signingCredential.ocsp.revoked`; `unknown` is
//! `signingCredential.ocsp.unknown`.
//!
//! A response that does not count says why: the status that reports the check (`skipped` for
//! stapled ones without a fetcher, `inaccessible` for fetched ones) carries the reason.

use sha1::Sha1;
use sha2::{Digest, Sha256, Sha384, Sha512};
use signet_asn1_types::algorithm::{ID_SHA1, ID_SHA256, ID_SHA384, ID_SHA512};
use signet_asn1_types::const_oid::ObjectIdentifier;
use signet_asn1_types::crypto::SignatureAlgorithm;
use signet_asn1_types::der::Encode;
use signet_asn1_types::der::asn1::OctetString;
use signet_asn1_types::ocsp::{
    BasicOcspResponse, CertId, CertStatus, OcspRequest, OcspResponse, OcspResponseStatus, Request,
    ResponderId, SingleResponse, TbsRequest,
};
use signet_asn1_types::spki::AlgorithmIdentifierOwned;
use signet_asn1_types::x509_cert::ext::pkix::crl::CrlReason;

use crate::cert::{Cert, tlv};
use crate::signature::SignatureContext;
use crate::status::StatusCode;
use crate::trust::ID_KP_OCSP_SIGNING;

/// `id-ad-ocsp` (RFC 5280 §4.2.2.1).
const ID_AD_OCSP: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.48.1");
/// Seconds a response without `nextUpdate` counts for after `producedAt` (§15.9.1).
const NO_NEXT_UPDATE_GRACE: u64 = 24 * 3600;
/// Seconds a response's `thisUpdate` may lie after the validation time (the clocks of
/// responder and validator differ; OpenSSL's `ocsp -validity_period` defaults to the same).
pub const CLOCK_SKEW: u64 = 300;

/// Fetches an OCSP response over the network (the binary's job): POST `request` (DER
/// `OCSPRequest`) to `url` and return the DER `OCSPResponse`, or `None` when no response came.
pub trait OcspFetcher: Send + Sync {
    /// Fetches one response.
    fn fetch(&self, url: &str, request: &[u8]) -> Option<Vec<u8>>;
}

/// What one response says about the certificate.
enum Verdict {
    NotRevoked(String),
    Revoked(String),
    Unknown(String),
}

/// Checks revocation of `leaf` (issued by `issuer`); `tst_time` is the trusted time-stamp.
pub(crate) fn check(
    leaf: &Cert,
    issuer: Option<&[u8]>,
    stapled: &[Vec<u8>],
    tst_time: Option<u64>,
    cx: &SignatureContext<'_>,
) -> Vec<(StatusCode, String)> {
    let issuer = issuer.and_then(|d| Cert::from_der(d).ok());
    let mut out = Vec::new();
    // Why the last stapled response did not count, for the status that reports the check.
    let mut stapled_why = None;
    if let Some(issuer) = &issuer {
        for response in stapled {
            match evaluate(response, leaf, issuer, tst_time, cx) {
                Ok(v) => {
                    push(&mut out, v);
                    return out;
                }
                Err(why) => stapled_why = Some(why),
            }
        }
    }
    let stapled_note = stapled_why
        .map(|why| format!("the stapled OCSP response does not count ({why}); "))
        .unwrap_or_default();
    match (cx.fetcher, &issuer) {
        (Some(fetcher), Some(issuer)) => {
            let urls = ocsp_urls(leaf);
            let request = request_der(leaf, issuer);
            let mut refused = None;
            for url in &urls {
                let Some(request) = &request else { break };
                if let Some(resp) = fetcher.fetch(url, request) {
                    match evaluate(&resp, leaf, issuer, tst_time, cx) {
                        Ok(v) => {
                            push(&mut out, v);
                            return out;
                        }
                        Err(why) => refused = Some(format!("{url} answered, but {why}")),
                    }
                }
            }
            if urls.is_empty() {
                out.push((
                    StatusCode::SigningCredentialOcspSkipped,
                    format!("{stapled_note}the certificate names no OCSP responder"),
                ));
            } else {
                let what = refused.unwrap_or_else(|| "the OCSP responder did not answer".into());
                out.push((
                    StatusCode::SigningCredentialOcspInaccessible,
                    format!("{stapled_note}{what}"),
                ));
            }
        }
        (Some(_), None) => out.push((
            StatusCode::SigningCredentialOcspSkipped,
            "the x5chain does not include the issuer of the signing certificate, which OCSP \
             names"
                .into(),
        )),
        (None, _) => out.push((
            StatusCode::SigningCredentialOcspSkipped,
            format!("{stapled_note}online OCSP checking is off"),
        )),
    }
    out
}

fn push(out: &mut Vec<(StatusCode, String)>, v: Verdict) {
    out.push(match v {
        Verdict::NotRevoked(why) => (StatusCode::SigningCredentialOcspNotRevoked, why),
        Verdict::Revoked(why) => (StatusCode::SigningCredentialOcspRevoked, why),
        Verdict::Unknown(why) => (StatusCode::SigningCredentialOcspUnknown, why),
    });
}

/// The OCSP responder URLs of the certificate's AIA.
fn ocsp_urls(leaf: &Cert) -> Vec<String> {
    use signet_asn1_types::x509_cert::ext::pkix::AuthorityInfoAccessSyntax;
    use signet_asn1_types::x509_cert::ext::pkix::name::GeneralName;
    let Ok(Some((_, aia))) = leaf
        .inner()
        .tbs_certificate()
        .get_extension::<AuthorityInfoAccessSyntax>()
    else {
        return Vec::new();
    };
    aia.0
        .iter()
        .filter(|ad| ad.access_method == ID_AD_OCSP)
        .filter_map(|ad| match &ad.access_location {
            GeneralName::UniformResourceIdentifier(u) => Some(u.to_string()),
            _ => None,
        })
        .collect()
}

fn digest(oid: ObjectIdentifier, data: &[u8]) -> Option<Vec<u8>> {
    Some(match oid {
        ID_SHA1 => Sha1::digest(data).to_vec(),
        ID_SHA256 => Sha256::digest(data).to_vec(),
        ID_SHA384 => Sha384::digest(data).to_vec(),
        ID_SHA512 => Sha512::digest(data).to_vec(),
        _ => return None,
    })
}

/// The issuer's public key bits (the `subjectPublicKey` BIT STRING contents).
fn issuer_key(issuer: &Cert) -> Vec<u8> {
    issuer
        .inner()
        .tbs_certificate()
        .subject_public_key_info()
        .subject_public_key
        .raw_bytes()
        .to_vec()
}

fn names_leaf(id: &CertId, leaf: &Cert, issuer: &Cert) -> bool {
    let alg = id.hash_algorithm.oid;
    id.serial_number.as_bytes() == leaf.serial_bytes()
        && digest(alg, &leaf.issuer_der()).as_deref() == Some(id.issuer_name_hash.as_bytes())
        && digest(alg, &issuer_key(issuer)).as_deref() == Some(id.issuer_key_hash.as_bytes())
}

fn request_der(leaf: &Cert, issuer: &Cert) -> Option<Vec<u8>> {
    let cert_id = CertId {
        hash_algorithm: AlgorithmIdentifierOwned {
            oid: ID_SHA1,
            parameters: Some(signet_asn1_types::der::asn1::Null.into()),
        },
        issuer_name_hash: OctetString::new(digest(ID_SHA1, &leaf.issuer_der())?).ok()?,
        issuer_key_hash: OctetString::new(digest(ID_SHA1, &issuer_key(issuer))?).ok()?,
        serial_number: leaf.inner().tbs_certificate().serial_number().clone(),
    };
    OcspRequest {
        tbs_request: TbsRequest {
            version: Default::default(),
            requestor_name: None,
            request_list: vec![Request {
                req_cert: cert_id,
                single_request_extensions: None,
            }],
            request_extensions: None,
        },
        optional_signature: None,
    }
    .to_der()
    .ok()
}

/// The raw `tbsResponseData` TLV of a DER `BasicOCSPResponse`.
fn raw_tbs(basic: &[u8]) -> Option<&[u8]> {
    let (_, _, body, _) = tlv(basic)?;
    let (_, whole, _, _) = tlv(body)?;
    Some(whole)
}

/// Evaluates one response; `Err` says why it does not count (malformed, unauthorised, not
/// about this certificate, or not current).
fn evaluate(
    response: &[u8],
    leaf: &Cert,
    issuer: &Cert,
    tst_time: Option<u64>,
    cx: &SignatureContext<'_>,
) -> Result<Verdict, String> {
    use signet_asn1_types::der::Decode;
    let resp = OcspResponse::from_der(response)
        .map_err(|e| format!("the response is not a DER OCSPResponse: {e}"))?;
    if resp.response_status != OcspResponseStatus::Successful {
        return Err(format!(
            "the responder refused: responseStatus {:?}",
            resp.response_status
        ));
    }
    let raw_basic = resp
        .response_bytes
        .as_ref()
        .ok_or("a successful response without responseBytes")?
        .response
        .as_bytes()
        .to_vec();
    let basic = BasicOcspResponse::from_der(&raw_basic)
        .map_err(|e| format!("the BasicOCSPResponse does not decode: {e}"))?;
    let tbs = raw_tbs(&raw_basic).ok_or("the BasicOCSPResponse does not decode")?;
    let alg = SignatureAlgorithm::from_algorithm_identifier_owned(&basic.signature_algorithm)
        .map_err(|_| {
            format!(
                "unsupported signature algorithm {}",
                basic.signature_algorithm.oid
            )
        })?;
    let signature = basic
        .signature
        .as_bytes()
        .ok_or("the signature BIT STRING has unused bits")?;
    // Authorised responder: the issuer, or a delegate the issuer certified for OCSP signing.
    let by_issuer =
        verify(cx, alg, &issuer.spki_der(), tbs, signature) && responder_matches(&basic, issuer);
    let by_delegate = || {
        basic.certs.iter().flatten().any(|c| {
            let Ok(der) = c.to_der() else { return false };
            let Ok(delegate) = Cert::from_der(&der) else {
                return false;
            };
            delegate.inner().tbs_certificate().issuer()
                == issuer.inner().tbs_certificate().subject()
                && delegate
                    .ekus()
                    .ok()
                    .flatten()
                    .is_some_and(|e| e.contains(&ID_KP_OCSP_SIGNING))
                && delegate.valid_at(
                    cx.at
                        .min(tst_time.unwrap_or(cx.at))
                        .max(delegate.validity_secs().0),
                )
                && verify_cert_signature(cx, &delegate, issuer)
                && verify(cx, alg, &delegate.spki_der(), tbs, signature)
        })
    };
    if !by_issuer && !by_delegate() {
        return Err(
            "it is not signed by the issuing CA or a responder it authorised for OCSP signing"
                .into(),
        );
    }
    let produced = basic
        .tbs_response_data
        .produced_at
        .to_unix_duration()
        .as_secs();
    let single: &SingleResponse = basic
        .tbs_response_data
        .responses
        .iter()
        .find(|r| names_leaf(&r.cert_id, leaf, issuer))
        .ok_or("it says nothing about the signing certificate")?;
    let this_update = single.this_update.to_unix_duration().as_secs();
    let until = single
        .next_update
        .map_or(produced.saturating_add(NO_NEXT_UPDATE_GRACE), |n| {
            n.to_unix_duration().as_secs()
        });
    let at_skewed = cx.at.saturating_add(CLOCK_SKEW);
    if at_skewed < this_update {
        return Err(format!(
            "its thisUpdate ({this_update}) is more than {CLOCK_SKEW} s after the validation \
             time ({})",
            cx.at
        ));
    }
    let signing = tst_time.unwrap_or(cx.at);
    let current = match tst_time {
        Some(t) => t < this_update || (this_update <= t && t <= until),
        None => signing <= until,
    };
    if !current {
        return Err(format!(
            "it is not current at the time of signing ({signing}): valid {this_update} to {until}"
        ));
    }
    Ok(match &single.cert_status {
        CertStatus::Good(_) => Verdict::NotRevoked("OCSP: good".into()),
        CertStatus::Revoked(info) => {
            let at = info.revocation_time.to_unix_duration().as_secs();
            if info.revocation_reason == Some(CrlReason::RemoveFromCRL) {
                Verdict::NotRevoked("OCSP: revoked with reason removeFromCRL".into())
            } else if tst_time.is_some_and(|t| at > t) {
                // Only a trusted time-stamp proves the signature came first; without one a
                // revocation time a moment ahead of the validator's clock is still revoked.
                Verdict::NotRevoked("OCSP: revoked after the time-stamped signing".into())
            } else {
                Verdict::Revoked(format!(
                    "OCSP: the signing certificate was revoked ({:?})",
                    info.revocation_reason
                ))
            }
        }
        CertStatus::Unknown(_) => Verdict::Unknown("OCSP: status unknown".into()),
    })
}

fn responder_matches(basic: &BasicOcspResponse, issuer: &Cert) -> bool {
    match &basic.tbs_response_data.responder_id {
        ResponderId::ByName(name) => name == issuer.inner().tbs_certificate().subject(),
        ResponderId::ByKey(hash) => {
            digest(ID_SHA1, &issuer_key(issuer)).as_deref() == Some(hash.as_bytes())
        }
    }
}

fn verify(
    cx: &SignatureContext<'_>,
    alg: SignatureAlgorithm,
    spki: &[u8],
    message: &[u8],
    signature: &[u8],
) -> bool {
    cx.verifier.verify(alg, spki, message, signature).is_ok()
}

/// Verifies `cert`'s signature with `issuer`'s key (over the TBS as received).
fn verify_cert_signature(cx: &SignatureContext<'_>, cert: &Cert, issuer: &Cert) -> bool {
    let Some((_, _, body, _)) = tlv(cert.der()) else {
        return false;
    };
    let Some((_, tbs, _, _)) = tlv(body) else {
        return false;
    };
    let Ok(alg) =
        SignatureAlgorithm::from_algorithm_identifier_owned(cert.inner().signature_algorithm())
    else {
        return false;
    };
    let Some(sig) = cert.inner().signature().as_bytes() else {
        return false;
    };
    verify(cx, alg, &issuer.spki_der(), tbs, sig)
}

#[cfg(test)]
mod tests;
