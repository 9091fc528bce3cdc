//! Turning source images into published files, once per distinct source.
//!
//! The chain hands every candidate image here: decoding it is how the chain learns whether to
//! go on. Identical sources (one URL shared by many comments, the same upload) are processed
//! once per run (an in-memory memo) and once across runs: the encoded outputs are kept in the
//! cache directory under `rendered/`, keyed by the SHA-256 of the source and the output
//! settings, so a warm build decodes and encodes nothing. CPU work runs on rayon's pool (sized
//! by cores); the callers are the network worker threads, which simply wait for it.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::error::{Error, Result};
use crate::process::{DecodeLimits, EncodeOptions, process};
use crate::publish::{AvatarDir, file_name, write_atomic};
use crate::resolve::chain::ImageCheck;

/// Published files of one source image.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Published {
    /// Pixel size → public URL.
    pub urls: BTreeMap<u32, String>,
    /// Some size was larger than the source.
    pub upscaled: bool,
}

/// One entry of the rendered cache: pixel size → file name.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct RenderedEntry {
    files: BTreeMap<u32, String>,
    upscaled: bool,
}

#[derive(Debug, Default, Serialize, Deserialize)]
struct RenderedIndex {
    version: u32,
    entries: BTreeMap<String, RenderedEntry>,
}

type Slot = Arc<OnceLock<std::result::Result<Arc<Published>, String>>>;

/// The image stage of one build.
pub struct Images<'a> {
    pixel_sizes: Vec<u32>,
    options: EncodeOptions,
    limits: DecodeLimits,
    settings_key: String,
    avatars: &'a AvatarDir,
    cache_dir: Option<PathBuf>,
    index: Mutex<RenderedIndex>,
    used: Mutex<BTreeMap<String, RenderedEntry>>,
    memo: Mutex<HashMap<[u8; 32], Slot>>,
    decoded: std::sync::atomic::AtomicUsize,
}

impl<'a> Images<'a> {
    /// `cache_dir`: where rendered outputs persist (none: no persistence).
    pub fn new(
        pixel_sizes: Vec<u32>,
        options: EncodeOptions,
        avatars: &'a AvatarDir,
        cache_dir: Option<PathBuf>,
    ) -> Self {
        let settings_key = format!(
            "{}-q{}-{}-v{}",
            options.format.extension(),
            options.quality,
            pixel_sizes
                .iter()
                .map(u32::to_string)
                .collect::<Vec<_>>()
                .join("."),
            env!("CARGO_PKG_VERSION")
        );
        let index = cache_dir
            .as_deref()
            .and_then(|dir| std::fs::read(dir.join("rendered.json")).ok())
            .and_then(|bytes| serde_json::from_slice(&bytes).ok())
            .unwrap_or_default();
        Self {
            pixel_sizes,
            options,
            limits: DecodeLimits::default(),
            settings_key,
            avatars,
            cache_dir,
            index: Mutex::new(index),
            used: Mutex::new(BTreeMap::new()),
            memo: Mutex::new(HashMap::new()),
            decoded: Default::default(),
        }
    }

    /// Publishes `bytes` (or finds it published already); `Err` is a message about the image.
    pub fn publish(&self, bytes: &[u8]) -> std::result::Result<Arc<Published>, String> {
        let digest: [u8; 32] = Sha256::digest(bytes).into();
        let slot = {
            let mut memo = self.memo.lock().unwrap_or_else(|e| e.into_inner());
            memo.entry(digest).or_default().clone()
        };
        slot.get_or_init(|| self.publish_uncached(&digest, bytes).map(Arc::new))
            .clone()
    }

    /// Images decoded and encoded this run (the rest came from the rendered cache).
    pub fn decoded(&self) -> usize {
        self.decoded.load(std::sync::atomic::Ordering::Relaxed)
    }

    fn publish_uncached(
        &self,
        digest: &[u8; 32],
        bytes: &[u8],
    ) -> std::result::Result<Published, String> {
        let key = format!("{}/{}", hex::encode(digest), self.settings_key);
        let cached = self
            .index
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .entries
            .get(&key)
            .cloned();
        if let Some(entry) = cached
            && let Ok(published) = self.reuse_rendered(&entry)
        {
            self.remember(key, entry);
            return Ok(published);
        }
        let renditions =
            rayon::scope(|_| process(bytes, &self.pixel_sizes, &self.options, &self.limits))
                .map_err(|e| e.to_string())?;
        self.decoded
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let extension = self.options.format.extension();
        let mut entry = RenderedEntry {
            files: BTreeMap::new(),
            upscaled: renditions.iter().any(|r| r.upscaled),
        };
        let mut urls = BTreeMap::new();
        for rendition in &renditions {
            let name = file_name(&rendition.bytes, extension);
            if let Some(dir) = &self.cache_dir {
                // A cache that cannot be written only costs speed next time.
                let _ = write_atomic(&dir.join("rendered").join(&name), &rendition.bytes);
            }
            self.avatars
                .store_named(&name, || Ok(rendition.bytes.clone()))
                .map_err(|e| e.to_string())?;
            urls.insert(rendition.px, self.avatars.url(&name));
            entry.files.insert(rendition.px, name);
        }
        let published = Published {
            urls,
            upscaled: entry.upscaled,
        };
        self.remember(key, entry);
        Ok(published)
    }

    /// Publishes a cached rendering, copying files from the cache where the avatar directory
    /// lacks them. Fails if a needed file is gone from both.
    fn reuse_rendered(&self, entry: &RenderedEntry) -> Result<Published> {
        if !self
            .pixel_sizes
            .iter()
            .all(|px| entry.files.contains_key(px))
        {
            return Err(Error::Usage("incomplete cache entry".into()));
        }
        let mut urls = BTreeMap::new();
        for (px, name) in &entry.files {
            self.avatars.store_named(name, || {
                let dir = self.cache_dir.as_deref().unwrap_or(Path::new("."));
                let path = dir.join("rendered").join(name);
                std::fs::read(&path).map_err(|e| Error::io(path, e))
            })?;
            urls.insert(*px, self.avatars.url(name));
        }
        Ok(Published {
            urls,
            upscaled: entry.upscaled,
        })
    }

    fn remember(&self, key: String, entry: RenderedEntry) {
        self.used
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(key, entry);
    }

    /// Saves the rendered-cache index: this run's entries merged into what is on disk now (under
    /// a lock, so two builds sharing a cache both keep their entries), and removes rendered
    /// files no entry names.
    pub fn finish(self) -> Result<()> {
        let Some(dir) = self.cache_dir else {
            return Ok(());
        };
        std::fs::create_dir_all(&dir).map_err(|e| Error::io(&dir, e))?;
        let lock_path = dir.join("rendered.lock");
        let lock = std::fs::File::create(&lock_path).map_err(|e| Error::io(&lock_path, e))?;
        lock.lock().map_err(|e| Error::io(&lock_path, e))?;
        let path = dir.join("rendered.json");
        let mut index: RenderedIndex = std::fs::read(&path)
            .ok()
            .and_then(|bytes| serde_json::from_slice(&bytes).ok())
            .unwrap_or_default();
        index.version = 1;
        let used = self.used.into_inner().unwrap_or_else(|e| e.into_inner());
        // Entries of other settings are dropped once this run's settings differ: they would
        // only matter if the config changed back.
        let settings = format!("/{}", self.settings_key);
        index.entries.retain(|key, _| key.ends_with(&settings));
        index.entries.extend(used);
        let json = serde_json::to_vec(&index).map_err(|e| Error::io(&path, e.into()))?;
        write_atomic(&path, &json)?;
        let referenced: std::collections::HashSet<&String> = index
            .entries
            .values()
            .flat_map(|e| e.files.values())
            .collect();
        if let Ok(files) = std::fs::read_dir(dir.join("rendered")) {
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

impl ImageCheck for Images<'_> {
    fn accept(&self, bytes: &Arc<[u8]>) -> std::result::Result<(), String> {
        self.publish(bytes).map(|_| ())
    }
}

/// Size of the rendered cache under `cache_dir`: (entries, files, bytes).
pub fn rendered_stats(cache_dir: &Path) -> (usize, usize, u64) {
    let entries = std::fs::read(cache_dir.join("rendered.json"))
        .ok()
        .and_then(|bytes| serde_json::from_slice::<RenderedIndex>(&bytes).ok())
        .map_or(0, |index| index.entries.len());
    let (mut files, mut bytes) = (0, 0);
    if let Ok(list) = std::fs::read_dir(cache_dir.join("rendered")) {
        for entry in list.flatten() {
            files += 1;
            bytes += entry.metadata().map_or(0, |m| m.len());
        }
    }
    (entries, files, bytes)
}

/// Removes the whole rendered cache under `cache_dir`; returns bytes freed.
pub fn clean_rendered(cache_dir: &Path) -> Result<u64> {
    let (_, _, bytes) = rendered_stats(cache_dir);
    let dir = cache_dir.join("rendered");
    match std::fs::remove_dir_all(&dir) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(Error::io(dir, e)),
    }
    let index = cache_dir.join("rendered.json");
    match std::fs::remove_file(&index) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(Error::io(index, e)),
    }
    Ok(bytes)
}
