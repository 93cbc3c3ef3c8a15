//! The direct claim reader: a claim map read in place from its scanned bytes, its hashed-URI
//! arrays straight into [`HashedUri`]s (no `Value` tree for the part that can hold 10,000
//! entries), its other fields decoded one by one.
//!
//! It only reads what it can read exactly as the general path would, and returns `None` for
//! anything else — an indefinite length, a field twice or `null`, a wrong type, a missing
//! field — so the general path decides those, errors included. Callers scan the bytes first:
//! every length here is known to fit.

use ciborium::Value;

use super::{Claim, ClaimVersion};
use crate::cbor::{self, Limits, Map};
use crate::hashed_uri::HashedUri;

/// Major types (RFC 8949 §3.1).
const BYTES: u8 = 2;
const TEXT: u8 = 3;
const ARRAY: u8 = 4;
const MAP: u8 = 5;

/// Reads `bytes` (one scanned claim map, nothing after it) as a claim, or `None` when the
/// general path must.
pub(super) fn decode(bytes: &[u8], version: ClaimVersion, limits: &Limits) -> Option<Claim> {
    let mut r = Reader { bytes, pos: 0 };
    let count = r.definite(MAP)?;
    let created_key = version.created_key();
    let mut created = None;
    let mut gathered = None;
    let mut entries = Vec::new();
    for _ in 0..count {
        let Some(key) = r.text() else {
            // Not a text key: kept with the unknown entries.
            let key = r.value(limits)?;
            let value = r.value(limits)?;
            entries.push((key, value));
            continue;
        };
        let slot = if key == created_key {
            &mut created
        } else if key == "gathered_assertions" {
            &mut gathered
        } else {
            let value = r.value(limits)?;
            entries.push((Value::Text(key.to_owned()), value));
            continue;
        };
        if slot.is_some() {
            return None;
        }
        *slot = Some(r.uris(limits)?);
    }
    if r.pos != bytes.len() {
        return None;
    }
    Claim::from_map(
        Map::from_entries(&entries),
        version,
        created.unwrap_or_default(),
        gathered.unwrap_or_default(),
    )
    .ok()
}

/// A position in scanned CBOR.
struct Reader<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    /// The argument of a definite-length item of major type `major`.
    fn definite(&mut self, major: u8) -> Option<usize> {
        let (m, info, arg, len) = cbor::head(self.bytes, self.pos).ok()?;
        if m != major || info == 31 {
            return None;
        }
        self.pos = self.pos.checked_add(len)?;
        usize::try_from(arg).ok()
    }

    /// The content of a definite-length byte or text string.
    fn string(&mut self, major: u8) -> Option<&'a [u8]> {
        let len = self.definite(major)?;
        let end = self.pos.checked_add(len)?;
        let s = self.bytes.get(self.pos..end)?;
        self.pos = end;
        Some(s)
    }

    /// A definite-length text string; the position is unchanged when the next item is not one.
    fn text(&mut self) -> Option<&'a str> {
        let start = self.pos;
        let text = self.string(TEXT).and_then(|s| core::str::from_utf8(s).ok());
        if text.is_none() {
            self.pos = start;
        }
        text
    }

    /// The next item, whatever it is, decoded.
    fn value(&mut self, limits: &Limits) -> Option<Value> {
        let rest = self.bytes.get(self.pos..)?;
        let len = cbor::scan(rest, limits).ok()?;
        let value = cbor::decode_scanned(rest.get(..len)?, limits).ok()?;
        self.pos = self.pos.checked_add(len)?;
        Some(value)
    }

    /// Steps over the next item.
    fn skip(&mut self, limits: &Limits) -> Option<()> {
        let len = cbor::scan(self.bytes.get(self.pos..)?, limits).ok()?;
        self.pos = self.pos.checked_add(len)?;
        Some(())
    }

    /// An array of hashed-uri-maps.
    fn uris(&mut self, limits: &Limits) -> Option<Vec<HashedUri>> {
        let count = self.definite(ARRAY)?;
        // The scan checked that every item fits in the bytes left (one byte each at least).
        let mut uris = Vec::with_capacity(count.min(self.bytes.len()));
        for _ in 0..count {
            uris.push(self.uri(limits)?);
        }
        Some(uris)
    }

    /// A hashed-uri-map with `url`, `hash` and perhaps `alg` (other keys skipped, as
    /// [`HashedUri::from_value`] ignores them).
    fn uri(&mut self, limits: &Limits) -> Option<HashedUri> {
        let count = self.definite(MAP)?;
        let (mut url, mut alg, mut hash) = (None, None, None);
        for _ in 0..count {
            // Keys compared as bytes: the scan checked that every text string is UTF-8.
            match self.string(TEXT)? {
                b"url" => once(&mut url, self.text()?)?,
                b"alg" => once(&mut alg, self.text()?)?,
                b"hash" => once(&mut hash, self.string(BYTES)?)?,
                _ => self.skip(limits)?,
            }
        }
        Some(HashedUri {
            url: url?.to_owned(),
            alg: alg.map(str::to_owned),
            hash: hash?.to_vec(),
        })
    }
}

/// Sets a field read for the first time; `None` for a second one.
fn once<T>(slot: &mut Option<T>, value: T) -> Option<()> {
    if slot.is_some() {
        return None;
    }
    *slot = Some(value);
    Some(())
}

#[cfg(test)]
mod tests;
