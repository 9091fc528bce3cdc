//! The persistent cache: `index.json` (URL → outcome, validators, fetch time) beside
//! content-addressed blobs `blobs/<sha256 hex>`.
//!
//! Plain and forgiving: the index is pretty-printed JSON a person can read, an unreadable index
//! is a warning and a cold start, an entry whose blob has gone is simply a miss. Every file is
//! written atomically (temp file in the same directory, then rename), and `persist` merges with
//! whatever another process wrote meanwhile, under an exclusive lock on `lock`.

use std::collections::HashSet;
use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use md5::Md5;
use sha2::{Digest, Sha256};

use super::error::{CacheError, CacheWarning};
use super::index::{
    BLOB_DIR, INDEX_FILE, Index, LOCK_FILE, list_blobs, now_secs, read_index, read_last_run,
    write_index, write_last_run,
};
use super::index::{BodyMeta, Entry, LastRun, Outcome};
use super::stamp::FileStamp;
use crate::fetch::Body;

/// An on-disk cache directory, opened for one run. Share it by handing it to a
/// [`Fetcher`](super::Fetcher).
pub struct Cache {
    dir: PathBuf,
    state: Mutex<State>,
    /// `--verify`: read and check every blob handed out.
    verify: bool,
}

#[derive(Default)]
struct State {
    index: Index,
    /// URLs whose entry this run wrote or renewed: only these are merged into the index on disk.
    dirty: HashSet<String>,
    /// URLs whose entry this run dropped: removed from the index on disk too.
    dropped: HashSet<String>,
    hits: u64,
    misses: u64,
    /// The index file as this run read (or last wrote) it.
    read: Option<FileStamp>,
}

/// Summary of a cache directory, for `blog-avatars cache stats`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CacheStats {
    /// URLs in the index.
    pub entries: usize,
    /// Of which answered "no avatar here" (404/410).
    pub missing: usize,
    /// Blob files on disk.
    pub blobs: usize,
    /// Their total size in bytes.
    pub bytes: u64,
    /// Fetch time of the oldest entry.
    pub oldest: Option<SystemTime>,
    /// Fetch time of the newest entry.
    pub newest: Option<SystemTime>,
    /// Hits and misses of the last run that finished on this cache.
    pub last_run: Option<LastRun>,
}

/// What [`Cache::clean`] removed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CleanReport {
    /// Index entries removed.
    pub entries_removed: usize,
    /// Index entries kept.
    pub entries_kept: usize,
    /// Blob files removed.
    pub blobs_removed: usize,
    /// Bytes those blobs took.
    pub bytes_freed: u64,
}

impl Cache {
    /// Opens the cache at `dir` (created on first write). A missing index is an empty cache; an
    /// unreadable or corrupt one is reported as a warning and the run starts cold. Fails only if
    /// `dir` exists and is not a directory.
    pub fn open(dir: &Path) -> Result<(Cache, Option<CacheWarning>), CacheError> {
        if dir.exists() && !dir.is_dir() {
            let e = io::Error::new(io::ErrorKind::NotADirectory, "not a directory");
            return Err(CacheError::io(dir, e));
        }
        let read = FileStamp::of(&dir.join(INDEX_FILE));
        let (index, warning) = match read_index(dir) {
            Ok(index) => (index, None),
            Err(warning) => (Index::default(), Some(warning)),
        };
        let state = State {
            index,
            read,
            ..State::default()
        };
        let cache = Cache {
            dir: dir.to_owned(),
            state: Mutex::new(state),
            verify: false,
        };
        Ok((cache, warning))
    }

    /// The cache directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Counts entries and blobs. Blobs are counted on disk, so orphans left by a killed run show.
    pub fn stats(&self) -> CacheStats {
        let state = self.lock();
        let entries = &state.index.entries;
        let times = entries.values().map(|e| e.fetched_at);
        let to_time = |secs: u64| UNIX_EPOCH + Duration::from_secs(secs);
        let (mut blobs, mut bytes) = (0, 0);
        for (_, len) in list_blobs(&self.dir.join(BLOB_DIR)) {
            blobs += 1;
            bytes += len;
        }
        CacheStats {
            entries: entries.len(),
            missing: entries
                .values()
                .filter(|e| e.outcome == Outcome::Missing)
                .count(),
            blobs,
            bytes,
            oldest: times.clone().min().map(to_time),
            newest: times.max().map(to_time),
            // Written by every run since 0.1's index kept it; an older cache has it in the index.
            last_run: read_last_run(&self.dir).or(state.index.last_run),
        }
    }

    /// Removes every entry (`None`), or only those fetched longer ago than `older_than`, then
    /// every blob no remaining entry refers to. Works on the index as it is on disk now, under
    /// the cache lock, so it composes with builds running at the same time.
    pub fn clean(&self, older_than: Option<Duration>) -> Result<CleanReport, CacheError> {
        if !self.dir.exists() {
            return Ok(CleanReport::default());
        }
        let _lock = self.lock_dir()?;
        let mut index = read_index(&self.dir).unwrap_or_default();
        let before = index.entries.len();
        match older_than {
            None => index.entries.clear(),
            Some(age) => {
                let cutoff = now_secs().saturating_sub(age.as_secs());
                index.entries.retain(|_, e| e.fetched_at > cutoff);
            }
        }
        let mut report = CleanReport {
            entries_removed: before - index.entries.len(),
            entries_kept: index.entries.len(),
            ..CleanReport::default()
        };
        (report.blobs_removed, report.bytes_freed) =
            remove_unreferenced(&self.dir.join(BLOB_DIR), &index)?;
        write_index(&self.dir, &index)?;
        let mut state = self.lock();
        state.dirty.retain(|url| index.entries.contains_key(url));
        state.index = index;
        Ok(report)
    }

    /// Removes blobs no entry of the index on disk refers to: downloads of a run killed before
    /// it saved the index. Only safe while no build is running on this cache (a running build's
    /// new blobs are not in the index yet), so the build calls it under its exclusive lock.
    pub(crate) fn remove_orphan_blobs(&self) -> Result<usize, CacheError> {
        let blob_dir = self.dir.join(BLOB_DIR);
        if !blob_dir.is_dir() {
            return Ok(0);
        }
        let _lock = self.lock_dir()?;
        let state = self.lock();
        // The index as this run read it, unless another run has written it since.
        if state.read.is_some() && state.read == FileStamp::of(&self.dir.join(INDEX_FILE)) {
            return remove_unreferenced(&blob_dir, &state.index).map(|(removed, _)| removed);
        }
        drop(state);
        // An unreadable index references nothing we can trust; keep everything then.
        let Ok(index) = read_index(&self.dir) else {
            return Ok(0);
        };
        remove_unreferenced(&blob_dir, &index).map(|(removed, _)| removed)
    }

    pub(crate) fn lookup(&self, url: &str) -> Option<Entry> {
        self.lock().index.entries.get(url).cloned()
    }

    /// Makes [`Cache::blob`] read and check every blob it hands out (`--verify`): a blob that
    /// no longer matches its name then counts as absent and is downloaded again.
    pub(crate) fn verifying(mut self, verify: bool) -> Self {
        self.verify = verify;
        self
    }

    /// The blob named `sha256` (hex) as a body read on first use, or `None` when it has gone
    /// (then the entry counts as absent). Trusted by its name: only a `stat`, unless the cache
    /// is [verifying](Cache::verifying), when it is read and hashed now.
    pub(crate) fn blob(&self, sha256: &str, md5: Option<&str>) -> Option<Body> {
        let mut digest = [0u8; 32];
        hex::decode_to_slice(sha256, &mut digest).ok()?;
        let md5 = md5.and_then(|m| {
            let mut out = [0u8; 16];
            hex::decode_to_slice(m, &mut out).ok().map(|()| out)
        });
        let path = self.dir.join(BLOB_DIR).join(sha256);
        if !path.is_file() {
            return None;
        }
        let body = Body::blob(path, digest, md5);
        if self.verify && body.bytes().is_err() {
            return None;
        }
        Some(body)
    }

    /// Stores a downloaded body and its entry; returns the blob's SHA-256 hex and the body,
    /// which knows its key and MD5. On failure the bytes come back with the error.
    pub(crate) fn put_found(
        &self,
        url: &str,
        scope: Option<&str>,
        bytes: Vec<u8>,
        meta: BodyMeta,
    ) -> Result<(String, Body), (CacheError, Vec<u8>)> {
        let digest: [u8; 32] = Sha256::digest(&bytes).into();
        let md5: [u8; 16] = Md5::digest(&bytes).into();
        let sha256 = hex::encode(digest);
        let blob_dir = self.dir.join(BLOB_DIR);
        let path = blob_dir.join(&sha256);
        // Written even when a blob of that name exists: it may be damaged, which is why the
        // body was downloaded again (blobs are trusted by name, and a damaged one must not stay).
        let written = fs::create_dir_all(&blob_dir)
            .map_err(|e| CacheError::io(&blob_dir, e))
            .and_then(|()| {
                crate::files::replace_with(&path, |w| w.write_all(&bytes)).map_err(CacheError::from)
            });
        if let Err(error) = written {
            // The caller keeps the download in memory instead.
            return Err((error, bytes));
        }
        let entry = Entry {
            outcome: Outcome::Found {
                sha256: sha256.clone(),
                content_type: meta.content_type,
                md5: Some(hex::encode(md5)),
            },
            etag: meta.etag,
            last_modified: meta.last_modified,
            fetched_at: now_secs(),
            guarded: scope.is_some(),
            scope: scope.map(str::to_owned),
        };
        self.insert(url, entry);
        Ok((sha256, Body::known(bytes, digest, md5)))
    }

    /// Records that `url` has nothing (404/410).
    pub(crate) fn put_missing(&self, url: &str, scope: Option<&str>) {
        let entry = Entry {
            outcome: Outcome::Missing,
            etag: None,
            last_modified: None,
            fetched_at: now_secs(),
            guarded: scope.is_some(),
            scope: scope.map(str::to_owned),
        };
        self.insert(url, entry);
    }

    /// Puts `entry` back for `url` (a refresh turned out unusable; the last good one stays),
    /// or, with `None`, drops the entry so the next run asks again.
    pub(crate) fn restore(&self, url: &str, entry: Option<Entry>) {
        let mut state = self.lock();
        match entry {
            Some(entry) => {
                state.index.entries.insert(url.to_owned(), entry);
                state.dropped.remove(url);
            }
            None => {
                state.index.entries.remove(url);
                state.dropped.insert(url.to_owned());
            }
        }
        state.dirty.insert(url.to_owned());
    }

    /// A 304 confirmed the entry: it is fresh again from now.
    pub(crate) fn renew(&self, url: &str) {
        let mut state = self.lock();
        if let Some(entry) = state.index.entries.get_mut(url) {
            entry.fetched_at = now_secs();
            state.dirty.insert(url.to_owned());
        }
    }

    pub(crate) fn count(&self, hit: bool) {
        let mut state = self.lock();
        if hit {
            state.hits += 1;
        } else {
            state.misses += 1;
        }
    }

    /// Writes this run's entries into the index on disk: under the exclusive lock, merged with
    /// what is there now (the newer of two entries for one URL wins), written atomically. A run
    /// that changed no entry (a warm build) leaves the index alone; its hits and misses go to
    /// the small `last-run.json`.
    pub(crate) fn persist(&self) -> Result<(), CacheError> {
        let mut state = self.lock();
        if state.dirty.is_empty() && state.hits == 0 && state.misses == 0 {
            return Ok(());
        }
        let _lock = self.lock_dir()?;
        if !state.dirty.is_empty() || !state.dropped.is_empty() {
            let state = &mut *state;
            // Unchanged on disk since it was read: this run's index already is the merge.
            let merged = if state.read.is_some()
                && state.read == FileStamp::of(&self.dir.join(INDEX_FILE))
            {
                std::mem::take(&mut state.index)
            } else {
                let mut merged = read_index(&self.dir).unwrap_or_default();
                for url in &state.dropped {
                    merged.entries.remove(url);
                }
                for url in &state.dirty {
                    let Some(ours) = state.index.entries.get(url) else {
                        continue;
                    };
                    match merged.entries.get(url) {
                        Some(theirs) if theirs.fetched_at > ours.fetched_at => {}
                        _ => {
                            merged.entries.insert(url.clone(), ours.clone());
                        }
                    }
                }
                merged
            };
            write_index(&self.dir, &merged)?;
            state.read = FileStamp::of(&self.dir.join(INDEX_FILE));
            state.index = merged;
            state.dirty.clear();
            state.dropped.clear();
        }
        write_last_run(
            &self.dir,
            &LastRun {
                hits: state.hits,
                misses: state.misses,
                finished_at: now_secs(),
            },
        )
    }

    fn insert(&self, url: &str, entry: Entry) {
        let mut state = self.lock();
        state.index.entries.insert(url.to_owned(), entry);
        state.dropped.remove(url);
        state.dirty.insert(url.to_owned());
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Exclusive cross-process lock on `dir/lock`, released when the file is dropped.
    fn lock_dir(&self) -> Result<fs::File, CacheError> {
        fs::create_dir_all(&self.dir).map_err(|e| CacheError::io(&self.dir, e))?;
        let path = self.dir.join(LOCK_FILE);
        let file = fs::File::options()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(|e| CacheError::io(&path, e))?;
        file.lock().map_err(|e| CacheError::io(&path, e))?;
        Ok(file)
    }
}

/// Removes the blobs in `blob_dir` that no entry of `index` names; returns (files, bytes).
/// Temp files (dot names) are the build sweep's business and are left alone.
fn remove_unreferenced(blob_dir: &Path, index: &Index) -> Result<(usize, u64), CacheError> {
    let referenced: HashSet<&str> = index
        .entries
        .values()
        .filter_map(|e| match &e.outcome {
            Outcome::Found { sha256, .. } => Some(sha256.as_str()),
            Outcome::Missing => None,
        })
        .collect();
    let (mut removed, mut bytes) = (0, 0);
    for (path, len) in list_blobs(blob_dir) {
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if !name.starts_with('.') && !referenced.contains(name) {
            fs::remove_file(&path).map_err(|e| CacheError::io(&path, e))?;
            removed += 1;
            bytes += len;
        }
    }
    Ok((removed, bytes))
}
