//! The address guard of `Trust::Untrusted`.

use std::net::{IpAddr, Ipv4Addr};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use super::{found, quick};
use crate::fetch::{FetchError, Fetched, Fetcher, Origin, Trust};
use crate::testkit::{Response, TestServer};

const LOCALHOST: IpAddr = IpAddr::V4(Ipv4Addr::LOCALHOST);

fn refused_ip(fetched: Fetched) -> IpAddr {
    match fetched {
        Fetched::Failed {
            error: FetchError::Refused { ip, .. },
        } => ip,
        other => panic!("expected Refused, got {other:?}"),
    }
}

#[test]
fn a_refused_address_is_never_contacted() {
    let server = TestServer::start(|_| Response::ok("secret"));
    let fetcher = Fetcher::new(quick(), None, false);
    let trust = Trust::untrusted(|ip| ip != LOCALHOST);
    assert_eq!(
        refused_ip(fetcher.get(&server.url("/a"), &trust)),
        LOCALHOST
    );
    assert_eq!(server.request_count(), 0);
    // Refusal says nothing about the host's health and is not retried.
    let stats = fetcher.stats();
    assert_eq!((stats.hosts_down, stats.retries), (0, 0));
}

#[test]
fn a_redirect_to_a_refused_address_is_not_followed() {
    let inner = TestServer::start(|_| Response::ok("secret"));
    let target = inner.url("/internal");
    let outer = TestServer::start(move |_| Response::redirect(302, &target));
    // Both servers are on loopback, so the predicate tells the hops apart by order: it allows
    // the first address it is asked about and refuses every later one. That it is asked again
    // at all shows the check runs on every hop.
    let asked = AtomicUsize::new(0);
    let trust = Trust::untrusted(move |_| asked.fetch_add(1, Ordering::SeqCst) == 0);
    let fetcher = Fetcher::new(quick(), None, false);
    assert_eq!(
        refused_ip(fetcher.get(&outer.url("/avatar"), &trust)),
        LOCALHOST
    );
    assert_eq!(outer.request_count(), 1);
    assert_eq!(inner.request_count(), 0);
}

#[test]
fn allowed_addresses_are_fetched() {
    let server = TestServer::start(|_| Response::ok("avatar"));
    let fetcher = Fetcher::new(quick(), None, false);
    let trust = Trust::untrusted(|_| true);
    assert_eq!(found(&fetcher.get(&server.url("/a"), &trust)).0, b"avatar");
}

#[test]
fn one_agent_per_predicate_is_reused() {
    let server = TestServer::start(|_| Response::ok("avatar"));
    let fetcher = Fetcher::new(quick(), None, false);
    let allow: crate::fetch::AllowIp = Arc::new(|_| true);
    for i in 0..3 {
        let trust = Trust::Untrusted {
            allow_ip: allow.clone(),
            scope: Arc::from("guarded"),
        };
        found(&fetcher.get(&server.url(&format!("/{i}")), &trust));
    }
    assert_eq!(server.request_count(), 3);
}

#[test]
fn redirects_to_other_schemes_are_refused() {
    let server = TestServer::start(|r| match r.path.as_str() {
        "/ftp" => Response::redirect(302, "ftp://127.0.0.1/avatar.png"),
        _ => Response::redirect(302, "gopher://127.0.0.1:70/_x"),
    });
    let fetcher = Fetcher::new(quick(), None, false);
    for path in ["/ftp", "/gopher"] {
        let fetched = fetcher.get(&server.url(path), &Trust::untrusted(|_| true));
        let is_bad_url = matches!(
            fetched,
            Fetched::Failed {
                error: FetchError::BadUrl { .. }
            }
        );
        assert!(is_bad_url, "{fetched:?}");
    }
    assert_eq!(server.request_count(), 2, "one request each, not retried");
}

#[test]
fn a_trusted_answer_never_satisfies_an_untrusted_request() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(|_| Response::ok("internal"));
    let url = server.url("/a");
    let refuse_loopback = Trust::untrusted(|ip| ip != LOCALHOST);

    // Same run: the memo does not hand the trusted answer over.
    let fetcher = super::cached_fetcher(dir.path(), quick());
    found(&fetcher.get(&url, &Trust::Trusted));
    assert_eq!(refused_ip(fetcher.get(&url, &refuse_loopback)), LOCALHOST);
    fetcher.finish().unwrap();

    // Next run: the cache entry, fetched unguarded, does not answer an untrusted request either.
    let fetcher = super::cached_fetcher(dir.path(), quick());
    assert_eq!(refused_ip(fetcher.get(&url, &refuse_loopback)), LOCALHOST);
    assert_eq!(server.request_count(), 1);

    // Whereas an entry fetched under the guard does.
    let allow_all = Trust::untrusted(|_| true);
    let other = server.url("/b");
    found(&fetcher.get(&other, &allow_all));
    fetcher.finish().unwrap();
    let fetcher = super::cached_fetcher(dir.path(), quick());
    assert_eq!(
        found(&fetcher.get(&other, &allow_all)).1,
        Origin::CacheFresh
    );
}
