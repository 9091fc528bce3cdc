//! What the binary says to people: every error once, in words, with its path; plurals; one
//! warning per problem; each command's `--help` listing only the flags it uses; request and
//! failure counts that add up.

use std::net::TcpListener;
use std::path::Path;

use crate::support::{run, run_json, s};

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn a_missing_folder_is_said_once_in_words_with_its_path() {
    let temp = tempfile::tempdir().unwrap();
    let missing = temp.path().join("no-such-blog");
    for command in ["build", "scan", "rewrite"] {
        let output = run(&[command, s(&missing)]);
        let stderr = text(&output.stderr);
        assert_eq!(output.status.code(), Some(1), "{command}: {stderr}");
        assert_eq!(
            stderr.lines().count(),
            1,
            "{command}: one line expected: {stderr}"
        );
        assert!(stderr.contains(s(&missing)), "{command}: no path: {stderr}");
        assert!(
            !stderr.contains("os error"),
            "{command}: not in words: {stderr}"
        );
        assert!(
            stderr.contains("no such file or folder"),
            "{command}: {stderr}"
        );
        assert!(!missing.exists(), "{command} created {}", missing.display());
    }
    let config = temp.path().join("nope.toml");
    let output = run(&["build", s(temp.path()), "--config", s(&config)]);
    let stderr = text(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert_eq!(
        stderr.trim(),
        format!(
            "error: cannot read config {}: no such file or folder",
            s(&config)
        )
    );
}

/// A native site with one post; returns its folder.
fn site_with_post(dir: &Path, front_matter: &str) -> std::path::PathBuf {
    let site = dir.join("site");
    std::fs::create_dir_all(site.join("content/posts")).unwrap();
    std::fs::write(
        site.join("content/posts/a.md"),
        format!("---\n{front_matter}---\nHello.\n"),
    )
    .unwrap();
    std::fs::write(
        site.join("blog-avatars.toml"),
        "[site]\nlayout = \"native\"\n",
    )
    .unwrap();
    site
}

#[test]
fn one_refused_url_is_one_warning_and_counts_are_singular() {
    let temp = tempfile::tempdir().unwrap();
    // The email and the URL of one comment are tried together: both use the refused URL.
    let site = site_with_post(
        temp.path(),
        "title: A\ncomments:\n  - name: Eve\n    email: eve@example.org\n    avatar: http://127.0.0.1:9/x.png\n",
    );
    let output = run(&["build", s(&site), "--offline", "--no-progress"]);
    let stdout = text(&output.stdout);
    let stderr = text(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "{stdout}{stderr}");
    let refused: Vec<&str> = stderr
        .lines()
        .filter(|l| l.contains("avatar URL refused"))
        .collect();
    assert_eq!(refused.len(), 1, "{stderr}");
    assert!(
        refused[0].starts_with("warning: content/posts/a.md:"),
        "{stderr}"
    );
    assert!(
        stdout.lines().any(|l| l == "1 warning (on stderr)"),
        "{stdout}"
    );
    let json = run_json(&["build", s(&site), "--offline", "--format", "json"], 0);
    assert_eq!(json["warnings"].as_array().unwrap().len(), 1, "{json:#}");
}

#[test]
fn scan_says_one_identity_and_one_file() {
    let temp = tempfile::tempdir().unwrap();
    let site = site_with_post(temp.path(), "title: A\nemail: ada@example.org\n");
    let output = run(&["scan", s(&site)]);
    let stdout = text(&output.stdout);
    assert!(
        stdout.contains("1 identity in 1 file (native layout), 0 warnings"),
        "{stdout}"
    );
}

/// The long `--help` of a command.
fn help(args: &[&str]) -> String {
    let mut args = args.to_vec();
    args.push("--help");
    let output = run(&args);
    assert_eq!(output.status.code(), Some(0));
    text(&output.stdout)
}

#[test]
fn each_help_lists_the_flags_its_command_uses() {
    let unused = [
        "--strict",
        "--offline",
        "--dry-run",
        "--jobs",
        "--no-progress",
    ];
    for command in [&["scan"][..], &["cache", "stats"], &["cache", "clean"]] {
        let help = help(command);
        for flag in unused {
            assert!(!help.contains(flag), "{command:?} --help lists {flag}");
        }
        assert!(help.contains("--config") && help.contains("--format"));
    }
    let serve = help(&["serve"]);
    for flag in ["--offline", "--jobs", "--config", "--port", "--bind"] {
        assert!(serve.contains(flag), "serve --help lacks {flag}");
    }
    for flag in ["--strict", "--dry-run", "--no-progress"] {
        assert!(!serve.contains(flag), "serve --help lists {flag}");
    }
    for command in ["build", "rewrite"] {
        let help = help(&[command]);
        for flag in [
            "--config",
            "--offline",
            "--strict",
            "--jobs",
            "--format",
            "--quiet",
            "--no-progress",
            "--dry-run",
            "--verbose",
        ] {
            assert!(help.contains(flag), "{command} --help lacks {flag}");
        }
    }
}

#[test]
fn common_flags_still_work_where_they_do_nothing() {
    // Scripts that pass the same flags to every command keep working.
    let temp = tempfile::tempdir().unwrap();
    let site = site_with_post(temp.path(), "title: A\nemail: ada@example.org\n");
    let flags = [
        "--offline",
        "--strict",
        "--dry-run",
        "--no-progress",
        "--jobs",
        "2",
    ];
    let mut scan = vec!["scan", s(&site), "--format", "json"];
    scan.extend(flags);
    assert_eq!(
        run_json(&scan, 0)["identities"][0]["value"],
        "ada@example.org"
    );
    let mut stats = vec!["cache", "stats", s(&site), "--format", "json"];
    stats.extend(flags);
    run_json(&stats, 0);
}

#[test]
fn rewrite_help_and_the_readme_name_the_same_config_places() {
    let help = help(&["rewrite"]);
    let readme =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
    let places = "DIR/blog-avatars.toml, else ./blog-avatars.toml";
    assert!(help.contains(places), "rewrite --help: {help}");
    assert!(
        readme
            .contains("`--config FILE`, else `DIR/blog-avatars.toml`, else `./blog-avatars.toml`"),
        "README"
    );
    assert!(!help.contains("SITE/blog-avatars.toml"), "{help}");
}

#[test]
fn failures_never_outnumber_requests_without_a_reason() {
    // A closed loopback port: the first request fails, the host is then given up on, and later
    // URLs on it are not requested at all.
    let port = {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let temp = tempfile::tempdir().unwrap();
    let mut front = String::from("title: A\ncomments:\n");
    for n in 0..4 {
        front.push_str(&format!("  - name: P{n}\n    email: p{n}@example.org\n"));
    }
    let site = site_with_post(temp.path(), &front);
    std::fs::write(
        site.join("blog-avatars.toml"),
        format!(
            "[site]\nlayout = \"native\"\n[avatars]\nproviders = [\"gravatar\", \"default\"]\n\
             [gravatar]\nbase_url = \"http://127.0.0.1:{port}/avatar/\"\n\
             [http]\nretries = 0\nconcurrency = 1\n"
        ),
    )
    .unwrap();
    let json = run_json(&["build", s(&site), "--format", "json"], 0);
    let net = &json["network"];
    let (requests, failures, not_sent) = (
        net["requests"].as_u64().unwrap(),
        net["failures"].as_u64().unwrap(),
        net["not_sent"].as_u64().unwrap(),
    );
    assert_eq!(failures, 4, "{net}");
    assert!(not_sent > 0, "the host was not given up on: {net}");
    assert_eq!(requests + not_sent, failures, "{net}");

    let output = run(&["build", s(&site), "--no-progress"]);
    let stdout = text(&output.stdout);
    let line = stdout
        .lines()
        .find(|l| l.starts_with("network:"))
        .unwrap_or_else(|| panic!("{stdout}"));
    let n = |count: u64, one: &str, many: &str| {
        if count == 1 {
            format!("1 {one}")
        } else {
            format!("{count} {many}")
        }
    };
    // This run's own numbers (how many requests go out before the host is given up on may
    // differ between runs): every URL failed, either with a request or without one.
    let numbers: Vec<u64> = line
        .split(|c: char| !c.is_ascii_digit())
        .filter_map(|part| part.parse().ok())
        .collect();
    let [requests, failed, _, not_sent, _] = numbers[..] else {
        panic!("{line}");
    };
    assert_eq!(requests, failed, "{line}");
    assert_eq!(failed + not_sent, 4, "{line}");
    assert_eq!(
        line,
        format!(
            "network: {}, {} failed, 0 answered from the cache; {} not requested: 1 host unreachable",
            n(requests, "request", "requests"),
            n(failed, "URL", "URLs"),
            n(not_sent, "URL", "URLs"),
        ),
        "{stdout}"
    );
    // One line for the one cause, not one per identity.
    let grouped: Vec<&str> = stdout
        .lines()
        .filter(|l| l.contains("used the default avatar"))
        .collect();
    assert_eq!(
        grouped,
        ["4 used the default avatar: cannot connect (127.0.0.1)"],
        "{stdout}"
    );
    assert!(
        stdout.contains("4 identities fell back because of an error"),
        "{stdout}"
    );
}
