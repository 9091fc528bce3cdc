//! `rewrite` on avatar URLs that name nobody (Staticman's empty hash, unfilled templates), on
//! Gravatar mirrors and configured hosts, and on avatar-host URLs it cannot replace: through
//! the real binary, against a loopback stand-in for the providers.

use std::path::Path;

use sha2::{Digest, Sha256};

use crate::avatar_server::{AvatarServer, png};
use crate::support::{copy_site, run, run_json, s};
use blog_avatars::testkit::Response;

const ADA: &str = "0bc83cb571cd1c50ba6f3e8a78ef1346";
const GRACE: &str = "1f3870be274f6c49b3e31a0c6728957f";
const STATICMAN: &str = "staticman/2024/06/02/empty-email/index.html";

/// Content URLs may only go to a host that does not exist, so none is ever resolved.
const NO_REAL_HOSTS: &str = "[url]\nallow_hosts = [\"nowhere.invalid\"]\n";

/// Hosts whose contact from a visitor's browser the rewrite exists to prevent.
const TRACKERS: &[&str] = &[
    "gravatar",
    "cravatar",
    "weavatar",
    "geekzu",
    "v2ex",
    "qbox.me",
    "libravatar",
    "qlogo",
    "githubusercontent",
];

/// `html` with every local avatar URL (`/avatars/<hex>.<ext>`) replaced by `@`, and the
/// names found.
fn mask_local(html: &str) -> (String, Vec<String>) {
    let mut out = String::new();
    let mut names = Vec::new();
    let mut rest = html;
    while let Some(at) = rest.find("/avatars/") {
        out.push_str(&rest[..at]);
        let tail = &rest[at + "/avatars/".len()..];
        let len = tail
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '.'))
            .unwrap_or(tail.len());
        names.push(tail[..len].to_owned());
        out.push('@');
        rest = &tail[len..];
    }
    out.push_str(rest);
    (out, names)
}

/// Every attribute text a browser fetches images from: whole `<img>`/`<source>` tags and
/// `style` values of every tag (comments, scripts and textareas skipped, text ignored).
fn fetched_markup(html: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut rest = html;
    while let Some(open) = rest.find('<') {
        rest = &rest[open + 1..];
        if let Some(comment) = rest.strip_prefix("!--") {
            rest = comment.find("-->").map_or("", |end| &comment[end + 3..]);
            continue;
        }
        let end = rest.find('>').unwrap_or(rest.len());
        let tag = &rest[..end];
        let lower = tag.to_ascii_lowercase();
        // Raw text: what these hold is never fetched as an image.
        if let Some(raw) = ["textarea", "script"]
            .iter()
            .find(|r| lower.starts_with(*r))
        {
            let close = format!("</{raw}");
            rest = rest[end..]
                .to_ascii_lowercase()
                .find(&close)
                .map_or("", |at| &rest[end + at..]);
            continue;
        }
        if lower.starts_with("img") || lower.starts_with("source") {
            found.push(tag.to_owned());
        } else if let Some(at) = lower.find("style=") {
            found.push(tag[at..].to_owned());
        }
        rest = &rest[end..];
    }
    found
}

fn assert_content_addressed(dir: &Path, name: &str) {
    let bytes = std::fs::read(dir.join("avatars").join(name)).unwrap();
    let digest = hex::encode(Sha256::digest(&bytes));
    let stem = name.split('.').next().unwrap();
    assert!(
        stem.len() >= 16 && digest.starts_with(stem),
        "{name} is not named by its content"
    );
}

#[test]
fn urls_naming_nobody_get_the_default_avatar_and_no_page_contacts_an_avatar_host() {
    let (temp, dir) = copy_site("rewrite");
    let server = AvatarServer::start();
    server.routes.set(
        &format!("/avatar/{ADA}"),
        Response::ok(png(200, [50, 60, 70])),
    );
    let config = temp.path().join("blog-avatars.toml");
    std::fs::write(&config, server.config(NO_REAL_HOSTS)).unwrap();
    let before = std::fs::read_to_string(dir.join(STATICMAN)).unwrap();

    let report = run_json(
        &[
            "rewrite",
            s(&dir),
            "--config",
            s(&config),
            "--format",
            "json",
        ],
        0,
    );
    let rewrite = &report["rewrite"];
    assert_eq!(rewrite["urls_anonymous"], 5, "{report:#}");
    // Every URL in markup is replaced; what is left is what scripts and style blocks of the
    // Hexo (Valine) and Hugo pages fetch in the browser, which rewrite reports but cannot reach.
    let left: Vec<(&str, &str)> = rewrite["unreplaced"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| (u["path"].as_str().unwrap(), u["url"].as_str().unwrap()))
        .collect();
    assert_eq!(left.len(), 4, "{report:#}");
    for (path, url) in left {
        assert!(
            (path.starts_with("hexo/") || path.starts_with("hugo/"))
                && (url.starts_with('<') || url.contains("Valine script")),
            "{path}: {url}"
        );
    }

    // Exactly the avatar URLs changed, in order, and nothing else (the <noscript> copy
    // before the lazy image, inline styles, text and code kept byte for byte).
    let after = std::fs::read_to_string(dir.join(STATICMAN)).unwrap();
    let replaced = [
        "https://www.gravatar.com/avatar/?d=mm&amp;s=80",
        "https://www.gravatar.com/avatar/?d=mm&amp;s=160",
        &format!("https://secure.gravatar.com/avatar/{ADA}?s=80&amp;d=identicon"),
        &format!("https://cdn.v2ex.com/gravatar/{GRACE}?s=40&amp;d=retro"),
        "https://cravatar.cn/avatar/d41d8cd98f00b204e9800998ecf8427e?s=80",
        "https://gravatar.loli.net/avatar/{{comment.email}}?s=80",
        &format!("https://www.gravatar.com/avatar/{ADA}?s=40"),
        "//sdn.geekzu.org/avatar/?s=40&amp;d=identicon",
    ];
    let mut expected = before.clone();
    for url in replaced {
        assert!(expected.contains(url), "{url}");
        expected = expected.replacen(url, "@", 1);
    }
    let (masked, names) = mask_local(&after);
    assert_eq!(masked, expected);
    assert_eq!(names.len(), replaced.len());
    for name in &names {
        assert_content_addressed(&dir, name);
    }
    // The empty hash (1x, 2x), the empty email's hash and the unfilled template share the
    // default avatar; Ada's picture is another file.
    let (nobody_1x, nobody_2x, ada_80) = (&names[0], &names[1], &names[2]);
    assert_ne!(nobody_1x, nobody_2x);
    assert_eq!(&names[4], nobody_1x);
    assert_eq!(&names[5], nobody_1x);
    assert_ne!(ada_80, nobody_1x);
    // Nobody was asked for an avatar of nobody: every hash requested is a real one.
    for request in server.server.requests() {
        let Some(rest) = request.path.split("/avatar/").nth(1) else {
            continue;
        };
        let hash = rest.split(['?', '.']).next().unwrap();
        assert!(
            (hash.len() == 32 || hash.len() == 64)
                && hash.bytes().all(|b| b.is_ascii_hexdigit())
                && !hash.starts_with("d41d8cd98f"),
            "{request:?}"
        );
    }

    // In no page does anything a browser fetches images from name an avatar host.
    for page in walkdir::WalkDir::new(&dir) {
        let page = page.unwrap().into_path();
        if !page
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("html") || e.eq_ignore_ascii_case("htm"))
        {
            continue;
        }
        let html = std::fs::read_to_string(&page).unwrap();
        for markup in fetched_markup(&html) {
            let lower = markup.to_ascii_lowercase();
            for host in TRACKERS {
                assert!(!lower.contains(host), "{}: {markup}", page.display());
            }
        }
    }
}

#[test]
fn avatar_urls_it_cannot_replace_are_listed_and_fail_strict() {
    let temp = tempfile::tempdir().unwrap();
    let dir = temp.path().join("public");
    std::fs::create_dir_all(dir.join("posts")).unwrap();
    let page = concat!(
        "<img src=\"https://thirdqq.qlogo.cn/g?b=oidb&amp;k=AbCdEf&amp;s=100\" alt=\"\">\n",
        "<img src=\"https://en.gravatar.com/ada\" alt=\"\">\n",
        "<img src=\"https://thirdqq.qlogo.cn/g?b=oidb&amp;k=AbCdEf&amp;s=100\" alt=\"\">\n",
        "<div style=\"background-image:url(https://q1.qlogo.cn/qqapp/101/ABCDEF/100)\"></div>\n",
        "<img src=\"https://www.gravatar.com/avatar/?s=70&amp;d=identicon\" alt=\"\">\n",
    );
    std::fs::write(dir.join("posts/a.html"), page).unwrap();
    let server = AvatarServer::start();
    let config = temp.path().join("blog-avatars.toml");
    std::fs::write(&config, server.config(NO_REAL_HOSTS)).unwrap();
    let args = ["rewrite", s(&dir), "--config", s(&config), "--strict"];

    let report = run_json(&[&args[..], &["--format", "json"]].concat(), 3);
    let unreplaced = &report["rewrite"]["unreplaced"];
    assert_eq!(
        unreplaced,
        &serde_json::json!([
            {"path": "posts/a.html", "url": "https://en.gravatar.com/ada", "count": 1},
            {"path": "posts/a.html", "url": "https://q1.qlogo.cn/qqapp/101/ABCDEF/100", "count": 1},
            {"path": "posts/a.html", "url": "https://thirdqq.qlogo.cn/g?b=oidb&k=AbCdEf&s=100", "count": 2},
        ]),
        "{report:#}"
    );
    // The URL that names nobody was still replaced.
    assert_eq!(report["rewrite"]["urls_anonymous"], 1);
    let html = std::fs::read_to_string(dir.join("posts/a.html")).unwrap();
    assert!(!html.contains("avatar/?s=70"), "{html}");
    assert_eq!(server.requests(), 0);

    // The people's report names page, URL and count; without --strict it is not a failure.
    std::fs::write(dir.join("posts/a.html"), page).unwrap();
    let human = run(&args);
    assert_eq!(human.status.code(), Some(3));
    let stdout = String::from_utf8(human.stdout).unwrap();
    assert!(
        stdout.contains("1 avatar URL named nobody")
            && stdout.contains("4 avatar URLs could not be replaced")
            && stdout
                .contains("posts/a.html: https://thirdqq.qlogo.cn/g?b=oidb&k=AbCdEf&s=100 (2x)"),
        "{stdout}"
    );
    let relaxed = run(&args[..4]);
    assert_eq!(relaxed.status.code(), Some(0));
}

#[test]
fn configured_gravatar_hosts_are_recognised() {
    let temp = tempfile::tempdir().unwrap();
    let dir = temp.path().join("public");
    std::fs::create_dir_all(&dir).unwrap();
    let page =
        format!("<p><img src=\"https://avatar.example.cn/avatar/{ADA}?s=40\" alt=\"Ada\"></p>\n");
    std::fs::write(dir.join("index.html"), &page).unwrap();
    let server = AvatarServer::start();
    server.routes.set(
        &format!("/avatar/{ADA}"),
        Response::ok(png(100, [10, 200, 30])),
    );
    let config = temp.path().join("blog-avatars.toml");
    std::fs::write(&config, server.config(NO_REAL_HOSTS)).unwrap();
    let args = [
        "rewrite",
        s(&dir),
        "--config",
        s(&config),
        "--format",
        "json",
    ];

    // Unknown to the built-in list: not an avatar, left alone, not reported.
    let report = run_json(&args, 0);
    assert_eq!(report["rewrite"]["files_changed"], 0, "{report:#}");
    assert_eq!(
        std::fs::read_to_string(dir.join("index.html")).unwrap(),
        page
    );

    let extra =
        format!("{NO_REAL_HOSTS}[rewrite]\ngravatar_hosts = [\"avatar.example.cn/avatar/\"]\n");
    std::fs::write(&config, server.config(&extra)).unwrap();
    let report = run_json(&args, 0);
    assert_eq!(report["rewrite"]["urls_replaced"], 1, "{report:#}");
    assert_eq!(
        crate::support::identity(&report, ADA)["provider"],
        "gravatar"
    );
    let html = std::fs::read_to_string(dir.join("index.html")).unwrap();
    let (masked, names) = mask_local(&html);
    assert_eq!(masked, "<p><img src=\"@\" alt=\"Ada\"></p>\n");
    assert_content_addressed(&dir, &names[0]);

    // A pattern that is not a host is a config error naming the key.
    std::fs::write(
        &config,
        server.config("[rewrite]\ngravatar_hosts = [\"/avatar/\"]\n"),
    )
    .unwrap();
    let bad = run(&args);
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("gravatar_hosts"));
}

#[test]
fn a_configured_default_image_is_what_nobody_gets() {
    let temp = tempfile::tempdir().unwrap();
    let dir = temp.path().join("public");
    std::fs::create_dir_all(&dir).unwrap();
    let page = "<img src=\"https://www.gravatar.com/avatar/?s=40&amp;d=mm\">";
    std::fs::write(dir.join("index.html"), page).unwrap();
    let server = AvatarServer::start();
    let config = temp.path().join("blog-avatars.toml");
    let extra = "[avatars]\ndefault = \"nobody.png\"\nformat = \"png\"\nsizes = [40]\n";
    std::fs::write(&config, server.config(extra)).unwrap();
    let args = [
        "rewrite",
        s(&dir),
        "--config",
        s(&config),
        "--strict",
        "--format",
        "json",
    ];

    // Missing image: a warning naming it, the URL left and listed, --strict fails.
    let report = run_json(&args, 3);
    let warnings = report["warnings"].to_string();
    assert!(warnings.contains("nobody.png"), "{report:#}");
    assert_eq!(report["rewrite"]["unreplaced"][0]["count"], 1, "{report:#}");
    assert_eq!(
        std::fs::read_to_string(dir.join("index.html")).unwrap(),
        page
    );

    // With the image: it is what the page shows, processed like any avatar.
    std::fs::write(temp.path().join("nobody.png"), png(120, [250, 0, 250])).unwrap();
    let report = run_json(&args, 0);
    assert_eq!(report["rewrite"]["urls_anonymous"], 1, "{report:#}");
    let (masked, names) = mask_local(&std::fs::read_to_string(dir.join("index.html")).unwrap());
    assert_eq!(masked, "<img src=\"@\">");
    assert_content_addressed(&dir, &names[0]);
    let shown = image::open(dir.join("avatars").join(&names[0]))
        .unwrap()
        .to_rgb8();
    assert_eq!(shown.dimensions(), (40, 40));
    assert_eq!(shown.get_pixel(20, 20).0, [250, 0, 250]);
    assert_eq!(server.requests(), 0);
}
