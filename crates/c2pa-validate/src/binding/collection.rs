//! `c2pa.hash.collection.data` (C2PA 2.2 §18.8, validated per §15.12.5): a manifest that binds
//! a collection of files by URI and hash.
//!
//! The validator reads no files: the members come through the caller's [`CollectionSource`]
//! (the `signet` binary resolves them relative to the manifest's location). URIs are checked
//! before use: a `.` or `..` segment, an absolute path or a scheme is
//! `assertion.collectionHash.invalidURI`. A member the source cannot supply makes the count
//! wrong (`assertion.collectionHash.incorrectFileCount`). The ZIP central directory hash of
//! §15.12.5.2 binds a ZIP file, which this validator does not read: a collection that carries
//! one is a mismatch, never silently accepted.

use ciborium::Value;
use signet_c2pa_model::HashAlg;

use super::{Asset, Codes, HashProvider, asset_len, hash_range};
use crate::assertion::field;
use crate::status::StatusCode;

/// Where the members of a collection come from.
pub trait CollectionSource: Sync {
    /// The member at `uri` (relative to the manifest's location, already checked to be a plain
    /// relative path), or `None` when there is no such member.
    fn open(&self, uri: &str) -> Option<Box<dyn Asset + '_>>;
}

/// True when `uri` is a relative path without `.`/`..` segments (also percent-encoded), scheme,
/// leading slash, empty segment or encoded separator (§15.12.5.1).
pub fn is_safe_relative_uri(uri: &str) -> bool {
    let lower = uri.to_ascii_lowercase();
    let scheme = uri
        .split_once(':')
        .is_some_and(|(s, _)| !s.contains('/') && !s.is_empty());
    !uri.is_empty()
        && !scheme
        && !uri.starts_with(['/', '\\'])
        && !lower.contains("%2f")
        && !lower.contains("%5c")
        && lower.split(['/', '\\']).all(|seg| {
            let seg = seg.replace("%2e", ".");
            seg != "." && seg != ".." && !seg.is_empty()
        })
}

fn malformed(why: impl Into<String>) -> Codes {
    vec![(StatusCode::AssertionCollectionHashMalformed, why.into())]
}

/// `c2pa.hash.collection.data` (§15.12.5).
pub(crate) fn collection_hash(
    value: &Value,
    source: Option<&dyn CollectionSource>,
    max_members: usize,
    hashes: &dyn HashProvider,
) -> Codes {
    let Some(uris) = field(value, "uris").and_then(Value::as_array) else {
        return malformed("collection data hash without a uris array");
    };
    if uris.is_empty() {
        return malformed("collection data hash with an empty uris array");
    }
    if uris.len() > max_members {
        return malformed("more collection members than the validator's limit");
    }
    let Some(alg_name) = field(value, "alg").and_then(Value::as_text) else {
        return malformed("collection data hash without alg (§15.12.5.1: there is no default)");
    };
    let Some(alg) = HashAlg::from_name(alg_name) else {
        return vec![(
            StatusCode::AlgorithmUnsupported,
            format!("collection hash algorithm {alg_name} is not on the C2PA 2.2 §13.1 list"),
        )];
    };
    let mut members = Vec::with_capacity(uris.len());
    for (i, m) in uris.iter().enumerate() {
        let (Some(uri), Some(hash)) = (
            field(m, "uri").and_then(Value::as_text),
            field(m, "hash").and_then(Value::as_bytes),
        ) else {
            return malformed(format!("member {i} lacks a uri or a hash"));
        };
        if !is_safe_relative_uri(uri) {
            return vec![(
                StatusCode::AssertionCollectionHashInvalidUri,
                format!("member {i}: {uri} is not a plain relative path (no ., .., / or scheme)"),
            )];
        }
        members.push((uri, hash));
    }
    if field(value, "zip_central_directory_hash").is_some() {
        return vec![(
            StatusCode::AssertionCollectionHashMismatch,
            "zip_central_directory_hash binds a ZIP central directory, which this validator \
             does not read (§15.12.5.2)"
                .to_owned(),
        )];
    }
    let mut missing = Vec::new();
    for (uri, expected) in members {
        let Some(mut member) = source.and_then(|s| s.open(uri)) else {
            missing.push(uri);
            continue;
        };
        let mut hasher = hashes.start(alg);
        let digest = asset_len(member.as_mut())
            .and_then(|len| hash_range(member.as_mut(), 0, len, &mut hasher))
            .map(|()| hasher.finish());
        match digest {
            Ok(d) if d == *expected => {}
            Ok(_) => {
                return vec![(
                    StatusCode::AssertionCollectionHashMismatch,
                    format!("{uri} does not match its hash"),
                )];
            }
            Err(e) => {
                return vec![(
                    StatusCode::AssertionCollectionHashMismatch,
                    format!("{uri}: reading failed: {e}"),
                )];
            }
        }
    }
    if let Some(first) = missing.first() {
        let why = if source.is_none() {
            "no collection source was given to the validator".to_owned()
        } else {
            format!("{first} not found")
        };
        return vec![(
            StatusCode::AssertionCollectionHashIncorrectFileCount,
            format!(
                "{} of the listed files cannot be read: {why}",
                missing.len()
            ),
        )];
    }
    vec![(
        StatusCode::AssertionCollectionHashMatch,
        "every file of the collection matches its hash".to_owned(),
    )]
}
