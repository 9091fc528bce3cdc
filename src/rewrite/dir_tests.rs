//! Tests of a whole folder: which files are pages, the parallel first pass, rewriting what changed.

use std::time::{Duration, SystemTime};

use super::*;
use crate::rewrite::tests::{fake_lookup, fixtures};

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

fn relative(files: &[PathBuf], dir: &Path) -> Vec<String> {
    files
        .iter()
        .map(|f| {
            f.strip_prefix(dir)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/")
        })
        .collect()
}

#[test]
fn lists_pages_only() {
    let temp = tempfile::tempdir().unwrap();
    let dir = temp.path();
    copy_dir(&fixtures().join("jekyll"), dir);
    std::fs::create_dir_all(dir.join(".git")).unwrap();
    std::fs::write(dir.join(".git/index.html"), "x").unwrap();
    std::fs::write(dir.join("notes.txt"), "x").unwrap();
    #[cfg(unix)]
    {
        let outside = tempfile::tempdir().unwrap();
        std::fs::write(outside.path().join("page.html"), "x").unwrap();
        std::os::unix::fs::symlink(outside.path(), dir.join("linked-dir")).unwrap();
        std::os::unix::fs::symlink(outside.path().join("page.html"), dir.join("linked.html"))
            .unwrap();
        let files = html_files(dir);
        assert!(files.iter().all(|f| !f.starts_with(dir.join("linked-dir"))));
    }
    let files = html_files(dir);
    assert_eq!(
        relative(&files, dir),
        ["2024/03/14/pi-day.html", "about.html", "legacy.HTM"]
    );
    assert_eq!(html_files(&dir.join("missing")), Vec::<PathBuf>::new());
}

#[test]
fn collects_in_parallel_and_warns_per_file() {
    let mut files = html_files(&fixtures());
    files.push(fixtures().join("no-such-page.html"));
    let (found, warnings) = collect_dir(&files, &Recognizer::default());
    let one_by_one: BTreeSet<AvatarRef> = files[..files.len() - 1]
        .iter()
        .flat_map(|f| crate::rewrite::collect(&std::fs::read(f).unwrap()).unwrap())
        .collect();
    assert_eq!(found, one_by_one);
    assert!(found.len() > 10);
    assert_eq!(warnings.len(), 1);
    assert!(
        warnings[0].path.ends_with("no-such-page.html"),
        "{:?}",
        warnings[0]
    );
}

#[test]
fn rewrites_changed_pages_only() {
    let temp = tempfile::tempdir().unwrap();
    let dir = temp.path().join("public");
    copy_dir(&fixtures(), &dir);
    std::fs::write(
        dir.join("ambiguous.html"),
        "<select><xmp><script></script></select>",
    )
    .unwrap();
    let old = SystemTime::now() - Duration::from_secs(86_400);
    let about = dir.join("jekyll/about.html");
    std::fs::File::options()
        .write(true)
        .open(&about)
        .unwrap()
        .set_modified(old)
        .unwrap();
    let about_bytes = std::fs::read(&about).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let page = dir.join("jekyll/legacy.HTM");
        std::fs::set_permissions(&page, std::fs::Permissions::from_mode(0o644)).unwrap();
    }

    let files = html_files(&dir);
    let recognizer = Recognizer::default();
    let (found, warnings) = collect_dir(&files, &recognizer);
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    let lookup = fake_lookup(&found);
    let report = rewrite_dir(&files, &dir, &recognizer, &lookup).unwrap();
    assert_eq!(report.files_scanned, 6);
    assert_eq!(report.files_changed, 5);
    assert_eq!(report.urls_replaced, 33);
    assert_eq!(report.urls_unresolved, 0);
    // The Staticman page's empty, empty-email and unfilled hashes.
    assert_eq!(report.urls_anonymous, 5);
    // What `rewrite` cannot reach: the Valine widget and its avatar CDN, the Hugo page's
    // script and style block naming Gravatar. Browsers still contact those hosts.
    let left: Vec<(String, &str)> = report
        .unreplaced
        .iter()
        .map(|u| (u.path.replace('\\', "/"), u.url.as_str()))
        .collect();
    let hexo = "hexo/2024/05/01/hello-hexo/index.html".to_owned();
    let hugo = "hugo/posts/hello-world/index.html".to_owned();
    assert_eq!(
        left,
        [
            (
                hexo.clone(),
                "//unpkg.com/valine/dist/Valine.min.js (Valine script: it draws \
                 commenters' avatars in the browser)"
            ),
            (
                hexo,
                "<script> naming cravatar.cn (the browser fetches avatars from it)"
            ),
            (
                hugo.clone(),
                "<script> naming gravatar.com (the browser fetches avatars from it)"
            ),
            (
                hugo,
                "<style> naming gravatar.com (the browser fetches avatars from it)"
            ),
        ]
    );
    let changed: Vec<String> = report
        .changed
        .iter()
        .map(|p| p.to_string_lossy().replace('\\', "/"))
        .collect();
    assert_eq!(
        changed,
        [
            "hexo/2024/05/01/hello-hexo/index.html",
            "hugo/posts/hello-world/index.html",
            "jekyll/2024/03/14/pi-day.html",
            "jekyll/legacy.HTM",
            "staticman/2024/06/02/empty-email/index.html",
        ]
    );
    assert_eq!(report.warnings.len(), 1);
    assert_eq!(report.warnings[0].path, "ambiguous.html");

    // The page without avatars was not written; the others were, keeping permissions.
    assert_eq!(std::fs::read(&about).unwrap(), about_bytes);
    assert_eq!(std::fs::metadata(&about).unwrap().modified().unwrap(), old);
    let legacy = std::fs::read_to_string(dir.join("jekyll/legacy.HTM")).unwrap();
    assert!(legacy.contains("src=\"/avatars/T") && !legacy.contains("gravatar"));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(dir.join("jekyll/legacy.HTM"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o644);
    }
    // Not a page: untouched.
    let feed = std::fs::read(dir.join("jekyll/feed.xml")).unwrap();
    assert_eq!(
        feed,
        std::fs::read(fixtures().join("jekyll/feed.xml")).unwrap()
    );
    // No temp files left behind.
    let leftovers = walkdir::WalkDir::new(&dir)
        .into_iter()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().ends_with(".tmp"))
        .count();
    assert_eq!(leftovers, 0);

    // A second run finds nothing left to replace and writes nothing.
    let (again, _) = collect_dir(&files, &recognizer);
    assert_eq!(again, BTreeSet::new());
    let report = rewrite_dir(&files, &dir, &recognizer, &lookup).unwrap();
    assert_eq!((report.files_changed, report.urls_replaced), (0, 0));
}
