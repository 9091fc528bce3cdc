//! Scanning a site: layout detection, front matter of posts, comment data files → identities.
//!
//! Files are parsed in parallel on rayon (CPU-bound, one task per file) and merged in path order,
//! so the output is the same whatever the thread timing. A file that cannot be used is a warning
//! naming it; scanning always goes on.

mod dialect;
pub mod fields;
pub mod front_matter;
pub mod layout;
pub mod published;
mod read;

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use serde::Serialize;

use crate::config::Config;
use crate::identify::identify;
use crate::model::Warning;
use crate::model::{Identity, IdentityKind, Source};
use dialect::YamlDialect;
use fields::{FieldNames, Locator, RawField};
pub use layout::{LayoutKind, SiteLayout};
pub use read::{Document, ReadError, is_data_file, parse, read_data_file};
use read::{parse_yaml, read_data_file_as, read_post};

/// Extensions of post files.
const POST_EXTENSIONS: &[&str] = &["md", "markdown", "mdown", "mkd", "html", "htm"];
/// Extensions of comment data files.
pub const DATA_EXTENSIONS: &[&str] = &["yml", "yaml", "json", "toml"];

/// One distinct identity with every spelling and place it was found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FoundIdentity {
    /// The validated identity.
    pub identity: Identity,
    /// Every spelling, in order of first appearance.
    pub raw: Vec<String>,
    /// Every place, in order of first appearance.
    pub sources: Vec<Source>,
    /// Identities found in the same record (the same comment or post author).
    pub linked: BTreeSet<Identity>,
}

/// The result of scanning a site.
#[derive(Debug, Clone)]
pub struct ScanResult {
    /// The layout used.
    pub layout: SiteLayout,
    /// Identities, sorted by kind then value.
    pub identities: Vec<FoundIdentity>,
    /// Problems found, in path order.
    pub warnings: Vec<Warning>,
    /// Number of files read.
    pub files: usize,
}

/// What kind of file is being read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum FileKind {
    Post,
    /// Any data file of the generator's data folder: comments, authors, members.
    Data,
}

/// What one file yielded before identity validation.
#[derive(Default)]
struct FileScan {
    records: Vec<Vec<RawField>>,
    warnings: Vec<Warning>,
}

/// Scans the site described by `layout`.
pub fn scan(layout: &SiteLayout, config: &Config) -> ScanResult {
    let names = FieldNames::new(&config.scan);
    let dialect = YamlDialect::of(layout.kind);
    let (files, mut warnings) = list_files(layout);
    let mut found: BTreeMap<Identity, FoundIdentity> = BTreeMap::new();
    // Parsed in chunks, each merged while the next one is parsed, so memory holds the identities
    // found and two chunks' fields, not every file's fields at once (a million comments would
    // otherwise be hundreds of MB).
    let parse = |chunk: &[(PathBuf, FileKind)]| -> Vec<(String, FileScan)> {
        chunk
            .par_iter()
            .map(|(path, kind)| {
                let relative = layout.relative(path);
                let scan = scan_file(path, &relative, *kind, &names, config, dialect);
                (relative, scan)
            })
            .collect()
    };
    let mut parsed: Option<Vec<(String, FileScan)>> = None;
    for chunk in files.chunks(SCAN_CHUNK) {
        let (next, ()) = rayon::join(
            || parse(chunk),
            || {
                if let Some(scans) = parsed.take() {
                    merge(scans, &mut found, &mut warnings);
                }
            },
        );
        parsed = Some(next);
    }
    if let Some(scans) = parsed {
        merge(scans, &mut found, &mut warnings);
    }
    let mut identities: Vec<FoundIdentity> = found.into_values().collect();
    identities.sort_by(|a, b| {
        (a.identity.kind(), a.identity.value()).cmp(&(b.identity.kind(), b.identity.value()))
    });
    ScanResult {
        layout: layout.clone(),
        identities,
        warnings,
        files: files.len(),
    }
}

/// Files parsed in parallel per chunk: enough to keep every core busy, few enough that a
/// chunk's fields stay small.
const SCAN_CHUNK: usize = 256;

/// Validates the raw fields of parsed files and adds them to the identities found so far.
fn merge(
    scans: Vec<(String, FileScan)>,
    found: &mut BTreeMap<Identity, FoundIdentity>,
    warnings: &mut Vec<Warning>,
) {
    for (relative, file) in &scans {
        let relative: std::sync::Arc<str> = relative.as_str().into();
        // One warning per file and problem: a bad value repeated in a file is reported once,
        // at its first line.
        let mut said: HashSet<String> = HashSet::new();
        let mut say = |warning: Warning| {
            if said.insert(warning.message.clone()) {
                warnings.push(warning);
            }
        };
        for warning in &file.warnings {
            say(warning.clone());
        }
        for record in &file.records {
            let mut in_record = Vec::new();
            for field in record {
                let source = Source {
                    path: relative.clone(),
                    line: field.line,
                };
                match identify(field.kind, &field.raw) {
                    Ok(Some(identity)) => {
                        let entry =
                            found
                                .entry(identity.clone())
                                .or_insert_with(|| FoundIdentity {
                                    identity: identity.clone(),
                                    raw: Vec::new(),
                                    sources: Vec::new(),
                                    linked: BTreeSet::new(),
                                });
                        if !entry.raw.contains(&field.raw) {
                            entry.raw.push(field.raw.clone());
                        }
                        // Files are merged in order, so a repeat of a place can only be the
                        // last one: no quadratic search for a prolific commenter.
                        if entry.sources.last() != Some(&source) {
                            entry.sources.push(source);
                        }
                        in_record.push(identity);
                    }
                    Ok(None) => {}
                    Err(invalid) => say(Warning {
                        path: source.path.to_string(),
                        line: source.line,
                        message: invalid.0,
                    }),
                }
            }
            for identity in &in_record {
                if let Some(entry) = found.get_mut(identity) {
                    entry
                        .linked
                        .extend(in_record.iter().filter(|other| *other != identity).cloned());
                }
            }
        }
    }
}

/// Lists post and comment data files, sorted, without following symlinks out of the site.
fn list_files(layout: &SiteLayout) -> (Vec<(PathBuf, FileKind)>, Vec<Warning>) {
    let mut files = Vec::new();
    let mut warnings = Vec::new();
    let data_dir = data_dir(layout);
    let roots = layout
        .post_dirs
        .iter()
        .map(|dir| (dir, FileKind::Post, POST_EXTENSIONS))
        .chain([(&data_dir, FileKind::Data, DATA_EXTENSIONS)]);
    for (dir, kind, extensions) in roots {
        if !dir.is_dir() {
            continue;
        }
        let walker = crate::files::walk_visible(dir);
        for entry in walker {
            let wanted = |path: &Path| {
                path.extension()
                    .and_then(|e| e.to_str())
                    .is_some_and(|e| extensions.contains(&e.to_ascii_lowercase().as_str()))
            };
            match entry {
                // Not followed (as Hugo and Jekyll's safe mode do not), but never skipped
                // silently: a linked post or folder would otherwise just be missing.
                Ok(entry)
                    if entry.path_is_symlink()
                        && (wanted(entry.path())
                            || std::fs::metadata(entry.path()).is_ok_and(|m| m.is_dir())) =>
                {
                    warnings.push(Warning {
                        path: layout.relative(entry.path()),
                        line: None,
                        message: "a symbolic link: not read (links in posts and data are not \
                                  followed)"
                            .to_owned(),
                    });
                }
                Ok(entry) if entry.file_type().is_file() => {
                    // The tool's own output is no input.
                    if wanted(entry.path()) && entry.path() != layout.data_file {
                        files.push((entry.into_path(), kind));
                    }
                }
                Ok(_) => {}
                Err(error) => warnings.push(Warning {
                    path: error
                        .path()
                        .map_or_else(|| layout.relative(dir), |p| layout.relative(p)),
                    line: None,
                    message: format!("cannot read: {error}"),
                }),
            }
        }
    }
    (files, warnings)
}

/// The folder whose every data file is read: the generator's data folder, which holds the tool's
/// data file (`data/`, `_data/`, `source/_data/`) and the comment folder: theme data such as
/// `_data/authors.yml` or `source/_data/members.yml` lists people too. A comment folder
/// configured outside that folder is read alone; the site root is never taken for a data folder.
pub fn data_dir(layout: &SiteLayout) -> PathBuf {
    if layout.data_dir != layout.root && layout.comment_dir.starts_with(&layout.data_dir) {
        layout.data_dir.clone()
    } else {
        layout.comment_dir.clone()
    }
}

fn scan_file(
    path: &Path,
    relative: &str,
    kind: FileKind,
    names: &FieldNames,
    config: &Config,
    dialect: YamlDialect,
) -> FileScan {
    let warn = |line: Option<usize>, message: String| Warning {
        path: relative.to_owned(),
        line,
        message,
    };
    let mut scan = FileScan::default();
    let parsed = match kind {
        FileKind::Post => read_post(path, config.scan.max_front_matter_bytes, dialect),
        FileKind::Data => read_data_file_as(path, config.scan.max_data_file_bytes, dialect),
    };
    let document = match parsed {
        Ok(Some(document)) => document,
        Ok(None) => return scan,
        Err((line, message)) => {
            scan.warnings.push(warn(line, message));
            return scan;
        }
    };
    let mut locator = Locator::new(&document.text, document.first_line);
    let extracted = fields::extract(&document.value, names, &mut locator);
    scan.records = extracted.records;
    scan.warnings.extend(
        extracted
            .problems
            .into_iter()
            .map(|problem| warn(problem.line, problem.message)),
    );
    scan
}

/// The contract's `scan --format json` document.
#[derive(Debug, Serialize)]
pub struct ScanJson<'a> {
    /// Identities.
    pub identities: Vec<IdentityJson<'a>>,
    /// Warnings.
    pub warnings: &'a [Warning],
}

/// One identity in the scan JSON.
#[derive(Debug, Serialize)]
pub struct IdentityJson<'a> {
    /// Kind.
    pub kind: IdentityKind,
    /// Normalised value.
    pub value: &'a str,
    /// For a `digits@qq.com` email: the QQ number it also is.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub qq: Option<&'a str>,
    /// Every spelling.
    pub raw: &'a [String],
    /// Every place.
    pub sources: &'a [Source],
}

impl ScanResult {
    /// The contract's JSON shape.
    pub fn to_json(&self) -> ScanJson<'_> {
        ScanJson {
            identities: self
                .identities
                .iter()
                .map(|found| IdentityJson {
                    kind: found.identity.kind(),
                    value: found.identity.value(),
                    qq: match &found.identity {
                        Identity::Email { qq, .. } => qq.as_deref(),
                        _ => None,
                    },
                    raw: &found.raw,
                    sources: &found.sources,
                })
                .collect(),
            warnings: &self.warnings,
        }
    }
}
