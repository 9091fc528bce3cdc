//! The upload page in headless Chromium refuses, before uploading anything, what the server would
//! refuse (type, a cut-short file, dimensions, size), in both preview modes; previews in the
//! theme's shape; links back to the site; hides Save while asking to replace.

use std::path::{Path, PathBuf};

use super::webdriver::Browser;
use super::{Running, image, portrait, start};

fn write_temp(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

/// Opens the upload page with every request the page sends counted.
fn open(browser: &Browser, server: &Running, query: &str) {
    browser.goto(&format!("{}/_avatars/upload{query}", server.base));
    browser.run(
        "window.sent = 0; var send = XMLHttpRequest.prototype.send;\
         XMLHttpRequest.prototype.send = function () { window.sent += 1; return send.apply(this, arguments); };\
         return 1;",
    );
}

/// Chooses `file` and waits for the page to refuse it; returns (code, message).
fn refused(browser: &Browser, file: &Path) -> (String, String) {
    browser.run("document.getElementById('form').removeAttribute('data-refused'); return 1;");
    browser.choose_file("#file", file);
    let code = browser.wait_for(
        "document.getElementById('form').getAttribute('data-refused')",
        "the refusal",
    );
    let message = browser.run("return document.getElementById('status').textContent;");
    (
        code.as_str().unwrap().to_owned(),
        message.as_str().unwrap().to_owned(),
    )
}

#[test]
fn the_page_refuses_what_the_server_would_before_uploading() {
    let server = start("[serve]\nmax_upload_bytes = 200000\n", |_| {});
    let files = tempfile::tempdir().unwrap();
    let svg = write_temp(files.path(), "drawing.png", &image("drawing.svg"));
    let truncated = write_temp(files.path(), "truncated.png", &image("truncated.png"));
    let huge = write_temp(files.path(), "bomb.png", &image("bomb.png"));
    let mut big = portrait();
    big.resize(300_000, 0);
    let too_large = write_temp(files.path(), "big.png", &big);
    let browser = Browser::start();
    for query in ["", "?preview=server"] {
        open(&browser, &server, query);
        browser.type_into("#identity", "olga@example.org");
        let cases = [
            (&svg, "type", "SVG drawing"),
            (&truncated, "truncated", "cut short"),
            (
                &huge,
                "dimensions",
                "100000×100000 px; the limit is 8192×8192",
            ),
            (&too_large, "size", "the limit is 195 KiB"),
        ];
        for (file, code, words) in cases {
            let (got, message) = refused(&browser, file);
            assert_eq!(got, code, "{query} {}: {message}", file.display());
            assert!(message.contains(words), "{query}: {message}");
            assert_eq!(
                browser.run("return document.getElementById('save').disabled;"),
                true,
                "{query}: Save stays off for a refused file"
            );
        }
        assert_eq!(
            browser.run("return window.sent;"),
            0,
            "{query}: something was uploaded"
        );
        assert!(server.previews().is_empty());
    }
}

#[test]
fn previews_take_the_theme_shape_and_the_page_links_back() {
    let server = start("", |_| {});
    let files = tempfile::tempdir().unwrap();
    let browser = Browser::start();
    open(&browser, &server, "");
    assert_eq!(
        browser.run("return document.getElementById('back').getAttribute('href');"),
        "/"
    );
    // The bundled theme draws avatars as circles (templates/style.css: border-radius: 50%).
    browser.type_into("#identity", "olga@example.org");
    browser.choose_file("#file", &write_temp(files.path(), "me.png", &portrait()));
    browser.wait_for(
        "document.getElementById('preview').getAttribute('data-state') === 'ready'",
        "the preview",
    );
    let radius = browser.run(
        "return getComputedStyle(document.querySelector('#previews canvas')).borderTopLeftRadius;",
    );
    assert_eq!(radius, "50%");

    // Save, then the same identity again: while the page asks, Save is not shown.
    browser.click("#save");
    browser.wait_for(
        "document.getElementById('form').getAttribute('data-saved')",
        "the save",
    );
    browser.choose_file("#file", &write_temp(files.path(), "me2.png", &portrait()));
    browser.wait_for(
        "document.getElementById('preview').getAttribute('data-state') === 'ready'",
        "the second preview",
    );
    browser.click("#save");
    browser.wait_for(
        "!document.getElementById('confirm').hidden",
        "the replace question",
    );
    let shown = browser.run(
        "function shown(id) { return getComputedStyle(document.getElementById(id)).display !== 'none'; }\
         return [shown('save'), shown('replace'), shown('keep')];",
    );
    assert_eq!(shown, serde_json::json!([false, true, true]));
    browser.click("#keep");
    assert_eq!(
        browser.run("return getComputedStyle(document.getElementById('save')).display !== 'none';"),
        true
    );

    // A theme with square avatars gets square previews.
    std::fs::create_dir_all(server.site.join("templates")).unwrap();
    std::fs::write(
        server.site.join("templates/style.css"),
        ".avatar { border-radius: 0; }\n",
    )
    .unwrap();
    open(&browser, &server, "");
    assert_eq!(
        browser.run(
            "return document.querySelector('meta[name=avatars-radius]').getAttribute('content');"
        ),
        "0"
    );
}
