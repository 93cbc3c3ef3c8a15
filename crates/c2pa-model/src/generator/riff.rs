//! The data-hash hard binding for RIFF (WebP, WAV, AVI): the store goes in a `C2PA` chunk
//! appended at the end of the `RIFF` chunk (C2PA 2.2 §A.3.6), whose size field grows by the
//! chunk's size. The hash covers the output — the patched size field included — except the
//! chunk's header and data: an odd size's pad byte stays hashed (a zero), since the reference SDK
//! requires the exclusion to be exactly the chunk's header and data.

use std::io::{SeekFrom, Write};

use super::{
    Binding, COPY_BUFFER, Digests, ReadSeek, copy_exact, data_hash_assertion, io, rb, write_zeros,
};
use crate::assertion::NewAssertion;
use crate::container::{ContainerLimits, Counting, riff};
use crate::error::{ContainerError, GeneratorError};
use crate::store::HashAlg;

pub(crate) struct RiffBinding {
    embed: bool,
    /// The `RIFF` chunk's size field as read.
    size: u32,
    /// Where the `RIFF` chunk ends (where the C2PA chunk goes).
    end: u64,
}

impl RiffBinding {
    /// Walks the chunks: refuses a file that already has a `C2PA` chunk.
    pub(crate) fn scan(
        input: &mut dyn ReadSeek,
        embed: bool,
        limits: &ContainerLimits,
    ) -> Result<Self, GeneratorError> {
        let total = input.seek(SeekFrom::End(0)).map_err(io)?;
        input.seek(SeekFrom::Start(0)).map_err(io)?;
        let header = riff::header(&mut Counting::new(&mut *input))?;
        let end = 8u64.saturating_add(u64::from(header.size));
        if end > total {
            return Err(ContainerError::Truncated { offset: total }.into());
        }
        input.seek(SeekFrom::Start(0)).map_err(io)?;
        if riff::locate(&mut *input, limits)?.is_some() {
            return Err(GeneratorError::AlreadySigned);
        }
        Ok(Self {
            embed,
            size: header.size,
            end,
        })
    }
}

impl Binding for RiffBinding {
    fn label(&self) -> &'static str {
        "c2pa.hash.data"
    }

    fn assertion(
        &self,
        digests: &Digests,
        store_len: usize,
        alg: HashAlg,
    ) -> Result<NewAssertion, GeneratorError> {
        // The chunk's header and data (not an odd size's pad byte).
        let exclusion = self
            .embed
            .then_some((self.end, store_len.saturating_add(8)));
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
            .checked_add(8 + (store_len & 1))
            .ok_or(GeneratorError::StoreTooLarge)
    }

    fn wrap(&self, store: &[u8]) -> Result<Vec<u8>, GeneratorError> {
        if !self.embed {
            return Ok(Vec::new());
        }
        let len = u32::try_from(store.len()).map_err(|_| GeneratorError::StoreTooLarge)?;
        let mut out = Vec::with_capacity(store.len().saturating_add(9));
        out.extend_from_slice(&riff::CHUNK_ID);
        out.extend_from_slice(&len.to_le_bytes());
        out.extend_from_slice(store);
        if store.len() % 2 == 1 {
            out.push(0);
        }
        Ok(out)
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
        let added = u32::try_from(wrapped_len).map_err(|_| GeneratorError::StoreTooLarge)?;
        let size = self
            .size
            .checked_add(added)
            .ok_or(GeneratorError::StoreTooLarge)?;
        // "RIFF" and the grown size field, then the form type and chunks as they are.
        let mut head = [0u8; 8];
        input.read_exact(&mut head).map_err(io)?;
        let mut patched = *b"RIFF\0\0\0\0";
        if let Some(field) = patched.get_mut(4..8) {
            field.copy_from_slice(&size.to_le_bytes());
        }
        hasher.update(&patched);
        if let Some(out) = rb(&mut output) {
            out.write_all(&patched).map_err(io)?;
        }
        copy_exact(
            input,
            rb(&mut output),
            self.end.saturating_sub(8),
            &mut buf,
            |b| hasher.update(b),
        )?;
        if self.embed {
            if let Some(out) = rb(&mut output) {
                write_zeros(out, wrapped_len)?;
            }
            if store_len % 2 == 1 {
                hasher.update(&[0]);
            }
        }
        copy_exact(
            input,
            output,
            total.saturating_sub(self.end),
            &mut buf,
            |b| hasher.update(b),
        )?;
        Ok((
            Digests {
                main: hasher.finalize(),
                leaves: Vec::new(),
            },
            self.end,
        ))
    }
}
