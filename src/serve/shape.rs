//! The shape the site's theme gives avatars, so the upload page previews them as they will look:
//! the `border-radius` of the theme's `.avatar` rule (`50%` for circles).
//!
//! Where the CSS is: for a native site, the site's `templates/style.css` laid over the bundled
//! theme's; for the other layouts, the site's own stylesheets (the README tells their users to
//! style `.avatar`), leaving out what the generator publishes and `node_modules`.

use std::path::Path;

use walkdir::WalkDir;

use super::rebuild::SiteState;
use crate::scan::LayoutKind;

/// What the upload page uses when no theme rule says otherwise: slightly rounded squares.
pub(crate) const DEFAULT_RADIUS: &str = "8px";

/// The bundled theme's stylesheet (the renderer embeds the same file).
const BUNDLED_CSS: &str = include_str!("../../templates/style.css");

/// Stylesheets read at most (a theme has a few; a site with thousands is not worth scanning).
const MAX_STYLESHEETS: usize = 200;

/// The `border-radius` of the theme's `.avatar`, or [`DEFAULT_RADIUS`].
pub(crate) fn avatar_radius(site: &SiteState) -> String {
    let layout = &site.layout;
    if layout.kind == LayoutKind::Native {
        let own = layout
            .template_dir
            .as_deref()
            .map(|dir| dir.join("style.css"))
            .and_then(|path| std::fs::read_to_string(path).ok());
        return own
            .as_deref()
            .and_then(radius_in)
            .or_else(|| radius_in(BUNDLED_CSS))
            .unwrap_or_else(|| DEFAULT_RADIUS.to_owned());
    }
    let skip = |path: &Path| {
        path.file_name()
            .is_some_and(|n| n == "node_modules" || n.to_string_lossy().starts_with('.'))
            || layout.output_dir.as_deref() == Some(path)
            || path.ends_with("public")
            || path.ends_with("_site")
    };
    WalkDir::new(&layout.root)
        .max_depth(6)
        .into_iter()
        .filter_entry(|e| e.depth() == 0 || !skip(e.path()))
        .flatten()
        .filter(|e| e.file_type().is_file() && e.path().extension().is_some_and(|x| x == "css"))
        .take(MAX_STYLESHEETS)
        .find_map(|e| {
            std::fs::read_to_string(e.path())
                .ok()
                .as_deref()
                .and_then(radius_in)
        })
        .unwrap_or_else(|| DEFAULT_RADIUS.to_owned())
}

/// The last `border-radius` declared in a rule whose selector list names the `.avatar` class
/// itself (not `.avatar-initial`), as a CSS value safe to put in a `style` attribute.
fn radius_in(css: &str) -> Option<String> {
    let mut found = None;
    let mut rest = css;
    while let Some(open) = rest.find('{') {
        let selectors = &rest[..open];
        let Some(close) = rest[open..].find('}') else {
            break;
        };
        let body = &rest[open + 1..open + close];
        rest = &rest[open + close + 1..];
        // A selector's text after the previous rule's `}` (comments are rare between rules).
        let names_avatar = selectors.split(',').any(|selector| {
            selector.match_indices(".avatar").any(|(at, _)| {
                let after = selector[at + ".avatar".len()..].chars().next();
                !after.is_some_and(|c| c.is_alphanumeric() || c == '-' || c == '_')
            })
        });
        if !names_avatar {
            continue;
        }
        for declaration in body.split(';') {
            if let Some((name, value)) = declaration.split_once(':')
                && name.trim().eq_ignore_ascii_case("border-radius")
            {
                let value = value.trim().trim_end_matches("!important").trim();
                let safe = !value.is_empty()
                    && value
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || " .%/-".contains(c));
                if safe {
                    found = Some(value.to_owned());
                }
            }
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bundled_theme_draws_circles() {
        assert_eq!(radius_in(BUNDLED_CSS).as_deref(), Some("50%"));
    }

    #[test]
    fn only_the_avatar_class_counts() {
        assert_eq!(
            radius_in(".avatar-initial { border-radius: 2px; }").as_deref(),
            None
        );
        assert_eq!(
            radius_in("img.avatar, .x { width: 4px; border-radius: 12px }").as_deref(),
            Some("12px")
        );
        assert_eq!(
            radius_in(".comments .avatar:hover{border-radius:50% !important}").as_deref(),
            Some("50%")
        );
        assert_eq!(
            radius_in(".avatar { border-radius: url(x);} ").as_deref(),
            None,
            "only plain lengths reach the page"
        );
    }
}
