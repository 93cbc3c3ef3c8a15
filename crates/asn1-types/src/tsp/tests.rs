//! TSP tests against real `openssl ts` bytes (see `tests/examples/generate.sh`): decode,
//! byte-identical re-encode, field values, the token's TSTInfo and ESSCertIDv2, and rejections.

use cms::content_info::ContentInfo;
use cms::signed_data::SignedData;
use der::asn1::OctetString;
use der::{Decode, Encode};
use x509_cert::ext::pkix::name::GeneralName;

use super::{
    Accuracy, EssCertIdV2, ID_AA_SIGNING_CERTIFICATE_V2, ID_CT_TST_INFO, SigningCertificateV2,
    TimeStampReq, TimeStampResp, TspError, TspFailureInfo, TspStatus, TstInfo, Version,
    sha256_identifier, tst_info, tst_info_der,
};
use crate::algorithm::{DigestAlgorithm, ID_SHA256, ID_SHA384};

const REQUEST: &[u8] = include_bytes!("../../tests/examples/tsp-request.der");
const RESPONSE: &[u8] = include_bytes!("../../tests/examples/tsp-response.der");
const REQUEST_NO_NONCE: &[u8] = include_bytes!("../../tests/examples/tsp-request-nononce.der");
const TOKEN: &[u8] = include_bytes!("../../tests/examples/tsp-token.der");
const REJECTION: &[u8] = include_bytes!("../../tests/examples/tsp-response-rejection.der");

fn roundtrip<'a, T: Decode<'a, Error = der::Error> + Encode>(bytes: &'a [u8]) -> T {
    let value = T::from_der(bytes).unwrap();
    assert_eq!(value.to_der().unwrap(), bytes, "re-encoding differs");
    value
}

#[test]
fn request_roundtrip_and_fields() {
    let req: TimeStampReq = roundtrip(REQUEST);
    assert_eq!(TimeStampReq::from_der_strict(REQUEST).unwrap(), req);
    assert_eq!(req.version, Version::V1);
    assert_eq!(req.message_imprint.hash_algorithm.oid, ID_SHA256);
    assert_eq!(req.message_imprint.hashed_message.as_bytes().len(), 32);
    assert!(req.cert_req && req.nonce.is_some() && req.req_policy.is_none());

    let req: TimeStampReq = roundtrip(REQUEST_NO_NONCE);
    assert_eq!(req.message_imprint.hash_algorithm.oid, ID_SHA384);
    assert_eq!(
        DigestAlgorithm::from_algorithm_identifier_owned(&req.message_imprint.hash_algorithm),
        Ok(DigestAlgorithm::Sha384)
    );
    assert!(!req.cert_req && req.nonce.is_none());
    assert_eq!(req.req_policy.unwrap().to_string(), "1.3.6.1.4.1.99999.2");
}

#[test]
fn granted_response_and_tst_info() {
    let resp: TimeStampResp = roundtrip(RESPONSE);
    assert_eq!(TimeStampResp::from_der_strict(RESPONSE).unwrap(), resp);
    assert_eq!(resp.status.status, TspStatus::Granted);
    assert!(resp.status.failures().is_empty());
    let token = resp.time_stamp_token.as_ref().unwrap();
    let der = tst_info_der(token).unwrap();
    let info: TstInfo = roundtrip(&der);
    assert_eq!(tst_info(token).unwrap(), info);

    let req = TimeStampReq::from_der(REQUEST).unwrap();
    assert_eq!(info.version, Version::V1);
    assert_eq!(info.policy.to_string(), "1.3.6.1.4.1.99999.1");
    assert_eq!(info.message_imprint, req.message_imprint);
    assert_eq!(info.nonce, req.nonce);
    assert!(info.ordering);
    // genTime has milliseconds (clock_precision_digits = 3): "...32.805Z" in the committed file.
    assert_eq!(info.gen_time.fraction_digits(), 3);
    assert_eq!(info.gen_time.subsec_nanos(), 805_000_000);
    assert_eq!(
        info.accuracy,
        Some(Accuracy {
            seconds: Some(1),
            millis: Some(500),
            micros: Some(100)
        })
    );
    assert_eq!(
        info.accuracy.unwrap().to_duration(),
        core::time::Duration::from_micros(1_500_100)
    );
    assert!(matches!(info.tsa, Some(GeneralName::DirectoryName(_))));
    assert_eq!(info.serial_number.as_bytes(), [0x02]);
}

/// The SignedData of a token and its single signer's ESSCertIDv2.
fn signing_certificate_v2(token: &ContentInfo) -> (SignedData, SigningCertificateV2) {
    let sd = SignedData::from_der(&token.content.to_der().unwrap()).unwrap();
    assert_eq!(sd.encap_content_info.econtent_type, ID_CT_TST_INFO);
    let signer = sd.signer_infos.0.iter().next().unwrap();
    let attrs = signer.signed_attrs.as_ref().unwrap();
    let attr = attrs
        .iter()
        .find(|a| a.oid == ID_AA_SIGNING_CERTIFICATE_V2)
        .expect("signingCertificateV2 present (ess_cert_id_alg = sha256)");
    let value = attr.values.iter().next().unwrap();
    let der = value.to_der().unwrap();
    let scv2: SigningCertificateV2 = roundtrip(&der);
    (sd, scv2)
}

#[test]
fn token_carries_ess_cert_id_v2() {
    let token: ContentInfo = roundtrip(TOKEN);
    let info = tst_info(&token).unwrap();
    assert_eq!(info.nonce, None);
    assert_eq!(info.message_imprint.hash_algorithm.oid, ID_SHA384);
    let (sd, scv2) = signing_certificate_v2(&token);
    assert_eq!(scv2.certs.len(), 1);
    let id = &scv2.certs[0];
    // SHA-256 is the DEFAULT: openssl omits it, and it decodes to the default value.
    assert_eq!(id.hash_algorithm, sha256_identifier());
    assert_eq!(id.cert_hash.as_bytes().len(), 32);
    // The request did not ask for certificates: none in the token.
    assert!(sd.certificates.is_none());
}

#[test]
fn ess_cert_id_v2_default_is_omitted() {
    let id = EssCertIdV2 {
        hash_algorithm: sha256_identifier(),
        cert_hash: OctetString::new([1u8; 32]).unwrap(),
        issuer_serial: None,
    };
    let der = id.to_der().unwrap();
    assert_eq!(&der[..4], [0x30, 0x22, 0x04, 0x20]);
    assert_eq!(EssCertIdV2::from_der(&der).unwrap(), id);
    // SHA-256 written out explicitly: the DEFAULT encoded, refused.
    let explicit = [
        &[0x30, 0x2f, 0x30, 0x0b, 0x06, 0x09][..],
        &hex_literal::hex!("608648016503040201"),
        &der[2..],
    ]
    .concat();
    assert!(EssCertIdV2::from_der(&explicit).is_err());
    // Another hash is encoded and round-trips.
    let sha384 = EssCertIdV2 {
        hash_algorithm: DigestAlgorithm::Sha384.to_algorithm_identifier(),
        cert_hash: OctetString::new([2u8; 48]).unwrap(),
        issuer_serial: None,
    };
    let der: Vec<u8> = sha384.to_der().unwrap();
    assert_eq!(roundtrip::<EssCertIdV2>(&der), sha384);
}

#[test]
fn rejection_response() {
    let resp: TimeStampResp = roundtrip(REJECTION);
    assert_eq!(resp.status.status, TspStatus::Rejection);
    assert_eq!(resp.status.failures(), [TspFailureInfo::BadAlg]);
    assert_eq!(
        resp.status.status_string.as_deref(),
        Some(&["Message digest algorithm is not supported.".to_owned()][..])
    );
    assert!(resp.time_stamp_token.is_none());
}

#[test]
fn strict_rejections() {
    // TimeStampReq with certReq FALSE encoded (its DEFAULT): not DER.
    let mut req = TimeStampReq::from_der(REQUEST_NO_NONCE).unwrap();
    req.cert_req = false;
    let der = req.to_der().unwrap();
    let mut body = der[2..].to_vec();
    body.extend_from_slice(&[0x01, 0x01, 0x00]);
    let mut explicit_false = vec![0x30, u8::try_from(body.len()).unwrap()];
    explicit_false.extend_from_slice(&body);
    assert!(TimeStampReq::from_der(&explicit_false).is_ok());
    assert!(matches!(
        TimeStampReq::from_der_strict(&explicit_false),
        Err(TspError::Der(_))
    ));
    // version 2.
    let mut v2 = der.clone();
    assert_eq!(&v2[2..5], [0x02, 0x01, 0x01]);
    v2[4] = 2;
    assert!(TimeStampReq::from_der(&v2).is_err());
    // Accuracy millis 0 and 1000 are outside (1..999).
    for millis in [0u16, 1000] {
        let acc = Accuracy {
            seconds: None,
            millis: Some(millis),
            micros: None,
        };
        assert_eq!(
            acc.check(),
            Err(TspError::AccuracyOutOfRange {
                field: "millis",
                value: millis
            })
        );
    }
    // A status value RFC 3161 does not define.
    assert!(TimeStampResp::from_der(&[0x30, 0x05, 0x30, 0x03, 0x02, 0x01, 0x06]).is_err());
    // PKIFreeText must not be empty (SIZE (1..MAX)).
    assert!(matches!(
        TimeStampResp::from_der_strict(&[0x30, 0x07, 0x30, 0x05, 0x02, 0x01, 0x02, 0x30, 0x00]),
        Err(TspError::StatusStrings { count: 0, .. })
    ));
}

#[test]
fn token_content_type_checks() {
    let token = ContentInfo::from_der(TOKEN).unwrap();
    let mut wrong = token.clone();
    wrong.content_type = ID_CT_TST_INFO;
    assert_eq!(
        tst_info_der(&wrong),
        Err(TspError::NotSignedData {
            oid: ID_CT_TST_INFO
        })
    );
    let mut sd = SignedData::from_der(&token.content.to_der().unwrap()).unwrap();
    sd.encap_content_info.econtent = None;
    let mut no_content = token.clone();
    no_content.content = der::Any::encode_from(&sd).unwrap();
    assert_eq!(tst_info_der(&no_content), Err(TspError::MissingContent));
    sd.encap_content_info.econtent_type = super::ID_SIGNED_DATA;
    no_content.content = der::Any::encode_from(&sd).unwrap();
    assert!(matches!(
        tst_info_der(&no_content),
        Err(TspError::NotTstInfo { .. })
    ));
}
