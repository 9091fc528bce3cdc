//! The two identities that are places rather than people: an avatar URL and a path in the site.

use std::fmt;

use super::identity::shorten;

/// An absolute http(s) avatar URL with a host, as the `url` crate writes it; a protocol-relative
/// `//host/...` is taken as https.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct AvatarUrl(String);

identity_string!(AvatarUrl, InvalidAvatarUrl);

/// Why a value is not an avatar URL.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InvalidAvatarUrl {
    /// No scheme at all: a path, perhaps.
    #[error("`{}` is not a URL", shorten(.value))]
    NotAUrl {
        /// The value as given.
        value: String,
    },
    /// A scheme other than http or https (`file:`, `javascript:`, ...).
    #[error("`{}`: only http and https avatar URLs are used, not {}:", shorten(.value), shorten(.scheme))]
    Scheme {
        /// The value as given.
        value: String,
        /// Its scheme, lower-cased.
        scheme: String,
    },
    /// http(s), but no host or not parseable.
    #[error("`{}` is not a valid URL", shorten(.value))]
    Malformed {
        /// The value as given.
        value: String,
    },
}

impl AvatarUrl {
    /// Accepts `http:`/`https:` URLs with a host, and `//host/...` as https.
    pub fn parse(s: &str) -> Result<Self, InvalidAvatarUrl> {
        if s.starts_with("//") {
            return Self::parse(&format!("https:{s}"));
        }
        let value = || s.to_owned();
        let lower = s.to_ascii_lowercase();
        let scheme = lower
            .split_once(':')
            .map(|(scheme, _)| scheme)
            .filter(|scheme| {
                scheme.len() > 1
                    && scheme
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
            })
            .ok_or_else(|| InvalidAvatarUrl::NotAUrl { value: value() })?;
        if scheme != "http" && scheme != "https" {
            return Err(InvalidAvatarUrl::Scheme {
                value: value(),
                scheme: scheme.to_owned(),
            });
        }
        match url::Url::parse(s) {
            Ok(url) if url.host_str().is_some_and(|h| !h.is_empty()) => Ok(Self(url.to_string())),
            _ => Err(InvalidAvatarUrl::Malformed { value: value() }),
        }
    }
}

/// A path relative to the site root, `/`-separated, with no `..`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SitePath(String);

identity_string!(SitePath, InvalidSitePath);

/// Why a value is not a path inside the site.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{}`: the path escapes the site or is not a plain path, and is refused", shorten(.value))]
pub struct InvalidSitePath {
    /// The value as given.
    pub value: String,
}

impl SitePath {
    /// Normalises a site path: `\` to `/`, a leading `/` means the site root, `.` dropped.
    /// Refused: any `..`, a UNC/drive prefix that would take it outside the site, control
    /// characters, a part with surrounding spaces (normalising must give a value that reads back
    /// as itself), or nothing left.
    pub fn parse(s: &str) -> Result<Self, InvalidSitePath> {
        let refused = || InvalidSitePath {
            value: s.to_owned(),
        };
        let unified = s.replace('\\', "/");
        if unified.starts_with("//") || unified.contains(char::is_control) {
            return Err(refused());
        }
        let mut parts = Vec::new();
        for part in unified.split('/') {
            match part {
                "" | "." => {}
                ".." => return Err(refused()),
                // A colon in the first part is a drive (`/C:/x` joined onto the site root on
                // Windows is `C:\x`) or a scheme, a `~` a home directory, wherever `/` or `.`
                // put them first; found by fuzzing.
                other if parts.is_empty() && (other.contains(':') || other.starts_with('~')) => {
                    return Err(refused());
                }
                other if other.trim() != other => return Err(refused()),
                other => parts.push(other),
            }
        }
        if parts.is_empty() {
            return Err(refused());
        }
        Ok(Self(parts.join("/")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn avatar_urls() {
        let url = |s: &str| AvatarUrl::parse(s).map(AvatarUrl::into_string);
        assert_eq!(
            url("//wx.qlogo.cn/mmopen/x/132"),
            Ok("https://wx.qlogo.cn/mmopen/x/132".into())
        );
        assert_eq!(url("HTTP://Example.org"), Ok("http://example.org/".into()));
        assert!(matches!(
            AvatarUrl::parse("javascript:alert(1)"),
            Err(InvalidAvatarUrl::Scheme { scheme, .. }) if scheme == "javascript"
        ));
        assert!(matches!(
            AvatarUrl::parse("http://"),
            Err(InvalidAvatarUrl::Malformed { .. })
        ));
        for path in ["images/me.png", "C:\\x.png", "/a:b"] {
            assert!(
                matches!(
                    AvatarUrl::parse(path),
                    Err(InvalidAvatarUrl::NotAUrl { .. })
                ),
                "{path}"
            );
        }
    }

    #[test]
    fn site_paths() {
        let path = |s: &str| SitePath::parse(s).map(SitePath::into_string).ok();
        assert_eq!(path("/images/./me.png"), Some("images/me.png".into()));
        assert_eq!(path("images\\me.png"), Some("images/me.png".into()));
        for bad in [
            "../secret.png",
            "images/../../x.png",
            "\\\\server\\share\\x.png",
            "/C:/Windows/win.ini",
            "./~/.ssh/id_rsa",
            "/\nimages/me.png",
            "/ me.png",
            "/./",
        ] {
            assert_eq!(path(bad), None, "{bad:?}");
        }
        assert!(
            SitePath::parse("../x")
                .unwrap_err()
                .to_string()
                .contains("escapes the site")
        );
    }
}
