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

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::fs::File;
use std::io::BufReader;
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use serde::Serialize;
use serde_json::Value;

use crate::config::Config;
use crate::identify::{Identity, IdentityKind, Source, identify};
use dialect::YamlDialect;
use fields::{FieldNames, Locator, RawField};
use front_matter::{FrontMatterFormat, read_front_matter};
pub use layout::{LayoutKind, SiteLayout};

/// Extensions of post files.
const POST_EXTENSIONS: &[&str] = &["md", "markdown", "mdown", "mkd", "html", "htm"];
/// Extensions of comment data files.
pub const DATA_EXTENSIONS: &[&str] = &["yml", "yaml", "json", "toml"];

/// A problem with one input file; the build goes on.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Warning {
    /// File relative to the site.
    pub path: String,
    /// 1-based line, when known.
    pub line: Option<usize>,
    /// What is wrong.
    pub message: String,
}

impl std::fmt::Display for Warning {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.line {
            Some(line) => write!(f, "{}:{line}: {}", self.path, self.message),
            None => write!(f, "{}: {}", self.path, self.message),
        }
    }
}

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
    // Parsed in chunks and merged as they come, so memory holds the identities found, not every
    // file's fields at once (a million comment files would otherwise be hundreds of MB).
    for chunk in files.chunks(SCAN_CHUNK) {
        let scans: Vec<(String, FileScan)> = chunk
            .par_iter()
            .map(|(path, kind)| {
                let relative = layout.relative(path);
                let scan = scan_file(path, &relative, *kind, &names, config, dialect);
                (relative, scan)
            })
            .collect();
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

/// Files parsed in parallel per chunk.
const SCAN_CHUNK: usize = 4096;

/// Validates the raw fields of parsed files and adds them to the identities found so far.
fn merge(
    scans: Vec<(String, FileScan)>,
    found: &mut BTreeMap<Identity, FoundIdentity>,
    warnings: &mut Vec<Warning>,
) {
    for (relative, file) in &scans {
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
                        path: source.path,
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

/// A parsed document and the text it came from (for locating lines).
pub struct Document {
    /// The parsed value.
    pub value: Value,
    /// The source text.
    pub text: String,
    /// Line of the file where `text` starts.
    pub first_line: usize,
}

/// Why a file could not be used: the line (if known) and a message for the blog owner.
pub type ReadError = (Option<usize>, String);

/// Whether `path` has a comment data extension (`.yml`, `.yaml`, `.json`, `.toml`).
pub fn is_data_file(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| DATA_EXTENSIONS.contains(&e.to_ascii_lowercase().as_str()))
}

fn read_post(path: &Path, limit: u64, dialect: YamlDialect) -> Result<Option<Document>, ReadError> {
    let file = File::open(path).map_err(|e| (None, format!("cannot read: {e}")))?;
    let front = match read_front_matter(BufReader::new(file), limit) {
        // An empty file is a draft not yet written: nothing to read, nothing wrong.
        Err(front_matter::FrontMatterError::Empty) => return Ok(None),
        other => other,
    };
    let front = front.map_err(|e| {
        let line = match e {
            front_matter::FrontMatterError::NotUtf8 { line } => Some(line),
            front_matter::FrontMatterError::Unterminated => Some(1),
            _ => None,
        };
        (line, e.to_string())
    })?;
    let Some(front) = front else { return Ok(None) };
    let value = dialect
        .parse(front.format, &front.text)
        .map_err(|(line, message)| {
            (
                line.map(|l| l + front.first_line - 1),
                format!("malformed front matter: {message}"),
            )
        })?;
    Ok(Some(Document {
        value,
        text: front.text,
        first_line: front.first_line,
    }))
}

/// Reads and parses one comment data file (by its extension), refusing oversized, empty,
/// binary and non-UTF-8 files with a message.
pub fn read_data_file(path: &Path, limit: u64) -> Result<Document, ReadError> {
    read_data_file_as(path, limit, YamlDialect::default())?
        .ok_or_else(|| (None, "empty file".to_owned()))
}

/// Reads and parses one data file as the generator would; `None` for an empty file.
fn read_data_file_as(
    path: &Path,
    limit: u64,
    dialect: YamlDialect,
) -> Result<Option<Document>, ReadError> {
    let size = std::fs::metadata(path)
        .map_err(|e| (None, format!("cannot read: {e}")))?
        .len();
    if size > limit {
        return Err((None, format!("larger than {limit} bytes; skipped")));
    }
    let bytes = std::fs::read(path).map_err(|e| (None, format!("cannot read: {e}")))?;
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Ok(None);
    }
    if bytes.contains(&0) {
        return Err((None, "binary file, not comment data".to_owned()));
    }
    let text = String::from_utf8(bytes).map_err(|e| {
        let line = e.as_bytes()[..e.utf8_error().valid_up_to()]
            .iter()
            .filter(|&&b| b == b'\n')
            .count()
            + 1;
        (Some(line), "not UTF-8 text".to_owned())
    })?;
    let text = text
        .strip_prefix('\u{feff}')
        .map(str::to_owned)
        .unwrap_or(text);
    let format = match path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_lowercase)
    {
        Some(ext) if ext == "json" => FrontMatterFormat::Json,
        Some(ext) if ext == "toml" => FrontMatterFormat::Toml,
        _ => FrontMatterFormat::Yaml,
    };
    let value = dialect
        .parse(format, &text)
        .map_err(|(line, message)| (line, format!("malformed data file: {message}")))?;
    Ok(Some(Document {
        value,
        text,
        first_line: 1,
    }))
}

/// Parses YAML (with serde-saphyr's budget against alias bombs and deep nesting), TOML or JSON
/// into one generic value. Errors carry the 1-based line within `text` when the parser knows it.
pub fn parse(format: FrontMatterFormat, text: &str) -> Result<Value, (Option<usize>, String)> {
    match format {
        FrontMatterFormat::Yaml => parse_yaml(text, serde_saphyr::Options::default()),
        FrontMatterFormat::Toml => toml::from_str::<Value>(text).map_err(|e| {
            let line = e
                .span()
                .map(|span| text[..span.start.min(text.len())].matches('\n').count() + 1);
            (line, first_line_of(e.message()))
        }),
        FrontMatterFormat::Json => serde_json::from_str::<Value>(text).map_err(|e| {
            let message = e.to_string();
            let message = message.split(" at line ").next().unwrap_or("").to_owned();
            (Some(e.line()), message)
        }),
    }
}

/// Parses YAML with serde-saphyr `options` (the default ones keep its budget).
fn parse_yaml(
    text: &str,
    options: serde_saphyr::Options,
) -> Result<Value, (Option<usize>, String)> {
    if text.trim().is_empty() {
        return Ok(Value::Null);
    }
    serde_saphyr::from_str_with_options::<Value>(text, options).map_err(|e| {
        let line = e.location().map(|l| l.line() as usize);
        (line, yaml_message(&e.to_string()))
    })
}

/// serde-saphyr prefixes messages with a position relative to the parsed text; the warning
/// carries the line within the file instead.
fn yaml_message(message: &str) -> String {
    let first = first_line_of(message);
    let rest = first.strip_prefix("error: ").unwrap_or(&first);
    match rest.strip_prefix("line ").and_then(|r| r.split_once(": ")) {
        Some((position, text)) if position.contains("column") => safety(text),
        _ => safety(rest),
    }
}

fn safety(message: &str) -> String {
    if message.starts_with("budget breached") {
        format!("over the YAML safety limits, e.g. an alias bomb ({message})")
    } else {
        message.to_owned()
    }
}

/// Parser messages can carry multi-line snippets; a warning is one line.
fn first_line_of(message: &str) -> String {
    message.lines().next().unwrap_or("").trim().to_owned()
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
