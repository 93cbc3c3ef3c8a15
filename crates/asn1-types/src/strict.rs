//! Strict DER decoding for everything Signet receives, with hard limits.
//!
//! Three layers, in order:
//! 1. **Pre-scan** ([`scan`]): an iterative walk over the TLV structure (explicit stack, no
//!    recursion) that enforces [`Limits`] — size, nesting depth, elements per constructed value —
//!    before any typed decoder runs, so a 10,000-deep input is refused in microseconds. It also
//!    rejects what DER forbids and `der` 0.8 lets through or should never see: indefinite
//!    lengths, non-minimal lengths and tag numbers, non-minimal INTEGERs, BIT STRINGs with
//!    non-zero padding bits or an unused-bit count over 7, OID subidentifiers padded with 0x80,
//!    BOOLEANs other than 00/FF, and trailing data.
//! 2. **Typed decoding** with RustCrypto `der` 0.8.
//! 3. **Canonical check**: re-encode and compare with the input; the first differing byte is
//!    reported with its TLV path. This catches unsorted SET OF and explicitly encoded DEFAULT
//!    values, which `der` 0.8 accepts.
//!
//! **Tolerance list** (accepted although some encoders get it wrong, each on purpose):
//! - fractional seconds in CMP header `messageTime` (`YYYYMMDDHHMMSS.fffZ`): valid DER per X.690
//!   §11.7, sent by Bouncy Castle; [`crate::time::GeneralizedTimeFrac`] keeps the exact bytes.
//!
//! Nothing else is tolerated. Primitive checks in layer 1 apply to UNIVERSAL tags; implicitly
//! tagged primitives are checked by `der` (INTEGER minimality) or by the canonical comparison.

use core::fmt;
use core::ops::Range;

use der::{Decode, Encode};

use crate::cmp::PkiMessage;

/// Bounds on attacker-controlled DER input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Largest message accepted, in bytes. 1 MiB: a CMP message with a full chain in
    /// `extraCerts` and `caPubs` is a few kilobytes; RFC 9811 servers commonly cap bodies well
    /// below this.
    pub max_message_size: usize,
    /// Deepest nesting of constructed values. The deepest legitimate CMP structure (a nested
    /// message carrying a certificate with name constraints) stays under 40; 64 leaves margin.
    pub max_depth: usize,
    /// Most elements in one constructed value (SEQUENCE OF certificates, RDNs, extensions...).
    /// 1,024 is far above real messages (OpenSSL sends at most a few dozen) and bounds the
    /// allocation a single SEQUENCE OF can cause.
    pub max_elements: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_message_size: 1024 * 1024,
            max_depth: 64,
            max_elements: 1024,
        }
    }
}

/// Why strict decoding refused the input. Offsets are into the input; `path` names the TLVs
/// from the outermost value down to the offending one (e.g. `SEQUENCE > [1] > SEQUENCE#2`).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum StrictError {
    /// The input is larger than [`Limits::max_message_size`].
    TooLarge {
        /// Input size.
        size: usize,
        /// The limit.
        limit: usize,
    },
    /// Nesting exceeds [`Limits::max_depth`].
    TooDeep {
        /// Offset of the value that is too deep.
        offset: usize,
        /// The limit.
        limit: usize,
    },
    /// A constructed value has more than [`Limits::max_elements`] elements.
    TooManyElements {
        /// Offset of the constructed value.
        offset: usize,
        /// The limit.
        limit: usize,
    },
    /// A DER rule is broken.
    NotDer {
        /// Offset of the offending TLV.
        offset: usize,
        /// TLV path to it.
        path: String,
        /// Which rule.
        rule: DerRule,
    },
    /// The typed decoder refused the input.
    Decode {
        /// The decoder's message (names the field's tag and position).
        detail: String,
    },
    /// The input decoded but is not in canonical form (e.g. unsorted SET OF, encoded DEFAULT).
    NonCanonical {
        /// Offset of the first byte that differs from the canonical re-encoding.
        offset: usize,
        /// TLV path to it.
        path: String,
    },
}

/// The DER rules layer 1 enforces.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum DerRule {
    /// Data ends inside a TLV.
    Truncated,
    /// Bytes follow the outermost value.
    TrailingData,
    /// Indefinite length (BER only).
    IndefiniteLength,
    /// A length not in its shortest form.
    NonMinimalLength,
    /// A high tag number not in its shortest form.
    NonMinimalTag,
    /// An INTEGER with redundant leading bytes, or empty.
    NonMinimalInteger,
    /// A BIT STRING with more than 7 unused bits, or non-zero padding bits.
    BitStringPadding,
    /// An OID subidentifier starting with 0x80, or an unterminated OID.
    OidPadding,
    /// A BOOLEAN other than 0x00 / 0xFF, or not one byte.
    Boolean,
    /// A primitive encoding of a type DER requires constructed, or the reverse.
    Constructed,
}

impl fmt::Display for StrictError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::TooLarge { size, limit } => {
                write!(f, "message of {size} bytes exceeds the limit of {limit}")
            }
            Self::TooDeep { offset, limit } => {
                write!(f, "nesting deeper than {limit} at offset {offset}")
            }
            Self::TooManyElements { offset, limit } => {
                write!(
                    f,
                    "more than {limit} elements in the value at offset {offset}"
                )
            }
            Self::NotDer { offset, path, rule } => {
                write!(f, "not DER at offset {offset} ({path}): {rule:?}")
            }
            Self::Decode { detail } => write!(f, "decoding failed: {detail}"),
            Self::NonCanonical { offset, path } => {
                write!(
                    f,
                    "non-canonical encoding at offset {offset} ({path}): e.g. unsorted SET OF or an encoded DEFAULT"
                )
            }
        }
    }
}

impl std::error::Error for StrictError {}

/// One TLV header.
#[derive(Debug, Clone, Copy)]
struct Tlv {
    /// First identifier byte.
    first: u8,
    /// Tag number.
    number: u32,
    /// Offset of the value.
    value_start: usize,
    /// Offset just past the value.
    end: usize,
}

impl Tlv {
    fn constructed(&self) -> bool {
        self.first & 0x20 != 0
    }
    fn universal(&self) -> bool {
        self.first & 0xC0 == 0
    }
}

fn tag_name(t: &Tlv) -> String {
    let class = t.first & 0xC0;
    if class == 0x80 {
        return format!("[{}]", t.number);
    }
    if class != 0 {
        return format!("tag {:#04x}", t.first);
    }
    match t.number {
        1 => "BOOLEAN".into(),
        2 => "INTEGER".into(),
        3 => "BIT STRING".into(),
        4 => "OCTET STRING".into(),
        5 => "NULL".into(),
        6 => "OBJECT IDENTIFIER".into(),
        10 => "ENUMERATED".into(),
        12 => "UTF8String".into(),
        16 => "SEQUENCE".into(),
        17 => "SET".into(),
        19 => "PrintableString".into(),
        22 => "IA5String".into(),
        23 => "UTCTime".into(),
        24 => "GeneralizedTime".into(),
        n => format!("universal {n}"),
    }
}

/// Reads the TLV header at `at`, which must end by `limit`.
fn read_tlv(buf: &[u8], at: usize, limit: usize) -> Result<Tlv, (usize, DerRule)> {
    let byte = |i: usize| {
        buf.get(i)
            .copied()
            .filter(|_| i < limit)
            .ok_or((at, DerRule::Truncated))
    };
    let first = byte(at)?;
    let mut pos = at.saturating_add(1);
    let mut number = u32::from(first & 0x1F);
    if number == 0x1F {
        number = 0;
        let mut count = 0;
        loop {
            let b = byte(pos)?;
            if count == 0 && b == 0x80 {
                return Err((at, DerRule::NonMinimalTag));
            }
            number = number
                .checked_mul(128)
                .ok_or((at, DerRule::NonMinimalTag))?
                | u32::from(b & 0x7F);
            pos = pos.saturating_add(1);
            count += 1;
            if b & 0x80 == 0 {
                break;
            }
            if count > 4 {
                return Err((at, DerRule::NonMinimalTag));
            }
        }
        if number < 0x1F {
            return Err((at, DerRule::NonMinimalTag));
        }
    }
    let l0 = byte(pos)?;
    pos = pos.saturating_add(1);
    let len: usize = if l0 < 0x80 {
        usize::from(l0)
    } else if l0 == 0x80 {
        return Err((at, DerRule::IndefiniteLength));
    } else {
        let n = usize::from(l0 & 0x7F);
        if n > 4 {
            return Err((at, DerRule::NonMinimalLength));
        }
        let mut len = 0usize;
        for i in 0..n {
            let b = byte(pos.saturating_add(i))?;
            if i == 0 && b == 0 {
                return Err((at, DerRule::NonMinimalLength));
            }
            len = len.checked_mul(256).ok_or((at, DerRule::Truncated))? | usize::from(b);
        }
        if len < 0x80 {
            return Err((at, DerRule::NonMinimalLength));
        }
        pos = pos.saturating_add(n);
        len
    };
    let end = pos.checked_add(len).ok_or((at, DerRule::Truncated))?;
    if end > limit {
        return Err((at, DerRule::Truncated));
    }
    Ok(Tlv {
        first,
        number,
        value_start: pos,
        end,
    })
}

fn check_primitive(buf: &[u8], t: &Tlv) -> Option<DerRule> {
    if !t.universal() {
        return None;
    }
    let v = buf.get(t.value_start..t.end)?;
    // SEQUENCE and SET must be constructed; the string/scalar types below must be primitive.
    match (t.number, t.constructed()) {
        (16 | 17, false) => return Some(DerRule::Constructed),
        (1..=6 | 10 | 12 | 19 | 22 | 23 | 24, true) => return Some(DerRule::Constructed),
        _ => {}
    }
    match t.number {
        1 if v.len() != 1 || !matches!(v.first(), Some(0x00 | 0xFF)) => Some(DerRule::Boolean),
        2 | 10 => match v {
            [] => Some(DerRule::NonMinimalInteger),
            [0x00, b, ..] if *b < 0x80 => Some(DerRule::NonMinimalInteger),
            [0xFF, b, ..] if *b >= 0x80 => Some(DerRule::NonMinimalInteger),
            _ => None,
        },
        3 => match v {
            [] => Some(DerRule::BitStringPadding),
            [unused] if *unused != 0 => Some(DerRule::BitStringPadding),
            [unused, .., last] => {
                let mask = 1u16.checked_shl(u32::from(*unused)).map(|m| m - 1);
                match mask {
                    Some(m) if *unused <= 7 && u16::from(*last) & m == 0 => None,
                    _ => Some(DerRule::BitStringPadding),
                }
            }
            [_] => None,
        },
        6 => {
            let starts_padded = v.first() == Some(&0x80)
                || v.windows(2)
                    .any(|w| matches!(w, [prev, 0x80] if prev & 0x80 == 0));
            if v.is_empty() || starts_padded || v.last().is_some_and(|b| b & 0x80 != 0) {
                Some(DerRule::OidPadding)
            } else {
                None
            }
        }
        _ => None,
    }
}

/// Layer 1: the iterative structural scan. Returns the outermost TLV's value range.
pub fn scan(buf: &[u8], limits: &Limits) -> Result<Range<usize>, StrictError> {
    if buf.len() > limits.max_message_size {
        return Err(StrictError::TooLarge {
            size: buf.len(),
            limit: limits.max_message_size,
        });
    }
    let not_der = |offset: usize, rule: DerRule| StrictError::NotDer {
        offset,
        path: path_to(buf, offset),
        rule,
    };
    let top = read_tlv(buf, 0, buf.len()).map_err(|(o, r)| not_der(o, r))?;
    if top.end != buf.len() {
        return Err(not_der(top.end, DerRule::TrailingData));
    }
    // Stack of (cursor, end, elements so far) for open constructed values.
    let mut stack: Vec<(usize, usize, usize)> = Vec::new();
    let visit =
        |t: &Tlv, stack: &mut Vec<(usize, usize, usize)>, at: usize| -> Result<(), StrictError> {
            if t.constructed() {
                if stack.len() >= limits.max_depth {
                    return Err(StrictError::TooDeep {
                        offset: at,
                        limit: limits.max_depth,
                    });
                }
                stack.push((t.value_start, t.end, 0));
            } else if let Some(rule) = check_primitive(buf, t) {
                return Err(not_der(at, rule));
            }
            Ok(())
        };
    visit(&top, &mut stack, 0)?;
    while let Some((cursor, end, count)) = stack.last_mut() {
        if *cursor == *end {
            stack.pop();
            continue;
        }
        let at = *cursor;
        *count += 1;
        if *count > limits.max_elements {
            return Err(StrictError::TooManyElements {
                offset: at,
                limit: limits.max_elements,
            });
        }
        let child = read_tlv(buf, at, *end).map_err(|(o, r)| not_der(o, r))?;
        *cursor = child.end;
        visit(&child, &mut stack, at)?;
    }
    Ok(top.value_start..top.end)
}

/// The TLV path from the outermost value down to the one containing `offset`.
pub fn path_to(buf: &[u8], offset: usize) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut start = 0usize;
    let mut limit = buf.len();
    // Bounded by the input length: each step descends into a strictly smaller range.
    for _ in 0..buf.len().min(1024) {
        let mut at = start;
        let mut index = 0usize;
        let mut found = None;
        while at < limit {
            let Ok(t) = read_tlv(buf, at, limit) else {
                break;
            };
            if offset >= at && offset < t.end {
                found = Some((t, index));
                break;
            }
            at = t.end;
            index += 1;
        }
        let Some((t, index)) = found else { break };
        parts.push(if index == 0 && parts.is_empty() {
            tag_name(&t)
        } else {
            format!("{}#{index}", tag_name(&t))
        });
        if !t.constructed() || offset < t.value_start {
            break;
        }
        start = t.value_start;
        limit = t.end;
    }
    if parts.is_empty() {
        "top level".to_owned()
    } else {
        parts.join(" > ")
    }
}

/// Strictly decodes one value of type `T` (layers 1–3).
pub fn decode<T>(bytes: &[u8], limits: &Limits) -> Result<T, StrictError>
where
    T: for<'a> Decode<'a, Error = der::Error> + Encode,
{
    scan(bytes, limits)?;
    let value = T::from_der(bytes).map_err(|e| StrictError::Decode {
        detail: describe(bytes, &e),
    })?;
    let again = value.to_der().map_err(|e| StrictError::Decode {
        detail: e.to_string(),
    })?;
    if again != bytes {
        let offset = again
            .iter()
            .zip(bytes)
            .position(|(a, b)| a != b)
            .unwrap_or(again.len().min(bytes.len()));
        return Err(StrictError::NonCanonical {
            offset,
            path: path_to(bytes, offset),
        });
    }
    Ok(value)
}

fn describe(bytes: &[u8], e: &der::Error) -> String {
    match e.position() {
        Some(pos) => {
            // `der` reports the reader position after the offending value; its last byte names it.
            let offset = usize::try_from(u32::from(pos))
                .unwrap_or(0)
                .saturating_sub(1);
            format!("{} ({})", e.kind(), path_to(bytes, offset))
        }
        None => e.kind().to_string(),
    }
}

/// A strictly decoded `PKIMessage` with the exact bytes it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecodedMessage {
    /// The typed message.
    pub message: PkiMessage,
    raw: Vec<u8>,
    header: Range<usize>,
    body: Range<usize>,
}

impl DecodedMessage {
    /// The whole message as received.
    pub fn raw(&self) -> &[u8] {
        &self.raw
    }

    /// The `PKIHeader` TLV as received.
    pub fn header_der(&self) -> &[u8] {
        self.raw.get(self.header.clone()).unwrap_or_default()
    }

    /// The `PKIBody` TLV as received.
    pub fn body_der(&self) -> &[u8] {
        self.raw.get(self.body.clone()).unwrap_or_default()
    }

    /// `ProtectedPart ::= SEQUENCE { header, body }` built from the received header and body
    /// bytes: what PBM, PBMAC1 and signature protection are computed over (RFC 9810 §5.1.3).
    pub fn protected_part_der(&self) -> Vec<u8> {
        let content_len = self.header.len().saturating_add(self.body.len());
        let mut out = Vec::with_capacity(content_len.saturating_add(6));
        out.push(0x30);
        match content_len {
            0..=0x7F => out.extend_from_slice(&[u8::try_from(content_len).unwrap_or(0)]),
            _ => {
                let be = content_len.to_be_bytes();
                let skip = be.iter().take_while(|b| **b == 0).count();
                let digits = be.get(skip..).unwrap_or_default();
                out.push(0x80 | u8::try_from(digits.len()).unwrap_or(0));
                out.extend_from_slice(digits);
            }
        }
        out.extend_from_slice(self.header_der());
        out.extend_from_slice(self.body_der());
        out
    }
}

/// Strictly decodes a `PKIMessage` and keeps the received bytes of its header and body.
pub fn decode_pki_message(bytes: &[u8], limits: &Limits) -> Result<DecodedMessage, StrictError> {
    let outer = scan(bytes, limits)?;
    let message: PkiMessage = decode(bytes, limits)?;
    let header_tlv =
        read_tlv(bytes, outer.start, outer.end).map_err(|(o, r)| StrictError::NotDer {
            offset: o,
            path: path_to(bytes, o),
            rule: r,
        })?;
    let body_tlv =
        read_tlv(bytes, header_tlv.end, outer.end).map_err(|(o, r)| StrictError::NotDer {
            offset: o,
            path: path_to(bytes, o),
            rule: r,
        })?;
    Ok(DecodedMessage {
        message,
        raw: bytes.to_vec(),
        header: outer.start..header_tlv.end,
        body: header_tlv.end..body_tlv.end,
    })
}

#[cfg(test)]
mod tests;
