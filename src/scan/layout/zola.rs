//! Zola's rules: `config.toml` (or `zola.toml`) in TOML with `base_url`, which Zola requires;
//! fixed `content/` and `static/` folders, the output in `output_dir` (default `public`).

use std::path::Path;

use super::LayoutKind;
use super::config_file::{ConfigRead, get, read, string};
use super::detect::{Evidence, Strength};
use super::{Folders, root_join};

/// The config names Zola reads.
const CONFIG_NAMES: &[&str] = &["config.toml", "zola.toml"];

/// Zola's strongest sign in `root`.
pub(super) fn evidence(root: &Path, _notes: &mut Vec<String>) -> Option<Evidence> {
    for name in CONFIG_NAMES {
        // Hugo reports a broken config.toml; a broken zola.toml is still Zola's file.
        if let ConfigRead::Parsed(config) = read(root, name)
            && get(&config, "base_url").is_some()
        {
            return Some(Evidence::new(
                LayoutKind::Zola,
                Strength::Own,
                name,
                "base_url".to_owned(),
            ));
        }
    }
    root.join("zola.toml").is_file().then(|| {
        Evidence::new(
            LayoutKind::Zola,
            Strength::Own,
            "zola.toml",
            "Zola's own config file name".to_owned(),
        )
    })
}

/// Zola's folders.
pub(super) fn folders(root: &Path) -> Folders {
    let config = CONFIG_NAMES.iter().find_map(|name| match read(root, name) {
        ConfigRead::Parsed(config) => Some(config),
        _ => None,
    });
    let setting = |key| {
        config
            .as_ref()
            .and_then(|c| string(get(c, key)))
            .map(str::to_owned)
    };
    let (output, base) = (setting("output_dir"), setting("base_url"));
    Folders {
        post_dirs: vec![root.join("content")],
        data_dir: root.join("data"),
        avatar_dir: root.join("static/avatars"),
        url_prefix: super::under_base(base.as_deref(), "avatars"),
        static_dirs: vec![root.join("static")],
        publish_dir: root_join(root, output.as_deref().unwrap_or("public")),
        notes: Vec::new(),
        unpublished: Vec::new(),
        underscore_root: None,
    }
}
