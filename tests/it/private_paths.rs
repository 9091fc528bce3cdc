//! Private files (uploads named by email, the cache, the data file) never inside what a
//! generator publishes: `build` warns and `--strict` fails, `rewrite DIR` keeps its cache out
//! of `DIR`.

use std::path::Path;
use std::process::Command;

use crate::avatar_server::{AvatarServer, md5_hex, png};
use crate::support::{copy_site, run, run_json, s};
use blog_avatars::testkit::Response;

/// Warnings of a JSON report whose message contains `needle`.
fn warnings_about<'a>(report: &'a serde_json::Value, needle: &str) -> Vec<&'a serde_json::Value> {
    report["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|w| w["message"].as_str().unwrap().contains(needle))
        .collect()
}

#[test]
fn private_paths_inside_the_published_tree_warn_and_fail_strict_builds() {
    let (_temp, site) = copy_site("sites/native");
    std::fs::write(
        site.join("blog-avatars.toml"),
        "[local]\ndir = \"static/uploads\"\n[http]\ncache_dir = \"static/.cache\"\n",
    )
    .unwrap();
    let args = ["build", s(&site), "--offline", "--format", "json"];
    let report = run_json(&args, 0);
    assert_eq!(report["exposed"], 2, "{report:#}");
    let local = warnings_about(&report, "[local] dir");
    assert_eq!(local.len(), 1, "{report:#}");
    assert_eq!(local[0]["path"], "static/uploads");
    let cache = warnings_about(&report, "cache_dir");
    assert_eq!(cache.len(), 1, "{report:#}");
    assert_eq!(cache[0]["path"], "static/.cache");
    let strict = run_json(&[&args[..], &["--strict"]].concat(), 3);
    assert_eq!(strict["exposed"], 2);

    // The defaults are private: no such warning, and --strict passes.
    std::fs::remove_file(site.join("blog-avatars.toml")).unwrap();
    let report = run_json(&[&args[..], &["--strict"]].concat(), 0);
    assert_eq!(report["exposed"], 0, "{report:#}");
}

#[test]
fn the_old_default_upload_folder_is_still_used_with_a_warning_and_jekyll_fails_strict() {
    let (_temp, site) = copy_site("sites/jekyll");
    let avatars = site.join("avatars");
    std::fs::create_dir_all(&avatars).unwrap();
    std::fs::write(avatars.join("kim@example.org.png"), png(64, [9, 99, 199])).unwrap();
    let args = ["build", s(&site), "--offline", "--format", "json"];
    let report = run_json(&args, 0);
    let kim = crate::support::identity(&report, "kim@example.org");
    assert_eq!(kim["provider"], "local", "{report:#}");
    assert_eq!(warnings_about(&report, "mv avatars _avatars").len(), 1);
    assert_eq!(
        warnings_about(&report, "jekyll layout publishes").len(),
        1,
        "{report:#}"
    );
    run_json(&[&args[..], &["--strict"]].concat(), 3);
    // Moved as the warning says: used from there, and nothing to warn about.
    std::fs::rename(&avatars, site.join("_avatars")).unwrap();
    let report = run_json(&[&args[..], &["--strict"]].concat(), 0);
    let kim = crate::support::identity(&report, "kim@example.org");
    assert_eq!(kim["provider"], "local", "{report:#}");
    assert!(
        report["warnings"].as_array().unwrap().is_empty(),
        "{report:#}"
    );
}

const ADA: &str = "ada@example.org";

/// A published folder with a config beside its pages, one Gravatar avatar on a page.
fn published_folder(server: &AvatarServer, extra: &str) -> (tempfile::TempDir, std::path::PathBuf) {
    let temp = tempfile::tempdir().unwrap();
    let public = temp.path().join("public");
    std::fs::create_dir_all(&public).unwrap();
    let hash = md5_hex(ADA);
    std::fs::write(
        public.join("index.html"),
        format!("<p><img src=\"https://www.gravatar.com/avatar/{hash}?s=40\"></p>\n"),
    )
    .unwrap();
    server.routes.set(
        &format!("/avatar/{hash}"),
        Response::ok(png(100, [1, 2, 3])),
    );
    std::fs::write(public.join("blog-avatars.toml"), server.config(extra)).unwrap();
    (temp, public)
}

fn rewrite_in(public: &Path, xdg: &Path) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_blog-avatars"))
        .args(["rewrite", ".", "--format", "json"])
        .current_dir(public)
        .env("XDG_CACHE_HOME", xdg)
        .output()
        .unwrap()
}

#[test]
fn rewrite_never_writes_its_cache_inside_the_folder_it_rewrites() {
    let server = AvatarServer::start();
    let (temp, public) = published_folder(&server, "");
    let xdg = temp.path().join("xdg");
    let output = rewrite_in(&public, &xdg);
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(report["rewrite"]["urls_replaced"], 1, "{report:#}");
    assert!(
        !public.join(".blog-avatars-cache").exists(),
        "the cache was written inside the published folder"
    );
    // Nothing under the published folder names the email's hash any more.
    let hash = md5_hex(ADA);
    for entry in walkdir::WalkDir::new(&public) {
        let entry = entry.unwrap();
        if entry.file_type().is_file() && entry.file_name() != "blog-avatars.toml" {
            let text = String::from_utf8_lossy(&std::fs::read(entry.path()).unwrap()).into_owned();
            assert!(
                !text.contains(&hash),
                "{} names the hash",
                entry.path().display()
            );
        }
    }
    // The cache went to the user's cache folder, and it works: a second run asks nothing.
    let caches: Vec<_> = std::fs::read_dir(xdg.join("blog-avatars"))
        .unwrap()
        .flatten()
        .collect();
    assert_eq!(caches.len(), 1);
    assert_eq!(warnings_about(&report, "would lie inside").len(), 1);
    let requests = server.requests();
    let again = rewrite_in(&public, &xdg);
    assert_eq!(again.status.code(), Some(0));
    assert_eq!(
        server.requests(),
        requests,
        "the moved cache was not reused"
    );
}

#[test]
fn a_configured_cache_inside_the_rewritten_folder_is_a_usage_error() {
    let server = AvatarServer::start();
    let (temp, public) = published_folder(&server, "cache_dir = \"cache\"\n");
    let before = std::fs::read(public.join("index.html")).unwrap();
    let output = rewrite_in(&public, &temp.path().join("xdg"));
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("cache_dir"), "{stderr}");
    assert!(!public.join("cache").exists());
    assert!(!public.join("avatars").exists());
    assert_eq!(std::fs::read(public.join("index.html")).unwrap(), before);
    assert_eq!(server.requests(), 0);
    // Given from outside, the same config works.
    let output = run(&[
        "rewrite",
        s(&public),
        "--config",
        s(&public.join("blog-avatars.toml")),
        "--offline",
    ]);
    assert_eq!(output.status.code(), Some(2), "still inside: {output:?}");
}
