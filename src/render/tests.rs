//! Rendering whole sites: the demo blog against committed snapshots, escaping of hostile
//! content, privacy of the output, bad input files, and the site's own templates.
//!
//! `UPDATE_SNAPSHOTS=1 cargo test render::` rewrites `tests/snapshots/render/` from the output.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use md5::Md5;
use sha2::{Digest, Sha256};

use super::{RenderReport, render_site};
use crate::config::{Config, ProviderName};
use crate::identify::Identity;
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
            provider: ProviderName::Gravatar,
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
    for (page, snapshot) in pages {
        let actual = read(public.join(page));
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

#[test]
fn hostile_content_is_escaped() {
    let site = tempfile::tempdir().unwrap();
    write_files(
        site.path(),
        &[
            (
                "content/evil.md",
                "---\ntitle: \"</title><script>alert('t')</script>\"\nauthor: \"<b onmouseover=alert(1)>\"\ncomments:\n  - name: '\"><img src=x onerror=alert(1)>'\n    email: evil@example.org\n    date: 2026-01-01\n    body: |\n      <script>alert('body')</script>\n\n      [click](javascript:alert('link')) and <a href=\"javascript:alert(2)\">raw</a>\n\n      <iframe src=\"https://evil.example/\"></iframe>\n---\nOwner's <em>raw</em> HTML passes.\n",
            ),
            (
                "data/comments/evil/c.json",
                r#"{"name": "<svg onload=alert(3)>", "message": "![x](https://tracker.example/p.gif)", "date": 1}"#,
            ),
        ],
    );
    let (config, layout) = open(site.path());
    let report = render_site(&layout, &config, &data_file(&["evil@example.org"])).unwrap();
    assert!(report.warnings.is_empty(), "{:?}", report.warnings);
    let page = read(site.path().join("public/evil/index.html"));
    let index = read(site.path().join("public/index.html"));
    for html in [&page, &index] {
        assert!(!html.contains("<script>alert"), "{html}");
        assert!(!html.contains("</title><script>"), "{html}");
    }
    for forbidden in [
        "<img src=x",
        "onerror=alert(1)>",
        "<svg",
        "<b onmouseover",
        "href=\"javascript:",
        "href=\"javascript",
        "<iframe",
        "<img src=\"https://tracker",
    ] {
        assert!(!page.contains(forbidden), "{forbidden} in\n{page}");
    }
    assert!(page.contains(
        r#"alt="&quot;&gt;&lt;img src=x onerror=alert(1)&gt;" loading="lazy" decoding="async">"#
    ));
    assert!(
        page.contains("&lt;script&gt;alert(&#39;body&#39;)&lt;/script&gt;"),
        "{page}"
    );
    assert!(page.contains("&lt;/title&gt;&lt;script&gt;"), "{page}");
    assert!(page.contains("&lt;svg onload=alert(3)&gt;"));
    assert!(
        page.contains("&lt;iframe src=&quot;https://evil.example/&quot;&gt;"),
        "{page}"
    );
    // The image became a link; the javascript: link lost its anchor but kept its text.
    assert!(
        page.contains(
            r#"<a href="https://tracker.example/p.gif" rel="nofollow ugc noopener">x</a>"#
        )
    );
    assert!(
        page.contains(
            "<p>click and &lt;a href=&quot;javascript:alert(2)&quot;&gt;raw&lt;/a&gt;</p>"
        ),
        "{page}"
    );
    assert!(page.contains("Owner’s <em>raw</em> HTML passes."), "{page}");
}

#[test]
fn bad_files_are_warnings_and_drafts_are_not_published() {
    let site = tempfile::tempdir().unwrap();
    write_files(
        site.path(),
        &[
            ("content/good.md", "---\ntitle: Good\n---\nfine\n"),
            ("content/broken.md", "---\ntitle: [unclosed\n---\nx\n"),
            ("content/open.md", "+++\ntitle = \"x\"\n"),
            ("content/draft.md", "---\ndraft: true\n---\nsecret plans\n"),
            ("content/escape.md", "---\nslug: ../../outside\n---\nx\n"),
            ("content/dup.md", "---\nslug: good\n---\nx\n"),
            ("content/avatars.md", "no front matter at all\n"),
            ("content/undated.md", "---\ndate: someday\n---\nx\n"),
            ("content/_index.md", "---\ntitle: section\n---\n"),
            ("data/comments/good/bad.yml", "name: [unclosed\n"),
            ("data/comments/good/ok.yml", "name: Ok\nmessage: hi\n"),
        ],
    );
    let (config, layout) = open(site.path());
    let report = render_site(&layout, &config, &DataFile::new()).unwrap();
    let warned: Vec<(&str, &str)> = report
        .warnings
        .iter()
        .map(|w| (w.path.as_str(), w.message.as_str()))
        .collect();
    let has = |path: &str, text: &str| warned.iter().any(|(p, m)| *p == path && m.contains(text));
    assert!(
        has("content/broken.md", "malformed front matter"),
        "{warned:?}"
    );
    assert!(has("content/open.md", "never closed"), "{warned:?}");
    assert!(has("content/escape.md", "path separator"), "{warned:?}");
    assert!(
        has("content/good.md", "already taken") || has("content/dup.md", "already taken"),
        "{warned:?}"
    );
    assert!(has("content/avatars.md", "avatar directory"), "{warned:?}");
    assert!(has("content/undated.md", "not a date"), "{warned:?}");
    assert!(
        has("data/comments/good/bad.yml", "malformed comment data"),
        "{warned:?}"
    );
    assert_eq!(
        report
            .warnings
            .iter()
            .filter(|w| w.path.contains("broken"))
            .count(),
        1
    );
    // The index, `good` (from dup.md, first in path order) and `undated`.
    assert_eq!(report.pages, 3, "{warned:?}");
    let public = site.path().join("public");
    assert!(read(public.join("good/index.html")).contains(">Ok</span>"));
    assert!(public.join("undated/index.html").is_file());
    assert!(!public.join("draft").exists());
    assert!(!public.join("_index").exists());
    assert!(!site.path().join("outside").exists());
    let index = read(public.join("index.html"));
    assert!(!index.contains("secret plans"));
}

#[test]
fn a_second_render_removes_what_it_no_longer_produces() {
    let (site, first) = render_demo();
    assert!(first.removed.is_empty());
    let public = site.path().join("public");
    write_files(
        &public,
        &[
            ("avatars/0123456789abcdef.webp", "avatar"),
            ("CNAME", "blog.example.org"),
        ],
    );
    write_files(
        site.path(),
        &[
            ("static/index.html", "not the index"),
            ("static/faces/ada@example.org.png", "uploaded"),
        ],
    );
    let config_file = site.path().join("blog-avatars.toml");
    let config_text = read(&config_file) + "\n[local]\ndir = \"static/faces\"\n";
    std::fs::write(&config_file, config_text).unwrap();
    std::fs::remove_file(site.path().join("content/posts/json-front-matter.md")).unwrap();
    std::fs::remove_file(site.path().join("static/images/grace.png")).unwrap();
    let (config, layout) = open(site.path());
    let second = render_site(&layout, &config, &demo_data()).unwrap();
    assert_eq!(
        second.removed,
        ["images/grace.png", "json-front-matter/index.html"]
    );
    assert!(!public.join("json-front-matter").exists());
    assert!(!public.join("images").exists());
    assert!(public.join("avatars/0123456789abcdef.webp").exists());
    assert!(public.join("CNAME").exists());
    assert!(!public.join("faces").exists(), "uploaded avatars published");
    assert_eq!(second.pages, 3);
    let warned: Vec<_> = second.warnings.iter().map(|w| w.path.as_str()).collect();
    assert_eq!(warned, ["static/index.html"]);
    assert!(read(public.join("index.html")).contains("post-list"));
}

#[test]
fn site_templates_override_the_theme_and_call_avatar() {
    let temp = tempfile::tempdir().unwrap();
    copy_tree(Path::new(DEMO), temp.path());
    write_files(
        temp.path(),
        &[(
            "templates/post.html",
            concat!(
                r#"{% extends "base.html" %}{% block main %}<h1 class="mine">{{ post.title }}</h1>"#,
                r#"<img src="{{ avatar(id="ada@example.org", size=80) }}" srcset="{{ avatar_srcset(id="ada@example.org") }}">"#,
                r#"{% for c in post.comments %}<p>{{ c.name }}: {{ c.avatar.src | default(value="-") }}</p>{% endfor %}"#,
                r#"{% endblock main %}"#
            ),
        )],
    );
    let (config, layout) = open(temp.path());
    render_site(&layout, &config, &demo_data()).unwrap();
    let public = temp.path().join("public");
    let page = read(public.join("hello-world/index.html"));
    let ada80 = urls("ada@example.org", 80);
    let ada40 = urls("ada@example.org", 40);
    assert!(
        page.contains("<h1 class=\"mine\">Hello, world</h1>"),
        "{page}"
    );
    assert!(page.contains(&format!(
        r#"<img src="{}" srcset="{} 1x, {} 2x">"#,
        ada80.x1, ada40.x1, ada40.x2
    )));
    assert!(page.contains(&format!("<p>Bob: {}</p>", urls("Bob@Example.com", 40).x1)));
    // base.html still comes from the bundled theme, and so does the index.
    assert!(page.contains("<meta name=\"viewport\""));
    assert!(read(public.join("index.html")).contains("class=\"post-list\""));
}

#[test]
fn other_layouts_have_nowhere_to_render() {
    let site = tempfile::tempdir().unwrap();
    write_files(site.path(), &[("hugo.toml", "")]);
    let (config, layout) = open(site.path());
    let error = render_site(&layout, &config, &DataFile::new()).unwrap_err();
    assert_eq!(error.exit_code(), 2);
    assert!(error.to_string().contains("output_dir"), "{error}");
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
    let mut avatars =
        crate::publish::AvatarDir::new(layout.avatar_dir.clone(), layout.url_prefix.clone());
    let mut data = DataFile::new();
    for raw in demo_data().avatars.keys() {
        let mut sizes = BTreeMap::new();
        for size in &config.avatars.sizes {
            let mut store = |px| {
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
            provider: ProviderName::Default,
            sizes,
        };
        data.avatars.insert(raw.clone(), entry);
    }
    let report = render_site(&layout, &config, &data).unwrap();
    assert!(report.warnings.is_empty(), "{:?}", report.warnings);
}
