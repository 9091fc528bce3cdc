//! Reading YAML as the site's generator reads it.
//!
//! Two things YAML 1.2 and serde-saphyr refuse are accepted by generators, and a page built from
//! such a file is published, so its identities must not be lost:
//! - Hugo (v0.111, `gopkg.in/yaml.v2`) reads `\'` inside a double-quoted scalar as `'`; Jekyll
//!   (Psych) and Hexo (js-yaml) refuse it.
//! - Hugo and Jekyll take the last of duplicate keys (`title: a` then `title: b`); Hexo refuses.
//!
//! Only after a strict parse fails is the file parsed again the generator's way, so well-formed
//! files cost nothing.

use serde_json::Value;

use super::front_matter::FrontMatterFormat;
use super::layout::LayoutKind;

/// How lenient YAML parsing is, by generator.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct YamlDialect {
    /// Read `\'` in double-quoted scalars as `'` (Hugo's YAML library does).
    quote_escape: bool,
    /// The last of duplicate keys wins (Hugo and Jekyll).
    duplicate_keys: bool,
}

impl YamlDialect {
    /// The dialect of a layout's generator.
    pub fn of(kind: LayoutKind) -> Self {
        Self {
            quote_escape: kind == LayoutKind::Hugo,
            duplicate_keys: matches!(kind, LayoutKind::Hugo | LayoutKind::Jekyll),
        }
    }

    /// Parses `text` as [`super::parse`] does, retrying as the generator reads it.
    pub fn parse(
        self,
        format: FrontMatterFormat,
        text: &str,
    ) -> Result<Value, (Option<usize>, String)> {
        let strict = super::parse(format, text);
        if strict.is_ok() || format != FrontMatterFormat::Yaml {
            return strict;
        }
        let unescaped = unescape_single_quotes(text);
        if self.quote_escape || self.duplicate_keys {
            let mut options = serde_saphyr::Options::default();
            if self.duplicate_keys {
                options.duplicate_keys = serde_saphyr::DuplicateKeyPolicy::LastWins;
            }
            let lenient = match (&unescaped, self.quote_escape) {
                (Some(hugo), true) => hugo.as_str(),
                _ => text,
            };
            if let Ok(value) = super::parse_yaml(lenient, options) {
                return Ok(value);
            }
        }
        // The generator refuses the file too; say what would fix it.
        let fixable =
            !self.quote_escape && unescaped.is_some_and(|hugo| super::parse(format, &hugo).is_ok());
        strict.map_err(|(line, message)| match fixable {
            true => (
                line,
                format!("{message} (`\\'` is no YAML escape: write `'`; only Hugo accepts it)"),
            ),
            false => (line, message),
        })
    }
}

/// `text` with every `\'` inside a double-quoted scalar replaced by `'`; `None` if there is none.
/// Tracks just enough YAML to know where such a scalar is: a `"` opening a value (after
/// indentation, `:`, `-`, `?`, `[`, `{` or `,`), single-quoted scalars, and comments.
fn unescape_single_quotes(text: &str) -> Option<String> {
    #[derive(PartialEq)]
    enum State {
        Plain,
        Double,
        Single,
    }
    let mut out = String::with_capacity(text.len());
    let mut state = State::Plain;
    let mut changed = false;
    // The last character that is not a space, on this line, outside a scalar.
    let mut before: Option<char> = None;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match state {
            State::Plain => {
                let opens = matches!(before, None | Some(':' | '-' | '?' | '[' | '{' | ','));
                match c {
                    '"' if opens => state = State::Double,
                    '\'' if opens => state = State::Single,
                    '#' if out.is_empty() || out.ends_with([' ', '\t', '\n']) => {
                        // A comment: copied to the end of the line untouched.
                        out.push(c);
                        while let Some(&next) = chars.peek() {
                            if next == '\n' {
                                break;
                            }
                            out.push(next);
                            chars.next();
                        }
                        continue;
                    }
                    '\n' => before = None,
                    ' ' | '\t' => {}
                    other => before = Some(other),
                }
                out.push(c);
            }
            State::Double => match c {
                '\\' if chars.peek() == Some(&'\'') => {
                    chars.next();
                    out.push('\'');
                    changed = true;
                }
                '\\' => {
                    out.push(c);
                    if let Some(next) = chars.next() {
                        out.push(next);
                    }
                }
                '"' => {
                    out.push(c);
                    state = State::Plain;
                    before = Some('"');
                }
                other => out.push(other),
            },
            State::Single => {
                out.push(c);
                if c == '\'' {
                    if chars.peek() == Some(&'\'') {
                        out.push('\'');
                        chars.next();
                    } else {
                        state = State::Plain;
                        before = Some('\'');
                    }
                }
            }
        }
    }
    changed.then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_escapes_inside_double_quotes_change() {
        let text = "\
title: \"It\\'s \\\"quoted\\\" \\\\' here\"
# a comment \"with \\' inside\"
plain: it\\'s plain
single: 'it''s \\' single'
list: [\"a\\'b\", 'c']
multi: \"one \\'
  two\"
";
        let fixed = unescape_single_quotes(text).unwrap();
        assert_eq!(
            fixed,
            "\
title: \"It's \\\"quoted\\\" \\\\' here\"
# a comment \"with \\' inside\"
plain: it\\'s plain
single: 'it''s \\' single'
list: [\"a'b\", 'c']
multi: \"one '
  two\"
"
        );
        assert_eq!(unescape_single_quotes("a: \"plain\"\nb: it\\'s\n"), None);
    }

    #[test]
    fn hugo_sites_read_what_hugo_reads_and_others_stay_strict() {
        let text = "title: \"Ada\\'s post\"\nemail: ada@example.org\n";
        let hugo = YamlDialect::of(LayoutKind::Hugo)
            .parse(FrontMatterFormat::Yaml, text)
            .unwrap();
        assert_eq!(hugo["title"], "Ada's post");
        assert_eq!(hugo["email"], "ada@example.org");
        let (line, message) = YamlDialect::of(LayoutKind::Jekyll)
            .parse(FrontMatterFormat::Yaml, text)
            .unwrap_err();
        assert_eq!(line, Some(1), "{message}");
        assert!(message.ends_with("only Hugo accepts it)"), "{message}");
        // Duplicate keys: the last wins for Hugo and Jekyll; Hexo refuses them as js-yaml does.
        let twice = "title: a\ntitle: b\nemail: dup@example.org\n";
        for kind in [LayoutKind::Hugo, LayoutKind::Jekyll] {
            let value = YamlDialect::of(kind)
                .parse(FrontMatterFormat::Yaml, twice)
                .unwrap();
            assert_eq!(value["title"], "b");
            assert_eq!(value["email"], "dup@example.org");
        }
        let (line, message) = YamlDialect::of(LayoutKind::Hexo)
            .parse(FrontMatterFormat::Yaml, twice)
            .unwrap_err();
        assert_eq!(line, Some(2), "{message}");
        // Still broken after the retry: the strict error is the one reported.
        let broken = "title: \"it\\'s\"\nx: [unclosed\n";
        let (line, _) = YamlDialect::of(LayoutKind::Hugo)
            .parse(FrontMatterFormat::Yaml, broken)
            .unwrap_err();
        assert!(line.is_some());
    }
}
