//! Gravatar URLs, compatible with the Python library libgravatar 1.0.
//!
//! [`Gravatar::image_url`] and [`Gravatar::profile_url`] produce exactly what libgravatar's
//! `get_image` and `get_profile` produce (long parameter names, `size` left out at 80, the default
//! URL encoded like Python's `urlencode`), except that size 2048 is accepted, as Gravatar does.
//! [`probe_url`] is the short form the provider chain sends to a configured base URL.

use std::str::FromStr;

use md5::Md5;
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

pub use super::options::{DefaultImage, UrlError};
use crate::model::GravatarHash;
use crate::model::{HashAlgo, Rating};
// Re-exported for the code that still names it here (the chain, `check`).

/// Host of every libgravatar URL.
pub const HOST: &str = "www.gravatar.com";
/// Default base URL of the provider chain's probe requests (`[gravatar] base_url`).
pub const DEFAULT_BASE_URL: &str = "https://www.gravatar.com/avatar/";
/// The size Gravatar serves when none is asked for; libgravatar leaves `size` out for it.
pub const DEFAULT_SIZE: u32 = 80;
/// Largest size Gravatar serves.
pub const MAX_SIZE: u32 = 2048;

/// The formats of a Gravatar profile URL (`https://www.gravatar.com/<hash>.<format>`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ProfileFormat {
    /// `.json`
    Json,
    /// `.xml`
    Xml,
    /// `.php` (serialized PHP)
    Php,
    /// `.vcf` (vCard)
    Vcf,
    /// `.qr` (a QR code image)
    Qr,
}

impl ProfileFormat {
    /// The file extension, without the dot.
    pub fn extension(self) -> &'static str {
        match self {
            ProfileFormat::Json => "json",
            ProfileFormat::Xml => "xml",
            ProfileFormat::Php => "php",
            ProfileFormat::Vcf => "vcf",
            ProfileFormat::Qr => "qr",
        }
    }
}

impl FromStr for ProfileFormat {
    type Err = UrlError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        [
            ProfileFormat::Json,
            ProfileFormat::Xml,
            ProfileFormat::Php,
            ProfileFormat::Vcf,
            ProfileFormat::Qr,
        ]
        .into_iter()
        .find(|f| f.extension().eq_ignore_ascii_case(s))
        .ok_or_else(|| UrlError::InvalidProfileFormat(s.to_string()))
    }
}

/// Options of a user-facing Gravatar image URL (libgravatar's `get_image` arguments).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImageOptions {
    /// Size in pixels, 1–2048; `None` (or 80) leaves the parameter out.
    pub size: Option<u32>,
    /// Image Gravatar serves when it has none for the hash.
    pub default: Option<DefaultImage>,
    /// Always serve the default image (`forcedefault=y`).
    pub force_default: bool,
    /// Highest rating to serve.
    pub rating: Option<Rating>,
    /// Append `.jpg` to the hash.
    pub extension: bool,
    /// Use `http://` instead of `https://`.
    pub http: bool,
}

/// One Gravatar identity: the hash of an email address, or a hash given as is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Gravatar {
    hash: String,
}

impl Gravatar {
    /// An email address hashed with MD5, or a 32/64-hex-digit hash used as given.
    pub fn new(email_or_hash: &str) -> Self {
        Self::with_hash(email_or_hash, HashAlgo::Md5)
    }

    /// An email address hashed with `algo`, or a 32/64-hex-digit hash used as given (lowercased).
    pub fn with_hash(email_or_hash: &str, algo: HashAlgo) -> Self {
        Gravatar {
            hash: hash_of(email_or_hash, algo),
        }
    }

    /// The lowercase hex hash.
    pub fn hash(&self) -> &str {
        &self.hash
    }

    /// The image URL libgravatar's `get_image` builds, e.g.
    /// `https://www.gravatar.com/avatar/<hash>.jpg?size=40&default=identicon&forcedefault=y&rating=pg`.
    pub fn image_url(&self, options: &ImageOptions) -> Result<String, UrlError> {
        let mut params = Vec::new();
        if let Some(size) = options.size.filter(|&s| s != DEFAULT_SIZE) {
            check_size(size, MAX_SIZE)?;
            params.push(format!("size={size}"));
        }
        if let Some(default) = &options.default {
            params.push(format!("default={}", quote_plus(default.as_str())));
        }
        if options.force_default {
            params.push("forcedefault=y".to_string());
        }
        if let Some(rating) = options.rating {
            params.push(format!("rating={rating}"));
        }
        let query = if params.is_empty() {
            String::new()
        } else {
            format!("?{}", params.join("&"))
        };
        Ok(format!(
            "{}://{HOST}/avatar/{}{}{query}",
            scheme(options.http),
            self.hash,
            if options.extension { ".jpg" } else { "" },
        ))
    }

    /// The profile URL libgravatar's `get_profile` builds:
    /// `https://www.gravatar.com/<hash>[.<format>]`.
    pub fn profile_url(&self, format: Option<ProfileFormat>, http: bool) -> String {
        let ext = format
            .map(|f| format!(".{}", f.extension()))
            .unwrap_or_default();
        format!("{}://{HOST}/{}{ext}", scheme(http), self.hash)
    }
}

/// The probe URL the chain sends to a configured base (Gravatar, a mirror or a test server):
/// `<base_url><hash>?s=<size>&d=404[&r=<rating>]`. `d=404` makes "no avatar" a plain 404.
/// `base_url` may end with a slash or not. `size` is clamped to 1–2048, the sizes Gravatar
/// serves.
pub fn probe_url(base_url: &str, hash: &str, size: u32, rating: Option<Rating>) -> String {
    let size = size.clamp(1, MAX_SIZE);
    let mut url = format!("{}{hash}?s={size}&d=404", with_slash(base_url));
    if let Some(rating) = rating {
        url.push_str(&format!("&r={rating}"));
    }
    url
}

/// The hex digest of an email address after Gravatar's normalisation (trim, lowercase).
pub fn email_hash(email: &str, algo: HashAlgo) -> String {
    let normalised = email.trim().to_lowercase();
    match algo {
        HashAlgo::Md5 => hex::encode(Md5::digest(normalised.as_bytes())),
        HashAlgo::Sha256 => hex::encode(Sha256::digest(normalised.as_bytes())),
    }
}

/// The hash of an email (trim, lowercase, then `algo`), or a 32/64-hex-digit hash used as given
/// (lowercased). Gravatar and Libravatar share it.
pub fn hash_of(email_or_hash: &str, algo: HashAlgo) -> String {
    match GravatarHash::parse(email_or_hash) {
        Ok(hash) => hash.into_string(),
        Err(_) => email_hash(email_or_hash, algo),
    }
}

/// `base_url` with exactly one trailing slash.
pub(crate) fn with_slash(base_url: &str) -> String {
    format!("{}/", base_url.trim_end_matches('/'))
}

pub(crate) fn scheme(http: bool) -> &'static str {
    if http { "http" } else { "https" }
}

/// Checks a size against the `1..=max` range a provider serves.
pub(crate) fn check_size(size: u32, max: u32) -> Result<(), UrlError> {
    if (1..=max).contains(&size) {
        Ok(())
    } else {
        Err(UrlError::SizeOutOfRange { size, max })
    }
}

/// Python's `urllib.parse.quote_plus`: everything but letters, digits and `_.-~` is
/// percent-encoded (as UTF-8), and a space becomes `+`.
pub(crate) fn quote_plus(s: &str) -> String {
    const UNRESERVED: &AsciiSet = &NON_ALPHANUMERIC
        .remove(b'_')
        .remove(b'.')
        .remove(b'-')
        .remove(b'~');
    // "%20" can only come from a space: a literal '%' is itself encoded as "%25".
    utf8_percent_encode(s, UNRESERVED)
        .to_string()
        .replace("%20", "+")
}

#[cfg(test)]
#[path = "gravatar_tests.rs"]
mod tests;
