//! Avatar URL recognition: which URLs in built HTML are avatars, of whom, at what size.
//!
//! Only the hosts the contract lists (plus the Gravatar mirrors Chinese themes use, and those
//! added with `[rewrite] gravatar_hosts`) are recognised, each with the path shape its service
//! actually serves avatars under. A URL on one of those hosts that names nobody (an empty or
//! template-garbage hash, `?d=`-only) is [`AvatarTarget::Anonymous`]: it gets the local default
//! avatar. A URL on one of those hosts in a shape we do not understand is
//! [`Recognized::Unreplaceable`]: left as it is (replacing a URL we only half understand would
//! change what a page shows) but reported, because the visitor's browser would still contact
//! that host. URLs on other hosts are not avatars.

use std::borrow::Cow;

use url::Url;

use crate::model::Identity;
use crate::model::{GithubLogin, HashAlgo, QqNumber, is_hex_digest};

/// An avatar URL found in a page: whose avatar, and the pixel size the page asked for.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct AvatarRef {
    /// Whose avatar.
    pub target: AvatarTarget,
    /// The pixel size in the URL (`s=`, `size=`, qlogo `s=`/`spec=`), when it names one.
    pub px: Option<u32>,
}

/// What an avatar URL points at, normalised so that spellings of one avatar compare equal.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum AvatarTarget {
    /// A Gravatar (or Gravatar mirror) `/avatar/<hash>` URL; lower-case hex, 32 or 64 digits.
    Gravatar {
        /// The email hash.
        hash: String,
    },
    /// A Libravatar `/avatar/<hash>` URL; lower-case hex, 32 or 64 digits.
    Libravatar {
        /// The email hash.
        hash: String,
    },
    /// A qlogo URL naming a QQ number.
    Qq {
        /// The QQ number (5–11 digits, no leading zero).
        number: String,
    },
    /// `github.com/<login>.png`.
    Github {
        /// The login, lower-cased (GitHub logins are case-insensitive).
        login: String,
    },
    /// An `avatars*.githubusercontent.com` URL, fetched as it is except for its size parameter
    /// (`s`/`size` is dropped so every size on the site shares one full-resolution download);
    /// also WeChat's `thirdwx.qlogo.cn/mmopen/...` pictures, fetched the same way.
    Direct {
        /// The absolute https URL.
        url: String,
    },
    /// A Gravatar, Libravatar or qlogo avatar URL that names nobody: an empty hash
    /// (`/avatar/?s=70&d=identicon`, what Staticman themes write for a comment without an
    /// email), a template left unfilled (`/avatar/{{ email }}`), or no QQ number. It is
    /// replaced with the local default avatar.
    Anonymous,
}

/// What one URL in an avatar attribute is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Recognized {
    /// Not on an avatar host: none of our business.
    NotAvatar,
    /// An avatar we know how to replace.
    Avatar(AvatarRef),
    /// On a known avatar host, in a shape we cannot replace: left as it is, and reported.
    Unreplaceable,
}

/// Built-in Gravatar hosts and mirrors with the path their avatars live under. `*.` matches any
/// subdomain (not the bare domain). The mirrors are those Chinese blog themes and WordPress
/// plugins point at.
pub const GRAVATAR_HOSTS: &[&str] = &[
    "gravatar.com/avatar/",
    "*.gravatar.com/avatar/",
    "cravatar.cn/avatar/",
    "*.cravatar.com/avatar/",
    "weavatar.com/avatar/",
    "gravatar.loli.net/avatar/",
    "sdn.geekzu.org/avatar/",
    "fdn.geekzu.org/avatar/",
    "cdn.v2ex.com/gravatar/",
    "dn-qiniu-avatar.qbox.me/avatar/",
];

/// One `host/path-prefix/` pattern of a Gravatar-compatible host.
#[derive(Debug, Clone, PartialEq, Eq)]
struct HostPattern {
    /// Lower case, no trailing dot; with `subdomains` the part after `*.`.
    host: String,
    subdomains: bool,
    /// Starts and ends with `/`.
    prefix: String,
}

impl HostPattern {
    /// `host/prefix/`, `*.host/prefix/`, or a bare host (prefix `/avatar/`); a scheme is
    /// ignored. `None` if there is no host.
    fn parse(pattern: &str) -> Option<Self> {
        let pattern = pattern.trim();
        let pattern = pattern
            .split_once("://")
            .map_or(pattern, |(_, rest)| rest)
            .trim_start_matches('/');
        let (host, path) = match pattern.split_once('/') {
            Some((host, path)) => (host, path.trim_matches('/')),
            None => (pattern, "avatar"),
        };
        let host = host.trim_end_matches('.').to_ascii_lowercase();
        let (host, subdomains) = match host.strip_prefix("*.") {
            Some(rest) => (rest.to_owned(), true),
            None => (host, false),
        };
        if host.is_empty() {
            return None;
        }
        let prefix = if path.is_empty() {
            "/".to_owned()
        } else {
            format!("/{path}/")
        };
        Some(Self {
            host,
            subdomains,
            prefix,
        })
    }

    fn matches_host(&self, host: &str) -> bool {
        if self.subdomains {
            host.strip_suffix(self.host.as_str())
                .is_some_and(|rest| rest.len() > 1 && rest.ends_with('.'))
        } else {
            host == self.host
        }
    }
}

/// Recognises avatar URLs: the built-in hosts plus the Gravatar-compatible hosts of the config.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recognizer {
    gravatar: Vec<HostPattern>,
}

impl Default for Recognizer {
    fn default() -> Self {
        Self::new(&[] as &[String])
    }
}

impl Recognizer {
    /// The built-in hosts plus `extra_gravatar_hosts` (`host/path-prefix/` patterns as in
    /// `[rewrite] gravatar_hosts`; a bare host means `host/avatar/`).
    pub fn new(extra_gravatar_hosts: &[impl AsRef<str>]) -> Self {
        let gravatar = GRAVATAR_HOSTS
            .iter()
            .copied()
            .chain(extra_gravatar_hosts.iter().map(AsRef::as_ref))
            .filter_map(HostPattern::parse)
            .collect();
        Self { gravatar }
    }

    /// Classifies one URL as written in an HTML attribute (see [`recognize`]).
    pub fn recognize(&self, url: &str) -> Recognized {
        let Some(parsed) = parse_url(url) else {
            return Recognized::NotAvatar;
        };
        // `Url` lower-cases hosts of http(s) URLs; a trailing dot is the same host.
        let Some(host) = parsed
            .host_str()
            .map(|h| h.trim_end_matches('.').to_owned())
        else {
            return Recognized::NotAvatar;
        };
        let host = host.as_str();
        let mut gravatar = self
            .gravatar
            .iter()
            .filter(|p| p.matches_host(host))
            .peekable();
        if gravatar.peek().is_some() {
            let file = gravatar.find_map(|p| parsed.path().strip_prefix(p.prefix.as_str()));
            return match file {
                Some(file) => {
                    let target = match avatar_hash(file) {
                        Some(hash) => AvatarTarget::Gravatar { hash },
                        None => AvatarTarget::Anonymous,
                    };
                    let px = size_param(&parsed, &["s", "size"]);
                    Recognized::Avatar(AvatarRef { target, px })
                }
                None => Recognized::Unreplaceable,
            };
        }
        if matches!(host, "cdn.libravatar.org" | "seccdn.libravatar.org") {
            return match parsed.path().strip_prefix("/avatar/") {
                Some(file) => {
                    let target = match avatar_hash(file) {
                        Some(hash) => AvatarTarget::Libravatar { hash },
                        None => AvatarTarget::Anonymous,
                    };
                    let px = size_param(&parsed, &["s", "size"]);
                    Recognized::Avatar(AvatarRef { target, px })
                }
                None => Recognized::Unreplaceable,
            };
        }
        if host.ends_with(".qlogo.cn") {
            return qlogo(parsed).map_or(Recognized::Unreplaceable, Recognized::Avatar);
        }
        if matches!(host, "github.com" | "www.github.com") {
            // github.com serves every kind of image; only `/<login>.png` is an avatar.
            let login = parsed
                .path()
                .strip_prefix('/')
                .and_then(|p| p.strip_suffix(".png"))
                .filter(|login| GithubLogin::parse(login).is_ok());
            return match login {
                Some(login) => Recognized::Avatar(AvatarRef {
                    target: AvatarTarget::Github {
                        login: login.to_ascii_lowercase(),
                    },
                    px: size_param(&parsed, &["size", "s"]),
                }),
                None => Recognized::NotAvatar,
            };
        }
        if is_githubusercontent_avatar_host(host) {
            return direct(parsed).map_or(Recognized::Unreplaceable, Recognized::Avatar);
        }
        Recognized::NotAvatar
    }
}

impl AvatarRef {
    /// The identity the provider chain resolves for this avatar. Every [`AvatarRef`] with the
    /// same identity is the same picture at another size: resolve per identity, not per ref.
    /// `None` for [`AvatarTarget::Anonymous`]: it names nobody, and gets the default avatar.
    pub fn identity(&self) -> Option<Identity> {
        Some(match &self.target {
            AvatarTarget::Gravatar { hash } | AvatarTarget::Libravatar { hash } => {
                Identity::Hash(hash.clone())
            }
            AvatarTarget::Qq { number } => Identity::Qq(number.clone()),
            AvatarTarget::Github { login } => Identity::Github(login.clone()),
            AvatarTarget::Direct { url } => Identity::Url(url.clone()),
            AvatarTarget::Anonymous => return None,
        })
    }
}

/// Recognises one avatar URL with the built-in hosts: http, https or protocol-relative, as
/// written in an HTML attribute (character references such as `&amp;` are decoded first) or
/// already decoded. `None` for anything that is not an avatar we can replace.
pub fn recognize(url: &str) -> Option<AvatarRef> {
    static BUILT_IN: std::sync::LazyLock<Recognizer> =
        std::sync::LazyLock::new(Recognizer::default);
    match BUILT_IN.recognize(url) {
        Recognized::Avatar(avatar) => Some(avatar),
        Recognized::NotAvatar | Recognized::Unreplaceable => None,
    }
}

/// An http(s) URL as written in an attribute, decoded and made absolute.
fn parse_url(url: &str) -> Option<Url> {
    let decoded = htmlize::unescape_attribute(url);
    // HTML strips ASCII whitespace around URLs in attributes.
    let text = decoded.trim_matches(|c: char| c.is_ascii_whitespace());
    let absolute: Cow<'_, str> = if text.starts_with("//") {
        Cow::Owned(format!("https:{text}"))
    } else {
        Cow::Borrowed(text)
    };
    let parsed = Url::parse(&absolute).ok()?;
    matches!(parsed.scheme(), "http" | "https").then_some(parsed)
}

/// `avatars.githubusercontent.com`, `avatars0.githubusercontent.com`, ...
fn is_githubusercontent_avatar_host(host: &str) -> bool {
    host.strip_suffix(".githubusercontent.com")
        .and_then(|label| label.strip_prefix("avatars"))
        .is_some_and(|digits| digits.bytes().all(|b| b.is_ascii_digit()))
}

/// The hash of `<hash>` (what follows `/avatar/`) with an optional image extension;
/// lower-cased. `None` when it is not a hash: the URL names nobody.
fn avatar_hash(file: &str) -> Option<String> {
    let hash = match file.rsplit_once('.') {
        Some((stem, extension))
            if ["jpg", "jpeg", "png", "gif", "webp"]
                .iter()
                .any(|e| extension.eq_ignore_ascii_case(e)) =>
        {
            stem
        }
        _ => file,
    };
    let hash = hash.to_ascii_lowercase();
    let is_hash = is_hex_digest(&hash, HashAlgo::Md5) || is_hex_digest(&hash, HashAlgo::Sha256);
    // The hash of an empty email: a theme hashed a comment's missing address.
    (is_hash && !EMPTY_EMAIL_HASHES.contains(&hash.as_str())).then_some(hash)
}

/// MD5 and SHA-256 of the empty string: what `{{ email | md5 }}` gives for a comment without
/// an email. They name nobody.
const EMPTY_EMAIL_HASHES: &[&str] = &[
    "d41d8cd98f00b204e9800998ecf8427e",
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
];

/// The first of `names` present in the query with a positive integer value.
fn size_param(url: &Url, names: &[&str]) -> Option<u32> {
    names.iter().find_map(|name| {
        let (_, value) = url.query_pairs().find(|(key, _)| key == name)?;
        value.trim().parse::<u32>().ok().filter(|&px| px > 0)
    })
}

/// The value of query parameter `name`.
fn param(url: &Url, name: &str) -> Option<String> {
    url.query_pairs()
        .find(|(key, _)| key == name)
        .map(|(_, value)| value.into_owned())
}

/// qlogo: `/g?b=qq&nk=<qq>&s=<size>` and `/headimg_dl?dst_uin=<qq>&spec=<size>` (without a
/// valid number: anonymous), and WeChat's `/mmopen/...` pictures (fetched as they are).
fn qlogo(url: Url) -> Option<AvatarRef> {
    let (number, size) = match url.path() {
        // `k=` is an opaque key of someone: not ours to replace, but not nobody either.
        "/g" if param(&url, "nk").is_none() && param(&url, "k").is_some() => return None,
        "/g" => (param(&url, "nk"), param(&url, "s")),
        "/headimg_dl" => (param(&url, "dst_uin"), param(&url, "spec")),
        path if path.len() > "/mmopen/".len() && path.starts_with("/mmopen/") => {
            return direct(url);
        }
        _ => return None,
    };
    let px = size
        .and_then(|s| s.trim().parse::<u32>().ok())
        .and_then(qlogo_px);
    let target = match number.as_deref().map(str::trim) {
        Some(number) if QqNumber::parse(number).is_ok() => AvatarTarget::Qq {
            number: number.to_owned(),
        },
        _ => AvatarTarget::Anonymous,
    };
    Some(AvatarRef { target, px })
}

/// qlogo's size codes: 1 and 2 are 40 px, 3 is 100, 4 is 140, 5 is 640; other values are
/// pixels; 0 ("largest available") names no particular size.
fn qlogo_px(code: u32) -> Option<u32> {
    match code {
        0 => None,
        1 | 2 => Some(40),
        3 => Some(100),
        4 => Some(140),
        5 => Some(640),
        px => Some(px),
    }
}

/// A githubusercontent avatar: https, no fragment, without its size parameter.
fn direct(mut url: Url) -> Option<AvatarRef> {
    if url.path().len() <= 1 {
        return None;
    }
    let px = size_param(&url, &["s", "size"]);
    let kept: Vec<(String, String)> = url
        .query_pairs()
        .filter(|(key, _)| key != "s" && key != "size")
        .map(|(key, value)| (key.into_owned(), value.into_owned()))
        .collect();
    if kept.is_empty() {
        url.set_query(None);
    } else {
        url.query_pairs_mut().clear().extend_pairs(kept);
    }
    url.set_fragment(None);
    url.set_scheme("https").ok()?;
    Some(AvatarRef {
        target: AvatarTarget::Direct { url: url.into() },
        px,
    })
}

#[cfg(test)]
#[path = "recognize_tests.rs"]
mod tests;
