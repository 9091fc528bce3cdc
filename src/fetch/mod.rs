//! Fetch stage: turns a URL into bytes, at most once per run, through a persistent cache.
//!
//! # Concurrency design
//!
//! The resolver runs many identities on its own worker threads; each worker calls
//! [`Fetcher::get`](crate::fetch::Fetcher::get) and blocks. The fetcher owns no threads. Three
//! shared structures bound and deduplicate the work, all of them `Mutex` + `Condvar` or atomics:
//!
//! * **Per-run memo** — (trust class, URL) → `OnceLock` of the answer. The first caller for a URL
//!   does the work inside `get_or_init`; concurrent callers for the same URL block on that
//!   `OnceLock` and then share its answer, so a URL is requested at most once however many
//!   callers ask. With a cache, the memo keeps only a weak reference to a body plus its blob
//!   digest (re-read from disk if asked again after everyone dropped it), so memory stays
//!   bounded by what callers hold, even for 100,000 URLs.
//! * **Admission gate** (`hosts.rs`) — a counting semaphore of `concurrency` slots (default 16),
//!   deliberately not tied to the core count: the work is waiting on the network, and 16
//!   parallel waits on a 2-core machine are 8 times faster than 2. An optional per-host limit
//!   is taken before the global slot. A slot is held only while a request is on the wire, never
//!   during retry backoff.
//! * **Fail-fast host record** — a host that fails DNS, refuses connections, or times out twice
//!   in a row is marked down; every later request to it fails at once with
//!   [`FetchError::HostDown`](crate::fetch::FetchError::HostDown), so a dead host costs about
//!   one timeout, not one per URL.
//!
//! Requests go through one `ureq` [`Agent`](ureq::Agent) for trusted base URLs and, for avatar
//! URLs taken from content ([`Trust::Untrusted`](crate::fetch::Trust::Untrusted)), an agent
//! whose resolver refuses addresses the caller's predicate rejects — checked on the resolved
//! addresses of every hop, redirects included (`resolver.rs`).

mod body;
mod client;
mod error;
mod fetcher;
mod headers;
mod hosts;
mod memo;
mod no_proxy;
mod proxy;
mod resolver;
#[cfg(test)]
mod tests;

use std::fmt;
use std::net::IpAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use crate::config;
pub use body::Body;

pub use error::FetchError;
pub use fetcher::Fetcher;
pub use headers::HostHeaders;

// The `[http]` defaults are the config's (`crate::config::DEFAULT_*`), defined once there; these
// three have no config key.
const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
const DEFAULT_BACKOFF: Duration = Duration::from_millis(500);
const DEFAULT_RETRY_AFTER_CAP: Duration = Duration::from_secs(30);

/// How the fetcher talks to the network. Built from `[http]` in the config.
#[derive(Debug, Clone)]
pub struct HttpSettings {
    /// Overall limit for one request, body included (`[http] timeout_s`).
    pub timeout: Duration,
    /// Limit for establishing the connection.
    pub connect_timeout: Duration,
    /// Largest body accepted; a bigger one is an error, never truncated.
    pub max_bytes: u64,
    /// Requests in flight at once (`[http] concurrency`, `--jobs`).
    pub concurrency: usize,
    /// Optional limit of requests in flight to one host.
    pub per_host: Option<usize>,
    /// Extra attempts after a transient failure (timeout, dropped connection, 429, 5xx).
    pub retries: u32,
    /// First backoff pause; doubled for every further attempt.
    pub backoff: Duration,
    /// Longest `Retry-After` pause honoured.
    pub retry_after_cap: Duration,
    /// Redirects followed before giving up.
    pub max_redirects: u32,
    /// How long a cached answer is used without asking the server (`[http] ttl_hours`).
    pub ttl: Duration,
    /// The `User-Agent` header.
    pub user_agent: String,
    /// Success bodies must be images (PNG, JPEG, GIF or WebP by their magic bytes): anything
    /// else, typically an HTML page sent with 200, is a failed refresh that keeps the last good
    /// body and is never cached. The build sets it; the fetch layer itself takes any bytes.
    pub images_only: bool,
    /// Request headers per host (`[url.headers]`), for hosts that refuse requests without them.
    pub host_headers: Vec<HostHeaders>,
    /// Proxy variables (`HTTP_PROXY`, `NO_PROXY`, ...) to use instead of the process
    /// environment: `None` reads the environment (the normal case); tests and programs that
    /// embed the library pass their own.
    pub proxy_env: Option<Vec<(String, String)>>,
    /// Overall time for the network, counted from [`Fetcher::new`]: then no request starts,
    /// those on the wire are cut, and the URLs end [`FetchError::Deadline`]. `None`: no limit.
    pub deadline: Option<Duration>,
}

impl Default for HttpSettings {
    fn default() -> Self {
        Self {
            timeout: Duration::from_secs(config::DEFAULT_TIMEOUT_S),
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            max_bytes: config::DEFAULT_MAX_BYTES,
            concurrency: config::DEFAULT_CONCURRENCY,
            per_host: None,
            retries: config::DEFAULT_RETRIES,
            backoff: DEFAULT_BACKOFF,
            retry_after_cap: DEFAULT_RETRY_AFTER_CAP,
            max_redirects: config::DEFAULT_MAX_REDIRECTS,
            ttl: Duration::from_secs(config::DEFAULT_TTL_HOURS * 3600),
            user_agent: concat!("blog-avatars/", env!("CARGO_PKG_VERSION")).to_owned(),
            images_only: false,
            host_headers: Vec::new(),
            proxy_env: None,
            deadline: None,
        }
    }
}

/// A predicate on resolved addresses: `true` means connecting there is allowed.
pub type AllowIp = Arc<dyn Fn(IpAddr) -> bool + Send + Sync>;

/// Whether a URL may lead anywhere or only to addresses a predicate allows.
#[derive(Clone)]
pub enum Trust {
    /// A base URL from the site's config: any address, including loopback test servers.
    Trusted,
    /// A URL taken from content: every resolved address, on every redirect hop, must pass
    /// `allow_ip`. Pass the same `Arc` for the whole run (one agent is built per predicate).
    Untrusted {
        /// The address predicate (e.g. `net_guard::is_public_ip`).
        allow_ip: AllowIp,
        /// Names the rule `allow_ip` stands for (the build uses `public` and `private`). Cache
        /// entries remember it, and an untrusted request is only answered by an entry fetched
        /// under the same rule: an avatar cached while private addresses were allowed is not
        /// served once they are not.
        scope: Arc<str>,
    },
}

impl Trust {
    /// Untrusted, with `allow_ip` as the address predicate, in the scope `guarded`.
    pub fn untrusted(allow_ip: impl Fn(IpAddr) -> bool + Send + Sync + 'static) -> Self {
        Self::untrusted_scoped("guarded", allow_ip)
    }

    /// Untrusted, with `allow_ip` as the address predicate, in the named scope (see
    /// [`Trust::Untrusted`]).
    pub fn untrusted_scoped(
        scope: &str,
        allow_ip: impl Fn(IpAddr) -> bool + Send + Sync + 'static,
    ) -> Self {
        Self::Untrusted {
            allow_ip: Arc::new(allow_ip),
            scope: Arc::from(scope),
        }
    }

    /// The scope of an untrusted URL; `None` for a trusted one.
    pub(crate) fn scope(&self) -> Option<&str> {
        match self {
            Self::Trusted => None,
            Self::Untrusted { scope, .. } => Some(scope),
        }
    }
}

impl fmt::Debug for Trust {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Trusted => f.write_str("Trusted"),
            Self::Untrusted { scope, .. } => write!(f, "Untrusted({scope})"),
        }
    }
}

/// Where a body or answer came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    /// Downloaded in this run.
    Network,
    /// From the cache, within its TTL: no request made.
    CacheFresh,
    /// From the cache, after the server confirmed it with 304 Not Modified.
    CacheRevalidated,
    /// From the cache regardless of age, because the run is offline.
    CacheOffline,
}

/// The answer for one URL.
#[derive(Clone)]
pub enum Fetched {
    /// The server (or the cache) has a body for this URL.
    Found {
        /// The body, at most `max_bytes` (a cached one is read only when used).
        body: Body,
        /// The MIME type the server declared, without parameters.
        content_type: Option<String>,
        /// Where it came from.
        origin: Origin,
    },
    /// 404 or 410: nothing here — an answer ("has no avatar"), not an error. Cached like bodies.
    Missing {
        /// Where the answer came from.
        origin: Origin,
    },
    /// No answer: timeout, 5xx after retries, refused address, too big, host down...
    Failed {
        /// What went wrong.
        error: FetchError,
    },
    /// Refreshing an expired cache entry failed; the last good body is kept.
    Stale {
        /// The last good body.
        body: Body,
        /// Its MIME type.
        content_type: Option<String>,
        /// Why the refresh failed.
        error: FetchError,
    },
    /// Offline run and nothing cached: the URL was not consulted.
    Offline,
}

impl Fetched {
    /// The body, for `Found` and `Stale`.
    pub fn body(&self) -> Option<&Body> {
        match self {
            Self::Found { body, .. } | Self::Stale { body, .. } => Some(body),
            _ => None,
        }
    }
}

impl fmt::Debug for Fetched {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Bodies are images: show their size, not their bytes.
        match self {
            Self::Found {
                body,
                content_type,
                origin,
            } => write!(
                f,
                "Found({} bytes, {content_type:?}, {origin:?})",
                body.len()
            ),
            Self::Missing { origin } => write!(f, "Missing({origin:?})"),
            Self::Failed { error } => write!(f, "Failed({error})"),
            Self::Stale { body, error, .. } => write!(f, "Stale({} bytes, {error})", body.len()),
            Self::Offline => f.write_str("Offline"),
        }
    }
}

/// Counters of one run, for the report and for tests.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct FetchStats {
    /// HTTP requests sent (retries included).
    pub requests: u64,
    /// Of which retries.
    pub retries: u64,
    /// URLs answered from the cache within the TTL, without a request.
    pub cache_fresh: u64,
    /// URLs whose expired cache entry was revalidated with a conditional request.
    pub revalidations: u64,
    /// Of those, answered 304 Not Modified.
    pub not_modified: u64,
    /// URLs not in the cache (or cache disabled) that went to the network.
    pub misses: u64,
    /// URLs that ended `Failed`.
    pub failures: u64,
    /// URLs that ended `Stale`.
    pub stale: u64,
    /// URLs answered from the cache because the run is offline.
    pub offline_hits: u64,
    /// Hosts marked unreachable this run.
    pub hosts_down: u64,
    /// Requests not sent because their host was down.
    pub skipped_host_down: u64,
    /// `get` calls answered by another caller's request for the same URL.
    pub deduplicated: u64,
    /// Downloads that could not be written to the cache.
    pub cache_write_errors: u64,
    /// URLs not fetched, or cut on the wire, because the deadline passed.
    pub deadline_cut: u64,
}

/// Live counters behind [`FetchStats`].
#[derive(Default)]
struct Counters {
    requests: AtomicU64,
    retries: AtomicU64,
    cache_fresh: AtomicU64,
    revalidations: AtomicU64,
    not_modified: AtomicU64,
    misses: AtomicU64,
    failures: AtomicU64,
    stale: AtomicU64,
    offline_hits: AtomicU64,
    skipped_host_down: AtomicU64,
    deduplicated: AtomicU64,
    cache_write_errors: AtomicU64,
    deadline_cut: AtomicU64,
}

impl Counters {
    fn bump(counter: &AtomicU64) {
        counter.fetch_add(1, Ordering::Relaxed);
    }

    fn snapshot(&self, hosts_down: u64) -> FetchStats {
        let get = |c: &AtomicU64| c.load(Ordering::Relaxed);
        FetchStats {
            requests: get(&self.requests),
            retries: get(&self.retries),
            cache_fresh: get(&self.cache_fresh),
            revalidations: get(&self.revalidations),
            not_modified: get(&self.not_modified),
            misses: get(&self.misses),
            failures: get(&self.failures),
            stale: get(&self.stale),
            offline_hits: get(&self.offline_hits),
            hosts_down,
            skipped_host_down: get(&self.skipped_host_down),
            deduplicated: get(&self.deduplicated),
            cache_write_errors: get(&self.cache_write_errors),
            deadline_cut: get(&self.deadline_cut),
        }
    }
}
