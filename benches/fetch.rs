//! Fetch-stage benchmark against the loopback test server.
//!
//! 1,000 distinct URLs, 100 ms server latency, concurrency 16: the network floor is
//! 1000 × 0.1 s ÷ 16 = 6.25 s. Then a warm second run on the same cache, which must send nothing.
//! Run with `cargo bench --bench fetch`.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use blog_avatars::cache::Cache;
use blog_avatars::fetch::{FetchStats, Fetched, Fetcher, HttpSettings, Trust};
use blog_avatars::testkit::{Response, TestServer};

const URLS: usize = 1000;
const LATENCY: Duration = Duration::from_millis(100);
const CONCURRENCY: usize = 16;
/// Callers block in `get`, so there must be more of them than fetch slots.
const CALLERS: usize = 32;

/// One run: opens the cache, fetches every URL from `CALLERS` threads, persists the cache.
fn run(cache_dir: &std::path::Path, urls: &[String]) -> (Duration, FetchStats) {
    let (cache, _) = Cache::open(cache_dir).expect("open cache");
    let settings = HttpSettings {
        concurrency: CONCURRENCY,
        ..HttpSettings::default()
    };
    let fetcher = Fetcher::new(settings, Some(cache), false);
    let next = AtomicUsize::new(0);
    let started = Instant::now();
    std::thread::scope(|s| {
        for _ in 0..CALLERS {
            s.spawn(|| {
                while let Some(url) = urls.get(next.fetch_add(1, Ordering::Relaxed)) {
                    let fetched = fetcher.get(url, &Trust::Trusted);
                    assert!(
                        matches!(fetched, Fetched::Found { .. }),
                        "{url}: {fetched:?}"
                    );
                }
            });
        }
    });
    let stats = fetcher.finish().expect("persist cache");
    (started.elapsed(), stats)
}

fn main() {
    let server = TestServer::start(|r| {
        Response::ok(format!("avatar bytes for {}", r.path).repeat(50)).delay(LATENCY)
    });
    let urls: Vec<String> = (0..URLS)
        .map(|i| server.url(&format!("/avatar/{i}")))
        .collect();
    let dir = tempfile::tempdir().expect("temp dir");

    let (cold, stats) = run(dir.path(), &urls);
    let floor = LATENCY * URLS as u32 / CONCURRENCY as u32;
    println!(
        "cold: {URLS} URLs, {} ms latency, concurrency {CONCURRENCY}: {:.2} s \
         (network floor {:.2} s, {:.1}% over); requests {}, server peak in flight {}",
        LATENCY.as_millis(),
        cold.as_secs_f64(),
        floor.as_secs_f64(),
        (cold.as_secs_f64() / floor.as_secs_f64() - 1.0) * 100.0,
        stats.requests,
        server.max_in_flight(),
    );
    assert_eq!(server.request_count(), URLS as u64);

    let (warm, stats) = run(dir.path(), &urls);
    println!(
        "warm: same {URLS} URLs, same cache: {:.3} s; requests {}, fresh cache hits {}",
        warm.as_secs_f64(),
        stats.requests,
        stats.cache_fresh,
    );
    assert_eq!(stats.requests, 0, "a warm run must not touch the network");
}
