//! `blog-avatars scan` on fixture sites of every layout, and on hostile input.

use serde_json::{Value, json};

use crate::support::{copy_site, fixtures, kinds_values, run, run_json, s};

fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

fn warning_paths(scan: &Value) -> Vec<String> {
    scan["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["path"].as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn every_layout_is_detected_and_scanned() {
    let cases: &[(&str, &[(&str, &str)])] = &[
        (
            "zola",
            &[
                ("email", "yan@example.org"),
                ("email", "zed@example.org"),
                ("email", "zola-author@example.org"),
            ],
        ),
        (
            "hugo",
            &[
                ("email", "hana@example.org"),
                ("email", "hugo-author@example.org"),
                ("email", "ivan@example.org"),
                ("qq", "30001234"),
                ("github", "jo-hub"),
            ],
        ),
        (
            "jekyll",
            &[
                ("email", "40001234@qq.com"),
                ("email", "jekyll-author@example.org"),
                ("email", "kim@example.org"),
            ],
        ),
        (
            "hexo",
            &[
                ("email", "hexo-author@example.org"),
                ("email", "mo@example.org"),
                ("hash", "0bc83cb571cd1c50ba6f3e8a78ef1346"),
            ],
        ),
        (
            "native",
            &[
                ("email", "native@example.org"),
                ("email", "olga@example.org"),
            ],
        ),
    ];
    for (name, expected) in cases {
        let site = fixtures().join("sites").join(name);
        let scan = run_json(&["scan", s(&site), "--format", "json"], 0);
        assert_eq!(kinds_values(&scan), pairs(expected), "{name}");
        assert_eq!(scan["warnings"], json!([]), "{name}");
        let human = run(&["scan", s(&site)]);
        let text = String::from_utf8(human.stdout).unwrap();
        assert!(text.contains(&format!("({name} layout)")), "{name}: {text}");
    }
}

#[test]
fn scan_json_matches_the_contract_shape() {
    let site = fixtures().join("demo-site");
    let scan = run_json(&["scan", s(&site), "--format", "json"], 0);
    let ada = crate::support::identity(&scan, "ada@example.org");
    assert_eq!(
        ada,
        &json!({
            "kind": "email",
            "value": "ada@example.org",
            "raw": ["ada@example.org"],
            "sources": [
                {"path": "content/posts/hello-world.md", "line": 5},
                {"path": "content/posts/second-post.md", "line": 7}
            ]
        })
    );
    let bob = &crate::support::identity(&scan, "bob@example.com");
    assert_eq!(bob["raw"], json!(["Bob@Example.com"]));
    let qq_mail = crate::support::identity(&scan, "10001234@qq.com");
    assert_eq!(qq_mail["qq"], "10001234");
    // A Staticman MD5 in an `email` field is a hash; a fenced block in the body is not read.
    let values: Vec<_> = kinds_values(&scan);
    assert!(values.contains(&("hash".into(), "7f4e5d8a9f1b6c3e2d4a5b6c7d8e9f00".into())));
    assert!(values.contains(&("file".into(), "images/grace.png".into())));
    assert!(values.contains(&("url".into(), "https://avatars.example.com/heidi.jpg".into())));
    assert!(!values.iter().any(|(_, v)| v.contains("not-front-matter")));
}

#[test]
fn identities_are_deduplicated_keeping_every_spelling_and_source() {
    let (_temp, site) = copy_site("sites/native");
    std::fs::write(
        site.join("content/b.md"),
        "\u{feff}---\r\ntitle: B\r\nemail: \" Native@Example.ORG \"\r\n---\r\nbody\r\n",
    )
    .unwrap();
    std::fs::write(
        site.join("data/comments/a/2.json"),
        "{\"mail\": \"native@example.org\"}",
    )
    .unwrap();
    let scan = run_json(&["scan", s(&site), "--format", "json"], 0);
    let native = crate::support::identity(&scan, "native@example.org").clone();
    assert_eq!(
        native["raw"],
        json!(["native@example.org", " Native@Example.ORG "])
    );
    assert_eq!(
        native["sources"],
        json!([
            {"path": "content/a.md", "line": 3},
            {"path": "content/b.md", "line": 3},
            {"path": "data/comments/a/2.json", "line": 1}
        ])
    );
}

#[test]
fn hostile_site_gives_warnings_and_goes_on() {
    let site = fixtures().join("sites/hostile");
    let scan = run_json(&["scan", s(&site), "--format", "json"], 0);
    let values = kinds_values(&scan);
    assert!(values.contains(&("email".into(), "survivor@example.org".into())));
    assert!(values.contains(&("email".into(), "valid@example.org".into())));
    // Nothing from unusable files or bodies.
    for absent in [
        "lost@",
        "latin@",
        "fenced@",
        "body-only@",
        "bomb@",
        "deep@",
        "x@example",
    ] {
        assert!(
            !values.iter().any(|(_, v)| v.contains(absent)),
            "{absent} should not be found: {values:?}"
        );
    }
    // Loopback spellings are all the same URL identity; the build's guard refuses them.
    assert!(values.contains(&("url".into(), "http://127.0.0.1/a.png".into())));
    let paths = warning_paths(&scan);
    for file in [
        "content/unterminated.md",
        "content/malformed.md",
        "content/binary.md",
        "content/latin1.md",
        "content/wrong-types.md",
        "content/invalid-values.md",
        "data/comments/p/broken.json",
        "data/comments/p/broken.toml",
        "data/comments/p/broken.yml",
        "data/comments/p/alias-bomb.yml",
        "data/comments/p/deep.yml",
        "data/comments/p/deep.json",
    ] {
        assert!(paths.iter().any(|p| p == file), "no warning for {file}");
    }
    let messages: Vec<String> = scan["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| format!("{}:{}: {}", w["path"], w["line"], w["message"]))
        .collect();
    for needle in [
        "never closed",
        "binary file",
        "not UTF-8",
        "should be text, found a map",
        "is not an email address",
        "is not a QQ number",
        "is not a GitHub user name",
        "escapes the site",
        "not file:",
        "not gopher:",
        "alias bomb",
        "recursion limit",
    ] {
        assert!(
            messages.iter().any(|m| m.contains(needle)),
            "no warning says {needle:?}: {messages:#?}"
        );
    }
    // The latin-1 byte is on line 2 of its file.
    assert!(
        messages
            .iter()
            .any(|m| m.contains("latin1.md\":2: \"not UTF-8"))
    );
}

#[test]
fn huge_files_are_skipped_without_reading_the_body() {
    let (_temp, site) = copy_site("sites/native");
    let big_field = format!(
        "---\nemail: big@example.org\nbio: {}\n---\n",
        "x".repeat(10 << 20)
    );
    std::fs::write(site.join("content/big-front-matter.md"), big_field).unwrap();
    let big_body = format!(
        "---\nemail: body@example.org\n---\n{}",
        "y\n".repeat(20 << 20)
    );
    std::fs::write(site.join("content/big-body.md"), big_body).unwrap();
    let scan = run_json(&["scan", s(&site), "--format", "json"], 0);
    let values = kinds_values(&scan);
    assert!(values.contains(&("email".into(), "body@example.org".into())));
    assert!(!values.iter().any(|(_, v)| v == "big@example.org"));
    let warning = &scan["warnings"][0];
    assert_eq!(warning["path"], "content/big-front-matter.md");
    assert!(warning["message"].as_str().unwrap().contains("larger than"));
}

#[test]
fn config_overrides_the_layout_and_paths() {
    let (_temp, site) = copy_site("sites/native");
    std::fs::create_dir_all(site.join("posts")).unwrap();
    std::fs::write(site.join("posts/x.md"), "---\nqq: 55555\n---\n").unwrap();
    std::fs::write(
        site.join("blog-avatars.toml"),
        "[site]\nlayout = \"hugo\"\npost_dirs = [\"posts\"]\ncomment_dir = \"nowhere\"\n",
    )
    .unwrap();
    let scan = run_json(&["scan", s(&site), "--format", "json"], 0);
    assert_eq!(kinds_values(&scan), pairs(&[("qq", "55555")]));
    let human = String::from_utf8(run(&["scan", s(&site)]).stdout).unwrap();
    assert!(human.contains("hugo layout"), "{human}");
}

#[test]
fn extra_field_names_come_from_the_config() {
    let (_temp, site) = copy_site("sites/native");
    std::fs::write(
        site.join("content/c.md"),
        "---\nWeibo_Avatar: https://tva1.example.com/u.jpg\nmy_qq: 77777\n---\n",
    )
    .unwrap();
    let config = site.join("custom.toml");
    std::fs::write(
        &config,
        "[scan]\navatar_fields = [\"weibo_avatar\"]\nqq_fields = [\"MY_QQ\"]\n",
    )
    .unwrap();
    let scan = run_json(
        &["scan", s(&site), "--format", "json", "--config", s(&config)],
        0,
    );
    let values = kinds_values(&scan);
    assert!(values.contains(&("qq".into(), "77777".into())));
    assert!(values.contains(&("url".into(), "https://tva1.example.com/u.jpg".into())));
}

#[test]
fn bad_config_is_exit_2_naming_key_and_file() {
    let (_temp, site) = copy_site("sites/native");
    std::fs::write(site.join("blog-avatars.toml"), "[avatars]\nsise = [40]\n").unwrap();
    let output = run(&["scan", s(&site)]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(stderr.contains("sise"), "{stderr}");
    assert!(stderr.contains("blog-avatars.toml"), "{stderr}");
    let missing = run(&["scan", s(&site), "--config", "/nonexistent/x.toml"]);
    assert_eq!(missing.status.code(), Some(2));
}

#[test]
fn unreadable_site_is_exit_1_and_bad_usage_exit_2() {
    let output = run(&["scan", "/nonexistent/site"]);
    assert_eq!(output.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&output.stderr).contains("/nonexistent/site"));
    assert_eq!(run(&["scan", ".", "--jobs", "0"]).status.code(), Some(2));
    assert_eq!(run(&["frobnicate"]).status.code(), Some(2));
}

#[test]
fn output_to_a_closed_pipe_is_not_an_error() {
    use std::process::{Command, Stdio};
    let site = fixtures().join("demo-site");
    let mut child = Command::new(env!("CARGO_BIN_EXE_blog-avatars"))
        .args(["scan", s(&site), "--format", "json"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let output = child.wait_with_output().unwrap();
    assert_eq!(output.status.code(), Some(0), "{output:?}");
}
