//! No email, email hash or QQ number in any published byte or file name, for every fixture site
//! and layout, whether every provider has an avatar or none has (generated defaults).
//!
//! The secrets of each fixture are written out below, read by eye from the fixture files, not
//! taken from the binary's own `scan`: an identity the scanner missed would otherwise never be
//! looked for. The scan's list is checked on top, and so are the original avatar URLs.

use std::path::{Path, PathBuf};

use crate::avatar_server::png;
use crate::support::{assert_no_secrets, copy_site, run_json, s};
use blog_avatars::testkit::{Response, TestServer};

/// Every fixture site, its layout, and where its generator publishes from (relative to the
/// site); for Jekyll and Hexo also everything not starting with `_` or `.` in that directory.
const SITES: &[(&str, &str, &str)] = &[
    ("demo-site", "native", "public"),
    ("sites/native", "native", "public"),
    ("sites/hostile", "native", "public"),
    ("sites/zola", "zola", "static"),
    ("sites/hugo", "hugo", "static"),
    ("sites/jekyll", "jekyll", ""),
    ("sites/hexo", "hexo", "source"),
];

/// What names a person in each fixture: emails (as written), QQ numbers, Gravatar hashes, and
/// remote avatar URLs (after [`configure`] points `https://avatars.example.com/` at `/img/`).
const FIXTURE_SECRETS: &[(&str, &[&str])] = &[
    (
        "demo-site",
        &[
            "ada@example.org",
            "Bob@Example.com",
            "10001234@qq.com",
            "erin@example.net",
            "20005678",
            "7f4e5d8a9f1b6c3e2d4a5b6c7d8e9f00",
            "grace@example.org",
            "heidi@example.com",
            "/img/heidi.jpg",
        ],
    ),
    ("sites/native", &["native@example.org", "olga@example.org"]),
    (
        "sites/hostile",
        &[
            "valid@example.org",
            "xss@example.org",
            "xss-data@example.org",
            "survivor@example.org",
            "deep@example.org",
            "deepjson@example.org",
            "latin-data@example.org",
        ],
    ),
    (
        "sites/zola",
        &[
            "zola-author@example.org",
            "zed@example.org",
            "yan@example.org",
        ],
    ),
    (
        "sites/hugo",
        &[
            "hugo-author@example.org",
            "hana@example.org",
            "30001234",
            "ivan@example.org",
        ],
    ),
    (
        "sites/jekyll",
        &[
            "40001234@QQ.COM",
            "kim@example.org",
            "jekyll-author@example.org",
        ],
    ),
    (
        "sites/hexo",
        &[
            "mo@example.org",
            "0bc83cb571cd1c50ba6f3e8a78ef1346",
            "hexo-author@example.org",
        ],
    ),
];

/// Every published form of the fixture's secrets: each email as written and normalised, its
/// MD5 and SHA-256, the QQ number of a `digits@qq.com` address, QQ numbers, hashes, URLs.
fn fixture_secrets(name: &str) -> Vec<String> {
    use sha2::Digest;
    let (_, listed) = FIXTURE_SECRETS
        .iter()
        .find(|(site, _)| *site == name)
        .unwrap_or_else(|| panic!("no secrets listed for {name}"));
    let mut secrets = Vec::new();
    for &secret in *listed {
        secrets.push(secret.to_owned());
        if let Some((local, domain)) = secret.split_once('@') {
            let normal = secret.trim().to_lowercase();
            secrets.push(hex::encode(md5::Md5::digest(normal.as_bytes())));
            secrets.push(hex::encode(sha2::Sha256::digest(normal.as_bytes())));
            if domain.eq_ignore_ascii_case("qq.com") {
                secrets.push(local.to_owned());
            }
            secrets.push(normal);
        }
    }
    secrets
}

/// A provider stand-in answering every avatar request with an image, or none.
fn providers(answer: bool) -> TestServer {
    TestServer::start(move |request| {
        if answer && !request.path.starts_with("/img/") {
            Response::ok(png(100, [120, 60, 180]))
        } else if answer {
            Response::ok(png(100, [180, 60, 120]))
        } else {
            Response::status(404)
        }
    })
}

/// Points every provider at `server`, and the demo site's one avatar URL too (allowed although
/// it is on loopback; the hostile site's loopback URLs stay refused, some would need DNS).
fn configure(site: &Path, server: &TestServer, allow_private: bool) {
    let config = format!(
        "[gravatar]\nbase_url = \"{}\"\n[qq]\nbase_url = \"{}\"\n[libravatar]\nbase_url = \"{}\"\n\
         [github]\nbase_url = \"{}\"\n[url]\nallow_private = {allow_private}\n\
         [http]\nretries = 0\n",
        server.url("/avatar/"),
        server.url("/qq"),
        server.url("/lib/"),
        server.url("/gh/"),
    );
    std::fs::write(site.join("blog-avatars.toml"), config).unwrap();
    // Avatar URLs in content go to the loopback server too, never to DNS.
    for entry in walkdir::WalkDir::new(site) {
        let entry = entry.unwrap();
        if entry.file_type().is_file()
            && let Ok(text) = std::fs::read_to_string(entry.path())
            && text.contains("https://avatars.example.com/")
        {
            let text = text.replace("https://avatars.example.com/", &server.url("/img/"));
            std::fs::write(entry.path(), text).unwrap();
        }
    }
}

/// The published part of a site: Jekyll and Hexo skip `_` and `.` names when copying.
fn published(site: &Path, root: &str, layout: &str) -> PathBuf {
    let dir = site.join(root);
    if matches!(layout, "jekyll" | "hexo") {
        let copy = site.with_file_name("published");
        let _ = std::fs::remove_dir_all(&copy);
        for entry in walkdir::WalkDir::new(&dir).into_iter().filter_entry(|e| {
            e.depth() == 0 || !e.file_name().to_string_lossy().starts_with(['_', '.'])
        }) {
            let entry = entry.unwrap();
            let target = copy.join(entry.path().strip_prefix(&dir).unwrap());
            if entry.file_type().is_dir() {
                std::fs::create_dir_all(&target).unwrap();
            } else if entry.file_type().is_file() {
                std::fs::copy(entry.path(), &target).unwrap();
            }
        }
        return copy;
    }
    dir
}

#[test]
fn no_fixture_site_publishes_an_email_hash_or_qq_number() {
    for answer in [true, false] {
        let server = providers(answer);
        for &(name, layout, root) in SITES {
            let (_temp, site) = copy_site(name);
            configure(&site, &server, name == "demo-site");
            let report = run_json(&["build", s(&site), "--format", "json"], 0);
            assert_eq!(report["layout"], layout, "{name}");
            let produced = report["files"]["produced"].as_u64().unwrap();
            assert!(produced > 0, "{name}: nothing published");
            let mut secrets = fixture_secrets(name);
            // The remote avatar URLs as the pages would have named them.
            let remote = server.url("/img/");
            secrets.extend(
                secrets
                    .iter()
                    .filter_map(|s| s.strip_prefix("/img/"))
                    .map(|file| format!("{remote}{file}"))
                    .collect::<Vec<_>>(),
            );
            secrets.extend(crate::support::secrets(&site));
            secrets.sort();
            secrets.dedup();
            let out = published(&site, root, layout);
            assert_no_secrets(&out, &secrets);
            // The data file (keyed by raw emails) is for templates, never published.
            let data = walkdir::WalkDir::new(&out)
                .into_iter()
                .filter_map(Result::ok)
                .any(|e| e.file_name() == "avatars.json");
            assert!(!data, "{name}: the data file is in the published output");
        }
    }
}
