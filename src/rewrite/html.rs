//! Finding and replacing avatar URLs in one HTML document.
//!
//! `lol_html` tokenises the page (so `<script>`, `<style>`, `<textarea>`, comments and text are
//! never mistaken for markup) and reports where each `src`/`srcset`/`data-src`/`data-srcset`
//! value of an `<img>` or `<source>` sits in the input. The output is the input with only those
//! value ranges replaced: letting `lol_html` serialise a modified tag would rewrite the whole tag
//! (one space between attributes, every modified value double-quoted), and the contract is that
//! every other byte stays as it was.
//!
//! Browsers with scripting parse `<noscript>` content as text, and so does `lol_html`; but that
//! content is the markup shown without JavaScript (lazy loaders put the real `<img>` there), so
//! it is parsed again on its own and its avatar URLs are replaced too.

use std::cell::{Cell, RefCell};
use std::collections::BTreeSet;
use std::ops::Range;

use lol_html::{HtmlRewriter, Settings, element, text};

use super::RewriteError;
use super::recognize::{AvatarRef, AvatarTarget, Recognized, Recognizer};
use super::size::Density;
use super::srcset::{self, Descriptor};

/// Nesting depth up to which `<noscript>` content is parsed again.
const NOSCRIPT_DEPTH: u8 = 2;

/// One attribute value that may hold avatar URLs: its byte range in the document, without the
/// quotes.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Value {
    span: Range<usize>,
    kind: Kind,
}

/// What an attribute value holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// One URL (`src`, `data-src`).
    Url,
    /// A srcset.
    Srcset,
    /// Inline CSS (`style`): its `url(...)` tokens.
    Style,
}

/// The first pass: every avatar URL in `<img>`/`<source>` attributes, to resolve before
/// [`rewrite`].
pub fn collect(html: &[u8]) -> Result<BTreeSet<AvatarRef>, RewriteError> {
    collect_with(html, &Recognizer::default())
}

/// [`collect`] with the hosts `recognizer` knows.
pub fn collect_with(
    html: &[u8],
    recognizer: &Recognizer,
) -> Result<BTreeSet<AvatarRef>, RewriteError> {
    let recognize = |url: &str| match recognizer.recognize(url) {
        Recognized::Avatar(avatar) => Some(avatar),
        Recognized::NotAvatar | Recognized::Unreplaceable => None,
    };
    let mut found = BTreeSet::new();
    for value in values(html, 0)? {
        let Ok(text) = std::str::from_utf8(&html[value.span]) else {
            continue;
        };
        match value.kind {
            Kind::Srcset => {
                let urls = srcset::parse(text).into_iter().map(|c| &text[c.url]);
                found.extend(urls.filter_map(recognize));
            }
            Kind::Style => {
                let urls = css_urls(text).into_iter().map(|r| &text[r]);
                found.extend(urls.filter_map(recognize));
            }
            Kind::Url => found.extend(recognize(text)),
        }
    }
    Ok(found)
}

/// What [`rewrite_page`] did to one document.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PageRewrite {
    /// The new document; `None` when nothing changed (the file must not be touched).
    pub html: Option<Vec<u8>>,
    /// Avatar URLs replaced.
    pub replaced: usize,
    /// Avatar URLs recognised but left as they were because `lookup` had no file for them.
    pub unresolved: usize,
    /// Of the URLs replaced, those that named nobody ([`AvatarTarget::Anonymous`]).
    pub anonymous: usize,
    /// Every URL on an avatar host left as it was (no file for it, or a shape not understood),
    /// as written in the page, in document order: the visitor's browser still contacts them.
    pub unreplaced: Vec<String>,
}

/// Replaces every avatar URL for which `lookup` returns a local URL. `None`: nothing changed,
/// do not touch the file. See [`rewrite_page`] for counts.
pub fn rewrite(
    html: &[u8],
    lookup: &dyn Fn(&AvatarRef, Density) -> Option<String>,
) -> Result<Option<Vec<u8>>, RewriteError> {
    Ok(rewrite_page(html, lookup)?.html)
}

/// [`rewrite`], with the number of URLs replaced and left unresolved. `lookup` gets each avatar
/// and the density it is used at (`src`: 1x; srcset: from its descriptor) and returns the local
/// URL, unescaped; it is HTML-escaped for the attribute's quoting here.
pub fn rewrite_page(
    html: &[u8],
    lookup: &dyn Fn(&AvatarRef, Density) -> Option<String>,
) -> Result<PageRewrite, RewriteError> {
    rewrite_page_with(html, &Recognizer::default(), lookup)
}

/// [`rewrite_page`] with the hosts `recognizer` knows.
pub fn rewrite_page_with(
    html: &[u8],
    recognizer: &Recognizer,
    lookup: &dyn Fn(&AvatarRef, Density) -> Option<String>,
) -> Result<PageRewrite, RewriteError> {
    let mut page = PageRewrite::default();
    let mut edits: Vec<(Range<usize>, String)> = Vec::new();
    for value in values(html, 0)? {
        let Ok(text) = std::str::from_utf8(&html[value.span.clone()]) else {
            continue;
        };
        let mut replace = |url: &str, density: Density| {
            let avatar = match recognizer.recognize(url) {
                Recognized::Avatar(avatar) => avatar,
                Recognized::NotAvatar => return None,
                Recognized::Unreplaceable => {
                    page.unreplaced.push(shown(url));
                    return None;
                }
            };
            let local = lookup(&avatar, density);
            match &local {
                Some(_) if avatar.target == AvatarTarget::Anonymous => {
                    page.replaced += 1;
                    page.anonymous += 1;
                }
                Some(_) => page.replaced += 1,
                None => {
                    page.unresolved += 1;
                    page.unreplaced.push(shown(url));
                }
            }
            local.map(|local| htmlize::escape_all_quotes(local).into_owned())
        };
        let new = if value.kind == Kind::Srcset {
            srcset::replace_urls(text, |url, descriptor| {
                let density = match descriptor {
                    Descriptor::X(x) => Density::from_x(x),
                    Descriptor::None | Descriptor::W(_) | Descriptor::Other => Density::X1,
                };
                replace(url, density)
            })
        } else if value.kind == Kind::Style {
            let mut out = String::with_capacity(text.len());
            let mut copied = 0;
            for range in css_urls(text) {
                if let Some(local) = replace(&text[range.clone()], Density::X1) {
                    out.push_str(&text[copied..range.start]);
                    out.push_str(&local);
                    copied = range.end;
                }
            }
            (copied > 0).then(|| {
                out.push_str(&text[copied..]);
                out
            })
        } else {
            // Whitespace around the URL is kept as it was.
            let url = text.trim_matches(|c: char| c.is_ascii_whitespace());
            replace(url, Density::X1).map(|local| {
                let start = text.len()
                    - text
                        .trim_start_matches(|c: char| c.is_ascii_whitespace())
                        .len();
                format!("{}{local}{}", &text[..start], &text[start + url.len()..])
            })
        };
        if let Some(new) = new.filter(|new| new != text) {
            let quoted = is_quoted(html, value.span.start);
            edits.push((value.span, if quoted { new } else { unquoted(new) }));
        }
    }
    if !edits.is_empty() {
        page.html = Some(splice(html, &edits));
    }
    // Avatars drawn by scripts at view time are left too: the report must not call it clean.
    page.unreplaced
        .extend(super::widgets::browser_avatars(html)?);
    Ok(page)
}

/// The attribute values of `<img>`/`<source>` elements that may hold avatar URLs, in document
/// order, including those inside `<noscript>` (up to [`NOSCRIPT_DEPTH`]).
fn values(html: &[u8], depth: u8) -> Result<Vec<Value>, RewriteError> {
    let found = RefCell::new(Vec::new());
    let noscripts = RefCell::new(Vec::new());
    // A text node may arrive in several chunks; this is the range seen so far.
    let open: Cell<Option<Range<usize>>> = Cell::new(None);
    let mut settings = Settings::new()
        .append_element_content_handler(element!("img, source", |el| {
            for attribute in el.attributes() {
                let kind = match attribute.name().as_str() {
                    "src" | "data-src" => Kind::Url,
                    "srcset" | "data-srcset" => Kind::Srcset,
                    _ => continue,
                };
                if let Some(location) = attribute.value_source_location() {
                    let span = location.bytes();
                    found.borrow_mut().push(Value { span, kind });
                }
            }
            Ok(())
        }))
        .append_element_content_handler(element!("[style]", |el| {
            // Themes draw avatars as `background-image: url(...)` on any element.
            let style = el.attributes().iter().find(|a| a.name() == "style");
            if let Some(location) = style.and_then(|a| a.value_source_location()) {
                let span = location.bytes();
                found.borrow_mut().push(Value {
                    span,
                    kind: Kind::Style,
                });
            }
            Ok(())
        }));
    if depth < NOSCRIPT_DEPTH {
        settings = settings.append_element_content_handler(text!("noscript", |chunk| {
            let here = chunk.source_location().bytes();
            let range = match open.take() {
                Some(seen) => seen.start..here.end,
                None => here,
            };
            if chunk.last_in_text_node() {
                noscripts.borrow_mut().push(range);
            } else {
                open.set(Some(range));
            }
            Ok(())
        }));
    }
    let mut rewriter = HtmlRewriter::new(settings, |_: &[u8]| {});
    rewriter.write(html).map_err(html_error)?;
    rewriter.end().map_err(html_error)?;

    let mut found = found.into_inner();
    for range in noscripts.into_inner() {
        for inner in values(&html[range.clone()], depth + 1)? {
            found.push(Value {
                span: inner.span.start + range.start..inner.span.end + range.start,
                kind: inner.kind,
            });
        }
    }
    found.sort_by_key(|value| value.span.start);
    found.dedup();
    Ok(found)
}

/// The ranges of the URLs of the `url(...)` tokens in inline CSS as written in an attribute:
/// without surrounding whitespace and quotes (`"`, `'`, or the `&quot;` a generator escaped
/// them to). Only http(s) and protocol-relative URLs matter here.
fn css_urls(css: &str) -> Vec<Range<usize>> {
    let lower = css.to_ascii_lowercase();
    let mut found = Vec::new();
    let mut from = 0;
    while let Some(at) = lower[from..].find("url(") {
        let start = from + at + "url(".len();
        let Some(len) = css[start..].find(')') else {
            break;
        };
        let end = start + len;
        from = end;
        let mut inner = start..end;
        let text = |r: &Range<usize>| &css[r.clone()];
        let leading = text(&inner).len() - text(&inner).trim_start().len();
        let trailing = text(&inner).len() - text(&inner).trim_end().len();
        inner = inner.start + leading..inner.end - trailing;
        for quote in ["&quot;", "&#34;", "\"", "'"] {
            let t = text(&inner);
            if t.len() >= 2 * quote.len() && t.starts_with(quote) && t.ends_with(quote) {
                inner = inner.start + quote.len()..inner.end - quote.len();
                break;
            }
        }
        if !inner.is_empty() {
            found.push(inner);
        }
    }
    found
}

/// A URL as the report shows it: character references decoded, surrounding whitespace gone.
fn shown(url: &str) -> String {
    htmlize::unescape_attribute(url)
        .trim_matches(|c: char| c.is_ascii_whitespace())
        .to_owned()
}

/// `lol_html`'s message is several paragraphs; its first line says what happened.
fn html_error(error: lol_html::errors::RewritingError) -> RewriteError {
    let message = error.to_string();
    RewriteError::Html(message.lines().next().unwrap_or_default().to_owned())
}

/// Whether the value starting at `start` is enclosed in quotes (its range excludes them).
fn is_quoted(html: &[u8], start: usize) -> bool {
    start > 0 && matches!(html[start - 1], b'"' | b'\'')
}

/// An unquoted value that would no longer be one (a space, a quote, `=`, `<`, `>`, a backtick,
/// or nothing at all) gets double quotes; the text is already escaped, so they cannot clash.
fn unquoted(value: String) -> String {
    let needs_quotes = value.is_empty()
        || value
            .bytes()
            .any(|b| b.is_ascii_whitespace() || b"\"'=<>`".contains(&b));
    if needs_quotes {
        format!("\"{value}\"")
    } else {
        value
    }
}

/// `html` with each (sorted, disjoint) range replaced.
fn splice(html: &[u8], edits: &[(Range<usize>, String)]) -> Vec<u8> {
    let grown: usize = edits.iter().map(|(_, text)| text.len()).sum();
    let mut out = Vec::with_capacity(html.len() + grown);
    let mut copied = 0;
    for (range, text) in edits {
        out.extend_from_slice(&html[copied..range.start]);
        out.extend_from_slice(text.as_bytes());
        copied = range.end;
    }
    out.extend_from_slice(&html[copied..]);
    out
}

#[cfg(test)]
#[path = "html_tests.rs"]
mod tests;
