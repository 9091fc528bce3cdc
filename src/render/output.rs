//! The output directory: rendered pages, copies of the site's static files, and a manifest of
//! both, so that the next render removes what it no longer produces (a deleted post's page must
//! not stay online). Only files named in the manifest are ever removed: the avatars and anything
//! else in the directory are left alone.

use std::collections::BTreeSet;
use std::path::{Component, Path, PathBuf};

use crate::error::{Error, Result};
use crate::files::write_atomic;
use crate::model::Warning;
use crate::scan::SiteLayout;

/// Lists, one per line, the files the last render wrote (relative, `/`-separated).
pub const MANIFEST: &str = ".blog-avatars-rendered";

/// Files of one render, relative to the output directory.
#[derive(Debug)]
pub struct Output {
    dir: PathBuf,
    produced: BTreeSet<String>,
    /// The output folder with symlinks resolved: no write or delete may leave it.
    real: PathBuf,
}

impl Output {
    /// An output directory; `pages` are the pages this render will write.
    pub fn new(dir: &Path, pages: impl IntoIterator<Item = String>) -> Self {
        Self {
            dir: dir.to_path_buf(),
            produced: pages.into_iter().collect(),
            real: crate::scan::published::normalise(dir),
        }
    }

    /// Fails unless the output folder itself lies inside `site` once symlinks are resolved.
    pub fn check_inside(&self, site: &Path) -> Result<()> {
        crate::publish::ensure_within(&crate::scan::published::normalise(site), &self.dir)
    }

    /// The absolute path of `relative`, refused when a symlinked folder would take it out of
    /// the output folder.
    pub fn path(&self, relative: &str) -> Result<PathBuf> {
        let path = self.dir.join(relative);
        crate::publish::ensure_within(&self.real, &path)?;
        Ok(path)
    }

    /// Copies the files of the site's static directories (images the posts show, a favicon)
    /// into the output, keeping their paths. Hidden files, symlinks and anything under `private`
    /// (uploaded avatars named by email, comment data) stay behind; a file at the path of a page
    /// is skipped with a warning.
    pub fn copy_static(
        &mut self,
        layout: &SiteLayout,
        private: &[PathBuf],
        warnings: &mut Vec<Warning>,
    ) -> Result<()> {
        for dir in layout.static_dirs.iter().filter(|dir| dir.is_dir()) {
            let walker = crate::files::walk_visible_except(dir, |e| {
                private.iter().any(|p| e.path().starts_with(p))
            });
            for entry in walker {
                let entry = entry.map_err(|e| {
                    let path = e.path().unwrap_or(dir).to_path_buf();
                    Error::io(path, std::io::Error::other(e.to_string()))
                })?;
                if !entry.file_type().is_file() || entry.path().starts_with(&self.dir) {
                    continue;
                }
                let relative = relative(entry.path(), dir);
                if self.produced.contains(&relative) {
                    warnings.push(Warning {
                        path: layout.relative(entry.path()),
                        line: None,
                        message: format!("`{relative}` is a rendered page; static file skipped"),
                    });
                    continue;
                }
                let bytes = std::fs::read(entry.path()).map_err(|e| Error::io(entry.path(), e))?;
                write_atomic(&self.path(&relative)?, &bytes)?;
                self.produced.insert(relative);
            }
        }
        Ok(())
    }

    /// Removes the files the previous render listed and this one did not produce (and the
    /// directories that leaves empty), then writes the new manifest. Returns what was removed.
    pub fn finish(self) -> Result<Vec<String>> {
        let manifest = self.dir.join(MANIFEST);
        let previous = std::fs::read_to_string(&manifest).unwrap_or_default();
        let mut removed = Vec::new();
        for line in previous.lines() {
            if self.produced.contains(line) || !is_plain_relative(line) {
                continue;
            }
            let path = self.dir.join(line);
            crate::publish::ensure_within(&self.real, &path)?;
            match std::fs::remove_file(&path) {
                Ok(()) => removed.push(line.to_owned()),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => return Err(Error::io(path, e)),
            }
            // Directories the removal emptied go too; a non-empty one stops the climb.
            let mut parent = path.parent();
            while let Some(dir) = parent.filter(|d| *d != self.dir && d.starts_with(&self.dir)) {
                if std::fs::remove_dir(dir).is_err() {
                    break;
                }
                parent = dir.parent();
            }
        }
        let mut list = String::new();
        for path in &self.produced {
            list.push_str(path);
            list.push('\n');
        }
        write_atomic(&manifest, list.as_bytes())?;
        Ok(removed)
    }
}

/// `path` relative to `dir`, `/`-separated.
fn relative(path: &Path, dir: &Path) -> String {
    path.strip_prefix(dir)
        .unwrap_or(path)
        .components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

/// Only plain relative paths from a manifest are acted on, so a tampered manifest cannot make
/// the render delete anything outside the output directory.
fn is_plain_relative(line: &str) -> bool {
    !line.is_empty()
        && Path::new(line)
            .components()
            .all(|c| matches!(c, Component::Normal(_)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prunes_only_what_it_wrote_before() {
        let temp = tempfile::tempdir().unwrap();
        let dir = temp.path().join("public");
        for file in [
            "old/index.html",
            "kept/index.html",
            "avatars/a.webp",
            "mine.txt",
        ] {
            let path = dir.join(file);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, "x").unwrap();
        }
        std::fs::write(temp.path().join("outside.txt"), "x").unwrap();
        std::fs::write(
            dir.join(MANIFEST),
            "old/index.html\nkept/index.html\n../outside.txt\n/etc/hostname\n\n",
        )
        .unwrap();
        let output = Output::new(&dir, ["kept/index.html".to_owned()]);
        assert_eq!(output.finish().unwrap(), ["old/index.html"]);
        assert!(!dir.join("old").exists(), "emptied directory left behind");
        assert!(dir.join("kept/index.html").exists());
        assert!(dir.join("avatars/a.webp").exists());
        assert!(dir.join("mine.txt").exists());
        assert!(temp.path().join("outside.txt").exists());
        assert_eq!(
            std::fs::read_to_string(dir.join(MANIFEST)).unwrap(),
            "kept/index.html\n"
        );
    }
}
