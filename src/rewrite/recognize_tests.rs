//! Recognition table tests.

use super::*;

const MD5: &str = "0bc83cb571cd1c50ba6f3e8a78ef1346";
const SHA256: &str = "a8a2f6ebe286697c527eb35a58b5539532e9b3ae3b64d4eb0a46fb657b41562c";

/// `{h}`: the MD5 hash, `{H}`: it in upper case, `{sha}`: the SHA-256 hash.
fn fill(template: &str) -> String {
    let upper = MD5.to_ascii_uppercase();
    template
        .replace("{h}", MD5)
        .replace("{H}", &upper)
        .replace("{sha}", SHA256)
}

/// Gravatar URLs and the pixel size each names.
const GRAVATAR: &[(&str, Option<u32>)] = &[
    ("https://www.gravatar.com/avatar/{h}", None),
    ("http://0.gravatar.com/avatar/{h}?s=40", Some(40)),
    ("//secure.gravatar.com/avatar/{h}.jpg?size=96", Some(96)),
    (
        "https://gravatar.com/avatar/{h}.PNG?d=mm&amp;s=80",
        Some(80),
    ),
    ("HTTPS://WWW.GRAVATAR.COM/avatar/{H}?s=64&#38;r=g", Some(64)),
    ("  https://www.gravatar.com/avatar/{sha}?s=120  ", Some(120)),
    ("https://cravatar.cn/avatar/{h}?s=100&d=mp", Some(100)),
    ("https://cn.cravatar.com/avatar/{h}", None),
    ("https://weavatar.com/avatar/{h}?s=50", Some(50)),
    ("https://gravatar.loli.net/avatar/{h}?d=identicon", None),
    ("https://sdn.geekzu.org/avatar/{h}?s=0", None),
    ("https://www.gravatar.com./avatar/{h}?s=x", None),
    (
        "https:&#x2F;&#x2F;www.gravatar.com&#x2F;avatar&#x2F;{h}?s=40",
        Some(40),
    ),
];

/// Other hosts and schemes: not avatars at all.
const NOT_GRAVATAR: &[&str] = &[
    "https://example.com/avatar/{h}",
    "https://gravatar.com.evil.example/avatar/{h}",
    "https://notgravatar.com/avatar/{h}",
    "https://cravatar.com/avatar/{h}",
    "ftp://www.gravatar.com/avatar/{h}",
    "/avatar/{h}",
];

/// Gravatar hosts, not under the avatar path: profiles and site pages, left but reported.
const GRAVATAR_UNREPLACEABLE: &[&str] = &[
    "https://www.gravatar.com/{h}",
    "https://en.gravatar.com/ada",
    "https://gravatar.com/site/implement/images/",
    "https://cdn.v2ex.com/avatar/{h}",
];

/// Under the avatar path of every known host, naming nobody: Staticman's empty hash, unfilled
/// templates, `?d=`-only URLs, broken hashes.
const ANONYMOUS: &[&str] = &[
    "https://www.gravatar.com/avatar/?s=70&d=identicon",
    "https://www.gravatar.com/avatar/?d=mm",
    "https://secure.gravatar.com/avatar/?default=retro&amp;s=40",
    "//0.gravatar.com/avatar/",
    "https://gravatar.com/avatar/{{ email }}?s=64",
    "https://www.gravatar.com/avatar/%7B%7B%20include.email%20%7D%7D",
    "https://www.gravatar.com/avatar/undefined?s=80",
    "https://www.gravatar.com/avatar/0bc83cb571cd1c50ba6f3e8a78ef134",
    "https://www.gravatar.com/avatar/0bc83cb571cd1c50ba6f3e8a78ef134g",
    "https://www.gravatar.com/avatar/{h}/extra",
    "https://cravatar.cn/avatar/?s=70&d=identicon",
    "https://cn.cravatar.com/avatar/",
    "https://weavatar.com/avatar/?d=mp",
    "https://gravatar.loli.net/avatar/?s=70",
    "https://sdn.geekzu.org/avatar/?d=identicon",
    "https://fdn.geekzu.org/avatar/",
    "https://cdn.v2ex.com/gravatar/?s=70&d=identicon",
    "https://dn-qiniu-avatar.qbox.me/avatar/?s=70",
    "https://seccdn.libravatar.org/avatar/?d=retro",
    "https://www.gravatar.com/avatar/d41d8cd98f00b204e9800998ecf8427e?s=80",
    "https://www.gravatar.com/avatar/E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855",
];

#[test]
fn anonymous_and_unreplaceable_gravatar_urls() {
    let recognizer = Recognizer::default();
    for template in ANONYMOUS {
        let url = fill(template);
        match recognizer.recognize(&url) {
            Recognized::Avatar(found) => {
                assert_eq!(found.target, AvatarTarget::Anonymous, "{url}");
                assert_eq!(found.identity(), None, "{url}");
            }
            other => panic!("{url}: {other:?}"),
        }
    }
    let staticman = recognize("https://www.gravatar.com/avatar/?s=70&amp;d=identicon").unwrap();
    assert_eq!(staticman.px, Some(70));
    for template in GRAVATAR_UNREPLACEABLE {
        let url = fill(template);
        assert_eq!(
            recognizer.recognize(&url),
            Recognized::Unreplaceable,
            "{url}"
        );
        assert_eq!(recognize(&url), None, "{url}");
    }
    for template in NOT_GRAVATAR {
        let url = fill(template);
        assert_eq!(recognizer.recognize(&url), Recognized::NotAvatar, "{url}");
    }
}

#[test]
fn mirrors_of_chinese_themes_and_configured_hosts() {
    let gravatar = |hash: &str| AvatarTarget::Gravatar { hash: hash.into() };
    for template in [
        "https://cdn.v2ex.com/gravatar/{h}?s=48&d=retro",
        "//fdn.geekzu.org/avatar/{h}?s=48",
        "https://dn-qiniu-avatar.qbox.me/avatar/{h}.png?s=48",
    ] {
        let url = fill(template);
        let found = recognize(&url).unwrap_or_else(|| panic!("{url}"));
        assert_eq!((found.target, found.px), (gravatar(MD5), Some(48)), "{url}");
    }
    let configured = Recognizer::new(&[
        "avatar.example.cn/avatar/",
        "*.mirror.example/g/",
        "https://bare.example.net",
    ]);
    for template in [
        "https://avatar.example.cn/avatar/{h}?s=40",
        "https://img.mirror.example/g/{h}",
        "https://bare.example.net/avatar/{h}",
    ] {
        let url = fill(template);
        match configured.recognize(&url) {
            Recognized::Avatar(found) => assert_eq!(found.target, gravatar(MD5), "{url}"),
            other => panic!("{url}: {other:?}"),
        }
        assert_eq!(recognize(&url), None, "only configured: {url}");
    }
    let empty = configured.recognize("https://avatar.example.cn/avatar/?d=mm");
    assert!(
        matches!(&empty, Recognized::Avatar(a) if a.target == AvatarTarget::Anonymous),
        "{empty:?}"
    );
    assert_eq!(
        configured.recognize("https://avatar.example.cn/other/x.png"),
        Recognized::Unreplaceable
    );
    assert_eq!(
        configured.recognize(&fill("https://mirror.example/g/{h}")),
        Recognized::NotAvatar
    );
}

#[test]
fn gravatar_and_mirrors() {
    for (template, px) in GRAVATAR {
        let url = fill(template);
        let hash = if template.contains("{sha}") {
            SHA256
        } else {
            MD5
        };
        let target = AvatarTarget::Gravatar { hash: hash.into() };
        let expected = AvatarRef { target, px: *px };
        assert_eq!(recognize(&url), Some(expected), "{url}");
    }
    for template in NOT_GRAVATAR {
        let url = fill(template);
        assert_eq!(recognize(&url), None, "{url}");
    }
    let found = recognize(&fill("https://www.gravatar.com/avatar/{h}")).unwrap();
    assert_eq!(found.identity(), Some(Identity::Hash(MD5.into())));
}

#[test]
fn libravatar() {
    for host in ["cdn.libravatar.org", "seccdn.libravatar.org"] {
        let url = format!("https://{host}/avatar/{MD5}?s=80&amp;d=retro");
        let found = recognize(&url).unwrap();
        assert_eq!(found.target, AvatarTarget::Libravatar { hash: MD5.into() });
        assert_eq!(found.px, Some(80));
        assert_eq!(found.identity(), Some(Identity::Hash(MD5.into())));
    }
    let other = format!("https://www.libravatar.org/avatar/{MD5}");
    assert_eq!(recognize(&other), None);
}

/// qlogo URLs, the QQ number and pixel size each names.
const QLOGO: &[(&str, &str, Option<u32>)] = &[
    (
        "https://q1.qlogo.cn/g?b=qq&amp;nk=10001&amp;s=100",
        "10001",
        Some(100),
    ),
    (
        "http://q2.qlogo.cn/g?b=qq&nk=123456789&s=640",
        "123456789",
        Some(640),
    ),
    (
        "//q.qlogo.cn/g?b=qq&nk=12345678901&s=3",
        "12345678901",
        Some(100),
    ),
    ("https://q1.qlogo.cn/g?b=qq&nk=10001&s=1", "10001", Some(40)),
    ("https://q1.qlogo.cn/g?b=qq&nk=10001", "10001", None),
    ("https://Q4.QLOGO.CN/g?b=qq&nk=10001&s=0", "10001", None),
    (
        "https://q.qlogo.cn/headimg_dl?dst_uin=10001&amp;spec=100",
        "10001",
        Some(100),
    ),
    (
        "https://q.qlogo.cn/headimg_dl?bs=qq&dst_uin=987654&spec=640",
        "987654",
        Some(640),
    ),
];

/// Invalid or missing numbers: the URL names nobody.
const QLOGO_ANONYMOUS: &[&str] = &[
    "https://q1.qlogo.cn/g?b=qq&nk=01234&s=100",
    "https://q1.qlogo.cn/g?b=qq&nk=1234&s=100",
    "https://q1.qlogo.cn/g?b=qq&nk=123456789012&s=100",
    "https://q1.qlogo.cn/g?b=qq&nk=12a45&s=100",
    "https://q1.qlogo.cn/g?b=qq&nk=&s=100",
    "https://q.qlogo.cn/headimg_dl?dst_uin=&spec=100",
];

/// Opaque keys and other paths on qlogo: left, but reported.
const QLOGO_UNREPLACEABLE: &[&str] = &[
    "https://thirdqq.qlogo.cn/g?b=oidb&k=AbCdEf&s=100",
    "https://q1.qlogo.cn/qqapp/101/ABCDEF/100",
    "https://thirdwx.qlogo.cn/",
];

/// Other hosts.
const NOT_QLOGO: &[&str] = &[
    "https://qlogo.cn.example/g?b=qq&nk=10001",
    "https://qlogo.cn/g?b=qq&nk=10001",
];

#[test]
fn qlogo() {
    for (url, number, px) in QLOGO {
        let target = AvatarTarget::Qq {
            number: (*number).into(),
        };
        assert_eq!(recognize(url), Some(AvatarRef { target, px: *px }), "{url}");
    }
    let recognizer = Recognizer::default();
    for url in QLOGO_ANONYMOUS {
        let found = recognize(url).unwrap_or_else(|| panic!("{url}"));
        assert_eq!(found.target, AvatarTarget::Anonymous, "{url}");
    }
    for url in QLOGO_UNREPLACEABLE {
        assert_eq!(
            recognizer.recognize(url),
            Recognized::Unreplaceable,
            "{url}"
        );
    }
    for url in NOT_QLOGO {
        assert_eq!(recognizer.recognize(url), Recognized::NotAvatar, "{url}");
    }
    // WeChat avatars are fetched as they are.
    let wechat = "http://thirdwx.qlogo.cn/mmopen/vi_32/Q0j4TwGTfTK/132";
    let found = recognize(wechat).unwrap();
    let url = "https://thirdwx.qlogo.cn/mmopen/vi_32/Q0j4TwGTfTK/132";
    assert_eq!(found.target, AvatarTarget::Direct { url: url.into() });
    let found = recognize("https://q1.qlogo.cn/g?b=qq&nk=10001").unwrap();
    assert_eq!(found.identity(), Some(Identity::Qq("10001".into())));
}

#[test]
fn github() {
    let found = recognize("https://github.com/OctoCat.png?size=80").unwrap();
    let login = "octocat".to_owned();
    assert_eq!(found.target, AvatarTarget::Github { login });
    assert_eq!(found.px, Some(80));
    assert_eq!(found.identity(), Some(Identity::Github("octocat".into())));
    assert_eq!(recognize("//github.com/a-b.png").unwrap().px, None);
    for bad in [
        "https://github.com/octocat",
        "https://github.com/-bad-.png",
        "https://github.com/octo/cat.png",
        "https://github.com/.png",
        "https://gist.github.com/octocat.png",
    ] {
        assert_eq!(recognize(bad), None, "{bad}");
    }
}

#[test]
fn githubusercontent_is_fetched_without_its_size() {
    let written = "https://avatars.githubusercontent.com/u/583231?v=4&amp;s=40";
    let found = recognize(written).unwrap();
    let url = "https://avatars.githubusercontent.com/u/583231?v=4";
    assert_eq!(found.target, AvatarTarget::Direct { url: url.into() });
    assert_eq!(found.px, Some(40));
    assert_eq!(found.identity(), Some(Identity::Url(url.into())));
    let found = recognize("http://AVATARS3.githubusercontent.com/octocat?size=64#x").unwrap();
    let url = "https://avatars3.githubusercontent.com/octocat";
    assert_eq!(found.target, AvatarTarget::Direct { url: url.into() });
    assert_eq!(found.px, Some(64));
    for bad in [
        "https://avatars.githubusercontent.com/",
        "https://raw.githubusercontent.com/u/1",
        "https://avatarsx.githubusercontent.com/u/1",
    ] {
        assert_eq!(recognize(bad), None, "{bad}");
    }
}

#[test]
fn spellings_of_one_avatar_are_equal() {
    let a = recognize(&fill("https://www.gravatar.com/avatar/{h}?s=80"));
    let b = recognize(&fill("//cravatar.cn/avatar/{H}.jpg?d=mm&amp;s=80"));
    assert!(a.is_some());
    assert_eq!(a, b);
}

#[test]
fn not_urls() {
    for bad in [
        "",
        "   ",
        "data:image/png;base64,AAAA",
        "javascript:alert(1)",
        "a.png",
    ] {
        assert_eq!(recognize(bad), None, "{bad:?}");
    }
}
