//! Actions assertions (`c2pa.actions`, `c2pa.actions.v2`; C2PA 2.2 §18.14), read for the
//! rules of §15.10.3.2.2.

use ciborium::Value;

use super::field;

/// One action, as far as validation looks at it.
#[derive(Debug, Clone, PartialEq)]
pub struct Action {
    /// `action` (`c2pa.created`, ...); `None` when absent or not text.
    pub action: Option<String>,
    /// The ingredient references: `parameters.ingredients` (v2), or `parameters.ingredient`
    /// (v1, a single hashed URI); `None` when absent.
    pub ingredients: Option<Vec<Value>>,
    /// Whether `parameters` is present and non-empty.
    pub has_parameters: bool,
    /// `parameters.redacted` (a JUMBF URI).
    pub redacted: Option<Value>,
}

/// Reads the `actions` array; `Err` when it is absent or not an array
/// (`assertion.action.malformed`).
pub fn actions(value: &Value) -> Result<Vec<Action>, String> {
    let list = field(value, "actions")
        .and_then(Value::as_array)
        .ok_or("no `actions` array")?;
    Ok(list
        .iter()
        .map(|a| {
            let params = field(a, "parameters");
            let has_parameters = params
                .and_then(Value::as_map)
                .is_some_and(|m| !m.is_empty());
            let ingredients = params.and_then(|p| {
                field(p, "ingredients")
                    .map(|v| match v {
                        Value::Array(items) => items.clone(),
                        other => vec![other.clone()],
                    })
                    .or_else(|| {
                        field(p, "ingredient").map(|v| match v {
                            Value::Array(items) => items.clone(),
                            other => vec![other.clone()],
                        })
                    })
            });
            Action {
                action: field(a, "action")
                    .and_then(Value::as_text)
                    .map(str::to_owned),
                ingredients,
                has_parameters,
                redacted: params.and_then(|p| field(p, "redacted")).cloned(),
            }
        })
        .collect())
}
