//! Avatar URL recognition: which URLs in built HTML are avatars, of whom, at what size.
//!
//! Only the hosts the contract lists are recognised, each with the path shape its service
//! actually serves avatars under; anything else (profile pages, site pages, other mirrors) is
//! left alone, because replacing a URL we only half understand would change what a page shows.

use std::borrow::Cow;

use url::Url;

use crate::identify::Identity;
use crate::resolve::github::is_valid_login;
use crate::resolve::qq::is_valid_qq;

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
    /// (`s`/`size` is dropped so every size on the site shares one full-resolution download).
    Direct {
        /// The absolute https URL.
        url: String,
    },
}

impl AvatarRef {
    /// The identity the provider chain resolves for this avatar. Every [`AvatarRef`] with the
    /// same identity is the same picture at another size: resolve per identity, not per ref.
    pub fn identity(&self) -> Identity {
        match &self.target {
            AvatarTarget::Gravatar { hash } | AvatarTarget::Libravatar { hash } => {
                Identity::Hash(hash.clone())
            }
            AvatarTarget::Qq { number } => Identity::Qq(number.clone()),
            AvatarTarget::Github { login } => Identity::Github(login.clone()),
            AvatarTarget::Direct { url } => Identity::Url(url.clone()),
        }
    }
}

/// Recognises one avatar URL: http, https or protocol-relative, as written in an HTML attribute
/// (character references such as `&amp;` are decoded first) or already decoded. `None` for
/// anything that is not an avatar of a known service.
pub fn recognize(url: &str) -> Option<AvatarRef> {
    let decoded = htmlize::unescape_attribute(url);
    // HTML strips ASCII whitespace around URLs in attributes.
    let text = decoded.trim_matches(|c: char| c.is_ascii_whitespace());
    let absolute: Cow<'_, str> = if text.starts_with("//") {
        Cow::Owned(format!("https:{text}"))
    } else {
        Cow::Borrowed(text)
    };
    let parsed = Url::parse(&absolute).ok()?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return None;
    }
    // `Url` lower-cases hosts of http(s) URLs; a trailing dot is the same host.
    let host = parsed.host_str()?.trim_end_matches('.');
    if is_gravatar_host(host) {
        let hash = avatar_hash(parsed.path())?;
        return Some(AvatarRef {
            target: AvatarTarget::Gravatar { hash },
            px: size_param(&parsed, &["s", "size"]),
        });
    }
    if matches!(host, "cdn.libravatar.org" | "seccdn.libravatar.org") {
        let hash = avatar_hash(parsed.path())?;
        return Some(AvatarRef {
            target: AvatarTarget::Libravatar { hash },
            px: size_param(&parsed, &["s", "size"]),
        });
    }
    if host.ends_with(".qlogo.cn") {
        return qlogo(&parsed);
    }
    if matches!(host, "github.com" | "www.github.com") {
        let login = parsed.path().strip_prefix('/')?.strip_suffix(".png")?;
        return is_valid_login(login).then(|| AvatarRef {
            target: AvatarTarget::Github {
                login: login.to_ascii_lowercase(),
            },
            px: size_param(&parsed, &["size", "s"]),
        });
    }
    if is_githubusercontent_avatar_host(host) {
        return direct(parsed);
    }
    None
}

/// `gravatar.com`, `*.gravatar.com` and the mirrors the contract lists.
fn is_gravatar_host(host: &str) -> bool {
    matches!(
        host,
        "gravatar.com" | "cravatar.cn" | "weavatar.com" | "gravatar.loli.net" | "sdn.geekzu.org"
    ) || host.ends_with(".gravatar.com")
        || host.ends_with(".cravatar.com")
}

/// `avatars.githubusercontent.com`, `avatars0.githubusercontent.com`, ...
fn is_githubusercontent_avatar_host(host: &str) -> bool {
    host.strip_suffix(".githubusercontent.com")
        .and_then(|label| label.strip_prefix("avatars"))
        .is_some_and(|digits| digits.bytes().all(|b| b.is_ascii_digit()))
}

/// The hash of `/avatar/<hash>` with an optional image extension; lower-cased.
fn avatar_hash(path: &str) -> Option<String> {
    let file = path.strip_prefix("/avatar/")?;
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
    ((hash.len() == 32 || hash.len() == 64) && hash.bytes().all(|b| b.is_ascii_hexdigit()))
        .then(|| hash.to_ascii_lowercase())
}

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

/// qlogo: `/g?b=qq&nk=<qq>&s=<size>` and `/headimg_dl?dst_uin=<qq>&spec=<size>`.
fn qlogo(url: &Url) -> Option<AvatarRef> {
    let (number, size) = match url.path() {
        "/g" => (param(url, "nk")?, param(url, "s")),
        "/headimg_dl" => (param(url, "dst_uin")?, param(url, "spec")),
        _ => return None,
    };
    let number = number.trim();
    if !is_valid_qq(number) {
        return None;
    }
    let px = size
        .and_then(|s| s.trim().parse::<u32>().ok())
        .and_then(qlogo_px);
    Some(AvatarRef {
        target: AvatarTarget::Qq {
            number: number.to_owned(),
        },
        px,
    })
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
