//! The rendered cache: resized avatars kept across runs under `<cache>/rendered/`, indexed by
//! `rendered.json` (output settings, then source digest → pixel size → file name), so a warm
//! build decodes and encodes nothing.
//!
//! Sized for a warm build of tens of thousands of identities: the index is read once, held as
//! digests and short lists (not a string key and a map per entry), and written back only when
//! this run rendered something new.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::stamp::FileStamp;
use crate::error::{Error, Result};
use crate::files::write_atomic;

const INDEX_FILE: &str = "rendered.json";
const LOCK_FILE: &str = "rendered.lock";
const FILES_DIR: &str = "rendered";
/// Version 1 keyed each entry by `digest/settings` and is simply not read (rendered again).
const INDEX_VERSION: u32 = 2;

/// One source's renditions: (pixel size, file name), ascending by size.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct RenderedEntry {
    /// Pixel size and content-addressed file name, ascending by size.
    pub files: Vec<(u32, String)>,
    /// Some size was larger than the source.
    pub upscaled: bool,
}

impl RenderedEntry {
    /// The file rendered at `px`, if any.
    pub fn file(&self, px: u32) -> Option<&str> {
        self.files
            .iter()
            .find(|(size, _)| *size == px)
            .map(|(_, name)| name.as_str())
    }
}

/// The source's SHA-256, as the index's key.
type SourceDigest = [u8; 32];

#[derive(Debug, Default, Serialize, Deserialize)]
struct RenderedIndex {
    version: u32,
    /// Output format, quality, sizes and tool version the entries were rendered with.
    settings: String,
    /// Hex SHA-256 of the source → its renditions.
    #[serde(with = "hex_keys")]
    entries: HashMap<SourceDigest, RenderedEntry>,
}

/// The rendered cache of one build: what earlier runs left, and what this run added.
pub(crate) struct RenderedCache {
    dir: Option<PathBuf>,
    settings: String,
    index: RenderedIndex,
    /// The index file as it was read: unchanged at `finish`, it need not be read again.
    read: Option<FileStamp>,
    added: Mutex<HashMap<SourceDigest, RenderedEntry>>,
}

impl RenderedCache {
    /// Opens the cache in `dir` (none: nothing persists) for outputs made with `settings`.
    pub fn open(dir: Option<PathBuf>, settings: String) -> Self {
        let (index, read) = match dir.as_deref().and_then(read_index) {
            // Entries of other settings are of no use to this run (and dropped at `finish`).
            Some((index, stamp)) if index.settings == settings => (index, Some(stamp)),
            _ => (RenderedIndex::default(), None),
        };
        Self {
            dir,
            settings,
            index,
            read,
            added: Mutex::new(HashMap::new()),
        }
    }

    /// What an earlier run rendered for the source whose SHA-256 is `digest`, if anything.
    pub fn lookup(&self, digest: &SourceDigest) -> Option<&RenderedEntry> {
        self.index.entries.get(digest)
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

    /// Records what this run rendered for `digest` (kept by [`RenderedCache::finish`]).
    pub fn add(&self, digest: SourceDigest, entry: RenderedEntry) {
        self.added
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(digest, entry);
    }

    /// Saves the index when this run rendered something: this run's entries merged into what is
    /// on disk now (under a lock, so two builds sharing a cache both keep their entries), then
    /// removes rendered files no entry names. A run that only reused entries writes nothing.
    pub fn finish(self) -> Result<()> {
        let Some(dir) = self.dir else {
            return Ok(());
        };
        let added = self.added.into_inner().unwrap_or_else(|e| e.into_inner());
        if added.is_empty() && self.read.is_some() {
            return Ok(());
        }
        std::fs::create_dir_all(&dir).map_err(|e| Error::io(&dir, e))?;
        let lock_path = dir.join(LOCK_FILE);
        let lock = std::fs::File::create(&lock_path).map_err(|e| Error::io(&lock_path, e))?;
        lock.lock().map_err(|e| Error::io(&lock_path, e))?;
        let path = dir.join(INDEX_FILE);
        let mut index = if self.read.is_some() && self.read == FileStamp::of(&path) {
            self.index
        } else {
            // Another build wrote it since (or it was unusable): merge into what is there now.
            match read_index(&dir) {
                Some((index, _)) if index.settings == self.settings => index,
                _ => RenderedIndex::default(),
            }
        };
        index.version = INDEX_VERSION;
        index.settings = self.settings;
        index.entries.extend(added);
        let json = serde_json::to_vec(&index).map_err(|e| Error::io(&path, e.into()))?;
        write_atomic(&path, &json)?;
        let referenced: HashSet<&str> = index
            .entries
            .values()
            .flat_map(|e| e.files.iter().map(|(_, name)| name.as_str()))
            .collect();
        if let Ok(files) = std::fs::read_dir(dir.join(FILES_DIR)) {
            for file in files.flatten() {
                let name = file.file_name();
                if !name.to_str().is_some_and(|name| referenced.contains(name)) {
                    let _ = std::fs::remove_file(file.path());
                }
            }
        }
        drop(lock);
        Ok(())
    }
}

fn read_index(dir: &Path) -> Option<(RenderedIndex, FileStamp)> {
    let path = dir.join(INDEX_FILE);
    let stamp = FileStamp::of(&path)?;
    let bytes = std::fs::read(&path).ok()?;
    let index: RenderedIndex = serde_json::from_slice(&bytes).ok()?;
    (index.version == INDEX_VERSION).then_some((index, stamp))
}

/// The index's map keys as hex strings (JSON keys must be strings).
mod hex_keys {
    use std::collections::HashMap;

    use serde::de::Error as _;
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    pub fn serialize<S: Serializer, V: Serialize>(
        map: &HashMap<[u8; 32], V>,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        serializer.collect_map(map.iter().map(|(key, value)| (hex::encode(key), value)))
    }

    pub fn deserialize<'de, D: Deserializer<'de>, V: Deserialize<'de>>(
        deserializer: D,
    ) -> Result<HashMap<[u8; 32], V>, D::Error> {
        let text: HashMap<&'de str, V> = HashMap::deserialize(deserializer)?;
        text.into_iter()
            .map(|(key, value)| {
                let mut digest = [0; 32];
                hex::decode_to_slice(key, &mut digest).map_err(D::Error::custom)?;
                Ok((digest, value))
            })
            .collect()
    }
}

/// Size of the rendered cache under `cache_dir`: (entries, files, bytes).
pub fn stats(cache_dir: &Path) -> (usize, usize, u64) {
    let entries = read_index(cache_dir).map_or(0, |(index, _)| index.entries.len());
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
