//! Tests for algorithm identifier mapping: real encodings (from OpenSSL 3.0.19 certificates),
//! round trips, and every rejection path of the PSS policy.

use der::{Decode, Encode};
use hex_literal::hex;
use spki::{AlgorithmIdentifierOwned, AlgorithmIdentifierRef};

use super::{AlgorithmError, DigestAlgorithm, ID_MGF1, ID_SHA1, ID_SHA256, ID_SHA384};
use crate::crypto::SignatureAlgorithm;

/// Signature AlgorithmIdentifiers as OpenSSL 3.0.19 writes them in certificates
/// (`openssl req -x509 -sha256 -sigopt rsa_padding_mode:pss -sigopt rsa_pss_saltlen:digest`, ...).
const REAL: &[(SignatureAlgorithm, &[u8])] = &[
    (
        SignatureAlgorithm::EcdsaP256Sha256Asn1,
        &hex!("300a06082a8648ce3d040302"),
    ),
    (
        SignatureAlgorithm::EcdsaP384Sha384Asn1,
        &hex!("300a06082a8648ce3d040303"),
    ),
    (
        SignatureAlgorithm::EcdsaP521Sha512Asn1,
        &hex!("300a06082a8648ce3d040304"),
    ),
    (SignatureAlgorithm::Ed25519, &hex!("300506032b6570")),
    (
        SignatureAlgorithm::RsaPkcs1Sha256,
        &hex!("300d06092a864886f70d01010b0500"),
    ),
    (
        SignatureAlgorithm::RsaPkcs1Sha384,
        &hex!("300d06092a864886f70d01010c0500"),
    ),
    (
        SignatureAlgorithm::RsaPkcs1Sha512,
        &hex!("300d06092a864886f70d01010d0500"),
    ),
    (
        SignatureAlgorithm::RsaPssSha256,
        &hex!(
            "304106092a864886f70d01010a3034a00f300d06096086480165030402010500a11c301a06092a864886"
            "f70d010108300d06096086480165030402010500a203020120"
        ),
    ),
    (
        SignatureAlgorithm::RsaPssSha384,
        &hex!(
            "304106092a864886f70d01010a3034a00f300d06096086480165030402020500a11c301a06092a864886"
            "f70d010108300d06096086480165030402020500a203020130"
        ),
    ),
    (
        SignatureAlgorithm::RsaPssSha512,
        &hex!(
            "304106092a864886f70d01010a3034a00f300d06096086480165030402030500a11c301a06092a864886"
            "f70d010108300d06096086480165030402030500a203020140"
        ),
    ),
];

fn map(der: &[u8]) -> Result<SignatureAlgorithm, AlgorithmError> {
    let ai = AlgorithmIdentifierRef::from_der(der).unwrap();
    SignatureAlgorithm::from_algorithm_identifier(&ai)
}

#[test]
fn real_identifiers_map_and_reencode() {
    for (alg, der) in REAL {
        assert_eq!(map(der), Ok(*alg), "{alg:?}");
        let owned = AlgorithmIdentifierOwned::from_der(der).unwrap();
        assert_eq!(
            SignatureAlgorithm::from_algorithm_identifier_owned(&owned),
            Ok(*alg)
        );
        let ours = alg.to_algorithm_identifier().unwrap().to_der().unwrap();
        assert_eq!(&ours, der, "{alg:?} re-encoding");
    }
}

#[test]
fn fixed_ecdsa_has_no_x509_identifier() {
    for alg in [
        SignatureAlgorithm::EcdsaP256Sha256Fixed,
        SignatureAlgorithm::EcdsaP384Sha384Fixed,
        SignatureAlgorithm::EcdsaP521Sha512Fixed,
    ] {
        assert_eq!(
            alg.to_algorithm_identifier(),
            Err(AlgorithmError::NoX509Identifier { algorithm: alg })
        );
    }
}

#[test]
fn parameter_rules() {
    // sha256WithRSAEncryption without its NULL.
    assert!(matches!(
        map(&hex!("300b06092a864886f70d01010b")),
        Err(AlgorithmError::ParametersNotNull { .. })
    ));
    // ecdsa-with-SHA256 with a NULL.
    assert!(matches!(
        map(&hex!("300c06082a8648ce3d0403020500")),
        Err(AlgorithmError::ParametersPresent { .. })
    ));
    // Ed25519 with a NULL.
    assert!(matches!(
        map(&hex!("300706032b65700500")),
        Err(AlgorithmError::ParametersPresent { .. })
    ));
    // sha1WithRSAEncryption: not accepted.
    assert!(matches!(
        map(&hex!("300d06092a864886f70d0101050500")),
        Err(AlgorithmError::UnknownSignatureAlgorithm { .. })
    ));
    // id-RSASSA-PSS without parameters.
    assert_eq!(
        map(&hex!("300b06092a864886f70d01010a")),
        Err(AlgorithmError::PssParametersMissing)
    );
}

/// Builds an `id-RSASSA-PSS` identifier from the parameter SEQUENCE contents.
fn pss(params_body: &[u8]) -> Vec<u8> {
    let mut params = vec![0x30, u8::try_from(params_body.len()).unwrap()];
    params.extend_from_slice(params_body);
    let mut body = hex!("06092a864886f70d01010a").to_vec();
    body.extend_from_slice(&params);
    let mut out = vec![0x30, u8::try_from(body.len()).unwrap()];
    out.extend_from_slice(&body);
    out
}

const H256: [u8; 17] = hex!("a00f300d06096086480165030402010500");
const M256: [u8; 30] = hex!("a11c301a06092a864886f70d010108300d06096086480165030402010500");
const M384: [u8; 30] = hex!("a11c301a06092a864886f70d010108300d06096086480165030402020500");
const S32: [u8; 5] = hex!("a203020120");

#[test]
fn pss_policy_rejections() {
    let cat = |parts: &[&[u8]]| pss(&parts.concat());
    // Sanity: the standard set assembled from parts is accepted.
    assert_eq!(
        map(&cat(&[&H256, &M256, &S32])),
        Ok(SignatureAlgorithm::RsaPssSha256)
    );
    // Hash absent: the SHA-1 DEFAULT.
    assert_eq!(
        map(&cat(&[&M256, &S32])),
        Err(AlgorithmError::PssHashNotAccepted { oid: ID_SHA1 })
    );
    // SHA-224 hash.
    assert!(matches!(
        map(&cat(&[
            &hex!("a00f300d06096086480165030402040500"),
            &M256,
            &S32
        ])),
        Err(AlgorithmError::PssHashNotAccepted { .. })
    ));
    // MGF1 with SHA-384 under SHA-256.
    assert_eq!(
        map(&cat(&[&H256, &M384, &S32])),
        Err(AlgorithmError::PssMgfHashMismatch {
            hash: ID_SHA256,
            mgf_hash: ID_SHA384
        })
    );
    // MGF absent: the MGF1-SHA-1 DEFAULT.
    assert_eq!(
        map(&cat(&[&H256, &S32])),
        Err(AlgorithmError::PssMgfHashMismatch {
            hash: ID_SHA256,
            mgf_hash: ID_SHA1
        })
    );
    // An MGF that is not MGF1 (OID id-mgf1 with last arc 9).
    assert!(matches!(
        map(&cat(&[
            &H256,
            &hex!("a11c301a06092a864886f70d010109300d06096086480165030402010500"),
            &S32
        ])),
        Err(AlgorithmError::PssMgfNotMgf1 { .. })
    ));
    // Salt 20 (absent) and salt 0.
    assert_eq!(
        map(&cat(&[&H256, &M256])),
        Err(AlgorithmError::PssSaltLength {
            expected: 32,
            actual: 20
        })
    );
    assert_eq!(
        map(&cat(&[&H256, &M256, &hex!("a203020100")])),
        Err(AlgorithmError::PssSaltLength {
            expected: 32,
            actual: 0
        })
    );
    // trailerField 1 encoded (a DER DEFAULT) and trailerField 2.
    assert_eq!(
        map(&cat(&[&H256, &M256, &S32, &hex!("a303020101")])),
        Err(AlgorithmError::PssDefaultEncoded {
            field: "trailerField"
        })
    );
    assert_eq!(
        map(&cat(&[&H256, &M256, &S32, &hex!("a303020102")])),
        Err(AlgorithmError::PssTrailerField { value: 2 })
    );
    // Implicit instead of explicit tagging of the salt.
    assert!(matches!(
        map(&cat(&[&H256, &M256, &hex!("820120")])),
        Err(AlgorithmError::PssParametersMalformed(_))
    ));
    // The hash inside the PSS parameters may omit its NULL (RFC 4055 §2.1).
    assert_eq!(
        map(&cat(&[
            &hex!("a00d300b0609608648016503040201"),
            &hex!("a11a301806092a864886f70d010108300b0609608648016503040201"),
            &S32
        ])),
        Ok(SignatureAlgorithm::RsaPssSha256)
    );
    assert_eq!(ID_MGF1.to_string(), "1.2.840.113549.1.1.8");
}

#[test]
fn cose_mapping() {
    let table = [
        (SignatureAlgorithm::EcdsaP256Sha256Fixed, -7),
        (SignatureAlgorithm::EcdsaP384Sha384Fixed, -35),
        (SignatureAlgorithm::EcdsaP521Sha512Fixed, -36),
        (SignatureAlgorithm::RsaPssSha256, -37),
        (SignatureAlgorithm::RsaPssSha384, -38),
        (SignatureAlgorithm::RsaPssSha512, -39),
        (SignatureAlgorithm::Ed25519, -8),
    ];
    for (alg, v) in table {
        assert_eq!(alg.cose_algorithm(), Some(v));
        assert_eq!(SignatureAlgorithm::from_cose_algorithm(v), Ok(alg));
    }
    assert_eq!(
        SignatureAlgorithm::EcdsaP256Sha256Asn1.cose_algorithm(),
        None
    );
    assert_eq!(SignatureAlgorithm::RsaPkcs1Sha256.cose_algorithm(), None);
    assert_eq!(
        SignatureAlgorithm::from_cose_algorithm(-257),
        Err(AlgorithmError::UnknownCoseAlgorithm { value: -257 })
    );
}

#[test]
fn digest_identifiers() {
    let cases: [(DigestAlgorithm, &[u8], usize); 4] = [
        (DigestAlgorithm::Sha1, &hex!("300706052b0e03021a"), 20),
        (
            DigestAlgorithm::Sha256,
            &hex!("300b0609608648016503040201"),
            32,
        ),
        (
            DigestAlgorithm::Sha384,
            &hex!("300b0609608648016503040202"),
            48,
        ),
        (
            DigestAlgorithm::Sha512,
            &hex!("300b0609608648016503040203"),
            64,
        ),
    ];
    for (alg, der, len) in cases {
        let ai = AlgorithmIdentifierRef::from_der(der).unwrap();
        assert_eq!(DigestAlgorithm::from_algorithm_identifier(&ai), Ok(alg));
        assert_eq!(alg.to_algorithm_identifier().to_der().unwrap(), der);
        assert_eq!(alg.output_len(), len);
        // With NULL parameters: accepted too.
        let with_null = alg.to_algorithm_identifier_with_null();
        assert_eq!(
            DigestAlgorithm::from_algorithm_identifier_owned(&with_null),
            Ok(alg)
        );
    }
    // MD5: unknown.
    let md5 = AlgorithmIdentifierRef::from_der(&hex!("300c06082a864886f70d02050500")).unwrap();
    assert!(matches!(
        DigestAlgorithm::from_algorithm_identifier(&md5),
        Err(AlgorithmError::UnknownDigestAlgorithm { .. })
    ));
    // SHA-256 with an INTEGER parameter.
    let bad = AlgorithmIdentifierRef::from_der(&hex!("300e06096086480165030402010201 00")).unwrap();
    assert!(matches!(
        DigestAlgorithm::from_algorithm_identifier(&bad),
        Err(AlgorithmError::ParametersNotNull { .. })
    ));
    assert_eq!(
        SignatureAlgorithm::EcdsaP384Sha384Fixed.digest(),
        DigestAlgorithm::Sha384
    );
}
