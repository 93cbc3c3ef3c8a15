//! Integration tests: `signet-crypto` verifying real OpenSSL signatures carried by the OCSP and
//! TSP examples of `signet-asn1-types` (decoded with its types, algorithms mapped with
//! `SignatureAlgorithm::from_algorithm_identifier`), over the bytes as received.

use aws_lc_rs::digest;
use signet_asn1_types::cms::content_info::ContentInfo;
use signet_asn1_types::cms::signed_data::{SignedData, SignerIdentifier};
use signet_asn1_types::crypto::{SignatureAlgorithm, SignatureVerifier, VerifyError};
use signet_asn1_types::der::{Decode, Encode, Header, Reader, SliceReader, Tag};
use signet_asn1_types::ocsp::OcspResponse;
use signet_asn1_types::tsp::{TimeStampResp, tst_info_der};
use signet_asn1_types::x509_cert::Certificate;
use signet_crypto::Verifier;

const OCSP_RESPONSE: &[u8] = include_bytes!("../../../asn1-types/tests/examples/ocsp-response.der");
const TSP_RESPONSE: &[u8] = include_bytes!("../../../asn1-types/tests/examples/tsp-response.der");

/// The first element's TLV bytes inside a DER SEQUENCE, as received.
fn first_child(sequence: &[u8]) -> signet_asn1_types::der::Result<&[u8]> {
    let mut outer = SliceReader::new(sequence)?;
    let header = Header::decode(&mut outer)?;
    assert_eq!(header.tag(), Tag::Sequence);
    outer.tlv_bytes()
}

#[test]
fn ocsp_response_signature_verifies() {
    let resp = OcspResponse::from_der_strict(OCSP_RESPONSE).unwrap();
    let basic_der = resp.response_bytes.as_ref().unwrap().response.as_bytes();
    let basic = resp.basic().unwrap().unwrap();
    let tbs = first_child(basic_der).unwrap();
    let alg =
        SignatureAlgorithm::from_algorithm_identifier_owned(&basic.signature_algorithm).unwrap();
    assert_eq!(alg, SignatureAlgorithm::EcdsaP256Sha256Asn1);
    let responder = &basic.certs.as_ref().unwrap()[0];
    let spki = responder
        .tbs_certificate()
        .subject_public_key_info()
        .to_der()
        .unwrap();
    let sig = basic.signature.as_bytes().unwrap();
    assert_eq!(Verifier.verify(alg, &spki, tbs, sig), Ok(()));
    // One flipped byte of the signed data fails.
    let mut tampered = tbs.to_vec();
    let last = tampered.len() - 1;
    tampered[last] ^= 1;
    assert_eq!(
        Verifier.verify(alg, &spki, &tampered, sig),
        Err(VerifyError::BadSignature)
    );
    // The same key under ES384 is refused as a key, not as a signature.
    assert_eq!(
        Verifier.verify(SignatureAlgorithm::EcdsaP384Sha384Asn1, &spki, tbs, sig),
        Err(VerifyError::BadPublicKey)
    );
}

#[test]
fn time_stamp_token_signature_verifies() {
    let resp = TimeStampResp::from_der_strict(TSP_RESPONSE).unwrap();
    let token: &ContentInfo = resp.time_stamp_token.as_ref().unwrap();
    let sd = SignedData::from_der(&token.content.to_der().unwrap()).unwrap();
    let signer = sd.signer_infos.0.iter().next().unwrap();
    // The signer certificate, found by issuer and serial number.
    let SignerIdentifier::IssuerAndSerialNumber(ias) = &signer.sid else {
        panic!("openssl identifies the TSA by issuer and serial");
    };
    let certs: Vec<Certificate> = sd
        .certificates
        .as_ref()
        .unwrap()
        .0
        .iter()
        .filter_map(|c| match c {
            signet_asn1_types::cms::cert::CertificateChoices::Certificate(c) => Some(c.clone()),
            _ => None,
        })
        .collect();
    let tsa = certs
        .iter()
        .find(|c| c.tbs_certificate().serial_number() == &ias.serial_number)
        .unwrap();
    let spki = tsa
        .tbs_certificate()
        .subject_public_key_info()
        .to_der()
        .unwrap();
    // messageDigest (RFC 5652 §11.2) = SHA-256 of the eContent octets.
    let econtent = tst_info_der(token).unwrap();
    let md_oid = signet_asn1_types::const_oid::ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.4");
    let attrs = signer.signed_attrs.as_ref().unwrap();
    let md = attrs.iter().find(|a| a.oid == md_oid).unwrap();
    let md_value = md.values.iter().next().unwrap().value();
    assert_eq!(
        md_value,
        digest::digest(&digest::SHA256, &econtent).as_ref()
    );
    // The signature is over the DER SET OF signed attributes (RFC 5652 §5.4).
    let signed = attrs.to_der().unwrap();
    let alg = SignatureAlgorithm::from_algorithm_identifier_owned(&signer.signature_algorithm)
        .or_else(|_| {
            // OpenSSL writes `ecdsa-with-SHA256` here; a bare `id-ecPublicKey` would need
            // the digest algorithm to pick the variant.
            SignatureAlgorithm::from_algorithm_identifier_owned(&signer.digest_alg)
        })
        .unwrap();
    assert_eq!(alg, SignatureAlgorithm::EcdsaP256Sha256Asn1);
    assert_eq!(
        Verifier.verify(alg, &spki, &signed, signer.signature.as_bytes()),
        Ok(())
    );
    assert_eq!(
        Verifier.verify(alg, &spki, &econtent, signer.signature.as_bytes()),
        Err(VerifyError::BadSignature)
    );
}
