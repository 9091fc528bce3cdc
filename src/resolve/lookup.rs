//! The `url` and `profile` commands: one identity in, one provider URL out, no network.
//!
//! The CLI maps its flags onto [`UrlRequest`] and prints what [`url_for`] or [`profile_for`]
//! returns; every [`LookupError`] is a usage error (exit 2). A flag that means nothing to the
//! chosen provider is refused rather than silently dropped, so a user never believes a rating
//! or a default image applies when it does not.

use std::str::FromStr;

use thiserror::Error;

use super::gravatar::{self, Gravatar, ProfileFormat};
use super::options::{DefaultImage, UrlError};
use super::{github, libravatar, qq};
use crate::model::{Email, GithubLogin, GravatarHash, HashAlgo, Provider, QqNumber, Rating};

/// Why no URL could be built for a `url` or `profile` request.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum LookupError {
    /// An invalid option value (size, rating, default image, hash, profile format).
    #[error(transparent)]
    Url(#[from] UrlError),
    /// An empty identity.
    #[error(
        "no identity given: expected an email address, a hash, a QQ number or a GitHub user name"
    )]
    Empty,
    /// An identity that is none of email, hash or QQ number, with no provider given.
    #[error(
        "cannot tell what {identity:?} is: expected an email address, a 32- or 64-digit hex hash \
         or a QQ number (for a GitHub user name add --provider github)"
    )]
    Unrecognised {
        /// The identity as given.
        identity: String,
    },
    /// An identity the chosen provider cannot use.
    #[error("{identity:?} cannot be used with the {provider} provider: it needs {expected}")]
    WrongIdentity {
        /// The identity as given.
        identity: String,
        /// The provider chosen.
        provider: Provider,
        /// What the provider needs.
        expected: &'static str,
    },
    /// A flag that means nothing to the chosen provider.
    #[error("--{flag} does not apply to the {provider} provider")]
    FlagNotApplicable {
        /// The flag, without its dashes.
        flag: &'static str,
        /// The provider chosen or detected.
        provider: Provider,
    },
    /// A provider with no URL of its own (local, url, default): not one of
    /// [`Provider::WITH_URLS`].
    #[error("the {0} provider has no URL to print: expected gravatar, libravatar, qq or github")]
    NoUrl(Provider),
}

/// The `url` command's flags, as given.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UrlRequest {
    /// Email address, Gravatar hash, QQ number or (with `provider: Github`) a GitHub user name.
    pub identity: String,
    /// `--provider`; `None` picks one from the identity.
    pub provider: Option<Provider>,
    /// `--size N` in pixels.
    pub size: Option<u32>,
    /// `--default D`: a keyword or an image URL (Gravatar, Libravatar).
    pub default: Option<String>,
    /// `--force-default` (Gravatar, Libravatar).
    pub force_default: bool,
    /// `--rating R` (Gravatar).
    pub rating: Option<String>,
    /// `--extension`: `.jpg` after the hash (Gravatar).
    pub extension: bool,
    /// `--http`: plain HTTP instead of HTTPS.
    pub http: bool,
    /// `--hash`: how an email is hashed (Gravatar, Libravatar).
    pub hash: HashAlgo,
}

const EMAIL_OR_HASH: &str = "an email address or a 32- or 64-digit hex hash \
    (for a QQ number use --provider qq, for a GitHub user --provider github)";
const QQ_IDENTITY: &str =
    "a QQ number (5 to 11 digits, no leading zero) or a <number>@qq.com address";
const GITHUB_IDENTITY: &str = "a GitHub user name (1 to 39 letters, digits or single hyphens)";
/// The size QQ and GitHub URLs cover when none is asked for: Gravatar's default.
const DEFAULT_NEED_PX: u32 = gravatar::DEFAULT_SIZE;

/// The provider an identity goes to when none is named: an email address or hash → Gravatar
/// (a `<number>@qq.com` address is an email too), a QQ number → QQ, anything else → none.
pub fn detect_provider(identity: &str) -> Option<Provider> {
    let identity = identity.trim();
    if is_email_or_hash(identity) {
        Some(Provider::Gravatar)
    } else if QqNumber::parse(identity).is_ok() {
        Some(Provider::Qq)
    } else {
        None
    }
}

/// The provider URL for one identity, e.g. `https://www.gravatar.com/avatar/<hash>?size=40`.
pub fn url_for(request: &UrlRequest) -> Result<String, LookupError> {
    let identity = request.identity.trim();
    if identity.is_empty() {
        return Err(LookupError::Empty);
    }
    let provider = match request.provider {
        Some(p) => p,
        None => detect_provider(identity).ok_or_else(|| LookupError::Unrecognised {
            identity: identity.to_string(),
        })?,
    };
    let wrong = |expected| LookupError::WrongIdentity {
        identity: identity.to_string(),
        provider,
        expected,
    };
    refuse_flags(request, provider)?;
    match provider {
        Provider::Gravatar => {
            if !is_email_or_hash(identity) {
                return Err(wrong(EMAIL_OR_HASH));
            }
            let options = gravatar::ImageOptions {
                size: request.size,
                default: parse_default(request)?,
                force_default: request.force_default,
                rating: request
                    .rating
                    .as_deref()
                    .map(Rating::from_str)
                    .transpose()
                    .map_err(UrlError::from)?,
                extension: request.extension,
                http: request.http,
            };
            Ok(Gravatar::with_hash(identity, request.hash).image_url(&options)?)
        }
        Provider::Libravatar => {
            if !is_email_or_hash(identity) {
                return Err(wrong(EMAIL_OR_HASH));
            }
            let options = libravatar::ImageOptions {
                size: request.size,
                default: parse_default(request)?,
                force_default: request.force_default,
                http: request.http,
            };
            let hash = libravatar::hash_of(identity, request.hash);
            Ok(libravatar::image_url(&hash, &options)?)
        }
        Provider::Qq => {
            let number = match QqNumber::parse(identity) {
                Ok(number) => number,
                Err(_) => Email::parse(identity)
                    .ok()
                    .and_then(|email| email.qq_number())
                    .ok_or_else(|| wrong(QQ_IDENTITY))?,
            };
            let need = checked_size(request.size)?.unwrap_or(DEFAULT_NEED_PX);
            let base = with_scheme(qq::DEFAULT_BASE_URL, request.http);
            Ok(qq::avatar_url(
                &base,
                number.as_str(),
                qq::qq_size_for(need),
            ))
        }
        Provider::Github => {
            // The URL keeps the spelling typed (GitHub logins are case-insensitive).
            if GithubLogin::parse(identity).is_err() {
                return Err(wrong(GITHUB_IDENTITY));
            }
            let base = with_scheme(github::DEFAULT_BASE_URL, request.http);
            Ok(github::avatar_url(
                &base,
                identity,
                checked_size(request.size)?,
            ))
        }
        Provider::Local | Provider::Url | Provider::Default => Err(LookupError::NoUrl(provider)),
    }
}

/// The Gravatar profile URL of an email address or hash; `format` is json, xml, php, vcf or qr.
pub fn profile_for(email: &str, format: Option<&str>, http: bool) -> Result<String, LookupError> {
    let identity = email.trim();
    if identity.is_empty() {
        return Err(LookupError::Empty);
    }
    if !is_email_or_hash(identity) {
        return Err(LookupError::WrongIdentity {
            identity: identity.to_string(),
            provider: Provider::Gravatar,
            expected: "an email address or a 32- or 64-digit hex hash",
        });
    }
    let format = format.map(ProfileFormat::from_str).transpose()?;
    Ok(Gravatar::new(identity).profile_url(format, http))
}

/// Refuses the flags `provider` has no use for.
fn refuse_flags(request: &UrlRequest, provider: Provider) -> Result<(), LookupError> {
    let given = [
        ("default", request.default.is_some()),
        ("force-default", request.force_default),
        ("rating", request.rating.is_some()),
        ("extension", request.extension),
        // md5 is the default, so only an explicit sha256 can be told apart.
        ("hash", request.hash != HashAlgo::Md5),
    ];
    let supported: &[&str] = match provider {
        Provider::Gravatar => &["default", "force-default", "rating", "extension", "hash"],
        Provider::Libravatar => &["default", "force-default", "hash"],
        _ => &[],
    };
    match given
        .into_iter()
        .find(|(flag, on)| *on && !supported.contains(flag))
    {
        Some((flag, _)) => Err(LookupError::FlagNotApplicable { flag, provider }),
        None => Ok(()),
    }
}

fn parse_default(request: &UrlRequest) -> Result<Option<DefaultImage>, UrlError> {
    request
        .default
        .as_deref()
        .map(DefaultImage::from_str)
        .transpose()
}

/// QQ and GitHub sizes are a need in pixels: any size Gravatar would accept.
fn checked_size(size: Option<u32>) -> Result<Option<u32>, UrlError> {
    if let Some(size) = size {
        gravatar::check_size(size, gravatar::MAX_SIZE)?;
    }
    Ok(size)
}

fn with_scheme(https_base: &str, http: bool) -> String {
    match (http, https_base.strip_prefix("https://")) {
        (true, Some(rest)) => format!("http://{rest}"),
        _ => https_base.to_string(),
    }
}

/// An email address or a Gravatar hash: what Gravatar and Libravatar take.
fn is_email_or_hash(identity: &str) -> bool {
    Email::parse(identity).is_ok() || GravatarHash::parse(identity).is_ok()
}

#[cfg(test)]
#[path = "lookup_tests.rs"]
mod tests;
