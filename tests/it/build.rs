//! `blog-avatars build` end to end: fixture sites, every provider pointed at a loopback server.

use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::avatar_server::{AvatarServer, md5_hex, placeholder, png};
use crate::support::{copy_site, run, run_json, s};
use blog_avatars::testkit::Response;

/// The demo site with Heidi's avatar URL pointed at the server, and the server's routes set so
/// that each provider wins for someone.
fn demo_with_every_provider() -> (tempfile::TempDir, PathBuf, AvatarServer) {
    let server = AvatarServer::start();
    let (temp, site) = crate::avatar_server::demo_site_on(&server);
    server.configure(&site, "[url]\nallow_private = true\n");
    let routes = &server.routes;
    routes.set(
        &format!("/avatar/{}", md5_hex("bob@example.com")),
        Response::ok(png(200, [200, 30, 30])),
    );
    routes.set("/qq/10001234/640", Response::ok(placeholder()));
    routes.set("/qq/10001234/140", Response::ok(png(140, [30, 200, 30])));
    routes.set("/gh/carol-dev.png", Response::ok(png(100, [30, 30, 200])));
    routes.set("/img/heidi.jpg", Response::ok(png(300, [220, 220, 0])));
    (temp, site, server)
}

fn read_json(path: &Path) -> Value {
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}

fn provider_of<'a>(data: &'a Value, raw: &str) -> &'a str {
    data["avatars"][raw]["provider"]
        .as_str()
        .unwrap_or_else(|| panic!("no data file entry for {raw:?}: {data:#}"))
}

/// Pixel size of an avatar file by its URL.
fn pixels(site: &Path, url: &str) -> (u32, u32) {
    let name = url.strip_prefix("/avatars/").unwrap();
    let bytes = std::fs::read(site.join("public/avatars").join(name)).unwrap();
    let image = image::load_from_memory(&bytes).unwrap();
    (image.width(), image.height())
}

#[test]
fn every_provider_wins_for_someone_and_the_data_file_points_at_real_files() {
    let (_temp, site, server) = demo_with_every_provider();
    let report = run_json(&["build", s(&site), "--format", "json"], 0);
    let data = read_json(&site.join("data/avatars.json"));
    assert_eq!(data["version"], 1);
    for (raw, provider) in [
        ("ada@example.org", "local"),
        ("Bob@Example.com", "gravatar"),
        ("10001234@qq.com", "qq"),
        ("carol-dev", "github"),
        ("heidi@example.com", "url"),
        ("grace@example.org", "local"),
        ("/images/grace.png", "local"),
        ("20005678", "default"),
        ("erin@example.net", "default"),
        ("7f4e5d8a9f1b6c3e2d4a5b6c7d8e9f00", "default"),
    ] {
        assert_eq!(provider_of(&data, raw), provider, "{raw}");
    }
    // Every entry has both sizes at 1x and 2x, as real files of the right pixel size.
    for (raw, entry) in data["avatars"].as_object().unwrap() {
        for (css, px) in [("40", 40), ("80", 80)] {
            let urls = &entry["sizes"][css];
            assert_eq!(
                pixels(&site, urls["1x"].as_str().unwrap()),
                (px, px),
                "{raw}"
            );
            assert_eq!(
                pixels(&site, urls["2x"].as_str().unwrap()),
                (px * 2, px * 2),
                "{raw}"
            );
        }
    }
    // The QQ placeholder was recognised and the 140 px picture used instead (green).
    let qq_url = data["avatars"]["10001234@qq.com"]["sizes"]["40"]["1x"]
        .as_str()
        .unwrap();
    let qq_pixel = image::open(site.join("public").join(&qq_url[1..]))
        .unwrap()
        .to_rgb8()
        .get_pixel(20, 20)
        .0;
    assert!(qq_pixel[1] > 150 && qq_pixel[0] < 100, "{qq_pixel:?}");
    // Content-addressed names: <16 hex>.webp
    let names: Vec<String> = std::fs::read_dir(site.join("public/avatars"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(
        names.iter().all(|n| n.len() == 21 && n.ends_with(".webp")),
        "{names:?}"
    );
    let carol = crate::support::identity(&report, "carol-dev");
    assert_eq!(carol["upscaled"], true, "100 px source made into 160 px");
    assert_eq!(report["errors"], 0, "{report:#}");
    assert_eq!(report["totals"]["default"], 3);

    // A second build within the TTL sends nothing and writes nothing.
    let before = server.requests();
    let again = run_json(&["build", s(&site), "--format", "json"], 0);
    assert_eq!(server.requests(), before, "warm build made requests");
    assert_eq!(again["network"]["requests"], 0);
    assert_eq!(again["files"]["written"], 0);
    assert_eq!(
        again["files"]["decoded"], 0,
        "warm build decoded images again"
    );
    assert_eq!(read_json(&site.join("data/avatars.json")), data);
}

#[test]
fn published_output_leaks_no_email_hash_or_qq_number() {
    let (_temp, site, _server) = demo_with_every_provider();
    run_json(&["build", s(&site), "--format", "json"], 0);
    let secrets = crate::support::secrets(&site);
    assert!(secrets.len() > 10);
    crate::support::assert_no_secrets(&site.join("public"), &secrets);
}

#[test]
fn strict_exits_3_when_a_provider_fails_with_an_error() {
    let (_temp, site, server) = demo_with_every_provider();
    server.routes.set(
        &format!("/avatar/{}", md5_hex("bob@example.com")),
        Response::status(503),
    );
    let report = run_json(&["build", s(&site), "--format", "json"], 0);
    let bob = crate::support::identity(&report, "bob@example.com").clone();
    assert_eq!(bob["provider"], "default");
    assert_eq!(bob["error"], true);
    let gravatar = &bob["attempts"][2];
    assert_eq!(gravatar["provider"], "gravatar");
    assert_eq!(gravatar["outcome"], "error");
    assert!(
        gravatar["detail"].as_str().unwrap().contains("503"),
        "{gravatar}"
    );
    assert_eq!(report["errors"], 1);
    // Not cached as an answer: a --strict rerun still sees the failure.
    let strict = run(&["build", s(&site), "--strict"]);
    assert_eq!(strict.status.code(), Some(3));
    let text = String::from_utf8(strict.stdout).unwrap();
    assert!(text.contains("bob@example.com"), "{text}");
}

#[test]
fn an_html_page_served_as_png_is_refused_and_the_chain_goes_on() {
    let (_temp, site, server) = demo_with_every_provider();
    server.routes.set(
        &format!("/avatar/{}", md5_hex("bob@example.com")),
        Response::ok("<!doctype html><title>blocked</title>").header("Content-Type", "image/png"),
    );
    let report = run_json(&["build", s(&site), "--format", "json"], 0);
    let bob = crate::support::identity(&report, "bob@example.com").clone();
    assert_eq!(bob["provider"], "default");
    assert!(
        bob["attempts"][2]["detail"]
            .as_str()
            .unwrap()
            .contains("HTML"),
        "{bob}"
    );
}

#[test]
fn content_urls_to_loopback_are_refused_unless_allowed() {
    let (_temp, site, server) = demo_with_every_provider();
    // The same site, but content may not reach private addresses (the default).
    server.configure(&site, "");
    let report = run_json(&["build", s(&site), "--format", "json"], 0);
    assert_eq!(
        server.server.count_for("/img/heidi.jpg"),
        0,
        "loopback URL was fetched"
    );
    let warnings = report["warnings"].to_string();
    assert!(warnings.contains("entry1700000200000.toml"), "{warnings}");
    assert!(warnings.contains("loopback"), "{warnings}");
    let data = read_json(&site.join("data/avatars.json"));
    assert_ne!(provider_of(&data, "heidi@example.com"), "url");
}

#[test]
fn dry_run_plans_without_network_or_writes() {
    let (_temp, site, server) = demo_with_every_provider();
    let report = run_json(&["build", s(&site), "--dry-run", "--format", "json"], 0);
    assert_eq!(server.requests(), 0);
    assert!(!site.join("public").exists());
    assert!(!site.join("data/avatars.json").exists());
    assert!(!site.join(".blog-avatars-cache").exists());
    assert_eq!(report["dry_run"], true);
    let bob = crate::support::identity(&report, "bob@example.com").clone();
    let plan = bob["attempts"][2]["detail"].as_str().unwrap();
    assert!(plan.contains(&md5_hex("bob@example.com")), "{plan}");
    assert!(plan.contains("d=404"), "{plan}");
}

#[test]
fn offline_uses_the_cache_and_local_files_only() {
    let (_temp, site, server) = demo_with_every_provider();
    run_json(&["build", s(&site), "--format", "json"], 0);
    let data = read_json(&site.join("data/avatars.json"));
    let before = server.requests();
    // An expired cache is still used offline.
    std::fs::write(
        site.join("blog-avatars.toml"),
        server
            .config("[url]\nallow_private = true\n")
            .replace("retries = 1", "retries = 1\nttl_hours = 0"),
    )
    .unwrap();
    run_json(&["build", s(&site), "--offline", "--format", "json"], 0);
    assert_eq!(server.requests(), before);
    assert_eq!(read_json(&site.join("data/avatars.json")), data);
    // A fresh copy offline: local uploads and defaults, no request, no error.
    let (_temp2, fresh, _unused) = demo_with_every_provider();
    let report = run_json(
        &[
            "build",
            s(&fresh),
            "--offline",
            "--strict",
            "--format",
            "json",
        ],
        0,
    );
    assert_eq!(report["network"]["requests"], 0);
    let fresh_data = read_json(&fresh.join("data/avatars.json"));
    assert_eq!(provider_of(&fresh_data, "ada@example.org"), "local");
    assert_eq!(provider_of(&fresh_data, "Bob@Example.com"), "default");
}

#[test]
fn every_layout_publishes_where_its_generator_expects() {
    let server = AvatarServer::start();
    for (name, avatar_dir, prefix, data_file) in [
        ("zola", "static/avatars", "/avatars/", "data/avatars.json"),
        ("hugo", "static/avatars", "/avatars/", "data/avatars.json"),
        (
            "jekyll",
            "assets/avatars",
            "/assets/avatars/",
            "_data/avatars.json",
        ),
        (
            "hexo",
            "source/avatars",
            "/avatars/",
            "source/_data/avatars.json",
        ),
        ("native", "public/avatars", "/avatars/", "data/avatars.json"),
    ] {
        let (_temp, site) = copy_site(&format!("sites/{name}"));
        server.configure(&site, "");
        run_json(&["build", s(&site), "--format", "json"], 0);
        let data = read_json(&site.join(data_file));
        let entries = data["avatars"].as_object().unwrap();
        assert!(!entries.is_empty(), "{name}");
        for entry in entries.values() {
            let url = entry["sizes"]["80"]["2x"].as_str().unwrap();
            let file = url
                .strip_prefix(prefix)
                .unwrap_or_else(|| panic!("{name}: {url}"));
            assert!(site.join(avatar_dir).join(file).is_file(), "{name}: {url}");
        }
    }
}

#[test]
fn files_no_longer_used_are_pruned_and_nothing_else_is_touched() {
    let (_temp, site, _server) = demo_with_every_provider();
    run_json(&["build", s(&site), "--format", "json"], 0);
    let avatars = site.join("public/avatars");
    std::fs::write(avatars.join("README.txt"), "mine").unwrap();
    let count = |dir: &Path| std::fs::read_dir(dir).unwrap().count();
    let before = count(&avatars);
    std::fs::remove_file(site.join("content/posts/json-front-matter.md")).unwrap();
    let report = run_json(&["build", s(&site), "--format", "json"], 0);
    // Erin's identicon at 40, 80 and 160 px is gone; the user's file stays.
    assert_eq!(report["files"]["pruned"], 3, "{report:#}");
    assert_eq!(count(&avatars), before - 3);
    assert!(avatars.join("README.txt").is_file());
}

#[test]
fn a_dead_host_fails_fast() {
    let (_temp, site) = copy_site("sites/native");
    let mut front = String::from("---\ntitle: many\ncomments:\n");
    for i in 0..60 {
        front.push_str(&format!("  - email: user{i}@example.org\n"));
    }
    front.push_str("---\n");
    std::fs::write(site.join("content/many.md"), front).unwrap();
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let dead = format!("http://{}/", closed.local_addr().unwrap());
    drop(closed);
    std::fs::write(
        site.join("blog-avatars.toml"),
        format!(
            "[gravatar]\nbase_url = \"{dead}avatar/\"\n[libravatar]\nbase_url = \"{dead}lib/\"\n\
             [http]\ntimeout_s = 5\n"
        ),
    )
    .unwrap();
    // Counted, not timed (timings flake on a loaded machine): the requests below show it.
    let report = run_json(&["build", s(&site), "--format", "json"], 0);
    assert_eq!(report["totals"]["default"], 62);
    assert_eq!(report["errors"], 62);
    // Fewer requests than URLs: the dead host was given up on, not asked 124 times.
    assert!(
        report["network"]["requests"].as_u64().unwrap() < 62,
        "{report:#}"
    );
}

#[test]
fn provider_order_hash_choice_and_libravatar_come_from_the_config() {
    let (_temp, site) = copy_site("sites/native");
    let server = AvatarServer::start();
    use sha2::Digest;
    let olga_sha = hex::encode(sha2::Sha256::digest(b"olga@example.org"));
    // Olga is on Gravatar only by SHA-256; the native author only on Libravatar.
    server.routes.set(
        &format!("/avatar/{olga_sha}"),
        Response::ok(png(160, [9, 9, 9])),
    );
    server.routes.set(
        &format!("/lib/avatar/{}", md5_hex("native@example.org")),
        Response::ok(png(160, [90, 90, 90])),
    );
    std::fs::write(
        site.join("blog-avatars.toml"),
        server
            .config("")
            .replace("[gravatar]\n", "[gravatar]\nhash = \"sha256\"\n"),
    )
    .unwrap();
    run_json(&["build", s(&site), "--format", "json"], 0);
    let data = read_json(&site.join("data/avatars.json"));
    assert_eq!(provider_of(&data, "olga@example.org"), "gravatar");
    assert_eq!(provider_of(&data, "native@example.org"), "libravatar");
    // With MD5 (a mirror that knows only MD5), Olga's SHA-256 avatar is not found.
    server.configure(&site, "");
    run_json(&["build", s(&site), "--format", "json"], 0);
    let data = read_json(&site.join("data/avatars.json"));
    assert_eq!(provider_of(&data, "olga@example.org"), "default");

    // Order: with libravatar before everything and no default, the chain stops there, and an
    // identity no provider has gets no entry at all.
    std::fs::write(
        site.join("blog-avatars.toml"),
        server.config("") + "[avatars]\nproviders = [\"libravatar\", \"gravatar\"]\n",
    )
    .unwrap();
    let report = run_json(&["build", s(&site), "--format", "json"], 0);
    let data = read_json(&site.join("data/avatars.json"));
    assert_eq!(provider_of(&data, "native@example.org"), "libravatar");
    assert!(
        data["avatars"].get("olga@example.org").is_none(),
        "{data:#}"
    );
    assert_eq!(report["totals"]["none"], 1, "{report:#}");
    let native = crate::support::identity(&report, "native@example.org");
    let tried: Vec<&str> = native["attempts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["provider"].as_str().unwrap())
        .collect();
    assert_eq!(
        tried,
        ["libravatar"],
        "the chain must stop at the first avatar"
    );
}

#[test]
fn a_configured_default_image_is_used_for_everyone_without_an_avatar() {
    let (_temp, site) = copy_site("sites/native");
    let server = AvatarServer::start();
    std::fs::write(site.join("fallback.png"), png(120, [1, 2, 3])).unwrap();
    std::fs::write(
        site.join("blog-avatars.toml"),
        server.config("")
            + "[avatars]\ndefault = \"fallback.png\"\nsizes = [32]\nformat = \"png\"\n",
    )
    .unwrap();
    run_json(&["build", s(&site), "--format", "json"], 0);
    let data = read_json(&site.join("data/avatars.json"));
    let a = &data["avatars"]["native@example.org"]["sizes"]["32"];
    let b = &data["avatars"]["olga@example.org"]["sizes"]["32"];
    assert_eq!(a, b, "one default image for everyone");
    let file = a["2x"].as_str().unwrap().strip_prefix("/avatars/").unwrap();
    assert!(file.ends_with(".png"));
    let image = image::open(site.join("public/avatars").join(file)).unwrap();
    assert_eq!((image.width(), image.height()), (64, 64));
    assert_eq!(image.to_rgb8().get_pixel(10, 10).0, [1, 2, 3]);
}

#[test]
fn the_native_blog_is_rendered_with_local_avatars_only() {
    let (_temp, site, _server) = demo_with_every_provider();
    let report = run_json(&["build", s(&site), "--format", "json"], 0);
    assert_eq!(report["files"]["pages"], 4, "{report:#}");
    let public = site.join("public");
    let page = std::fs::read_to_string(public.join("hello-world/index.html")).unwrap();
    assert!(page.contains("Welcome to the web!"), "{page}");
    let mut images = 0;
    for entry in walkdir::WalkDir::new(&public) {
        let entry = entry.unwrap();
        if entry.path().extension().is_some_and(|e| e == "html") {
            let html = std::fs::read_to_string(entry.path()).unwrap();
            for src in html.split("src=\"").skip(1) {
                let url = &src[..src.find('"').unwrap()];
                assert!(url.starts_with("/avatars/"), "non-local image {url}");
                assert!(public.join(&url[1..]).is_file(), "{url} missing");
                images += 1;
            }
            assert!(!html.contains("gravatar.com"), "{}", entry.path().display());
            assert!(!html.contains("qlogo.cn"), "{}", entry.path().display());
        }
    }
    assert!(images >= 8, "{images} avatar images");
}

#[test]
fn a_comment_file_holding_a_comments_list_renders_every_comment() {
    let (_temp, site) = copy_site("sites/native");
    AvatarServer::start().configure(&site, "");
    std::fs::write(
        site.join("data/comments/a/list.toml"),
        "[[comments]]\nname = \"Quinn\"\nbody = \"first\"\n\n[[comments]]\nname = \"Rosa\"\nbody = \"second\"\n",
    )
    .unwrap();
    run_json(&["build", s(&site), "--offline", "--format", "json"], 0);
    let page = std::fs::read_to_string(site.join("public/a/index.html")).unwrap();
    assert!(page.contains("Quinn") && page.contains("Rosa"), "{page}");
}

#[test]
fn a_long_build_logs_progress_on_stderr_unless_told_not_to() {
    let (_temp, site) = copy_site("sites/native");
    let mut front = String::from("---\ntitle: slow\ncomments:\n");
    for i in 0..14 {
        front.push_str(&format!("  - email: slow{i}@example.org\n"));
    }
    front.push_str("---\n");
    std::fs::write(site.join("content/slow.md"), front).unwrap();
    let server = blog_avatars::testkit::TestServer::start(|_| {
        Response::status(404).delay(std::time::Duration::from_millis(200))
    });
    std::fs::write(
        site.join("blog-avatars.toml"),
        format!(
            "[gravatar]\nbase_url = \"{}\"\n[libravatar]\nbase_url = \"{}\"\n\
             [http]\nttl_hours = 0\n",
            server.url("/avatar/"),
            server.url("/lib/")
        ),
    )
    .unwrap();
    // Not a terminal: a plain line every few seconds, so CI logs show the build is alive.
    let output = run(&["build", s(&site), "--jobs", "1"]);
    assert_eq!(output.status.code(), Some(0));
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(stderr.contains("progress: "), "{stderr}");
    assert!(stderr.contains("/16 identities resolved"), "{stderr}");
    // Just as slow (the TTL of 0 revalidates everything), but silent.
    let before = server.request_count();
    let quiet = run(&["build", s(&site), "--jobs", "1", "--no-progress"]);
    assert!(server.request_count() >= before + 16);
    let stderr = String::from_utf8(quiet.stderr).unwrap();
    assert!(!stderr.contains("progress: "), "{stderr}");
}

#[test]
fn quiet_prints_nothing_but_errors() {
    let (_temp, site) = copy_site("sites/hostile");
    AvatarServer::start().configure(&site, "");
    let quiet = run(&["build", s(&site), "--offline", "--quiet"]);
    assert_eq!(quiet.status.code(), Some(0));
    assert!(
        quiet.stdout.is_empty(),
        "{}",
        String::from_utf8_lossy(&quiet.stdout)
    );
    assert!(
        quiet.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&quiet.stderr)
    );
    // The same build without --quiet has a report and warnings to show.
    let loud = run(&["build", s(&site), "--offline"]);
    assert!(!loud.stdout.is_empty());
    assert!(String::from_utf8_lossy(&loud.stderr).contains("warning: "));
    // Errors still get through.
    let failed = run(&["build", "/nonexistent/site", "--quiet"]);
    assert_eq!(failed.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&failed.stderr).contains("/nonexistent/site"));
}
