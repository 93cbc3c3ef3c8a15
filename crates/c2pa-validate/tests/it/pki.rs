//! A test PKI issued with `signet-ca-signer`'s C2PA profiles (the same ones the Signet CA uses):
//!
//! ```text
//! root (P-384) ── intermediate (P-384) ── claim-signing CA (P-384) ─┬─ leaf AL1 (P-256)
//!              │                                                    └─ OCSP responder (P-256)
//!              └─ TSA CA (P-384) ── TSA leaf (P-256)
//! ```

use core::time::Duration;
use std::time::SystemTime;

use signet_asn1_types::crypto::{SignatureAlgorithm as Alg, Signer};
use signet_asn1_types::der::{DateTime, Decode, Encode};
use signet_asn1_types::spki::SubjectPublicKeyInfoOwned;
use signet_asn1_types::x509_cert::Certificate;
use signet_ca_signer::profile::builtin::{self, AssuranceLevel};
use signet_ca_signer::{IssuanceRequest, Issuer, IssuerUrls, Profile, Serial, prepare, sign};
use signet_crypto::{KeyPairSigner, KeyType, SystemRng, generate_pkcs8};

pub(crate) const CPL: &str = "0b6d3f3e-5c1a-4f7e-8d2b-9a4c6e1f2a3b";

pub(crate) fn now_secs() -> u64 {
    SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

pub(crate) fn at(secs: u64) -> DateTime {
    DateTime::from_unix_duration(Duration::from_secs(secs)).unwrap()
}

pub(crate) fn key(key_type: KeyType, algorithm: Alg) -> (KeyPairSigner, Vec<u8>) {
    let pkcs8 = generate_pkcs8(key_type).unwrap().to_vec();
    (KeyPairSigner::from_pkcs8(algorithm, &pkcs8).unwrap(), pkcs8)
}

/// A certificate and its key.
pub(crate) struct Issued {
    pub(crate) key: KeyPairSigner,
    /// The key's PKCS#8 DER (for the openssl TSA).
    pub(crate) pkcs8: Vec<u8>,
    pub(crate) cert: Certificate,
}

impl Issued {
    pub(crate) fn issuer(&self) -> Issuer {
        Issuer::from_certificate(
            &self.cert,
            self.key.algorithm(),
            IssuerUrls {
                ocsp: vec!["http://ocsp.signet.example/".into()],
                ca_issuers: vec![],
                crl: vec![],
            },
        )
        .unwrap()
    }

    pub(crate) fn der(&self) -> Vec<u8> {
        self.cert.to_der().unwrap()
    }
}

/// Issues a certificate for `key` under `profile` at `not_before`; `issuer` `None` self-signs.
pub(crate) fn issue_at(
    subject: &str,
    (key, pkcs8): (KeyPairSigner, Vec<u8>),
    profile: &Profile,
    issuer: Option<&Issued>,
    not_before: u64,
) -> Issued {
    let spki = SubjectPublicKeyInfoOwned::from_der(key.public_key_der()).unwrap();
    let mut request = IssuanceRequest::new(subject.parse().unwrap(), spki);
    if profile.cpl_record == signet_ca_signer::profile::Presence::Must {
        request.cpl_record = Some(CPL.to_owned());
    }
    let serial = Serial::generate(&SystemRng::new()).unwrap();
    let now = at(not_before);
    let cert = match issuer {
        None => {
            let tbs = prepare(
                &request,
                profile,
                &Issuer::self_signed(key.algorithm()),
                now,
                &serial,
            )
            .unwrap_or_else(|e| panic!("{}: {e}", profile.name));
            sign(tbs, &key).unwrap()
        }
        Some(parent) => {
            let tbs = prepare(&request, profile, &parent.issuer(), now, &serial)
                .unwrap_or_else(|e| panic!("{}: {e}", profile.name));
            sign(tbs, &parent.key).unwrap()
        }
    };
    Issued { key, pkcs8, cert }
}

/// The hierarchy of the module docs, valid from `not_before` (the leaves for their profile's
/// default period: AL1 366 days).
pub(crate) struct Pki {
    pub(crate) root: Issued,
    pub(crate) intermediate: Issued,
    pub(crate) claim_ca: Issued,
    pub(crate) leaf: Issued,
    pub(crate) ocsp: Issued,
    pub(crate) tsa_ca: Issued,
    pub(crate) tsa: Issued,
}

impl Pki {
    pub(crate) fn new(not_before: u64) -> Self {
        let p384 = || key(KeyType::EcdsaP384, Alg::EcdsaP384Sha384Asn1);
        let root = issue_at(
            "CN=Signet Test Root,O=Signet,C=US",
            p384(),
            &builtin::root_ca(),
            None,
            not_before,
        );
        let intermediate = issue_at(
            "CN=Signet Test Intermediate,O=Signet,C=US",
            p384(),
            &builtin::intermediate_ca(),
            Some(&root),
            not_before,
        );
        let claim_ca = issue_at(
            "CN=Signet Claim Signing CA,O=Signet,C=US",
            p384(),
            &builtin::claim_signing_issuing_ca(),
            Some(&intermediate),
            not_before,
        );
        let leaf = issue_at(
            "CN=Example Camera,O=Example Inc,C=US",
            key(KeyType::EcdsaP256, Alg::EcdsaP256Sha256Fixed),
            &builtin::claim_signing_leaf(AssuranceLevel::Level1),
            Some(&claim_ca),
            not_before,
        );
        let ocsp = issue_at(
            "CN=Signet OCSP Responder,O=Signet,C=US",
            key(KeyType::EcdsaP256, Alg::EcdsaP256Sha256Asn1),
            &builtin::ocsp_responder(),
            Some(&claim_ca),
            not_before,
        );
        let tsa_ca = issue_at(
            "CN=Signet TSA CA,O=Signet,C=US",
            p384(),
            &builtin::tsa_issuing_ca(),
            Some(&root),
            not_before,
        );
        let tsa = issue_at(
            "CN=Signet TSA,O=Signet,C=US",
            key(KeyType::EcdsaP256, Alg::EcdsaP256Sha256Asn1),
            &builtin::tsa_leaf(),
            Some(&tsa_ca),
            not_before,
        );
        Self {
            root,
            intermediate,
            claim_ca,
            leaf,
            ocsp,
            tsa_ca,
            tsa,
        }
    }

    /// The leaf's `x5chain`: leaf, claim-signing CA, intermediate.
    pub(crate) fn x5chain(&self) -> Vec<Vec<u8>> {
        vec![
            self.leaf.der(),
            self.claim_ca.der(),
            self.intermediate.der(),
        ]
    }

    /// A leaf under the claim-signing CA for a customised profile.
    pub(crate) fn leaf_with(&self, profile: &Profile, not_before: u64) -> Issued {
        issue_at(
            "CN=Example Camera,O=Example Inc,C=US",
            key(KeyType::EcdsaP256, Alg::EcdsaP256Sha256Fixed),
            profile,
            Some(&self.claim_ca),
            not_before,
        )
    }
}
