//! Signet signs JPEG, PNG and ISO BMFF assets with ES256, PS256 and Ed25519 leaves of a test
//! PKI built from the C2PA certificate profiles; the reference SDK, with the test root as its
//! only trust anchor, must report every one `Trusted` with the expected success codes and no
//! failure, notice tampering, accept time-stamps from a local RFC 3161 TSA, stapled OCSP
//! responses, and parent ingredients carrying their manifest store.

use std::path::{Path, PathBuf};

use signet_asn1_types::crypto::{SecureRandom, SignatureAlgorithm as Alg};
use signet_c2pa_model::assertion::{Assertion, Relationship};
use signet_c2pa_model::claim::ClaimVersion;
use signet_c2pa_model::container::{ContainerLimits, Format, locate};
use signet_c2pa_model::cose::{SignOptions, TimeStamper};
use signet_c2pa_model::generator::bmff::BmffOptions;
use signet_c2pa_model::generator::{Generator, IngredientInput, ManifestDefinition};
use signet_c2pa_model::jumbf::Limits;
use signet_c2pa_model::{ClaimSignature, ManifestStore};
use signet_crypto::{SystemRng, Verifier};

use crate::peer::{asset, codes, make_mp4, mime, report, validation_results};
use crate::pki::{Issued, Pki};
use crate::tsa::{Tsa, TsaClient};

/// How one asset is signed.
struct Options<'a> {
    alg: Alg,
    tsa: Option<&'a Tsa>,
    ocsp: bool,
    bmff: BmffOptions,
    def: ManifestDefinition,
}

impl Options<'_> {
    fn new(alg: Alg) -> Self {
        Self {
            alg,
            tsa: None,
            ocsp: false,
            bmff: BmffOptions::default(),
            def: ManifestDefinition::default(),
        }
    }
}

fn format_of(ext: &str) -> Format {
    Format::from_extension(ext).unwrap()
}

/// Signs `input` into `out` and checks, with Signet's own parser, that the claim signature
/// verifies over the stored claim bytes.
fn sign_file(pki: &Pki, input: &Path, out: &Path, opts: &Options<'_>) -> Issued {
    let leaf = pki.leaf(opts.alg);
    let chain = pki.chain(&leaf);
    let ocsp = if opts.ocsp {
        vec![pki.ocsp_good(&leaf)]
    } else {
        Vec::new()
    };
    let client = opts.tsa.map(|tsa| TsaClient { tsa });
    let timestamper: Option<&dyn TimeStamper> = match &client {
        Some(c) => Some(c),
        None => None,
    };
    let sign = SignOptions {
        signer: &leaf.key.signer,
        chain: &chain,
        timestamper,
        ocsp_vals: &ocsp,
    };
    let system_rng = SystemRng::new();
    let rng: &dyn SecureRandom = &system_rng;
    let mut generator = Generator::new(&opts.def, &sign, rng);
    generator.bmff = opts.bmff;
    let ext = out.extension().unwrap().to_str().unwrap();
    let mut output = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .create_new(true)
        .open(out)
        .unwrap();
    generator
        .embed(
            format_of(ext),
            &mut std::fs::File::open(input).unwrap(),
            &mut output,
        )
        .unwrap();
    drop(output);
    let store = store_of(out);
    let m = store.active_manifest().unwrap();
    let (claim, _) = m.claim_cbor().unwrap();
    let sig = ClaimSignature::parse(m.signature_cbor().unwrap()).unwrap();
    use signet_asn1_types::crypto::Signer as _;
    sig.verify(claim, leaf.key.signer.public_key_der(), &Verifier)
        .unwrap();
    assert_eq!(sig.ocsp_vals.len(), usize::from(opts.ocsp));
    leaf
}

fn store_of(path: &Path) -> ManifestStore {
    let ext = path.extension().unwrap().to_str().unwrap();
    let bytes = std::fs::read(path).unwrap();
    let found = locate(
        format_of(ext),
        bytes.as_slice(),
        &ContainerLimits::default(),
    )
    .unwrap()
    .unwrap();
    ManifestStore::from_bytes(found.store, &Limits::default()).unwrap()
}

fn binding(ext: &str) -> &'static str {
    if format_of(ext) == Format::Bmff {
        "bmffHash"
    } else {
        "dataHash"
    }
}

/// The SDK must report `Trusted`, no failure, and at least these success codes.
fn assert_trusted(json: &serde_json::Value, ext: &str, extra: &[&str], what: &str) {
    assert_eq!(json["validation_state"], "Trusted", "{what}: {json}");
    assert_eq!(
        codes(json, "failure"),
        Vec::<String>::new(),
        "{what}: {json}"
    );
    let success = codes(json, "success");
    let binding = format!("assertion.{}.match", binding(ext));
    for code in [
        "claimSignature.validated",
        "claimSignature.insideValidity",
        "assertion.hashedURI.match",
        "signingCredential.trusted",
        binding.as_str(),
    ]
    .iter()
    .chain(extra)
    {
        assert!(
            success.iter().any(|c| c == code),
            "{what}: missing {code} in {json}"
        );
    }
    // Only the mandatory exclusions: nothing for the SDK to flag as additional.
    assert!(
        !codes(json, "informational")
            .iter()
            .any(|c| c.contains("additionalExclusionsPresent")),
        "{what}: {json}"
    );
}

/// Flips one bit of the media data: the SDK must see the hard binding mismatch.
fn assert_tamper_detected(signed: &Path, anchors: &Path, ext: &str) {
    let mut bytes = std::fs::read(signed).unwrap();
    let at = match ext {
        // A byte inside IDAT (CRC left stale, as an attacker editing pixels would).
        "png" => bytes.windows(4).position(|w| w == b"IDAT").unwrap() + 6,
        _ => bytes.len() - 10,
    };
    bytes[at] ^= 0x01;
    let tampered = signed.with_file_name(format!("tampered.{ext}"));
    std::fs::write(&tampered, &bytes).unwrap();
    let json = report(&tampered, mime(ext), anchors);
    assert_eq!(
        json["validation_state"], "Invalid",
        "{ext} tampered: {json}"
    );
    let mismatch = format!("assertion.{}.mismatch", binding(ext));
    assert!(codes(&json, "failure").contains(&mismatch), "{json}");
}

fn name(alg: Alg) -> &'static str {
    match alg {
        Alg::EcdsaP256Sha256Fixed => "es256",
        Alg::RsaPssSha256 => "ps256",
        Alg::Ed25519 => "ed25519",
        _ => "other",
    }
}

#[test]
fn every_algorithm_and_format_with_a_time_stamp_is_trusted() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let pki = Pki::new("http://127.0.0.1:9/ocsp");
    let anchors = pki.write_root(d);
    let tsa = Tsa::start(&pki, d);
    for ext in ["jpg", "png", "mp4"] {
        let input = asset(d, ext);
        for alg in [Alg::EcdsaP256Sha256Fixed, Alg::RsaPssSha256, Alg::Ed25519] {
            let out = d.join(format!("{}-tst.{ext}", name(alg)));
            let mut opts = Options::new(alg);
            opts.tsa = Some(&tsa);
            sign_file(&pki, &input, &out, &opts);
            let sig = store_of(&out);
            let m = sig.active_manifest().unwrap();
            let cose = ClaimSignature::parse(m.signature_cbor().unwrap()).unwrap();
            assert_eq!((cose.sig_tst2.len(), cose.sig_tst.len()), (1, 0));
            let json = report(&out, mime(ext), &anchors);
            assert_trusted(
                &json,
                ext,
                &["timeStamp.validated", "timeStamp.trusted"],
                &format!("{} {ext}", name(alg)),
            );
        }
    }
}

#[test]
fn every_format_without_time_stamp_is_trusted_and_tampering_is_seen() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let pki = Pki::new("http://127.0.0.1:9/ocsp");
    let anchors = pki.write_root(d);
    for ext in ["jpg", "png", "mp4"] {
        let input = asset(d, ext);
        for alg in [Alg::EcdsaP256Sha256Fixed, Alg::RsaPssSha256, Alg::Ed25519] {
            let out = d.join(format!("{}.{ext}", name(alg)));
            sign_file(&pki, &input, &out, &Options::new(alg));
            let json = report(&out, mime(ext), &anchors);
            assert_trusted(&json, ext, &[], &format!("{} {ext}", name(alg)));
            assert!(
                !codes(&json, "success")
                    .iter()
                    .any(|c| c.starts_with("timeStamp")),
                "{json}"
            );
        }
        assert_tamper_detected(&d.join(format!("es256.{ext}")), &anchors, ext);
    }
}

#[test]
fn stapled_ocsp_is_read_by_the_reference_sdk() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let pki = Pki::new("http://127.0.0.1:9/ocsp");
    let anchors = pki.write_root(d);
    let input = asset(d, "jpg");
    let out = d.join("ocsp.jpg");
    let mut opts = Options::new(Alg::EcdsaP256Sha256Fixed);
    opts.ocsp = true;
    sign_file(&pki, &input, &out, &opts);
    let json = report(&out, "image/jpeg", &anchors);
    assert_trusted(&json, "jpg", &["signingCredential.ocsp.notRevoked"], "ocsp");
}

#[test]
fn v1_claims_carry_sig_tst_and_are_trusted() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let pki = Pki::new("http://127.0.0.1:9/ocsp");
    let anchors = pki.write_root(d);
    let tsa = Tsa::start(&pki, d);
    let input = asset(d, "jpg");
    let out = d.join("v1.jpg");
    let mut opts = Options::new(Alg::EcdsaP256Sha256Fixed);
    opts.tsa = Some(&tsa);
    opts.def.claim_version = ClaimVersion::V1;
    opts.def.format = Some("image/jpeg".into());
    sign_file(&pki, &input, &out, &opts);
    let store = store_of(&out);
    let m = store.active_manifest().unwrap();
    let cose = ClaimSignature::parse(m.signature_cbor().unwrap()).unwrap();
    assert_eq!((cose.sig_tst.len(), cose.sig_tst2.len()), (1, 0));
    let json = report(&out, "image/jpeg", &anchors);
    assert_trusted(&json, "jpg", &["timeStamp.trusted"], "v1");
}

#[test]
fn parent_ingredients_carry_their_store_and_validation_results() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let pki = Pki::new("http://127.0.0.1:9/ocsp");
    let anchors = pki.write_root(d);
    let tsa = Tsa::start(&pki, d);
    for ext in ["jpg", "png", "mp4"] {
        // The parent: a signed, time-stamped asset.
        let input = asset(d, ext);
        let parent = d.join(format!("parent.{ext}"));
        let mut opts = Options::new(Alg::EcdsaP256Sha256Fixed);
        opts.tsa = Some(&tsa);
        sign_file(&pki, &input, &parent, &opts);
        let parent_json = report(&parent, mime(ext), &anchors);
        assert_trusted(&parent_json, ext, &[], "parent");
        let parent_store = store_of(&parent);

        // The edit: a new rendition (unsigned), signed with the parent as ingredient.
        let edited = d.join(format!("edited-source.{ext}"));
        let mut bytes = std::fs::read(&input).unwrap();
        let last = bytes.len() - 20;
        bytes[last] ^= 0x40;
        std::fs::write(&edited, bytes).unwrap();
        let mut ingredient = IngredientInput::new(Relationship::ParentOf);
        ingredient.title = Some(format!("parent.{ext}"));
        ingredient.format = Some(mime(ext).to_owned());
        ingredient.store = Some(parent_store.clone());
        ingredient.validation_results = Some(validation_results(&parent_json));
        let mut opts = Options::new(Alg::Ed25519);
        opts.tsa = Some(&tsa);
        opts.def.ingredients = vec![ingredient];
        opts.def.actions = vec![signet_c2pa_model::assertion::Action::new("c2pa.edited")];
        let out = d.join(format!("child.{ext}"));
        sign_file(&pki, &edited, &out, &opts);

        let store = store_of(&out);
        assert_eq!(store.manifests().count(), 2);
        let active = store.active_manifest().unwrap();
        let ingredient = active
            .assertion_refs()
            .find_map(|a| match a.decode().unwrap() {
                Assertion::Ingredient(i) => Some(i),
                _ => None,
            })
            .unwrap();
        assert!(ingredient.validation_results.is_some());
        let json = report(&out, mime(ext), &anchors);
        assert_trusted(&json, ext, &["timeStamp.trusted"], &format!("child {ext}"));
        // The parent's manifest checks out as an ingredient, with nothing to add.
        assert_eq!(
            json["ingredient_deltas"],
            serde_json::json!({
                "success": ["ingredient.manifest.validated"],
                "informational": [],
                "failure": [],
            }),
            "child {ext}: {json}"
        );
    }
}

/// Merkle trees over `mdat` blocks as C2PA 2.2 §15.12.2.1 and §A.5.4 describe them (leaves of
/// `fixedBlockSize` bytes of the payload, `localId` = the mdat's index, leaf row in the
/// manifest). The reference SDK 0.91.3 instead builds leaves per track chunk from the sample
/// tables and expects auxiliary `merkle` boxes, so it reports a chunk mismatch: a recorded
/// divergence, which is why Merkle trees are off by default. Everything else must still check.
#[test]
fn merkle_mp4_follows_the_spec_where_the_reference_sdk_diverges() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let pki = Pki::new("http://127.0.0.1:9/ocsp");
    let anchors = pki.write_root(d);
    let input = asset(d, "mp4");
    let out = d.join("merkle.mp4");
    let mut opts = Options::new(Alg::EcdsaP256Sha256Fixed);
    opts.bmff = BmffOptions {
        merkle_threshold: Some(100_000),
        merkle_block: 65_536,
        ..BmffOptions::default()
    };
    sign_file(&pki, &input, &out, &opts);
    let json = report(&out, "video/mp4", &anchors);
    assert_eq!(
        codes(&json, "failure"),
        ["assertion.bmffHash.mismatch"],
        "{json}"
    );
    assert!(
        json["failure_explanations"][0]
            .as_str()
            .unwrap()
            .contains("chunk hash did not match"),
        "{json}"
    );
    let success = codes(&json, "success");
    for code in ["claimSignature.validated", "signingCredential.trusted"] {
        assert!(success.iter().any(|c| c == code), "{json}");
    }
}

#[test]
fn heif_moov_last_co64_and_split_mdat_are_trusted() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let pki = Pki::new("http://127.0.0.1:9/ocsp");
    let anchors = pki.write_root(d);
    for (name, args, ext) in [
        ("heif", &["--heif"][..], "heic"),
        ("moovlast", &["--moov-last", "--chunk", "30000"][..], "mp4"),
        ("co64", &["--co64", "--chunk", "50000"][..], "mp4"),
        ("mdats", &["--mdats", "3", "--chunk", "20000"][..], "mp4"),
    ] {
        let input: PathBuf = d.join(format!("{name}.in.{ext}"));
        make_mp4(&input, 120_000, args);
        let out = d.join(format!("{name}.{ext}"));
        sign_file(&pki, &input, &out, &Options::new(Alg::EcdsaP256Sha256Fixed));
        let json = report(&out, mime(ext), &anchors);
        assert_trusted(&json, ext, &[], name);
        assert_tamper_detected(&out, &anchors, ext);
    }
}

#[test]
fn component_ingredients_are_placed_and_a_tampered_parent_is_reported() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let pki = Pki::new("http://127.0.0.1:9/ocsp");
    let anchors = pki.write_root(d);
    let input = asset(d, "jpg");
    let part = d.join("part.png");
    sign_file(
        &pki,
        &asset(d, "png"),
        &part,
        &Options::new(Alg::RsaPssSha256),
    );
    let part_json = report(&part, "image/png", &anchors);
    let mut component = IngredientInput::new(Relationship::ComponentOf);
    component.title = Some("part.png".into());
    component.format = Some("image/png".into());
    component.store = Some(store_of(&part));
    component.validation_results = Some(validation_results(&part_json));
    let mut unsigned = IngredientInput::new(Relationship::ComponentOf);
    unsigned.title = Some("sketch.jpg".into());
    unsigned.format = Some("image/jpeg".into());
    let mut opts = Options::new(Alg::EcdsaP256Sha256Fixed);
    opts.def.ingredients = vec![component, unsigned];
    let out = d.join("composite.jpg");
    sign_file(&pki, &input, &out, &opts);
    let json = report(&out, "image/jpeg", &anchors);
    assert_trusted(&json, "jpg", &[], "composite");
    assert_eq!(
        codes(&json["ingredient_deltas"], "failure"),
        Vec::<String>::new(),
        "{json}"
    );

    // Flip a bit of the copied component manifest's claim (inside its instanceID): the SDK
    // reports it in the ingredient's delta while the active manifest stays intact.
    let mut bytes = std::fs::read(&out).unwrap();
    let store = store_of(&out);
    let copied = store.manifests().next().unwrap();
    let (claim, _) = copied.claim_cbor().unwrap();
    let claim_at = bytes.windows(claim.len()).position(|w| w == claim).unwrap();
    let iid = claim.windows(8).position(|w| w == b"xmp:iid:").unwrap();
    bytes[claim_at + iid + 10] ^= 0x01;
    let tampered = d.join("composite-tampered.jpg");
    std::fs::write(&tampered, bytes).unwrap();
    let json = report(&tampered, "image/jpeg", &anchors);
    let delta_failures = codes(&json["ingredient_deltas"], "failure");
    assert!(
        delta_failures
            .iter()
            .any(|c| c == "claimSignature.mismatch"),
        "{json}"
    );
}

#[test]
fn gif_webp_wav_and_svg_are_trusted_and_tampering_is_seen() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let pki = Pki::new("http://127.0.0.1:9/ocsp");
    let anchors = pki.write_root(d);
    for ext in ["gif", "webp", "wav", "svg"] {
        let input = asset(d, ext);
        let out = d.join(format!("signed.{ext}"));
        sign_file(&pki, &input, &out, &Options::new(Alg::EcdsaP256Sha256Fixed));
        let json = report(&out, mime(ext), &anchors);
        assert_trusted(&json, ext, &[], ext);
        // A bit of the media (well inside the file, before any appended chunk) flipped.
        let mut bytes = std::fs::read(&out).unwrap();
        let at = match ext {
            "svg" => bytes.windows(4).position(|w| w == b"fill").unwrap() + 7,
            // Inside the sample data / the VP8 payload, not a chunk header.
            "wav" => 50,
            "webp" => 30,
            _ => bytes.len() - 3,
        };
        bytes[at] ^= 0x01;
        let tampered = d.join(format!("tampered.{ext}"));
        std::fs::write(&tampered, &bytes).unwrap();
        let json = report(&tampered, mime(ext), &anchors);
        assert!(
            codes(&json, "failure").contains(&"assertion.dataHash.mismatch".to_owned()),
            "{ext} tampered: {json}"
        );
    }
}

/// The reference SDK as a writer: what it signs, in every format Signet reads, Signet locates,
/// parses (re-serialising the store byte-identically) and verifies.
#[test]
fn assets_the_reference_sdk_signs_are_read_and_verified() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let pki = Pki::new("http://127.0.0.1:9/ocsp");
    let leaf = pki.leaf(Alg::EcdsaP256Sha256Fixed);
    let chain_pem = d.join("chain.pem");
    std::fs::write(
        &chain_pem,
        [
            crate::pki::pem("CERTIFICATE", &leaf.der()),
            crate::pki::pem("CERTIFICATE", &pki.claim_ca.der()),
        ]
        .concat(),
    )
    .unwrap();
    let key_pem = d.join("key.pem");
    std::fs::write(&key_pem, crate::pki::pem("PRIVATE KEY", &leaf.key.pkcs8)).unwrap();
    for ext in ["jpg", "png", "mp4", "gif", "webp", "wav", "svg", "pdf"] {
        let input = asset(d, ext);
        let out = d.join(format!("sdk.{ext}"));
        crate::peer::sdk_sign(&input, &out, mime(ext), &chain_pem, &key_pem, "es256");
        let bytes = std::fs::read(&out).unwrap();
        let found = signet_c2pa_model::container::locate_seekable(
            format_of(ext),
            std::io::Cursor::new(&bytes),
            &ContainerLimits::default(),
        )
        .unwrap_or_else(|e| panic!("{ext}: {e}"))
        .unwrap_or_else(|| panic!("{ext}: no store found"));
        let store = ManifestStore::from_bytes(found.store.clone(), &Limits::default()).unwrap();
        assert_eq!(store.reserialize().unwrap(), found.store, "{ext}");
        let m = store.active_manifest().unwrap();
        let (claim, _) = m.claim_cbor().unwrap();
        let sig = ClaimSignature::parse(m.signature_cbor().unwrap()).unwrap();
        use signet_asn1_types::crypto::Signer as _;
        sig.verify(claim, leaf.key.signer.public_key_der(), &Verifier)
            .unwrap_or_else(|e| panic!("{ext}: {e}"));
        // Signing it again is refused: it already carries a store.
        let again = d.join(format!("again.{ext}"));
        if ext != "pdf" {
            let rng = SystemRng::new();
            let chain = pki.chain(&leaf);
            let def = ManifestDefinition::default();
            let opts = SignOptions {
                signer: &leaf.key.signer,
                chain: &chain,
                timestamper: None,
                ocsp_vals: &[],
            };
            let mut o = std::fs::File::create(&again).unwrap();
            let err = Generator::new(&def, &opts, &rng)
                .embed(format_of(ext), &mut std::io::Cursor::new(&bytes), &mut o)
                .unwrap_err();
            assert_eq!(
                err,
                signet_c2pa_model::GeneratorError::AlreadySigned,
                "{ext}"
            );
        }
    }
}

/// A parent's assertion redacted (C2PA 2.2 §6.8): removed from the copied manifest, listed in
/// the child's `redacted_assertions`, with a `c2pa.redacted` action.
#[test]
fn a_parent_assertion_is_redacted() {
    use signet_c2pa_model::assertion::{Content, NewAssertion};
    use signet_c2pa_model::redact::{RedactionForm, redact};
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let pki = Pki::new("http://127.0.0.1:9/ocsp");
    let anchors = pki.write_root(d);
    let input = asset(d, "jpg");
    let parent = d.join("parent.jpg");
    let mut opts = Options::new(Alg::EcdsaP256Sha256Fixed);
    let secret = signet_c2pa_model::cbor::encode(&signet_c2pa_model::cbor::from_json(
        &serde_json::json!({"location": "somewhere private"}),
    ))
    .unwrap();
    opts.def.assertions = vec![NewAssertion::new(
        "com.example.location",
        Content::Cbor(secret),
    )];
    sign_file(&pki, &input, &parent, &opts);
    let parent_json = report(&parent, "image/jpeg", &anchors);
    assert_trusted(&parent_json, "jpg", &[], "parent");
    let store = store_of(&parent);
    let uri = store
        .active_manifest()
        .unwrap()
        .assertion("com.example.location")
        .unwrap()
        .uri();
    let out = redact(&store, &[&uri], RedactionForm::Remove, &Limits::default()).unwrap();
    let mut ingredient = IngredientInput::new(Relationship::ParentOf);
    ingredient.title = Some("parent.jpg".into());
    ingredient.format = Some("image/jpeg".into());
    ingredient.store = Some(out.store);
    ingredient.redacted = out.redacted;
    ingredient.validation_results = Some(validation_results(&parent_json));
    let mut opts = Options::new(Alg::EcdsaP256Sha256Fixed);
    opts.def.ingredients = vec![ingredient];
    let child = d.join("child.jpg");
    sign_file(&pki, &input, &child, &opts);
    let bytes = std::fs::read(&child).unwrap();
    assert!(
        !bytes.windows(17).any(|w| w == b"somewhere private"),
        "the redacted data is gone"
    );
    let claim = store_of(&child).active_manifest().unwrap().claim().unwrap();
    assert_eq!(claim.redacted_assertions, vec![uri]);
    let json = report(&child, "image/jpeg", &anchors);
    assert_trusted(&json, "jpg", &[], "child with a redaction");
    assert_eq!(
        codes(&json["ingredient_deltas"], "failure"),
        Vec::<String>::new(),
        "{json}"
    );
}
