//! Bounded CBOR (RFC 8949) decoding and encoding helpers over `ciborium::Value`.
//!
//! Decoding is two-layered. [`scan`] first walks the encoded item iteratively — no recursion —
//! checking well-formedness (§3), that every declared length fits in the bytes that remain, the
//! nesting depth and the number of data items against [`Limits`]. Only then does `ciborium`
//! build the `Value` tree, so neither its recursion nor its allocations depend on anything the
//! scan has not bounded. C2PA structures are small CBOR maps; extracting fields by name through
//! [`Map`] gives precise errors ("field `instanceID` is not a text string").

use ciborium::Value;

use crate::error::CborError;

/// Deepest CBOR nesting accepted by default. C2PA claims and assertions nest a handful of levels
/// (actions → parameters → ingredients → hashed URI; ingredient → validationResults →
/// ingredientDeltas → status map); 64 leaves room for custom metadata.
pub const MAX_CBOR_DEPTH: usize = 64;

/// Bounds on attacker-controlled CBOR structure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Deepest nesting of arrays, maps and tags. Default [`MAX_CBOR_DEPTH`].
    pub max_depth: usize,
    /// Most data items (every integer, string, array, map, tag and simple value counts one).
    /// 262,144 is far above real assertions — a BMFF Merkle row for a 1 TiB file in 1 MiB leaves
    /// has about a million hashes only if written as its leaf row, which generators avoid — and
    /// bounds the decoded `Value` tree to tens of MiB whatever the input.
    pub max_items: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_depth: MAX_CBOR_DEPTH,
            max_items: 262_144,
        }
    }
}

/// How many more items an open container expects.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Open {
    /// A definite-length array, map (2 per entry) or tag (1): items still to come.
    Count(u64),
    /// An indefinite-length array or map, ended by a break.
    Indefinite,
    /// An indefinite-length byte (2) or text (3) string: definite chunks of that major type.
    Chunks(u8),
}

fn invalid(detail: &str, at: usize) -> CborError {
    CborError::Invalid {
        detail: format!("{detail} at offset {at}"),
    }
}

/// Reads an item head at `pos`: (major type, additional info, argument, head length).
pub(crate) fn head(bytes: &[u8], pos: usize) -> Result<(u8, u8, u64, usize), CborError> {
    let first = *bytes
        .get(pos)
        .ok_or_else(|| invalid("truncated item", pos))?;
    let (major, info) = (first >> 5, first & 0x1f);
    let extra: usize = match info {
        0..=23 => 0,
        24 => 1,
        25 => 2,
        26 => 4,
        27 => 8,
        31 => 0,
        _ => return Err(invalid("reserved additional information", pos)),
    };
    let arg = if info < 24 {
        u64::from(info)
    } else {
        let start = pos.saturating_add(1);
        let raw = bytes
            .get(start..start.saturating_add(extra))
            .ok_or_else(|| invalid("truncated item head", pos))?;
        raw.iter().fold(0u64, |acc, b| (acc << 8) | u64::from(*b))
    };
    Ok((major, info, arg, extra.saturating_add(1)))
}

/// Walks one CBOR data item starting at offset 0 and returns the offset just past it, checking
/// well-formedness, declared lengths and `limits` without building anything.
pub fn scan(bytes: &[u8], limits: &Limits) -> Result<usize, CborError> {
    let mut pos = 0usize;
    let mut stack: Vec<Open> = Vec::new();
    let mut items = 0usize;
    loop {
        let (major, info, arg, head_len) = head(bytes, pos)?;
        let at = pos;
        pos = pos.saturating_add(head_len);
        if major == 7 && info == 31 {
            // A break closes the innermost indefinite-length item.
            match stack.pop() {
                Some(Open::Indefinite | Open::Chunks(_)) => {}
                _ => return Err(invalid("unexpected break", at)),
            }
        } else {
            match stack.last_mut() {
                Some(Open::Count(n)) => *n = n.saturating_sub(1),
                Some(Open::Chunks(m)) if *m != major || info == 31 => {
                    return Err(invalid("bad chunk in an indefinite-length string", at));
                }
                _ => {}
            }
            items = items.saturating_add(1);
            if items > limits.max_items {
                return Err(CborError::TooManyItems {
                    limit: limits.max_items,
                });
            }
            let remaining = u64::try_from(bytes.len().saturating_sub(pos)).unwrap_or(u64::MAX);
            let open = match (major, info) {
                (0 | 1, 31) | (6, 31) => return Err(invalid("indefinite length on a scalar", at)),
                (0 | 1, _) => None,
                (2 | 3, 31) => Some(Open::Chunks(major)),
                (2 | 3, _) => {
                    if arg > remaining {
                        return Err(invalid("string longer than the data", at));
                    }
                    let end = pos.saturating_add(usize::try_from(arg).unwrap_or(usize::MAX));
                    // Text (a whole string, or each chunk of an indefinite one) is UTF-8
                    // (RFC 8949 §3.1), so a scan accepts what the decoder accepts.
                    let text = bytes.get(pos..end).unwrap_or_default();
                    // ASCII first: hashed-URI URLs and map keys, most of a claim's strings.
                    if major == 3 && !text.is_ascii() && core::str::from_utf8(text).is_err() {
                        return Err(invalid("text string is not UTF-8", at));
                    }
                    pos = end;
                    None
                }
                (4 | 5, 31) => Some(Open::Indefinite),
                (4 | 5, _) => {
                    let count = if major == 5 {
                        arg.checked_mul(2)
                            .ok_or_else(|| invalid("map too large", at))?
                    } else {
                        arg
                    };
                    // Every item takes at least one byte.
                    if count > remaining {
                        return Err(invalid("container longer than the data", at));
                    }
                    Some(Open::Count(count))
                }
                (6, _) => Some(Open::Count(1)),
                (7, 24) if arg < 32 => return Err(invalid("non-canonical simple value", at)),
                _ => None,
            };
            if let Some(open) = open {
                stack.push(open);
                if stack.len() > limits.max_depth {
                    return Err(CborError::TooDeep {
                        limit: limits.max_depth,
                    });
                }
            }
        }
        while let Some(Open::Count(0)) = stack.last() {
            stack.pop();
        }
        if stack.is_empty() {
            return Ok(pos);
        }
    }
}

/// Checks that `bytes` is one well-formed CBOR item (within the default [`Limits`]) without
/// decoding it: what [`decode`] would accept, at no allocation for its strings.
pub fn check(bytes: &[u8]) -> Result<(), CborError> {
    let end = scan(bytes, &Limits::default())?;
    if end != bytes.len() {
        return Err(CborError::TrailingData {
            remaining: bytes.len().saturating_sub(end),
        });
    }
    Ok(())
}

/// Decodes one CBOR item occupying all of `bytes`, within the default [`Limits`].
pub fn decode(bytes: &[u8]) -> Result<Value, CborError> {
    decode_with(bytes, &Limits::default())
}

/// Decodes one CBOR item occupying all of `bytes`, within `limits`.
pub fn decode_with(bytes: &[u8], limits: &Limits) -> Result<Value, CborError> {
    let end = scan(bytes, limits)?;
    if end != bytes.len() {
        return Err(CborError::TrailingData {
            remaining: bytes.len().saturating_sub(end),
        });
    }
    decode_scanned(bytes, limits)
}

/// Decodes `bytes`, which [`scan`] has already checked within `limits` to be exactly one item:
/// the tree is built without walking the bytes a second time.
pub(crate) fn decode_scanned(bytes: &[u8], limits: &Limits) -> Result<Value, CborError> {
    let mut reader = bytes;
    // The scan bounded the depth; ciborium counts tags and containers alike, so give it one more.
    ciborium::de::from_reader_with_recursion_limit(&mut reader, limits.max_depth.saturating_add(1))
        .map_err(|e| CborError::Invalid {
            detail: e.to_string(),
        })
}

/// Encodes a value. Maps keep the order of their entries: build them with [`canonical_map`] for
/// Core Deterministic Encoding order.
pub fn encode(value: &Value) -> Result<Vec<u8>, CborError> {
    let mut out = Vec::new();
    ciborium::ser::into_writer(value, &mut out).map_err(|e| CborError::Invalid {
        detail: e.to_string(),
    })?;
    Ok(out)
}

/// Builds a CBOR map with its keys in Core Deterministic Encoding order (RFC 8949 §4.2.1:
/// bytewise lexicographic order of the encoded keys — for text keys, shorter first).
pub fn canonical_map(mut entries: Vec<(&str, Value)>) -> Value {
    entries.sort_by(|(a, _), (b, _)| {
        a.len()
            .cmp(&b.len())
            .then_with(|| a.as_bytes().cmp(b.as_bytes()))
    });
    Value::Map(
        entries
            .into_iter()
            .map(|(k, v)| (Value::Text(k.to_owned()), v))
            .collect(),
    )
}

/// A text value.
pub fn text(s: impl Into<String>) -> Value {
    Value::Text(s.into())
}

/// An unsigned integer value.
pub fn uint(n: u64) -> Value {
    Value::Integer(n.into())
}

/// Builds a text-keyed map in canonical order from known fields (skipping `None`s) followed by
/// the entries a decoder did not recognise (kept so a re-encoding loses nothing).
pub fn map_with_other(known: Vec<(&str, Option<Value>)>, other: &[(Value, Value)]) -> Value {
    let present = known
        .into_iter()
        .filter_map(|(k, v)| v.map(|v| (k, v)))
        .collect();
    let Value::Map(mut entries) = canonical_map(present) else {
        return Value::Null;
    };
    entries.extend(other.iter().cloned());
    Value::Map(entries)
}

/// A CBOR map viewed as text-keyed fields. A field whose value is `null` counts as absent (older
/// c2pa-rs writers serialise absent options as `null`).
#[derive(Debug, Clone, Copy)]
pub struct Map<'a> {
    entries: &'a [(Value, Value)],
}

fn wrong(field: &'static str, expected: &'static str) -> CborError {
    CborError::WrongType { field, expected }
}

impl<'a> Map<'a> {
    /// Views `value` as a map.
    pub fn new(value: &'a Value, what: &'static str) -> Result<Self, CborError> {
        match value {
            Value::Map(entries) => Ok(Self { entries }),
            _ => Err(wrong(what, "map")),
        }
    }

    /// Views decoded map entries.
    pub(crate) fn from_entries(entries: &'a [(Value, Value)]) -> Self {
        Self { entries }
    }

    /// The value under text key `key` (`None` when absent or `null`).
    pub fn get(&self, key: &str) -> Option<&'a Value> {
        self.entries.iter().find_map(|(k, v)| match k {
            Value::Text(t) if t == key && !v.is_null() => Some(v),
            _ => None,
        })
    }

    /// All text keys, in encoded order.
    pub fn keys(&self) -> impl Iterator<Item = &'a str> {
        self.entries.iter().filter_map(|(k, _)| k.as_text())
    }

    /// The entries whose key is not one of `known` (non-text keys included), in encoded order.
    pub fn other(&self, known: &[&str]) -> Vec<(Value, Value)> {
        self.entries
            .iter()
            .filter(|(k, _)| k.as_text().is_none_or(|t| !known.contains(&t)))
            .cloned()
            .collect()
    }

    /// A required field of any type.
    pub fn required(&self, key: &'static str) -> Result<&'a Value, CborError> {
        self.get(key).ok_or(CborError::Missing { field: key })
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
            Some(_) => Err(wrong(key, "text string")),
        }
    }

    /// An optional text field, owned.
    pub fn opt_string(&self, key: &'static str) -> Result<Option<String>, CborError> {
        Ok(self.opt_text(key)?.map(str::to_owned))
    }

    /// A required byte-string field.
    pub fn bytes(&self, key: &'static str) -> Result<&'a [u8], CborError> {
        self.opt_bytes(key)?
            .ok_or(CborError::Missing { field: key })
    }

    /// An optional byte-string field.
    pub fn opt_bytes(&self, key: &'static str) -> Result<Option<&'a [u8]>, CborError> {
        match self.get(key) {
            None => Ok(None),
            Some(Value::Bytes(b)) => Ok(Some(b.as_slice())),
            Some(_) => Err(wrong(key, "byte string")),
        }
    }

    /// An optional byte-string field, owned.
    pub fn opt_byte_vec(&self, key: &'static str) -> Result<Option<Vec<u8>>, CborError> {
        Ok(self.opt_bytes(key)?.map(<[u8]>::to_vec))
    }

    /// An optional array field.
    pub fn opt_array(&self, key: &'static str) -> Result<Option<&'a [Value]>, CborError> {
        match self.get(key) {
            None => Ok(None),
            Some(Value::Array(a)) => Ok(Some(a.as_slice())),
            Some(_) => Err(wrong(key, "array")),
        }
    }

    /// A required array field.
    pub fn array(&self, key: &'static str) -> Result<&'a [Value], CborError> {
        self.opt_array(key)?
            .ok_or(CborError::Missing { field: key })
    }

    /// An optional array, each element decoded by `f`; absent is an empty vector.
    pub fn array_of<T>(
        &self,
        key: &'static str,
        f: impl Fn(&'a Value) -> Result<T, CborError>,
    ) -> Result<Vec<T>, CborError> {
        self.opt_array(key)?
            .unwrap_or_default()
            .iter()
            .map(f)
            .collect()
    }

    /// An optional array that, when present, has at least one element (CDDL `[1* …]`), each
    /// decoded by `f`; absent is an empty vector, present and empty is an error.
    pub fn nonempty_array_of<T>(
        &self,
        key: &'static str,
        expected: &'static str,
        f: impl Fn(&'a Value) -> Result<T, CborError>,
    ) -> Result<Vec<T>, CborError> {
        match self.opt_array(key)? {
            Some([]) => Err(wrong(key, expected)),
            items => items.unwrap_or_default().iter().map(f).collect(),
        }
    }

    /// An optional array of text strings.
    pub fn opt_text_array(&self, key: &'static str) -> Result<Option<Vec<String>>, CborError> {
        self.opt_array(key)?
            .map(|items| {
                items
                    .iter()
                    .map(|v| {
                        v.as_text()
                            .map(str::to_owned)
                            .ok_or(wrong(key, "array of text strings"))
                    })
                    .collect()
            })
            .transpose()
    }

    /// An optional array of byte strings.
    pub fn opt_bytes_array(&self, key: &'static str) -> Result<Option<Vec<Vec<u8>>>, CborError> {
        self.opt_array(key)?
            .map(|items| {
                items
                    .iter()
                    .map(|v| {
                        v.as_bytes()
                            .cloned()
                            .ok_or(wrong(key, "array of byte strings"))
                    })
                    .collect()
            })
            .transpose()
    }

    /// An optional map field.
    pub fn opt_map(&self, key: &'static str) -> Result<Option<Map<'a>>, CborError> {
        self.get(key).map(|v| Map::new(v, key)).transpose()
    }

    /// An optional boolean field.
    pub fn opt_bool(&self, key: &'static str) -> Result<Option<bool>, CborError> {
        match self.get(key) {
            None => Ok(None),
            Some(Value::Bool(b)) => Ok(Some(*b)),
            Some(_) => Err(wrong(key, "boolean")),
        }
    }

    /// A required unsigned integer field.
    pub fn u64(&self, key: &'static str) -> Result<u64, CborError> {
        self.opt_u64(key)?.ok_or(CborError::Missing { field: key })
    }

    /// An optional unsigned integer field.
    pub fn opt_u64(&self, key: &'static str) -> Result<Option<u64>, CborError> {
        self.get(key).map(|v| as_u64(v, key)).transpose()
    }

    /// An optional signed integer field (within `i64`).
    pub fn opt_i64(&self, key: &'static str) -> Result<Option<i64>, CborError> {
        match self.get(key) {
            None => Ok(None),
            Some(Value::Integer(i)) => i64::try_from(*i)
                .map(Some)
                .map_err(|_| wrong(key, "integer within 64 bits")),
            Some(_) => Err(wrong(key, "integer")),
        }
    }

    /// An optional date-time (`tdate`: tag 0 over RFC 3339 text; untagged text is accepted).
    pub fn opt_tdate(&self, key: &'static str) -> Result<Option<String>, CborError> {
        match self.get(key) {
            None => Ok(None),
            Some(Value::Text(t)) => Ok(Some(t.clone())),
            Some(Value::Tag(0, inner)) => match inner.as_ref() {
                Value::Text(t) => Ok(Some(t.clone())),
                _ => Err(wrong(key, "tdate (tag 0 text)")),
            },
            Some(_) => Err(wrong(key, "tdate (tag 0 text)")),
        }
    }
}

/// An unsigned integer value.
pub fn as_u64(value: &Value, field: &'static str) -> Result<u64, CborError> {
    match value {
        Value::Integer(i) => u64::try_from(*i).map_err(|_| wrong(field, "unsigned integer")),
        _ => Err(wrong(field, "unsigned integer")),
    }
}

/// The CBOR value of a JSON value: objects become text-keyed maps (in their order), arrays
/// arrays, integers integers, other numbers floats, and `null` CBOR `null`. For assertions a
/// caller describes in JSON (the SDK's manifest definitions do so).
pub fn from_json(json: &serde_json::Value) -> Value {
    match json {
        serde_json::Value::Null => Value::Null,
        serde_json::Value::Bool(b) => Value::Bool(*b),
        serde_json::Value::Number(n) => {
            if let Some(u) = n.as_u64() {
                Value::Integer(u.into())
            } else if let Some(i) = n.as_i64() {
                Value::Integer(i.into())
            } else {
                Value::Float(n.as_f64().unwrap_or(f64::NAN))
            }
        }
        serde_json::Value::String(s) => Value::Text(s.clone()),
        serde_json::Value::Array(a) => Value::Array(a.iter().map(from_json).collect()),
        serde_json::Value::Object(o) => Value::Map(
            o.iter()
                .map(|(k, v)| (Value::Text(k.clone()), from_json(v)))
                .collect(),
        ),
    }
}

/// A `tdate` value (tag 0 over RFC 3339 text).
pub fn tdate(s: &str) -> Value {
    Value::Tag(0, Box::new(Value::Text(s.to_owned())))
}

#[cfg(test)]
mod tests;
