//! The one way this crate writes a file: through a temp file in the same directory, renamed
//! into place, so a reader (or the next build after a kill) sees the old file or the new one,
//! never half of one.

use std::io::{self, Write};
use std::path::{Path, PathBuf};

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
    if std::fs::read(path).is_ok_and(|existing| existing == bytes) {
        return Ok(false);
    }
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    replace_with(path, |file| file.write_all(bytes))?;
    Ok(true)
}

/// Replaces `path` (whose directory must exist) with what `write` puts in a temp file beside it.
/// The file keeps the permissions of the one it replaces, or gets rw-r--r--: a temp file is
/// private to its owner, and published files must stay readable by the web server.
pub(crate) fn replace_with(
    path: &Path,
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
        let permissions = std::fs::metadata(path)
            .map(|existing| existing.permissions())
            .unwrap_or_else(|_| std::fs::Permissions::from_mode(0o644));
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
