//! `serve --proxy URL`: the generator's own dev server (`hugo server`, `zola serve`, `jekyll
//! serve`, `hexo server`) behind this one.
//!
//! ```text
//! browser ─ /_avatars/* ──────────────→ this server (upload page, overlay, build status)
//!         ─ anything else ─ forward ──→ the dev server ─ HTML: + overlay ─→ browser
//!         ─ Upgrade (websocket) ──────→ the dev server, bytes copied both ways (live reload)
//! ```
//!
//! Requests go through `hyper-util`'s pooled client and bodies stream both ways; only HTML pages
//! are read whole, to add the overlay the way `serve` adds it to its own pages. Upstream is asked
//! for uncompressed bodies (`Accept-Encoding: identity`: it is loopback); a page it compresses
//! anyway is passed on untouched. Avatars are the generator's to serve (they are in its static
//! folder, so the preview shows what will be published); one it does not have yet (it copies
//! static files on its own schedule) is served from the avatar folder here.

mod target;
mod upgrade;

use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::header::{
    ACCEPT_ENCODING, CACHE_CONTROL, CONNECTION, CONTENT_ENCODING, CONTENT_LENGTH, CONTENT_TYPE,
    ETAG, HOST, LAST_MODIFIED, LOCATION,
};
use axum::http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use tower::ServiceExt;
use tower_http::services::ServeFile;

pub use target::ProxyTarget;

use super::AppState;
use super::page::{escape_html, info_page};
use super::reload;

/// The largest HTML page read whole to add the overlay; a larger one is a 502 naming the limit.
const MAX_HTML_BYTES: usize = 32 * 1024 * 1024;

/// The dev server and a pooled client for it.
pub(crate) struct Proxy {
    target: ProxyTarget,
    client: Client<HttpConnector, Body>,
}

impl Proxy {
    pub(crate) fn new(target: ProxyTarget) -> Self {
        let mut connector = HttpConnector::new();
        connector.set_connect_timeout(Some(Duration::from_secs(5)));
        connector.set_nodelay(true);
        Self {
            target,
            client: Client::builder(TokioExecutor::new()).build(connector),
        }
    }
}

/// The fallback route in proxy mode: everything that is not `/_avatars/...`.
pub(crate) async fn forward(State(state): State<Arc<AppState>>, request: Request) -> Response {
    let Some(proxy) = state.proxy.as_ref() else {
        return StatusCode::NOT_FOUND.into_response();
    };
    if upgrade::is_upgrade(request.headers()) {
        return upgrade::forward(&state, proxy, request).await;
    }
    let method = request.method().clone();
    let uri = request.uri().clone();
    let request_headers = request.headers().clone();
    let upstream = match proxy.client.request(upstream_request(proxy, request)).await {
        Ok(response) => response,
        Err(error) => return unreachable(&state, proxy, &error),
    };
    let (mut parts, body) = upstream.into_parts();
    strip_hop_by_hop(&mut parts.headers);
    rewrite_location(&mut parts.headers, proxy.target.origin());
    if parts.status == StatusCode::NOT_FOUND
        && matches!(method, Method::GET | Method::HEAD)
        && let Some(response) = own_avatar(&state, &uri, &request_headers, &method).await
    {
        return response;
    }
    if method != Method::HEAD && is_plain_html(&parts.headers) {
        let bytes = match axum::body::to_bytes(Body::new(body), MAX_HTML_BYTES).await {
            Ok(bytes) => bytes,
            Err(error) => {
                return (
                    StatusCode::BAD_GATEWAY,
                    format!(
                        "{} sent a page that could not be read whole (at most {MAX_HTML_BYTES} \
                         bytes): {error}",
                        proxy.target.origin()
                    ),
                )
                    .into_response();
            }
        };
        let page = reload::inject_proxied(&bytes, &state.builder.status());
        // The page now carries the build's status: never answered from a validator.
        for name in [CONTENT_LENGTH, ETAG, LAST_MODIFIED] {
            parts.headers.remove(name);
        }
        parts
            .headers
            .insert(CACHE_CONTROL, HeaderValue::from_static("no-cache"));
        return Response::from_parts(parts, Body::from(page));
    }
    Response::from_parts(parts, Body::new(body))
}

/// The request as the dev server gets it: same method, path, headers and (streamed) body, at
/// the dev server's own address and `Host`, asking for an uncompressed answer.
fn upstream_request(proxy: &Proxy, request: Request) -> Request {
    let (mut parts, body) = request.into_parts();
    let path = parts
        .uri
        .path_and_query()
        .map_or("/", |p| p.as_str())
        .to_owned();
    let original_host = parts.headers.get(HOST).cloned();
    strip_hop_by_hop(&mut parts.headers);
    parts.uri = upstream_uri(proxy, &path);
    if let Ok(host) = HeaderValue::from_str(proxy.target.authority()) {
        parts.headers.insert(HOST, host);
    }
    if let Some(host) = original_host {
        parts
            .headers
            .insert(HeaderName::from_static("x-forwarded-host"), host);
    }
    parts.headers.insert(
        HeaderName::from_static("x-forwarded-proto"),
        HeaderValue::from_static("http"),
    );
    parts
        .headers
        .insert(ACCEPT_ENCODING, HeaderValue::from_static("identity"));
    Request::from_parts(parts, body)
}

/// `http://<loopback address>/<path>`: the checked address, not a name resolved again.
fn upstream_uri(proxy: &Proxy, path_and_query: &str) -> Uri {
    format!("http://{}{path_and_query}", proxy.target.addr())
        .parse()
        .unwrap_or_else(|_| Uri::from_static("/"))
}

/// Headers that describe one connection, not the message (RFC 9110 §7.6.1), including those
/// the `Connection` header names.
fn strip_hop_by_hop(headers: &mut HeaderMap) {
    let named: Vec<HeaderName> = headers
        .get_all(CONNECTION)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .filter_map(|name| HeaderName::from_bytes(name.trim().as_bytes()).ok())
        .collect();
    for name in named {
        headers.remove(name);
    }
    for name in [
        "connection",
        "keep-alive",
        "proxy-connection",
        "proxy-authenticate",
        "proxy-authorization",
        "te",
        "trailer",
        "transfer-encoding",
        "upgrade",
    ] {
        headers.remove(name);
    }
}

/// A redirect to the dev server's own origin points back at this server instead.
fn rewrite_location(headers: &mut HeaderMap, origin: &str) {
    let Some(location) = headers.get(LOCATION).and_then(|v| v.to_str().ok()) else {
        return;
    };
    if let Some(rest) = location.strip_prefix(origin)
        && (rest.is_empty() || rest.starts_with('/'))
    {
        let local = if rest.is_empty() { "/" } else { rest };
        if let Ok(value) = HeaderValue::from_str(local) {
            headers.insert(LOCATION, value);
        }
    }
}

/// An uncompressed HTML answer: the only kind the overlay is added to.
fn is_plain_html(headers: &HeaderMap) -> bool {
    let html = headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.trim_start().to_ascii_lowercase().starts_with("text/html"));
    let encoded = headers
        .get(CONTENT_ENCODING)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| !v.trim().eq_ignore_ascii_case("identity"));
    html && !encoded
}

/// An avatar the generator does not serve (yet), from the avatar folder.
async fn own_avatar(
    state: &AppState,
    uri: &Uri,
    headers: &HeaderMap,
    method: &Method,
) -> Option<Response> {
    let site = state.builder.site();
    let segments = super::site::segments(uri.path())?;
    let file = super::site::avatar_file(&site, &segments)?;
    if !file.is_file() {
        return None;
    }
    let mut request = Request::new(Body::empty());
    *request.method_mut() = method.clone();
    *request.uri_mut() = uri.clone();
    *request.headers_mut() = headers.clone();
    let mut response = ServeFile::new(&file)
        .oneshot(request)
        .await
        .ok()?
        .map(Body::new);
    response
        .headers_mut()
        .insert(CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    Some(response)
}

/// The dev server is not answering: a page that says so, and reloads when a build finishes.
fn unreachable(state: &AppState, proxy: &Proxy, error: &dyn std::fmt::Display) -> Response {
    state.log.line(format_args!(
        "warning: {} is not answering: {error}",
        proxy.target.origin()
    ));
    let body = format!(
        "<p>The generator's server at <code>{origin}</code> is not answering: {error}.</p>\
         <p>Start it (for Hugo: <code>hugo server --port {port}</code>) and reload this page.</p>\
         <p><a class=\"button\" href=\"/_avatars/upload\">Upload an avatar</a></p>",
        origin = escape_html(proxy.target.origin()),
        error = escape_html(&error.to_string()),
        port = proxy.target.addr().port(),
    );
    (
        StatusCode::BAD_GATEWAY,
        [(CONTENT_TYPE, "text/html; charset=utf-8")],
        reload::inject(
            &info_page("The site's server is not running", &body),
            &state.builder.status(),
        ),
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hop_by_hop_headers_go_and_named_ones_with_them() {
        let mut headers = HeaderMap::new();
        headers.insert(
            CONNECTION,
            HeaderValue::from_static("keep-alive, x-private"),
        );
        headers.insert("x-private", HeaderValue::from_static("1"));
        headers.insert("keep-alive", HeaderValue::from_static("timeout=5"));
        headers.insert("x-kept", HeaderValue::from_static("1"));
        strip_hop_by_hop(&mut headers);
        assert_eq!(headers.len(), 1, "{headers:?}");
        assert!(headers.contains_key("x-kept"));
    }

    #[test]
    fn redirects_to_the_dev_server_stay_here() {
        let mut headers = HeaderMap::new();
        headers.insert(
            LOCATION,
            HeaderValue::from_static("http://127.0.0.1:1313/posts/a/"),
        );
        rewrite_location(&mut headers, "http://127.0.0.1:1313");
        assert_eq!(headers[LOCATION], "/posts/a/");
        headers.insert(
            LOCATION,
            HeaderValue::from_static("http://127.0.0.1:13130/x"),
        );
        rewrite_location(&mut headers, "http://127.0.0.1:1313");
        assert_eq!(headers[LOCATION], "http://127.0.0.1:13130/x");
    }

    #[test]
    fn only_uncompressed_html_gets_the_overlay() {
        let mut headers = HeaderMap::new();
        headers.insert(
            CONTENT_TYPE,
            HeaderValue::from_static("text/html; charset=utf-8"),
        );
        assert!(is_plain_html(&headers));
        headers.insert(CONTENT_ENCODING, HeaderValue::from_static("gzip"));
        assert!(!is_plain_html(&headers));
        headers.insert(CONTENT_TYPE, HeaderValue::from_static("text/css"));
        headers.remove(CONTENT_ENCODING);
        assert!(!is_plain_html(&headers));
    }
}
