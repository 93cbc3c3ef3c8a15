//! JPEG XL boxes: each top-level box of the container (ISO/IEC 18181-2), header included, is a
//! box named by its type (`JXL `, `ftyp`, `jxll`, `Exif`, `jxlc`, ...), the `jumb` box holding
//! the manifest store being `C2PA`. C2PA 2.2 names no JPEG XL boxes in §18.7.3; this is the
//! box-based reading §18.7.1 describes, as the reference SDK writes it. A box of size 0 runs to
//! the end of the file; a bare codestream has no boxes.

use super::{AssetBox, WalkError, Walker, fourcc, read_at};
use crate::binding::Asset;

/// The JPEG XL container walker.
pub(crate) struct Jxl {
    len: u64,
    pos: u64,
    end: Option<u64>,
}

impl Jxl {
    pub(crate) fn new(len: u64) -> Self {
        Self {
            len,
            pos: 0,
            end: None,
        }
    }
}

impl Walker for Jxl {
    fn next_box(&mut self, asset: &mut dyn Asset) -> Result<Option<AssetBox>, WalkError> {
        if self.end.is_some() {
            return Ok(None);
        }
        let start = self.pos;
        if start >= self.len || start.saturating_add(8) > self.len {
            self.end = Some(start.min(self.len));
            return Ok(None);
        }
        let mut h = [0u8; 8];
        read_at(asset, start, &mut h)?;
        let [s0, s1, s2, s3, t0, t1, t2, t3] = h;
        if start == 0 && [t0, t1, t2, t3] != *b"JXL " {
            return Err(WalkError::Malformed {
                offset: 0,
                what: "not a JPEG XL container (a bare codestream has no boxes)",
            });
        }
        let size = match u32::from_be_bytes([s0, s1, s2, s3]) {
            0 => self.len.saturating_sub(start),
            1 => {
                let mut l = [0u8; 8];
                read_at(asset, start.saturating_add(8), &mut l)?;
                let size = u64::from_be_bytes(l);
                if size < 16 {
                    return Err(WalkError::Malformed {
                        offset: start,
                        what: "box size below its header",
                    });
                }
                size
            }
            s if s < 8 => {
                return Err(WalkError::Malformed {
                    offset: start,
                    what: "box size below its header",
                });
            }
            s => u64::from(s),
        };
        let end = start.saturating_add(size);
        if end > self.len {
            return Err(WalkError::Malformed {
                offset: start,
                what: "box runs past the end of the asset",
            });
        }
        self.pos = end;
        Ok(Some(AssetBox::new(
            fourcc([t0, t1, t2, t3], start)?,
            start..end,
        )))
    }

    fn structure_end(&self) -> Option<u64> {
        self.end
    }
}
