//! [`Fetcher`]: the per-run memo in front of the cache and the client (design in the module doc
//! of [`fetch`](super)).

use std::collections::HashMap;
use std::io;
use std::sync::{Arc, Mutex, OnceLock, PoisonError};
use std::time::Duration;

use super::client::{Answer, Client, Validators};
use super::hosts::Gate;
use super::{Counters, FetchError, FetchStats, Fetched, HttpSettings, Origin, Trust};
use crate::cache::Cache;
use crate::cache::CacheError;
use crate::cache::index::{BodyMeta, Entry, Outcome, now_secs};

/// Fetches URLs for one run; `Send + Sync`, shared by reference across worker threads.
pub struct Fetcher {
    client: Client,
    gate: Gate,
    cache: Option<Cache>,
    offline: bool,
    memo: Mutex<HashMap<String, Arc<OnceLock<Settled>>>>,
    counters: Counters,
    /// The first failure to write the cache, reported by `finish`.
    cache_error: Mutex<Option<CacheError>>,
    /// For each URL whose cached body this run's download replaced: the entry it replaced, put
    /// back by [`Fetcher::reject`] when the new body proves unusable.
    replaced: Mutex<HashMap<String, Option<Entry>>>,
}

/// A finished answer as the memo keeps it.
enum Settled {
    /// Kept whole: no body, or no cache to re-read the body from.
    Held(Fetched),
    /// A body that is also a cache blob: kept weakly, re-read from disk once nobody holds it.
    OnDisk {
        sha256: String,
        content_type: Option<String>,
        stale_error: Option<FetchError>,
        origin: Origin,
    },
}

/// A cache entry together with its body (for `Found`), read when looked up.
struct Cached {
    entry: Entry,
    body: Option<Arc<[u8]>>,
}

impl Fetcher {
    /// A fetcher for one run. With `offline`, no request is ever sent: cached answers of any
    /// age are used, and anything else is [`Fetched::Offline`].
    pub fn new(settings: HttpSettings, cache: Option<Cache>, offline: bool) -> Self {
        let gate = Gate::new(settings.concurrency, settings.per_host);
        Self {
            client: Client::new(settings),
            gate,
            cache,
            offline,
            memo: Mutex::new(HashMap::new()),
            counters: Counters::default(),
            cache_error: Mutex::new(None),
            replaced: Mutex::new(HashMap::new()),
        }
    }

    /// Blocking. Each distinct URL is requested at most once per run however many callers ask:
    /// concurrent callers for the same URL wait for the one request and share its answer.
    pub fn get(&self, url: &str, trust: &Trust) -> Fetched {
        let slot = {
            let mut memo = self.memo.lock().unwrap_or_else(PoisonError::into_inner);
            // Keyed by trust class too: a trusted answer must not satisfy an untrusted request.
            memo.entry(memo_key(url, trust)).or_default().clone()
        };
        let mut mine = None;
        let settled = slot.get_or_init(|| {
            let (fetched, sha256) = self.resolve(url, trust);
            let settled = self.settle(&fetched, sha256);
            mine = Some(fetched);
            settled
        });
        match mine {
            Some(fetched) => fetched,
            None => {
                Counters::bump(&self.counters.deduplicated);
                self.unsettle(url, settled)
            }
        }
    }

    /// The caller found the body [`get`](Self::get) gave for `url` unusable (it does not
    /// decode: a decompression bomb, a truncated image). A body downloaded this run leaves the
    /// cache again, the entry it replaced is restored, and its last good body is the answer,
    /// as [`Fetched::Stale`] with `reason`; without one the answer is `None` and the entry is
    /// dropped so the next run asks again. Later `get`s for `url` see the same.
    pub fn reject(&self, url: &str, trust: &Trust, reason: &str) -> Option<Fetched> {
        let cache = self.cache.as_ref()?;
        let replaced = self
            .replaced
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(url)
            .cloned()
            .flatten();
        let previous = replaced.filter(|e| e.guarded || trust.scope().is_none());
        let body = previous.as_ref().and_then(|entry| match &entry.outcome {
            Outcome::Found { sha256, .. } => cache.read_blob(sha256),
            Outcome::Missing => None,
        });
        let Some(body) = body else {
            cache.restore(url, None);
            return None;
        };
        let entry = previous?;
        cache.restore(url, Some(entry.clone()));
        let error = FetchError::Unusable {
            url: url.to_owned(),
            reason: reason.to_owned(),
        };
        let (stale, sha256) = self.stale(&entry, body, error);
        let settled = self.settle(&stale, sha256);
        let mut memo = self.memo.lock().unwrap_or_else(PoisonError::into_inner);
        memo.insert(memo_key(url, trust), Arc::new(OnceLock::from(settled)));
        Some(stale)
    }

    /// The hosts (`host:port`) given up on so far this run: unreachable, or timing out again
    /// and again. Requests to them fail at once with [`FetchError::HostDown`].
    pub fn hosts_given_up(&self) -> Vec<String> {
        self.gate.down_hosts()
    }

    /// Counters so far.
    pub fn stats(&self) -> FetchStats {
        self.counters.snapshot(self.gate.hosts_down())
    }

    /// Ends the run: merges this run's answers into the cache index on disk. Fails if the index
    /// cannot be written, or if a download could not be stored in the cache during the run.
    pub fn finish(self) -> Result<FetchStats, CacheError> {
        let stats = self.stats();
        if let Some(cache) = &self.cache {
            cache.persist()?;
        }
        let store_error = self
            .cache_error
            .into_inner()
            .unwrap_or_else(PoisonError::into_inner);
        match store_error {
            Some(err) => Err(err),
            None => Ok(stats),
        }
    }

    /// The work behind one URL, done by its first caller. Returns the answer and, when its body
    /// is a cache blob, the blob's digest.
    fn resolve(&self, url: &str, trust: &Trust) -> (Fetched, Option<String>) {
        let scope = trust.scope();
        let cached = self.cache.as_ref().and_then(|c| load(c, url, scope));
        if self.offline {
            return self.offline_answer(cached);
        }
        let ttl = self.client.settings().ttl;
        if let Some(cached) = cached.as_ref().filter(|c| is_fresh(&c.entry, ttl)) {
            Counters::bump(&self.counters.cache_fresh);
            self.count_cache(true);
            return answer_from(cached, Origin::CacheFresh);
        }
        let validators = match &cached {
            Some(c) if matches!(c.entry.outcome, Outcome::Found { .. }) => Validators {
                etag: c.entry.etag.as_deref(),
                last_modified: c.entry.last_modified.as_deref(),
            },
            _ => Validators::default(),
        };
        let counter = match cached {
            Some(_) => &self.counters.revalidations,
            None => &self.counters.misses,
        };
        Counters::bump(counter);
        let result = self
            .client
            .fetch(url, trust, validators, &self.gate, &self.counters);
        match result {
            // Bytes that are not an image (a captive portal's or CDN's HTML page sent with 200)
            // are a failed refresh: they never replace the last good image, and are not cached
            // (the next build asks again). Without a cached image the caller sees them and says
            // what they are.
            Ok(Answer::Body { bytes, meta })
                if self.client.settings().images_only
                    && crate::process::sniff(&bytes).is_none() =>
            {
                self.count_cache(false);
                match cached {
                    Some(Cached {
                        entry,
                        body: Some(body),
                    }) => self.stale(
                        &entry,
                        body,
                        FetchError::NotAnImage {
                            url: url.to_owned(),
                            content_type: meta.content_type,
                        },
                    ),
                    _ => {
                        let found = Fetched::Found {
                            body: Arc::from(bytes),
                            content_type: meta.content_type,
                            origin: Origin::Network,
                        };
                        (found, None)
                    }
                }
            }
            Ok(Answer::Body { bytes, meta }) => {
                self.count_cache(false);
                let content_type = meta.content_type.clone();
                if let Some(Cached { entry, .. }) = &cached {
                    self.replaced
                        .lock()
                        .unwrap_or_else(PoisonError::into_inner)
                        .insert(url.to_owned(), Some(entry.clone()));
                }
                let sha256 = self.store(url, scope, &bytes, meta);
                let found = Fetched::Found {
                    body: Arc::from(bytes),
                    content_type,
                    origin: Origin::Network,
                };
                (found, sha256)
            }
            Ok(Answer::Missing(status)) => {
                self.count_cache(false);
                match cached {
                    // A content URL that died (WeChat's expire when the user changes avatar)
                    // keeps its last good image: the page's author did not remove the avatar.
                    // The cached entry stays as it was, so the next build asks again.
                    Some(Cached {
                        entry,
                        body: Some(body),
                    }) if scope.is_some() => {
                        let error = FetchError::Status {
                            url: url.to_owned(),
                            status,
                        };
                        self.stale(&entry, body, error)
                    }
                    _ => {
                        if let Some(cache) = &self.cache {
                            cache.put_missing(url, scope);
                        }
                        let origin = Origin::Network;
                        (Fetched::Missing { origin }, None)
                    }
                }
            }
            Ok(Answer::NotModified) => match cached {
                Some(cached) if cached.body.is_some() => {
                    Counters::bump(&self.counters.not_modified);
                    self.count_cache(true);
                    if let Some(cache) = &self.cache {
                        cache.renew(url);
                    }
                    answer_from(&cached, Origin::CacheRevalidated)
                }
                // A 304 nobody asked for: there is nothing to keep.
                _ => self.failed(FetchError::Status {
                    url: url.to_owned(),
                    status: 304,
                }),
            },
            Err(error) => match cached {
                Some(Cached {
                    entry,
                    body: Some(body),
                }) => self.stale(&entry, body, error),
                _ => self.failed(error),
            },
        }
    }

    /// A refresh that failed with `error`: the last good cached body is the answer.
    fn stale(
        &self,
        entry: &Entry,
        body: Arc<[u8]>,
        error: FetchError,
    ) -> (Fetched, Option<String>) {
        Counters::bump(&self.counters.stale);
        let (sha256, content_type) = found_parts(entry);
        let stale = Fetched::Stale {
            body,
            content_type,
            error,
        };
        (stale, sha256)
    }

    fn offline_answer(&self, cached: Option<Cached>) -> (Fetched, Option<String>) {
        match cached {
            Some(cached) => {
                Counters::bump(&self.counters.offline_hits);
                answer_from(&cached, Origin::CacheOffline)
            }
            None => (Fetched::Offline, None),
        }
    }

    fn failed(&self, error: FetchError) -> (Fetched, Option<String>) {
        Counters::bump(&self.counters.failures);
        (Fetched::Failed { error }, None)
    }

    /// Writes a download to the cache. A cache failure does not spoil the download: it is
    /// counted, remembered for `finish`, and the body is kept in memory instead.
    fn store(
        &self,
        url: &str,
        scope: Option<&str>,
        bytes: &[u8],
        meta: BodyMeta,
    ) -> Option<String> {
        let cache = self.cache.as_ref()?;
        match cache.put_found(url, scope, bytes, meta) {
            Ok(sha256) => Some(sha256),
            Err(err) => {
                Counters::bump(&self.counters.cache_write_errors);
                let mut first = self
                    .cache_error
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner);
                first.get_or_insert(err);
                None
            }
        }
    }

    fn count_cache(&self, hit: bool) {
        if let Some(cache) = &self.cache {
            cache.count(hit);
        }
    }

    /// What the memo keeps of an answer.
    fn settle(&self, fetched: &Fetched, sha256: Option<String>) -> Settled {
        let (Some(sha256), Some(_)) = (sha256, fetched.body()) else {
            return Settled::Held(fetched.clone());
        };
        let (content_type, stale_error, origin) = match fetched {
            Fetched::Found {
                content_type,
                origin,
                ..
            } => (content_type.clone(), None, *origin),
            Fetched::Stale {
                content_type,
                error,
                ..
            } => (content_type.clone(), Some(error.clone()), Origin::Network),
            _ => return Settled::Held(fetched.clone()),
        };
        Settled::OnDisk {
            sha256,
            content_type,
            stale_error,
            origin,
        }
    }

    /// Rebuilds the answer from the memo for a later caller.
    fn unsettle(&self, url: &str, settled: &Settled) -> Fetched {
        let (sha256, content_type, stale_error, origin) = match settled {
            Settled::Held(fetched) => return fetched.clone(),
            Settled::OnDisk {
                sha256,
                content_type,
                stale_error,
                origin,
            } => (sha256, content_type, stale_error, origin),
        };
        let cache = self.cache.as_ref();
        let Some(body) = cache.and_then(|c| c.read_blob(sha256)) else {
            // The blob vanished mid-run (e.g. `cache clean` ran meanwhile).
            let path = cache.map(|c| c.dir().join("blobs").join(sha256));
            let source = CacheError::io(
                path.unwrap_or_default(),
                io::Error::from(io::ErrorKind::NotFound),
            );
            let error = FetchError::Cache {
                url: url.to_owned(),
                source: Arc::new(source),
            };
            return Fetched::Failed { error };
        };
        let content_type = content_type.clone();
        match stale_error {
            Some(error) => Fetched::Stale {
                body,
                content_type,
                error: error.clone(),
            },
            None => Fetched::Found {
                body,
                content_type,
                origin: *origin,
            },
        }
    }
}

/// The memo key: the trust class is part of it, so a trusted answer never satisfies an
/// untrusted request, nor one fetched under another address rule.
fn memo_key(url: &str, trust: &Trust) -> String {
    match trust.scope() {
        None => format!("trusted {url}"),
        Some(scope) => format!("untrusted {scope} {url}"),
    }
}

/// The entry for `url` with its body. An entry whose blob is gone counts as absent, and so does
/// one fetched under another address rule than the untrusted request's `scope` (or without
/// the guard at all).
fn load(cache: &Cache, url: &str, scope: Option<&str>) -> Option<Cached> {
    let entry = cache
        .lookup(url)
        .filter(|e| scope.is_none() || (e.guarded && e.scope.as_deref() == scope))?;
    let body = match &entry.outcome {
        Outcome::Found { sha256, .. } => Some(cache.read_blob(sha256)?),
        Outcome::Missing => None,
    };
    Some(Cached { entry, body })
}

fn is_fresh(entry: &Entry, ttl: Duration) -> bool {
    now_secs().saturating_sub(entry.fetched_at) < ttl.as_secs()
}

fn found_parts(entry: &Entry) -> (Option<String>, Option<String>) {
    match &entry.outcome {
        Outcome::Found {
            sha256,
            content_type,
        } => (Some(sha256.clone()), content_type.clone()),
        Outcome::Missing => (None, None),
    }
}

fn answer_from(cached: &Cached, origin: Origin) -> (Fetched, Option<String>) {
    let (sha256, content_type) = found_parts(&cached.entry);
    match &cached.body {
        Some(body) => {
            let found = Fetched::Found {
                body: body.clone(),
                content_type,
                origin,
            };
            (found, sha256)
        }
        None => (Fetched::Missing { origin }, None),
    }
}
