//! Errors of the fetch stage: per-URL failures (values inside [`Fetched`](super::Fetched)) and
//! cache failures (returned by [`Cache`](super::Cache) and
//! [`Fetcher::finish`](super::Fetcher::finish)).

use crate::cache::CacheError;
use std::io;
use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;

/// Why one URL could not be fetched. Every variant names the URL that was asked for.
///
/// Cloneable (I/O sources are shared behind an `Arc`) because one answer is handed to every
/// caller that asked for the same URL.
#[derive(Debug, Clone, thiserror::Error)]
pub enum FetchError {
    /// The request (or its body) took longer than the configured timeout.
    #[error("{url}: timed out after {after:?}")]
    Timeout {
        /// The URL requested.
        url: String,
        /// The overall timeout in force.
        after: Duration,
    },
    /// The host name did not resolve.
    #[error("{url}: host name not found")]
    Dns {
        /// The URL requested.
        url: String,
    },
    /// The TCP connection could not be made (refused, unreachable).
    #[error("{url}: cannot connect")]
    Connect {
        /// The URL requested.
        url: String,
        /// The underlying socket error.
        #[source]
        source: Arc<io::Error>,
    },
    /// Earlier requests showed the host unreachable this run, so nothing was sent (fail fast).
    #[error("{url}: host {host} is unreachable this run, not contacted")]
    HostDown {
        /// The URL requested.
        url: String,
        /// The host (with port) that was given up on.
        host: String,
    },
    /// The server answered with a status that is neither success nor "no avatar".
    #[error("{url}: HTTP status {status}")]
    Status {
        /// The URL requested.
        url: String,
        /// The final HTTP status code.
        status: u16,
    },
    /// The body was larger than the configured cap (it is rejected, never truncated).
    #[error("{url}: response body larger than {limit} bytes")]
    TooLarge {
        /// The URL requested.
        url: String,
        /// The cap in bytes.
        limit: u64,
    },
    /// The address guard refused the address the host name (or a redirect) resolved to.
    #[error("{url}: refused to connect to non-allowed address {ip}")]
    Refused {
        /// The URL requested.
        url: String,
        /// The resolved address that was refused.
        ip: IpAddr,
    },
    /// More redirects than allowed.
    #[error("{url}: more than {max} redirects")]
    TooManyRedirects {
        /// The URL requested.
        url: String,
        /// The redirect cap.
        max: u32,
    },
    /// The URL (or a redirect target) is not a valid http(s) URL.
    #[error("{url}: invalid or unsupported URL: {reason}")]
    BadUrl {
        /// The URL requested.
        url: String,
        /// What was wrong with it.
        reason: String,
    },
    /// TLS handshake or certificate failure.
    #[error("{url}: TLS error: {message}")]
    Tls {
        /// The URL requested.
        url: String,
        /// The TLS library's message.
        message: String,
    },
    /// The server spoke broken HTTP.
    #[error("{url}: HTTP protocol error: {message}")]
    Protocol {
        /// The URL requested.
        url: String,
        /// The parser's message.
        message: String,
    },
    /// A socket error while talking to the server (reset, closed early, truncated body).
    #[error("{url}: I/O error")]
    Io {
        /// The URL requested.
        url: String,
        /// The underlying error.
        #[source]
        source: Arc<io::Error>,
    },
    /// A success answer whose bytes are no image format (typically an HTML page): a failed
    /// refresh, never cached.
    #[error(
        "{url}: the answer is not an image{}",
        .content_type.as_deref().map_or(String::new(), |t| format!(" (Content-Type {t})"))
    )]
    NotAnImage {
        /// The URL requested.
        url: String,
        /// The MIME type the server declared.
        content_type: Option<String>,
    },
    /// A proxy variable (`HTTPS_PROXY`, `ALL_PROXY`, ...) is set but unusable, or the proxy
    /// refused the connection: nothing is sent directly instead.
    #[error("{url}: proxy: {message}")]
    Proxy {
        /// The URL requested.
        url: String,
        /// What is wrong with the proxy.
        message: String,
    },
    /// The body arrived but is not a usable image (it does not decode within the limits).
    #[error("{url}: {reason}")]
    Unusable {
        /// The URL requested.
        url: String,
        /// Why the caller could not use it.
        reason: String,
    },
    /// The build's overall deadline (`[http] deadline_s`) passed: no new request starts and
    /// the ones on the wire are cut.
    // The chain maps these to `ErrorKind::Deadline`, which the report counts.
    #[error("{url}: not fetched, the build's deadline of {after:?} has passed")]
    Deadline {
        /// The URL requested.
        url: String,
        /// The deadline in force.
        after: Duration,
    },
    /// The cache could not hold the downloaded answer (the body itself was fine).
    #[error("{url}: cannot store in the cache")]
    Cache {
        /// The URL requested.
        url: String,
        /// The cache failure.
        #[source]
        source: Arc<CacheError>,
    },
}

impl FetchError {
    /// The URL this error is about.
    pub fn url(&self) -> &str {
        match self {
            Self::Timeout { url, .. }
            | Self::Dns { url }
            | Self::Connect { url, .. }
            | Self::HostDown { url, .. }
            | Self::Status { url, .. }
            | Self::TooLarge { url, .. }
            | Self::Refused { url, .. }
            | Self::TooManyRedirects { url, .. }
            | Self::BadUrl { url, .. }
            | Self::Tls { url, .. }
            | Self::Protocol { url, .. }
            | Self::Io { url, .. }
            | Self::NotAnImage { url, .. }
            | Self::Proxy { url, .. }
            | Self::Unusable { url, .. }
            | Self::Deadline { url, .. }
            | Self::Cache { url, .. } => url,
        }
    }

    /// Whether another attempt might succeed: timeouts, dropped connections, 429 and 5xx.
    pub(crate) fn is_transient(&self) -> bool {
        match self {
            Self::Timeout { .. } | Self::Io { .. } => true,
            Self::Status { status, .. } => *status == 429 || (500..600).contains(status),
            _ => false,
        }
    }
}
