//! Builds, one at a time, on request.
//!
//! Requests are numbered. The build loop notes the highest number before it starts and publishes
//! it with the result, so "wait until my change is built" is waiting for a status that covers
//! my number; requests that arrive during a build are coalesced into the next one. The config is
//! read again for every build, so editing `blog-avatars.toml` takes effect on the next rebuild
//! (except `[serve]`, read at start-up).

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

use serde::Serialize;
use tokio::sync::{Notify, watch};

use super::{ServeError, ServeOptions};
use crate::config::Config;
use crate::pipeline::BuildOptions;
use crate::scan::SiteLayout;

/// The outcome of the latest build, as `/_avatars/api/status` reports it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BuildStatus {
    /// Builds finished since the server started; the first build is 1.
    pub generation: u64,
    /// Rebuild requests this build includes (internal bookkeeping for waiters).
    #[serde(skip)]
    pub covers: u64,
    /// False when the build failed; the previous output is still served.
    pub ok: bool,
    /// A one-line summary, or the error.
    pub message: String,
    /// Identities found.
    pub identities: usize,
    /// Warnings about the content.
    pub warnings: usize,
    /// Wall time in milliseconds.
    pub elapsed_ms: u64,
    /// The warnings themselves (file, line, message), for the overlay on served pages.
    pub warning_details: Vec<crate::model::Warning>,
    /// When identities fell back because of an error: the report's lines, one per cause.
    pub error_lines: Vec<String>,
}

/// The opened site as of the latest successful build.
#[derive(Debug)]
pub(crate) struct SiteState {
    pub(crate) config: Config,
    pub(crate) layout: SiteLayout,
}

impl SiteState {
    /// The directory served at `/`: the rendered blog of a native site.
    pub(crate) fn output_root(&self) -> Option<&Path> {
        self.layout.output_dir.as_deref()
    }

    /// `[local] dir`, where uploads are saved.
    pub(crate) fn local_dir(&self) -> PathBuf {
        crate::scan::published::local_dir(&self.layout, &self.config.local)
    }
}

/// Runs builds and tells who waits for them.
pub(crate) struct Builder {
    site_path: PathBuf,
    config_path: Option<PathBuf>,
    options: BuildOptions,
    log: super::Log,
    site: RwLock<Arc<SiteState>>,
    requested: AtomicU64,
    wake: Notify,
    done: watch::Sender<BuildStatus>,
    first_error: Mutex<Option<ServeError>>,
    own_writes: Mutex<Vec<(PathBuf, Instant)>>,
}

/// How long the watcher ignores a file the server itself wrote (and rebuilt for).
const OWN_WRITE_WINDOW: Duration = Duration::from_secs(5);

impl Builder {
    pub(crate) fn new(options: &ServeOptions, config: Config, layout: SiteLayout) -> Self {
        let initial = BuildStatus {
            generation: 0,
            covers: 0,
            ok: false,
            message: "not built yet".into(),
            identities: 0,
            warnings: 0,
            elapsed_ms: 0,
            warning_details: Vec::new(),
            error_lines: Vec::new(),
        };
        Self {
            site_path: options.site.clone(),
            config_path: options.config_path.clone(),
            options: BuildOptions {
                dry_run: false,
                ..options.build.clone()
            },
            log: options.log.clone(),
            site: RwLock::new(Arc::new(SiteState { config, layout })),
            requested: AtomicU64::new(0),
            wake: Notify::new(),
            done: watch::channel(initial).0,
            first_error: Mutex::new(None),
            own_writes: Mutex::new(Vec::new()),
        }
    }

    /// The site as of the latest successful build.
    pub(crate) fn site(&self) -> Arc<SiteState> {
        self.site.read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// The latest status.
    pub(crate) fn status(&self) -> BuildStatus {
        self.done.borrow().clone()
    }

    /// Follows every finished build (for live reload).
    pub(crate) fn subscribe(&self) -> watch::Receiver<BuildStatus> {
        self.done.subscribe()
    }

    /// Records files the server changed and rebuilds for itself, so the watcher does not
    /// rebuild a second time for them.
    pub(crate) fn note_own_writes(&self, paths: impl IntoIterator<Item = PathBuf>) {
        let now = Instant::now();
        let mut own = self.own_writes.lock().unwrap_or_else(|e| e.into_inner());
        own.retain(|(_, at)| now.duration_since(*at) < OWN_WRITE_WINDOW);
        own.extend(paths.into_iter().map(|path| (path, now)));
    }

    /// True when the server itself changed `path` moments ago.
    pub(crate) fn is_own_write(&self, path: &Path) -> bool {
        let now = Instant::now();
        self.own_writes
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .iter()
            .any(|(own, at)| own == path && now.duration_since(*at) < OWN_WRITE_WINDOW)
    }

    /// Asks for a rebuild; returns the ticket to [`Builder::wait_for`].
    pub(crate) fn request(&self) -> u64 {
        let ticket = self.requested.fetch_add(1, Ordering::SeqCst) + 1;
        self.wake.notify_one();
        ticket
    }

    /// Waits until a build that started after `ticket` was requested has finished, or the
    /// server is stopping (the build loop has ended then; the answer is the latest status).
    pub(crate) async fn wait_for(
        &self,
        ticket: u64,
        mut shutdown: watch::Receiver<bool>,
    ) -> BuildStatus {
        let mut updates = self.done.subscribe();
        tokio::select! {
            built = updates.wait_for(|status| status.covers >= ticket) => match built {
                Ok(status) => status.clone(),
                Err(_) => self.status(),
            },
            _ = shutdown.wait_for(|stop| *stop) => self.status(),
        }
    }

    /// Builds once now (the start-up build). An error that should stop the server is kept for
    /// [`Builder::take_first_error`].
    pub(crate) async fn build_now(self: &Arc<Self>) -> BuildStatus {
        let covers = self.requested.load(Ordering::SeqCst);
        self.build_once(covers).await
    }

    /// The start-up build's error, if it failed.
    pub(crate) fn take_first_error(&self) -> Option<ServeError> {
        self.first_error
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .take()
    }

    /// The build loop: waits for requests until shutdown.
    pub(crate) async fn run(self: Arc<Self>, mut shutdown: watch::Receiver<bool>) {
        loop {
            tokio::select! {
                () = self.wake.notified() => {}
                _ = shutdown.changed() => return,
            }
            if *shutdown.borrow() {
                return;
            }
            let covers = self.requested.load(Ordering::SeqCst);
            self.build_once(covers).await;
        }
    }

    async fn build_once(self: &Arc<Self>, covers: u64) -> BuildStatus {
        let this = Arc::clone(self);
        let started = Instant::now();
        let result = tokio::task::spawn_blocking(move || this.build_blocking()).await;
        let generation = self.done.borrow().generation + 1;
        let elapsed_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
        let mut status = BuildStatus {
            generation,
            covers,
            ok: false,
            message: String::new(),
            identities: 0,
            warnings: 0,
            elapsed_ms,
            warning_details: Vec::new(),
            error_lines: Vec::new(),
        };
        match result {
            Ok(Ok((report, site))) => {
                *self.site.write().unwrap_or_else(|e| e.into_inner()) = Arc::new(site);
                status.ok = true;
                status.identities = report.identities.len();
                status.warnings = report.warnings.len();
                status.warning_details = report.warnings.clone();
                status.error_lines = report.error_lines();
                status.message = format!(
                    "built in {elapsed_ms} ms: {}, {}",
                    crate::report::count(status.identities as u64, "identity", "identities"),
                    crate::report::count(status.warnings as u64, "warning", "warnings")
                );
            }
            Ok(Err(error)) => {
                status.message = format!("build failed: {error}");
                if generation == 1 {
                    *self.first_error.lock().unwrap_or_else(|e| e.into_inner()) =
                        Some(ServeError::Site(error));
                }
            }
            Err(join) => status.message = format!("build failed: {join}"),
        }
        self.log.line(&status.message);
        self.done.send_replace(status.clone());
        status
    }

    fn build_blocking(&self) -> crate::Result<(crate::report::BuildReport, SiteState)> {
        let (config, layout) = crate::open_site(&self.site_path, self.config_path.as_deref())?;
        let config = self.options.configure(&config).into_owned();
        let report = crate::pipeline::build(&layout, &config, &self.options)?;
        Ok((report, SiteState { config, layout }))
    }
}
