//! Signing tests: the signer must hold the prepared key and algorithm; the signed certificate
//! carries exactly the linted TBS.

use signet_asn1_types::crypto::{SignatureAlgorithm, SignatureVerifier, Signer};
use signet_asn1_types::der::{Decode, Encode, Header, SliceReader};
use signet_asn1_types::x509_cert::Certificate;
use signet_crypto::KeyType;

use crate::lint::LintError;
use crate::lint::tests::{al1, ca_issuer, chain, key, leaf_request, now, serial};
use crate::{Error, Issuer, IssuerUrls, prepare, sign, sign_der};

#[test]
fn signed_certificate_carries_the_linted_tbs() {
    let linted = prepare(&leaf_request(), &al1(), &ca_issuer(), now(), &serial()).unwrap();
    let tbs = linted.tbs_der().to_vec();
    let cert = sign(linted, &chain().ca).unwrap();
    assert_eq!(cert.tbs_certificate().to_der().unwrap(), tbs);
    assert_eq!(
        cert.signature_algorithm(),
        cert.tbs_certificate().signature()
    );
    let spki = chain()
        .ca_cert
        .tbs_certificate()
        .subject_public_key_info()
        .to_der()
        .unwrap();
    assert_eq!(
        signet_crypto::Verifier.verify(
            SignatureAlgorithm::EcdsaP384Sha384Asn1,
            &spki,
            &tbs,
            cert.signature().as_bytes().unwrap()
        ),
        Ok(())
    );
}

#[test]
fn signed_der_is_the_assembled_certificate() {
    let linted = prepare(&leaf_request(), &al1(), &ca_issuer(), now(), &serial()).unwrap();
    let tbs = linted.tbs_der().to_vec();
    let signed = sign_der(linted, &chain().ca).unwrap();
    // The kept bytes start with the signed TBS right after the outer header, and decode to
    // the returned certificate.
    let mut reader = SliceReader::new(&signed.der).unwrap();
    let header = <Header as Decode>::decode(&mut reader).unwrap();
    let header_len = usize::try_from(u32::from(header.encoded_len().unwrap())).unwrap();
    assert_eq!(signed.der[header_len..header_len + tbs.len()], tbs[..]);
    assert_eq!(
        Certificate::from_der(&signed.der).unwrap(),
        signed.certificate
    );
    assert_eq!(signed.certificate.to_der().unwrap(), signed.der);
}

#[test]
fn signer_of_another_algorithm() {
    let linted = prepare(&leaf_request(), &al1(), &ca_issuer(), now(), &serial()).unwrap();
    assert_eq!(
        sign(linted, &chain().leaf_key).unwrap_err(),
        Error::SignerAlgorithmMismatch {
            prepared: SignatureAlgorithm::EcdsaP384Sha384Asn1,
            signer: SignatureAlgorithm::EcdsaP256Sha256Asn1,
        }
    );
}

#[test]
fn signer_with_another_key() {
    let linted = prepare(&leaf_request(), &al1(), &ca_issuer(), now(), &serial()).unwrap();
    // The root signs with the same algorithm but is not the issuing CA.
    assert_eq!(
        sign(linted, &chain().root).unwrap_err(),
        Error::SignerKeyMismatch
    );
}

#[test]
fn fixed_width_ecdsa_has_no_certificate_form() {
    let issuer = Issuer::from_certificate(
        &chain().ca_cert,
        SignatureAlgorithm::EcdsaP384Sha384Fixed,
        IssuerUrls::default(),
    )
    .unwrap();
    let err = prepare(&leaf_request(), &al1(), &issuer, now(), &serial()).unwrap_err();
    assert_eq!(
        err.findings(),
        [LintError::Unencodable {
            what: "signature algorithm"
        }]
    );
}

#[test]
fn issuer_without_subject_key_identifier() {
    // A certificate without SKI cannot issue: nothing could carry its AKI.
    let mut der = chain().ca_cert.to_der().unwrap();
    // Rename the SKI extension OID (2.5.29.14 -> 2.5.29.99): it is then unknown to the issuer.
    let ski = [0x06, 0x03, 0x55, 0x1d, 0x0e];
    let at = der.windows(5).position(|w| w == ski).unwrap();
    der[at + 4] = 0x63;
    let cert = Certificate::from_der(&der).unwrap();
    assert_eq!(
        Issuer::from_certificate(
            &cert,
            SignatureAlgorithm::EcdsaP384Sha384Asn1,
            IssuerUrls::default()
        )
        .unwrap_err(),
        Error::IssuerCertificate {
            defect: crate::IssuerDefect::MissingSubjectKeyIdentifier
        }
    );
}

#[test]
fn self_signed_root_signs_with_its_own_key() {
    let root_key = key(KeyType::EcdsaP384, SignatureAlgorithm::EcdsaP384Sha384Asn1);
    let request = crate::IssuanceRequest::new(
        crate::lint::tests::name("CN=Another Root,O=Signet,C=US"),
        crate::lint::tests::spki_of(&root_key),
    );
    let linted = || {
        prepare(
            &request,
            &crate::profile::builtin::root_ca(),
            &Issuer::self_signed(root_key.algorithm()),
            now(),
            &serial(),
        )
        .unwrap()
    };
    let cert = sign(linted(), &root_key).unwrap();
    assert_eq!(
        cert.tbs_certificate().issuer(),
        cert.tbs_certificate().subject()
    );
    // Any other key is refused.
    assert_eq!(
        sign(linted(), &chain().root).unwrap_err(),
        Error::SignerKeyMismatch
    );
}
