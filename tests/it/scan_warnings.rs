//! Warnings: one per file and problem, never repeated; an empty draft is no warning; a file the
//! generator accepts (Hugo reading `\'` inside double-quoted YAML, Jekyll and Hugo taking the last
//! of duplicate keys) keeps its identities.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

use serde_json::Value;

use crate::support::{copy_site, run_json, s};

/// How often each (path, message) occurs among the warnings of a report.
fn counts(report: &Value) -> BTreeMap<(String, String), usize> {
    let mut counts = BTreeMap::new();
    for warning in report["warnings"].as_array().unwrap() {
        let key = (
            warning["path"].as_str().unwrap().to_owned(),
            warning["message"].as_str().unwrap().to_owned(),
        );
        *counts.entry(key).or_insert(0) += 1;
    }
    counts
}

fn write(site: &Path, path: &str, text: &str) {
    let path = site.join(path);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

#[test]
fn each_problem_of_a_file_is_said_once_and_empty_drafts_are_none() {
    let (_temp, site) = copy_site("sites/hostile");
    let repeated = "  - {name: a, email: not-an-email}\n";
    write(
        &site,
        "content/repeated.md",
        &format!("---\ncomments:\n{}---\n", repeated.repeat(3)),
    );
    write(&site, "content/draft-delimiters.md", "---\n---\n");
    write(
        &site,
        "content/draft-blank.md",
        "---\n\n---\nNot written yet.\n",
    );
    write(&site, "content/draft-title.md", "+++\n+++\n");
    write(&site, "data/comments/p/blank.yml", "\n  \n");
    // People in maps nested ten deep, a person on every level: levels past 8 are not read, and
    // that is said once for the file.
    let mut nested = String::new();
    for level in 0..10 {
        let indent = "  ".repeat(level);
        nested.push_str(&format!(
            "{indent}email: level{level}@example.org\n{indent}team:\n"
        ));
    }
    nested.push_str(&format!("{}email: level10@example.org\n", "  ".repeat(10)));
    write(&site, "data/people/nested.yml", &nested);

    let scan = run_json(&["scan", s(&site), "--format", "json"], 0);
    let said = counts(&scan);
    let repeated_said: Vec<_> = said
        .iter()
        .filter(|((path, _), _)| path == "content/repeated.md")
        .collect();
    assert_eq!(repeated_said.len(), 1, "{said:#?}");
    assert_eq!(*repeated_said[0].1, 1, "{said:#?}");
    let line = scan["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|w| w["path"] == "content/repeated.md")
        .unwrap()["line"]
        .clone();
    assert_eq!(line, 3, "the first place is the one named");
    let deep: Vec<_> = said
        .keys()
        .filter(|(path, _)| path == "data/people/nested.yml")
        .collect();
    assert_eq!(deep.len(), 1, "{said:#?}");
    assert!(deep[0].1.contains("deeper than 8 levels"), "{deep:?}");
    let values: Vec<&str> = scan["identities"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|id| id["value"].as_str())
        .filter(|v| v.starts_with("level"))
        .collect();
    assert_eq!(values.len(), 9, "levels 0 to 8: {values:?}");
    assert!(!values.contains(&"level9@example.org"));
    for (key, count) in &said {
        assert_eq!(*count, 1, "{key:?} said {count} times");
    }
    for quiet in [
        "content/empty.md",
        "content/draft-delimiters.md",
        "content/draft-blank.md",
        "content/draft-title.md",
        "data/comments/p/empty.yml",
        "data/comments/p/blank.yml",
    ] {
        assert!(
            !said.keys().any(|(path, _)| path == quiet),
            "{quiet} is an empty draft, not a problem: {said:#?}"
        );
    }

    // The build renders the native blog too: the renderer's warnings must not repeat the
    // scan's (the latin-1 post was said twice, once without its line).
    let build = run_json(&["build", s(&site), "--offline", "--format", "json"], 0);
    let said = counts(&build);
    let latin = said
        .get(&("content/latin1.md".to_owned(), "not UTF-8 text".to_owned()))
        .copied();
    assert_eq!(latin, Some(1), "{said:#?}");
    let mut seen = std::collections::BTreeSet::new();
    for warning in build["warnings"].as_array().unwrap() {
        assert!(seen.insert(warning.to_string()), "said twice: {warning}");
    }
    assert!(
        !said.keys().any(|(path, _)| path.contains("draft")),
        "{said:#?}"
    );
}

const QUOTED: &str = "title: \"Ada\\'s notes\"\nemail: \"quote@example.org\"\n";

#[test]
fn what_hugo_and_jekyll_accept_the_scan_reads_and_what_they_refuse_is_told_where() {
    let (_temp, site) = copy_site("sites/hugo");
    write(
        &site,
        "content/posts/quote.md",
        &format!("---\n{QUOTED}---\nBody.\n"),
    );
    write(
        &site,
        "layouts/_default/single.html",
        "<h1>{{ .Title }}</h1>{{ .Content }}\n",
    );
    // Hugo itself accepts the file and reads `\'` as `'`.
    let hugo = Command::new("hugo")
        .args(["--source", s(&site), "--quiet"])
        .output()
        .expect("hugo is installed by .ci/run");
    assert!(
        hugo.status.success(),
        "{}",
        String::from_utf8_lossy(&hugo.stderr)
    );
    let page = std::fs::read_to_string(site.join("public/posts/quote/index.html")).unwrap();
    assert!(page.contains("<h1>Ada&#39;s notes</h1>"), "{page}");
    // So the scan reads it as Hugo does: the identity is found and nothing is wrong.
    let scan = run_json(&["scan", s(&site), "--format", "json"], 0);
    let quote = crate::support::identity(&scan, "quote@example.org");
    assert_eq!(quote["sources"][0]["path"], "content/posts/quote.md");
    assert_eq!(quote["sources"][0]["line"], 3);
    assert_eq!(scan["warnings"], serde_json::json!([]));

    // Jekyll (Psych) refuses the same front matter: a warning at the exact line, with the fix.
    let (_temp, site) = copy_site("sites/jekyll");
    write(
        &site,
        "_posts/2026-02-01-quote.md",
        &format!("---\n{QUOTED}---\nBody.\n"),
    );
    // Duplicate keys: Jekyll takes the last one, and so does the scan.
    write(
        &site,
        "_posts/2026-02-02-twice.md",
        "---\nlayout: t\ntitle: first\ntitle: second\nemail: twice@example.org\n---\nBody.\n",
    );
    write(&site, "_layouts/t.html", "<h1>{{ page.title }}</h1>\n");
    let out = site.join("_site");
    let jekyll = Command::new("jekyll")
        .args([
            "build",
            "--source",
            s(&site),
            "--destination",
            s(&out),
            "--quiet",
        ])
        .output()
        .expect("jekyll is installed by .ci/run");
    assert!(
        jekyll.status.success(),
        "{}",
        String::from_utf8_lossy(&jekyll.stderr)
    );
    let page = std::fs::read_to_string(out.join("2026/02/02/twice.html")).unwrap();
    assert!(page.contains("<h1>second</h1>"), "{page}");
    let scan = run_json(&["scan", s(&site), "--format", "json"], 0);
    let twice = crate::support::identity(&scan, "twice@example.org");
    assert_eq!(twice["sources"][0]["line"], 5);
    let warnings = scan["warnings"].as_array().unwrap();
    assert_eq!(warnings.len(), 1, "{warnings:#?}");
    assert_eq!(warnings[0]["path"], "_posts/2026-02-01-quote.md");
    assert_eq!(warnings[0]["line"], 2);
    let message = warnings[0]["message"].as_str().unwrap();
    assert!(message.contains("write `'`"), "{message}");
}
