use super::*;
use crate::config::{LayoutChoice, SiteConfig};

fn layout_of(kind: LayoutChoice, files: &[(&str, &str)]) -> (tempfile::TempDir, SiteLayout) {
    let temp = tempfile::tempdir().unwrap();
    for (path, text) in files {
        let path = temp.path().join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    let site = SiteConfig {
        layout: kind,
        ..SiteConfig::default()
    };
    let layout = SiteLayout::resolve(temp.path(), &site);
    (temp, layout)
}

fn published(layout: &SiteLayout, relative: &str) -> bool {
    published_tree(&published_trees(layout), &layout.root.join(relative)).is_some()
}

#[test]
fn the_defaults_are_private_in_every_layout() {
    for kind in [
        LayoutChoice::Jekyll,
        LayoutChoice::Hexo,
        LayoutChoice::Hugo,
        LayoutChoice::Zola,
        LayoutChoice::Native,
    ] {
        let (_temp, layout) = layout_of(kind, &[]);
        let config = Config::default();
        assert_eq!(
            local_dir(&layout, &config.local),
            layout.root.join("_avatars")
        );
        assert!(
            exposure_warnings(&layout, &config).is_empty(),
            "{kind:?}: {:?}",
            exposure_warnings(&layout, &config)
        );
        // The avatar files themselves are meant to be published.
        assert!(
            published(&layout, &layout.relative(&layout.avatar_dir)),
            "{kind:?}"
        );
    }
}

#[test]
fn what_each_generator_publishes() {
    let (_t, jekyll) = layout_of(
        LayoutChoice::Jekyll,
        &[(
            "_config.yml",
            "exclude: [private, notes/secret]\ninclude: [_headers]\n",
        )],
    );
    assert!(published(&jekyll, "avatars/jo@example.com.png"));
    assert!(published(&jekyll, "assets/x/y.png"));
    assert!(!published(&jekyll, "_avatars/jo@example.com.png"));
    assert!(!published(&jekyll, ".cache/x"));
    assert!(!published(&jekyll, "private/jo@example.com.png"));
    assert!(!published(&jekyll, "notes/secret/a"));
    assert!(published(&jekyll, "notes/other"));
    assert!(published(&jekyll, "_headers"));
    assert!(published(&jekyll, "_site/anything"));

    let (_t, hexo) = layout_of(LayoutChoice::Hexo, &[("_config.yml", "public_dir: www\n")]);
    assert!(published(&hexo, "source/uploads/a.png"));
    assert!(!published(&hexo, "source/_data/avatars.json"));
    assert!(!published(&hexo, "avatars/a.png"));
    assert!(published(&hexo, "www/a"));

    let (_t, hugo) = layout_of(
        LayoutChoice::Hugo,
        &[("hugo.toml", "publishDir = \"docs\"\n")],
    );
    assert!(published(&hugo, "static/uploads/a.png"));
    assert!(published(&hugo, "docs/x.json"));
    assert!(!published(&hugo, "public/x.json"));
    assert!(!published(&hugo, "data/avatars.json"));

    let (_t, zola) = layout_of(LayoutChoice::Zola, &[]);
    assert!(published(&zola, "static/a"));
    assert!(published(&zola, "public/a"));
    assert!(!published(&zola, "avatars/a"));

    let (_t, native) = layout_of(LayoutChoice::Native, &[]);
    assert!(published(&native, "public/.blog-avatars-cache/index.json"));
    assert!(published(&native, "static/x"));
    assert!(!published(&native, "data/avatars.json"));
}

#[test]
fn private_paths_inside_published_trees_are_named() {
    let (_t, layout) = layout_of(LayoutChoice::Native, &[]);
    let config = Config::parse(
        "[local]\ndir = \"static/uploads\"\n[http]\ncache_dir = \"public/cache\"\n",
        Path::new("blog-avatars.toml"),
    )
    .unwrap();
    let warnings = exposure_warnings(&layout, &config);
    let paths: Vec<&str> = warnings.iter().map(|w| w.path.as_str()).collect();
    assert_eq!(paths, ["static/uploads", "public/cache"]);
    assert!(warnings[0].message.contains("[local] dir"), "{warnings:?}");
    assert!(warnings[1].message.contains("cache"), "{warnings:?}");
}

#[test]
fn the_old_default_folder_is_used_while_it_holds_files_with_a_notice() {
    let (_t, layout) = layout_of(LayoutChoice::Jekyll, &[]);
    let config = Config::default();
    std::fs::create_dir_all(layout.root.join("avatars")).unwrap();
    // An empty old folder is not a reason to keep using it.
    assert_eq!(
        local_dir(&layout, &config.local),
        layout.root.join("_avatars")
    );
    assert!(local_dir_notice(&layout, &config.local).is_none());
    std::fs::write(layout.root.join("avatars/jo@example.com.png"), b"x").unwrap();
    assert_eq!(
        local_dir(&layout, &config.local),
        layout.root.join("avatars")
    );
    let notice = local_dir_notice(&layout, &config.local).unwrap();
    assert!(notice.message.contains("mv avatars _avatars"), "{notice}");
    // Jekyll publishes it: the exposure warning says so.
    let warnings = exposure_warnings(&layout, &config);
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert!(warnings[0].message.contains("jekyll"), "{warnings:?}");
}

#[test]
fn hugo_folders_come_from_its_config_directory_in_any_letter_case() {
    // Hugo reads `config/_default/` and keys in any case: `publishdir` there moves the output.
    let (_temp, layout) = layout_of(
        LayoutChoice::Auto,
        &[
            (
                "config/_default/hugo.toml",
                "baseurl = \"https://x.org/\"\npublishdir = \"docs\"\nstaticdir = \"assets\"\n",
            ),
            ("content/a.md", "---\ntitle: a\n---\n"),
        ],
    );
    assert_eq!(layout.kind, LayoutKind::Hugo);
    assert!(published(&layout, "docs/uploads/ada@example.org.png"));
    assert!(published(&layout, "assets/uploads/ada@example.org.png"));
    assert!(!published(&layout, "public/uploads/ada@example.org.png"));
    assert!(!published(&layout, "_avatars/ada@example.org.png"));
}

#[test]
fn hexo_include_globs_publish_hidden_folders() {
    let (_dir, layout) = layout_of(
        LayoutChoice::Hexo,
        &[(
            "_config.yml",
            "include:\n  - \"_avatars/**\"\n  - \"_s?cret*/x\"\n  - \"**/.well-known/*\"\n",
        )],
    );
    assert!(published(&layout, "source/_avatars"));
    assert!(published(&layout, "source/_avatars/jo@example.org.png"));
    assert!(published(&layout, "source/_secrets"));
    assert!(
        published(&layout, "source/_anything"),
        "`**` may match any folder"
    );
    let (_dir, layout) = layout_of(
        LayoutChoice::Hexo,
        &[("_config.yml", "include: \"_headers\"\n")],
    );
    assert!(published(&layout, "source/_headers"));
    assert!(!published(&layout, "source/_avatars"));
}
