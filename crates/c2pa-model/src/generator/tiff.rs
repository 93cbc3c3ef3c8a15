//! The data-hash hard binding for TIFF and DNG (C2PA 2.2 §A.3.5): the store becomes the data of
//! tag 52545 in a new IFD holding only that tag, appended as the last IFD of the chain, right
//! before the end of the file (the store follows it). The previous last IFD's next-IFD offset is
//! patched to point at it; nothing else moves, so every other offset of the file stays valid.
//!
//! The hash covers the output — the patched pointer, the word-alignment pad and the new IFD
//! included — except the store's bytes.
//!
//! Replacing a store: an IFD holding only the C2PA tag is unlinked (and cut off when it and its
//! store end the file, as this generator writes them); an IFD with other tags too (the reference
//! SDK rewrites IFD 0 with the tag) is rewritten in place without the entry. The old store's
//! bytes left in the file are zeroed.

use std::io::{SeekFrom, Write};

use super::{
    Binding, COPY_BUFFER, Digests, ReadSeek, copy_exact, data_hash_assertion, io, rb, write_zeros,
};
use crate::assertion::NewAssertion;
use crate::container::ContainerLimits;
use crate::container::tiff::{self, C2PA_TAG, TiffKind, UNDEFINED};
use crate::error::GeneratorError;
use crate::store::HashAlg;

pub(crate) struct TiffBinding {
    embed: bool,
    kind: TiffKind,
    /// The input bytes kept: everything before this offset.
    total: u64,
    /// Byte ranges of the input overwritten in the output (sorted, disjoint): the pointer to the
    /// new IFD, and what replacing an old store changes.
    patches: Vec<(u64, Vec<u8>)>,
}

impl TiffBinding {
    /// Walks the IFD chain and plans the edits; an existing C2PA tag is refused, or with
    /// `replace` removed.
    pub(crate) fn scan(
        input: &mut dyn ReadSeek,
        embed: bool,
        replace: bool,
        limits: &ContainerLimits,
    ) -> Result<Self, GeneratorError> {
        let layout = tiff::layout(&mut *input, limits)?;
        let k = layout.kind;
        let w = k.offset_len();
        let old = layout.ifds.iter().position(|i| i.c2pa.is_some());
        if old.is_some() && !(replace && embed) {
            return Err(GeneratorError::AlreadySigned);
        }
        if layout.ifds.iter().filter(|i| i.c2pa.is_some()).count() > 1 {
            return Err(crate::error::ContainerError::MultipleStores.into());
        }
        let mut b = Self {
            embed,
            kind: k,
            total: layout.len,
            patches: Vec::new(),
        };
        let ifds = &layout.ifds;
        let Some(i) = old else {
            let last = ifds.last().ok_or(GeneratorError::LayoutDidNotConverge)?;
            let at = b.fits(b.ifd_at())?;
            b.patches.push((last.next_at, k.put(at, w)));
            return Ok(b);
        };
        let (Some(ifd), Some((_, count, value))) = (ifds.get(i), ifds.get(i).and_then(|f| f.c2pa))
        else {
            return Err(GeneratorError::LayoutDidNotConverge);
        };
        let is_last = i.saturating_add(1) == ifds.len();
        let next_of_old = ifds.get(i.saturating_add(1)).map_or(0, |n| n.offset);
        let store_end = value.saturating_add(count);
        if ifd.entries == 1 {
            let Some(prev) = i.checked_sub(1).and_then(|p| ifds.get(p)) else {
                return Err(crate::error::ContainerError::Malformed {
                    offset: ifd.offset,
                    what: "IFD 0 holds only the C2PA tag",
                }
                .into());
            };
            let own_len = b.ifd_len();
            if is_last && value == ifd.offset.saturating_add(own_len) && store_end == layout.len {
                // This generator's layout: cut the IFD and its store off; the new ones go there.
                b.total = ifd.offset;
            } else {
                b.patches
                    .push((value, vec![0; usize::try_from(count).unwrap_or(0)]));
            }
            let new_at = b.fits(b.ifd_at())?;
            if is_last {
                b.patches.push((prev.next_at, k.put(new_at, w)));
            } else {
                b.patches.push((prev.next_at, k.put(next_of_old, w)));
                let last = ifds.last().ok_or(GeneratorError::LayoutDidNotConverge)?;
                b.patches.push((last.next_at, k.put(new_at, w)));
            }
        } else {
            // Rewrite the IFD without the C2PA entry; the freed entry becomes zeros after the
            // next-IFD offset.
            let new_at = b.fits(b.ifd_at())?;
            let len = ifd
                .next_at
                .saturating_add(u64::try_from(w).unwrap_or(8))
                .saturating_sub(ifd.offset);
            let mut bytes =
                vec![0u8; usize::try_from(len).map_err(|_| GeneratorError::StoreTooLarge)?];
            input.seek(SeekFrom::Start(ifd.offset)).map_err(io)?;
            input.read_exact(&mut bytes).map_err(io)?;
            let mut out = k.put(ifd.entries.saturating_sub(1), k.count_len());
            for e in bytes
                .get(k.count_len()..bytes.len().saturating_sub(w))
                .unwrap_or_default()
                .chunks_exact(k.entry_len())
            {
                if k.uint(e.get(..2).unwrap_or_default()) != u64::from(C2PA_TAG) {
                    out.extend_from_slice(e);
                }
            }
            out.extend(k.put(if is_last { new_at } else { next_of_old }, w));
            out.resize(bytes.len(), 0);
            b.patches.push((ifd.offset, out));
            if value >= ifd.offset.saturating_add(len) || store_end <= ifd.offset {
                b.patches
                    .push((value, vec![0; usize::try_from(count).unwrap_or(0)]));
            }
            if !is_last {
                let last = ifds.last().ok_or(GeneratorError::LayoutDidNotConverge)?;
                b.patches.push((last.next_at, k.put(new_at, w)));
            }
        }
        b.patches.retain(|(at, _)| *at < b.total);
        b.patches.sort_by_key(|(at, _)| *at);
        if b.patches.windows(2).any(|p| match p {
            [(a, x), (c, _)] => a.saturating_add(u64::try_from(x.len()).unwrap_or(0)) > *c,
            _ => false,
        }) {
            return Err(crate::error::ContainerError::Malformed {
                offset: ifd.offset,
                what: "the C2PA tag's data overlaps an IFD",
            }
            .into());
        }
        Ok(b)
    }

    /// Where the new IFD goes (word-aligned after the input).
    fn ifd_at(&self) -> u64 {
        self.total.saturating_add(self.total & 1)
    }

    /// Bytes of the new IFD.
    fn ifd_len(&self) -> u64 {
        let k = self.kind;
        u64::try_from(k.count_len() + k.entry_len() + k.offset_len()).unwrap_or(u64::MAX)
    }

    /// Where the store goes.
    fn store_at(&self) -> u64 {
        self.ifd_at().saturating_add(self.ifd_len())
    }

    /// A value that must fit the file's offset width.
    fn fits(&self, v: u64) -> Result<u64, GeneratorError> {
        if self.kind.big || u32::try_from(v).is_ok() {
            Ok(v)
        } else {
            Err(GeneratorError::OffsetOverflow { box_type: "TIFF" })
        }
    }

    /// The new IFD: one entry (tag 52545, type 7, the store), no next IFD.
    fn ifd(&self, store_len: usize) -> Result<Vec<u8>, GeneratorError> {
        let k = self.kind;
        let w = k.offset_len();
        let count =
            self.fits(u64::try_from(store_len).map_err(|_| GeneratorError::StoreTooLarge)?)?;
        let at = self.fits(self.store_at())?;
        let mut out = k.put(1, k.count_len());
        out.extend(k.put(u64::from(C2PA_TAG), 2));
        out.extend(k.put(u64::from(UNDEFINED), 2));
        out.extend(k.put(count, w));
        out.extend(k.put(at, w));
        out.extend(k.put(0, w));
        Ok(out)
    }
}

impl Binding for TiffBinding {
    fn label(&self) -> &'static str {
        "c2pa.hash.data"
    }

    fn assertion(
        &self,
        digests: &Digests,
        store_len: usize,
        alg: HashAlg,
    ) -> Result<NewAssertion, GeneratorError> {
        let exclusion = self.embed.then_some((self.store_at(), store_len));
        data_hash_assertion(&digests.main, exclusion, alg)
    }

    fn placeholder(&self, alg: HashAlg) -> Digests {
        Digests::zeroed(alg)
    }

    fn wrapped_len(&self, store_len: usize) -> Result<usize, GeneratorError> {
        Ok(if self.embed { store_len } else { 0 })
    }

    fn wrap(&self, store: &[u8]) -> Result<Vec<u8>, GeneratorError> {
        Ok(if self.embed {
            store.to_vec()
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
        let mut hasher = alg.hasher();
        let mut buf = vec![0u8; COPY_BUFFER];
        input.seek(SeekFrom::Start(0)).map_err(io)?;
        if !self.embed {
            let total = input.seek(SeekFrom::End(0)).map_err(io)?;
            input.seek(SeekFrom::Start(0)).map_err(io)?;
            copy_exact(input, None, total, &mut buf, |b| hasher.update(b))?;
            return Ok((
                Digests {
                    main: hasher.finalize(),
                    leaves: Vec::new(),
                },
                0,
            ));
        }
        // The kept input with its patches.
        let mut at = 0u64;
        for (p, bytes) in &self.patches {
            copy_exact(
                input,
                rb(&mut output),
                p.saturating_sub(at),
                &mut buf,
                |b| hasher.update(b),
            )?;
            hasher.update(bytes);
            if let Some(out) = rb(&mut output) {
                out.write_all(bytes).map_err(io)?;
            }
            at = p.saturating_add(u64::try_from(bytes.len()).unwrap_or(u64::MAX));
            input.seek(SeekFrom::Start(at)).map_err(io)?;
        }
        copy_exact(
            input,
            rb(&mut output),
            self.total.saturating_sub(at),
            &mut buf,
            |b| hasher.update(b),
        )?;
        // The alignment pad and the new IFD (hashed), then the store's place (excluded).
        let mut tail = vec![0u8; usize::try_from(self.total & 1).unwrap_or(0)];
        tail.extend(self.ifd(store_len)?);
        hasher.update(&tail);
        if let Some(out) = rb(&mut output) {
            out.write_all(&tail).map_err(io)?;
            write_zeros(out, store_len)?;
        }
        Ok((
            Digests {
                main: hasher.finalize(),
                leaves: Vec::new(),
            },
            self.store_at(),
        ))
    }
}

#[cfg(test)]
mod tests;
