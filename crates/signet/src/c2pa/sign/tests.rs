//! `signet c2pa sign` end to end, in process: a test PKI from `signet-ca-signer`'s C2PA
//! profiles whose leaves' AIA names a local OCSP responder (answering with ca-signer responses),
//! a local RFC 3161 TSA (`openssl ts -reply`), both on 127.0.0.1 behind a tiny HTTP server; the
//! outputs are validated by `signet-c2pa-validate` and by the reference SDK (c2pa-python).
#![allow(
    clippy::unwrap_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "tests: a failure is a test failure"
)]

use std::collections::BTreeSet;
use std::io::{BufRead, BufReader, Read, Write as _};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, SystemTime};

use signet_asn1_types::crypto::{SignatureAlgorithm as Alg, Signer as _};
use signet_asn1_types::der::{DateTime, Decode, Encode};
use signet_asn1_types::ocsp::OcspRequest;
use signet_asn1_types::spki::SubjectPublicKeyInfoOwned;
use signet_asn1_types::x509_cert::Certificate;
use signet_c2pa_model::assertion::Assertion;
use signet_c2pa_validate::{TrustConfig, ValidationState, Validator};
use signet_ca_signer::ocsp::{
    CertificateStatus, OcspProfile, OcspResponseRequest, Responder, SingleStatus,
    prepare_ocsp_response, sign_ocsp_response,
};
use signet_ca_signer::profile::builtin::{self, AssuranceLevel};
use signet_ca_signer::{IssuanceRequest, Issuer, IssuerUrls, Profile, Serial, prepare, sign};
use signet_crypto::{KeyPairSigner, KeyType, SystemRng, Verifier, generate_pkcs8};

use super::*;

fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

fn at(secs: u64) -> DateTime {
    DateTime::from_unix_duration(Duration::from_secs(secs)).unwrap()
}

fn pem(label: &str, der: &[u8]) -> String {
    signet_asn1_types::der::pem::encode_string(
        label,
        signet_asn1_types::der::pem::LineEnding::LF,
        der,
    )
    .unwrap()
}

struct Issued {
    pkcs8: Vec<u8>,
    key: KeyPairSigner,
    cert: Certificate,
}

fn issue(
    subject: &str,
    kind: KeyType,
    alg: Alg,
    profile: &Profile,
    parent: Option<(&Issued, &IssuerUrls)>,
) -> Issued {
    let pkcs8 = generate_pkcs8(kind).unwrap().to_vec();
    let key = KeyPairSigner::from_pkcs8(alg, &pkcs8).unwrap();
    let spki = SubjectPublicKeyInfoOwned::from_der(key.public_key_der()).unwrap();
    let mut request = IssuanceRequest::new(subject.parse().unwrap(), spki);
    if profile.cpl_record == signet_ca_signer::profile::Presence::Must {
        request.cpl_record = Some("0b6d3f3e-5c1a-4f7e-8d2b-9a4c6e1f2a3b".into());
    }
    let serial = Serial::generate(&SystemRng::new()).unwrap();
    let cert = match parent {
        None => sign(
            prepare(
                &request,
                profile,
                &Issuer::self_signed(alg),
                at(unix_now()),
                &serial,
            )
            .unwrap_or_else(|e| panic!("{}: {e}", profile.name)),
            &key,
        )
        .unwrap(),
        Some((p, urls)) => {
            let issuer =
                Issuer::from_certificate(&p.cert, p.key.algorithm(), urls.clone()).unwrap();
            let tbs = prepare(&request, profile, &issuer, at(unix_now()), &serial)
                .unwrap_or_else(|e| panic!("{}: {e}", profile.name));
            sign(tbs, &p.key).unwrap()
        }
    };
    Issued { pkcs8, key, cert }
}

/// Serves HTTP POSTs on 127.0.0.1: each body goes through `handle`.
fn serve(handle: impl Fn(&[u8]) -> Vec<u8> + Send + 'static) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(stream) = stream else { continue };
            let mut reader = BufReader::new(stream);
            let mut length = 0usize;
            loop {
                let mut line = String::new();
                reader.read_line(&mut line).unwrap();
                if line == "\r\n" || line.is_empty() {
                    break;
                }
                if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                    length = v.trim().parse().unwrap();
                }
            }
            let mut body = vec![0u8; length];
            reader.read_exact(&mut body).unwrap();
            let answer = handle(&body);
            let mut stream = reader.into_inner();
            // Chunked on purpose: the client must handle both framings.
            write!(
                stream,
                "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
            )
            .unwrap();
            for part in answer.chunks(700) {
                write!(stream, "{:x}\r\n", part.len()).unwrap();
                stream.write_all(part).unwrap();
                stream.write_all(b"\r\n").unwrap();
            }
            stream.write_all(b"0\r\n\r\n").unwrap();
        }
    });
    format!("http://{addr}/")
}

struct World {
    dir: tempfile::TempDir,
    root: Issued,
    claim_ca: Issued,
    tsa_url: String,
}

impl World {
    fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let listener_urls = IssuerUrls {
            // Nothing listens there: the intermediates' status cannot be stapled (a note).
            ocsp: vec!["http://127.0.0.1:9/ocsp".into()],
            ca_issuers: vec!["http://pki.signet.example/ca.cer".into()],
            crl: vec!["http://pki.signet.example/ca.crl".into()],
        };
        let root = issue(
            "CN=Sign Test Root,O=Signet,C=US",
            KeyType::EcdsaP384,
            Alg::EcdsaP384Sha384Asn1,
            &builtin::root_ca(),
            None,
        );
        let claim_ca = issue(
            "CN=Sign Test Claim CA,O=Signet,C=US",
            KeyType::EcdsaP384,
            Alg::EcdsaP384Sha384Asn1,
            &builtin::claim_signing_issuing_ca(),
            Some((&root, &listener_urls)),
        );
        let tsa_ca = issue(
            "CN=Sign Test TSA CA,O=Signet,C=US",
            KeyType::EcdsaP384,
            Alg::EcdsaP384Sha384Asn1,
            &builtin::tsa_issuing_ca(),
            Some((&root, &listener_urls)),
        );
        let tsa = issue(
            "CN=Sign Test TSA,O=Signet,C=US",
            KeyType::EcdsaP256,
            Alg::EcdsaP256Sha256Asn1,
            &builtin::tsa_leaf(),
            Some((&tsa_ca, &listener_urls)),
        );
        let d = dir.path();
        std::fs::write(
            d.join("tsa.pem"),
            pem("CERTIFICATE", &tsa.cert.to_der().unwrap()),
        )
        .unwrap();
        std::fs::write(d.join("tsa.key"), pem("PRIVATE KEY", &tsa.pkcs8)).unwrap();
        std::fs::write(
            d.join("tsa-ca.pem"),
            pem("CERTIFICATE", &tsa_ca.cert.to_der().unwrap()),
        )
        .unwrap();
        std::fs::write(d.join("tsaserial"), "01\n").unwrap();
        std::fs::write(
            d.join("ts.cnf"),
            format!(
                "[ tsa ]\ndefault_tsa = t\n[ t ]\nserial = {}\ncrypto_device = builtin\n\
                 signer_digest = sha256\ndefault_policy = 1.3.6.1.4.1.99999.1\n\
                 digests = sha256, sha384, sha512\ness_cert_id_alg = sha256\n",
                d.join("tsaserial").display()
            ),
        )
        .unwrap();
        let work = d.to_path_buf();
        let tsa_url = serve(move |body| {
            let q = work.join("q.tsq");
            let r = work.join("r.tsr");
            std::fs::write(&q, body).unwrap();
            let out = Command::new("openssl")
                .args(["ts", "-reply", "-queryfile"])
                .arg(&q)
                .arg("-signer")
                .arg(work.join("tsa.pem"))
                .arg("-inkey")
                .arg(work.join("tsa.key"))
                .arg("-chain")
                .arg(work.join("tsa-ca.pem"))
                .arg("-config")
                .arg(work.join("ts.cnf"))
                .arg("-out")
                .arg(&r)
                .output()
                .unwrap();
            assert!(
                out.status.success(),
                "{}",
                String::from_utf8_lossy(&out.stderr)
            );
            std::fs::read(&r).unwrap()
        });
        std::fs::write(
            d.join("root.pem"),
            pem("CERTIFICATE", &root.cert.to_der().unwrap()),
        )
        .unwrap();
        Self {
            dir,
            root,
            claim_ca,
            tsa_url,
        }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// A claim-signing leaf whose AIA names a local OCSP responder saying `good` (or
    /// `revoked`); writes `<name>.chain.pem` (leaf, CA, root) and `<name>.key`.
    fn signer(&self, name: &str, kind: KeyType, alg: Alg, revoked: bool) -> (PathBuf, PathBuf) {
        let responder = issue(
            "CN=Sign Test OCSP,O=Signet,C=US",
            KeyType::EcdsaP256,
            Alg::EcdsaP256Sha256Asn1,
            &builtin::ocsp_responder(),
            Some((&self.claim_ca, &IssuerUrls::default())),
        );
        let ca_cert = self.claim_ca.cert.clone();
        let ca_alg = self.claim_ca.key.algorithm();
        let ocsp_url = serve(move |body| {
            let request = OcspRequest::from_der_strict(body).unwrap();
            let issuer = Issuer::from_certificate(&ca_cert, ca_alg, IssuerUrls::default()).unwrap();
            let r =
                Responder::delegated(&issuer, &responder.cert, responder.key.algorithm()).unwrap();
            let now = unix_now();
            let status = if revoked {
                CertificateStatus::Revoked {
                    time: at(now - 60),
                    reason: None,
                }
            } else {
                CertificateStatus::Good
            };
            let response = OcspResponseRequest {
                produced_at: at(now),
                responses: vec![SingleStatus {
                    cert_id: request.tbs_request.request_list[0].req_cert.clone(),
                    status,
                    this_update: at(now - 60),
                    next_update: Some(at(now + 86_400)),
                }],
                nonce: None,
            };
            let linted = prepare_ocsp_response(&response, &r, &OcspProfile::c2pa()).unwrap();
            sign_ocsp_response(linted, &responder.key)
                .unwrap()
                .to_der()
                .unwrap()
        });
        let urls = IssuerUrls {
            ocsp: vec![ocsp_url],
            ca_issuers: vec!["http://pki.signet.example/claim-ca.cer".into()],
            crl: vec!["http://pki.signet.example/claim-ca.crl".into()],
        };
        let leaf = issue(
            "CN=Sign Test Signer,O=Example Inc,C=US",
            kind,
            alg,
            &builtin::claim_signing_leaf(AssuranceLevel::Level1),
            Some((&self.claim_ca, &urls)),
        );
        let chain = self.path(&format!("{name}.chain.pem"));
        std::fs::write(
            &chain,
            [
                pem("CERTIFICATE", &leaf.cert.to_der().unwrap()),
                pem("CERTIFICATE", &self.claim_ca.cert.to_der().unwrap()),
                pem("CERTIFICATE", &self.root.cert.to_der().unwrap()),
            ]
            .concat(),
        )
        .unwrap();
        let key = self.path(&format!("{name}.key"));
        std::fs::write(&key, pem("PRIVATE KEY", &leaf.pkcs8)).unwrap();
        (chain, key)
    }

    fn args(&self, input: &Path, output: &Path, chain: &Path, key: &Path) -> SignArgs {
        SignArgs {
            input: input.to_path_buf(),
            output: output.to_path_buf(),
            cert: chain.to_path_buf(),
            key: key.to_path_buf(),
            manifest: None,
            parent: None,
            tsa: None,
            ocsp_staple: false,
            require_good_ocsp: false,
            sidecar: false,
            redact: Vec::new(),
            trust_anchors: vec![self.path("root.pem")],
            alg: None,
            mime: None,
            fragments: Vec::new(),
            fragments_out: None,
        }
    }

    fn trust(&self) -> TrustConfig {
        let mut t = TrustConfig::new();
        let root = self.root.cert.to_der().unwrap();
        t.add_signer_anchors_for_accepted_ekus(&root).unwrap();
        t.add_tsa_anchors(&root).unwrap();
        t
    }

    /// Validates with signet-c2pa-validate; returns the state and the active manifest's codes.
    fn validate(
        &self,
        asset: &Path,
        sidecar: Option<&Path>,
    ) -> (ValidationState, BTreeSet<String>) {
        let trust = self.trust();
        let v = Validator::new(&trust, &Verifier, at(unix_now()));
        let (format, _) = format_of(asset, None).unwrap();
        let file = BufReader::new(std::fs::File::open(asset).unwrap());
        let report = match sidecar {
            Some(s) => v.validate_with_store(std::fs::read(s).unwrap(), file),
            None => v.validate_asset(format, file),
        }
        .unwrap();
        let codes = report
            .active
            .iter()
            .map(|s| s.code.as_str().to_owned())
            .collect();
        (report.state, codes)
    }
}

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The reference SDK's report (c2pa-python via the c2pa-model peer script).
fn sdk_report(asset: &Path, mime: &str, anchors: &Path) -> serde_json::Value {
    sdk_report_with(asset, mime, anchors, None)
}

/// [`sdk_report`]; with `fragment`, `asset` is an init segment read with that fragment.
fn sdk_report_with(
    asset: &Path,
    mime: &str,
    anchors: &Path,
    fragment: Option<&Path>,
) -> serde_json::Value {
    let status = Command::new("bash")
        .arg(repo().join("scripts/python-peers.sh"))
        .status()
        .unwrap();
    assert!(status.success());
    let python = std::env::var_os("SIGNET_PY_PEERS")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo().join("target/py-peers"))
        .join("bin/python");
    let out = Command::new(python)
        .arg(repo().join("crates/c2pa-model/tests/peers/read.py"))
        .arg(asset)
        .arg(mime)
        .arg(anchors)
        .arg(repo().join("tests/upstream/vectors/c2pa/trust/eku.cfg"))
        .args(fragment)
        .output()
        .unwrap();
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)))
}

fn jpeg() -> PathBuf {
    repo().join("tests/upstream/vectors/c2pa/rs/no_manifest.jpg")
}

#[test]
fn signs_with_time_stamp_ocsp_and_parent_and_validators_agree() {
    let w = World::new();
    let (chain, key) = w.signer(
        "es256",
        KeyType::EcdsaP256,
        Alg::EcdsaP256Sha256Fixed,
        false,
    );
    let input_hash = HashAlg::Sha256.digest(&std::fs::read(jpeg()).unwrap());

    // The parent: signed, time-stamped, OCSP stapled.
    let parent = w.path("parent.jpg");
    let mut a = w.args(&jpeg(), &parent, &chain, &key);
    a.tsa = Some(w.tsa_url.clone());
    a.ocsp_staple = true;
    let summary = run(&a).unwrap();
    assert!(summary.contains("time-stamped"), "{summary}");
    assert!(summary.contains("1 OCSP response(s) stapled"), "{summary}");
    let (state, codes) = w.validate(&parent, None);
    assert_eq!(state, ValidationState::Trusted, "{codes:?}");
    for c in [
        "timeStamp.trusted",
        "signingCredential.ocsp.notRevoked",
        "assertion.dataHash.match",
    ] {
        assert!(codes.contains(c), "{c}: {codes:?}");
    }
    let sdk = sdk_report(&parent, "image/jpeg", &w.path("root.pem"));
    assert_eq!(sdk["validation_state"], "Trusted", "{sdk}");
    assert_eq!(sdk["failure"], serde_json::json!([]), "{sdk}");
    for c in ["timeStamp.trusted", "signingCredential.ocsp.notRevoked"] {
        assert!(
            sdk["success"].as_array().unwrap().iter().any(|x| x == c),
            "{c}: {sdk}"
        );
    }

    // The child: an RSA-PSS signer, the parent as ingredient, a manifest definition.
    let (chain2, key2) = w.signer("ps256", KeyType::Rsa2048, Alg::RsaPssSha256, false);
    let manifest = w.path("manifest.json");
    std::fs::write(
        &manifest,
        serde_json::json!({
            "title": "edited.jpg",
            "claim_generator_info": [{"name": "Test Editor", "version": "1.0"}],
            "actions": [{"action": "c2pa.color_adjustments", "parameters": {"name": "warmth"}}],
            "assertions": [
                {"label": "c2pa.metadata", "data": {
                    "@context": {"dc": "http://purl.org/dc/elements/1.1/"},
                    "dc:language": ["en"]}},
                {"label": "com.example.note", "data": {"text": "hello", "n": 3}}
            ]
        })
        .to_string(),
    )
    .unwrap();
    let child = w.path("child.jpg");
    let mut a = w.args(&jpeg(), &child, &chain2, &key2);
    a.parent = Some(parent.clone());
    a.manifest = Some(manifest);
    a.tsa = Some(w.tsa_url.clone());
    let summary = run(&a).unwrap();
    assert!(summary.contains("1 ingredient(s)"), "{summary}");
    let (state, codes) = w.validate(&child, None);
    assert_eq!(state, ValidationState::Trusted, "{codes:?}");
    let sdk = sdk_report(&child, "image/jpeg", &w.path("root.pem"));
    assert_eq!(sdk["validation_state"], "Trusted", "{sdk}");
    assert_eq!(sdk["failure"], serde_json::json!([]), "{sdk}");
    assert_eq!(
        sdk["ingredient_deltas"]["failure"],
        serde_json::json!([]),
        "{sdk}"
    );

    // What the child's manifest says.
    let bytes = std::fs::read(&child).unwrap();
    let found = container::locate(Format::Jpeg, bytes.as_slice(), &ContainerLimits::default())
        .unwrap()
        .unwrap();
    let store = ManifestStore::from_bytes(found.store, &Limits::default()).unwrap();
    assert_eq!(store.manifests().count(), 2);
    let m = store.active_manifest().unwrap();
    let claim = m.claim().unwrap();
    assert_eq!(claim.title.as_deref(), Some("edited.jpg"));
    let labels: Vec<_> = m.assertion_refs().map(|a| a.label().to_owned()).collect();
    for l in [
        "c2pa.ingredient.v3",
        "c2pa.actions.v2",
        "c2pa.metadata",
        "com.example.note",
    ] {
        assert!(labels.iter().any(|x| x == l), "{l}: {labels:?}");
    }
    let Assertion::Actions(actions) = m.assertion("c2pa.actions.v2").unwrap().decode().unwrap()
    else {
        panic!()
    };
    let names: Vec<_> = actions.actions.iter().map(|a| a.action.as_str()).collect();
    assert_eq!(names, ["c2pa.opened", "c2pa.color_adjustments"]);

    // The input was only read.
    assert_eq!(
        HashAlg::Sha256.digest(&std::fs::read(jpeg()).unwrap()),
        input_hash
    );
}

#[test]
fn mp4_png_ed25519_and_sidecar() {
    let w = World::new();
    let (chain, key) = w.signer("ed", KeyType::Ed25519, Alg::Ed25519, false);
    // An MP4 from the c2pa-model peer script and a PNG from Pillow (c2pa-model's test assets).
    let mp4 = w.path("in.mp4");
    let python = repo().join("target/py-peers/bin/python");
    sdk_report(&jpeg(), "image/jpeg", &w.path("root.pem")); // installs the peers
    let out = Command::new(&python)
        .arg(repo().join("crates/c2pa-model/tests/peers/make_mp4.py"))
        .arg(&mp4)
        .arg("200000")
        .output()
        .unwrap();
    assert!(out.status.success());
    let png = w.path("in.png");
    let out = Command::new(&python)
        .arg("-c")
        .arg(format!(
            "from PIL import Image; Image.new('RGB', (20, 10), (1, 2, 3)).save({:?})",
            png.to_str().unwrap()
        ))
        .output()
        .unwrap();
    assert!(out.status.success());
    for (input, mime, binding) in [
        (&mp4, "video/mp4", "assertion.bmffHash.match"),
        (&png, "image/png", "assertion.dataHash.match"),
    ] {
        let ext = input.extension().unwrap().to_str().unwrap();
        let output = w.path(&format!("signed.{ext}"));
        let mut a = w.args(input, &output, &chain, &key);
        a.tsa = Some(w.tsa_url.clone());
        run(&a).unwrap();
        let (state, codes) = w.validate(&output, None);
        assert_eq!(state, ValidationState::Trusted, "{codes:?}");
        assert!(codes.contains(binding), "{codes:?}");
        let sdk = sdk_report(&output, mime, &w.path("root.pem"));
        assert_eq!(sdk["validation_state"], "Trusted", "{sdk}");
        assert_eq!(sdk["failure"], serde_json::json!([]), "{sdk}");

        // Sidecar: the asset is not copied; the store binds the asset as it is.
        let sidecar = w.path(&format!("signed-{ext}.c2pa"));
        let mut a = w.args(input, &sidecar, &chain, &key);
        a.sidecar = true;
        run(&a).unwrap();
        let (state, codes) = w.validate(input, Some(&sidecar));
        assert_eq!(state, ValidationState::Trusted, "{codes:?}");
    }
}

#[test]
fn dash_segments_are_signed_with_merkle_boxes_and_trusted() {
    let w = World::new();
    let (chain, key) = w.signer("dash", KeyType::EcdsaP256, Alg::EcdsaP256Sha256Fixed, false);
    sdk_report(&jpeg(), "image/jpeg", &w.path("root.pem")); // installs the peers
    let init = w.path("init.mp4");
    let out = Command::new(repo().join("target/py-peers/bin/python"))
        .arg(repo().join("crates/c2pa-model/tests/peers/make_mp4.py"))
        .arg(&init)
        .args(["40000", "--fragments", "4", "--split"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let fragments: Vec<PathBuf> = (0..4)
        .map(|i| w.path(&format!("init.mp4.{i}.m4s")))
        .collect();
    let before: Vec<Vec<u8>> = fragments
        .iter()
        .map(|f| std::fs::read(f).unwrap())
        .collect();
    let out_dir = w.path("signed");
    std::fs::create_dir(&out_dir).unwrap();
    let output = out_dir.join("init.mp4");
    let mut a = w.args(&init, &output, &chain, &key);
    a.fragments = fragments.clone();
    a.fragments_out = Some(out_dir.clone());
    a.tsa = Some(w.tsa_url.clone());
    let summary = run(&a).unwrap();
    assert!(summary.contains("with 4 fragment(s)"), "{summary}");
    for (f, original) in fragments.iter().zip(&before) {
        assert_eq!(&std::fs::read(f).unwrap(), original, "inputs are only read");
        let signed = out_dir.join(f.file_name().unwrap());
        let sdk = sdk_report_with(&output, "video/mp4", &w.path("root.pem"), Some(&signed));
        assert_eq!(sdk["validation_state"], "Trusted", "{sdk}");
        assert_eq!(sdk["failure"], serde_json::json!([]), "{sdk}");
        let success = sdk["success"].to_string();
        assert!(success.contains("assertion.bmffHash.match"), "{sdk}");
        assert!(success.contains("timeStamp.trusted"), "{sdk}");
    }

    // Refusals: no output directory, a sidecar, a fragment without a moof (nothing left behind).
    let mut a = w.args(&init, &w.path("x.mp4"), &chain, &key);
    a.fragments = fragments.clone();
    let e = run(&a).unwrap_err().to_string();
    assert!(e.contains("--fragments-out"), "{e}");
    a.fragments_out = Some(out_dir.clone());
    a.sidecar = true;
    let e = run(&a).unwrap_err().to_string();
    assert!(e.contains("sidecar"), "{e}");
    let empty = w.path("empty.m4s");
    std::fs::write(
        &empty,
        [
            0, 0, 0, 16, b's', b't', b'y', b'p', b'm', b's', b'd', b'h', 0, 0, 0, 0,
        ],
    )
    .unwrap();
    let bad_dir = w.path("bad");
    std::fs::create_dir(&bad_dir).unwrap();
    let mut a = w.args(&init, &bad_dir.join("init.mp4"), &chain, &key);
    a.fragments = vec![fragments[0].clone(), empty];
    a.fragments_out = Some(bad_dir.clone());
    let e = format!("{:#}", run(&a).unwrap_err());
    assert!(e.contains("has no moof"), "{e}");
    assert_eq!(std::fs::read_dir(&bad_dir).unwrap().count(), 0);
}

#[test]
fn a_signed_input_is_its_own_parent_and_its_store_is_replaced() {
    let w = World::new();
    let (chain, key) = w.signer(
        "again",
        KeyType::EcdsaP256,
        Alg::EcdsaP256Sha256Fixed,
        false,
    );
    let first = w.path("first.jpg");
    run(&w.args(&jpeg(), &first, &chain, &key)).unwrap();
    let before = std::fs::read(&first).unwrap();
    let second = w.path("second.jpg");
    let summary = run(&w.args(&first, &second, &chain, &key)).unwrap();
    assert!(
        summary.contains("the input's manifest store replaced"),
        "{summary}"
    );
    assert_eq!(std::fs::read(&first).unwrap(), before, "IN is only read");
    let (state, codes) = w.validate(&second, None);
    assert_eq!(state, ValidationState::Trusted, "{codes:?}");
    let sdk = sdk_report(&second, "image/jpeg", &w.path("root.pem"));
    assert_eq!(sdk["validation_state"], "Trusted", "{sdk}");
    assert_eq!(sdk["failure"], serde_json::json!([]), "{sdk}");
    assert!(
        sdk["ingredient_deltas"]["success"]
            .to_string()
            .contains("ingredient.manifest.validated"),
        "{sdk}"
    );
    let f = std::fs::File::open(&second).unwrap();
    let found = container::locate_seekable(Format::Jpeg, f, &ContainerLimits::default())
        .unwrap()
        .unwrap();
    let store = ManifestStore::from_bytes(found.store, &Limits::default()).unwrap();
    assert_eq!(store.manifests().count(), 2);

    // Another --parent, or a sidecar, would drop or shadow the input's provenance.
    let mut a = w.args(&first, &w.path("x.jpg"), &chain, &key);
    a.parent = Some(jpeg());
    let e = run(&a).unwrap_err().to_string();
    assert!(e.contains("omit --parent"), "{e}");
    let mut a = w.args(&first, &w.path("x.c2pa"), &chain, &key);
    a.sidecar = true;
    let e = run(&a).unwrap_err().to_string();
    assert!(e.contains("sidecar"), "{e}");
}

#[test]
fn refusals_name_the_problem_and_leave_nothing_behind() {
    let w = World::new();
    let (chain, key) = w.signer("ok", KeyType::EcdsaP256, Alg::EcdsaP256Sha256Fixed, false);
    let out = w.path("out.jpg");
    let err = |a: &SignArgs| format!("{:#}", run(a).unwrap_err());

    // A CA certificate as signer: the §14.5.1 rule is named.
    let ca_chain = w.path("ca.pem");
    std::fs::write(
        &ca_chain,
        pem("CERTIFICATE", &w.claim_ca.cert.to_der().unwrap()),
    )
    .unwrap();
    let e = err(&w.args(&jpeg(), &out, &ca_chain, &key));
    assert!(e.contains("§14.5.1") && e.contains("CA certificate"), "{e}");

    // A key that is not the certificate's.
    let (_, other_key) = w.signer(
        "other",
        KeyType::EcdsaP256,
        Alg::EcdsaP256Sha256Fixed,
        false,
    );
    let e = err(&w.args(&jpeg(), &out, &chain, &other_key));
    assert!(e.contains("does not belong"), "{e}");

    // OUT = IN.
    let copy = w.path("copy.jpg");
    std::fs::copy(jpeg(), &copy).unwrap();
    let e = err(&w.args(&copy, &copy, &chain, &key));
    assert!(e.contains("OUT is IN"), "{e}");

    // A TSA that is not there, and an https TSA: nothing written, no temporary file left.
    let mut a = w.args(&jpeg(), &out, &chain, &key);
    a.tsa = Some("http://127.0.0.1:9/".into());
    let e = err(&a);
    assert!(e.contains("time-stamp"), "{e}");
    a.tsa = Some("https://tsa.example/".into());
    let e = err(&a);
    assert!(e.contains("https is not supported"), "{e}");
    assert!(!out.exists());
    let leftovers: Vec<_> = std::fs::read_dir(w.dir.path())
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().ends_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty());

    // A revoked signer: with --require-good-ocsp, OCSP stapling refuses to sign and writes
    // nothing; without it, the asset is signed with the revoked answer stapled.
    let (rchain, rkey) = w.signer(
        "revoked",
        KeyType::EcdsaP256,
        Alg::EcdsaP256Sha256Fixed,
        true,
    );
    let mut a = w.args(&jpeg(), &out, &rchain, &rkey);
    a.ocsp_staple = true;
    a.require_good_ocsp = true;
    let e = err(&a);
    assert!(
        e.contains("is revoked") && e.contains("--require-good-ocsp"),
        "{e}"
    );
    assert!(!out.exists());
    let stapled_revoked = w.path("revoked.jpg");
    let mut a = w.args(&jpeg(), &stapled_revoked, &rchain, &rkey);
    a.ocsp_staple = true;
    let summary = run(&a).unwrap();
    assert!(summary.contains("OCSP response(s) stapled"), "{summary}");

    // A signed input with another parent, an unknown format, a non-PKCS#8 key, --alg on an EC
    // key.
    let signed = w.path("signed.jpg");
    run(&w.args(&jpeg(), &signed, &chain, &key)).unwrap();
    let mut a = w.args(&signed, &out, &chain, &key);
    a.parent = Some(jpeg());
    let e = err(&a);
    assert!(e.contains("already carries a manifest store"), "{e}");
    let e = err(&w.args(&w.path("x.bin"), &out, &chain, &key));
    assert!(e.contains("unknown file type"), "{e}");
    let sec1 = w.path("sec1.key");
    std::fs::write(
        &sec1,
        "-----BEGIN EC PRIVATE KEY-----\nAAAA\n-----END EC PRIVATE KEY-----\n",
    )
    .unwrap();
    let e = err(&w.args(&jpeg(), &out, &chain, &sec1));
    assert!(e.contains("PKCS#8"), "{e}");
    let mut a = w.args(&jpeg(), &out, &chain, &key);
    a.alg = Some("ps384".into());
    let e = err(&a);
    assert!(e.contains("RSA keys only"), "{e}");
    // A manifest definition that records c2pa.opened itself.
    let bad = w.path("bad.json");
    std::fs::write(&bad, r#"{"actions": [{"action": "c2pa.opened"}]}"#).unwrap();
    let mut a = w.args(&jpeg(), &out, &chain, &key);
    a.manifest = Some(bad);
    let e = err(&a);
    assert!(e.contains("c2pa.opened"), "{e}");
    // c2pa.metadata with a field C2PA 2.2 Appendix B does not allow (dc:creator is personal
    // information): refused before signing, the field named.
    let pii = w.path("pii.json");
    std::fs::write(
        &pii,
        r#"{"assertions": [{"label": "c2pa.metadata", "data": {
            "@context": {"dc": "http://purl.org/dc/elements/1.1/"},
            "dc:creator": ["Ann Example"], "dc:language": ["en"]}}]}"#,
    )
    .unwrap();
    let mut a = w.args(&jpeg(), &out, &chain, &key);
    a.manifest = Some(pii);
    let e = err(&a);
    assert!(
        e.contains("dc:creator") && !e.contains("dc:language") && e.contains("Appendix B"),
        "{e}"
    );
    assert!(!out.exists());
}

#[test]
fn http_responses_are_framed_and_bounded() {
    let ok = |raw: &[u8]| http::read_response(raw);
    assert_eq!(
        ok(b"HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabcdef").unwrap(),
        b"abc"
    );
    assert_eq!(
        ok(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nab\r\n1;x=y\r\nc\r\n0\r\n\r\n")
            .unwrap(),
        b"abc"
    );
    assert_eq!(
        ok(b"HTTP/1.0 200 OK\r\n\r\nto the end").unwrap(),
        b"to the end"
    );
    let e = format!("{:#}", ok(b"HTTP/1.1 503 Busy\r\n\r\n").unwrap_err());
    assert!(e.contains("503"), "{e}");
    let huge = format!(
        "HTTP/1.1 200 OK\r\nContent-Length: {}\r\n\r\n",
        http::MAX_BODY + 1
    );
    assert!(ok(huge.as_bytes()).is_err());
    assert!(ok(b"SSH-2.0-x\r\n\r\n").is_err());
    assert!(ok(b"HTTP/1.1 200 OK\r\nno colon\r\n\r\n").is_err());
}

#[test]
fn report_codes_become_ingredient_validation_results() {
    let w = World::new();
    let (chain, key) = w.signer("r", KeyType::EcdsaP256, Alg::EcdsaP256Sha256Fixed, false);
    let signed = w.path("s.jpg");
    run(&w.args(&jpeg(), &signed, &chain, &key)).unwrap();
    let trust = w.trust();
    let report = Validator::new(&trust, &Verifier, at(unix_now()))
        .validate_asset(
            Format::Jpeg,
            BufReader::new(std::fs::File::open(&signed).unwrap()),
        )
        .unwrap();
    let results = validation_results(&report);
    let am = results.active_manifest.unwrap();
    assert_eq!(am.success.len(), report.active.success.len());
    assert!(am.success.iter().any(|s| {
        s.code == "claimSignature.validated"
            && s.url
                .as_deref()
                .is_some_and(|u| u.ends_with("c2pa.signature"))
    }));
    assert!(am.failure.is_empty());
}

#[test]
fn redacts_a_parent_assertion_by_label() {
    let w = World::new();
    let (chain, key) = w.signer("red", KeyType::EcdsaP256, Alg::EcdsaP256Sha256Fixed, false);
    let manifest = w.path("secret.json");
    std::fs::write(
        &manifest,
        r#"{"assertions": [{"label": "com.example.location", "data": {"at": "a secret place"}}]}"#,
    )
    .unwrap();
    let parent = w.path("parent.jpg");
    let mut a = w.args(&jpeg(), &parent, &chain, &key);
    a.manifest = Some(manifest);
    run(&a).unwrap();
    let child = w.path("child.jpg");
    let mut a = w.args(&jpeg(), &child, &chain, &key);
    a.parent = Some(parent.clone());
    a.redact = vec!["com.example.location".into()];
    run(&a).unwrap();
    let bytes = std::fs::read(&child).unwrap();
    assert!(!bytes.windows(14).any(|x| x == b"a secret place"));
    let (state, codes) = w.validate(&child, None);
    assert_eq!(state, ValidationState::Trusted, "{codes:?}");
    let sdk = sdk_report(&child, "image/jpeg", &w.path("root.pem"));
    assert_eq!(sdk["validation_state"], "Trusted", "{sdk}");
    // Actions and hard bindings cannot be redacted; --redact needs --parent.
    let mut a = w.args(&jpeg(), &w.path("x.jpg"), &chain, &key);
    a.parent = Some(parent);
    a.redact = vec!["c2pa.hash.data".into()];
    let e = format!("{:#}", run(&a).unwrap_err());
    assert!(e.contains("must not be redacted"), "{e}");
    a.parent = None;
    let e = format!("{:#}", run(&a).unwrap_err());
    assert!(e.contains("give --parent"), "{e}");
}
