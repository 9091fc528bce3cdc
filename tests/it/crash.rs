//! Crash safety and concurrency through the real binary: builds killed with SIGKILL at random
//! moments leave only whole files, the next build completes and removes what they left, and two
//! builds of one site at the same time both succeed with identical output.

use std::collections::{BTreeMap, BTreeSet};
use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::avatar_server::{AvatarServer, md5_hex, png};
use crate::support::{copy_site, run, run_json, s};
use blog_avatars::testkit::{Response, TestServer};

/// Commenters of the test site.
const PEOPLE: usize = 16;
/// Builds killed in the crash test.
const KILLS: usize = 24;

/// The native fixture site with [`PEOPLE`] more commenters on post `a`.
fn crowded_site() -> (tempfile::TempDir, PathBuf) {
    let (temp, site) = copy_site("sites/native");
    for i in 0..PEOPLE {
        std::fs::write(
            site.join(format!("data/comments/a/c{i:02}.yaml")),
            format!("name: Person {i}\nemail: person{i}@example.org\nbody: Comment {i}\n"),
        )
        .unwrap();
    }
    (temp, site)
}

fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

fn is_temp(name: &str) -> bool {
    name.starts_with(".blog-avatars-") && name.ends_with(".tmp")
}

fn names(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir).map_or_else(
        |_| Vec::new(),
        |list| {
            list.map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .collect()
        },
    )
}

/// Asserts that nothing under `dir` is half written: every content-addressed file matches its
/// name (`exact`: the whole SHA-256, else a 16+ digit prefix plus an extension), temp files
/// aside. Returns the names, temp files excluded.
fn assert_content_addressed(dir: &Path, exact: bool) -> BTreeSet<String> {
    let mut whole = BTreeSet::new();
    for name in names(dir) {
        if is_temp(&name) {
            continue;
        }
        let digest = sha256_hex(&std::fs::read(dir.join(&name)).unwrap());
        let stem = if exact {
            name.as_str()
        } else {
            name.split_once('.').map_or(name.as_str(), |(stem, _)| stem)
        };
        assert!(
            stem.len() >= 16 && digest.starts_with(stem),
            "{} holds bytes with SHA-256 {digest}: a partial or foreign file",
            dir.join(&name).display()
        );
        whole.insert(name);
    }
    whole
}

fn parse_json_if_present(path: &Path) -> Option<Value> {
    let bytes = std::fs::read(path).ok()?;
    Some(serde_json::from_slice(&bytes).unwrap_or_else(|e| panic!("{}: {e}", path.display())))
}

/// Every invariant that must hold however a build ended.
fn assert_consistent(site: &Path) {
    let avatars = assert_content_addressed(&site.join("public/avatars"), false);
    let cache = site.join(".blog-avatars-cache");
    assert_content_addressed(&cache.join("blobs"), true);
    assert_content_addressed(&cache.join("rendered"), false);
    parse_json_if_present(&cache.join("index.json"));
    parse_json_if_present(&cache.join("rendered.json"));
    // The data file and every page only ever name avatar files that exist.
    let mut named = Vec::new();
    if let Some(data) = parse_json_if_present(&site.join("data/avatars.json")) {
        for entry in data["avatars"].as_object().unwrap().values() {
            for urls in entry["sizes"].as_object().unwrap().values() {
                named.push(urls["1x"].as_str().unwrap().to_owned());
                named.push(urls["2x"].as_str().unwrap().to_owned());
            }
        }
    }
    for entry in walkdir::WalkDir::new(site.join("public")) {
        let entry = entry.unwrap();
        if entry.path().extension().is_some_and(|e| e == "html") {
            let html = std::fs::read_to_string(entry.path()).unwrap();
            for piece in html.split("/avatars/").skip(1) {
                let end = piece
                    .find(|c: char| !c.is_ascii_alphanumeric() && c != '.')
                    .unwrap();
                named.push(format!("/avatars/{}", piece[..end].trim_end_matches('.')));
            }
        }
    }
    for url in named {
        let name = url.strip_prefix("/avatars/").unwrap();
        assert!(avatars.contains(name), "{url} is named but missing");
    }
}

/// Every temp file left anywhere under `site`.
fn temp_files(site: &Path) -> Vec<PathBuf> {
    walkdir::WalkDir::new(site)
        .into_iter()
        .map(|e| e.unwrap())
        .filter(|e| is_temp(&e.file_name().to_string_lossy()))
        .map(|e| e.into_path())
        .collect()
}

/// xorshift64*: reproducible random delays without a dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
}

#[test]
fn builds_killed_at_random_moments_leave_only_whole_files() {
    let (_temp, site) = crowded_site();
    // Every answer is a new image (after a short wait), so every build downloads, writes,
    // renders and prunes: a kill can land in any of those. `stable` ends that for the last runs.
    let served = Arc::new(AtomicU64::new(0));
    let stable = Arc::new(AtomicBool::new(false));
    let server = {
        let (served, stable) = (served.clone(), stable.clone());
        TestServer::start(move |request| {
            let Some(hash) = request.path.strip_prefix("/avatar/") else {
                return Response::status(404);
            };
            let n = served.fetch_add(1, Ordering::SeqCst);
            let seed = if stable.load(Ordering::SeqCst) {
                u64::from(hash.as_bytes()[0])
            } else {
                n
            };
            let rgb = [(seed * 37) as u8, (seed * 91) as u8, (seed * 13) as u8];
            Response::ok(png(48, rgb)).delay(Duration::from_millis(15))
        })
    };
    std::fs::write(
        site.join("blog-avatars.toml"),
        format!(
            "[gravatar]\nbase_url = \"{}\"\n[avatars]\nproviders = [\"gravatar\", \"default\"]\n\
             [http]\nttl_hours = 0\nretries = 0\ntimeout_s = 5\n",
            server.url("/avatar/")
        ),
    )
    .unwrap();
    let build = |extra: &[&str]| {
        let mut args = vec!["build", s(&site), "--jobs", "4", "--no-progress"];
        args.extend_from_slice(extra);
        args.into_iter().map(str::to_owned).collect::<Vec<_>>()
    };
    let started = Instant::now();
    let first = run_json(
        &build(&["--format", "json"])
            .iter()
            .map(String::as_str)
            .collect::<Vec<_>>(),
        0,
    );
    let full = started.elapsed();
    assert_eq!(first["errors"], 0, "{first:#}");

    let seed = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos() as u64
        | 1;
    eprintln!("kill delays seeded with {seed}; a full build took {full:?}");
    let mut rng = Rng(seed);
    let (mut interrupted, mut left_behind) = (0, 0);
    // Kills land anywhere from the first instant to just before a build would end; a build
    // that ends before its kill shows builds are quicker than thought.
    let mut span = full.as_micros() as u64;
    for _ in 0..KILLS {
        let delay = Duration::from_micros(rng.next() % span);
        let mut child = Command::new(env!("CARGO_BIN_EXE_blog-avatars"))
            .args(build(&["--quiet"]))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(delay);
        let _ = child.kill();
        let status = child.wait().unwrap();
        if status.signal() == Some(9) {
            interrupted += 1;
        } else {
            assert!(status.success(), "{status:?}");
            span = (delay.as_micros() as u64 * 9 / 10).max(1000);
        }
        assert_consistent(&site);
        left_behind += temp_files(&site).len();
    }
    eprintln!("{interrupted} of {KILLS} builds killed mid-way, {left_behind} temp files seen");
    assert!(
        interrupted >= KILLS / 2,
        "only {interrupted} builds were killed mid-way"
    );

    // The next build completes and removes every temp file the killed ones left.
    stable.store(true, Ordering::SeqCst);
    let after = run_json(&["build", s(&site), "--format", "json"], 0);
    assert_eq!(after["errors"], 0, "{after:#}");
    assert_consistent(&site);
    assert_eq!(temp_files(&site), Vec::<PathBuf>::new());
    // The one after it also drops the blobs the killed builds downloaded but never indexed:
    // then every blob is one the index names, and every avatar file one the data file names.
    let again = run_json(&["build", s(&site), "--format", "json"], 0);
    assert_eq!(again["errors"], 0);
    let cache = site.join(".blog-avatars-cache");
    let index = parse_json_if_present(&cache.join("index.json")).unwrap();
    let indexed: BTreeSet<String> = index["entries"]
        .as_object()
        .unwrap()
        .values()
        .filter_map(|e| e["sha256"].as_str().map(str::to_owned))
        .collect();
    let blobs: BTreeSet<String> = names(&cache.join("blobs")).into_iter().collect();
    assert_eq!(blobs, indexed, "orphaned blobs were kept");
    let data = parse_json_if_present(&site.join("data/avatars.json")).unwrap();
    let mut used = BTreeSet::new();
    for entry in data["avatars"].as_object().unwrap().values() {
        for urls in entry["sizes"].as_object().unwrap().values() {
            for x in ["1x", "2x"] {
                let url = urls[x].as_str().unwrap();
                used.insert(url.strip_prefix("/avatars/").unwrap().to_owned());
            }
        }
    }
    let on_disk: BTreeSet<String> = names(&site.join("public/avatars")).into_iter().collect();
    assert_eq!(on_disk, used);
}

/// File name → bytes of everything the build publishes or writes for templates.
fn snapshot(site: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut files = BTreeMap::new();
    for root in ["public", "data/avatars.json"] {
        for entry in walkdir::WalkDir::new(site.join(root)) {
            let entry = entry.unwrap();
            if entry.file_type().is_file() {
                let relative = entry.path().strip_prefix(site).unwrap();
                files.insert(
                    relative.display().to_string(),
                    std::fs::read(entry.path()).unwrap(),
                );
            }
        }
    }
    files
}

/// The demo site with every provider on `server`, Heidi's avatar URL included (so nothing is
/// looked up in DNS).
fn demo_on(server: &AvatarServer) -> (tempfile::TempDir, PathBuf) {
    let (temp, site) = crate::avatar_server::demo_site_on(server);
    server.configure(&site, "[url]\nallow_private = true\n");
    (temp, site)
}

#[test]
fn two_builds_of_one_site_at_once_both_succeed_with_identical_output() {
    let server = AvatarServer::start();
    // Answered slowly enough that the two builds overlap.
    let slow = |rgb| Response::ok(png(160, rgb)).delay(Duration::from_millis(30));
    for (email, rgb) in [
        ("bob@example.com", [200, 30, 30]),
        ("erin@example.net", [30, 200, 30]),
        ("grace@example.org", [30, 30, 200]),
    ] {
        server
            .routes
            .set(&format!("/avatar/{}", md5_hex(email)), slow(rgb));
    }
    server.routes.set("/img/heidi.jpg", slow([220, 220, 0]));
    server.routes.set("/gh/carol-dev.png", slow([0, 220, 220]));
    // What one build alone produces.
    let (_solo_temp, solo) = demo_on(&server);
    run_json(&["build", s(&solo), "--format", "json"], 0);
    let expected = snapshot(&solo);

    let (_temp, site) = demo_on(&server);
    for round in 0..4 {
        if round % 2 == 0 {
            // Cold: nothing published and nothing cached; warm rounds reuse both.
            let _ = std::fs::remove_dir_all(site.join("public"));
            let _ = std::fs::remove_dir_all(site.join(".blog-avatars-cache"));
        }
        let outputs: Vec<_> = std::thread::scope(|scope| {
            let handles: Vec<_> = (0..2)
                .map(|_| scope.spawn(|| run(&["build", s(&site), "--format", "json"])))
                .collect();
            handles.into_iter().map(|h| h.join().unwrap()).collect()
        });
        let reports: Vec<Value> = outputs
            .iter()
            .map(|output| {
                assert_eq!(output.status.code(), Some(0), "round {round}: {output:?}");
                serde_json::from_slice(&output.stdout).unwrap()
            })
            .collect();
        for report in &reports {
            assert_eq!(report["errors"], 0, "round {round}: {report:#}");
        }
        let winners = |report: &Value| -> Vec<(String, String)> {
            report["identities"]
                .as_array()
                .unwrap()
                .iter()
                .map(|i| (i["value"].to_string(), i["provider"].to_string()))
                .collect()
        };
        assert_eq!(winners(&reports[0]), winners(&reports[1]), "round {round}");
        assert_eq!(
            reports[0]["files"]["produced"], reports[1]["files"]["produced"],
            "round {round}"
        );
        assert_eq!(snapshot(&site), expected, "round {round}");
        assert_eq!(temp_files(&site), Vec::<PathBuf>::new(), "round {round}");
    }
}
