//! Reading one file: a post's front matter or a comment data file, parsed into one generic
//! value, with the line and message a warning needs when it cannot be used.

use std::fs::File;
use std::io::BufReader;
use std::path::Path;

use serde_json::Value;

use super::DATA_EXTENSIONS;
use super::dialect::YamlDialect;
use super::front_matter::{self, FrontMatterFormat, read_front_matter};

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

pub(super) fn read_post(
    path: &Path,
    limit: u64,
    dialect: YamlDialect,
) -> Result<Option<Document>, ReadError> {
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
pub(super) fn read_data_file_as(
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
pub(super) fn parse_yaml(
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
