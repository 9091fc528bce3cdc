//! `cache stats` and `cache clean`: the download cache and the rendered-image cache together.

use std::path::Path;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::Serialize;

use super::rendered;
use crate::cache::Cache;
use crate::error::{Error, Result};

/// What `cache stats` prints.
#[derive(Debug, Clone, Serialize)]
pub struct CacheSummary {
    /// The cache directory.
    pub dir: String,
    /// Cached answers (images and "has none").
    pub entries: usize,
    /// Of which "has none" answers.
    pub missing: usize,
    /// Bytes of downloaded images.
    pub download_bytes: u64,
    /// Rendered outputs kept for warm builds.
    pub rendered_files: usize,
    /// Their bytes.
    pub rendered_bytes: u64,
    /// Unix time of the oldest entry.
    pub oldest: Option<u64>,
    /// Unix time of the newest entry.
    pub newest: Option<u64>,
    /// Answers taken from the cache by the last build.
    pub last_run_hits: Option<u64>,
    /// Answers the last build had to ask for.
    pub last_run_misses: Option<u64>,
}

/// What `cache clean` did.
#[derive(Debug, Clone, Serialize)]
pub struct CleanSummary {
    /// Cached answers removed.
    pub entries_removed: usize,
    /// Cached answers kept.
    pub entries_kept: usize,
    /// Bytes freed.
    pub bytes_freed: u64,
}

fn unix(time: Option<SystemTime>) -> Option<u64> {
    time.and_then(|t| t.duration_since(UNIX_EPOCH).ok())
        .map(|d| d.as_secs())
}

fn open(dir: &Path) -> Result<Cache> {
    Cache::open(dir)
        .map(|(cache, _warning)| cache)
        .map_err(|e| Error::io(dir, std::io::Error::other(e.to_string())))
}

/// Summarises the cache at `dir` (an absent cache is empty).
pub fn stats(dir: &Path) -> Result<CacheSummary> {
    let stats = open(dir)?.stats();
    let (_, rendered_files, rendered_bytes) = rendered::stats(dir);
    Ok(CacheSummary {
        dir: dir.display().to_string(),
        entries: stats.entries,
        missing: stats.missing,
        download_bytes: stats.bytes,
        rendered_files,
        rendered_bytes,
        oldest: unix(stats.oldest),
        newest: unix(stats.newest),
        last_run_hits: stats.last_run.as_ref().map(|r| r.hits),
        last_run_misses: stats.last_run.as_ref().map(|r| r.misses),
    })
}

/// Empties the cache, or with `older_than` removes only downloads older than that (rendered
/// outputs are kept then: they are small and still valid).
pub fn clean(dir: &Path, older_than: Option<Duration>) -> Result<CleanSummary> {
    let report = open(dir)?
        .clean(older_than)
        .map_err(|e| Error::io(dir, std::io::Error::other(e.to_string())))?;
    let rendered = if older_than.is_none() {
        rendered::clean(dir)?
    } else {
        0
    };
    Ok(CleanSummary {
        entries_removed: report.entries_removed,
        entries_kept: report.entries_kept,
        bytes_freed: report.bytes_freed + rendered,
    })
}

impl CacheSummary {
    /// Lines for people.
    pub fn write_human(&self, out: &mut impl std::io::Write) -> std::io::Result<()> {
        let age = |time: Option<u64>| {
            time.map_or_else(
                || "-".to_owned(),
                |t| {
                    let now = SystemTime::now()
                        .duration_since(UNIX_EPOCH)
                        .map_or(0, |d| d.as_secs());
                    let ago = Duration::from_secs(now.saturating_sub(t));
                    format!("{} ago", humantime::format_duration(ago))
                },
            )
        };
        writeln!(out, "cache: {}", self.dir)?;
        writeln!(
            out,
            "entries: {} ({} with no avatar), {} bytes downloaded",
            self.entries, self.missing, self.download_bytes
        )?;
        writeln!(
            out,
            "rendered: {} files, {} bytes",
            self.rendered_files, self.rendered_bytes
        )?;
        writeln!(
            out,
            "oldest: {}, newest: {}",
            age(self.oldest),
            age(self.newest)
        )?;
        match (self.last_run_hits, self.last_run_misses) {
            (Some(hits), Some(misses)) => {
                writeln!(out, "last run: {hits} hits, {misses} misses")
            }
            _ => writeln!(out, "last run: none recorded"),
        }
    }
}
