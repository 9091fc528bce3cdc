//! The concurrency bounds and fail-fast on dead hosts.

use std::net::TcpListener;
use std::time::{Duration, Instant};

use super::quick;
use crate::fetch::{FetchError, Fetched, Fetcher, HttpSettings, Trust};
use crate::testkit::{Response, TestServer};

/// Fetches every URL from `threads` caller threads; returns the answers in URL order.
fn fetch_all(fetcher: &Fetcher, urls: &[String], threads: usize) -> Vec<Fetched> {
    let next = std::sync::atomic::AtomicUsize::new(0);
    let answers = std::sync::Mutex::new(vec![None; urls.len()]);
    std::thread::scope(|s| {
        for _ in 0..threads {
            s.spawn(|| {
                loop {
                    let i = next.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                    let Some(url) = urls.get(i) else { break };
                    let fetched = fetcher.get(url, &Trust::Trusted);
                    answers.lock().unwrap()[i] = Some(fetched);
                }
            });
        }
    });
    answers
        .into_inner()
        .unwrap()
        .into_iter()
        .map(Option::unwrap)
        .collect()
}

#[test]
fn in_flight_requests_never_exceed_the_setting() {
    let server = TestServer::start(|_| Response::ok("x").delay(Duration::from_millis(40)));
    let settings = HttpSettings {
        concurrency: 4,
        ..quick()
    };
    let fetcher = Fetcher::new(settings, None, false);
    let urls: Vec<String> = (0..40).map(|i| server.url(&format!("/{i}"))).collect();
    let answers = fetch_all(&fetcher, &urls, 16);
    assert!(answers.iter().all(|a| matches!(a, Fetched::Found { .. })));
    assert_eq!(server.request_count(), 40);
    // Sixteen callers, four slots: the bound is reached and never passed.
    assert_eq!(server.max_in_flight(), 4);
}

#[test]
fn per_host_limit_caps_one_host() {
    let server = TestServer::start(|_| Response::ok("x").delay(Duration::from_millis(30)));
    let settings = HttpSettings {
        concurrency: 8,
        per_host: Some(2),
        ..quick()
    };
    let fetcher = Fetcher::new(settings, None, false);
    let urls: Vec<String> = (0..20).map(|i| server.url(&format!("/{i}"))).collect();
    fetch_all(&fetcher, &urls, 8);
    assert_eq!(server.max_in_flight(), 2);
}

/// Asserts every answer failed quickly, and that the host was given up on after at most
/// `max_sent` requests (about one round of in-flight requests).
fn assert_failed_fast(fetcher: &Fetcher, answers: &[Fetched], started: Instant, max_sent: u64) {
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );
    assert!(answers.iter().all(|a| matches!(a, Fetched::Failed { .. })));
    let down = answers
        .iter()
        .filter(|a| {
            matches!(
                a,
                Fetched::Failed {
                    error: FetchError::HostDown { .. }
                }
            )
        })
        .count();
    let stats = fetcher.stats();
    assert_eq!(stats.hosts_down, 1);
    assert!(stats.requests <= max_sent, "{stats:?}");
    assert!(
        down as u64 >= answers.len() as u64 - max_sent,
        "{down} skipped: {stats:?}"
    );
}

#[test]
fn a_closed_port_is_given_up_on_at_once() {
    let port = {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let fetcher = Fetcher::new(quick(), None, false);
    let urls: Vec<String> = (0..200)
        .map(|i| format!("http://127.0.0.1:{port}/{i}"))
        .collect();
    let started = Instant::now();
    let answers = fetch_all(&fetcher, &urls, 16);
    assert_failed_fast(&fetcher, &answers, started, 16);
}

#[test]
fn an_unknown_host_name_is_given_up_on_at_once() {
    // Some resolvers drop concurrent queries for one name, leaving those lookups to the
    // timeout: keep it short so "about one timeout" is well inside the bound.
    let settings = HttpSettings {
        timeout: Duration::from_secs(1),
        ..quick()
    };
    let fetcher = Fetcher::new(settings, None, false);
    let urls: Vec<String> = (0..200)
        .map(|i| format!("http://no-such-host.invalid/{i}"))
        .collect();
    let started = Instant::now();
    let answers = fetch_all(&fetcher, &urls, 16);
    assert_failed_fast(&fetcher, &answers, started, 16);
    let first_error = answers.iter().find_map(|a| match a {
        Fetched::Failed { error } if !matches!(error, FetchError::HostDown { .. }) => Some(error),
        _ => None,
    });
    assert!(
        matches!(first_error, Some(FetchError::Dns { .. })),
        "{first_error:?}"
    );
}

#[test]
fn a_host_that_keeps_timing_out_costs_about_one_timeout() {
    let server = TestServer::start(|_| Response::ok("late").delay(Duration::from_millis(1500)));
    let settings = HttpSettings {
        timeout: Duration::from_millis(300),
        ..quick()
    };
    let fetcher = Fetcher::new(settings, None, false);
    let urls: Vec<String> = (0..200).map(|i| server.url(&format!("/{i}"))).collect();
    let started = Instant::now();
    let answers = fetch_all(&fetcher, &urls, 16);
    // Without fail-fast: 200 URLs × 3 attempts × 0.3 s ÷ 16 ≈ 11 s. Two timeouts mark the host
    // down; a few retries may slip out before the second one is reported.
    assert_failed_fast(&fetcher, &answers, started, 24);
}

#[test]
fn the_deadline_cuts_a_request_on_the_wire_and_stops_new_ones() {
    let server =
        TestServer::start(|_| Response::ok(vec![7u8; 100]).drip(Duration::from_millis(200)));
    let settings = HttpSettings {
        timeout: Duration::from_secs(10),
        deadline: Some(Duration::from_secs(1)),
        ..quick()
    };
    let fetcher = Fetcher::new(settings, None, false);
    let started = std::time::Instant::now();
    let first = fetcher.get(&server.url("/a"), &Trust::Trusted);
    eprintln!("first after {:?}", started.elapsed());
    assert!(
        matches!(
            &first,
            Fetched::Failed {
                error: FetchError::Deadline { .. }
            }
        ),
        "{first:?}"
    );
    let second = fetcher.get(&server.url("/b"), &Trust::Trusted);
    assert!(
        matches!(
            &second,
            Fetched::Failed {
                error: FetchError::Deadline { .. }
            }
        ),
        "{second:?}"
    );
    assert_eq!(server.request_count(), 1);
    assert_eq!(fetcher.stats().deadline_cut, 2);
}
