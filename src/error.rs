//! Library errors. Each names the file or URL it is about, so a CI log line is enough to act on.
//!
//! Only failures that stop a whole command are errors; a bad comment file or a dead avatar server
//! is a warning or an outcome in the report, never an `Err`.

use std::path::PathBuf;

/// A config file that cannot be used: exit code 2.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file exists (or was named) but cannot be read.
    #[error("cannot read config {}: {source}", path.display())]
    Read {
        /// The config file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The file is not valid: unknown key, wrong type, value out of range.
    #[error("invalid config {}: {message}", path.display())]
    Invalid {
        /// The config file.
        path: PathBuf,
        /// What is wrong, with the key (and line where known).
        message: String,
    },
}

/// A failure that stops a command: exit code 1 (or 2 for [`Error::Config`] and [`Error::Usage`]).
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Bad config: exit 2.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// Bad usage that the argument parser cannot see: exit 2.
    #[error("{0}")]
    Usage(String),
    /// The folder holds no site: no generator's config and no `content/`. Exit 2, and nothing
    /// is written.
    #[error(
        "no site found in {} (looked for {looked_for}){}; if it is a site, set [site] layout in \
         blog-avatars.toml",
        dir.display(),
        notes.iter().map(|note| format!("; {note}")).collect::<String>()
    )]
    NoSite {
        /// The folder.
        dir: std::path::PathBuf,
        /// The files and folders looked for.
        looked_for: String,
        /// Candidate files that could not be read, and why.
        notes: Vec<String>,
    },
    /// A file or directory the command needs cannot be read or written.
    #[error("{}: {source}", path.display())]
    Io {
        /// The path involved.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
}

impl Error {
    /// Wraps an I/O error with the path it concerns.
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Self::Io {
            path: path.into(),
            source,
        }
    }

    /// The process exit code this error maps to (see the contract).
    pub fn exit_code(&self) -> i32 {
        match self {
            Self::Config(_) | Self::Usage(_) => 2,
            Self::NoSite { .. } => 2,
            Self::Io { .. } => 1,
        }
    }
}

/// Result alias for the library.
pub type Result<T, E = Error> = std::result::Result<T, E>;
