//! Avatars a page draws in the visitor's browser with a script, which `rewrite` cannot replace:
//! Hexo and Hugo themes load Valine, Waline, Twikoo or Artalk comment widgets that fetch each
//! commenter's Gravatar (often through `gravatar.loli.net` or Cravatar) or QQ avatar at view
//! time, and inline scripts carry avatar CDNs (`avatar_cdn: 'https://gravatar.loli.net/avatar/'`).
//! Seen on real NexT, Butterfly and Fluid blogs. Such a page still makes browsers contact
//! Gravatar or QQ after `rewrite`, so each is listed with the unreplaced URLs (and `--strict`
//! fails) instead of the page counting as clean.

use std::cell::RefCell;

use lol_html::{HtmlRewriter, Settings, element, text};

use super::RewriteError;
use super::recognize::GRAVATAR_HOSTS;

/// Script file names of comment widgets that draw Gravatar or QQ avatars in the browser.
const WIDGETS: &[(&str, &str)] = &[
    ("valine", "Valine"),
    ("waline", "Waline"),
    ("twikoo", "Twikoo"),
    ("artalk", "Artalk"),
];

/// Avatar hosts whose name in an inline script means the browser may fetch from them.
fn script_hosts() -> impl Iterator<Item = &'static str> {
    GRAVATAR_HOSTS
        .iter()
        .map(|pattern| {
            pattern
                .trim_start_matches("*.")
                .split('/')
                .next()
                .unwrap_or("")
        })
        .filter(|host| !host.is_empty())
        .chain(["qlogo.cn"])
}

/// Adds `chunk` to the text of the open `<tag>` element; at its end, names the first avatar
/// host it mentions.
fn inline_text(open: &RefCell<String>, chunk: &str, last: bool, tag: &str, push: &dyn Fn(String)) {
    open.borrow_mut().push_str(chunk);
    if last {
        let text = std::mem::take(&mut *open.borrow_mut()).to_ascii_lowercase();
        if let Some(host) = script_hosts().find(|host| text.contains(host)) {
            push(format!(
                "<{tag}> naming {host} (the browser fetches avatars from it)"
            ));
        }
    }
}

/// What the page's scripts and style blocks fetch avatars from, as lines for the unreplaced list, in document
/// order, each once.
pub(super) fn browser_avatars(html: &[u8]) -> Result<Vec<String>, RewriteError> {
    let found = RefCell::new(Vec::<String>::new());
    let inline = RefCell::new(String::new());
    let styles = RefCell::new(String::new());
    let push = |line: String| {
        let mut found = found.borrow_mut();
        if !found.contains(&line) {
            found.push(line);
        }
    };
    let settings = Settings::new()
        .append_element_content_handler(element!("script[src]", |el| {
            let src = el.get_attribute("src").unwrap_or_default();
            // The file name only: a widget's name in a CDN path (`npm/valine@1.5/dist/...`).
            let lower = src.to_ascii_lowercase();
            let file = lower.split(['?', '#']).next().unwrap_or("");
            if let Some((_, widget)) = WIDGETS.iter().find(|(name, _)| file.contains(name)) {
                push(format!(
                    "{src} ({widget} script: it draws commenters' avatars in the browser)"
                ));
            }
            Ok(())
        }))
        .append_element_content_handler(text!("script", |chunk| {
            inline_text(
                &inline,
                chunk.as_str(),
                chunk.last_in_text_node(),
                "script",
                &push,
            );
            Ok(())
        }))
        // A `<style>` block's `url(...)` is fetched as soon as a rule applies.
        .append_element_content_handler(text!("style", |chunk| {
            inline_text(
                &styles,
                chunk.as_str(),
                chunk.last_in_text_node(),
                "style",
                &push,
            );
            Ok(())
        }));
    let mut rewriter = HtmlRewriter::new(settings, |_: &[u8]| {});
    rewriter
        .write(html)
        .and_then(|()| rewriter.end())
        .map_err(|e| RewriteError::Html(e.to_string()))?;
    Ok(found.into_inner())
}

#[cfg(test)]
mod tests {
    use super::browser_avatars;

    #[test]
    fn widgets_and_avatar_cdns_in_scripts_are_found_once() {
        let page = br#"<script src="https://cdn.jsdelivr.net/npm/valine@1.5.1/dist/Valine.min.js"></script>
<script>new Valine({el:'#vcomments',avatar:'mp',avatar_cdn:'https://gravatar.loli.net/avatar/'})</script>
<script src="https://unpkg.com/@waline/client@v2/dist/waline.js"></script>
<script>twikoo.init({envId:'x'}); var a = "//q1.QLOGO.cn/g?b=qq&nk=";</script>
<script>new Valine({avatar_cdn:'https://gravatar.loli.net/avatar/'})</script>
<script src="/js/main.js"></script><script>console.log("gravatar")</script>
<p>gravatar.com in text</p>"#;
        assert_eq!(
            browser_avatars(page).unwrap(),
            [
                "https://cdn.jsdelivr.net/npm/valine@1.5.1/dist/Valine.min.js (Valine script: \
                 it draws commenters' avatars in the browser)",
                "<script> naming gravatar.loli.net (the browser fetches avatars from it)",
                "https://unpkg.com/@waline/client@v2/dist/waline.js (Waline script: it draws \
                 commenters' avatars in the browser)",
                "<script> naming qlogo.cn (the browser fetches avatars from it)",
            ]
        );
        assert!(
            browser_avatars(b"<img src=x><script>let x = 1;</script>")
                .unwrap()
                .is_empty()
        );
    }
}
