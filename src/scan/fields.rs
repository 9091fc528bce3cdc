//! Finding identity fields in parsed front matter and data files.
//!
//! Fields are matched case-insensitively in every map of a document, down to [`MAX_DEPTH`]
//! levels of maps and lists: the top level, `extra` (Zola), `params` (Hugo), a theme's
//! `author: {name, email, github}`, `authors: [...]`, a data file's list or map of people, each
//! entry of a `comments` list. Values found in one map form a *record*: they belong to the same
//! person, so the chain may use an explicit avatar URL or a GitHub name given beside an email.
//! A nested map is a person of its own, except under keys that group one person's accounts
//! (`sns`, `social`, `extra`, `params`, ...), whose fields join the map around them.

use std::collections::HashMap;

use serde_json::Value;

use crate::config::ScanConfig;
use crate::identify::FieldKind;

/// Built-in field names per kind (lower case).
const BUILTIN: &[(&str, FieldKind)] = &[
    ("email", FieldKind::Email),
    ("mail", FieldKind::Email),
    ("author_email", FieldKind::Email),
    ("e-mail", FieldKind::Email),
    ("gravatar", FieldKind::Hash),
    ("email_md5", FieldKind::Hash),
    ("email_hash", FieldKind::Hash),
    ("avatar_hash", FieldKind::Hash),
    ("gravatar_hash", FieldKind::Hash),
    ("md5", FieldKind::Hash),
    ("qq", FieldKind::Qq),
    ("github", FieldKind::Github),
    ("avatar", FieldKind::Avatar),
];

/// Keys whose map holds more fields of the same person (Zola `extra`, Hugo `params`, a theme's
/// accounts of one author); a map under any other key is a person of its own.
const SAME_PERSON: &[&str] = &[
    "extra",
    "params",
    "sns",
    "social",
    "socials",
    "social_links",
    "social-links",
    "links",
    "contact",
    "contacts",
    "accounts",
    "profiles",
];
/// Keys whose list must hold comment records: anything else in them is a problem.
const COMMENT_LISTS: &[&str] = &["comments", "replies"];
/// Levels of maps and lists read below the top of a document; real themes need three or four.
pub const MAX_DEPTH: usize = 8;

/// Field name → kind, built-in names plus those from `[scan]`.
#[derive(Debug, Clone)]
pub struct FieldNames(HashMap<String, FieldKind>);

impl FieldNames {
    /// The built-in names plus the configured ones.
    pub fn new(scan: &ScanConfig) -> Self {
        let mut names: HashMap<String, FieldKind> = BUILTIN
            .iter()
            .map(|(name, kind)| ((*name).to_owned(), *kind))
            .collect();
        for (list, kind) in [
            (&scan.email_fields, FieldKind::Email),
            (&scan.hash_fields, FieldKind::Hash),
            (&scan.qq_fields, FieldKind::Qq),
            (&scan.github_fields, FieldKind::Github),
            (&scan.avatar_fields, FieldKind::Avatar),
        ] {
            for name in list {
                names.insert(name.to_lowercase(), kind);
            }
        }
        Self(names)
    }

    fn kind_of(&self, key: &str) -> Option<FieldKind> {
        self.0.get(&key.to_lowercase()).copied()
    }
}

/// One identity field as found: kind, raw text, 1-based line if located.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawField {
    /// Field kind.
    pub kind: FieldKind,
    /// Value as written.
    pub raw: String,
    /// Line in the file.
    pub line: Option<usize>,
}

/// A problem with a field (wrong type), with its line if located.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldProblem {
    /// Line in the file.
    pub line: Option<usize>,
    /// What is wrong.
    pub message: String,
}

/// What one file yielded.
#[derive(Debug, Default)]
pub struct Extracted {
    /// Records, each the fields of one person.
    pub records: Vec<Vec<RawField>>,
    /// Fields of the wrong type.
    pub problems: Vec<FieldProblem>,
}

/// Finds lines for values by searching the source text forward from the last hit; the parsers
/// used do not all report positions, and values appear in document order.
///
/// A value that is not found verbatim (written with escapes, say) costs a pass over the whole
/// text, so a hostile file of many such values would cost passes × lines. The lines visited are
/// therefore capped at [`LOCATE_PASSES`] passes' worth per document; past that, values are
/// reported without a line.
pub struct Locator<'a> {
    lines: Vec<&'a str>,
    first_line: usize,
    cursor: usize,
    budget: usize,
}

/// Whole passes over a document's lines the locator may make; real documents need about one.
const LOCATE_PASSES: usize = 64;

impl<'a> Locator<'a> {
    /// `text` starts at 1-based line `first_line` of its file.
    pub fn new(text: &'a str, first_line: usize) -> Self {
        let lines: Vec<&str> = text.lines().collect();
        Self {
            budget: lines.len().saturating_add(16).saturating_mul(LOCATE_PASSES),
            lines,
            first_line,
            cursor: 0,
        }
    }

    fn locate(&mut self, key: &str, needle: &str) -> Option<usize> {
        let key = key.to_lowercase();
        let mut budget = self.budget;
        let mut matches = |line: &&str| {
            budget = budget.saturating_sub(1);
            contains_whole(line, needle) && (key.is_empty() || line.to_lowercase().contains(&key))
        };
        let found = if self.budget < self.lines.len() {
            None
        } else {
            self.lines[self.cursor..]
                .iter()
                .position(&mut matches)
                .map(|i| i + self.cursor)
                .or_else(|| self.lines[..self.cursor].iter().position(&mut matches))
        };
        self.budget = budget;
        let found = found?;
        self.cursor = found;
        Some(found + self.first_line)
    }
}

/// Whether `needle` occurs in `line` as a whole value, not inside a longer one: QQ `1234` is not
/// on the line of `0123456`, nor `bob@x.org` on that of `jimbob@x.org`.
fn contains_whole(line: &str, needle: &str) -> bool {
    let part_of_value = |c: char| c.is_alphanumeric() || "._-+".contains(c);
    needle.is_empty()
        || line.match_indices(needle).any(|(at, _)| {
            !line[..at].chars().next_back().is_some_and(part_of_value)
                && !line[at + needle.len()..]
                    .chars()
                    .next()
                    .is_some_and(part_of_value)
        })
}

/// Extracts records from a front matter or data document.
pub fn extract(value: &Value, names: &FieldNames, locator: &mut Locator<'_>) -> Extracted {
    let mut walk = Walk {
        names,
        locator,
        out: Extracted::default(),
        too_deep: false,
    };
    match value {
        Value::Object(map) => {
            let index = walk.new_record();
            walk.map(map, index, 0);
        }
        Value::Array(items) => walk.list("comments", items, 0, None),
        _ => {}
    }
    if walk.too_deep {
        walk.out.problems.push(FieldProblem {
            line: None,
            message: format!(
                "maps nested deeper than {MAX_DEPTH} levels are not read for identities"
            ),
        });
    }
    let mut out = walk.out;
    out.records.retain(|record| !record.is_empty());
    out
}

/// One pass over a document, collecting records.
struct Walk<'n, 'l, 't> {
    names: &'n FieldNames,
    locator: &'l mut Locator<'t>,
    out: Extracted,
    /// A map lay deeper than [`MAX_DEPTH`]: said once per file.
    too_deep: bool,
}

impl Walk<'_, '_, '_> {
    fn new_record(&mut self) -> usize {
        self.out.records.push(Vec::new());
        self.out.records.len() - 1
    }

    /// The fields of one map go to record `index`; a nested map is a person of its own unless
    /// its key names a group of the same person's accounts (`sns`, `social`, `extra`, ...).
    fn map(&mut self, map: &serde_json::Map<String, Value>, index: usize, depth: usize) {
        for (key, field) in map {
            let lower = key.to_lowercase();
            if let Some(kind) = self.names.kind_of(&lower) {
                field_value(key, kind, field, self.locator, &mut self.out, index);
                continue;
            }
            match field {
                Value::Object(inner) if depth >= MAX_DEPTH => self.note_deep(inner.is_empty()),
                Value::Object(inner) => {
                    let target = if SAME_PERSON.contains(&lower.as_str()) {
                        index
                    } else {
                        self.new_record()
                    };
                    self.map(inner, target, depth + 1);
                }
                Value::Array(items) => {
                    // Blowfish-style `social: [{github: ..}, {email: ..}]`: one person's
                    // accounts, one per map.
                    let join = SAME_PERSON.contains(&lower.as_str()).then_some(index);
                    self.list(key, items, depth + 1, join);
                }
                _ => {}
            }
        }
    }

    /// Each map of a list is a person of its own, or part of record `join`; lists nest.
    /// `depth` is the list's own.
    fn list(&mut self, key: &str, items: &[Value], depth: usize, join: Option<usize>) {
        // A stray value among comments is a problem; a data file listing words (tags, menu
        // entries) is not a list of people at all.
        let comment_list = COMMENT_LISTS.contains(&key.to_lowercase().as_str())
            && items.iter().any(Value::is_object);
        for item in items {
            match item {
                Value::Object(map) if depth >= MAX_DEPTH => self.note_deep(map.is_empty()),
                Value::Object(map) => {
                    let index = join.unwrap_or_else(|| self.new_record());
                    self.map(map, index, depth + 1);
                }
                Value::Array(_) if depth >= MAX_DEPTH => self.note_deep(!holds_a_map(item)),
                Value::Array(inner) => self.list(key, inner, depth + 1, join),
                Value::Null => {}
                other if comment_list => {
                    let line = self.locator.locate(key, "");
                    self.out.problems.push(FieldProblem {
                        line,
                        message: format!("`{key}` should list maps, found {}", describe(other)),
                    });
                }
                _ => {}
            }
        }
    }

    fn note_deep(&mut self, empty: bool) {
        self.too_deep |= !empty;
    }
}

/// Whether a value too deep to read holds any map (a list of empty lists is no loss). Iterative:
/// the value may be as deep as the parser allowed.
fn holds_a_map(value: &Value) -> bool {
    let mut stack = vec![value];
    while let Some(value) = stack.pop() {
        match value {
            Value::Object(map) if !map.is_empty() => return true,
            Value::Array(items) => stack.extend(items),
            _ => {}
        }
    }
    false
}

fn field_value(
    key: &str,
    kind: FieldKind,
    value: &Value,
    locator: &mut Locator<'_>,
    out: &mut Extracted,
    index: usize,
) {
    let raw = match value {
        Value::String(text) => text.clone(),
        Value::Number(number) if number.is_u64() || number.is_i64() => number.to_string(),
        Value::Null => return,
        // NexT's `avatar: {url: /images/avatar.png, rounded: true}`.
        Value::Object(map) if url_of(map).is_some() => url_of(map).unwrap_or_default(),
        other => {
            let line = locator.locate(key, "");
            out.problems.push(FieldProblem {
                line,
                message: format!("field `{key}` should be text, found {}", describe(other)),
            });
            return;
        }
    };
    let needle = raw.trim();
    let line = locator.locate(key, needle.lines().next().unwrap_or(""));
    out.records[index].push(RawField { kind, raw, line });
}

/// The `url` of a map given where a field's text was expected.
fn url_of(map: &serde_json::Map<String, Value>) -> Option<String> {
    map.iter()
        .find(|(key, _)| key.eq_ignore_ascii_case("url"))
        .and_then(|(_, value)| value.as_str())
        .map(str::to_owned)
}

fn describe(value: &Value) -> &'static str {
    match value {
        Value::Null => "nothing",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "text",
        Value::Array(_) => "a list",
        Value::Object(_) => "a map",
    }
}

#[cfg(test)]
#[path = "fields_tests.rs"]
mod tests;

#[cfg(test)]
#[path = "fields_nested_tests.rs"]
mod nested_tests;
