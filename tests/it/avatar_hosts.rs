//! Explicit avatar URLs as their hosts really answer: Weibo's `*.sinaimg.cn` refuses a request
//! without a Weibo `Referer` (403), WeChat's `thirdwx.qlogo.cn` URLs die (404) once the user
//! changes avatar, and `[url.headers]` adds headers per host.
//!
//! The real host names must reach the loopback stand-in, and only from the binary under test:
//! it runs in a mount namespace of its own (`unshare -m`) where `/etc/hosts` is bind-mounted
//! over with one that names them 127.0.0.1. Nothing else on the machine sees that file, and no
//! real host is ever resolved.

use std::path::Path;
use std::process::{Command, Output};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use blog_avatars::testkit::{Response, TestServer};
use serde_json::Value;

use crate::avatar_server::{AvatarServer, png};
use crate::support::{identity, s};

const WEIBO: &str = "/crop.0.0.180.180.180/006abc.jpg";
const WECHAT: &str = "/mmopen/vi_32/Q0j4TwGTfTK/132";
const CUSTOM: &str = "/img/key-only.png";

/// The stand-in for Weibo's CDN, WeChat's and a host that wants a key, on one port.
struct Hosts {
    server: TestServer,
    wechat_gone: Arc<AtomicBool>,
}

impl Hosts {
    fn start() -> Self {
        let wechat_gone = Arc::new(AtomicBool::new(false));
        let gone = wechat_gone.clone();
        let server = TestServer::start(move |request| {
            let host = request.header("host").unwrap_or("");
            match request.path.as_str() {
                WEIBO if host.starts_with("tvax1.sinaimg.cn:") => {
                    if request.header("referer") == Some("https://weibo.com/") {
                        Response::ok(png(180, [230, 20, 40]))
                    } else {
                        Response::status(403)
                    }
                }
                WECHAT if host.starts_with("thirdwx.qlogo.cn:") => {
                    if gone.load(Ordering::SeqCst) {
                        Response::status(404)
                    } else {
                        Response::ok(png(132, [20, 200, 60]))
                    }
                }
                CUSTOM if request.header("x-avatar-key") == Some("s3cret") => {
                    Response::ok(png(64, [20, 20, 200]))
                }
                CUSTOM => Response::status(403),
                _ => Response::status(404),
            }
        });
        Self {
            server,
            wechat_gone,
        }
    }

    fn url(&self, host: &str, path: &str) -> String {
        format!("http://{host}:{}{path}", self.server.addr().port())
    }
}

/// A native site whose one post has three commenters with explicit avatar URLs.
fn make_site(
    hosts: &Hosts,
    providers: &AvatarServer,
    extra: &str,
) -> (tempfile::TempDir, std::path::PathBuf) {
    let temp = tempfile::tempdir().unwrap();
    let site = temp.path().join("site");
    std::fs::create_dir_all(site.join("content/posts")).unwrap();
    let post = format!(
        "---\ntitle: Hosts\ncomments:\n  - name: Weibo user\n    avatar: \"{}\"\n  - name: WeChat user\n    avatar: \"{}\"\n  - name: Keyed\n    avatar: \"{}\"\n---\nHello.\n",
        hosts.url("tvax1.sinaimg.cn", WEIBO),
        hosts.url("thirdwx.qlogo.cn", WECHAT),
        hosts.url("avatars.example.org", CUSTOM),
    );
    std::fs::write(site.join("content/posts/a.md"), post).unwrap();
    // Keys before the first table land in the avatar server's `[http]`.
    let config = format!(
        "ttl_hours = 0\n[site]\nlayout = \"native\"\n[url]\nallow_private = true\n\
         [url.headers.\"example.org\"]\nX-Avatar-Key = \"s3cret\"\n{extra}"
    );
    providers.configure(&site, &config);
    (temp, site)
}

/// Runs the binary with those three host names pointing at loopback, in its own mount
/// namespace.
fn run_pinned(dir: &Path, args: &[&str]) -> Output {
    let hosts = dir.join("hosts");
    std::fs::write(
        &hosts,
        "127.0.0.1 localhost\n127.0.0.1 tvax1.sinaimg.cn thirdwx.qlogo.cn avatars.example.org\n",
    )
    .unwrap();
    Command::new("unshare")
        .args([
            "-m",
            "--",
            "sh",
            "-c",
            "mount --bind \"$0\" /etc/hosts && exec \"$@\"",
        ])
        .arg(&hosts)
        .arg(env!("CARGO_BIN_EXE_blog-avatars"))
        .args(args)
        .output()
        .expect("unshare (util-linux) runs the binary in its own mount namespace")
}

fn json(output: &Output, code: i32) -> Value {
    assert_eq!(
        output.status.code(),
        Some(code),
        "stdout: {}\nstderr: {}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).unwrap()
}

fn data_entry(site: &Path, url: &str) -> Value {
    let data: Value =
        serde_json::from_slice(&std::fs::read(site.join("data/avatars.json")).unwrap()).unwrap();
    data["avatars"][url].clone()
}

#[test]
fn weibo_gets_its_referer_and_a_dead_wechat_url_keeps_its_last_good_copy() {
    let hosts = Hosts::start();
    let providers = AvatarServer::start();
    let (temp, site) = make_site(&hosts, &providers, "");
    let build = ["build", s(&site), "--strict", "--format", "json"];
    let weibo = hosts.url("tvax1.sinaimg.cn", WEIBO);
    let wechat = hosts.url("thirdwx.qlogo.cn", WECHAT);
    let keyed = hosts.url("avatars.example.org", CUSTOM);

    let first = json(&run_pinned(temp.path(), &build), 0);
    for url in [&weibo, &wechat, &keyed] {
        assert_eq!(identity(&first, url)["provider"], "url", "{first:#}");
    }
    // The built-in header went to Weibo's host only; the configured one to a subdomain.
    let requests = hosts.server.requests();
    let to = |path: &str| requests.iter().find(|r| r.path == path).unwrap();
    assert_eq!(to(WEIBO).header("referer"), Some("https://weibo.com/"));
    assert_eq!(to(WECHAT).header("referer"), None);
    assert_eq!(to(CUSTOM).header("x-avatar-key"), Some("s3cret"));
    assert_eq!(first["stale_urls"], serde_json::json!([]));
    let wechat_before = data_entry(&site, &wechat);
    assert!(
        wechat_before["sizes"]["40"]["1x"].is_string(),
        "{wechat_before:#}"
    );

    // The user changed avatar on WeChat: the URL is 404 now. After the TTL (0 hours here) the
    // build asks again, keeps the last good copy (not the default) and says so.
    hosts.wechat_gone.store(true, Ordering::SeqCst);
    let before = hosts.server.request_count();
    let second = json(&run_pinned(temp.path(), &build), 0);
    assert!(
        hosts.server.request_count() >= before + 3,
        "revalidated after the TTL"
    );
    let kept = identity(&second, &wechat);
    assert_eq!(kept["provider"], "url", "{second:#}");
    assert_eq!(kept["error"], false);
    assert_eq!(data_entry(&site, &wechat), wechat_before);
    assert_eq!(
        second["stale_urls"],
        serde_json::json!([{"url": wechat, "sources": ["content/posts/a.md:7"]}]),
        "{second:#}"
    );
    // Still there on the next build (the dead answer is not cached over the good copy), and in
    // the people's report.
    let human = run_pinned(temp.path(), &build[..3]);
    assert_eq!(human.status.code(), Some(0));
    let stdout = String::from_utf8(human.stdout).unwrap();
    assert!(
        stdout.contains("1 avatar URL has gone stale (kept the last good copy):")
            && stdout.contains(&format!("  {wechat} (content/posts/a.md:7)")),
        "{stdout}"
    );
    assert_eq!(data_entry(&site, &wechat), wechat_before);
}

#[test]
fn without_the_referer_weibo_refuses_and_strict_fails() {
    let hosts = Hosts::start();
    let providers = AvatarServer::start();
    // An empty value removes the built-in header.
    let (temp, site) = make_site(
        &hosts,
        &providers,
        "[url.headers.\"sinaimg.cn\"]\nReferer = \"\"\n",
    );
    let report = json(
        &run_pinned(
            temp.path(),
            &["build", s(&site), "--strict", "--format", "json"],
        ),
        3,
    );
    let weibo = identity(&report, &hosts.url("tvax1.sinaimg.cn", WEIBO));
    assert_eq!(weibo["provider"], "default", "{report:#}");
    assert_eq!(weibo["error"], true);
    let detail = weibo["attempts"][1]["detail"].as_str().unwrap_or_default();
    assert!(detail.contains("403"), "{weibo:#}");
    // A content URL that was never good falls to the default as before: no stale copy.
    hosts.wechat_gone.store(true, Ordering::SeqCst);
    let (temp, site) = make_site(&hosts, &providers, "");
    let report = json(
        &run_pinned(temp.path(), &["build", s(&site), "--format", "json"]),
        0,
    );
    let wechat = identity(&report, &hosts.url("thirdwx.qlogo.cn", WECHAT));
    assert_eq!(wechat["provider"], "default", "{report:#}");
    assert_eq!(report["stale_urls"], serde_json::json!([]));
}

#[test]
fn bad_header_config_is_a_usage_error() {
    let providers = AvatarServer::start();
    let temp = tempfile::tempdir().unwrap();
    let site = temp.path();
    std::fs::create_dir_all(site.join("content")).unwrap();
    providers.configure(
        site,
        "[url.headers.\"https://weibo.com/\"]\nReferer = \"x\"\n",
    );
    let output = crate::support::run(&["build", s(site)]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("[url.headers]") && stderr.contains("not a host name"),
        "{stderr}"
    );
    providers.configure(site, "[url.headers.\"sinaimg.cn\"]\n\"Bad Name\" = \"x\"\n");
    let output = crate::support::run(&["build", s(site)]);
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("not an HTTP header name"));
}
