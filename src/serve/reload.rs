//! Live reload: a server-sent-events stream of finished builds, and the small script injected
//! into every HTML page the server sends.
//!
//! On connecting, the stream says which build is current (`hello`), so a page served just
//! before a build finished reloads too. The stream ends at shutdown, which lets the graceful
//! shutdown complete instead of waiting for open tabs.

use std::convert::Infallible;
use std::sync::Arc;

use axum::extract::State;
use axum::response::sse::{Event, KeepAlive, Sse};
use futures_util::stream::{self, Stream, StreamExt};

use super::{AppState, BuildStatus, OVERLAY_PATH};

/// `GET /_avatars/events`.
pub(crate) async fn events(
    State(state): State<Arc<AppState>>,
) -> Sse<impl Stream<Item = Result<Event, Infallible>>> {
    let mut updates = state.builder.subscribe();
    let current = updates.borrow_and_update().generation;
    let hello = Event::default().event("hello").data(current.to_string());
    let shutdown = state.shutdown.clone();
    let changes = stream::unfold(
        (updates, shutdown),
        |(mut updates, mut shutdown)| async move {
            if *shutdown.borrow() {
                return None;
            }
            let changed = tokio::select! {
                changed = updates.changed() => changed.is_ok(),
                _ = shutdown.wait_for(|stop| *stop) => false,
            };
            if !changed {
                return None;
            }
            let status = updates.borrow_and_update().clone();
            // The whole status: a failed build does not reload the page, and the overlay shows
            // why from this.
            let data = serde_json::to_string(&status).unwrap_or_default();
            let event = Event::default().event("reload").data(data);
            Some((Ok(event), (updates, shutdown)))
        },
    );
    Sse::new(stream::once(async move { Ok(hello) }).chain(changes)).keep_alive(KeepAlive::default())
}

/// The reload script for a page served at build `generation`. A failed build does not reload:
/// the overlay (`overlay.js`) shows why instead. With `reload` false (a proxied page, which the
/// generator's own live reload reloads once it has rebuilt from the new data file) only the
/// overlay follows the builds.
pub(crate) fn script(generation: u64, reload: bool) -> String {
    let (on_hello, on_ok) = if reload {
        (
            "if(+e.data>g)location.reload();",
            "if(d.ok)location.reload();else ",
        )
    } else {
        ("", "")
    };
    format!(
        "<script>/* blog-avatars serve: live reload */(function(){{\
         if(!window.EventSource)return;var g={generation},s=new EventSource('/_avatars/events');\
         s.addEventListener('hello',function(e){{{on_hello}}});\
         s.addEventListener('reload',function(e){{var d=JSON.parse(e.data);{on_ok}\
         if(window.blogAvatarsOverlay)window.blogAvatarsOverlay(d);}});\
         }})();</script>"
    )
}

/// The latest build's warnings and errors as JSON for `overlay.js`, and the script itself. `<` is
/// escaped so no value can close the script element.
fn overlay(status: &BuildStatus) -> String {
    let json = serde_json::to_string(status)
        .unwrap_or_default()
        .replace('<', "\\u003c");
    format!(
        "<script type=\"application/json\" id=\"blog-avatars-status\">{json}</script>\
         <script src=\"{OVERLAY_PATH}\"></script>"
    )
}

/// `html` with the overlay and the reload script before its last `</body>` (or at the end).
pub(crate) fn inject(html: &str, status: &BuildStatus) -> String {
    inject_with(html, status, true)
}

/// A page of the generator's dev server, as bytes in whatever encoding it declared (the
/// scripts are ASCII): the overlay, and no reload of our own.
pub(crate) fn inject_proxied(html: &[u8], status: &BuildStatus) -> Vec<u8> {
    let script = format!("{}{}", overlay(status), script(status.generation, false));
    let at = html
        .windows(7)
        .rposition(|w| w.eq_ignore_ascii_case(b"</body>"))
        .unwrap_or(html.len());
    [&html[..at], script.as_bytes(), &html[at..]].concat()
}

fn inject_with(html: &str, status: &BuildStatus, reload: bool) -> String {
    let script = format!("{}{}", overlay(status), script(status.generation, reload));
    let lower = html.to_ascii_lowercase();
    match lower.rfind("</body>") {
        Some(at) => format!("{}{script}{}", &html[..at], &html[at..]),
        None => format!("{html}{script}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn status(generation: u64, message: &str) -> BuildStatus {
        BuildStatus {
            generation,
            covers: 0,
            ok: true,
            message: String::new(),
            identities: 0,
            warnings: 1,
            elapsed_ms: 0,
            warning_details: vec![crate::model::Warning {
                path: "content/posts/a.md".into(),
                line: Some(2),
                message: message.into(),
            }],
            error_lines: Vec::new(),
        }
    }

    #[test]
    fn the_script_goes_before_the_closing_body_tag() {
        let page = "<html><body><p>x</p></BODY></html>";
        let injected = inject(page, &status(7, "bad"));
        assert!(injected.starts_with("<html><body><p>x</p><script"));
        assert!(injected.ends_with("</script></BODY></html>"));
        assert!(injected.contains("var g=7"));
        assert!(injected.contains(OVERLAY_PATH));
        assert!(inject("<p>fragment</p>", &status(1, "bad")).starts_with("<p>fragment</p><script"));
    }

    #[test]
    fn proxied_pages_keep_their_bytes_and_get_no_reload() {
        let page = b"<html><body>caf\xe9</Body></html>";
        let injected = inject_proxied(page, &status(3, "bad"));
        assert!(injected.starts_with(b"<html><body>caf\xe9<script"));
        assert!(injected.ends_with(b"</script></Body></html>"));
        let text = String::from_utf8_lossy(&injected);
        assert!(
            text.contains(OVERLAY_PATH) && !text.contains("location.reload"),
            "{text}"
        );
        assert!(inject_proxied(b"<p>x</p>", &status(1, "bad")).starts_with(b"<p>x</p><script"));
    }

    #[test]
    fn a_message_cannot_close_the_data_script() {
        let injected = inject("", &status(1, "</script><script>alert(1)</script>"));
        assert_eq!(injected.matches("</script>").count(), 3, "{injected}");
        let json = injected
            .split("id=\"blog-avatars-status\">")
            .nth(1)
            .and_then(|rest| rest.split("</script>").next())
            .unwrap();
        let value: serde_json::Value = serde_json::from_str(json).unwrap();
        assert_eq!(
            value["warning_details"][0]["message"],
            "</script><script>alert(1)</script>"
        );
    }
}
