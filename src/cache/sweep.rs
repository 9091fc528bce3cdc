//! Leftovers of killed builds, and the lock that makes removing them safe.
//!
//! Every file a build writes goes through a temp file in the same directory, renamed into
//! place, so a build killed at any moment leaves whole files and, at worst, temp files named
//! `.blog-avatars-*.tmp` and cache blobs no index entry names. The next build removes them at
//! its start, but only when no other build is using the same cache: each build holds a shared
//! lock on `<cache dir>/build.lock` for its whole run, and the sweep runs under an exclusive
//! `try_lock`. A temp file another build is still writing is therefore never removed; when
//! another build is running the sweep is skipped and a later build does it.
//!
//! A build that ends normally while no other build runs, and left the download index as it found
//! it, writes `clean` into the lock file; the next build then skips the sweep, which would
//! otherwise list every avatar and cached rendition (tens of thousands of files on a large blog)
//! to find nothing. A killed build leaves `running` there, and so does one that changed the
//! index (a changed entry can leave its old blob unreferenced), so the sweep runs after it.

use std::fs::{File, TryLockError};
use std::io::{Read, Seek, Write};
use std::path::{Path, PathBuf};

use walkdir::WalkDir;

use super::index::INDEX_FILE;
use super::stamp::FileStamp;
use crate::cache::Cache;
use crate::files::{TEMP_PREFIX, TEMP_SUFFIX};

/// The lock file, beside the cache index.
const BUILD_LOCK_FILE: &str = "build.lock";
/// The lock file's content after the last build ended normally with no other build running.
const CLEAN: &[u8] = b"clean";
/// The lock file's content while builds run (and after a killed one).
const RUNNING: &[u8] = b"running";

/// A shared lock on the cache's build lock, held for a whole build; released on drop (the
/// kernel also releases it when the process dies, so a killed build never blocks the next).
pub(crate) struct BuildLock {
    file: Option<File>,
    /// The download index and its stamp when the build began.
    index: (PathBuf, Option<FileStamp>),
}

impl Drop for BuildLock {
    /// The last build to end marks the cache clean when the index is as it found it: the next
    /// build need not sweep.
    fn drop(&mut self) {
        if let Some(mut file) = self.file.take()
            && file.try_lock().is_ok()
            && FileStamp::of(&self.index.0) == self.index.1
        {
            let _ = set_state(&mut file, CLEAN);
        }
    }
}

#[cfg(test)]
impl BuildLock {
    /// Releases the lock as a killed build does: without marking the cache clean.
    pub(crate) fn killed(mut self) {
        self.file.take();
    }
}

/// Replaces the lock file's content with `state`.
fn set_state(file: &mut File, state: &[u8]) -> std::io::Result<()> {
    file.set_len(0)?;
    file.rewind()?;
    file.write_all(state)
}

/// Whether the last build on this cache ended normally, alone.
fn was_clean(file: &mut File) -> bool {
    let mut state = Vec::new();
    file.rewind().is_ok() && file.read_to_end(&mut state).is_ok() && state == CLEAN
}

/// Takes the build lock on `cache_dir`. When no other build holds it, first removes the temp
/// files directly in `flat_dirs`, anywhere under `deep_dir` and the cache, and the cache's
/// orphaned blobs; returns the lock and how many files were removed. `None` when the lock file
/// cannot be used (e.g. a read-only cache): the build then runs without sweeping.
pub(crate) fn begin(
    cache_dir: &Path,
    cache: Option<&Cache>,
    flat_dirs: &[&Path],
    deep_dir: Option<&Path>,
) -> Option<(BuildLock, usize)> {
    std::fs::create_dir_all(cache_dir).ok()?;
    let mut file = File::options()
        .create(true)
        .truncate(false)
        .read(true)
        .write(true)
        .open(cache_dir.join(BUILD_LOCK_FILE))
        .ok()?;
    let mut removed = 0;
    match file.try_lock() {
        Ok(()) if was_clean(&mut file) => {
            set_state(&mut file, RUNNING).ok()?;
            file.unlock().ok()?;
        }
        Ok(()) => {
            // Alone: nothing found now can be another build's work in progress.
            let flat = flat_dirs.iter().map(|dir| (*dir, 1));
            let deep = deep_dir.into_iter().chain([cache_dir]);
            let deep = deep.map(|dir| (dir, usize::MAX));
            removed += flat
                .chain(deep)
                .map(|(dir, depth)| remove_temp_files(dir, depth))
                .sum::<usize>();
            if let Some(cache) = cache {
                removed += cache.remove_orphan_blobs().unwrap_or(0);
            }
            set_state(&mut file, RUNNING).ok()?;
            // No temp file of ours exists yet, so another build may sweep in between.
            file.unlock().ok()?;
        }
        Err(TryLockError::WouldBlock) => {}
        Err(TryLockError::Error(_)) => return None,
    }
    file.lock_shared().ok()?;
    let index = cache_dir.join(INDEX_FILE);
    let stamp = FileStamp::of(&index);
    let lock = BuildLock {
        file: Some(file),
        index: (index, stamp),
    };
    Some((lock, removed))
}

/// Removes `.blog-avatars-*.tmp` files under `dir`, at most `depth` levels down, not following
/// symlinks; returns how many.
fn remove_temp_files(dir: &Path, depth: usize) -> usize {
    WalkDir::new(dir)
        .max_depth(depth)
        .follow_links(false)
        .follow_root_links(false)
        .into_iter()
        .flatten()
        .filter(|entry| entry.file_type().is_file() && is_temp_name(entry.file_name()))
        .filter(|entry| std::fs::remove_file(entry.path()).is_ok())
        .count()
}

/// Whether `name` is one of our temp files.
fn is_temp_name(name: &std::ffi::OsStr) -> bool {
    name.to_str()
        .is_some_and(|n| n.starts_with(TEMP_PREFIX) && n.ends_with(TEMP_SUFFIX))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sweeps_only_when_alone_and_only_temp_files() {
        let temp = tempfile::tempdir().unwrap();
        let cache = temp.path().join("cache");
        let out = temp.path().join("out");
        std::fs::create_dir_all(out.join("post")).unwrap();
        std::fs::create_dir_all(cache.join("blobs")).unwrap();
        let leftovers = [
            out.join(".blog-avatars-a1.tmp"),
            out.join("post/.blog-avatars-b2.tmp"),
            cache.join("blobs/.blog-avatars-c3.tmp"),
        ];
        for path in &leftovers {
            std::fs::write(path, b"half").unwrap();
        }
        std::fs::write(out.join("post/index.html"), b"page").unwrap();
        std::fs::write(out.join(".blog-avatars-rendered"), b"manifest").unwrap();

        // Another build holds the lock: nothing is removed, and this one still gets in.
        let (other, swept) = begin(&cache, None, &[], Some(&out)).unwrap();
        assert_eq!(swept, 3);
        for path in &leftovers {
            std::fs::write(path, b"in progress").unwrap();
        }
        let (_mine, swept) = begin(&cache, None, &[], Some(&out)).unwrap();
        assert_eq!(swept, 0, "removed another build's temp files");
        assert!(leftovers.iter().all(|p| p.exists()));
        drop(other);
        drop(_mine);

        // Both ended normally and the last marked the cache clean: nothing to sweep. (Those
        // temp files stand for what a killed build leaves; see the next test.)
        let (alone, swept) = begin(&cache, None, &[], Some(&out)).unwrap();
        assert_eq!(swept, 0, "swept after builds that ended normally");
        alone.killed();
        let (_after_kill, swept) = begin(&cache, None, &[], Some(&out)).unwrap();
        assert_eq!(swept, 3);
        assert!(leftovers.iter().all(|p| !p.exists()));
        assert!(out.join("post/index.html").exists());
        assert!(out.join(".blog-avatars-rendered").exists());
    }

    #[test]
    fn blobs_a_killed_run_never_indexed_are_removed() {
        let temp = tempfile::tempdir().unwrap();
        let dir = temp.path();
        let (cache, _) = Cache::open(dir).unwrap();
        let meta = || Default::default();
        let kept = cache
            .put_found("http://a.test/1", None, b"kept".to_vec(), meta())
            .map_err(|(e, _)| e)
            .unwrap()
            .0;
        cache.persist().unwrap();
        // Downloaded, then the process died before saving the index.
        let orphan = cache
            .put_found("http://a.test/2", None, b"lost".to_vec(), meta())
            .map_err(|(e, _)| e)
            .unwrap()
            .0;
        drop(cache);
        let (cache, _) = Cache::open(dir).unwrap();
        let (_lock, removed) = begin(dir, Some(&cache), &[], None).unwrap();
        assert_eq!(removed, 1);
        assert!(dir.join("blobs").join(kept).is_file());
        assert!(!dir.join("blobs").join(orphan).exists());
    }
}
