//! What the [`Fetcher`](super::Fetcher)'s per-run memo keeps of an answer, and reading cache
//! entries into answers. A body that is a cache blob is kept as its digest only and handed out
//! as a [`Body`] read on first use, so neither the memo nor a warm build's fresh cache hits hold
//! or read picture bytes nobody asked for.

use std::io;
use std::sync::Arc;
use std::time::Duration;

use super::{Body, FetchError, Fetched, Origin, Trust};
use crate::cache::Cache;
use crate::cache::CacheError;
use crate::cache::index::{Entry, Outcome, now_secs};

/// A finished answer as the memo keeps it.
pub(super) enum Settled {
    /// Kept whole: no body, or no cache to re-read the body from.
    Held(Fetched),
    /// A body that is also a cache blob: only its name is kept, re-read from disk if asked.
    OnDisk {
        sha256: String,
        md5: Option<String>,
        content_type: Option<String>,
        stale_error: Option<FetchError>,
        origin: Origin,
    },
}

/// A cache entry together with its body (for `Found`), not read until used.
pub(super) struct Cached {
    pub entry: Entry,
    pub body: Option<Body>,
}

/// What the memo keeps of an answer.
pub(super) fn settle(fetched: &Fetched, sha256: Option<String>) -> Settled {
    let (Some(sha256), Some(body)) = (sha256, fetched.body()) else {
        return Settled::Held(fetched.clone());
    };
    let md5 = body.known_md5().map(hex::encode);
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
        md5,
        content_type,
        stale_error,
        origin,
    }
}

/// Rebuilds the answer from the memo for a later caller.
pub(super) fn unsettle(cache: Option<&Cache>, url: &str, settled: &Settled) -> Fetched {
    let (sha256, md5, content_type, stale_error, origin) = match settled {
        Settled::Held(fetched) => return fetched.clone(),
        Settled::OnDisk {
            sha256,
            md5,
            content_type,
            stale_error,
            origin,
        } => (sha256, md5, content_type, stale_error, origin),
    };
    let Some(body) = cache.and_then(|c| c.blob(sha256, md5.as_deref())) else {
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

/// The memo key: the trust class is part of it, so a trusted answer never satisfies an
/// untrusted request, nor one fetched under another address rule.
pub(super) fn memo_key(url: &str, trust: &Trust) -> String {
    match trust.scope() {
        None => format!("trusted {url}"),
        Some(scope) => format!("untrusted {scope} {url}"),
    }
}

/// The body of a `Found` entry, if its blob is still there.
pub(super) fn blob_of(cache: &Cache, entry: &Entry) -> Option<Body> {
    match &entry.outcome {
        Outcome::Found { sha256, md5, .. } => cache.blob(sha256, md5.as_deref()),
        Outcome::Missing => None,
    }
}

/// The entry for `url` with its body. An entry whose blob is gone counts as absent, and so does
/// one fetched under another address rule than the untrusted request's `scope` (or without
/// the guard at all).
pub(super) fn load(cache: &Cache, url: &str, scope: Option<&str>) -> Option<Cached> {
    let entry = cache
        .lookup(url)
        .filter(|e| scope.is_none() || (e.guarded && e.scope.as_deref() == scope))?;
    let body = match &entry.outcome {
        Outcome::Found { .. } => Some(blob_of(cache, &entry)?),
        Outcome::Missing => None,
    };
    Some(Cached { entry, body })
}

pub(super) fn is_fresh(entry: &Entry, ttl: Duration) -> bool {
    now_secs().saturating_sub(entry.fetched_at) < ttl.as_secs()
}

pub(super) fn found_parts(entry: &Entry) -> (Option<String>, Option<String>) {
    match &entry.outcome {
        Outcome::Found {
            sha256,
            content_type,
            ..
        } => (Some(sha256.clone()), content_type.clone()),
        Outcome::Missing => (None, None),
    }
}

pub(super) fn answer_from(cached: &Cached, origin: Origin) -> (Fetched, Option<String>) {
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
