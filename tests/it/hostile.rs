//! `build` on hostile input (`fixtures/sites/hostile/`, plus what only a test can make: a 10 MB
//! field, deeply nested YAML, symlinks out of the site): clear warnings naming the files, exit 0,
//! nothing read or written outside the site, no request for a refused URL, escaped HTML.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::SystemTime;

use serde_json::Value;

use crate::avatar_server::{AvatarServer, png};
use crate::support::{copy_site, s};

/// Appears only in files outside the site.
const CANARY: &str = "CANARY-5f1d0c";

/// Path → (bytes, modification time) of every file under `dir`, symlinks not followed.
fn tree(dir: &Path) -> BTreeMap<PathBuf, (Vec<u8>, SystemTime)> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .map(|e| e.unwrap())
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            let meta = e.metadata().unwrap();
            let bytes = std::fs::read(e.path()).unwrap();
            (e.into_path(), (bytes, meta.modified().unwrap()))
        })
        .collect()
}

/// Files outside the site, all of them tempting: a post, comment data and an image.
fn plant_outside(outside: &Path) {
    std::fs::create_dir_all(outside.join("posts")).unwrap();
    let post = format!("---\ntitle: {CANARY}\nemail: canary@example.org\n---\n{CANARY}\n");
    std::fs::write(outside.join("secret.md"), &post).unwrap();
    std::fs::write(outside.join("posts/also-secret.md"), &post).unwrap();
    std::fs::write(
        outside.join("secret.yml"),
        format!("name: {CANARY}\nemail: canary-data@example.org\nbody: {CANARY}\n"),
    )
    .unwrap();
    std::fs::write(outside.join("canary.png"), png(64, [1, 2, 3])).unwrap();
}

/// What only a test can make: huge and deep input, and symlinks pointing out of the site.
fn plant_inside(site: &Path, outside: &Path) {
    let huge = format!(
        "---\ntitle: huge\nemail: huge@example.org\nbio: {}\n---\n",
        "x".repeat(10 << 20)
    );
    std::fs::write(site.join("content/huge.md"), huge).unwrap();
    let deep = format!(
        "---\ntitle: deep\nemail: deep-front@example.org\nx: {}{}\n---\n",
        "[".repeat(20_000),
        "]".repeat(20_000)
    );
    std::fs::write(site.join("content/deep.md"), deep).unwrap();
    let link = |target: &str, at: &str| {
        let at = site.join(at);
        std::fs::create_dir_all(at.parent().unwrap()).unwrap();
        std::os::unix::fs::symlink(outside.join(target), at).unwrap();
    };
    link("secret.md", "content/linked.md");
    link("posts", "content/linked-dir");
    link("secret.yml", "data/comments/p/linked.yml");
    link("canary.png", "leak.png");
    link("", "static/leak-dir");
    link("canary.png", "_avatars/symlinked@example.org.png");
    link("canary.png", "static/canary.png");
}

#[test]
fn hostile_input_builds_with_warnings_and_touches_nothing_outside() {
    let (temp, site) = copy_site("sites/hostile");
    let outside = temp.path().join("outside");
    let tmp = temp.path().join("tmp");
    std::fs::create_dir_all(&tmp).unwrap();
    plant_outside(&outside);
    plant_inside(&site, &outside);
    let server = AvatarServer::start();
    let port = server.server.addr().port().to_string();
    let loopback = site.join("content/loopback.md");
    let text = std::fs::read_to_string(&loopback).unwrap();
    std::fs::write(&loopback, text.replace("65534", &port)).unwrap();
    server.configure(&site, "");
    let before = tree(&outside);

    let output = Command::new(env!("CARGO_BIN_EXE_blog-avatars"))
        .args(["build", s(&site), "--format", "json"])
        .env("TMPDIR", &tmp)
        .output()
        .unwrap();
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();

    // Nothing outside the site was written, and nothing was created beside it.
    assert_eq!(tree(&outside), before, "files outside the site changed");
    assert_eq!(
        std::fs::read_dir(&tmp).unwrap().count(),
        0,
        "temp files outside"
    );
    let mut beside: Vec<String> = std::fs::read_dir(temp.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    beside.sort();
    assert_eq!(beside, ["outside", "site", "tmp"]);
    // No refused URL was requested; the trusted providers were.
    let refused: Vec<_> = server
        .server
        .requests()
        .into_iter()
        .filter(|r| !r.path.starts_with("/avatar/") && !r.path.starts_with("/lib/"))
        .filter(|r| !r.path.starts_with("/gh/") && !r.path.starts_with("/qq"))
        .collect();
    assert_eq!(refused, [], "content URLs on loopback were requested");
    assert!(server.requests() > 0);

    assert_warnings(&report);
    assert_nothing_from_outside(&site, &report);
    assert_escaped(&site);
}

fn assert_warnings(report: &Value) {
    let warnings: Vec<String> = report["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| format!("{}: {}", w["path"].as_str().unwrap(), w["message"]))
        .collect();
    for (file, needle) in [
        ("content/huge.md", "larger than"),
        ("content/deep.md", "recursion limit"),
        ("content/alias-bomb.md", "alias bomb"),
        ("data/comments/p/alias-bomb.yml", "alias bomb"),
        ("data/comments/p/latin1.yml", "not UTF-8"),
        ("content/latin1.md", "not UTF-8"),
        ("content/paths.md", "escapes the site"),
        ("content/paths.md", "absolute paths are refused"),
        ("content/paths.md", "not file:"),
        ("content/paths.md", "not gopher:"),
        ("content/paths.md", "leads outside the site"),
        ("content/paths.md", "`etc/passwd` not found"),
        ("content/loopback.md", "a loopback address"),
        ("content/loopback.md", "local-only host name"),
        ("content/loopback.md", "the unspecified address"),
        ("content/loopback.md", "credentials"),
        ("content/linked.md", "symbolic link: not read"),
        ("content/linked-dir", "symbolic link: not read"),
        ("data/comments/p/linked.yml", "symbolic link: not read"),
    ] {
        assert!(
            warnings
                .iter()
                .any(|w| w.starts_with(&format!("{file}: ")) && w.contains(needle)),
            "no warning for {file} says {needle:?}:\n{warnings:#?}"
        );
    }
    // Every loopback spelling is refused, each with a warning of its own.
    let refusals = warnings
        .iter()
        .filter(|w| w.starts_with("content/loopback.md: ") && w.contains("refused"))
        .count();
    assert!(refusals >= 18, "{refusals} refusals:\n{warnings:#?}");
}

fn assert_nothing_from_outside(site: &Path, report: &Value) {
    let values: Vec<&str> = report["identities"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["value"].as_str().unwrap())
        .collect();
    for absent in [
        "canary@example.org",
        "canary-data@example.org",
        "huge@",
        "deep-front@",
    ] {
        assert!(
            !values.iter().any(|v| v.contains(absent)),
            "{absent} was read: {values:?}"
        );
    }
    // The symlinked upload and avatar paths fell through to the generated default.
    for value in [
        "symlinked@example.org",
        "leak.png",
        "static/leak-dir/canary.png",
    ] {
        let identity = report["identities"]
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["value"] == value)
            .unwrap_or_else(|| panic!("{value} missing"));
        assert_eq!(identity["provider"], "default", "{identity:#}");
    }
    for entry in walkdir::WalkDir::new(site) {
        let entry = entry.unwrap();
        let name = entry.file_name().to_string_lossy();
        assert!(
            !name.contains("canary.png") || entry.path_is_symlink(),
            "{name}"
        );
        if entry.file_type().is_file() {
            let bytes = std::fs::read(entry.path()).unwrap();
            for secret in [CANARY.as_bytes(), b"root:x:0:0"] {
                assert!(
                    !bytes.windows(secret.len()).any(|w| w == secret),
                    "{} holds outside content",
                    entry.path().display()
                );
            }
        }
    }
    // No published image is the canary's colour.
    for entry in std::fs::read_dir(site.join("public/avatars")).unwrap() {
        let image = image::open(entry.unwrap().path()).unwrap().to_rgb8();
        let [r, g, b] = image.get_pixel(image.width() / 2, image.height() / 2).0;
        assert!(r > 12 || g > 12 || b > 12, "the canary image was published");
    }
}

fn assert_escaped(site: &Path) {
    let page = std::fs::read_to_string(site.join("public/xss/index.html")).unwrap();
    let index = std::fs::read_to_string(site.join("public/index.html")).unwrap();
    for html in [&page, &index] {
        for raw in [
            "<script>alert",
            "<img src=x",
            "<svg",
            "<iframe",
            "href=\"javascript:",
            "src=\"javascript:",
        ] {
            assert!(!html.contains(raw), "{raw} unescaped in\n{html}");
        }
    }
    for escaped in [
        "&lt;&#x2F;title&gt;&lt;script&gt;",
        "&lt;script&gt;alert(&#39;name&#39;)&lt;&#x2F;script&gt;",
        "&lt;svg onload=alert(&#39;data-name&#39;)&gt;",
    ] {
        let plain = escaped.replace("&#x2F;", "/");
        assert!(
            page.contains(escaped) || page.contains(&plain),
            "{escaped} not in\n{page}"
        );
    }
}
