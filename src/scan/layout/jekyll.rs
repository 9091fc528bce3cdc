//! Jekyll's rules: the first of `_config.yml`, `_config.yaml`, `_config.toml`; `source`
//! (default the site root) and `destination` (default `_site`) relative to the site root, where
//! `jekyll build` runs; `data_dir` (default `_data`) and `collections_dir` relative to `source`;
//! posts in `<collections_dir>/_posts` and `_drafts`, each collection in
//! `<collections_dir>/_<name>`. Jekyll publishes every file of `source` not starting with `_`
//! or `.`, so avatars go to `assets/avatars/` there.

use std::path::Path;

use serde_json::Value;

use super::LayoutKind;
use super::config_file::{ConfigRead, first_key, get, read, string};
use super::detect::{Evidence, Strength};
use super::{Folders, root_join};
use crate::error::{Error, Result};

/// Jekyll's config names, in the order Jekyll looks for them.
const CONFIG_NAMES: &[&str] = &["_config.yml", "_config.yaml", "_config.toml"];
/// Keys Jekyll reads and Hexo does not.
const JEKYLL_ONLY_KEYS: &[&str] = &[
    "source",
    "destination",
    "collections",
    "collections_dir",
    "data_dir",
    "layouts_dir",
    "includes_dir",
    "plugins_dir",
    // Not `plugins`: Hexo reads it too, and Hexo blogs that committed no package.json list
    // `plugins: [hexo-generator-feed]` as that plugin's README said (seen on real blogs).
    "gems",
    "kramdown",
    "sass",
    "remote_theme",
    "baseurl",
    "defaults",
    "safe",
    "keep_files",
    "incremental",
    "liquid",
    "whitelist",
    "highlighter",
    "excerpt_separator",
    "markdown_ext",
    "show_drafts",
];

/// The config file Jekyll would read.
fn config_name(root: &Path) -> Option<&'static str> {
    CONFIG_NAMES
        .iter()
        .copied()
        .find(|name| root.join(name).is_file())
}

/// Whether the site's `Gemfile` brings in Jekyll (directly or through `github-pages`).
fn gemfile_requires_jekyll(root: &Path) -> bool {
    std::fs::read_to_string(root.join("Gemfile")).is_ok_and(|text| {
        text.lines().any(|line| {
            let line = line.trim_start();
            line.starts_with("gem")
                && [
                    "\"jekyll\"",
                    "'jekyll'",
                    "\"github-pages\"",
                    "'github-pages'",
                ]
                .iter()
                .any(|name| line.contains(name))
        })
    })
}

/// Jekyll's strongest sign in `root`.
pub(super) fn evidence(root: &Path, notes: &mut Vec<String>) -> Option<Evidence> {
    if gemfile_requires_jekyll(root) {
        return Some(Evidence::new(
            LayoutKind::Jekyll,
            Strength::Own,
            "Gemfile",
            "requires jekyll".to_owned(),
        ));
    }
    let name = config_name(root)?;
    let sign =
        |strength, reason: String| Some(Evidence::new(LayoutKind::Jekyll, strength, name, reason));
    let config = match read(root, name) {
        ConfigRead::Parsed(config) => config,
        ConfigRead::Invalid(why) => {
            notes.push(why);
            return sign(Strength::ConfigOnly, "Jekyll's config file name".to_owned());
        }
        ConfigRead::Missing => return None,
    };
    if let Some(key) = first_key(&config, JEKYLL_ONLY_KEYS) {
        return sign(Strength::Keys, format!("{key}, a Jekyll setting"));
    }
    if root.join("_posts").is_dir() {
        return sign(Strength::Folders, "_posts/ beside it".to_owned());
    }
    sign(Strength::ConfigOnly, "Jekyll's config file name".to_owned())
}

/// Jekyll's folders. A `source` that does not exist (an earlier build step makes it) is a
/// usage error: scanning the wrong folder would find nobody and write beside the real site.
pub(super) fn folders(root: &Path) -> Result<Folders> {
    let mut notes = Vec::new();
    let name = config_name(root);
    let config = match name.map(|name| read(root, name)) {
        Some(ConfigRead::Parsed(config)) => config,
        Some(ConfigRead::Invalid(why)) => {
            notes.push(format!("{why}; Jekyll's default folders used"));
            Value::Null
        }
        _ => Value::Null,
    };
    let source_setting = string(get(&config, "source"));
    let source = root_join(root, source_setting.unwrap_or("."));
    if let Some(setting) = source_setting
        && !source.is_dir()
    {
        return Err(Error::Usage(format!(
            "{} sets source: {setting}, but {} does not exist (if an earlier build step makes \
             it, run that step first)",
            name.unwrap_or("_config.yml"),
            source.display()
        )));
    }
    let in_source = |path: &str| root_join(&source, path);
    let collections_dir = in_source(string(get(&config, "collections_dir")).unwrap_or("."));
    let mut post_dirs = vec![
        collections_dir.join("_posts"),
        collections_dir.join("_drafts"),
    ];
    let names: Vec<&str> = match get(&config, "collections") {
        Some(Value::Object(map)) => map.keys().map(String::as_str).collect(),
        Some(Value::Array(list)) => list.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    };
    for collection in names.into_iter().filter(|n| *n != "posts" && !n.is_empty()) {
        post_dirs.push(collections_dir.join(format!("_{collection}")));
    }
    let static_dirs = if source == root_join(root, ".") {
        Vec::new()
    } else {
        vec![source.clone()]
    };
    // Plain `exclude` entries (globs are left to Jekyll) are folders it will not publish.
    let unpublished = match get(&config, "exclude") {
        Some(Value::Array(list)) => list
            .iter()
            .filter_map(Value::as_str)
            .map(|entry| entry.trim().trim_end_matches('/'))
            .filter(|entry| !entry.is_empty() && !entry.contains(['*', '?', '[', '{']))
            .map(|entry| {
                let why = format!("{} excludes {entry}", name.unwrap_or("_config.yml"));
                (in_source(entry), why)
            })
            .collect(),
        _ => Vec::new(),
    };
    Ok(Folders {
        post_dirs,
        data_dir: in_source(string(get(&config, "data_dir")).unwrap_or("_data")),
        avatar_dir: in_source("assets/avatars"),
        url_prefix: super::under_base(string(get(&config, "baseurl")), "assets/avatars"),
        static_dirs,
        publish_dir: root_join(root, string(get(&config, "destination")).unwrap_or("_site")),
        notes,
        unpublished,
        underscore_root: Some(source),
    })
}
