//! `blog-avatars rewrite DIR` on other generators' built HTML, through the real binary.

use std::path::Path;

use crate::avatar_server::{AvatarServer, png};
use crate::support::{copy_site, run_json, s};
use blog_avatars::testkit::Response;

const ADA: &str = "0bc83cb571cd1c50ba6f3e8a78ef1346";

/// Content URLs may only go to a host that does not exist, so none is ever resolved.
const NO_REAL_HOSTS: &str = "[url]\nallow_hosts = [\"nowhere.invalid\"]\n";

/// Every avatar-host URL left in an attribute of an `<img>`/`<source>` of `html`.
fn remote_avatars(html: &str) -> Vec<String> {
    let lower = html.to_ascii_lowercase();
    [
        "gravatar.com/avatar",
        "cravatar.cn/avatar",
        "cravatar.com",
        "weavatar.com",
        "gravatar.loli.net",
        "geekzu.org",
        "libravatar.org",
        "qlogo.cn",
        "github.com/octocat.png",
        "githubusercontent.com",
    ]
    .iter()
    .filter(|host| lower.contains(*host))
    .map(|host| (*host).to_owned())
    .collect()
}

/// `html` without the spans from `open` to `close` (HTML comments, scripts).
fn without(html: &str, open: &str, close: &str) -> String {
    let mut out = String::new();
    let mut rest = html;
    while let Some(start) = rest.find(open) {
        out.push_str(&rest[..start]);
        rest = rest[start..]
            .find(close)
            .map_or("", |end| &rest[start + end + close.len()..]);
    }
    out.push_str(rest);
    out
}

fn pages(dir: &Path) -> Vec<std::path::PathBuf> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .map(|e| e.unwrap().into_path())
        .filter(|p| {
            p.extension()
                .is_some_and(|e| e.eq_ignore_ascii_case("html") || e.eq_ignore_ascii_case("htm"))
        })
        .collect()
}

#[test]
fn rewrite_replaces_every_avatar_url_with_a_local_file_and_nothing_else() {
    let (temp, dir) = copy_site("rewrite");
    let server = AvatarServer::start();
    server.routes.set(
        &format!("/avatar/{ADA}"),
        Response::ok(png(200, [50, 60, 70])),
    );
    server
        .routes
        .set("/gh/octocat.png", Response::ok(png(120, [70, 60, 50])));
    let config = temp.path().join("blog-avatars.toml");
    // The fixtures' githubusercontent URL is fetched as is: no real host may be looked up.
    std::fs::write(&config, server.config(NO_REAL_HOSTS)).unwrap();
    let about = dir.join("jekyll/about.html");
    let about_before = std::fs::read(&about).unwrap();
    let about_mtime = std::fs::metadata(&about).unwrap().modified().unwrap();
    let feed_before = std::fs::read(dir.join("jekyll/feed.xml")).unwrap();

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
    assert!(
        rewrite["urls_replaced"].as_u64().unwrap() >= 20,
        "{report:#}"
    );
    assert_eq!(rewrite["files_changed"], 5, "{report:#}");
    // Mirrors and every Gravatar host were resolved through the configured base: the same
    // hash on many pages and sizes is one request.
    assert_eq!(
        server
            .server
            .count_for(&format!("/avatar/{ADA}?s=160&d=404")),
        1
    );
    let ada = crate::support::identity(&report, ADA);
    assert_eq!(ada["provider"], "gravatar");

    for page in pages(&dir) {
        let html = std::fs::read_to_string(&page).unwrap();
        let body_images: Vec<&str> = html
            .split("<img")
            .skip(1)
            .filter(|tag| tag.contains("/avatars/"))
            .collect();
        for tag in body_images {
            for url in tag.split("/avatars/").skip(1) {
                let name: String = url
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '.')
                    .collect();
                assert!(
                    dir.join("avatars").join(&name).is_file(),
                    "{}: /avatars/{name} missing",
                    page.display()
                );
            }
        }
        // Avatar URLs are gone from images; whatever is left is in comments, scripts, text or
        // links, which must stay as they were.
        let markup = without(&without(&html, "<!--", "-->"), "<script", "</script>");
        let markup = without(&markup, "<textarea", "</textarea>");
        let images: String = markup
            .split('<')
            .filter(|tag| {
                let t = tag.to_ascii_lowercase();
                t.starts_with("img") || t.starts_with("source")
            })
            .collect::<Vec<_>>()
            .join("<");
        let left = remote_avatars(&images);
        assert!(left.is_empty(), "{}: {left:?}\n{images}", page.display());
    }
    // A page without avatars keeps its bytes and its modification time; XML is not touched.
    assert_eq!(std::fs::read(&about).unwrap(), about_before);
    assert_eq!(
        std::fs::metadata(&about).unwrap().modified().unwrap(),
        about_mtime
    );
    assert_eq!(
        std::fs::read(dir.join("jekyll/feed.xml")).unwrap(),
        feed_before
    );
    // Code blocks and profile links that mention Gravatar are text, not avatars: kept.
    let hugo = std::fs::read_to_string(dir.join("hugo/posts/hello-world/index.html")).unwrap();
    assert!(
        hugo.contains("gravatar.com"),
        "text mentioning Gravatar was changed"
    );

    // Again: nothing left to do, nothing requested.
    let before = server.requests();
    let again = run_json(
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
    assert_eq!(again["rewrite"]["files_changed"], 0);
    assert_eq!(server.requests(), before);
}

#[test]
fn rewrite_dry_run_changes_nothing() {
    let (temp, dir) = copy_site("rewrite");
    let server = AvatarServer::start();
    let config = temp.path().join("blog-avatars.toml");
    // The fixtures' githubusercontent URL is fetched as is: no real host may be looked up.
    std::fs::write(&config, server.config(NO_REAL_HOSTS)).unwrap();
    let before: Vec<Vec<u8>> = pages(&dir)
        .iter()
        .map(|p| std::fs::read(p).unwrap())
        .collect();
    let report = run_json(
        &[
            "rewrite",
            s(&dir),
            "--config",
            s(&config),
            "--dry-run",
            "--format",
            "json",
        ],
        0,
    );
    assert_eq!(report["dry_run"], true);
    assert!(report["identities"].as_array().unwrap().len() >= 5);
    let after: Vec<Vec<u8>> = pages(&dir)
        .iter()
        .map(|p| std::fs::read(p).unwrap())
        .collect();
    assert_eq!(before, after);
    assert!(!dir.join("avatars").exists());
    assert_eq!(server.requests(), 0);
}
