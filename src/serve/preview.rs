//! The temporary area of server-side previews: one directory per upload, named by a random id,
//! holding the original bytes and one PNG per pixel size.
//!
//! A preview leaves the area when it is saved, discarded (Cancel, or the page being left), or
//! when it is older than the TTL: the sweeper runs at start-up, so a crashed server's leftovers
//! go too, and then periodically. A preview is written under a staging name and renamed into
//! place, so a half-written one is never served.
//!
//! Previews are processed a few at a time ([`PreviewStore::slot`]): each holds an upload of up to
//! `[serve] max_upload_bytes` and decodes it, so 32 at once would need gigabytes. A few more wait
//! their turn; beyond that the answer is 503 at once, with a message saying why.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, SystemTime};

use tokio::sync::{OwnedSemaphorePermit, Semaphore, watch};

use super::error::ServeError;
use super::guard::random_hex;

/// Random bytes in a preview id (32 hex digits): ids are not guessable.
const ID_BYTES: usize = 16;
/// File stem of the original upload inside a preview directory.
const SOURCE_STEM: &str = "source";
/// Prefix of directories being written.
const STAGING_PREFIX: &str = ".staging-";
/// Previews processed at once.
pub(crate) const MAX_RUNNING_PREVIEWS: usize = 2;
/// Previews waiting for a turn; one more is answered 503 at once.
pub(crate) const MAX_WAITING_PREVIEWS: usize = 8;

/// The preview area.
#[derive(Debug, Clone)]
pub(crate) struct PreviewStore {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    dir: PathBuf,
    ttl: Duration,
    slots: Arc<Semaphore>,
    waiting: AtomicUsize,
    running: AtomicUsize,
    peak: AtomicUsize,
}

/// A turn to process one preview; the next waiting request gets it on drop.
#[derive(Debug)]
pub(crate) struct PreviewSlot {
    _permit: OwnedSemaphorePermit,
    inner: Arc<Inner>,
}

impl Drop for PreviewSlot {
    fn drop(&mut self) {
        self.inner.running.fetch_sub(1, Ordering::SeqCst);
    }
}

/// Counts a waiting request for as long as it waits (also when the client goes away).
struct Waiting<'a>(&'a AtomicUsize);

impl Drop for Waiting<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

impl PreviewStore {
    /// Creates the area if needed and sweeps what expired while no server ran.
    pub(crate) fn open(dir: PathBuf, ttl: Duration) -> Result<Self, ServeError> {
        std::fs::create_dir_all(&dir).map_err(|source| ServeError::Previews {
            path: dir.clone(),
            source,
        })?;
        let store = Self {
            inner: Arc::new(Inner {
                dir,
                ttl,
                slots: Arc::new(Semaphore::new(MAX_RUNNING_PREVIEWS)),
                waiting: AtomicUsize::new(0),
                running: AtomicUsize::new(0),
                peak: AtomicUsize::new(0),
            }),
        };
        store.sweep();
        Ok(store)
    }

    fn dir(&self) -> &Path {
        &self.inner.dir
    }

    /// Waits for a turn to process a preview; `None` when too many wait already.
    pub(crate) async fn slot(&self) -> Option<PreviewSlot> {
        let inner = &self.inner;
        if inner.waiting.fetch_add(1, Ordering::SeqCst) >= MAX_WAITING_PREVIEWS {
            inner.waiting.fetch_sub(1, Ordering::SeqCst);
            return None;
        }
        let waiting = Waiting(&inner.waiting);
        // The semaphore is never closed.
        let permit = Arc::clone(&inner.slots).acquire_owned().await.ok()?;
        drop(waiting);
        let running = inner.running.fetch_add(1, Ordering::SeqCst) + 1;
        inner.peak.fetch_max(running, Ordering::SeqCst);
        Some(PreviewSlot {
            _permit: permit,
            inner: Arc::clone(inner),
        })
    }

    /// The most previews ever processed at once.
    pub(crate) fn peak(&self) -> usize {
        self.inner.peak.load(Ordering::SeqCst)
    }

    /// How long an unsaved preview is kept.
    pub(crate) fn ttl(&self) -> Duration {
        self.inner.ttl
    }

    /// Stores the original (`extension` without a dot) and the rendered `(px, png)` files;
    /// returns the new id.
    pub(crate) fn create(
        &self,
        original: &[u8],
        extension: &str,
        renditions: &[(u32, Vec<u8>)],
    ) -> Result<String, ServeError> {
        let id = random_hex(ID_BYTES)?;
        let staging = self.dir().join(format!("{STAGING_PREFIX}{id}"));
        let io = |source| ServeError::Previews {
            path: staging.clone(),
            source,
        };
        std::fs::create_dir_all(&staging).map_err(io)?;
        let written = (|| {
            std::fs::write(staging.join(format!("{SOURCE_STEM}.{extension}")), original)?;
            for (px, png) in renditions {
                std::fs::write(staging.join(format!("{px}.png")), png)?;
            }
            std::fs::rename(&staging, self.dir().join(&id))
        })();
        if let Err(error) = written {
            let _ = std::fs::remove_dir_all(&staging);
            return Err(io(error));
        }
        Ok(id)
    }

    /// The path of a rendered file (`<px>.png`) of preview `id`, if both names are valid and it
    /// exists.
    pub(crate) fn file(&self, id: &str, name: &str) -> Option<PathBuf> {
        let px = name.strip_suffix(".png")?;
        let valid_px = !px.is_empty() && px.len() <= 4 && px.bytes().all(|b| b.is_ascii_digit());
        if !is_id(id) || !valid_px {
            return None;
        }
        let path = self.dir().join(id).join(name);
        path.is_file().then_some(path)
    }

    /// The original bytes of preview `id` and their extension.
    pub(crate) fn source(&self, id: &str) -> Option<(Vec<u8>, String)> {
        if !is_id(id) {
            return None;
        }
        let entries = std::fs::read_dir(self.dir().join(id)).ok()?;
        entries.flatten().find_map(|entry| {
            let path = entry.path();
            let stem = path.file_stem()?.to_str()?;
            let extension = path.extension()?.to_str()?.to_owned();
            (stem == SOURCE_STEM)
                .then(|| std::fs::read(&path).ok())
                .flatten()
                .map(|bytes| (bytes, extension))
        })
    }

    /// Deletes preview `id`; false when there was none.
    pub(crate) fn discard(&self, id: &str) -> bool {
        is_id(id) && std::fs::remove_dir_all(self.dir().join(id)).is_ok()
    }

    /// Deletes previews (and staging leftovers) older than the TTL; returns how many.
    pub(crate) fn sweep(&self) -> usize {
        self.sweep_at(SystemTime::now())
    }

    fn sweep_at(&self, now: SystemTime) -> usize {
        let Ok(entries) = std::fs::read_dir(self.dir()) else {
            return 0;
        };
        let mut removed = 0;
        for entry in entries.flatten() {
            let name = entry.file_name();
            let name = name.to_string_lossy();
            let ours = is_id(&name) || name.strip_prefix(STAGING_PREFIX).is_some_and(is_id);
            let expired = entry
                .metadata()
                .and_then(|m| m.modified())
                .is_ok_and(|modified| {
                    now.duration_since(modified)
                        .is_ok_and(|age| age >= self.inner.ttl)
                });
            if ours && expired && std::fs::remove_dir_all(entry.path()).is_ok() {
                removed += 1;
            }
        }
        removed
    }
}

/// 32 lower-case hex digits: the only names ever joined to the area's path.
fn is_id(name: &str) -> bool {
    name.len() == ID_BYTES * 2 && name.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

/// Sweeps every `interval` until shutdown.
pub(crate) async fn sweep_forever(
    store: PreviewStore,
    interval: Duration,
    mut shutdown: watch::Receiver<bool>,
) {
    let mut ticker = tokio::time::interval(interval);
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = ticker.tick() => {}
            _ = shutdown.changed() => return,
        }
        let store = store.clone();
        let _ = tokio::task::spawn_blocking(move || store.sweep()).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn create_read_discard() {
        let temp = tempfile::tempdir().unwrap();
        let store = PreviewStore::open(temp.path().join("p"), Duration::from_secs(60)).unwrap();
        let id = store
            .create(b"orig", "png", &[(40, b"a".to_vec())])
            .unwrap();
        assert!(is_id(&id));
        assert_eq!(store.source(&id), Some((b"orig".to_vec(), "png".into())));
        assert!(store.file(&id, "40.png").is_some());
        assert!(store.file(&id, "80.png").is_none());
        assert!(store.file(&id, "../40.png").is_none());
        assert!(store.file("../../etc", "40.png").is_none());
        assert!(store.discard(&id));
        assert!(!store.discard(&id));
        assert!(store.source(&id).is_none());
    }

    #[test]
    fn sweep_takes_only_expired_previews_of_ours() {
        let temp = tempfile::tempdir().unwrap();
        let dir = temp.path().join("p");
        let store = PreviewStore::open(dir.clone(), Duration::from_secs(60)).unwrap();
        let id = store.create(b"x", "png", &[]).unwrap();
        std::fs::create_dir_all(dir.join("not-ours")).unwrap();
        assert_eq!(store.sweep(), 0, "fresh preview swept");
        let later = SystemTime::now() + Duration::from_secs(61);
        assert_eq!(store.sweep_at(later), 1);
        assert!(!dir.join(&id).exists());
        assert!(dir.join("not-ours").exists(), "foreign directory removed");
    }
}
