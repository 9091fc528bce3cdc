//! `blog-avatars serve` as users run it: start-up output, usage errors, SIGTERM.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::support::{copy_site, run, s};

/// Waits for the child to exit, up to `timeout`.
fn wait(child: &mut Child, timeout: Duration) -> Option<std::process::ExitStatus> {
    let deadline = Instant::now() + timeout;
    while Instant::now() < deadline {
        if let Some(status) = child.try_wait().unwrap() {
            return Some(status);
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    None
}

#[cfg(unix)]
#[test]
fn serve_builds_prints_where_it_listens_and_stops_on_sigterm() {
    let (_temp, site) = copy_site("sites/native");
    let mut child = Command::new(env!("CARGO_BIN_EXE_blog-avatars"))
        .args([
            "serve",
            s(&site),
            "--port",
            "0",
            "--offline",
            "--format",
            "json",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let started: serde_json::Value = serde_json::from_str(&line).unwrap_or_else(|e| {
        let _ = child.kill();
        panic!("{e}: {line}")
    });
    assert_eq!(started["layout"], "native");
    assert_eq!(started["first_build"]["ok"], true);
    let upload_url = started["upload_url"].as_str().unwrap();
    assert!(upload_url.starts_with("http://127.0.0.1:"), "{upload_url}");
    // It built before serving.
    assert!(site.join("data/avatars.json").is_file());
    let page = ureq::get(upload_url)
        .call()
        .unwrap()
        .into_body()
        .read_to_string();
    assert!(page.unwrap().contains("Upload an avatar"));

    let killed = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let status = wait(&mut child, Duration::from_secs(15));
    if status.is_none() {
        let _ = child.kill();
    }
    assert_eq!(
        status.and_then(|s| s.code()),
        Some(0),
        "no clean exit on SIGTERM"
    );
}

#[test]
fn bad_addresses_and_configs_are_usage_errors() {
    let (_temp, site) = copy_site("sites/native");
    let output = run(&["serve", s(&site), "--bind", "localhost.evil"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("--bind"));

    std::fs::write(
        site.join("blog-avatars.toml"),
        "[serve]\npreview_ttl_minutes = 0\n",
    )
    .unwrap();
    let output = run(&["serve", s(&site), "--port", "0"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("preview_ttl_minutes"));
}

#[test]
fn a_port_in_use_is_a_runtime_error_naming_the_address() {
    let (_temp, site) = copy_site("sites/native");
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port().to_string();
    let output = run(&["serve", s(&site), "--port", &port, "--offline"]);
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains(&format!("127.0.0.1:{port}")), "{stderr}");
}
