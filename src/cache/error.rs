//! The cache's own errors: a failure that stops the run, and a problem that only costs a cold start.

use std::io;
use std::path::PathBuf;

/// A failure of the on-disk cache. Every variant names the path involved.
#[derive(Debug, thiserror::Error)]
pub enum CacheError {
    /// Reading, writing, locking or removing a file failed.
    #[error("cache: {path}")]
    Io {
        /// The file or directory involved.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: io::Error,
    },
    /// The index could not be serialised.
    #[error("cache: cannot encode the index {path}")]
    Encode {
        /// The index file.
        path: PathBuf,
        /// The encoder's error.
        #[source]
        source: serde_json::Error,
    },
}

impl CacheError {
    pub(crate) fn io(path: impl Into<PathBuf>, source: io::Error) -> Self {
        Self::Io {
            path: path.into(),
            source,
        }
    }
}

/// A problem with the cache that does not stop the run: the index was unreadable, so the run
/// starts cold and rewrites it.
#[derive(Debug, thiserror::Error)]
#[error("cache index {path} is unreadable ({reason}); starting with an empty cache")]
pub struct CacheWarning {
    /// The index file.
    pub path: PathBuf,
    /// Why it could not be used.
    pub reason: String,
}

impl From<crate::files::WriteError> for CacheError {
    fn from(e: crate::files::WriteError) -> Self {
        Self::io(e.path, e.source)
    }
}
