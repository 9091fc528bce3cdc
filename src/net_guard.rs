//! The guard for untrusted URLs: avatar URLs found in posts and comment data.
//!
//! A commenter controls the `avatar` field, so a URL there must not make the build (often run in
//! CI, next to cloud metadata services and internal hosts) fetch from a non-public address.
//! [`check_content_url`](crate::net_guard::check_content_url) is the pre-check on the URL text:
//! scheme, credentials, IP literals in every spelling a resolver accepts, and host names that
//! only resolve locally. A host name can still resolve to a private address, so the fetch layer
//! also applies [`is_public_ip`](crate::net_guard::is_public_ip) to every resolved address and
//! on every redirect. Base URLs from the config are trusted and not checked.
//!
//! URLs are parsed with the `http` crate's `Uri`, the parser ureq itself uses, so the host
//! checked here is the host ureq connects to.

mod addr;

pub use addr::{AddrClass, classify_ip, is_public_ip, parse_ip_host};

use std::net::IpAddr;

use thiserror::Error;
use ureq::http::Uri;

/// Which untrusted URLs may be fetched (`[url] allow_private`, `[url] allow_hosts`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UrlPolicy {
    /// Allow non-public addresses and local-only names (for an intranet blog).
    pub allow_private: bool,
    /// When non-empty, only these hosts: exact names or `*.example.com` (subdomains only).
    pub allow_hosts: Vec<String>,
}

/// Why an untrusted URL is refused.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum Refusal {
    /// Not a URL the `http` crate can parse, or not an absolute one.
    #[error("{url:?} is not a valid absolute URL: {reason}")]
    Malformed {
        /// The URL as given.
        url: String,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// A scheme other than http and https.
    #[error("{scheme} URLs are not allowed (only http and https)")]
    Scheme {
        /// The scheme as written, e.g. `file://` or `data:`.
        scheme: String,
    },
    /// A `user:password@` part.
    #[error("URLs with credentials (user:password@) are not allowed (host {host})")]
    Credentials {
        /// The host the URL points to.
        host: String,
    },
    /// A host that is not a valid host name or IP address.
    #[error("{host:?} is not a valid host: {reason}")]
    BadHost {
        /// The host as written.
        host: String,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// An IP address (in any spelling) outside the public unicast ranges.
    #[error("{host} is {class}")]
    NonPublicAddress {
        /// The host as written, followed by the address it means when written unusually.
        host: String,
        /// The address.
        ip: IpAddr,
        /// The range it falls in.
        class: AddrClass,
    },
    /// A name that only resolves on the local machine or network.
    #[error("{host} is a local-only host name")]
    LocalName {
        /// The host, normalised.
        host: String,
    },
    /// A host `[url] allow_hosts` does not list.
    #[error("{host} is not in [url] allow_hosts")]
    NotAllowed {
        /// The host, normalised.
        host: String,
    },
}

/// Names and suffixes that never resolve through public DNS: special-use (RFC 6761, 6762,
/// 8375), ICANN's never-delegated private-use TLD (`internal`), and TLDs home routers and
/// companies use that ICANN will not delegate.
const LOCAL_SUFFIXES: [&str; 9] = [
    "localhost",
    "local",
    "internal",
    "home.arpa",
    "localdomain",
    "lan",
    "intranet",
    "corp",
    "home",
];

/// Checks an untrusted (content) URL before anything is fetched: only http and https, no
/// credentials, no non-public IP literal in any spelling and no local-only name (unless
/// `allow_private`), and a host listed in `allow_hosts` when that list is non-empty. Surrounding
/// whitespace is ignored.
pub fn check_content_url(raw: &str, policy: &UrlPolicy) -> Result<(), Refusal> {
    let url = raw.trim();
    let malformed = |reason| Refusal::Malformed {
        url: url.to_string(),
        reason,
    };
    let scheme =
        url_scheme(url).ok_or_else(|| malformed("no scheme (only http and https URLs)"))?;
    if !(scheme.eq_ignore_ascii_case("http") || scheme.eq_ignore_ascii_case("https")) {
        let slashes = if url[scheme.len() + 1..].starts_with("//") {
            "//"
        } else {
            ""
        };
        return Err(Refusal::Scheme {
            scheme: format!("{}:{slashes}", scheme.to_ascii_lowercase()),
        });
    }
    // Browsers read a backslash as a slash; the http crate does not. Refuse the ambiguity.
    if url.contains('\\') {
        return Err(malformed("contains a backslash"));
    }
    let uri: Uri = url
        .parse()
        .map_err(|_| malformed("not a valid http(s) URL"))?;
    let authority = uri.authority().ok_or_else(|| malformed("no host"))?;
    let host = authority.host();
    if authority.as_str().contains('@') {
        return Err(Refusal::Credentials {
            host: host.to_string(),
        });
    }
    check_host(host, policy)
}

/// The host part of the check: for callers that already hold a parsed host (e.g. a redirect's
/// `Location` host). `host` may be a bracketed IPv6 address.
pub fn check_host(host: &str, policy: &UrlPolicy) -> Result<(), Refusal> {
    let bad = |reason| Refusal::BadHost {
        host: host.to_string(),
        reason,
    };
    let name = host.to_ascii_lowercase();
    let name = name.strip_suffix('.').unwrap_or(&name);
    if name.is_empty() {
        return Err(bad("empty"));
    }
    let ip = parse_ip_host(name);
    if ip.is_none() {
        validate_name(name).map_err(bad)?;
    }
    if !policy.allow_private {
        match ip {
            Some(ip) => {
                if let Some(class) = classify_ip(ip) {
                    let canonical = ip.to_string();
                    let shown = if name.trim_matches(['[', ']']) == canonical {
                        canonical
                    } else {
                        format!("{host} ({canonical})")
                    };
                    return Err(Refusal::NonPublicAddress {
                        host: shown,
                        ip,
                        class,
                    });
                }
            }
            None if is_local_name(name) => {
                return Err(Refusal::LocalName {
                    host: name.to_string(),
                });
            }
            None => {}
        }
    }
    if !policy.allow_hosts.is_empty() && !host_allowed(name, ip, &policy.allow_hosts) {
        return Err(Refusal::NotAllowed {
            host: name.to_string(),
        });
    }
    Ok(())
}

/// The scheme of an absolute URL: letters, digits, `+`, `-`, `.` before the first colon.
fn url_scheme(url: &str) -> Option<&str> {
    let (scheme, _) = url.split_once(':')?;
    let mut chars = scheme.chars();
    let first_ok = chars.next().is_some_and(|c| c.is_ascii_alphabetic());
    (first_ok && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.')))
        .then_some(scheme)
}

/// A host name (not an IP address): dot-separated non-empty labels of letters, digits, `-` and
/// `_`, not ending in a numeric label (URL parsers would read that as an IPv4 address).
fn validate_name(name: &str) -> Result<(), &'static str> {
    if name.starts_with('[') {
        return Err("not a valid IPv6 address");
    }
    let labels: Vec<&str> = name.split('.').collect();
    if labels.iter().any(|l| l.is_empty()) {
        return Err("empty label");
    }
    if !name
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
    {
        return Err("characters other than letters, digits, '-', '_' and '.'");
    }
    let last = labels[labels.len() - 1];
    let hex = last
        .strip_prefix("0x")
        .is_some_and(|h| h.bytes().all(|b| b.is_ascii_hexdigit()));
    if hex || last.bytes().all(|b| b.is_ascii_digit()) {
        return Err("looks like an IPv4 address but is not a valid one");
    }
    Ok(())
}

/// `localhost` and the [`LOCAL_SUFFIXES`], and single-label names, which resolvers complete
/// with the local search domains (`http://metadata/` reaches a cloud metadata service).
fn is_local_name(name: &str) -> bool {
    !name.contains('.')
        || LOCAL_SUFFIXES
            .iter()
            .any(|s| name == *s || name.strip_suffix(s).is_some_and(|rest| rest.ends_with('.')))
}

/// Whether `allow_hosts` lists `name`: an exact entry, or `*.suffix` matching a subdomain.
/// An IP host also matches an entry spelling its canonical form.
fn host_allowed(name: &str, ip: Option<IpAddr>, allow_hosts: &[String]) -> bool {
    let canonical = ip.map(|ip| ip.to_string());
    allow_hosts.iter().any(|entry| {
        let entry = entry.trim().to_ascii_lowercase();
        let entry = entry.strip_suffix('.').unwrap_or(&entry);
        match entry.strip_prefix("*.") {
            Some(suffix) => name
                .strip_suffix(suffix)
                .is_some_and(|rest| rest.ends_with('.') && rest.len() > 1),
            None => entry == name || canonical.as_deref() == Some(entry.trim_matches(['[', ']'])),
        }
    })
}

#[cfg(test)]
mod tests;
