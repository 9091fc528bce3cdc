//! The identity enum the stages pass along: one validated, normalised value per commenter.
//!
//! The payloads are the strings the [`identity`](super::identity) types produced (their
//! `into_string`), so the chain and the data file keep reading plain text.

use std::fmt;

use serde::Serialize;

/// The kind of an identity, as printed by `scan`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum IdentityKind {
    /// An email address.
    Email,
    /// A Gravatar hash (MD5 or SHA-256 hex).
    Hash,
    /// A QQ number.
    Qq,
    /// A GitHub user name.
    Github,
    /// An explicit avatar URL.
    Url,
    /// An image inside the site.
    File,
}

impl IdentityKind {
    /// Lower-case name as in the scan JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Email => "email",
            Self::Hash => "hash",
            Self::Qq => "qq",
            Self::Github => "github",
            Self::Url => "url",
            Self::File => "file",
        }
    }
}

/// A validated, normalised identity. Equal identities are the same commenter for the build.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Identity {
    /// Trimmed, lower-cased address; `qq` is set for `digits@qq.com`.
    Email {
        /// The normalised address.
        address: String,
        /// The QQ number of a `digits@qq.com` address.
        qq: Option<String>,
    },
    /// Lower-case hex, 32 digits (MD5) or 64 (SHA-256).
    Hash(String),
    /// 5–11 digits, no leading zero.
    Qq(String),
    /// A GitHub login, lower-cased (GitHub logins are case-insensitive).
    Github(String),
    /// An absolute http(s) URL.
    Url(String),
    /// A path relative to the site root, `/`-separated, with no `..`.
    File(String),
}

impl Identity {
    /// The kind.
    pub fn kind(&self) -> IdentityKind {
        match self {
            Self::Email { .. } => IdentityKind::Email,
            Self::Hash(_) => IdentityKind::Hash,
            Self::Qq(_) => IdentityKind::Qq,
            Self::Github(_) => IdentityKind::Github,
            Self::Url(_) => IdentityKind::Url,
            Self::File(_) => IdentityKind::File,
        }
    }

    /// The normalised value.
    pub fn value(&self) -> &str {
        match self {
            Self::Email { address, .. } => address,
            Self::Hash(value)
            | Self::Qq(value)
            | Self::Github(value)
            | Self::Url(value)
            | Self::File(value) => value,
        }
    }
}

impl fmt::Display for Identity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.kind().as_str(), self.value())
    }
}
