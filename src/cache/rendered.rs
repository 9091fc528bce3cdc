//! The rendered cache: resized avatars kept across runs under `<cache>/rendered/`, indexed by
//! `rendered.json` (source digest and output settings → pixel size → file name), so a warm
//! build decodes and encodes nothing.

use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::error::{Error, Result};
use crate::files::write_atomic;

const INDEX_FILE: &str = "rendered.json";
const LOCK_FILE: &str = "rendered.lock";
const FILES_DIR: &str = "rendered";

/// One source's renditions: pixel size → file name.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct RenderedEntry {
    /// Pixel size → content-addressed file name.
    pub files: BTreeMap<u32, String>,
    /// Some size was larger than the source.
    pub upscaled: bool,
}

#[derive(Debug, Default, Serialize, Deserialize)]
struct RenderedIndex {
    version: u32,
    entries: BTreeMap<String, RenderedEntry>,
}

/// The rendered cache of one build: what earlier runs left, and what this run used.
pub(crate) struct RenderedCache {
    dir: Option<PathBuf>,
    settings_key: String,
    index: RenderedIndex,
    used: Mutex<BTreeMap<String, RenderedEntry>>,
}

impl RenderedCache {
    /// Opens the cache in `dir` (none: nothing persists) for outputs made with `settings_key`.
    pub fn open(dir: Option<PathBuf>, settings_key: String) -> Self {
        let index = dir.as_deref().and_then(read_index).unwrap_or_default();
        Self {
            dir,
            settings_key,
            index,
            used: Mutex::new(BTreeMap::new()),
        }
    }

    /// The key of the source whose SHA-256 is `digest`, under this run's settings.
    pub fn key(&self, digest: &[u8; 32]) -> String {
        format!("{}/{}", hex::encode(digest), self.settings_key)
    }

    /// What an earlier run rendered for `key`, if anything.
    pub fn lookup(&self, key: &str) -> Option<RenderedEntry> {
        self.index.entries.get(key).cloned()
    }

    /// The bytes of the rendered file `name`, checked against its content-addressed name (a
    /// damaged file is an error: the caller renders the source again).
    pub fn read(&self, name: &str) -> Result<Vec<u8>> {
        let dir = self.dir.as_deref().unwrap_or(Path::new("."));
        let path = dir.join(FILES_DIR).join(name);
        let bytes = std::fs::read(&path).map_err(|e| Error::io(&path, e))?;
        let stem = name.split('.').next().unwrap_or_default();
        if !hex::encode(Sha256::digest(&bytes)).starts_with(stem) {
            let damaged = std::io::Error::other("does not match its name (damaged)");
            return Err(Error::io(path, damaged));
        }
        Ok(bytes)
    }

    /// Keeps the rendered file `name` for later runs. A cache that cannot be written only costs
    /// speed next time, so a failure is ignored.
    pub fn store(&self, name: &str, bytes: &[u8]) {
        if let Some(dir) = &self.dir {
            let _ = write_atomic(&dir.join(FILES_DIR).join(name), bytes);
        }
    }

    /// Records that this run used `entry` for `key` (kept by [`RenderedCache::finish`]).
    pub fn remember(&self, key: String, entry: RenderedEntry) {
        self.used
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(key, entry);
    }

    /// Saves the index: this run's entries merged into what is on disk now (under a lock, so two
    /// builds sharing a cache both keep their entries), and removes rendered files no entry
    /// names.
    pub fn finish(self) -> Result<()> {
        let Some(dir) = self.dir else {
            return Ok(());
        };
        std::fs::create_dir_all(&dir).map_err(|e| Error::io(&dir, e))?;
        let lock_path = dir.join(LOCK_FILE);
        let lock = std::fs::File::create(&lock_path).map_err(|e| Error::io(&lock_path, e))?;
        lock.lock().map_err(|e| Error::io(&lock_path, e))?;
        let mut index = read_index(&dir).unwrap_or_default();
        index.version = 1;
        let used = self.used.into_inner().unwrap_or_else(|e| e.into_inner());
        // Entries of other settings are dropped once this run's settings differ: they would
        // only matter if the config changed back.
        let settings = format!("/{}", self.settings_key);
        index.entries.retain(|key, _| key.ends_with(&settings));
        index.entries.extend(used);
        let path = dir.join(INDEX_FILE);
        let json = serde_json::to_vec(&index).map_err(|e| Error::io(&path, e.into()))?;
        write_atomic(&path, &json)?;
        let referenced: HashSet<&String> = index
            .entries
            .values()
            .flat_map(|e| e.files.values())
            .collect();
        if let Ok(files) = std::fs::read_dir(dir.join(FILES_DIR)) {
            for file in files.flatten() {
                let name = file.file_name().to_string_lossy().into_owned();
                if !referenced.contains(&name) {
                    let _ = std::fs::remove_file(file.path());
                }
            }
        }
        drop(lock);
        Ok(())
    }
}

fn read_index(dir: &Path) -> Option<RenderedIndex> {
    let bytes = std::fs::read(dir.join(INDEX_FILE)).ok()?;
    serde_json::from_slice(&bytes).ok()
}

/// Size of the rendered cache under `cache_dir`: (entries, files, bytes).
pub fn stats(cache_dir: &Path) -> (usize, usize, u64) {
    let entries = read_index(cache_dir).map_or(0, |index| index.entries.len());
    let (mut files, mut bytes) = (0, 0);
    if let Ok(list) = std::fs::read_dir(cache_dir.join(FILES_DIR)) {
        for entry in list.flatten() {
            files += 1;
            bytes += entry.metadata().map_or(0, |m| m.len());
        }
    }
    (entries, files, bytes)
}

/// Removes the whole rendered cache under `cache_dir`; returns bytes freed.
pub fn clean(cache_dir: &Path) -> Result<u64> {
    let (_, _, bytes) = stats(cache_dir);
    let dir = cache_dir.join(FILES_DIR);
    match std::fs::remove_dir_all(&dir) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(Error::io(dir, e)),
    }
    let index = cache_dir.join(INDEX_FILE);
    match std::fs::remove_file(&index) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(Error::io(index, e)),
    }
    Ok(bytes)
}
