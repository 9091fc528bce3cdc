//! What each generator publishes, so that the files naming people (uploads called
//! `<email>.png`, the cache listing Gravatar URLs, the data file keyed by email) stay out of it.
//!
//! | layout | published |
//! |---|---|
//! | jekyll | the source folder, except names starting with `_` or `.` (unless in `include`) and `exclude`; and `destination` (`_site`) |
//! | hexo | `source_dir` except names starting with `_` or `.`; and `public_dir` |
//! | hugo | the static dirs; and `publishDir` (`public`) |
//! | zola | `static/`; and `output_dir` (`public`) |
//! | native | the output (`public/`) and the static dirs copied into it |
//!
//! The folders come from the layout, which read the generator's own config (one reader for every
//! key, in any letter case where the generator allows it); only Jekyll's `include` is read here.

use std::path::{Component, Path, PathBuf};

use super::{LayoutKind, SiteLayout};
use crate::config::{Config, LocalConfig};
use crate::model::Warning;

/// `[local] dir` when the config does not say: a folder no generator publishes.
pub const DEFAULT_LOCAL_DIR: &str = "_avatars";
/// The old default, inside what Jekyll publishes; still used while it holds files.
pub const LEGACY_LOCAL_DIR: &str = "avatars";

/// Where `[local] dir` is for this site: as configured (relative to the site), else the old
/// default `avatars/` while it still holds files (see [`local_dir_notice`]), else `_avatars/`.
pub fn local_dir(layout: &SiteLayout, local: &LocalConfig) -> PathBuf {
    match &local.dir {
        Some(dir) => layout.root.join(dir),
        None if holds_files(&layout.root.join(LEGACY_LOCAL_DIR)) => {
            layout.root.join(LEGACY_LOCAL_DIR)
        }
        None => layout.root.join(DEFAULT_LOCAL_DIR),
    }
}

/// The warning that uploads are read from the old default folder, and how to move them.
pub fn local_dir_notice(layout: &SiteLayout, local: &LocalConfig) -> Option<Warning> {
    let legacy = layout.root.join(LEGACY_LOCAL_DIR);
    (local.dir.is_none() && holds_files(&legacy)).then(|| Warning {
        path: format!("{LEGACY_LOCAL_DIR}/"),
        line: None,
        message: format!(
            "uploads are read from `{LEGACY_LOCAL_DIR}/`, the old default [local] dir; move them \
             to `{DEFAULT_LOCAL_DIR}/` (`mv {LEGACY_LOCAL_DIR} {DEFAULT_LOCAL_DIR}`), the new \
             default that no generator publishes, or set [local] dir"
        ),
    })
}

fn holds_files(dir: &Path) -> bool {
    std::fs::read_dir(dir).is_ok_and(|mut entries| {
        entries.any(|e| e.is_ok_and(|e| e.file_type().is_ok_and(|t| t.is_file())))
    })
}

/// One folder the generator publishes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tree {
    /// The folder.
    pub dir: PathBuf,
    /// Names starting with `_` or `.` are not published (Jekyll, Hexo), except these.
    pub skips_hidden: bool,
    /// Relative paths published although hidden (Jekyll `include`).
    pub include: Vec<String>,
    /// Relative paths not published (Jekyll `exclude`).
    pub exclude: Vec<String>,
    /// What it is, for messages.
    pub what: String,
}

impl Tree {
    fn all(dir: PathBuf, what: impl Into<String>) -> Self {
        Self {
            dir,
            skips_hidden: false,
            include: Vec::new(),
            exclude: Vec::new(),
            what: what.into(),
        }
    }

    /// Whether `path` (absolute, normalised) is published through this tree.
    fn publishes(&self, path: &Path) -> bool {
        let Ok(relative) = path.strip_prefix(normalise(&self.dir)) else {
            return false;
        };
        let names: Vec<String> = relative
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect();
        let listed = |list: &[String]| {
            list.iter().any(|entry| {
                let entry: Vec<&str> = entry.trim_matches('/').split('/').collect();
                !entry.is_empty()
                    && names.len() >= entry.len()
                    && entry
                        .iter()
                        .zip(&names)
                        .all(|(pattern, name)| wildcard(pattern, name))
            })
        };
        if listed(&self.exclude) {
            return false;
        }
        if self.skips_hidden && !listed(&self.include) {
            return !names.iter().any(|n| n.starts_with(['_', '.']));
        }
        true
    }
}

/// The folders `layout`'s generator publishes, from what the layout read of its config.
pub fn published_trees(layout: &SiteLayout) -> Vec<Tree> {
    let source = layout.source_dir.as_ref();
    // A source folder (Jekyll, Hexo) is published by its own rule, not copied whole.
    let mut trees: Vec<Tree> = layout
        .static_dirs
        .iter()
        .filter(|dir| Some(*dir) != source)
        .map(|dir| Tree::all(dir.clone(), "a static folder the generator copies"))
        .collect();
    if let Some(source) = source {
        let include = match layout.kind {
            LayoutKind::Jekyll => jekyll_include(&layout.root),
            LayoutKind::Hexo => hexo_include(&layout.root),
            _ => Vec::new(),
        };
        trees.push(Tree {
            dir: source.clone(),
            skips_hidden: true,
            include,
            exclude: layout
                .excluded
                .iter()
                .filter_map(|dir| dir.strip_prefix(source).ok())
                .map(|dir| dir.to_string_lossy().into_owned())
                .collect(),
            what: format!(
                "the {} source (every name not starting with `_` or `.`)",
                layout.kind
            ),
        });
    }
    let (output, what) = match &layout.output_dir {
        Some(dir) => (dir.clone(), "the rendered blog"),
        None => (layout.publish_dir.clone(), "the generator's output"),
    };
    trees.push(Tree::all(output, what));
    trees.dedup();
    trees
}

/// The published tree `path` lies in, if any.
pub fn published_tree<'a>(trees: &'a [Tree], path: &Path) -> Option<&'a Tree> {
    let path = normalise(path);
    trees.iter().find(|tree| tree.publishes(&path))
}

/// A warning for each private path (`[local] dir`, the cache, the data file) that lies inside
/// something the generator publishes. `--strict` turns them into exit code 3.
pub fn exposure_warnings(layout: &SiteLayout, config: &Config) -> Vec<Warning> {
    let trees = published_trees(layout);
    let cache = config.cache_dir(&layout.root);
    let private = [
        (
            local_dir(layout, &config.local),
            "[local] dir",
            "uploads there are named by email address or QQ number",
        ),
        (
            cache,
            "the cache ([http] cache_dir)",
            "its index lists Gravatar URLs with email hashes and QQ numbers",
        ),
        (
            layout.data_file.clone(),
            "the data file",
            "it is keyed by email address and QQ number",
        ),
    ];
    private
        .into_iter()
        .filter_map(|(path, what, why)| {
            let tree = published_tree(&trees, &path)?;
            Some(Warning {
                path: layout.relative(&path),
                line: None,
                message: format!(
                    "{what} lies inside what the {} layout publishes ({}: {}); {why}: move it \
                     out of there",
                    layout.kind,
                    Some(layout.relative(&tree.dir))
                        .filter(|r| !r.is_empty())
                        .unwrap_or_else(|| ".".to_owned()),
                    tree.what
                ),
            })
        })
        .collect()
}

/// Jekyll's `include`: names starting with `_` or `.` that it publishes all the same; and the
/// collections it writes out (`_posts`, and each with `output: true`), whose static files, such
/// as images, it copies into the site.
fn jekyll_include(root: &Path) -> Vec<String> {
    for file in ["_config.yml", "_config.yaml", "_config.toml"] {
        let Ok(text) = std::fs::read_to_string(root.join(file)) else {
            continue;
        };
        let value: Option<serde_json::Value> = if file.ends_with(".toml") {
            toml::from_str(&text).ok()
        } else {
            serde_saphyr::from_str(&text).ok()
        };
        let Some(value) = value else {
            return vec!["_posts".to_owned()];
        };
        let mut include: Vec<String> = match value.get("include") {
            Some(serde_json::Value::Array(items)) => items
                .iter()
                .filter_map(|i| i.as_str().map(str::to_owned))
                .collect(),
            _ => Vec::new(),
        };
        let collections_dir = value
            .get("collections_dir")
            .and_then(|d| d.as_str())
            .unwrap_or("")
            .trim_matches('/');
        let in_collections = |name: &str| {
            if collections_dir.is_empty() || collections_dir == "." {
                format!("_{name}")
            } else {
                format!("{collections_dir}/_{name}")
            }
        };
        include.push(in_collections("posts"));
        if let Some(serde_json::Value::Object(collections)) = value.get("collections") {
            for (name, settings) in collections {
                let output = settings.get("output").and_then(serde_json::Value::as_bool);
                if output == Some(true) || name == "posts" {
                    include.push(in_collections(name));
                }
            }
        }
        return include;
    }
    vec!["_posts".to_owned()]
}

/// Hexo's `include`: globs (`_avatars/**`) of hidden names it processes and publishes all the
/// same. Each is cut at its first glob part, which is kept as one wildcard part (`**` as `*`,
/// classes and braces as `*`), so a folder is counted as published when files under it may be.
fn hexo_include(root: &Path) -> Vec<String> {
    let Ok(text) = std::fs::read_to_string(root.join("_config.yml")) else {
        return Vec::new();
    };
    let Ok(value) = serde_saphyr::from_str::<serde_json::Value>(&text) else {
        return Vec::new();
    };
    let patterns: Vec<&str> = match value.get("include") {
        Some(serde_json::Value::String(one)) => vec![one.as_str()],
        Some(serde_json::Value::Array(items)) => {
            items.iter().filter_map(serde_json::Value::as_str).collect()
        }
        _ => Vec::new(),
    };
    patterns
        .into_iter()
        .map(|pattern| {
            let mut kept = Vec::new();
            for part in pattern.trim_start_matches("./").split('/') {
                if part.contains(['[', '{']) || part == "**" {
                    kept.push("*");
                    break;
                }
                kept.push(part);
                if part.contains(['*', '?']) {
                    break;
                }
            }
            // A trailing `*` or `**` stands for what is inside the folder before it.
            if kept.len() > 1 && kept.last() == Some(&"*") {
                kept.pop();
            }
            kept.join("/")
        })
        .filter(|entry| !entry.is_empty())
        .collect()
}

/// Whether `name` matches the one-part glob `pattern` (`*` any run, `?` one character).
fn wildcard(pattern: &str, name: &str) -> bool {
    let (pattern, name): (Vec<char>, Vec<char>) =
        (pattern.chars().collect(), name.chars().collect());
    // The classic two-pointer match with backtracking to the last `*`.
    let (mut p, mut n, mut star, mut mark) = (0, 0, None, 0);
    while n < name.len() {
        if p < pattern.len() && (pattern[p] == '?' || pattern[p] == name[n]) {
            p += 1;
            n += 1;
        } else if p < pattern.len() && pattern[p] == '*' {
            star = Some(p);
            mark = n;
            p += 1;
        } else if let Some(s) = star {
            p = s + 1;
            mark += 1;
            n = mark;
        } else {
            return false;
        }
    }
    pattern[p..].iter().all(|c| *c == '*')
}

/// `path` with symlinks resolved as far as it exists, and `.`/`..` removed lexically beyond.
pub fn normalise(path: &Path) -> PathBuf {
    // Absolute first: a relative path whose folders do not exist yet (`assets/avatars` under
    // `build .`) would otherwise come back relative and never lie "within" the resolved site.
    let path = &std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let mut existing = path.to_path_buf();
    let mut rest = Vec::new();
    loop {
        if let Ok(real) = existing.canonicalize() {
            let mut out = real;
            for part in rest.iter().rev() {
                out.push(part);
            }
            return lexical(&out);
        }
        match (existing.file_name(), existing.parent()) {
            (Some(name), Some(parent)) => {
                rest.push(name.to_owned());
                existing = parent.to_path_buf();
            }
            _ => return lexical(path),
        }
    }
}

fn lexical(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

#[cfg(test)]
mod tests;
