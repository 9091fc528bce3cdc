//! Progress of `build` and `rewrite` on stderr, drawn by the binary from the library's
//! [`Observer`] calls: a bar on a terminal, else a line every few seconds so CI logs show the
//! build is alive.

use std::io::{self, IsTerminal};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{RecvTimeoutError, Sender};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use blog_avatars::pipeline::Observer;
use indicatif::{ProgressBar, ProgressStyle};

/// Seconds between progress lines when stderr is not a terminal.
const LOG_INTERVAL: Duration = Duration::from_secs(5);

/// Shows progress on stderr while identities are resolved.
#[derive(Default)]
pub struct Progress {
    done: Arc<AtomicUsize>,
    shown: Mutex<Shown>,
}

/// How progress is being shown right now.
#[derive(Default)]
enum Shown {
    /// Not resolving, or nothing to resolve.
    #[default]
    Nothing,
    /// A bar on the terminal.
    Bar(ProgressBar),
    /// A thread logging a line every [`LOG_INTERVAL`], stopped by dropping the sender.
    Log(Sender<()>, JoinHandle<()>),
}

impl Progress {
    fn shown(&self) -> std::sync::MutexGuard<'_, Shown> {
        self.shown.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl Observer for Progress {
    fn resolving(&self, total: usize) {
        self.done.store(0, Ordering::Relaxed);
        if total == 0 {
            return;
        }
        let shown = if io::stderr().is_terminal() {
            let bar = ProgressBar::new(total as u64);
            if let Ok(style) = ProgressStyle::with_template(
                "{spinner} {pos}/{len} identities [{bar:30}] {elapsed_precise}",
            ) {
                bar.set_style(style.progress_chars("=> "));
            }
            Shown::Bar(bar)
        } else {
            let (stop, stopped) = std::sync::mpsc::channel::<()>();
            let done = Arc::clone(&self.done);
            let started = Instant::now();
            let handle = std::thread::spawn(move || {
                while let Err(RecvTimeoutError::Timeout) = stopped.recv_timeout(LOG_INTERVAL) {
                    eprintln!(
                        "progress: {}/{total} identities resolved ({} s)",
                        done.load(Ordering::Relaxed),
                        started.elapsed().as_secs()
                    );
                }
            });
            Shown::Log(stop, handle)
        };
        *self.shown() = shown;
    }

    fn identity_done(&self, done: usize, _total: usize) {
        self.done.fetch_max(done, Ordering::Relaxed);
        if let Shown::Bar(bar) = &*self.shown() {
            bar.set_position(self.done.load(Ordering::Relaxed) as u64);
        }
    }

    fn resolved(&self) {
        let shown = std::mem::take(&mut *self.shown());
        match shown {
            Shown::Nothing => {}
            Shown::Bar(bar) => bar.finish_and_clear(),
            Shown::Log(stop, handle) => {
                drop(stop);
                let _ = handle.join();
            }
        }
    }
}
