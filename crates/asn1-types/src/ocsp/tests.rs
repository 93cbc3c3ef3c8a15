//! OCSP tests against real `openssl ocsp` bytes (see `tests/examples/generate.sh`): decode,
//! byte-identical re-encode, field values, and strict-decoding rejections.

use der::{Decode, Encode};
use x509_cert::ext::pkix::crl::CrlReason;

use super::{
    BasicOcspResponse, CertStatus, ID_PKIX_OCSP_BASIC, MAX_OCSP_REQUESTS, OcspNonce, OcspRequest,
    OcspResponse, OcspResponseStatus, ResponderId, Version,
};

const REQUEST: &[u8] = include_bytes!("../../tests/examples/ocsp-request.der");
const RESPONSE: &[u8] = include_bytes!("../../tests/examples/ocsp-response.der");
const REQUEST_NO_NONCE: &[u8] = include_bytes!("../../tests/examples/ocsp-request-nononce.der");
const RESPONSE_KEY_ID: &[u8] = include_bytes!("../../tests/examples/ocsp-response-keyid.der");

fn roundtrip<'a, T: Decode<'a, Error = der::Error> + Encode>(bytes: &'a [u8]) -> T {
    let value = T::from_der(bytes).unwrap();
    assert_eq!(value.to_der().unwrap(), bytes, "re-encoding differs");
    value
}

#[test]
fn request_roundtrip_and_fields() {
    let req: OcspRequest = roundtrip(REQUEST);
    assert_eq!(OcspRequest::from_der_strict(REQUEST).unwrap(), req);
    let tbs = &req.tbs_request;
    assert_eq!(tbs.version, Version::V1);
    assert!(tbs.requestor_name.is_none() && req.optional_signature.is_none());
    let serials: Vec<Vec<u8>> = tbs
        .request_list
        .iter()
        .map(|r| r.req_cert.serial_number.as_bytes().to_vec())
        .collect();
    assert_eq!(
        serials,
        [vec![0x10, 0x01], vec![0x10, 0x02], vec![0x10, 0x03]]
    );
    // openssl's default CertID hash is SHA-1 (20-byte hashes).
    let id = &tbs.request_list[0].req_cert;
    assert_eq!(id.hash_algorithm.oid.to_string(), "1.3.14.3.2.26");
    assert_eq!(id.issuer_name_hash.as_bytes().len(), 20);
    assert_eq!(id.issuer_key_hash.as_bytes().len(), 20);
    let nonce = req.nonce().unwrap().unwrap();
    assert_eq!(nonce.as_bytes().len(), 16);
}

#[test]
fn response_roundtrip_and_statuses() {
    let resp: OcspResponse = roundtrip(RESPONSE);
    assert_eq!(resp.response_status, OcspResponseStatus::Successful);
    let rb = resp.response_bytes.as_ref().unwrap();
    assert_eq!(rb.response_type, ID_PKIX_OCSP_BASIC);
    let basic: BasicOcspResponse = roundtrip(rb.response.as_bytes());
    assert_eq!(resp.basic().unwrap(), Some(basic.clone()));
    let data = &basic.tbs_response_data;
    assert!(matches!(data.responder_id, ResponderId::ByName(_)));
    assert_eq!(data.responses.len(), 3);
    assert!(matches!(data.responses[0].cert_status, CertStatus::Good(_)));
    match &data.responses[1].cert_status {
        CertStatus::Revoked(info) => {
            // 2025-01-02T03:04:05Z, from the index file in generate.sh.
            assert_eq!(
                info.revocation_time.to_unix_duration().as_secs(),
                1_735_787_045
            );
            assert_eq!(info.revocation_reason, Some(CrlReason::KeyCompromise));
        }
        other => panic!("expected revoked, got {other:?}"),
    }
    assert!(matches!(
        data.responses[2].cert_status,
        CertStatus::Unknown(_)
    ));
    for r in &data.responses {
        assert!(r.next_update.unwrap() > r.this_update);
    }
    // The responder echoes the request nonce.
    let req = OcspRequest::from_der_strict(REQUEST).unwrap();
    assert_eq!(basic.nonce().unwrap(), req.nonce().unwrap());
    assert_eq!(
        basic.signature_algorithm.oid.to_string(),
        "1.2.840.10045.4.3.2"
    );
    assert_eq!(basic.certs.as_ref().map(Vec::len), Some(1));
}

#[test]
fn nonce_free_request_and_key_hash_responder() {
    let req: OcspRequest = roundtrip(REQUEST_NO_NONCE);
    assert_eq!(req.nonce().unwrap(), None);
    // `-sha256` before `-cert`: SHA-256 CertID.
    let id = &req.tbs_request.request_list[0].req_cert;
    assert_eq!(id.hash_algorithm.oid.to_string(), "2.16.840.1.101.3.4.2.1");
    assert_eq!(id.issuer_key_hash.as_bytes().len(), 32);
    let resp: OcspResponse = roundtrip(RESPONSE_KEY_ID);
    let basic = resp.basic().unwrap().unwrap();
    match &basic.tbs_response_data.responder_id {
        ResponderId::ByKey(hash) => assert_eq!(hash.as_bytes().len(), 20),
        other => panic!("expected byKey, got {other:?}"),
    }
    assert_eq!(basic.nonce().unwrap(), None);
}

#[test]
fn error_status_response() {
    // OCSPResponse { tryLater } without responseBytes.
    let bytes = [0x30, 0x03, 0x0a, 0x01, 0x03];
    let resp: OcspResponse = roundtrip(&bytes);
    assert_eq!(resp.response_status, OcspResponseStatus::TryLater);
    assert_eq!(resp.basic().unwrap(), None);
    // Status 4 is not used by RFC 6960.
    assert!(OcspResponse::from_der(&[0x30, 0x03, 0x0a, 0x01, 0x04]).is_err());
}

/// A DER TLV with `tag` around `body` (short or two-byte long form).
fn wrap(tag: u8, body: &[u8]) -> Vec<u8> {
    let mut out = vec![tag];
    match body.len() {
        n @ 0..=0x7f => out.push(u8::try_from(n).unwrap()),
        n @ 0x80..=0xff => out.extend([0x81, u8::try_from(n).unwrap()]),
        n => out.extend([
            0x82,
            u8::try_from(n >> 8).unwrap(),
            u8::try_from(n & 0xff).unwrap(),
        ]),
    }
    out.extend_from_slice(body);
    out
}

/// Rebuilds `REQUEST` with the TBSRequest's contents prefixed by `prefix`.
fn request_with_tbs_prefix(prefix: &[u8]) -> Vec<u8> {
    let req = OcspRequest::from_der(REQUEST).unwrap();
    let tbs = req.tbs_request.to_der().unwrap();
    let header_len = if tbs[1] < 0x80 {
        2
    } else {
        2 + usize::from(tbs[1] & 0x7f)
    };
    let body = [prefix, &tbs[header_len..]].concat();
    wrap(0x30, &wrap(0x30, &body))
}

#[test]
fn strict_decoding_rejects_non_der_and_bad_versions() {
    // Sanity: the helper with no prefix rebuilds the original bytes.
    assert_eq!(request_with_tbs_prefix(&[]), REQUEST);
    // version [0] v1 encoded explicitly: BER-valid DEFAULT, not DER.
    let explicit_v1 = request_with_tbs_prefix(&[0xa0, 0x03, 0x02, 0x01, 0x00]);
    assert!(OcspRequest::from_der(&explicit_v1).is_ok());
    assert!(matches!(
        OcspRequest::from_der_strict(&explicit_v1)
            .unwrap_err()
            .kind(),
        der::ErrorKind::Noncanonical { .. }
    ));
    // version 2 does not exist.
    let v2 = request_with_tbs_prefix(&[0xa0, 0x03, 0x02, 0x01, 0x01]);
    assert!(OcspRequest::from_der(&v2).is_err());
    // Truncated input and trailing data.
    assert!(OcspRequest::from_der_strict(&REQUEST[..REQUEST.len() - 1]).is_err());
    let mut trailing = REQUEST.to_vec();
    trailing.push(0);
    assert!(OcspRequest::from_der_strict(&trailing).is_err());
}

#[test]
fn request_count_limit() {
    let mut req = OcspRequest::from_der(REQUEST).unwrap();
    let one = req.tbs_request.request_list[0].clone();
    req.tbs_request.request_list = vec![one; MAX_OCSP_REQUESTS + 1];
    let der = req.to_der().unwrap();
    assert!(OcspRequest::from_der(&der).is_ok());
    assert!(OcspRequest::from_der_strict(&der).is_err());
    req.tbs_request.request_list.truncate(MAX_OCSP_REQUESTS);
    assert!(OcspRequest::from_der_strict(&req.to_der().unwrap()).is_ok());
}

#[test]
fn nonce_extension_rules() {
    let nonce = OcspNonce::new(&[7; 32]).unwrap();
    let ext = nonce.to_extension().unwrap();
    assert_eq!(OcspNonce::from_extension(&ext).unwrap(), nonce);
    assert!(OcspNonce::new(&[]).is_err());
    assert!(OcspNonce::new(&[7; 33]).is_err());
    // A raw (un-wrapped) value, as some old responders send, is refused.
    let mut raw = ext.clone();
    raw.extn_value = der::asn1::OctetString::new([7u8; 16]).unwrap();
    assert!(OcspNonce::from_extension(&raw).is_err());
    let mut critical = ext.clone();
    critical.critical = true;
    assert!(OcspNonce::from_extension(&critical).is_err());
    // Two nonce extensions in one request.
    let mut req = OcspRequest::from_der(REQUEST).unwrap();
    req.tbs_request.request_extensions = Some(vec![ext.clone(), ext]);
    assert!(req.nonce().is_err());
}
