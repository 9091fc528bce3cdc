//! The site's files: the avatar directory under its URL prefix and, for a native site, the
//! rendered blog at `/`. HTML pages get the live-reload script; other files are served by
//! `tower-http` (types, ranges, validators). Nothing is cached by the browser, since the files
//! change with every rebuild.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE, LOCATION};
use axum::http::{HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use percent_encoding::percent_decode_str;
use tower::ServiceExt;
use tower_http::services::ServeFile;

use super::AppState;
use super::page::{escape_html, info_page};
use super::rebuild::{BuildStatus, SiteState};
use super::reload;
use crate::model::Warning;

/// The fallback route: everything that is not `/_avatars/...`.
pub(crate) async fn serve_site(State(state): State<Arc<AppState>>, request: Request) -> Response {
    let mut response = respond(&state, request).await;
    response
        .headers_mut()
        .insert(CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    response
}

async fn respond(state: &AppState, request: Request) -> Response {
    if !matches!(*request.method(), Method::GET | Method::HEAD) {
        return (StatusCode::METHOD_NOT_ALLOWED, "read-only").into_response();
    }
    let site = state.builder.site();
    let status = state.builder.status();
    let raw_path = request.uri().path().to_owned();
    let Some(segments) = segments(&raw_path) else {
        return (StatusCode::BAD_REQUEST, "bad path").into_response();
    };
    let Some(mut file) = locate(&site, &segments) else {
        return not_here(&site, &raw_path, &segments, &status);
    };
    if file.is_dir() {
        if !raw_path.ends_with('/') {
            let mut location = format!("{raw_path}/");
            if let Some(query) = request.uri().query() {
                location = format!("{location}?{query}");
            }
            return (StatusCode::MOVED_PERMANENTLY, [(LOCATION, location)]).into_response();
        }
        file.push("index.html");
    }
    if !file.is_file() {
        return not_here(&site, &raw_path, &segments, &status);
    }
    let is_html = file
        .extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("html") || e.eq_ignore_ascii_case("htm"));
    if is_html {
        match tokio::fs::read(&file).await {
            Ok(bytes) => html(
                StatusCode::OK,
                reload::inject(&String::from_utf8_lossy(&bytes), &status),
            ),
            Err(error) => (StatusCode::INTERNAL_SERVER_ERROR, error.to_string()).into_response(),
        }
    } else {
        match ServeFile::new(&file).oneshot(request).await {
            Ok(response) => response.map(Body::new),
            Err(error) => (StatusCode::INTERNAL_SERVER_ERROR, error.to_string()).into_response(),
        }
    }
}

/// The decoded path segments, or `None` when one would leave the served directory.
pub(crate) fn segments(path: &str) -> Option<Vec<String>> {
    let decoded = percent_decode_str(path).decode_utf8().ok()?;
    let mut out = Vec::new();
    for segment in decoded.split('/').filter(|s| !s.is_empty()) {
        if segment == "." || segment == ".." || segment.contains(['\\', '\0']) {
            return None;
        }
        out.push(segment.to_owned());
    }
    Some(out)
}

/// The file in the avatar directory for a request under the avatar URL prefix.
pub(crate) fn avatar_file(site: &SiteState, segments: &[String]) -> Option<PathBuf> {
    let prefix_len = site
        .layout
        .url_prefix
        .split('/')
        .filter(|s| !s.is_empty())
        .count();
    (prefix_len > 0 && segments.len() > prefix_len)
        .then(|| locate(site, segments))
        .flatten()
        .filter(|path| path.starts_with(&site.layout.avatar_dir))
}

/// The file or directory for a request: under the avatar prefix, the avatar directory; else
/// the native site's output.
fn locate(site: &SiteState, segments: &[String]) -> Option<PathBuf> {
    let prefix: Vec<&str> = site
        .layout
        .url_prefix
        .split('/')
        .filter(|s| !s.is_empty())
        .collect();
    let under_prefix = !prefix.is_empty()
        && segments.len() >= prefix.len()
        && segments.iter().zip(&prefix).all(|(a, b)| a == b);
    let (root, rest): (&Path, &[String]) = if under_prefix {
        (&site.layout.avatar_dir, &segments[prefix.len()..])
    } else {
        (site.output_root()?, segments)
    };
    let mut path = root.to_path_buf();
    path.extend(rest);
    Some(path)
}

/// 404, or at `/` a page that says what is served here. A post that was not rendered because
/// its file is broken says why (file, line, message) rather than "not found".
fn not_here(site: &SiteState, path: &str, segments: &[String], status: &BuildStatus) -> Response {
    let upload = r#"<p><a class="button" href="/_avatars/upload">Upload an avatar</a></p>"#;
    if path == "/" {
        let body = match site.output_root() {
            Some(dir) => format!(
                "<p>The blog has not been rendered yet: <code>{}</code> has no \
                 <code>index.html</code>. This page reloads when it appears.</p>{upload}",
                escape_html(&dir.display().to_string())
            ),
            None => format!(
                "<p>This is a <b>{}</b> site: its generator renders the pages, so this server \
                 shows only the avatars (under <code>{}</code>) and the upload page. Preview \
                 the pages with the generator's own server; it picks up the avatars and \
                 <code>{}</code> on its next build.</p>{upload}",
                site.layout.kind,
                escape_html(&site.layout.url_prefix),
                escape_html(&site.layout.relative(&site.layout.data_file)),
            ),
        };
        return html(
            StatusCode::OK,
            reload::inject(&info_page("blog-avatars serve", &body), status),
        );
    }
    let problems = unrendered_post(site, segments, status);
    if !problems.is_empty() {
        let items: Vec<String> = problems
            .iter()
            .map(|w| {
                let place = match w.line {
                    Some(line) => format!("{}</code>, line {line}", escape_html(&w.path)),
                    None => format!("{}</code>", escape_html(&w.path)),
                };
                format!("<li><code>{place}: {}</li>", escape_html(&w.message))
            })
            .collect();
        let body = format!(
            "<p><code>{}</code> was not rendered because its post could not be read:</p>\
             <ul class=\"problems\">{}</ul><p>Fix the file and save it: this page reloads when \
             the site is rebuilt.</p>{upload}",
            escape_html(path),
            items.concat()
        );
        return html(
            StatusCode::NOT_FOUND,
            reload::inject(&info_page("This post could not be read", &body), status),
        );
    }
    let body = format!(
        "<p><code>{}</code> is not here.</p>{upload}",
        escape_html(path)
    );
    html(
        StatusCode::NOT_FOUND,
        reload::inject(&info_page("Not found", &body), status),
    )
}

/// The warnings about the post that would be at `/<slug>/`: a content file whose stem is the
/// slug (a post whose front matter cannot be read has no other slug).
fn unrendered_post<'s>(
    site: &SiteState,
    segments: &[String],
    status: &'s BuildStatus,
) -> Vec<&'s Warning> {
    let slug = match segments {
        [slug] => slug,
        [slug, index] if index == "index.html" => slug,
        _ => return Vec::new(),
    };
    let post_dirs: Vec<String> = site
        .layout
        .post_dirs
        .iter()
        .map(|dir| site.layout.relative(dir))
        .collect();
    status
        .warning_details
        .iter()
        .filter(|w| {
            let path = Path::new(&w.path);
            post_dirs.iter().any(|dir| path.starts_with(dir))
                && path.file_stem().is_some_and(|stem| stem == slug.as_str())
        })
        .collect()
}

fn html(status: StatusCode, body: String) -> Response {
    (status, [(CONTENT_TYPE, "text/html; charset=utf-8")], body).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_tricks_are_refused() {
        assert_eq!(segments("/a/b.png").unwrap(), vec!["a", "b.png"]);
        assert_eq!(segments("/a%20b/").unwrap(), vec!["a b"]);
        for bad in [
            "/../x",
            "/a/%2e%2e/x",
            "/a/..%2fx",
            "/a%5c..%5cx",
            "/%00",
            "/%ff",
        ] {
            assert!(segments(bad).is_none(), "{bad}");
        }
    }
}
