//! The native renderer honours the scanner's front matter limit: a post whose front matter the
//! scan skips as too large (a huge comment body, say) is not rendered into a huge page either.

use crate::support::{copy_site, run, s};

#[test]
fn front_matter_over_the_scan_limit_is_not_rendered() {
    let (_temp, site) = copy_site("sites/native");
    // Just over the default limit of 1 MiB, in one comment body.
    let body = "spam ".repeat(220_000);
    let post = format!(
        "---\ntitle: Huge\ncomments:\n  - name: Spammer\n    email: spammer@example.org\n    \
         body: \"{body}\"\n---\nThe post.\n"
    );
    assert!(post.len() > 1024 * 1024);
    std::fs::write(site.join("content/huge.md"), post).unwrap();
    let output = run(&["build", s(&site), "--offline", "--format", "json"]);
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let too_large: Vec<&serde_json::Value> = report["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|w| w["path"] == "content/huge.md")
        .collect();
    assert_eq!(too_large.len(), 1, "said once: {report:#}");
    assert!(
        too_large[0]["message"]
            .as_str()
            .unwrap()
            .contains("larger than 1048576 bytes"),
        "{report:#}"
    );
    assert!(
        !site.join("public/huge").exists(),
        "the skipped post was rendered"
    );
    for entry in walkdir::WalkDir::new(site.join("public")) {
        let entry = entry.unwrap();
        if entry.file_type().is_file() {
            let size = entry.metadata().unwrap().len();
            assert!(size < 100_000, "{} is {size} bytes", entry.path().display());
        }
    }
    // The other post is still there.
    assert!(site.join("public/a/index.html").is_file());
}
