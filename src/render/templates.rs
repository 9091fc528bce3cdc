//! Templates through `tera` 2: the bundled default theme (`templates/` at the repository root,
//! embedded in the binary), overlaid by the site's own template directory, file by file. A site
//! can so replace only `post.html` and still extend the bundled `base.html`.
//!
//! Pages are `.html` templates, so autoescaping is on for every value they print; HTML the
//! renderer produced itself (post and comment bodies) is printed with `| safe`.
//!
//! Template functions, for any identity exactly as written in the source:
//! `avatar(id=..., size=40)` is the local 1x URL and `avatar_srcset(id=..., size=40)` the
//! `"<1x> 1x, <2x> 2x"` value; both are empty for an unknown identity. `size` defaults to the
//! comment size (the smallest configured one).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use tera::{Kwargs, State, Tera, TeraResult, Value};
use walkdir::WalkDir;

use super::avatars::Avatars;
use crate::error::{Error, Result};

/// The bundled theme: name → source.
pub const BUNDLED: &[(&str, &str)] = &[
    ("base.html", include_str!("../../templates/base.html")),
    ("index.html", include_str!("../../templates/index.html")),
    ("post.html", include_str!("../../templates/post.html")),
    ("style.css", include_str!("../../templates/style.css")),
];
/// The page templates the renderer calls.
pub const INDEX: &str = "index.html";
/// See [`INDEX`].
pub const POST: &str = "post.html";

/// Builds the template set: the bundled theme, then every file of `site_dir` (when it exists)
/// under its path relative to that directory.
pub fn load(site_dir: Option<&Path>, avatars: Arc<Avatars>) -> Result<Tera> {
    let mut sources: BTreeMap<String, String> = BUNDLED
        .iter()
        .map(|(name, text)| ((*name).to_owned(), (*text).to_owned()))
        .collect();
    let site_dir = site_dir.filter(|dir| dir.is_dir());
    if let Some(dir) = site_dir {
        for entry in WalkDir::new(dir).follow_links(true).sort_by_file_name() {
            let entry = entry.map_err(|e| {
                let path = e.path().unwrap_or(dir).to_path_buf();
                Error::io(path, std::io::Error::other(e.to_string()))
            })?;
            if !entry.file_type().is_file() || is_hidden(entry.path(), dir) {
                continue;
            }
            let text =
                std::fs::read_to_string(entry.path()).map_err(|e| Error::io(entry.path(), e))?;
            sources.insert(template_name(entry.path(), dir), text);
        }
    }

    let mut tera = Tera::new();
    // Functions first: tera checks that the templates only call functions it knows.
    let for_src = Arc::clone(&avatars);
    tera.register_function("avatar", move |kwargs: Kwargs, _: &State| {
        lookup(&for_src, &kwargs).map(|a| a.map(|a| a.src).unwrap_or_default())
    });
    tera.register_function("avatar_srcset", move |kwargs: Kwargs, _: &State| {
        lookup(&avatars, &kwargs).map(|a| a.map(|a| a.srcset).unwrap_or_default())
    });
    tera.add_raw_templates(&sources).map_err(|e| {
        let path = site_dir.map_or_else(|| PathBuf::from("templates"), Path::to_path_buf);
        template_error(path, &e)
    })?;
    for page in [INDEX, POST] {
        if !tera.contains_template(page) {
            return Err(Error::Usage(format!("the template `{page}` is missing")));
        }
    }
    Ok(tera)
}

fn lookup(avatars: &Avatars, kwargs: &Kwargs) -> TeraResult<Option<super::avatars::Avatar>> {
    let id: Value = kwargs.must_get("id")?;
    let id = match (id.as_str(), id.as_i128()) {
        (Some(text), _) => text.to_owned(),
        (None, Some(number)) => number.to_string(),
        _ => return Err(tera::Error::message("`id` should be text or an integer")),
    };
    let size = kwargs.get::<u32>("size")?.unwrap_or(avatars.size());
    Ok(avatars.get(&id, size))
}

fn is_hidden(path: &Path, root: &Path) -> bool {
    path.strip_prefix(root)
        .unwrap_or(path)
        .components()
        .any(|c| c.as_os_str().to_string_lossy().starts_with('.'))
}

/// `dir/partials/x.html` → `partials/x.html`.
fn template_name(path: &Path, dir: &Path) -> String {
    path.strip_prefix(dir)
        .unwrap_or(path)
        .components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

/// A template error as a library error naming `path`, with tera's whole report.
pub fn template_error(path: impl Into<PathBuf>, error: &tera::Error) -> Error {
    let mut message = error.to_string();
    let mut source = std::error::Error::source(error);
    while let Some(inner) = source {
        message.push_str(&format!(": {inner}"));
        source = inner.source();
    }
    Error::io(
        path,
        std::io::Error::new(std::io::ErrorKind::InvalidData, message),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;
    use crate::model::Provider;
    use crate::publish::{DataEntry, DataFile, SizeUrls};

    fn avatars() -> Arc<Avatars> {
        let mut data = DataFile::new();
        let urls = |n| SizeUrls {
            x1: format!("/avatars/{n}a.webp"),
            x2: format!("/avatars/{n}b.webp"),
        };
        data.avatars.insert(
            "12345".into(),
            DataEntry {
                provider: Provider::Qq,
                sizes: BTreeMap::from([("40".into(), urls(40)), ("80".into(), urls(80))]),
            },
        );
        Arc::new(Avatars::new(&data, &Config::default()))
    }

    fn render(tera: &Tera, name: &str) -> String {
        tera.render(name, &tera::Context::new()).unwrap()
    }

    #[test]
    fn bundled_theme_loads() {
        let tera = load(None, avatars()).unwrap();
        assert!(tera.contains_template("base.html"));
    }

    #[test]
    fn site_templates_override_and_call_avatar() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("partials")).unwrap();
        std::fs::write(
            dir.path().join("partials/face.html"),
            r#"<img src="{{ avatar(id="12345") }}" srcset="{{ avatar_srcset(id=12345, size=80) }}">{{ avatar(id="nobody") }}|"#,
        )
        .unwrap();
        std::fs::write(
            dir.path().join("index.html"),
            r#"{% include "partials/face.html" %}"#,
        )
        .unwrap();
        std::fs::write(dir.path().join(".index.html.swp"), "{% broken").unwrap();
        let tera = load(Some(dir.path()), avatars()).unwrap();
        assert_eq!(
            render(&tera, "index.html"),
            r#"<img src="/avatars/40a.webp" srcset="/avatars/80a.webp 1x, /avatars/80b.webp 2x">|"#
        );
        // The bundled four, `index.html` replaced, one partial added, the hidden file skipped.
        let mut names: Vec<_> = tera.get_template_names().collect();
        names.sort_unstable();
        assert_eq!(
            names,
            [
                "base.html",
                "index.html",
                "partials/face.html",
                "post.html",
                "style.css"
            ]
        );
    }

    #[test]
    fn a_broken_site_template_is_an_error_naming_the_directory() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("post.html"), "{% if %}").unwrap();
        let error = load(Some(dir.path()), avatars()).unwrap_err();
        let text = error.to_string();
        assert!(
            text.starts_with(&dir.path().display().to_string()),
            "{text}"
        );
        assert!(text.contains("post.html"), "{text}");
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("x.html"), "{{ avatar() }}").unwrap();
        let tera = load(Some(dir.path()), avatars()).unwrap();
        let error = tera.render("x.html", &tera::Context::new()).unwrap_err();
        assert!(
            template_error("x", &error).to_string().contains("id"),
            "{error}"
        );
    }
}
