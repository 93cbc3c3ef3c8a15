//! A test PKI from `signet-ca-signer`'s C2PA conformance profiles: a root, a claim-signing CA
//! with claim-signing leaves (ES256, PS256, Ed25519), a delegated OCSP responder, and a TSA CA
//! with a time-stamping leaf.
//!
//! ```text
//! root (P-384) ─┬─ claim-signing CA (P-384) ─┬─ leaves (P-256 / RSA-2048 / Ed25519, AL1)
//!               │                            └─ OCSP responder (P-256)
//!               └─ TSA CA (P-384) ── TSA (P-256)
//! ```

use std::path::Path;
use std::time::{Duration, SystemTime};

use signet_asn1_types::algorithm::DigestAlgorithm;
use signet_asn1_types::crypto::{SignatureAlgorithm as Alg, Signer};
use signet_asn1_types::der::{DateTime, Decode, Encode};
use signet_asn1_types::spki::SubjectPublicKeyInfoOwned;
use signet_asn1_types::x509_cert::Certificate;
use signet_ca_signer::ocsp::{
    CertificateStatus, OcspProfile, OcspResponseRequest, Responder, SingleStatus, cert_id,
    prepare_ocsp_response, sign_ocsp_response,
};
use signet_ca_signer::profile::builtin::{self, AssuranceLevel};
use signet_ca_signer::{IssuanceRequest, Issuer, IssuerUrls, Profile, Serial, prepare, sign};
use signet_crypto::{KeyPairSigner, KeyType, SystemRng, generate_pkcs8};

const CPL: &str = "0b6d3f3e-5c1a-4f7e-8d2b-9a4c6e1f2a3b";

pub(crate) fn now() -> DateTime {
    let secs = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    DateTime::from_unix_duration(Duration::from_secs(secs)).unwrap()
}

fn hours_from_now(hours: u64) -> DateTime {
    DateTime::from_unix_duration(now().unix_duration() + Duration::from_secs(hours * 3600)).unwrap()
}

/// A key as PKCS#8 DER and as a signer with the algorithm it will sign with.
pub(crate) struct Key {
    pub pkcs8: Vec<u8>,
    pub(crate) signer: KeyPairSigner,
}

impl Key {
    pub(crate) fn new(kind: KeyType, alg: Alg) -> Self {
        let pkcs8 = generate_pkcs8(kind).unwrap().to_vec();
        let signer = KeyPairSigner::from_pkcs8(alg, &pkcs8).unwrap();
        Self { pkcs8, signer }
    }
}

/// A certificate and its key.
pub(crate) struct Issued {
    pub(crate) key: Key,
    pub(crate) cert: Certificate,
}

impl Issued {
    pub(crate) fn der(&self) -> Vec<u8> {
        self.cert.to_der().unwrap()
    }

    fn issuer(&self, urls: IssuerUrls) -> Issuer {
        Issuer::from_certificate(&self.cert, self.key.signer.algorithm(), urls).unwrap()
    }
}

fn issue(
    subject: &str,
    key: Key,
    profile: &Profile,
    parent: Option<(&Issued, IssuerUrls)>,
    cpl: bool,
) -> Issued {
    let spki = SubjectPublicKeyInfoOwned::from_der(key.signer.public_key_der()).unwrap();
    let mut request = IssuanceRequest::new(subject.parse().unwrap(), spki);
    request.cpl_record = cpl.then(|| CPL.to_owned());
    let serial = Serial::generate(&SystemRng::new()).unwrap();
    let cert = match parent {
        None => {
            let tbs = prepare(
                &request,
                profile,
                &Issuer::self_signed(key.signer.algorithm()),
                now(),
                &serial,
            )
            .unwrap_or_else(|e| panic!("{}: {e}", profile.name));
            sign(tbs, &key.signer).unwrap()
        }
        Some((p, urls)) => {
            let tbs = prepare(&request, profile, &p.issuer(urls), now(), &serial)
                .unwrap_or_else(|e| panic!("{}: {e}", profile.name));
            sign(tbs, &p.key.signer).unwrap()
        }
    };
    Issued { key, cert }
}

pub(crate) struct Pki {
    pub(crate) root: Issued,
    pub(crate) claim_ca: Issued,
    pub(crate) ocsp: Issued,
    pub(crate) tsa_ca: Issued,
    pub(crate) tsa: Issued,
    ocsp_url: String,
}

fn urls(ocsp: &str, name: &str) -> IssuerUrls {
    IssuerUrls {
        ocsp: vec![ocsp.to_owned()],
        ca_issuers: vec![format!("http://pki.signet.example/{name}.cer")],
        crl: vec![format!("http://pki.signet.example/{name}.crl")],
    }
}

impl Pki {
    /// The hierarchy; leaves' AIA names `ocsp_url` as their OCSP responder.
    pub(crate) fn new(ocsp_url: &str) -> Self {
        let ca_key = || Key::new(KeyType::EcdsaP384, Alg::EcdsaP384Sha384Asn1);
        let root = issue(
            "CN=Signet Test Root,O=Signet,C=US",
            ca_key(),
            &builtin::root_ca(),
            None,
            false,
        );
        let claim_ca = issue(
            "CN=Signet Claim Signing CA,O=Signet,C=US",
            ca_key(),
            &builtin::claim_signing_issuing_ca(),
            Some((&root, urls(ocsp_url, "root"))),
            false,
        );
        let ocsp = issue(
            "CN=Signet OCSP Responder,O=Signet,C=US",
            Key::new(KeyType::EcdsaP256, Alg::EcdsaP256Sha256Asn1),
            &builtin::ocsp_responder(),
            Some((&claim_ca, urls(ocsp_url, "claim-ca"))),
            false,
        );
        let tsa_ca = issue(
            "CN=Signet TSA CA,O=Signet,C=US",
            ca_key(),
            &builtin::tsa_issuing_ca(),
            Some((&root, urls(ocsp_url, "root"))),
            false,
        );
        let tsa = issue(
            "CN=Signet Test TSA,O=Signet,C=US",
            Key::new(KeyType::EcdsaP256, Alg::EcdsaP256Sha256Asn1),
            &builtin::tsa_leaf(),
            Some((&tsa_ca, urls(ocsp_url, "tsa-ca"))),
            false,
        );
        Self {
            root,
            claim_ca,
            ocsp,
            tsa_ca,
            tsa,
            ocsp_url: ocsp_url.to_owned(),
        }
    }

    /// A claim-signing leaf for a COSE algorithm.
    pub(crate) fn leaf(&self, alg: Alg) -> Issued {
        let kind = match alg {
            Alg::EcdsaP256Sha256Fixed => KeyType::EcdsaP256,
            Alg::EcdsaP384Sha384Fixed => KeyType::EcdsaP384,
            Alg::Ed25519 => KeyType::Ed25519,
            _ => KeyType::Rsa2048,
        };
        issue(
            "CN=Signet Test Signer,O=Example Inc,C=US",
            Key::new(kind, alg),
            &builtin::claim_signing_leaf(AssuranceLevel::Level1),
            Some((&self.claim_ca, urls(&self.ocsp_url, "claim-ca"))),
            true,
        )
    }

    /// The x5chain for a leaf: leaf, claim-signing CA (no root).
    pub(crate) fn chain(&self, leaf: &Issued) -> Vec<Vec<u8>> {
        vec![leaf.der(), self.claim_ca.der()]
    }

    /// A good OCSP response for `leaf`, from the delegated responder.
    pub(crate) fn ocsp_good(&self, leaf: &Issued) -> Vec<u8> {
        let issuer = self.claim_ca.issuer(urls(&self.ocsp_url, "claim-ca"));
        let responder =
            Responder::delegated(&issuer, &self.ocsp.cert, self.ocsp.key.signer.algorithm())
                .unwrap();
        let serial = leaf.cert.tbs_certificate().serial_number().clone();
        let request = OcspResponseRequest {
            produced_at: now(),
            responses: vec![SingleStatus {
                cert_id: cert_id(&issuer, &serial, DigestAlgorithm::Sha1).unwrap(),
                status: CertificateStatus::Good,
                this_update: now(),
                next_update: Some(hours_from_now(96)),
            }],
            nonce: None,
        };
        let linted = prepare_ocsp_response(&request, &responder, &OcspProfile::c2pa()).unwrap();
        sign_ocsp_response(linted, &self.ocsp.key.signer)
            .unwrap()
            .to_der()
            .unwrap()
    }

    /// Writes the trust anchor (the root) as PEM.
    pub(crate) fn write_root(&self, dir: &Path) -> std::path::PathBuf {
        let path = dir.join("root.pem");
        std::fs::write(&path, pem("CERTIFICATE", &self.root.der())).unwrap();
        path
    }
}

pub(crate) fn pem(label: &str, der: &[u8]) -> String {
    signet_asn1_types::der::pem::encode_string(
        label,
        signet_asn1_types::der::pem::LineEnding::LF,
        der,
    )
    .unwrap()
}
