//! The `--proxy` URL: the generator's own dev server, which must be on this machine.

use std::net::{IpAddr, SocketAddr, ToSocketAddrs};

use url::{Host, Url};

use crate::serve::ServeError;

/// A checked `--proxy` target: an `http://` origin on a loopback address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProxyTarget {
    /// The origin as given, normalised (`http://127.0.0.1:1313`), without a trailing `/`.
    origin: String,
    /// `host:port` as given: the `Host` the dev server expects.
    authority: String,
    /// The loopback address connections go to.
    addr: SocketAddr,
}

impl ProxyTarget {
    /// Parses and checks `text`. Only `http://` on a loopback address (`127.0.0.0/8`, `::1` or
    /// `localhost`) with no path is accepted: the target is the user's own dev server, and
    /// anything else would make this server an open relay to another machine.
    pub fn parse(text: &str) -> Result<Self, ServeError> {
        let refuse = |reason: String| ServeError::Proxy {
            url: text.to_owned(),
            reason,
        };
        let url = Url::parse(text).map_err(|error| {
            refuse(format!(
                "not a URL ({error}); give the dev server's address, e.g. http://127.0.0.1:1313"
            ))
        })?;
        if url.scheme() != "http" {
            return Err(refuse(format!(
                "only http:// is proxied (a generator's dev server on this machine), not {}://",
                url.scheme()
            )));
        }
        if !url.username().is_empty() || url.password().is_some() {
            return Err(refuse(
                "a user name or password does not belong in it".into(),
            ));
        }
        if url.path() != "/" || url.query().is_some() || url.fragment().is_some() {
            return Err(refuse(
                "give only the server's origin (e.g. http://127.0.0.1:1313): paths are passed \
                 through as the browser asks for them"
                    .into(),
            ));
        }
        let port = url
            .port_or_known_default()
            .ok_or_else(|| refuse("no port".into()))?;
        let ip = match url.host() {
            Some(Host::Ipv4(ip)) => IpAddr::V4(ip),
            Some(Host::Ipv6(ip)) => IpAddr::V6(ip),
            Some(Host::Domain(name)) if name.eq_ignore_ascii_case("localhost") => localhost(port)
                .ok_or_else(
                || refuse("`localhost` does not resolve to a loopback address here".into()),
            )?,
            _ => {
                return Err(refuse(
                    "the proxy target must be a loopback address (127.0.0.1, ::1 or \
                     localhost): it is your generator's dev server on this machine"
                        .into(),
                ));
            }
        };
        if !ip.is_loopback() {
            return Err(refuse(format!(
                "{ip} is not a loopback address: the proxy target must be your generator's dev \
                 server on this machine (127.0.0.1, ::1 or localhost)"
            )));
        }
        let authority = match url.port() {
            Some(port) => format!("{}:{port}", url.host_str().unwrap_or_default()),
            None => url.host_str().unwrap_or_default().to_owned(),
        };
        Ok(Self {
            origin: format!("http://{authority}"),
            authority,
            addr: SocketAddr::new(ip, port),
        })
    }

    /// `http://host:port`, as given.
    pub fn origin(&self) -> &str {
        &self.origin
    }

    /// `host:port`, as given.
    pub fn authority(&self) -> &str {
        &self.authority
    }

    /// The loopback address connected to.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }
}

/// `localhost`'s addresses, all of which must be loopback; IPv4 first, as dev servers bind
/// `127.0.0.1` by default.
fn localhost(port: u16) -> Option<IpAddr> {
    let addrs: Vec<IpAddr> = ("localhost", port)
        .to_socket_addrs()
        .ok()?
        .map(|addr| addr.ip())
        .collect();
    if addrs.is_empty() || !addrs.iter().all(IpAddr::is_loopback) {
        return None;
    }
    addrs
        .iter()
        .find(|ip| ip.is_ipv4())
        .or_else(|| addrs.first())
        .copied()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_loopback_http_origins_are_accepted() {
        let target = ProxyTarget::parse("http://127.0.0.1:1313").unwrap();
        assert_eq!(target.origin(), "http://127.0.0.1:1313");
        assert_eq!(target.addr(), "127.0.0.1:1313".parse().unwrap());
        let target = ProxyTarget::parse("http://[::1]:4000/").unwrap();
        assert_eq!(target.authority(), "[::1]:4000");
        assert!(ProxyTarget::parse("http://127.5.0.1:80/").is_ok());
        for bad in [
            "http://203.0.113.7:1313",
            "http://10.0.0.1:1313",
            "http://example.org:1313",
            "http://0.0.0.0:1313",
            "https://127.0.0.1:1313",
            "http://127.0.0.1:1313/blog/",
            "http://user:pw@127.0.0.1:1313",
            "127.0.0.1:1313",
        ] {
            let error = ProxyTarget::parse(bad).unwrap_err();
            assert_eq!(error.exit_code(), 2, "{bad}");
            assert!(error.to_string().contains(bad), "{bad}: {error}");
        }
    }
}
