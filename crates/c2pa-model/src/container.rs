//! Asset containers: finding (and later embedding) the C2PA Manifest Store in an asset.
//!
//! Locators read the asset sequentially through [`std::io::Read`] and keep only the manifest
//! store bytes, so memory does not grow with the asset. Each returns a [`Located`] store with the
//! byte ranges of the asset that carry it (what a `c2pa.hash.data` exclusion must cover).

use core::ops::Range;
use std::io::{BufRead, Read, Seek, SeekFrom};

use crate::error::ContainerError;

pub mod bmff;
pub mod font;
pub mod gif;
pub mod jpeg;
pub mod jxl;
pub mod pdf;
pub mod png;
pub mod riff;
pub mod svg;
pub mod tiff;

/// Bounds on what a locator accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ContainerLimits {
    /// Largest manifest store accepted, in bytes. Real stores are kilobytes to a few MiB (thumbnails
    /// dominate); 64 MiB bounds memory for hostile input while leaving room for large ingredients.
    pub max_store_size: usize,
    /// Most container segments/chunks/boxes examined. JPEG files rarely have more than a few
    /// hundred marker segments; 1,000,000 bounds the work of a hostile file of tiny segments.
    pub max_segments: usize,
}

impl Default for ContainerLimits {
    fn default() -> Self {
        Self {
            max_store_size: 64 * 1024 * 1024,
            max_segments: 1_000_000,
        }
    }
}

/// Asset formats Signet can read manifests from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Format {
    /// JPEG (ISO 10918-1), store in APP11 segments (C2PA 2.2 §A.3.1, ISO 19566-5 D.2).
    Jpeg,
    /// PNG, store in a `caBX` chunk (§A.3.3).
    Png,
    /// ISO BMFF (MP4, MOV, HEIF, AVIF, ...), store in a C2PA `uuid` box (§A.5).
    Bmff,
    /// RIFF (WebP, WAV, AVI), store in a `C2PA` chunk (§A.3.6).
    Riff,
    /// GIF, store in a `C2PA_GIF` application extension (§A.3.7).
    Gif,
    /// SVG, store Base64-encoded in a `c2pa:manifest` element (§A.3.3).
    Svg,
    /// PDF, store in an embedded file stream (§A.4); needs random access ([`locate_seekable`]).
    Pdf,
    /// TrueType/OpenType fonts, store in the `C2PA` table (§A.3.9).
    Font,
    /// JPEG XL (box container), store in a top-level `jumb` box (§A.3.8).
    Jxl,
    /// TIFF and TIFF-based formats (DNG), store in tag 52545 of an IFD (§A.3.5); needs random
    /// access ([`locate_seekable`]).
    Tiff,
    /// A sidecar or remote `.c2pa` file: the whole file is the store (§A.2).
    Sidecar,
}

impl Format {
    /// The format for a file extension (case-insensitive), if supported.
    pub fn from_extension(ext: &str) -> Option<Self> {
        Some(match ext.to_ascii_lowercase().as_str() {
            "jpg" | "jpeg" => Self::Jpeg,
            "png" => Self::Png,
            "mp4" | "m4v" | "m4a" | "mov" | "heic" | "heif" | "avif" | "m4s" | "3gp" => Self::Bmff,
            "webp" | "wav" | "avi" => Self::Riff,
            "gif" => Self::Gif,
            "svg" => Self::Svg,
            "pdf" => Self::Pdf,
            "ttf" | "otf" => Self::Font,
            "jxl" => Self::Jxl,
            "tif" | "tiff" | "dng" => Self::Tiff,
            "c2pa" => Self::Sidecar,
            _ => return None,
        })
    }

    /// The format for a MIME type, if supported.
    pub fn from_mime(mime: &str) -> Option<Self> {
        Some(match mime {
            "image/jpeg" => Self::Jpeg,
            "image/png" => Self::Png,
            "video/mp4" | "audio/mp4" | "video/quicktime" | "image/heic" | "image/heif"
            | "image/avif" | "application/mp4" | "audio/m4a" => Self::Bmff,
            "image/webp" | "audio/wav" | "audio/wave" | "audio/x-wav" | "audio/vnd.wave"
            | "video/avi" | "video/x-msvideo" | "video/msvideo" => Self::Riff,
            "image/gif" => Self::Gif,
            "image/svg+xml" => Self::Svg,
            "application/pdf" => Self::Pdf,
            "font/ttf" | "font/otf" | "font/sfnt" | "application/font-sfnt" => Self::Font,
            "image/jxl" => Self::Jxl,
            "image/tiff" | "image/x-adobe-dng" | "image/dng" => Self::Tiff,
            "application/c2pa" => Self::Sidecar,
            _ => return None,
        })
    }

    /// How many leading bytes [`Format::sniff`] looks at.
    pub const SNIFF_LEN: usize = 64;

    /// The format from an asset's first bytes (at most [`Format::SNIFF_LEN`] are looked at), for
    /// files without a telling extension. SVG is recognised by an `<svg` or `<?xml` start (after
    /// an optional UTF-8 BOM and white space).
    pub fn sniff(head: &[u8]) -> Option<Self> {
        let head = head.get(..Self::SNIFF_LEN).unwrap_or(head);
        Some(match head {
            [0xFF, 0xD8, 0xFF, ..] => Self::Jpeg,
            [0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A, ..] => Self::Png,
            [_, _, _, _, b'f', b't', b'y', b'p', ..] | [_, _, _, _, b's', b't', b'y', b'p', ..] => {
                Self::Bmff
            }
            [b'R', b'I', b'F', b'F', ..] => Self::Riff,
            [b'G', b'I', b'F', b'8', b'7' | b'9', b'a', ..] => Self::Gif,
            [b'%', b'P', b'D', b'F', b'-', ..] => Self::Pdf,
            [b'I', b'I', 0x2A, 0x00, ..] | [b'M', b'M', 0x00, 0x2A, ..] => Self::Tiff,
            [
                0x00,
                0x00,
                0x00,
                0x0C,
                b'J',
                b'X',
                b'L',
                b' ',
                0x0D,
                0x0A,
                0x87,
                0x0A,
                ..,
            ] => Self::Jxl,
            [0x00, 0x01, 0x00, 0x00, ..]
            | [b'O', b'T', b'T', b'O', ..]
            | [b't', b'r', b'u', b'e', ..] => Self::Font,
            [_, _, _, _, b'j', b'u', b'm', b'b', ..] => Self::Sidecar,
            _ => {
                let text = head.strip_prefix(&[0xEF, 0xBB, 0xBF]).unwrap_or(head);
                let start = text.iter().position(|b| !b.is_ascii_whitespace())?;
                let text = text.get(start..)?;
                if text.starts_with(b"<svg") || text.starts_with(b"<?xml") {
                    Self::Svg
                } else {
                    return None;
                }
            }
        })
    }
}

/// The formats Signet reads, for help and error texts.
pub const READABLE_FORMATS: &str = "JPEG, PNG, GIF, SVG, WebP/WAV/AVI, TIFF/DNG, JPEG XL, \
                                    TrueType/OpenType, PDF, ISO BMFF (MP4, MOV, HEIF, AVIF) \
                                    and .c2pa";

/// Finds the manifest store in an asset of the given format, reading it sequentially.
/// `Ok(None)` when it has none. PDF and TIFF need [`locate_seekable`].
pub fn locate<R: Read>(
    format: Format,
    reader: R,
    limits: &ContainerLimits,
) -> Result<Option<Located>, ContainerError> {
    match format {
        Format::Jpeg => jpeg::locate(reader, limits),
        Format::Png => png::locate(reader, limits),
        Format::Bmff => bmff::locate(reader, limits),
        Format::Riff => riff::locate(reader, limits),
        Format::Gif => gif::locate(reader, limits),
        Format::Svg => svg::locate(reader, limits),
        Format::Font => font::locate(reader, limits),
        Format::Jxl => jxl::locate(reader, limits),
        Format::Pdf => Err(ContainerError::Unsupported {
            format: "PDF",
            what: "sequential reading (use locate_seekable)",
        }),
        Format::Tiff => Err(ContainerError::Unsupported {
            format: "TIFF",
            what: "sequential reading (use locate_seekable)",
        }),
        Format::Sidecar => {
            let mut store = Vec::new();
            let limit = u64::try_from(limits.max_store_size)
                .unwrap_or(u64::MAX)
                .saturating_add(1);
            reader
                .take(limit)
                .read_to_end(&mut store)
                .map_err(|e| ContainerError::io(e, 0))?;
            if store.len() > limits.max_store_size {
                return Err(ContainerError::StoreTooLarge {
                    limit: limits.max_store_size,
                });
            }
            let len = u64::try_from(store.len()).unwrap_or(u64::MAX);
            Ok(Some(Located {
                format,
                store,
                ranges: core::iter::once(0..len).collect(),
            }))
        }
    }
}

/// [`locate`] over a seekable reader positioned at the start of the asset: payloads that do not
/// carry the store — an ISO BMFF `mdat` of gigabytes, PNG `IDAT` chunks, JPEG segments — are
/// seeked over rather than read, and PDF, whose store is found through its cross-reference
/// table, and TIFF, whose IFDs may sit anywhere, need the random access. `Ok(None)` when the asset has no store.
pub fn locate_seekable<R: Read + Seek>(
    format: Format,
    mut reader: R,
    limits: &ContainerLimits,
) -> Result<Option<Located>, ContainerError> {
    match format {
        // JPEG entropy-coded data is scanned a byte at a time for the next marker: buffered,
        // or every byte would be a read call (minutes for a 50 MB image). The reader's
        // position afterwards is unspecified, as for every format.
        Format::Jpeg => jpeg::locate_in(
            Counting::seekable(std::io::BufReader::with_capacity(64 * 1024, reader)),
            limits,
        ),
        Format::Png => png::locate_in(Counting::seekable(reader), limits),
        Format::Bmff => bmff::locate_in(Counting::seekable(reader), limits),
        Format::Pdf => pdf::locate(&mut reader, limits),
        Format::Tiff => tiff::locate(&mut reader, limits),
        _ => locate(format, reader, limits),
    }
}

/// [`locate_seekable`] over a reader that is already buffered (the validator's `BufRead +
/// Seek` asset): a JPEG is read through `reader`'s own buffer, with no second buffer in front
/// of it — its APP11 payloads are copied once, from that buffer into the store — and the
/// segments it does not keep are consumed from that buffer rather than sought over (a JPEG
/// segment is at most 64 KiB, and a seek would discard the buffer). Other formats go as
/// [`locate_seekable`] takes them. The reader's position afterwards is unspecified.
pub fn locate_buffered<R: BufRead + Seek>(
    format: Format,
    reader: R,
    limits: &ContainerLimits,
) -> Result<Option<Located>, ContainerError> {
    match format {
        Format::Jpeg => jpeg::locate_in(Counting::buffered(reader), limits),
        _ => locate_seekable(format, reader, limits),
    }
}

/// A manifest store found in an asset.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Located {
    /// The asset format.
    pub format: Format,
    /// The manifest store (one JUMBF superbox), reassembled from its segments.
    pub store: Vec<u8>,
    /// The byte ranges of the asset occupied by the store's segments, headers included, in
    /// order. For JPEG these are whole APP11 marker segments (marker, length and payload).
    pub ranges: Vec<Range<u64>>,
}

/// True when `data` starts with a JUMBF superbox whose description says C2PA Manifest Store
/// (type `c2pa`, label `c2pa`).
pub(crate) fn is_c2pa_store(data: &[u8]) -> bool {
    let header: usize = match data.get(..4) {
        Some([0, 0, 0, 1]) => 16,
        _ => 8,
    };
    let tbox_ok = data.get(4..8) == Some(b"jumb".as_slice());
    let desc = header.saturating_add(8);
    let uuid_ok =
        data.get(desc..desc.saturating_add(16)) == Some(crate::store::uuid::STORE.as_slice());
    let label_at = desc.saturating_add(17);
    let label_ok = data.get(label_at..label_at.saturating_add(5)) == Some(b"c2pa\0".as_slice());
    tbox_ok && uuid_ok && label_ok
}

/// A reader that counts the bytes it has consumed; made with [`Counting::seekable`], it seeks
/// over skipped payloads instead of reading them.
pub(crate) struct Counting<R> {
    inner: R,
    pub(crate) pos: u64,
    /// Skips forward by `n` bytes without reading them through [`Read`] (a seek, or a buffered
    /// reader's consume); `None` copies them to a sink.
    seek: Option<fn(&mut R, u64) -> std::io::Result<()>>,
}

fn seek_forward<R: Read + Seek>(reader: &mut R, n: u64) -> std::io::Result<()> {
    let n = i64::try_from(n).map_err(|_| std::io::Error::from(std::io::ErrorKind::InvalidInput))?;
    reader.seek(SeekFrom::Current(n)).map(|_| ())
}

/// Skips `n` bytes of a buffered reader by consuming them from its buffer; stops early at end
/// of data, which the next read reports.
fn consume_forward<R: BufRead>(reader: &mut R, n: u64) -> std::io::Result<()> {
    let mut left = n;
    while left > 0 {
        let available = match reader.fill_buf() {
            Ok(buf) => buf.len(),
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if available == 0 {
            break;
        }
        let take = usize::try_from(left).map_or(available, |l| l.min(available));
        reader.consume(take);
        left = left.saturating_sub(u64::try_from(take).unwrap_or(left));
    }
    Ok(())
}

impl<R: BufRead> Counting<R> {
    /// A counting reader over a buffered source, positioned where `inner` is (its start), that
    /// skips by consuming `inner`'s buffer: for skips no longer than a buffer or two (JPEG
    /// segments), where a seek would throw the buffer away and read it again.
    pub(crate) fn buffered(inner: R) -> Self {
        Self {
            inner,
            pos: 0,
            seek: Some(consume_forward::<R>),
        }
    }
}

impl<R: Read + Seek> Counting<R> {
    /// A counting reader over a seekable source, positioned where `inner` is (its start).
    pub(crate) fn seekable(inner: R) -> Self {
        Self {
            inner,
            pos: 0,
            seek: Some(seek_forward::<R>),
        }
    }
}

impl<R: Read> Counting<R> {
    pub(crate) fn new(inner: R) -> Self {
        Self {
            inner,
            pos: 0,
            seek: None,
        }
    }

    /// Reads exactly `buf.len()` bytes; end of data is `Ok(false)` only at the very start.
    pub(crate) fn fill(&mut self, buf: &mut [u8]) -> Result<(), ContainerError> {
        self.inner
            .read_exact(buf)
            .map_err(|e| ContainerError::io(e, self.pos))?;
        self.pos = self
            .pos
            .saturating_add(u64::try_from(buf.len()).unwrap_or(u64::MAX));
        Ok(())
    }

    /// Reads exactly `len` bytes onto the end of `out` (into its spare capacity, without
    /// zeroing it first).
    pub(crate) fn append(&mut self, out: &mut Vec<u8>, len: usize) -> Result<(), ContainerError> {
        let want = u64::try_from(len).unwrap_or(u64::MAX);
        let read = (&mut self.inner)
            .take(want)
            .read_to_end(out)
            .map_err(|e| ContainerError::io(e, self.pos))?;
        self.pos = self
            .pos
            .saturating_add(u64::try_from(read).unwrap_or(u64::MAX));
        if read < len {
            return Err(ContainerError::Truncated { offset: self.pos });
        }
        Ok(())
    }

    /// Reads one byte, or `None` at end of data.
    pub(crate) fn byte(&mut self) -> Result<Option<u8>, ContainerError> {
        let mut b = [0u8; 1];
        loop {
            match self.inner.read(&mut b) {
                Ok(0) => return Ok(None),
                Ok(_) => {
                    self.pos = self.pos.saturating_add(1);
                    return Ok(b.first().copied());
                }
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(ContainerError::io(e, self.pos)),
            }
        }
    }

    /// Skips `n` bytes (seeking when the source is seekable). A seek past the end is caught by
    /// the next read.
    pub(crate) fn skip(&mut self, n: u64) -> Result<(), ContainerError> {
        if let Some(seek) = self.seek {
            seek(&mut self.inner, n).map_err(|e| ContainerError::io(e, self.pos))?;
            self.pos = self.pos.saturating_add(n);
            return Ok(());
        }
        let copied = std::io::copy(&mut (&mut self.inner).take(n), &mut std::io::sink())
            .map_err(|e| ContainerError::io(e, self.pos))?;
        self.pos = self.pos.saturating_add(copied);
        if copied == n {
            Ok(())
        } else {
            Err(ContainerError::Truncated { offset: self.pos })
        }
    }
}

#[cfg(test)]
mod tests;
