//! PDF: the manifest store is an embedded file stream whose file specification has
//! `/AFRelationship /C2PA_Manifest`, referenced from the catalog's `/AF` array (C2PA 2.2
//! §A.4.2, ISO 32000-2 §7.11.4).
//!
//! A small reader for what that needs, with random access: `startxref`, classic cross-reference
//! tables (all sections, newest first, along `/Prev`), indirect objects, dictionaries, arrays,
//! names, numbers, strings and references, and unfiltered streams. Cross-reference streams,
//! object streams and filtered (compressed) manifest streams need a Flate decoder this crate
//! does not have: they are reported as unsupported, never guessed at. Every read is bounded.

use std::collections::BTreeMap;
use std::io::{Read, Seek, SeekFrom};

use super::{ContainerLimits, Format, Located};
use crate::error::ContainerError;

/// Most bytes read to parse one object (dictionaries of a catalog or file specification are
/// small; 1 MiB bounds a hostile one).
const MAX_OBJECT: usize = 1 << 20;
/// Deepest nesting of arrays and dictionaries.
const MAX_DEPTH: usize = 32;
/// Most cross-reference sections followed along `/Prev` (incremental updates).
const MAX_SECTIONS: usize = 1024;
/// Most objects in all cross-reference tables together.
const MAX_OBJECTS: usize = 1 << 22;

/// A PDF value.
#[derive(Debug, Clone, PartialEq)]
enum Obj {
    /// `null`, booleans, reals and strings: their values are never needed here.
    Other,
    Int(i64),
    Name(Vec<u8>),
    Array(Vec<Obj>),
    Dict(BTreeMap<Vec<u8>, Obj>),
    Ref(u32, u16),
}

impl Obj {
    fn dict(&self) -> Option<&BTreeMap<Vec<u8>, Obj>> {
        match self {
            Self::Dict(d) => Some(d),
            _ => None,
        }
    }
}

fn bad(offset: u64, what: &'static str) -> ContainerError {
    ContainerError::Malformed { offset, what }
}

fn is_white(c: u8) -> bool {
    matches!(c, b' ' | b'\t' | b'\r' | b'\n' | 0x0C | 0)
}

fn is_delim(c: u8) -> bool {
    matches!(
        c,
        b'(' | b')' | b'<' | b'>' | b'[' | b']' | b'{' | b'}' | b'/' | b'%'
    )
}

/// A parser over a buffer read from file offset `base`.
struct Parser<'a> {
    buf: &'a [u8],
    pos: usize,
    base: u64,
}

impl Parser<'_> {
    fn at(&self) -> u64 {
        self.base
            .saturating_add(u64::try_from(self.pos).unwrap_or(u64::MAX))
    }

    fn peek(&self) -> Option<u8> {
        self.buf.get(self.pos).copied()
    }

    fn skip_ws(&mut self) {
        while let Some(c) = self.peek() {
            if is_white(c) {
                self.pos = self.pos.saturating_add(1);
            } else if c == b'%' {
                while let Some(c) = self.peek() {
                    if c == b'\n' || c == b'\r' {
                        break;
                    }
                    self.pos = self.pos.saturating_add(1);
                }
            } else {
                break;
            }
        }
    }

    fn token(&mut self) -> &[u8] {
        self.skip_ws();
        let start = self.pos;
        while let Some(c) = self.peek() {
            if is_white(c) || is_delim(c) {
                break;
            }
            self.pos = self.pos.saturating_add(1);
        }
        self.buf.get(start..self.pos).unwrap_or_default()
    }

    fn expect(&mut self, word: &[u8], what: &'static str) -> Result<(), ContainerError> {
        let at = self.at();
        if self.token() == word {
            Ok(())
        } else {
            Err(bad(at, what))
        }
    }

    fn uint(&mut self) -> Option<u64> {
        let t = self.token();
        if t.is_empty() || !t.iter().all(u8::is_ascii_digit) {
            return None;
        }
        core::str::from_utf8(t).ok()?.parse().ok()
    }

    fn value(&mut self, depth: usize) -> Result<Obj, ContainerError> {
        if depth > MAX_DEPTH {
            return Err(bad(self.at(), "objects nested too deeply"));
        }
        self.skip_ws();
        let at = self.at();
        let c = self
            .peek()
            .ok_or(ContainerError::Truncated { offset: at })?;
        match c {
            b'/' => {
                self.pos = self.pos.saturating_add(1);
                let raw = self.token().to_vec();
                Ok(Obj::Name(unescape_name(&raw)))
            }
            b'[' => {
                self.pos = self.pos.saturating_add(1);
                let mut items = Vec::new();
                loop {
                    self.skip_ws();
                    match self.peek() {
                        Some(b']') => {
                            self.pos = self.pos.saturating_add(1);
                            return Ok(Obj::Array(items));
                        }
                        None => return Err(ContainerError::Truncated { offset: self.at() }),
                        _ => items.push(self.value(depth.saturating_add(1))?),
                    }
                }
            }
            b'<' if self.buf.get(self.pos.saturating_add(1)) == Some(&b'<') => {
                self.pos = self.pos.saturating_add(2);
                let mut map = BTreeMap::new();
                loop {
                    self.skip_ws();
                    match self.peek() {
                        Some(b'>') => {
                            self.pos = self.pos.saturating_add(2);
                            return Ok(Obj::Dict(map));
                        }
                        Some(b'/') => {
                            let Obj::Name(key) = self.value(depth.saturating_add(1))? else {
                                return Err(bad(self.at(), "dictionary key"));
                            };
                            let v = self.value(depth.saturating_add(1))?;
                            map.insert(key, v);
                        }
                        None => return Err(ContainerError::Truncated { offset: self.at() }),
                        _ => return Err(bad(self.at(), "dictionary key is not a name")),
                    }
                }
            }
            b'<' => {
                self.pos = self.pos.saturating_add(1);
                let start = self.pos;
                while self.peek().is_some_and(|c| c != b'>') {
                    self.pos = self.pos.saturating_add(1);
                }
                if self.pos == start && self.peek().is_none() {
                    return Err(ContainerError::Truncated { offset: self.at() });
                }
                self.pos = self.pos.saturating_add(1);
                Ok(Obj::Other)
            }
            b'(' => {
                self.pos = self.pos.saturating_add(1);
                let mut depth_paren = 1usize;
                while depth_paren > 0 {
                    let c = self
                        .peek()
                        .ok_or(ContainerError::Truncated { offset: self.at() })?;
                    self.pos = self.pos.saturating_add(1);
                    match c {
                        b'\\' => self.pos = self.pos.saturating_add(1),
                        b'(' => depth_paren = depth_paren.saturating_add(1),
                        b')' => depth_paren = depth_paren.saturating_sub(1),
                        _ => {}
                    }
                }
                Ok(Obj::Other)
            }
            _ => {
                let t = self.token().to_vec();
                match t.as_slice() {
                    b"null" | b"true" | b"false" => Ok(Obj::Other),
                    _ => {
                        let n = core::str::from_utf8(&t)
                            .ok()
                            .and_then(|s| s.parse::<i64>().ok());
                        let Some(n) = n else {
                            if t.iter().all(|c| c.is_ascii_digit() || b"+-.".contains(c))
                                && !t.is_empty()
                            {
                                return Ok(Obj::Other);
                            }
                            return Err(bad(at, "unknown PDF token"));
                        };
                        // `N G R` is a reference: look ahead without consuming otherwise.
                        let save = self.pos;
                        if let (Some(g), b"R") = (self.uint(), self.token())
                            && let (Ok(num), Ok(generation)) = (u32::try_from(n), u16::try_from(g))
                        {
                            return Ok(Obj::Ref(num, generation));
                        }
                        self.pos = save;
                        Ok(Obj::Int(n))
                    }
                }
            }
        }
    }
}

fn unescape_name(raw: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(raw.len());
    let mut i = 0usize;
    while let Some(&c) = raw.get(i) {
        if c == b'#'
            && let Some(hex) = raw.get(i.saturating_add(1)..i.saturating_add(3))
            && let Some(v) = core::str::from_utf8(hex)
                .ok()
                .and_then(|h| u8::from_str_radix(h, 16).ok())
        {
            out.push(v);
            i = i.saturating_add(3);
            continue;
        }
        out.push(c);
        i = i.saturating_add(1);
    }
    out
}

/// Random access to the file.
struct File<'r, R> {
    r: &'r mut R,
    len: u64,
    xref: BTreeMap<u32, u64>,
}

impl<R: Read + Seek> File<'_, R> {
    fn read_at(&mut self, at: u64, max: usize) -> Result<Vec<u8>, ContainerError> {
        let n = usize::try_from(self.len.saturating_sub(at))
            .unwrap_or(usize::MAX)
            .min(max);
        self.r
            .seek(SeekFrom::Start(at))
            .map_err(|e| ContainerError::io(e, at))?;
        let mut buf = vec![0u8; n];
        self.r
            .read_exact(&mut buf)
            .map_err(|e| ContainerError::io(e, at))?;
        Ok(buf)
    }

    /// Reads the classic cross-reference section at `at`; returns its trailer.
    fn xref_section(&mut self, at: u64) -> Result<BTreeMap<Vec<u8>, Obj>, ContainerError> {
        let buf = self.read_at(at, MAX_OBJECT)?;
        let mut p = Parser {
            buf: &buf,
            pos: 0,
            base: at,
        };
        if p.token() != b"xref" {
            return Err(ContainerError::Unsupported {
                format: "PDF",
                what: "cross-reference streams (PDF 1.5 compressed xref)",
            });
        }
        loop {
            let save = p.pos;
            let Some(first) = p.uint() else {
                p.pos = save;
                break;
            };
            let count = p.uint().ok_or(bad(p.at(), "xref subsection count"))?;
            for i in 0..count {
                let off = p.uint().ok_or(bad(p.at(), "xref entry offset"))?;
                p.uint().ok_or(bad(p.at(), "xref entry generation"))?;
                let kind = p.token().to_vec();
                let num = first.saturating_add(i);
                if kind == b"n"
                    && let Ok(num) = u32::try_from(num)
                {
                    self.xref.entry(num).or_insert(off);
                }
                if self.xref.len() > MAX_OBJECTS {
                    return Err(ContainerError::TooManySegments { limit: MAX_OBJECTS });
                }
            }
        }
        p.expect(b"trailer", "xref section without trailer")?;
        match p.value(0)? {
            Obj::Dict(d) => Ok(d),
            _ => Err(bad(p.at(), "trailer is not a dictionary")),
        }
    }

    /// The indirect object `num`, and the file offset just after its `stream` keyword's EOL
    /// when it is a stream.
    fn object(&mut self, num: u32) -> Result<(Obj, Option<u64>), ContainerError> {
        let at = *self.xref.get(&num).ok_or(ContainerError::Unsupported {
            format: "PDF",
            what: "objects outside the cross-reference table (object streams)",
        })?;
        let buf = self.read_at(at, MAX_OBJECT)?;
        let mut p = Parser {
            buf: &buf,
            pos: 0,
            base: at,
        };
        if p.uint().and_then(|n| u32::try_from(n).ok()) != Some(num) {
            return Err(bad(
                at,
                "cross-reference entry does not point at its object",
            ));
        }
        p.uint().ok_or(bad(at, "object generation"))?;
        p.expect(b"obj", "missing obj keyword")?;
        let value = p.value(0)?;
        p.skip_ws();
        if p.token() == b"stream" {
            // The keyword is followed by CRLF or LF (ISO 32000-2 §7.3.8.1).
            if buf.get(p.pos) == Some(&b'\r') {
                p.pos = p.pos.saturating_add(1);
            }
            if buf.get(p.pos) == Some(&b'\n') {
                p.pos = p.pos.saturating_add(1);
            }
            return Ok((value, Some(p.at())));
        }
        Ok((value, None))
    }

    /// Follows references.
    fn resolve(&mut self, v: Obj, depth: usize) -> Result<Obj, ContainerError> {
        match v {
            Obj::Ref(n, _) if depth < MAX_DEPTH => {
                let (o, _) = self.object(n)?;
                self.resolve(o, depth.saturating_add(1))
            }
            Obj::Ref(..) => Err(bad(0, "reference chain too long")),
            other => Ok(other),
        }
    }
}

/// Finds the document-level manifest store of a PDF. `Ok(None)` when it has none.
pub fn locate<R: Read + Seek>(
    reader: &mut R,
    limits: &ContainerLimits,
) -> Result<Option<Located>, ContainerError> {
    let len = reader
        .seek(SeekFrom::End(0))
        .map_err(|e| ContainerError::io(e, 0))?;
    let mut f = File {
        r: reader,
        len,
        xref: BTreeMap::new(),
    };
    if f.read_at(0, 5)? != b"%PDF-" {
        return Err(ContainerError::NotFormat { format: "PDF" });
    }
    let tail_at = len.saturating_sub(1024);
    let tail = f.read_at(tail_at, 1024)?;
    let key = tail
        .windows(9)
        .rposition(|w| w == b"startxref")
        .ok_or(bad(tail_at, "no startxref"))?;
    let mut p = Parser {
        buf: &tail,
        pos: key.saturating_add(9),
        base: tail_at,
    };
    let mut next = Some(p.uint().ok_or(bad(tail_at, "startxref offset"))?);
    let mut trailer: Option<BTreeMap<Vec<u8>, Obj>> = None;
    let mut seen = Vec::new();
    while let Some(at) = next {
        if seen.contains(&at) || seen.len() >= MAX_SECTIONS {
            return Err(bad(at, "cross-reference sections loop"));
        }
        seen.push(at);
        let t = f.xref_section(at)?;
        next = match t.get(b"Prev".as_slice()) {
            Some(Obj::Int(n)) => u64::try_from(*n).ok(),
            _ => None,
        };
        trailer.get_or_insert(t);
    }
    let trailer = trailer.ok_or(bad(0, "no trailer"))?;
    let root = trailer
        .get(b"Root".as_slice())
        .cloned()
        .ok_or(bad(0, "trailer without /Root"))?;
    let catalog = f.resolve(root, 0)?;
    let Some(af) = catalog
        .dict()
        .and_then(|d| d.get(b"AF".as_slice()))
        .cloned()
    else {
        return Ok(None);
    };
    let Obj::Array(specs) = f.resolve(af, 0)? else {
        return Err(bad(0, "/AF is not an array"));
    };
    let mut found: Option<Located> = None;
    for spec in specs {
        let spec = f.resolve(spec, 0)?;
        let Some(d) = spec.dict() else { continue };
        if d.get(b"AFRelationship".as_slice()) != Some(&Obj::Name(b"C2PA_Manifest".to_vec())) {
            continue;
        }
        let ef = f.resolve(
            d.get(b"EF".as_slice())
                .cloned()
                .ok_or(bad(0, "C2PA file specification without /EF"))?,
            0,
        )?;
        let stream_ref = ef
            .dict()
            .and_then(|e| e.get(b"F".as_slice()).or_else(|| e.get(b"UF".as_slice())))
            .cloned()
            .ok_or(bad(0, "C2PA file specification without /EF /F"))?;
        let Obj::Ref(num, _) = stream_ref else {
            return Err(bad(0, "embedded file is not an indirect stream"));
        };
        let (dict, data_at) = f.object(num)?;
        let data_at = data_at.ok_or(bad(0, "embedded file is not a stream"))?;
        let sd = dict
            .dict()
            .ok_or(bad(data_at, "stream without dictionary"))?;
        match sd.get(b"Filter".as_slice()) {
            None | Some(Obj::Other) => {}
            Some(Obj::Array(a)) if a.is_empty() => {}
            Some(_) => {
                return Err(ContainerError::Unsupported {
                    format: "PDF",
                    what: "a filtered (compressed) manifest stream",
                });
            }
        }
        let length = match sd.get(b"Length".as_slice()).cloned() {
            Some(l) => f.resolve(l, 0)?,
            None => return Err(bad(data_at, "stream without /Length")),
        };
        let Obj::Int(length) = length else {
            return Err(bad(data_at, "stream /Length is not an integer"));
        };
        let length = usize::try_from(length).map_err(|_| bad(data_at, "negative /Length"))?;
        if length > limits.max_store_size {
            return Err(ContainerError::StoreTooLarge {
                limit: limits.max_store_size,
            });
        }
        let store = f.read_at(data_at, length)?;
        if store.len() != length {
            return Err(ContainerError::Truncated { offset: data_at });
        }
        if found.is_some() {
            return Err(ContainerError::MultipleStores);
        }
        let end = data_at.saturating_add(u64::try_from(length).unwrap_or(u64::MAX));
        found = Some(Located {
            format: Format::Pdf,
            store,
            ranges: core::iter::once(data_at..end).collect(),
        });
    }
    Ok(found)
}
