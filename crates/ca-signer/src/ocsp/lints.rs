//! OCSP response lints, each citing its rule.
//!
//! - RFC 6960 §4.2.1 / §4.2.2.3: `responderID` identifies the signing key (byKey: SHA-1 of the
//!   `subjectPublicKey` bits; byName: its subject).
//! - RFC 6960 §4.2.2.2: the signer is the CA, or a responder certificate issued directly by the
//!   CA with `id-kp-OCSPSigning`; C2PA OCSP responder profile: digitalSignature and
//!   `id-pkix-ocsp-nocheck`; CA/B BR §7.1.2: a CA signing responses itself asserts
//!   digitalSignature. The responder certificate is valid at `producedAt`.
//! - RFC 6960 §4.1.1 / §4.2.1: `good` and `revoked` answers only for CertIDs naming this CA
//!   (anything else is `unknown`, §2.2), hashed with an accepted algorithm.
//! - RFC 6960 §4.2.2.1: `thisUpdate` not after `producedAt`; `nextUpdate` later than
//!   `thisUpdate`; CA/B BR §4.9.10 bounds the interval at ten days.
//! - RFC 5280 §5.3.1 / CA/B BR §7.2.2 for the revocation reason (no `unspecified`, no
//!   `removeFromCRL`); revocation time not after `thisUpdate`.
//! - RFC 8954 §2.1: the nonce is 1 to 32 octets, non-critical; RFC 5280 §4.2: no extension twice.

use signet_asn1_types::algorithm::DigestAlgorithm;
use signet_asn1_types::der::Encode;
use signet_asn1_types::ocsp::{
    CertStatus, MAX_OCSP_RESPONSES, OcspNonce, ResponderId, ResponseData,
};
use signet_asn1_types::x509_cert::ext::pkix::{
    AuthorityKeyIdentifier, CrlReason, ExtendedKeyUsage, KeyUsages,
};

use super::{OcspProfile, Responder, issuer_hashes};
use crate::issuer::CaCertificate;
use crate::lint::extensions::check_duplicates;
use crate::lint::signature_algorithm::check_algorithm;
use crate::lint::{LintError, expect_critical};
use crate::oid;
use crate::time::{DAY, secs};

pub(crate) fn run_all(
    data: &ResponseData,
    responder: &Responder,
    profile: &OcspProfile,
) -> Vec<LintError> {
    let mut out = Vec::new();
    let signer = responder.signing_cert();
    check_responder_id(data, signer, &mut out);
    match responder.algorithm.to_algorithm_identifier() {
        Ok(field) => check_algorithm(
            &field,
            responder.algorithm,
            &signer.spki_der,
            Some(&profile.signature_algorithms),
            &mut out,
        ),
        Err(_) => out.push(LintError::Unencodable {
            what: "signature algorithm",
        }),
    }
    check_authorization(data, responder, &mut out);
    check_responses(data, responder, profile, &mut out);
    check_extensions(data, &mut out);
    out
}

fn check_responder_id(data: &ResponseData, signer: &CaCertificate, out: &mut Vec<LintError>) {
    let matches = match &data.responder_id {
        ResponderId::ByKey(hash) => crate::key_id::method1_der(&signer.spki_der)
            .is_ok_and(|expected| expected.as_slice() == hash.as_bytes()),
        ResponderId::ByName(name) => name == signer.name(),
    };
    if !matches {
        out.push(LintError::OcspResponderIdMismatch);
    }
}

fn check_authorization(data: &ResponseData, responder: &Responder, out: &mut Vec<LintError>) {
    let unauthorized = |reason| LintError::OcspResponderUnauthorized { reason };
    let signer = responder.signing_cert();
    if !signer
        .key_usage
        .as_ref()
        .is_some_and(|ku| ku.0.contains(KeyUsages::DigitalSignature))
    {
        out.push(unauthorized("key usage lacks digitalSignature"));
    }
    let produced_at = secs(data.produced_at.to_date_time());
    if produced_at < secs(signer.not_before) || produced_at > secs(signer.not_after) {
        out.push(LintError::OcspResponderExpired);
    }
    let Some(delegate) = responder.delegate.as_deref() else {
        return;
    };
    let tbs = delegate.certificate.tbs_certificate();
    let aki_matches = tbs
        .get_extension::<AuthorityKeyIdentifier>()
        .ok()
        .flatten()
        .and_then(|(_, aki)| aki.key_identifier)
        .is_some_and(|id| id.as_bytes() == responder.ca.key_identifier.as_slice());
    if tbs.issuer() != responder.ca.name() || !aki_matches {
        out.push(unauthorized("not issued by the CA"));
    }
    let ocsp_signing = tbs
        .get_extension::<ExtendedKeyUsage>()
        .ok()
        .flatten()
        .is_some_and(|(_, eku)| eku.0.contains(&oid::ID_KP_OCSP_SIGNING));
    if !ocsp_signing {
        out.push(unauthorized("no id-kp-OCSPSigning"));
    }
    let no_check = tbs
        .extensions()
        .is_some_and(|e| e.iter().any(|x| x.extn_id == oid::ID_PKIX_OCSP_NOCHECK));
    if !no_check {
        out.push(unauthorized("no id-pkix-ocsp-nocheck"));
    }
}

fn check_responses(
    data: &ResponseData,
    responder: &Responder,
    profile: &OcspProfile,
    out: &mut Vec<LintError>,
) {
    let count = data.responses.len();
    if count == 0 || count > MAX_OCSP_RESPONSES {
        out.push(LintError::OcspResponseCount { count });
        return;
    }
    let produced_at = secs(data.produced_at.to_date_time());
    let mut seen: Vec<Vec<u8>> = Vec::new();
    for single in &data.responses {
        let id = &single.cert_id;
        if let Ok(der) = id.to_der() {
            if seen.contains(&der) {
                out.push(LintError::OcspDuplicateCertId);
            }
            seen.push(der);
        }
        match DigestAlgorithm::from_algorithm_identifier_owned(&id.hash_algorithm) {
            Ok(hash) => {
                let ours = issuer_hashes(&responder.ca, hash).is_ok_and(|(name, key)| {
                    name.as_slice() == id.issuer_name_hash.as_bytes()
                        && key.as_slice() == id.issuer_key_hash.as_bytes()
                });
                if !ours && !matches!(single.cert_status, CertStatus::Unknown(_)) {
                    out.push(LintError::OcspCertIdWrongIssuer);
                }
                if id.issuer_name_hash.as_bytes().len() != hash.output_len()
                    || id.issuer_key_hash.as_bytes().len() != hash.output_len()
                {
                    out.push(LintError::OcspCertIdHash {
                        oid: id.hash_algorithm.oid,
                    });
                }
            }
            Err(_) => out.push(LintError::OcspCertIdHash {
                oid: id.hash_algorithm.oid,
            }),
        }
        let this_update = secs(single.this_update.to_date_time());
        if this_update > produced_at {
            out.push(LintError::OcspThisUpdateAfterProducedAt);
        }
        match single.next_update {
            None if profile.require_next_update => out.push(LintError::NextUpdateMissing),
            None => {}
            Some(next) => {
                let next = secs(next.to_date_time());
                if next <= this_update {
                    out.push(LintError::UpdateInverted);
                } else if next - this_update > u64::from(profile.max_validity_days) * DAY {
                    out.push(LintError::UpdateIntervalTooLong {
                        days: (next - this_update).div_ceil(DAY),
                        max_days: profile.max_validity_days,
                    });
                }
            }
        }
        if let CertStatus::Revoked(info) = &single.cert_status {
            if secs(info.revocation_time.to_date_time()) > this_update {
                out.push(LintError::RevocationAfterThisUpdate);
            }
            if let Some(reason @ (CrlReason::Unspecified | CrlReason::RemoveFromCRL)) =
                info.revocation_reason
            {
                out.push(LintError::ReasonNotAllowed { reason });
            }
        }
        for ext in single.single_extensions.iter().flatten() {
            out.push(LintError::UnexpectedExtension { oid: ext.extn_id });
        }
    }
}

fn check_extensions(data: &ResponseData, out: &mut Vec<LintError>) {
    let extensions = data.response_extensions.as_deref().unwrap_or_default();
    check_duplicates(extensions, out);
    for ext in extensions {
        if ext.extn_id != signet_asn1_types::ocsp::ID_PKIX_OCSP_NONCE {
            out.push(LintError::UnexpectedExtension { oid: ext.extn_id });
            continue;
        }
        expect_critical(ext, false, out);
        if OcspNonce::from_extension(ext).is_err() {
            out.push(LintError::ExtensionMalformed { oid: ext.extn_id });
        }
    }
}
