//! [`Fetcher`]: the per-run memo in front of the cache and the client (design in the module doc
//! of [`fetch`](super)).

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock, PoisonError};

use super::client::{Answer, Client, Validators};
use super::hosts::Gate;
use super::memo::{
    Cached, Settled, answer_from, blob_of, found_parts, is_fresh, load, memo_key, settle, unsettle,
};
use super::{Body, Counters, FetchError, FetchStats, Fetched, HttpSettings, Origin, Trust};
use crate::cache::Cache;
use crate::cache::CacheError;
use crate::cache::index::{BodyMeta, Entry, Outcome};

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
            let settled = settle(&fetched, sha256);
            mine = Some(fetched);
            settled
        });
        match mine {
            Some(fetched) => fetched,
            None => {
                Counters::bump(&self.counters.deduplicated);
                unsettle(self.cache.as_ref(), url, settled)
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
        let body = previous.as_ref().and_then(|entry| blob_of(cache, entry));
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
        let settled = settle(&stale, sha256);
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
                            body: Body::from(bytes),
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
                let (body, sha256) = self.store(url, scope, bytes, meta);
                let found = Fetched::Found {
                    body,
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
    fn stale(&self, entry: &Entry, body: Body, error: FetchError) -> (Fetched, Option<String>) {
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

    /// Writes a download to the cache; returns the body and, once stored, the blob's digest. A
    /// cache failure does not spoil the download: it is counted, remembered for `finish`, and
    /// the body is kept in memory instead.
    fn store(
        &self,
        url: &str,
        scope: Option<&str>,
        bytes: Vec<u8>,
        meta: BodyMeta,
    ) -> (Body, Option<String>) {
        let Some(cache) = self.cache.as_ref() else {
            return (Body::from(bytes), None);
        };
        match cache.put_found(url, scope, bytes, meta) {
            Ok((sha256, body)) => (body, Some(sha256)),
            Err((err, bytes)) => {
                Counters::bump(&self.counters.cache_write_errors);
                let mut first = self
                    .cache_error
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner);
                first.get_or_insert(err);
                (Body::from(bytes), None)
            }
        }
    }

    fn count_cache(&self, hit: bool) {
        if let Some(cache) = &self.cache {
            cache.count(hit);
        }
    }
}
