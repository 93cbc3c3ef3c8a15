//! `c2pa.hash.multi-asset` (C2PA 2.2 §18.9, validated per §15.12.4): when the hard binding of
//! a multi-part asset (an image with a gain map or a motion-photo video after it) does not
//! match, each part is checked on its own with the `.part` hash assertion it names.
//!
//! A part is a byte range (`byteOffset`, `length`) or the payload of an ISO BMFF box (`bmffBox`
//! XPath). Located parts must follow each other from the first byte of the asset to the last;
//! a part that is absent (its range past the end of the asset, its box missing) is skipped when
//! `optional`, else `assertion.multiAssetHash.missingPart` — §15.12.4 calls a range beyond the
//! asset malformed before it speaks of missing parts; reading it as missing is what lets an
//! optional trailing part be removed. Each part is then hashed as an asset of its own (offsets
//! from the part's start) by its data hash, box hash (the part's format read from its first
//! bytes) or BMFF hash.

use core::ops::Range;

use ciborium::Value;
use signet_c2pa_model::Manifest;
use signet_c2pa_model::container::Format;
use signet_c2pa_model::hashed_uri::HashedUri;

use super::{Asset, Codes, HashProvider, Window, asset_len, bmff, boxes, data_hash};
use crate::assertion::{self, base_label, field, hash_alg, resolve_in};
use crate::digest::{UriDigests, UriHash};
use crate::limits::Limits;
use crate::status::{StatusCode, StatusKind};

/// What the multi-asset check needs besides the asset.
pub(crate) struct Context<'a, 's> {
    pub(crate) digests: &'a UriDigests<'s>,
    pub(crate) manifest: &'a Manifest<'s>,
    pub(crate) claim_alg: Option<&'a str>,
    pub(crate) format: Option<Format>,
    pub(crate) store_ranges: &'a [Range<u64>],
    pub(crate) limits: &'a Limits,
    pub(crate) hashes: &'a dyn HashProvider,
}

fn malformed(why: impl Into<String>) -> Codes {
    vec![(StatusCode::AssertionMultiAssetHashMalformed, why.into())]
}

fn mismatch(why: impl Into<String>) -> Codes {
    vec![(StatusCode::AssertionMultiAssetHashMismatch, why.into())]
}

/// One part, as the assertion describes it.
struct Part {
    located: Option<Range<u64>>,
    optional: bool,
    hash_assertion: HashedUri,
}

fn uint(v: &Value, k: &str) -> Option<Result<u64, ()>> {
    field(v, k).map(|x| x.as_integer().and_then(|i| u64::try_from(i).ok()).ok_or(()))
}

/// Validates the multi-asset hash assertion `value`.
pub(crate) fn multi_asset(cx: &Context<'_, '_>, value: &Value, asset: &mut dyn Asset) -> Codes {
    let len = match asset_len(asset) {
        Ok(l) => l,
        Err(e) => return mismatch(format!("reading the asset: {e}")),
    };
    let Some(items) = field(value, "parts")
        .and_then(Value::as_array)
        .filter(|a| !a.is_empty())
    else {
        return malformed("no parts");
    };
    if items.len() > cx.limits.max_exclusions {
        return malformed("more parts than the validator's limit");
    }
    let mut parts = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        let Some(location) = field(item, "location") else {
            return malformed(format!("part {i} has no location"));
        };
        let Some(hash_assertion) =
            field(item, "hashAssertion").and_then(|h| HashedUri::from_value(h).ok())
        else {
            return malformed(format!("part {i} has no valid hashAssertion"));
        };
        let optional = field(item, "optional").and_then(Value::as_bool) == Some(true);
        let byte_range = (uint(location, "byteOffset"), uint(location, "length"));
        let bmff_box = field(location, "bmffBox");
        let located = match (byte_range, bmff_box) {
            ((Some(Ok(offset)), Some(Ok(length))), None) => {
                let Some(end) = offset.checked_add(length) else {
                    return malformed(format!("part {i}: byteOffset + length overflows"));
                };
                (end <= len).then_some(offset..end)
            }
            ((None, None), Some(xpath)) => {
                let Some(xpath) = xpath.as_text() else {
                    return malformed(format!("part {i}: bmffBox is not text"));
                };
                if cx.format == Some(Format::Bmff) {
                    match bmff::find_box(asset, xpath, cx.limits) {
                        Ok(r) => r,
                        Err(why) => return mismatch(format!("part {i}: {why}")),
                    }
                } else {
                    None
                }
            }
            _ => {
                return malformed(format!(
                    "part {i}: the location is neither a byteOffset and length nor a bmffBox"
                ));
            }
        };
        parts.push(Part {
            located,
            optional,
            hash_assertion,
        });
    }
    // Absent parts.
    if let Some(i) = parts
        .iter()
        .position(|p| p.located.is_none() && !p.optional)
    {
        return vec![(
            StatusCode::AssertionMultiAssetHashMissingPart,
            format!("part {i} is not in the asset and is not optional"),
        )];
    }
    let located: Vec<(usize, &Part, Range<u64>)> = parts
        .iter()
        .enumerate()
        .filter_map(|(i, p)| p.located.clone().map(|r| (i, p, r)))
        .collect();
    // Contiguous, in order, covering the asset.
    let mut at = 0u64;
    for (i, _, r) in &located {
        if r.start != at {
            return malformed(format!(
                "part {i} starts at {} where the previous part ended at {at}: parts must be \
                 contiguous, in order and cover the asset",
                r.start
            ));
        }
        at = r.end;
    }
    if at != len {
        return malformed(format!(
            "the parts end at {at}, the asset at {len}: parts must cover every byte"
        ));
    }
    for (i, part, range) in located {
        if let Err(codes) = check_part(cx, i, part, &range, asset) {
            return codes;
        }
    }
    vec![(
        StatusCode::AssertionMultiAssetHashMatch,
        "every part matches its hash assertion".to_owned(),
    )]
}

fn check_part(
    cx: &Context<'_, '_>,
    i: usize,
    part: &Part,
    range: &Range<u64>,
    asset: &mut dyn Asset,
) -> Result<(), Codes> {
    let h = &part.hash_assertion;
    let node = resolve_in(cx.manifest, &h.url)
        .map_err(|_| malformed(format!("part {i}: hashAssertion {} not found", h.url)))?;
    let label = node.label().unwrap_or_default();
    let kind = base_label(label)
        .strip_suffix(".part")
        .ok_or_else(|| malformed(format!("part {i}: {label} is not a .part hash assertion")))?;
    let alg = hash_alg(h.alg.as_deref(), None, cx.claim_alg).ok_or_else(|| {
        vec![(
            StatusCode::AlgorithmUnsupported,
            format!("part {i}: hashAssertion without a supported hash algorithm"),
        )]
    })?;
    match cx.digests.check(node, alg, &h.hash) {
        UriHash::Match => {}
        UriHash::Mismatch => {
            return Err(mismatch(format!(
                "part {i}: {label} does not match the hash in hashAssertion"
            )));
        }
        UriHash::OverBudget => {
            return Err(vec![(
                StatusCode::GeneralError,
                format!("part {i}: {}", cx.digests.over_budget(&h.url)),
            )]);
        }
    }
    let value = assertion::cbor_value(cx.digests.store(), node)
        .map_err(|e| malformed(format!("part {i}: {label}: {e}")))?;
    // The store's ranges inside this part, from the part's start.
    let store_ranges: Vec<Range<u64>> = cx
        .store_ranges
        .iter()
        .filter(|s| s.start < range.end && range.start < s.end)
        .map(|s| s.start.max(range.start) - range.start..s.end.min(range.end) - range.start)
        .collect();
    let mut window = Window::new(asset, range)
        .map_err(|e| mismatch(format!("part {i}: reading the asset: {e}")))?;
    let part_alg = crate::manifest::binding_alg(&value, cx.claim_alg);
    let codes = match kind {
        "c2pa.hash.data" => data_hash(
            &value,
            part_alg,
            &mut window,
            &store_ranges,
            false,
            cx.limits.max_exclusions,
            cx.hashes,
        ),
        "c2pa.hash.boxes" => {
            let format = sniff(&mut window).or(if range.start == 0 { cx.format } else { None });
            boxes::box_hash(
                &value,
                cx.claim_alg,
                format,
                &mut window,
                &store_ranges,
                cx.limits,
                cx.hashes,
            )
        }
        "c2pa.hash.bmff.v2" | "c2pa.hash.bmff.v3" => {
            bmff::bmff_hash(&value, part_alg, &mut window, cx.limits, cx.hashes)
        }
        other => {
            return Err(malformed(format!(
                "part {i}: {other}.part is not a data, box or BMFF hash"
            )));
        }
    };
    match codes.iter().find(|(c, _)| c.kind() == StatusKind::Failure) {
        Some((code, why)) => Err(mismatch(format!("part {i} ({label}): {code}: {why}"))),
        None => Ok(()),
    }
}

/// A part's format from its first bytes.
fn sniff(asset: &mut dyn Asset) -> Option<Format> {
    let mut head = [0u8; 12];
    boxes::read_at(asset, 0, &mut head).ok()?;
    Some(match head {
        [0xFF, 0xD8, ..] => Format::Jpeg,
        [0x89, b'P', b'N', b'G', ..] => Format::Png,
        [b'G', b'I', b'F', b'8', ..] => Format::Gif,
        [b'R', b'I', b'F', b'F', ..] => Format::Riff,
        [0, 0, 0, 0x0C, b'J', b'X', b'L', b' ', ..] => Format::Jxl,
        [_, _, _, _, b'f', b't', b'y', b'p', ..] => Format::Bmff,
        [0, 1, 0, 0, ..] | [b'O', b'T', b'T', b'O', ..] | [b't', b'r', b'u', b'e', ..] => {
            Format::Font
        }
        _ => return None,
    })
}
