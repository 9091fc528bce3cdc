//! Publishing: content-addressed avatar files, the data file, pruning.
//!
//! Every write is atomic (a temp file in the same directory, then a rename), so a killed build
//! never leaves half a file. Files already present with the right bytes are not rewritten, and
//! only files this tool names (`<hex>.<ext>`) are ever pruned from the avatar directory.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::cache::manifest::Manifest;
use crate::error::{Error, Result};
use crate::files::write_atomic;
use crate::model::Provider;

/// Hex digits of the SHA-256 used in file names (64 bits: collisions are not a practical concern
/// for one site's avatars, and names stay short).
pub const NAME_HEX_DIGITS: usize = 16;
/// Version of the data file format.
pub const DATA_FILE_VERSION: u32 = 1;
/// Extensions this tool writes; only such files are pruned.
const OWN_EXTENSIONS: &[&str] = &["webp", "png", "jpg"];

/// The content-addressed file name of `bytes`.
pub fn file_name(bytes: &[u8], extension: &str) -> String {
    let digest = Sha256::digest(bytes);
    let hex = hex::encode(digest);
    format!("{}.{extension}", &hex[..NAME_HEX_DIGITS])
}

/// Fails when `path`, with its symlinks resolved, lies outside `base` (itself resolved, see
/// [`normalise`](crate::scan::published::normalise)): no write or delete may follow a symlink
/// out of the site.
pub fn ensure_within(base: &Path, path: &Path) -> Result<()> {
    let real = crate::scan::published::normalise(path);
    if real.starts_with(base) {
        return Ok(());
    }
    Err(Error::io(
        path,
        std::io::Error::other(format!(
            "leads to {} through a symlink, outside {}; refusing to write or delete there",
            real.display(),
            base.display()
        )),
    ))
}

/// The local files of one CSS size.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SizeUrls {
    /// URL of the 1x file.
    #[serde(rename = "1x")]
    pub x1: String,
    /// URL of the 2x file.
    #[serde(rename = "2x")]
    pub x2: String,
}

/// One entry of the data file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DataEntry {
    /// The provider that won.
    pub provider: Provider,
    /// CSS size → URLs.
    pub sizes: BTreeMap<String, SizeUrls>,
}

/// The data file templates read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DataFile {
    /// Format version.
    pub version: u32,
    /// Raw identity as written in the source → its avatar.
    pub avatars: BTreeMap<String, DataEntry>,
}

impl DataFile {
    /// An empty data file.
    pub fn new() -> Self {
        Self {
            version: DATA_FILE_VERSION,
            avatars: BTreeMap::new(),
        }
    }

    /// Writes the file atomically, as stable pretty JSON (only when its content changed).
    pub fn write(&self, path: &Path) -> Result<bool> {
        let mut json = serde_json::to_vec_pretty(self)
            .map_err(|e| Error::io(path, std::io::Error::other(e)))?;
        json.push(b'\n');
        write_atomic(path, &json)
    }
}

impl Default for DataFile {
    fn default() -> Self {
        Self::new()
    }
}

/// Writes avatar files into one directory and remembers what this run produced. Shared by the
/// build's worker threads.
#[derive(Debug)]
pub struct AvatarDir {
    dir: PathBuf,
    url_prefix: String,
    produced: Mutex<BTreeSet<String>>,
    written: AtomicUsize,
    /// Writes and deletes must stay inside this (resolved) folder.
    confine: Option<PathBuf>,
    /// What earlier builds checked: an unchanged file is trusted without reading it.
    manifest: Option<Manifest>,
}

impl AvatarDir {
    /// Files go to `dir` and are published under `url_prefix` (ending in `/`).
    pub fn new(dir: PathBuf, url_prefix: String) -> Self {
        Self {
            dir,
            url_prefix,
            produced: Mutex::new(BTreeSet::new()),
            written: AtomicUsize::new(0),
            confine: None,
            manifest: None,
        }
    }

    /// Keeps a manifest of the files' sizes and modification times in `cache_dir`, so a later
    /// build trusts an unchanged file without reading and hashing it; with `verify` (`--verify`)
    /// every file is hashed all the same. Saved by [`AvatarDir::prune`].
    pub fn with_manifest(mut self, cache_dir: &Path, verify: bool) -> Self {
        self.manifest = Some(Manifest::open(cache_dir, &self.dir, verify));
        self
    }

    /// Refuses every write and delete that would land outside `base` (the site) through a
    /// symlink, such as an avatar folder linked to somewhere else.
    pub fn confined_to(mut self, base: &Path) -> Self {
        self.confine = Some(crate::scan::published::normalise(base));
        self
    }

    /// Fails when the folder itself leads out of where it is confined (checked before a build
    /// starts, so that nothing is fetched for files that could not be written).
    pub fn ensure_confined(&self) -> Result<()> {
        self.check(&self.dir)
    }

    fn check(&self, path: &Path) -> Result<()> {
        match &self.confine {
            Some(base) => ensure_within(base, path),
            None => Ok(()),
        }
    }

    /// The directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Stores one encoded image; returns its public URL.
    pub fn store(&self, bytes: &[u8], extension: &str) -> Result<String> {
        let name = file_name(bytes, extension);
        self.store_named(&name, || Ok(bytes.to_vec()))?;
        Ok(self.url(&name))
    }

    /// Makes sure the file `name` exists with the bytes `load` gives (called only when the file
    /// is missing or this run has not produced it yet), and records it as produced.
    pub fn store_named(&self, name: &str, load: impl FnOnce() -> Result<Vec<u8>>) -> Result<()> {
        let first = self.lock().insert(name.to_owned());
        let path = self.dir.join(name);
        if first && !self.holds(&path, name) {
            let written = self
                .check(&path)
                .and_then(|()| load())
                .and_then(|bytes| write_atomic(&path, &bytes));
            if written.is_ok()
                && let (Some(manifest), Ok(meta)) = (&self.manifest, std::fs::metadata(&path))
            {
                manifest.record(name, &meta);
            }
            match written {
                Ok(true) => {
                    self.written.fetch_add(1, Ordering::Relaxed);
                }
                Ok(false) => {}
                Err(error) => {
                    // Not produced after all: a later call with bytes (e.g. decoding the source
                    // after a cached rendering went missing) must write the file.
                    self.lock().remove(name);
                    return Err(error);
                }
            }
        }
        Ok(())
    }

    /// Whether `path` holds what `name` promises: by the manifest when its size and
    /// modification time are as recorded, else by reading and hashing it.
    fn holds(&self, path: &Path, name: &str) -> bool {
        let Some(manifest) = &self.manifest else {
            return holds_named_content(path, name);
        };
        let Ok(meta) = std::fs::metadata(path) else {
            return false;
        };
        if manifest.unchanged(name, &meta) {
            return true;
        }
        let holds = holds_named_content(path, name);
        if holds {
            manifest.record(name, &meta);
        }
        holds
    }

    /// The public URL of a file name.
    pub fn url(&self, name: &str) -> String {
        format!("{}{name}", self.url_prefix)
    }

    /// Files written (not already present) so far.
    pub fn written(&self) -> usize {
        self.written.load(Ordering::Relaxed)
    }

    /// Files this run produced.
    pub fn produced(&self) -> usize {
        self.lock().len()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, BTreeSet<String>> {
        // A panic elsewhere cannot leave the set inconsistent: insertions are atomic.
        self.produced.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Removes files named like ours that this run did not produce. Nothing else is touched:
    /// temp files a killed run left are swept at the start of the next build, under the build
    /// lock, because here they may be another build's work in progress.
    pub fn prune(&self) -> Result<Vec<String>> {
        let mut removed = Vec::new();
        if self.dir.exists() {
            self.check(&self.dir)?;
        }
        let entries = match std::fs::read_dir(&self.dir) {
            Ok(entries) => entries,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(removed),
            Err(e) => return Err(Error::io(&self.dir, e)),
        };
        for entry in entries {
            let entry = entry.map_err(|e| Error::io(&self.dir, e))?;
            let name = entry.file_name().to_string_lossy().into_owned();
            let stale = is_own_name(&name) && !self.lock().contains(&name);
            if stale && entry.file_type().is_ok_and(|t| t.is_file()) {
                std::fs::remove_file(entry.path()).map_err(|e| Error::io(entry.path(), e))?;
                if let Some(manifest) = &self.manifest {
                    manifest.forget(&name);
                }
                removed.push(name);
            }
        }
        if let Some(manifest) = &self.manifest {
            manifest.save();
        }
        removed.sort();
        Ok(removed)
    }
}

/// Whether the file at `path` exists with the content its name promises (so a damaged or
/// tampered file is replaced rather than trusted).
fn holds_named_content(path: &Path, name: &str) -> bool {
    let Some((stem, _)) = name.rsplit_once('.') else {
        return false;
    };
    std::fs::read(path).is_ok_and(|bytes| hex::encode(Sha256::digest(&bytes)).starts_with(stem))
}

/// `<16+ lower-case hex>.<one of our extensions>`.
fn is_own_name(name: &str) -> bool {
    let Some((stem, extension)) = name.rsplit_once('.') else {
        return false;
    };
    stem.len() >= NAME_HEX_DIGITS
        && stem.len() <= 64
        && stem
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
        && OWN_EXTENSIONS.contains(&extension)
}

#[cfg(test)]
#[path = "publish_tests.rs"]
mod tests;
