//! The persistent cache across runs.

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use sha2::{Digest, Sha256};

use super::{age_index, cached_fetcher, found, open_cache, quick};
use crate::cache::Cache;
use crate::fetch::{FetchError, Fetched, Fetcher, HttpSettings, Origin, Trust};
use crate::testkit::{Request, Response, TestServer};

const WEEKS: Duration = Duration::from_secs(3 * 7 * 24 * 3600);

/// Serves `version`'s body with ETag and Last-Modified, and honours If-None-Match.
fn versioned(version: Arc<AtomicU32>) -> impl Fn(&Request) -> Response {
    move |r| {
        let v = version.load(Ordering::SeqCst);
        let etag = format!("\"v{v}\"");
        if r.header("if-none-match") == Some(etag.as_str()) {
            return Response::status(304);
        }
        match v {
            0 => Response::status(500),
            _ => Response::ok(format!("body v{v} of {}", r.path))
                .header("ETag", &etag)
                .header("Last-Modified", "Wed, 21 Oct 2015 07:28:00 GMT")
                .header("Content-Type", "image/png"),
        }
    }
}

fn run(dir: &std::path::Path, settings: HttpSettings, urls: &[String]) -> Vec<Fetched> {
    let fetcher = cached_fetcher(dir, settings);
    let answers = urls
        .iter()
        .map(|u| fetcher.get(u, &Trust::Trusted))
        .collect();
    fetcher.finish().unwrap();
    answers
}

#[test]
fn a_second_run_within_the_ttl_sends_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(versioned(Arc::new(AtomicU32::new(1))));
    let urls: Vec<String> = (0..5).map(|i| server.url(&format!("/{i}"))).collect();
    let first = run(dir.path(), quick(), &urls);
    assert_eq!(server.request_count(), 5);

    let fetcher = cached_fetcher(dir.path(), quick());
    for (url, before) in urls.iter().zip(&first) {
        let again = fetcher.get(url, &Trust::Trusted);
        assert_eq!(found(&again), (found(before).0, Origin::CacheFresh));
        let Fetched::Found { content_type, .. } = again else {
            unreachable!()
        };
        assert_eq!(content_type.as_deref(), Some("image/png"));
    }
    let stats = fetcher.finish().unwrap();
    assert_eq!(server.request_count(), 5, "no request on the second run");
    assert_eq!((stats.requests, stats.cache_fresh), (0, 5));
    let last_run = open_cache(dir.path()).stats().last_run.unwrap();
    assert_eq!((last_run.hits, last_run.misses), (5, 0));
}

#[test]
fn the_index_is_readable_and_blobs_are_content_addressed() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(|r| match r.path.as_str() {
        "/none" => Response::status(404),
        _ => Response::ok("pixels").header("ETag", "\"e1\""),
    });
    run(
        dir.path(),
        quick(),
        &[server.url("/a"), server.url("/none")],
    );
    let index: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("index.json")).unwrap()).unwrap();
    let entry = &index["entries"][server.url("/a")];
    let sha = hex::encode(Sha256::digest(b"pixels"));
    assert_eq!(entry["outcome"], "found");
    assert_eq!(entry["sha256"], sha.as_str());
    assert_eq!(entry["etag"], "\"e1\"");
    assert!(entry["fetched_at"].as_u64().unwrap() > 1_600_000_000);
    assert_eq!(index["entries"][server.url("/none")]["outcome"], "missing");
    assert_eq!(
        std::fs::read(dir.path().join("blobs").join(sha)).unwrap(),
        b"pixels"
    );
}

#[test]
fn missing_answers_are_cached_too() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(|_| Response::status(404));
    let url = [server.url("/nobody")];
    run(dir.path(), quick(), &url);
    let again = run(dir.path(), quick(), &url);
    assert!(
        matches!(
            again[0],
            Fetched::Missing {
                origin: Origin::CacheFresh
            }
        ),
        "{again:?}"
    );
    assert_eq!(server.request_count(), 1);
}

#[test]
fn after_the_ttl_a_304_keeps_and_renews_the_entry() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(versioned(Arc::new(AtomicU32::new(1))));
    let url = [server.url("/a")];
    let first = run(dir.path(), quick(), &url);
    age_index(dir.path(), WEEKS);

    let second = run(dir.path(), quick(), &url);
    assert_eq!(
        found(&second[0]),
        (found(&first[0]).0, Origin::CacheRevalidated)
    );
    let revalidation = &server.requests()[1];
    assert_eq!(revalidation.header("if-none-match"), Some("\"v1\""));
    assert_eq!(
        revalidation.header("if-modified-since"),
        Some("Wed, 21 Oct 2015 07:28:00 GMT")
    );
    // Renewed: fresh again without a request.
    let third = run(dir.path(), quick(), &url);
    assert_eq!(found(&third[0]).1, Origin::CacheFresh);
    assert_eq!(server.request_count(), 2);
}

#[test]
fn after_the_ttl_a_changed_image_replaces_the_entry() {
    let dir = tempfile::tempdir().unwrap();
    let version = Arc::new(AtomicU32::new(1));
    let server = TestServer::start(versioned(version.clone()));
    let url = [server.url("/a")];
    run(dir.path(), quick(), &url);
    age_index(dir.path(), WEEKS);
    version.store(2, Ordering::SeqCst);

    let second = run(dir.path(), quick(), &url);
    assert_eq!(found(&second[0]), (&b"body v2 of /a"[..], Origin::Network));
    let third = run(dir.path(), quick(), &url);
    assert_eq!(
        found(&third[0]),
        (&b"body v2 of /a"[..], Origin::CacheFresh)
    );
    let stats = open_cache(dir.path()).stats();
    assert_eq!(stats.entries, 1);
}

#[test]
fn a_failed_refresh_keeps_the_last_good_body() {
    let dir = tempfile::tempdir().unwrap();
    let version = Arc::new(AtomicU32::new(1));
    let server = TestServer::start(versioned(version.clone()));
    let url = [server.url("/a")];
    run(dir.path(), quick(), &url);
    age_index(dir.path(), WEEKS);
    version.store(0, Ordering::SeqCst); // the server now fails with 500

    let second = run(dir.path(), quick(), &url);
    match &second[0] {
        Fetched::Stale { body, error, .. } => {
            assert_eq!(&body[..], b"body v1 of /a");
            assert!(
                matches!(error, FetchError::Status { status: 500, .. }),
                "{error}"
            );
        }
        other => panic!("expected Stale, got {other:?}"),
    }
}

#[test]
fn offline_uses_any_cached_answer_and_sends_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(versioned(Arc::new(AtomicU32::new(1))));
    run(dir.path(), quick(), &[server.url("/a")]);
    age_index(dir.path(), WEEKS);

    let fetcher = Fetcher::new(quick(), Some(open_cache(dir.path())), true);
    let cached = fetcher.get(&server.url("/a"), &Trust::Trusted);
    assert_eq!(
        found(&cached),
        (&b"body v1 of /a"[..], Origin::CacheOffline)
    );
    let unknown = fetcher.get(&server.url("/b"), &Trust::Trusted);
    assert!(matches!(unknown, Fetched::Offline), "{unknown:?}");
    assert_eq!(server.request_count(), 1, "only the first, online run");

    let no_cache = Fetcher::new(quick(), None, true);
    assert!(matches!(
        no_cache.get(&server.url("/a"), &Trust::Trusted),
        Fetched::Offline
    ));
}

#[test]
fn a_corrupt_index_is_a_warning_and_a_cold_start() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("index.json"), b"{ not json").unwrap();
    let (cache, warning) = Cache::open(dir.path()).unwrap();
    let warning = warning.expect("a warning");
    assert_eq!(warning.path, dir.path().join("index.json"));
    assert_eq!(cache.stats().entries, 0);

    let server = TestServer::start(|_| Response::ok("x"));
    let fetcher = Fetcher::new(quick(), Some(cache), false);
    found(&fetcher.get(&server.url("/a"), &Trust::Trusted));
    fetcher.finish().unwrap();
    // The index was rewritten and is usable again.
    assert_eq!(open_cache(dir.path()).stats().entries, 1);
}

#[test]
fn a_file_where_the_cache_directory_should_be_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("cache");
    std::fs::write(&file, b"").unwrap();
    let error = Cache::open(&file).err().expect("an error");
    assert!(error.to_string().contains("cache"), "{error}");
}

#[test]
fn two_runs_finishing_at_once_merge_their_entries() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(|r| Response::ok(r.path.clone()));
    let a = cached_fetcher(dir.path(), quick());
    let b = cached_fetcher(dir.path(), quick());
    for i in 0..20 {
        found(&a.get(&server.url(&format!("/a{i}")), &Trust::Trusted));
        found(&b.get(&server.url(&format!("/b{i}")), &Trust::Trusted));
    }
    found(&a.get(&server.url("/both"), &Trust::Trusted));
    found(&b.get(&server.url("/both"), &Trust::Trusted));
    std::thread::scope(|s| {
        let ta = s.spawn(|| a.finish());
        let tb = s.spawn(|| b.finish());
        ta.join().unwrap().unwrap();
        tb.join().unwrap().unwrap();
    });
    let cache = open_cache(dir.path());
    assert_eq!(cache.stats().entries, 41);
    // Every entry of either run is usable: a third run sends nothing.
    let third = Fetcher::new(quick(), Some(cache), false);
    assert_eq!(
        found(&third.get(&server.url("/a7"), &Trust::Trusted)).0,
        b"/a7"
    );
    assert_eq!(
        found(&third.get(&server.url("/b7"), &Trust::Trusted)).0,
        b"/b7"
    );
    assert_eq!(third.stats().requests, 0);
}

#[test]
fn a_body_dropped_by_every_caller_is_read_back_from_disk() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(|_| Response::ok("kept on disk"));
    let fetcher = cached_fetcher(dir.path(), quick());
    drop(fetcher.get(&server.url("/a"), &Trust::Trusted));
    let again = fetcher.get(&server.url("/a"), &Trust::Trusted);
    assert_eq!(found(&again), (&b"kept on disk"[..], Origin::Network));
    assert_eq!(server.request_count(), 1);
}

#[test]
fn clean_removes_old_entries_and_their_blobs_only() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(|r| Response::ok(r.path.clone()));
    run(
        dir.path(),
        quick(),
        &[server.url("/old1"), server.url("/old2")],
    );
    age_index(dir.path(), WEEKS);
    run(dir.path(), quick(), &[server.url("/new")]);

    let (cache, _) = Cache::open(dir.path()).unwrap();
    let before = cache.stats();
    assert_eq!((before.entries, before.blobs), (3, 3));
    assert!(before.oldest < before.newest);
    let report = cache.clean(Some(Duration::from_secs(24 * 3600))).unwrap();
    assert_eq!((report.entries_removed, report.entries_kept), (2, 1));
    assert_eq!((report.blobs_removed, report.bytes_freed), (2, 10));
    let again = run(dir.path(), quick(), &[server.url("/new")]);
    assert_eq!(found(&again[0]).1, Origin::CacheFresh);

    let (cache, _) = Cache::open(dir.path()).unwrap();
    let report = cache.clean(None).unwrap();
    assert_eq!((report.entries_removed, report.blobs_removed), (1, 1));
    let after = cache.stats();
    assert_eq!((after.entries, after.blobs, after.bytes), (0, 0, 0));
}

#[test]
fn a_page_that_is_not_an_image_never_replaces_the_last_good_one() {
    let dir = tempfile::tempdir().unwrap();
    let png = b"\x89PNG\r\n\x1a\nrest of a picture".to_vec();
    let page = Arc::new(AtomicU32::new(0));
    let server = {
        let (page, png) = (page.clone(), png.clone());
        TestServer::start(move |_| match page.load(Ordering::SeqCst) {
            0 => Response::ok(png.clone()),
            _ => Response::ok("<!doctype html><p>Log in to the Wi-Fi")
                .header("Content-Type", "text/html"),
        })
    };
    let url = server.url("/a.png");
    let settings = HttpSettings {
        images_only: true,
        ttl: Duration::ZERO,
        ..quick()
    };
    run(dir.path(), settings.clone(), std::slice::from_ref(&url));
    page.store(1, Ordering::SeqCst);
    match &run(dir.path(), settings.clone(), std::slice::from_ref(&url))[0] {
        Fetched::Stale { body, error, .. } => {
            assert_eq!(body.as_ref(), png.as_slice());
            let message = error.to_string();
            assert!(
                message.contains("not an image (Content-Type text/html)"),
                "{message}"
            );
        }
        other => panic!("expected the last good body, got {other:?}"),
    }
    // Not cached either: with an empty cache the page is handed over (the caller names what it
    // is) and asked for again next time.
    let fresh = tempfile::tempdir().unwrap();
    for _ in 0..2 {
        let answers = run(fresh.path(), settings.clone(), std::slice::from_ref(&url));
        assert!(matches!(
            answers[0],
            Fetched::Found {
                origin: Origin::Network,
                ..
            }
        ));
    }
    assert_eq!(server.request_count(), 4);
}
