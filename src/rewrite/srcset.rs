//! `srcset` values: candidates located by byte range, so that replacing one URL keeps every
//! other byte of the attribute (spacing, line breaks, descriptors, commas) exactly as written.
//!
//! The split follows the HTML standard's "parse a srcset attribute" algorithm: a URL is a run
//! of non-whitespace with trailing commas removed (so URLs may contain commas), and descriptors
//! run to the next comma outside parentheses.

use std::ops::Range;

/// One image candidate: byte ranges into the attribute text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    /// The URL, as written.
    pub url: Range<usize>,
    /// The descriptors (`2x`, `80w`, ...), trimmed; empty when there are none.
    pub descriptors: Range<usize>,
}

/// What a candidate's descriptors say.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Descriptor {
    /// No descriptor: the same as `1x`.
    None,
    /// A pixel density, `2x`.
    X(f64),
    /// A width in pixels, `80w`.
    W(u32),
    /// Anything else (`h`, several descriptors, invalid numbers): browsers may drop the
    /// candidate, so nothing is inferred from it.
    Other,
}

impl Descriptor {
    /// Parses trimmed descriptor text.
    pub fn parse(text: &str) -> Self {
        let mut words = text.split_ascii_whitespace();
        let (Some(word), None) = (words.next(), words.next()) else {
            return if text.trim().is_empty() {
                Self::None
            } else {
                Self::Other
            };
        };
        let parsed = if let Some(number) = word.strip_suffix('x') {
            number
                .parse::<f64>()
                .ok()
                .filter(|x| x.is_finite() && *x > 0.0)
                .map(Self::X)
        } else if let Some(number) = word.strip_suffix('w') {
            number.parse::<u32>().ok().filter(|w| *w > 0).map(Self::W)
        } else {
            None
        };
        parsed.unwrap_or(Self::Other)
    }
}

/// The candidates of a `srcset` value, in order.
pub fn parse(text: &str) -> Vec<Candidate> {
    let bytes = text.as_bytes();
    let mut candidates = Vec::new();
    let mut pos = 0;
    loop {
        while pos < bytes.len() && (is_space(bytes[pos]) || bytes[pos] == b',') {
            pos += 1;
        }
        if pos >= bytes.len() {
            return candidates;
        }
        let url_start = pos;
        while pos < bytes.len() && !is_space(bytes[pos]) {
            pos += 1;
        }
        let mut url_end = pos;
        if bytes[url_end - 1] == b',' {
            while url_end > url_start && bytes[url_end - 1] == b',' {
                url_end -= 1;
            }
            candidates.push(Candidate {
                url: url_start..url_end,
                descriptors: url_end..url_end,
            });
            continue;
        }
        let (descriptors, next) = descriptors(bytes, pos);
        candidates.push(Candidate {
            url: url_start..url_end,
            descriptors,
        });
        pos = next;
    }
}

/// The descriptor text starting at `pos` (trimmed) and the position after its comma.
fn descriptors(bytes: &[u8], mut pos: usize) -> (Range<usize>, usize) {
    while pos < bytes.len() && is_space(bytes[pos]) {
        pos += 1;
    }
    let start = pos;
    let mut end = pos;
    let mut in_parens = false;
    while pos < bytes.len() {
        let b = bytes[pos];
        match b {
            b')' if in_parens => in_parens = false,
            _ if in_parens => {}
            b'(' => in_parens = true,
            b',' => return (start..end, pos + 1),
            _ if is_space(b) => {
                pos += 1;
                continue;
            }
            _ => {}
        }
        pos += 1;
        end = pos;
    }
    (start..end, pos)
}

/// ASCII whitespace as HTML defines it.
fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\x0C' | b'\r')
}

/// Replaces candidate URLs: `replace(url, descriptor)` returns the new URL or `None` to keep
/// it. Returns `None` when nothing changed; otherwise `text` with only those URL ranges
/// replaced. Whitespace and trailing commas in a new URL are percent-encoded, since either would
/// end the URL inside a srcset.
pub fn replace_urls(
    text: &str,
    mut replace: impl FnMut(&str, Descriptor) -> Option<String>,
) -> Option<String> {
    let mut out = String::with_capacity(text.len());
    let mut copied = 0;
    let mut changed = false;
    for candidate in parse(text) {
        let descriptor = Descriptor::parse(&text[candidate.descriptors.clone()]);
        let url = &text[candidate.url.clone()];
        let Some(new) = replace(url, descriptor).map(|new| srcset_safe(&new)) else {
            continue;
        };
        if new != url {
            out.push_str(&text[copied..candidate.url.start]);
            out.push_str(&new);
            copied = candidate.url.end;
            changed = true;
        }
    }
    changed.then(|| {
        out.push_str(&text[copied..]);
        out
    })
}

/// `url` with ASCII whitespace and trailing commas percent-encoded.
fn srcset_safe(url: &str) -> String {
    let body = url.trim_end_matches(',');
    let mut safe = String::with_capacity(url.len());
    for c in body.chars() {
        match c {
            ' ' => safe.push_str("%20"),
            '\t' => safe.push_str("%09"),
            '\n' => safe.push_str("%0A"),
            '\x0C' => safe.push_str("%0C"),
            '\r' => safe.push_str("%0D"),
            c => safe.push(c),
        }
    }
    for _ in body.len()..url.len() {
        safe.push_str("%2C");
    }
    safe
}

#[cfg(test)]
mod tests {
    use super::*;

    /// (url, descriptors) texts of each candidate.
    fn split(text: &str) -> Vec<(&str, &str)> {
        parse(text)
            .into_iter()
            .map(|c| (&text[c.url], &text[c.descriptors]))
            .collect()
    }

    #[test]
    fn candidates_and_descriptors() {
        assert_eq!(split("a.png"), [("a.png", "")]);
        assert_eq!(
            split("a.png 1x, b.png 2x"),
            [("a.png", "1x"), ("b.png", "2x")]
        );
        assert_eq!(
            split("\n  a.png  80w ,\n\tb.png\t160w\n"),
            [("a.png", "80w"), ("b.png", "160w")]
        );
        // Commas inside a URL belong to it; trailing ones end the candidate.
        assert_eq!(
            split("a,b.png 1x,c.png,, d.png"),
            [("a,b.png", "1x"), ("c.png", ""), ("d.png", "")]
        );
        assert_eq!(
            split("a.png 1x (b, c) 2x, d.png"),
            [("a.png", "1x (b, c) 2x"), ("d.png", "")]
        );
        assert_eq!(split(" , ,"), []);
        assert_eq!(split(""), []);
        assert_eq!(split("a.png\u{a0}2x"), [("a.png\u{a0}2x", "")]);
    }

    #[test]
    fn descriptor_values() {
        assert_eq!(Descriptor::parse(""), Descriptor::None);
        assert_eq!(Descriptor::parse("2x"), Descriptor::X(2.0));
        assert_eq!(Descriptor::parse("1.5x"), Descriptor::X(1.5));
        assert_eq!(Descriptor::parse("80w"), Descriptor::W(80));
        for other in ["0x", "-1x", "80h", "1x 2x", "abc", "0w", "1.5w", "NaNx"] {
            assert_eq!(Descriptor::parse(other), Descriptor::Other, "{other}");
        }
    }

    #[test]
    fn round_trip_keeps_every_byte() {
        let texts = [
            "a.png 1x, b.png 2x",
            "  a.png  1x ,\n\t b.png\t2x , ",
            "a,b.png 1x,c.png,, d.png 80w",
            "https://x/a?s=40&amp;d=mm 1x,https://x/a?s=80&amp;d=mm 2x",
        ];
        for text in texts {
            assert_eq!(replace_urls(text, |_, _| None), None, "{text}");
            assert_eq!(
                replace_urls(text, |url, _| Some(url.to_owned())),
                None,
                "{text}"
            );
            // Replacing every URL with itself plus a marker changes only the URL ranges.
            let marked = replace_urls(text, |url, _| Some(format!("{url}#"))).unwrap();
            let mut expected = text.to_owned();
            for c in parse(text).into_iter().rev() {
                expected.insert(c.url.end, '#');
            }
            assert_eq!(marked, expected, "{text}");
        }
    }

    #[test]
    fn replaces_only_chosen_candidates() {
        let text = "\n a.png?s=40 1x,\n   b.png?s=80   2x,\n c.png 80w\n";
        let out = replace_urls(text, |url, descriptor| match descriptor {
            Descriptor::X(x) if x > 1.0 => Some(format!("/local/{}", &url[..1])),
            Descriptor::W(w) => Some(format!("/w{w}")),
            _ => None,
        });
        assert_eq!(
            out.as_deref(),
            Some("\n a.png?s=40 1x,\n   /local/b   2x,\n /w80 80w\n")
        );
    }

    #[test]
    fn new_urls_cannot_break_the_list() {
        let out = replace_urls("a.png 1x", |_, _| Some("/my avatars/a,,".into()));
        assert_eq!(out.as_deref(), Some("/my%20avatars/a%2C%2C 1x"));
        assert_eq!(split(out.as_deref().unwrap()).len(), 1);
    }
}
