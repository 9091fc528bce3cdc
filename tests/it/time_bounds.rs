//! A build's time is bounded per host (a host that keeps timing out is given up for the run)
//! and overall (`[http] deadline_s`), and the report names what was cut short.
//!
//! The bounds are asserted on counts and report fields; the one wall-time check is a generous
//! hang guard (a fraction of what the same build takes without the bound), not a speed test.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use crate::avatar_server::png;
use crate::support::{run, run_json, s};
use blog_avatars::testkit::{Response, TestServer};

/// A site whose commenters each have a content avatar URL, loopback allowed, `url` then
/// `default` in the chain.
fn site(urls: &[String], http: &str) -> (tempfile::TempDir, PathBuf) {
    let temp = tempfile::tempdir().unwrap();
    let site = temp.path().join("site");
    std::fs::create_dir_all(site.join("content")).unwrap();
    let comments: String = urls
        .iter()
        .enumerate()
        .map(|(i, url)| format!("  - name: Commenter {i}\n    avatar: {url}\n"))
        .collect();
    std::fs::write(
        site.join("content/post.md"),
        format!("---\ntitle: Slow\ncomments:\n{comments}---\n"),
    )
    .unwrap();
    std::fs::write(
        site.join("blog-avatars.toml"),
        format!(
            "[avatars]\nproviders = [\"url\", \"default\"]\n[url]\nallow_private = true\n\
             [http]\n{http}\n"
        ),
    )
    .unwrap();
    (temp, site)
}

#[test]
fn the_deadline_cuts_many_slow_hosts_short_and_the_report_says_so() {
    // 24 hosts (one port each) that drip their body a byte every half second. Without the
    // deadline: 6 rounds of 4 × (4 s, a pause, 4 s), about 50 s.
    let servers: Vec<TestServer> = (0..24)
        .map(|_| {
            TestServer::start(|_| Response::ok(png(32, [1, 1, 1])).drip(Duration::from_millis(500)))
        })
        .collect();
    let urls: Vec<String> = servers.iter().map(|s| s.url("/a.png")).collect();
    let (_temp, site) = site(
        &urls,
        "timeout_s = 4\nretries = 1\nconcurrency = 4\ndeadline_s = 2",
    );
    let started = Instant::now();
    let report = run_json(&["build", s(&site), "--format", "json"], 0);
    let elapsed = started.elapsed();
    eprintln!(
        "the build took {elapsed:?}, report {}",
        report["elapsed_ms"]
    );
    // A sanity bound well under the ~50 s the same build takes without the deadline.
    assert!(elapsed < Duration::from_secs(30), "took {elapsed:?}");

    let network = &report["network"];
    assert_eq!(report["identities"].as_array().unwrap().len(), 24);
    assert_eq!(network["identities_cut_by_deadline"], 24, "{network:#}");
    assert_eq!(network["deadline_cut"], 24, "{network:#}");
    // Only the first round went on the wire; no retry started after the deadline.
    let asked: u64 = servers.iter().map(TestServer::request_count).sum();
    assert!(asked <= 4, "{asked} requests");
    assert_eq!(report["totals"]["default"], 24, "{report:#}");
    let detail = report["identities"][0]["attempts"][0]["detail"].to_string();
    assert!(detail.contains("deadline"), "{detail}");

    let human = run(&["build", s(&site)]);
    let text = String::from_utf8_lossy(&human.stdout);
    assert!(
        text.contains("cut short: the network deadline ([http] deadline_s) passed"),
        "{text}"
    );
}

#[test]
fn a_host_that_keeps_timing_out_is_given_up_and_named() {
    // Six avatars on one host that never answers in time; one request at a time.
    let server =
        TestServer::start(|_| Response::ok(png(32, [1, 1, 1])).delay(Duration::from_secs(5)));
    let urls: Vec<String> = (0..6).map(|i| server.url(&format!("/{i}.png"))).collect();
    let (_temp, site) = site(
        &urls,
        "timeout_s = 1\nretries = 0\nconcurrency = 1\ndeadline_s = 0",
    );
    let report = run_json(&["build", s(&site), "--format", "json"], 0);
    let host = format!("127.0.0.1:{}", server.addr().port());
    let network = &report["network"];
    assert_eq!(
        network["hosts_given_up"],
        serde_json::json!([host]),
        "{network:#}"
    );
    assert_eq!(network["deadline_cut"], 0, "{network:#}");
    // Two timeouts in a row, then the other four fail at once without a request.
    assert_eq!(server.request_count(), 2);
    assert_eq!(network["requests"], 2, "{network:#}");
    assert_eq!(report["totals"]["default"], 6, "{report:#}");
}
