//! OCSP stapling for `signet c2pa sign --ocsp-staple` (C2PA 2.2 §14.5.2, RFC 6960): for the
//! signing certificate and each intermediate whose AIA names a responder, ask it (SHA-1 CertID,
//! RFC 5019 §2.1.1), check the answer, and return the DER responses to put in `rVals.ocspVals`.
//!
//! A response is stapled only if it is `successful`, names the certificate, is current, says
//! `good`, and is signed by the issuer or by a responder the issuer authorised
//! (`id-kp-OCSPSigning`). A checked `revoked` answer is stapled too, so the asset tells every
//! validator the truth (`signingCredential.ocsp.revoked`), and is returned for the caller to warn
//! about, or, with `--require-good-ocsp`, to refuse to sign; anything else is reported and
//! skipped.

use anyhow::{Context, Result, bail};
use sha1::{Digest, Sha1};
use signet_asn1_types::algorithm::ID_SHA1;
use signet_asn1_types::const_oid::ObjectIdentifier;
use signet_asn1_types::crypto::{SignatureAlgorithm, SignatureVerifier};
use signet_asn1_types::der::asn1::OctetString;
use signet_asn1_types::der::{Decode, Encode};
use signet_asn1_types::ocsp::{
    CertId, CertStatus, OcspRequest, OcspResponse, OcspResponseStatus, Request, ResponderId,
    TbsRequest,
};
use signet_asn1_types::spki::AlgorithmIdentifierOwned;
use signet_asn1_types::x509_cert::Certificate;
use signet_asn1_types::x509_cert::ext::pkix::name::GeneralName;
use signet_asn1_types::x509_cert::ext::pkix::{AuthorityInfoAccessSyntax, ExtendedKeyUsage};

use crate::c2pa::http;

/// `id-ad-ocsp` (RFC 5280 §4.2.2.1).
const ID_AD_OCSP: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.48.1");
/// `id-kp-OCSPSigning` (RFC 5280 §4.2.1.12).
const ID_KP_OCSP_SIGNING: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.3.9");
/// Clock skew tolerated between us and the responder.
const SKEW_SECONDS: u64 = 300;

/// The responder URLs a certificate's AIA names.
pub(crate) fn ocsp_urls(cert: &Certificate) -> Vec<String> {
    let Ok(Some((_, aia))) = cert
        .tbs_certificate()
        .get_extension::<AuthorityInfoAccessSyntax>()
    else {
        return Vec::new();
    };
    aia.0
        .iter()
        .filter(|ad| ad.access_method == ID_AD_OCSP)
        .filter_map(|ad| match &ad.access_location {
            GeneralName::UniformResourceIdentifier(u) => Some(u.as_str().to_owned()),
            _ => None,
        })
        .collect()
}

fn subject(cert: &Certificate) -> String {
    cert.tbs_certificate().subject().to_string()
}

/// The SHA-1 CertID of `cert` issued by `issuer`.
fn cert_id(cert: &Certificate, issuer: &Certificate) -> Result<CertId> {
    let name = issuer.tbs_certificate().subject().to_der()?;
    let key = issuer
        .tbs_certificate()
        .subject_public_key_info()
        .subject_public_key
        .raw_bytes();
    Ok(CertId {
        hash_algorithm: AlgorithmIdentifierOwned {
            oid: ID_SHA1,
            parameters: Some(signet_asn1_types::der::asn1::Null.into()),
        },
        issuer_name_hash: OctetString::new(Sha1::digest(&name).to_vec())?,
        issuer_key_hash: OctetString::new(Sha1::digest(key).to_vec())?,
        serial_number: cert.tbs_certificate().serial_number().clone(),
    })
}

fn same_cert_id(a: &CertId, b: &CertId) -> bool {
    a.hash_algorithm.oid == b.hash_algorithm.oid
        && a.issuer_name_hash == b.issuer_name_hash
        && a.issuer_key_hash == b.issuer_key_hash
        && a.serial_number == b.serial_number
}

/// Verifies `signature` over `message` with the key of `signer`.
fn verify_with(
    verifier: &dyn SignatureVerifier,
    signer: &Certificate,
    alg: &AlgorithmIdentifierOwned,
    message: &[u8],
    signature: &[u8],
) -> bool {
    let Ok(alg) = SignatureAlgorithm::from_algorithm_identifier_owned(alg) else {
        return false;
    };
    let Ok(spki) = signer.tbs_certificate().subject_public_key_info().to_der() else {
        return false;
    };
    verifier.verify(alg, &spki, message, signature).is_ok()
}

/// True when `cert` was issued by `issuer` (name chaining and signature).
fn issued_by(verifier: &dyn SignatureVerifier, cert: &Certificate, issuer: &Certificate) -> bool {
    let Ok(tbs) = cert.tbs_certificate().to_der() else {
        return false;
    };
    cert.tbs_certificate().issuer() == issuer.tbs_certificate().subject()
        && verify_with(
            verifier,
            issuer,
            cert.signature_algorithm(),
            &tbs,
            cert.signature().raw_bytes(),
        )
}

fn has_ocsp_signing(cert: &Certificate) -> bool {
    matches!(
        cert.tbs_certificate().get_extension::<ExtendedKeyUsage>(),
        Ok(Some((_, eku))) if eku.0.contains(&ID_KP_OCSP_SIGNING)
    )
}

/// Why no response was stapled for a certificate.
enum Failure {
    /// A responder says the certificate is revoked: the checked response (DER) and why.
    Revoked(Vec<u8>, anyhow::Error),
    /// No usable answer (unreachable, malformed, unknown, stale, badly signed).
    Unavailable(anyhow::Error),
}

/// Asks the responders of `cert` (issued by `issuer`) and returns a checked `good` response.
fn fetch_one(
    cert: &Certificate,
    issuer: &Certificate,
    now: u64,
    verifier: &dyn SignatureVerifier,
) -> Result<Option<Vec<u8>>, Failure> {
    let urls = ocsp_urls(cert);
    if urls.is_empty() {
        return Ok(None);
    }
    let id = cert_id(cert, issuer).map_err(Failure::Unavailable)?;
    let request = OcspRequest {
        tbs_request: TbsRequest {
            version: Default::default(),
            requestor_name: None,
            request_list: vec![Request {
                req_cert: id.clone(),
                single_request_extensions: None,
            }],
            request_extensions: None,
        },
        optional_signature: None,
    }
    .to_der()
    .map_err(|e| Failure::Unavailable(e.into()))?;
    let mut errors = Vec::new();
    for url in &urls {
        let answer = http::post(
            url,
            "application/ocsp-request",
            "application/ocsp-response",
            &request,
        )
        .map_err(Failure::Unavailable)
        .and_then(|der| match check(&der, &id, cert, issuer, now, verifier) {
            Ok(()) => Ok(der),
            Err(Failure::Revoked(_, e)) => Err(Failure::Revoked(der, e)),
            Err(e) => Err(e),
        });
        match answer {
            Ok(der) => return Ok(Some(der)),
            Err(revoked @ Failure::Revoked(..)) => return Err(revoked),
            Err(Failure::Unavailable(e)) => errors.push(format!("{url}: {e:#}")),
        }
    }
    Err(Failure::Unavailable(anyhow::anyhow!(
        "no usable OCSP response for {}: {}",
        subject(cert),
        errors.join("; ")
    )))
}

/// Checks one DER `OCSPResponse` about `id`.
fn check(
    der: &[u8],
    id: &CertId,
    cert: &Certificate,
    issuer: &Certificate,
    now: u64,
    verifier: &dyn SignatureVerifier,
) -> Result<(), Failure> {
    match check_response(der, id, issuer, now, verifier).map_err(Failure::Unavailable)? {
        CertStatus::Good(_) => Ok(()),
        CertStatus::Revoked(info) => Err(Failure::Revoked(
            Vec::new(),
            anyhow::anyhow!(
                "the certificate {} is revoked (OCSP, since {}{})",
                subject(cert),
                info.revocation_time.to_date_time(),
                info.revocation_reason
                    .map(|r| format!(", reason {r:?}"))
                    .unwrap_or_default()
            ),
        )),
        CertStatus::Unknown(_) => Err(Failure::Unavailable(anyhow::anyhow!(
            "the responder does not know the certificate"
        ))),
    }
}

/// Checks that a response is successful, names `id`, is current and is signed by an
/// authorised responder; returns the status it gives.
fn check_response(
    der: &[u8],
    id: &CertId,
    issuer: &Certificate,
    now: u64,
    verifier: &dyn SignatureVerifier,
) -> Result<CertStatus> {
    let response = OcspResponse::from_der_strict(der).context("decoding the OCSP response")?;
    if response.response_status != OcspResponseStatus::Successful {
        bail!("the responder answered {:?}", response.response_status);
    }
    let basic = response
        .basic()
        .context("decoding the basic OCSP response")?
        .context("not a basic OCSP response")?;
    let single = basic
        .tbs_response_data
        .responses
        .iter()
        .find(|s| same_cert_id(&s.cert_id, id))
        .context("the response does not name the certificate")?;
    let this_update = single.this_update.to_unix_duration().as_secs();
    if this_update > now.saturating_add(SKEW_SECONDS) {
        bail!("the response's thisUpdate is in the future");
    }
    if let Some(next) = &single.next_update
        && next.to_unix_duration().as_secs() < now
    {
        bail!("the response is stale (nextUpdate has passed)");
    }
    // Who signed: the issuer itself, or a responder certificate the issuer issued with
    // id-kp-OCSPSigning, carried in `certs` (RFC 6960 §4.2.2.2).
    let tbs = basic.tbs_response_data.to_der()?;
    let signature = basic.signature.raw_bytes();
    let by_issuer = match &basic.tbs_response_data.responder_id {
        ResponderId::ByName(name) => name == issuer.tbs_certificate().subject(),
        ResponderId::ByKey(hash) => {
            hash.as_bytes()
                == Sha1::digest(
                    issuer
                        .tbs_certificate()
                        .subject_public_key_info()
                        .subject_public_key
                        .raw_bytes(),
                )
                .as_slice()
        }
    } && verify_with(
        verifier,
        issuer,
        &basic.signature_algorithm,
        &tbs,
        signature,
    );
    let delegated = || {
        basic.certs.iter().flatten().any(|r| {
            has_ocsp_signing(r)
                && issued_by(verifier, r, issuer)
                && verify_with(verifier, r, &basic.signature_algorithm, &tbs, signature)
        })
    };
    if !by_issuer && !delegated() {
        bail!("the response is not signed by the issuer or a responder it authorised");
    }
    Ok(single.cert_status.clone())
}

/// What stapling found: the responses to put in `rVals.ocspVals`, and the certificates of the
/// chain their responders say are revoked (their `revoked` answers are among the responses).
#[derive(Debug, Default)]
pub(crate) struct Stapled {
    /// DER `OCSPResponse`s, signer first.
    pub(crate) responses: Vec<Vec<u8>>,
    /// One line per revoked certificate: which, since when, why.
    pub(crate) revoked: Vec<String>,
}

/// OCSP responses to staple for `chain` (leaf first; `root`, when known, issues the last
/// certificate). Certificates whose AIA names no responder are skipped, with a note on stderr;
/// no usable answer for the signer is an error; a `revoked` answer is stapled and reported in
/// [`Stapled::revoked`].
pub(crate) fn staple(
    chain: &[Vec<u8>],
    root: Option<&[u8]>,
    now: u64,
    verifier: &dyn SignatureVerifier,
) -> Result<Stapled> {
    let certs = chain
        .iter()
        .map(|d| Certificate::from_der(d).context("decoding a chain certificate"))
        .collect::<Result<Vec<_>>>()?;
    let root = root
        .map(|d| Certificate::from_der(d).context("decoding the root certificate"))
        .transpose()?;
    let mut out = Stapled::default();
    for (i, cert) in certs.iter().enumerate() {
        let Some(issuer) = certs.get(i.saturating_add(1)).or(root.as_ref()) else {
            eprintln!(
                "note: no issuer certificate for {} in the chain file; its OCSP status is not \
                 stapled",
                subject(cert)
            );
            continue;
        };
        match fetch_one(cert, issuer, now, verifier) {
            Ok(Some(der)) => out.responses.push(der),
            Ok(None) if i == 0 => eprintln!(
                "note: the signing certificate names no OCSP responder; nothing to staple"
            ),
            Ok(None) => {}
            Err(Failure::Revoked(der, e)) => {
                out.responses.push(der);
                out.revoked.push(format!("{e:#}"));
            }
            // The signer's status was asked for: no answer is an error. An intermediate's is
            // a bonus: reported, not fatal.
            Err(Failure::Unavailable(e)) if i == 0 => return Err(e),
            Err(Failure::Unavailable(e)) => eprintln!("note: {e:#}; not stapled"),
        }
    }
    Ok(out)
}
