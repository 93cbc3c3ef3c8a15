//! Actions assertions (`c2pa.actions`, `c2pa.actions.v2`; C2PA 2.2 §18.14) as the rules of
//! §15.10.3.2.2 see them: a view over `c2pa-model`'s typed [`model::Actions`].

use signet_c2pa_model::HashedUri;
use signet_c2pa_model::assertion::{self as model, CborAssertion, Label};

use ciborium::Value;

/// One action, as far as validation looks at it.
#[derive(Debug, Clone, PartialEq)]
pub struct Action {
    /// `action` (`c2pa.created`, ...).
    pub action: String,
    /// The ingredient references: v2 `parameters.ingredients`, or v1 `parameters.ingredient`;
    /// `None` when absent.
    pub ingredients: Option<Vec<HashedUri>>,
    /// `parameters.redacted` (a JUMBF URI).
    pub redacted: Option<String>,
}

/// An actions assertion as validation reads it.
#[derive(Debug, Clone, PartialEq)]
pub struct Parsed {
    /// The actions, in order.
    pub actions: Vec<Action>,
    /// The `icon` hashed URIs of its software agents (the assertion's `softwareAgents` and each
    /// action's `softwareAgent`) and templates (§15.10.3.2.2), to check as references.
    pub icons: Vec<HashedUri>,
}

/// The `icon` of a generator-info-map or template map, when it is a hashed URI.
fn icon(v: &Value) -> Option<HashedUri> {
    let icon = crate::assertion::field(v, "icon")?;
    HashedUri::from_value(icon).ok()
}

/// Reads an actions assertion under its `label`; `Err` (no `actions` array or an empty one, an
/// action without `action`, a malformed parameter) is `assertion.action.malformed`.
pub fn actions(value: &Value, label: &str) -> Result<Parsed, String> {
    let typed = model::Actions::from_value(value, &Label::parse(label))
        .map_err(|e| format!("actions assertion: {e}"))?;
    if typed.actions.is_empty() {
        return Err("actions assertion with an empty actions array".into());
    }
    let mut icons: Vec<HashedUri> = typed
        .software_agents
        .iter()
        .flatten()
        .chain(typed.templates.iter().flatten())
        .filter_map(icon)
        .collect();
    icons.extend(
        typed
            .actions
            .iter()
            .filter_map(|a| match &a.software_agent {
                Some(model::SoftwareAgent::Info(v)) => icon(v),
                _ => None,
            }),
    );
    let actions = typed
        .actions
        .into_iter()
        .map(|a| {
            let params = a.parameters.unwrap_or_default();
            let mut ingredients = params.ingredients;
            ingredients.extend(params.ingredient);
            Action {
                action: a.action,
                ingredients: (!ingredients.is_empty()).then_some(ingredients),
                redacted: params.redacted,
            }
        })
        .collect();
    Ok(Parsed { actions, icons })
}
