//! Config parsing and validation tests.

use super::*;
use crate::model::{HashAlgo, Provider, Rating};

fn parse(text: &str) -> Result<Config, ConfigError> {
    Config::parse(text, Path::new("site/blog-avatars.toml"))
}

#[test]
fn empty_file_gives_the_contract_defaults() {
    let config = parse("").unwrap();
    assert_eq!(config, Config::default());
    assert_eq!(config.avatars.sizes, vec![40, 80]);
    assert_eq!(config.avatars.providers.len(), 7);
    assert_eq!(config.avatars.providers[0], Provider::Local);
    assert_eq!(config.http.concurrency, 16);
    assert_eq!(config.http.ttl_hours, 168);
    assert_eq!(config.largest_pixel_size(), 160);
}

#[test]
fn unknown_key_names_key_and_file() {
    let error = parse("[avatars]\nsizes = [40]\nsise = 3\n").unwrap_err();
    let message = error.to_string();
    assert!(message.contains("sise"), "{message}");
    assert!(message.contains("site/blog-avatars.toml"), "{message}");
}

#[test]
fn unknown_section_is_refused() {
    let message = parse("[gravtar]\nbase_url = \"x\"\n")
        .unwrap_err()
        .to_string();
    assert!(message.contains("gravtar"), "{message}");
}

#[test]
fn values_out_of_range_are_refused() {
    for (text, needle) in [
        ("[avatars]\nsizes = []", "at least one size"),
        ("[avatars]\nsizes = [0]", "out of range"),
        ("[avatars]\nsizes = [2000]", "out of range"),
        ("[avatars]\nquality = 0", "quality"),
        ("[avatars]\nproviders = [\"qq\", \"qq\"]", "twice"),
        ("[avatars]\nproviders = [\"gravatr\"]", "gravatr"),
        ("[gravatar]\nbase_url = \"ftp://x/\"", "base_url"),
        ("[gravatar]\nhash = \"sha1\"", "sha1"),
        ("[qq]\nplaceholder_md5 = [\"xyz\"]", "placeholder_md5"),
        ("[http]\nconcurrency = 0", "concurrency"),
        ("[serve]\npreview_ttl_minutes = 0", "preview_ttl_minutes"),
        ("[serve]\nmax_upload = 1", "max_upload"),
    ] {
        let message = parse(text).unwrap_err().to_string();
        assert!(message.contains(needle), "{text}: {message}");
    }
}

#[test]
fn a_mirror_and_sha256_are_accepted() {
    let config =
        parse("[gravatar]\nbase_url = \"https://cravatar.cn/avatar/\"\nhash = \"sha256\"\n")
            .unwrap();
    assert_eq!(config.gravatar.base_url, "https://cravatar.cn/avatar/");
    assert_eq!(config.gravatar.hash, HashAlgo::Sha256);
}

#[test]
fn committed_example_parses_and_differs_from_nothing_unexpected() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("blog-avatars.example.toml");
    let text = std::fs::read_to_string(&path).unwrap();
    let config = Config::parse(&text, &path).unwrap();
    // The example spells out the defaults, so parsing it must give them back.
    let mut expected = Config::default();
    expected.gravatar.rating = Some(Rating::G);
    expected.http.cache_dir = Some(PathBuf::from(".blog-avatars-cache"));
    expected.site.title = Some("My blog".into());
    assert_eq!(config.avatars, expected.avatars);
    assert_eq!(config.http, expected.http);
    assert_eq!(config.gravatar, expected.gravatar);
    assert_eq!(config.qq, expected.qq);
    assert_eq!(config.serve, expected.serve);
    // Every section of the struct appears in the example, uncommented or as a comment.
    for section in [
        "[site]",
        "[scan]",
        "[avatars]",
        "[local]",
        "[url]",
        "[gravatar]",
        "[qq]",
        "[libravatar]",
        "[github]",
        "[http]",
        "[serve]",
        "[rewrite]",
    ] {
        assert!(text.contains(section), "example lacks {section}");
    }
    // The example's header table spells out the built-in one.
    assert_eq!(config.url.host_headers(), expected.url.host_headers());
    assert_eq!(config.rewrite, expected.rewrite);
}

#[test]
fn host_headers_merge_over_the_built_in_ones() {
    let default = Config::default().url.host_headers();
    let referer = ("Referer".to_owned(), "https://weibo.com/".to_owned());
    assert_eq!(default, [("sinaimg.cn".to_owned(), vec![referer])]);
    let config = parse(
        "[url.headers.\"SinaImg.cn.\"]\nreferer = \"\"\n\
         [url.headers.\"img.example.org\"]\nX-Key = \" k \"\n",
    )
    .unwrap();
    assert_eq!(
        config.url.host_headers(),
        [
            (
                "img.example.org".to_owned(),
                vec![("X-Key".into(), "k".into())]
            ),
            ("sinaimg.cn".to_owned(), vec![]),
        ]
    );
    for bad in [
        "[url.headers.\"https://weibo.com/\"]\nReferer = \"x\"\n",
        "[url.headers.\"*.weibo.com\"]\nReferer = \"x\"\n",
        "[url.headers.\"weibo.com\"]\n\"Two Words\" = \"x\"\n",
        "[url.headers.\"weibo.com\"]\nReferer = \"line\\nbreak\"\n",
        "[rewrite]\ngravatar_hosts = [\"/avatar/\"]\n",
    ] {
        assert!(parse(bad).is_err(), "{bad}");
    }
}
