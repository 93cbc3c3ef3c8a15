//! SVG: the manifest store Base64-encoded as the text of a `c2pa:manifest` element in the
//! `metadata` element (C2PA 2.2 §A.3.3).
//!
//! ```text
//! <svg ... xmlns:c2pa="http://c2pa.org/manifest"><metadata><c2pa:manifest>BASE64</c2pa:manifest>
//! ```
//! The locator streams the file looking for the element; it does not parse XML beyond that
//! (the element's text is the store whatever the surrounding markup).

use std::io::Read;

use super::{ContainerLimits, Counting, Format, Located};
use crate::error::ContainerError;

/// The start of the element's start tag (attributes, such as a namespace declaration, may
/// follow before its `>`).
pub const START: &[u8] = b"<c2pa:manifest";
/// The element's end tag.
pub const END: &[u8] = b"</c2pa:manifest>";

/// Base64 (RFC 4648 §4, with padding) of `data`.
pub fn base64(data: &[u8]) -> Vec<u8> {
    const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let sym = |i: u32| {
        A.get(usize::try_from(i & 63).unwrap_or(0))
            .copied()
            .unwrap_or(b'=')
    };
    let mut out = Vec::with_capacity(data.len().div_ceil(3).saturating_mul(4));
    for chunk in data.chunks(3) {
        let b = |i: usize| u32::from(chunk.get(i).copied().unwrap_or(0));
        let n = (b(0) << 16) | (b(1) << 8) | b(2);
        out.push(sym(n >> 18));
        out.push(sym(n >> 12));
        out.push(if chunk.len() > 1 { sym(n >> 6) } else { b'=' });
        out.push(if chunk.len() > 2 { sym(n) } else { b'=' });
    }
    out
}

/// Decodes Base64 text, ignoring XML whitespace; `None` on any other bad symbol.
pub fn unbase64(text: &[u8]) -> Option<Vec<u8>> {
    let val = |c: u8| -> Option<u32> {
        Some(u32::from(match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return None,
        }))
    };
    let symbols: Vec<u8> = text
        .iter()
        .copied()
        .filter(|c| !matches!(c, b' ' | b'\t' | b'\r' | b'\n'))
        .collect();
    let trimmed = symbols
        .strip_suffix(b"==")
        .or_else(|| symbols.strip_suffix(b"="));
    let body = trimmed.unwrap_or(&symbols);
    if !symbols.len().is_multiple_of(4) {
        return None;
    }
    let mut out = Vec::with_capacity(body.len().saturating_mul(3) / 4);
    for chunk in body.chunks(4) {
        let mut n = 0u32;
        for (i, c) in chunk.iter().enumerate() {
            n |= val(*c)? << (18 - 6 * u32::try_from(i).ok()?);
        }
        let bytes = n.to_be_bytes();
        out.extend_from_slice(bytes.get(1..chunk.len()).unwrap_or_default());
    }
    Some(out)
}

/// Finds `needle` in the stream; returns the offset just past it, or `None` at the end.
pub(crate) fn find<R: Read>(
    r: &mut Counting<R>,
    needle: &[u8],
) -> Result<Option<u64>, ContainerError> {
    let mut matched = 0usize;
    while let Some(b) = r.byte()? {
        if needle.get(matched) == Some(&b) {
            matched = matched.saturating_add(1);
            if matched == needle.len() {
                return Ok(Some(r.pos));
            }
        } else {
            matched = usize::from(needle.first() == Some(&b));
        }
    }
    Ok(None)
}

/// Finds the next `c2pa:manifest` start tag; returns the offset of its text (just past `>`).
pub(crate) fn find_element<R: Read>(r: &mut Counting<R>) -> Result<Option<u64>, ContainerError> {
    while find(r, START)?.is_some() {
        let Some(c) = r.byte()? else { return Ok(None) };
        if c == b'>' {
            return Ok(Some(r.pos));
        }
        if !c.is_ascii_whitespace() {
            continue; // another element whose name starts the same way
        }
        let mut quote: Option<u8> = None;
        let mut read = 0usize;
        loop {
            let c = r
                .byte()?
                .ok_or(ContainerError::Truncated { offset: r.pos })?;
            read = read.saturating_add(1);
            if read > 4096 {
                return Err(ContainerError::Malformed {
                    offset: r.pos,
                    what: "c2pa:manifest start tag too long",
                });
            }
            match (quote, c) {
                (Some(q), c) if c == q => quote = None,
                (Some(_), _) => {}
                (None, b'"' | b'\'') => quote = Some(c),
                (None, b'>') => return Ok(Some(r.pos)),
                (None, _) => {}
            }
        }
    }
    Ok(None)
}

/// Finds the manifest store in an SVG. `Ok(None)` when there is none.
pub fn locate<R: Read>(
    reader: R,
    limits: &ContainerLimits,
) -> Result<Option<Located>, ContainerError> {
    let mut r = Counting::new(reader);
    let Some(text_start) = find_element(&mut r)? else {
        return Ok(None);
    };
    // Base64 text up to the end tag, bounded by the store limit (4/3 of it, plus whitespace).
    let bound = limits.max_store_size.saturating_mul(2);
    let mut text = Vec::new();
    loop {
        let b = r
            .byte()?
            .ok_or(ContainerError::Truncated { offset: r.pos })?;
        text.push(b);
        if text.ends_with(END) {
            text.truncate(text.len().saturating_sub(END.len()));
            break;
        }
        if text.len() > bound {
            return Err(ContainerError::StoreTooLarge {
                limit: limits.max_store_size,
            });
        }
    }
    let text_end = text_start.saturating_add(u64::try_from(text.len()).unwrap_or(u64::MAX));
    let store = unbase64(&text).ok_or(ContainerError::Malformed {
        offset: text_start,
        what: "c2pa:manifest text is not Base64",
    })?;
    if find_element(&mut r)?.is_some() {
        return Err(ContainerError::MultipleStores);
    }
    Ok(Some(Located {
        format: Format::Svg,
        store,
        ranges: core::iter::once(text_start..text_end).collect(),
    }))
}
