//! Gravatar URLs, compatible with the Python library libgravatar 1.0.
//!
//! [`Gravatar::image_url`] and [`Gravatar::profile_url`] produce exactly what libgravatar's
//! `get_image` and `get_profile` produce (long parameter names, `size` left out at 80, the default
//! URL encoded like Python's `urlencode`), except that size 2048 is accepted, as Gravatar does.
//! [`probe_url`] is the short form the provider chain sends to a configured base URL.

use std::fmt;
use std::str::FromStr;

use md5::Md5;
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

pub use super::options::{DefaultImage, Rating, UrlError};

/// Host of every libgravatar URL.
pub const HOST: &str = "www.gravatar.com";
/// Default base URL of the provider chain's probe requests (`[gravatar] base_url`).
pub const DEFAULT_BASE_URL: &str = "https://www.gravatar.com/avatar/";
/// The size Gravatar serves when none is asked for; libgravatar leaves `size` out for it.
pub const DEFAULT_SIZE: u32 = 80;
/// Largest size Gravatar serves.
pub const MAX_SIZE: u32 = 2048;

/// How an email address is turned into a Gravatar hash.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum HashAlgo {
    /// MD5, 32 hex digits: what every Gravatar client has always used.
    #[default]
    Md5,
    /// SHA-256, 64 hex digits: accepted by Gravatar and Libravatar.
    Sha256,
}

impl FromStr for HashAlgo {
    type Err = UrlError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "md5" => Ok(HashAlgo::Md5),
            "sha256" | "sha-256" => Ok(HashAlgo::Sha256),
            _ => Err(UrlError::InvalidHashAlgo(s.to_string())),
        }
    }
}

impl fmt::Display for HashAlgo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            HashAlgo::Md5 => "md5",
            HashAlgo::Sha256 => "sha256",
        })
    }
}

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
        let trimmed = email_or_hash.trim();
        let hash = if is_hex_hash(trimmed) {
            trimmed.to_ascii_lowercase()
        } else {
            email_hash(trimmed, algo)
        };
        Gravatar { hash }
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

    /// The profile URL libgravatar's `get_profile` builds: `https://www.gravatar.com/<hash>[.<format>]`.
    pub fn profile_url(&self, format: Option<ProfileFormat>, http: bool) -> String {
        let ext = format
            .map(|f| format!(".{}", f.extension()))
            .unwrap_or_default();
        format!("{}://{HOST}/{}{ext}", scheme(http), self.hash)
    }
}

/// The probe URL the chain sends to a configured base (Gravatar, a mirror or a test server):
/// `<base_url><hash>?s=<size>&d=404[&r=<rating>]`. `d=404` makes "no avatar" a plain 404.
/// `base_url` may end with a slash or not. `size` is clamped to 1–2048, the sizes Gravatar serves.
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

/// Whether `s` already is a hash: exactly 32 (MD5) or 64 (SHA-256) hex digits.
pub fn is_hex_hash(s: &str) -> bool {
    matches!(s.len(), 32 | 64) && s.bytes().all(|b| b.is_ascii_hexdigit())
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
mod tests {
    use super::*;

    const EMAIL: &str = "myemailaddress@example.com";
    const HASH: &str = "0bc83cb571cd1c50ba6f3e8a78ef1346";

    fn image(options: ImageOptions) -> String {
        Gravatar::new(EMAIL).image_url(&options).unwrap()
    }

    #[test]
    fn md5_of_the_libgravatar_vector_and_normalisation() {
        assert_eq!(email_hash(EMAIL, HashAlgo::Md5), HASH);
        assert_eq!(
            email_hash(" MyEmailAddress@example.com ", HashAlgo::Md5),
            HASH
        );
        assert_eq!(
            email_hash("", HashAlgo::Md5),
            "d41d8cd98f00b204e9800998ecf8427e"
        );
        assert_eq!(Gravatar::new(" MyEmailAddress@Example.com\n").hash(), HASH);
    }

    #[test]
    fn sha256_hash_of_the_normalised_email() {
        // sha256("myemailaddress@example.com")
        let expected = "84059b07d4be67b806386c0aad8070a23f18836bbaae342275dc0a83414c32ee";
        assert_eq!(
            email_hash(" MyEmailAddress@example.com", HashAlgo::Sha256),
            expected
        );
        assert_eq!(
            Gravatar::with_hash(EMAIL, HashAlgo::Sha256).hash(),
            expected
        );
    }

    #[test]
    fn a_hash_is_used_as_given_lowercased() {
        let upper = HASH.to_ascii_uppercase();
        assert_eq!(Gravatar::new(&upper).hash(), HASH);
        assert_eq!(Gravatar::with_hash(HASH, HashAlgo::Sha256).hash(), HASH);
        let sha = "84059B07D4BE67B806386C0AAD8070A23F18836BBAAE342275DC0A83414C32EE";
        assert_eq!(Gravatar::new(sha).hash(), sha.to_ascii_lowercase());
        // 31 hex digits is not a hash: it gets hashed.
        assert_ne!(Gravatar::new(&HASH[1..]).hash(), &HASH[1..]);
        assert!(!is_hex_hash("0bc83cb571cd1c50ba6f3e8a78ef134g"));
    }

    #[test]
    fn libgravatar_image_expectations() {
        let base = format!("https://www.gravatar.com/avatar/{HASH}");
        assert_eq!(image(ImageOptions::default()), base);
        let sized = ImageOptions {
            size: Some(24),
            ..Default::default()
        };
        assert_eq!(image(sized), format!("{base}?size=24"));
        let ext = ImageOptions {
            extension: true,
            ..Default::default()
        };
        assert_eq!(image(ext), format!("{base}.jpg"));
        let monster = ImageOptions {
            default: Some("monsterid".parse().unwrap()),
            ..Default::default()
        };
        assert_eq!(image(monster), format!("{base}?default=monsterid"));
        let url_default = ImageOptions {
            default: Some("http://example.com/images/avatar.jpg".parse().unwrap()),
            ..Default::default()
        };
        assert_eq!(
            image(url_default),
            format!("{base}?default=http%3A%2F%2Fexample.com%2Fimages%2Favatar.jpg")
        );
        let forced = ImageOptions {
            force_default: true,
            ..Default::default()
        };
        assert_eq!(image(forced), format!("{base}?forcedefault=y"));
        let http = ImageOptions {
            http: true,
            ..Default::default()
        };
        assert_eq!(
            image(http),
            format!("http://www.gravatar.com/avatar/{HASH}")
        );
        for r in ["g", "pg", "r", "x"] {
            let rated = ImageOptions {
                rating: Some(r.parse().unwrap()),
                ..Default::default()
            };
            assert_eq!(image(rated), format!("{base}?rating={r}"));
        }
    }

    #[test]
    fn parameters_come_in_libgravatar_order() {
        let all = ImageOptions {
            size: Some(200),
            default: Some("identicon".parse().unwrap()),
            force_default: true,
            rating: Some(Rating::Pg),
            extension: true,
            http: true,
        };
        assert_eq!(
            image(all),
            format!(
                "http://www.gravatar.com/avatar/{HASH}.jpg?size=200&default=identicon&forcedefault=y&rating=pg"
            )
        );
    }

    #[test]
    fn size_80_is_left_out_and_the_range_is_1_to_2048() {
        let at = |size| {
            Gravatar::new(EMAIL).image_url(&ImageOptions {
                size: Some(size),
                ..Default::default()
            })
        };
        assert_eq!(
            at(80).unwrap(),
            format!("https://www.gravatar.com/avatar/{HASH}")
        );
        assert!(at(1).unwrap().ends_with("?size=1"));
        assert!(at(2048).unwrap().ends_with("?size=2048"));
        assert_eq!(at(0), Err(UrlError::SizeOutOfRange { size: 0, max: 2048 }));
        assert_eq!(
            at(2049),
            Err(UrlError::SizeOutOfRange {
                size: 2049,
                max: 2048
            })
        );
    }

    #[test]
    fn quote_plus_matches_python() {
        assert_eq!(quote_plus("a b&c=d/é~_.-*"), "a+b%26c%3Dd%2F%C3%A9~_.-%2A");
        assert_eq!(quote_plus("100%"), "100%25");
    }

    #[test]
    fn profile_urls() {
        let g = Gravatar::new(EMAIL);
        assert_eq!(
            g.profile_url(None, false),
            format!("https://www.gravatar.com/{HASH}")
        );
        assert_eq!(
            g.profile_url(None, true),
            format!("http://www.gravatar.com/{HASH}")
        );
        for ext in ["json", "xml", "php", "vcf", "qr"] {
            let format = ext.parse::<ProfileFormat>().unwrap();
            assert_eq!(
                g.profile_url(Some(format), false),
                format!("https://www.gravatar.com/{HASH}.{ext}")
            );
        }
        assert_eq!("JSON".parse::<ProfileFormat>(), Ok(ProfileFormat::Json));
        assert_eq!(
            "html".parse::<ProfileFormat>(),
            Err(UrlError::InvalidProfileFormat("html".into()))
        );
    }

    #[test]
    fn probe_urls_accept_a_base_with_or_without_slash() {
        let expected = format!("https://www.gravatar.com/avatar/{HASH}?s=80&d=404");
        assert_eq!(probe_url(DEFAULT_BASE_URL, HASH, 80, None), expected);
        assert_eq!(
            probe_url("https://www.gravatar.com/avatar", HASH, 80, None),
            expected
        );
        assert_eq!(
            probe_url("http://127.0.0.1:8080/avatar/", HASH, 160, Some(Rating::R)),
            format!("http://127.0.0.1:8080/avatar/{HASH}?s=160&d=404&r=r")
        );
        assert!(probe_url(DEFAULT_BASE_URL, HASH, 5000, None).ends_with("?s=2048&d=404"));
    }

    #[test]
    fn hash_algo_parses_and_serialises_lowercase() {
        assert_eq!("SHA256".parse::<HashAlgo>(), Ok(HashAlgo::Sha256));
        assert_eq!("md5".parse::<HashAlgo>(), Ok(HashAlgo::Md5));
        assert!("sha1".parse::<HashAlgo>().is_err());
        assert_eq!(
            serde_json::to_string(&HashAlgo::Sha256).unwrap(),
            "\"sha256\""
        );
        assert_eq!(
            serde_json::from_str::<HashAlgo>("\"md5\"").unwrap(),
            HashAlgo::Md5
        );
    }
}
