//! Validation of one manifest: the claim (§15.6), its signature (§15.7–15.9) and its
//! assertions (§15.10). Content bindings (§15.12) and ingredient recursion (§15.11) are driven
//! by [`crate::validator`], which uses what this module extracts.

use std::collections::{BTreeMap, BTreeSet};

use ciborium::Value;
use signet_c2pa_model::claim::{Claim, ClaimVersion};
use signet_c2pa_model::error::CborError;
use signet_c2pa_model::jumbf::SuperBox;
use signet_c2pa_model::store::label::ManifestLabel;
use signet_c2pa_model::{HashAlg, Manifest, ManifestKind, ManifestStore};

use crate::assertion::actions::{self, Action};
use crate::assertion::ingredient::{Ingredient, RELATIONSHIPS};
use crate::assertion::metadata;
use crate::assertion::{
    self, ContentKind, Unresolved, base_label, field, hash_alg, is_actions, is_hard_binding,
    is_ingredient, is_thumbnail, resolve_any, resolve_in,
};
use crate::digest::{UriDigests, UriHash};
use crate::external::External;
use crate::report::{ManifestInfo, Status, StatusLists};
use crate::signature::{self, SignatureContext};
use crate::status::StatusCode;

/// The actions an update manifest may carry (§11.2.3).
const UPDATE_ACTIONS: [&str; 4] = [
    "c2pa.edited.metadata",
    "c2pa.opened",
    "c2pa.published",
    "c2pa.redacted",
];

/// `self#jumbf=/c2pa/<label>`.
pub(crate) fn manifest_uri(label: &str) -> String {
    format!("self#jumbf=/c2pa/{label}")
}

/// Makes a URI found in manifest `label` absolute.
pub(crate) fn absolute(label: &str, uri: &str) -> String {
    match uri.strip_prefix("self#jumbf=") {
        // Concatenated, not formatted: a claim may hold 10,000 references.
        Some(path) if path.starts_with("c2pa/") => ["self#jumbf=/", path].concat(),
        Some(path) if !path.starts_with('/') => ["self#jumbf=/c2pa/", label, "/", path].concat(),
        _ => uri.to_owned(),
    }
}

/// An ingredient assertion found in a manifest.
#[derive(Debug, Clone)]
pub(crate) struct IngredientRef {
    /// Absolute URI of the ingredient assertion.
    pub(crate) uri: String,
    /// Its decoded fields.
    pub(crate) ingredient: Ingredient,
    /// Whether its hashed URI resolved and matched (§15.11.3.3: otherwise skipped).
    pub(crate) intact: bool,
}

/// Everything validation learned about one manifest.
#[derive(Debug)]
pub(crate) struct ManifestCheck<'s> {
    /// The manifest label.
    pub(crate) label: String,
    /// Its kind.
    pub(crate) kind: ManifestKind,
    /// Its codes.
    pub(crate) codes: StatusLists,
    /// What to show.
    pub(crate) info: ManifestInfo,
    /// The claim's `alg`.
    pub(crate) claim_alg: Option<String>,
    /// The hard-binding assertions referenced by the claim (label, box).
    pub(crate) hard_bindings: Vec<(String, &'s SuperBox)>,
    /// The multi-asset hash assertions referenced by the claim (label, box).
    pub(crate) multi_asset: Vec<(String, &'s SuperBox)>,
    /// The ingredient assertions, in claim order.
    pub(crate) ingredients: Vec<IngredientRef>,
    /// The claim's `redacted_assertions`, absolute.
    pub(crate) redactions: Vec<String>,
}

impl<'s> ManifestCheck<'s> {
    fn new(label: &str, kind: ManifestKind) -> Self {
        Self {
            label: label.to_owned(),
            kind,
            codes: StatusLists::default(),
            info: ManifestInfo {
                label: label.to_owned(),
                claim_generator: None,
                title: None,
                signer: None,
                actions: Vec::new(),
                ingredients: Vec::new(),
            },
            claim_alg: None,
            hard_bindings: Vec::new(),
            multi_asset: Vec::new(),
            ingredients: Vec::new(),
            redactions: Vec::new(),
        }
    }

    fn push(&mut self, code: StatusCode, url: &str, why: impl Into<String>) {
        self.codes.push(Status::new(code, url, why));
    }
}

/// What one URI of a claim's assertion list names, the same for every reference that repeats
/// it.
struct Target<'s> {
    /// The URI, absolute.
    url: String,
    /// Whether a later manifest redacted it.
    redacted: bool,
    /// The box it resolves to in the manifest.
    node: Result<&'s SuperBox, Unresolved>,
    /// Its label names a hard binding.
    hard_binding: bool,
    /// Its label names a multi-asset hash.
    multi_asset: bool,
    /// Its label names a thumbnail.
    thumbnail: bool,
}

impl<'s> Target<'s> {
    fn new(
        digests: &UriDigests<'s>,
        manifest: &Manifest<'s>,
        label: &str,
        uri: &str,
        redacted: &[String],
    ) -> Self {
        let url = absolute(label, uri);
        let alabel = url.rsplit('/').next().unwrap_or_default();
        Self {
            redacted: redacted.contains(&url),
            node: digests.labels().resolve_in(manifest, uri),
            hard_binding: is_hard_binding(alabel),
            multi_asset: base_label(alabel) == "c2pa.hash.multi-asset",
            thumbnail: is_thumbnail(alabel),
            url,
        }
    }
}

/// Validates `manifest` except for content bindings and ingredient manifests. `redacted` holds
/// the absolute URIs of this manifest's assertions that later manifests redacted.
pub(crate) fn check<'s>(
    digests: &UriDigests<'s>,
    manifest: Manifest<'s>,
    redacted: &[String],
    max_assertions: usize,
    cx: &SignatureContext<'_>,
    external: &External,
) -> ManifestCheck<'s> {
    let store = digests.store();
    let label = manifest.label().unwrap_or_default().to_owned();
    let mut out = ManifestCheck::new(&label, manifest.kind());
    let base = manifest_uri(&label);
    // §15.5.4: a compressed manifest is decompressed before validation (the store did that when
    // parsed); one that is still compressed did not decompress into a manifest.
    if manifest.kind() == ManifestKind::Compressed {
        let why = manifest
            .compressed_failure()
            .unwrap_or("it did not decompress into a standard or update manifest");
        out.push(
            StatusCode::ManifestCompressedInvalid,
            &base,
            format!("compressed manifest: {why}"),
        );
        return out;
    }

    // §8.3, §11.1.3.2: a manifest box is labelled with a c2pa URN (or, in 1.x stores, the
    // deprecated urn:uuid form); any other label cannot be referenced as a manifest.
    if let Err(why) = ManifestLabel::parse(&label) {
        out.push(
            StatusCode::ClaimMalformed,
            &base,
            format!("manifest label {label:?}: {why} (C2PA 2.2 §8.3)"),
        );
        return out;
    }

    // §15.6: exactly one claim, well-formed CBOR, required fields.
    let mut claims = manifest.claim_boxes();
    let Some((claim_box, version)) = claims.next() else {
        out.push(
            StatusCode::ClaimMissing,
            &base,
            "the manifest has no claim box",
        );
        return out;
    };
    let claim_uri = format!("{base}/{}", claim_box.label().unwrap_or("c2pa.claim"));
    if claims.next().is_some() {
        out.push(
            StatusCode::ClaimMultiple,
            &claim_uri,
            "more than one claim box",
        );
        return out;
    }
    let claim_bytes = match manifest.claim_cbor() {
        Ok((bytes, _)) => bytes,
        Err(e) => {
            out.push(StatusCode::ClaimMalformed, &claim_uri, e.to_string());
            return out;
        }
    };
    let claim = match Claim::from_cbor(claim_bytes, version) {
        Ok(c) => c,
        Err(e @ (CborError::Invalid { .. } | CborError::TrailingData { .. })) => {
            out.push(StatusCode::ClaimCborInvalid, &claim_uri, e.to_string());
            return out;
        }
        Err(e) => {
            out.push(StatusCode::ClaimMalformed, &claim_uri, e.to_string());
            return out;
        }
    };
    let missing = claim.missing_required();
    if !missing.is_empty() {
        out.push(
            StatusCode::ClaimMalformed,
            &claim_uri,
            format!("claim lacks required fields: {}", missing.join(", ")),
        );
    }
    if claim.has_empty_instance_id() {
        out.push(
            StatusCode::ClaimMalformed,
            &claim_uri,
            "claim instanceID is empty (C2PA 2.2 §10.2.1: a tstr of at least one character)",
        );
    }
    let generator = generator_name(&claim);
    if version == ClaimVersion::V2 && claim.claim_generator_info.is_some() && generator.is_none() {
        out.push(
            StatusCode::ClaimMalformed,
            &claim_uri,
            "claim_generator_info has no name (C2PA 2.2 §15.6.2)",
        );
    }
    out.info.claim_generator = generator.or_else(|| claim.claim_generator.clone());
    out.info.title = claim.title.clone();
    out.claim_alg = claim.alg.clone();

    // §15.7: the signature named by the claim, in this manifest.
    let sig_uri = format!("{base}/c2pa.signature");
    let signature_box = claim
        .signature
        .as_deref()
        .ok_or(Unresolved::Missing)
        .and_then(|uri| resolve_in(&manifest, uri));
    match signature_box.ok().and_then(|node| {
        node.plain_boxes()
            .find(|p| p.box_type == *b"cbor")
            .map(|p| store.content(p))
    }) {
        None => out.push(
            StatusCode::ClaimSignatureMissing,
            &sig_uri,
            "the claim signature cannot be found in the manifest",
        ),
        Some(cose) => {
            let extra = signature::Extra {
                tsts: external.tsts_for(&label),
                ocsp: external.ocsp(),
            };
            let sig = signature::validate(cose, claim_bytes, cx, &extra);
            for (code, why) in sig.codes {
                out.push(code, &sig_uri, why);
            }
            out.info.signer = sig.signer;
        }
    }

    check_assertions(
        digests,
        &manifest,
        &claim,
        &claim_uri,
        redacted,
        max_assertions,
        &mut out,
    );
    out
}

fn generator_name(claim: &Claim) -> Option<String> {
    let info = claim.claim_generator_info.as_ref()?;
    let first = match info {
        Value::Array(items) => items.first()?,
        other => other,
    };
    let name = field(first, "name")?.as_text()?;
    Some(match field(first, "version").and_then(Value::as_text) {
        Some(v) => format!("{name} {v}"),
        None => name.to_owned(),
    })
}

/// §15.10: hashed URIs, redactions, undeclared assertions, manifest-type rules, and the
/// assertion-specific checks.
#[allow(
    clippy::too_many_lines,
    reason = "one pass over the claim's assertions, in the order of §15.10"
)]
fn check_assertions<'s>(
    digests: &UriDigests<'s>,
    manifest: &Manifest<'s>,
    claim: &Claim,
    claim_uri: &str,
    redacted: &[String],
    max_assertions: usize,
    out: &mut ManifestCheck<'s>,
) {
    let store = digests.store();
    let label = out.label.clone();
    let base = manifest_uri(&label);
    let claim_alg = claim.alg.as_deref();

    // This claim's redactions: never its own assertions (§15.10.2).
    for uri in &claim.redacted_assertions {
        let abs = absolute(&label, uri);
        if assertion::manifest_label_of(&abs) == Some(label.as_str()) {
            out.push(
                StatusCode::AssertionSelfRedacted,
                claim_uri,
                format!("the claim redacts its own assertion {uri}"),
            );
        } else {
            out.redactions.push(abs);
        }
    }

    let refs: Vec<_> = claim.assertion_refs().take(max_assertions).collect();
    if claim.assertion_refs().count() > max_assertions {
        out.push(
            StatusCode::GeneralError,
            claim_uri,
            format!("more than {max_assertions} assertions"),
        );
    }
    // One success status per reference, usually (its hashed URI matched): room for them up
    // front, rather than the list growing and moving 10,000 statuses as it does.
    out.codes.success.reserve(refs.len());
    let mut referenced: BTreeSet<usize> = BTreeSet::new();
    // What each distinct URI of the claim names, worked out at its first reference: a claim
    // repeating one URI 10,000 times costs one resolution, not 10,000 (the statuses are still
    // one per reference).
    let mut targets: BTreeMap<&str, Target<'s>> = BTreeMap::new();
    let mut first_actions = true;
    // Whether the first actions assertion starts with c2pa.created or c2pa.opened.
    let mut opens = false;
    let mut parents = 0usize;
    let mut ingredient_count = 0usize;
    for r in refs {
        let target = targets
            .entry(r.url.as_str())
            .or_insert_with(|| Target::new(digests, manifest, &label, &r.url, redacted));
        let url = target.url.as_str();
        let alabel = url.rsplit('/').next().unwrap_or_default();
        if target.redacted {
            if is_actions(alabel) {
                out.push(
                    StatusCode::AssertionActionRedacted,
                    url,
                    "actions assertions cannot be redacted",
                );
            } else if is_hard_binding(alabel) {
                out.push(
                    StatusCode::AssertionDataHashRedacted,
                    url,
                    "hard bindings cannot be redacted",
                );
            }
            if let Ok(node) = target.node {
                referenced.insert(node.span.start);
                if !assertion::is_zeroed(store, node) {
                    out.push(
                        StatusCode::AssertionNotRedacted,
                        url,
                        "a redacted assertion is still present",
                    );
                }
            }
            continue;
        }
        let node = match target.node {
            Ok(n) => n,
            Err(Unresolved::OutsideManifest) => {
                out.push(
                    StatusCode::AssertionOutsideManifest,
                    claim_uri,
                    format!("{} is not in this manifest", r.url),
                );
                continue;
            }
            Err(Unresolved::Missing) => {
                out.push(
                    StatusCode::AssertionMissing,
                    claim_uri,
                    format!("{} is missing", r.url),
                );
                continue;
            }
        };
        // A box the claim references again is hashed against this reference's hash (the digest
        // is computed once), but its content is checked once: a claim repeating one large
        // reference must not multiply the decoding work.
        let first_reference = referenced.insert(node.span.start);
        let intact = match hash_alg(r.alg.as_deref(), None, claim_alg) {
            None => {
                out.push(
                    StatusCode::AlgorithmUnsupported,
                    url,
                    "hash algorithm absent or not on the C2PA 2.2 §13.1 list",
                );
                false
            }
            Some(alg) => match digests.check(node, alg, &r.hash) {
                UriHash::Match => {
                    out.push(
                        StatusCode::AssertionHashedUriMatch,
                        url,
                        ["hashed uri matched: ", &r.url].concat(),
                    );
                    true
                }
                UriHash::Mismatch => {
                    out.push(
                        StatusCode::AssertionHashedUriMismatch,
                        url,
                        format!("hash does not match: {}", r.url),
                    );
                    false
                }
                UriHash::OverBudget => {
                    out.push(StatusCode::GeneralError, url, digests.over_budget(&r.url));
                    false
                }
            },
        };
        if target.hard_binding {
            out.hard_bindings.push((alabel.to_owned(), node));
        }
        if target.multi_asset {
            out.multi_asset.push((alabel.to_owned(), node));
        }
        if out.kind == ManifestKind::Update && (target.hard_binding || target.thumbnail) {
            out.push(
                StatusCode::ManifestUpdateInvalid,
                url,
                "update manifests cannot carry hard bindings or thumbnails",
            );
        }
        if out.kind == ManifestKind::Update && target.multi_asset {
            out.push(
                StatusCode::ManifestUpdateInvalid,
                url,
                "update manifests cannot carry multi-asset hashes",
            );
        }
        if !first_reference {
            continue;
        }
        let base_l = base_label(alabel);
        // The content is decoded only for the assertions whose fields are checked below; the
        // others (custom labels, thumbnails, hard bindings, decoded where they are used) are
        // only checked to be well-formed CBOR, so a large one costs no copy.
        let decoded = base_l == "c2pa.metadata"
            || base_l == "c2pa.cloud-data"
            || base_l == "c2pa.time-stamp"
            || is_actions(alabel)
            || is_ingredient(alabel);
        let value = match assertion::content_kind(node) {
            ContentKind::Cbor if !decoded => {
                if let Err(e) = assertion::cbor_check(store, node) {
                    out.push(StatusCode::AssertionCborInvalid, url, e);
                }
                None
            }
            ContentKind::Cbor => match assertion::cbor_value(store, node) {
                Ok(v) => Some(v),
                Err(e) => {
                    out.push(StatusCode::AssertionCborInvalid, url, e);
                    None
                }
            },
            ContentKind::Json => {
                // RFC 8259 grammar; serde_json bounds nesting at 128 levels.
                match assertion::content(store, node, *b"json")
                    .map(serde_json::from_slice::<serde_json::Value>)
                {
                    Some(Ok(json)) => {
                        if base_l == "c2pa.metadata" {
                            check_metadata(&json, url, out);
                        }
                    }
                    Some(Err(e)) => out.push(
                        StatusCode::AssertionJsonInvalid,
                        url,
                        format!("assertion JSON is not well-formed: {e}"),
                    ),
                    None => out.push(
                        StatusCode::AssertionJsonInvalid,
                        url,
                        "JSON assertion without a json content box",
                    ),
                }
                None
            }
            ContentKind::Other => None,
        };
        let Some(value) = value else { continue };
        if base_l == "c2pa.metadata" {
            // Written as CBOR rather than JSON-LD: its fields are checked all the same.
            if let Ok(json) = serde_json::to_value(&value) {
                check_metadata(&json, url, out);
            }
        }
        if is_actions(alabel) {
            let links = claim.version == ClaimVersion::V2;
            let first = check_actions(
                digests,
                manifest,
                &value,
                (alabel, url),
                claim_alg,
                first_actions,
                links,
                out,
            );
            if first_actions {
                opens = first.is_some_and(|a| matches!(a.as_str(), "c2pa.created" | "c2pa.opened"));
            }
            first_actions = false;
        } else if is_ingredient(alabel) {
            ingredient_count += 1;
            let ingredient = Ingredient::from_value(&value, alabel);
            match ingredient.relationship.as_deref() {
                Some(rel) if RELATIONSHIPS.contains(&rel) => {
                    if rel == "parentOf" {
                        parents += 1;
                    }
                }
                Some(rel) => out.push(
                    StatusCode::AssertionIngredientMalformed,
                    url,
                    format!("relationship `{rel}` is not parentOf, componentOf or inputTo"),
                ),
                None => out.push(
                    StatusCode::AssertionIngredientMalformed,
                    url,
                    "ingredient without relationship",
                ),
            }
            if let Some(why) = &ingredient.malformed {
                out.push(StatusCode::AssertionIngredientMalformed, url, why.clone());
            }
            for (key, h) in &ingredient.references {
                check_reference(digests, manifest, h, claim_alg, url, key, out);
            }
            out.info.ingredients.push((
                ingredient.title.clone().unwrap_or_default(),
                ingredient.relationship.clone().unwrap_or_default(),
            ));
            out.ingredients.push(IngredientRef {
                uri: url.to_owned(),
                ingredient,
                intact,
            });
        } else if base_l == "c2pa.cloud-data" {
            check_cloud_data(&value, url, out);
        } else if base_l == "c2pa.time-stamp" {
            let ok = value.as_map().is_some_and(|m| !m.is_empty());
            if !ok {
                out.push(
                    StatusCode::AssertionTimestampMalformed,
                    url,
                    "time-stamp assertion is not a non-empty map",
                );
            }
        }
    }

    // Assertions present but not declared (§15.10.3.1).
    for node in manifest.assertions() {
        if !referenced.contains(&node.span.start) {
            let name = node.label().unwrap_or_default();
            out.push(
                StatusCode::AssertionUndeclared,
                &format!("{base}/c2pa.assertions/{name}"),
                "assertion not referenced by the claim",
            );
        }
    }

    // Manifest-type rules (§15.10.1).
    let store_uri = format!("{base}/c2pa.assertions");
    match out.kind {
        ManifestKind::Standard => {
            match out.hard_bindings.len() {
                0 => out.push(
                    StatusCode::ClaimHardBindingsMissing,
                    claim_uri,
                    "no hard binding assertion",
                ),
                1 => {}
                n => out.push(
                    StatusCode::AssertionMultipleHardBindings,
                    &store_uri,
                    format!("{n} hard binding assertions"),
                ),
            }
            if parents > 1 {
                out.push(
                    StatusCode::ManifestMultipleParents,
                    claim_uri,
                    format!("{parents} parentOf ingredients"),
                );
            }
            // §15.10.1.2: a c2pa.created or c2pa.opened action, first in the first actions
            // assertion. Claims of C2PA 1.x did not require actions (§5.1: deprecated
            // constructs are read by their own rules), so this applies to v2 claims.
            if claim.version == ClaimVersion::V2 && !opens {
                out.push(
                    StatusCode::AssertionActionMalformed,
                    claim_uri,
                    "no c2pa.created or c2pa.opened action first in the first actions assertion \
                     (C2PA 2.2 §15.10.1.2)",
                );
            }
        }
        ManifestKind::Update if parents != 1 || ingredient_count != 1 => {
            out.push(
                StatusCode::ManifestUpdateWrongParents,
                claim_uri,
                "an update manifest needs exactly one ingredient, a parentOf",
            );
        }
        _ => {}
    }
    let _ = store;
}

/// §15.10.3.2.3: the fields of a `c2pa.metadata` assertion are on Appendix B's list.
fn check_metadata(json: &serde_json::Value, url: &str, out: &mut ManifestCheck<'_>) {
    let Some(object) = json.as_object() else {
        out.push(
            StatusCode::AssertionMetadataDisallowed,
            url,
            "c2pa.metadata is not a JSON-LD object",
        );
        return;
    };
    let bad = metadata::disallowed_fields(object);
    if !bad.is_empty() {
        out.push(
            StatusCode::AssertionMetadataDisallowed,
            url,
            format!(
                "fields outside C2PA 2.2 Appendix B's list: {}",
                bad.join(", ")
            ),
        );
    }
}

/// A hashed URI inside a standard assertion (§15.10.3.3): `hashedURI.missing` /
/// `hashedURI.mismatch`.
fn check_reference<'s>(
    digests: &UriDigests<'s>,
    manifest: &Manifest<'s>,
    h: &signet_c2pa_model::HashedUri,
    claim_alg: Option<&str>,
    url: &str,
    key: &str,
    out: &mut ManifestCheck<'_>,
) {
    let Ok(node) = digests
        .labels()
        .resolve_any(digests.store(), manifest, &h.url)
    else {
        out.push(
            StatusCode::HashedUriMissing,
            url,
            format!("`{key}` reference {} cannot be located", h.url),
        );
        return;
    };
    match hash_alg(h.alg.as_deref(), None, claim_alg) {
        None => out.push(
            StatusCode::AlgorithmUnsupported,
            url,
            format!("`{key}` reference has no supported hash algorithm"),
        ),
        Some(alg) => match digests.check(node, alg, &h.hash) {
            UriHash::Match => {}
            UriHash::Mismatch => out.push(
                StatusCode::HashedUriMismatch,
                url,
                format!("`{key}` reference {} does not match its hash", h.url),
            ),
            UriHash::OverBudget => {
                out.push(StatusCode::GeneralError, url, digests.over_budget(&h.url))
            }
        },
    }
}

/// §15.10.3.2.2. `links` enables the ingredient and redaction link checks, which apply to
/// claims written under C2PA 2.x: in 1.x claims (`c2pa.claim`) the `ingredient` parameter was
/// optional, and the content of those claims is checked for shape only.
#[allow(
    clippy::too_many_arguments,
    reason = "the rule needs the manifest and its context"
)]
fn check_actions<'s>(
    digests: &UriDigests<'s>,
    manifest: &Manifest<'s>,
    value: &Value,
    (label, url): (&str, &str),
    claim_alg: Option<&str>,
    first_actions: bool,
    links: bool,
    out: &mut ManifestCheck<'_>,
) -> Option<String> {
    let parsed = match actions::actions(value, label) {
        Ok(l) => l,
        Err(e) => {
            out.push(StatusCode::AssertionActionMalformed, url, e);
            return None;
        }
    };
    // Icons of software agents and templates are references (§15.10.3.2.2, §15.10.3.3).
    for icon in &parsed.icons {
        check_reference(digests, manifest, icon, claim_alg, url, "icon", out);
    }
    let list = parsed.actions;
    let first = list.first().map(|a| a.action.clone());
    for (i, a) in list.iter().enumerate() {
        let name = a.action.as_str();
        out.info.actions.push(name.to_owned());
        if out.kind == ManifestKind::Update && !UPDATE_ACTIONS.contains(&name) {
            out.push(
                StatusCode::ManifestUpdateInvalid,
                url,
                format!("action {name} is not allowed in an update manifest"),
            );
        }
        if matches!(name, "c2pa.created" | "c2pa.opened") && !(first_actions && i == 0) {
            out.push(
                StatusCode::AssertionActionMalformed,
                url,
                format!("{name} must be the first action of the first actions assertion"),
            );
        }
        if !links {
            continue;
        }
        match name {
            "c2pa.opened" | "c2pa.placed" | "c2pa.removed" => {
                check_action_ingredients(digests.store(), manifest, a, name, url, true, out);
            }
            "c2pa.transcoded" | "c2pa.repackaged" if a.ingredients.is_some() => {
                check_action_ingredients(digests.store(), manifest, a, name, url, false, out);
            }
            "c2pa.redacted" => {
                // The URI must name an assertion: one still in the store (blanked), or one
                // this claim lists as redacted (removed, §6.8).
                let own = out.label.clone();
                let ok = a.redacted.as_deref().is_some_and(|u| {
                    u.starts_with("self#jumbf=")
                        && (digests
                            .labels()
                            .resolve_any(digests.store(), manifest, u)
                            .is_ok()
                            || out.redactions.contains(&absolute(&own, u)))
                });
                if !ok {
                    out.push(
                        StatusCode::AssertionActionRedactionMismatch,
                        url,
                        "c2pa.redacted whose parameters.redacted is not the JUMBF URI of an \
                         assertion (present, or listed in redacted_assertions)",
                    );
                }
            }
            _ => {}
        }
    }
    first
}

fn check_action_ingredients(
    store: &ManifestStore,
    manifest: &Manifest<'_>,
    a: &Action,
    name: &str,
    url: &str,
    required: bool,
    out: &mut ManifestCheck<'_>,
) {
    let mismatch = |out: &mut ManifestCheck<'_>, why: String| {
        out.push(StatusCode::AssertionActionIngredientMismatch, url, why);
    };
    let refs = match &a.ingredients {
        Some(r) if !r.is_empty() => r,
        _ => {
            if required {
                mismatch(out, format!("{name} without ingredients"));
            }
            return;
        }
    };
    let (relationship, exactly_one, same_manifest) = match name {
        "c2pa.opened" => ("parentOf", true, true),
        "c2pa.placed" => ("componentOf", false, true),
        "c2pa.removed" => ("componentOf", false, false),
        _ => ("parentOf", false, true),
    };
    if exactly_one && refs.len() != 1 {
        mismatch(out, format!("{name} needs exactly one ingredient"));
        return;
    }
    for h in refs {
        let node = if same_manifest {
            resolve_in(manifest, &h.url).ok()
        } else {
            resolve_any(store, manifest, &h.url).ok()
        };
        let rel = node
            .filter(|n| n.label().is_some_and(is_ingredient))
            .and_then(|n| {
                let v = assertion::cbor_value(store, n).ok()?;
                Some(Ingredient::from_value(&v, n.label().unwrap_or_default()).relationship)
            });
        if rel.flatten().as_deref() != Some(relationship) {
            mismatch(
                out,
                format!("{name}: {} is not a {relationship} ingredient", h.url),
            );
        }
    }
}

/// §15.10.3.2.1.
fn check_cloud_data(value: &Value, url: &str, out: &mut ManifestCheck<'_>) {
    let present = |k: &str| field(value, k).is_some();
    if !["label", "size", "location", "content_type"]
        .iter()
        .all(|k| present(k))
    {
        out.push(
            StatusCode::AssertionCloudDataMalformed,
            url,
            "cloud data needs label, size, location and content_type",
        );
        return;
    }
    let label = field(value, "label")
        .and_then(Value::as_text)
        .unwrap_or_default();
    if is_hard_binding(label) {
        out.push(
            StatusCode::AssertionCloudDataHardBinding,
            url,
            "a hard binding cannot be cloud data",
        );
    }
    if out.kind == ManifestKind::Update && is_actions(label) {
        out.push(
            StatusCode::AssertionCloudDataActions,
            url,
            "an update manifest cannot reference actions as cloud data",
        );
    }
}

/// The hash algorithm of a hard binding: its own `alg`, else the claim's.
pub(crate) fn binding_alg(value: &Value, claim_alg: Option<&str>) -> Option<HashAlg> {
    hash_alg(
        field(value, "alg").and_then(Value::as_text),
        None,
        claim_alg,
    )
}
