//! The build's warnings and errors over every served page, in headless Chromium: a broken post
//! shows up in the overlay after the rebuild, its own URL says why it is missing, "Dismiss"
//! hides the panel, and a failed rebuild updates it in place through the live-reload stream.

use std::time::Duration;

use super::start;
use super::webdriver::Browser;

/// The overlay's text, or "" when there is none.
fn overlay(browser: &Browser) -> String {
    browser
        .run(
            "var o = document.getElementById('blog-avatars-overlay');\
             return o ? o.textContent : '';",
        )
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

#[test]
fn the_overlay_shows_what_broke_and_a_broken_post_says_why() {
    let server = start("", |options| {
        options.watch = true;
        options.debounce = Duration::from_millis(100);
    });
    let browser = Browser::start();
    browser.goto(&format!("{}/a/", server.base));
    assert_eq!(overlay(&browser), "", "a clean build shows no overlay");
    browser.run("window.notReloaded = true; return 1;");

    // A post with broken front matter: the open page reloads and shows the warning.
    std::fs::write(
        server.site.join("content/broken.md"),
        "---\ntitle: \"Unclosed\ndate: 2026-01-01\n---\nBody.\n",
    )
    .unwrap();
    browser.wait_for(
        "!window.notReloaded && document.getElementById('blog-avatars-overlay')",
        "the reload with the overlay",
    );
    let text = overlay(&browser);
    assert!(text.contains("1 warning"), "{text}");
    assert!(text.contains("content/broken.md:2"), "{text}");
    assert!(text.contains("malformed front matter"), "{text}");
    let items = browser.run(
        "return document.querySelectorAll('#blog-avatars-overlay .blog-avatars-overlay-warning').length;",
    );
    assert_eq!(items, 1);
    let screenshot = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("serve-overlay.png");
    browser.screenshot(&screenshot);

    // The broken post's own URL says why it is not there, not just "Not found".
    browser.goto(&format!("{}/broken/", server.base));
    let body = browser
        .run("return document.querySelector('main').textContent;")
        .as_str()
        .unwrap()
        .to_owned();
    assert!(body.contains("could not be read"), "{body}");
    assert!(body.contains("content/broken.md, line 2"), "{body}");
    assert!(body.contains("malformed front matter"), "{body}");
    assert!(!body.contains("is not here"), "{body}");
    // Every page carries the overlay, this one too.
    assert!(overlay(&browser).contains("content/broken.md:2"));

    // Dismissed, it stays away on reload until the next build.
    browser.click("#blog-avatars-overlay-close");
    assert_eq!(overlay(&browser), "");
    browser.goto(&format!("{}/a/", server.base));
    assert_eq!(overlay(&browser), "", "dismissed for this build");

    // A build that fails does not reload the page: the overlay says why in place.
    browser.run("window.notReloaded = true; return 1;");
    std::fs::write(
        server.site.join("blog-avatars.toml"),
        "[avatars]\nsizes = \"x\"\n",
    )
    .unwrap();
    let failed = browser.wait_for(
        "(function(){var o=document.getElementById('blog-avatars-overlay');\
         return o && o.getAttribute('data-errors') === '1' && o.textContent;})()",
        "the failed build in the overlay",
    );
    let failed = failed.as_str().unwrap();
    assert!(failed.contains("build failed"), "{failed}");
    assert!(failed.contains("blog-avatars.toml"), "{failed}");
    assert_eq!(
        browser.run("return window.notReloaded === true;"),
        true,
        "a failed build must not reload the page"
    );

    // Fixed: the next good build reloads, and without the broken post nothing is shown.
    std::fs::write(server.site.join("blog-avatars.toml"), "").unwrap();
    std::fs::remove_file(server.site.join("content/broken.md")).unwrap();
    browser.wait_for(
        "!window.notReloaded && document.readyState === 'complete'",
        "the reload after the fix",
    );
    assert!(
        super::eventually(Duration::from_secs(10), || overlay(&browser).is_empty()),
        "{}",
        overlay(&browser)
    );
}
