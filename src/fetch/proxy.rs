//! Proxies from the standard environment variables, and the address guard behind them.
//!
//! * `http://` URLs use `http_proxy` / `HTTP_PROXY`, `https://` URLs use `https_proxy` /
//!   `HTTPS_PROXY`, both fall back to `all_proxy` / `ALL_PROXY`; `no_proxy` / `NO_PROXY` lists
//!   hosts reached directly, read as curl reads it ([`NoProxy`]). An empty variable counts as
//!   unset; one that is not a proxy URL is an error every request reports, never a silent
//!   direct connection. A redirect keeps the agent: the proxy of the first URL's scheme, or
//!   none when `NO_PROXY` exempts the first URL.
//! * The proxy itself is the user's choice (like a base URL in the config) and is not checked.
//!   Every *target* is: on a direct hop ureq resolves it through the guarded resolver; on a
//!   proxied hop [`GuardedProxy`] resolves it through that same resolver, refuses what the guard
//!   refuses, and asks the proxy for the checked IP address (`CONNECT 203.0.113.7:443`, or a
//!   SOCKS request by address), so the proxy cannot be made to resolve the name differently.

use std::borrow::Cow;

pub(crate) use super::no_proxy::NoProxy;

use ureq::Proxy;
use ureq::ProxyProtocol;
use ureq::http::Uri;
use ureq::unversioned::resolver::Resolver;
use ureq::unversioned::transport::{
    ConnectProxyConnector, ConnectionDetails, Connector, Either, SocksConnector, Transport,
};

/// The proxies the environment asks for, per URL scheme.
#[derive(Debug, Clone, Default)]
pub(crate) struct ProxyEnv {
    /// For `http://` URLs.
    pub http: Option<Proxy>,
    /// For `https://` URLs.
    pub https: Option<Proxy>,
    /// A variable that is set but not a usable proxy URL: `NAME=value: reason`.
    pub error: Option<String>,
    /// Hosts reached directly.
    pub no_proxy: NoProxy,
}

impl ProxyEnv {
    /// Reads the variables of this process.
    pub(crate) fn from_env() -> Self {
        Self::from_vars(|name| std::env::var(name).ok())
    }

    /// Reads the variables through `var` (tests pass their own).
    pub(crate) fn from_vars(var: impl Fn(&str) -> Option<String>) -> Self {
        let mut env = ProxyEnv::default();
        // Lower case first, as curl reads them.
        let pick = |names: [&str; 2]| {
            names.into_iter().find_map(|name| {
                let value = var(name)?;
                (!value.trim().is_empty()).then(|| (name.to_owned(), value.trim().to_owned()))
            })
        };
        let all = pick(["all_proxy", "ALL_PROXY"]);
        env.no_proxy = pick(["no_proxy", "NO_PROXY"])
            .map(|(_, v)| NoProxy::parse(&v))
            .unwrap_or_default();
        let mut parse = |chosen: Option<(String, String)>| {
            let (name, value) = chosen.or_else(|| all.clone())?;
            match build(&value) {
                Ok(proxy) => Some(proxy),
                Err(reason) => {
                    env.error
                        .get_or_insert(format!("{name}={value:?} is not a usable proxy: {reason}"));
                    None
                }
            }
        };
        let http = parse(pick(["http_proxy", "HTTP_PROXY"]));
        let https = parse(pick(["https_proxy", "HTTPS_PROXY"]));
        env.http = http;
        env.https = https;
        env
    }

    /// Whether `url` is reached directly whatever the proxy variables say (`NO_PROXY`).
    pub(crate) fn bypass(&self, url: &str) -> bool {
        self.no_proxy.matches_url(url)
    }

    /// The proxy for a URL of `scheme` (before [`ProxyEnv::bypass`]).
    pub(crate) fn for_scheme(&self, scheme: &str) -> Option<Proxy> {
        match scheme {
            "https" => self.https.clone(),
            _ => self.http.clone(),
        }
    }
}

/// A proxy from a variable's value, without `NO_PROXY` entries (ureq would read them its own
/// way; [`ProxyEnv::bypass`] decides instead). For an HTTP proxy the target
/// is never resolved by ureq's own proxy code (its `CONNECT` line would carry the port twice);
/// the guarded agents resolve it in [`GuardedProxy`], the trusted ones leave it to the proxy.
/// SOCKS keeps its protocol's own default (SOCKS4 and SOCKS5 resolve locally).
fn build(value: &str) -> Result<Proxy, String> {
    let parsed = Proxy::new(value).map_err(|e| e.to_string())?;
    let mut builder = Proxy::builder(parsed.protocol())
        .host(parsed.host())
        .port(parsed.port());
    if matches!(
        parsed.protocol(),
        ProxyProtocol::Http | ProxyProtocol::Https
    ) {
        builder = builder.resolve_target(false);
    }
    if let Some(user) = parsed.username() {
        builder = builder.username(user);
    }
    if let Some(password) = parsed.password() {
        builder = builder.password(password);
    }
    builder.build().map_err(|e| e.to_string())
}

/// The first connector of a guarded agent: for a proxied hop, checks the target's resolved
/// addresses and has the proxy connect to the checked address; a direct hop passes through
/// (ureq resolved it through the guarded resolver already).
#[derive(Debug)]
pub(crate) struct GuardedProxy<R> {
    /// Resolves the proxy's own address, unchecked (the user configured it).
    pub proxy_resolver: R,
}

impl<In: Transport, R: Resolver> Connector<In> for GuardedProxy<R> {
    type Out = Either<In, Box<dyn Transport>>;

    fn connect(
        &self,
        details: &ConnectionDetails,
        chained: Option<In>,
    ) -> Result<Option<Self::Out>, ureq::Error> {
        if let Some(transport) = chained {
            return Ok(Some(Either::A(transport)));
        }
        // An agent has a proxy only for URLs that `NO_PROXY` does not exempt.
        let Some(proxy) = details.config.proxy() else {
            return Ok(None);
        };
        // The agent's resolver is the guarded one: a refused address ends the request here.
        let addrs = details
            .resolver
            .resolve(details.uri, details.config, details.timeout)?;
        let Some(first) = addrs.first().copied() else {
            return Err(ureq::Error::HostNotFound);
        };
        let scheme = details.uri.scheme_str().unwrap_or("http");
        let path = details
            .uri
            .path_and_query()
            .map_or(Cow::Borrowed("/"), |p| Cow::Owned(p.to_string()));
        let by_address: Uri = format!("{scheme}://{first}{path}")
            .parse()
            .map_err(|_| ureq::Error::BadUri(format!("{first}")))?;
        let inner = ConnectionDetails {
            uri: &by_address,
            addrs,
            config: details.config,
            request_level: details.request_level,
            resolver: &self.proxy_resolver,
            now: details.now,
            timeout: details.timeout,
            current_time: details.current_time.clone(),
            run_connector: details.run_connector.clone(),
            register_shutdown: details.register_shutdown.clone(),
        };
        let transport = match proxy.protocol() {
            ProxyProtocol::Http | ProxyProtocol::Https => {
                Connector::<In>::connect(&ConnectProxyConnector::default(), &inner, None)?
                    .map(Transport::boxed)
            }
            _ => Connector::<In>::connect(&SocksConnector::default(), &inner, None)?
                .map(Transport::boxed),
        };
        Ok(transport.map(Either::B))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars<'a>(pairs: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<String> + 'a {
        move |name| {
            pairs
                .iter()
                .find(|(n, _)| *n == name)
                .map(|(_, v)| (*v).to_owned())
        }
    }

    #[test]
    fn each_scheme_has_its_own_variable_and_all_proxy_is_the_fallback() {
        let env = ProxyEnv::from_vars(vars(&[
            ("HTTP_PROXY", "http://127.0.0.1:3128"),
            ("ALL_PROXY", "socks5://127.0.0.1:1080"),
        ]));
        assert!(env.error.is_none());
        let http = env.for_scheme("http").unwrap();
        assert_eq!((http.port(), http.protocol()), (3128, ProxyProtocol::Http));
        let https = env.for_scheme("https").unwrap();
        assert_eq!(
            (https.port(), https.protocol()),
            (1080, ProxyProtocol::Socks5)
        );
        assert!(
            !http.resolve_target(),
            "ureq's CONNECT by resolved address is malformed"
        );
    }

    #[test]
    fn lower_case_wins_empty_is_unset_and_no_proxy_applies() {
        let env = ProxyEnv::from_vars(vars(&[
            ("https_proxy", "http://127.0.0.1:1"),
            ("HTTPS_PROXY", "http://127.0.0.1:2"),
            ("http_proxy", ""),
            ("no_proxy", "example.org, .internal.test"),
        ]));
        assert!(env.http.is_none());
        assert_eq!(env.https.as_ref().unwrap().port(), 1);
        assert!(env.bypass("https://example.org/a.png"));
        assert!(env.bypass("https://x.internal.test/a.png"));
        assert!(!env.bypass("https://other.example/a.png"));
        // Curl's reading, not ureq's: a name covers its subdomains, and networks are CIDR.
        assert!(env.bypass("https://img.example.org/a.png"));
        let env = ProxyEnv::from_vars(vars(&[("NO_PROXY", "10.0.0.0/8")]));
        assert!(env.bypass("http://10.1.2.3/a.png"));
    }

    #[test]
    fn an_unusable_value_is_an_error_not_a_direct_connection() {
        let env = ProxyEnv::from_vars(vars(&[("HTTPS_PROXY", "ftp://127.0.0.1:21")]));
        let error = env.error.unwrap();
        assert!(
            error.starts_with("HTTPS_PROXY=\"ftp://127.0.0.1:21\""),
            "{error}"
        );
    }
}
