//! The members of a collection data hash (C2PA 2.2 §18.8) read from the directory of the
//! manifest: "all URIs shall be considered as relative to the location of the manifest". The
//! validator has already refused `.`/`..` segments and absolute URIs; here a member must also
//! resolve (symbolic links followed) to a regular file inside that directory.

use std::path::PathBuf;

use signet_c2pa_validate::binding::Asset;
use signet_c2pa_validate::binding::collection::CollectionSource;

/// Collection members under one directory.
pub(crate) struct DirCollection {
    base: PathBuf,
}

impl DirCollection {
    /// Members relative to `dir` (made canonical); `None` when `dir` cannot be resolved.
    pub(crate) fn new(dir: &std::path::Path) -> Option<Self> {
        Some(Self {
            base: dir.canonicalize().ok()?,
        })
    }
}

impl CollectionSource for DirCollection {
    fn open(&self, uri: &str) -> Option<Box<dyn Asset + '_>> {
        let path = self.base.join(uri).canonicalize().ok()?;
        if !path.starts_with(&self.base) || !path.is_file() {
            return None;
        }
        let file = std::fs::File::open(path).ok()?;
        Some(Box::new(std::io::BufReader::with_capacity(1 << 20, file)))
    }
}
