//! JUMBF (ISO 19566-5:2023) boxes as C2PA uses them (C2PA 2.2 §11.1).
//!
//! A box is `LBox (u32 BE) ‖ TBox (4 bytes) ‖ [XLBox (u64 BE) when LBox = 1] ‖ payload`; `LBox = 0`
//! ("to the end of the enclosing data") is refused, see [`JumbfError::ZeroLength`]. A superbox
//! has `TBox = jumb`, and its first child is a description box (`jumd`):
//!
//! ```text
//! jumd payload = TYPE (16-byte UUID) ‖ TOGGLES (u8)
//!                ‖ [LABEL (UTF-8, NUL-terminated)   if TOGGLES & 0x02]
//!                ‖ [ID (u32 BE)                       if TOGGLES & 0x04]
//!                ‖ [SIGNATURE (32 bytes, SHA-256)     if TOGGLES & 0x08]
//!                ‖ [PRIVATE (one box, e.g. c2sh salt) if TOGGLES & 0x10]
//! ```
//!
//! Parsing never copies or re-encodes: every node records its byte span in the buffer it was
//! parsed from, so hashes (C2PA §8.4.2.3: over a superbox's contents, excluding its own header)
//! are always computed over the bytes received. The walk is depth- and count-bounded by
//! [`Limits`] and uses an explicit stack, so hostile nesting cannot exhaust the call stack.

use core::ops::Range;

use crate::error::JumbfError;

/// `jumb`: JUMBF superbox type.
pub const SUPERBOX: [u8; 4] = *b"jumb";
/// `jumd`: JUMBF description box type.
pub const DESCRIPTION: [u8; 4] = *b"jumd";

/// Description-box toggle: the box is requestable (addressable by JUMBF URI).
pub const TOGGLE_REQUESTABLE: u8 = 0x01;
/// Description-box toggle: a label is present.
pub const TOGGLE_LABEL: u8 = 0x02;
/// Description-box toggle: an ID is present.
pub const TOGGLE_ID: u8 = 0x04;
/// Description-box toggle: a SHA-256 signature (hash) is present.
pub const TOGGLE_HASH: u8 = 0x08;
/// Description-box toggle: a private box is present.
pub const TOGGLE_PRIVATE: u8 = 0x10;

/// Bounds on attacker-controlled JUMBF structure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Deepest superbox nesting accepted. A C2PA store nests 4 deep (store → manifest →
    /// assertion store → assertion); ingredients are separate manifests, not nested boxes.
    /// 16 leaves room for extensions.
    pub max_depth: usize,
    /// Most boxes (of any kind) in one structure. 100,000 is far above any real store (the
    /// largest c2pa-rs fixture has a few hundred) and bounds the node vector to a few MiB.
    pub max_boxes: usize,
    /// Largest label accepted, in bytes. JUMBF URIs are built from labels; C2PA labels are short
    /// (`urn:c2pa:<uuid>`, assertion labels); 1 KiB bounds scanning for the NUL.
    pub max_label_len: usize,
    /// Most memory the compressed (`brob`) manifests of one store may take to decompress:
    /// their decompressed bytes together, plus the Brotli window (ring buffer) of the one being
    /// decompressed, which its stream header declares (up to 16 MiB). Brotli reaches ratios
    /// above 1,000:1, so without a bound a small store could claim gigabytes; 64 MiB is far
    /// above any real manifest (claims, assertions and signatures are kilobytes; thumbnails at
    /// most a few megabytes). The expanded store is written once, in place, so the peak memory
    /// of parsing a store is about its received size plus this bound.
    pub max_decompressed_len: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_depth: 16,
            max_boxes: 100_000,
            max_label_len: 1024,
            max_decompressed_len: 64 << 20,
        }
    }
}

/// How a box header encoded its length (kept so re-serialisation reproduces it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum HeaderForm {
    /// `LBox` holds the length (8-byte header).
    #[default]
    Short,
    /// `LBox = 1` and `XLBox` holds the length (16-byte header).
    Extended,
}

/// The byte span of one box inside the parsed buffer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Span {
    /// Offset of the box's first header byte.
    pub start: usize,
    /// Length of the header (`LBox ‖ TBox`, plus `XLBox` when used): 8 or 16.
    pub header_len: usize,
    /// Offset just past the box's last byte.
    pub end: usize,
    /// How the header encoded the length.
    pub form: HeaderForm,
}

impl Span {
    /// The whole box, header included.
    pub fn whole(&self) -> Range<usize> {
        self.start..self.end
    }

    /// The payload (everything after the header). For a superbox this is what C2PA hashes.
    pub fn payload(&self) -> Range<usize> {
        self.start.saturating_add(self.header_len)..self.end
    }
}

/// A parsed JUMBF description box.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Description {
    /// The description box's own span.
    pub span: Span,
    /// The JUMBF type UUID of the enclosing superbox.
    pub uuid: [u8; 16],
    /// The toggles byte as received.
    pub toggles: u8,
    /// The label, when [`TOGGLE_LABEL`] is set.
    pub label: Option<String>,
    /// The ID, when [`TOGGLE_ID`] is set.
    pub id: Option<u32>,
    /// The SHA-256 signature field, when [`TOGGLE_HASH`] is set.
    pub hash: Option<[u8; 32]>,
    /// The private box (type and span), when [`TOGGLE_PRIVATE`] is set.
    pub private: Option<PlainBox>,
}

/// A non-superbox box: its type and span.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PlainBox {
    /// The four-character box type.
    pub box_type: [u8; 4],
    /// Where it lies in the parsed buffer.
    pub span: Span,
}

/// A JUMBF superbox: its description and children.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SuperBox {
    /// The superbox's span.
    pub span: Span,
    /// Its description box.
    pub description: Description,
    /// The boxes after the description box, in order.
    pub children: Vec<Node>,
}

/// A child of a superbox.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Node {
    /// A nested superbox.
    Super(SuperBox),
    /// A content (or padding, or other) box.
    Plain(PlainBox),
}

impl SuperBox {
    /// The label, if any.
    pub fn label(&self) -> Option<&str> {
        self.description.label.as_deref()
    }

    /// The JUMBF type UUID.
    pub fn uuid(&self) -> [u8; 16] {
        self.description.uuid
    }

    /// Child superboxes, in order.
    pub fn superboxes(&self) -> impl Iterator<Item = &SuperBox> {
        self.children.iter().filter_map(|n| match n {
            Node::Super(s) => Some(s),
            Node::Plain(_) => None,
        })
    }

    /// Child plain (content) boxes, in order.
    pub fn plain_boxes(&self) -> impl Iterator<Item = &PlainBox> {
        self.children.iter().filter_map(|n| match n {
            Node::Plain(p) => Some(p),
            Node::Super(_) => None,
        })
    }

    /// The child superboxes carrying `label`.
    pub fn children_labelled<'a>(&'a self, label: &'a str) -> impl Iterator<Item = &'a SuperBox> {
        self.superboxes().filter(move |s| s.label() == Some(label))
    }
}

impl SuperBox {
    /// Re-serialises this superbox from its parsed fields: the description box from its UUID,
    /// toggles, label, ID, hash and private box, and every child in order. `src` is the buffer it
    /// was parsed from (content box payloads are copied from it). Header forms are preserved (an
    /// `XLBox` stays an `XLBox`). For a faithfully parsed structure the result equals the input.
    pub fn write_to(&self, src: &[u8], out: &mut Vec<u8>) -> Result<(), JumbfError> {
        let mut payload = Vec::with_capacity(self.span.end.saturating_sub(self.span.start));
        self.description.write_to(src, &mut payload)?;
        for child in &self.children {
            match child {
                Node::Super(s) => s.write_to(src, &mut payload)?,
                Node::Plain(p) => p.write_to(src, &mut payload)?,
            }
        }
        write_header(out, SUPERBOX, payload.len(), self.span.form);
        out.extend_from_slice(&payload);
        Ok(())
    }
}

impl Description {
    fn write_to(&self, src: &[u8], out: &mut Vec<u8>) -> Result<(), JumbfError> {
        let mut d = Vec::with_capacity(64);
        d.extend_from_slice(&self.uuid);
        d.push(self.toggles);
        if let Some(label) = &self.label {
            d.extend_from_slice(label.as_bytes());
            d.push(0);
        }
        if let Some(id) = self.id {
            d.extend_from_slice(&id.to_be_bytes());
        }
        if let Some(hash) = &self.hash {
            d.extend_from_slice(hash);
        }
        if let Some(private) = &self.private {
            private.write_to(src, &mut d)?;
        }
        write_header(out, DESCRIPTION, d.len(), self.span.form);
        out.extend_from_slice(&d);
        Ok(())
    }
}

impl PlainBox {
    fn write_to(&self, src: &[u8], out: &mut Vec<u8>) -> Result<(), JumbfError> {
        let payload = src.get(self.span.payload()).ok_or(JumbfError::Truncated {
            offset: self.span.start,
        })?;
        write_header(out, self.box_type, payload.len(), self.span.form);
        out.extend_from_slice(payload);
        Ok(())
    }
}

/// Writes a box header for a payload of `len` bytes, in the given form (a short form that
/// cannot hold the length falls back to `XLBox`).
fn write_header(out: &mut Vec<u8>, box_type: [u8; 4], len: usize, form: HeaderForm) {
    let short = len.checked_add(8).and_then(|n| u32::try_from(n).ok());
    match short {
        Some(n) if form == HeaderForm::Short && n > 1 => {
            out.extend_from_slice(&n.to_be_bytes());
            out.extend_from_slice(&box_type);
        }
        _ => {
            let n = u64::try_from(len).unwrap_or(u64::MAX).saturating_add(16);
            out.extend_from_slice(&1u32.to_be_bytes());
            out.extend_from_slice(&box_type);
            out.extend_from_slice(&n.to_be_bytes());
        }
    }
}

/// One box header read from the buffer.
struct Header {
    box_type: [u8; 4],
    header_len: usize,
    end: usize,
    form: HeaderForm,
}

fn read_u32(buf: &[u8], at: usize) -> Option<u32> {
    let bytes: [u8; 4] = buf.get(at..at.checked_add(4)?)?.try_into().ok()?;
    Some(u32::from_be_bytes(bytes))
}

fn read_u64(buf: &[u8], at: usize) -> Option<u64> {
    let bytes: [u8; 8] = buf.get(at..at.checked_add(8)?)?.try_into().ok()?;
    Some(u64::from_be_bytes(bytes))
}

/// Reads the header of the box at `at`, which must end by `limit`.
fn read_header(buf: &[u8], at: usize, limit: usize) -> Result<Header, JumbfError> {
    let truncated = JumbfError::Truncated { offset: at };
    let lbox = read_u32(buf, at).ok_or(truncated.clone())?;
    let box_type: [u8; 4] = buf
        .get(at.saturating_add(4)..at.saturating_add(8))
        .and_then(|b| b.try_into().ok())
        .ok_or(truncated.clone())?;
    let (header_len, total, form): (usize, u64, HeaderForm) = match lbox {
        // ISO/IEC 18477-3 lets the last box of a file run "to the end" with LBox = 0. Inside a
        // manifest store that end is wherever the container's framing puts it (bytes appended
        // after the store would join the box), so a store may not use it.
        0 => return Err(JumbfError::ZeroLength { offset: at }),
        1 => {
            let xl = read_u64(buf, at.saturating_add(8)).ok_or(truncated)?;
            (16, xl, HeaderForm::Extended)
        }
        n => (8, u64::from(n), HeaderForm::Short),
    };
    let total = usize::try_from(total).map_err(|_| JumbfError::BadLength { offset: at })?;
    if total < header_len {
        return Err(JumbfError::BadLength { offset: at });
    }
    let end = at
        .checked_add(total)
        .ok_or(JumbfError::BadLength { offset: at })?;
    if end > limit {
        return Err(JumbfError::BadLength { offset: at });
    }
    Ok(Header {
        box_type,
        header_len,
        end,
        form,
    })
}

/// Parses one JUMBF superbox occupying all of `buf` (trailing bytes are an error).
pub fn parse(buf: &[u8], limits: &Limits) -> Result<SuperBox, JumbfError> {
    let header = read_header(buf, 0, buf.len())?;
    if header.end != buf.len() {
        return Err(JumbfError::TrailingData { offset: header.end });
    }
    parse_at(buf, 0, header, limits)
}

/// Parses the JUMBF superbox at the start of `buf`, allowing bytes after it (padding, as in the
/// BMFF `manifest` box). Returns the superbox and its length.
pub fn parse_prefix(buf: &[u8], limits: &Limits) -> Result<(SuperBox, usize), JumbfError> {
    let header = read_header(buf, 0, buf.len())?;
    let end = header.end;
    let prefix = buf.get(..end).ok_or(JumbfError::Truncated { offset: 0 })?;
    Ok((parse_at(prefix, 0, header, limits)?, end))
}

/// A superbox being built on the explicit stack.
struct Frame {
    span: Span,
    description: Description,
    children: Vec<Node>,
    /// Offset of the next child.
    cursor: usize,
}

fn parse_at(
    buf: &[u8],
    at: usize,
    header: Header,
    limits: &Limits,
) -> Result<SuperBox, JumbfError> {
    let mut boxes = 0usize;
    let mut stack: Vec<Frame> = Vec::new();
    stack.push(open_superbox(buf, at, header, limits, &mut boxes)?);
    loop {
        let Some(top) = stack.last_mut() else {
            return Err(JumbfError::Truncated { offset: at });
        };
        if top.cursor == top.span.end {
            let done = stack.pop().ok_or(JumbfError::Truncated { offset: at })?;
            let sbox = SuperBox {
                span: done.span,
                description: done.description,
                children: done.children,
            };
            match stack.last_mut() {
                Some(parent) => parent.children.push(Node::Super(sbox)),
                None => return Ok(sbox),
            }
            continue;
        }
        let child_at = top.cursor;
        let child = read_header(buf, child_at, top.span.end)?;
        top.cursor = child.end;
        boxes = boxes.saturating_add(1);
        if boxes > limits.max_boxes {
            return Err(JumbfError::TooManyBoxes {
                limit: limits.max_boxes,
            });
        }
        if child.box_type == SUPERBOX {
            if stack.len() >= limits.max_depth {
                return Err(JumbfError::TooDeep {
                    offset: child_at,
                    limit: limits.max_depth,
                });
            }
            let frame = open_superbox(buf, child_at, child, limits, &mut boxes)?;
            stack.push(frame);
        } else {
            let span = Span {
                start: child_at,
                header_len: child.header_len,
                end: child.end,
                form: child.form,
            };
            top.children.push(Node::Plain(PlainBox {
                box_type: child.box_type,
                span,
            }));
        }
    }
}

fn open_superbox(
    buf: &[u8],
    at: usize,
    header: Header,
    limits: &Limits,
    boxes: &mut usize,
) -> Result<Frame, JumbfError> {
    if header.box_type != SUPERBOX {
        return Err(JumbfError::NotASuperbox {
            offset: at,
            found: header.box_type,
        });
    }
    *boxes = boxes.saturating_add(2);
    if *boxes > limits.max_boxes {
        return Err(JumbfError::TooManyBoxes {
            limit: limits.max_boxes,
        });
    }
    let span = Span {
        start: at,
        header_len: header.header_len,
        end: header.end,
        form: header.form,
    };
    let desc_at = span.payload().start;
    let desc_header = read_header(buf, desc_at, span.end)
        .map_err(|_| JumbfError::MissingDescription { offset: at })?;
    if desc_header.box_type != DESCRIPTION {
        return Err(JumbfError::MissingDescription { offset: at });
    }
    let description = parse_description(buf, desc_at, &desc_header, limits)?;
    Ok(Frame {
        span,
        description,
        children: Vec::new(),
        cursor: desc_header.end,
    })
}

fn parse_description(
    buf: &[u8],
    at: usize,
    header: &Header,
    limits: &Limits,
) -> Result<Description, JumbfError> {
    let span = Span {
        start: at,
        header_len: header.header_len,
        end: header.end,
        form: header.form,
    };
    let payload = buf
        .get(span.payload())
        .ok_or(JumbfError::Truncated { offset: at })?;
    let bad = |what: &'static str| JumbfError::BadDescription { offset: at, what };
    let uuid: [u8; 16] = payload
        .get(..16)
        .and_then(|b| b.try_into().ok())
        .ok_or(bad("type UUID"))?;
    let toggles = *payload.get(16).ok_or(bad("toggles"))?;
    let mut pos = 17usize;
    let label = if toggles & TOGGLE_LABEL != 0 {
        let rest = payload.get(pos..).ok_or(bad("label"))?;
        let window = rest
            .get(..rest.len().min(limits.max_label_len.saturating_add(1)))
            .unwrap_or(rest);
        let nul = window
            .iter()
            .position(|&b| b == 0)
            .ok_or(bad("label terminator"))?;
        let raw = window.get(..nul).ok_or(bad("label"))?;
        let label = core::str::from_utf8(raw).map_err(|_| bad("label UTF-8"))?;
        pos = pos.saturating_add(nul).saturating_add(1);
        Some(label.to_owned())
    } else {
        None
    };
    let id = if toggles & TOGGLE_ID != 0 {
        let v = read_u32(payload, pos).ok_or(bad("ID"))?;
        pos = pos.saturating_add(4);
        Some(v)
    } else {
        None
    };
    let hash = if toggles & TOGGLE_HASH != 0 {
        let h: [u8; 32] = payload
            .get(pos..pos.saturating_add(32))
            .and_then(|b| b.try_into().ok())
            .ok_or(bad("signature"))?;
        pos = pos.saturating_add(32);
        Some(h)
    } else {
        None
    };
    let private = if toggles & TOGGLE_PRIVATE != 0 {
        let abs = span.payload().start.saturating_add(pos);
        let h = read_header(buf, abs, span.end).map_err(|_| bad("private box"))?;
        pos = pos.saturating_add(h.end.saturating_sub(abs));
        Some(PlainBox {
            box_type: h.box_type,
            span: Span {
                start: abs,
                header_len: h.header_len,
                end: h.end,
                form: h.form,
            },
        })
    } else {
        None
    };
    if pos != payload.len() {
        return Err(bad("trailing bytes"));
    }
    Ok(Description {
        span,
        uuid,
        toggles,
        label,
        id,
        hash,
        private,
    })
}

/// Appends one box (`LBox ‖ TBox ‖ payload`, with `XLBox` when the box exceeds `u32`).
pub fn write_box(out: &mut Vec<u8>, box_type: [u8; 4], payload: &[u8]) {
    let short = payload
        .len()
        .checked_add(8)
        .and_then(|n| u32::try_from(n).ok());
    match short {
        Some(n) if n > 1 => {
            out.extend_from_slice(&n.to_be_bytes());
            out.extend_from_slice(&box_type);
        }
        _ => {
            let n = u64::try_from(payload.len())
                .unwrap_or(u64::MAX)
                .saturating_add(16);
            out.extend_from_slice(&1u32.to_be_bytes());
            out.extend_from_slice(&box_type);
            out.extend_from_slice(&n.to_be_bytes());
        }
    }
    out.extend_from_slice(payload);
}

/// What to put in a new description box.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewDescription<'a> {
    /// JUMBF type UUID.
    pub uuid: [u8; 16],
    /// Label (C2PA requires one; the requestable and label toggles are set when present).
    pub label: Option<&'a str>,
    /// Optional private box, already serialised (e.g. a `c2sh` salt box).
    pub private: Option<&'a [u8]>,
}

/// Appends a superbox with a description and already-serialised children.
pub fn write_superbox(
    out: &mut Vec<u8>,
    desc: &NewDescription<'_>,
    children: &[&[u8]],
) -> Result<(), JumbfError> {
    let mut d = Vec::with_capacity(64);
    d.extend_from_slice(&desc.uuid);
    let mut toggles = 0u8;
    if desc.label.is_some() {
        toggles |= TOGGLE_LABEL | TOGGLE_REQUESTABLE;
    }
    if desc.private.is_some() {
        toggles |= TOGGLE_PRIVATE;
    }
    d.push(toggles);
    if let Some(label) = desc.label {
        check_label(label)?;
        d.extend_from_slice(label.as_bytes());
        d.push(0);
    }
    if let Some(private) = desc.private {
        d.extend_from_slice(private);
    }
    let mut payload = Vec::with_capacity(
        d.len()
            .saturating_add(8)
            .saturating_add(children.iter().map(|c| c.len()).sum()),
    );
    write_box(&mut payload, DESCRIPTION, &d);
    for child in children {
        payload.extend_from_slice(child);
    }
    write_box(out, SUPERBOX, &payload);
    Ok(())
}

/// Checks a label against C2PA 2.2 §11.1.4.1.1 (no controls, no `/ ; ? #`, no U+FEFF/U+FFFF).
pub fn check_label(label: &str) -> Result<(), JumbfError> {
    let bad = label.is_empty()
        || label.chars().any(|c| {
            matches!(c, '\u{0}'..='\u{1f}' | '\u{7f}'..='\u{9f}' | '/' | ';' | '?' | '#' | '\u{feff}' | '\u{ffff}')
        });
    if bad {
        Err(JumbfError::BadLabel {
            label: label.to_owned(),
        })
    } else {
        Ok(())
    }
}

/// Makes a UUID of the C2PA form `XXXXXXXX-0011-0010-8000-00AA00389B71` from four ASCII bytes.
pub const fn c2pa_uuid(tag: [u8; 4]) -> [u8; 16] {
    [
        tag[0], tag[1], tag[2], tag[3], 0x00, 0x11, 0x00, 0x10, 0x80, 0x00, 0x00, 0xAA, 0x00, 0x38,
        0x9B, 0x71,
    ]
}

#[cfg(test)]
mod tests;
