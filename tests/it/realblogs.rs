//! Small but faithful copies of real public blog repositories (`fixtures/realblogs/`), each
//! through the binary: the layout, file and reason detected, the folders, every identity the
//! real theme would show, `build --offline` writing only where it should, and (where the real
//! generator is cheap to run) nothing identifying in what the generator publishes.
//!
//! Modelled on: mmistakes/minimal-mistakes `docs/` (Staticman comments with MD5 `email`,
//! `_data/authors.yml`), CaiJimmy/hugo-theme-stack exampleSite (`config/_default/` with lower-case
//! `baseurl` and per-key files) with Beautiful Hugo's Staticman `data/comments/<slug>/`,
//! google/docsy-example (content, data and static folders from `module.mounts`), Hexo blogs on
//! Butterfly (`source/_data/link.yml` with qlogo/Cravatar/QQ-mail avatars) and NexT
//! (`source/_data/` holding `styles.styl`/`head.njk` beside a members file), and a Zola theme
//! with `[extra]` authors and comments in TOML front matter.

use std::collections::BTreeSet;
use std::path::Path;

use crate::support::{
    assert_no_secrets, copy_site, fixtures, generator, kinds_values, run, run_in, run_json, s,
    said, temp_with,
};

struct Expect {
    fixture: &'static str,
    layout: &'static str,
    file: &'static str,
    why: &'static str,
    post_dirs: &'static [&'static str],
    data_dir: &'static str,
    avatar_dir: &'static str,
    data_file: &'static str,
    publish_dir: &'static str,
    /// (kind, value) of every identity, exactly.
    identities: &'static [(&'static str, &'static str)],
}

const EXPECTED: &[Expect] = &[
    Expect {
        fixture: "realblogs/mm-staticman",
        layout: "jekyll",
        file: "Gemfile",
        why: "requires jekyll",
        post_dirs: &["_posts", "_drafts", "_recipes"],
        data_dir: "_data",
        avatar_dir: "assets/avatars",
        data_file: "_data/avatars.json",
        publish_dir: "_site",
        identities: &[
            ("email", "cornelius@example.org"),
            ("hash", "18385ac57d9b171dc3fe83a5a92b68d9"),
            ("hash", "44fe197b7eb655a2306741cdc8e9d823"),
            ("file", "assets/images/bio-photo-2.jpg"),
            ("file", "assets/images/bio-photo.jpg"),
        ],
    },
    Expect {
        fixture: "realblogs/hugo-stack-staticman",
        layout: "hugo",
        file: "config/_default/config.toml",
        why: "Hugo's config directory",
        post_dirs: &["content"],
        data_dir: "data",
        avatar_dir: "static/avatars",
        data_file: "data/avatars.json",
        publish_dir: "public",
        identities: &[("hash", "e85bdea72f763d76279a16f7090151a4")],
    },
    Expect {
        fixture: "realblogs/hugo-docsy-mounts",
        layout: "hugo",
        file: "hugo.toml",
        why: "Hugo's own config file name",
        post_dirs: &["content/en", "content/fr"],
        data_dir: "site-data",
        avatar_dir: "assets-static/avatars",
        data_file: "site-data/avatars.json",
        publish_dir: "public",
        identities: &[
            ("email", "dominique@example.org"),
            ("email", "erin@example.org"),
        ],
    },
    Expect {
        fixture: "realblogs/hexo-butterfly",
        layout: "hexo",
        file: "package.json",
        why: "has Hexo's \"hexo\" field",
        post_dirs: &["source"],
        data_dir: "source/_data",
        avatar_dir: "source/avatars",
        data_file: "source/_data/avatars.json",
        publish_dir: "public",
        identities: &[
            ("email", "30003@qq.com"),
            (
                "url",
                "https://cravatar.cn/avatar/d415f0e30c471dfdd9bc4f827329ef48?s=200",
            ),
            (
                "url",
                "https://d33wubrfki0l68.cloudfront.net/6657ba50e702d84afb32fe846bed54fba1a77add/827ae/logo.svg",
            ),
            ("url", "https://q1.qlogo.cn/g?b=qq&nk=20002&s=640"),
        ],
    },
    Expect {
        fixture: "realblogs/hexo-next",
        layout: "hexo",
        file: "package.json",
        why: "has Hexo's \"hexo\" field",
        post_dirs: &["source"],
        data_dir: "source/_data",
        avatar_dir: "source/avatars",
        data_file: "source/_data/avatars.json",
        publish_dir: "public",
        identities: &[
            ("email", "40004@qq.com"),
            ("email", "wangwu@example.org"),
            ("email", "zhaoliu@example.org"),
            ("hash", "5d41402abc4b2a76b9719d911017c592"),
            ("qq", "40004"),
            ("qq", "60006"),
            ("github", "zhangsan-example"),
        ],
    },
    // A Hexo blog that committed no package.json, with `plugins:` in its config.
    Expect {
        fixture: "realblogs/hexo-no-package",
        layout: "hexo",
        file: "_config.yml",
        why: "a Hexo setting",
        post_dirs: &["source"],
        data_dir: "source/_data",
        avatar_dir: "source/avatars",
        data_file: "source/_data/avatars.json",
        publish_dir: "public",
        identities: &[("qq", "70007")],
    },
    Expect {
        fixture: "realblogs/zola-theme",
        layout: "zola",
        file: "config.toml",
        why: "base_url",
        post_dirs: &["content"],
        data_dir: "data",
        avatar_dir: "static/avatars",
        data_file: "data/avatars.json",
        publish_dir: "public",
        identities: &[
            ("email", "frank@example.org"),
            ("email", "grace@example.org"),
            ("github", "heidi-example"),
        ],
    },
];

/// Every file under `dir` (relative, `/`-separated), skipping nothing.
fn files(dir: &Path) -> BTreeSet<String> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .map(Result::unwrap)
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            e.path()
                .strip_prefix(dir)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/")
        })
        .collect()
}

#[test]
fn real_blog_shapes_are_detected_and_every_identity_found() {
    for expect in EXPECTED {
        let (_temp, site) = copy_site(expect.fixture);
        let report = run_json(&["scan", s(&site), "--format", "json"], 0);
        let info = &report["site"];
        let name = expect.fixture;
        assert_eq!(info["layout"], expect.layout, "{name}: {info:#}");
        assert_eq!(info["file"], expect.file, "{name}: {info:#}");
        assert!(
            info["reason"].as_str().unwrap().contains(expect.why),
            "{name}: {info:#}"
        );
        let post_dirs: Vec<&str> = info["post_dirs"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap())
            .collect();
        assert_eq!(post_dirs, expect.post_dirs, "{name}");
        assert_eq!(info["data_dir"], expect.data_dir, "{name}");
        assert_eq!(info["avatar_dir"], expect.avatar_dir, "{name}");
        assert_eq!(info["data_file"], expect.data_file, "{name}");
        assert_eq!(info["publish_dir"], expect.publish_dir, "{name}");
        let found: BTreeSet<(String, String)> = kinds_values(&report).into_iter().collect();
        let wanted: BTreeSet<(String, String)> = expect
            .identities
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        assert_eq!(found, wanted, "{name}");
        // Theme data files (`styles.styl`, `ui-text.yml`, navigation) are not warned about.
        assert_eq!(report["warnings"], serde_json::json!([]), "{name}");
    }
}

#[test]
fn build_offline_writes_only_the_avatar_folder_the_data_file_and_the_cache() {
    for expect in EXPECTED {
        let (_temp, site) = copy_site(expect.fixture);
        let before = files(&site);
        let output = run(&["build", "--offline", s(&site)]);
        assert!(output.status.success(), "{}: {output:?}", expect.fixture);
        let after = files(&site);
        assert!(
            before.is_subset(&after),
            "{}: a file vanished",
            expect.fixture
        );
        let new: Vec<&String> = after.difference(&before).collect();
        assert!(!new.is_empty(), "{}: nothing written", expect.fixture);
        for file in new {
            assert!(
                file.starts_with(&format!("{}/", expect.avatar_dir))
                    || *file == expect.data_file
                    || file.starts_with(".blog-avatars-cache/"),
                "{}: {file} written outside the expected folders",
                expect.fixture
            );
        }
        assert!(
            site.join(expect.data_file).is_file(),
            "{}: no data file",
            expect.fixture
        );
    }
}

/// Emails, their MD5/SHA-256, Staticman's hashes and QQ numbers of the fixtures, literally.
/// Not `cornelius@example.org`: jekyll-feed itself publishes the `email` of an author in
/// `_data/authors.yml` in `feed.xml`, with or without blog-avatars (the site's own choice).
const SECRETS: &[&str] = &[
    "billy@example.org",
    "bill@example.org",
    "jane@example.org",
    "44fe197b7eb655a2306741cdc8e9d823",
    "18385ac57d9b171dc3fe83a5a92b68d9",
    "carol@example.org",
    "e85bdea72f763d76279a16f7090151a4",
    "dominique@example.org",
    "erin@example.org",
];

#[test]
fn real_hugo_and_jekyll_publish_local_avatars_and_nothing_identifying() {
    let secrets: Vec<String> = SECRETS.iter().map(|s| (*s).to_owned()).collect();
    for (fixture, program, out, page) in [
        (
            "realblogs/hugo-stack-staticman",
            "hugo",
            "public",
            "p/hello-world/index.html",
        ),
        (
            "realblogs/hugo-docsy-mounts",
            "hugo",
            "public",
            "blog/news/first-post/index.html",
        ),
        (
            "realblogs/mm-staticman",
            "jekyll",
            "_site",
            "layout-comments/index.html",
        ),
    ] {
        let (_temp, site) = copy_site(fixture);
        let output = run(&["build", "--offline", s(&site)]);
        assert!(output.status.success(), "{fixture}: {output:?}");
        if program == "jekyll" {
            // The github-pages gem is not installed here; without the Gemfile Jekyll runs
            // without Bundler and the layout still comes from `_config.yml`'s Jekyll keys.
            std::fs::remove_file(site.join("Gemfile")).unwrap();
            generator("jekyll", &["build", "--quiet"], &site);
        } else {
            generator("hugo", &["--quiet"], &site);
        }
        let html = std::fs::read_to_string(site.join(out).join(page))
            .unwrap_or_else(|e| panic!("{fixture}: {page}: {e}"));
        assert!(
            html.contains("class=\"avatar\" src=\"/"),
            "{fixture}: no local avatar in {page}: {html}"
        );
        // The avatar files the page points at are published.
        assert!(
            walkdir::WalkDir::new(site.join(out))
                .into_iter()
                .flatten()
                .any(|e| e.path().extension().is_some_and(|x| x == "webp")),
            "{fixture}: no avatar published"
        );
        assert_no_secrets(&site.join(out), &secrets);
    }
}

/// Remote avatar hosts a visitor's browser must not contact after `rewrite`.
const AVATAR_HOSTS: &[&str] = &[
    "gravatar.com",
    "qlogo.cn",
    "cravatar.cn",
    "v2ex.com",
    "loli.net",
    "geekzu.org",
    "weavatar.com",
];

/// Built HTML of Staticman, Valine/Waline/Twikoo-era and friend-link themes: every Gravatar,
/// mirror and qlogo URL becomes local, except the QQ Connect `k=` key, which is named in the
/// report and fails `--strict`; without that one `--strict` passes and no avatar host is left.
#[test]
fn rewrite_of_real_theme_html_leaves_no_gravatar_or_qq_fetch_unreported() {
    let page =
        std::fs::read_to_string(fixtures().join("realblogs/built-comments/index.html")).unwrap();
    let opaque = "https://thirdqq.qlogo.cn/g?b=sdk&amp;k=abcdEFgh&amp;s=100&amp;t=1650000000";
    assert!(page.contains(opaque));
    for with_opaque in [true, false] {
        let html = if with_opaque {
            page.clone()
        } else {
            page.lines()
                .filter(|l| !l.contains("thirdqq"))
                .collect::<Vec<_>>()
                .join("\n")
        };
        let temp = temp_with(&[("public/index.html", &html)]);
        let output = run_in(temp.path(), &["rewrite", "--offline", "--strict", "public"]);
        let said = said(&output);
        let out = std::fs::read_to_string(temp.path().join("public/index.html")).unwrap();
        // HTML comments in the page name hosts in prose; only markup counts.
        let markup: String = out
            .split("<!--")
            .map(|part| part.split_once("-->").map_or(part, |(_, after)| after))
            .collect();
        let left: Vec<&str> = markup
            .split(['"', '(', ')', ' ', ','])
            .filter(|part| AVATAR_HOSTS.iter().any(|h| part.contains(h)))
            .collect();
        if with_opaque {
            assert_eq!(output.status.code(), Some(3), "{said}");
            assert!(said.contains("thirdqq.qlogo.cn/g?b=sdk"), "{said}");
            assert_eq!(left.len(), 1, "{left:?}");
        } else {
            assert_eq!(output.status.code(), Some(0), "{said}");
            assert!(left.is_empty(), "left for the browser: {left:?}\n{out}");
        }
        for secret in ["20002", "30003", "40004", "60006"] {
            assert!(!out.contains(&format!("nk={secret}")), "{secret} left");
            assert!(!out.contains(&format!("dst_uin={secret}")), "{secret} left");
        }
    }
}

/// A NexT/Butterfly page with a Valine widget draws Gravatar avatars from `gravatar.loli.net`
/// in the browser: `rewrite` cannot reach them, so it names the widget and its CDN and
/// `--strict` fails instead of calling the page clean.
#[test]
fn rewrite_reports_avatars_a_comment_widget_draws_in_the_browser() {
    let page =
        std::fs::read_to_string(fixtures().join("realblogs/built-comments/valine.html")).unwrap();
    let temp = temp_with(&[("public/index.html", &page)]);
    let output = run_in(temp.path(), &["rewrite", "--offline", "--strict", "public"]);
    let said = said(&output);
    assert_eq!(output.status.code(), Some(3), "{said}");
    assert!(said.contains("Valine.min.js (Valine script"), "{said}");
    assert!(said.contains("<script> naming gravatar.loli.net"), "{said}");
}
