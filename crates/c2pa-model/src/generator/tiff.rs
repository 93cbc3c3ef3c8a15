//! The data-hash hard binding for TIFF and DNG (C2PA 2.2 §A.3.5): the store becomes the data of
//! tag 52545 in a new IFD holding only that tag, appended as the last IFD of the chain, right
//! before the end of the file (the store follows it). The previous last IFD's next-IFD offset is
//! patched to point at it; nothing else moves, so every other offset of the file stays valid.
//!
//! The hash covers the output — the patched pointer, the word-alignment pad and the new IFD
//! included — except the store's bytes.

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
    /// The input's length.
    total: u64,
    /// Where the last IFD's next-IFD offset is.
    next_at: u64,
}

impl TiffBinding {
    /// Walks the IFD chain: refuses a file that already has a C2PA tag.
    pub(crate) fn scan(
        input: &mut dyn ReadSeek,
        embed: bool,
        limits: &ContainerLimits,
    ) -> Result<Self, GeneratorError> {
        let layout = tiff::layout(&mut *input, limits)?;
        if layout.ifds.iter().any(|i| i.c2pa.is_some()) {
            return Err(GeneratorError::AlreadySigned);
        }
        let last = layout
            .ifds
            .last()
            .ok_or(GeneratorError::LayoutDidNotConverge)?;
        Ok(Self {
            embed,
            kind: layout.kind,
            total: layout.len,
            next_at: last.next_at,
        })
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
            copy_exact(input, None, self.total, &mut buf, |b| hasher.update(b))?;
            return Ok((
                Digests {
                    main: hasher.finalize(),
                    leaves: Vec::new(),
                },
                0,
            ));
        }
        let w = u64::try_from(self.kind.offset_len()).unwrap_or(8);
        // Up to the last IFD's next-IFD offset, then that offset pointing at the new IFD.
        copy_exact(input, rb(&mut output), self.next_at, &mut buf, |b| {
            hasher.update(b)
        })?;
        let pointer = self
            .kind
            .put(self.fits(self.ifd_at())?, self.kind.offset_len());
        hasher.update(&pointer);
        if let Some(out) = rb(&mut output) {
            out.write_all(&pointer).map_err(io)?;
        }
        input
            .seek(SeekFrom::Start(self.next_at.saturating_add(w)))
            .map_err(io)?;
        let rest = self.total.saturating_sub(self.next_at.saturating_add(w));
        copy_exact(input, rb(&mut output), rest, &mut buf, |b| hasher.update(b))?;
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
