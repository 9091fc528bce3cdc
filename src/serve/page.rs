//! The upload page (`upload.html` + `upload.js`, rendered per request through `tera`) and small
//! info pages.

use std::sync::{Arc, LazyLock};

use axum::extract::State;
use axum::http::HeaderMap;
use axum::http::header::{
    CACHE_CONTROL, CONTENT_SECURITY_POLICY, CONTENT_TYPE, REFERRER_POLICY, X_CONTENT_TYPE_OPTIONS,
    X_FRAME_OPTIONS,
};
use axum::response::{IntoResponse, Response};

use super::AppState;
use super::error::{ApiError, human_bytes};
use super::guard::check_host;

const UPLOAD_HTML: &str = include_str!("upload.html");
const UPLOAD_JS: &str = include_str!("upload.js");
const STYLE_CSS: &str = include_str!("style.css");
const OVERLAY_JS: &str = include_str!("overlay.js");

/// The info page around a body of HTML this server wrote itself (printed with `| safe`).
const INFO_HTML: &str = "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">\
<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
<title>{{ title }}</title><link rel=\"stylesheet\" href=\"/_avatars/style.css\"></head>\
<body><main class=\"card\"><h1>{{ title }}</h1>{{ body | safe }}</main></body></html>";

/// The page templates, parsed once. `.html` names: tera escapes every value they print.
static PAGES: LazyLock<tera::Tera> = LazyLock::new(|| {
    let mut tera = tera::Tera::new();
    tera.add_raw_templates([("upload.html", UPLOAD_HTML), ("info.html", INFO_HTML)])
        .expect("the bundled serve pages are valid templates");
    tera
});

/// Renders a bundled page; the templates and their values are this server's own, so an error is
/// a bug shown as the page's text rather than a panic.
fn render(name: &str, context: &tera::Context) -> String {
    PAGES
        .render(name, context)
        .unwrap_or_else(|error| format!("cannot render {name}: {error:?}"))
}

/// Scripts only from this server (no inline script, so an injected one cannot run); no framing.
const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; \
                   img-src 'self' blob: data:; connect-src 'self'; form-action 'self'; \
                   frame-ancestors 'none'; base-uri 'none'";

/// `GET /_avatars/upload`.
pub(crate) async fn upload_page(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    // The page carries the token: never hand it to a page reached through a rebound host name.
    check_host(&headers)?;
    let site = state.builder.site();
    let layout = &site.layout;
    let title = site
        .config
        .site
        .title
        .clone()
        .or_else(|| {
            layout
                .root
                .canonicalize()
                .ok()?
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
        })
        .unwrap_or_else(|| "this site".into());
    let sizes: Vec<String> = site.config.css_sizes().iter().map(u32::to_string).collect();
    let page = fill(
        "upload.html",
        &[
            ("token", state.guard.token()),
            ("sizes", &sizes.join(",")),
            ("max_bytes", &state.max_upload_bytes.to_string()),
            ("max_human", &human_bytes(state.max_upload_bytes)),
            ("local_dir", &layout.relative(&site.local_dir())),
            ("site", &title),
            ("layout", &layout.kind.to_string()),
            ("radius", &super::shape::avatar_radius(&site)),
            (
                "max_px",
                &crate::process::DecodeLimits::default()
                    .max_width
                    .to_string(),
            ),
            (
                "ttl_minutes",
                &state.previews.ttl().as_secs().div_ceil(60).to_string(),
            ),
        ],
    );
    Ok((
        [
            (CONTENT_TYPE, "text/html; charset=utf-8"),
            (CACHE_CONTROL, "no-store"),
            (CONTENT_SECURITY_POLICY, CSP),
            (X_FRAME_OPTIONS, "DENY"),
            (REFERRER_POLICY, "no-referrer"),
            (X_CONTENT_TYPE_OPTIONS, "nosniff"),
        ],
        page,
    )
        .into_response())
}

/// `GET /_avatars/upload.js`.
pub(crate) async fn script() -> Response {
    (
        [
            (CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (CACHE_CONTROL, "no-cache"),
            (X_CONTENT_TYPE_OPTIONS, "nosniff"),
        ],
        UPLOAD_JS,
    )
        .into_response()
}

/// `GET /_avatars/overlay.js`: the build's warnings and errors over every served page.
pub(crate) async fn overlay_script() -> Response {
    (
        [
            (CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (CACHE_CONTROL, "no-cache"),
            (X_CONTENT_TYPE_OPTIONS, "nosniff"),
        ],
        OVERLAY_JS,
    )
        .into_response()
}

/// `GET /_avatars/style.css`.
pub(crate) async fn style() -> Response {
    (
        [
            (CONTENT_TYPE, "text/css; charset=utf-8"),
            (CACHE_CONTROL, "no-cache"),
        ],
        STYLE_CSS,
    )
        .into_response()
}

/// Renders the bundled template `name` with these text values (each escaped by tera).
fn fill(name: &str, values: &[(&str, &str)]) -> String {
    let mut context = tera::Context::new();
    for (key, value) in values {
        context.insert((*key).to_owned(), value);
    }
    render(name, &context)
}

/// A minimal page in the upload page's style; `body_html` is HTML this server wrote.
pub(crate) fn info_page(title: &str, body_html: &str) -> String {
    let mut context = tera::Context::new();
    context.insert("title", title);
    context.insert("body", body_html);
    render("info.html", &context)
}

/// Escapes text for HTML element content and quoted attributes (the crate's one escaper).
pub(crate) fn escape_html(text: &str) -> String {
    htmlize::escape_all_quotes(text).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_escaped_and_every_placeholder_filled() {
        let page = info_page("<x&\"y'>", "<p>ok</p>");
        assert!(
            page.contains("<h1>&lt;x&amp;&quot;y&#39;&gt;</h1><p>ok</p>"),
            "{page}"
        );
        let names = [
            "token",
            "sizes",
            "max_bytes",
            "max_human",
            "local_dir",
            "site",
            "layout",
            "ttl_minutes",
            "radius",
            "max_px",
        ];
        let filled = fill("upload.html", &names.map(|n| (n, "v<")));
        assert!(!filled.contains("{{"), "unfilled placeholder: {filled}");
        assert!(
            !filled.contains("v<"),
            "a value printed unescaped: {filled}"
        );
        assert!(filled.contains("content=\"v&lt;\""), "{filled}");
        assert!(
            !UPLOAD_HTML.contains("<script>"),
            "inline script would break the CSP"
        );
    }
}
