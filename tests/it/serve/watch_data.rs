//! The watcher follows what the scan reads: the whole data folder, not only the comment folder.

use std::time::Duration;

use super::{eventually, start};

#[test]
fn editing_a_data_file_outside_the_comment_folder_rebuilds() {
    let server = start("", |options| {
        options.watch = true;
        options.debounce = Duration::from_millis(100);
    });
    let generation = || {
        server.get("/_avatars/api/status").json()["build"]["generation"]
            .as_u64()
            .unwrap()
    };
    assert_eq!(generation(), 1);
    // Theme data beside the comment folder, as `_data/authors.yml` is in a Jekyll theme.
    std::fs::write(
        server.site.join("data/authors.yml"),
        "- name: Author\n  email: author@example.org\n",
    )
    .unwrap();
    assert!(
        eventually(Duration::from_secs(20), || server.data_file()["avatars"]
            .get("author@example.org")
            .is_some()),
        "no rebuild for data/authors.yml: {}",
        server.data_file()
    );
    // The data file is written before the build ends; the build then counts.
    assert!(eventually(Duration::from_secs(20), || generation() >= 2));
}
