//! Fetch-stage tests against the loopback [`TestServer`](crate::testkit::TestServer).

mod caching;
mod guard;
mod limits;
mod requests;
mod trust;

use std::path::Path;
use std::time::Duration;

use super::{Fetched, Fetcher, HttpSettings, Origin};
use crate::cache::Cache;

/// Settings with short timeouts and backoff so failures are quick to test.
fn quick() -> HttpSettings {
    HttpSettings {
        timeout: Duration::from_secs(3),
        connect_timeout: Duration::from_secs(2),
        backoff: Duration::from_millis(5),
        retry_after_cap: Duration::from_secs(3),
        ..HttpSettings::default()
    }
}

fn open_cache(dir: &Path) -> Cache {
    let (cache, warning) = Cache::open(dir).unwrap();
    assert!(warning.is_none(), "unexpected warning: {warning:?}");
    cache
}

fn cached_fetcher(dir: &Path, settings: HttpSettings) -> Fetcher {
    Fetcher::new(settings, Some(open_cache(dir)), false)
}

/// The body of a `Found`, or a panic naming what came instead.
fn found(fetched: &Fetched) -> (&[u8], Origin) {
    match fetched {
        Fetched::Found { body, origin, .. } => (body, *origin),
        other => panic!("expected Found, got {other:?}"),
    }
}

/// Pretends every entry in the cache at `dir` was fetched `by` earlier.
fn age_index(dir: &Path, by: Duration) {
    let path = dir.join("index.json");
    let mut index: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    for entry in index["entries"].as_object_mut().unwrap().values_mut() {
        let at = entry["fetched_at"].as_u64().unwrap();
        entry["fetched_at"] = (at - by.as_secs()).into();
    }
    std::fs::write(&path, serde_json::to_vec_pretty(&index).unwrap()).unwrap();
}
