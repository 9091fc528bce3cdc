//! Shared helpers: fixture sites in temp dirs, running the binary.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use tempfile::TempDir;

/// The repository's `fixtures/` directory.
pub fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures")
}

/// Copies `fixtures/<name>` into a fresh temp dir and returns (guard, site path). What a build
/// of the fixture leaves behind (someone ran the README's demo command) is not copied, so every
/// test starts from the committed fixture; nor is an installed `node_modules` (a test that runs
/// Hexo links the fixture's instead of copying thousands of files).
pub fn copy_site(name: &str) -> (TempDir, PathBuf) {
    let temp = tempfile::tempdir().unwrap();
    let site = temp.path().join("site");
    let from = fixtures().join(name);
    let outputs = [
        from.join("public"),
        from.join(".blog-avatars-cache"),
        from.join("data/avatars.json"),
    ];
    for entry in walkdir::WalkDir::new(&from)
        .into_iter()
        .filter_entry(|e| e.file_name() != "node_modules" && !outputs.iter().any(|o| o == e.path()))
    {
        let entry = entry.unwrap();
        let target = site.join(entry.path().strip_prefix(&from).unwrap());
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&target).unwrap();
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
    (temp, site)
}

/// Copies `fixtures/<name>` as [`copy_site`] does, then appends each `(file, text)` to that file
/// of the site, creating it (and its folders) where the fixture has none: the few config lines
/// a test adds to a committed site, so it needs no fixture of its own for them.
pub fn site_with(name: &str, append: &[(&str, &str)]) -> (TempDir, PathBuf) {
    let (temp, site) = copy_site(name);
    for (file, text) in append {
        let path = site.join(file);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&path)
            .and_then(|mut f| f.write_all(text.as_bytes()))
            .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    }
    (temp, site)
}

/// A fresh temp dir holding `files` (path below it, text), folders made as needed: a site with
/// no fixture, such as a built `public/` for `rewrite`.
pub fn temp_with(files: &[(&str, &str)]) -> TempDir {
    let temp = tempfile::tempdir().unwrap();
    for (file, text) in files {
        let path = temp.path().join(file);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, text).unwrap();
    }
    temp
}

/// Runs the binary with `args`.
pub fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_blog-avatars"))
        .args(args)
        .output()
        .unwrap()
}

/// Runs the binary with `args` from `dir`, for the relative paths a user types (`build .`).
pub fn run_in(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_blog-avatars"))
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap()
}

/// What a run printed, stdout then stderr: a message is checked wherever it went.
pub fn said(output: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

/// Runs a site generator (`program`) in `dir` and asserts it succeeded; returns what it printed.
pub fn generator(program: &str, args: &[&str], dir: &Path) -> String {
    let output = Command::new(program)
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap_or_else(|e| panic!("cannot run {program} ({e}): .ci/run installs it"));
    let text = said(&output);
    assert!(
        output.status.success(),
        "{program} {args:?} failed:\n{text}"
    );
    text
}

/// Runs the binary and parses stdout as JSON, asserting the exit code.
pub fn run_json(args: &[&str], code: i32) -> serde_json::Value {
    let output = run(args);
    assert_eq!(
        output.status.code(),
        Some(code),
        "stdout: {}\nstderr: {}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        panic!("{e}: {}", String::from_utf8_lossy(&output.stdout));
    })
}

/// `build --offline --format json` of `site` (exit 0), its report parsed.
pub fn build_offline_json(site: &Path) -> serde_json::Value {
    run_json(
        &[
            "build",
            s(site),
            "--offline",
            "--format",
            "json",
            "--no-progress",
        ],
        0,
    )
}

/// `path` as &str.
pub fn s(path: &Path) -> &str {
    path.to_str().unwrap()
}

/// Asserts that no file name or byte under `dir` contains any of `secrets` (ASCII case ignored).
pub fn assert_no_secrets(dir: &Path, secrets: &[String]) {
    let lowered: Vec<Vec<u8>> = secrets
        .iter()
        .map(|s| s.to_ascii_lowercase().into_bytes())
        .collect();
    let mut files = 0;
    for entry in walkdir::WalkDir::new(dir) {
        let entry = entry.unwrap();
        let name = entry.path().to_string_lossy().to_ascii_lowercase();
        for secret in secrets {
            assert!(
                !name.contains(&secret.to_ascii_lowercase()),
                "{name} contains {secret}"
            );
        }
        if entry.file_type().is_file() {
            files += 1;
            let bytes = std::fs::read(entry.path()).unwrap().to_ascii_lowercase();
            for (secret, needle) in secrets.iter().zip(&lowered) {
                assert!(
                    !bytes.windows(needle.len()).any(|w| w == needle.as_slice()),
                    "{} contains {secret}",
                    entry.path().display()
                );
            }
        }
    }
    assert!(files > 0, "nothing published under {}", dir.display());
}

/// The entry of `value` in the `identities` of a scan or build report.
pub fn identity<'a>(report: &'a serde_json::Value, value: &str) -> &'a serde_json::Value {
    report["identities"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["value"] == value)
        .unwrap_or_else(|| panic!("no identity {value} in {report:#}"))
}

/// (kind, value) pairs of a scan JSON document, in output order.
pub fn kinds_values(scan: &serde_json::Value) -> Vec<(String, String)> {
    scan["identities"]
        .as_array()
        .unwrap()
        .iter()
        .map(|id| {
            (
                id["kind"].as_str().unwrap().to_owned(),
                id["value"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

/// What must never be published for a site, from its scan: every email (normalised and as
/// written), its MD5 and SHA-256, Gravatar hashes and QQ numbers.
pub fn secrets(site: &Path) -> Vec<String> {
    use sha2::Digest;
    let scan = run_json(&["scan", s(site), "--format", "json"], 0);
    let mut secrets = Vec::new();
    for identity in scan["identities"].as_array().unwrap() {
        let value = identity["value"].as_str().unwrap().to_owned();
        match identity["kind"].as_str().unwrap() {
            "email" => {
                secrets.push(hex::encode(md5::Md5::digest(value.as_bytes())));
                secrets.push(hex::encode(sha2::Sha256::digest(value.as_bytes())));
                secrets.extend(identity["qq"].as_str().map(str::to_owned));
                secrets.extend(
                    identity["raw"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .filter_map(|raw| raw.as_str())
                        .map(|raw| raw.trim().to_owned()),
                );
                secrets.push(value);
            }
            "hash" | "qq" => secrets.push(value),
            _ => {}
        }
    }
    secrets.sort();
    secrets.dedup();
    secrets
}
