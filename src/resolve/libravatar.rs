//! Libravatar URLs: Gravatar's API on the Libravatar hosts.
//!
//! Libravatar hashes the trimmed, lowercased email with MD5 or SHA-256 like Gravatar, serves sizes
//! 1–512, and has no ratings (all its images are G-rated). Plain HTTP is served from
//! `cdn.libravatar.org`, HTTPS from `seccdn.libravatar.org`. Federated servers (found through DNS
//! SRV records) are not looked up: the chain uses the configured base URL.

use super::gravatar::{check_size, quote_plus, with_slash};
use super::options::{DefaultImage, UrlError};
use crate::model::HashAlgo;

/// Default base URL of the provider chain's probe requests (`[libravatar] base_url`).
pub const DEFAULT_BASE_URL: &str = "https://seccdn.libravatar.org/avatar/";
/// Base URL of user-facing plain-HTTP image URLs.
pub const HTTP_BASE_URL: &str = "http://cdn.libravatar.org/avatar/";
/// Largest size Libravatar serves.
pub const MAX_SIZE: u32 = 512;

/// Options of a user-facing Libravatar image URL (the Gravatar options Libravatar supports).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImageOptions {
    /// Size in pixels, 1–512; `None` leaves the parameter out (Libravatar serves 80).
    pub size: Option<u32>,
    /// Image Libravatar serves (or redirects to) when it has none for the hash.
    pub default: Option<DefaultImage>,
    /// Always serve the default image (`f=y`).
    pub force_default: bool,
    /// Use `http://cdn.libravatar.org` instead of `https://seccdn.libravatar.org`.
    pub http: bool,
}

/// The Libravatar hash of an email (trim, lowercase, then `algo`), or a 32/64-hex-digit hash
/// used as given (lowercased).
pub fn hash_of(email_or_hash: &str, algo: HashAlgo) -> String {
    super::gravatar::hash_of(email_or_hash, algo)
}

/// The user-facing image URL, e.g.
/// `https://seccdn.libravatar.org/avatar/<hash>?s=100&d=identicon&f=y`.
pub fn image_url(hash: &str, options: &ImageOptions) -> Result<String, UrlError> {
    let mut params = Vec::new();
    if let Some(size) = options.size {
        check_size(size, MAX_SIZE)?;
        params.push(format!("s={size}"));
    }
    if let Some(default) = &options.default {
        params.push(format!("d={}", quote_plus(default.as_str())));
    }
    if options.force_default {
        params.push("f=y".to_string());
    }
    let base = if options.http {
        HTTP_BASE_URL
    } else {
        DEFAULT_BASE_URL
    };
    let mut url = format!("{base}{hash}");
    if !params.is_empty() {
        url.push('?');
        url.push_str(&params.join("&"));
    }
    Ok(url)
}

/// The probe URL the chain sends to a configured base: `<base_url><hash>?s=<size>&d=404`.
/// `base_url` may end with a slash or not. `size` is clamped to 1–512, because Libravatar
/// ignores an out-of-range size and serves 80 px instead.
pub fn probe_url(base_url: &str, hash: &str, size: u32) -> String {
    let size = size.clamp(1, MAX_SIZE);
    format!("{}{hash}?s={size}&d=404", with_slash(base_url))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::resolve::gravatar::email_hash;

    // The example of Libravatar's API documentation.
    const GEORGE: &str = "George@example.com";
    const GEORGE_MD5: &str = "40f8d096a3777232204cb3f796c577b7";

    #[test]
    fn hashes_like_the_libravatar_documentation() {
        assert_eq!(hash_of(GEORGE, HashAlgo::Md5), GEORGE_MD5);
        assert_eq!(hash_of(" george@EXAMPLE.com ", HashAlgo::Md5), GEORGE_MD5);
        assert_eq!(
            hash_of(&GEORGE_MD5.to_uppercase(), HashAlgo::Sha256),
            GEORGE_MD5
        );
        let sha = hash_of(GEORGE, HashAlgo::Sha256);
        assert_eq!(sha.len(), 64);
        assert_eq!(sha, email_hash("george@example.com", HashAlgo::Sha256));
    }

    #[test]
    fn image_urls() {
        assert_eq!(
            image_url(GEORGE_MD5, &ImageOptions::default()).unwrap(),
            format!("https://seccdn.libravatar.org/avatar/{GEORGE_MD5}")
        );
        let options = ImageOptions {
            size: Some(100),
            default: Some("http://example.com/nobody.jpg".parse().unwrap()),
            force_default: true,
            http: true,
        };
        assert_eq!(
            image_url(GEORGE_MD5, &options).unwrap(),
            format!(
                "http://cdn.libravatar.org/avatar/{GEORGE_MD5}?s=100&d=http%3A%2F%2Fexample.com%2Fnobody.jpg&f=y"
            )
        );
        let retro = ImageOptions {
            default: Some("retro".parse().unwrap()),
            ..Default::default()
        };
        assert!(image_url(GEORGE_MD5, &retro).unwrap().ends_with("?d=retro"));
    }

    #[test]
    fn sizes_are_1_to_512() {
        let at = |size| {
            image_url(
                GEORGE_MD5,
                &ImageOptions {
                    size: Some(size),
                    ..Default::default()
                },
            )
        };
        assert!(at(512).unwrap().ends_with("?s=512"));
        assert!(at(1).unwrap().ends_with("?s=1"));
        assert_eq!(
            at(513),
            Err(UrlError::SizeOutOfRange {
                size: 513,
                max: 512
            })
        );
        assert_eq!(at(0), Err(UrlError::SizeOutOfRange { size: 0, max: 512 }));
    }

    #[test]
    fn probe_urls() {
        let expected = format!("https://seccdn.libravatar.org/avatar/{GEORGE_MD5}?s=80&d=404");
        assert_eq!(probe_url(DEFAULT_BASE_URL, GEORGE_MD5, 80), expected);
        assert_eq!(
            probe_url("https://seccdn.libravatar.org/avatar", GEORGE_MD5, 80),
            expected
        );
        assert!(probe_url(DEFAULT_BASE_URL, GEORGE_MD5, 800).ends_with("?s=512&d=404"));
    }
}
