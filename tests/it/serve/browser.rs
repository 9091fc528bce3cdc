//! The upload page end to end in headless Chromium: choose a file, see the preview drawn, save,
//! see the rebuilt site use it; once with the in-browser preview and once with the server-side
//! preview that old browsers get.

use std::path::{Path, PathBuf};

use serde_json::Value;

use super::webdriver::Browser;
use super::{Running, entries, eventually, image, portrait, start};

fn state(browser: &Browser) -> Value {
    browser.run(
        "var p = document.getElementById('preview');\
         return { state: p.getAttribute('data-state'), mode: p.getAttribute('data-mode') };",
    )
}

fn wait_ready(browser: &Browser, mode: &str) {
    browser.wait_for(
        "document.getElementById('preview').getAttribute('data-state') === 'ready'",
        "the preview",
    );
    assert_eq!(state(browser)["mode"], mode);
}

fn status_text(browser: &Browser) -> String {
    browser
        .run("return document.getElementById('status').textContent;")
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

/// Clicks Save and waits for the page to report the saved file.
fn save(browser: &Browser, selector: &str) -> String {
    browser.run("document.getElementById('form').removeAttribute('data-saved'); return 1;");
    browser.click(selector);
    let saved = browser.wait_for(
        "document.getElementById('form').getAttribute('data-saved')",
        "the save",
    );
    saved.as_str().unwrap().to_owned()
}

fn write_temp(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

fn screenshot(browser: &Browser, name: &str) {
    browser.screenshot(&Path::new(env!("CARGO_TARGET_TMPDIR")).join(name));
}

/// The site now uses the upload for `identity`: the data file names the `local` provider, the
/// page shows the published file and the browser loaded it, and any rendered page links it.
fn assert_published(server: &Running, browser: &Browser, identity: &str) {
    let data = server.data_file();
    let entry = &data["avatars"][identity];
    assert_eq!(entry["provider"], "local", "{data}");
    let url = entry["sizes"]["40"]["1x"].as_str().unwrap();
    let shown = browser.wait_for(
        "(function(){var i=document.querySelector('#published-images img');\
         return i && i.complete && i.naturalWidth > 0 && i.getAttribute('src');})()",
        "the published avatar",
    );
    assert_eq!(shown, url);
    // The rebuilt post page (native rendering) shows the new avatar.
    let pages: Vec<PathBuf> = walkdir::WalkDir::new(server.site.join("public"))
        .into_iter()
        .flatten()
        .map(|e| e.into_path())
        .filter(|p| p.extension().is_some_and(|e| e == "html"))
        .collect();
    assert!(!pages.is_empty(), "the native site was not rendered");
    assert!(
        pages
            .iter()
            .any(|p| std::fs::read_to_string(p).unwrap().contains(url)),
        "no rendered page shows {url}"
    );
}

#[test]
fn upload_with_the_in_browser_preview() {
    let server = start("", |_| {});
    let files = tempfile::tempdir().unwrap();
    let picture = portrait();
    let browser = Browser::start();
    browser.goto(&format!("{}/_avatars/upload", server.base));
    assert_eq!(state(&browser)["mode"], "browser", "feature detection");

    browser.type_into("#identity", "olga@example.org");
    browser.choose_file("#file", &write_temp(files.path(), "me.png", &picture));
    wait_ready(&browser, "browser");
    assert!(
        server.previews().is_empty(),
        "the in-browser preview uploads nothing"
    );
    let canvases = browser.run(
        "return Array.prototype.map.call(document.querySelectorAll('#previews canvas'), \
         function (c) { var x = c.getContext('2d'); \
           var corner = x.getImageData(2, 2, 1, 1).data, mid = x.getImageData(c.width / 2, c.height / 2, 1, 1).data; \
           return { px: c.width, h: c.height, css: c.style.width, \
                    corner: [corner[0], corner[1], corner[2], 255], mid: [mid[0], mid[1], mid[2], 255] }; });",
    );
    let canvases = canvases.as_array().unwrap();
    assert_eq!(canvases.len(), 2, "{canvases:?}");
    for (canvas, css) in canvases.iter().zip([40, 80]) {
        assert_eq!(
            (canvas["px"].as_u64(), canvas["h"].as_u64()),
            (Some(css * 2), Some(css * 2))
        );
        assert_eq!(canvas["css"], format!("{css}px"));
        let pixel = |key: &str| -> [u8; 4] { serde_json::from_value(canvas[key].clone()).unwrap() };
        assert!(
            super::near(pixel("corner"), [40, 170, 90]),
            "not cropped: {canvas}"
        );
        assert!(super::near(pixel("mid"), [250, 250, 250]), "{canvas}");
    }
    screenshot(&browser, "serve-upload-browser.png");

    let saved = save(&browser, "#save");
    assert_eq!(saved, "_avatars/olga@example.org.png");
    assert!(
        status_text(&browser).contains("The site was rebuilt"),
        "{}",
        status_text(&browser)
    );
    assert_eq!(
        super::clean_side(
            &std::fs::read(server.site.join("_avatars/olga@example.org.png")).unwrap()
        ),
        super::decode(&picture).height()
    );
    assert_published(&server, &browser, "olga@example.org");
    screenshot(&browser, "serve-upload-saved.png");

    // Drag and drop, then Cancel.
    browser.run_async(
        "var done = arguments[0], c = document.createElement('canvas'); c.width = 64; c.height = 48;\
         var x = c.getContext('2d'); x.fillStyle = '#c03030'; x.fillRect(0, 0, 64, 48);\
         c.toBlob(function (blob) {\
           var t = new DataTransfer(); t.items.add(new File([blob], 'dropped.png', { type: 'image/png' }));\
           document.getElementById('drop').dispatchEvent(new DragEvent('drop', { dataTransfer: t, bubbles: true, cancelable: true }));\
           done(true); }, 'image/png');",
    );
    wait_ready(&browser, "browser");
    let red = browser.run(
        "var d = document.querySelector('#previews canvas').getContext('2d').getImageData(5, 5, 1, 1).data;\
         return [d[0], d[1], d[2], d[3]];",
    );
    assert!(super::near(
        serde_json::from_value(red).unwrap(),
        [192, 48, 48]
    ));
    browser.click("#cancel");
    assert_eq!(state(&browser)["state"], "empty");

    // What the browser cannot show goes to the server, which says why it is refused.
    browser.choose_file(
        "#file",
        &write_temp(files.path(), "page.png", &image("page.html")),
    );
    browser.wait_for(
        "document.getElementById('status').className.indexOf('bad') >= 0",
        "the refusal",
    );
    assert!(
        status_text(&browser).contains("HTML page"),
        "{}",
        status_text(&browser)
    );
    assert!(server.previews().is_empty());
    assert_eq!(
        entries(&server.site.join("_avatars")),
        vec!["olga@example.org.png"]
    );
}

#[test]
fn upload_with_the_server_side_preview() {
    let server = start("", |_| {});
    let files = tempfile::tempdir().unwrap();
    let wide = write_temp(files.path(), "wide.jpg", &image("wide.jpg"));
    let browser = Browser::start();
    browser.goto(&format!("{}/_avatars/upload?preview=server", server.base));
    assert_eq!(
        state(&browser)["mode"],
        "server",
        "the query flag defeats feature detection"
    );

    browser.type_into("#identity", "olga@example.org");
    browser.choose_file("#file", &wide);
    wait_ready(&browser, "server");
    assert_eq!(server.previews().len(), 1, "the server keeps the preview");
    let images = browser.run(
        "return Array.prototype.map.call(document.querySelectorAll('#previews img'), function (i) {\
           var c = document.createElement('canvas'); c.width = i.naturalWidth; c.height = i.naturalHeight;\
           var x = c.getContext('2d'); x.drawImage(i, 0, 0); var d = x.getImageData(1, 1, 1, 1).data;\
           return { natural: i.naturalWidth, shown: i.width, corner: [d[0], d[1], d[2], 255] }; });",
    );
    let images = images.as_array().unwrap();
    assert_eq!(images.len(), 2, "{images:?}");
    for (img, css) in images.iter().zip([40, 80]) {
        assert_eq!(img["shown"], css);
        assert_eq!(img["natural"], css, "1x file at device pixel ratio 1");
        let corner: [u8; 4] = serde_json::from_value(img["corner"].clone()).unwrap();
        assert!(super::near(corner, [0, 255, 0]), "not cropped: {img}");
    }
    screenshot(&browser, "serve-upload-server.png");

    assert_eq!(save(&browser, "#save"), "_avatars/olga@example.org.jpg");
    assert!(
        server.previews().is_empty(),
        "saving moves the preview into the site"
    );
    assert_eq!(
        super::clean_side(
            &std::fs::read(server.site.join("_avatars/olga@example.org.jpg")).unwrap()
        ),
        64
    );
    assert_published(&server, &browser, "olga@example.org");

    // Saving over an existing avatar asks first; the preview waits for the answer.
    browser.choose_file(
        "#file",
        &write_temp(files.path(), "rotated.jpg", &image("rotated.jpg")),
    );
    wait_ready(&browser, "server");
    browser.click("#save");
    browser.wait_for(
        "!document.getElementById('confirm').hidden",
        "the replace question",
    );
    assert!(status_text(&browser).contains("already exists"));
    assert_eq!(server.previews().len(), 1);
    assert_eq!(save(&browser, "#replace"), "_avatars/olga@example.org.jpg");
    assert!(
        status_text(&browser).contains("replacing"),
        "{}",
        status_text(&browser)
    );
    assert_eq!(
        super::clean_side(
            &std::fs::read(server.site.join("_avatars/olga@example.org.jpg")).unwrap()
        ),
        32
    );
    assert!(server.previews().is_empty());

    // Cancel discards the server's copy.
    browser.choose_file("#file", &wide);
    wait_ready(&browser, "server");
    assert_eq!(server.previews().len(), 1);
    browser.click("#cancel");
    assert!(eventually(std::time::Duration::from_secs(10), || server
        .previews()
        .is_empty()));

    // So does leaving the page (pagehide + sendBeacon).
    browser.choose_file("#file", &wide);
    wait_ready(&browser, "server");
    assert_eq!(server.previews().len(), 1);
    browser.goto(&format!("{}/", server.base));
    assert!(
        eventually(std::time::Duration::from_secs(10), || server
            .previews()
            .is_empty()),
        "leaving the page left {:?}",
        server.previews()
    );
}
