//! Warm builds (issue #16): a second build trusts what it can prove cheaply — published files
//! whose size and modification time are as the last build recorded, cached downloads by their
//! content-addressed names — and `--verify` re-hashes all of it.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::time::Duration;

use sha2::{Digest, Sha256};

use crate::avatar_server::{AvatarServer, md5_hex, png};
use crate::support::{run_json, s};
use blog_avatars::testkit::Response;

fn site() -> (tempfile::TempDir, PathBuf, AvatarServer) {
    let server = AvatarServer::start();
    let (temp, site) = crate::avatar_server::demo_site_on(&server);
    server.configure(&site, "[url]\nallow_private = true\n");
    server.routes.set(
        &format!("/avatar/{}", md5_hex("bob@example.com")),
        Response::ok(png(200, [200, 30, 30])),
    );
    server
        .routes
        .set("/img/heidi.jpg", Response::ok(png(300, [220, 220, 0])));
    (temp, site, server)
}

fn build(site: &Path, extra: &[&str]) -> serde_json::Value {
    let mut args = vec!["build", s(site), "--format", "json"];
    args.extend_from_slice(extra);
    run_json(&args, 0)
}

/// Whether the file holds what its content-addressed name promises.
fn intact(path: &Path) -> bool {
    let stem = path.file_stem().unwrap().to_str().unwrap();
    hex::encode(Sha256::digest(std::fs::read(path).unwrap())).starts_with(stem)
}

/// Overwrites `path` with other bytes of the same length; with `keep_mtime`, puts its
/// modification time back, as a careless tool or a `cp -p` of the wrong file would.
fn tamper(path: &Path, keep_mtime: bool) {
    let modified = std::fs::metadata(path).unwrap().modified().unwrap();
    let mut bytes = std::fs::read(path).unwrap();
    for b in bytes.iter_mut().skip(8) {
        *b = !*b;
    }
    std::fs::write(path, &bytes).unwrap();
    let file = File::options().write(true).open(path).unwrap();
    let when = if keep_mtime {
        modified
    } else {
        // A clock that does not tick between two writes must not hide the change.
        modified + Duration::from_secs(3)
    };
    file.set_modified(when).unwrap();
    assert!(!intact(path));
}

fn one_avatar(site: &Path) -> PathBuf {
    let mut files: Vec<PathBuf> = std::fs::read_dir(site.join("public/avatars"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "webp"))
        .collect();
    files.sort();
    files.into_iter().next().expect("an avatar file")
}

#[test]
fn a_warm_build_trusts_unchanged_files_and_verify_rehashes_them() {
    let (_temp, site, server) = site();
    let cold = build(&site, &[]);
    assert!(cold["files"]["written"].as_u64().unwrap() > 0, "{cold:#}");
    let before = server.requests();
    let warm = build(&site, &[]);
    assert_eq!(server.requests(), before, "the warm build made requests");
    assert_eq!(warm["files"]["written"], 0, "{warm:#}");
    assert_eq!(warm["files"]["decoded"], 0, "{warm:#}");

    // Same size, same modification time: trusted without reading (the manifest's bargain).
    let avatar = one_avatar(&site);
    tamper(&avatar, true);
    let trusted = build(&site, &[]);
    assert_eq!(trusted["files"]["written"], 0, "{trusted:#}");
    assert!(
        !intact(&avatar),
        "an unchanged stamp is trusted without --verify"
    );
    // --verify hashes every file and repairs it.
    let verified = build(&site, &["--verify"]);
    assert_eq!(verified["files"]["written"], 1, "{verified:#}");
    assert!(intact(&avatar));

    // Nothing is trusted once its modification time differs...
    tamper(&avatar, false);
    let repaired = build(&site, &[]);
    assert_eq!(repaired["files"]["written"], 1, "{repaired:#}");
    assert!(intact(&avatar));
    // ... or its size.
    let mut bytes = std::fs::read(&avatar).unwrap();
    bytes.push(0);
    let modified = std::fs::metadata(&avatar).unwrap().modified().unwrap();
    std::fs::write(&avatar, &bytes).unwrap();
    File::options()
        .write(true)
        .open(&avatar)
        .unwrap()
        .set_modified(modified)
        .unwrap();
    let repaired = build(&site, &[]);
    assert_eq!(repaired["files"]["written"], 1, "{repaired:#}");
    assert!(intact(&avatar));
    assert_eq!(server.requests(), before, "repairs need no download");
}

#[test]
fn cached_downloads_are_trusted_by_name_and_verify_fetches_a_damaged_one_again() {
    let (_temp, site, server) = site();
    build(&site, &[]);
    let blobs = site.join(".blog-avatars-cache/blobs");
    let mut damaged = Vec::new();
    for entry in std::fs::read_dir(&blobs).unwrap() {
        let path = entry.unwrap().path();
        tamper(&path, true);
        damaged.push(path);
    }
    assert!(!damaged.is_empty());
    // Rendered before: the warm build needs neither the bytes nor the network.
    let before = server.requests();
    let warm = build(&site, &[]);
    assert_eq!(server.requests(), before, "{warm:#}");
    assert_eq!(warm["files"]["decoded"], 0, "{warm:#}");
    // --verify reads every cached download: a damaged one is downloaded again.
    let verified = build(&site, &["--verify"]);
    assert!(server.requests() > before, "{verified:#}");
    assert_eq!(verified["errors"], 0, "{verified:#}");
    for path in &damaged {
        assert!(
            hex::encode(Sha256::digest(std::fs::read(path).unwrap()))
                == path.file_name().unwrap().to_str().unwrap(),
            "{} still damaged",
            path.display()
        );
    }
}

#[test]
fn a_damaged_download_is_never_rendered_when_the_rendered_cache_misses() {
    let (_temp, site, server) = site();
    build(&site, &[]);
    for entry in std::fs::read_dir(site.join(".blog-avatars-cache/blobs")).unwrap() {
        tamper(&entry.unwrap().path(), true);
    }
    // Without the rendered cache the sources must be read: the damaged bytes are refused, not
    // published (the chain goes on to the next provider), and the entry is dropped.
    std::fs::remove_dir_all(site.join(".blog-avatars-cache/rendered")).unwrap();
    std::fs::remove_file(site.join(".blog-avatars-cache/rendered.json")).unwrap();
    let report = build(&site, &[]);
    let bob = crate::support::identity(&report, "bob@example.com");
    assert_ne!(bob["provider"], "gravatar", "{bob:#}");
    assert!(
        bob["attempts"]
            .to_string()
            .contains("does not match its name"),
        "{bob:#}"
    );
    // The next build downloads it again.
    let before = server.requests();
    let again = build(&site, &[]);
    assert!(server.requests() > before);
    let bob = crate::support::identity(&again, "bob@example.com");
    assert_eq!(bob["provider"], "gravatar", "{bob:#}");
    // The download replaced the damaged blob of the same name.
    for entry in std::fs::read_dir(site.join(".blog-avatars-cache/blobs")).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_str().unwrap().to_owned();
        let digest = hex::encode(Sha256::digest(std::fs::read(&path).unwrap()));
        assert_eq!(digest, name, "still damaged");
    }
}
