//! Unit tests of [`super`]: content-addressed names, storing, pruning, the data file.

use super::*;

#[cfg(unix)]
#[test]
fn written_files_are_readable_by_others_or_keep_their_mode() {
    use std::os::unix::fs::PermissionsExt;
    let temp = tempfile::tempdir().unwrap();
    let fresh = temp.path().join("a/new.webp");
    write_atomic(&fresh, b"x").unwrap();
    let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&fresh), 0o644);
    let page = temp.path().join("page.html");
    std::fs::write(&page, b"old").unwrap();
    std::fs::set_permissions(&page, std::fs::Permissions::from_mode(0o640)).unwrap();
    write_atomic(&page, b"new").unwrap();
    assert_eq!(mode(&page), 0o640);
    assert_eq!(std::fs::read(&page).unwrap(), b"new");
}

#[test]
fn names_are_content_addressed() {
    let name = file_name(b"abc", "webp");
    // SHA-256("abc") = ba7816bf8f01cfea...
    assert_eq!(name, "ba7816bf8f01cfea.webp");
    assert!(is_own_name(&name));
    assert!(!is_own_name("ba7816bf8f01cfe.webp"));
    assert!(!is_own_name("ba7816bf8f01cfea.gif"));
    assert!(!is_own_name("README.md"));
}

#[test]
fn store_skips_identical_files_and_prune_keeps_foreign_ones() {
    let temp = tempfile::tempdir().unwrap();
    let dir = temp.path().join("avatars");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("0123456789abcdef.webp"), b"old").unwrap();
    std::fs::write(dir.join("keep-me.txt"), b"user file").unwrap();
    std::fs::write(dir.join(".blog-avatars-x1.tmp"), b"half").unwrap();
    let avatars = AvatarDir::new(dir.clone(), "/avatars/".into());
    let url = avatars.store(b"abc", "webp").unwrap();
    assert_eq!(url, "/avatars/ba7816bf8f01cfea.webp");
    assert_eq!(avatars.written(), 1);
    let modified = std::fs::metadata(dir.join("ba7816bf8f01cfea.webp"))
        .unwrap()
        .modified()
        .unwrap();
    let again = AvatarDir::new(dir.clone(), "/avatars/".into());
    again.store(b"abc", "webp").unwrap();
    assert_eq!(again.written(), 0, "identical file rewritten");
    assert_eq!(
        std::fs::metadata(dir.join("ba7816bf8f01cfea.webp"))
            .unwrap()
            .modified()
            .unwrap(),
        modified
    );
    // A damaged file under a content name is replaced, not trusted.
    std::fs::write(dir.join("ba7816bf8f01cfea.webp"), b"damaged").unwrap();
    let repair = AvatarDir::new(dir.clone(), "/avatars/".into());
    repair.store(b"abc", "webp").unwrap();
    assert_eq!(repair.written(), 1);
    assert_eq!(
        std::fs::read(dir.join("ba7816bf8f01cfea.webp")).unwrap(),
        b"abc"
    );
    let removed = again.prune().unwrap();
    assert_eq!(removed, vec!["0123456789abcdef.webp".to_owned()]);
    assert!(dir.join("keep-me.txt").exists());
    // Possibly another build's write in progress: the build's sweep decides, not prune.
    assert!(dir.join(".blog-avatars-x1.tmp").exists());
    assert!(dir.join("ba7816bf8f01cfea.webp").exists());
}

#[test]
fn a_failed_store_is_not_counted_as_produced() {
    let temp = tempfile::tempdir().unwrap();
    let dir = temp.path().join("avatars");
    let avatars = AvatarDir::new(dir.clone(), "/avatars/".into());
    let name = file_name(b"abc", "webp");
    let gone = temp.path().join("rendered/gone.webp");
    let from_cache = || std::fs::read(&gone).map_err(|e| Error::io(&gone, e));
    assert!(avatars.store_named(&name, from_cache).is_err());
    assert_eq!(avatars.produced(), 0);
    // The fallback (decoding the source again) must still write the file.
    avatars.store_named(&name, || Ok(b"abc".to_vec())).unwrap();
    assert_eq!(std::fs::read(dir.join(&name)).unwrap(), b"abc");
    assert_eq!((avatars.produced(), avatars.written()), (1, 1));
}

#[test]
fn data_file_shape() {
    let mut data = DataFile::new();
    data.avatars.insert(
        "Ada@Example.org ".into(),
        DataEntry {
            provider: Provider::Gravatar,
            sizes: BTreeMap::from([(
                "40".into(),
                SizeUrls {
                    x1: "/avatars/a.webp".into(),
                    x2: "/avatars/b.webp".into(),
                },
            )]),
        },
    );
    let json: serde_json::Value = serde_json::to_value(&data).unwrap();
    assert_eq!(
        json,
        serde_json::json!({"version": 1, "avatars": {"Ada@Example.org ": {
            "provider": "gravatar",
            "sizes": {"40": {"1x": "/avatars/a.webp", "2x": "/avatars/b.webp"}}}}})
    );
    let temp = tempfile::tempdir().unwrap();
    let path = temp.path().join("data/avatars.json");
    assert!(data.write(&path).unwrap());
    assert!(!data.write(&path).unwrap(), "unchanged data file rewritten");
}
