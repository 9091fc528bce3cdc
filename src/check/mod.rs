//! `blog-avatars check DIR`: a privacy audit of built output, for CI before deploy.
//!
//! It reads every published file (any type) and every file name under `DIR`, and reports:
//! - each URL on a third-party avatar host (the hosts [`Recognizer`] knows, plus the config's
//!   `[rewrite] gravatar_hosts`), found by a plain text scan so that URLs in CSS, scripts, JSON
//!   and feeds are caught as well as those in HTML attributes;
//! - each identifier of the site's known identities (from `scan`): emails as written and
//!   normalised, their MD5 and SHA-256 in any letter case, stored hashes, QQ numbers as whole
//!   words — in file contents (with line) and in file names.
//!
//! Findings carry a redacted form of the identifier only: audit output lands in CI logs, which
//! are often public, and must not publish what it found.

mod output;
pub mod secrets;
pub mod urls;

use std::path::Path;

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};
use serde::Serialize;

use crate::error::{Error, Result};
use crate::rewrite::Recognizer;
pub use secrets::{Secret, SecretKind, secrets_of};

/// What to look for.
#[derive(Debug)]
pub struct Audit {
    recognizer: Recognizer,
    secrets: Vec<Secret>,
    matcher: Option<AhoCorasick>,
}

impl Audit {
    /// Looks for URLs that `recognizer` calls avatar URLs and for `secrets`.
    pub fn new(recognizer: Recognizer, secrets: Vec<Secret>) -> Self {
        let matcher = (!secrets.is_empty()).then(|| {
            AhoCorasickBuilder::new()
                .ascii_case_insensitive(true)
                .match_kind(MatchKind::Standard)
                .build(secrets.iter().map(|s| s.needle.as_bytes()))
                .expect("a few hundred short patterns fit")
        });
        Self {
            recognizer,
            secrets,
            matcher,
        }
    }

    /// How many identifiers are searched for.
    pub fn secret_count(&self) -> usize {
        self.secrets.len()
    }

    /// The secrets found in `bytes`: (secret index, byte offset), whole words where required,
    /// each place once (the longest secret wins where two overlap).
    fn secrets_in(&self, bytes: &[u8]) -> Vec<(usize, usize)> {
        let Some(matcher) = &self.matcher else {
            return Vec::new();
        };
        let mut hits: Vec<(usize, usize, usize)> = matcher
            .find_overlapping_iter(bytes)
            .filter(|m| {
                let secret = &self.secrets[m.pattern().as_usize()];
                !secret.whole_word || is_whole_word(bytes, m.start(), m.end())
            })
            .map(|m| (m.start(), m.end(), m.pattern().as_usize()))
            .collect();
        // Patterns are sorted longest first: keep a hit only if no kept hit covers it.
        hits.sort_by_key(|&(start, end, index)| (start, std::cmp::Reverse(end), index));
        let mut kept: Vec<(usize, usize)> = Vec::new();
        let mut covered_to = 0;
        for (start, end, index) in hits {
            if end <= covered_to {
                continue;
            }
            covered_to = covered_to.max(end);
            kept.push((index, start));
        }
        kept
    }
}

impl Audit {
    /// `text` with every secret in it replaced by `***`.
    pub fn redact(&self, text: &str) -> String {
        let mut redacted = text.to_owned();
        let mut hits = self.secrets_in(text.as_bytes());
        hits.sort_by_key(|&(_, start)| std::cmp::Reverse(start));
        let mut limit = text.len();
        for (index, start) in hits {
            // Matches are of ASCII-lower-cased needles, so they end on a char boundary; where
            // two overlap, the later one was already replaced up to `limit`.
            let end = (start + self.secrets[index].needle.len()).min(limit);
            redacted.replace_range(start..end, "***");
            limit = start;
        }
        redacted
    }
}

/// No letter, digit or `_` right before `start` or at `end`.
fn is_whole_word(bytes: &[u8], start: usize, end: usize) -> bool {
    let word = |b: &u8| b.is_ascii_alphanumeric() || *b == b'_';
    let before = start.checked_sub(1).and_then(|i| bytes.get(i));
    !before.is_some_and(word) && !bytes.get(end).is_some_and(word)
}

/// What was found.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum Found {
    /// A URL on a third-party avatar host: visitors' browsers would contact it.
    AvatarHost {
        /// Host and first path segment; the rest (hash, number) elided.
        url: String,
    },
    /// An identifier of a known identity.
    Identifier {
        /// What kind.
        secret: SecretKind,
        /// The redacted identifier (`ad***@example.org`, `md5 of ad***@example.org`).
        shown: String,
    },
}

/// One finding: what, in which file, where.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Finding {
    /// File relative to the checked folder, `/`-separated.
    pub path: String,
    /// 1-based line; `None` for a file name, or a binary file's bytes.
    pub line: Option<usize>,
    /// 1-based byte column in the line, when there is a line.
    pub column: Option<usize>,
    /// `true` when the file's name (not its content) holds the identifier.
    pub in_name: bool,
    /// What was found.
    #[serde(flatten)]
    pub found: Found,
}

/// The result of a check.
#[derive(Debug, Clone, Default, Serialize)]
pub struct CheckReport {
    /// Files read.
    pub files: usize,
    /// Identifiers searched for.
    pub identifiers: usize,
    /// Everything found, by path, line, column.
    pub findings: Vec<Finding>,
}

impl CheckReport {
    /// 3 when anything was found, else 0.
    pub fn exit_code(&self) -> u8 {
        if self.findings.is_empty() { 0 } else { 3 }
    }
}

/// Audits every file under `dir` (except a `.git` folder, which no host publishes).
pub fn check_dir(dir: &Path, audit: &Audit) -> Result<CheckReport> {
    let metadata = std::fs::metadata(dir).map_err(|e| Error::io(dir, e))?;
    if !metadata.is_dir() {
        return Err(Error::io(
            dir,
            std::io::Error::new(std::io::ErrorKind::NotADirectory, "not a folder"),
        ));
    }
    let mut report = CheckReport {
        identifiers: audit.secret_count(),
        ..CheckReport::default()
    };
    let walk = walkdir::WalkDir::new(dir)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| e.depth() == 0 || e.file_name() != ".git");
    for entry in walk {
        let entry = entry.map_err(|e| {
            let path = e.path().unwrap_or(dir).to_owned();
            Error::io(path, e.into())
        })?;
        if entry.depth() == 0 {
            continue;
        }
        let rel = entry
            .path()
            .strip_prefix(dir)
            .unwrap_or(entry.path())
            .to_string_lossy()
            .replace('\\', "/");
        // A file named by a QQ number must not be printed by name either.
        let rel = audit.redact(&rel);
        let name = entry.file_name().to_string_lossy();
        for (index, _) in audit.secrets_in(name.as_bytes()) {
            report.findings.push(Finding {
                path: rel.clone(),
                line: None,
                column: None,
                in_name: true,
                found: identifier(&audit.secrets[index]),
            });
        }
        if entry.file_type().is_file() {
            let bytes = std::fs::read(entry.path()).map_err(|e| Error::io(entry.path(), e))?;
            report.files += 1;
            check_bytes(&rel, &bytes, audit, &mut report.findings);
        }
    }
    report.findings.sort();
    report.findings.dedup();
    Ok(report)
}

/// The findings in one file's bytes: per line in text, without a line in binary files (an
/// image's metadata can carry an email too).
fn check_bytes(path: &str, bytes: &[u8], audit: &Audit, findings: &mut Vec<Finding>) {
    let binary = bytes.iter().take(8192).any(|&b| b == 0);
    if binary {
        for (index, _) in audit.secrets_in(bytes) {
            findings.push(Finding {
                path: path.to_owned(),
                line: None,
                column: None,
                in_name: false,
                found: identifier(&audit.secrets[index]),
            });
        }
        return;
    }
    for (number, line) in bytes.split(|&b| b == b'\n').enumerate() {
        let at = |column: usize| (Some(number + 1), Some(column + 1));
        for (index, column) in audit.secrets_in(line) {
            let (line, column) = at(column);
            findings.push(Finding {
                path: path.to_owned(),
                line,
                column,
                in_name: false,
                found: identifier(&audit.secrets[index]),
            });
        }
        let text = String::from_utf8_lossy(line);
        for url in urls::host_urls(&text, &audit.recognizer) {
            let (line, column) = at(url.column);
            findings.push(Finding {
                path: path.to_owned(),
                line,
                column,
                in_name: false,
                found: Found::AvatarHost {
                    url: urls::redact_url(&url.url),
                },
            });
        }
    }
}

fn identifier(secret: &Secret) -> Found {
    Found::Identifier {
        secret: secret.kind,
        shown: secret.shown.clone(),
    }
}

#[cfg(test)]
mod tests;
