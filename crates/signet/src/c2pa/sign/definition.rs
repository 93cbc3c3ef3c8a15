//! `--manifest MANIFEST.json`: what the caller wants the manifest to say.
//!
//! ```json
//! {
//!   "title": "sunset.jpg",
//!   "claim_generator_info": {"name": "My App", "version": "2.1"},
//!   "claim_version": 2,
//!   "alg": "sha256",
//!   "digital_source_type": "http://cv.iptc.org/newscodes/digitalsourcetype/digitalCapture",
//!   "actions": [{"action": "c2pa.color_adjustments", "parameters": {"name": "brightness"}}],
//!   "all_actions_included": true,
//!   "assertions": [
//!     {"label": "c2pa.metadata", "data": {"@context": {...}, "dc:language": ["en"]}},
//!     {"label": "com.example.note", "data": {"text": "hello"}, "kind": "cbor", "gathered": true}
//!   ],
//!   "ingredients": [{"path": "logo.png", "relationship": "componentOf", "title": "Logo"}],
//!   "thumbnail": {"path": "thumb.jpg", "format": "image/jpeg"}
//! }
//! ```
//! Every field is optional. `actions` may also come the reference SDK's way, as an assertion
//! labelled `c2pa.actions` (or `.v2`) holding `{"actions": [...]}`. `c2pa.created` and
//! `c2pa.opened` are the generator's (from `--parent` and `digital_source_type`): a
//! `c2pa.created` entry only lends its `digitalSourceType`. Assertion data becomes CBOR unless
//! `kind` is `json` (the default for `*.metadata` labels, which C2PA 2.2 §18.16 stores as
//! JSON-LD). Paths are relative to the manifest file.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use serde_json::Value as Json;
use signet_c2pa_model::assertion::{
    Action, Actions, AssertionKind, CborAssertion, Content, EmbeddedFile, Label, NewAssertion,
    Relationship,
};
use signet_c2pa_model::cbor;
use signet_c2pa_model::claim::ClaimVersion;
use signet_c2pa_model::generator::ManifestDefinition;
use signet_c2pa_model::store::HashAlg;

/// An ingredient named by path, to be read and validated by the caller.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct IngredientFile {
    pub(crate) path: PathBuf,
    pub(crate) relationship: Relationship,
    pub(crate) title: Option<String>,
    pub(crate) format: Option<String>,
    pub(crate) description: Option<String>,
}

fn text<'a>(v: &'a Json, field: &str) -> Result<Option<&'a str>> {
    match v.get(field) {
        None | Some(Json::Null) => Ok(None),
        Some(Json::String(s)) => Ok(Some(s)),
        Some(_) => bail!("manifest: `{field}` must be a string"),
    }
}

/// Actions from a JSON list, decoded by the c2pa-actions-v2 model.
fn actions(list: &Json) -> Result<Vec<Action>> {
    let map = serde_json::json!({ "actions": list });
    let bytes = cbor::encode(&cbor::from_json(&map))?;
    let decoded =
        Actions::decode(&bytes, &Label::parse("c2pa.actions.v2")).context("manifest: `actions`")?;
    Ok(decoded.into_value().actions)
}

/// Folds `actions` into the definition: created/opened are the generator's.
fn add_actions(def: &mut ManifestDefinition, list: Vec<Action>) -> Result<()> {
    for a in list {
        match a.action.as_str() {
            "c2pa.created" => {
                if let Some(dst) = a.digital_source_type {
                    def.digital_source_type = dst;
                }
            }
            "c2pa.opened" => bail!(
                "manifest: c2pa.opened is recorded from --parent (C2PA 2.2 §18.15.3); remove it"
            ),
            _ => def.actions.push(a),
        }
    }
    Ok(())
}

/// Reads a manifest definition; returns it with the ingredient files it names.
pub(crate) fn load(path: &Path, def: &mut ManifestDefinition) -> Result<Vec<IngredientFile>> {
    let text_in = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
    let json: Json = serde_json::from_slice(&text_in)
        .with_context(|| format!("{}: not JSON", path.display()))?;
    let base = path.parent().unwrap_or(Path::new(".")).to_path_buf();
    apply(&json, &base, def)
}

/// Applies a parsed definition; paths resolve against `base`.
pub(crate) fn apply(
    json: &Json,
    base: &Path,
    def: &mut ManifestDefinition,
) -> Result<Vec<IngredientFile>> {
    if !json.is_object() {
        bail!("manifest: the definition must be a JSON object");
    }
    if let Some(t) = text(json, "title")? {
        def.title = Some(t.to_owned());
    }
    if let Some(info) = json.get("claim_generator_info") {
        let first = match info {
            Json::Array(a) => a.first().unwrap_or(&Json::Null),
            other => other,
        };
        if let Some(name) = text(first, "name")? {
            def.generator_name = name.to_owned();
            def.generator_version = text(first, "version")?.unwrap_or_default().to_owned();
        }
    }
    match json.get("claim_version") {
        None | Some(Json::Null) => {}
        Some(v) if v.as_u64() == Some(1) => def.claim_version = ClaimVersion::V1,
        Some(v) if v.as_u64() == Some(2) => def.claim_version = ClaimVersion::V2,
        Some(v) => bail!("manifest: claim_version {v} (1 or 2)"),
    }
    if let Some(alg) = text(json, "alg")? {
        def.alg = HashAlg::from_name(alg)
            .with_context(|| format!("manifest: alg {alg:?} (sha256, sha384, sha512)"))?;
    }
    if let Some(dst) = text(json, "digital_source_type")? {
        def.digital_source_type = dst.to_owned();
    }
    if let Some(list) = json.get("actions") {
        let list = actions(list)?;
        add_actions(def, list)?;
    }
    match json.get("all_actions_included") {
        None | Some(Json::Null) => {}
        Some(Json::Bool(b)) => def.all_actions_included = Some(*b),
        Some(_) => bail!("manifest: all_actions_included must be a boolean"),
    }
    for a in json
        .get("assertions")
        .and_then(Json::as_array)
        .into_iter()
        .flatten()
    {
        let label = text(a, "label")?.context("manifest: an assertion without `label`")?;
        let data = a.get("data").unwrap_or(&Json::Null);
        let parsed = Label::parse(label);
        if parsed.kind() == AssertionKind::Actions {
            let list = data
                .get("actions")
                .context("manifest: a c2pa.actions assertion without `actions`")?;
            let list = actions(list)?;
            add_actions(def, list)?;
            continue;
        }
        let json_default = parsed.kind() == AssertionKind::Metadata;
        if signet_c2pa_validate::assertion::base_label(label) == "c2pa.metadata" {
            let object = data
                .as_object()
                .context("manifest: c2pa.metadata data must be a JSON-LD object")?;
            let bad = signet_c2pa_validate::assertion::disallowed_metadata_fields(object);
            if !bad.is_empty() {
                bail!(
                    "manifest: c2pa.metadata holds fields outside C2PA 2.2 Appendix B's list \
                     ({}); validators reject such a claim (assertion.metadata.disallowed). Put \
                     other metadata under a custom label such as com.example.metadata",
                    bad.join(", ")
                );
            }
        }
        let content = match text(a, "kind")? {
            Some("json") => Content::Json(serde_json::to_vec(data)?),
            Some("cbor") => Content::Cbor(cbor::encode(&cbor::from_json(data))?),
            None if json_default => Content::Json(serde_json::to_vec(data)?),
            None => Content::Cbor(cbor::encode(&cbor::from_json(data))?),
            Some(k) => bail!("manifest: assertion {label}: kind {k:?} (cbor or json)"),
        };
        let new = NewAssertion::new(label, content);
        match a.get("gathered") {
            Some(Json::Bool(true)) => def.gathered.push(new),
            _ => def.assertions.push(new),
        }
    }
    if let Some(t) = json.get("thumbnail").filter(|t| !t.is_null()) {
        let path = base.join(text(t, "path")?.context("manifest: thumbnail without `path`")?);
        let format = match text(t, "format")? {
            Some(f) => f.to_owned(),
            None => super::mime_of(&path)
                .context("manifest: thumbnail `format` (its extension does not say)")?
                .to_owned(),
        };
        let data = std::fs::read(&path).with_context(|| format!("reading {}", path.display()))?;
        def.thumbnail = Some(EmbeddedFile::new(format, data));
    }
    let mut ingredients = Vec::new();
    for i in json
        .get("ingredients")
        .and_then(Json::as_array)
        .into_iter()
        .flatten()
    {
        let path = base.join(text(i, "path")?.context("manifest: an ingredient without `path`")?);
        let relationship = match text(i, "relationship")?.unwrap_or("componentOf") {
            "parentOf" => Relationship::ParentOf,
            "componentOf" => Relationship::ComponentOf,
            "inputTo" => Relationship::InputTo,
            other => bail!("manifest: relationship {other:?} (parentOf, componentOf, inputTo)"),
        };
        ingredients.push(IngredientFile {
            path,
            relationship,
            title: text(i, "title")?.map(str::to_owned),
            format: text(i, "format")?.map(str::to_owned),
            description: text(i, "description")?.map(str::to_owned),
        });
    }
    Ok(ingredients)
}
