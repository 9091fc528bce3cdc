//! Attacks on the privacy and safety promises (issue 13), each a regression test for a hole
//! found by trying it: a run from inside the site, and Jekyll collections that publish the
//! upload folder.

use std::path::Path;

use crate::support::{copy_site, fixtures, generator, run, run_in, s, said, site_with};

/// A small valid PNG, written as an upload named by the commenter's email.
fn upload(dir: &Path, name: &str) {
    std::fs::create_dir_all(dir).unwrap();
    let image = image::RgbImage::from_pixel(16, 16, image::Rgb([10, 200, 30]));
    image.save(dir.join(name)).unwrap();
}

/// `build --offline --strict` of `site` fails (exit 3) naming the upload folder as inside what
/// the `layout` generator publishes.
fn assert_strict_build_names_the_exposure(site: &Path, layout: &str) {
    let strict = run(&["build", s(site), "--offline", "--strict"]);
    let said = said(&strict);
    assert_eq!(strict.status.code(), Some(3), "{said}");
    assert!(
        said.contains(&format!(
            "[local] dir lies inside what the {layout} layout publishes"
        )),
        "{said}"
    );
}

/// `build .` from inside the site, the most common call, with no avatar folder yet: the folder
/// to create was checked as the relative `assets/avatars`, which never lies "within" the
/// resolved site, so the build refused it as a symlink leaving the site (exit 1).
#[test]
fn build_dot_from_inside_a_fresh_site_writes_its_avatars() {
    let (_temp, site) = copy_site("sites/jekyll");
    let output = run_in(&site, &["build", ".", "--offline", "--format", "json"]);
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
    let (_temp, site) = site_with(
        "sites/jekyll",
        &[(
            "_config.yml",
            "collections:\n  avatars:\n    output: true\n",
        )],
    );
    upload(&site.join("_avatars"), &format!("{EMAIL}.png"));

    let destination = site.join("_site");
    generator(
        "jekyll",
        &[
            "build",
            "--quiet",
            "--source",
            s(&site),
            "--destination",
            s(&destination),
        ],
        &site,
    );
    assert!(
        site.join(format!("_site/avatars/{EMAIL}.png")).exists(),
        "Jekyll no longer publishes an output collection; this test shows nothing"
    );

    assert_strict_build_names_the_exposure(&site, "jekyll");
}

/// A Hugo module mount of the upload folder onto `static/` publishes it: the real Hugo shows
/// it, and the build must warn (and `--strict` fail) as for a `staticDir` holding it.
#[test]
fn a_hugo_mount_of_the_upload_folder_onto_static_is_an_exposure() {
    const EMAIL: &str = "mounted@example.org";
    let (_temp, site) = site_with(
        "sites/hugo",
        &[(
            "hugo.toml",
            "[[module.mounts]]\nsource = \"static\"\ntarget = \"static\"\n\
             [[module.mounts]]\nsource = \"_avatars\"\ntarget = \"static/faces\"\n",
        )],
    );
    upload(&site.join("_avatars"), &format!("{EMAIL}.png"));

    assert_strict_build_names_the_exposure(&site, "hugo");

    generator("hugo", &["--quiet", "--source", s(&site)], &site);
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
    let (_temp, site) = site_with(
        "generators/hexo",
        &[
            ("_config.yml", "include:\n  - \"_avatars/**\"\n"),
            ("blog-avatars.toml", "[local]\ndir = \"source/_avatars\"\n"),
        ],
    );
    let modules = fixtures().join("generators/hexo/node_modules");
    std::os::unix::fs::symlink(&modules, site.join("node_modules")).unwrap();
    upload(&site.join("source/_avatars"), &format!("{EMAIL}.png"));

    assert_strict_build_names_the_exposure(&site, "hexo");

    generator(s(&modules.join(".bin/hexo")), &["generate"], &site);
    assert!(
        site.join(format!("public/_avatars/{EMAIL}.png")).exists(),
        "Hexo no longer publishes an included folder; this test shows nothing"
    );
}
