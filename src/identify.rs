//! Raw field values → validated [`Identity`] values.
//!
//! Scanning yields [`Mention`]s: a field kind and the text exactly as written. This stage decides
//! what each one is (an email, a Gravatar hash a comment system stored in an email field, a QQ
//! number, ...), normalises it for deduplication and hashing, and refuses what is not valid with a
//! message for the blog owner.

use std::fmt;

use serde::Serialize;

pub use crate::model::Source;
use crate::resolve::github::is_valid_login;
use crate::resolve::qq::is_valid_qq;

/// What kind of field a value came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FieldKind {
    /// `email`, `mail`, `author_email`, `e-mail`.
    Email,
    /// `gravatar`, `email_md5`, `email_hash`.
    Hash,
    /// `qq`.
    Qq,
    /// `github`.
    Github,
    /// `avatar`: a URL or a path inside the site.
    Avatar,
}

/// A raw, unvalidated value found in a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mention {
    /// The field it came from.
    pub kind: FieldKind,
    /// The value as written (integers rendered in decimal).
    pub raw: String,
    /// Where it was found.
    pub source: Source,
}

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

/// Why a raw value is not an identity; the message is shown to the blog owner.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct Invalid(pub String);

/// Validates and normalises one raw value. `Ok(None)` means "empty, nothing to do".
pub fn identify(kind: FieldKind, raw: &str) -> Result<Option<Identity>, Invalid> {
    // NexT's `social:` writes `link || icon`; no identity holds " || ".
    let value = raw.split(" || ").next().unwrap_or(raw).trim();
    if value.is_empty() {
        return Ok(None);
    }
    let shown = shorten(value);
    let identity = match kind {
        FieldKind::Email => {
            // Themes write `mailto:` links in email fields (`email: mailto:ada@example.org`).
            let value = strip_prefix_ignore_case(value, "mailto:").unwrap_or(value);
            if let Some(hash) = as_hash(value) {
                Identity::Hash(hash)
            } else if is_email(value) {
                let address = value.to_lowercase();
                let qq = qq_of_address(&address);
                Identity::Email { address, qq }
            } else {
                return Err(Invalid(format!("`{shown}` is not an email address")));
            }
        }
        FieldKind::Hash => match as_hash(value) {
            Some(hash) => Identity::Hash(hash),
            None => {
                return Err(Invalid(format!(
                    "`{shown}` is not a Gravatar hash (32 or 64 hex digits)"
                )));
            }
        },
        FieldKind::Qq => {
            if is_valid_qq(value) {
                Identity::Qq(value.to_owned())
            } else {
                return Err(Invalid(format!(
                    "`{shown}` is not a QQ number (5 to 11 digits, no leading zero)"
                )));
            }
        }
        FieldKind::Github => {
            let login = github_login(value);
            if is_valid_login(login) {
                Identity::Github(login.to_ascii_lowercase())
            } else {
                return Err(Invalid(format!("`{shown}` is not a GitHub user name")));
            }
        }
        FieldKind::Avatar => match avatar_identity(value) {
            Some(identity) => identity,
            None => avatar(value)?,
        },
    };
    Ok(Some(identity))
}

/// An `avatar` that holds an identity rather than an image (Hexo themes write
/// `avatar: 17450856@qq.com` and let the template ask Gravatar or QQ): an email (a
/// `digits@qq.com` one also a QQ number) or a Gravatar hash. A path such as `me@2x.png` or
/// `img/a@b.png` stays a path.
fn avatar_identity(value: &str) -> Option<Identity> {
    let value = strip_prefix_ignore_case(value, "mailto:").unwrap_or(value);
    if let Some(hash) = as_hash(value) {
        return Some(Identity::Hash(hash));
    }
    if value.contains(['/', '\\']) || looks_like_image(value) || !is_email(value) {
        return None;
    }
    let address = value.to_lowercase();
    let qq = qq_of_address(&address);
    Some(Identity::Email { address, qq })
}

/// Whether a file name ends in an image extension.
fn looks_like_image(name: &str) -> bool {
    name.rsplit('.').next().is_some_and(|extension| {
        IMAGE_EXTENSIONS.contains(&extension.to_ascii_lowercase().as_str())
    })
}

/// Endings that make an `x@y.ext` avatar value a file name, not an address.
const IMAGE_EXTENSIONS: &[&str] = &[
    "png", "jpg", "jpeg", "gif", "webp", "svg", "avif", "bmp", "ico", "jxl", "tif", "tiff",
];

/// A GitHub login as themes write it: `ada`, `@ada`, or the profile URL
/// `https://github.com/ada` (with or without scheme, `www.` or a trailing `/`).
fn github_login(value: &str) -> &str {
    let mut login = value;
    for scheme in ["https://", "http://"] {
        login = strip_prefix_ignore_case(login, scheme).unwrap_or(login);
    }
    login = strip_prefix_ignore_case(login, "www.").unwrap_or(login);
    if let Some(path) = strip_prefix_ignore_case(login, "github.com/") {
        login = path.strip_suffix('/').unwrap_or(path);
    }
    login.strip_prefix('@').unwrap_or(login)
}

fn strip_prefix_ignore_case<'v>(value: &'v str, prefix: &str) -> Option<&'v str> {
    value
        .get(..prefix.len())
        .filter(|head| head.eq_ignore_ascii_case(prefix))
        .map(|_| &value[prefix.len()..])
}

/// 32 or 64 hex digits, lower-cased.
fn as_hash(value: &str) -> Option<String> {
    ((value.len() == 32 || value.len() == 64) && value.bytes().all(|b| b.is_ascii_hexdigit()))
        .then(|| value.to_ascii_lowercase())
}

/// The QQ number of a `digits@qq.com` address (already lower-cased).
fn qq_of_address(address: &str) -> Option<String> {
    let local = address.strip_suffix("@qq.com")?;
    is_valid_qq(local).then(|| local.to_owned())
}

/// A pragmatic address check: one `@`, a plausible local part and a dotted domain. It refuses what
/// is clearly not an address (names, URLs, phone numbers) without rejecting real, unusual ones.
pub fn is_email(value: &str) -> bool {
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

/// An `avatar` value: an http(s) URL (protocol-relative taken as https) or a path in the site.
fn avatar(value: &str) -> Result<Identity, Invalid> {
    let shown = shorten(value);
    let lower = value.to_ascii_lowercase();
    if lower.starts_with("//") {
        return avatar(&format!("https:{value}"));
    }
    if let Some((scheme, _)) = lower.split_once(':') {
        let looks_like_scheme = scheme.len() > 1
            && scheme
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c));
        if looks_like_scheme {
            if scheme != "http" && scheme != "https" {
                return Err(Invalid(format!(
                    "`{shown}`: only http and https avatar URLs are used, not {}:",
                    shorten(scheme)
                )));
            }
            return match url::Url::parse(value) {
                Ok(url) if url.host_str().is_some_and(|h| !h.is_empty()) => {
                    Ok(Identity::Url(url.to_string()))
                }
                _ => Err(Invalid(format!("`{shown}` is not a valid URL"))),
            };
        }
        if scheme.len() == 1 {
            return Err(Invalid(format!(
                "`{shown}`: absolute paths are refused; give a path inside the site"
            )));
        }
    }
    let path = site_path(value).ok_or_else(|| {
        Invalid(format!(
            "`{shown}`: the path escapes the site or is not a plain path, and is refused"
        ))
    })?;
    // `/ada@example.org` normalises to what reads as an address: say so rather than guess.
    let identity_like = as_hash(&path).is_some() || (!looks_like_image(&path) && is_email(&path));
    if !path.contains('/') && identity_like {
        return Err(Invalid(format!(
            "`{shown}`: an address or a hash written as a path; write it without `/` or `.`, \
             or name the image with its extension"
        )));
    }
    Ok(Identity::File(path))
}

/// Normalises a site path: `\` to `/`, a leading `/` means the site root, `.` dropped. `None` if
/// any `..`, a UNC/drive prefix would take it outside the site, or if it holds control
/// characters or a part with surrounding spaces (normalising must give a value that reads back
/// as itself).
pub fn site_path(value: &str) -> Option<String> {
    let unified = value.replace('\\', "/");
    if unified.starts_with("//") || unified.contains(char::is_control) {
        return None;
    }
    let mut parts = Vec::new();
    for part in unified.split('/') {
        match part {
            "" | "." => {}
            ".." => return None,
            // A colon in the first part is a drive (`/C:/x` joined onto the site root on Windows
            // is `C:\x`) or a scheme, a `~` a home directory, wherever `/` or `.` put them
            // first; found by fuzzing.
            other if parts.is_empty() && (other.contains(':') || other.starts_with('~')) => {
                return None;
            }
            other if other.trim() != other => return None,
            other => parts.push(other),
        }
    }
    (!parts.is_empty()).then(|| parts.join("/"))
}

/// Long hostile values are cut in messages so one warning stays one readable line.
fn shorten(value: &str) -> String {
    const MAX: usize = 80;
    if value.chars().count() <= MAX {
        value.to_owned()
    } else {
        let head: String = value.chars().take(MAX).collect();
        format!("{head}…")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(kind: FieldKind, raw: &str) -> Identity {
        identify(kind, raw).unwrap().unwrap()
    }

    fn err(kind: FieldKind, raw: &str) -> String {
        identify(kind, raw).unwrap_err().0
    }

    #[test]
    fn emails_are_trimmed_and_lowercased() {
        assert_eq!(
            ok(FieldKind::Email, "  Ada@Example.ORG "),
            Identity::Email {
                address: "ada@example.org".into(),
                qq: None
            }
        );
    }

    #[test]
    fn qq_mail_is_both_email_and_qq_in_any_case() {
        assert_eq!(
            ok(FieldKind::Email, "12345678@QQ.com"),
            Identity::Email {
                address: "12345678@qq.com".into(),
                qq: Some("12345678".into())
            }
        );
        // Not a QQ number: leading zero.
        assert_eq!(
            ok(FieldKind::Email, "0123456@qq.com"),
            Identity::Email {
                address: "0123456@qq.com".into(),
                qq: None
            }
        );
    }

    #[test]
    fn hashes_in_email_fields_are_hashes() {
        let md5 = "0BC83CB571CD1C50BA6F3E8A78EF1346";
        assert_eq!(
            ok(FieldKind::Email, md5),
            Identity::Hash(md5.to_lowercase())
        );
        let sha = "a".repeat(64);
        assert_eq!(ok(FieldKind::Hash, &sha), Identity::Hash(sha.clone()));
        assert!(err(FieldKind::Hash, "abc").contains("not a Gravatar hash"));
    }

    #[test]
    fn non_addresses_are_refused() {
        for bad in [
            "ada",
            "ada@",
            "@example.org",
            "ada@localhost",
            "a b@example.org",
            "ada@@example.org",
            "ada@example..org",
            "ada@-example.org",
            "<script>@x.org",
            "https://example.org",
        ] {
            assert!(
                err(FieldKind::Email, bad).contains("not an email"),
                "{bad} accepted"
            );
        }
    }

    #[test]
    fn qq_numbers() {
        assert_eq!(ok(FieldKind::Qq, "10001"), Identity::Qq("10001".into()));
        assert_eq!(
            ok(FieldKind::Qq, "12345678901"),
            Identity::Qq("12345678901".into())
        );
        for bad in ["1234", "123456789012", "012345", "12a45", "-12345", "1e5"] {
            assert!(err(FieldKind::Qq, bad).contains("QQ"), "{bad}");
        }
    }

    #[test]
    fn github_logins() {
        assert_eq!(
            ok(FieldKind::Github, "@Octo-Cat"),
            Identity::Github("octo-cat".into())
        );
        for bad in ["-x", "x-", "a--b", "a_b", &"a".repeat(40), "a/b"] {
            assert!(err(FieldKind::Github, bad).contains("GitHub"), "{bad}");
        }
    }

    #[test]
    fn avatar_urls_and_paths() {
        assert_eq!(
            ok(FieldKind::Avatar, "https://tva1.sinaimg.cn/a.jpg"),
            Identity::Url("https://tva1.sinaimg.cn/a.jpg".into())
        );
        assert_eq!(
            ok(FieldKind::Avatar, "//wx.qlogo.cn/mmopen/x/132"),
            Identity::Url("https://wx.qlogo.cn/mmopen/x/132".into())
        );
        assert_eq!(
            ok(FieldKind::Avatar, "/images/./me.png"),
            Identity::File("images/me.png".into())
        );
        assert_eq!(
            ok(FieldKind::Avatar, "images\\me.png"),
            Identity::File("images/me.png".into())
        );
        for (bad, needle) in [
            ("file:///etc/passwd", "file:"),
            ("gopher://example.org/", "gopher:"),
            ("javascript:alert(1)", "javascript:"),
            ("../secret.png", "escapes"),
            ("images/../../x.png", "escapes"),
            ("C:\\Windows\\x.png", "absolute"),
            ("\\\\server\\share\\x.png", "escapes"),
            ("/C:/Windows/win.ini", "escapes"),
            ("/image://s/me.png", "escapes"),
            ("/\nimages/me.png", "not a plain path"),
            ("/ me.png", "not a plain path"),
            ("./~/.ssh/id_rsa", "escapes"),
            ("http://", "not a valid URL"),
        ] {
            assert!(err(FieldKind::Avatar, bad).contains(needle), "{bad}");
        }
    }

    #[test]
    fn avatars_holding_an_identity_are_read_as_that_kind() {
        assert_eq!(
            ok(FieldKind::Avatar, " 17450856@QQ.com"),
            Identity::Email {
                address: "17450856@qq.com".into(),
                qq: Some("17450856".into())
            }
        );
        assert_eq!(
            ok(FieldKind::Avatar, "mailto:Ada@Example.org"),
            Identity::Email {
                address: "ada@example.org".into(),
                qq: None
            }
        );
        let md5 = "0BC83CB571CD1C50BA6F3E8A78EF1346";
        assert_eq!(
            ok(FieldKind::Avatar, md5),
            Identity::Hash(md5.to_lowercase())
        );
        let sha = "b".repeat(64);
        assert_eq!(ok(FieldKind::Avatar, &sha), Identity::Hash(sha.clone()));
        // Paths and URLs that look a little like addresses stay what they are.
        for (path, expected) in [
            ("me@2x.png", "me@2x.png"),
            ("/img/ada@example.org", "img/ada@example.org"),
            ("faces/a@b.JPEG", "faces/a@b.JPEG"),
            ("abc123", "abc123"),
        ] {
            assert_eq!(ok(FieldKind::Avatar, path), Identity::File(expected.into()));
        }
        // A path normalising to an address or a hash is neither (found by fuzzing: the value
        // would read back as the other kind).
        for raw in [
            "/imag@e127.1",
            "./Ada@Example.org",
            "/0bc83cb571cd1c50ba6f3e8a78ef1346",
        ] {
            assert!(
                err(FieldKind::Avatar, raw).contains("written as a path"),
                "{raw}"
            );
        }
        assert_eq!(
            ok(FieldKind::Avatar, "https://user@example.org/a.png"),
            Identity::Url("https://user@example.org/a.png".into())
        );
    }

    #[test]
    fn theme_spellings_of_emails_and_github_names() {
        assert_eq!(
            ok(FieldKind::Email, "MAILTO:ada@example.org"),
            Identity::Email {
                address: "ada@example.org".into(),
                qq: None
            }
        );
        for spelling in [
            "https://github.com/Ada-L/",
            "http://www.github.com/ada-l",
            "github.com/ada-l",
            "@ada-l",
        ] {
            assert_eq!(
                ok(FieldKind::Github, spelling),
                Identity::Github("ada-l".into()),
                "{spelling}"
            );
        }
        assert!(err(FieldKind::Github, "https://github.com/a/b").contains("GitHub"));
        // Hexo NexT's `social:` entries.
        assert_eq!(
            ok(
                FieldKind::Github,
                "https://github.com/ada-l || fab fa-github"
            ),
            Identity::Github("ada-l".into())
        );
        assert_eq!(
            ok(FieldKind::Email, "mailto:ada@example.org || fa fa-envelope"),
            Identity::Email {
                address: "ada@example.org".into(),
                qq: None
            }
        );
    }

    #[test]
    fn empty_values_are_nothing_and_long_values_are_shortened() {
        assert_eq!(identify(FieldKind::Email, "  ").unwrap(), None);
        let message = err(FieldKind::Email, &"x".repeat(10_000));
        assert!(message.len() < 200, "{}", message.len());
        // A long scheme too (found by fuzzing).
        let message = err(FieldKind::Avatar, &format!("{}://x", "h".repeat(10_000)));
        assert!(message.len() < 300, "{}", message.len());
    }
}
