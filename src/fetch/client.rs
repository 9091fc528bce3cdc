//! The HTTP side: `ureq` agents configured from [`HttpSettings`], the address guard for
//! untrusted URLs, and one URL's request with retries.

use std::io;
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use ureq::http::Uri;
use ureq::unversioned::transport::{Connector, DefaultConnector, RustlsConnector, TcpConnector};
use ureq::{Agent, Proxy};

use super::hosts::{Gate, HostSignal};
use super::proxy::{GuardedProxy, ProxyEnv};
use super::resolver::{ResolveFailure, RunResolver};
use super::{AllowIp, Counters, FetchError, HttpSettings, Trust};
use crate::cache::index::BodyMeta;

/// How many distinct address predicates get an agent of their own before the oldest is dropped.
/// Callers normally pass one predicate for the whole run.
const MAX_GUARDED_AGENTS: usize = 8;

/// How much of an error response's body is read so the connection can go back to the pool.
const DRAIN_LIMIT: u64 = 64 * 1024;

/// Validators of a cached answer, sent so the server can reply 304.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct Validators<'a> {
    pub etag: Option<&'a str>,
    pub last_modified: Option<&'a str>,
}

/// What the server said, once retries are over and it is not an error.
#[derive(Debug)]
pub(crate) enum Answer {
    /// A 2xx with its body (within the size cap).
    Body { bytes: Vec<u8>, meta: BodyMeta },
    /// 304: the cached copy is still good.
    NotModified,
    /// 404 or 410 (the status): there is nothing at this URL.
    Missing(u16),
}

/// One agent per URL scheme, since each scheme has its own proxy variable, and one without a
/// proxy for the URLs `NO_PROXY` exempts.
#[derive(Clone)]
struct Agents {
    http: Agent,
    https: Agent,
    direct: Agent,
}

impl Agents {
    fn for_url(&self, url: &str, proxies: &ProxyEnv) -> Agent {
        if proxies.bypass(url) {
            self.direct.clone()
        } else if url
            .get(..6)
            .is_some_and(|s| s.eq_ignore_ascii_case("https:"))
        {
            self.https.clone()
        } else {
            self.http.clone()
        }
    }
}

/// The agents for one run.
pub(crate) struct Client {
    settings: HttpSettings,
    trusted: Agents,
    proxies: ProxyEnv,
    guarded: Mutex<Vec<(AllowIp, Agents)>>,
    /// When the run's network time is over (`HttpSettings::deadline`).
    deadline: Option<Instant>,
}

/// One failed attempt: the error, and for a 429 the server's requested pause.
struct Failure {
    error: FetchError,
    retry_after: Option<Duration>,
}

impl Client {
    pub(crate) fn new(settings: HttpSettings) -> Self {
        let proxies = match &settings.proxy_env {
            None => ProxyEnv::from_env(),
            Some(vars) => ProxyEnv::from_vars(|name| {
                vars.iter().find(|(n, _)| n == name).map(|(_, v)| v.clone())
            }),
        };
        let trusted_agent = |proxy: Option<Proxy>| {
            let resolver = RunResolver { allow_ip: None };
            let config = agent_config(&settings, proxy);
            Agent::with_parts(config, DefaultConnector::default(), resolver)
        };
        let trusted = Agents {
            http: trusted_agent(proxies.for_scheme("http")),
            https: trusted_agent(proxies.for_scheme("https")),
            direct: trusted_agent(None),
        };
        Self {
            deadline: settings.deadline.map(|d| Instant::now() + d),
            settings,
            trusted,
            proxies,
            guarded: Mutex::new(Vec::new()),
        }
    }

    pub(crate) fn settings(&self) -> &HttpSettings {
        &self.settings
    }

    /// Requests `url`, retrying transient failures with exponential backoff. Each attempt holds a
    /// slot of `gate` only while it is on the wire, never while sleeping between attempts.
    pub(crate) fn fetch(
        &self,
        url: &str,
        trust: &Trust,
        validators: Validators<'_>,
        gate: &Gate,
        counters: &Counters,
    ) -> Result<Answer, FetchError> {
        let host = host_key(url)?;
        if let Some(message) = &self.proxies.error {
            return Err(FetchError::Proxy {
                url: url.to_owned(),
                message: message.clone(),
            });
        }
        let agent = match trust {
            Trust::Trusted => self.trusted.for_url(url, &self.proxies),
            Trust::Untrusted { allow_ip, .. } => {
                self.guarded_agents(allow_ip).for_url(url, &self.proxies)
            }
        };
        let mut attempt: u32 = 0;
        let past_deadline = || {
            counters.deadline_cut.fetch_add(1, Ordering::Relaxed);
            FetchError::Deadline {
                url: url.to_owned(),
                after: self.settings.deadline.unwrap_or_default(),
            }
        };
        loop {
            let permit = gate.enter(&host).map_err(|_| {
                counters.skipped_host_down.fetch_add(1, Ordering::Relaxed);
                FetchError::HostDown {
                    url: url.to_owned(),
                    host: host.clone(),
                }
            })?;
            // Checked once the slot is ours: the wait for it may have used the time up.
            let remaining = self.remaining();
            if remaining.is_some_and(|r| r.is_zero()) {
                return Err(past_deadline());
            }
            counters.requests.fetch_add(1, Ordering::Relaxed);
            let (mut result, mut signal) = self.attempt(&agent, url, validators, remaining);
            if result.is_err() && self.remaining().is_some_and(|r| r.is_zero()) {
                // Cut by the deadline, which says nothing about the host.
                result = Err(Failure {
                    error: past_deadline(),
                    retry_after: None,
                });
                signal = HostSignal::Neutral;
            }
            // Report before freeing the slot so queued callers see a host that just went down.
            gate.report(&host, signal);
            drop(permit);
            let failure = match result {
                Ok(answer) => return Ok(answer),
                Err(failure) => failure,
            };
            if !failure.error.is_transient() || attempt >= self.settings.retries {
                return Err(failure.error);
            }
            let pause = match failure.retry_after {
                Some(asked) => asked.min(self.settings.retry_after_cap),
                None => self.settings.backoff.saturating_mul(1 << attempt.min(16)),
            };
            attempt += 1;
            counters.retries.fetch_add(1, Ordering::Relaxed);
            std::thread::sleep(self.remaining().map_or(pause, |r| pause.min(r)));
        }
    }

    /// Time left before the deadline; `None` without one.
    fn remaining(&self) -> Option<Duration> {
        self.deadline
            .map(|at| at.saturating_duration_since(Instant::now()))
    }

    fn attempt(
        &self,
        agent: &Agent,
        url: &str,
        validators: Validators<'_>,
        remaining: Option<Duration>,
    ) -> (Result<Answer, Failure>, HostSignal) {
        let mut request = agent.get(url);
        if let Some(left) = remaining.filter(|r| *r < self.settings.timeout) {
            // The deadline cuts a request on the wire: its whole time is capped to what is left.
            request = request.config().timeout_global(Some(left)).build();
        }
        if let Some(etag) = validators.etag {
            request = request.header("If-None-Match", etag);
        }
        if let Some(date) = validators.last_modified {
            request = request.header("If-Modified-Since", date);
        }
        for (name, value) in super::headers::headers_for(&self.settings.host_headers, url) {
            request = request.header(name, value);
        }
        let mut response = match request.call() {
            Ok(response) => response,
            Err(err) => {
                let (error, signal) = self.classify(url, err);
                let failure = Failure {
                    error,
                    retry_after: None,
                };
                return (Err(failure), signal);
            }
        };
        let status = response.status().as_u16();
        let header = |name: &str| {
            let value = response.headers().get(name)?.to_str().ok()?;
            Some(value.trim().to_owned())
        };
        let result = match status {
            200..=299 => {
                let meta = BodyMeta {
                    content_type: response.body().mime_type().map(str::to_owned),
                    etag: header("etag"),
                    last_modified: header("last-modified"),
                };
                let read = response
                    .body_mut()
                    .with_config()
                    .limit(self.settings.max_bytes)
                    .read_to_vec();
                return match read {
                    Ok(bytes) => (Ok(Answer::Body { bytes, meta }), HostSignal::Alive),
                    Err(err) => {
                        let (error, signal) = self.classify(url, err);
                        let failure = Failure {
                            error,
                            retry_after: None,
                        };
                        (Err(failure), signal)
                    }
                };
            }
            304 => Ok(Answer::NotModified),
            404 | 410 => Ok(Answer::Missing(status)),
            _ => Err(Failure {
                retry_after: header("retry-after")
                    .and_then(|v| v.parse::<u64>().ok())
                    .map(Duration::from_secs),
                error: FetchError::Status {
                    url: url.to_owned(),
                    status,
                },
            }),
        };
        // Read (a little of) what remains so the keep-alive connection can be reused.
        let _ = response
            .body_mut()
            .with_config()
            .limit(DRAIN_LIMIT)
            .read_to_vec();
        (result, HostSignal::Alive)
    }

    /// Maps a `ureq` error to ours, and says what it teaches about the host.
    fn classify(&self, url: &str, err: ureq::Error) -> (FetchError, HostSignal) {
        let url = url.to_owned();
        match err {
            ureq::Error::Timeout(_) => {
                let after = self.settings.timeout;
                (FetchError::Timeout { url, after }, HostSignal::Timeout)
            }
            ureq::Error::HostNotFound => (FetchError::Dns { url }, HostSignal::Unreachable),
            ureq::Error::TooManyRedirects => {
                let max = self.settings.max_redirects;
                (FetchError::TooManyRedirects { url, max }, HostSignal::Alive)
            }
            ureq::Error::BodyExceedsLimit(_) => {
                let limit = self.settings.max_bytes;
                (FetchError::TooLarge { url, limit }, HostSignal::Alive)
            }
            ureq::Error::BadUri(reason) => {
                (FetchError::BadUrl { url, reason }, HostSignal::Neutral)
            }
            ureq::Error::Protocol(e) => {
                let message = e.to_string();
                (FetchError::Protocol { url, message }, HostSignal::Alive)
            }
            ureq::Error::Io(e) => classify_io(url, e, self.settings.timeout),
            ureq::Error::ConnectionFailed => {
                let source = Arc::new(io::Error::other("connection failed"));
                (FetchError::Connect { url, source }, HostSignal::Unreachable)
            }
            ureq::Error::Tls(_) | ureq::Error::Rustls(_) | ureq::Error::Pem(_) => {
                let message = err.to_string();
                (FetchError::Tls { url, message }, HostSignal::Neutral)
            }
            ureq::Error::ConnectProxyFailed(message) => {
                (FetchError::Proxy { url, message }, HostSignal::Neutral)
            }
            other => {
                let message = other.to_string();
                (FetchError::Protocol { url, message }, HostSignal::Neutral)
            }
        }
    }

    /// The agents whose resolver applies `allow_ip`; one set per distinct predicate, so that a
    /// pooled connection is only ever reused under the predicate that approved its address.
    fn guarded_agents(&self, allow_ip: &AllowIp) -> Agents {
        let mut agents = self.guarded.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some((_, found)) = agents.iter().find(|(p, _)| Arc::ptr_eq(p, allow_ip)) {
            return found.clone();
        }
        let agent = |proxy: Option<Proxy>| {
            let resolver = RunResolver {
                allow_ip: Some(allow_ip.clone()),
            };
            // Proxied hops go through `GuardedProxy`, which checks the target and then reaches
            // the proxy itself with the unguarded resolver; direct hops reach `TcpConnector`
            // with addresses the guarded resolver already checked.
            let connector = ()
                .chain(GuardedProxy {
                    proxy_resolver: RunResolver { allow_ip: None },
                })
                .chain(TcpConnector::default())
                .chain(RustlsConnector::default());
            let config = agent_config(&self.settings, proxy);
            Agent::with_parts(config, connector, resolver)
        };
        let made = Agents {
            http: agent(self.proxies.for_scheme("http")),
            https: agent(self.proxies.for_scheme("https")),
            direct: agent(None),
        };
        if agents.len() >= MAX_GUARDED_AGENTS {
            agents.remove(0);
        }
        agents.push((allow_ip.clone(), made.clone()));
        made
    }
}

fn classify_io(url: String, e: io::Error, after: Duration) -> (FetchError, HostSignal) {
    match ResolveFailure::find(&e) {
        Some(ResolveFailure::Refused(ip)) => {
            let ip = *ip;
            return (FetchError::Refused { url, ip }, HostSignal::Neutral);
        }
        Some(ResolveFailure::NotFound(_)) => {
            return (FetchError::Dns { url }, HostSignal::Unreachable);
        }
        None => {}
    }
    let source = Arc::new(e);
    match source.kind() {
        io::ErrorKind::ConnectionRefused
        | io::ErrorKind::HostUnreachable
        | io::ErrorKind::NetworkUnreachable
        | io::ErrorKind::AddrNotAvailable => {
            (FetchError::Connect { url, source }, HostSignal::Unreachable)
        }
        io::ErrorKind::TimedOut | io::ErrorKind::WouldBlock => {
            (FetchError::Timeout { url, after }, HostSignal::Timeout)
        }
        _ => (FetchError::Io { url, source }, HostSignal::Alive),
    }
}

fn agent_config(settings: &HttpSettings, proxy: Option<Proxy>) -> ureq::config::Config {
    let idle = settings.concurrency.max(1);
    Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(settings.timeout))
        .timeout_connect(Some(settings.connect_timeout))
        .max_redirects(settings.max_redirects)
        .max_idle_connections(idle.max(10))
        .max_idle_connections_per_host(idle)
        .proxy(proxy)
        .user_agent(settings.user_agent.as_str())
        .build()
}

/// `host:port` of an http(s) URL: the unit of fail-fast and of the per-host limit.
pub(crate) fn host_key(url: &str) -> Result<String, FetchError> {
    let bad = |reason: &str| FetchError::BadUrl {
        url: url.to_owned(),
        reason: reason.to_owned(),
    };
    let uri: Uri = url.parse().map_err(|_| bad("not a URL"))?;
    let port = match uri.scheme_str() {
        Some("http") => uri.port_u16().unwrap_or(80),
        Some("https") => uri.port_u16().unwrap_or(443),
        _ => return Err(bad("only http and https are fetched")),
    };
    let host = uri
        .host()
        .filter(|h| !h.is_empty())
        .ok_or_else(|| bad("no host"))?;
    Ok(format!("{}:{port}", host.to_ascii_lowercase()))
}
