//! Site layout: which generator a site is for, and so where posts, data files, avatars and the
//! data file live, and which folder the generator publishes. Each generator's own rules are in
//! its own file ([`hugo`], [`jekyll`], [`hexo`], [`zola`]); [`detect`] picks between them. Every
//! path can be overridden in `[site]`.

mod config_file;
pub mod detect;
mod hexo;
mod hugo;
mod hugo_mounts;
mod jekyll;
mod outputs;
mod zola;

use std::fmt;
use std::path::{Component, Path, PathBuf};

use serde::Serialize;

use crate::config::{LayoutChoice, SiteConfig};
use crate::error::Result;
pub use detect::Detection;

/// A supported site layout.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum LayoutKind {
    /// Zola: `config.toml`/`zola.toml` with `base_url`.
    Zola,
    /// Hugo: `hugo.*`, `config.*` with `baseURL` (any case) or Hugo's keys, `config/_default/`.
    Hugo,
    /// Jekyll: `_config.{yml,yaml,toml}` (or a `Gemfile` with `jekyll`).
    Jekyll,
    /// Hexo: `package.json` with `hexo`, or `_config.yml` with Hexo's keys or `source/_posts/`.
    Hexo,
    /// No generator: blog-avatars renders the blog itself (configured, or `content/` alone).
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
    /// The generator's data folder (Hugo `dataDir`, Jekyll `data_dir`, Hexo `source/_data`).
    pub data_dir: PathBuf,
    /// The folder the generator publishes (Hugo `publishDir`, Jekyll `destination`, Hexo
    /// `public_dir`, Zola `output_dir`; native: the output dir). Nothing private goes in it.
    pub publish_dir: PathBuf,
    /// Jekyll's `source`, Hexo's `source_dir`: published, except names starting with `_` or `.`.
    pub source_dir: Option<PathBuf>,
    /// Folders inside the source that the generator's config excludes from publishing
    /// (Jekyll's plain `exclude` entries).
    pub excluded: Vec<PathBuf>,
    /// Which layout was chosen, from which file, and why.
    pub detection: Detection,
}

/// The folders a generator's rules give, before the `[site]` overrides; absolute.
#[derive(Debug, Clone)]
struct Folders {
    post_dirs: Vec<PathBuf>,
    data_dir: PathBuf,
    avatar_dir: PathBuf,
    /// The avatars' URL prefix, under the site's base path (Hugo and Zola `baseURL`/`base_url`,
    /// Jekyll `baseurl`, Hexo `root`): a blog served from `/blog/` publishes them there.
    url_prefix: String,
    static_dirs: Vec<PathBuf>,
    publish_dir: PathBuf,
    /// Problems reading the generator's config, told in the report.
    notes: Vec<String>,
    /// Folders the generator skips when publishing, and why (Jekyll's `exclude`).
    unpublished: Vec<(PathBuf, String)>,
    /// The folder whose `_`- and `.`-prefixed entries the generator does not publish (Jekyll's
    /// `source`, Hexo's `source_dir`).
    underscore_root: Option<PathBuf>,
}

/// `path` from the config, relative to `base` unless absolute, with `.` steps dropped.
fn root_join(base: &Path, path: &str) -> PathBuf {
    lexical(&base.join(path))
}

/// `path` with `.` removed and `..` applied, without touching the disk (the folder may not exist
/// yet), so that containment checks compare like with like.
fn lexical(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir
                if matches!(out.components().next_back(), Some(Component::Normal(_))) =>
            {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

fn native_folders(root: &Path) -> Folders {
    Folders {
        post_dirs: vec![root.join("content")],
        data_dir: root.join("data"),
        avatar_dir: root.join("public/avatars"),
        url_prefix: "/avatars/".to_owned(),
        static_dirs: vec![root.join("static")],
        publish_dir: root.join("public"),
        notes: Vec::new(),
        unpublished: Vec::new(),
        underscore_root: None,
    }
}

/// What the report says about the layout: the choice, its reason and the folders, relative to
/// the site.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LayoutSummary {
    /// The layout.
    pub layout: LayoutKind,
    /// The file that decided, if a file did.
    pub file: Option<String>,
    /// Why.
    pub reason: String,
    /// Folders of posts (and pages) scanned.
    pub post_dirs: Vec<String>,
    /// The generator's data folder.
    pub data_dir: String,
    /// Comment data files.
    pub comment_dir: String,
    /// Where avatars are written.
    pub avatar_dir: String,
    /// Their URL prefix.
    pub url_prefix: String,
    /// The data file for templates.
    pub data_file: String,
    /// The folder the generator publishes.
    pub publish_dir: String,
}

impl SiteLayout {
    /// Detects (or takes from `[site] layout`) the layout of `root` by the generator's own rules
    /// and applies the overrides. No site found, two generators equally likely, or a Jekyll
    /// `source` that does not exist: a usage error.
    pub fn open(root: &Path, site: &SiteConfig) -> Result<Self> {
        let detection = match site.layout {
            LayoutChoice::Auto => detect::detect(root)?,
            choice => {
                let layout = match choice {
                    LayoutChoice::Zola => LayoutKind::Zola,
                    LayoutChoice::Hugo => LayoutKind::Hugo,
                    LayoutChoice::Jekyll => LayoutKind::Jekyll,
                    LayoutChoice::Hexo => LayoutKind::Hexo,
                    LayoutChoice::Auto | LayoutChoice::Native => LayoutKind::Native,
                };
                Detection {
                    layout,
                    file: None,
                    reason: format!("[site] layout = \"{layout}\" in the config"),
                }
            }
        };
        let folders = match detection.layout {
            LayoutKind::Hugo => hugo::folders(root),
            LayoutKind::Jekyll => jekyll::folders(root)?,
            LayoutKind::Hexo => hexo::folders(root),
            LayoutKind::Zola => zola::folders(root),
            LayoutKind::Native => native_folders(root),
        };
        let unpublished = folders.unpublished.clone();
        let underscore_root = folders.underscore_root.clone();
        let mut layout = Self::from_folders(root, detection, folders);
        layout.apply(site);
        layout.check_avatars_published(&unpublished, underscore_root.as_deref())?;
        Ok(layout)
    }

    /// Like [`SiteLayout::open`], but where no layout can be found (as for `rewrite DIR`, which
    /// needs none) the native folders, with the reason in [`SiteLayout::detection`].
    pub fn resolve(root: &Path, site: &SiteConfig) -> Self {
        Self::open(root, site).unwrap_or_else(|error| {
            let detection = Detection {
                layout: LayoutKind::Native,
                file: None,
                reason: format!("no generator layout: {error}"),
            };
            let mut layout = Self::from_folders(root, detection, native_folders(root));
            layout.apply(site);
            layout
        })
    }

    fn from_folders(root: &Path, mut detection: Detection, folders: Folders) -> Self {
        for note in &folders.notes {
            detection.reason.push_str("; ");
            detection.reason.push_str(note);
        }
        let native = detection.layout == LayoutKind::Native;
        Self {
            kind: detection.layout,
            root: root.to_path_buf(),
            post_dirs: folders.post_dirs,
            comment_dir: folders.data_dir.join("comments"),
            avatar_dir: folders.avatar_dir,
            url_prefix: folders.url_prefix,
            data_file: folders.data_dir.join("avatars.json"),
            output_dir: native.then(|| folders.publish_dir.clone()),
            template_dir: native.then(|| root.join("templates")),
            static_dirs: folders.static_dirs,
            data_dir: folders.data_dir,
            publish_dir: folders.publish_dir,
            source_dir: folders.underscore_root,
            excluded: folders
                .unpublished
                .into_iter()
                .map(|(dir, _)| dir)
                .collect(),
            detection,
        }
    }

    /// The `[site]` overrides: they win over every generator's rules.
    fn apply(&mut self, site: &SiteConfig) {
        let root = self.root.clone();
        let join = |path: &PathBuf| lexical(&root.join(path));
        if let Some(dirs) = &site.post_dirs {
            self.post_dirs = dirs.iter().map(join).collect();
        }
        if let Some(dir) = &site.comment_dir {
            self.comment_dir = join(dir);
        }
        if let Some(dir) = &site.avatar_dir {
            self.avatar_dir = join(dir);
        }
        if let Some(prefix) = &site.url_prefix {
            self.url_prefix = with_slashes(prefix);
        }
        if let Some(file) = &site.data_file {
            self.data_file = join(file);
        }
        if let Some(dir) = &site.output_dir {
            self.output_dir = Some(join(dir));
            if self.kind == LayoutKind::Native {
                self.publish_dir = join(dir);
            }
        }
        if let Some(dir) = &site.template_dir {
            self.template_dir = Some(join(dir));
        }
    }

    /// The layout as the report shows it.
    pub fn summary(&self) -> LayoutSummary {
        let rel = |path: &Path| self.relative(path);
        LayoutSummary {
            layout: self.kind,
            file: self.detection.file.clone(),
            reason: self.detection.reason.clone(),
            post_dirs: self.post_dirs.iter().map(|d| rel(d)).collect(),
            data_dir: rel(&self.data_dir),
            comment_dir: rel(&self.comment_dir),
            avatar_dir: rel(&self.avatar_dir),
            url_prefix: self.url_prefix.clone(),
            data_file: rel(&self.data_file),
            publish_dir: rel(&self.publish_dir),
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

impl fmt::Display for LayoutSummary {
    /// `hugo (config.toml: baseurl); avatars in static/avatars/ as /avatars/, data file
    /// data/avatars.json, hugo publishes public/`
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.file {
            Some(file) => write!(f, "{} ({file}: {})", self.layout, self.reason)?,
            None => write!(f, "{} ({})", self.layout, self.reason)?,
        }
        write!(
            f,
            "; avatars in {}/ as {}, data file {}, {} publishes {}/",
            self.avatar_dir,
            self.url_prefix,
            self.data_file,
            if self.layout == LayoutKind::Native {
                "blog-avatars"
            } else {
                "the generator"
            },
            self.publish_dir
        )
    }
}

/// `/<base path>/<dir>/`: the path part of a base URL (`https://x.github.io/project/` or
/// `/blog`) followed by `dir`.
fn under_base(base: Option<&str>, dir: &str) -> String {
    let base = base.unwrap_or("");
    let path = match base.split_once("://") {
        Some((_, rest)) => rest.find('/').map_or("", |slash| &rest[slash..]),
        None => base,
    };
    let path = path.split(['?', '#']).next().unwrap_or("");
    with_slashes(&format!("{}/{dir}", path.trim_matches('/')))
}

fn with_slashes(prefix: &str) -> String {
    let trimmed = prefix.trim_matches('/');
    if trimmed.is_empty() {
        "/".to_owned()
    } else {
        format!("/{trimmed}/")
    }
}

#[cfg(test)]
mod tests;
