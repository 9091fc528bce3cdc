//! Pure classification tables: nothing here is ever connected to.

use std::net::{Ipv4Addr, Ipv6Addr};

use super::*;

fn check(url: &str) -> Result<(), Refusal> {
    check_content_url(url, &UrlPolicy::default())
}

/// Hostile URLs: each must be refused under the default policy.
const HOSTILE: &[&str] = &[
    // Schemes other than http(s), relative and scheme-relative URLs.
    "file:///etc/passwd",
    "FILE:///c:/windows/win.ini",
    "ftp://example.com/a.png",
    "gopher://example.com:70/_GET",
    "data:image/png;base64,iVBORw0KGgo=",
    "javascript:alert(1)",
    "//example.com/a.png",
    "/avatars/me.png",
    "avatars/me.png",
    "http:///a.png",
    "http://",
    // Credentials, including the "which side of the @ is the host" trick.
    "http://user:pass@example.com/a.png",
    "http://example.com@127.0.0.1/",
    "https://token@example.com/a.png",
    "http://example.com\\@127.0.0.1/",
    // Loopback in every spelling.
    "http://127.0.0.1/",
    "https://127.0.0.1:8443/a.png",
    "http://127.1/",
    "http://127.0.1/",
    "http://0177.0.0.1/",
    "http://0177.0000.0000.0001/",
    "http://00000177.0.0.1/",
    "http://0x7f.0.0.1/",
    "http://0X7F.0x0.0x0.0x1/",
    "http://0x7f.1/",
    "http://0x7f000001/",
    "http://0x00000007f000001/",
    "http://2130706433/",
    "http://017700000001/",
    "http://127.0.0.1./",
    "http://127.255.255.254/",
    "http://[::1]/",
    "http://[0:0:0:0:0:0:0:1]:8080/",
    "http://[::ffff:127.0.0.1]/",
    "http://[::ffff:7f00:1]/",
    "http://[0:0:0:0:0:ffff:127.0.0.1]/",
    "http://[::127.0.0.1]/",
    "http://[64:ff9b::7f00:1]/",
    "http://[2002:7f00:1::]/",
    // Names that resolve locally.
    "http://localhost/",
    "http://LOCALHOST:3000/",
    "http://localhost./",
    "http://app.localhost/",
    "http://printer.local/",
    "http://metadata.google.internal/computeMetadata/v1/",
    "http://nas.home.arpa/",
    "http://router.lan/",
    "http://metadata/",
    "http://intranet/",
    // Unspecified and "this network".
    "http://0/",
    "http://0x/",
    "http://0.0.0.0/",
    "http://0.1.2.3/",
    "http://[::]/",
    // Cloud metadata (link-local) in several spellings.
    "http://169.254.169.254/latest/meta-data/",
    "http://0xa9fea9fe/",
    "http://2852039166/",
    "http://0251.0376.0251.0376/",
    "http://169.254.43518/",
    "http://[::ffff:a9fe:a9fe]/",
    "http://[::ffff:169.254.169.254]/",
    "http://[fe80::1]/",
    "http://[fe80::a9fe:a9fe]/",
    // Private, shared, unique-local, site-local.
    "http://10.0.0.1/",
    "http://10.1/",
    "http://10.1.1/",
    "http://012.0.0.1/",
    "http://172.16.0.1/",
    "http://172.31.255.255/",
    "http://192.168.1.1/",
    "http://0xc0a80101/",
    "http://100.64.0.1/",
    "http://100.127.255.255/",
    "http://[fc00::1]/",
    "http://[fd12:3456:789a::1]/",
    "http://[fec0::1]/",
    "http://[::ffff:10.0.0.1]/",
    "http://[64:ff9b::c0a8:101]/",
    "http://[2002:c0a8:101::1]/",
    // Multicast, broadcast, reserved, documentation, benchmarking, protocol assignments.
    "http://224.0.0.1/",
    "http://239.255.255.250/",
    "http://255.255.255.255/",
    "http://4294967295/",
    "http://240.0.0.1/",
    "http://192.0.2.1/",
    "http://198.51.100.7/",
    "http://203.0.113.7/",
    "http://198.18.0.1/",
    "http://198.19.255.255/",
    "http://192.0.0.8/",
    "http://192.88.99.1/",
    "http://[ff02::1]/",
    "http://[2001:db8::1]/",
    "http://[3fff::1]/",
    "http://[2001::1]/",
    "http://[2001:2::1]/",
    "http://[100::1]/",
    "http://[::ffff:0:7f00:1]/",
    "http://[64:ff9b:1::1]/",
    // Hosts no resolver should be handed.
    "http://127.0.0.256/",
    "http://08.0.0.1/",
    "http://1.2.3.4.5/",
    "http://4294967296/",
    "http://127.0.0.1%2e/",
    "http://%6c%6f%63%61%6c%68%6f%73%74/",
    "http://[fe80::1%25eth0]/",
    "http://exa mple.com/",
    "http://example..com/",
];

/// Public URLs: each must pass under the default policy.
const PUBLIC: &[&str] = &[
    "https://example.com/a.png",
    "http://example.com:8080/avatars/a.png?x=1&y=2#frag",
    "HTTPS://Example.COM/x.jpg",
    "https://example.com./a.png",
    "https://avatars.githubusercontent.com/u/583231?v=4",
    "https://tvax1.sinaimg.cn/crop.0.0.512.512.180/abc.jpg",
    "https://thirdwx.qlogo.cn/mmopen/vi_32/abc/132",
    "https://my_host.example.com/a.png",
    "https://xn--bcher-kva.example/a.png",
    "https://cdn-1.example.co.uk/a.webp",
    "  https://example.com/trimmed.png  ",
    "http://8.8.8.8/a.png",
    "http://1.1.1.1:80/",
    "http://134744072/",
    "http://0x08080808/",
    "http://100.63.255.255/",
    "http://100.128.0.1/",
    "http://172.15.255.255/",
    "http://172.32.0.1/",
    "http://192.169.0.1/",
    "http://198.17.255.255/",
    "http://198.20.0.1/",
    "http://223.255.255.255/",
    "http://[2606:4700::6810:84e5]/",
    "http://[2a00:1450:4001:80b::200e]:443/",
    "http://[::ffff:8.8.8.8]/",
    "http://[64:ff9b::808:808]/",
    "http://[2002:808:808::1]/",
];

#[test]
fn every_hostile_url_is_refused() {
    for url in HOSTILE {
        match check(url) {
            Ok(()) => panic!("{url} was accepted"),
            Err(refusal) => eprintln!("{url:50} {refusal}"),
        }
    }
}

#[test]
fn every_public_url_passes() {
    for url in PUBLIC {
        assert_eq!(check(url), Ok(()), "{url}");
    }
}

#[test]
fn refusals_say_why() {
    let message = |url: &str| check(url).unwrap_err().to_string();
    assert_eq!(
        message("file:///etc/passwd"),
        "file:// URLs are not allowed (only http and https)"
    );
    assert_eq!(
        message("data:image/png;base64,AA=="),
        "data: URLs are not allowed (only http and https)"
    );
    assert_eq!(
        message("http://127.0.0.1/"),
        "127.0.0.1 is a loopback address"
    );
    assert_eq!(
        message("http://0x7f.1/"),
        "0x7f.1 (127.0.0.1) is a loopback address"
    );
    assert_eq!(message("http://[::1]/"), "::1 is a loopback address");
    assert_eq!(
        message("http://[::ffff:169.254.169.254]/"),
        "::ffff:169.254.169.254 is a link-local address"
    );
    assert_eq!(
        message("http://10.1.1/"),
        "10.1.1 (10.1.0.1) is a private address"
    );
    assert_eq!(
        message("http://Localhost./"),
        "localhost is a local-only host name"
    );
    assert!(message("http://a:b@example.com/").starts_with("URLs with credentials"));
    assert!(!message("http://a:secret@example.com/").contains("secret"));
    assert!(message("http://127.0.0.256/").contains("not a valid one"));
    assert_eq!(
        check("http://[fe80::1]/"),
        Err(Refusal::NonPublicAddress {
            host: "fe80::1".to_string(),
            ip: "fe80::1".parse().unwrap(),
            class: AddrClass::LinkLocal,
        })
    );
}

#[test]
fn allow_private_admits_local_addresses_but_not_other_schemes_or_credentials() {
    let policy = UrlPolicy {
        allow_private: true,
        allow_hosts: vec![],
    };
    for url in [
        "http://127.0.0.1:8080/a.png",
        "http://localhost/",
        "http://10.1/",
        "http://[::1]/",
        "http://nas.lan/",
    ] {
        assert_eq!(check_content_url(url, &policy), Ok(()), "{url}");
    }
    for url in [
        "file:///etc/passwd",
        "http://u:p@127.0.0.1/",
        "http://127.0.0.256/",
    ] {
        assert!(check_content_url(url, &policy).is_err(), "{url}");
    }
}

#[test]
fn allow_hosts_narrows() {
    let policy = UrlPolicy {
        allow_private: false,
        allow_hosts: vec![
            "*.sinaimg.cn".into(),
            "Example.org.".into(),
            "127.0.0.1".into(),
        ],
    };
    let ok = [
        "https://tvax1.sinaimg.cn/a.jpg",
        "https://a.b.sinaimg.cn/a.jpg",
        "https://EXAMPLE.org/a.png",
    ];
    for url in ok {
        assert_eq!(check_content_url(url, &policy), Ok(()), "{url}");
    }
    for url in [
        "https://sinaimg.cn/a.jpg",
        "https://evilsinaimg.cn/a.jpg",
        "https://www.example.org/a.png",
        "https://example.org.evil.com/a.png",
        "https://example.com/a.png",
    ] {
        assert_eq!(
            check_content_url(url, &policy),
            Err(Refusal::NotAllowed {
                host: url.split('/').nth(2).unwrap().to_ascii_lowercase()
            }),
            "{url}"
        );
    }
    // Listing a private address does not lift allow_private.
    assert!(matches!(
        check_content_url("http://127.0.0.1/", &policy),
        Err(Refusal::NonPublicAddress {
            class: AddrClass::Loopback,
            ..
        })
    ));
    let private = UrlPolicy {
        allow_private: true,
        ..policy
    };
    assert_eq!(check_content_url("http://0x7f.1/", &private), Ok(()));
    assert!(check_content_url("http://127.0.0.2/", &private).is_err());
}

#[test]
fn ip_spellings_parse_to_the_address_a_resolver_would_use() {
    let v4 = |s: &str| IpAddr::V4(s.parse::<Ipv4Addr>().unwrap());
    let cases = [
        ("127.0.0.1", v4("127.0.0.1")),
        ("2130706433", v4("127.0.0.1")),
        ("0177.0.0.1", v4("127.0.0.1")),
        ("0x7f.0.0.1", v4("127.0.0.1")),
        ("0x7f000001", v4("127.0.0.1")),
        ("0X7F.1", v4("127.0.0.1")),
        ("127.1", v4("127.0.0.1")),
        ("10.1.1", v4("10.1.0.1")),
        ("127.0.0.1.", v4("127.0.0.1")),
        ("0", v4("0.0.0.0")),
        ("0x", v4("0.0.0.0")),
        ("4294967295", v4("255.255.255.255")),
        ("1.65535", v4("1.0.255.255")),
        ("00000000000000000000177.1", v4("127.0.0.1")),
        ("[::1]", IpAddr::V6(Ipv6Addr::LOCALHOST)),
        ("::1", IpAddr::V6(Ipv6Addr::LOCALHOST)),
        (
            "[::ffff:127.0.0.1]",
            IpAddr::V6(Ipv4Addr::LOCALHOST.to_ipv6_mapped()),
        ),
        (
            "[::ffff:7f00:1]",
            IpAddr::V6(Ipv4Addr::LOCALHOST.to_ipv6_mapped()),
        ),
    ];
    for (host, ip) in cases {
        assert_eq!(parse_ip_host(host), Some(ip), "{host}");
    }
    for host in [
        "example.com",
        "",
        ".",
        "127.0.0.256",
        "4294967296",
        "1.2.3.4.5",
        "08.0.0.1",
        "0x1g",
        "127..1",
        "[::1",
        "[127.0.0.1]",
        "1.2.3.4..",
        "::ffff:127.0.0.1%eth0",
        "1.256.0",
        "99999999999999999999999",
    ] {
        assert_eq!(parse_ip_host(host), None, "{host}");
    }
}

#[test]
fn classification_at_range_edges() {
    let class = |s: &str| classify_ip(s.parse().unwrap());
    assert_eq!(class("100.64.0.0"), Some(AddrClass::SharedCgnat));
    assert_eq!(class("100.63.255.255"), None);
    assert_eq!(class("172.15.255.255"), None);
    assert_eq!(class("172.16.0.0"), Some(AddrClass::Private));
    assert_eq!(class("198.17.255.255"), None);
    assert_eq!(class("198.18.0.0"), Some(AddrClass::Benchmarking));
    assert_eq!(class("239.255.255.255"), Some(AddrClass::Multicast));
    assert_eq!(class("240.0.0.0"), Some(AddrClass::Reserved));
    assert_eq!(class("0.0.0.0"), Some(AddrClass::Unspecified));
    assert_eq!(class("0.255.255.255"), Some(AddrClass::ThisNetwork));
    assert_eq!(class("::ffff:192.168.0.1"), Some(AddrClass::Private));
    assert_eq!(class("2002:a00:1::"), Some(AddrClass::Private));
    assert_eq!(class("febf::1"), Some(AddrClass::LinkLocal));
    assert_eq!(class("fec0::1"), Some(AddrClass::SiteLocal));
    assert_eq!(class("fbff::1"), Some(AddrClass::Reserved));
    assert_eq!(class("3fff:1000::1"), None);
    assert_eq!(class("2001:200::1"), None);
    assert_eq!(class("2001:1ff::1"), Some(AddrClass::ProtocolAssignment));
    assert_eq!(class("4000::1"), Some(AddrClass::Reserved));
    assert!(is_public_ip("2606:4700::1".parse().unwrap()));
    assert!(is_public_ip("93.184.215.14".parse().unwrap()));
    assert!(!is_public_ip("::ffff:127.0.0.1".parse().unwrap()));
}
