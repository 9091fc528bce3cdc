//! Raw field values → validated [`Identity`] values.
//!
//! Scanning yields [`Mention`]s: a field kind and the text exactly as written. This stage decides
//! what each one is (an email, a Gravatar hash a comment system stored in an email field, a QQ
//! number, ...), normalises it for deduplication and hashing, and refuses what is not valid with a
//! message for the blog owner.

use crate::model::{
    AvatarUrl, Email, GithubLogin, GravatarHash, Identity, InvalidAvatarUrl, InvalidEmail,
    InvalidGithubLogin, QqNumber, SitePath, Source, shorten,
};

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
    // Messages name the value as written (with its `mailto:` or URL form), not what was
    // stripped from it.
    let written = || value.to_owned();
    let identity = match kind {
        FieldKind::Email => {
            // Themes write `mailto:` links in email fields (`email: mailto:ada@example.org`).
            let stripped = strip_prefix_ignore_case(value, "mailto:").unwrap_or(value);
            if let Ok(hash) = GravatarHash::parse(stripped) {
                Identity::Hash(hash.into_string())
            } else {
                let email = Email::parse(stripped)
                    .map_err(|_| invalid(InvalidEmail { value: written() }))?;
                email_identity(email)
            }
        }
        FieldKind::Hash => {
            Identity::Hash(GravatarHash::parse(value).map_err(invalid)?.into_string())
        }
        FieldKind::Qq => Identity::Qq(QqNumber::parse(value).map_err(invalid)?.into_string()),
        FieldKind::Github => Identity::Github(
            GithubLogin::parse(github_login(value))
                .map_err(|_| invalid(InvalidGithubLogin { value: written() }))?
                .into_string(),
        ),
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
    if let Ok(hash) = GravatarHash::parse(value) {
        return Some(Identity::Hash(hash.into_string()));
    }
    if value.contains(['/', '\\']) || looks_like_image(value) {
        return None;
    }
    Email::parse(value).ok().map(email_identity)
}

/// An email identity; a `digits@qq.com` address also carries its QQ number.
fn email_identity(email: Email) -> Identity {
    let qq = email.qq_number().map(QqNumber::into_string);
    Identity::Email {
        address: email.into_string(),
        qq,
    }
}

/// The message of a validator's error, for the blog owner.
fn invalid(error: impl std::fmt::Display) -> Invalid {
    Invalid(error.to_string())
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

/// An `avatar` value: an http(s) URL (protocol-relative taken as https) or a path in the site.
fn avatar(value: &str) -> Result<Identity, Invalid> {
    match AvatarUrl::parse(value) {
        Ok(url) => return Ok(Identity::Url(url.into_string())),
        Err(InvalidAvatarUrl::NotAUrl { .. }) => {}
        Err(error) => return Err(invalid(error)),
    }
    let shown = shorten(value);
    if value
        .split_once(':')
        .is_some_and(|(drive, _)| drive.len() == 1)
    {
        return Err(Invalid(format!(
            "`{shown}`: absolute paths are refused; give a path inside the site"
        )));
    }
    let path = SitePath::parse(value).map_err(invalid)?.into_string();
    // `/ada@example.org` normalises to what reads as an address: say so rather than guess.
    let identity_like = GravatarHash::parse(&path).is_ok()
        || (!looks_like_image(&path) && Email::parse(&path).is_ok());
    if !path.contains('/') && identity_like {
        return Err(Invalid(format!(
            "`{shown}`: an address or a hash written as a path; write it without `/` or `.`, \
             or name the image with its extension"
        )));
    }
    Ok(Identity::File(path))
}

#[cfg(test)]
mod tests;
