//! The manifest of published files: size and modification time of every avatar file whose
//! content a build checked against its name, so the next build trusts an unchanged file with a
//! `stat` instead of reading and hashing it.
//!
//! Kept in the cache folder (`published-<folder digest>.json`, one per avatar folder), written
//! atomically at the end of a build under the build lock. A file whose size or modification
//! time differs from the record is read and hashed as before; `--verify` ignores the manifest
//! and hashes every file. A missing or unreadable manifest only costs that one build the reads.

use std::collections::HashMap;
use std::fs::Metadata;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, PoisonError};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::stamp::FileStamp as Stamp;
use crate::files::write_atomic;

const VERSION: u32 = 1;

#[derive(Debug, Default, Serialize, Deserialize)]
struct OnDisk {
    version: u32,
    /// The avatar folder the names are in.
    dir: String,
    /// File name → stamp.
    files: HashMap<String, Stamp>,
}

/// What earlier builds checked in one avatar folder, and what this build checked.
#[derive(Debug)]
pub struct Manifest {
    path: PathBuf,
    dir: String,
    earlier: HashMap<String, Stamp>,
    now: Mutex<HashMap<String, Stamp>>,
    verify: bool,
}

impl Manifest {
    /// The manifest of `avatar_dir` kept in `cache_dir`; with `verify`, no earlier record is
    /// trusted (every file is hashed) but this build's checks are still recorded.
    pub fn open(cache_dir: &Path, avatar_dir: &Path, verify: bool) -> Self {
        // One manifest per folder however the site was named (`.`, relative, absolute).
        // The folder may not exist before the first build: then its parent names it.
        let real = std::fs::canonicalize(avatar_dir)
            .or_else(|_| match (avatar_dir.parent(), avatar_dir.file_name()) {
                (Some(parent), Some(name)) => std::fs::canonicalize(parent).map(|p| p.join(name)),
                _ => Err(std::io::Error::from(std::io::ErrorKind::NotFound)),
            })
            .unwrap_or_else(|_| avatar_dir.to_path_buf());
        let dir = real.to_string_lossy().into_owned();
        let digest = hex::encode(Sha256::digest(dir.as_bytes()));
        let path = cache_dir.join(format!("published-{}.json", &digest[..16]));
        let earlier = std::fs::read(&path)
            .ok()
            .and_then(|bytes| serde_json::from_slice::<OnDisk>(&bytes).ok())
            .filter(|m| m.version == VERSION && m.dir == dir)
            .map(|m| m.files)
            .unwrap_or_default();
        Self {
            path,
            dir,
            earlier,
            now: Mutex::new(HashMap::new()),
            verify,
        }
    }

    /// Whether the file `name` (with `meta`) is as an earlier build checked it: same size and
    /// modification time. Never, with `--verify`. A trusted file stays recorded.
    pub fn unchanged(&self, name: &str, meta: &Metadata) -> bool {
        let Some(stamp) = Stamp::of_meta(meta) else {
            return false;
        };
        let same = !self.verify && self.earlier.get(name) == Some(&stamp);
        if same {
            self.lock().insert(name.to_owned(), stamp);
        }
        same
    }

    /// Records that the file `name` (with `meta`) holds what its name promises.
    pub fn record(&self, name: &str, meta: &Metadata) {
        if let Some(stamp) = Stamp::of_meta(meta) {
            self.lock().insert(name.to_owned(), stamp);
        }
    }

    /// Forgets `name` (the file was removed).
    pub fn forget(&self, name: &str) {
        self.lock().remove(name);
    }

    /// Saves what this build checked (files it did not touch drop out); nothing is written when
    /// that is what the earlier record says. A manifest that cannot be written only costs the
    /// next build some reads, so a failure is ignored.
    pub fn save(&self) {
        let files = self.lock();
        if *files == self.earlier {
            return;
        }
        let on_disk = OnDisk {
            version: VERSION,
            dir: self.dir.clone(),
            files: files.clone(),
        };
        drop(files);
        let Some(parent) = self.path.parent() else {
            return;
        };
        if let Ok(json) = serde_json::to_vec(&on_disk)
            && std::fs::create_dir_all(parent).is_ok()
        {
            let _ = write_atomic(&self.path, &json);
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Stamp>> {
        self.now.lock().unwrap_or_else(PoisonError::into_inner)
    }
}
