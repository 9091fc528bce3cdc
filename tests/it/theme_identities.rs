//! Identities where real themes keep them: nested author maps in posts (Minimal Mistakes style
//! `author: {name, email, github, email_md5}`, `authors: [...]`), people in data files other than
//! comments (`_data/authors.yml` as a map of people, Hexo `source/_data/members.yml` as a list),
//! `avatar` values holding an email, a hash or a QQ mail. Each fixture is scanned, built offline,
//! then built by the real generator, and nothing identifying may be published.

use std::path::Path;
use std::process::Command;

use serde_json::{Value, json};

use crate::support::{assert_no_secrets, copy_site, fixtures, run_json, s};

/// (kind, value, raw, "path:line") of every identity of a scan.
fn found(scan: &Value) -> Vec<(String, String, Vec<String>, Vec<String>)> {
    scan["identities"]
        .as_array()
        .unwrap()
        .iter()
        .map(|id| {
            let strings = |v: &Value| -> Vec<String> {
                v.as_array()
                    .unwrap()
                    .iter()
                    .map(|x| x.as_str().unwrap().to_owned())
                    .collect()
            };
            let sources = id["sources"]
                .as_array()
                .unwrap()
                .iter()
                .map(|src| format!("{}:{}", src["path"].as_str().unwrap(), src["line"]))
                .collect();
            (
                id["kind"].as_str().unwrap().to_owned(),
                id["value"].as_str().unwrap().to_owned(),
                strings(&id["raw"]),
                sources,
            )
        })
        .collect()
}

fn expect(rows: &[(&str, &str, &str, &str)]) -> Vec<(String, String, Vec<String>, Vec<String>)> {
    rows.iter()
        .map(|(kind, value, raw, source)| {
            (
                (*kind).to_owned(),
                (*value).to_owned(),
                vec![(*raw).to_owned()],
                vec![(*source).to_owned()],
            )
        })
        .collect()
}

const JEKYLL_POST: &str = "_posts/2026-01-05-nested-authors.md";

/// Everything the Jekyll fixture must yield, with the kind each value is read as.
fn jekyll_expected() -> Vec<(String, String, Vec<String>, Vec<String>)> {
    let post = |line: usize| format!("{JEKYLL_POST}:{line}");
    let rows = [
        (
            "email",
            "17450856@qq.com",
            "17450856@qq.com",
            "_data/authors.yml:17".to_owned(),
        ),
        (
            "email",
            "ada.lovelace@example.org",
            "Ada.Lovelace@Example.org",
            "_data/authors.yml:5".to_owned(),
        ),
        (
            "email",
            "cy.young@example.org",
            "Cy.Young@Example.org",
            post(6),
        ),
        ("email", "eve@example.org", "eve@example.org", post(11)),
        (
            "hash",
            "85cd7606472c479b1aa5ede6343dc5e8",
            "85cd7606472c479b1aa5ede6343dc5e8",
            "_data/authors.yml:14".to_owned(),
        ),
        (
            "hash",
            "8919877d106a02aac64fcf272ebd35cc",
            "8919877d106a02aac64fcf272ebd35cc",
            post(8),
        ),
        (
            "hash",
            "a893b9553ac5a6248643c4f9ec34e931",
            "a893b9553ac5a6248643c4f9ec34e931",
            post(13),
        ),
        ("github", "cy-young", "cy-young", post(7)),
        (
            "file",
            "assets/images/grace.png",
            "/assets/images/grace.png",
            "_data/authors.yml:13".to_owned(),
        ),
    ];
    let rows: Vec<(&str, &str, &str, &str)> = rows
        .iter()
        .map(|(k, v, r, src)| (*k, *v, *r, src.as_str()))
        .collect();
    expect(&rows)
}

const HEXO_DATA: &str = "source/_data/members.yml";

fn hexo_expected() -> Vec<(String, String, Vec<String>, Vec<String>)> {
    let at = |line: usize| format!("{HEXO_DATA}:{line}");
    let rows = [
        ("email", "17450856@qq.com", "17450856@qq.com", at(3)),
        ("email", "cy@example.org", "Cy@Example.org", at(10)),
        ("email", "di@example.org", "di@example.org", at(14)),
        (
            "hash",
            "0bc83cb571cd1c50ba6f3e8a78ef1346",
            "0BC83CB571CD1C50BA6F3E8A78EF1346",
            at(8),
        ),
        ("qq", "17450856", "17450856", at(6)),
        ("qq", "20261234", "20261234", at(15)),
        ("github", "ada-l", "ada-l", at(5)),
        ("github", "cy-hexo", "https://github.com/cy-hexo", at(12)),
    ];
    let rows: Vec<(&str, &str, &str, &str)> = rows
        .iter()
        .map(|(k, v, r, src)| (*k, *v, *r, src.as_str()))
        .collect();
    expect(&rows)
}

#[test]
fn nested_author_maps_and_data_file_people_are_scanned_with_kind_and_line() {
    let jekyll = fixtures().join("identities/jekyll-authors");
    let scan = run_json(&["scan", s(&jekyll), "--format", "json"], 0);
    assert_eq!(found(&scan), jekyll_expected());
    // Empty drafts are no warning.
    assert_eq!(scan["warnings"], json!([]));
    // A `digits@qq.com` avatar is an email that is also a QQ number.
    assert_eq!(scan["identities"][0]["qq"], "17450856");

    let hexo = fixtures().join("identities/hexo-members");
    let scan = run_json(&["scan", s(&hexo), "--format", "json"], 0);
    assert_eq!(found(&scan), hexo_expected());
    assert_eq!(scan["warnings"], json!([]));
}

/// Builds offline, checks a data file entry per raw spelling, and returns the data file.
fn build_offline(
    site: &Path,
    data_file: &str,
    expected: &[(String, String, Vec<String>, Vec<String>)],
) {
    let report = run_json(&["build", s(site), "--offline", "--format", "json"], 0);
    assert_eq!(report["warnings"], json!([]), "{report:#}");
    let data: Value =
        serde_json::from_slice(&std::fs::read(site.join(data_file)).unwrap()).unwrap();
    let avatars = data["avatars"].as_object().unwrap();
    for (_, _, raws, _) in expected {
        for raw in raws {
            let entry = avatars
                .get(raw)
                .unwrap_or_else(|| panic!("no data file entry for {raw}: {data:#}"));
            let url = entry["sizes"]["40"]["1x"].as_str().unwrap();
            assert!(url.starts_with('/'), "{url}");
        }
    }
}

/// Every email, hash and QQ number of both fixtures, written out here rather than taken from a
/// scan: the addresses, their MD5 and SHA-256 hashes, the hashes the sources hold, QQ numbers.
const SECRETS: &[&str] = &[
    "ada.lovelace@example.org",
    "a0897f0967cd4affeb515028a3447d04",
    "7799473ff091b38137e0698047364e040446fe7cb3209e8321d5a865127853d0",
    "cy.young@example.org",
    "8919877d106a02aac64fcf272ebd35cc",
    "d4b7a3f7b2636a1236746d3759c583443ddc373f0f5b7adba2e6a20ca4f23beb",
    "eve@example.org",
    "98ab97e3b0b4ead2baff50a66c032237",
    "39f2b0c720afb91f8d1058eacd9a56f2cee2a0535cc810a46a0b531e6cdd1c08",
    "17450856",
    "ee6ecbf1510300be38090556cdfb79c6",
    "652bb0bae67f1bf354572c0ae2392c5431bf951e226c66aeedd07fc3b1d95b9e",
    "cy@example.org",
    "a893b9553ac5a6248643c4f9ec34e931",
    "cef73ab6ea35cb9e87465dc432aa0ba8c9ea8ae9ff9b32a48d109363c61615bb",
    "di@example.org",
    "876ac384105415c741bf378513c8d9e4",
    "1d50b7026477d6c2332aa16873a1ef06b09ee07c49fb469c3d6dd6f1ef281d27",
    "20261234",
    "85cd7606472c479b1aa5ede6343dc5e8",
    "0bc83cb571cd1c50ba6f3e8a78ef1346",
];

fn secrets() -> Vec<String> {
    SECRETS.iter().map(|s| (*s).to_owned()).collect()
}

/// Runs `program`; a missing generator fails with how to install it.
fn generator(program: &str, args: &[&str], dir: &Path) -> String {
    let output = Command::new(program)
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap_or_else(|e| panic!("cannot run {program} ({e}); .ci/run installs it"));
    let text = String::from_utf8_lossy(&output.stdout).into_owned()
        + &String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{program} failed:\n{text}");
    text
}

/// Local avatar `<img>` sources of one published page.
fn local_avatars(page: &Path, prefix: &str) -> usize {
    let html = std::fs::read_to_string(page).unwrap();
    html.matches(&format!("src=\"{prefix}")).count()
}

#[test]
fn jekyll_theme_authors_get_local_avatars_and_jekyll_publishes_nothing_identifying() {
    let (_temp, site) = copy_site("identities/jekyll-authors");
    build_offline(&site, "_data/avatars.json", &jekyll_expected());
    let out = site.join("_site");
    generator(
        "jekyll",
        &[
            "build",
            "--source",
            s(&site),
            "--destination",
            s(&out),
            "--quiet",
        ],
        &site,
    );
    // The post shows its author and both co-authors from local files; every page lists the
    // three people of `_data/authors.yml` with theirs.
    let post = out.join("2026/01/05/nested-authors.html");
    assert_eq!(local_avatars(&post, "/assets/avatars/"), 3 + 3 + 3);
    assert_eq!(
        local_avatars(&out.join("index.html"), "/assets/avatars/"),
        6
    );
    assert_no_secrets(&out, &secrets());
}

#[cfg(unix)]
#[test]
fn hexo_members_get_local_avatars_and_hexo_publishes_nothing_identifying() {
    let (_temp, site) = copy_site("identities/hexo-members");
    build_offline(&site, "source/_data/avatars.json", &hexo_expected());
    let modules = fixtures().join("generators/hexo/node_modules");
    std::os::unix::fs::symlink(&modules, site.join("node_modules")).unwrap();
    let output = generator(s(&modules.join(".bin/hexo")), &["generate"], &site);
    assert!(!output.contains("ERROR"), "hexo failed:\n{output}");
    let out = site.join("public");
    assert_eq!(
        local_avatars(&out.join("members/index.html"), "/avatars/"),
        4
    );
    assert_no_secrets(&out, &secrets());
}

#[test]
fn the_accounts_of_one_member_resolve_to_one_avatar() {
    use crate::avatar_server::{AvatarServer, png};
    use blog_avatars::testkit::Response;
    // Only GitHub has pictures: Ada's QQ mail and QQ number (from `avatar:` and `sns:`) must get
    // her GitHub one, found through the same map, and Cy's email his.
    let server = AvatarServer::start();
    let (_temp, site) = copy_site("identities/hexo-members");
    server.configure(&site, "[site]\nlayout = \"hexo\"\n");
    for (login, rgb) in [("ada-l", [30, 160, 30]), ("cy-hexo", [30, 30, 160])] {
        server
            .routes
            .set(&format!("/gh/{login}.png"), Response::ok(png(96, rgb)));
    }
    run_json(&["build", s(&site), "--format", "json"], 0);
    let data: Value =
        serde_json::from_slice(&std::fs::read(site.join("source/_data/avatars.json")).unwrap())
            .unwrap();
    let entry = |key: &str| data["avatars"][key].clone();
    for person in [
        &["17450856@qq.com", "17450856", "ada-l"][..],
        &["Cy@Example.org", "https://github.com/cy-hexo"][..],
    ] {
        let first = entry(person[0]);
        assert_eq!(first["provider"], "github", "{data:#}");
        for key in person {
            assert_eq!(entry(key), first, "{key} is not {}: {data:#}", person[0]);
        }
    }
    assert_ne!(entry("ada-l"), entry("Cy@Example.org"));
}
