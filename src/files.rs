//! The one way this crate writes a file: through a temp file in the same directory, renamed
//! into place, so a reader (or the next build after a kill) sees the old file or the new one,
//! never half of one. And the one way it lists a site's files ([`walk_visible`]), so that scan,
//! render and rewrite agree on what is there.

use std::ffi::OsStr;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use walkdir::{DirEntry, WalkDir};

use crate::error::{Error, Result};

/// Prefix of every temp file this crate writes; the next build sweeps leftovers by it
/// ([`crate::cache`]'s sweep).
pub(crate) const TEMP_PREFIX: &str = ".blog-avatars-";
/// Suffix of every temp file this crate writes (see [`TEMP_PREFIX`]).
pub(crate) const TEMP_SUFFIX: &str = ".tmp";

/// A failed atomic write: the file or directory involved and why.
#[derive(Debug)]
pub struct WriteError {
    /// The file (or its directory) that could not be written.
    pub path: PathBuf,
    /// The underlying error.
    pub source: io::Error,
}

impl From<WriteError> for Error {
    fn from(e: WriteError) -> Self {
        Error::io(e.path, e.source)
    }
}

/// Writes `bytes` to `path` atomically, creating its directory. Returns false (and writes
/// nothing) when the file already holds exactly these bytes, so an unchanged output keeps its
/// modification time.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<bool> {
    let existing = std::fs::read(path);
    if existing.as_ref().is_ok_and(|existing| *existing == bytes) {
        return Ok(false);
    }
    // A build writes tens of thousands of new files: the failed read already says there is
    // none, so neither its permissions nor its directory need asking about beforehand.
    let replaces = !matches!(&existing, Err(e) if e.kind() == io::ErrorKind::NotFound);
    let dir = path.parent().unwrap_or(Path::new("."));
    match replace(path, replaces, |file| file.write_all(bytes)) {
        // Only a missing directory stops the temp file (the path named is the directory).
        Err(e) if e.source.kind() == io::ErrorKind::NotFound && e.path == dir => {
            std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
            replace(path, replaces, |file| file.write_all(bytes))?;
        }
        written => written?,
    }
    Ok(true)
}

/// Replaces `path` (whose directory must exist) with what `write` puts in a temp file beside it.
/// The file keeps the permissions of the one it replaces, or gets rw-r--r--: a temp file is
/// private to its owner, and published files must stay readable by the web server.
pub(crate) fn replace_with(
    path: &Path,
    write: impl FnOnce(&mut std::fs::File) -> io::Result<()>,
) -> std::result::Result<(), WriteError> {
    replace(path, true, write)
}

/// [`replace_with`]; `replaces` false when `path` is known not to exist (its permissions are
/// then not looked up).
fn replace(
    path: &Path,
    replaces: bool,
    write: impl FnOnce(&mut std::fs::File) -> io::Result<()>,
) -> std::result::Result<(), WriteError> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let fail = |path: &Path| {
        let path = path.to_path_buf();
        move |source| WriteError { path, source }
    };
    let mut temp = tempfile::Builder::new()
        .prefix(TEMP_PREFIX)
        .suffix(TEMP_SUFFIX)
        .tempfile_in(dir)
        .map_err(fail(dir))?;
    // No fsync: the rename already makes a killed build harmless, and thousands of fsyncs would
    // dominate a build on slow disks.
    write(temp.as_file_mut()).map_err(fail(path))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let existing = replaces.then(|| std::fs::metadata(path).ok()).flatten();
        let permissions = existing.map_or_else(
            || std::fs::Permissions::from_mode(0o644),
            |existing| existing.permissions(),
        );
        temp.as_file()
            .set_permissions(permissions)
            .map_err(fail(path))?;
    }
    temp.persist(path).map_err(|e| WriteError {
        path: path.to_path_buf(),
        source: e.error,
    })?;
    Ok(())
}

/// Every entry under `dir` (itself first), in file-name order, without following symbolic links
/// (a link is listed as a link: Hugo and Jekyll's safe mode do not follow them either, and a
/// rewrite must never write outside `dir`), skipping hidden entries (`.git`, `.DS_Store`, ...)
/// and everything below a hidden folder. `dir` itself is walked whatever its name.
pub fn walk_visible(dir: &Path) -> impl Iterator<Item = walkdir::Result<DirEntry>> {
    walk_visible_except(dir, |_| false)
}

/// [`walk_visible`], also skipping the entries (and what is below them) that `skip` names.
pub fn walk_visible_except(
    dir: &Path,
    mut skip: impl FnMut(&DirEntry) -> bool,
) -> impl Iterator<Item = walkdir::Result<DirEntry>> {
    WalkDir::new(dir)
        .follow_links(false)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(move |entry| {
            entry.depth() == 0 || !(is_hidden(entry.file_name()) || skip(entry))
        })
}

/// Whether a file name starts with a dot (bytes, so a name that is not UTF-8 counts too).
pub fn is_hidden(name: &OsStr) -> bool {
    name.as_encoded_bytes().first() == Some(&b'.')
}

#[cfg(test)]
mod write_tests {
    use super::*;

    #[test]
    fn writes_into_missing_directories_and_skips_identical_bytes() {
        let temp = tempfile::tempdir().unwrap();
        let path = temp.path().join("x/y/z.webp");
        assert!(
            write_atomic(&path, b"one").unwrap(),
            "created with its directories"
        );
        assert!(
            !write_atomic(&path, b"one").unwrap(),
            "same bytes: not rewritten"
        );
        assert!(write_atomic(&path, b"two").unwrap());
        assert_eq!(std::fs::read(&path).unwrap(), b"two");
        let sibling = temp.path().join("x/y/w.webp");
        assert!(
            write_atomic(&sibling, b"three").unwrap(),
            "directory already there"
        );
        // A file where the directory should be: the error names the path, nothing is written.
        let blocked = temp.path().join("x/y/z.webp/inner.webp");
        let error = write_atomic(&blocked, b"four").unwrap_err().to_string();
        assert!(error.contains("z.webp"), "{error}");
        assert_eq!(std::fs::read(&path).unwrap(), b"two");
    }
}

#[cfg(test)]
mod walk_tests {
    use super::*;

    #[test]
    fn walks_sorted_skips_hidden_and_does_not_follow_links() {
        let temp = tempfile::tempdir().unwrap();
        let root = temp.path().join(".site");
        let write = |rel: &str| {
            let path = root.join(rel);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, b"x").unwrap();
        };
        for rel in ["b.md", "a/c.md", ".git/config", "a/.hidden.md", "a/.d/e.md"] {
            write(rel);
        }
        let outside = temp.path().join("outside");
        std::fs::create_dir_all(&outside).unwrap();
        std::fs::write(outside.join("secret.md"), b"x").unwrap();
        std::os::unix::fs::symlink(&outside, root.join("linked")).unwrap();
        let listed: Vec<(String, bool)> = walk_visible(&root)
            .map(|entry| {
                let entry = entry.unwrap();
                let rel = entry.path().strip_prefix(&root).unwrap();
                (rel.display().to_string(), entry.path_is_symlink())
            })
            .collect();
        let expected = [
            ("", false),
            ("a", false),
            ("a/c.md", false),
            ("b.md", false),
        ]
        .into_iter()
        .map(|(p, l)| (p.to_owned(), l))
        .chain([("linked".to_owned(), true)])
        .collect::<Vec<_>>();
        assert_eq!(listed, expected);
        assert!(is_hidden(OsStr::new(".x")) && !is_hidden(OsStr::new("x.")));
    }
}
