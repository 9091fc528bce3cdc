//! Where `serve` reports what it does (builds, saves, watcher trouble). The library prints
//! nothing itself: the binary passes a [`Log`] that writes to stderr, tests and embedders pass
//! their own or none.

use std::fmt;
use std::sync::Arc;

/// A function that takes one line.
type Sink = Arc<dyn Fn(&str) + Send + Sync>;

/// A sink for `serve`'s one-line messages; [`Log::silent`] (the default) drops them.
#[derive(Clone, Default)]
pub struct Log(Option<Sink>);

impl Log {
    /// Sends each line to `sink`.
    pub fn to(sink: impl Fn(&str) + Send + Sync + 'static) -> Self {
        Self(Some(Arc::new(sink)))
    }

    /// Drops every line.
    pub fn silent() -> Self {
        Self(None)
    }

    /// Whether lines go anywhere.
    pub fn is_on(&self) -> bool {
        self.0.is_some()
    }

    /// Reports one line (formatted only when someone listens).
    pub(crate) fn line(&self, text: impl fmt::Display) {
        if let Some(sink) = &self.0 {
            sink(&text.to_string());
        }
    }
}

impl fmt::Debug for Log {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(if self.is_on() {
            "Log(on)"
        } else {
            "Log(silent)"
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Mutex;

    #[test]
    fn lines_reach_the_sink_and_silence_drops_them() {
        let seen = Arc::new(Mutex::new(Vec::new()));
        let sink = Arc::clone(&seen);
        let log = Log::to(move |line| sink.lock().unwrap().push(line.to_owned()));
        log.line(format_args!("built in {} ms", 3));
        Log::silent().line("dropped");
        assert_eq!(*seen.lock().unwrap(), vec!["built in 3 ms".to_owned()]);
    }
}
