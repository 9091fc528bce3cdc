//! The directory walk: which pages to read, and reading and rewriting them in parallel.
//!
//! Pages are local files and parsing them is CPU work, so both passes run on rayon. Writing is
//! atomic and keeps the page's permissions: a web server that could read a page before the
//! rewrite can read it after.

use std::collections::BTreeSet;
use std::ffi::OsStr;
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use serde::Serialize;

use super::html::{collect_with, rewrite_page_with};
use super::{AvatarRef, Lookup, Recognizer};
use crate::error::Result;
use crate::model::Warning;

/// Extensions of the pages rewritten (any letter case).
const PAGE_EXTENSIONS: &[&str] = &["html", "htm"];

/// What [`rewrite_dir`] did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct RewriteReport {
    /// Pages read and parsed.
    pub files_scanned: usize,
    /// Pages written because at least one URL was replaced.
    pub files_changed: usize,
    /// Avatar URLs replaced, over all pages.
    pub urls_replaced: usize,
    /// Avatar URLs recognised but left as they were (the lookup had no file for them).
    pub urls_unresolved: usize,
    /// Of the URLs replaced, those that named nobody and got the default avatar.
    pub urls_anonymous: usize,
    /// URLs on avatar hosts left in the pages (no file for them, or a shape not understood):
    /// per page and URL, sorted.
    pub unreplaced: Vec<UnreplacedUrl>,
    /// The pages written, relative to the directory, sorted.
    pub changed: Vec<PathBuf>,
    /// Pages that could not be read or parsed (left untouched); paths relative to the directory.
    pub warnings: Vec<Warning>,
}

/// A URL on an avatar host that a page still holds after the rewrite.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct UnreplacedUrl {
    /// The page, relative to the directory.
    pub path: String,
    /// The URL as written (character references decoded).
    pub url: String,
    /// How many times the page holds it.
    pub count: usize,
}

/// Every `.html`/`.htm` file under `dir`, sorted. Symbolic links are neither followed nor
/// listed (a rewrite never writes outside `dir`), and hidden entries (`.git`, ...) are skipped.
/// Entries that cannot be read are skipped; a missing `dir` gives an empty list.
pub fn html_files(dir: &Path) -> Vec<PathBuf> {
    crate::files::walk_visible(dir)
        .filter_map(|entry| entry.ok())
        .filter(|entry| entry.file_type().is_file() && is_page(entry.path()))
        .map(walkdir::DirEntry::into_path)
        .collect()
}

/// The first pass over `files`, in parallel: every distinct avatar URL, and a warning (naming
/// the path as given) for each file that cannot be read or parsed.
pub fn collect_dir(
    files: &[PathBuf],
    recognizer: &Recognizer,
) -> (BTreeSet<AvatarRef>, Vec<Warning>) {
    let per_file: Vec<std::result::Result<BTreeSet<AvatarRef>, Warning>> = files
        .par_iter()
        .map(|path| {
            let shown = path.to_string_lossy();
            let bytes = std::fs::read(path).map_err(|e| warning(&shown, &e))?;
            collect_with(&bytes, recognizer).map_err(|e| warning(&shown, &e))
        })
        .collect();
    let mut avatars = BTreeSet::new();
    let mut warnings = Vec::new();
    for result in per_file {
        match result {
            Ok(found) => avatars.extend(found),
            Err(w) => warnings.push(w),
        }
    }
    (avatars, warnings)
}

/// What happened to one page that could be read and parsed.
struct Outcome {
    written: bool,
    replaced: usize,
    unresolved: usize,
    anonymous: usize,
    unreplaced: Vec<String>,
}

/// The second pass, in parallel: replaces the avatar URLs `lookup` has a local URL for and
/// writes each changed page atomically, keeping its permissions. Pages without a replacement
/// are not written (their modification time stays). A page that cannot be read or parsed is a
/// warning and stays untouched; only a failed write is an error.
///
/// Paths in the report are relative to `dir` (the directory the files were listed from).
pub fn rewrite_dir(
    files: &[PathBuf],
    dir: &Path,
    recognizer: &Recognizer,
    lookup: &Lookup<'_>,
) -> Result<RewriteReport> {
    let outcomes: Vec<(PathBuf, std::result::Result<Outcome, Warning>)> = files
        .par_iter()
        .map(|path| {
            let relative = path.strip_prefix(dir).unwrap_or(path).to_path_buf();
            let outcome = rewrite_file(path, &relative, recognizer, lookup)?;
            Ok((relative, outcome))
        })
        .collect::<Result<_>>()?;
    let mut report = RewriteReport::default();
    for (relative, outcome) in outcomes {
        match outcome {
            Ok(outcome) => {
                report.files_scanned += 1;
                report.urls_replaced += outcome.replaced;
                report.urls_unresolved += outcome.unresolved;
                report.urls_anonymous += outcome.anonymous;
                let page = relative.to_string_lossy().replace('\\', "/");
                let mut counts: std::collections::BTreeMap<String, usize> = Default::default();
                for url in outcome.unreplaced {
                    *counts.entry(url).or_default() += 1;
                }
                report
                    .unreplaced
                    .extend(counts.into_iter().map(|(url, count)| UnreplacedUrl {
                        path: page.clone(),
                        url,
                        count,
                    }));
                if outcome.written {
                    report.files_changed += 1;
                    report.changed.push(relative);
                }
            }
            Err(w) => report.warnings.push(w),
        }
    }
    report.changed.sort();
    report.unreplaced.sort();
    report.warnings.sort();
    Ok(report)
}

/// Rewrites one page: `Ok(Err(_))` is a page skipped with a warning.
fn rewrite_file(
    path: &Path,
    relative: &Path,
    recognizer: &Recognizer,
    lookup: &Lookup<'_>,
) -> Result<std::result::Result<Outcome, Warning>> {
    let shown = relative.to_string_lossy();
    match std::fs::symlink_metadata(path) {
        Ok(metadata) if metadata.file_type().is_symlink() => {
            return Ok(Err(warning(&shown, &"a symbolic link: not rewritten")));
        }
        Ok(_) => {}
        Err(e) => return Ok(Err(warning(&shown, &e))),
    }
    let page = match std::fs::read(path) {
        Ok(bytes) => rewrite_page_with(&bytes, recognizer, lookup),
        Err(e) => return Ok(Err(warning(&shown, &e))),
    };
    let page = match page {
        Ok(page) => page,
        Err(e) => return Ok(Err(warning(&shown, &e))),
    };
    let written = match &page.html {
        Some(html) => {
            crate::files::write_atomic(path, html)?;
            true
        }
        None => false,
    };
    Ok(Ok(Outcome {
        written,
        replaced: page.replaced,
        unresolved: page.unresolved,
        anonymous: page.anonymous,
        unreplaced: page.unreplaced,
    }))
}

fn warning(path: &str, message: &dyn std::fmt::Display) -> Warning {
    Warning {
        path: path.replace('\\', "/"),
        line: None,
        message: message.to_string(),
    }
}

fn is_page(path: &Path) -> bool {
    path.extension()
        .and_then(OsStr::to_str)
        .is_some_and(|ext| PAGE_EXTENSIONS.iter().any(|p| ext.eq_ignore_ascii_case(p)))
}

#[cfg(test)]
#[path = "dir_tests.rs"]
mod tests;
