//! Upgraded connections (the generator's live-reload websocket, e.g. Hugo's `/livereload`):
//! the handshake is forwarded on a connection of its own, and once both sides have switched
//! protocols the bytes are copied both ways until either side closes or the server stops.

use axum::body::Body;
use axum::extract::Request;
use axum::http::header::{CONNECTION, HOST, UPGRADE};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use hyper_util::rt::TokioIo;

use super::{Proxy, upstream_uri};
use crate::serve::AppState;

/// `Connection: upgrade` with an `Upgrade` protocol.
pub(super) fn is_upgrade(headers: &HeaderMap) -> bool {
    let connection_upgrade = headers
        .get_all(CONNECTION)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|token| token.trim().eq_ignore_ascii_case("upgrade"));
    connection_upgrade && headers.contains_key(UPGRADE)
}

pub(super) async fn forward(state: &AppState, proxy: &Proxy, mut request: Request) -> Response {
    let from_client = hyper::upgrade::on(&mut request);
    let (mut parts, _) = request.into_parts();
    let path = parts
        .uri
        .path_and_query()
        .map_or("/", |p| p.as_str())
        .to_owned();
    parts.uri = upstream_uri(proxy, &path);
    if let Ok(host) = HeaderValue::from_str(proxy.target.authority()) {
        parts.headers.insert(HOST, host);
    }
    let upstream_request = Request::from_parts(parts, Body::empty());

    let failed = |what: &str, error: &dyn std::fmt::Display| {
        (
            StatusCode::BAD_GATEWAY,
            format!("{} {what}: {error}", proxy.target.origin()),
        )
            .into_response()
    };
    let stream = match tokio::net::TcpStream::connect(proxy.target.addr()).await {
        Ok(stream) => stream,
        Err(error) => return failed("is not answering", &error),
    };
    let (mut sender, connection) =
        match hyper::client::conn::http1::handshake(TokioIo::new(stream)).await {
            Ok(pair) => pair,
            Err(error) => return failed("refused the connection", &error),
        };
    tokio::spawn(async move {
        let _ = connection.with_upgrades().await;
    });
    let mut response = match sender.send_request(upstream_request).await {
        Ok(response) => response,
        Err(error) => return failed("did not answer the upgrade", &error),
    };
    if response.status() != StatusCode::SWITCHING_PROTOCOLS {
        // Refused (e.g. 404): its answer goes back as it is.
        return response.map(Body::new);
    }
    let from_upstream = hyper::upgrade::on(&mut response);
    let mut shutdown = state.shutdown.clone();
    tokio::spawn(async move {
        let (Ok(client), Ok(upstream)) = tokio::join!(from_client, from_upstream) else {
            return;
        };
        let mut client = TokioIo::new(client);
        let mut upstream = TokioIo::new(upstream);
        tokio::select! {
            _ = tokio::io::copy_bidirectional(&mut client, &mut upstream) => {}
            _ = shutdown.wait_for(|stop| *stop) => {}
        }
    });
    let (parts, _) = response.into_parts();
    Response::from_parts(parts, Body::empty())
}
