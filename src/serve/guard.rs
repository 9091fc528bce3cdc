//! Protection of the upload endpoints against other web pages.
//!
//! Three checks, because each alone has a gap:
//! - **Host** must be an IP literal or `localhost`. DNS rebinding needs a host *name*, so a page
//!   on `evil.example` that rebinds its name to 127.0.0.1 cannot read the upload page (and its
//!   token) or post to it.
//! - **Origin** (and `Sec-Fetch-Site`, when the browser sends them) must be this server: a
//!   cross-site form or `fetch` is refused before its body is read.
//! - A **token**, random per server start, embedded in the upload page and required in the
//!   `X-Avatars-Token` header or the `csrf` form field (for `navigator.sendBeacon`, which cannot
//!   set headers). Only a page served by this server knows it.

use axum::http::HeaderMap;
use axum::http::header::{HOST, ORIGIN};
use url::Url;

use super::error::{ApiError, ServeError};

/// Header carrying the token.
pub(crate) const TOKEN_HEADER: &str = "x-avatars-token";
/// Form field carrying the token.
pub(crate) const TOKEN_FIELD: &str = "csrf";
/// Random bytes in a token.
const TOKEN_BYTES: usize = 32;

/// The per-server token and the checks.
pub(crate) struct Guard {
    token: String,
}

impl Guard {
    /// A guard with a fresh random token.
    pub(crate) fn new() -> Result<Self, ServeError> {
        Ok(Self {
            token: random_hex(TOKEN_BYTES)?,
        })
    }

    /// The token the upload page embeds.
    pub(crate) fn token(&self) -> &str {
        &self.token
    }

    /// Host, Origin and fetch-metadata checks, done before the body is read.
    pub(crate) fn check_request(&self, headers: &HeaderMap) -> Result<(), ApiError> {
        let host = check_host(headers)?;
        if let Some(origin) = headers.get(ORIGIN) {
            let origin = origin.to_str().unwrap_or("null");
            if !same_origin(origin, &host) {
                return Err(ApiError::forbidden(
                    "cross_origin",
                    format!("requests from {origin} are not accepted; use the upload page"),
                ));
            }
        }
        if let Some(site) = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok())
            && !matches!(site, "same-origin" | "none")
        {
            return Err(ApiError::forbidden(
                "cross_origin",
                format!("{site} requests are not accepted; use the upload page"),
            ));
        }
        Ok(())
    }

    /// The token from the header, else from the form; `Err` unless it is this server's.
    pub(crate) fn check_token(
        &self,
        headers: &HeaderMap,
        form_field: Option<&str>,
    ) -> Result<(), ApiError> {
        let supplied = headers
            .get(TOKEN_HEADER)
            .and_then(|v| v.to_str().ok())
            .or(form_field);
        match supplied {
            Some(supplied) if constant_time_eq(supplied.as_bytes(), self.token.as_bytes()) => {
                Ok(())
            }
            Some(_) => Err(ApiError::forbidden(
                "bad_token",
                "the page's security token is wrong or from an earlier server run; reload the page",
            )),
            None => Err(ApiError::forbidden(
                "missing_token",
                "the security token is missing; use the upload page",
            )),
        }
    }
}

/// The `Host` header, when it names this machine by IP literal or as `localhost`.
pub(crate) fn check_host(headers: &HeaderMap) -> Result<String, ApiError> {
    let host = headers
        .get(HOST)
        .and_then(|v| v.to_str().ok())
        .ok_or_else(|| ApiError::bad_request("bad_host", "the request has no Host header"))?;
    let parsed = Url::parse(&format!("http://{host}/")).ok();
    let allowed = parsed
        .as_ref()
        .and_then(Url::host)
        .is_some_and(|h| match h {
            url::Host::Ipv4(_) | url::Host::Ipv6(_) => true,
            url::Host::Domain(name) => name == "localhost",
        });
    if allowed {
        Ok(host.to_owned())
    } else {
        Err(ApiError::forbidden(
            "bad_host",
            format!("the upload page answers only at an IP address or localhost, not at `{host}`"),
        ))
    }
}

/// True when `origin` is `http://<host>` (same host and port as the request's `Host`).
fn same_origin(origin: &str, host: &str) -> bool {
    let (Ok(origin), Ok(own)) = (Url::parse(origin), Url::parse(&format!("http://{host}/"))) else {
        return false;
    };
    origin.scheme() == "http"
        && origin.host() == own.host()
        && origin.port_or_known_default() == own.port_or_known_default()
}

/// Equality whose time does not depend on where the first difference is.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// `bytes` random bytes from the operating system, as lower-case hex.
pub(crate) fn random_hex(bytes: usize) -> Result<String, ServeError> {
    let mut buffer = vec![0u8; bytes];
    getrandom::fill(&mut buffer).map_err(|e| ServeError::Random(e.to_string()))?;
    Ok(hex::encode(buffer))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.insert(*name, value.parse().unwrap());
        }
        map
    }

    #[test]
    fn hosts_must_be_ip_literals_or_localhost() {
        for ok in ["127.0.0.1:1111", "localhost:8080", "[::1]:9", "127.0.0.1"] {
            assert!(check_host(&headers(&[("host", ok)])).is_ok(), "{ok}");
        }
        for bad in ["evil.example:1111", "localhost.evil.example", ""] {
            let error = check_host(&headers(&[("host", bad)])).unwrap_err();
            assert_eq!(error.code, "bad_host", "{bad}");
        }
        assert!(check_host(&HeaderMap::new()).is_err());
    }

    #[test]
    fn origin_must_match_host_and_port() {
        let guard = Guard::new().unwrap();
        let host = ("host", "127.0.0.1:1111");
        assert!(guard.check_request(&headers(&[host])).is_ok());
        assert!(
            guard
                .check_request(&headers(&[host, ("origin", "http://127.0.0.1:1111")]))
                .is_ok()
        );
        for origin in [
            "http://127.0.0.1:2222",
            "https://127.0.0.1:1111",
            "http://evil.example",
            "null",
        ] {
            let error = guard
                .check_request(&headers(&[host, ("origin", origin)]))
                .unwrap_err();
            assert_eq!(error.code, "cross_origin", "{origin}");
        }
        let error = guard
            .check_request(&headers(&[host, ("sec-fetch-site", "cross-site")]))
            .unwrap_err();
        assert_eq!(error.code, "cross_origin");
    }

    #[test]
    fn tokens_are_random_and_checked() {
        let (a, b) = (Guard::new().unwrap(), Guard::new().unwrap());
        assert_eq!(a.token().len(), TOKEN_BYTES * 2);
        assert_ne!(a.token(), b.token());
        let empty = HeaderMap::new();
        assert!(a.check_token(&empty, Some(a.token())).is_ok());
        assert_eq!(
            a.check_token(&empty, Some(b.token())).unwrap_err().code,
            "bad_token"
        );
        assert_eq!(
            a.check_token(&empty, None).unwrap_err().code,
            "missing_token"
        );
        let header = headers(&[("x-avatars-token", a.token())]);
        assert!(a.check_token(&header, None).is_ok());
    }
}
