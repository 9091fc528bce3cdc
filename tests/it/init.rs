//! `blog-avatars init`: on a fixture site per generator (`fixtures/init/<name>/`) whose layout
//! calls the template piece init writes, `init`, then `build --offline`, then the real generator
//! (Hugo, Jekyll, Hexo; Zola's macro rendered with Tera 1 and Tera 2 as Zola would), and the
//! built pages show each commenter's local avatar, the default for one without, the placeholder
//! for one the build never saw, and name no person or provider. Also: no overwrite without
//! `--force`, `--dry-run` writes nothing, no site is exit 2.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::avatar_server::png;
use crate::generators::{avatars_in, copy_tree, tool, zola_tera1};
use crate::support::{assert_no_secrets, build_offline_json, fixtures, run, run_json, s};

/// Ada's upload colour.
const ADA_RED: [u8; 3] = [200, 30, 30];

/// The fixture copied into a temp dir, with Ada's upload written where `[local] dir` looks.
fn site(name: &str) -> (tempfile::TempDir, PathBuf) {
    let temp = tempfile::tempdir().unwrap();
    let site = temp.path().join("site");
    copy_tree(&fixtures().join("init").join(name), &site);
    std::fs::create_dir_all(site.join("_avatars")).unwrap();
    std::fs::write(site.join("_avatars/ada@example.org.png"), png(120, ADA_RED)).unwrap();
    (temp, site)
}

/// `init` then `build --offline`; returns init's JSON report.
fn init_and_build(site: &Path, layout: &str) -> serde_json::Value {
    let report = run_json(&["init", s(site), "--format", "json"], 0);
    assert_eq!(report["layout"]["layout"], layout, "{report:#}");
    let actions: Vec<&str> = report["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["action"].as_str().unwrap())
        .collect();
    assert!(actions.iter().all(|a| *a == "create"), "{report:#}");
    // The config init wrote is the one the build reads, strictly.
    let build = build_offline_json(site);
    assert_eq!(build["layout"], layout, "{build:#}");
    assert_eq!(build["errors"], 0, "{build:#}");
    let gitignore = std::fs::read_to_string(site.join(".gitignore")).unwrap();
    for line in [".blog-avatars-cache/", "_avatars/"] {
        assert!(gitignore.lines().any(|l| l == line), "{gitignore}");
    }
    report
}

/// The built pages: Ada's own avatar (red, 40 and 80 px), Bo's default, Cy's placeholder, every
/// file present in the output, complete `<img>` attributes, and nothing private or third-party.
fn check_output(site: &Path, output: &Path, prefix: &str, forms: usize) {
    let (images, _) = avatars_in(output);
    // Each call form (identity, whole comment) renders the three commenters.
    assert_eq!(images.len(), 3 * forms, "{images:#?}");
    let mut by_alt: BTreeMap<&str, &BTreeMap<String, String>> = BTreeMap::new();
    for img in &images {
        let attrs = &img.attrs;
        let who = attrs["alt"].as_str();
        if let Some(first) = by_alt.insert(who, attrs) {
            assert_eq!(first, attrs, "{who}: the call forms differ");
        }
        assert_eq!(attrs.get("width").map(String::as_str), Some("40"), "{who}");
        assert_eq!(attrs.get("height").map(String::as_str), Some("40"), "{who}");
        assert_eq!(
            attrs.get("loading").map(String::as_str),
            Some("lazy"),
            "{who}"
        );
        let src = &attrs["src"];
        let srcset = &attrs["srcset"];
        assert!(
            srcset.starts_with(&format!("{src} 1x, ")),
            "{who}: {srcset}"
        );
        for url in srcset
            .split(", ")
            .map(|c| c.trim_end_matches(" 1x").trim_end_matches(" 2x"))
        {
            let file = output.join(url.trim_start_matches('/'));
            assert!(file.is_file(), "{who}: {url} is not in the output");
        }
        if who == "Cy" {
            // Beside the avatar folder: /avatars/ gives /avatar-placeholder.png.
            let parent = prefix.trim_end_matches('/').rsplit_once('/').unwrap().0;
            assert_eq!(src, &format!("{parent}/avatar-placeholder.png"), "{who}");
        } else {
            assert!(
                src.starts_with(prefix) && src.ends_with(".webp"),
                "{who}: {src} is not a local avatar"
            );
        }
    }
    assert_eq!(
        by_alt.keys().copied().collect::<Vec<_>>(),
        ["Ada", "Bo", "Cy"],
        "{images:#?}"
    );
    let ada = image::open(output.join(by_alt["Ada"]["src"].trim_start_matches('/')))
        .unwrap()
        .to_rgb8();
    assert_eq!(ada.dimensions(), (40, 40));
    let centre = ada.get_pixel(20, 20).0;
    assert!(
        centre.iter().zip(ADA_RED).all(|(a, b)| a.abs_diff(b) < 40),
        "Ada shows {centre:?}, not her upload"
    );
    let secrets = crate::support::secrets(site);
    assert!(secrets.len() >= 2, "{secrets:?}");
    assert_no_secrets(output, &secrets);
    for entry in walkdir::WalkDir::new(output) {
        let entry = entry.unwrap();
        if entry.file_type().is_file() {
            let text =
                String::from_utf8_lossy(&std::fs::read(entry.path()).unwrap()).to_lowercase();
            for host in [
                "gravatar",
                "qlogo",
                "libravatar",
                "githubusercontent",
                "_avatars",
            ] {
                assert!(
                    !text.contains(host),
                    "{} names {host}",
                    entry.path().display()
                );
            }
        }
    }
}

#[test]
fn init_hugo_partial_shows_local_avatars_in_hugo_output() {
    let (_temp, site) = site("hugo");
    let report = init_and_build(&site, "hugo");
    assert!(
        site.join("layouts/partials/avatar.html").is_file(),
        "{report:#}"
    );
    tool(
        "hugo",
        &["--source", s(&site), "--quiet"],
        &site,
        "apt-get install hugo",
    );
    check_output(&site, &site.join("public"), "/avatars/", 2);
}

#[test]
fn init_jekyll_include_shows_local_avatars_in_jekyll_output() {
    let (_temp, site) = site("jekyll");
    init_and_build(&site, "jekyll");
    assert!(site.join("_includes/avatar.html").is_file());
    let out = site.join("_site");
    // The fixture's _config.yml already excludes the config: no note to add it.
    let again = run_json(&["init", s(&site), "--format", "json", "--dry-run"], 0);
    assert_eq!(again["notes"], serde_json::json!([]), "{again:#}");
    let args = [
        "build",
        "--source",
        s(&site),
        "--destination",
        s(&out),
        "--quiet",
    ];
    tool("jekyll", &args, &site, "apt-get install jekyll");
    check_output(&site, &out, "/assets/avatars/", 2);
}

#[cfg(unix)]
#[test]
fn init_hexo_helper_shows_local_avatars_in_hexo_output() {
    let (_temp, site) = site("hexo");
    init_and_build(&site, "hexo");
    assert!(site.join("scripts/avatar.js").is_file());
    let modules = fixtures().join("generators/hexo/node_modules");
    std::os::unix::fs::symlink(&modules, site.join("node_modules")).unwrap();
    let hexo = modules.join(".bin/hexo");
    let output = tool(
        s(&hexo),
        &["generate"],
        &site,
        "npm ci --prefix fixtures/generators/hexo",
    );
    assert!(!output.contains("ERROR"), "hexo failed:\n{output}");
    check_output(&site, &site.join("public"), "/avatars/", 2);
}

/// Tera 1 is the engine of Zola's releases, where a macro is what themes use. Tera 2 (Zola's
/// next engine) has no `macro` tag: it refuses to parse the file (see README).
#[test]
fn init_zola_macro_shows_local_avatars_under_tera_1() {
    let (_temp, site) = site("zola");
    init_and_build(&site, "zola");
    assert!(site.join("templates/macros/avatar.html").is_file());
    let html = zola_tera1(&site);
    let page = site.join("public/blog/first-post/index.html");
    std::fs::create_dir_all(page.parent().unwrap()).unwrap();
    std::fs::write(page, html).unwrap();
    // Zola publishes static/ as it is.
    copy_tree(&site.join("static"), &site.join("public"));
    check_output(&site, &site.join("public"), "/avatars/", 1);
}

/// Every file under `dir` with its bytes.
fn snapshot(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .map(Result::unwrap)
        .map(|e| {
            let bytes = if e.file_type().is_file() {
                std::fs::read(e.path()).unwrap()
            } else {
                Vec::new()
            };
            (e.path().to_path_buf(), bytes)
        })
        .collect()
}

#[test]
fn init_dry_run_writes_nothing_and_lists_the_files() {
    let (_temp, site) = site("hugo");
    let before = snapshot(&site);
    let output = run(&["init", s(&site), "--dry-run"]);
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    assert_eq!(snapshot(&site), before, "--dry-run changed the site");
    let text = String::from_utf8_lossy(&output.stdout);
    for line in [
        "would write: blog-avatars.toml",
        "would write: layouts/partials/avatar.html",
        "would write: static/avatar-placeholder.png",
        "would write: .gitignore",
    ] {
        assert!(text.contains(line), "`{line}` not listed:\n{text}");
    }
    assert!(text.contains("nothing was written"), "{text}");
}

#[test]
fn init_leaves_existing_files_alone_unless_forced() {
    let (_temp, site) = site("jekyll");
    let mine = "{%- comment -%} my own include {%- endcomment -%}\n";
    std::fs::create_dir_all(site.join("_includes")).unwrap();
    std::fs::write(site.join("_includes/avatar.html"), mine).unwrap();
    std::fs::write(site.join(".gitignore"), "_site\n_avatars/\n").unwrap();
    std::fs::write(site.join("_config.yml"), "title: Jekyll init\n").unwrap();
    let output = run(&["init", s(&site)]);
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(
        text.contains("left alone (exists; --force replaces it): _includes/avatar.html"),
        "{text}"
    );
    assert_eq!(
        std::fs::read_to_string(site.join("_includes/avatar.html")).unwrap(),
        mine
    );
    // Jekyll would publish the config: init says so rather than editing _config.yml.
    assert!(
        text.contains("note: add `blog-avatars.toml` to `exclude:`"),
        "{text}"
    );
    // Only the missing line was added, after what was there.
    let gitignore = std::fs::read_to_string(site.join(".gitignore")).unwrap();
    assert!(gitignore.starts_with("_site\n_avatars/\n"), "{gitignore}");
    assert_eq!(gitignore.matches("_avatars/").count(), 1, "{gitignore}");
    assert!(
        gitignore.lines().any(|l| l == ".blog-avatars-cache/"),
        "{gitignore}"
    );
    // A second run changes nothing.
    let before = snapshot(&site);
    assert_eq!(run(&["init", s(&site)]).status.code(), Some(0));
    assert_eq!(snapshot(&site), before);
    // --force replaces the template piece, and still adds no duplicate ignore line.
    assert_eq!(run(&["init", s(&site), "--force"]).status.code(), Some(0));
    let replaced = std::fs::read_to_string(site.join("_includes/avatar.html")).unwrap();
    assert!(replaced.contains("loading=\"lazy\""), "{replaced}");
    let gitignore = std::fs::read_to_string(site.join(".gitignore")).unwrap();
    assert_eq!(
        gitignore.matches(".blog-avatars-cache/").count(),
        1,
        "{gitignore}"
    );
}

#[test]
fn init_without_a_site_is_a_usage_error_and_writes_nothing() {
    let temp = tempfile::tempdir().unwrap();
    let output = run(&["init", s(temp.path())]);
    assert_eq!(output.status.code(), Some(2), "{output:?}");
    let stderr = String::from_utf8_lossy(&output.stderr);
    let scan = run(&["scan", s(temp.path())]);
    assert_eq!(
        stderr,
        String::from_utf8_lossy(&scan.stderr),
        "same message as scan"
    );
    assert!(stderr.contains("no site found"), "{stderr}");
    assert_eq!(std::fs::read_dir(temp.path()).unwrap().count(), 0);
    // --layout forces one where nothing is detected.
    let forced = run(&["init", s(temp.path()), "--layout", "hugo"]);
    assert_eq!(forced.status.code(), Some(0), "{forced:?}");
    assert!(temp.path().join("layouts/partials/avatar.html").is_file());
    let config = std::fs::read_to_string(temp.path().join("blog-avatars.toml")).unwrap();
    assert!(config.contains("layout = \"hugo\""), "{config}");
}

#[cfg(unix)]
#[test]
fn init_does_not_write_through_a_symlink_out_of_the_site() {
    let (temp, site) = site("hugo");
    let elsewhere = temp.path().join("elsewhere");
    std::fs::create_dir_all(&elsewhere).unwrap();
    std::os::unix::fs::symlink(&elsewhere, site.join("layouts/partials")).unwrap();
    let output = run(&["init", s(&site)]);
    assert_ne!(output.status.code(), Some(0), "{output:?}");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("outside"), "{stderr}");
    assert_eq!(std::fs::read_dir(&elsewhere).unwrap().count(), 0);
    // Refused before the first write: the site is as it was.
    assert!(!site.join("blog-avatars.toml").exists());
    assert!(!site.join(".gitignore").exists());
}
