//! Site layout detection: which generator a site is for, and so where posts, comment data,
//! avatars and the data file live. Every path can be overridden in `[site]`.

use std::fmt;
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::config::{LayoutChoice, SiteConfig};

/// A supported site layout.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum LayoutKind {
    /// Zola: `config.toml`/`zola.toml` with `base_url`.
    Zola,
    /// Hugo: `hugo.{toml,yaml,json}`, or `config.toml` with `baseURL`.
    Hugo,
    /// Jekyll: `_config.yml` and `_posts/`.
    Jekyll,
    /// Hexo: `_config.yml` and `source/_posts/`.
    Hexo,
    /// None of the above: blog-avatars renders the blog itself.
    Native,
}

impl fmt::Display for LayoutKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Zola => "zola",
            Self::Hugo => "hugo",
            Self::Jekyll => "jekyll",
            Self::Hexo => "hexo",
            Self::Native => "native",
        })
    }
}

/// Where everything is for one site; paths are relative to `root` unless absolute in the config.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SiteLayout {
    /// The layout.
    pub kind: LayoutKind,
    /// The site directory.
    pub root: PathBuf,
    /// Directories of posts.
    pub post_dirs: Vec<PathBuf>,
    /// Directory of comment data files.
    pub comment_dir: PathBuf,
    /// Where avatar files are written.
    pub avatar_dir: PathBuf,
    /// URL prefix of the avatar directory, with a trailing `/`.
    pub url_prefix: String,
    /// The data file for templates.
    pub data_file: PathBuf,
    /// Native layout only: where the rendered blog goes.
    pub output_dir: Option<PathBuf>,
    /// Native layout only: the site's own templates (used when the directory exists).
    pub template_dir: Option<PathBuf>,
    /// Directories a site-root path such as `/images/me.png` may live in, besides the root.
    pub static_dirs: Vec<PathBuf>,
}

impl SiteLayout {
    /// Detects (or takes from `[site] layout`) the layout of `root` and applies the overrides.
    pub fn resolve(root: &Path, site: &SiteConfig) -> Self {
        let kind = match site.layout {
            LayoutChoice::Auto => detect(root),
            LayoutChoice::Zola => LayoutKind::Zola,
            LayoutChoice::Hugo => LayoutKind::Hugo,
            LayoutChoice::Jekyll => LayoutKind::Jekyll,
            LayoutChoice::Hexo => LayoutKind::Hexo,
            LayoutChoice::Native => LayoutKind::Native,
        };
        let mut layout = Self::defaults(root, kind);
        let join = |path: &PathBuf| root.join(path);
        if let Some(dirs) = &site.post_dirs {
            layout.post_dirs = dirs.iter().map(join).collect();
        }
        if let Some(dir) = &site.comment_dir {
            layout.comment_dir = join(dir);
        }
        if let Some(dir) = &site.avatar_dir {
            layout.avatar_dir = join(dir);
        }
        if let Some(prefix) = &site.url_prefix {
            layout.url_prefix = with_slashes(prefix);
        }
        if let Some(file) = &site.data_file {
            layout.data_file = join(file);
        }
        if let Some(dir) = &site.output_dir {
            layout.output_dir = Some(join(dir));
        }
        if let Some(dir) = &site.template_dir {
            layout.template_dir = Some(join(dir));
        }
        layout
    }

    /// The contract's table.
    fn defaults(root: &Path, kind: LayoutKind) -> Self {
        let at = |path: &str| root.join(path);
        let (posts, comments, avatars, prefix, data, statics): (
            &[&str],
            &str,
            &str,
            &str,
            &str,
            &[&str],
        ) = match kind {
            LayoutKind::Zola | LayoutKind::Hugo => (
                &["content"],
                "data/comments",
                "static/avatars",
                "/avatars/",
                "data/avatars.json",
                &["static"],
            ),
            LayoutKind::Jekyll => (
                &["_posts", "_drafts"],
                "_data/comments",
                "assets/avatars",
                "/assets/avatars/",
                "_data/avatars.json",
                &[],
            ),
            LayoutKind::Hexo => (
                &["source/_posts"],
                "source/_data/comments",
                "source/avatars",
                "/avatars/",
                "source/_data/avatars.json",
                &["source"],
            ),
            LayoutKind::Native => (
                &["content"],
                "data/comments",
                "public/avatars",
                "/avatars/",
                "data/avatars.json",
                &["static"],
            ),
        };
        let native = kind == LayoutKind::Native;
        Self {
            kind,
            root: root.to_path_buf(),
            post_dirs: posts.iter().map(|p| at(p)).collect(),
            comment_dir: at(comments),
            avatar_dir: at(avatars),
            url_prefix: prefix.to_owned(),
            data_file: at(data),
            output_dir: native.then(|| at("public")),
            template_dir: native.then(|| at("templates")),
            static_dirs: statics.iter().map(|p| at(p)).collect(),
        }
    }

    /// `path` relative to the site, with `/` separators, for messages and JSON.
    pub fn relative(&self, path: &Path) -> String {
        let relative = path.strip_prefix(&self.root).unwrap_or(path);
        relative
            .components()
            .map(|c| c.as_os_str().to_string_lossy())
            .collect::<Vec<_>>()
            .join("/")
    }
}

fn with_slashes(prefix: &str) -> String {
    let trimmed = prefix.trim_matches('/');
    if trimmed.is_empty() {
        "/".to_owned()
    } else {
        format!("/{trimmed}/")
    }
}

/// Detection in the contract's order. Unreadable generator configs are treated as absent.
pub fn detect(root: &Path) -> LayoutKind {
    let has_key = |file: &str, key: &str| -> bool {
        let Ok(text) = std::fs::read_to_string(root.join(file)) else {
            return false;
        };
        match file.rsplit('.').next() {
            Some("toml") => text
                .parse::<toml::Table>()
                .is_ok_and(|table| table.contains_key(key)),
            Some("json") => serde_json::from_str::<serde_json::Value>(&text)
                .is_ok_and(|value| value.get(key).is_some()),
            _ => serde_saphyr::from_str::<serde_json::Value>(&text)
                .is_ok_and(|value| value.get(key).is_some()),
        }
    };
    if has_key("config.toml", "base_url") || has_key("zola.toml", "base_url") {
        return LayoutKind::Zola;
    }
    let hugo_config = ["hugo.toml", "hugo.yaml", "hugo.yml", "hugo.json"]
        .iter()
        .any(|name| root.join(name).is_file());
    let hugo_legacy = ["config.toml", "config.yaml", "config.yml", "config.json"]
        .iter()
        .any(|name| has_key(name, "baseURL"));
    if hugo_config || hugo_legacy {
        return LayoutKind::Hugo;
    }
    if root.join("_config.yml").is_file() {
        if root.join("_posts").is_dir() {
            return LayoutKind::Jekyll;
        }
        if root.join("source/_posts").is_dir() {
            return LayoutKind::Hexo;
        }
    }
    LayoutKind::Native
}

#[cfg(test)]
mod tests {
    use super::*;

    fn site(files: &[(&str, &str)]) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        for (path, text) in files {
            let path = dir.path().join(path);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            if !path.to_string_lossy().ends_with('/') {
                std::fs::write(&path, text).unwrap();
            }
        }
        dir
    }

    #[test]
    fn detects_each_layout() {
        let cases: Vec<(Vec<(&str, &str)>, LayoutKind)> = vec![
            (
                vec![("config.toml", "base_url = \"https://x\"\n")],
                LayoutKind::Zola,
            ),
            (
                vec![("zola.toml", "base_url = \"https://x\"\n")],
                LayoutKind::Zola,
            ),
            (vec![("hugo.toml", "")], LayoutKind::Hugo),
            (vec![("hugo.yaml", "")], LayoutKind::Hugo),
            (vec![("hugo.json", "{}")], LayoutKind::Hugo),
            (
                vec![("config.toml", "baseURL = \"https://x\"\n")],
                LayoutKind::Hugo,
            ),
            (
                vec![("_config.yml", "title: x\n"), ("_posts/a.md", "")],
                LayoutKind::Jekyll,
            ),
            (
                vec![("_config.yml", "title: x\n"), ("source/_posts/a.md", "")],
                LayoutKind::Hexo,
            ),
            (vec![("_config.yml", "title: x\n")], LayoutKind::Native),
            (vec![("config.toml", "title = 1\n")], LayoutKind::Native),
            (vec![("config.toml", "not [toml")], LayoutKind::Native),
            (vec![], LayoutKind::Native),
        ];
        for (files, expected) in cases {
            let dir = site(&files);
            assert_eq!(detect(dir.path()), expected, "{files:?}");
        }
    }

    #[test]
    fn contract_paths_per_layout() {
        let root = Path::new("/s");
        let jekyll = SiteLayout::defaults(root, LayoutKind::Jekyll);
        assert_eq!(
            jekyll.post_dirs,
            vec![root.join("_posts"), root.join("_drafts")]
        );
        assert_eq!(jekyll.avatar_dir, root.join("assets/avatars"));
        assert_eq!(jekyll.url_prefix, "/assets/avatars/");
        assert_eq!(jekyll.data_file, root.join("_data/avatars.json"));
        let hexo = SiteLayout::defaults(root, LayoutKind::Hexo);
        assert_eq!(hexo.comment_dir, root.join("source/_data/comments"));
        assert_eq!(hexo.avatar_dir, root.join("source/avatars"));
        assert_eq!(hexo.data_file, root.join("source/_data/avatars.json"));
        let native = SiteLayout::defaults(root, LayoutKind::Native);
        assert_eq!(native.avatar_dir, root.join("public/avatars"));
        assert_eq!(native.output_dir, Some(root.join("public")));
        let hugo = SiteLayout::defaults(root, LayoutKind::Hugo);
        assert_eq!(hugo.avatar_dir, root.join("static/avatars"));
        assert_eq!(hugo.output_dir, None);
    }

    #[test]
    fn every_path_can_be_overridden() {
        let site_config = SiteConfig {
            layout: LayoutChoice::Hugo,
            post_dirs: Some(vec!["posts".into()]),
            comment_dir: Some("comments".into()),
            avatar_dir: Some("static/img/faces".into()),
            url_prefix: Some("img/faces".into()),
            data_file: Some("data/faces.json".into()),
            output_dir: Some("out".into()),
            template_dir: Some("theme".into()),
            title: None,
        };
        let layout = SiteLayout::resolve(Path::new("/s"), &site_config);
        assert_eq!(layout.kind, LayoutKind::Hugo);
        assert_eq!(layout.post_dirs, vec![PathBuf::from("/s/posts")]);
        assert_eq!(layout.comment_dir, PathBuf::from("/s/comments"));
        assert_eq!(layout.avatar_dir, PathBuf::from("/s/static/img/faces"));
        assert_eq!(layout.url_prefix, "/img/faces/");
        assert_eq!(layout.data_file, PathBuf::from("/s/data/faces.json"));
        assert_eq!(layout.output_dir, Some(PathBuf::from("/s/out")));
        assert_eq!(layout.template_dir, Some(PathBuf::from("/s/theme")));
    }
}
