//! One URL's request: dedup, status handling, retries, caps and faults.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use super::{found, quick};
use crate::fetch::{FetchError, Fetched, Fetcher, HttpSettings, Origin, Trust};
use crate::testkit::{Response, TestServer};

/// A handler that answers the first `failures` requests with `fail` and then 200 "ok".
fn failing_then_ok(
    failures: usize,
    fail: Response,
) -> impl Fn(&crate::testkit::Request) -> Response {
    let seen = AtomicUsize::new(0);
    move |_| {
        if seen.fetch_add(1, Ordering::SeqCst) < failures {
            fail.clone()
        } else {
            Response::ok("ok")
        }
    }
}

fn failed(fetched: Fetched) -> FetchError {
    match fetched {
        Fetched::Failed { error } => error,
        other => panic!("expected Failed, got {other:?}"),
    }
}

#[test]
fn one_request_per_url_however_many_threads_ask() {
    let server =
        TestServer::start(|r| Response::ok(r.path.clone()).delay(Duration::from_millis(30)));
    let fetcher = Fetcher::new(quick(), None, false);
    let urls: Vec<String> = (0..10).map(|i| server.url(&format!("/u{i}"))).collect();
    std::thread::scope(|s| {
        for t in 0..32 {
            let (fetcher, urls) = (&fetcher, &urls);
            s.spawn(move || {
                for i in 0..urls.len() {
                    let i = (i + t) % urls.len();
                    let fetched = fetcher.get(&urls[i], &Trust::Trusted);
                    assert_eq!(found(&fetched).0, format!("/u{i}").as_bytes());
                }
            });
        }
    });
    assert_eq!(server.request_count(), 10);
    let stats = fetcher.stats();
    assert_eq!((stats.requests, stats.misses), (10, 10));
    assert_eq!(stats.deduplicated, 32 * 10 - 10);
}

#[test]
fn server_errors_are_retried_until_success() {
    let server = TestServer::start(failing_then_ok(2, Response::status(500)));
    let fetcher = Fetcher::new(quick(), None, false);
    let fetched = fetcher.get(&server.url("/a"), &Trust::Trusted);
    assert_eq!(found(&fetched), (&b"ok"[..], Origin::Network));
    assert_eq!(server.request_count(), 3);
    assert_eq!(fetcher.stats().retries, 2);
}

#[test]
fn retries_are_bounded() {
    let server = TestServer::start(|_| Response::status(503));
    let settings = HttpSettings {
        retries: 1,
        ..quick()
    };
    let fetcher = Fetcher::new(settings, None, false);
    let error = failed(fetcher.get(&server.url("/a"), &Trust::Trusted));
    assert!(
        matches!(error, FetchError::Status { status: 503, .. }),
        "{error}"
    );
    assert_eq!(server.request_count(), 2);
    assert_eq!(fetcher.stats().failures, 1);
}

#[test]
fn too_many_requests_honours_retry_after() {
    let server = TestServer::start(failing_then_ok(
        1,
        Response::status(429).header("Retry-After", "1"),
    ));
    let fetcher = Fetcher::new(quick(), None, false);
    let start = Instant::now();
    let fetched = fetcher.get(&server.url("/a"), &Trust::Trusted);
    assert_eq!(found(&fetched).0, b"ok");
    // The backoff alone is 5 ms: only Retry-After explains a pause of a second.
    assert!(
        start.elapsed() >= Duration::from_millis(950),
        "{:?}",
        start.elapsed()
    );
    assert_eq!(server.request_count(), 2);
}

#[test]
fn retry_after_is_capped() {
    let server = TestServer::start(failing_then_ok(
        1,
        Response::status(429).header("Retry-After", "3600"),
    ));
    let settings = HttpSettings {
        retry_after_cap: Duration::from_millis(100),
        ..quick()
    };
    let fetcher = Fetcher::new(settings, None, false);
    let start = Instant::now();
    assert_eq!(
        found(&fetcher.get(&server.url("/a"), &Trust::Trusted)).0,
        b"ok"
    );
    assert!(
        start.elapsed() < Duration::from_secs(2),
        "{:?}",
        start.elapsed()
    );
}

#[test]
fn client_errors_are_not_retried() {
    let server = TestServer::start(|_| Response::status(403));
    let fetcher = Fetcher::new(quick(), None, false);
    let error = failed(fetcher.get(&server.url("/a"), &Trust::Trusted));
    assert!(
        matches!(error, FetchError::Status { status: 403, .. }),
        "{error}"
    );
    assert_eq!(error.url(), server.url("/a"));
    assert_eq!(server.request_count(), 1);
}

#[test]
fn not_found_and_gone_are_missing_not_errors() {
    let server = TestServer::start(|r| match r.path.as_str() {
        "/gone" => Response::status(410),
        _ => Response::status(404).body("no such avatar"),
    });
    let fetcher = Fetcher::new(quick(), None, false);
    for path in ["/nope", "/gone"] {
        let fetched = fetcher.get(&server.url(path), &Trust::Trusted);
        assert!(
            matches!(
                fetched,
                Fetched::Missing {
                    origin: Origin::Network
                }
            ),
            "{fetched:?}"
        );
    }
    assert_eq!(server.request_count(), 2);
    assert_eq!(fetcher.stats().failures, 0);
}

#[test]
fn bodies_over_the_cap_are_rejected_not_truncated() {
    let server = TestServer::start(|r| Response::ok(vec![7u8; r.path[1..].parse().unwrap()]));
    let settings = HttpSettings {
        max_bytes: 1000,
        ..quick()
    };
    let fetcher = Fetcher::new(settings, None, false);
    assert_eq!(
        found(&fetcher.get(&server.url("/1000"), &Trust::Trusted))
            .0
            .len(),
        1000
    );
    let error = failed(fetcher.get(&server.url("/1001"), &Trust::Trusted));
    assert!(
        matches!(error, FetchError::TooLarge { limit: 1000, .. }),
        "{error}"
    );
    assert_eq!(server.request_count(), 2, "too large is not retried");
}

#[test]
fn redirects_are_followed_up_to_the_cap() {
    // /r/N redirects to /r/N-1; /r/0 is the image.
    let server = TestServer::start(|r| match r.path.strip_prefix("/r/") {
        Some("0") => Response::ok("image"),
        Some(n) => {
            let next = n.parse::<u32>().unwrap() - 1;
            Response::redirect(302, &format!("/r/{next}"))
        }
        None => Response::status(404),
    });
    let settings = HttpSettings {
        max_redirects: 3,
        ..quick()
    };
    let fetcher = Fetcher::new(settings, None, false);
    assert_eq!(
        found(&fetcher.get(&server.url("/r/3"), &Trust::Trusted)).0,
        b"image"
    );
    let error = failed(fetcher.get(&server.url("/r/4"), &Trust::Trusted));
    assert!(
        matches!(error, FetchError::TooManyRedirects { max: 3, .. }),
        "{error}"
    );
}

#[test]
fn a_body_dripping_slower_than_the_timeout_times_out() {
    let server = TestServer::start(|_| Response::ok(vec![1u8; 50]).drip(Duration::from_millis(50)));
    let settings = HttpSettings {
        timeout: Duration::from_millis(400),
        retries: 0,
        ..quick()
    };
    let fetcher = Fetcher::new(settings, None, false);
    let start = Instant::now();
    let error = failed(fetcher.get(&server.url("/slow"), &Trust::Trusted));
    assert!(matches!(error, FetchError::Timeout { .. }), "{error}");
    assert!(
        start.elapsed() < Duration::from_secs(2),
        "{:?}",
        start.elapsed()
    );
}

#[test]
fn dropped_connections_and_truncated_bodies_are_retried() {
    let server = TestServer::start(failing_then_ok(1, Response::hang_up()));
    let fetcher = Fetcher::new(quick(), None, false);
    assert_eq!(
        found(&fetcher.get(&server.url("/a"), &Trust::Trusted)).0,
        b"ok"
    );
    assert_eq!(server.request_count(), 2);

    let server = TestServer::start(|_| Response::ok(vec![1u8; 100]).truncated());
    let fetcher = Fetcher::new(quick(), None, false);
    let error = failed(fetcher.get(&server.url("/a"), &Trust::Trusted));
    assert!(matches!(error, FetchError::Io { .. }), "{error}");
    assert_eq!(server.request_count(), 3, "one attempt and two retries");
}

#[test]
fn the_user_agent_names_the_tool() {
    let server = TestServer::start(|_| Response::ok("x"));
    let fetcher = Fetcher::new(quick(), None, false);
    fetcher.get(&server.url("/a"), &Trust::Trusted);
    let agent = server.requests()[0]
        .header("user-agent")
        .unwrap()
        .to_owned();
    assert_eq!(agent, format!("blog-avatars/{}", env!("CARGO_PKG_VERSION")));
}

#[test]
fn non_http_urls_are_bad_urls() {
    let fetcher = Fetcher::new(quick(), None, false);
    let error = failed(fetcher.get("file:///etc/passwd", &Trust::Trusted));
    assert!(matches!(error, FetchError::BadUrl { .. }), "{error}");
    assert_eq!(fetcher.stats().requests, 0);
}
