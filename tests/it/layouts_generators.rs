//! The real generators on the layout fixtures: after `blog-avatars build --offline`, Hugo (with
//! its config in `config.toml` with a lower-case `baseurl`, in `config/_default/` with every
//! folder moved, or in `hugo.yaml`) and Jekyll (with `source: src`) publish our avatars from the
//! folders we wrote them to, into the output folder their own config names, which we left alone,
//! at URLs under the site's base path (a GitHub project page is served from `/project/`).

use std::path::Path;

use serde_json::Value;

use crate::support::{build_offline_json, copy_site, generator, run_in, s};

/// Builds `fixture` offline, runs `generate`, and checks that every avatar of the data file is
/// on the generated home page and published byte for byte under the generator's output folder,
/// which serves the site from `base` (the path of its base URL).
fn check(fixture: &str, base: &str, generate: impl Fn(&Path)) {
    let (_temp, site) = copy_site(&format!("layouts/{fixture}"));
    let report = build_offline_json(&site);
    let layout = &report["site"];
    let publish = site.join(layout["publish_dir"].as_str().unwrap());
    let avatar_dir = site.join(layout["avatar_dir"].as_str().unwrap());
    let prefix = layout["url_prefix"].as_str().unwrap();
    assert!(
        !publish.exists(),
        "{fixture}: we wrote {}",
        publish.display()
    );
    assert!(!site.join("public").exists(), "{fixture}: we wrote public/");
    generate(&site);
    let home = std::fs::read_to_string(publish.join("index.html"))
        .unwrap_or_else(|e| panic!("{fixture}: {} ({e})", publish.display()));
    let data: Value = serde_json::from_slice(
        &std::fs::read(site.join(layout["data_file"].as_str().unwrap())).unwrap(),
    )
    .unwrap();
    let entries = data["avatars"].as_object().unwrap();
    assert!(!entries.is_empty(), "{fixture}: {data:#}");
    for (identity, entry) in entries {
        let url = entry["sizes"]["40"]["1x"].as_str().unwrap();
        assert!(
            home.contains(&format!("src=\"{url}\"")),
            "{fixture}: {identity} {url} not on the page:\n{home}"
        );
        let name = url.strip_prefix(prefix).unwrap();
        let published = publish.join(url.strip_prefix(base).unwrap().trim_start_matches('/'));
        assert_eq!(
            std::fs::read(&published)
                .unwrap_or_else(|e| panic!("{fixture}: {} ({e})", published.display())),
            std::fs::read(avatar_dir.join(name)).unwrap(),
            "{fixture}: {url}"
        );
    }
}

#[test]
fn hugo_publishes_our_avatars_for_each_config_shape() {
    for (fixture, base) in [
        ("hugo-lowercase-baseurl", ""),
        ("hugo-config-dir", "/project"),
        ("hugo-yaml", ""),
    ] {
        check(fixture, base, |site| {
            // Hugo's own publishDir: no --destination, so the folder is the one we read.
            generator("hugo", &["--source", s(site), "--quiet"], site);
        });
    }
    // `rewrite` of Hugo's output, run from the site as the README's `hugo && blog-avatars
    // rewrite public` is, reports the site's layout too.
    let (_temp, site) = copy_site("layouts/hugo-lowercase-baseurl");
    generator("hugo", &["--source", s(&site), "--quiet"], &site);
    let output = run_in(
        &site,
        &[
            "rewrite",
            "public",
            "--offline",
            "--format",
            "json",
            "--no-progress",
        ],
    );
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(report["site"]["layout"], "hugo", "{report:#}");
    assert_eq!(report["site"]["file"], "config.toml", "{report:#}");
}

#[test]
fn jekyll_publishes_our_avatars_from_its_source_folder() {
    check("jekyll-source", "/blog", |site| {
        // Run where the config is, as `jekyll build` is: `source:` and `destination:` are
        // relative to here.
        generator("jekyll", &["build", "--quiet"], site);
        assert!(!site.join("src/_site").exists());
    });
}
