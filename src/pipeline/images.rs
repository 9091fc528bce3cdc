//! Turning source images into published files, once per distinct source.
//!
//! The chain hands every candidate image here: decoding it is how the chain learns whether to
//! go on. Identical sources (one URL shared by many comments, the same upload) are processed
//! once per run (an in-memory memo) and once across runs: the encoded outputs are kept in the
//! rendered cache ([`crate::cache::rendered`]), keyed by the SHA-256 of the source (the name of
//! its cache blob, known without reading it; for an identicon, of what it is drawn from) and the
//! output settings, so a warm build reads, hashes, decodes and encodes no source. CPU work runs
//! on the CPU pool (`pipeline::cpu`, sized by cores); the callers are the network threads, which
//! simply wait.

use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;
use std::sync::{Arc, Mutex, OnceLock};

use crate::cache::rendered::{RenderedCache, RenderedEntry};
use crate::error::Result;
use crate::fetch::Body;
use crate::model::Published;
use crate::process::{DecodeLimits, EncodeOptions};
use crate::publish::{AvatarDir, file_name};
use crate::resolve::chain::{ImageCheck, ImageRejected};

type Slot = Arc<OnceLock<std::result::Result<Arc<Published>, ImageRejected>>>;

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

    /// Publishes `body` (or finds it published already); `Err` says why the image is unusable.
    /// Looked up by the body's key (a cached download's name, an identicon's inputs), so a
    /// source rendered before is neither read nor hashed nor drawn.
    pub fn publish(&self, body: &Body) -> std::result::Result<Arc<Published>, ImageRejected> {
        let digest = body.key();
        let slot = {
            let mut memo = self.memo.lock().unwrap_or_else(|e| e.into_inner());
            memo.entry(digest).or_default().clone()
        };
        slot.get_or_init(|| self.publish_uncached(&digest, body).map(Arc::new))
            .clone()
    }

    /// Images decoded and encoded this run (the rest came from the rendered cache).
    pub fn decoded(&self) -> usize {
        self.decoded.load(std::sync::atomic::Ordering::Relaxed)
    }

    fn publish_uncached(
        &self,
        digest: &[u8; 32],
        body: &Body,
    ) -> std::result::Result<Published, ImageRejected> {
        if let Some(entry) = self.rendered.lookup(digest)
            && let Some(published) = self.reuse_rendered(entry)
        {
            return Ok(published);
        }
        let renditions = match body.drawing() {
            // A generated identicon: its pixels, not a PNG of them to decode.
            Some(drawing) => super::cpu::process_drawn(drawing, &self.pixel_sizes, &self.options),
            None => {
                let bytes: &[u8] = body
                    .bytes()
                    .map_err(|e| ImageRejected::Source(e.to_owned()))?;
                super::cpu::process(bytes, &self.pixel_sizes, &self.options, &self.limits)
            }
        }
        .map_err(|e| ImageRejected::Image(Arc::new(e)))?;
        self.decoded
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let extension = self.options.format.extension();
        let mut entry = RenderedEntry {
            files: Vec::with_capacity(renditions.len()),
            upscaled: renditions.iter().any(|r| r.upscaled),
        };
        let mut urls = BTreeMap::new();
        for rendition in &renditions {
            let name = file_name(&rendition.bytes, extension);
            self.rendered.store(&name, &rendition.bytes);
            self.avatars
                .store_named(&name, || Ok(rendition.bytes.clone()))
                .map_err(|e| ImageRejected::Write(Arc::new(e)))?;
            urls.insert(rendition.px, self.avatars.url(&name));
            entry.files.push((rendition.px, name));
        }
        let published = Published {
            urls,
            upscaled: entry.upscaled,
        };
        self.rendered.add(*digest, entry);
        Ok(published)
    }

    /// Publishes a cached rendering, copying files from the cache where the avatar directory
    /// lacks them. `None` (a miss: render again) when the entry lacks a size or a needed file is
    /// gone from both.
    fn reuse_rendered(&self, entry: &RenderedEntry) -> Option<Published> {
        if !self.pixel_sizes.iter().all(|px| entry.file(*px).is_some()) {
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
    fn accept(&self, bytes: &Body) -> std::result::Result<(), ImageRejected> {
        self.publish(bytes).map(|_| ())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::OutputFormat;

    fn images<'a>(avatars: &'a AvatarDir, cache: &std::path::Path) -> Images<'a> {
        let options = EncodeOptions {
            format: OutputFormat::Webp,
            quality: 80,
        };
        Images::new(vec![40, 80], options, avatars, Some(cache.to_path_buf()))
    }

    #[test]
    fn a_warm_run_draws_no_identicon_and_reads_no_source() {
        let temp = tempfile::tempdir().unwrap();
        let cache = temp.path().join("cache");
        let avatars = AvatarDir::new(temp.path().join("avatars"), "/avatars/".into());
        let cold = images(&avatars, &cache);
        let drawn = crate::resolve::identicon::source("ada@example.org", 80);
        let first = cold.publish(&drawn).unwrap();
        assert!(
            !drawn.is_loaded(),
            "a cold run draws pixels, encodes no PNG"
        );
        assert_eq!(cold.decoded(), 1);
        cold.finish().unwrap();

        let again = AvatarDir::new(temp.path().join("avatars"), "/avatars/".into());
        let warm = images(&again, &cache);
        let fresh = crate::resolve::identicon::source("ada@example.org", 80);
        let second = warm.publish(&fresh).unwrap();
        assert_eq!(first, second);
        assert!(!fresh.is_loaded(), "the warm run drew the identicon again");
        assert_eq!(warm.decoded(), 0);
        // Another seed is another picture.
        let other = crate::resolve::identicon::source("bob@example.org", 80);
        assert_ne!(warm.publish(&other).unwrap().urls, first.urls);
        assert_eq!(
            again.written(),
            2,
            "only the new identicon's files are written"
        );
    }

    #[test]
    fn a_damaged_rendered_file_is_rendered_again_not_copied() {
        let temp = tempfile::tempdir().unwrap();
        let cache = temp.path().join("cache");
        let avatars = AvatarDir::new(temp.path().join("avatars"), "/avatars/".into());
        let cold = images(&avatars, &cache);
        let published = cold
            .publish(&crate::resolve::identicon::source("ada", 80))
            .unwrap();
        cold.finish().unwrap();
        let name = published.urls[&40].strip_prefix("/avatars/").unwrap();
        std::fs::write(cache.join("rendered").join(name), b"damaged").unwrap();
        std::fs::remove_file(temp.path().join("avatars").join(name)).unwrap();
        let again = AvatarDir::new(temp.path().join("avatars"), "/avatars/".into());
        let warm = images(&again, &cache);
        let body = crate::resolve::identicon::source("ada", 80);
        assert_eq!(*warm.publish(&body).unwrap(), *published);
        assert_eq!(warm.decoded(), 1, "rendered again from the source");
        let bytes = std::fs::read(temp.path().join("avatars").join(name)).unwrap();
        assert_ne!(bytes, b"damaged");
    }
}
