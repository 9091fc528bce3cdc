//! The cache through the binary: `cache stats`, `cache clean`, revalidation after the TTL, and
//! two builds sharing one cache.

use crate::avatar_server::{AvatarServer, md5_hex, png};
use crate::support::{run, run_json, s};
use blog_avatars::testkit::Response;

fn site_with_server() -> (tempfile::TempDir, std::path::PathBuf, AvatarServer) {
    let server = AvatarServer::start();
    let (temp, site) = crate::avatar_server::demo_site_on(&server);
    server.configure(&site, "");
    server.routes.set(
        &format!("/avatar/{}", md5_hex("bob@example.com")),
        Response::ok(png(160, [10, 120, 200])).header("ETag", "\"bob-v1\""),
    );
    (temp, site, server)
}

#[test]
fn stats_and_clean() {
    let (_temp, site, server) = site_with_server();
    run_json(&["build", s(&site), "--format", "json"], 0);
    let stats = run_json(&["cache", "stats", s(&site), "--format", "json"], 0);
    assert!(stats["entries"].as_u64().unwrap() >= 5, "{stats:#}");
    assert!(stats["missing"].as_u64().unwrap() >= 4, "{stats:#}");
    assert!(stats["download_bytes"].as_u64().unwrap() > 0);
    assert!(stats["rendered_files"].as_u64().unwrap() > 0);
    assert!(stats["last_run_misses"].as_u64().unwrap() > 0, "{stats:#}");
    run_json(&["build", s(&site), "--format", "json"], 0);
    let warm = run_json(&["cache", "stats", s(&site), "--format", "json"], 0);
    assert_eq!(warm["last_run_misses"], 0, "{warm:#}");
    assert!(warm["last_run_hits"].as_u64().unwrap() > 0);
    let human = String::from_utf8(run(&["cache", "stats", s(&site)]).stdout).unwrap();
    assert!(human.contains("entries:"), "{human}");

    let kept = run_json(
        &[
            "cache",
            "clean",
            s(&site),
            "--older-than",
            "30d",
            "--format",
            "json",
        ],
        0,
    );
    assert_eq!(kept["entries_removed"], 0);
    let cleaned = run_json(&["cache", "clean", s(&site), "--format", "json"], 0);
    assert_eq!(cleaned["entries_kept"], 0);
    assert!(cleaned["entries_removed"].as_u64().unwrap() >= 5);
    let empty = run_json(&["cache", "stats", s(&site), "--format", "json"], 0);
    assert_eq!(empty["entries"], 0);
    assert_eq!(empty["rendered_files"], 0);
    let before = server.requests();
    run_json(&["build", s(&site), "--format", "json"], 0);
    assert!(
        server.requests() > before,
        "a cleaned cache must fetch again"
    );
    assert_eq!(
        run(&["cache", "clean", s(&site), "--older-than", "soon"])
            .status
            .code(),
        Some(2)
    );
}

#[test]
fn after_the_ttl_requests_are_conditional() {
    let (_temp, site, server) = site_with_server();
    std::fs::write(
        site.join("blog-avatars.toml"),
        server
            .config("")
            .replace("retries = 1", "retries = 1\nttl_hours = 0"),
    )
    .unwrap();
    run_json(&["build", s(&site), "--format", "json"], 0);
    run_json(&["build", s(&site), "--format", "json"], 0);
    let path = format!("/avatar/{}?s=160&d=404", md5_hex("bob@example.com"));
    let bob: Vec<_> = server
        .server
        .requests()
        .into_iter()
        .filter(|r| r.path == path)
        .collect();
    assert_eq!(bob.len(), 2, "{bob:?}");
    assert_eq!(bob[0].header("If-None-Match"), None);
    assert_eq!(bob[1].header("If-None-Match"), Some("\"bob-v1\""));
}

#[test]
fn two_builds_sharing_one_cache_both_succeed_with_identical_output() {
    let (_temp, site, server) = site_with_server();
    let (_temp2, other) = crate::avatar_server::demo_site_on(&server);
    std::fs::copy(
        site.join("blog-avatars.toml"),
        other.join("blog-avatars.toml"),
    )
    .unwrap();
    let cache = site.join(".blog-avatars-cache");
    let config = std::fs::read_to_string(other.join("blog-avatars.toml")).unwrap()
        + &format!("cache_dir = \"{}\"\n", cache.display());
    std::fs::write(other.join("blog-avatars.toml"), config).unwrap();
    let sites = [site.clone(), other.clone()];
    let outputs: Vec<_> = std::thread::scope(|scope| {
        let handles: Vec<_> = sites
            .iter()
            .map(|dir| scope.spawn(move || run(&["build", s(dir), "--format", "json"])))
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    for output in &outputs {
        assert_eq!(output.status.code(), Some(0), "{output:?}");
    }
    let data = |dir: &std::path::Path| std::fs::read(dir.join("data/avatars.json")).unwrap();
    assert_eq!(data(&site), data(&other));
    let stats = run_json(&["cache", "stats", s(&site), "--format", "json"], 0);
    assert!(stats["entries"].as_u64().unwrap() >= 5, "{stats:#}");
}
