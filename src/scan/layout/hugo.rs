//! Hugo's rules: `hugo.{toml,yaml,yml,json}` (Hugo ≥ 0.110) or `config.*` at the root, and the
//! `config/_default/` directory; keys in any letter case, as Hugo lowercases them; folders from
//! `contentDir`, `dataDir`, `staticDir` (a string or a list, plus `staticDir0`…`staticDir10`),
//! `publishDir`, and each language's `contentDir` under `languages`. The root file wins over
//! `config/_default/` for a key both set, as Hugo merges the directory in only for keys the root
//! file lacks. Per-key files of the directory (`languages.toml`, `params.toml`) are not read.

use std::path::Path;

use serde_json::Value;

use super::LayoutKind;
use super::config_file::{ConfigRead, get, get_any_case, read, string};
use super::detect::{Evidence, Strength};
use super::{Folders, root_join};

/// Hugo's own config names, in Hugo's order of precedence.
const OWN_NAMES: &[&str] = &["hugo.toml", "hugo.yaml", "hugo.yml", "hugo.json"];
/// The names Hugo read before 0.110 and still reads; Zola (TOML) and others use them too.
const LEGACY_NAMES: &[&str] = &["config.toml", "config.yaml", "config.yml", "config.json"];
/// Hugo's config directory for every environment.
const CONFIG_DIR: &str = "config/_default";
/// Keys no other supported generator reads (compared in any case).
const HUGO_ONLY_KEYS: &[&str] = &[
    "languageCode",
    "defaultContentLanguage",
    "contentDir",
    "dataDir",
    "staticDir",
    "publishDir",
    "layoutDir",
    "themesDir",
    "archetypeDir",
    "assetDir",
    "paginate",
    "pagination",
    "permalinks",
    "params",
    "menu",
    "menus",
    "markup",
    "outputs",
    "outputFormats",
    "enableRobotsTXT",
    "disableKinds",
    "googleAnalytics",
    "summaryLength",
    "module",
    "enableEmoji",
    "buildDrafts",
    "relativeURLs",
    "canonifyURLs",
    "hasCJKLanguage",
    "enableGitInfo",
];

/// The first root config file Hugo would read.
fn root_file(root: &Path) -> Option<&'static str> {
    OWN_NAMES
        .iter()
        .chain(LEGACY_NAMES)
        .copied()
        .find(|name| root.join(name).is_file())
}

/// The main file of `config/_default/`, if any; `Some(None)` when the folder holds only
/// per-key files (`params.toml`, `menus.en.toml`).
fn config_dir_file(root: &Path) -> Option<Option<String>> {
    let dir = root.join(CONFIG_DIR);
    if !dir.is_dir() {
        return None;
    }
    let main = OWN_NAMES
        .iter()
        .chain(LEGACY_NAMES)
        .map(|name| format!("{CONFIG_DIR}/{name}"))
        .find(|path| root.join(path).is_file());
    if main.is_some() {
        return Some(main);
    }
    let any_config = std::fs::read_dir(&dir).ok()?.flatten().any(|entry| {
        let name = entry.file_name().to_string_lossy().to_ascii_lowercase();
        [".toml", ".yaml", ".yml", ".json"]
            .iter()
            .any(|ext| name.ends_with(ext))
    });
    any_config.then_some(None)
}

/// Hugo's strongest sign in `root`.
pub(super) fn evidence(root: &Path, notes: &mut Vec<String>) -> Option<Evidence> {
    let own = |file: &str, reason: &str| {
        Some(Evidence::new(
            LayoutKind::Hugo,
            Strength::Own,
            file,
            reason.to_owned(),
        ))
    };
    if let Some(name) = OWN_NAMES.iter().find(|name| root.join(name).is_file()) {
        return own(name, "Hugo's own config file name");
    }
    if let Some(main) = config_dir_file(root) {
        let file = main.unwrap_or_else(|| format!("{CONFIG_DIR}/"));
        return own(&file, "Hugo's config directory");
    }
    // Hugo reads the first of config.toml, config.yaml, config.json it finds.
    let name = LEGACY_NAMES.iter().find(|name| root.join(name).is_file())?;
    let config = match read(root, name) {
        ConfigRead::Parsed(config) => config,
        ConfigRead::Invalid(why) => {
            notes.push(why);
            return None;
        }
        ConfigRead::Missing => return None,
    };
    let sign =
        |strength, reason: String| Some(Evidence::new(LayoutKind::Hugo, strength, name, reason));
    if let Some((key, _)) = get_any_case(&config, "baseURL") {
        return sign(Strength::Own, key.to_owned());
    }
    if let Some((key, _)) = HUGO_ONLY_KEYS
        .iter()
        .find_map(|key| get_any_case(&config, key))
    {
        return sign(Strength::Keys, format!("{key}, a Hugo setting"));
    }
    if let Some(dir) = ["archetypes", "layouts"]
        .iter()
        .find(|dir| root.join(dir).is_dir())
    {
        return sign(Strength::Folders, format!("Hugo's {dir}/ beside it"));
    }
    // Zola refuses a config without `base_url`, so a title or theme beside content/ is Hugo's.
    let zola = get(&config, "base_url").is_some();
    if let Some((key, _)) = ["title", "theme"]
        .iter()
        .find_map(|key| get_any_case(&config, key))
        .filter(|_| !zola && root.join("content").is_dir())
    {
        return sign(
            Strength::ConfigOnly,
            format!("{key} and content/ beside it"),
        );
    }
    None
}

/// Hugo's folders, from its config (defaults where a key is absent).
pub(super) fn folders(root: &Path) -> Folders {
    let mut notes = Vec::new();
    let mut configs: Vec<Value> = Vec::new();
    let files = root_file(root)
        .map(str::to_owned)
        .into_iter()
        .chain(config_dir_file(root).flatten());
    for file in files {
        match read(root, &file) {
            ConfigRead::Parsed(config) => configs.push(config),
            ConfigRead::Invalid(why) => notes.push(format!("{why}; Hugo's default folders used")),
            ConfigRead::Missing => {}
        }
    }
    configs.extend(super::hugo_mounts::per_key_files(root, &mut notes));
    let lookup = |key: &str| {
        configs
            .iter()
            .find_map(|c| get_any_case(c, key).map(|(_, v)| v))
    };
    let dir = |key: &str, default: &str| root_join(root, string(lookup(key)).unwrap_or(default));
    let mut static_dirs = Vec::new();
    match lookup("staticDir") {
        Some(Value::Array(list)) => static_dirs.extend(
            list.iter()
                .filter_map(|v| string(Some(v)))
                .map(|d| root_join(root, d)),
        ),
        other => static_dirs.push(root_join(root, string(other).unwrap_or("static"))),
    }
    for n in 0..=10 {
        if let Some(extra) = string(lookup(&format!("staticDir{n}"))) {
            static_dirs.push(root_join(root, extra));
        }
    }
    let mounts = super::hugo_mounts::mounts(root, lookup("module"));
    if !mounts.statics.is_empty() {
        static_dirs = mounts.statics;
    }
    if static_dirs.is_empty() {
        static_dirs.push(root.join("static"));
    }
    // Mounts onto a folder under `static` publish their source folders as well.
    for source in &mounts.static_subdirs {
        if !static_dirs.contains(source) {
            static_dirs.push(source.clone());
        }
    }
    // A multilingual site may keep each language's content in its own folder.
    let mut post_dirs = if mounts.content.is_empty() {
        vec![dir("contentDir", "content")]
    } else {
        mounts.content
    };
    if let Some(Value::Object(languages)) = lookup("languages") {
        for language in languages.values() {
            if let Some(content) = string(get_any_case(language, "contentDir").map(|(_, v)| v)) {
                let content = root_join(root, content);
                if !post_dirs.iter().any(|known| content.starts_with(known)) {
                    post_dirs.push(content);
                }
            }
        }
    }
    Folders {
        post_dirs,
        data_dir: mounts
            .data
            .into_iter()
            .next()
            .unwrap_or_else(|| dir("dataDir", "data")),
        // The first static dir: Hugo copies every static dir into the output.
        avatar_dir: static_dirs[0].join("avatars"),
        url_prefix: super::under_base(string(lookup("baseURL")), "avatars"),
        static_dirs,
        publish_dir: dir("publishDir", "public"),
        notes,
        unpublished: Vec::new(),
        underscore_root: None,
    }
}
