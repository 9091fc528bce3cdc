//! The README's first code block, as a newcomer runs it: the demo command on a fresh copy of the
//! demo site reads calm, and the test command is what CI runs.

use std::path::Path;
use std::process::Command;

use crate::support::{copy_site, s};

fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The commands of the README's first code block (comments and blank lines left out).
fn first_block_commands() -> Vec<String> {
    let readme = std::fs::read_to_string(repo().join("README.md")).unwrap();
    let start = readme.find("```").expect("a code block in README.md");
    let body = &readme[start..];
    let body = &body[body.find('\n').unwrap() + 1..];
    let end = body.find("```").expect("the first code block ends");
    body[..end]
        .lines()
        .map(|line| line.split('#').next().unwrap().trim().to_owned())
        .filter(|line| !line.is_empty())
        .collect()
}

#[test]
fn the_first_block_is_the_demo_command_and_the_test_command() {
    let commands = first_block_commands();
    assert_eq!(commands.len(), 2, "{commands:?}");
    assert!(
        commands[0].starts_with("cargo run -- build fixtures/demo-site"),
        "{commands:?}"
    );
    let test = &commands[1];
    // CI runs exactly the README's test command, and that command sets up what the tests drive.
    let ci = std::fs::read_to_string(repo().join(".ci/run")).unwrap();
    assert!(
        ci.lines().any(|line| line.trim() == test.as_str()),
        ".ci/run does not run `{test}`"
    );
    for setup in ["apt-get", "npm ci", "chromium", "hugo", "jekyll"] {
        assert!(
            !ci.contains(setup),
            ".ci/run sets up `{setup}` itself: the test command must do it"
        );
    }
    let script = std::fs::read_to_string(repo().join(test.trim_start_matches("./"))).unwrap();
    for needed in [
        "chromium",
        "chromium-driver",
        "hugo",
        "jekyll",
        "npm ci --prefix",
        "sudo",
        "cargo test --locked",
    ] {
        assert!(
            script.contains(needed),
            "`{test}` does not mention {needed}"
        );
    }
}

#[test]
fn the_demo_command_reads_calm_on_a_fresh_copy() {
    let commands = first_block_commands();
    let words: Vec<&str> = commands[0].split_whitespace().collect();
    assert_eq!(&words[..3], ["cargo", "run", "--"], "{words:?}");
    let (_temp, site) = copy_site("demo-site");
    let args: Vec<&str> = words[3..]
        .iter()
        .map(|w| {
            if *w == "fixtures/demo-site" {
                s(&site)
            } else {
                w
            }
        })
        .collect();
    let output = Command::new(env!("CARGO_BIN_EXE_blog-avatars"))
        .args(&args)
        // No network needed, and none tried: a build that reached for it would fail here.
        .env("HTTPS_PROXY", "http://127.0.0.1:9")
        .env("HTTP_PROXY", "http://127.0.0.1:9")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "{stdout}\n{stderr}");
    assert!(stderr.trim().is_empty(), "the demo warns: {stderr}");
    let lines: Vec<&str> = stdout.lines().collect();
    assert!(lines.len() <= 5, "not a short summary:\n{stdout}");
    for noisy in [
        "host name not found",
        "unreachable",
        "error",
        "http://",
        "https://",
        "fell back",
        "warning",
    ] {
        assert!(
            !stdout.to_lowercase().contains(noisy),
            "`{noisy}` in the demo's output:\n{stdout}"
        );
    }
    assert!(
        lines[0].starts_with("11 identities resolved (native layout)"),
        "{stdout}"
    );
    // Identities without their own avatar: one line for their one cause.
    assert!(
        lines.contains(&"8 used the default avatar: offline, not in the cache"),
        "{stdout}"
    );
    assert!(site.join("public/index.html").is_file());

    // The details are one flag away.
    let mut verbose = args.clone();
    verbose.push("--verbose");
    let output = Command::new(env!("CARGO_BIN_EXE_blog-avatars"))
        .args(&verbose)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(stdout.contains("details:"), "{stdout}");
    assert!(
        stdout.contains("  qq 20005678 → default\n"),
        "each identity without its own avatar is listed: {stdout}"
    );
    assert!(
        stdout.contains("    gravatar: skipped: offline and not cached\n"),
        "{stdout}"
    );
}
