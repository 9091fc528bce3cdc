use std::path::Path;

use super::*;

/// Every generator's config text parses with the strict Config and keeps the detected layout.
#[test]
fn config_text_parses_strictly_for_every_generator() {
    for name in ["hugo", "jekyll", "hexo", "zola"] {
        let site = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("fixtures/generators")
            .join(name);
        let (_, layout) = crate::open_site(&site, None).unwrap();
        let text = config_text(&layout);
        let config = Config::parse(&text, Path::new("blog-avatars.toml"))
            .unwrap_or_else(|e| panic!("{name}: {e}\n{text}"));
        let expected = match name {
            "hugo" => LayoutChoice::Hugo,
            "jekyll" => LayoutChoice::Jekyll,
            "hexo" => LayoutChoice::Hexo,
            _ => LayoutChoice::Zola,
        };
        assert_eq!(config.site.layout, expected, "{name}");
        // The China mirror is there, ready to uncomment, and uncommented it parses too.
        assert!(
            text.contains("# base_url = \"https://cravatar.cn/avatar/\""),
            "{text}"
        );
        let mirror = text.replacen(
            "# base_url = \"https://cravatar.cn/avatar/\"",
            "base_url = \"https://cravatar.cn/avatar/\"",
            1,
        );
        Config::parse(&mirror, Path::new("blog-avatars.toml")).unwrap();
        // Reopening the site with it gives the same folders as detection did.
        let reopened = SiteLayout::open(&site, &config.site).unwrap();
        assert_eq!(reopened.avatar_dir, layout.avatar_dir, "{name}");
        assert_eq!(reopened.data_file, layout.data_file, "{name}");
    }
}

#[test]
fn placeholder_sits_beside_the_avatar_prefix() {
    assert_eq!(placeholder_url("/avatars/"), "/avatar-placeholder.png");
    assert_eq!(
        placeholder_url("/blog/avatars/"),
        "/blog/avatar-placeholder.png"
    );
    assert_eq!(
        placeholder_url("/assets/avatars/"),
        "/assets/avatar-placeholder.png"
    );
}

#[test]
fn placeholder_is_a_decodable_png() {
    let bytes = placeholder::png().unwrap();
    let image = image::load_from_memory(&bytes).unwrap();
    assert_eq!((image.width(), image.height()), (160, 160));
    assert_eq!(bytes, placeholder::png().unwrap());
}
