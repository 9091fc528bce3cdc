//! Hugo's `module.mounts` of the project itself, as Docsy-based and multilingual sites use them
//! (`source = "content/en", target = "content"`). Hugo drops its default mount of a target root
//! (`content`, `data`, `static`) as soon as the project mounts anything onto that root, so the
//! folders must come from the mounts: otherwise avatars land in a `static/` Hugo no longer
//! publishes and the data file in a `data/` its templates no longer see. Also the per-key files
//! of `config/_default/` that hold folders (`module.toml`, `languages.toml`), which Hugo merges
//! in as the value of that key.

use std::path::{Path, PathBuf};

use serde_json::{Map, Value};

use super::config_file::{ConfigRead, get_any_case, read, string};
use super::root_join;

/// Per-key files of Hugo's config directory that can move folders.
const FOLDER_KEYS: &[&str] = &["module", "languages"];

/// `config/_default/<key>.{toml,yaml,yml,json}` for the keys that move folders, each read as
/// `{key: value}` so the caller looks keys up in it like in a main config file.
pub(super) fn per_key_files(root: &Path, notes: &mut Vec<String>) -> Vec<Value> {
    let mut configs = Vec::new();
    for key in FOLDER_KEYS {
        let found = ["toml", "yaml", "yml", "json"]
            .iter()
            .map(|ext| format!("config/_default/{key}.{ext}"))
            .find(|file| root.join(file).is_file());
        let Some(file) = found else { continue };
        match read(root, &file) {
            ConfigRead::Parsed(value) => {
                configs.push(Value::Object(Map::from_iter([((*key).to_owned(), value)])));
            }
            ConfigRead::Invalid(why) => notes.push(format!("{why}; Hugo's default folders used")),
            ConfigRead::Missing => {}
        }
    }
    configs
}

/// The sources the project mounts onto each target root, in order.
#[derive(Debug, Default)]
pub(super) struct Mounts {
    /// Mounted onto `content` or a folder under it.
    pub content: Vec<PathBuf>,
    /// Mounted onto `data` itself (a mount under `data/` renames the data keys; not used).
    pub data: Vec<PathBuf>,
    /// Mounted onto `static` itself.
    pub statics: Vec<PathBuf>,
    /// Mounted onto a folder under `static` (`_avatars` onto `static/faces` is online under
    /// `/faces/`): published, though not where site-root paths start.
    pub static_subdirs: Vec<PathBuf>,
}

/// Reads `module.mounts` (keys in any case, as Hugo reads them) from the first config that has
/// a `module` key.
pub(super) fn mounts(root: &Path, module: Option<&Value>) -> Mounts {
    let mut found = Mounts::default();
    let Some(Value::Array(list)) = module
        .and_then(|m| get_any_case(m, "mounts"))
        .map(|(_, v)| v)
    else {
        return found;
    };
    for mount in list {
        let (Some(source), Some(target)) = (
            string(get_any_case(mount, "source").map(|(_, v)| v)),
            string(get_any_case(mount, "target").map(|(_, v)| v)),
        ) else {
            continue;
        };
        let target = target.trim_matches('/');
        let source = root_join(root, source);
        if target == "content" || target.starts_with("content/") {
            found.content.push(source);
        } else if target == "data" {
            found.data.push(source);
        } else if target == "static" {
            found.statics.push(source);
        } else if target.starts_with("static/") {
            found.static_subdirs.push(source);
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use crate::config::SiteConfig;
    use crate::scan::layout::SiteLayout;

    /// Docsy's `config/_default/module.yaml` (mounts in a per-key file, keys in another case)
    /// beside the main config: the folders come from the mounts, a `layouts` mount is ignored.
    #[test]
    fn mounts_in_the_config_dir_module_file_give_the_folders() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        let write = |path: &str, text: &str| {
            let full = root.join(path);
            std::fs::create_dir_all(full.parent().unwrap()).unwrap();
            std::fs::write(full, text).unwrap();
        };
        write(
            "config/_default/hugo.toml",
            "baseURL = \"https://x.example.org/\"\n",
        );
        write(
            "config/_default/module.yaml",
            "Mounts:\n  - Source: content/en\n    Target: content\n  - source: comments\n    \
             target: data\n  - source: layouts\n    target: layouts\n  - source: files\n    \
             target: /static/\n",
        );
        let layout = SiteLayout::open(root, &SiteConfig::default()).unwrap();
        assert_eq!(layout.post_dirs, vec![root.join("content/en")]);
        assert_eq!(layout.data_dir, root.join("comments"));
        assert_eq!(layout.data_file, root.join("comments/avatars.json"));
        assert_eq!(layout.avatar_dir, root.join("files/avatars"));
        assert_eq!(layout.static_dirs, vec![root.join("files")]);
    }

    /// Without mounts, the defaults stay.
    #[test]
    fn without_mounts_hugo_defaults_stay() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::write(
            root.join("hugo.toml"),
            "[module]\n[[module.imports]]\npath = \"x\"\n",
        )
        .unwrap();
        let layout = SiteLayout::open(root, &SiteConfig::default()).unwrap();
        assert_eq!(layout.post_dirs, vec![root.join("content")]);
        assert_eq!(layout.data_dir, root.join("data"));
        assert_eq!(layout.avatar_dir, root.join("static/avatars"));
    }
}
