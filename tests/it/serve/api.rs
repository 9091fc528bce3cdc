//! Upload, server-side preview, save, cancel and the rebuild after a save, over HTTP.

use super::{Part, decode, entries, image, near, portrait, start};

#[test]
fn upload_page_carries_a_token_the_sizes_and_a_strict_policy() {
    let server = start("[avatars]\nsizes = [32, 64]\n", |_| {});
    let page = server.get("/_avatars/upload");
    assert_eq!(page.status, 200);
    assert!(page.content_type.starts_with("text/html"));
    let text = page.text();
    assert!(
        text.contains("<meta name=\"avatars-sizes\" content=\"32,64\">"),
        "{text}"
    );
    let token = server.token();
    assert!(token.bytes().all(|b| b.is_ascii_hexdigit()), "{token}");
    let script = server.get("/_avatars/upload.js");
    assert_eq!(script.status, 200);
    assert!(script.text().contains("sendBeacon"));
    // A second server has another token.
    let other = start("", |_| {});
    assert_ne!(other.token(), token);
}

#[test]
fn server_preview_renders_every_size_cropped_and_cancel_discards_it() {
    let server = start("", |_| {});
    let answer = server.post_ok("/_avatars/api/preview", &[Part::File("file", &portrait())]);
    assert_eq!(answer.status, 200, "{}", answer.text());
    let json = answer.json();
    let id = json["id"].as_str().unwrap().to_owned();
    assert_eq!(
        (json["width"].as_u64(), json["height"].as_u64()),
        (Some(300), Some(200))
    );
    assert_eq!(json["side"], 200);
    assert_eq!(json["upscaled"], false);
    assert_eq!(server.previews(), vec![id.clone()]);
    let sizes = json["sizes"].as_array().unwrap();
    assert_eq!(sizes.len(), 2, "one entry per CSS size (40, 80)");
    for size in sizes {
        let css = size["css"].as_u64().unwrap() as u32;
        for (key, px) in [("1x", css), ("2x", css * 2)] {
            let file = server.get(size[key].as_str().unwrap());
            assert_eq!(
                (file.status, file.content_type.as_str()),
                (200, "image/png")
            );
            let png = decode(&file.body);
            assert_eq!(png.dimensions(), (px, px));
            // Corners of the centre square are green; blue would mean no crop.
            for (x, y) in [(1, 1), (px - 2, 1), (1, px - 2), (px - 2, px - 2)] {
                assert!(
                    near(png.get_pixel(x, y).0, [40, 170, 90]),
                    "{key} ({x},{y})"
                );
            }
            assert!(near(png.get_pixel(px / 2, px / 2).0, [250, 250, 250]));
        }
    }

    let discarded = server.post_ok("/_avatars/api/discard", &[Part::Text("preview", &id)]);
    assert_eq!(discarded.json()["discarded"], true);
    assert!(server.previews().is_empty(), "{:?}", server.previews());
    let gone = server.get(sizes[0]["1x"].as_str().unwrap());
    assert_eq!(gone.status, 404);
    // Discarding twice is harmless.
    let again = server.post_ok("/_avatars/api/discard", &[Part::Text("preview", &id)]);
    assert_eq!(again.json()["discarded"], false);
}

#[test]
fn leaving_the_page_discards_with_the_token_in_the_form_like_send_beacon() {
    let server = start("", |_| {});
    let id = server
        .post_ok(
            "/_avatars/api/preview",
            &[Part::File("file", &image("wide.jpg"))],
        )
        .json()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let token = server.token();
    let answer = server.post(
        "/_avatars/api/discard",
        None,
        &[("origin", &server.base)],
        &[Part::Text("csrf", &token), Part::Text("preview", &id)],
    );
    assert_eq!(answer.status, 200, "{}", answer.text());
    assert!(server.previews().is_empty());
}

#[test]
fn save_from_a_preview_stores_the_original_and_rebuilds_the_site() {
    let server = start("", |_| {});
    let before = server.data_file();
    assert_eq!(
        before["avatars"]["native@example.org"]["provider"],
        "default"
    );
    let generation = server.get("/_avatars/api/status").json()["build"]["generation"]
        .as_u64()
        .unwrap();
    let upload = image("wide.jpg");
    let id = server
        .post_ok("/_avatars/api/preview", &[Part::File("file", &upload)])
        .json()["id"]
        .as_str()
        .unwrap()
        .to_owned();

    let answer = server.post_ok(
        "/_avatars/api/save",
        &[
            Part::Text("identity", " Native@Example.org "),
            Part::Text("kind", "email"),
            Part::Text("preview", &id),
        ],
    );
    assert_eq!(answer.status, 200, "{}", answer.text());
    let json = answer.json();
    assert_eq!(json["saved"], "_avatars/native@example.org.jpg");
    assert_eq!(json["identity"], "native@example.org");
    assert_eq!(json["build"]["ok"], true);
    assert!(json["build"]["generation"].as_u64().unwrap() > generation);
    assert_eq!(
        super::clean_side(
            &std::fs::read(server.site.join("_avatars/native@example.org.jpg")).unwrap()
        ),
        64,
        "a clean copy of the upload's centre square is kept; the build does the resizing"
    );
    assert!(
        server.previews().is_empty(),
        "a saved preview leaves the temp area"
    );

    // The rebuild picked the upload: the data file and the published files say so.
    let data = server.data_file();
    let entry = &data["avatars"]["native@example.org"];
    assert_eq!(entry["provider"], "local", "{data}");
    assert_eq!(json["avatar"], *entry);
    let url = entry["sizes"]["40"]["1x"].as_str().unwrap();
    assert_ne!(
        url,
        before["avatars"]["native@example.org"]["sizes"]["40"]["1x"]
    );
    let file = server.get(url);
    assert_eq!(
        (file.status, file.content_type.as_str()),
        (200, "image/webp")
    );
    let webp = decode(&file.body);
    assert_eq!(webp.dimensions(), (40, 40));
    assert!(
        near(webp.get_pixel(1, 1).0, [0, 255, 0]),
        "cropped green middle of wide.jpg"
    );
}

#[test]
fn an_existing_avatar_is_replaced_only_on_explicit_overwrite() {
    let server = start("", |_| {});
    let first = server.post_ok(
        "/_avatars/api/save",
        &[
            Part::Text("identity", "olga@example.org"),
            Part::File("file", &image("alpha.png")),
        ],
    );
    assert_eq!(first.status, 200, "{}", first.text());
    assert_eq!(first.json()["replaced"].as_array().unwrap().len(), 0);

    let second = [
        Part::Text("identity", "olga@example.org"),
        Part::File("file", &image("small.webp")),
    ];
    let refused = server.post_ok("/_avatars/api/save", &second);
    let json = refused.assert_error(409, "exists");
    assert_eq!(json["existing"][0], "olga@example.org.png");
    assert_eq!(
        entries(&server.site.join("_avatars")),
        vec!["olga@example.org.png"],
        "nothing changed without overwrite"
    );

    let mut confirmed = second.to_vec();
    confirmed.push(Part::Text("overwrite", "1"));
    let replaced = server.post_ok("/_avatars/api/save", &confirmed);
    assert_eq!(replaced.status, 200, "{}", replaced.text());
    assert_eq!(
        replaced.json()["replaced"][0],
        "_avatars/olga@example.org.png"
    );
    assert_eq!(
        entries(&server.site.join("_avatars")),
        vec!["olga@example.org.png"]
    );
    assert_eq!(
        server.data_file()["avatars"]["olga@example.org"]["provider"],
        "local"
    );
}

#[test]
fn qq_and_github_names_are_saved_under_their_own_names() {
    let server = start("", |_| {});
    for (identity, kind, file) in [
        ("10001234", "", "_avatars/10001234.jpg"),
        ("OctoCat", "github", "_avatars/octocat.jpg"),
        ("12345", "github", "_avatars/12345.jpg"),
    ] {
        let answer = server.post_ok(
            "/_avatars/api/save",
            &[
                Part::Text("identity", identity),
                Part::Text("kind", kind),
                Part::File("file", &image("rotated.jpg")),
            ],
        );
        assert_eq!(answer.status, 200, "{identity}: {}", answer.text());
        assert_eq!(answer.json()["saved"], file);
        assert!(
            answer.json()["avatar"].is_null(),
            "no post mentions {identity}"
        );
    }
}

#[test]
fn site_pages_get_the_reload_script_and_paths_stay_inside() {
    let server = start("", |_| {});
    std::fs::create_dir_all(server.site.join("public/posts/a")).unwrap();
    std::fs::write(
        server.site.join("public/posts/a/index.html"),
        "<html><body><p>Post A</p></body></html>",
    )
    .unwrap();
    let page = server.get("/posts/a/");
    assert_eq!(page.status, 200);
    let text = page.text();
    assert!(
        text.starts_with("<html><body><p>Post A</p><script"),
        "{text}"
    );
    assert!(text.contains("/_avatars/events"));
    let redirect = super::raw(
        server.handle.info().addr,
        "GET /posts/a HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n",
    );
    assert_eq!(redirect.0, 301, "{}", redirect.1);
    assert!(
        redirect
            .1
            .to_ascii_lowercase()
            .contains("location: /posts/a/")
    );
    // The rendered index gets the reload script too.
    let home = server.get("/");
    assert_eq!(home.status, 200);
    assert!(home.text().contains("/_avatars/events"), "{}", home.text());
    assert_eq!(server.get("/missing.html").status, 404);
    for path in [
        "/../blog-avatars.toml",
        "/avatars/%2e%2e/%2e%2e/blog-avatars.toml",
    ] {
        let (status, _) = super::raw(
            server.handle.info().addr,
            &format!("GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"),
        );
        assert!(matches!(status, 400 | 404), "{path}: {status}");
    }
}

#[test]
fn other_layouts_serve_the_avatars_and_say_what_they_do_not_serve() {
    let (_temp, site) = crate::support::copy_site("sites/hugo");
    let mut options = blog_avatars::serve::ServeOptions::new(&site);
    options.port = 0;
    options.build.offline = true;
    options.watch = false;
    let handle = blog_avatars::serve::spawn(options).unwrap();
    let info = handle.info().clone();
    assert_eq!(info.layout.to_string(), "hugo");
    assert!(info.output_dir.is_none());
    assert!(
        info.describe().contains("only the avatars"),
        "{}",
        info.describe()
    );
    let base = format!("http://{}", info.addr);
    let home = ureq::get(format!("{base}/"))
        .call()
        .unwrap()
        .into_body()
        .read_to_string();
    assert!(home.unwrap().contains("This is a <b>hugo</b> site"));
    let data: serde_json::Value =
        serde_json::from_slice(&std::fs::read(site.join("data/avatars.json")).unwrap()).unwrap();
    let url = data["avatars"]
        .as_object()
        .unwrap()
        .values()
        .next()
        .unwrap()["sizes"]["40"]["1x"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(url.starts_with("/avatars/"), "{url}");
    let response = ureq::get(format!("{base}{url}")).call().unwrap();
    assert_eq!(response.headers()["content-type"], "image/webp");
    handle.stop().unwrap();
}
