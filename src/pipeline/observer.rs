//! How a caller follows a build: the library prints nothing, it tells an [`Observer`].
//!
//! The binary draws a progress bar (or logs a line every few seconds in CI) from these calls; a
//! program embedding the library may show progress its own way, or not at all.

/// Told how a build or rewrite is going. Every method has an empty default, so an observer
/// implements only what it shows. Called from the worker threads, hence `Send + Sync`.
pub trait Observer: Send + Sync {
    /// Resolving starts: `total` identities to go through the provider chain.
    fn resolving(&self, total: usize) {
        let _ = total;
    }

    /// One more identity is resolved: `done` of `total` (in any order, from any worker).
    fn identity_done(&self, done: usize, total: usize) {
        let _ = (done, total);
    }

    /// Resolving has ended: every identity is done.
    fn resolved(&self) {}
}
