//! Actions (C2PA 2.2 §18.14): `c2pa.actions` (actions-map) and `c2pa.actions.v2`
//! (actions-map-v2).
//!
//! ```text
//! actions-map-v2 = { "actions": [1* action-item-map-v2], ? "templates": [...],
//!                    ? "softwareAgents": [1* generator-info-map], ? "metadata": ...,
//!                    ? "allActionsIncluded": bool }
//! action-item-map-v2 = { "action": tstr, ? "softwareAgent": generator-info-map (v1: tstr),
//!   ? "softwareAgentIndex": int, ? "description": tstr, ? "digitalSourceType": tstr,
//!   ? "when": tdate, ? "changes": [1* region-map], ? "related": [1* action-item-map-v2],
//!   ? "reason": tstr, ? "parameters": parameters-map-v2 }
//! parameters-map-v2 = { ? "redacted": jumbf-uri, ? "ingredients": [1* hashed-uri-map],
//!   ? "sourceLanguage": tstr, ? "targetLanguage": tstr, ? "multipleInstances": bool, * tstr => any }
//! ```
//! v1 actions carry `softwareAgent` as text, `changed` (text), `instanceID`, and a single
//! `parameters.ingredient` hashed URI.

use ciborium::Value;

use super::{CborAssertion, Label};
use crate::cbor::{self, Map, map_with_other};
use crate::error::CborError;
use crate::hashed_uri::HashedUri;

/// Which actions schema.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ActionsVersion {
    /// `c2pa.actions` (actions-map).
    V1,
    /// `c2pa.actions.v2` (actions-map-v2).
    V2,
}

/// The software that performed an action: a string in v1, a generator-info-map in v2.
#[derive(Debug, Clone, PartialEq)]
pub enum SoftwareAgent {
    /// v1: a name.
    Text(String),
    /// v2: a `generator-info-map` (`name`, `version`, `icon`, ... kept as decoded).
    Info(Value),
}

/// The `parameters` of an action.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ActionParameters {
    /// v1 `ingredient`: the ingredient assertion acted on.
    pub ingredient: Option<HashedUri>,
    /// v2 `ingredients`: the ingredient assertions acted on.
    pub ingredients: Vec<HashedUri>,
    /// v2 `redacted`: JUMBF URI of the redacted assertion (required for `c2pa.redacted`).
    pub redacted: Option<String>,
    /// `description`.
    pub description: Option<String>,
    /// `sourceLanguage` (BCP-47).
    pub source_language: Option<String>,
    /// `targetLanguage` (BCP-47).
    pub target_language: Option<String>,
    /// `multipleInstances`.
    pub multiple_instances: Option<bool>,
    /// Any other parameters, as decoded.
    pub other: Vec<(Value, Value)>,
}

const PARAM_KEYS: &[&str] = &[
    "ingredient",
    "ingredients",
    "redacted",
    "description",
    "sourceLanguage",
    "targetLanguage",
    "multipleInstances",
];

impl ActionParameters {
    fn from_value(value: &Value) -> Result<Self, CborError> {
        let m = Map::new(value, "parameters")?;
        Ok(Self {
            ingredient: m.get("ingredient").map(HashedUri::from_value).transpose()?,
            ingredients: m.array_of("ingredients", HashedUri::from_value)?,
            redacted: m.opt_string("redacted")?,
            description: m.opt_string("description")?,
            source_language: m.opt_string("sourceLanguage")?,
            target_language: m.opt_string("targetLanguage")?,
            multiple_instances: m.opt_bool("multipleInstances")?,
            other: m.other(PARAM_KEYS),
        })
    }

    fn to_value(&self) -> Value {
        let ingredients = (!self.ingredients.is_empty())
            .then(|| Value::Array(self.ingredients.iter().map(HashedUri::to_value).collect()));
        map_with_other(
            vec![
                (
                    "ingredient",
                    self.ingredient.as_ref().map(HashedUri::to_value),
                ),
                ("ingredients", ingredients),
                ("redacted", self.redacted.clone().map(cbor::text)),
                ("description", self.description.clone().map(cbor::text)),
                (
                    "sourceLanguage",
                    self.source_language.clone().map(cbor::text),
                ),
                (
                    "targetLanguage",
                    self.target_language.clone().map(cbor::text),
                ),
                (
                    "multipleInstances",
                    self.multiple_instances.map(Value::Bool),
                ),
            ],
            &self.other,
        )
    }
}

/// One action.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Action {
    /// `action`: `c2pa.created`, `c2pa.opened`, or a namespaced custom action.
    pub action: String,
    /// `when` (RFC 3339 text of the `tdate`).
    pub when: Option<String>,
    /// `softwareAgent`.
    pub software_agent: Option<SoftwareAgent>,
    /// v2 `softwareAgentIndex` into the assertion's `softwareAgents`.
    pub software_agent_index: Option<u64>,
    /// v2 `description`.
    pub description: Option<String>,
    /// `digitalSourceType` (IPTC vocabulary URI).
    pub digital_source_type: Option<String>,
    /// v1 `changed` (semicolon-delimited).
    pub changed: Option<String>,
    /// v1 `instanceID` (a `buuid`, or text from older writers), as decoded.
    pub instance_id: Option<Value>,
    /// v2 `changes`: region maps, as decoded.
    pub changes: Option<Vec<Value>>,
    /// v2 `related` actions.
    pub related: Vec<Action>,
    /// v2 `reason` (required for `c2pa.redacted`).
    pub reason: Option<String>,
    /// `parameters`.
    pub parameters: Option<ActionParameters>,
    /// Any other fields, as decoded.
    pub other: Vec<(Value, Value)>,
}

const ACTION_KEYS: &[&str] = &[
    "action",
    "when",
    "softwareAgent",
    "softwareAgentIndex",
    "description",
    "digitalSourceType",
    "changed",
    "instanceID",
    "changes",
    "related",
    "reason",
    "parameters",
];

impl Action {
    /// An action with only its name.
    pub fn new(action: impl Into<String>) -> Self {
        Self {
            action: action.into(),
            ..Self::default()
        }
    }

    /// The ingredient assertions this action refers to (v1 `ingredient` and v2 `ingredients`).
    pub fn ingredient_refs(&self) -> impl Iterator<Item = &HashedUri> {
        self.parameters
            .iter()
            .flat_map(|p| p.ingredient.iter().chain(&p.ingredients))
    }

    fn from_value(value: &Value) -> Result<Self, CborError> {
        let m = Map::new(value, "action")?;
        let software_agent = match m.get("softwareAgent") {
            None => None,
            Some(Value::Text(t)) => Some(SoftwareAgent::Text(t.clone())),
            Some(v @ Value::Map(_)) => Some(SoftwareAgent::Info(v.clone())),
            Some(_) => {
                return Err(CborError::WrongType {
                    field: "softwareAgent",
                    expected: "text string or generator-info-map",
                });
            }
        };
        Ok(Self {
            action: m.text("action")?.to_owned(),
            when: m.opt_tdate("when")?,
            software_agent,
            software_agent_index: m.opt_u64("softwareAgentIndex")?,
            description: m.opt_string("description")?,
            digital_source_type: m.opt_string("digitalSourceType")?,
            changed: m.opt_string("changed")?,
            instance_id: m.get("instanceID").cloned(),
            changes: m.opt_array("changes")?.map(<[Value]>::to_vec),
            related: m.array_of("related", Action::from_value)?,
            reason: m.opt_string("reason")?,
            parameters: m
                .get("parameters")
                .map(ActionParameters::from_value)
                .transpose()?,
            other: m.other(ACTION_KEYS),
        })
    }

    fn to_value(&self) -> Value {
        let agent = self.software_agent.as_ref().map(|a| match a {
            SoftwareAgent::Text(t) => cbor::text(t.clone()),
            SoftwareAgent::Info(v) => v.clone(),
        });
        let related = (!self.related.is_empty())
            .then(|| Value::Array(self.related.iter().map(Action::to_value).collect()));
        map_with_other(
            vec![
                ("action", Some(cbor::text(self.action.clone()))),
                ("when", self.when.as_deref().map(cbor::tdate)),
                ("softwareAgent", agent),
                (
                    "softwareAgentIndex",
                    self.software_agent_index.map(cbor::uint),
                ),
                ("description", self.description.clone().map(cbor::text)),
                (
                    "digitalSourceType",
                    self.digital_source_type.clone().map(cbor::text),
                ),
                ("changed", self.changed.clone().map(cbor::text)),
                ("instanceID", self.instance_id.clone()),
                ("changes", self.changes.clone().map(Value::Array)),
                ("related", related),
                ("reason", self.reason.clone().map(cbor::text)),
                (
                    "parameters",
                    self.parameters.as_ref().map(ActionParameters::to_value),
                ),
            ],
            &self.other,
        )
    }
}

/// An actions assertion.
#[derive(Debug, Clone, PartialEq)]
pub struct Actions {
    /// v1 or v2 (from the label).
    pub version: ActionsVersion,
    /// `actions` (at least one, per the schema; an empty list decodes and is the validator's to
    /// judge).
    pub actions: Vec<Action>,
    /// v2 `templates`, as decoded.
    pub templates: Option<Vec<Value>>,
    /// v2 `softwareAgents` (generator-info-maps), as decoded.
    pub software_agents: Option<Vec<Value>>,
    /// `metadata` (assertion-metadata-map), as decoded.
    pub metadata: Option<Value>,
    /// v2 `allActionsIncluded`.
    pub all_actions_included: Option<bool>,
    /// Any other fields, as decoded.
    pub other: Vec<(Value, Value)>,
}

impl Actions {
    /// A v2 actions assertion holding `actions`.
    pub fn v2(actions: Vec<Action>) -> Self {
        Self {
            version: ActionsVersion::V2,
            actions,
            templates: None,
            software_agents: None,
            metadata: None,
            all_actions_included: None,
            other: Vec::new(),
        }
    }
}

const ACTIONS_KEYS: &[&str] = &[
    "actions",
    "templates",
    "softwareAgents",
    "metadata",
    "allActionsIncluded",
];

impl CborAssertion for Actions {
    fn from_value(value: &Value, label: &Label) -> Result<Self, CborError> {
        let m = Map::new(value, "actions-map")?;
        let version = if label.version_or_1() >= 2 {
            ActionsVersion::V2
        } else {
            ActionsVersion::V1
        };
        Ok(Self {
            version,
            actions: m
                .array("actions")?
                .iter()
                .map(Action::from_value)
                .collect::<Result<_, _>>()?,
            templates: m.opt_array("templates")?.map(<[Value]>::to_vec),
            software_agents: m.opt_array("softwareAgents")?.map(<[Value]>::to_vec),
            metadata: m.get("metadata").cloned(),
            all_actions_included: m.opt_bool("allActionsIncluded")?,
            other: m.other(ACTIONS_KEYS),
        })
    }

    fn to_value(&self) -> Value {
        map_with_other(
            vec![
                (
                    "actions",
                    Some(Value::Array(
                        self.actions.iter().map(Action::to_value).collect(),
                    )),
                ),
                ("templates", self.templates.clone().map(Value::Array)),
                (
                    "softwareAgents",
                    self.software_agents.clone().map(Value::Array),
                ),
                ("metadata", self.metadata.clone()),
                (
                    "allActionsIncluded",
                    self.all_actions_included.map(Value::Bool),
                ),
            ],
            &self.other,
        )
    }

    fn label(&self) -> String {
        match self.version {
            ActionsVersion::V1 => "c2pa.actions".to_owned(),
            ActionsVersion::V2 => "c2pa.actions.v2".to_owned(),
        }
    }
}
