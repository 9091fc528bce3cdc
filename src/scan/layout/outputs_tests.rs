//! Outputs inside the publish folder, and avatar folders the generator would not publish.

use super::super::tests::{open, site};
use super::super::*;

#[test]
fn outputs_inside_the_publish_folder_are_refused() {
    let dir = site(&[("hugo.toml", "publishDir = \"docs\"\n")]);
    let root = dir.path();
    let mut config = SiteConfig {
        avatar_dir: Some("docs/avatars".into()),
        ..SiteConfig::default()
    };
    let layout = SiteLayout::open(root, &config).unwrap();
    let error = layout.check_outputs(&root.join(".cache")).unwrap_err();
    assert_eq!(error.exit_code(), 2);
    assert!(
        error
            .to_string()
            .contains("avatar folder docs/avatars lies inside docs"),
        "{error}"
    );
    config.avatar_dir = None;
    let layout = SiteLayout::open(root, &config).unwrap();
    layout.check_outputs(&root.join(".cache")).unwrap();
    let error = layout
        .check_outputs(&root.join("docs/./cache"))
        .unwrap_err();
    assert!(error.to_string().contains("cache docs/cache"), "{error}");
    config.data_file = Some("docs/../docs/avatars.json".into());
    let layout = SiteLayout::open(root, &config).unwrap();
    assert!(layout.check_outputs(&root.join(".cache")).is_err());
}

#[test]
fn an_avatar_folder_the_generator_would_not_publish_is_refused() {
    let (_dir, layout) = open(&[("_config.yml", "exclude:\n  - Gemfile\n  - assets/\n")]);
    let error = layout.unwrap_err();
    assert_eq!(error.exit_code(), 2);
    assert!(
        error.to_string().contains(
            "the avatar folder assets/avatars would not be published (_config.yml excludes assets)"
        ),
        "{error}"
    );
    let dir = site(&[("_config.yml", "exclude: [\"*.gemspec\", vendor]\n")]);
    let mut config = SiteConfig::default();
    SiteLayout::open(dir.path(), &config).unwrap();
    config.avatar_dir = Some("_faces".into());
    let error = SiteLayout::open(dir.path(), &config).unwrap_err();
    assert!(
        error
            .to_string()
            .contains("(jekyll skips names starting with _ or .)"),
        "{error}"
    );
    let dir = site(&[("package.json", "{\"hexo\": {}}")]);
    config.avatar_dir = Some("source/.faces".into());
    assert!(SiteLayout::open(dir.path(), &config).is_err());
    config.avatar_dir = Some("source/faces".into());
    SiteLayout::open(dir.path(), &config).unwrap();
}
