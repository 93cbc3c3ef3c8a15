//! The data-hash hard binding (C2PA 2.2 §18.5) for the formats where the store is *inserted*
//! at one place: JPEG (APP11 segments, §A.3.1), PNG (`caBX` chunk, §A.3.3) and GIF (`C2PA_GIF`
//! application extension after the header, §A.3.7).
//!
//! The store is *inserted* at one place, so the hash over the output minus the exclusion is the
//! hash of the input: it is computed while copying, with no second pass.

use std::io::{SeekFrom, Write};

use super::{
    Binding, COPY_BUFFER, Digests, ReadSeek, copy_exact, data_hash_assertion, io, rb, write_zeros,
};
use crate::assertion::NewAssertion;
use crate::container::{self, ContainerLimits, Format};
use crate::error::{ContainerError, GeneratorError};
use crate::jumbf;
use crate::store::HashAlg;

/// Largest APP11 segment payload (`Lp` counts itself: 65,535 − 2).
const APP11_MAX_PAYLOAD: usize = 65_533;
/// JPEG XT box instance number used for the store.
const BOX_INSTANCE: u16 = 1;
/// Bytes of an APP11 segment before its box data: marker, Lp, CI, En, Z.
const APP11_OVERHEAD: usize = 2 + 2 + 2 + 2 + 4;

pub(crate) struct DataHashBinding {
    format: Format,
    /// Where the store goes (`None` for a sidecar: nothing is excluded).
    insert_at: Option<u64>,
}

impl DataHashBinding {
    /// Scans a JPEG or PNG: refuses one that already has a manifest store and finds where the
    /// store goes.
    pub(crate) fn scan(
        format: Format,
        input: &mut dyn ReadSeek,
        embed: bool,
        limits: &ContainerLimits,
    ) -> Result<Self, GeneratorError> {
        let insert_at = match format {
            Format::Jpeg => jpeg_scan(input, limits)?,
            Format::Png => png_scan(input, limits)?,
            Format::Gif => gif_scan(input, limits)?,
            _ => return Err(GeneratorError::UnsupportedFormat),
        };
        Ok(Self {
            format,
            insert_at: embed.then_some(insert_at),
        })
    }
}

impl Binding for DataHashBinding {
    fn label(&self) -> &'static str {
        "c2pa.hash.data"
    }

    fn assertion(
        &self,
        digests: &Digests,
        store_len: usize,
        alg: HashAlg,
    ) -> Result<NewAssertion, GeneratorError> {
        let exclusion = match self.insert_at {
            Some(start) => Some((start, self.wrapped_len(store_len)?)),
            None => None,
        };
        data_hash_assertion(&digests.main, exclusion, alg)
    }

    fn placeholder(&self, alg: HashAlg) -> Digests {
        Digests::zeroed(alg)
    }

    fn wrapped_len(&self, store_len: usize) -> Result<usize, GeneratorError> {
        if self.insert_at.is_none() {
            return Ok(0);
        }
        match self.format {
            Format::Png => store_len
                .checked_add(12)
                .ok_or(GeneratorError::StoreTooLarge),
            // Introducer, label, block size, identifier; a length byte per 255; terminator.
            Format::Gif => Ok(store_len
                .saturating_add(3 + container::gif::APP_ID.len())
                .saturating_add(store_len.div_ceil(255))
                .saturating_add(1)),
            _ => {
                // The first packet carries the box header itself; later ones repeat it (8).
                let first = APP11_MAX_PAYLOAD.saturating_sub(8);
                let later = APP11_MAX_PAYLOAD.saturating_sub(16);
                let segments = if store_len <= first {
                    1
                } else {
                    1usize.saturating_add(store_len.saturating_sub(first).div_ceil(later))
                };
                Ok(store_len
                    .saturating_add(segments.saturating_mul(APP11_OVERHEAD))
                    .saturating_add(segments.saturating_sub(1).saturating_mul(8)))
            }
        }
    }

    fn wrap(&self, store: &[u8]) -> Result<Vec<u8>, GeneratorError> {
        if self.insert_at.is_none() {
            return Ok(Vec::new());
        }
        match self.format {
            Format::Png => png_chunk(store),
            Format::Gif => Ok(gif_extension(store)),
            _ => Ok(app11_segments(store)?.concat()),
        }
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
        let at = self.insert_at.unwrap_or(0);
        if self.insert_at.is_some() {
            copy_exact(input, rb(&mut output), at, &mut buf, |b| hasher.update(b))?;
            if let Some(out) = rb(&mut output) {
                write_zeros(out, wrapped_len)?;
            }
        }
        copy_exact(
            input,
            output,
            total.saturating_sub(if self.insert_at.is_some() { at } else { 0 }),
            &mut buf,
            |b| hasher.update(b),
        )?;
        Ok((
            Digests {
                main: hasher.finalize(),
                leaves: Vec::new(),
            },
            at,
        ))
    }
}

/// Offset after SOI and any leading APP0 (JFIF) / APP1 (Exif, XMP) segments, where the store
/// goes. Walks the marker segments up to the first SOS (seeking past their payloads) and
/// refuses a JPEG that already carries a C2PA Manifest Store in APP11.
fn jpeg_scan(r: &mut dyn ReadSeek, limits: &ContainerLimits) -> Result<u64, GeneratorError> {
    let mut soi = [0u8; 2];
    r.read_exact(&mut soi)
        .map_err(|_| ContainerError::NotFormat { format: "JPEG" })?;
    if soi != [0xFF, 0xD8] {
        return Err(ContainerError::NotFormat { format: "JPEG" }.into());
    }
    let mut at = 2u64;
    let mut insert_at = None;
    for _ in 0..limits.max_segments {
        let mut head = [0u8; 4];
        r.read_exact(&mut head)
            .map_err(|e| ContainerError::io(e, at))?;
        let [ff, marker, l0, l1] = head;
        if ff != 0xFF {
            return Err(ContainerError::Malformed {
                offset: at,
                what: "expected a JPEG marker",
            }
            .into());
        }
        if insert_at.is_none() && marker != 0xE0 && marker != 0xE1 {
            insert_at = Some(at);
        }
        if marker == 0xDA || marker == 0xD9 {
            return insert_at.ok_or(GeneratorError::UnsupportedFormat);
        }
        let len = u16::from_be_bytes([l0, l1]);
        if len < 2 {
            return Err(ContainerError::Malformed {
                offset: at,
                what: "segment length below 2",
            }
            .into());
        }
        let body = u64::from(len).saturating_sub(2);
        if marker == 0xEB && body >= 8 + 8 + 8 + 16 + 6 {
            let mut first = [0u8; 8 + 8 + 8 + 16 + 6];
            r.read_exact(&mut first)
                .map_err(|e| ContainerError::io(e, at))?;
            let data = first.get(8..).unwrap_or_default();
            let is_store = first.get(..2) == Some(b"JP".as_slice())
                && first.get(4..8) == Some([0, 0, 0, 1].as_slice())
                && data.get(4..8) == Some(b"jumb".as_slice())
                && data.get(16..32) == Some(crate::store::uuid::STORE.as_slice());
            if is_store {
                return Err(GeneratorError::AlreadySigned);
            }
            r.seek(SeekFrom::Current(
                i64::try_from(body).unwrap_or(i64::MAX).saturating_sub(46),
            ))
            .map_err(io)?;
        } else {
            r.seek(SeekFrom::Current(i64::try_from(body).unwrap_or(i64::MAX)))
                .map_err(io)?;
        }
        at = at.saturating_add(2).saturating_add(u64::from(len));
    }
    Err(ContainerError::TooManySegments {
        limit: limits.max_segments,
    }
    .into())
}

/// Offset after the PNG signature and IHDR (C2PA 2.2 §A.3.3 puts `caBX` before IDAT). Walks
/// every chunk header (seeking past the data) and refuses a PNG with a `caBX` chunk.
fn png_scan(r: &mut dyn ReadSeek, limits: &ContainerLimits) -> Result<u64, GeneratorError> {
    let mut sig = [0u8; 8];
    r.read_exact(&mut sig)
        .map_err(|_| ContainerError::NotFormat { format: "PNG" })?;
    if sig != container::png::SIGNATURE {
        return Err(ContainerError::NotFormat { format: "PNG" }.into());
    }
    let mut at = 8u64;
    let mut insert_at = None;
    for _ in 0..limits.max_segments {
        let mut head = [0u8; 8];
        r.read_exact(&mut head)
            .map_err(|e| ContainerError::io(e, at))?;
        let [l0, l1, l2, l3, t0, t1, t2, t3] = head;
        let len = u32::from_be_bytes([l0, l1, l2, l3]);
        let kind = [t0, t1, t2, t3];
        if at == 8 && kind != *b"IHDR" {
            return Err(ContainerError::NotFormat { format: "PNG" }.into());
        }
        if kind == container::png::CHUNK_TYPE {
            return Err(GeneratorError::AlreadySigned);
        }
        let end = at.saturating_add(12).saturating_add(u64::from(len));
        if kind == *b"IHDR" {
            insert_at = Some(end);
        }
        if kind == *b"IEND" {
            return insert_at.ok_or(GeneratorError::UnsupportedFormat);
        }
        r.seek(SeekFrom::Current(i64::from(len).saturating_add(4)))
            .map_err(io)?;
        at = end;
    }
    Err(ContainerError::TooManySegments {
        limit: limits.max_segments,
    }
    .into())
}

/// Offset after the GIF header, Logical Screen Descriptor and Global Color Table (§A.3.7:
/// after the header, before the first image). Walks every block and refuses a GIF that already
/// has a C2PA extension.
fn gif_scan(r: &mut dyn ReadSeek, limits: &ContainerLimits) -> Result<u64, GeneratorError> {
    let mut signed = false;
    let first = container::gif::walk(r, limits, |_, _, _| {
        signed = true;
        Ok(())
    })?;
    if signed {
        return Err(GeneratorError::AlreadySigned);
    }
    Ok(first)
}

/// Wraps a store in the C2PA GIF application extension.
fn gif_extension(store: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(store.len().saturating_add(store.len() / 255 + 16));
    out.extend_from_slice(&[0x21, 0xFF, 0x0B]);
    out.extend_from_slice(&container::gif::APP_ID);
    for chunk in store.chunks(255) {
        out.push(u8::try_from(chunk.len()).unwrap_or(255));
        out.extend_from_slice(chunk);
    }
    out.push(0);
    out
}

/// Wraps a store in a PNG `caBX` chunk (length, type, data, CRC-32).
fn png_chunk(store: &[u8]) -> Result<Vec<u8>, GeneratorError> {
    let len = u32::try_from(store.len())
        .ok()
        .filter(|l| *l <= 0x7FFF_FFFF)
        .ok_or(GeneratorError::StoreTooLarge)?;
    let mut chunk = Vec::with_capacity(store.len().saturating_add(12));
    chunk.extend_from_slice(&len.to_be_bytes());
    chunk.extend_from_slice(&container::png::CHUNK_TYPE);
    chunk.extend_from_slice(store);
    chunk.extend_from_slice(
        &container::png::crc32(&[&container::png::CHUNK_TYPE, store]).to_be_bytes(),
    );
    Ok(chunk)
}

/// Splits a store into APP11 marker segments (ISO 19566-5 D.2; C2PA 2.2 §A.3.1).
pub fn app11_segments(store: &[u8]) -> Result<Vec<Vec<u8>>, GeneratorError> {
    let header: &[u8] = store.get(..8).ok_or(GeneratorError::StoreTooLarge)?;
    if store.get(..4) == Some(&[0, 0, 0, 1][..]) || store.get(4..8) != Some(&jumbf::SUPERBOX[..]) {
        return Err(GeneratorError::StoreTooLarge); // XLBox stores do not fit APP11 sensibly
    }
    let mut segments = Vec::new();
    let mut rest = store;
    let mut seq = 1u32;
    while !rest.is_empty() {
        // The first packet carries the box header itself; later ones repeat it.
        let prefix: &[u8] = if seq == 1 { &[] } else { header };
        let room = APP11_MAX_PAYLOAD
            .saturating_sub(8)
            .saturating_sub(prefix.len());
        let take = rest.len().min(room);
        let (chunk, tail) = rest.split_at(take);
        let payload_len = 8usize
            .saturating_add(prefix.len())
            .saturating_add(chunk.len());
        let lp = u16::try_from(payload_len.saturating_add(2))
            .map_err(|_| GeneratorError::StoreTooLarge)?;
        let mut seg = Vec::with_capacity(payload_len.saturating_add(4));
        seg.extend_from_slice(&[0xFF, 0xEB]);
        seg.extend_from_slice(&lp.to_be_bytes());
        seg.extend_from_slice(b"JP");
        seg.extend_from_slice(&BOX_INSTANCE.to_be_bytes());
        seg.extend_from_slice(&seq.to_be_bytes());
        seg.extend_from_slice(prefix);
        seg.extend_from_slice(chunk);
        segments.push(seg);
        rest = tail;
        seq = seq.checked_add(1).ok_or(GeneratorError::StoreTooLarge)?;
    }
    Ok(segments)
}
