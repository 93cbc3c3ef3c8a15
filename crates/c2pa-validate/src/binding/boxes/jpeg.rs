//! JPEG boxes (C2PA 2.2 §18.7.3.1): every marker segment is a box named by its symbol in
//! ISO 10918-1 Table B.1 (`SOI`, `APP0`…`APP15`, `DQT`, `SOF0`, `DHT`, `SOS`, `RST0`, `EOI`,
//! ...). `SOS` and `RSTn` boxes include the entropy-coded data after the marker, up to the
//! next marker (stuffed `FF 00` and fill bytes are data). Fill bytes before a marker are not
//! part of any box. A multi-picture file (MPF) goes on with the next image's `SOI` after an
//! `EOI`; anything else after an `EOI` ends the box structure.

use super::{AssetBox, WalkError, Walker, next_byte, read_at, scan_until};
use crate::binding::Asset;

/// The Table B.1 symbol of a marker.
fn symbol(marker: u8) -> String {
    match marker {
        0x01 => "TEM".into(),
        0x02..=0xBF => "RES".into(),
        0xC4 => "DHT".into(),
        0xC8 => "JPG".into(),
        0xCC => "DAC".into(),
        0xC0..=0xCF => format!("SOF{}", marker - 0xC0),
        0xD0..=0xD7 => format!("RST{}", marker - 0xD0),
        0xD8 => "SOI".into(),
        0xD9 => "EOI".into(),
        0xDA => "SOS".into(),
        0xDB => "DQT".into(),
        0xDC => "DNL".into(),
        0xDD => "DRI".into(),
        0xDE => "DHP".into(),
        0xDF => "EXP".into(),
        0xE0..=0xEF => format!("APP{}", marker - 0xE0),
        0xF0..=0xFD => format!("JPG{}", marker - 0xF0),
        _ => "COM".into(), // 0xFE (0x00 and 0xFF never reach here)
    }
}

/// The JPEG walker.
pub(crate) struct Jpeg {
    len: u64,
    pos: u64,
    started: bool,
    after_eoi: bool,
    end: Option<u64>,
}

impl Jpeg {
    pub(crate) fn new(len: u64) -> Self {
        Self {
            len,
            pos: 0,
            started: false,
            after_eoi: false,
            end: None,
        }
    }

    /// The end of entropy-coded data starting at `from`: the first `FF` not followed by `00`.
    fn entropy_end(&self, asset: &mut dyn Asset, from: u64) -> Result<u64, WalkError> {
        asset.seek(std::io::SeekFrom::Start(from))?;
        let mut at = from;
        loop {
            let Some(skipped) = scan_until(asset, |b| b == 0xFF)? else {
                return Ok(self.len);
            };
            at = at.saturating_add(skipped);
            // `at` is an FF; look at what follows.
            next_byte(asset)?;
            match next_byte(asset)? {
                None => return Ok(self.len),
                Some(0x00) => at = at.saturating_add(2),
                Some(_) => return Ok(at),
            }
        }
    }
}

impl Walker for Jpeg {
    fn next_box(&mut self, asset: &mut dyn Asset) -> Result<Option<AssetBox>, WalkError> {
        if self.end.is_some() {
            return Ok(None);
        }
        if !self.started || self.after_eoi {
            let mut soi = [0u8; 2];
            if self.after_eoi && self.pos.saturating_add(2) > self.len {
                self.end = Some(self.pos);
                return Ok(None);
            }
            read_at(asset, self.pos, &mut soi)?;
            if soi != [0xFF, 0xD8] {
                if self.after_eoi {
                    // Not another image: the box structure ends here.
                    self.end = Some(self.pos);
                    return Ok(None);
                }
                return Err(WalkError::Malformed {
                    offset: 0,
                    what: "JPEG does not start with SOI",
                });
            }
            self.started = true;
            self.after_eoi = false;
            let start = self.pos;
            self.pos = start.saturating_add(2);
            return Ok(Some(AssetBox::new("SOI", start..self.pos)));
        }
        if self.pos >= self.len {
            // A JPEG cut before its EOI: the boxes end with the file.
            self.end = Some(self.len);
            return Ok(None);
        }
        let mut first = [0u8; 1];
        read_at(asset, self.pos, &mut first)?;
        if first != [0xFF] {
            return Err(WalkError::Malformed {
                offset: self.pos,
                what: "expected a JPEG marker",
            });
        }
        // Fill bytes: the box starts at the last FF before the marker code.
        let mut start = self.pos;
        let marker = loop {
            match next_byte(asset)? {
                Some(0xFF) => start = start.saturating_add(1),
                Some(0x00) => {
                    return Err(WalkError::Malformed {
                        offset: start,
                        what: "FF 00 outside entropy-coded data",
                    });
                }
                Some(m) => break m,
                None => {
                    return Err(WalkError::Malformed {
                        offset: start,
                        what: "JPEG marker truncated by the end of the asset",
                    });
                }
            }
        };
        let after_marker = start.saturating_add(2);
        let end = match marker {
            0xD9 => {
                self.after_eoi = true;
                after_marker
            }
            0x01 => after_marker,
            0xD8 => {
                return Err(WalkError::Malformed {
                    offset: start,
                    what: "SOI inside an image",
                });
            }
            0xD0..=0xD7 => self.entropy_end(asset, after_marker)?,
            _ => {
                let mut l = [0u8; 2];
                read_at(asset, after_marker, &mut l)?;
                let length = u64::from(u16::from_be_bytes(l));
                if length < 2 {
                    return Err(WalkError::Malformed {
                        offset: start,
                        what: "JPEG segment length below 2",
                    });
                }
                let end = after_marker.saturating_add(length);
                if end > self.len {
                    return Err(WalkError::Malformed {
                        offset: start,
                        what: "JPEG segment runs past the end of the asset",
                    });
                }
                if marker == 0xDA {
                    self.entropy_end(asset, end)?
                } else {
                    end
                }
            }
        };
        self.pos = end;
        Ok(Some(AssetBox::new(symbol(marker), start..end)))
    }

    fn structure_end(&self) -> Option<u64> {
        self.end
    }
}
