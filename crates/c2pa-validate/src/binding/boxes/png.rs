//! PNG boxes (C2PA 2.2 §18.7.3.2): the 8-byte signature is the box `PNGh` (which an assertion
//! may leave out), then every chunk — length, type, data and CRC — is a box named by its type.
//! The box structure ends with `IEND`.

use super::{AssetBox, WalkError, Walker, fourcc, read_at};
use crate::binding::Asset;

const SIGNATURE: [u8; 8] = [0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A];

/// The PNG walker.
pub(crate) struct Png {
    len: u64,
    pos: u64,
    end: Option<u64>,
}

impl Png {
    pub(crate) fn new(len: u64) -> Self {
        Self {
            len,
            pos: 0,
            end: None,
        }
    }
}

impl Walker for Png {
    fn next_box(&mut self, asset: &mut dyn Asset) -> Result<Option<AssetBox>, WalkError> {
        if self.end.is_some() {
            return Ok(None);
        }
        if self.pos == 0 {
            let mut sig = [0u8; 8];
            read_at(asset, 0, &mut sig)?;
            if sig != SIGNATURE {
                return Err(WalkError::Malformed {
                    offset: 0,
                    what: "not a PNG signature",
                });
            }
            self.pos = 8;
            let mut header = AssetBox::new("PNGh", 0..8);
            header.optional = true;
            return Ok(Some(header));
        }
        if self.pos >= self.len {
            // No IEND: the boxes end with the file.
            self.end = Some(self.len);
            return Ok(None);
        }
        let mut head = [0u8; 8];
        read_at(asset, self.pos, &mut head)?;
        let [l0, l1, l2, l3, t0, t1, t2, t3] = head;
        let length = u64::from(u32::from_be_bytes([l0, l1, l2, l3]));
        let kind = [t0, t1, t2, t3];
        if !kind.iter().all(u8::is_ascii_alphabetic) {
            return Err(WalkError::Malformed {
                offset: self.pos,
                what: "PNG chunk type is not four ASCII letters",
            });
        }
        let start = self.pos;
        let end = start.saturating_add(12).saturating_add(length);
        if end > self.len {
            return Err(WalkError::Malformed {
                offset: start,
                what: "PNG chunk runs past the end of the asset",
            });
        }
        self.pos = end;
        if kind == *b"IEND" {
            self.end = Some(end);
        }
        Ok(Some(AssetBox::new(fourcc(kind, start)?, start..end)))
    }

    fn structure_end(&self) -> Option<u64> {
        self.end
    }
}
