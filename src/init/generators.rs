//! What `init` writes for each generator: the template piece (one asset per generator, under
//! `assets/`), where it goes, how a theme calls it, and the generator's own build command.

use crate::scan::layout::LayoutKind;

/// One generator's template piece and the words around it.
pub struct Piece {
    /// Where it goes, relative to the site.
    pub path: &'static str,
    /// Its text, with `__PLACEHOLDER__` and `__DATA_FILE__` still to fill in.
    pub template: &'static str,
    /// How a theme calls it.
    pub call: &'static str,
}

/// The template piece for `kind`; none for the native layout (blog-avatars renders it).
pub fn piece(kind: LayoutKind) -> Option<Piece> {
    Some(match kind {
        LayoutKind::Hugo => Piece {
            path: "layouts/partials/avatar.html",
            template: include_str!("assets/hugo-avatar.html"),
            call: r#"{{ partial "avatar.html" (dict "identity" .email "name" .name "size" 40) }}"#,
        },
        LayoutKind::Jekyll => Piece {
            path: "_includes/avatar.html",
            template: include_str!("assets/jekyll-avatar.html"),
            call: "{% include avatar.html identity=comment.email name=comment.name size=40 %}",
        },
        LayoutKind::Hexo => Piece {
            path: "scripts/avatar.js",
            template: include_str!("assets/hexo-avatar.js"),
            call: "<%- avatar(comment.email, { name: comment.name, size: 40 }) %>",
        },
        LayoutKind::Zola => Piece {
            path: "templates/macros/avatar.html",
            template: include_str!("assets/zola-avatar.html"),
            call: "{% import \"macros/avatar.html\" as avatar %} … \
                   {{ avatar::avatar(identity=comment.email, name=comment.name, size=40) }}",
        },
        LayoutKind::Native => return None,
    })
}

/// The generator's own build, run after `blog-avatars build`.
pub fn build_command(kind: LayoutKind) -> Option<&'static str> {
    match kind {
        LayoutKind::Hugo => Some("hugo"),
        LayoutKind::Jekyll => Some("bundle exec jekyll build   (or: jekyll build)"),
        LayoutKind::Hexo => Some("npx hexo generate"),
        LayoutKind::Zola => Some("zola build"),
        LayoutKind::Native => None,
    }
}
