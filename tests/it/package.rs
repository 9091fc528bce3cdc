//! `cargo package` packs what the crate needs to build (sources, the bundled theme, every file a
//! source `include_str!`s, the licences) and no test fixture, test, fuzz target or benchmark.

use std::path::{Component, Path, PathBuf};
use std::process::Command;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The files `cargo package` would pack, from the committed Cargo.lock, without the network.
fn packaged() -> Vec<String> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let output = Command::new(cargo)
        .current_dir(root())
        .args([
            "package",
            "--list",
            "--locked",
            "--allow-dirty",
            "--offline",
        ])
        .output()
        .unwrap();
    assert!(output.status.success(), "{output:?}");
    String::from_utf8(output.stdout)
        .unwrap()
        .lines()
        .map(str::to_owned)
        .collect()
}

/// Every `include_str!("…")`/`include_bytes!("…")` target under `src/`, relative to the root.
fn included_files() -> Vec<String> {
    let mut targets = Vec::new();
    for entry in walkdir::WalkDir::new(root().join("src")) {
        let entry = entry.unwrap();
        if entry.path().extension().is_none_or(|e| e != "rs") {
            continue;
        }
        let text = std::fs::read_to_string(entry.path()).unwrap();
        for macro_name in ["include_str!(\"", "include_bytes!(\""] {
            for rest in text.split(macro_name).skip(1) {
                let target = rest.split('"').next().unwrap();
                let path = entry.path().parent().unwrap().join(target);
                targets.push(relative(&path));
            }
        }
    }
    targets
}

/// `path` without `..`, relative to the crate root, `/`-separated.
fn relative(path: &Path) -> String {
    let mut clean = PathBuf::new();
    for component in path.components() {
        match component {
            Component::ParentDir => {
                clean.pop();
            }
            Component::CurDir => {}
            other => clean.push(other),
        }
    }
    clean
        .strip_prefix(root())
        .unwrap()
        .to_string_lossy()
        .replace('\\', "/")
}

#[test]
fn the_package_holds_what_the_crate_needs_and_no_test_data() {
    let files = packaged();
    for forbidden in [
        "tests/",
        "fixtures/",
        "fuzz/",
        "bench/",
        "benches/",
        ".ci/",
        "target/",
    ] {
        let packed: Vec<&String> = files.iter().filter(|f| f.starts_with(forbidden)).collect();
        assert!(packed.is_empty(), "{forbidden} packed: {packed:?}");
    }
    assert!(
        !files.iter().any(|f| f == "test"),
        "the test runner script is packed"
    );
    let included = included_files();
    assert!(
        included.iter().any(|f| f == "templates/base.html"),
        "{included:?}"
    );
    assert!(
        included.iter().any(|f| f.starts_with("src/serve/")),
        "{included:?}"
    );
    for needed in included.iter().map(String::as_str).chain([
        "LICENSE-MIT",
        "LICENSE-APACHE",
        "README.md",
        "Cargo.lock",
        "src/main.rs",
        "src/lib.rs",
        "templates/base.html",
        "templates/index.html",
        "templates/post.html",
        "templates/style.css",
    ]) {
        assert!(
            files.iter().any(|f| f == needed),
            "{needed} not packed: {files:?}"
        );
    }
}

#[test]
fn the_manifest_has_the_metadata_crates_io_shows() {
    let manifest: toml::Table =
        toml::from_str(&std::fs::read_to_string(root().join("Cargo.toml")).unwrap()).unwrap();
    let package = manifest["package"].as_table().unwrap();
    assert_eq!(package["license"].as_str(), Some("MIT OR Apache-2.0"));
    for key in ["repository", "homepage", "documentation", "description"] {
        let value = package[key].as_str().unwrap();
        assert!(!value.is_empty(), "{key}");
    }
    assert!(
        package["repository"]
            .as_str()
            .unwrap()
            .starts_with("https://github.com/")
    );
    assert_eq!(package["readme"].as_str(), Some("README.md"));
    let keywords = package["keywords"].as_array().unwrap();
    assert!(
        (1..=5).contains(&keywords.len()),
        "crates.io takes at most 5 keywords"
    );
    for keyword in keywords {
        let keyword = keyword.as_str().unwrap();
        assert!(
            keyword.len() <= 20
                && keyword
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-'),
            "{keyword}"
        );
    }
    // Slugs from crates.io's category list.
    let known = [
        "command-line-utilities",
        "web-programming",
        "multimedia::images",
    ];
    let categories = package["categories"].as_array().unwrap();
    assert!(!categories.is_empty());
    for category in categories {
        assert!(known.contains(&category.as_str().unwrap()), "{category}");
    }
    let mit = std::fs::read_to_string(root().join("LICENSE-MIT")).unwrap();
    assert!(mit.starts_with("MIT License") && mit.contains("WITHOUT WARRANTY"));
    let apache = std::fs::read_to_string(root().join("LICENSE-APACHE")).unwrap();
    assert!(apache.contains("Apache License") && apache.contains("Version 2.0, January 2004"));
}
