//! Markdown to HTML through `pulldown-cmark`.
//!
//! Posts are the owner's: raw HTML in them passes. Comment bodies come from strangers: raw HTML is
//! shown as text, links may only be http(s), mailto or relative (anything else, `javascript:`
//! above all, loses its link and keeps its text), and images become plain links, so a comment can
//! neither run script nor make readers' browsers contact a third party.

use pulldown_cmark::{CowStr, Event, LinkType, Options, Parser, Tag, TagEnd, html};

/// Schemes a comment link may use.
const SAFE_SCHEMES: &[&str] = &["http", "https", "mailto"];

/// A post body rendered to HTML.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PostHtml {
    /// The whole body.
    pub content: String,
    /// The first top-level paragraph, for the post list (empty when there is none).
    pub summary: String,
}

/// Renders a post body; its raw HTML passes untouched.
pub fn post_html(markdown: &str) -> PostHtml {
    let options = Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_SMART_PUNCTUATION;
    let events: Vec<Event<'_>> = Parser::new_ext(markdown, options).collect();
    let mut content = String::with_capacity(markdown.len() * 3 / 2);
    html::push_html(&mut content, events.iter().cloned());
    let mut summary = String::new();
    if let Some(range) = first_paragraph(&events) {
        html::push_html(&mut summary, events[range].iter().cloned());
    }
    PostHtml { content, summary }
}

/// Index range of the first paragraph at the top level of the document, tags included.
fn first_paragraph(events: &[Event<'_>]) -> Option<std::ops::Range<usize>> {
    let mut depth = 0usize;
    let mut start = None;
    for (index, event) in events.iter().enumerate() {
        match event {
            Event::Start(Tag::Paragraph) if depth == 0 => start = Some(index),
            Event::End(TagEnd::Paragraph) if depth == 1 => {
                if let Some(start) = start {
                    return Some(start..index + 1);
                }
            }
            _ => {}
        }
        match event {
            Event::Start(_) => depth += 1,
            Event::End(_) => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    None
}

/// Renders an untrusted comment body.
pub fn comment_html(markdown: &str) -> String {
    let parser = Parser::new_ext(markdown, Options::ENABLE_STRIKETHROUGH);
    // One entry per open link or image: whether its anchor was written.
    let mut open: Vec<bool> = Vec::new();
    let events = parser.filter_map(|event| match event {
        // Shown as text, quotes escaped too, so not even an attribute-like string survives.
        Event::Html(raw) | Event::InlineHtml(raw) => {
            let text = htmlize::escape_all_quotes(raw.as_ref()).into_owned();
            Some(Event::InlineHtml(CowStr::from(text)))
        }
        Event::Start(Tag::HtmlBlock) => Some(Event::Start(Tag::Paragraph)),
        Event::End(TagEnd::HtmlBlock) => Some(Event::End(TagEnd::Paragraph)),
        Event::Start(Tag::Link {
            link_type,
            dest_url,
            ..
        })
        | Event::Start(Tag::Image {
            link_type,
            dest_url,
            ..
        }) => {
            let anchor = safe_href(link_type, &dest_url).map(|href| {
                Event::InlineHtml(CowStr::from(format!(
                    "<a href=\"{href}\" rel=\"nofollow ugc noopener\">"
                )))
            });
            open.push(anchor.is_some());
            anchor
        }
        Event::End(TagEnd::Link | TagEnd::Image) => match open.pop() {
            Some(true) => Some(Event::InlineHtml(CowStr::Borrowed("</a>"))),
            _ => None,
        },
        other => Some(other),
    });
    let mut out = String::with_capacity(markdown.len() * 3 / 2);
    html::push_html(&mut out, events);
    out
}

/// The escaped `href` for a comment link, or `None` when its scheme is not allowed. URLs are
/// judged the way browsers parse them (WHATWG), so tricks such as `java\tscript:` or leading
/// spaces do not slip through.
fn safe_href(link_type: LinkType, dest: &str) -> Option<String> {
    let dest = if link_type == LinkType::Email {
        format!("mailto:{dest}")
    } else {
        dest.to_owned()
    };
    let allowed = match url::Url::parse(&dest) {
        Ok(url) => SAFE_SCHEMES.contains(&url.scheme()),
        Err(url::ParseError::RelativeUrlWithoutBase) => true,
        Err(_) => false,
    };
    if !allowed {
        return None;
    }
    let mut href = String::with_capacity(dest.len());
    pulldown_cmark_escape::escape_href(&mut href, &dest).ok()?;
    Some(href)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn posts_keep_raw_html_and_get_a_summary() {
        let post =
            post_html("# Title\n\nFirst *para*.\n\n<div class=\"x\">raw</div>\n\n- a\n\n  inner\n");
        assert!(post.content.contains("<div class=\"x\">raw</div>"));
        assert!(post.content.contains("<h1>Title</h1>"));
        assert_eq!(post.summary, "<p>First <em>para</em>.</p>\n");
        assert_eq!(post_html("> quoted\n\n- item\n").summary, "");
    }

    #[test]
    fn comment_html_is_text() {
        let html =
            comment_html("Hi <script>alert(1)</script> **you**\n\n<img src=x onerror=alert(1)>\n");
        assert!(!html.contains("<script"), "{html}");
        assert!(!html.contains("<img"), "{html}");
        assert!(
            html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
            "{html}"
        );
        assert!(
            html.contains("&lt;img src=x onerror=alert(1)&gt;"),
            "{html}"
        );
        assert!(html.contains("<strong>you</strong>"), "{html}");
    }

    #[test]
    fn comment_links_are_filtered() {
        for hostile in [
            "[x](javascript:alert(1))",
            "[x]( JavaScript:alert(1))",
            "[x](<java\tscript:alert(1)>)",
            "[x](data:text/html,<script>alert(1)</script>)",
            "[x](vbscript:msgbox)",
            "<javascript:alert(1)>",
            "[x][r]\n\n[r]: javascript:alert(1)",
        ] {
            let html = comment_html(hostile);
            assert!(!html.contains("<a"), "{hostile} -> {html}");
            assert!(!html.to_lowercase().contains("href"), "{hostile} -> {html}");
        }
        assert_eq!(
            comment_html("[site](https://example.org/a?b=1&c=\"2\")"),
            "<p><a href=\"https://example.org/a?b=1&amp;c=%222%22\" rel=\"nofollow ugc noopener\">site</a></p>\n"
        );
        assert_eq!(
            comment_html("[up](../other/)"),
            "<p><a href=\"../other/\" rel=\"nofollow ugc noopener\">up</a></p>\n"
        );
        assert!(comment_html("<me@example.org>").contains("href=\"mailto:me@example.org\""));
    }

    #[test]
    fn comment_images_become_links() {
        let html = comment_html("![a cat](https://tracker.example/cat.png)");
        assert_eq!(
            html,
            "<p><a href=\"https://tracker.example/cat.png\" rel=\"nofollow ugc noopener\">a cat</a></p>\n"
        );
        assert_eq!(comment_html("![a cat](javascript:x)"), "<p>a cat</p>\n");
    }
}
