//! Running a [`Server`]: on the caller's thread until SIGINT/SIGTERM (the binary), or on a
//! background thread with a handle (tests, embedding). Each makes its own tokio runtime and, on
//! the way out, gives a build still running time to finish its atomic writes.

use std::time::Duration;

use super::{ServeError, ServeOptions, Server, StartInfo};

/// How long a stopping server waits for a build in progress.
const BUILD_GRACE: Duration = Duration::from_secs(30);

/// Runs a server until SIGINT or SIGTERM; `ready` is called once it listens. Creates its own
/// runtime, so call it from synchronous code (the binary).
pub fn run(options: ServeOptions, ready: impl FnOnce(&StartInfo)) -> Result<(), ServeError> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(ServeError::Runtime)?;
    let result = runtime.block_on(async move {
        let server = Server::start(options).await?;
        ready(server.info());
        server.run(stop_signal()).await
    });
    // A build still running finishes its atomic writes; nothing else holds the runtime.
    runtime.shutdown_timeout(BUILD_GRACE);
    result
}

/// Resolves on SIGINT (Ctrl-C) or, on Unix, SIGTERM.
async fn stop_signal() {
    let interrupt = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut terminate) => {
                tokio::select! {
                    _ = interrupt => {}
                    _ = terminate.recv() => {}
                }
            }
            Err(_) => interrupt.await,
        }
    }
    #[cfg(not(unix))]
    interrupt.await;
}

/// A server running on its own thread and runtime: for tests and for embedding in other tools.
pub struct ServerHandle {
    info: StartInfo,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<Result<(), ServeError>>>,
}

impl ServerHandle {
    /// Where and what it serves.
    pub fn info(&self) -> &StartInfo {
        &self.info
    }

    /// Stops the server cleanly and waits for it.
    pub fn stop(mut self) -> Result<(), ServeError> {
        self.shutdown()
    }

    fn shutdown(&mut self) -> Result<(), ServeError> {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        match self.thread.take().map(std::thread::JoinHandle::join) {
            Some(Ok(result)) => result,
            Some(Err(_)) => Err(ServeError::Panicked),
            None => Ok(()),
        }
    }
}

impl Drop for ServerHandle {
    fn drop(&mut self) {
        let _ = self.shutdown();
    }
}

/// Starts a server on a background thread; returns once it listens and has built the site.
pub fn spawn(options: ServeOptions) -> Result<ServerHandle, ServeError> {
    let (ready_tx, ready_rx) = std::sync::mpsc::channel();
    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
    let thread = std::thread::Builder::new()
        .name("blog-avatars-serve".into())
        .spawn(move || {
            let runtime = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()
                .map_err(ServeError::Runtime)?;
            let result = runtime.block_on(async move {
                match Server::start(options).await {
                    Ok(server) => {
                        let _ = ready_tx.send(Ok(server.info().clone()));
                        server
                            .run(async move {
                                let _ = stop_rx.await;
                            })
                            .await
                    }
                    Err(error) => {
                        let _ = ready_tx.send(Err(error));
                        Ok(())
                    }
                }
            });
            runtime.shutdown_timeout(BUILD_GRACE);
            result
        })
        .map_err(ServeError::Runtime)?;
    match ready_rx.recv() {
        Ok(Ok(info)) => Ok(ServerHandle {
            info,
            stop: Some(stop_tx),
            thread: Some(thread),
        }),
        Ok(Err(error)) => {
            let _ = thread.join();
            Err(error)
        }
        Err(_) => Err(thread.join().map_or(ServeError::Panicked, |r| {
            r.err().unwrap_or(ServeError::Panicked)
        })),
    }
}
