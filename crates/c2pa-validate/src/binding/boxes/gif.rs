//! GIF boxes (C2PA 2.2 §18.7.3.4): the header (`GIF89a`, whatever its version bytes), the
//! Logical Screen Descriptor with its Global Color Table (`LSD`), each extension with its data
//! sub-blocks (`21` and its label in hex, `21F9`, `21FE`, `21FF`), each Image Descriptor with
//! its Local Color Table (`2C`), the Table Based Image Data that follows it (`TBID`), and the
//! trailer (`3B`), which ends the box structure.

use std::io::Read;

use super::{AssetBox, WalkError, Walker, next_byte, read_at};
use crate::binding::Asset;

/// The GIF walker.
pub(crate) struct Gif {
    len: u64,
    pos: u64,
    image_data_next: bool,
    end: Option<u64>,
}

impl Gif {
    pub(crate) fn new(len: u64) -> Self {
        Self {
            len,
            pos: 0,
            image_data_next: false,
            end: None,
        }
    }

    /// Skips data sub-blocks from the current position through the terminator; returns the
    /// offset after it.
    fn sub_blocks(&self, asset: &mut dyn Asset, from: u64) -> Result<u64, WalkError> {
        asset.seek(std::io::SeekFrom::Start(from))?;
        let mut at = from;
        loop {
            let Some(size) = next_byte(asset)? else {
                return Err(WalkError::Malformed {
                    offset: at,
                    what: "GIF data sub-blocks without a terminator",
                });
            };
            at = at.saturating_add(1);
            if size == 0 {
                return Ok(at);
            }
            let n = u64::from(size);
            let skipped = std::io::copy(&mut asset.take(n), &mut std::io::sink())?;
            if skipped < n || at.saturating_add(n) > self.len {
                return Err(WalkError::Malformed {
                    offset: at,
                    what: "GIF data sub-block truncated by the end of the asset",
                });
            }
            at = at.saturating_add(n);
        }
    }
}

/// The size of a color table from a packed-fields byte (flag in bit 7, size in bits 0–2).
fn color_table(packed: u8) -> u64 {
    if packed & 0x80 == 0 {
        0
    } else {
        3u64 << ((packed & 0x07) + 1)
    }
}

impl Walker for Gif {
    fn next_box(&mut self, asset: &mut dyn Asset) -> Result<Option<AssetBox>, WalkError> {
        if self.end.is_some() {
            return Ok(None);
        }
        if self.pos == 0 {
            let mut h = [0u8; 13];
            read_at(asset, 0, &mut h)?;
            if !(h.starts_with(b"GIF87a") || h.starts_with(b"GIF89a")) {
                return Err(WalkError::Malformed {
                    offset: 0,
                    what: "not a GIF header",
                });
            }
            self.pos = 6;
            return Ok(Some(AssetBox::new("GIF89a", 0..6)));
        }
        let start = self.pos;
        if self.pos == 6 {
            let mut lsd = [0u8; 7];
            read_at(asset, 6, &mut lsd)?;
            let [_, _, _, _, packed, _, _] = lsd;
            let end = 13u64.saturating_add(color_table(packed));
            self.pos = end;
            return Ok(Some(AssetBox::new("LSD", start..end)));
        }
        if self.image_data_next {
            self.image_data_next = false;
            // LZW minimum code size, then sub-blocks.
            let end = self.sub_blocks(asset, start.saturating_add(1))?;
            self.pos = end;
            return Ok(Some(AssetBox::new("TBID", start..end)));
        }
        if start >= self.len {
            // No trailer: the boxes end with the file.
            self.end = Some(self.len);
            return Ok(None);
        }
        let mut intro = [0u8; 1];
        read_at(asset, start, &mut intro)?;
        let (name, end) = match intro {
            [0x21] => {
                let mut label = [0u8; 1];
                read_at(asset, start.saturating_add(1), &mut label)?;
                let [label] = label;
                let end = self.sub_blocks(asset, start.saturating_add(2))?;
                (format!("21{label:02X}"), end)
            }
            [0x2C] => {
                let mut desc = [0u8; 10];
                read_at(asset, start, &mut desc)?;
                let [_, _, _, _, _, _, _, _, _, packed] = desc;
                self.image_data_next = true;
                (
                    "2C".to_owned(),
                    start.saturating_add(10).saturating_add(color_table(packed)),
                )
            }
            [0x3B] => {
                let end = start.saturating_add(1);
                self.end = Some(end);
                ("3B".to_owned(), end)
            }
            _ => {
                return Err(WalkError::Malformed {
                    offset: start,
                    what: "unknown GIF block",
                });
            }
        };
        if end > self.len {
            return Err(WalkError::Malformed {
                offset: start,
                what: "GIF block runs past the end of the asset",
            });
        }
        self.pos = end;
        Ok(Some(AssetBox::new(name, start..end)))
    }

    fn structure_end(&self) -> Option<u64> {
        self.end
    }
}
