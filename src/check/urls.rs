//! URLs on third-party avatar hosts in any text: HTML attributes (`src`, `srcset`, `data-src`,
//! inline `style` `url()`), CSS, JS, JSON, XML feeds. A plain scan for `//` finds them wherever
//! a template or a script put them; [`Recognizer`] decides which hosts are avatar hosts.

use crate::rewrite::{Recognized, Recognizer};

/// An avatar-host URL in one line: its byte column (0-based) and the URL as found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostUrl {
    /// Byte offset of the URL's start in the line.
    pub column: usize,
    /// The URL as written (JSON's `\/` unescaped).
    pub url: String,
}

/// Every URL in `line` that `recognizer` puts on an avatar host. A link to a host's home page
/// (`https://gravatar.com/`, "get your Gravatar") loads no image and is not reported.
pub fn host_urls(line: &str, recognizer: &Recognizer) -> Vec<HostUrl> {
    // JSON and JS strings may escape slashes: `https:\/\/gravatar.com\/avatar\/…`.
    let unescaped;
    let line = if line.contains("\\/") {
        unescaped = line.replace("\\/", "/");
        unescaped.as_str()
    } else {
        line
    };
    let mut found = Vec::new();
    let mut from = 0;
    while let Some(at) = line[from..].find("//").map(|i| i + from) {
        let start = scheme_start(line, at);
        let end = line[at + 2..]
            .find(|c: char| c.is_whitespace() || "\"'<>()`{}|^\\".contains(c))
            .map_or(line.len(), |i| i + at + 2);
        from = end.max(at + 2);
        let candidate = line[start..end].trim_end_matches([',', ';', '.']);
        let url = if candidate.starts_with("//") || candidate.contains("://") {
            candidate
        } else {
            continue;
        };
        let is_avatar = match recognizer.recognize(url) {
            Recognized::Avatar(_) => true,
            Recognized::Unreplaceable => !is_home_page(url),
            Recognized::NotAvatar => false,
        };
        if is_avatar {
            found.push(HostUrl {
                column: start,
                url: url.to_owned(),
            });
        }
    }
    found
}

/// Where the URL whose `//` is at `at` starts: back over `https:`/`http:`, else at `//`.
fn scheme_start(line: &str, at: usize) -> usize {
    for scheme in ["https:", "http:"] {
        if line[..at]
            .get(at.saturating_sub(scheme.len())..)
            .is_some_and(|s| s.eq_ignore_ascii_case(scheme))
        {
            return at - scheme.len();
        }
    }
    at
}

/// `https://host` or `https://host/` with no path, query or fragment.
fn is_home_page(url: &str) -> bool {
    let rest = url.split_once("//").map_or(url, |(_, rest)| rest);
    !rest.trim_end_matches('/').contains(['/', '?', '#'])
}

/// The host and first path segment of `url`, the rest elided: enough to find the theme that
/// wrote it, without the hash or number it carries.
pub fn redact_url(url: &str) -> String {
    let rest = url.split_once("//").map_or(url, |(_, rest)| rest);
    let (host, path) = rest.split_once(['/', '?']).unwrap_or((rest, ""));
    match path.split_once('/') {
        Some((segment, _)) if !segment.contains(['?', '&', '=']) => format!("{host}/{segment}/…"),
        _ => format!("{host}/…"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn urls(line: &str) -> Vec<(usize, String)> {
        host_urls(line, &Recognizer::default())
            .into_iter()
            .map(|u| (u.column, u.url))
            .collect()
    }

    #[test]
    fn finds_avatar_urls_in_attributes_css_and_json() {
        let hash = "0bc83cb571cd1c50ba6f3e8a78ef1346";
        let srcset = format!(
            r#"<img srcset="https://www.gravatar.com/avatar/{hash}?s=80 2x, //cravatar.cn/avatar/{hash} 1x">"#
        );
        let found = urls(&srcset);
        assert_eq!(found.len(), 2, "{found:?}");
        assert_eq!(found[0].0, srcset.find("https://www").unwrap());
        assert_eq!(found[1].1, format!("//cravatar.cn/avatar/{hash}"));
        let css = format!(".a{{background:url('https://cravatar.cn/avatar/{hash}')}}");
        assert_eq!(urls(&css).len(), 1);
        let json = r#"{"a":"https:\/\/q1.qlogo.cn\/g?b=qq&nk=17450856&s=100"}"#;
        assert_eq!(urls(json).len(), 1);
    }

    #[test]
    fn home_page_links_and_other_hosts_are_not_avatars() {
        assert!(urls(r#"<a href="https://gravatar.com/">Get one</a>"#).is_empty());
        assert!(urls(r#"<img src="https://example.org/avatar/x.png">"#).is_empty());
        assert!(urls("// a comment in JS").is_empty());
    }

    #[test]
    fn redacted_urls_hide_the_identifier() {
        let hash = "0bc83cb571cd1c50ba6f3e8a78ef1346";
        assert_eq!(
            redact_url(&format!("https://www.gravatar.com/avatar/{hash}?s=80")),
            "www.gravatar.com/avatar/…"
        );
        assert_eq!(
            redact_url("https://q1.qlogo.cn/g?b=qq&nk=17450856"),
            "q1.qlogo.cn/…"
        );
    }
}
