//! `blog-avatars serve`: a local preview of the site with an avatar upload page.
//!
//! ```text
//! start: open site ─ bind ─ sweep old previews ─ first build ─┐
//!                                                              ├─ HTTP: site files (+ reload script)
//! notify ─ debounce ─ rebuild (one at a time) ─ reload event ─┘        /_avatars/upload, /_avatars/api/*
//! ```
//!
//! Everything asynchronous runs on one tokio runtime. The build is synchronous (threads and
//! blocking HTTP, see [`crate::pipeline`]) and runs on tokio's blocking pool, one build at a time
//! (`rebuild.rs`); a change that arrives during a build queues exactly one more.
//!
//! The upload page previews in the browser when it can (object URL + canvas) and falls back to a
//! server-side preview kept in a temporary area that is swept by TTL, so neither old browsers nor
//! abandoned uploads are a problem. Every state-changing endpoint checks Host, Origin and a
//! per-server random token (`guard.rs`).

mod error;
mod guard;
mod handle;
mod log;
mod page;
mod preview;
mod proxy;
mod rebuild;
mod reload;
mod shape;
mod site;
mod store;
mod upload;
mod watch;

use std::future::Future;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};
use tokio::sync::watch as channel;

pub use error::ServeError;
pub use handle::{ServerHandle, run, spawn};
pub use log::Log;
pub use proxy::ProxyTarget;
pub use rebuild::BuildStatus;

use crate::pipeline::BuildOptions;
use crate::scan::LayoutKind;

/// URL of the upload page.
pub const UPLOAD_PATH: &str = "/_avatars/upload";
/// URL of the script that shows the build's warnings and errors over served pages.
pub const OVERLAY_PATH: &str = "/_avatars/overlay.js";
/// Default quiet period after the last file change before rebuilding.
pub const DEFAULT_DEBOUNCE: Duration = Duration::from_millis(300);
/// Slack above `[serve] max_upload_bytes` for the other form fields and multipart framing.
const FORM_OVERHEAD_BYTES: u64 = 64 * 1024;

/// What `serve` is asked to do. [`ServeOptions::new`] gives the command line's defaults.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    /// The site directory.
    pub site: PathBuf,
    /// `--config`.
    pub config_path: Option<PathBuf>,
    /// Address to listen on: loopback unless the user asks otherwise.
    pub bind: IpAddr,
    /// Port; 0 picks a free one (see [`StartInfo::addr`]).
    pub port: u16,
    /// Offline and `--jobs` settings of every build (`dry_run` is ignored: serving needs files).
    pub build: BuildOptions,
    /// Watch the site and rebuild on changes.
    pub watch: bool,
    /// Quiet period after the last change before a rebuild.
    pub debounce: Duration,
    /// Overrides `[serve] preview_ttl_minutes` (tests use seconds).
    pub preview_ttl: Option<Duration>,
    /// How often the sweeper looks for expired previews (default: a quarter of the TTL, at most
    /// one minute).
    pub sweep_interval: Option<Duration>,
    /// Where builds, saves and watcher trouble are reported (default: nowhere; the binary
    /// passes one that prints to stderr).
    pub log: Log,
    /// `--proxy`: pass the generator's dev server's pages through (with the overlay added)
    /// instead of serving the site's files.
    pub proxy: Option<ProxyTarget>,
}

impl ServeOptions {
    /// Loopback, port 1111, watching: what `blog-avatars serve SITE` does (the binary adds
    /// a [`Log`] to stderr).
    pub fn new(site: impl Into<PathBuf>) -> Self {
        Self {
            site: site.into(),
            config_path: None,
            bind: IpAddr::V4(Ipv4Addr::LOCALHOST),
            port: 1111,
            build: BuildOptions::default(),
            watch: true,
            debounce: DEFAULT_DEBOUNCE,
            preview_ttl: None,
            sweep_interval: None,
            log: Log::silent(),
            proxy: None,
        }
    }
}

/// What a started server serves, for the start-up message and for tests.
#[derive(Debug, Clone)]
pub struct StartInfo {
    /// The address actually bound.
    pub addr: SocketAddr,
    /// The site's layout.
    pub layout: LayoutKind,
    /// Served at `/` (native layout only).
    pub output_dir: Option<PathBuf>,
    /// The avatar directory, served under `url_prefix`.
    pub avatar_dir: PathBuf,
    /// The avatar URL prefix.
    pub url_prefix: String,
    /// Where saved uploads go (`[local] dir`).
    pub local_dir: PathBuf,
    /// Where unsaved previews are kept until saved, discarded or swept.
    pub preview_dir: PathBuf,
    /// The first build.
    pub first_build: BuildStatus,
    /// The generator's dev server whose pages are passed through (`--proxy`).
    pub proxy: Option<ProxyTarget>,
}

impl StartInfo {
    /// `http://ADDR/`.
    pub fn base_url(&self) -> String {
        format!("http://{}/", self.addr)
    }

    /// The upload page's URL.
    pub fn upload_url(&self) -> String {
        format!("http://{}{UPLOAD_PATH}", self.addr)
    }

    /// Lines for the person who started the server.
    pub fn describe(&self) -> String {
        let mut text = match (&self.proxy, &self.output_dir) {
            (Some(target), _) => format!(
                "Serving the pages of {} at {} with the build panel added; avatars ({}) and \
                 the data file are rebuilt here and picked up by the generator's own server.\n",
                target.origin(),
                self.base_url(),
                self.url_prefix
            ),
            (None, Some(dir)) => format!("Serving {} at {}\n", dir.display(), self.base_url()),
            (None, None) => format!(
                "This is a {} site: its generator renders the pages, so only the avatars ({} at \
                 {}) and the upload page are served here; preview the pages with the \
                 generator's own server.\n",
                self.layout,
                self.avatar_dir.display(),
                self.url_prefix
            ),
        };
        text.push_str(&format!(
            "Upload page: {}\nUploads are saved in {}\n",
            self.upload_url(),
            self.local_dir.display()
        ));
        if !self.addr.ip().is_loopback() {
            text.push_str(&format!(
                "warning: listening on {}: the upload page is reachable from other machines\n",
                self.addr.ip()
            ));
        }
        text
    }
}

/// State shared by every request handler.
pub(crate) struct AppState {
    pub(crate) builder: Arc<rebuild::Builder>,
    pub(crate) previews: preview::PreviewStore,
    pub(crate) guard: guard::Guard,
    pub(crate) max_upload_bytes: u64,
    pub(crate) shutdown: channel::Receiver<bool>,
    pub(crate) log: Log,
    /// The dev server pages are passed through from (`--proxy`).
    pub(crate) proxy: Option<proxy::Proxy>,
}

/// A bound server that has done its first build; [`Server::run`] serves it.
pub struct Server {
    listener: tokio::net::TcpListener,
    state: Arc<AppState>,
    info: StartInfo,
    shutdown: channel::Sender<bool>,
    tasks: Vec<tokio::task::JoinHandle<()>>,
}

impl Server {
    /// Opens the site, binds, sweeps expired previews, builds once and starts the watcher and
    /// the sweeper. Must be called inside a tokio runtime.
    pub async fn start(mut options: ServeOptions) -> Result<Server, ServeError> {
        // Absolute paths, so watcher events compare with the layout's paths.
        if let Ok(site) = options.site.canonicalize() {
            options.site = site;
        }
        if let Some(Ok(path)) = options.config_path.as_deref().map(Path::canonicalize) {
            options.config_path = Some(path);
        }
        let (config, layout) = crate::open_site(&options.site, options.config_path.as_deref())?;
        let addr = SocketAddr::new(options.bind, options.port);
        let listener = tokio::net::TcpListener::bind(addr)
            .await
            .map_err(|source| ServeError::Bind { addr, source })?;
        let addr = listener
            .local_addr()
            .map_err(|source| ServeError::Bind { addr, source })?;

        let ttl = options.preview_ttl.unwrap_or(Duration::from_secs(
            config.serve.preview_ttl_minutes.saturating_mul(60),
        ));
        let preview_dir = config.cache_dir(&layout.root).join("previews");
        let previews = preview::PreviewStore::open(preview_dir.clone(), ttl)?;
        let max_upload_bytes = config.serve.max_upload_bytes;
        let (shutdown, shutdown_rx) = channel::channel(false);

        let builder = Arc::new(rebuild::Builder::new(&options, config, layout));
        let first_build = builder.build_now().await;
        if let Some(error) = builder.take_first_error() {
            return Err(error);
        }
        let site = builder.site();
        let mut tasks = vec![tokio::spawn(builder.clone().run(shutdown_rx.clone()))];
        tasks.push(tokio::spawn(preview::sweep_forever(
            previews.clone(),
            options.sweep_interval.unwrap_or_else(|| {
                (ttl / 4).clamp(Duration::from_secs(1), Duration::from_secs(60))
            }),
            shutdown_rx.clone(),
        )));
        if options.watch {
            tasks.push(watch::start(
                &options,
                builder.clone(),
                shutdown_rx.clone(),
            )?);
        }
        let info = StartInfo {
            addr,
            layout: site.layout.kind,
            output_dir: site.output_root().map(Path::to_path_buf),
            avatar_dir: site.layout.avatar_dir.clone(),
            url_prefix: site.layout.url_prefix.clone(),
            local_dir: site.local_dir(),
            preview_dir,
            first_build,
            proxy: options.proxy.clone(),
        };
        let state = Arc::new(AppState {
            builder,
            previews,
            guard: guard::Guard::new()?,
            max_upload_bytes,
            shutdown: shutdown_rx,
            log: options.log.clone(),
            proxy: options.proxy.clone().map(proxy::Proxy::new),
        });
        Ok(Server {
            listener,
            state,
            info,
            shutdown,
            tasks,
        })
    }

    /// Where and what it serves.
    pub fn info(&self) -> &StartInfo {
        &self.info
    }

    /// Serves until `stop` completes, then stops accepting, ends live-reload streams, lets
    /// requests in flight finish and stops the background tasks.
    pub async fn run(
        self,
        stop: impl Future<Output = ()> + Send + 'static,
    ) -> Result<(), ServeError> {
        let Server {
            listener,
            state,
            shutdown,
            tasks,
            ..
        } = self;
        let app = router(state);
        let result = axum::serve(listener, app)
            .with_graceful_shutdown(async move {
                stop.await;
                // Live-reload streams never end by themselves; this ends them.
                let _ = shutdown.send(true);
            })
            .await
            .map_err(ServeError::Serve);
        for task in tasks {
            task.abort();
        }
        result
    }
}

fn router(state: Arc<AppState>) -> Router {
    let body_limit = usize::try_from(state.max_upload_bytes.saturating_add(FORM_OVERHEAD_BYTES))
        .unwrap_or(usize::MAX);
    let api = Router::new()
        .route("/preview", post(upload::create_preview))
        .route("/preview/{id}/{file}", get(upload::preview_file))
        .route("/discard", post(upload::discard))
        .route("/save", post(upload::save))
        .route("/status", get(upload::status))
        .layer(DefaultBodyLimit::max(body_limit));
    let proxied = state.proxy.is_some();
    let router = Router::new()
        .route(UPLOAD_PATH, get(page::upload_page))
        .route("/_avatars/upload.js", get(page::script))
        .route("/_avatars/style.css", get(page::style))
        .route(OVERLAY_PATH, get(page::overlay_script))
        .route("/_avatars/events", get(reload::events))
        .nest("/_avatars/api", api);
    // Everything else: the generator's dev server's pages, or the site's files.
    let router = if proxied {
        router.fallback(proxy::forward)
    } else {
        router.fallback(site::serve_site)
    };
    router.with_state(state)
}
