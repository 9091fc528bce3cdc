//! The build's own address rule, end to end through the binary, in a network namespace.
//!
//! Each test re-runs this test binary under `unshare --net` (root: CI runs as root) with only
//! `lo` up and [`PUBLIC`] added to it, and there runs [`inside`], which starts a "public"
//! server on [`PUBLIC`]:80, loopback servers, and the real binary. A content URL on the public
//! host passes the build's rule (`allow_private || is_public_ip(ip)` in `resolve/chain.rs`)
//! legitimately, so its redirect to loopback is what the rule must stop: replacing the rule by
//! `true` makes these tests fail.
//!
//! [`PUBLIC`] is an ordinary public address, not a documentation one: the guard rightly treats
//! the documentation ranges as non-public, so they cannot stand for a public host. It exists
//! only on the namespace's `lo`, and the namespace has no other interface (checked before
//! anything starts), so no packet can leave the machine.

use std::net::Ipv4Addr;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

use crate::avatar_server::{AvatarServer, png};
use crate::proxy_server::TestProxy;
use crate::support::s;
use blog_avatars::testkit::{Response, TestServer};

/// The namespace's "public" address.
pub const PUBLIC: Ipv4Addr = Ipv4Addr::new(1, 2, 3, 4);

/// Tells [`inside`] which case to run.
const CASE: &str = "BLOG_AVATARS_NETNS_CASE";

/// Runs `case` in a fresh network namespace and fails with its output unless it passed.
fn in_namespace(case: &str) {
    let exe = std::env::current_exe().unwrap();
    let script =
        format!("ip link set lo up && ip addr add {PUBLIC}/32 dev lo && exec \"$0\" \"$@\"");
    let output = Command::new("unshare")
        .args(["--net", "--", "sh", "-c", &script])
        .arg(&exe)
        .args(["--exact", "netns::inside", "--ignored", "--nocapture"])
        .args(["--test-threads=1"])
        .env(CASE, case)
        .output()
        .unwrap_or_else(|e| {
            panic!("cannot run `unshare` (util-linux) for the network namespace tests: {e}")
        });
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        !stderr.contains("Operation not permitted"),
        "the network namespace tests need root (CI runs them as root):\n{stderr}"
    );
    assert!(
        output.status.success() && stdout.contains("1 passed"),
        "case {case} failed in the namespace:\n{stdout}\n{stderr}"
    );
}

#[test]
fn a_public_avatar_url_redirecting_to_loopback_is_refused_by_the_builds_rule() {
    in_namespace("direct");
}

#[test]
fn the_rule_holds_through_an_http_proxy() {
    in_namespace("proxied");
}

#[test]
fn the_proxy_host_is_not_exempt_on_a_direct_hop() {
    in_namespace("proxy_host");
}

#[test]
fn an_avatar_cached_under_allow_private_is_not_served_once_it_is_off() {
    in_namespace("cache_scope");
}

/// The namespace half of the tests above; run by them, never on its own.
#[test]
#[ignore = "run inside a network namespace by the other netns tests"]
fn inside() {
    let case = std::env::var(CASE).expect("run by the netns tests, which set the case");
    let links = Command::new("ip").args(["-o", "link"]).output().unwrap();
    let links = String::from_utf8_lossy(&links.stdout).into_owned();
    assert_eq!(
        links.lines().count(),
        1,
        "not an isolated namespace: {links}"
    );
    assert!(links.contains(": lo:"), "{links}");

    let world = World::start();
    match case.as_str() {
        "direct" => world.assert_refused(&[], ""),
        "proxied" => {
            let proxy = TestProxy::start("127.0.0.1:0");
            world.assert_refused(&[("HTTP_PROXY", &proxy.http_url())], "");
            let asked = proxy.asked();
            assert!(asked.contains(&format!("CONNECT {PUBLIC}:80")), "{asked:?}");
            // Providers (config-trusted, on loopback) go through it too; the secret never does.
            let secret = world.secret.addr().to_string();
            assert!(!asked.iter().any(|a| a.contains(&secret)), "{asked:?}");
        }
        "proxy_host" => {
            let proxy = format!("http://{}", world.secret.addr());
            world.assert_refused(&[("HTTP_PROXY", &proxy), ("NO_PROXY", "*")], "");
        }
        "cache_scope" => {
            let report = world.build(&[], "[url]\nallow_private = true\n");
            assert_eq!(identity(&report, &world.hop_url())["provider"], "url");
            assert_eq!(world.secret.request_count(), 1);
            // Turned off: the cached loopback image is neither served nor asked for again.
            world.assert_refused(&[], "");
            assert_eq!(world.secret.request_count(), 1);
            assert_eq!(world.public.count_for("/hop.png"), 2);
        }
        other => panic!("unknown case {other}"),
    }
}

/// A site with two content avatar URLs on the public host: one image, one redirect to a
/// loopback server holding a "secret" image.
struct World {
    _temp: tempfile::TempDir,
    site: PathBuf,
    public: TestServer,
    secret: TestServer,
    _providers: AvatarServer,
}

impl World {
    fn start() -> Self {
        let secret = TestServer::start(|_| Response::ok(png(64, [255, 0, 0])));
        let location = secret.url("/secret.png");
        let public = TestServer::start_on(&format!("{PUBLIC}:80"), move |request| {
            match request.path.as_str() {
                "/hop.png" => Response::redirect(302, &location),
                _ => Response::ok(png(64, [0, 0, 255])),
            }
        });
        let temp = tempfile::tempdir().unwrap();
        let site = temp.path().join("site");
        std::fs::create_dir_all(site.join("content")).unwrap();
        std::fs::write(
            site.join("content/post.md"),
            format!(
                "---\ntitle: Namespace\ncomments:\n  - email: hop@example.org\n    \
                 avatar: http://{PUBLIC}/hop.png\n  - email: fine@example.org\n    \
                 avatar: http://{PUBLIC}/fine.png\n---\n"
            ),
        )
        .unwrap();
        Self {
            _temp: temp,
            site,
            public,
            secret,
            _providers: AvatarServer::start(),
        }
    }

    fn hop_url(&self) -> String {
        format!("http://{PUBLIC}/hop.png")
    }

    /// Builds with `vars` in the environment and `extra` config; returns the JSON report.
    fn build(&self, vars: &[(&str, &str)], extra: &str) -> Value {
        self._providers.configure(&self.site, extra);
        let output = Command::new(env!("CARGO_BIN_EXE_blog-avatars"))
            .args(["build", s(&self.site), "--format", "json"])
            .envs(vars.iter().copied())
            .output()
            .unwrap();
        assert_eq!(
            output.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        serde_json::from_slice(&output.stdout).unwrap()
    }

    /// The public image is published; the redirect to loopback is refused and never asked.
    fn assert_refused(&self, vars: &[(&str, &str)], extra: &str) {
        let before = self.secret.request_count();
        let report = self.build(vars, extra);
        let fine = identity(&report, &format!("http://{PUBLIC}/fine.png"));
        assert_eq!(fine["provider"], "url", "{fine:#}");
        let hop = identity(&report, &self.hop_url());
        assert_ne!(hop["provider"], "url", "{hop:#}");
        assert_eq!(hop["error"], true, "{hop:#}");
        assert!(hop.to_string().contains("127.0.0.1"), "{hop:#}");
        assert_eq!(
            self.secret.request_count(),
            before,
            "the loopback server was asked"
        );
        assert_no_red(&self.site);
    }
}

fn identity<'a>(report: &'a Value, value: &str) -> &'a Value {
    report["identities"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["value"] == value)
        .unwrap_or_else(|| panic!("{value} not in {report:#}"))
}

/// No published file is the loopback server's (pure red) image.
fn assert_no_red(site: &Path) {
    for entry in walkdir::WalkDir::new(site.join("public")) {
        let entry = entry.unwrap();
        if !entry.file_type().is_file() {
            continue;
        }
        if let Ok(image) = image::open(entry.path()) {
            let pixel = image.to_rgb8().get_pixel(0, 0).0;
            assert_ne!(
                pixel,
                [255, 0, 0],
                "{} is the loopback image",
                entry.path().display()
            );
        }
    }
}
