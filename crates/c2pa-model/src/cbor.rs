//! Bounded CBOR decoding helpers over `ciborium::Value`.
//!
//! C2PA structures are small CBOR maps; decoding into a `Value` with a recursion limit and then
//! extracting fields by name gives precise errors ("field `instanceID` is not a text string")
//! and never trusts attacker-controlled nesting.

use ciborium::Value;

use crate::error::CborError;

/// Deepest CBOR nesting accepted. C2PA claims and assertions nest a handful of levels (actions →
/// parameters → ingredients → hashed URI); 64 leaves room for custom metadata while bounding the
/// decoder's recursion.
pub const MAX_CBOR_DEPTH: usize = 64;

/// Decodes one CBOR item occupying all of `bytes`.
pub fn decode(bytes: &[u8]) -> Result<Value, CborError> {
    let mut reader = bytes;
    let value: Value = ciborium::de::from_reader_with_recursion_limit(&mut reader, MAX_CBOR_DEPTH)
        .map_err(|e| CborError::Invalid {
            detail: e.to_string(),
        })?;
    if !reader.is_empty() {
        return Err(CborError::TrailingData {
            remaining: reader.len(),
        });
    }
    Ok(value)
}

/// Encodes a value (deterministically for maps built in canonical order by the caller).
pub fn encode(value: &Value) -> Result<Vec<u8>, CborError> {
    let mut out = Vec::new();
    ciborium::ser::into_writer(value, &mut out).map_err(|e| CborError::Invalid {
        detail: e.to_string(),
    })?;
    Ok(out)
}

/// A CBOR map viewed as text-keyed fields.
#[derive(Debug, Clone, Copy)]
pub struct Map<'a> {
    entries: &'a [(Value, Value)],
}

impl<'a> Map<'a> {
    /// Views `value` as a map.
    pub fn new(value: &'a Value, what: &'static str) -> Result<Self, CborError> {
        match value {
            Value::Map(entries) => Ok(Self { entries }),
            _ => Err(CborError::WrongType {
                field: what,
                expected: "map",
            }),
        }
    }

    /// The value under text key `key`.
    pub fn get(&self, key: &str) -> Option<&'a Value> {
        self.entries.iter().find_map(|(k, v)| match k {
            Value::Text(t) if t == key => Some(v),
            _ => None,
        })
    }

    /// All text keys, in encoded order.
    pub fn keys(&self) -> impl Iterator<Item = &'a str> {
        self.entries.iter().filter_map(|(k, _)| k.as_text())
    }

    /// A required text field.
    pub fn text(&self, key: &'static str) -> Result<&'a str, CborError> {
        self.opt_text(key)?.ok_or(CborError::Missing { field: key })
    }

    /// An optional text field.
    pub fn opt_text(&self, key: &'static str) -> Result<Option<&'a str>, CborError> {
        match self.get(key) {
            None => Ok(None),
            Some(Value::Text(t)) => Ok(Some(t.as_str())),
            Some(_) => Err(CborError::WrongType {
                field: key,
                expected: "text string",
            }),
        }
    }

    /// An optional byte-string field.
    pub fn opt_bytes(&self, key: &'static str) -> Result<Option<&'a [u8]>, CborError> {
        match self.get(key) {
            None => Ok(None),
            Some(Value::Bytes(b)) => Ok(Some(b.as_slice())),
            Some(_) => Err(CborError::WrongType {
                field: key,
                expected: "byte string",
            }),
        }
    }

    /// An optional array field.
    pub fn opt_array(&self, key: &'static str) -> Result<Option<&'a [Value]>, CborError> {
        match self.get(key) {
            None => Ok(None),
            Some(Value::Array(a)) => Ok(Some(a.as_slice())),
            Some(_) => Err(CborError::WrongType {
                field: key,
                expected: "array",
            }),
        }
    }

    /// An optional map field.
    pub fn opt_map(&self, key: &'static str) -> Result<Option<Map<'a>>, CborError> {
        self.get(key).map(|v| Map::new(v, key)).transpose()
    }

    /// An optional unsigned integer field.
    pub fn opt_u64(&self, key: &'static str) -> Result<Option<u64>, CborError> {
        match self.get(key) {
            None => Ok(None),
            Some(Value::Integer(i)) => {
                u64::try_from(*i)
                    .map(Some)
                    .map_err(|_| CborError::WrongType {
                        field: key,
                        expected: "unsigned integer",
                    })
            }
            Some(_) => Err(CborError::WrongType {
                field: key,
                expected: "unsigned integer",
            }),
        }
    }
}
