//! Hexo's rules: a `package.json` with Hexo's `hexo` field (what `hexo init` writes and Hexo
//! checks) or a `hexo` dependency, or a `_config.yml` with Hexo's own keys; `source_dir`
//! (default `source`) and `public_dir` (default `public`). Hexo renders every page under
//! `source_dir` except `_`-prefixed folders other than `_posts`, so a site with pages only is
//! still Hexo and its pages are scanned too.

use std::path::Path;

use serde_json::Value;

use super::LayoutKind;
use super::config_file::{ConfigRead, first_key, get, read, string};
use super::detect::{Evidence, Strength};
use super::{Folders, root_join};

/// The config names Hexo reads.
const CONFIG_NAMES: &[&str] = &["_config.yml", "_config.yaml", "_config.json"];
/// Keys Hexo reads and Jekyll does not.
const HEXO_ONLY_KEYS: &[&str] = &[
    "source_dir",
    "public_dir",
    "new_post_name",
    "tag_dir",
    "archive_dir",
    "category_dir",
    "code_dir",
    "i18n_dir",
    "skip_render",
    "default_layout",
    "titlecase",
    "external_link",
    "filename_case",
    "render_drafts",
    "post_asset_folder",
    "relative_link",
    "index_generator",
    "default_category",
    "category_map",
    "tag_map",
    "date_format",
    "time_format",
    "updated_option",
    "per_page",
    "pagination_dir",
    "deploy",
    "meta_generator",
    "permalink_defaults",
    "pretty_urls",
    "syntax_highlighter",
    "theme_config",
];

fn config(root: &Path, notes: &mut Vec<String>) -> Option<(&'static str, Value)> {
    let name = CONFIG_NAMES
        .iter()
        .copied()
        .find(|name| root.join(name).is_file())?;
    match read(root, name) {
        ConfigRead::Parsed(config) => Some((name, config)),
        ConfigRead::Invalid(why) => {
            notes.push(why);
            None
        }
        ConfigRead::Missing => None,
    }
}

/// Why `package.json` says Hexo, if it does.
fn package_says_hexo(root: &Path) -> Option<&'static str> {
    let text = std::fs::read_to_string(root.join("package.json")).ok()?;
    let package: Value = serde_json::from_str(&text).ok()?;
    if package.get("hexo").is_some_and(Value::is_object) {
        return Some("has Hexo's \"hexo\" field");
    }
    ["dependencies", "devDependencies"]
        .iter()
        .any(|deps| package.get(deps).and_then(|d| d.get("hexo")).is_some())
        .then_some("depends on hexo")
}

/// Hexo's strongest sign in `root`.
pub(super) fn evidence(root: &Path, _notes: &mut Vec<String>) -> Option<Evidence> {
    if let Some(why) = package_says_hexo(root) {
        return Some(Evidence::new(
            LayoutKind::Hexo,
            Strength::Own,
            "package.json",
            why.to_owned(),
        ));
    }
    // Jekyll reads the same file; it reports a broken one.
    let (name, config) = config(root, &mut Vec::new())?;
    let sign =
        |strength, reason: String| Some(Evidence::new(LayoutKind::Hexo, strength, name, reason));
    if let Some(key) = first_key(&config, HEXO_ONLY_KEYS) {
        return sign(Strength::Keys, format!("{key}, a Hexo setting"));
    }
    let source = string(get(&config, "source_dir")).unwrap_or("source");
    if root_join(root, source).join("_posts").is_dir() {
        return sign(Strength::Folders, format!("{source}/_posts/ beside it"));
    }
    None
}

/// Hexo's folders.
pub(super) fn folders(root: &Path) -> Folders {
    let mut notes = Vec::new();
    let config = match config(root, &mut notes) {
        Some((_, config)) => config,
        None => Value::Null,
    };
    let notes = notes
        .into_iter()
        .map(|why| format!("{why}; Hexo's default folders used"))
        .collect();
    let source = root_join(root, string(get(&config, "source_dir")).unwrap_or("source"));
    Folders {
        // Posts and pages: Hexo renders every Markdown file under source_dir.
        post_dirs: vec![source.clone()],
        data_dir: source.join("_data"),
        avatar_dir: source.join("avatars"),
        url_prefix: super::under_base(string(get(&config, "root")), "avatars"),
        static_dirs: vec![source.clone()],
        publish_dir: root_join(root, string(get(&config, "public_dir")).unwrap_or("public")),
        notes,
        unpublished: Vec::new(),
        underscore_root: Some(source),
    }
}
