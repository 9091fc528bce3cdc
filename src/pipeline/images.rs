//! Turning source images into published files, once per distinct source.
//!
//! The chain hands every candidate image here: decoding it is how the chain learns whether to
//! go on. Identical sources (one URL shared by many comments, the same upload) are processed
//! once per run (an in-memory memo) and once across runs: the encoded outputs are kept in the
//! rendered cache ([`crate::cache::rendered`]), keyed by the SHA-256 of the source and the output
//! settings, so a warm build decodes and encodes nothing. CPU work runs on the CPU pool
//! (`pipeline::cpu`, sized by cores); the callers are the network threads, which simply wait.

use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;
use std::sync::{Arc, Mutex, OnceLock};

use sha2::{Digest, Sha256};

use crate::cache::rendered::{RenderedCache, RenderedEntry};
use crate::error::Result;
use crate::process::{DecodeLimits, EncodeOptions};
use crate::publish::{AvatarDir, file_name};
use crate::resolve::chain::ImageCheck;

/// Published files of one source image.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Published {
    /// Pixel size → public URL.
    pub urls: BTreeMap<u32, String>,
    /// Some size was larger than the source.
    pub upscaled: bool,
}

type Slot = Arc<OnceLock<std::result::Result<Arc<Published>, String>>>;

/// The image stage of one build.
pub struct Images<'a> {
    pixel_sizes: Vec<u32>,
    options: EncodeOptions,
    limits: DecodeLimits,
    avatars: &'a AvatarDir,
    rendered: RenderedCache,
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
        Self {
            pixel_sizes,
            options,
            limits: DecodeLimits::default(),
            avatars,
            rendered: RenderedCache::open(cache_dir, settings_key),
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
        let key = self.rendered.key(digest);
        if let Some(entry) = self.rendered.lookup(&key)
            && let Some(published) = self.reuse_rendered(&entry)
        {
            self.rendered.remember(key, entry);
            return Ok(published);
        }
        let renditions = super::cpu::process(bytes, &self.pixel_sizes, &self.options, &self.limits)
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
            self.rendered.store(&name, &rendition.bytes);
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
        self.rendered.remember(key, entry);
        Ok(published)
    }

    /// Publishes a cached rendering, copying files from the cache where the avatar directory
    /// lacks them. `None` (a miss: render again) when the entry lacks a size or a needed file is
    /// gone from both.
    fn reuse_rendered(&self, entry: &RenderedEntry) -> Option<Published> {
        if !self
            .pixel_sizes
            .iter()
            .all(|px| entry.files.contains_key(px))
        {
            return None;
        }
        let mut urls = BTreeMap::new();
        for (px, name) in &entry.files {
            self.avatars
                .store_named(name, || self.rendered.read(name))
                .ok()?;
            urls.insert(*px, self.avatars.url(name));
        }
        Some(Published {
            urls,
            upscaled: entry.upscaled,
        })
    }

    /// Saves the rendered cache (see [`RenderedCache::finish`]).
    pub fn finish(self) -> Result<()> {
        self.rendered.finish()
    }
}

impl ImageCheck for Images<'_> {
    fn accept(&self, bytes: &Arc<[u8]>) -> std::result::Result<(), String> {
        self.publish(bytes).map(|_| ())
    }
}
