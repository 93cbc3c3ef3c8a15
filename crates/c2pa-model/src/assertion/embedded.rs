//! Embedded files (ISO 19566-5 B.4) as C2PA uses them: thumbnails (C2PA 2.2 §18.13) and
//! embedded data (§18.12).
//!
//! ```text
//! bfdb payload = TOGGLES (u8: 0x01 file name present, 0x02 external reference)
//!                ‖ MEDIA TYPE (UTF-8, NUL-terminated) ‖ [FILE NAME (UTF-8, NUL-terminated)]
//! bidb payload = the file's bytes
//! ```

use crate::error::AssertionError;
use crate::jumbf;

/// `bfdb` toggle: a file name follows the media type.
pub const TOGGLE_FILE_NAME: u8 = 0x01;
/// `bfdb` toggle: the `bidb` holds a URL, not the data (§18.12.2: not allowed in assertions).
pub const TOGGLE_EXTERNAL: u8 = 0x02;

/// An embedded file: media type, optional file name and the bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmbeddedFile {
    /// IANA media type, e.g. `image/jpeg`.
    pub media_type: String,
    /// File name, if given.
    pub file_name: Option<String>,
    /// True when the external-reference toggle is set (the data is a URL).
    pub external: bool,
    /// The file's bytes (`bidb` payload).
    pub data: Vec<u8>,
}

impl EmbeddedFile {
    /// An embedded file of `media_type` holding `data`.
    pub fn new(media_type: impl Into<String>, data: Vec<u8>) -> Self {
        Self {
            media_type: media_type.into(),
            file_name: None,
            external: false,
            data,
        }
    }

    /// Parses a `bfdb` payload; `data` is the `bidb` payload.
    pub fn from_boxes(
        description: &[u8],
        data: Vec<u8>,
        label: &str,
    ) -> Result<Self, AssertionError> {
        let bad = |what| AssertionError::EmbeddedFile {
            label: label.to_owned(),
            what,
        };
        let (&toggles, rest) = description.split_first().ok_or(bad("empty"))?;
        let mut strings = rest.split(|b| *b == 0);
        let media = strings.next().ok_or(bad("media type"))?;
        let media_type = core::str::from_utf8(media)
            .map_err(|_| bad("media type is not UTF-8"))?
            .to_owned();
        if rest.len() == media.len() {
            return Err(bad("media type is not NUL-terminated"));
        }
        let after_media = rest
            .get(media.len().saturating_add(1)..)
            .unwrap_or_default();
        let file_name = if toggles & TOGGLE_FILE_NAME != 0 {
            let nul = after_media
                .iter()
                .position(|b| *b == 0)
                .ok_or(bad("file name is not NUL-terminated"))?;
            let name = after_media.get(..nul).unwrap_or_default();
            if after_media.len() != nul.saturating_add(1) {
                return Err(bad("trailing bytes"));
            }
            Some(
                core::str::from_utf8(name)
                    .map_err(|_| bad("file name is not UTF-8"))?
                    .to_owned(),
            )
        } else {
            if !after_media.is_empty() {
                return Err(bad("trailing bytes"));
            }
            None
        };
        Ok(Self {
            media_type,
            file_name,
            external: toggles & TOGGLE_EXTERNAL != 0,
            data,
        })
    }

    /// Appends the `bfdb` and `bidb` boxes.
    pub fn write_boxes(&self, out: &mut Vec<u8>) {
        let mut d = Vec::with_capacity(self.media_type.len().saturating_add(2));
        let mut toggles = 0u8;
        if self.file_name.is_some() {
            toggles |= TOGGLE_FILE_NAME;
        }
        if self.external {
            toggles |= TOGGLE_EXTERNAL;
        }
        d.push(toggles);
        d.extend_from_slice(self.media_type.as_bytes());
        d.push(0);
        if let Some(name) = &self.file_name {
            d.extend_from_slice(name.as_bytes());
            d.push(0);
        }
        jumbf::write_box(out, *b"bfdb", &d);
        jumbf::write_box(out, *b"bidb", &self.data);
    }
}
