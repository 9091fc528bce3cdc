//! Local avatars: files uploaded to `[local] dir` and `avatar` paths inside the site.
//!
//! Nothing outside the site is ever read: names with path separators are ignored, and a file
//! that resolves (through symlinks) to a place outside the site directory is refused.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use crate::scan::SiteLayout;

/// Extensions of uploaded avatars, in order of preference when several exist for one name.
pub const UPLOAD_EXTENSIONS: &[&str] = &["png", "jpg", "jpeg", "gif", "webp"];

/// The uploads directory, indexed once per run by lower-cased file stem.
#[derive(Debug, Default)]
pub struct Uploads {
    by_name: HashMap<String, PathBuf>,
}

impl Uploads {
    /// Lists `dir` (a missing directory is simply empty). Files resolving outside `site_root`
    /// are left out.
    pub fn index(dir: &Path, site_root: &Path) -> Self {
        let mut by_name: HashMap<String, (usize, PathBuf)> = HashMap::new();
        let Ok(entries) = std::fs::read_dir(dir) else {
            return Self::default();
        };
        for entry in entries.flatten() {
            let path = entry.path();
            let (Some(stem), Some(extension)) = (
                path.file_stem().and_then(|s| s.to_str()),
                path.extension().and_then(|e| e.to_str()),
            ) else {
                continue;
            };
            let extension = extension.to_ascii_lowercase();
            let Some(rank) = UPLOAD_EXTENSIONS.iter().position(|e| *e == extension) else {
                continue;
            };
            if !path.is_file() || inside(&path, site_root).is_err() {
                continue;
            }
            let key = stem.to_lowercase();
            let better = by_name.get(&key).is_none_or(|(best, _)| rank < *best);
            if better {
                by_name.insert(key, (rank, path));
            }
        }
        Self {
            by_name: by_name
                .into_iter()
                .map(|(key, (_, path))| (key, path))
                .collect(),
        }
    }

    /// The first upload named after one of `names` (emails, QQ numbers, GitHub logins).
    pub fn find(&self, names: &[&str]) -> Option<&Path> {
        names
            .iter()
            .filter(|name| !name.contains(['/', '\\']) && !name.starts_with('.'))
            .find_map(|name| self.by_name.get(&name.to_lowercase()))
            .map(PathBuf::as_path)
    }

    /// Number of uploads found.
    pub fn len(&self) -> usize {
        self.by_name.len()
    }

    /// True when there are none.
    pub fn is_empty(&self) -> bool {
        self.by_name.is_empty()
    }
}

/// Finds an `avatar` path (already normalised, relative to the site root) in the site root or
/// the layout's static directories. `Err` is a warning for the blog owner.
pub fn find_site_file(layout: &SiteLayout, relative: &str) -> Result<PathBuf, String> {
    let candidates =
        std::iter::once(&layout.root).chain(layout.static_dirs.iter().filter(|d| d.is_dir()));
    for base in candidates {
        let path = base.join(relative);
        if path.is_file() {
            return inside(&path, &layout.root).map(|()| path);
        }
    }
    Err(format!(
        "avatar file `{relative}` not found in the site (paths are taken from the site root; \
         nothing outside the site is read)"
    ))
}

/// `Ok` when `path` (after resolving symlinks) lies inside `root`.
fn inside(path: &Path, root: &Path) -> Result<(), String> {
    let (Ok(real), Ok(real_root)) = (path.canonicalize(), root.canonicalize()) else {
        return Err(format!("{}: cannot resolve the path", path.display()));
    };
    if real.starts_with(&real_root) {
        Ok(())
    } else {
        Err(format!(
            "{} leads outside the site (symlink); refused",
            path.display()
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::SiteConfig;

    #[test]
    fn uploads_by_name_case_insensitive_with_extension_preference() {
        let site = tempfile::tempdir().unwrap();
        let dir = site.path().join("avatars");
        std::fs::create_dir_all(&dir).unwrap();
        for name in [
            "Ada@Example.org.JPG",
            "ada@example.org.png",
            "12345.webp",
            "notes.txt",
        ] {
            std::fs::write(dir.join(name), b"x").unwrap();
        }
        let uploads = Uploads::index(&dir, site.path());
        assert_eq!(uploads.len(), 2);
        assert_eq!(
            uploads
                .find(&["ada@example.org"])
                .unwrap()
                .file_name()
                .unwrap(),
            "ada@example.org.png"
        );
        assert!(uploads.find(&["nobody", "12345"]).is_some());
        assert!(uploads.find(&["../avatars/12345"]).is_none());
        assert!(Uploads::index(&site.path().join("missing"), site.path()).is_empty());
    }

    #[cfg(unix)]
    #[test]
    fn symlinks_out_of_the_site_are_refused() {
        let outside = tempfile::tempdir().unwrap();
        std::fs::write(outside.path().join("secret.png"), b"x").unwrap();
        let site = tempfile::tempdir().unwrap();
        let root = site.path().canonicalize().unwrap();
        std::fs::create_dir_all(root.join("avatars")).unwrap();
        std::os::unix::fs::symlink(
            outside.path().join("secret.png"),
            root.join("avatars/ada@example.org.png"),
        )
        .unwrap();
        std::os::unix::fs::symlink(outside.path().join("secret.png"), root.join("me.png")).unwrap();
        assert!(Uploads::index(&root.join("avatars"), &root).is_empty());
        let layout = SiteLayout::resolve(&root, &SiteConfig::default());
        let error = find_site_file(&layout, "me.png").unwrap_err();
        assert!(error.contains("outside the site"), "{error}");
        std::fs::create_dir_all(root.join("static/img")).unwrap();
        std::fs::write(root.join("static/img/ok.png"), b"x").unwrap();
        assert_eq!(
            find_site_file(&layout, "img/ok.png").unwrap(),
            root.join("static/img/ok.png")
        );
        assert!(
            find_site_file(&layout, "etc/passwd")
                .unwrap_err()
                .contains("not found")
        );
    }
}
