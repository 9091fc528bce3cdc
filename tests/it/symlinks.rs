//! No write or delete follows a symlink out of the site: an avatar folder or a folder of the
//! native output linked to somewhere else stops the build, and the files there stay as they were.

use std::os::unix::fs::symlink;
use std::path::Path;

use crate::support::{copy_site, run, s};

/// A folder outside the site holding files a prune or a render would otherwise touch.
fn canaries(dir: &Path, names: &[&str]) {
    std::fs::create_dir_all(dir).unwrap();
    for name in names {
        std::fs::write(dir.join(name), format!("canary {name}")).unwrap();
    }
}

fn assert_untouched(dir: &Path, names: &[&str]) {
    let mut found: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    found.sort();
    let mut expected: Vec<String> = names.iter().map(|n| (*n).to_owned()).collect();
    expected.sort();
    assert_eq!(
        found,
        expected,
        "files added or removed in {}",
        dir.display()
    );
    for name in names {
        assert_eq!(
            std::fs::read_to_string(dir.join(name)).unwrap(),
            format!("canary {name}"),
            "{name} was overwritten"
        );
    }
}

#[test]
fn an_avatar_folder_linked_out_of_the_site_is_neither_pruned_nor_written() {
    let (temp, site) = copy_site("sites/native");
    let outside = temp.path().join("elsewhere");
    // Named like the files this tool writes, so a prune would take them.
    let names = ["0123456789abcdef.webp", "fedcba9876543210.png", "notes.txt"];
    canaries(&outside, &names);
    std::fs::create_dir_all(site.join("public")).unwrap();
    symlink(&outside, site.join("public/avatars")).unwrap();
    let output = run(&["build", s(&site), "--offline"]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("symlink"), "{stderr}");
    assert_untouched(&outside, &names);
}

#[test]
fn a_folder_of_the_native_output_linked_out_of_the_site_is_left_alone() {
    let (temp, site) = copy_site("sites/native");
    // A first build renders `public/a/index.html` and lists it in the manifest.
    let first = run(&["build", s(&site), "--offline"]);
    assert_eq!(first.status.code(), Some(0), "{first:?}");
    let outside = temp.path().join("elsewhere");
    canaries(&outside, &["index.html", "other.html"]);
    // The post's folder now leads out of the site: the next render would write its page there,
    // and once the post is gone, the prune would delete what the manifest names there.
    std::fs::remove_dir_all(site.join("public/a")).unwrap();
    symlink(&outside, site.join("public/a")).unwrap();
    let output = run(&["build", s(&site), "--offline"]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("symlink"), "{stderr}");
    assert_untouched(&outside, &["index.html", "other.html"]);
    std::fs::remove_file(site.join("content/a.md")).unwrap();
    let output = run(&["build", s(&site), "--offline"]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert_untouched(&outside, &["index.html", "other.html"]);
}

#[test]
fn a_data_folder_linked_out_of_the_site_gets_no_data_file() {
    let (temp, site) = copy_site("sites/native");
    let outside = temp.path().join("elsewhere");
    canaries(&outside, &["avatars.json"]);
    // The comment data moves along, so the scan still finds it through the link.
    let data = site.join("data");
    for entry in std::fs::read_dir(&data).unwrap() {
        let entry = entry.unwrap();
        std::fs::rename(entry.path(), outside.join(entry.file_name())).unwrap();
    }
    std::fs::remove_dir(&data).unwrap();
    symlink(&outside, &data).unwrap();
    let output = run(&["build", s(&site), "--offline"]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("symlink"), "{stderr}");
    assert_eq!(
        std::fs::read_to_string(outside.join("avatars.json")).unwrap(),
        "canary avatars.json"
    );
}
