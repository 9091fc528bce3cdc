//! The cache's on-disk format: `index.json` and the file helpers that write it safely.
//!
//! The index is pretty-printed JSON a person can read:
//!
//! ```json
//! { "version": 1,
//!   "entries": {
//!     "https://www.gravatar.com/avatar/…?d=404": {
//!       "outcome": "found", "sha256": "9f86d0…", "content_type": "image/png",
//!       "etag": "\"abc\"", "last_modified": "Wed, 21 Oct 2015 07:28:00 GMT",
//!       "fetched_at": 1767225600 },
//!     "https://…": { "outcome": "missing", "fetched_at": 1767225600, "guarded": true } } }
//! ```
//!
//! It is rewritten only by a run that changed an entry. Every run's hits and misses go to
//! `last-run.json` (`{ "hits": 3, "misses": 1, "finished_at": 1767225600 }`); caches written
//! before that kept them in the index as `last_run`, which is still read.

use std::collections::BTreeMap;
use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};

use super::error::{CacheError, CacheWarning};

pub(crate) const INDEX_FILE: &str = "index.json";
pub(crate) const LOCK_FILE: &str = "lock";
/// Hits and misses of the last run, apart from the index so a warm build need not rewrite it.
const LAST_RUN_FILE: &str = "last-run.json";
pub(crate) const BLOB_DIR: &str = "blobs";
const INDEX_VERSION: u32 = 1;

#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct Index {
    pub version: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_run: Option<LastRun>,
    #[serde(default)]
    pub entries: BTreeMap<String, Entry>,
}

impl Default for Index {
    fn default() -> Self {
        Self {
            version: INDEX_VERSION,
            last_run: None,
            entries: BTreeMap::new(),
        }
    }
}

/// What the last run that finished on this cache recorded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct LastRun {
    /// URLs answered from the cache (fresh, or confirmed by a 304).
    pub hits: u64,
    /// URLs that had to be downloaded (absent, or changed).
    pub misses: u64,
    /// When that run finished, in seconds since the Unix epoch.
    pub finished_at: u64,
}

/// One URL's cached answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Entry {
    #[serde(flatten)]
    pub outcome: Outcome,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub etag: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_modified: Option<String>,
    /// Seconds since the Unix epoch.
    pub fetched_at: u64,
    /// Fetched under the address guard of an untrusted URL: only such entries answer untrusted
    /// requests, so a cached answer never bypasses the guard.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub guarded: bool,
    /// For a guarded entry, the scope of the address rule it was fetched under (see
    /// [`Trust::Untrusted`](super::Trust::Untrusted)); entries written before scopes existed
    /// have none and answer no untrusted request.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<String>,
}

/// What the server said about a body, kept beside it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct BodyMeta {
    pub content_type: Option<String>,
    pub etag: Option<String>,
    pub last_modified: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "outcome", rename_all = "lowercase")]
pub(crate) enum Outcome {
    Found {
        sha256: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        content_type: Option<String>,
        /// MD5 of the body, recorded when it was stored, so QQ's placeholder check reads
        /// nothing on a warm build (entries written before it existed have none).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        md5: Option<String>,
    },
    Missing,
}

pub(crate) fn now_secs() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

pub(crate) fn read_index(dir: &Path) -> Result<Index, CacheWarning> {
    let path = dir.join(INDEX_FILE);
    let warn = |reason: String| CacheWarning {
        path: path.clone(),
        reason,
    };
    let text = match fs::read(&path) {
        Ok(text) => text,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Index::default()),
        Err(e) => return Err(warn(e.to_string())),
    };
    let index: Index = serde_json::from_slice(&text).map_err(|e| warn(e.to_string()))?;
    if index.version != INDEX_VERSION {
        return Err(warn(format!("unknown index version {}", index.version)));
    }
    Ok(index)
}

pub(crate) fn write_index(dir: &Path, index: &Index) -> Result<(), CacheError> {
    let path = dir.join(INDEX_FILE);
    let json = serde_json::to_vec_pretty(index).map_err(|source| CacheError::Encode {
        path: path.clone(),
        source,
    })?;
    crate::files::replace_with(&path, |w| w.write_all(&json)).map_err(CacheError::from)
}

/// Every file in the blob directory with its size; an absent directory has none.
pub(crate) fn list_blobs(dir: &Path) -> Vec<(PathBuf, u64)> {
    let Ok(read) = fs::read_dir(dir) else {
        return Vec::new();
    };
    read.flatten()
        .filter_map(|e| {
            let meta = e.metadata().ok()?;
            meta.is_file().then(|| (e.path(), meta.len()))
        })
        .collect()
}

/// The last run's counts, if a run recorded them.
pub(crate) fn read_last_run(dir: &Path) -> Option<LastRun> {
    serde_json::from_slice(&fs::read(dir.join(LAST_RUN_FILE)).ok()?).ok()
}

pub(crate) fn write_last_run(dir: &Path, last_run: &LastRun) -> Result<(), CacheError> {
    let path = dir.join(LAST_RUN_FILE);
    let json = serde_json::to_vec(last_run).map_err(|source| CacheError::Encode {
        path: path.clone(),
        source,
    })?;
    crate::files::replace_with(&path, |w| w.write_all(&json)).map_err(CacheError::from)
}
