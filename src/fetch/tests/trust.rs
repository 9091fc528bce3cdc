//! Cache entries and the trust they were fetched under; handing back an unusable body.

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use super::{age_index, cached_fetcher, found, quick};
use crate::fetch::{FetchError, Fetched, Trust};
use crate::testkit::{Response, TestServer};

#[test]
fn an_entry_fetched_under_one_address_rule_does_not_answer_another() {
    let server = TestServer::start(|_| Response::ok("avatar"));
    let dir = tempfile::tempdir().unwrap();
    let url = server.url("/a.png");
    let private = Trust::untrusted_scoped("private", |_| true);
    let fetcher = cached_fetcher(dir.path(), quick());
    found(&fetcher.get(&url, &private));
    fetcher.finish().unwrap();
    assert_eq!(server.request_count(), 1);

    // Same rule, next run: from the cache.
    let fetcher = cached_fetcher(dir.path(), quick());
    found(&fetcher.get(&url, &private));
    fetcher.finish().unwrap();
    assert_eq!(server.request_count(), 1);

    // A stricter rule: not served from the cache, asked again, and refused by the guard.
    let public = Trust::untrusted_scoped("public", |ip| !ip.is_loopback());
    let fetcher = cached_fetcher(dir.path(), quick());
    match fetcher.get(&url, &public) {
        Fetched::Failed {
            error: FetchError::Refused { .. },
        } => {}
        other => panic!("expected a refusal, got {other:?}"),
    }
    assert_eq!(
        server.request_count(),
        1,
        "the refused address was contacted"
    );
    // Config-trusted requests may use any entry.
    let trusted = fetcher.get(&url, &Trust::Trusted);
    assert_eq!(found(&trusted).0, b"avatar");
}

#[test]
fn rejecting_a_refreshed_body_restores_the_last_good_one() {
    let version = Arc::new(AtomicU32::new(1));
    let served = version.clone();
    let server = TestServer::start(move |_| {
        Response::ok(format!("body v{}", served.load(Ordering::SeqCst)))
    });
    let dir = tempfile::tempdir().unwrap();
    let url = server.url("/a.png");
    let fetcher = cached_fetcher(dir.path(), quick());
    found(&fetcher.get(&url, &Trust::Trusted));
    fetcher.finish().unwrap();
    age_index(dir.path(), Duration::from_secs(365 * 24 * 3600));

    version.store(2, Ordering::SeqCst);
    let fetcher = cached_fetcher(dir.path(), quick());
    assert_eq!(found(&fetcher.get(&url, &Trust::Trusted)).0, b"body v2");
    match fetcher.reject(&url, &Trust::Trusted, "does not decode") {
        Some(Fetched::Stale { body, error, .. }) => {
            assert_eq!(&body[..], b"body v1");
            assert!(error.to_string().contains("does not decode"), "{error}");
        }
        other => panic!("expected the last good body, got {other:?}"),
    }
    // Later callers in the run get the same answer.
    assert!(matches!(
        fetcher.get(&url, &Trust::Trusted),
        Fetched::Stale { .. }
    ));
    fetcher.finish().unwrap();

    // The cache kept v1 (expired, so the next run asks again).
    version.store(3, Ordering::SeqCst);
    let fetcher = cached_fetcher(dir.path(), quick());
    assert_eq!(found(&fetcher.get(&url, &Trust::Trusted)).0, b"body v3");
    assert_eq!(server.request_count(), 3);
}

#[test]
fn rejecting_a_first_download_drops_it_from_the_cache() {
    let server = TestServer::start(|_| Response::ok("not really an image"));
    let dir = tempfile::tempdir().unwrap();
    let url = server.url("/a.png");
    let fetcher = cached_fetcher(dir.path(), quick());
    found(&fetcher.get(&url, &Trust::Trusted));
    assert!(fetcher.reject(&url, &Trust::Trusted, "no").is_none());
    fetcher.finish().unwrap();
    // Not cached: the next run asks again although the TTL has not passed.
    let fetcher = cached_fetcher(dir.path(), quick());
    found(&fetcher.get(&url, &Trust::Trusted));
    assert_eq!(server.request_count(), 2);
}
