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

use super::AppState;

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
            let data = serde_json::json!({
                "generation": status.generation,
                "ok": status.ok,
                "message": status.message,
            });
            let event = Event::default().event("reload").data(data.to_string());
            Some((Ok(event), (updates, shutdown)))
        },
    );
    Sse::new(stream::once(async move { Ok(hello) }).chain(changes)).keep_alive(KeepAlive::default())
}

/// The reload script for a page served at build `generation`.
pub(crate) fn script(generation: u64) -> String {
    format!(
        "<script>/* blog-avatars serve: live reload */(function(){{\
         if(!window.EventSource)return;var g={generation},s=new EventSource('/_avatars/events');\
         s.addEventListener('hello',function(e){{if(+e.data>g)location.reload();}});\
         s.addEventListener('reload',function(e){{if(JSON.parse(e.data).ok)location.reload();}});\
         }})();</script>"
    )
}

/// `html` with the reload script before its last `</body>` (or at the end).
pub(crate) fn inject(html: &str, generation: u64) -> String {
    let script = script(generation);
    let lower = html.to_ascii_lowercase();
    match lower.rfind("</body>") {
        Some(at) => format!("{}{script}{}", &html[..at], &html[at..]),
        None => format!("{html}{script}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_script_goes_before_the_closing_body_tag() {
        let page = "<html><body><p>x</p></BODY></html>";
        let injected = inject(page, 7);
        assert!(injected.starts_with("<html><body><p>x</p><script>"));
        assert!(injected.ends_with("</script></BODY></html>"));
        assert!(injected.contains("var g=7"));
        assert!(inject("<p>fragment</p>", 1).starts_with("<p>fragment</p><script>"));
    }
}
