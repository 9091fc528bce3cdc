//! `NO_PROXY` read the way curl reads it, since that is what people test their value with.
//!
//! Entries are separated by commas (or white space). `*` alone matches every host. A name
//! matches itself and every name below it: `example.com` and `.example.com` both match
//! `example.com` and `img.example.com`, never `notexample.com` (a leading `*.` is read as `.`).
//! An IP address matches itself, and with `/bits` its network: `10.0.0.0/8`, `fe80::/10`;
//! IPv6 may be written in brackets. An entry with a port (`example.com:8080`,
//! `10.0.0.1:8080`, `[::1]:8080`) matches that port only. Names compare without case and
//! without a trailing dot. An entry that is none of these is ignored, as curl ignores it.
//!
//! ureq's own reading differs (`example.com` does not match its subdomains, `10.0.0.0/8`
//! is a host name, a port never matches), so the proxies handed to ureq carry no entries and
//! the choice is made here, per URL.

use std::net::IpAddr;

use ipnet::IpNet;
use ureq::http::Uri;

/// The parsed `NO_PROXY` value.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct NoProxy {
    /// `*`: no URL uses a proxy.
    all: bool,
    entries: Vec<Entry>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Entry {
    /// A name and the names below it (lower case, no leading or trailing dot).
    Domain { name: String, port: Option<u16> },
    /// An address (a network of its full length) or a network, host bits cleared.
    Network { net: IpNet, port: Option<u16> },
}

impl NoProxy {
    /// Parses a `NO_PROXY` value.
    pub(crate) fn parse(value: &str) -> Self {
        let mut parsed = NoProxy::default();
        for entry in value.split(|c: char| c == ',' || c.is_whitespace()) {
            match entry {
                "" => {}
                "*" => parsed.all = true,
                entry => parsed.entries.extend(Entry::parse(entry)),
            }
        }
        parsed
    }

    /// Whether `url` is reached directly. A URL that does not parse is not exempt (the request
    /// fails on its own terms).
    pub(crate) fn matches_url(&self, url: &str) -> bool {
        if self.all {
            return true;
        }
        let Ok(uri) = url.parse::<Uri>() else {
            return false;
        };
        let Some(host) = uri.host() else {
            return false;
        };
        let port = uri.port_u16().unwrap_or(match uri.scheme_str() {
            Some(scheme) if scheme.eq_ignore_ascii_case("https") => 443,
            _ => 80,
        });
        self.matches(host, port)
    }

    /// Whether `host` (a name, an IPv4 address, or an IPv6 address with or without brackets)
    /// on `port` is reached directly.
    pub(crate) fn matches(&self, host: &str, port: u16) -> bool {
        if self.all {
            return true;
        }
        let bare = host
            .strip_prefix('[')
            .and_then(|h| h.strip_suffix(']'))
            .unwrap_or(host);
        let ip = bare.parse::<IpAddr>().ok();
        let name = bare.trim_end_matches('.').to_ascii_lowercase();
        self.entries.iter().any(|entry| match entry {
            Entry::Domain {
                name: pattern,
                port: wanted,
            } => {
                wanted.is_none_or(|p| p == port)
                    && (name == *pattern
                        || name
                            .strip_suffix(pattern.as_str())
                            .is_some_and(|head| head.ends_with('.')))
            }
            // `contains` is false across families: `0.0.0.0/0` never matches `[::1]`.
            Entry::Network { net, port: wanted } => {
                wanted.is_none_or(|p| p == port) && ip.is_some_and(|ip| net.contains(&ip))
            }
        })
    }
}

impl Entry {
    fn parse(entry: &str) -> Option<Self> {
        let (host, bits) = match entry.split_once('/') {
            Some((host, bits)) => (host, Some(bits.parse::<u8>().ok()?)),
            None => (entry, None),
        };
        // The port and brackets come off before the address is read, which is why the network
        // is built from its parts rather than parsed whole: `[fe80::]/10` has the address in
        // brackets and the length after them.
        let (host, port) = split_port(host)?;
        if let Ok(addr) = host.parse::<IpAddr>() {
            let net = match bits {
                None => IpNet::from(addr),
                // A length longer than the address (`/33`) is an error here, so the entry is
                // ignored. Host bits (`10.0.0.1/8`) are cleared: curl matches the whole network.
                Some(bits) => IpNet::new(addr, bits).ok()?.trunc(),
            };
            return Some(Entry::Network { net, port });
        }
        if bits.is_some() {
            return None;
        }
        let name = host
            .strip_prefix("*.")
            .or_else(|| host.strip_prefix('.'))
            .unwrap_or(host)
            .trim_end_matches('.')
            .to_ascii_lowercase();
        let valid = !name.is_empty()
            && name
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'));
        valid.then_some(Entry::Domain { name, port })
    }
}

/// `host` and its port, if any: `[::1]:8080`, `[::1]`, `::1` (no port: the colons are the
/// address's), `10.0.0.1:8080`, `example.com:8080`. `None`: a port that is not a number.
fn split_port(entry: &str) -> Option<(&str, Option<u16>)> {
    if let Some(rest) = entry.strip_prefix('[') {
        let (host, after) = rest.split_once(']')?;
        return match after {
            "" => Some((host, None)),
            after => Some((host, Some(after.strip_prefix(':')?.parse().ok()?))),
        };
    }
    match entry.rsplit_once(':') {
        Some((host, port)) if !host.contains(':') => Some((host, Some(port.parse().ok()?))),
        _ => Some((entry, None)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn direct(no_proxy: &str, url: &str) -> bool {
        NoProxy::parse(no_proxy).matches_url(url)
    }

    #[test]
    fn a_name_matches_itself_and_its_subdomains_with_or_without_a_leading_dot() {
        for entry in [
            "example.com",
            ".example.com",
            "*.example.com",
            "EXAMPLE.com.",
        ] {
            assert!(direct(entry, "https://example.com/a.png"), "{entry}");
            assert!(direct(entry, "https://img.Example.com./a.png"), "{entry}");
            assert!(
                direct(entry, "http://a.b.example.com:8080/a.png"),
                "{entry}"
            );
            assert!(!direct(entry, "https://notexample.com/a.png"), "{entry}");
            assert!(
                !direct(entry, "https://example.com.evil.test/a.png"),
                "{entry}"
            );
            assert!(!direct(entry, "https://com/a.png"), "{entry}");
        }
    }

    #[test]
    fn a_star_alone_matches_everything_and_lists_take_commas_and_spaces() {
        assert!(direct("*", "https://anything.test/a.png"));
        assert!(direct("a.test, *", "http://203.0.113.9/a.png"));
        let list = NoProxy::parse("a.test,  b.test c.test,,");
        for host in ["a.test", "x.b.test", "c.test"] {
            assert!(list.matches(host, 443), "{host}");
        }
        assert!(!list.matches("d.test", 443));
        assert!(!NoProxy::parse("").matches("a.test", 80));
        // `*` inside a name is no wildcard.
        assert!(!direct("img*.test", "https://img1.test/a.png"));
    }

    #[test]
    fn addresses_and_cidr_networks_of_both_families() {
        assert!(direct("10.0.0.0/8", "http://10.200.3.4/a.png"));
        assert!(!direct("10.0.0.0/8", "http://11.0.0.1/a.png"));
        assert!(direct("192.168.1.7", "http://192.168.1.7/a.png"));
        assert!(!direct("192.168.1.7", "http://192.168.1.8/a.png"));
        assert!(direct(
            "198.51.100.0/24",
            "http://198.51.100.200:8080/a.png"
        ));
        assert!(direct("0.0.0.0/0", "http://203.0.113.1/a.png"));
        assert!(direct("fe80::/10", "http://[fe80::1]/a.png"));
        assert!(direct("::1", "http://[::1]:8080/a.png"));
        assert!(direct("[::1]", "http://[::1]/a.png"));
        assert!(!direct("fe80::/10", "http://[2001:db8::1]/a.png"));
        // A network never matches a name, nor the other family.
        assert!(!direct("10.0.0.0/8", "http://10.example/a.png"));
        assert!(!direct("0.0.0.0/0", "http://[::1]/a.png"));
        // Not CIDR: ignored, as curl ignores it.
        for bad in ["10.0.0.0/33", "10.0.0.0/x", "example.com/8"] {
            assert_eq!(NoProxy::parse(bad), NoProxy::default(), "{bad}");
        }
    }

    #[test]
    fn network_edge_cases_read_as_curl_reads_them() {
        // Host bits set: the whole network matches, the same entry as the network written
        // plainly.
        assert!(direct("10.0.0.1/8", "http://10.200.3.4/a.png"));
        assert!(!direct("10.0.0.1/8", "http://11.0.0.1/a.png"));
        assert!(direct("fe80::1/10", "http://[fe80::abcd]/a.png"));
        assert_eq!(NoProxy::parse("10.0.0.1/8"), NoProxy::parse("10.0.0.0/8"));
        // A bare address is the network of its full length.
        assert_eq!(
            NoProxy::parse("192.168.1.7"),
            NoProxy::parse("192.168.1.7/32")
        );
        assert_eq!(NoProxy::parse("::1"), NoProxy::parse("::1/128"));
        // The full length of each family and zero: one address, and every address of the family.
        assert!(direct("192.168.1.7/32", "http://192.168.1.7/a.png"));
        assert!(!direct("192.168.1.7/32", "http://192.168.1.6/a.png"));
        assert!(direct("::/0", "http://[2001:db8::1]/a.png"));
        assert!(!direct("::/0", "http://10.0.0.1/a.png"));
        // An IPv6 network may have its address in brackets.
        assert!(direct("[fe80::]/10", "http://[fe80::1]/a.png"));
        // Too long for the family (IPv6 included) or no number: ignored.
        for bad in ["fe80::/129", "::1/200", "10.0.0.0/256", "10.0.0.0/", "/8"] {
            assert_eq!(NoProxy::parse(bad), NoProxy::default(), "{bad}");
        }
    }

    #[test]
    fn an_entry_with_a_port_matches_that_port_only() {
        assert!(direct(
            "example.com:8080",
            "http://img.example.com:8080/a.png"
        ));
        assert!(!direct("example.com:8080", "http://img.example.com/a.png"));
        assert!(direct("example.com:443", "https://example.com/a.png"));
        assert!(!direct("example.com:443", "http://example.com/a.png"));
        assert!(direct("127.0.0.1:3000", "http://127.0.0.1:3000/a.png"));
        assert!(!direct("127.0.0.1:3000", "http://127.0.0.1:3001/a.png"));
        assert!(direct("[::1]:3000", "http://[::1]:3000/a.png"));
        assert!(!direct("[::1]:3000", "http://[::1]:3001/a.png"));
        assert_eq!(NoProxy::parse("example.com:http"), NoProxy::default());
    }
}
