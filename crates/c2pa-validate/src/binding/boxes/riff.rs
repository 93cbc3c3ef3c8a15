//! RIFF boxes (C2PA 2.2 §18.7.3.5): each L0 `RIFF` chunk is a 12-byte box named by its media
//! type (`WEBP`, `WAVE`, `AVI `), each L1 chunk inside it a box from its identifier through its
//! pad byte, named by its identifier — or, for a `LIST`, by its list type, the nested chunks
//! being part of it. Further L0 `RIFF` chunks (AVI's `AVIX`) follow the same way; anything else
//! after them ends the box structure.

use super::{AssetBox, WalkError, Walker, fourcc, read_at};
use crate::binding::Asset;

/// The RIFF walker.
pub(crate) struct Riff {
    len: u64,
    pos: u64,
    /// The end of the current L0 chunk.
    l0_end: u64,
    end: Option<u64>,
}

impl Riff {
    pub(crate) fn new(len: u64) -> Self {
        Self {
            len,
            pos: 0,
            l0_end: 0,
            end: None,
        }
    }
}

impl Walker for Riff {
    fn next_box(&mut self, asset: &mut dyn Asset) -> Result<Option<AssetBox>, WalkError> {
        if self.end.is_some() {
            return Ok(None);
        }
        let start = self.pos;
        if start >= self.l0_end {
            // An L0 chunk, or the end of the structure.
            if start.saturating_add(12) > self.len {
                if start == 0 {
                    return Err(WalkError::Malformed {
                        offset: 0,
                        what: "too short for a RIFF header",
                    });
                }
                self.end = Some(start);
                return Ok(None);
            }
            let mut h = [0u8; 12];
            read_at(asset, start, &mut h)?;
            let [i0, i1, i2, i3, s0, s1, s2, s3, f0, f1, f2, f3] = h;
            if [i0, i1, i2, i3] != *b"RIFF" {
                if start == 0 {
                    return Err(WalkError::Malformed {
                        offset: 0,
                        what: "not a RIFF chunk",
                    });
                }
                self.end = Some(start);
                return Ok(None);
            }
            let size = u64::from(u32::from_le_bytes([s0, s1, s2, s3]));
            let data_end = start.saturating_add(8).saturating_add(size);
            if data_end > self.len || size < 4 {
                return Err(WalkError::Malformed {
                    offset: start,
                    what: "RIFF chunk size does not fit the asset",
                });
            }
            // An odd-sized L0 chunk's pad byte, when present, belongs to it.
            self.l0_end = if size % 2 == 1 && data_end < self.len {
                data_end.saturating_add(1)
            } else {
                data_end
            };
            self.pos = start.saturating_add(12);
            return Ok(Some(AssetBox::new(
                fourcc([f0, f1, f2, f3], start.saturating_add(8))?,
                start..self.pos,
            )));
        }
        if start.saturating_add(8) > self.l0_end {
            // Stray bytes (a pad) at the end of the L0 chunk: part of no L1 chunk.
            return Err(WalkError::Malformed {
                offset: start,
                what: "RIFF chunk header truncated by the end of its RIFF chunk",
            });
        }
        let mut h = [0u8; 8];
        read_at(asset, start, &mut h)?;
        let [i0, i1, i2, i3, s0, s1, s2, s3] = h;
        let id = [i0, i1, i2, i3];
        let size = u64::from(u32::from_le_bytes([s0, s1, s2, s3]));
        let data_end = start.saturating_add(8).saturating_add(size);
        if data_end > self.l0_end {
            return Err(WalkError::Malformed {
                offset: start,
                what: "RIFF chunk runs past its RIFF chunk",
            });
        }
        let end = if size % 2 == 1 && data_end < self.l0_end {
            data_end.saturating_add(1)
        } else {
            data_end
        };
        let name = if id == *b"LIST" {
            if size < 4 {
                return Err(WalkError::Malformed {
                    offset: start,
                    what: "LIST chunk without a list type",
                });
            }
            let mut t = [0u8; 4];
            read_at(asset, start.saturating_add(8), &mut t)?;
            fourcc(t, start.saturating_add(8))?
        } else {
            fourcc(id, start)?
        };
        self.pos = end;
        Ok(Some(AssetBox::new(name, start..end)))
    }

    fn structure_end(&self) -> Option<u64> {
        self.end
    }
}
