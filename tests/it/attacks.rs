//! Attacks on the privacy and safety promises (issue 13), each a regression test for a hole
//! found by trying it: a run from inside the site, and Jekyll collections that publish the
//! upload folder.

use std::path::Path;
use std::process::Command;

use crate::support::{copy_site, s};

/// A small valid PNG, written as an upload named by the commenter's email.
fn upload(dir: &Path, name: &str) {
    std::fs::create_dir_all(dir).unwrap();
    let image = image::RgbImage::from_pixel(16, 16, image::Rgb([10, 200, 30]));
    image.save(dir.join(name)).unwrap();
}

/// `build .` from inside the site, the most common call, with no avatar folder yet: the folder
/// to create was checked as the relative `assets/avatars`, which never lies "within" the
/// resolved site, so the build refused it as a symlink leaving the site (exit 1).
#[test]
fn build_dot_from_inside_a_fresh_site_writes_its_avatars() {
    let (_temp, site) = copy_site("sites/jekyll");
    let output = Command::new(env!("CARGO_BIN_EXE_blog-avatars"))
        .args(["build", ".", "--offline", "--format", "json"])
        .current_dir(&site)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    assert!(!stderr.contains("symlink"), "{stderr}");
    assert!(
        walkdir::WalkDir::new(site.join("assets/avatars"))
            .into_iter()
            .flatten()
            .any(|e| e.file_type().is_file()),
        "no avatar written"
    );
}

/// A Jekyll collection named `avatars` with `output: true` makes Jekyll publish `_avatars/`,
/// the upload folder, file names (emails) and all. The real Jekyll shows it; the build must
/// warn, and `--strict` fail, as for `include: [_avatars]`.
#[test]
fn a_jekyll_collection_over_the_upload_folder_is_an_exposure() {
    const EMAIL: &str = "collected@example.org";
    let (_temp, site) = copy_site("sites/jekyll");
    let config = site.join("_config.yml");
    let mut text = std::fs::read_to_string(&config).unwrap();
    text.push_str("collections:\n  avatars:\n    output: true\n");
    std::fs::write(&config, text).unwrap();
    upload(&site.join("_avatars"), &format!("{EMAIL}.png"));

    let output = Command::new("jekyll")
        .args(["build", "--quiet", "--source", s(&site), "--destination"])
        .arg(site.join("_site"))
        .current_dir(&site)
        .output()
        .expect("jekyll is installed");
    assert!(output.status.success(), "jekyll: {output:?}");
    assert!(
        site.join(format!("_site/avatars/{EMAIL}.png")).exists(),
        "Jekyll no longer publishes an output collection; this test shows nothing"
    );

    let strict = crate::support::run(&["build", s(&site), "--offline", "--strict"]);
    let stderr = String::from_utf8_lossy(&strict.stderr);
    let stdout = String::from_utf8_lossy(&strict.stdout);
    assert_eq!(strict.status.code(), Some(3), "{stdout}\n{stderr}");
    assert!(
        format!("{stdout}{stderr}")
            .contains("[local] dir lies inside what the jekyll layout publishes"),
        "{stdout}\n{stderr}"
    );
}

/// A Hugo module mount of the upload folder onto `static/` publishes it: the real Hugo shows
/// it, and the build must warn (and `--strict` fail) as for a `staticDir` holding it.
#[test]
fn a_hugo_mount_of_the_upload_folder_onto_static_is_an_exposure() {
    const EMAIL: &str = "mounted@example.org";
    let (_temp, site) = copy_site("sites/hugo");
    let config = site.join("hugo.toml");
    let mut text = std::fs::read_to_string(&config).unwrap();
    text.push_str(
        "[[module.mounts]]\nsource = \"static\"\ntarget = \"static\"\n\
         [[module.mounts]]\nsource = \"_avatars\"\ntarget = \"static/faces\"\n",
    );
    std::fs::write(&config, text).unwrap();
    upload(&site.join("_avatars"), &format!("{EMAIL}.png"));

    let strict = crate::support::run(&["build", s(&site), "--offline", "--strict"]);
    let stderr = String::from_utf8_lossy(&strict.stderr);
    let stdout = String::from_utf8_lossy(&strict.stdout);
    assert_eq!(strict.status.code(), Some(3), "{stdout}\n{stderr}");
    assert!(
        format!("{stdout}{stderr}")
            .contains("[local] dir lies inside what the hugo layout publishes"),
        "{stdout}\n{stderr}"
    );

    let output = Command::new("hugo")
        .args(["--quiet", "--source", s(&site)])
        .output()
        .expect("hugo is installed");
    assert!(output.status.success(), "hugo: {output:?}");
    assert!(
        site.join(format!("public/faces/{EMAIL}.png")).exists(),
        "Hugo no longer publishes a mount onto static; this test shows nothing"
    );
}

/// Hexo's `include: ["_avatars/**"]` publishes `source/_avatars/` although its name starts
/// with `_`: the real Hexo shows it, and an upload folder there must be warned (and fail
/// `--strict`).
#[test]
fn a_hexo_include_of_the_upload_folder_is_an_exposure() {
    const EMAIL: &str = "included@example.org";
    let temp = tempfile::tempdir().unwrap();
    let site = temp.path().join("site");
    let from = crate::support::fixtures().join("generators/hexo");
    std::fs::create_dir_all(&site).unwrap();
    for entry in walkdir::WalkDir::new(&from)
        .into_iter()
        .filter_entry(|e| e.file_name() != "node_modules")
    {
        let entry = entry.unwrap();
        let target = site.join(entry.path().strip_prefix(&from).unwrap());
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&target).unwrap();
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
    std::os::unix::fs::symlink(from.join("node_modules"), site.join("node_modules")).unwrap();
    let config = site.join("_config.yml");
    let mut text = std::fs::read_to_string(&config).unwrap();
    text.push_str("include:\n  - \"_avatars/**\"\n");
    std::fs::write(&config, text).unwrap();
    std::fs::write(
        site.join("blog-avatars.toml"),
        "[local]\ndir = \"source/_avatars\"\n",
    )
    .unwrap();
    upload(&site.join("source/_avatars"), &format!("{EMAIL}.png"));

    let strict = crate::support::run(&["build", s(&site), "--offline", "--strict"]);
    let stderr = String::from_utf8_lossy(&strict.stderr);
    let stdout = String::from_utf8_lossy(&strict.stdout);
    assert_eq!(strict.status.code(), Some(3), "{stdout}\n{stderr}");
    assert!(
        format!("{stdout}{stderr}")
            .contains("[local] dir lies inside what the hexo layout publishes"),
        "{stdout}\n{stderr}"
    );

    let output = Command::new(from.join("node_modules/.bin/hexo"))
        .arg("generate")
        .current_dir(&site)
        .output()
        .expect("npm ci --prefix fixtures/generators/hexo");
    assert!(output.status.success(), "hexo: {output:?}");
    assert!(
        site.join(format!("public/_avatars/{EMAIL}.png")).exists(),
        "Hexo no longer publishes an included folder; this test shows nothing"
    );
}
