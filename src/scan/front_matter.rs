//! Splitting front matter off the top of a Markdown file.
//!
//! Reads line by line and stops at the closing delimiter, so memory and time depend on the front
//! matter only, never on the size of the post body. Only a block at the very top counts: a fenced
//! `---` block further down is body text.

use std::io::BufRead;

/// The syntax of a front matter block.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FrontMatterFormat {
    /// `---` … `---` (or `...`).
    Yaml,
    /// `+++` … `+++`.
    Toml,
    /// A JSON object starting on the first line.
    Json,
}

/// A front matter block.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FrontMatter {
    /// Its syntax.
    pub format: FrontMatterFormat,
    /// The text between the delimiters (for JSON: the whole object), LF line ends.
    pub text: String,
    /// 1-based line number in the file of the first line of `text`.
    pub first_line: usize,
    /// Bytes of the file up to and including the closing delimiter line: the body starts here.
    pub end_offset: usize,
}

/// Why a file's front matter cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FrontMatterError {
    /// The file has no bytes at all.
    #[error("empty file")]
    Empty,
    /// A NUL byte: not a text file.
    #[error("binary file, not Markdown text")]
    Binary,
    /// Bytes that are not UTF-8.
    #[error("not UTF-8 text")]
    NotUtf8 {
        /// The offending line.
        line: usize,
    },
    /// An opening delimiter with no closing one.
    #[error("front matter opened on line 1 is never closed")]
    Unterminated,
    /// The block is larger than the configured limit.
    #[error("front matter is larger than {limit} bytes; skipped")]
    TooLarge {
        /// The limit in bytes.
        limit: u64,
    },
    /// Reading failed.
    #[error("cannot read: {0}")]
    Io(String),
}

const BOM: &[u8] = b"\xEF\xBB\xBF";

/// Reads the front matter at the top of `reader`, reading no further than its end.
/// `Ok(None)`: the file has no front matter.
pub fn read_front_matter(
    mut reader: impl BufRead,
    limit: u64,
) -> Result<Option<FrontMatter>, FrontMatterError> {
    // Binary files rarely have a NUL in their first "line" but nearly always in their first block.
    if reader
        .fill_buf()
        .map_err(|e| FrontMatterError::Io(e.to_string()))?
        .contains(&0)
    {
        return Err(FrontMatterError::Binary);
    }
    let mut line = Vec::new();
    let mut consumed = read_line(&mut reader, &mut line, limit, limit)?;
    if consumed == 0 {
        return Err(FrontMatterError::Empty);
    }
    if line.contains(&0) {
        return Err(FrontMatterError::Binary);
    }
    let first = line.strip_prefix(BOM).unwrap_or(&line);
    let first = to_str(first, 1)?.trim_end();
    let format = match first {
        "---" => FrontMatterFormat::Yaml,
        "+++" => FrontMatterFormat::Toml,
        _ if first.starts_with('{') => FrontMatterFormat::Json,
        _ => return Ok(None),
    };
    let mut text = String::new();
    let mut line_number = 1;
    let mut json = JsonDepth::default();
    if format == FrontMatterFormat::Json {
        text.push_str(first);
        text.push('\n');
        if json.feed(first) {
            return Ok(Some(FrontMatter {
                format,
                text,
                first_line: 1,
                end_offset: consumed,
            }));
        }
    }
    loop {
        line.clear();
        let remaining = limit.saturating_sub(text.len() as u64);
        let read = read_line(&mut reader, &mut line, remaining.saturating_add(1), limit)?;
        if read == 0 {
            return Err(FrontMatterError::Unterminated);
        }
        consumed += read;
        line_number += 1;
        if line.contains(&0) {
            return Err(FrontMatterError::Binary);
        }
        let current = to_str(&line, line_number)?;
        let content = current.trim_end_matches(['\n', '\r']);
        let closes = match format {
            FrontMatterFormat::Yaml => matches!(content.trim_end(), "---" | "..."),
            FrontMatterFormat::Toml => content.trim_end() == "+++",
            FrontMatterFormat::Json => false,
        };
        if closes {
            break;
        }
        if text.len() as u64 + content.len() as u64 > limit {
            return Err(FrontMatterError::TooLarge { limit });
        }
        text.push_str(content);
        text.push('\n');
        if format == FrontMatterFormat::Json && json.feed(content) {
            break;
        }
    }
    let first_line = if format == FrontMatterFormat::Json {
        1
    } else {
        2
    };
    Ok(Some(FrontMatter {
        format,
        text,
        first_line,
        end_offset: consumed,
    }))
}

/// Splits a whole file held in memory into its front matter and body.
pub fn split(text: &str) -> Result<(Option<FrontMatter>, &str), FrontMatterError> {
    let front = read_front_matter(text.as_bytes(), u64::MAX)?;
    let offset = front.as_ref().map_or(0, |f| f.end_offset);
    let body = text.get(offset..).unwrap_or("");
    let body = body.strip_prefix('\u{feff}').unwrap_or(body);
    Ok((front, body))
}

/// Reads one line, at most `cap` bytes of it; a longer line means the front matter exceeds
/// `limit` (the configured size, named in the error).
fn read_line(
    reader: &mut impl BufRead,
    line: &mut Vec<u8>,
    cap: u64,
    limit: u64,
) -> Result<usize, FrontMatterError> {
    let read = std::io::Read::take(&mut *reader, cap.saturating_add(1))
        .read_until(b'\n', line)
        .map_err(|e| FrontMatterError::Io(e.to_string()))?;
    if read as u64 > cap && !line.ends_with(b"\n") {
        return Err(FrontMatterError::TooLarge { limit });
    }
    Ok(read)
}

fn to_str(bytes: &[u8], line: usize) -> Result<&str, FrontMatterError> {
    std::str::from_utf8(bytes).map_err(|_| FrontMatterError::NotUtf8 { line })
}

/// Tracks brace depth through JSON text, ignoring braces inside strings.
#[derive(Default)]
struct JsonDepth {
    depth: usize,
    in_string: bool,
    escaped: bool,
}

impl JsonDepth {
    /// Feeds one line; true once the top-level object has closed.
    fn feed(&mut self, line: &str) -> bool {
        for c in line.chars() {
            if self.in_string {
                match (self.escaped, c) {
                    (true, _) => self.escaped = false,
                    (false, '\\') => self.escaped = true,
                    (false, '"') => self.in_string = false,
                    _ => {}
                }
                continue;
            }
            match c {
                '"' => self.in_string = true,
                '{' | '[' => self.depth += 1,
                '}' | ']' => {
                    self.depth = self.depth.saturating_sub(1);
                    if self.depth == 0 {
                        return true;
                    }
                }
                _ => {}
            }
        }
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> Result<Option<FrontMatter>, FrontMatterError> {
        read_front_matter(text.as_bytes(), 1024)
    }

    #[test]
    fn yaml_toml_json() {
        let yaml = read("---\ntitle: A\nemail: a@b.org\n---\nbody\n")
            .unwrap()
            .unwrap();
        assert_eq!(yaml.format, FrontMatterFormat::Yaml);
        assert_eq!(yaml.text, "title: A\nemail: a@b.org\n");
        assert_eq!(yaml.first_line, 2);
        let toml = read("+++\ntitle = \"A\"\n+++\nbody").unwrap().unwrap();
        assert_eq!(toml.format, FrontMatterFormat::Toml);
        assert_eq!(toml.text, "title = \"A\"\n");
        let json = read("{\n  \"title\": \"}{\",\n  \"x\": {\"y\": 1}\n}\nbody {\n")
            .unwrap()
            .unwrap();
        assert_eq!(json.format, FrontMatterFormat::Json);
        assert_eq!(
            json.text,
            "{\n  \"title\": \"}{\",\n  \"x\": {\"y\": 1}\n}\n"
        );
        let one_line = read("{\"title\": \"x\"}\nbody").unwrap().unwrap();
        assert_eq!(one_line.text, "{\"title\": \"x\"}\n");
    }

    #[test]
    fn bom_and_crlf() {
        let front = read("\u{feff}---\r\nemail: a@b.org\r\n---\r\nbody\r\n")
            .unwrap()
            .unwrap();
        assert_eq!(front.text, "email: a@b.org\n");
        let (front, body) = split("\u{feff}+++\r\nx = 1\r\n+++\r\nbody\r\n").unwrap();
        assert_eq!(front.unwrap().text, "x = 1\n");
        assert_eq!(body, "body\r\n");
    }

    #[test]
    fn yaml_may_close_with_dots() {
        let front = read("---\na: 1\n...\n").unwrap().unwrap();
        assert_eq!(front.text, "a: 1\n");
    }

    #[test]
    fn only_the_top_counts() {
        assert_eq!(read("# Title\n\n---\nemail: a@b.org\n---\n").unwrap(), None);
        assert_eq!(read("\n---\nemail: a@b.org\n---\n").unwrap(), None);
        let (front, body) = split("plain text\n").unwrap();
        assert!(front.is_none());
        assert_eq!(body, "plain text\n");
    }

    #[test]
    fn errors() {
        assert_eq!(read(""), Err(FrontMatterError::Empty));
        assert_eq!(read("---\na: 1\n"), Err(FrontMatterError::Unterminated));
        assert_eq!(read("{\n\"a\": 1\n"), Err(FrontMatterError::Unterminated));
        assert_eq!(read("\0\x01PNG"), Err(FrontMatterError::Binary));
        assert_eq!(
            read_front_matter(&b"---\na: \xff\xfe\n---\n"[..], 1024),
            Err(FrontMatterError::NotUtf8 { line: 2 })
        );
        let big = format!("---\na: {}\n---\n", "x".repeat(5000));
        assert_eq!(read(&big), Err(FrontMatterError::TooLarge { limit: 1024 }));
        let many = format!("---\n{}---\n", "a: 1\n".repeat(1000));
        assert_eq!(read(&many), Err(FrontMatterError::TooLarge { limit: 1024 }));
    }

    #[test]
    fn the_body_is_never_read() {
        // A reader that fails past the front matter proves we stop at the delimiter.
        struct Guard<'a>(&'a [u8], usize);
        impl std::io::Read for Guard<'_> {
            fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
                if self.1 >= self.0.len() {
                    return Err(std::io::Error::other("read past the front matter"));
                }
                let n = buf.len().min(self.0.len() - self.1).min(4);
                buf[..n].copy_from_slice(&self.0[self.1..self.1 + n]);
                self.1 += n;
                Ok(n)
            }
        }
        let text = b"---\nemail: a@b.org\n---\n";
        let reader = std::io::BufReader::with_capacity(4, Guard(text, 0));
        let front = read_front_matter(reader, 1024).unwrap().unwrap();
        assert_eq!(front.text, "email: a@b.org\n");
    }
}
