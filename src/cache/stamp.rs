//! [`FileStamp`]: what a `stat` says about a file, to tell cheaply whether it changed since.

use std::fs::Metadata;
use std::path::Path;
use std::time::UNIX_EPOCH;

use serde::{Deserialize, Serialize};

/// Size and modification time (seconds and nanoseconds since the epoch) of one file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct FileStamp(u64, u64, u32);

impl FileStamp {
    /// The stamp of a file whose metadata is `meta`.
    pub fn of_meta(meta: &Metadata) -> Option<Self> {
        let modified = meta.modified().ok()?.duration_since(UNIX_EPOCH).ok()?;
        Some(Self(
            meta.len(),
            modified.as_secs(),
            modified.subsec_nanos(),
        ))
    }

    /// The stamp of the file at `path` (none if it cannot be read).
    pub fn of(path: &Path) -> Option<Self> {
        Self::of_meta(&std::fs::metadata(path).ok()?)
    }
}
