//! `NO_PROXY` as curl reads it, through the real fetcher and a real proxy on loopback: a CIDR
//! network and a `host:port` entry send matching URLs direct and the rest through the proxy.
//! (ureq's own reading takes both entries for host names and proxies everything.)

use std::net::{IpAddr, Ipv4Addr};
use std::time::Duration;

use crate::avatar_server::png;
use crate::proxy_server::TestProxy;
use blog_avatars::fetch::{Fetched, Fetcher, HttpSettings, Trust};
use blog_avatars::testkit::{Response, TestServer};

fn fetcher(vars: &[(&str, String)]) -> Fetcher {
    let settings = HttpSettings {
        timeout: Duration::from_secs(5),
        retries: 0,
        proxy_env: Some(
            vars.iter()
                .map(|(n, v)| ((*n).to_owned(), v.clone()))
                .collect(),
        ),
        ..HttpSettings::default()
    };
    Fetcher::new(settings, None, false)
}

/// The build's rule widened by exactly 127.0.0.1, the stand-in public host.
fn stand_in() -> Trust {
    let public = IpAddr::V4(Ipv4Addr::LOCALHOST);
    Trust::untrusted(move |ip| ip == public || blog_avatars::net_guard::is_public_ip(ip))
}

fn found(fetched: &Fetched) {
    assert!(matches!(fetched, Fetched::Found { .. }), "{fetched:?}");
}

#[test]
fn a_cidr_entry_sends_its_network_direct() {
    let server = TestServer::start(|_| Response::ok(png(8, [1, 2, 3])));
    let proxy = TestProxy::start("127.0.0.1:0");
    let fetcher = fetcher(&[
        ("HTTP_PROXY", proxy.http_url()),
        ("NO_PROXY", "example.invalid, 127.0.0.0/8".to_owned()),
    ]);
    found(&fetcher.get(&server.url("/a.png"), &stand_in()));
    found(&fetcher.get(&server.url("/b.png"), &Trust::Trusted));
    assert_eq!(proxy.asked(), Vec::<String>::new());
    assert_eq!(server.request_count(), 2);
}

#[test]
fn a_port_entry_exempts_that_port_only() {
    let direct = TestServer::start(|_| Response::ok(png(8, [1, 2, 3])));
    let proxied = TestServer::start(|_| Response::ok(png(8, [4, 5, 6])));
    let proxy = TestProxy::start("127.0.0.1:0");
    let fetcher = fetcher(&[
        ("http_proxy", proxy.http_url()),
        ("no_proxy", format!("127.0.0.1:{}", direct.addr().port())),
    ]);
    found(&fetcher.get(&direct.url("/a.png"), &stand_in()));
    found(&fetcher.get(&proxied.url("/a.png"), &stand_in()));
    assert_eq!(
        proxy.asked(),
        [format!("CONNECT 127.0.0.1:{}", proxied.addr().port())]
    );
    assert_eq!((direct.request_count(), proxied.request_count()), (1, 1));
}
