//! The authentication base of automatic registration: device certificates (IDevID-style,
//! RFC 9483 §4.1.1) issued directly by a manufacturer CA on the operator's trust list.
//!
//! The check is one level deep, as the trust list holds the issuing manufacturer CAs
//! themselves: the device certificate's issuer is a listed CA's subject, its signature verifies
//! with that CA's key over the `tbsCertificate` bytes, and both are within their validity at
//! `now`. The caller then checks the request's protection with the device certificate's key.

use signet_asn1_types::cmp::PkiFailureBit;
use signet_asn1_types::crypto::{SignatureAlgorithm, SignatureVerifier};
use signet_asn1_types::der::{DateTime, Decode, Encode};
use signet_asn1_types::spki::AlgorithmIdentifierOwned;
use signet_asn1_types::x509_cert::Certificate;

use crate::{Refusal, dn};

fn untrusted(text: &str) -> Refusal {
    Refusal {
        bit: PkiFailureBit::SignerNotTrusted,
        text: text.to_owned(),
    }
}

fn within_validity(cert: &Certificate, now: DateTime) -> bool {
    let v = cert.tbs_certificate().validity();
    v.not_before.to_date_time() <= now && now <= v.not_after.to_date_time()
}

/// Checks `device` against the `anchors` and returns the index of the CA that issued it.
///
/// The `tbsCertificate` is re-encoded for verification; certificates reaching here come from
/// strict DER decoding of the request, so the encoding is the one received.
///
/// # Errors
/// [`Refusal`] with `signerNotTrusted`.
pub fn check_device_certificate(
    device: &Certificate,
    anchors: &[Certificate],
    now: DateTime,
    verifier: &dyn SignatureVerifier,
) -> Result<usize, Refusal> {
    if !within_validity(device, now) {
        return Err(untrusted(
            "device certificate is not within its validity period",
        ));
    }
    let tbs = device
        .tbs_certificate()
        .to_der()
        .map_err(|_| untrusted("device certificate does not encode"))?;
    let alg_der = device
        .signature_algorithm()
        .to_der()
        .map_err(|_| untrusted("device certificate signature algorithm"))?;
    let alg = AlgorithmIdentifierOwned::from_der(&alg_der)
        .ok()
        .and_then(|a| SignatureAlgorithm::from_algorithm_identifier_owned(&a).ok())
        .ok_or_else(|| untrusted("device certificate signature algorithm not accepted"))?;
    let signature = device
        .signature()
        .as_bytes()
        .ok_or_else(|| untrusted("device certificate signature is not octet-aligned"))?;
    for (i, anchor) in anchors.iter().enumerate() {
        if !dn::same_name(
            anchor.tbs_certificate().subject(),
            device.tbs_certificate().issuer(),
        ) {
            continue;
        }
        if !within_validity(anchor, now) {
            continue;
        }
        let Ok(spki) = anchor.tbs_certificate().subject_public_key_info().to_der() else {
            continue;
        };
        if verifier.verify(alg, &spki, &tbs, signature).is_ok() {
            return Ok(i);
        }
    }
    Err(untrusted(
        "device certificate is not issued by a CA on the automatic-registration trust list",
    ))
}
