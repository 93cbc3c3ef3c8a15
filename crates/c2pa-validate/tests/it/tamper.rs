//! Every tampering the C2PA threat model names, on JPEGs Signet signs with certificates from
//! the Signet CA's profiles: the untouched asset is Trusted, each tampered one gets the code
//! that names what happened.
//!
//! Store-level edits (an assertion or the signature box removed, an assertion added) rebuild
//! the manifest store with corrected JUMBF lengths and validate it against the signed asset
//! with [`Validator::validate_with_store`] (the asset's own store stays excluded from the data
//! hash, so only the edit is detected). Time-stamps come from `openssl ts` acting as a TSA with
//! the test PKI's TSA certificate; OCSP responses from `signet-ca-signer`.

use std::collections::BTreeSet;
use std::process::Command;

use signet_asn1_types::crypto::{SecureRandom, Signer};
use signet_asn1_types::der::Encode;
use signet_c2pa_model::container::{ContainerLimits, Format, locate};
use signet_c2pa_model::cose::{SignOptions, TimeStamper};
use signet_c2pa_model::generator::{ManifestDefinition, sign_asset};
use signet_c2pa_model::jumbf::{self, Limits, NewDescription, Span};
use signet_c2pa_model::store::uuid;
use signet_c2pa_model::{ManifestStore, SignatureError};
use signet_c2pa_validate::ocsp::{CLOCK_SKEW, OcspFetcher};
use signet_c2pa_validate::trust::{ID_KP_CLAIM_SIGNING, TrustConfig};
use signet_c2pa_validate::{Error, Report, StatusCode, ValidationState, Validator};
use signet_ca_signer::ocsp::{
    CertificateStatus, OcspProfile, OcspResponseRequest, Responder, SingleStatus, cert_id,
    prepare_ocsp_response, sign_ocsp_response,
};
use signet_crypto::{SystemRng, Verifier};

use crate::pki::{Pki, at, now_secs};

const DAY: u64 = 86_400;

fn source_jpeg() -> Vec<u8> {
    std::fs::read(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../tests/upstream/vectors/c2pa/rs/no_manifest.jpg"),
    )
    .unwrap()
}

fn other_jpeg() -> Vec<u8> {
    std::fs::read(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../tests/upstream/vectors/c2pa/pt/adobe-20220124-A.jpg"),
    )
    .unwrap()
}

/// The test TSA: `openssl ts -reply` with the PKI's TSA certificate.
pub(crate) struct OpensslTsa<'a> {
    pub(crate) pki: &'a Pki,
    pub(crate) dir: &'a std::path::Path,
}

impl TimeStamper for OpensslTsa<'_> {
    fn timestamp(&self, data: &[u8]) -> Result<Vec<u8>, SignatureError> {
        let p = |f: &str| self.dir.join(f);
        std::fs::write(p("data"), data).unwrap();
        std::fs::write(p("tsa.pem"), pem("CERTIFICATE", &self.pki.tsa.der())).unwrap();
        std::fs::write(p("tsa.key"), pem("PRIVATE KEY", &self.pki.tsa.pkcs8)).unwrap();
        std::fs::write(p("chain.pem"), pem("CERTIFICATE", &self.pki.tsa_ca.der())).unwrap();
        std::fs::write(
            p("ts.cnf"),
            "[tsa]\ndefault_tsa=tsa1\n[tsa1]\nserial=./serial\ndigests=sha256\n\
             default_policy=1.2.3.4.1\nsigner_digest=sha256\ness_cert_id_alg=sha256\n\
             accuracy=secs:1\nordering=no\ntsa_name=no\ness_cert_id_chain=no\n",
        )
        .unwrap();
        std::fs::write(p("serial"), "01\n").unwrap();
        let run = |args: &[&str]| {
            let out = Command::new("openssl")
                .args(args)
                .current_dir(self.dir)
                .output()
                .unwrap();
            assert!(
                out.status.success(),
                "openssl {args:?}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        };
        run(&[
            "ts",
            "-query",
            "-data",
            "data",
            "-sha256",
            "-cert",
            "-no_nonce",
            "-out",
            "req.tsq",
        ]);
        run(&[
            "ts",
            "-reply",
            "-config",
            "ts.cnf",
            "-queryfile",
            "req.tsq",
            "-signer",
            "tsa.pem",
            "-inkey",
            "tsa.key",
            "-chain",
            "chain.pem",
            "-token_out",
            "-out",
            "token.der",
        ]);
        Ok(std::fs::read(p("token.der")).unwrap())
    }
}

fn pem(label: &str, der: &[u8]) -> String {
    signet_asn1_types::der::pem::encode_string(
        label,
        signet_asn1_types::der::pem::LineEnding::LF,
        der,
    )
    .unwrap()
}

/// Signs the source JPEG with the PKI's leaf.
fn sign(pki: &Pki, tsa: Option<&dyn TimeStamper>, ocsp: &[Vec<u8>]) -> Vec<u8> {
    let chain = pki.x5chain();
    let opts = SignOptions {
        signer: &pki.leaf.key,
        chain: &chain,
        timestamper: tsa,
        ocsp_vals: ocsp,
    };
    let rng = SystemRng::new();
    let rng: &dyn SecureRandom = &rng;
    let source = source_jpeg();
    let mut out = std::io::Cursor::new(Vec::new());
    sign_asset(
        Format::Jpeg,
        &mut std::io::Cursor::new(source),
        &mut out,
        &ManifestDefinition::default(),
        &opts,
        rng,
    )
    .unwrap();
    out.into_inner()
}

fn trust(pki: &Pki, tsa_anchor: bool) -> TrustConfig {
    let mut t = TrustConfig::new();
    t.add_signer_anchors(ID_KP_CLAIM_SIGNING, &pki.root.der())
        .unwrap();
    if tsa_anchor {
        t.add_tsa_anchors(&pki.root.der()).unwrap();
    }
    t
}

fn validate_at(trust: &TrustConfig, secs: u64, asset: &[u8]) -> Result<Report, Error> {
    Validator::new(trust, &Verifier, at(secs))
        .validate_asset(Format::Jpeg, std::io::Cursor::new(asset))
}

fn failures(r: &Report) -> BTreeSet<String> {
    r.active
        .failure
        .iter()
        .chain(
            r.ingredient_deltas
                .iter()
                .flat_map(|d| &d.validation_deltas.failure),
        )
        .map(|s| s.code.as_str().to_owned())
        .collect()
}

fn has(r: &Report, code: StatusCode) -> bool {
    r.active.has(&code)
}

fn assert_invalid_with(r: &Report, code: StatusCode) {
    assert_eq!(r.state, ValidationState::Invalid, "{:#?}", r.active);
    assert!(has(r, code.clone()), "expected {code} in {:#?}", r.active);
}

/// The store of a signed JPEG, its bytes, and where it sits in the asset.
fn store_of(asset: &[u8]) -> (ManifestStore, core::ops::Range<usize>) {
    let found = locate(Format::Jpeg, asset, &ContainerLimits::default())
        .unwrap()
        .unwrap();
    let start = usize::try_from(found.ranges[0].start).unwrap();
    let end = usize::try_from(found.ranges.last().unwrap().end).unwrap();
    (
        ManifestStore::from_bytes(found.store, &Limits::default()).unwrap(),
        start..end,
    )
}

/// Flips one byte of `needle`'s first occurrence in `hay`.
fn flip_in(hay: &[u8], needle: &[u8]) -> Vec<u8> {
    let at = hay
        .windows(needle.len())
        .position(|w| w == needle)
        .expect("needle in asset");
    let mut out = hay.to_vec();
    out[at + needle.len() / 2] ^= 0x01;
    out
}

/// Replaces the box at `span` of `store` with `replacement`, fixing the lengths of the boxes
/// enclosing it (short-form headers).
pub(crate) fn splice(store: &[u8], span: Span, replacement: &[u8], ancestors: &[Span]) -> Vec<u8> {
    let mut out = store.to_vec();
    out.splice(span.start..span.end, replacement.iter().copied());
    let delta =
        i64::try_from(replacement.len()).unwrap() - i64::try_from(span.end - span.start).unwrap();
    for a in ancestors {
        let len = u32::from_be_bytes(out[a.start..a.start + 4].try_into().unwrap());
        let new = u32::try_from(i64::from(len) + delta).unwrap();
        out[a.start..a.start + 4].copy_from_slice(&new.to_be_bytes());
    }
    out
}

#[test]
fn signet_signed_jpeg_is_trusted_and_every_tampering_is_named() {
    let now = now_secs();
    let pki = Pki::new(now - DAY);
    let trusted = trust(&pki, true);
    let signed = sign(&pki, None, &[]);
    let report = validate_at(&trusted, now, &signed).unwrap();
    assert_eq!(
        report.state,
        ValidationState::Trusted,
        "{:#?}",
        report.active
    );
    assert!(failures(&report).is_empty());
    for code in [
        StatusCode::ClaimSignatureValidated,
        StatusCode::ClaimSignatureInsideValidity,
        StatusCode::SigningCredentialTrusted,
        StatusCode::AssertionDataHashMatch,
        StatusCode::AssertionHashedUriMatch,
        StatusCode::SigningCredentialOcspSkipped,
    ] {
        assert!(report.active.has(&code), "{code}: {:#?}", report.active);
    }
    // Without the root as anchor: Valid, untrusted.
    let untrusted = validate_at(&TrustConfig::new(), now, &signed).unwrap();
    assert_eq!(untrusted.state, ValidationState::Valid);
    assert_eq!(
        failures(&untrusted),
        BTreeSet::from(["signingCredential.untrusted".to_owned()])
    );

    let (store, range) = store_of(&signed);
    let manifest = store.active_manifest().unwrap();

    // Manifest stripped.
    let mut stripped = signed.clone();
    stripped.drain(range.clone());
    assert_eq!(
        validate_at(&trusted, now, &stripped),
        Err(Error::NoManifestStore)
    );

    // Asset content modified (a byte of the entropy-coded data near the end).
    let mut pixels = signed.clone();
    let n = pixels.len();
    pixels[n - 10] ^= 0x40;
    assert_invalid_with(
        &validate_at(&trusted, now, &pixels).unwrap(),
        StatusCode::AssertionDataHashMismatch,
    );

    // Manifest copied onto another asset (inserted after SOI, as the generator does).
    let mut other = other_jpeg();
    let segments = signed[range.clone()].to_vec();
    other.splice(2..2, segments);
    assert_invalid_with(
        &validate_at(&trusted, now, &other).unwrap(),
        StatusCode::AssertionDataHashMismatch,
    );

    // Assertion modified: a byte inside the actions assertion's CBOR.
    let actions = manifest
        .assertions()
        .find(|a| a.label().is_some_and(|l| l.starts_with("c2pa.actions")))
        .unwrap();
    let content = store.content(actions.plain_boxes().next().unwrap());
    let r = validate_at(&trusted, now, &flip_in(&signed, content)).unwrap();
    assert_invalid_with(&r, StatusCode::AssertionHashedUriMismatch);

    // Claim modified.
    let (claim, _) = manifest.claim_cbor().unwrap();
    let r = validate_at(&trusted, now, &flip_in(&signed, &claim[claim.len() - 24..])).unwrap();
    assert_invalid_with(&r, StatusCode::ClaimSignatureMismatch);

    // Signature modified (inside the signature value).
    let cose = manifest.signature_cbor().unwrap();
    let sig = signet_c2pa_model::ClaimSignature::parse(cose).unwrap();
    let r = validate_at(&trusted, now, &flip_in(&signed, &sig.sign1.signature)).unwrap();
    assert_invalid_with(&r, StatusCode::ClaimSignatureMismatch);

    // Store-level edits, validated against the signed asset.
    let validator = Validator::new(&trusted, &Verifier, at(now));
    let with_store = |s: Vec<u8>| {
        validator
            .validate_with_store(s, std::io::Cursor::new(signed.clone()))
            .unwrap()
    };
    let root = store.root().span;
    let mnode = manifest.node().span;
    let astore = manifest.assertion_store().unwrap().span;
    let bytes = store.as_bytes();

    // Assertion removed (the hard binding: data stripped from the manifest).
    let binding = manifest
        .assertions()
        .find(|a| a.label() == Some("c2pa.hash.data"))
        .unwrap();
    let r = with_store(splice(bytes, binding.span, &[], &[root, mnode, astore]));
    assert_invalid_with(&r, StatusCode::AssertionMissing);
    assert!(failures(&r).contains("claim.hardBindings.missing"));

    // The claim signature box stripped.
    let sigbox = manifest.signature_box().unwrap().span;
    let r = with_store(splice(bytes, sigbox, &[], &[root, mnode]));
    assert_invalid_with(&r, StatusCode::ClaimSignatureMissing);

    // Assertion added (not declared in the claim).
    let mut cbor_box = Vec::new();
    jumbf::write_box(&mut cbor_box, *b"cbor", &[0xa1, 0x61, 0x61, 0x01]);
    let mut added = Vec::new();
    jumbf::write_superbox(
        &mut added,
        &NewDescription {
            uuid: uuid::CBOR,
            label: Some("com.example.added"),
            private: None,
        },
        &[&cbor_box],
    )
    .unwrap();
    let end = Span {
        start: astore.end,
        header_len: 0,
        end: astore.end,
        form: astore.form,
    };
    let r = with_store(splice(bytes, end, &added, &[root, mnode, astore]));
    assert_invalid_with(&r, StatusCode::AssertionUndeclared);
}

#[test]
fn expired_signer_with_and_without_a_trusted_time_stamp() {
    let now = now_secs();
    let pki = Pki::new(now - DAY);
    let dir = tempfile::tempdir().unwrap();
    let tsa = OpensslTsa {
        pki: &pki,
        dir: dir.path(),
    };
    let stamped = sign(&pki, Some(&tsa), &[]);
    let unstamped = sign(&pki, None, &[]);
    // Two years later the AL1 leaf (366 days) has expired.
    let later = now + 730 * DAY;
    let with_tsa = trust(&pki, true);

    let r = validate_at(&with_tsa, now, &stamped).unwrap();
    assert_eq!(r.state, ValidationState::Trusted, "{:#?}", r.active);
    assert!(has(&r, StatusCode::TimeStampTrusted) && has(&r, StatusCode::TimeStampValidated));

    // Expired, but the trusted time-stamp proves the signature was made in time.
    let r = validate_at(&with_tsa, later, &stamped).unwrap();
    assert_eq!(r.state, ValidationState::Trusted, "{:#?}", r.active);
    assert!(has(&r, StatusCode::ClaimSignatureInsideValidity));
    assert!(
        r.manifests[0]
            .signer
            .as_ref()
            .unwrap()
            .time_stamp
            .as_ref()
            .unwrap()
            .trusted
    );

    // Expired, time-stamp not trusted (its TSA is not anchored): judged at the validation time.
    let r = validate_at(&trust(&pki, false), later, &stamped).unwrap();
    assert!(has(&r, StatusCode::TimeStampUntrusted), "{:#?}", r.active);
    assert_invalid_with(&r, StatusCode::ClaimSignatureOutsideValidity);

    // Expired, no time-stamp.
    let r = validate_at(&with_tsa, later, &unstamped).unwrap();
    assert_invalid_with(&r, StatusCode::ClaimSignatureOutsideValidity);

    // A time-stamp over other data does not match.
    let wrong = OpensslTsa {
        pki: &pki,
        dir: dir.path(),
    };
    let token = wrong.timestamp(b"something else").unwrap();
    struct Fixed(Vec<u8>);
    impl TimeStamper for Fixed {
        fn timestamp(&self, _: &[u8]) -> Result<Vec<u8>, SignatureError> {
            Ok(self.0.clone())
        }
    }
    let mismatched = sign(&pki, Some(&Fixed(token)), &[]);
    let r = validate_at(&with_tsa, now, &mismatched).unwrap();
    assert!(has(&r, StatusCode::TimeStampMismatch), "{:#?}", r.active);
    assert_eq!(r.state, ValidationState::Trusted);
}

/// A response of the PKI's delegated OCSP responder about the leaf, produced a minute before
/// `now` and valid for three days.
pub(crate) fn ocsp_response(pki: &Pki, now: u64, status: CertificateStatus) -> Vec<u8> {
    ocsp_response_from(pki, now - 60, status)
}

/// A response of the PKI's delegated OCSP responder about the leaf, produced (and with
/// `thisUpdate`) at `this_update`, valid for three days.
fn ocsp_response_from(pki: &Pki, this_update: u64, status: CertificateStatus) -> Vec<u8> {
    let issuer = pki.claim_ca.issuer();
    let responder =
        Responder::delegated(&issuer, &pki.ocsp.cert, pki.ocsp.key.algorithm()).unwrap();
    let serial = pki.leaf.cert.tbs_certificate().serial_number().clone();
    let request = OcspResponseRequest {
        produced_at: at(this_update),
        responses: vec![SingleStatus {
            cert_id: cert_id(
                &issuer,
                &serial,
                signet_asn1_types::algorithm::DigestAlgorithm::Sha1,
            )
            .unwrap(),
            status,
            this_update: at(this_update),
            next_update: Some(at(this_update + 3 * DAY)),
        }],
        nonce: None,
    };
    let linted = prepare_ocsp_response(&request, &responder, &OcspProfile::c2pa()).unwrap();
    sign_ocsp_response(linted, &pki.ocsp.key)
        .unwrap()
        .to_der()
        .unwrap()
}

#[test]
fn stapled_ocsp_revoked_good_and_unknown() {
    let now = now_secs();
    let pki = Pki::new(now - DAY);
    let response = |status: CertificateStatus| ocsp_response(&pki, now, status);
    let trusted = trust(&pki, true);

    let revoked = sign(
        &pki,
        None,
        &[response(CertificateStatus::Revoked {
            time: at(now - 120),
            reason: None,
        })],
    );
    let r = validate_at(&trusted, now, &revoked).unwrap();
    assert_invalid_with(&r, StatusCode::SigningCredentialOcspRevoked);

    let good = sign(&pki, None, &[response(CertificateStatus::Good)]);
    let r = validate_at(&trusted, now, &good).unwrap();
    assert_eq!(r.state, ValidationState::Trusted, "{:#?}", r.active);
    assert!(has(&r, StatusCode::SigningCredentialOcspNotRevoked));
    assert!(!has(&r, StatusCode::SigningCredentialOcspSkipped));

    let unknown = sign(&pki, None, &[response(CertificateStatus::Unknown)]);
    let r = validate_at(&trusted, now, &unknown).unwrap();
    assert_invalid_with(&r, StatusCode::SigningCredentialOcspUnknown);

    // A response whose responder certificate was not issued by the signer's CA (its signature,
    // the last bytes of the response, altered) does not count: skipped, still Trusted.
    let mut forged = response(CertificateStatus::Revoked {
        time: at(now - 120),
        reason: None,
    });
    let n = forged.len();
    forged[n - 3] ^= 0x01;
    let r = validate_at(&trusted, now, &sign(&pki, None, &[forged])).unwrap();
    assert_eq!(r.state, ValidationState::Trusted, "{:#?}", r.active);
    assert!(
        explanation(&r, StatusCode::SigningCredentialOcspSkipped)
            .contains("stapled OCSP response does not count (it is not signed by the issuing CA"),
        "{:#?}",
        r.active
    );
}

/// The explanation of the first status with `code`, or "" when there is none.
fn explanation(r: &Report, code: StatusCode) -> String {
    r.active
        .success
        .iter()
        .chain(&r.active.informational)
        .chain(&r.active.failure)
        .find(|s| s.code == code)
        .and_then(|s| s.explanation.clone())
        .unwrap_or_default()
}

/// An [`OcspFetcher`] that answers every query with one fixed reply and records the URLs.
struct FixedResponder {
    reply: Option<Vec<u8>>,
    asked: std::sync::Mutex<Vec<String>>,
}

impl OcspFetcher for FixedResponder {
    fn fetch(&self, url: &str, request: &[u8]) -> Option<Vec<u8>> {
        use signet_asn1_types::der::Decode;
        signet_asn1_types::ocsp::OcspRequest::from_der(request).unwrap();
        self.asked.lock().unwrap().push(url.to_owned());
        self.reply.clone()
    }
}

fn validate_fetching(
    trust: &TrustConfig,
    now: u64,
    asset: &[u8],
    reply: Option<Vec<u8>>,
) -> Report {
    let fetcher = FixedResponder {
        reply,
        asked: Default::default(),
    };
    let mut v = Validator::new(trust, &Verifier, at(now));
    v.ocsp_fetcher = Some(&fetcher);
    let r = v
        .validate_asset(Format::Jpeg, std::io::Cursor::new(asset))
        .unwrap();
    assert_eq!(
        *fetcher.asked.lock().unwrap(),
        ["http://ocsp.signet.example/"],
        "the responder of the leaf's AIA, once"
    );
    r
}

/// A responder asked now stamps its own clock: a `thisUpdate` a second (or up to
/// `CLOCK_SKEW`) ahead of the validator still counts, and its `revoked` is final without a
/// time-stamp. A response that does not count is `inaccessible`, saying why, never silence.
#[test]
fn fetched_ocsp_counts_within_clock_skew_and_says_why_not() {
    let now = now_secs();
    let pki = Pki::new(now - DAY);
    let trusted = trust(&pki, true);
    let asset = sign(&pki, None, &[]);
    let revoked_at = |t: u64| CertificateStatus::Revoked {
        time: at(t),
        reason: None,
    };

    let ahead = ocsp_response_from(&pki, now + 1, revoked_at(now + 1));
    let r = validate_fetching(&trusted, now, &asset, Some(ahead));
    assert_invalid_with(&r, StatusCode::SigningCredentialOcspRevoked);

    let good = ocsp_response_from(&pki, now + CLOCK_SKEW, CertificateStatus::Good);
    let r = validate_fetching(&trusted, now, &asset, Some(good));
    assert_eq!(r.state, ValidationState::Trusted, "{:#?}", r.active);
    assert!(has(&r, StatusCode::SigningCredentialOcspNotRevoked));

    let future = ocsp_response_from(&pki, now + CLOCK_SKEW + 1, revoked_at(now));
    let r = validate_fetching(&trusted, now, &asset, Some(future));
    assert_eq!(r.state, ValidationState::Trusted, "{:#?}", r.active);
    let why = explanation(&r, StatusCode::SigningCredentialOcspInaccessible);
    assert!(
        why.contains("http://ocsp.signet.example/ answered, but its thisUpdate"),
        "{why}"
    );

    let r = validate_fetching(&trusted, now, &asset, Some(b"<html>".to_vec()));
    let why = explanation(&r, StatusCode::SigningCredentialOcspInaccessible);
    assert!(why.contains("not a DER OCSPResponse"), "{why}");

    let r = validate_fetching(&trusted, now, &asset, None);
    let why = explanation(&r, StatusCode::SigningCredentialOcspInaccessible);
    assert_eq!(why, "the OCSP responder did not answer");
}
