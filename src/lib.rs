//! blog-avatars: a build step for static blogs that gathers commenters' avatars once and serves
//! them from the site itself.
//!
//! ```text
//! scan → identify → resolve (provider chain) → fetch (cache) → process (image) → publish → rewrite / render
//! ```

/// Fetch stage: HTTP client with bounded concurrency, retries, fail-fast and the on-disk cache.
pub mod fetch;
/// A loopback HTTP server whose answers a test controls (tests and benchmarks only).
#[doc(hidden)]
pub mod testkit;
