//! The data-hash hard binding for SVG: the store goes Base64-encoded into
//! `<metadata><c2pa:manifest>…</c2pa:manifest></metadata>` right after the `svg` start tag, which
//! gains `xmlns:c2pa="http://c2pa.org/manifest"` if it lacks it (C2PA 2.2 §A.3.3). The hash
//! covers the output except the Base64 text, as the reference SDK does.

use std::io::{Read, SeekFrom, Write};

use super::{
    Binding, COPY_BUFFER, Digests, ReadSeek, copy_exact, data_hash_assertion, io, rb, write_zeros,
};
use crate::assertion::NewAssertion;
use crate::container::{Counting, svg};
use crate::error::{ContainerError, GeneratorError};
use crate::store::HashAlg;

const NAMESPACE: &[u8] = b" xmlns:c2pa=\"http://c2pa.org/manifest\"";
const OPEN: &[u8] = b"<metadata><c2pa:manifest>";
const CLOSE: &[u8] = b"</c2pa:manifest></metadata>";
/// Longest prolog or start tag scanned (XML declaration, comments, DOCTYPE, the svg tag).
const MAX_PROLOG: u64 = 1 << 20;

pub(crate) struct SvgBinding {
    embed: bool,
    /// Offset of the start tag's `>` (or of the `/` of `/>`).
    close: u64,
    /// `<svg .../>`: the element gets a closing tag.
    self_closing: bool,
    /// The start tag already declares the `c2pa` prefix.
    has_namespace: bool,
}

fn bad(offset: u64, what: &'static str) -> GeneratorError {
    ContainerError::Malformed { offset, what }.into()
}

/// Reads one byte or fails with `Truncated`.
fn next<R: Read>(r: &mut Counting<R>) -> Result<u8, GeneratorError> {
    r.byte()?
        .ok_or_else(|| ContainerError::Truncated { offset: r.pos }.into())
}

/// Skips to just past `end`.
fn skip_past<R: Read>(r: &mut Counting<R>, end: &[u8]) -> Result<(), GeneratorError> {
    match svg::find(r, end)? {
        Some(_) => Ok(()),
        None => Err(ContainerError::Truncated { offset: r.pos }.into()),
    }
}

impl SvgBinding {
    /// Finds the `svg` start tag (past the XML declaration, comments, processing instructions
    /// and a DOCTYPE) and refuses an SVG that already has a `c2pa:manifest`.
    pub(crate) fn scan(input: &mut dyn ReadSeek, embed: bool) -> Result<Self, GeneratorError> {
        input.seek(SeekFrom::Start(0)).map_err(io)?;
        let mut r = Counting::new(&mut *input);
        let (close, self_closing, has_namespace) = 'prolog: loop {
            if r.pos > MAX_PROLOG {
                return Err(bad(r.pos, "no svg element in the first MiB"));
            }
            let c = next(&mut r)?;
            if c != b'<' {
                continue;
            }
            let start = r.pos.saturating_sub(1);
            match next(&mut r)? {
                b'?' => skip_past(&mut r, b"?>")?,
                b'!' => {
                    let c2 = next(&mut r)?;
                    if c2 == b'-' {
                        skip_past(&mut r, b"-->")?;
                    } else {
                        // <!DOCTYPE ...> with an optional [internal subset].
                        let mut bracket = 0usize;
                        loop {
                            match next(&mut r)? {
                                b'[' => bracket = bracket.saturating_add(1),
                                b']' => bracket = bracket.saturating_sub(1),
                                b'>' if bracket == 0 => break,
                                _ => {}
                            }
                        }
                    }
                }
                first => {
                    let mut name = vec![first];
                    loop {
                        let c = next(&mut r)?;
                        if c.is_ascii_whitespace() || c == b'>' || c == b'/' {
                            break 'prolog tag_end(&mut r, start, name, c)?;
                        }
                        name.push(c);
                        if name.len() > 64 {
                            return Err(bad(start, "element name too long"));
                        }
                    }
                }
            }
        };
        if svg::find_element(&mut r)?.is_some() {
            return Err(GeneratorError::AlreadySigned);
        }
        Ok(Self {
            embed,
            close,
            self_closing,
            has_namespace,
        })
    }

    /// Bytes written before the Base64 text.
    fn prefix_len(&self) -> u64 {
        let ns = if self.has_namespace {
            0
        } else {
            NAMESPACE.len()
        };
        u64::try_from(ns.saturating_add(1).saturating_add(OPEN.len())).unwrap_or(u64::MAX)
    }
}

/// Reads the rest of a start tag whose name ended at `after` (already read): returns (offset of
/// its `>` or `/>`, self-closing, declares `xmlns:c2pa`). Fails unless it is the `svg` element.
fn tag_end<R: Read>(
    r: &mut Counting<R>,
    start: u64,
    name: Vec<u8>,
    after: u8,
) -> Result<(u64, bool, bool), GeneratorError> {
    if name != b"svg" && !name.ends_with(b":svg") {
        return Err(ContainerError::NotFormat { format: "SVG" }.into());
    }
    let mut quote: Option<u8> = None;
    let mut tag = Vec::new();
    let mut c = after;
    loop {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, b'"' | b'\'') => quote = Some(c),
            (None, b'>') => {
                let close = r.pos.saturating_sub(1);
                let self_closing = tag.last() == Some(&b'/');
                let has_ns = tag.windows(10).any(|w| w == b"xmlns:c2pa");
                return Ok(if self_closing {
                    (close.saturating_sub(1), true, has_ns)
                } else {
                    (close, false, has_ns)
                });
            }
            (None, _) => {}
        }
        tag.push(c);
        if u64::try_from(tag.len()).unwrap_or(u64::MAX) > MAX_PROLOG {
            return Err(bad(start, "svg start tag too long"));
        }
        c = next(r)?;
    }
}

impl Binding for SvgBinding {
    fn label(&self) -> &'static str {
        "c2pa.hash.data"
    }

    fn assertion(
        &self,
        digests: &Digests,
        store_len: usize,
        alg: HashAlg,
    ) -> Result<NewAssertion, GeneratorError> {
        let exclusion = if self.embed {
            Some((
                self.close.saturating_add(self.prefix_len()),
                self.wrapped_len(store_len)?,
            ))
        } else {
            None
        };
        data_hash_assertion(&digests.main, exclusion, alg)
    }

    fn placeholder(&self, alg: HashAlg) -> Digests {
        Digests::zeroed(alg)
    }

    fn wrapped_len(&self, store_len: usize) -> Result<usize, GeneratorError> {
        if !self.embed {
            return Ok(0);
        }
        store_len
            .div_ceil(3)
            .checked_mul(4)
            .ok_or(GeneratorError::StoreTooLarge)
    }

    fn wrap(&self, store: &[u8]) -> Result<Vec<u8>, GeneratorError> {
        Ok(if self.embed {
            svg::base64(store)
        } else {
            Vec::new()
        })
    }

    fn stream(
        &mut self,
        input: &mut dyn ReadSeek,
        mut output: Option<&mut dyn Write>,
        store_len: usize,
        alg: HashAlg,
    ) -> Result<(Digests, u64), GeneratorError> {
        let wrapped_len = self.wrapped_len(store_len)?;
        let mut hasher = alg.hasher();
        let mut buf = vec![0u8; COPY_BUFFER];
        let total = input.seek(SeekFrom::End(0)).map_err(io)?;
        input.seek(SeekFrom::Start(0)).map_err(io)?;
        if !self.embed {
            copy_exact(input, output, total, &mut buf, |b| hasher.update(b))?;
            return Ok((
                Digests {
                    main: hasher.finalize(),
                    leaves: Vec::new(),
                },
                0,
            ));
        }
        let mut emit = |bytes: &[u8], out: Option<&mut dyn Write>| -> Result<(), GeneratorError> {
            hasher.update(bytes);
            if let Some(o) = out {
                o.write_all(bytes).map_err(io)?;
            }
            Ok(())
        };
        let mut head =
            vec![0u8; usize::try_from(self.close).map_err(|_| GeneratorError::StoreTooLarge)?];
        input.read_exact(&mut head).map_err(io)?;
        emit(&head, rb(&mut output))?;
        if !self.has_namespace {
            emit(NAMESPACE, rb(&mut output))?;
        }
        emit(b">", rb(&mut output))?;
        emit(OPEN, rb(&mut output))?;
        if let Some(out) = rb(&mut output) {
            write_zeros(out, wrapped_len)?;
        }
        emit(CLOSE, rb(&mut output))?;
        if self.self_closing {
            emit(b"</svg>", rb(&mut output))?;
        }
        // Skip the tag's own `>` (or `/>`), then the rest as it is.
        let skip = if self.self_closing { 2 } else { 1 };
        let mut tag_end = [0u8; 2];
        input
            .read_exact(tag_end.get_mut(..skip).unwrap_or_default())
            .map_err(io)?;
        let rest = total
            .saturating_sub(self.close)
            .saturating_sub(u64::try_from(skip).unwrap_or(1));
        copy_exact(input, output, rest, &mut buf, |b| hasher.update(b))?;
        Ok((
            Digests {
                main: hasher.finalize(),
                leaves: Vec::new(),
            },
            self.close.saturating_add(self.prefix_len()),
        ))
    }
}
