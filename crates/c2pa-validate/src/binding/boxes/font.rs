//! Font boxes (C2PA 2.2 §18.7.3.6): each table of a TrueType/OpenType font is a box named by its
//! tag, in the order of the table directory (the directory itself is in no box). The `head`
//! table's `checkSumAdjustment` (bytes 8–11) is hashed as zero. Fonts have no "data after the
//! boxes": bytes outside the tables are not covered, by design.

use super::{AssetBox, WalkError, Walker, fourcc, read_at};
use crate::binding::Asset;

/// The font walker.
pub(crate) struct Font {
    len: u64,
    tables: Option<u16>,
    index: u16,
}

impl Font {
    pub(crate) fn new(len: u64) -> Self {
        Self {
            len,
            tables: None,
            index: 0,
        }
    }
}

impl Walker for Font {
    fn next_box(&mut self, asset: &mut dyn Asset) -> Result<Option<AssetBox>, WalkError> {
        let tables = match self.tables {
            Some(t) => t,
            None => {
                let mut h = [0u8; 12];
                read_at(asset, 0, &mut h)?;
                let [v0, v1, v2, v3, n0, n1, ..] = h;
                let version = [v0, v1, v2, v3];
                if ![[0, 1, 0, 0], *b"OTTO", *b"true", *b"typ1"].contains(&version) {
                    return Err(WalkError::Malformed {
                        offset: 0,
                        what: "not a TrueType/OpenType font",
                    });
                }
                let n = u16::from_be_bytes([n0, n1]);
                self.tables = Some(n);
                n
            }
        };
        if self.index >= tables {
            return Ok(None);
        }
        let record = 12u64.saturating_add(16u64.saturating_mul(u64::from(self.index)));
        self.index = self.index.saturating_add(1);
        let mut r = [0u8; 16];
        read_at(asset, record, &mut r)?;
        let [t0, t1, t2, t3, _, _, _, _, o0, o1, o2, o3, l0, l1, l2, l3] = r;
        let tag = [t0, t1, t2, t3];
        let offset = u64::from(u32::from_be_bytes([o0, o1, o2, o3]));
        let length = u64::from(u32::from_be_bytes([l0, l1, l2, l3]));
        let end = offset.saturating_add(length);
        if end > self.len {
            return Err(WalkError::Malformed {
                offset: record,
                what: "font table runs past the end of the asset",
            });
        }
        let mut b = AssetBox::new(fourcc(tag, record)?, offset..end);
        if tag == *b"head" && length >= 12 {
            b.zero = Some(offset.saturating_add(8)..offset.saturating_add(12));
        }
        Ok(Some(b))
    }

    fn structure_end(&self) -> Option<u64> {
        None
    }
}
