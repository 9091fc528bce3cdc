//! Validated options shared by the Gravatar and Libravatar URL builders, and their error type.
//!
//! Validation follows libgravatar: a rating is one of g/pg/r/x, a default image is a keyword or
//! an http(s) URL of a .jpg/.jpeg/.gif/.png image without a query string.

use std::fmt;
use std::str::FromStr;

use thiserror::Error;

// Re-exported for the code that still names it here.
use crate::model::UnknownValue;

/// Why a provider URL could not be built from the options given. The CLI maps these to exit 2.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum UrlError {
    /// A size outside what the provider serves.
    #[error("size {size} is out of range: this provider serves 1 to {max} pixels")]
    SizeOutOfRange {
        /// The size asked for.
        size: u32,
        /// The largest size the provider serves.
        max: u32,
    },
    /// A rating other than g, pg, r or x.
    #[error("invalid rating {0:?}: expected g, pg, r or x")]
    InvalidRating(String),
    /// A default image that is neither a keyword nor an acceptable image URL.
    #[error(
        "invalid default image {0:?}: expected 404, mm, mp, identicon, monsterid, wavatar, retro, \
         robohash, blank, or an http(s) URL ending in .jpg, .jpeg, .gif or .png without a query string"
    )]
    InvalidDefault(String),
    /// A hash algorithm other than md5 or sha256.
    #[error("invalid hash algorithm {0:?}: expected md5 or sha256")]
    InvalidHashAlgo(String),
    /// A profile format other than json, xml, php, vcf or qr.
    #[error("invalid profile format {0:?}: expected json, xml, php, vcf or qr")]
    InvalidProfileFormat(String),
}

impl From<UnknownValue> for UrlError {
    fn from(value: UnknownValue) -> Self {
        match value {
            UnknownValue::Rating(value) => UrlError::InvalidRating(value),
            UnknownValue::HashAlgo(value) => UrlError::InvalidHashAlgo(value),
        }
    }
}

/// The keywords Gravatar accepts as a default image (libgravatar's `DEFAULT_IMAGE`).
pub const DEFAULT_KEYWORDS: [&str; 9] = [
    "404",
    "mm",
    "mp",
    "identicon",
    "monsterid",
    "wavatar",
    "retro",
    "robohash",
    "blank",
];

/// The image a provider serves for a hash it has no avatar for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DefaultImage {
    /// One of [`DEFAULT_KEYWORDS`], stored lowercase.
    Keyword(&'static str),
    /// An http(s) URL of a .jpg/.jpeg/.gif/.png image without a query string.
    Url(String),
}

impl DefaultImage {
    /// The parameter value before URL encoding.
    pub fn as_str(&self) -> &str {
        match self {
            DefaultImage::Keyword(k) => k,
            DefaultImage::Url(u) => u,
        }
    }
}

impl FromStr for DefaultImage {
    type Err = UrlError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if let Some(k) = DEFAULT_KEYWORDS.iter().find(|k| k.eq_ignore_ascii_case(s)) {
            return Ok(DefaultImage::Keyword(k));
        }
        if default_url_is_valid(s) {
            Ok(DefaultImage::Url(s.to_string()))
        } else {
            Err(UrlError::InvalidDefault(s.to_string()))
        }
    }
}

impl fmt::Display for DefaultImage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// libgravatar's `default_url_is_valid`, splitting the URL the way Python's `urlparse` does:
/// scheme http or https, a path ending in an image extension (any case), no query string.
/// Unlike `urlparse`, a host is required: Gravatar cannot redirect to a URL without one.
pub fn default_url_is_valid(url: &str) -> bool {
    let Some((scheme, rest)) = url.split_once(':') else {
        return false;
    };
    if !(scheme.eq_ignore_ascii_case("http") || scheme.eq_ignore_ascii_case("https")) {
        return false;
    }
    let Some(after_slashes) = rest.strip_prefix("//") else {
        return false;
    };
    let netloc_end = after_slashes
        .find(['/', '?', '#'])
        .unwrap_or(after_slashes.len());
    if netloc_end == 0 {
        return false;
    }
    let after_netloc = &after_slashes[netloc_end..];
    let without_fragment = after_netloc.split('#').next().unwrap_or("");
    let (path, query) = match without_fragment.split_once('?') {
        Some((path, query)) => (path, query),
        None => (without_fragment, ""),
    };
    let path = path.to_ascii_lowercase();
    let image = [".jpg", ".jpeg", ".gif", ".png"]
        .iter()
        .any(|ext| path.ends_with(ext));
    image && query.is_empty()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Rating;

    #[test]
    fn libgravatar_default_url_cases() {
        for ok in [
            "http://example.com/images/avatar.jpg",
            "https://example.com/images/avatar.jpg",
            "http://example.com/images/avatar.png",
            "http://example.com/images/avatar.jpeg",
            "http://example.com/images/avatar.gif",
            "HTTPS://example.com/images/AVATAR.PNG",
            "https://example.com/a.png#top",
        ] {
            assert!(default_url_is_valid(ok), "{ok}");
        }
        for bad in [
            "ftp://example.com/images/avatar.jpg",
            "http://example.com/images/avatar.php",
            "http://example.com/images/avatar.jpg?key=value",
            "ftp://example.com/images/avatar.php?key=value",
            "http:///avatar.jpg",
            "avatar.jpg",
            "http://example.com/avatar.jpg.php",
            "",
        ] {
            assert!(!default_url_is_valid(bad), "{bad}");
        }
    }

    #[test]
    fn default_image_keywords_and_urls() {
        assert_eq!("identicon".parse(), Ok(DefaultImage::Keyword("identicon")));
        assert_eq!("MP".parse(), Ok(DefaultImage::Keyword("mp")));
        assert_eq!("404".parse::<DefaultImage>().unwrap().as_str(), "404");
        let url = "https://example.com/nobody.png";
        assert_eq!(url.parse(), Ok(DefaultImage::Url(url.to_string())));
        assert_eq!(
            "pagan".parse::<DefaultImage>(),
            Err(UrlError::InvalidDefault("pagan".to_string()))
        );
    }

    #[test]
    fn ratings_parse_in_any_case_and_print_lowercase() {
        assert_eq!("PG".parse(), Ok(Rating::Pg));
        assert_eq!(Rating::X.to_string(), "x");
        assert_eq!(
            "invalid".parse::<Rating>(),
            Err(crate::model::UnknownValue::Rating("invalid".into()))
        );
        assert_eq!(
            UrlError::from("invalid".parse::<Rating>().unwrap_err()),
            UrlError::InvalidRating("invalid".into())
        );
        assert_eq!(serde_json::from_str::<Rating>("\"r\"").unwrap(), Rating::R);
    }

    #[test]
    fn error_messages_name_the_value() {
        let e = UrlError::SizeOutOfRange {
            size: 4000,
            max: 2048,
        };
        assert_eq!(
            e.to_string(),
            "size 4000 is out of range: this provider serves 1 to 2048 pixels"
        );
        assert!(
            UrlError::InvalidRating("z".into())
                .to_string()
                .contains("\"z\"")
        );
    }
}
