//! Identities as validated types, each with its one validator.
//!
//! `parse` is the only way in: a value of these types has been checked and normalised (trimmed,
//! lower-cased where the kind is case-insensitive), so two equal values are the same commenter.
//! Every stage that must know whether text is an email, a hash, a QQ number or a GitHub login
//! asks here (identify, the `url` command, the upload page, `rewrite`).

use std::fmt;

use super::provider_options::HashAlgo;

/// Writes the parts every identity type shares: `as_str`, `into_string`, `Display`,
/// `AsRef<str>`, `FromStr` (the validator) and serde as a plain string (validated on the way in).
macro_rules! identity_string {
    ($name:ident, $error:ident) => {
        impl $name {
            /// The normalised value.
            pub fn as_str(&self) -> &str {
                &self.0
            }

            /// The normalised value, owned.
            pub fn into_string(self) -> String {
                self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        impl std::str::FromStr for $name {
            type Err = $error;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Self::parse(s)
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(&self.0)
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let text = String::deserialize(deserializer)?;
                Self::parse(&text).map_err(serde::de::Error::custom)
            }
        }
    };
}

/// An identity type with a one-line error that names the value and says what it is not.
macro_rules! simple_identity {
    ($name:ident, $error:ident) => {
        identity_string!($name, $error);

        /// Why a value is not this kind of identity; names the value (shortened).
        #[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
        #[error("`{}` is not {}", shorten(&.value), $name::WHAT)]
        pub struct $error {
            /// The value as given.
            pub value: String,
        }

        impl $error {
            fn new(value: &str) -> Self {
                Self {
                    value: value.to_owned(),
                }
            }
        }
    };
}

/// Whether `s` is exactly the hex digest of `algo`: 32 hex digits for MD5, 64 for SHA-256
/// (either case). The one hex check of the crate.
pub fn is_hex_digest(s: &str, algo: HashAlgo) -> bool {
    let len = match algo {
        HashAlgo::Md5 => 32,
        HashAlgo::Sha256 => 64,
    };
    s.len() == len && s.bytes().all(|b| b.is_ascii_hexdigit())
}

/// A Gravatar (or Libravatar) hash: 32 (MD5) or 64 (SHA-256) hex digits, lower-cased.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct GravatarHash(String);

simple_identity!(GravatarHash, InvalidGravatarHash);

impl GravatarHash {
    const WHAT: &'static str = "a Gravatar hash (32 or 64 hex digits)";

    /// Accepts an MD5 or SHA-256 hex digest in any case, surrounding spaces ignored.
    pub fn parse(s: &str) -> Result<Self, InvalidGravatarHash> {
        let value = s.trim();
        if is_hex_digest(value, HashAlgo::Md5) || is_hex_digest(value, HashAlgo::Sha256) {
            Ok(Self(value.to_ascii_lowercase()))
        } else {
            Err(InvalidGravatarHash::new(s))
        }
    }

    /// The algorithm that made it, by length.
    pub fn algo(&self) -> HashAlgo {
        if self.0.len() == 32 {
            HashAlgo::Md5
        } else {
            HashAlgo::Sha256
        }
    }
}

/// An email address, trimmed and lower-cased (how Gravatar hashes it, and how commenters are
/// told apart).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Email(String);

simple_identity!(Email, InvalidEmail);

impl Email {
    const WHAT: &'static str = "an email address";

    /// A pragmatic address check: one `@`, a plausible local part and a dotted domain. It
    /// refuses what is clearly not an address (names, URLs, phone numbers) without rejecting
    /// real, unusual ones. Surrounding spaces are ignored.
    pub fn parse(s: &str) -> Result<Self, InvalidEmail> {
        let value = s.trim();
        if is_email(value) {
            Ok(Self(value.to_lowercase()))
        } else {
            Err(InvalidEmail::new(s))
        }
    }

    /// The QQ number of a `<digits>@qq.com` address, when the digits are a QQ number.
    pub fn qq_number(&self) -> Option<QqNumber> {
        let local = self.0.strip_suffix("@qq.com")?;
        QqNumber::parse(local).ok()
    }
}

fn is_email(value: &str) -> bool {
    if value.len() > 254 || value.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return false;
    }
    let Some((local, domain)) = value.split_once('@') else {
        return false;
    };
    let local_ok = !local.is_empty()
        && local.len() <= 64
        && !local.starts_with('.')
        && !local.ends_with('.')
        && !local.contains("..")
        && !local.chars().any(|c| "@<>()[]\\,;:\"".contains(c));
    let labels: Vec<&str> = domain.split('.').collect();
    let domain_ok = labels.len() >= 2
        && labels.iter().all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label.chars().all(|c| c.is_alphanumeric() || c == '-')
        });
    local_ok && domain_ok
}

/// A QQ number: 5–11 ASCII digits, no leading zero.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct QqNumber(String);

simple_identity!(QqNumber, InvalidQqNumber);

impl QqNumber {
    const WHAT: &'static str = "a QQ number (5 to 11 digits, no leading zero)";

    /// Accepts exactly the digits: no spaces, signs or full-width digits.
    pub fn parse(s: &str) -> Result<Self, InvalidQqNumber> {
        let valid = (5..=11).contains(&s.len())
            && !s.starts_with('0')
            && s.bytes().all(|b| b.is_ascii_digit());
        if valid {
            Ok(Self(s.to_owned()))
        } else {
            Err(InvalidQqNumber::new(s))
        }
    }
}

/// A GitHub user name, lower-cased (GitHub logins are case-insensitive).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct GithubLogin(String);

simple_identity!(GithubLogin, InvalidGithubLogin);

/// Longest GitHub user name.
pub const MAX_GITHUB_LOGIN_LEN: usize = 39;

impl GithubLogin {
    const WHAT: &'static str = "a GitHub user name";

    /// GitHub's rules for user names: 1–39 ASCII letters, digits and single hyphens, neither
    /// starting nor ending with a hyphen. Exactly the name: no `@`, no profile URL.
    pub fn parse(s: &str) -> Result<Self, InvalidGithubLogin> {
        let valid = (1..=MAX_GITHUB_LOGIN_LEN).contains(&s.len())
            && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
            && !s.starts_with('-')
            && !s.ends_with('-')
            && !s.contains("--");
        if valid {
            Ok(Self(s.to_ascii_lowercase()))
        } else {
            Err(InvalidGithubLogin::new(s))
        }
    }
}

/// Long hostile values are cut in messages so one warning stays one readable line.
pub fn shorten(value: &str) -> String {
    const MAX: usize = 80;
    if value.chars().count() <= MAX {
        value.to_owned()
    } else {
        let head: String = value.chars().take(MAX).collect();
        format!("{head}…")
    }
}

#[cfg(test)]
#[path = "identity_tests.rs"]
mod tests;
