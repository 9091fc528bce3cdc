//! Proxies from the standard variables, with a real proxy on loopback ([`TestProxy`]).
//!
//! Library tests pass the variables in `HttpSettings::proxy_env` and stand 127.0.0.1 in for a
//! public address (the predicate allows exactly it, as in `faults.rs`); binary tests set the
//! variables on the child process. The build's own rule, end to end, is in `netns.rs`.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::time::Duration;

use crate::avatar_server::{AvatarServer, demo_site_on, png};
use crate::proxy_server::TestProxy;
use crate::support::s;
use blog_avatars::fetch::{FetchError, Fetched, Fetcher, HttpSettings, Trust};
use blog_avatars::net_guard::is_public_ip;
use blog_avatars::testkit::{Response, TestServer};

fn settings(vars: &[(&str, &str)]) -> HttpSettings {
    HttpSettings {
        timeout: Duration::from_secs(5),
        retries: 0,
        proxy_env: Some(
            vars.iter()
                .map(|(n, v)| ((*n).to_owned(), (*v).to_owned()))
                .collect(),
        ),
        ..HttpSettings::default()
    }
}

/// The build's rule widened by exactly 127.0.0.1, the stand-in public host.
fn stand_in() -> Trust {
    let public = IpAddr::V4(Ipv4Addr::LOCALHOST);
    Trust::untrusted(move |ip| ip == public || is_public_ip(ip))
}

fn body(fetched: &Fetched) -> &[u8] {
    match fetched {
        Fetched::Found { body, .. } => body,
        other => panic!("expected Found, got {other:?}"),
    }
}

#[test]
fn content_urls_go_through_an_http_proxy_with_a_well_formed_connect() {
    let server = TestServer::start(|_| Response::ok(png(8, [1, 2, 3])));
    let proxy = TestProxy::start("127.0.0.1:0");
    let fetcher = Fetcher::new(settings(&[("HTTP_PROXY", &proxy.http_url())]), None, false);
    let fetched = fetcher.get(&server.url("/a.png"), &stand_in());
    assert_eq!(body(&fetched), png(8, [1, 2, 3]));
    // The checked address, with its port once.
    assert_eq!(
        proxy.asked(),
        [format!("CONNECT 127.0.0.1:{}", server.addr().port())]
    );
    // Config-trusted URLs go through it too, by name.
    let trusted = fetcher.get(&server.url("/b.png"), &Trust::Trusted);
    assert_eq!(body(&trusted), png(8, [1, 2, 3]));
    assert_eq!(proxy.asked().len(), 2);
    assert_eq!(server.request_count(), 2);
}

#[test]
fn a_redirect_through_the_proxy_to_a_refused_address_never_reaches_the_proxy() {
    let target = TestServer::start_on("[::1]:0", |_| Response::ok(png(8, [9, 9, 9])));
    let location = target.url("/internal.png");
    let hop = TestServer::start(move |_| Response::redirect(302, &location));
    let proxy = TestProxy::start("127.0.0.1:0");
    let fetcher = Fetcher::new(settings(&[("http_proxy", &proxy.http_url())]), None, false);
    match fetcher.get(&hop.url("/avatar.png"), &stand_in()) {
        Fetched::Failed {
            error: FetchError::Refused { ip, .. },
        } => assert_eq!(ip, IpAddr::V6(Ipv6Addr::LOCALHOST)),
        other => panic!("expected a refusal, got {other:?}"),
    }
    assert_eq!(
        proxy.asked(),
        [format!("CONNECT 127.0.0.1:{}", hop.addr().port())]
    );
    assert_eq!((hop.request_count(), target.request_count()), (1, 0));
}

#[test]
fn the_proxy_host_gets_no_exemption_on_a_direct_hop() {
    // The "proxy" variable names the very host and port the redirect goes to; NO_PROXY=* makes
    // every hop direct. Before, a target equal to the proxy host skipped the address check.
    let target = TestServer::start_on("127.0.0.2:0", |_| Response::ok(png(8, [9, 9, 9])));
    let location = target.url("/internal.png");
    let hop = TestServer::start(move |_| Response::redirect(302, &location));
    let vars = [
        ("HTTP_PROXY", format!("http://{}", target.addr())),
        ("NO_PROXY", "*".to_owned()),
    ];
    let vars: Vec<(&str, &str)> = vars.iter().map(|(n, v)| (*n, v.as_str())).collect();
    let fetcher = Fetcher::new(settings(&vars), None, false);
    match fetcher.get(&hop.url("/avatar.png"), &stand_in()) {
        Fetched::Failed {
            error: FetchError::Refused { ip, .. },
        } => assert_eq!(ip, IpAddr::V4(Ipv4Addr::new(127, 0, 0, 2))),
        other => panic!("expected a refusal, got {other:?}"),
    }
    assert_eq!((hop.request_count(), target.request_count()), (1, 0));
}

#[test]
fn socks5_from_all_proxy_works_and_is_asked_for_the_checked_address() {
    let server = TestServer::start(|_| Response::ok(png(8, [4, 5, 6])));
    let proxy = TestProxy::start("127.0.0.1:0");
    let fetcher = Fetcher::new(settings(&[("ALL_PROXY", &proxy.socks_url())]), None, false);
    let fetched = fetcher.get(&server.url("/a.png"), &stand_in());
    assert_eq!(body(&fetched), png(8, [4, 5, 6]));
    assert_eq!(
        proxy.asked(),
        [format!("SOCKS5 127.0.0.1:{}", server.addr().port())]
    );
}

#[test]
fn an_unusable_proxy_variable_is_an_error_not_a_direct_request() {
    let server = TestServer::start(|_| Response::ok(png(8, [4, 5, 6])));
    let fetcher = Fetcher::new(
        settings(&[("HTTPS_PROXY", "ftp://127.0.0.1:21")]),
        None,
        false,
    );
    match fetcher.get(&server.url("/a.png"), &Trust::Trusted) {
        Fetched::Failed {
            error: FetchError::Proxy { message, .. },
        } => assert!(message.contains("HTTPS_PROXY"), "{message}"),
        other => panic!("expected a proxy error, got {other:?}"),
    }
    assert_eq!(server.request_count(), 0);
}

/// Builds the demo site with `vars` set; returns (exit code, stdout + stderr).
fn build_with(site: &std::path::Path, vars: &[(&str, &str)]) -> (Option<i32>, String) {
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_blog-avatars"))
        .args(["build", s(site), "--format", "json"])
        .env_remove("NO_PROXY")
        .env_remove("no_proxy")
        .envs(vars.iter().copied())
        .output()
        .unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    (output.status.code(), text)
}

#[test]
fn the_binary_reaches_providers_through_http_and_socks_proxies() {
    for scheme in ["http", "socks5"] {
        let providers = AvatarServer::start();
        let (_temp, site) = demo_site_on(&providers);
        providers.configure(&site, "");
        let proxy = TestProxy::start("127.0.0.1:0");
        let url = match scheme {
            "http" => proxy.http_url(),
            _ => proxy.socks_url(),
        };
        let var = if scheme == "http" {
            "http_proxy"
        } else {
            "ALL_PROXY"
        };
        let (code, text) = build_with(&site, &[(var, &url)]);
        assert_eq!(code, Some(0), "{scheme}: {text}");
        let asked = proxy.asked();
        assert!(!asked.is_empty(), "{scheme}: the proxy was not used");
        // Connections are reused, so fewer proxy requests than HTTP requests; all to providers.
        let port = format!(":{}", providers.server.addr().port());
        assert!(asked.iter().all(|a| a.ends_with(&port)), "{asked:?}");
        assert!(asked.len() as u64 <= providers.requests(), "{asked:?}");
    }
}
