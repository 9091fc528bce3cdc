//! Each attempt outcome through the real binary: the exact `attempts[]` JSON of `found`,
//! `no_avatar`, `not_applicable`, `skipped`, `error` and `planned`, and the exit code each gives
//! with `--strict` (3 only for an error).

use std::path::{Path, PathBuf};

use serde_json::{Value, json};

use crate::avatar_server::{AvatarServer, md5_hex, png};
use crate::support::{run_json, s};
use blog_avatars::testkit::Response;

/// A native site of one post with three commenters, Gravatar and GitHub on `server`:
/// `found@` has a Gravatar, `none@` has none (404), Gravatar fails for `broken@` (503).
fn site_on(server: &AvatarServer) -> (tempfile::TempDir, PathBuf) {
    let temp = tempfile::tempdir().unwrap();
    let site = temp.path().join("site");
    std::fs::create_dir_all(site.join("content/posts")).unwrap();
    std::fs::write(
        site.join("content/posts/p.md"),
        "---\ntitle: P\ncomments:\n  - email: found@example.org\n  - email: none@example.org\n  \
         - email: broken@example.org\n---\nBody.\n",
    )
    .unwrap();
    server.configure(
        &site,
        "[site]\nlayout = \"native\"\n[avatars]\nproviders = [\"gravatar\", \"github\", \"default\"]\n",
    );
    let routes = &server.routes;
    routes.set(
        &format!("/avatar/{}", md5_hex("found@example.org")),
        Response::ok(png(160, [10, 120, 200])),
    );
    routes.set(
        &format!("/avatar/{}", md5_hex("broken@example.org")),
        Response::status(503),
    );
    (temp, site)
}

fn attempts<'a>(report: &'a Value, email: &str) -> &'a Value {
    &crate::support::identity(report, email)["attempts"]
}

fn gravatar_url(server: &AvatarServer, email: &str) -> String {
    format!(
        "{}{}?s=160&d=404",
        server.server.url("/avatar/"),
        md5_hex(email)
    )
}

fn build(site: &Path, flags: &[&str], code: i32) -> Value {
    let args = [&["build", s(site), "--format", "json"], flags].concat();
    run_json(&args, code)
}

#[test]
fn every_outcome_has_its_json_and_strict_exit_code() {
    let server = AvatarServer::start();
    let (_temp, site) = site_on(&server);
    let default = json!({ "provider": "default", "outcome": "found" });
    let github = json!({ "provider": "github", "outcome": "not_applicable" });

    // planned: the URLs it would try; nothing is sent, and --strict has nothing to fail on.
    let plan = build(&site, &["--dry-run", "--strict"], 0);
    assert_eq!(
        attempts(&plan, "none@example.org"),
        &json!([
            { "provider": "gravatar", "outcome": "planned",
              "detail": gravatar_url(&server, "none@example.org") },
            github,
            { "provider": "default", "outcome": "planned", "detail": "identicon" },
        ]),
        "{plan:#}"
    );
    assert_eq!(server.requests(), 0);

    // skipped: offline with an empty cache is not an error.
    let offline = build(&site, &["--offline", "--strict"], 0);
    let skipped = json!({
        "provider": "gravatar", "outcome": "skipped", "detail": "offline and not cached"
    });
    for email in [
        "found@example.org",
        "none@example.org",
        "broken@example.org",
    ] {
        assert_eq!(
            attempts(&offline, email),
            &json!([skipped, github, default]),
            "{offline:#}"
        );
    }
    assert_eq!(offline["errors"], 0);
    assert_eq!(server.requests(), 0);

    // found, no_avatar, not_applicable and error; only the error makes --strict exit 3.
    let report = build(&site, &["--strict"], 3);
    assert_eq!(
        attempts(&report, "found@example.org"),
        &json!([{ "provider": "gravatar", "outcome": "found" }]),
        "{report:#}"
    );
    assert_eq!(
        attempts(&report, "none@example.org"),
        &json!([
            { "provider": "gravatar", "outcome": "no_avatar", "detail": "not found (404)" },
            github,
            default,
        ]),
        "{report:#}"
    );
    assert_eq!(
        attempts(&report, "broken@example.org"),
        &json!([
            { "provider": "gravatar", "outcome": "error",
              "detail": format!("{}: HTTP status 503", gravatar_url(&server, "broken@example.org")) },
            github,
            default,
        ]),
        "{report:#}"
    );
    assert_eq!(report["errors"], 1);
    for (email, error) in [
        ("found@example.org", false),
        ("none@example.org", false),
        ("broken@example.org", true),
    ] {
        assert_eq!(crate::support::identity(&report, email)["error"], error);
    }
    // Without --strict the same build succeeds.
    build(&site, &[], 0);

    // Once Gravatar answers, --strict passes again.
    server.routes.set(
        &format!("/avatar/{}", md5_hex("broken@example.org")),
        Response::status(404),
    );
    let fixed = build(&site, &["--strict"], 0);
    assert_eq!(
        attempts(&fixed, "broken@example.org")[0]["outcome"],
        "no_avatar",
        "{fixed:#}"
    );
}
