//! Rendering whole sites: the demo blog against committed snapshots and the privacy of its
//! output here; hostile and bad input, re-rendering and site templates in [`input`].
//!
//! `UPDATE_SNAPSHOTS=1 cargo test render::` rewrites `tests/snapshots/render/` from the output.

mod input;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use md5::Md5;
use sha2::{Digest, Sha256};

use super::{RenderReport, render_site};
use crate::config::Config;
use crate::model::Identity;
use crate::model::Provider;
use crate::publish::{DataEntry, DataFile, SizeUrls, file_name};
use crate::scan::SiteLayout;

const DEMO: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/demo-site");
const SNAPSHOTS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/snapshots/render");

/// Copies a directory tree.
fn copy_tree(from: &Path, to: &Path) {
    for entry in walkdir::WalkDir::new(from) {
        let entry = entry.unwrap();
        let target = to.join(entry.path().strip_prefix(from).unwrap());
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&target).unwrap();
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// Writes `files` (path, text) under `root`.
fn write_files(root: &Path, files: &[(&str, &str)]) {
    for (path, text) in files {
        let path = root.join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
}

fn open(site: &Path) -> (Config, SiteLayout) {
    crate::open_site(site, None).unwrap()
}

/// The URLs a build would publish for `raw`: content-addressed names of made-up bytes.
fn urls(raw: &str, size: u32) -> SizeUrls {
    let name = |scale: u32| file_name(format!("{raw}/{size}/{scale}").as_bytes(), "webp");
    SizeUrls {
        x1: format!("/avatars/{}", name(1)),
        x2: format!("/avatars/{}", name(2)),
    }
}

fn data_file(raws: &[&str]) -> DataFile {
    let mut data = DataFile::new();
    for raw in raws {
        let sizes = [40, 80]
            .into_iter()
            .map(|size| (size.to_string(), urls(raw, size)))
            .collect::<BTreeMap<_, _>>();
        let entry = DataEntry {
            provider: Provider::Gravatar,
            sizes,
        };
        data.avatars.insert((*raw).to_owned(), entry);
    }
    data
}

/// Entries for some of the demo's raw identities; Heidi (an explicit URL) and Erin have none.
fn demo_data() -> DataFile {
    data_file(&[
        "ada@example.org",
        "Bob@Example.com",
        "10001234@qq.com",
        "7f4e5d8a9f1b6c3e2d4a5b6c7d8e9f00",
        "carol-dev",
        "20005678",
        "grace@example.org",
    ])
}

fn render_demo() -> (tempfile::TempDir, RenderReport) {
    let temp = tempfile::tempdir().unwrap();
    copy_tree(Path::new(DEMO), temp.path());
    let (config, layout) = open(temp.path());
    let report = render_site(&layout, &config, &demo_data()).unwrap();
    (temp, report)
}

fn read(path: impl AsRef<Path>) -> String {
    std::fs::read_to_string(path.as_ref())
        .unwrap_or_else(|e| panic!("{}: {e}", path.as_ref().display()))
}

fn position(html: &str, needle: &str) -> usize {
    html.find(needle)
        .unwrap_or_else(|| panic!("`{needle}` not in page:\n{html}"))
}

fn img(raw: &str, alt: &str) -> String {
    let urls = urls(raw, 40);
    format!(
        r#"<img class="avatar" src="{0}" srcset="{0} 1x, {1} 2x" width="40" height="40" alt="{alt}" loading="lazy" decoding="async">"#,
        urls.x1, urls.x2
    )
}

#[test]
fn demo_site_pages_and_avatars() {
    let (site, report) = render_demo();
    assert_eq!(report.pages, 4);
    assert!(report.warnings.is_empty(), "{:?}", report.warnings);
    let public = site.path().join("public");
    for page in [
        "index.html",
        "hello-world/index.html",
        "second-post/index.html",
        "json-front-matter/index.html",
    ] {
        assert!(public.join(page).is_file(), "{page} missing");
    }
    assert_eq!(
        std::fs::read(public.join("images/grace.png")).unwrap(),
        std::fs::read(site.path().join("static/images/grace.png")).unwrap(),
        "static files are copied"
    );

    let hello = read(public.join("hello-world/index.html"));
    assert!(hello.contains(&img("Bob@Example.com", "Bob")), "{hello}");
    assert!(hello.contains(&img("10001234@qq.com", "Xiao Ming")));
    assert!(hello.contains(&img("7f4e5d8a9f1b6c3e2d4a5b6c7d8e9f00", "Frank")));
    // The author's avatar in the byline, from the post's own front matter.
    assert!(hello.contains(&urls("ada@example.org", 40).x1));
    // Front matter comments and the Staticman file, oldest first.
    let order = ["Frank", "Bob", "Xiao Ming"].map(|name| {
        position(
            &hello,
            &format!("<span class=\"comment-author\">{name}</span>"),
        )
    });
    assert!(order.is_sorted(), "{order:?}");
    assert!(hello.contains("<strong>Nice</strong>"));

    let second = read(public.join("second-post/index.html"));
    assert!(second.contains(&img("carol-dev", "Carol")));
    assert!(second.contains(&img("20005678", "Dave")));
    assert!(second.contains(&img("grace@example.org", "Grace")));
    // No entry for Heidi: a placeholder with her initial, no image from her URL.
    assert!(second.contains(
        r#"<span class="avatar avatar-initial" style="--size: 40px" aria-hidden="true">H</span>"#
    ));
    let order = ["Grace", "Heidi", "Carol", "Dave"].map(|name| {
        position(
            &second,
            &format!("<span class=\"comment-author\">{name}</span>"),
        )
    });
    assert!(order.is_sorted(), "{order:?}");
    assert_eq!(second.matches("loading=\"lazy\"").count(), 3);

    let index = read(public.join("index.html"));
    let order = ["./json-front-matter/", "./second-post/", "./hello-world/"]
        .map(|url| position(&index, &format!("href=\"{url}\"")));
    assert!(order.is_sorted(), "newest first: {order:?}");
    assert!(index.contains("3 comments"));
}

#[test]
fn demo_site_matches_snapshots() {
    let (site, _) = render_demo();
    let public = site.path().join("public");
    let update = std::env::var_os("UPDATE_SNAPSHOTS").is_some_and(|v| v == "1");
    let pages = [
        ("index.html", "index.html"),
        ("hello-world/index.html", "hello-world.html"),
        ("second-post/index.html", "second-post.html"),
        ("json-front-matter/index.html", "json-front-matter.html"),
    ];
    let stylesheet = include_str!("../../../templates/style.css");
    for (page, snapshot) in pages {
        let html = read(public.join(page));
        // The stylesheet is inlined into every page; it is checked once here, and the
        // snapshots hold the markup only (a CSS change does not churn four files).
        let (head, rest) = html.split_once("<style>\n").expect("an inlined stylesheet");
        let (css, tail) = rest.split_once("</style>").expect("a closed style element");
        assert_eq!(css.trim_end(), stylesheet.trim_end(), "{page}: inlined CSS");
        let actual = format!("{head}<style>/* templates/style.css */</style>{tail}");
        let path = PathBuf::from(SNAPSHOTS).join(snapshot);
        if update {
            std::fs::create_dir_all(SNAPSHOTS).unwrap();
            std::fs::write(&path, &actual).unwrap();
            continue;
        }
        let expected = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            actual == expected,
            "{page} differs from {}; rerun with UPDATE_SNAPSHOTS=1 and review the diff\n{actual}",
            path.display()
        );
    }
}

#[test]
fn no_email_hash_or_qq_number_in_the_output() {
    let (site, _) = render_demo();
    let (config, layout) = open(site.path());
    let scan = crate::scan_site(&layout, &config);
    let mut secrets: Vec<String> = Vec::new();
    for found in &scan.identities {
        match &found.identity {
            Identity::Email { address, qq } => {
                secrets.push(address.clone());
                secrets.push(hex::encode(Md5::digest(address.as_bytes())));
                secrets.push(hex::encode(Sha256::digest(address.as_bytes())));
                secrets.extend(qq.clone());
            }
            Identity::Hash(hash) | Identity::Qq(hash) => secrets.push(hash.clone()),
            // Visitors must not be sent to the original avatar URL either.
            Identity::Url(url) => secrets.push(url.clone()),
            Identity::Github(_) | Identity::File(_) => continue,
        }
        secrets.extend(found.raw.iter().map(|raw| raw.trim().to_owned()));
    }
    assert!(secrets.len() >= 15, "{secrets:?}");
    assert!(secrets.iter().any(|s| s == "20005678"));
    for entry in walkdir::WalkDir::new(site.path().join("public")) {
        let entry = entry.unwrap();
        if !entry.file_type().is_file() {
            continue;
        }
        let bytes = std::fs::read(entry.path()).unwrap().to_ascii_lowercase();
        for secret in &secrets {
            let needle = secret.to_ascii_lowercase();
            assert!(
                !bytes.windows(needle.len()).any(|w| w == needle.as_bytes()),
                "{secret} in {}",
                entry.path().display()
            );
        }
    }
}

/// Not a check: renders the demo blog with real identicon files into `$RENDER_PREVIEW_DIR`, to
/// look at the theme in a browser (`python3 -m http.server -d $RENDER_PREVIEW_DIR/public`).
#[test]
#[ignore = "writes a preview site; run with RENDER_PREVIEW_DIR=... -- --ignored"]
fn preview() {
    let Some(dir) = std::env::var_os("RENDER_PREVIEW_DIR").map(PathBuf::from) else {
        return;
    };
    copy_tree(Path::new(DEMO), &dir);
    let (config, layout) = open(&dir);
    let avatars =
        crate::publish::AvatarDir::new(layout.avatar_dir.clone(), layout.url_prefix.clone());
    let mut data = DataFile::new();
    for raw in demo_data().avatars.keys() {
        let mut sizes = BTreeMap::new();
        for size in &config.avatars.sizes {
            let store = |px| {
                let png = crate::resolve::identicon::identicon_png(raw, px);
                avatars.store(&png, "png").unwrap()
            };
            let urls = SizeUrls {
                x1: store(*size),
                x2: store(size * 2),
            };
            sizes.insert(size.to_string(), urls);
        }
        let entry = DataEntry {
            provider: Provider::Default,
            sizes,
        };
        data.avatars.insert(raw.clone(), entry);
    }
    let report = render_site(&layout, &config, &data).unwrap();
    assert!(report.warnings.is_empty(), "{:?}", report.warnings);
}
