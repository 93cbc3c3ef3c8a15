//! Errors of `signet-c2pa-validate`: the validator could not run.
//!
//! An invalid manifest is **not** an error — it is a [`crate::Report`] whose state is
//! `Invalid`. `Err` means there was nothing to validate (no manifest store), the asset could not
//! be read, or the caller's configuration is unusable.

use signet_c2pa_model::ContainerError;
use thiserror::Error;

/// The validator could not run.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum Error {
    /// The asset carries no C2PA Manifest Store (and none was supplied).
    #[error("no C2PA manifest store found")]
    NoManifestStore,
    /// The asset carries more than one manifest store; C2PA 2.2 §15.5.2.1 says to treat it as
    /// if none were located.
    #[error("more than one C2PA manifest store in the asset; treated as none (C2PA 2.2 §15.5.2.1)")]
    MultipleManifestStores,
    /// The asset could not be read as the given format.
    #[error("asset: {0}")]
    Container(ContainerError),
    /// Reading the asset failed.
    #[error("reading the asset failed: {kind}")]
    Io {
        /// The I/O error kind.
        kind: std::io::ErrorKind,
    },
    /// A trust anchor or credential could not be loaded.
    #[error("trust configuration: {what}")]
    Trust {
        /// What could not be loaded.
        what: String,
    },
}

impl From<std::io::Error> for Error {
    fn from(e: std::io::Error) -> Self {
        Self::Io { kind: e.kind() }
    }
}
