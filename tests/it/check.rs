//! `blog-avatars check DIR`: the privacy audit of built output, through the binary, on real
//! builds (native and Hugo) with leaks planted where themes and scripts put them.

use std::path::Path;

use crate::avatar_server::md5_hex;
use crate::support::{copy_site, run, run_json, s};

/// The demo site (native layout) built offline into `site/public`.
fn built_demo() -> (tempfile::TempDir, std::path::PathBuf) {
    let (temp, site) = copy_site("demo-site");
    let built = run(&["build", s(&site), "--offline", "--quiet"]);
    assert_eq!(built.status.code(), Some(0), "{built:?}");
    (temp, site)
}

/// `check DIR --site SITE` with its exit code and stdout.
fn check(dir: &Path, site: &Path, json: bool) -> (Option<i32>, String) {
    let mut args = vec!["check", s(dir), "--site", s(site)];
    if json {
        args.extend(["--format", "json"]);
    }
    let output = run(&args);
    (
        output.status.code(),
        String::from_utf8(output.stdout).unwrap(),
    )
}

#[test]
fn the_clean_native_build_of_the_demo_passes() {
    let (_temp, site) = built_demo();
    let (code, out) = check(&site.join("public"), &site, false);
    assert_eq!(code, Some(0), "{out}");
    assert!(out.starts_with("check: clean:"), "{out}");
    // It did search: the demo has emails, a hash and QQ numbers.
    let report = run_json(
        &[
            "check",
            s(&site.join("public")),
            "--site",
            s(&site),
            "--format",
            "json",
        ],
        0,
    );
    assert!(report["identifiers"].as_u64().unwrap() >= 15, "{report:#}");
    assert!(report["files"].as_u64().unwrap() > 10, "{report:#}");
}

#[test]
fn each_planted_leak_is_found_at_its_file_and_line() {
    let (_temp, site) = built_demo();
    let public = site.join("public");
    let md5 = md5_hex("ada@example.org");
    std::fs::create_dir_all(public.join("js")).unwrap();
    std::fs::create_dir_all(public.join("css")).unwrap();
    // An email as a person wrote it, in a script; QQ look-alikes that are not whole words.
    std::fs::write(
        public.join("js/app.js"),
        "const n = 120005678;\nconst who = \"Ada@Example.org\";\nconst id = \"x20005678\" + 2000567;\n",
    )
    .unwrap();
    let page = public.join("hello-world/index.html");
    let mut html = std::fs::read_to_string(&page).unwrap();
    let line_of = |html: &str| html.lines().count() + 1;
    let img_line = line_of(&html);
    html.push_str(&format!(
        "<img src=\"/img/{}.png\" alt=\"\">\n",
        md5.to_uppercase()
    ));
    let srcset_line = line_of(&html);
    html.push_str(
        "<img srcset=\"/a.png 1x, https://secure.gravatar.com/avatar/?d=mp&s=80 2x\" alt=\"\">\n",
    );
    std::fs::write(&page, html).unwrap();
    std::fs::write(
        public.join("css/site.css"),
        "body { margin: 0 }\n.c { background: url(\"https://cravatar.cn/avatar/0123456789abcdef0123456789abcdef?s=40\") }\n",
    )
    .unwrap();
    std::fs::copy(
        public.join("images/grace.png"),
        public.join("images/avatar-20005678.png"),
    )
    .unwrap();

    let (code, out) = check(&public, &site, true);
    assert_eq!(code, Some(3), "{out}");
    let report: serde_json::Value = serde_json::from_str(&out).unwrap();
    let findings = report["findings"].as_array().unwrap();
    let find = |path: &str, kind: &str, what: &str| -> &serde_json::Value {
        findings
            .iter()
            .find(|f| {
                f["path"] == path
                    && f["kind"] == kind
                    && (f["secret"] == what
                        || f["url"].as_str().is_some_and(|u| u.starts_with(what)))
            })
            .unwrap_or_else(|| panic!("no {kind} {what} in {path}: {report:#}"))
    };
    let email = find("js/app.js", "identifier", "email");
    assert_eq!(
        (email["line"].as_u64(), email["column"].as_u64()),
        (Some(2), Some(14))
    );
    assert_eq!(email["shown"], "ad***@example.org");
    let hash = find("hello-world/index.html", "identifier", "email_md5");
    assert_eq!(hash["line"].as_u64(), Some(img_line as u64));
    assert_eq!(hash["shown"], "md5 of ad***@example.org");
    let gravatar = find(
        "hello-world/index.html",
        "avatar_host",
        "secure.gravatar.com/avatar/",
    );
    assert_eq!(gravatar["line"].as_u64(), Some(srcset_line as u64));
    let cravatar = find("css/site.css", "avatar_host", "cravatar.cn/avatar/");
    assert_eq!(cravatar["line"].as_u64(), Some(2));
    let qq = find("images/avatar-***.png", "identifier", "qq");
    assert_eq!(
        (qq["in_name"].as_bool(), qq["line"].as_u64()),
        (Some(true), None)
    );
    assert_eq!(qq["shown"], "QQ 20***78");
    // 120005678, x20005678 and 2000567 are other words: only the email is in app.js.
    let in_js: Vec<_> = findings
        .iter()
        .filter(|f| f["path"] == "js/app.js")
        .collect();
    assert_eq!(in_js.len(), 1, "{in_js:#?}");
    assert_eq!(findings.len(), 5, "{report:#}");

    // The human report names every place and prints no identifier in full.
    let (code, human) = check(&public, &site, false);
    assert_eq!(code, Some(3));
    for place in [
        "js/app.js:2".to_owned(),
        format!("hello-world/index.html:{img_line}"),
        format!("hello-world/index.html:{srcset_line}"),
        "css/site.css:2".to_owned(),
        "images/avatar-***.png (file name)".to_owned(),
    ] {
        assert!(human.contains(&place), "{place} missing:\n{human}");
    }
    for secret in [
        "ada@example.org",
        "Ada@Example.org",
        md5.as_str(),
        "20005678",
        "0123456789abcdef",
    ] {
        assert!(!human.contains(secret), "{secret} printed:\n{human}");
        assert!(!out.contains(secret), "{secret} in the JSON:\n{out}");
    }
}

#[test]
fn without_a_site_it_stops_unless_asked_for_hosts_only() {
    let temp = tempfile::tempdir().unwrap();
    let dir = temp.path().join("out");
    std::fs::create_dir(&dir).unwrap();
    std::fs::write(
        dir.join("index.html"),
        "<img src=\"//q1.qlogo.cn/g?b=qq&nk=20005678&s=100\">\n",
    )
    .unwrap();
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_blog-avatars"))
        .current_dir(temp.path())
        .args(["check", "out"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2), "{output:?}");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("--hosts-only"), "{stderr}");
    assert!(output.stdout.is_empty());
    let report = run_json(&["check", s(&dir), "--hosts-only", "--format", "json"], 3);
    assert_eq!(report["findings"][0]["url"], "q1.qlogo.cn/…", "{report:#}");
    assert_eq!(report["identifiers"], 0);
}

/// The Hugo fixture's partial replaced by one that hot-links Gravatar and QQ, as many themes do.
const HOTLINKING_PARTIAL: &str = r#"{{- $c := .comment -}}
{{- with $c.email -}}
<img class="avatar" src="https://www.gravatar.com/avatar/{{ md5 (lower (trim (string .) " ")) }}?s=40" width="40" height="40" alt="{{ $c.name }}">
{{- else -}}{{- with $c.qq -}}
<img class="avatar" src="https://q1.qlogo.cn/g?b=qq&nk={{ int . }}&s=100" width="40" height="40" alt="{{ $c.name }}">
{{- end -}}{{- end -}}
"#;

fn hugo(site: &Path) {
    let built = std::process::Command::new("hugo")
        .current_dir(site)
        .args([
            "--quiet",
            "--destination",
            "public",
            "--cleanDestinationDir",
        ])
        .output()
        .expect("hugo is not installed: apt-get install hugo (./test does)");
    assert!(built.status.success(), "{built:?}");
}

#[test]
fn real_hugo_output_is_clean_after_build_and_after_rewrite_of_a_hotlinking_theme() {
    let (_temp, site) = copy_site("generators/hugo");
    let built = run(&["build", s(&site), "--offline", "--quiet"]);
    assert_eq!(built.status.code(), Some(0), "{built:?}");
    hugo(&site);
    let public = site.join("public");
    let (code, out) = check(&public, &site, false);
    assert_eq!(code, Some(0), "{out}");

    std::fs::write(
        site.join("layouts/partials/avatar.html"),
        HOTLINKING_PARTIAL,
    )
    .unwrap();
    hugo(&site);
    let (code, out) = check(&public, &site, true);
    assert_eq!(code, Some(3), "{out}");
    let report: serde_json::Value = serde_json::from_str(&out).unwrap();
    let kinds: std::collections::BTreeSet<String> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            format!(
                "{} {}",
                f["kind"],
                f["secret"].as_str().or(f["url"].as_str()).unwrap()
            )
        })
        .collect();
    for expected in [
        "\"avatar_host\" www.gravatar.com/avatar/…",
        "\"avatar_host\" q1.qlogo.cn/…",
        "\"identifier\" email_md5",
        "\"identifier\" qq",
    ] {
        assert!(kinds.contains(expected), "{expected} not in {kinds:?}");
    }

    let rewritten = run(&["rewrite", s(&public), "--offline", "--quiet"]);
    assert_eq!(rewritten.status.code(), Some(0), "{rewritten:?}");
    let (code, out) = check(&public, &site, false);
    assert_eq!(code, Some(0), "{out}");
}
