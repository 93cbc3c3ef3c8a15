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

/// Reads an actions assertion under its `label`; `Err` (no `actions` array, an action without
/// `action`, a malformed parameter) is `assertion.action.malformed`.
pub fn actions(value: &Value, label: &str) -> Result<Vec<Action>, String> {
    let typed = model::Actions::from_value(value, &Label::parse(label))
        .map_err(|e| format!("actions assertion: {e}"))?;
    Ok(typed
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
        .collect())
}
