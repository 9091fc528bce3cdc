//! Layout detection through the binary, on fixture sites under `fixtures/layouts/` modelled on
//! public blog repositories: each generator detected by its own rules, its folders read from its
//! own config, the report naming the layout, the file that decided and why, files landing where
//! the generator reads them, and no site (or an ambiguous one) stopping before anything is
//! written.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::support::{build_offline_json, copy_site, run, run_json, s, site_with};

/// What one fixture must be detected as.
struct Expect {
    fixture: &'static str,
    layout: &'static str,
    file: &'static str,
    /// Part of the reason.
    why: &'static str,
    post_dirs: &'static [&'static str],
    data_dir: &'static str,
    avatar_dir: &'static str,
    url_prefix: &'static str,
    data_file: &'static str,
    publish_dir: &'static str,
    /// Identities the scan must find (values).
    identities: &'static [&'static str],
}

const EXPECTED: &[Expect] = &[
    Expect {
        fixture: "hugo-lowercase-baseurl",
        layout: "hugo",
        file: "config.toml",
        why: "baseurl",
        post_dirs: &["content"],
        data_dir: "data",
        avatar_dir: "static/avatars",
        url_prefix: "/avatars/",
        data_file: "data/avatars.json",
        publish_dir: "public",
        identities: &["ada@example.org", "40001234@qq.com"],
    },
    Expect {
        fixture: "hugo-config-dir",
        layout: "hugo",
        file: "config/_default/config.toml",
        why: "Hugo's config directory",
        post_dirs: &["posts-src"],
        data_dir: "site-data",
        avatar_dir: "assets-static/avatars",
        url_prefix: "/project/avatars/",
        data_file: "site-data/avatars.json",
        publish_dir: "docs",
        identities: &["grace@example.org", "50005678"],
    },
    Expect {
        fixture: "hugo-yaml",
        layout: "hugo",
        file: "hugo.yaml",
        why: "Hugo's own config file name",
        post_dirs: &["content"],
        data_dir: "data",
        avatar_dir: "static/avatars",
        url_prefix: "/avatars/",
        data_file: "data/avatars.json",
        publish_dir: "build",
        identities: &["ivan@example.org"],
    },
    Expect {
        fixture: "jekyll-source",
        layout: "jekyll",
        file: "_config.yml",
        why: "source, a Jekyll setting",
        post_dirs: &["src/_posts", "src/_drafts"],
        data_dir: "src/_data",
        avatar_dir: "src/assets/avatars",
        url_prefix: "/blog/assets/avatars/",
        data_file: "src/_data/avatars.json",
        publish_dir: "_site",
        identities: &["ada@example.org", "jo-hub"],
    },
    Expect {
        fixture: "jekyll-collections",
        layout: "jekyll",
        file: "_config.yml",
        why: "a Jekyll setting",
        post_dirs: &[
            "my_collections/_posts",
            "my_collections/_drafts",
            "my_collections/_talks",
        ],
        data_dir: "_data",
        avatar_dir: "assets/avatars",
        url_prefix: "/assets/avatars/",
        data_file: "_data/avatars.json",
        publish_dir: "_site",
        identities: &["grace@example.org", "jo-hub", "40001234@qq.com"],
    },
    Expect {
        fixture: "hexo-pages",
        layout: "hexo",
        file: "package.json",
        why: "Hexo's \"hexo\" field",
        post_dirs: &["source"],
        data_dir: "source/_data",
        avatar_dir: "source/avatars",
        url_prefix: "/avatars/",
        data_file: "source/_data/avatars.json",
        publish_dir: "public",
        identities: &["ada@example.org"],
    },
    Expect {
        fixture: "hexo-config-keys",
        layout: "hexo",
        file: "_config.yml",
        why: "source_dir, a Hexo setting",
        post_dirs: &["blog"],
        data_dir: "blog/_data",
        avatar_dir: "blog/avatars",
        url_prefix: "/avatars/",
        data_file: "blog/_data/avatars.json",
        publish_dir: "site",
        identities: &["ivan@example.org"],
    },
    Expect {
        fixture: "zola",
        layout: "zola",
        file: "config.toml",
        why: "base_url",
        post_dirs: &["content"],
        data_dir: "data",
        avatar_dir: "static/avatars",
        url_prefix: "/avatars/",
        data_file: "data/avatars.json",
        publish_dir: "dist",
        identities: &["ada@example.org"],
    },
];

/// Asserts the report's `layout` and `site` match `expect`.
fn assert_site(report: &Value, expect: &Expect) {
    let name = expect.fixture;
    assert_eq!(report["layout"], expect.layout, "{name}: {report:#}");
    let site = &report["site"];
    assert_eq!(site["layout"], expect.layout, "{name}: {site:#}");
    assert_eq!(site["file"], expect.file, "{name}: {site:#}");
    let reason = site["reason"].as_str().unwrap();
    assert!(reason.contains(expect.why), "{name}: {reason}");
    let posts: Vec<&str> = site["post_dirs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d.as_str().unwrap())
        .collect();
    assert_eq!(posts, expect.post_dirs, "{name}");
    assert_eq!(site["data_dir"], expect.data_dir, "{name}");
    assert_eq!(site["avatar_dir"], expect.avatar_dir, "{name}");
    assert_eq!(site["url_prefix"], expect.url_prefix, "{name}");
    assert_eq!(site["data_file"], expect.data_file, "{name}");
    assert_eq!(site["publish_dir"], expect.publish_dir, "{name}");
}

#[test]
fn scan_json_names_each_layout_its_file_its_reason_and_its_folders() {
    for expect in EXPECTED {
        let (_temp, site) = copy_site(&format!("layouts/{}", expect.fixture));
        let report = run_json(&["scan", s(&site), "--format", "json"], 0);
        assert_site(&report, expect);
        for value in expect.identities {
            crate::support::identity(&report, value);
        }
    }
    // The human report says the same in one line.
    let (_temp, site) = copy_site("layouts/hugo-lowercase-baseurl");
    let output = run(&["scan", s(&site)]);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        stdout.contains("layout: hugo (config.toml: baseurl); avatars in static/avatars/"),
        "{stdout}"
    );
}

/// Every file and folder under `dir`, with the bytes of files (`None` for folders).
fn tree(dir: &Path) -> BTreeMap<PathBuf, Option<Vec<u8>>> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .map(|entry| {
            let entry = entry.unwrap();
            let bytes = entry
                .file_type()
                .is_file()
                .then(|| std::fs::read(entry.path()).unwrap());
            (entry.path().strip_prefix(dir).unwrap().to_path_buf(), bytes)
        })
        .collect()
}

#[test]
fn build_offline_writes_only_where_each_generator_reads() {
    for expect in EXPECTED {
        let name = expect.fixture;
        let (_temp, site) = copy_site(&format!("layouts/{name}"));
        let before = tree(&site);
        let report = build_offline_json(&site);
        assert_site(&report, expect);
        assert_eq!(report["files"]["pages"], 0, "{name}: nothing rendered");
        let avatar_dir = site.join(expect.avatar_dir);
        let data: Value =
            serde_json::from_slice(&std::fs::read(site.join(expect.data_file)).unwrap()).unwrap();
        let entries = data["avatars"].as_object().unwrap();
        for value in expect.identities {
            // The data file is keyed by the identity as written; these are written normalised.
            let entry = &entries[*value];
            let url = entry["sizes"]["40"]["1x"].as_str().unwrap();
            let file = url
                .strip_prefix(expect.url_prefix)
                .unwrap_or_else(|| panic!("{name}: {url}"));
            assert!(avatar_dir.join(file).is_file(), "{name}: {url}");
        }
        assert!(
            !site.join(expect.publish_dir).exists(),
            "{name}: we wrote into the generator's {}",
            expect.publish_dir
        );
        // Everything new is an avatar, the data file, or the cache.
        for (path, _) in tree(&site)
            .into_iter()
            .filter(|(p, _)| !before.contains_key(p))
        {
            let ours = path.starts_with(expect.avatar_dir)
                || path == Path::new(expect.data_file)
                || path.starts_with(".blog-avatars-cache")
                || site.join(expect.avatar_dir).starts_with(site.join(&path))
                || site.join(expect.data_file).starts_with(site.join(&path));
            assert!(ours, "{name}: build wrote {}", path.display());
        }
    }
}

/// Runs the binary and kills it after a minute (a `serve` that did not stop would hang CI).
fn run_bounded(args: &[&str]) -> std::process::Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_blog-avatars"))
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let started = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if started.elapsed() > Duration::from_secs(60) {
            child.kill().unwrap();
            panic!("blog-avatars {args:?} did not stop");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    child.wait_with_output().unwrap()
}

#[test]
fn no_site_ambiguity_or_missing_source_is_exit_2_and_writes_nothing() {
    let empty = tempfile::tempdir().unwrap();
    let cases: Vec<(PathBuf, Option<tempfile::TempDir>, String)> = vec![
        (
            empty.path().to_path_buf(),
            None,
            format!(
                "no site found in {} (looked for hugo.toml",
                empty.path().display()
            ),
        ),
        {
            let (temp, site) = copy_site("layouts/readme-only");
            let message = format!("no site found in {}", site.display());
            (site, Some(temp), message)
        },
        {
            let (temp, site) = copy_site("layouts/ambiguous");
            let message = "hugo.toml says hugo (Hugo's own config file name) and package.json \
                           says hexo (depends on hexo), equally strong signs; set [site] layout \
                           = \"hugo\" or layout = \"hexo\""
                .to_owned();
            (site, Some(temp), message)
        },
        {
            let (temp, site) = copy_site("layouts/jekyll-source-missing");
            let message = format!(
                "_config.yml sets source: generated, but {} does not exist",
                site.join("generated").display()
            );
            (site, Some(temp), message)
        },
    ];
    for (site, _guard, message) in &cases {
        let before = tree(site);
        let commands: [&[&str]; 7] = [
            &["build"],
            &["build", "--offline", "--format", "json"],
            &["scan"],
            &["scan", "--format", "json"],
            &["cache", "stats"],
            &["cache", "clean"],
            &["serve", "--port", "0"],
        ];
        for command in commands {
            let mut args = command.to_vec();
            args.insert(if command[0] == "cache" { 2 } else { 1 }, s(site));
            let output = run_bounded(&args);
            let stderr = String::from_utf8_lossy(&output.stderr);
            if command[0] == "serve" && stderr.contains("without the `serve` feature") {
                continue;
            }
            assert_eq!(output.status.code(), Some(2), "{args:?}: {stderr}");
            assert_eq!(
                stderr.matches(message.as_str()).count(),
                1,
                "{args:?}: {stderr}"
            );
            assert!(output.stdout.is_empty(), "{args:?}");
            assert_eq!(tree(site), before, "{args:?} wrote into {}", site.display());
        }
    }
}

#[test]
fn configured_layout_reads_that_generators_folders_and_overrides_win() {
    let (_temp, site) = site_with(
        "layouts/hugo-config-dir",
        &[("blog-avatars.toml", "[site]\nlayout = \"hugo\"\n")],
    );
    let config = site.join("blog-avatars.toml");
    let report = run_json(&["scan", s(&site), "--format", "json"], 0);
    assert_eq!(report["site"]["file"], Value::Null, "{report:#}");
    assert_eq!(
        report["site"]["reason"],
        "[site] layout = \"hugo\" in the config"
    );
    assert_eq!(
        report["site"]["post_dirs"],
        serde_json::json!(["posts-src"])
    );
    assert_eq!(report["site"]["publish_dir"], "docs");
    // An override wins over Hugo's staticDir...
    std::fs::write(&config, "[site]\navatar_dir = \"static/faces\"\n").unwrap();
    let report = run_json(&["scan", s(&site), "--format", "json"], 0);
    assert_eq!(report["site"]["avatar_dir"], "static/faces");
    // ...but never points into the folder Hugo publishes (and wipes).
    std::fs::write(&config, "[site]\navatar_dir = \"docs/avatars\"\n").unwrap();
    let before = tree(&site);
    let output = run(&["build", s(&site), "--offline"]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains(
            "the avatar folder docs/avatars lies inside docs, the folder the hugo site publishes"
        ),
        "{stderr}"
    );
    assert_eq!(tree(&site), before);
}
