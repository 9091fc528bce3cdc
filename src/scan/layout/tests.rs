//! Detection and folders per generator, on small sites in temp dirs.

use super::*;

/// Files of a site (a path ending in `/` is a folder), the layout expected, the deciding file.
type Case = (Vec<(&'static str, &'static str)>, LayoutKind, &'static str);

pub(super) fn site(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (path, text) in files {
        let full = dir.path().join(path);
        if path.ends_with('/') {
            std::fs::create_dir_all(&full).unwrap();
        } else {
            std::fs::create_dir_all(full.parent().unwrap()).unwrap();
            std::fs::write(&full, text).unwrap();
        }
    }
    dir
}

pub(super) fn open(files: &[(&str, &str)]) -> (tempfile::TempDir, Result<SiteLayout>) {
    let dir = site(files);
    let layout = SiteLayout::open(dir.path(), &SiteConfig::default());
    (dir, layout)
}

#[test]
fn detects_each_generator_by_its_own_rules() {
    use LayoutKind::*;
    let cases: Vec<Case> = vec![
        (
            vec![("config.toml", "base_url = \"https://x\"\n")],
            Zola,
            "config.toml",
        ),
        (vec![("zola.toml", "title = \"x\"\n")], Zola, "zola.toml"),
        (vec![("hugo.toml", "")], Hugo, "hugo.toml"),
        (vec![("hugo.yaml", "title: x\n")], Hugo, "hugo.yaml"),
        (vec![("hugo.json", "{}")], Hugo, "hugo.json"),
        (
            vec![("config.toml", "baseurl = \"https://x\"\n")],
            Hugo,
            "config.toml",
        ),
        (
            vec![("config.yaml", "BaseURL: https://x\n")],
            Hugo,
            "config.yaml",
        ),
        (
            vec![("config.json", "{\"languageCode\": \"en\"}")],
            Hugo,
            "config.json",
        ),
        (
            vec![("config.toml", "title = \"x\"\n"), ("archetypes/", "")],
            Hugo,
            "config.toml",
        ),
        (
            vec![("config.toml", "title = \"x\"\n"), ("content/", "")],
            Hugo,
            "config.toml",
        ),
        (
            vec![("config/_default/config.toml", "baseURL = \"/\"\n")],
            Hugo,
            "config/_default/config.toml",
        ),
        (
            vec![("config/_default/params.toml", "x = 1\n")],
            Hugo,
            "config/_default/",
        ),
        (vec![("_config.yml", "title: x\n")], Jekyll, "_config.yml"),
        (
            vec![("_config.toml", "title = \"x\"\n")],
            Jekyll,
            "_config.toml",
        ),
        (
            vec![("_config.yml", "title: x\n"), ("_posts/a.md", "")],
            Jekyll,
            "_config.yml",
        ),
        (
            vec![
                ("_config.yml", "title: x\n"),
                ("Gemfile", "gem \"jekyll\", \"~> 4.3\"\n"),
            ],
            Jekyll,
            "Gemfile",
        ),
        (
            vec![("_config.yml", "title: x\n"), ("source/_posts/a.md", "")],
            Hexo,
            "_config.yml",
        ),
        (
            vec![("_config.yml", "new_post_name: :title.md\n")],
            Hexo,
            "_config.yml",
        ),
        (
            vec![
                ("_config.yml", "title: x\n"),
                ("package.json", "{\"dependencies\": {\"hexo\": \"^7.0.0\"}}"),
            ],
            Hexo,
            "package.json",
        ),
        (vec![("content/a.md", "")], Native, "content/"),
    ];
    for (files, expected, file) in cases {
        let (_dir, layout) = open(&files);
        let layout = layout.unwrap_or_else(|e| panic!("{files:?}: {e}"));
        assert_eq!(layout.kind, expected, "{files:?}: {}", layout.detection);
        assert_eq!(layout.detection.file.as_deref(), Some(file), "{files:?}");
    }
}

#[test]
fn no_site_and_ties_are_usage_errors() {
    for files in [
        vec![],
        vec![("README.md", "# hi\n")],
        vec![("config.toml", "title = 1\n")],
        vec![("config.toml", "not [toml")],
        vec![("package.json", "{\"dependencies\": {\"react\": \"1\"}}")],
    ] {
        let (_dir, layout) = open(&files);
        let error = layout.expect_err(&format!("{files:?}"));
        assert_eq!(error.exit_code(), 2, "{error}");
        assert!(
            error.to_string().starts_with("no site found in "),
            "{error}"
        );
        assert!(error.to_string().contains("_config.yml"), "{error}");
    }
    let (_dir, layout) = open(&[("config.toml", "not [toml")]);
    assert!(
        layout
            .unwrap_err()
            .to_string()
            .contains("config.toml: not valid TOML")
    );
    // Hugo's own file and Hexo's manifest: equally strong, so ask.
    let (_dir, layout) = open(&[
        ("hugo.toml", ""),
        ("package.json", "{\"devDependencies\": {\"hexo\": \"7\"}}"),
    ]);
    let error = layout.unwrap_err().to_string();
    assert!(
        error.contains("[site] layout = \"hugo\" or layout = \"hexo\""),
        "{error}"
    );
    // Hexo's keys and Jekyll's keys in the same _config.yml.
    let (_dir, layout) = open(&[("_config.yml", "source_dir: src\ncollections_dir: c\n")]);
    assert!(layout.unwrap_err().to_string().contains("cannot tell"));
}

#[test]
fn the_stronger_sign_wins_and_the_report_says_so() {
    let (_dir, layout) = open(&[("hugo.toml", ""), ("_config.yml", "title: x\n")]);
    let layout = layout.unwrap();
    assert_eq!(layout.kind, LayoutKind::Hugo);
    assert_eq!(
        layout.detection.to_string(),
        "hugo (hugo.toml: Hugo's own config file name; weaker signs ignored: _config.yml for \
         jekyll (Jekyll's config file name))"
    );
}

#[test]
fn hugo_folders_from_any_case_keys_and_the_config_dir() {
    let (dir, layout) = open(&[
        (
            "config/_default/config.toml",
            "BaseURL = \"/\"\nCONTENTDIR = \"posts-src\"\ndataDir = \"site-data\"\n\
             staticDir = [\"assets-static\", \"static\"]\npublishDir = \"docs\"\n",
        ),
        ("config/_default/params.toml", "x = 1\n"),
    ]);
    let layout = layout.unwrap();
    let root = dir.path();
    assert_eq!(layout.post_dirs, vec![root.join("posts-src")]);
    assert_eq!(layout.data_dir, root.join("site-data"));
    assert_eq!(layout.comment_dir, root.join("site-data/comments"));
    assert_eq!(layout.data_file, root.join("site-data/avatars.json"));
    assert_eq!(layout.avatar_dir, root.join("assets-static/avatars"));
    assert_eq!(
        layout.static_dirs,
        vec![root.join("assets-static"), root.join("static")]
    );
    assert_eq!(layout.publish_dir, root.join("docs"));
    assert_eq!(layout.output_dir, None);
    // The root file wins over the config directory.
    let (dir, layout) = open(&[
        ("hugo.yaml", "staticDir: own\n"),
        ("config/_default/hugo.toml", "staticDir = \"dir\"\n"),
    ]);
    assert_eq!(layout.unwrap().avatar_dir, dir.path().join("own/avatars"));
}

#[test]
fn jekyll_folders_from_source_collections_and_destination() {
    let (dir, layout) = open(&[
        (
            "_config.yml",
            "source: src\ndestination: out\ncollections_dir: coll\ncollections:\n  recipes:\n    \
             output: true\n  posts:\n    output: true\n",
        ),
        ("src/", ""),
    ]);
    let layout = layout.unwrap();
    let src = dir.path().join("src");
    assert_eq!(
        layout.post_dirs,
        vec![
            src.join("coll/_posts"),
            src.join("coll/_drafts"),
            src.join("coll/_recipes")
        ]
    );
    assert_eq!(layout.data_dir, src.join("_data"));
    assert_eq!(layout.avatar_dir, src.join("assets/avatars"));
    assert_eq!(layout.url_prefix, "/assets/avatars/");
    assert_eq!(layout.publish_dir, dir.path().join("out"));
    assert_eq!(layout.static_dirs, vec![src]);

    let (dir, layout) = open(&[("_config.yml", "source: src\ncollections: [talks]\n")]);
    assert_eq!(
        layout.unwrap_err().to_string(),
        format!(
            "_config.yml sets source: src, but {} does not exist (if an earlier build step \
             makes it, run that step first)",
            dir.path().join("src").display()
        )
    );
}

#[test]
fn hexo_folders_and_native_defaults() {
    let (dir, layout) = open(&[(
        "_config.yml",
        "source_dir: src\npublic_dir: www\nnew_post_name: :title.md\n",
    )]);
    let layout = layout.unwrap();
    let root = dir.path();
    assert_eq!(layout.post_dirs, vec![root.join("src")]);
    assert_eq!(layout.data_file, root.join("src/_data/avatars.json"));
    assert_eq!(layout.avatar_dir, root.join("src/avatars"));
    assert_eq!(layout.publish_dir, root.join("www"));

    let (dir, layout) = open(&[("content/", "")]);
    let layout = layout.unwrap();
    assert_eq!(layout.avatar_dir, dir.path().join("public/avatars"));
    assert_eq!(layout.output_dir, Some(dir.path().join("public")));
    assert_eq!(layout.publish_dir, dir.path().join("public"));
    assert_eq!(layout.template_dir, Some(dir.path().join("templates")));
}

#[test]
fn explicit_layout_uses_that_generators_folders() {
    let dir = site(&[("config.toml", "contentDir = \"text\"\n")]);
    let config = SiteConfig {
        layout: LayoutChoice::Hugo,
        ..SiteConfig::default()
    };
    let layout = SiteLayout::open(dir.path(), &config).unwrap();
    assert_eq!(layout.post_dirs, vec![dir.path().join("text")]);
    assert_eq!(
        layout.detection.reason,
        "[site] layout = \"hugo\" in the config"
    );
    // Native needs nothing at all.
    let empty = site(&[]);
    let config = SiteConfig {
        layout: LayoutChoice::Native,
        ..SiteConfig::default()
    };
    assert_eq!(
        SiteLayout::open(empty.path(), &config).unwrap().kind,
        LayoutKind::Native
    );
}

#[test]
fn every_path_can_be_overridden() {
    let site_config = SiteConfig {
        layout: LayoutChoice::Hugo,
        post_dirs: Some(vec!["posts".into()]),
        comment_dir: Some("comments".into()),
        avatar_dir: Some("static/img/faces".into()),
        url_prefix: Some("img/faces".into()),
        data_file: Some("data/faces.json".into()),
        output_dir: Some("out".into()),
        template_dir: Some("theme".into()),
        title: None,
    };
    let layout = SiteLayout::resolve(Path::new("/s"), &site_config);
    assert_eq!(layout.kind, LayoutKind::Hugo);
    assert_eq!(layout.post_dirs, vec![PathBuf::from("/s/posts")]);
    assert_eq!(layout.comment_dir, PathBuf::from("/s/comments"));
    assert_eq!(layout.avatar_dir, PathBuf::from("/s/static/img/faces"));
    assert_eq!(layout.url_prefix, "/img/faces/");
    assert_eq!(layout.data_file, PathBuf::from("/s/data/faces.json"));
    assert_eq!(layout.output_dir, Some(PathBuf::from("/s/out")));
    assert_eq!(layout.template_dir, Some(PathBuf::from("/s/theme")));
}

#[test]
fn avatar_urls_live_under_the_sites_base_path() {
    for (files, prefix) in [
        (
            vec![("hugo.toml", "baseURL = \"https://u.github.io/project/\"\n")],
            "/project/avatars/",
        ),
        (
            vec![("config.toml", "baseurl = \"https://blog.example.org\"\n")],
            "/avatars/",
        ),
        (
            vec![("config.toml", "base_url = \"https://x.org/a/b\"\n")],
            "/a/b/avatars/",
        ),
        (
            vec![("_config.yml", "baseurl: /blog\n")],
            "/blog/assets/avatars/",
        ),
        (vec![("_config.yml", "baseurl: \"\"\n")], "/assets/avatars/"),
        (
            vec![("_config.yml", "source_dir: source\nroot: /notes/\n")],
            "/notes/avatars/",
        ),
    ] {
        let (_dir, layout) = open(&files);
        assert_eq!(layout.unwrap().url_prefix, prefix, "{files:?}");
    }
    assert_eq!(under_base(Some("https://x.org"), "avatars"), "/avatars/");
    assert_eq!(under_base(Some("/"), "avatars"), "/avatars/");
}

#[test]
fn hugo_scans_each_languages_content_dir() {
    let (dir, layout) = open(&[(
        "hugo.toml",
        "[languages.en]\ncontentDir = \"content/en\"\n[languages.zh]\ncontentdir = \"content-zh\"\n",
    )]);
    let root = dir.path();
    assert_eq!(
        layout.unwrap().post_dirs,
        vec![root.join("content"), root.join("content-zh")]
    );
}
