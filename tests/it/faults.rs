//! Fault injection through the real binary: one commenter's Gravatar misbehaves in one way per
//! test, after a healthy build filled the cache and with `ttl_hours = 0` so the next build must
//! refresh it. Each time the build ends within a stated bound (hang guards, not speed tests),
//! the victim keeps its last good image or goes on to the next provider, the report names the
//! error, `--strict` exits 3, and the other commenters (one on the same host, one on another)
//! are untouched.
//!
//! Content URLs redirecting to loopback are covered at the end; see the note there.

use std::net::{IpAddr, Ipv4Addr};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::avatar_server::{AvatarServer, md5_hex, png};
use crate::support::{fixtures, run_json, s};
use blog_avatars::fetch::{FetchError, Fetched, Fetcher, HttpSettings, Trust};
use blog_avatars::net_guard::is_public_ip;
use blog_avatars::testkit::{Response, TestServer};

const VICTIM: &str = "victim@example.org";
const SAME_HOST: &str = "bystander@example.org";
const OTHER_HOST: &str = "other-host";

/// A native site with three commenters: the victim and a bystander on Gravatar (server `a`),
/// and a GitHub user whose provider is another server (`b`).
struct Site {
    _temp: tempfile::TempDir,
    site: PathBuf,
    a: AvatarServer,
    _b: AvatarServer,
}

impl Site {
    fn new() -> Self {
        let temp = tempfile::tempdir().unwrap();
        let site = temp.path().join("site");
        std::fs::create_dir_all(site.join("content")).unwrap();
        std::fs::write(
            site.join("content/post.md"),
            format!(
                "---\ntitle: Faults\ncomments:\n  - name: Victim\n    email: {VICTIM}\n  \
                 - name: Same host\n    email: {SAME_HOST}\n  - name: Other host\n    \
                 github: {OTHER_HOST}\n---\nBody.\n"
            ),
        )
        .unwrap();
        let (a, b) = (AvatarServer::start(), AvatarServer::start());
        let config = a
            .config("")
            .replace(&a.server.url("/gh/"), &b.server.url("/gh/"))
            .replace("timeout_s = 5", "timeout_s = 2\nttl_hours = 0");
        std::fs::write(site.join("blog-avatars.toml"), config).unwrap();
        a.routes
            .set(&victim_route(), Response::ok(png(96, [200, 0, 0])));
        a.routes.set(
            &format!("/avatar/{}", md5_hex(SAME_HOST)),
            Response::ok(png(96, [0, 200, 0])),
        );
        // The next provider for the victim, consulted only when Gravatar's image is unusable.
        a.routes.set(
            &format!("/lib/avatar/{}", md5_hex(VICTIM)),
            Response::ok(png(96, [200, 200, 0])),
        );
        b.routes.set(
            &format!("/gh/{OTHER_HOST}.png"),
            Response::ok(png(96, [0, 0, 200])),
        );
        Self {
            _temp: temp,
            site,
            a,
            _b: b,
        }
    }

    fn data(&self) -> Value {
        serde_json::from_slice(&std::fs::read(self.site.join("data/avatars.json")).unwrap())
            .unwrap()
    }
}

fn victim_route() -> String {
    format!("/avatar/{}", md5_hex(VICTIM))
}

fn identity<'a>(report: &'a Value, value: &str) -> &'a Value {
    report["identities"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["value"] == value)
        .unwrap_or_else(|| panic!("{value} not in {report:#}"))
}

/// What the victim must end up with.
enum Fallback {
    /// The last good cached image, reported as stale.
    LastGood,
}

/// Runs a healthy build, injects `fault` (made knowing the server) for the victim, builds again
/// with `--strict` and checks everything the module doc promises; returns the site. `needle`
/// must appear in the victim's error.
fn survives(
    fault: impl FnOnce(&TestServer) -> Response,
    fallback: Fallback,
    needle: &str,
    bound: Duration,
) -> Site {
    let site = Site::new();
    let healthy = run_json(&["build", s(&site.site), "--format", "json"], 0);
    assert_eq!(healthy["errors"], 0, "{healthy:#}");
    let before = site.data();
    site.a.routes.set(&victim_route(), fault(&site.a.server));

    let started = Instant::now();
    let report = run_json(&["build", s(&site.site), "--strict", "--format", "json"], 3);
    let elapsed = started.elapsed();
    assert!(elapsed < bound, "took {elapsed:?}, bound {bound:?}");
    eprintln!("{needle}: the faulty build took {elapsed:?}");
    let after = site.data();

    let victim = identity(&report, VICTIM);
    assert_eq!(victim["error"], true, "{victim:#}");
    match fallback {
        Fallback::LastGood => {
            assert_eq!(victim["provider"], "gravatar", "{victim:#}");
            let why = victim["stale"]
                .as_str()
                .unwrap_or_else(|| panic!("{victim:#}"));
            assert!(why.contains(needle), "{why:?} does not say {needle:?}");
            assert_eq!(after["avatars"][VICTIM], before["avatars"][VICTIM]);
        }
    }
    for other in [SAME_HOST, OTHER_HOST] {
        let report = identity(&report, other);
        assert_eq!(report["error"], false, "{report:#}");
        assert!(report.get("stale").is_none(), "{report:#}");
        assert_eq!(after["avatars"][other], before["avatars"][other], "{other}");
    }
    assert_eq!(report["errors"], 1, "{report:#}");
    assert_files_exist(&site.site, &after);
    site
}

fn assert_files_exist(site: &Path, data: &Value) {
    for entry in data["avatars"].as_object().unwrap().values() {
        for urls in entry["sizes"].as_object().unwrap().values() {
            for url in [&urls["1x"], &urls["2x"]] {
                let path = site.join("public").join(&url.as_str().unwrap()[1..]);
                assert!(path.is_file(), "{} missing", path.display());
            }
        }
    }
}

const BOUND: Duration = Duration::from_secs(30);

#[test]
fn server_errors() {
    survives(
        |_| Response::status(500),
        Fallback::LastGood,
        "HTTP status 500",
        BOUND,
    );
}

#[test]
fn too_many_requests_with_retry_after() {
    // One retry after the second the server asks for, then the error.
    survives(
        |_| Response::status(429).header("Retry-After", "1"),
        Fallback::LastGood,
        "HTTP status 429",
        BOUND,
    );
}

#[test]
fn connection_reset() {
    survives(
        |_| Response::hang_up(),
        Fallback::LastGood,
        "I/O error",
        BOUND,
    );
}

#[test]
fn truncated_body() {
    survives(
        |_| Response::ok(png(96, [9, 9, 9])).truncated(),
        Fallback::LastGood,
        "I/O error",
        BOUND,
    );
}

#[test]
fn body_dripping_slower_than_the_timeout() {
    // 2 s timeout, one retry: about 5 s, whatever the body's length.
    survives(
        |_| Response::ok(png(96, [9, 9, 9])).drip(Duration::from_millis(200)),
        Fallback::LastGood,
        "timed out",
        BOUND,
    );
}

#[test]
fn html_served_as_png() {
    // A captive portal or CDN error page: a failed refresh, so the last good image stays, and
    // nothing is cached, so the next build after the server recovers is healthy again.
    let site = survives(
        |_| {
            Response::ok("<!doctype html><title>Blocked</title>")
                .header("Content-Type", "image/png")
        },
        Fallback::LastGood,
        "not an image (Content-Type image/png)",
        BOUND,
    );
    site.a
        .routes
        .set(&victim_route(), Response::ok(png(96, [0, 200, 200])));
    let recovered = run_json(&["build", s(&site.site), "--strict", "--format", "json"], 0);
    assert_eq!(identity(&recovered, VICTIM)["provider"], "gravatar");
}

#[test]
fn body_over_max_bytes() {
    survives(
        |_| Response::ok(vec![0u8; 64 << 20]).header("Content-Type", "image/png"),
        Fallback::LastGood,
        "larger than",
        BOUND,
    );
}

#[test]
fn decompression_bomb_header() {
    let bomb = std::fs::read(fixtures().join("images/bomb.png")).unwrap();
    survives(
        |_| Response::ok(bomb).header("Content-Type", "image/png"),
        Fallback::LastGood,
        "100000",
        BOUND,
    );
}

#[test]
fn image_cut_short_with_a_complete_http_answer() {
    // The HTTP exchange is fine (Content-Length matches) but the PNG stops half-way: like the
    // bomb, only decoding finds out, after the download replaced the cache entry.
    let mut cut = png(96, [9, 9, 9]);
    cut.truncate(cut.len() / 2);
    survives(
        |_| Response::ok(cut).header("Content-Type", "image/png"),
        Fallback::LastGood,
        "",
        BOUND,
    );
}

#[test]
fn redirect_loop() {
    survives(
        |server| Response::redirect(302, &server.url(&victim_route())),
        Fallback::LastGood,
        "more than 5 redirects",
        BOUND,
    );
}

// Content `avatar` URLs that redirect to loopback while `allow_private = false`.
//
// Through the binary the first hop cannot pass the guard legitimately: every server a test may
// start is on loopback, and the guard refuses loopback before sending anything. Making a
// loopback hop pass would need a test-only resolver or allow-list in production code, or an
// HTTP proxy in front of a public address (one mistake there and a packet leaves the machine).
// So the binary is tested on what it can show — such a URL is refused before the first request,
// and with `allow_private = true` the very same redirect is followed (so it is the guard, not
// a missing redirect, that stops it) — and the redirect hop itself is tested on the library's
// `Fetcher`, with two loopback hosts: 127.0.0.1 stands in for the public first hop (the
// build's predicate, `is_public_ip`, widened by exactly that address) and [::1] is the target.

/// Two loopback hosts: `hop` on 127.0.0.1 redirects to `target` on [::1].
fn hop_and_target() -> (TestServer, TestServer) {
    let target = TestServer::start_on("[::1]:0", |_| Response::ok(png(64, [1, 2, 3])));
    let location = target.url("/internal.png");
    let hop = TestServer::start(move |_| Response::redirect(302, &location));
    (hop, target)
}

fn site_with_avatar_url(url: &str, extra: &str) -> (tempfile::TempDir, PathBuf, AvatarServer) {
    let temp = tempfile::tempdir().unwrap();
    let site = temp.path().join("site");
    std::fs::create_dir_all(site.join("content")).unwrap();
    std::fs::write(
        site.join("content/post.md"),
        format!("---\ntitle: Hop\ncomments:\n  - email: hop@example.org\n    avatar: {url}\n---\n"),
    )
    .unwrap();
    let providers = AvatarServer::start();
    providers.configure(&site, extra);
    (temp, site, providers)
}

#[test]
fn a_content_url_redirecting_to_loopback_is_refused_end_to_end() {
    let (hop, target) = hop_and_target();
    let url = hop.url("/avatar.png");
    let (_temp, site, _providers) = site_with_avatar_url(&url, "");
    let report = run_json(&["build", s(&site), "--strict", "--format", "json"], 3);
    assert_eq!((hop.request_count(), target.request_count()), (0, 0));
    let hop_identity = identity(&report, &url);
    assert_eq!(hop_identity["error"], true);
    assert_eq!(hop_identity["provider"], "default");
    let warnings = report["warnings"].to_string();
    assert!(warnings.contains("content/post.md"), "{warnings}");
    assert!(warnings.contains("loopback"), "{warnings}");

    // Allowed private addresses: the redirect is followed to the other host.
    let (_temp, site, _providers) = site_with_avatar_url(&url, "[url]\nallow_private = true\n");
    let report = run_json(&["build", s(&site), "--strict", "--format", "json"], 0);
    assert_eq!(identity(&report, &url)["provider"], "url");
    assert_eq!((hop.request_count(), target.request_count()), (1, 1));
}

#[test]
fn a_redirect_hop_to_loopback_is_refused_by_the_fetcher() {
    let (hop, target) = hop_and_target();
    let first_hop = IpAddr::V4(Ipv4Addr::LOCALHOST);
    let guarded = Trust::untrusted(move |ip| ip == first_hop || is_public_ip(ip));
    let settings = HttpSettings {
        timeout: Duration::from_secs(5),
        ..HttpSettings::default()
    };
    let fetcher = Fetcher::new(settings.clone(), None, false);
    match fetcher.get(&hop.url("/avatar.png"), &guarded) {
        Fetched::Failed {
            error: FetchError::Refused { ip, url },
        } => {
            assert_eq!(ip, IpAddr::from(std::net::Ipv6Addr::LOCALHOST));
            assert!(url.contains("/avatar.png"), "{url}");
        }
        other => panic!("expected a refusal, got {other:?}"),
    }
    assert_eq!((hop.request_count(), target.request_count()), (1, 0));
    // Control: with the target allowed too, the same redirect is followed.
    let open = Trust::untrusted(|_| true);
    let fetched = Fetcher::new(settings, None, false).get(&hop.url("/avatar.png"), &open);
    assert!(matches!(fetched, Fetched::Found { .. }), "{fetched:?}");
    assert_eq!(target.request_count(), 1);
}
