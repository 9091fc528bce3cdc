//! Reading YAML as the site's generator reads it.
//!
//! Hugo (v0.111, `gopkg.in/yaml.v2`) accepts `\'` inside a double-quoted scalar and reads it as
//! `'`; YAML 1.2, Jekyll (Psych) and Hexo (js-yaml) refuse it, and so does serde-saphyr. A Hugo
//! site with `title: "It\'s"` builds and publishes that page, so its identities must not be lost:
//! when a Hugo site's YAML fails to parse, it is parsed again with `\'` read as Hugo reads it.
//! Only after a failure, so well-formed files cost nothing.

use serde_json::Value;

use super::front_matter::FrontMatterFormat;
use super::layout::LayoutKind;

/// How lenient YAML parsing is, by generator.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct YamlDialect {
    /// Read `\'` in double-quoted scalars as `'` (Hugo's YAML library does).
    quote_escape: bool,
}

impl YamlDialect {
    /// The dialect of a layout's generator.
    pub fn of(kind: LayoutKind) -> Self {
        Self {
            quote_escape: kind == LayoutKind::Hugo,
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
        let Some(hugo) = unescape_single_quotes(text) else {
            return strict;
        };
        let lenient = super::parse(format, &hugo);
        match (self.quote_escape, lenient) {
            (true, Ok(value)) => Ok(value),
            // The generator refuses the file too; say what would fix it.
            (false, Ok(_)) => strict.map_err(|(line, message)| {
                (
                    line,
                    format!("{message} (`\\'` is no YAML escape: write `'`; only Hugo accepts it)"),
                )
            }),
            (_, Err(_)) => strict,
        }
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
        // Still broken after the retry: the strict error is the one reported.
        let broken = "title: \"it\\'s\"\nx: [unclosed\n";
        let (line, _) = YamlDialect::of(LayoutKind::Hugo)
            .parse(FrontMatterFormat::Yaml, broken)
            .unwrap_err();
        assert!(line.is_some());
    }
}
